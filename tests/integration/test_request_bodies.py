"""Request bodies are limited by the kind of route, before anything reads them.

The attack: 750,000 tiny form fields (7.5 MB, under the picture upload's 8 MB) sent to any
URL cost a worker 7–12 s of form parsing. Each test below sends that body and asserts the
413 and how much of the body the shop read: none of it where the declared length is over
the route's limit (a body that is never read cannot be parsed), a few kilobytes where a
multipart body has more parts than the route takes. The body is handed to the app as a
stream whose position says how far it was read.

The last test runs the shop under gunicorn (2 sync workers) and times the refusals on a
real connection; see its docstring for the one timing bound in this file.
"""

from __future__ import annotations

import io
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from shop.models import AgeCheck, PaymentEvent, ProductImage, Role
from tests.admin_support import admin_csrf, make_staff, sign_in
from tests.helpers import csrf_token, make_product, pass_age_gate
from tests.peers import free_port

URLENCODED = "application/x-www-form-urlencoded"
FIELDS = 750_000
# "k000000=v&k000001=v&…": ten bytes a field.
MANY_FIELDS = b"&".join(b"k%06d=v" % n for n in range(FIELDS))
BIG_LENGTH = len(MANY_FIELDS)

ROUTE_KINDS = {
    "storefront GET /": ("GET", "/"),
    "storefront form /cart/add": ("POST", "/cart/add"),
    "the age gate": ("POST", "/age-gate"),
    "back-office form": ("POST", "/admin/login"),
    "Stripe's webhook": ("POST", "/webhooks/stripe"),
    "picture upload, as a form": ("POST", "/admin/products/1/images"),
    "a URL that matches nothing": ("POST", "/no-such-page"),
}


def test_the_attack_body_is_as_the_issue_describes_it() -> None:
    assert 7 * 1024 * 1024 < BIG_LENGTH < 8 * 1024 * 1024
    assert MANY_FIELDS.count(b"&") + 1 == FIELDS


def _send(client, method: str, path: str, body: io.BytesIO, content_type: str, **extra):  # type: ignore[no-untyped-def]
    return client.open(
        path,
        method=method,
        input_stream=body,
        content_length=len(body.getvalue()),
        content_type=content_type,
        **extra,
    )


@pytest.mark.parametrize("kind", ROUTE_KINDS)
def test_the_many_fields_body_is_refused_unread_on_every_kind_of_route(client, kind):
    method, path = ROUTE_KINDS[kind]
    body = io.BytesIO(MANY_FIELDS)

    response = _send(client, method, path, body, URLENCODED)

    assert response.status_code == 413
    assert body.tell() == 0  # not one byte read, so nothing parsed


@pytest.mark.parametrize("kind", [k for k in ROUTE_KINDS if k != "Stripe's webhook"])
def test_a_refused_body_gets_the_shops_page(client, kind):
    method, path = ROUTE_KINDS[kind]

    response = _send(client, method, path, io.BytesIO(MANY_FIELDS), URLENCODED)

    html = response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    assert '<h1 id="error-title">That is too large</h1>' in html
    assert "more than this page accepts" in html


def test_the_webhook_answers_an_oversized_body_in_a_few_words_of_json(client, session):
    response = _send(
        client, "POST", "/webhooks/stripe", io.BytesIO(MANY_FIELDS), "application/json"
    )

    assert response.status_code == 413
    assert response.get_json() == {"error": "body too large"}
    assert session.scalar(select(func.count()).select_from(PaymentEvent)) == 0


@pytest.fixture
def owner_token(client, session) -> str:  # type: ignore[no-untyped-def]
    """`client` signed in as an owner; a CSRF token of its session."""
    member = make_staff(session, Role.OWNER)
    assert sign_in(client, member.email).status_code == 303
    return admin_csrf(client)


