"""Two app servers behind one (imagined) reverse proxy never oversell: every visitor's
requests alternate between two gunicorn instances that share PostgreSQL and Redis.

Each visitor is its own `requests.Session` and goes the way a browser does: the age gate,
add to cart, the checkout form posted with its CSRF token. Many visitors at once come from a
pool of threads; the interesting moment is when all their checkout POSTs arrive together.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import requests
from sqlalchemy import func, select

from bench.load.campaign import BUYER
from shop import clock
from shop.extensions import db
from shop.models import Order, OutboxEmail, PaymentEvent, Product, PromoCode
from shop.payments.test_gateway import local_webhook_secret, signed_event
from shop.rules.promotions import Kind, window_from_local
from shop.services.promotions import PromoDraft, create_promo_code
from tests.helpers import csrf_token, make_category, make_product
from tests.integration.payment_support import place, record_intent
from tests.scaleout.conftest import BIN, ShopServers

T = TypeVar("T")

POOL = 32  # visitors in flight at once
TIMEOUT = 60  # seconds for one request, on a busy two-core machine
ENGLISH = {"Accept-Language": "en"}
AMSTERDAM = ZoneInfo("Europe/Amsterdam")  # the shop's default time zone
FLASK_SHOP = [str(BIN / "flask"), "--app", "shop"]
_DIGEST = re.compile(r'name="warnings_digest" value="([0-9a-f]+)"')


@dataclass(frozen=True)
class Answer:
    status: int
    text: str


class Visitor:
    """A browser of its own, whose requests alternate between the servers."""

    def __init__(self, servers: ShopServers, first: int) -> None:
        self.servers = servers
        self.turn = first
        self.http = requests.Session()
        self.http.headers.update(ENGLISH)
        # An address of its own (198.18.0.0/15 is for tests), as a visitor has.
        self.http.headers["X-Forwarded-For"] = f"198.18.{first // 256}.{first % 256}"
        self.token = ""
        self.answers: list[Answer] = []

    def request(self, method: str, path: str, **kwargs: Any) -> Answer:
        url = self.servers.url(self.turn) + path
        self.turn += 1
        response = self.http.request(method, url, timeout=TIMEOUT, allow_redirects=False, **kwargs)
        answer = Answer(response.status_code, response.text)
        self.answers.append(answer)
        return answer

    def pass_gate(self) -> None:
        self.token = csrf_token(self.request("GET", "/age-gate").text)
        answer = self.request(
            "POST", "/age-gate", data={"csrf_token": self.token, "answer": "yes", "next": "/"}
        )
        assert answer.status == 303, answer.status

    def add_to_cart(self, product_id: int) -> None:
        answer = self.request(
            "POST",
            "/cart/add",
            data={
                "csrf_token": self.token,
                "product_id": str(product_id),
                "quantity": "1",
                "next": "/cart",
            },
        )
        assert answer.status == 303, answer.status

    def check_out(self, digest: str, email: str, code: str = "") -> Answer:
        return self.request(
            "POST",
            "/checkout",
            data={
                "csrf_token": self.token,
                "email": email,
                **BUYER,
                "code": code,
                "acknowledged": "yes",
                "warnings_digest": digest,
            },
        )

    def close(self) -> None:
        self.http.close()


def all_at_once(work: Callable[[T], Any], items: Iterable[T]) -> list[Any]:
    with ThreadPoolExecutor(max_workers=POOL) as pool:
        return list(pool.map(work, items))


def visitors_with_the_product_in_their_cart(
    servers: ShopServers, how_many: int, product_id: int
) -> list[Visitor]:
    visitors = [Visitor(servers, first=n) for n in range(how_many)]

    def arrive(visitor: Visitor) -> None:
        visitor.pass_gate()
        visitor.add_to_cart(product_id)

    all_at_once(arrive, visitors)
    return visitors


def checkout_digest(visitor: Visitor) -> str:
    """The warnings digest the checkout page shows (one product: the same for everyone)."""
    page = visitor.request("GET", "/checkout")
    assert page.status == 200, page.status
    match = _DIGEST.search(page.text)
    assert match, "no warnings digest on the checkout page"
    return match.group(1)


def server_errors(visitors: list[Visitor]) -> list[int]:
    return [a.status for visitor in visitors for a in visitor.answers if a.status >= 500]


def fresh(servers: ShopServers, query: Any) -> Any:
    with servers.app.app_context():
        try:
            return db.session.execute(query).all()
        finally:
            db.session.remove()


def arrange(servers: ShopServers, build: Callable[[Any], T]) -> T:
    with servers.app.app_context():
        try:
            return build(db.session)
        finally:
            db.session.remove()


def test_four_hundred_visitors_buying_the_last_ten_units_get_exactly_ten_orders(shop_servers):
    # given a product with 10 in stock and 400 visitors with it in their cart
    product_id = arrange(shop_servers, lambda session: make_product(session, stock=10).id)
    visitors = visitors_with_the_product_in_their_cart(shop_servers, 400, product_id)
    digest = checkout_digest(visitors[0])

    # when they all check out at once, on both servers
    answers = all_at_once(
        lambda visitor: visitor.check_out(digest, f"buyer{visitor.turn}-{id(visitor)}@example.nl"),
        visitors,
    )

    # then
    for visitor in visitors:
        visitor.close()
    assert server_errors(visitors) == []
    placed = [answer for answer in answers if answer.status == 303]
    refused = [answer for answer in answers if answer.status != 303]
    assert len(placed) == 10
    assert {answer.status for answer in refused} == {409}
    assert all("has just sold out" in answer.text for answer in refused)
    assert len(refused) == 390
    [(stock,)] = fresh(shop_servers, select(Product.stock).where(Product.id == product_id))
    assert stock == 0
    orders = select(func.count()).select_from(Order).where(Order.lines.any(product_id=product_id))
    assert fresh(shop_servers, orders) == [(10,)]


def test_a_hundred_visitors_with_a_code_limited_to_five_uses_get_five_discounts(shop_servers):
    # given a code with 5 uses and 100 visitors with a product in stock in their cart
    def build(session: Any) -> tuple[int, int]:
        today = clock.now().astimezone(AMSTERDAM).date()
        product = make_product(session, stock=1000, category=make_category(session))
        code = create_promo_code(
            session,
            PromoDraft(
                code=f"FIVE{secrets.token_hex(3).upper()}",
                kind=Kind.PERCENT,
                value=20,
                window=window_from_local(
                    today - timedelta(days=1), today + timedelta(days=1), AMSTERDAM
                ),
                usage_limit=5,
            ),
            now=clock.now(),
        )
        return product.id, code.id

    product_id, code_id = arrange(shop_servers, build)
    [(code_text,)] = fresh(
        shop_servers, select(PromoCode.display_code).where(PromoCode.id == code_id)
    )
    visitors = visitors_with_the_product_in_their_cart(shop_servers, 100, product_id)
    digest = checkout_digest(visitors[0])

    # when they all check out with the code at once
    answers = all_at_once(
        lambda visitor: visitor.check_out(
            digest, f"coder{visitor.turn}-{id(visitor)}@example.nl", code=code_text.lower()
        ),
        visitors,
    )

    # then
    for visitor in visitors:
        visitor.close()
    assert server_errors(visitors) == []
    placed = [answer for answer in answers if answer.status == 303]
    refused = [answer for answer in answers if answer.status != 303]
    assert len(placed) == 5
    assert {answer.status for answer in refused} == {422}
    assert all("This code has been used up." in answer.text for answer in refused)
    discounts = fresh(
        shop_servers,
        select(Order.discount_cents).where(Order.lines.any(product_id=product_id)),
    )
    assert len(discounts) == 5
    assert all(discount > 0 for (discount,) in discounts)
    assert fresh(shop_servers, select(PromoCode.times_used).where(PromoCode.id == code_id)) == [
        (5,)
    ]


def test_one_event_delivered_to_both_servers_at_once_five_times_pays_once_and_mails_once(
    shop_servers,
):
    # given an order awaiting payment and its payment event, signed as the test gateway signs
    def build(session: Any) -> tuple[int, int, str]:
        order = place(session, make_product(session, stock=5))
        # The intent its payment page made (only an intent the shop made can pay an order).
        record_intent(session, order, f"pi_scaleout_{shop_servers.marker}")
        return order.id, order.total_cents, order.number or ""

    order_id, total_cents, number = arrange(shop_servers, build)
    body, signature = signed_event(
        "payment_intent.succeeded",
        {
            "id": f"pi_scaleout_{shop_servers.marker}",
            "object": "payment_intent",
            "amount": total_cents,
            "amount_received": total_cents,
            "currency": "eur",
            "status": "succeeded",
            "metadata": {"order_id": str(order_id), "order_number": number},
        },
        secret=local_webhook_secret(shop_servers.secret_key),
        event_id=f"evt_scaleout_{shop_servers.marker}",
    )
    headers = {"Stripe-Signature": signature, "Content-Type": "application/json"}

    # when both servers receive it at the same moment, five times over
    answers: list[int] = []
    for _ in range(5):
        together = threading.Barrier(len(shop_servers.urls))

        def deliver(base_url: str, together: threading.Barrier = together) -> int:
            together.wait(timeout=TIMEOUT)
            return requests.post(
                f"{base_url}/webhooks/stripe", data=body, headers=headers, timeout=TIMEOUT
            ).status_code

        answers += all_at_once(deliver, shop_servers.urls)

    # then every delivery is acknowledged, and the order moved and mailed exactly once
    assert answers == [200] * 10
    event_id = f"evt_scaleout_{shop_servers.marker}"
    assert fresh(
        shop_servers,
        select(func.count()).select_from(PaymentEvent).where(PaymentEvent.event_id == event_id),
    ) == [(1,)]
    assert fresh(shop_servers, select(Order.status).where(Order.id == order_id)) == [("paid",)]
    assert fresh(
        shop_servers,
        select(func.count()).select_from(OutboxEmail).where(OutboxEmail.order_id == order_id),
    ) == [(1,)]


def test_failed_staff_sign_ins_on_either_server_count_towards_one_limit(shop_servers):
    # given a staff account, made with the command line as an operator would
    email = f"throttle-{shop_servers.marker}@example.nl"
    password = secrets.token_urlsafe(18)
    created = subprocess.run(
        [*FLASK_SHOP, "staff", "create", email, "--role", "manager", "--password-stdin"],
        input=password + "\n",
        env=shop_servers.environment,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert created.returncode == 0, created.stderr

    # when five wrong passwords alternate between the servers (3 on one, 2 on the other)
    with requests.Session() as browser:
        token = csrf_token(browser.get(f"{shop_servers.url(0)}/admin/login", timeout=TIMEOUT).text)

        def sign_in(turn: int, attempt: str) -> int:
            return browser.post(
                f"{shop_servers.url(turn)}/admin/login",
                data={"csrf_token": token, "email": email, "password": attempt, "next": "/admin/"},
                allow_redirects=False,
                timeout=TIMEOUT,
            ).status_code

        failures = [sign_in(turn, "not the password at all") for turn in range(5)]
        # then the right password is refused too, on the server that saw only two failures
        after_limit = sign_in(5, password)

    assert failures == [401] * 5
    assert after_limit == 429
