"""The campaign rush as Locust users: visitors of the demo shop on the day a public code goes
live, 80 % browsing, 15 % filling a cart and trying the code, 5 % buying and paying.

Run by `bench/load/run.py` (`make load`), which starts the servers and passes everything
through environment variables:

    LOAD_SERVERS        the app servers' base URLs, comma-separated; a visitor's requests
                        alternate between them, as behind a round-robin proxy
    LOAD_CODE           the public promo code of the campaign
    LOAD_RUSH_PRODUCT   the campaign's product (modest stock): half of the buyers want it
    LOAD_THINK          "low,high" seconds of think time between pages (default 1,3)
    LOAD_STEPS          the users of each step of the ramp, comma-separated
    LOAD_STEP_SECONDS   how long each step lasts
    LOAD_REQUEST_LOG    where to write every request (elapsed s, users, kind, ms, ok)

Every request is named by its page kind ("product", "checkout: place order"), so Locust's
statistics and the runner's table are per kind. All load comes from 127.0.0.1: each simulated
visitor sends an X-Forwarded-For address of its own (198.18.0.0/15, the range for tests), as
the proxy in front of the servers would, and the servers trust one hop (SHOP_PROXY_HOPS=1),
so the per-address throttles see hundreds of visitors instead of one address.

A refusal that is the right answer during a rush (the campaign product sold out, the code
used up) counts as a success, and is counted by the runner from the database; anything else
unexpected (a 5xx, a 4xx the journey should not meet, a timeout) is a failure.
"""

from __future__ import annotations

import csv
import itertools
import os
import random
import re
import time
from typing import Any

from locust import LoadTestShape, between, events, task
from locust.contrib.fasthttp import FastHttpUser

from bench.load.campaign import BUYER
from shop.demo_data import load_demo_data

SERVERS = [url.rstrip("/") for url in os.environ.get("LOAD_SERVERS", "").split(",") if url]
CODE = os.environ.get("LOAD_CODE", "")
RUSH_PRODUCT = os.environ.get("LOAD_RUSH_PRODUCT", "")
THINK = tuple(float(s) for s in os.environ.get("LOAD_THINK", "1,3").split(","))
STEPS = [int(n) for n in os.environ.get("LOAD_STEPS", "20").split(",")]
STEP_SECONDS = float(os.environ.get("LOAD_STEP_SECONDS", "60"))
REQUEST_LOG = os.environ.get("LOAD_REQUEST_LOG", "")

_DEMO = load_demo_data()
CATEGORIES = [category["slug"] for category in _DEMO.categories]
PRODUCTS = [product["slug"] for product in _DEMO.products]
# What a visitor can buy without the OpenID age check (the load runs without a provider).
BUYABLE = [p["slug"] for p in _DEMO.products if not p.get("needs_verified_age") and p["stock"]]
ARTICLES = [article["slug"] for article in _DEMO.articles]
SEARCHES = ["truffels", "lions mane", "microdosing kit", "grow kit", "reishi", "capsules"]

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_PRODUCT_ID = re.compile(r'name="product_id" value="(\d+)"')
_DIGEST = re.compile(r'name="warnings_digest" value="([0-9a-f]+)"')
_ORDER = re.compile(r"/orders/([A-Za-z0-9_-]+)$")
_addresses = itertools.count(1)

# The refusals a rush is expected to produce, by the words the customer reads.
SOLD_OUT = ("sold out", "not enough", "no longer")
USED_UP = "used up"
# What the code box says when the cart emptied meanwhile (its product sold out).
EMPTY_CART = "add a product to your cart first"
# The cart page itself when the last of its products sold out while the code was checked.
CART_EMPTIED = "Your cart is empty."

# --- the request log: every request with the step it was made in -------------------------

_started_at = 0.0
_log: list[tuple[float, int, str, float, int]] = []


@events.test_start.add_listener
def _on_start(environment: Any, **_: Any) -> None:
    global _started_at
    _started_at = time.monotonic()


@events.request.add_listener
def _on_request(name: str, response_time: float, exception: Any, context: Any, **_: Any) -> None:
    runner = _environment.runner if _environment is not None else None
    users = runner.user_count if runner is not None else 0
    elapsed = time.monotonic() - _started_at
    _log.append((round(elapsed, 3), users, name, round(response_time, 2), int(exception is None)))