def test_an_upload_with_too_many_parts_is_refused_after_reading_a_sliver(
    client, session, owner_token
):
    product = make_product(session)
    token = owner_token
    parts = [b"--b\r\nContent-Disposition: form-data; name=csrf_token\r\n\r\n" + token.encode()]
    parts += [
        b"--b\r\nContent-Disposition: form-data; name=k%06d\r\n\r\nv" % n for n in range(120_000)
    ]
    payload = b"\r\n".join(parts) + b"\r\n--b--\r\n"
    assert len(payload) < 8 * 1024 * 1024  # under the upload limit: only the parts count
    body = io.BytesIO(payload)

    response = _send(
        client,
        "POST",
        f"/admin/products/{product.id}/images",
        body,
        "multipart/form-data; boundary=b",
    )

    assert response.status_code == 413
    assert body.tell() < 256 * 1024  # the parser stopped at the 17th part
    assert session.scalar(select(func.count()).select_from(ProductImage)) == 0


def test_a_large_picture_still_fits_in_an_upload(client, session, owner_token):
    product = make_product(session)
    picture = io.BytesIO()
    Image.new("RGB", (1200, 900), "darkred").save(picture, "PNG")
    padding = b"\0" * (2 * 1024 * 1024)  # a large file, as cameras make them
    image = io.BytesIO(picture.getvalue() + padding)

    response = client.post(
        f"/admin/products/{product.id}/images",
        data={"csrf_token": owner_token, "alt_en": "Red", "image": (image, "a.png")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 303
    assert session.scalar(select(func.count()).select_from(ProductImage)) == 1


def test_a_storefront_form_over_its_limit_writes_nothing(app, client, session):
    pass_age_gate(client)
    token = csrf_token(client.get("/").get_data(as_text=True))
    checks_before = session.scalar(select(func.count()).select_from(AgeCheck))
    too_long = "x" * (app.config["SHOP_MAX_FORM_KB"] * 1024)

    response = client.post(
        "/age-gate", data={"csrf_token": token, "answer": "yes", "next": "/", "note": too_long}
    )

    assert response.status_code == 413
    assert session.scalar(select(func.count()).select_from(AgeCheck)) == checks_before


def test_a_storefront_form_with_too_many_fields_is_refused(app, client, session):
    pass_age_gate(client)
    product = make_product(session, "Golden Teacher 15 g", stock=5)
    token = csrf_token(client.get("/").get_data(as_text=True))
    fields = MultiDict([("csrf_token", token), ("product_id", product.id), ("quantity", 1)])
    fields.setlist("x", [""] * app.config["SHOP_MAX_FORM_FIELDS"])

    response = client.post("/cart/add", data=fields)

    assert response.status_code == 413
    assert "Golden Teacher 15 g" not in client.get("/cart").get_data(as_text=True)


def test_a_chunked_body_without_a_length_is_cut_off_at_the_limit(app, client):
    limit = app.config["SHOP_MAX_FORM_KB"] * 1024
    body = io.BytesIO(MANY_FIELDS)

    response = client.open(
        "/cart/add",
        method="POST",
        input_stream=body,
        content_type=URLENCODED,
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},  # as gunicorn says of chunked input
    )

    assert response.status_code == 413
    assert body.tell() == limit + 1  # one byte past the limit tells it is too long


def test_a_chunked_webhook_body_is_cut_off_at_the_webhook_limit(app, client):
    limit = app.config["SHOP_MAX_WEBHOOK_KB"] * 1024
    body = io.BytesIO(b'{"id": "' + b"x" * BIG_LENGTH + b'"}')

    response = client.open(
        "/webhooks/stripe",
        method="POST",
        input_stream=body,
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked", "Stripe-Signature": "t=1,v1=00"},
        environ_overrides={"wsgi.input_terminated": True},
    )

    assert response.status_code == 413
    assert response.get_json() == {"error": "body too large"}
    assert body.tell() == limit + 1


def test_a_get_with_a_small_body_is_refused_and_the_body_left_unread(client):
    body = io.BytesIO(b"q=%00")

    response = _send(client, "GET", "/search", body, URLENCODED)

    assert response.status_code == 413
    assert body.tell() == 0


def test_a_webhook_body_sent_as_a_form_is_not_parsed_as_one(client, session):
    """The NUL check reads forms only where a route reads one: the webhook reads JSON."""
    body = io.BytesIO(b"a=%00&" * 1000)

    response = _send(
        client, "POST", "/webhooks/stripe", body, URLENCODED, headers={"Stripe-Signature": "x"}
    )

    assert response.status_code == 400  # the signature's refusal, not the NUL check's
    assert response.get_json()["error"] == "invalid signature"


# --- a real server ---------------------------------------------------------------------------

BIN = Path(sys.executable).parent
WORKERS = 2


@pytest.fixture
def gunicorn_shop(database_url: str, tmp_path: Path) -> Iterator[str]:
    """The shop under gunicorn, 2 sync workers, on this run's database."""
    port = free_port()
    environment = {
        "PATH": str(BIN),
        "SHOP_ENV": "testing",
        "SHOP_DATABASE_URL": database_url,
        "SHOP_SECRET_KEY": "test-secret-key-that-is-long-enough-for-anything",
        "SHOP_RATELIMIT_STORAGE_URL": "memory://",
    }
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            *("--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}"),
            *("--chdir", str(Path(__file__).resolve().parents[2]), "shop:create_app()"),
        ],
        cwd=tmp_path,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()[-3000:]
            try:
                if requests.get(f"{url}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _refusal(port: int, method: str, path: str) -> tuple[bytes, float]:
    """The status line the server answers to the attack body, and the seconds it took from
    the end of the headers. The body follows only if the server has not answered within
    2 s, as a client waiting on `Expect: 100-continue` would send it: a server that reads
    and parses it is seen waiting for it, then slow; one that refuses it unread answers at
    once, and no reset can come between the answer and this read."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: {URLENCODED}\r\nContent-Length: {BIG_LENGTH}\r\n\r\n"
        )
        started = time.perf_counter()
        sock.sendall(head.encode())
        sock.settimeout(2)
        try:
            first = sock.recv(64)
        except TimeoutError:
            sock.settimeout(60)
            sock.sendall(MANY_FIELDS)
            first = sock.recv(64)
        return first.split(b"\r\n")[0], time.perf_counter() - started


def test_under_gunicorn_every_kind_of_route_refuses_at_once_and_serves_others_meanwhile(
    gunicorn_shop,
):
    """The issue's claim: the attack body answers 413 within 100 ms on every route kind,
    and a second request is served meanwhile. Both workers are kept busy with the attack
    (two connections at a time) while /healthz is asked for.

    The one timing bound in this file, on purpose, since the property is about time: each
    refusal within 1 s (ten times the claim, for a loaded test machine; the parsing it
    prevents took 7 to 12 s). The measured times are printed (`pytest -s`)."""
    port = int(gunicorn_shop.rsplit(":", 1)[1])
    timings: dict[str, list[float]] = {}
    statuses: list[bytes] = []
    health: list[int] = []

    def attack(kind: str) -> None:
        method, path = ROUTE_KINDS[kind]
        status, seconds = _refusal(port, method, path)
        statuses.append(status)
        timings.setdefault(kind, []).append(seconds)

    for kind in ROUTE_KINDS:
        attackers = [threading.Thread(target=attack, args=(kind,)) for _ in range(WORKERS)]
        for thread in attackers:
            thread.start()
        health.append(requests.get(f"{gunicorn_shop}/healthz", timeout=30).status_code)
        for thread in attackers:
            thread.join(timeout=60)

    for kind, seconds in timings.items():
        print(f"{kind}: {', '.join(f'{s * 1000:.1f} ms' for s in seconds)}")
    assert [status[:12] for status in statuses] == [b"HTTP/1.1 413"] * len(statuses)
    assert len(statuses) == len(ROUTE_KINDS) * WORKERS
    assert health == [200] * len(ROUTE_KINDS)
    slowest = max(max(seconds) for seconds in timings.values())
    assert slowest < 1.0, timings