@events.test_stop.add_listener
def _on_stop(environment: Any, **_: Any) -> None:
    if not REQUEST_LOG:
        return
    with open(REQUEST_LOG, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["elapsed_s", "users", "kind", "ms", "ok"])
        writer.writerows(_log)


_environment: Any = None


@events.init.add_listener
def _on_init(environment: Any, **_: Any) -> None:
    global _environment
    _environment = environment


# --- the visitors ---------------------------------------------------------------------------


class Visitor(FastHttpUser):
    """One person's browser: its own cookies and address, requests spread over the servers."""

    abstract = True
    host = SERVERS[0] if SERVERS else "http://127.0.0.1"
    wait_time = between(*THINK)
    network_timeout = 60.0
    connection_timeout = 60.0

    def on_start(self) -> None:
        number = next(_addresses)
        self.address = f"198.18.{number // 256 % 256}.{number % 256 or 1}"
        self.turn = random.randrange(len(SERVERS) or 1)
        self.token = ""
        self.arrive()

    def url(self, path: str) -> str:
        self.turn += 1
        return SERVERS[self.turn % len(SERVERS)] + path if SERVERS else path

    def page(
        self,
        kind: str,
        path: str,
        *,
        method: str = "GET",
        data: dict[str, str] | None = None,
        expected: tuple[int, ...] = (200,),
        refusals: dict[int, tuple[str, ...]] | None = None,
    ) -> Any:
        """One request named by its page kind; fails unless its status is `expected`, or is
        a refusal in `refusals` whose page says one of the given words."""
        with self.client.request(
            method,
            self.url(path),
            name=kind,
            data=data,
            headers={"X-Forwarded-For": self.address, "Accept-Language": "en"},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            status = response.status_code
            text = response.text or ""
            words = (refusals or {}).get(status, ())
            if status in expected or any(word in text for word in words):
                response.success()
            else:
                response.failure(f"{kind}: {status} {_what_it_says(text)!r}")
            return response

    def arrive(self) -> None:
        """A new visitor: no cookies, through the age gate."""
        self.client.cookiejar.clear()
        gate = self.page("age gate", "/age-gate")
        found = _CSRF.search(gate.text or "")
        self.token = found.group(1) if found else ""
        self.page(
            "age gate: yes",
            "/age-gate",
            method="POST",
            data={"csrf_token": self.token, "answer": "yes", "next": "/"},
            expected=(303,),
        )

    def product_page(self, slug: str) -> int | None:
        """The product's page; the id its buy form sends, None when it has none (sold out)."""
        page = self.page("product", f"/products/{slug}")
        found = _PRODUCT_ID.search(page.text or "")
        return int(found.group(1)) if found else None

    def add_to_cart(self, product_id: int) -> None:
        self.page(
            "cart: add",
            "/cart/add",
            method="POST",
            data={
                "csrf_token": self.token,
                "product_id": str(product_id),
                "quantity": "1",
                "next": "/cart",
            },
            expected=(303,),
        )

    def apply_code(self) -> None:
        self.page(
            "cart: code",
            "/cart/code",
            method="POST",
            data={"csrf_token": self.token, "code": CODE.lower()},
            expected=(303,),
            # Any product of the cart may sell out in a rush, not only the campaign's: the
            # code is then refused for it, or the cart is found empty.
            refusals={422: (USED_UP, EMPTY_CART, CART_EMPTIED, *SOLD_OUT)},
        )


def _what_it_says(html: str) -> str:
    """The page's message for a failure report: the alert's text, else the start."""
    found = re.search(r'role="alert"[^>]*>(.*?)</', html, re.DOTALL)
    return (found.group(1) if found else html)[:160].strip()


class Browser(Visitor):
    """Looks around: the home page, categories, products, searches and the articles."""

    weight = 80

    @task(2)
    def home(self) -> None:
        self.page("home", "/")

    @task(3)
    def category(self) -> None:
        self.page("category", f"/category/{random.choice(CATEGORIES)}")

    @task(4)
    def product(self) -> None:
        self.product_page(random.choice(PRODUCTS))

    @task(2)
    def search(self) -> None:
        self.page("search", f"/search?q={random.choice(SEARCHES).replace(' ', '+')}")

    @task(1)
    def articles(self) -> None:
        if random.random() < 0.5:
            self.page("articles", "/articles")
        else:
            self.page("articles", f"/articles/{random.choice(ARTICLES)}")


class CartFiller(Visitor):
    """Puts a product or two in the cart and tries the campaign's code, then leaves."""

    weight = 15

    @task
    def fill_cart(self) -> None:
        self.page("category", f"/category/{random.choice(CATEGORIES)}")
        for slug in random.sample(BUYABLE, random.randint(1, 2)):
            self.wait()
            product_id = self.product_page(slug)
            if product_id is not None:
                self.wait()
                self.add_to_cart(product_id)
        self.wait()
        self.page("cart page", "/cart")
        self.wait()
        self.apply_code()
        self.wait()
        self.page("cart page", "/cart")
        self.wait()
        self.arrive()  # the next one


class Buyer(Visitor):
    """Buys: the campaign product (or another), the code, the checkout form, then pays with
    the test gateway's Pay button, which sends the signed payment event through the webhook
    code; the order page then says it is paid."""

    weight = 5

    @task
    def buy(self) -> None:
        slug = RUSH_PRODUCT if RUSH_PRODUCT and random.random() < 0.5 else random.choice(BUYABLE)
        product_id = self.product_page(slug)
        if product_id is None:  # sold out: this visitor goes elsewhere
            product_id = self.product_page(random.choice(BUYABLE))
        if product_id is None:
            self.arrive()
            return
        self.wait()
        self.add_to_cart(product_id)
        self.wait()
        self.apply_code()
        self.wait()
        # A redirect to the cart: what was in it sold out between the product page and here.
        form = self.page("checkout form", "/checkout", expected=(200, 303))
        if form.status_code != 200:
            self.arrive()
            return
        digest = _DIGEST.search(form.text or "")
        self.wait()
        placed = self.place_order(digest.group(1) if digest else "", CODE.lower())
        if placed.status_code == 422 and USED_UP in (placed.text or ""):
            # The code ran out meanwhile: she buys anyway, without it.
            self.wait()
            placed = self.place_order(digest.group(1) if digest else "", "")
        location = placed.headers.get("Location", "") if placed.status_code == 303 else ""
        order = _ORDER.search(location)
        if order is not None:
            self.pay(order.group(1))
        self.wait()
        self.arrive()

    def place_order(self, digest: str, code: str) -> Any:
        return self.page(
            "checkout: place order",
            "/checkout",
            method="POST",
            data={
                "csrf_token": self.token,
                "email": f"buyer-{self.address}@example.nl",
                **BUYER,
                "code": code,
                "acknowledged": "y",
                "warnings_digest": digest,
            },
            expected=(303,),
            refusals={409: SOLD_OUT, 422: (USED_UP,)},
        )

    def pay(self, token: str) -> None:
        self.page("order", f"/orders/{token}")
        self.wait()
        payment = self.page("payment", f"/orders/{token}/pay")
        found = _CSRF.search(payment.text or "")
        self.page(
            "payment: pay",
            f"/orders/{token}/pay/test",
            method="POST",
            data={"csrf_token": found.group(1) if found else self.token, "action": "pay"},
            expected=(303,),
        )
        paid = self.page("order", f"/orders/{token}")
        if "Payment received" not in (paid.text or ""):
            events.request.fire(
                request_type="CHECK",
                name="order: paid",
                response_time=0,
                response_length=0,
                exception=AssertionError("the order page does not say the payment arrived"),
                context={},
            )


# --- the ramp -------------------------------------------------------------------------------


class StepRamp(LoadTestShape):
    """LOAD_STEPS users, one step every LOAD_STEP_SECONDS, then the end."""

    def tick(self) -> tuple[int, float] | None:
        step = int(self.get_run_time() // STEP_SECONDS)
        if step >= len(STEPS):
            return None
        previous = STEPS[step - 1] if step else 0
        # The step's new visitors arrive within about two seconds.
        return STEPS[step], max(1.0, (STEPS[step] - previous) / 2)
