"""Error pages: each status has its own title and sentence in the visitor's language, a way
back, no traceback; JSON when the request asked for JSON; the session is rolled back after
an unexpected error; a request over the upload limit gets the 413 page and writes nothing."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, request
from sqlalchemy import func, select, text

from shop.config import MEGABYTE
from shop.extensions import db, limiter
from shop.models import AgeCheck, Category, ProductImage, Role
from tests.admin_support import admin_csrf, make_staff, sign_in, signed_in
from tests.helpers import csrf_token, make_product, pass_age_gate

TRACEBACK_SIGNS = ("Traceback", 'File "', "RuntimeError", "sqlalchemy", "Exception", "line ")
SECRET_DETAIL = "the secret detail of an internal failure"

ENGLISH = {
    400: ("That request could not be handled", "Please go back and try again."),
    403: ("Not allowed", "You do not have access to this page."),
    404: ("Page not found", "We could not find that page."),
    405: ("Not allowed this way", "use the page's own links and buttons"),
    413: ("That is too large", "more than this page accepts"),
    429: ("Too many attempts", "and try again."),
    500: ("Something went wrong", "an error on our side"),
}

LANGUAGES = {"en": {"Accept-Language": "en"}, "nl": {"Accept-Language": "nl"}}
AS_JSON = {"Accept": "application/json"}


def _raise_failure() -> str:
    # A write in the request's transaction, then an exception whose text must stay hidden.
    db.session.add(Category(slug="half-written", name_en="Half", name_nl="Half", position=1))
    db.session.flush()
    raise RuntimeError(SECRET_DETAIL)


def _throttled() -> str:
    return "ok"


def add_test_routes(app: Flask) -> None:
    """A route that fails and one throttled to a single request a minute (test app only)."""
    app.add_url_rule("/test-failure", "test_failure", _raise_failure, methods=["GET", "POST"])
    app.add_url_rule("/test-throttled", "test_throttled", limiter.limit("1 per minute")(_throttled))


def _bad_request(client: Any, headers: dict[str, str]) -> Any:
    return client.get("/search?q=a%00b", headers=headers)  # a NUL is refused up front


def _forbidden(client: Any, headers: dict[str, str]) -> Any:
    return client.get("/admin/staff", headers=headers)  # owner only; the client is a viewer


def _not_found(client: Any, headers: dict[str, str]) -> Any:
    return client.get("/products/no-such-product", headers=headers)


def _wrong_method(client: Any, headers: dict[str, str]) -> Any:
    return client.get("/cart/add", headers=headers)


def _too_large(client: Any, headers: dict[str, str]) -> Any:
    body = {"product_id": "1", "quantity": "1", "note": "x" * (9 * MEGABYTE)}
    return client.post("/cart/add", data=body, headers=headers)


def _too_many(client: Any, headers: dict[str, str]) -> Any:
    client.get("/test-throttled", headers=headers)
    return client.get("/test-throttled", headers=headers)


def _server_error(client: Any, headers: dict[str, str]) -> Any:
    return client.get("/test-failure", headers=headers)


TRIGGERS: dict[int, Callable[[Any, dict[str, str]], Any]] = {
    400: _bad_request,
    403: _forbidden,
    404: _not_found,
    405: _wrong_method,
    413: _too_large,
    429: _too_many,
    500: _server_error,
}


@pytest.fixture
def visitor(app, client, session):  # type: ignore[no-untyped-def]
    """A verified visitor who is also signed in as a viewer (for the 403)."""
    add_test_routes(app)
    signed_in(client, session, Role.VIEWER)  # first: signing in starts a new session
    pass_age_gate(client)
    return client


def heading(html: str) -> str:
    found = re.search(r'<h1 id="error-title">(.*?)</h1>', html, re.S)
    assert found, html[:800]
    return found.group(1).strip()


def assert_no_traceback(body: str) -> None:
    for sign in (*TRACEBACK_SIGNS, SECRET_DETAIL):
        assert sign not in body, sign


@pytest.mark.parametrize("code", sorted(TRIGGERS))
def test_each_error_has_its_own_english_page(visitor, code):
    response = TRIGGERS[code](visitor, LANGUAGES["en"])

    assert response.status_code == code
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    title, sentence = ENGLISH[code]
    assert heading(html) == title
    assert sentence.replace("'", "&#39;") in html
    assert '<html lang="en">' in html
    way_back = ">Back to the back office</a>" if code == 403 else 'href="/">Back to the shop</a>'
    assert way_back in html
    assert_no_traceback(html)


@pytest.mark.parametrize("code", sorted(TRIGGERS))
def test_each_error_page_is_in_the_visitors_language(visitor, code):
    response = TRIGGERS[code](visitor, LANGUAGES["nl"])

    assert response.status_code == code
    html = response.get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert heading(html)
    assert 'class="error-message"' in html
    assert_no_traceback(html)


@pytest.mark.parametrize("language", sorted(LANGUAGES))
@pytest.mark.parametrize("code", sorted(TRIGGERS))
def test_each_error_answers_json_when_json_was_asked_for(visitor, code, language):
    response = TRIGGERS[code](visitor, {**LANGUAGES[language], **AS_JSON})

    assert response.status_code == code
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error", "message", "status"}
    assert body["status"] == code
    if language == "en":
        assert body["error"] == ENGLISH[code][0]
    assert_no_traceback(response.get_data(as_text=True))


def test_a_json_body_gets_a_json_error(visitor):
    response = visitor.post("/cart/add", json={"product_id": 1}, headers={"Accept": "*/*"})

    assert response.status_code == 400  # no CSRF token in a JSON body
    assert response.get_json()["status"] == 400


def test_the_wait_is_told_and_retry_after_kept_on_429(visitor):
    response = _too_many(visitor, LANGUAGES["en"])

    assert response.status_code == 429
    seconds = int(response.headers["Retry-After"])
    assert 0 < seconds <= 60
    html = response.get_data(as_text=True)
    assert re.search(r"Please wait \d+ seconds? and try again\.", html)


def test_405_keeps_the_allowed_methods(visitor):
    response = _wrong_method(visitor, LANGUAGES["en"])

    assert "POST" in response.headers["Allow"]
    assert "GET" not in response.headers["Allow"]


def test_an_unexpected_error_is_logged_not_shown_and_its_writes_rolled_back(
    app, client, session, caplog
):
    add_test_routes(app)
    seen_in_request: list[int] = []

    @app.after_request
    def count_half_written(response):  # type: ignore[no-untyped-def]
        # Still inside the failed request: its session must already have been rolled back.
        if request.path != "/test-failure":
            return response
        seen_in_request.append(
            db.session.scalar(select(func.count()).where(Category.slug == "half-written"))
        )
        return response

    pass_age_gate(client)
    response = client.get("/test-failure")

    assert response.status_code == 500
    assert_no_traceback(response.get_data(as_text=True))
    assert seen_in_request == [0]
    assert session.scalar(select(func.count()).select_from(Category)) == 0
    assert SECRET_DETAIL in caplog.text  # for the operator, in the log


def test_a_failed_statement_still_gets_the_styled_page(app, client):
    """On PostgreSQL a failed statement aborts the transaction; the page is drawn after the
    rollback, with the visitor's session (the gate, the cart) read as usual."""

    def broken_query() -> str:
        db.session.execute(text("SELECT no_such_column FROM no_such_table"))
        return "unreachable"

    app.add_url_rule("/test-broken-query", "test_broken_query", broken_query)
    pass_age_gate(client)

    response = client.get("/test-broken-query")

    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert heading(html) == "Something went wrong"
    assert "no_such_table" not in html
    assert_no_traceback(html)


def test_errors_under_admin_use_the_back_office_layout(client, session):
    signed_in(client, session, Role.VIEWER)  # staff need not pass the customers' age gate

    response = client.get("/admin/no-such-page")

    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert heading(html) == "Page not found"
    assert "Back to the back office" in html


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/admin/orders/999999", "/admin/login"),
        ("/admin/", "/admin/login"),
        # An unknown URL leads to the sign-in page like a known one: no error page is shown
        # to a stranger under /admin at all, and nothing tells which admin URLs exist.
        ("/admin/no-such-page", "/admin/login"),
        ("/admin/staff/1/x", "/admin/login"),
    ],
)
def test_a_stranger_sees_no_error_page_under_admin(client, path, target):
    response = client.get(path)

    assert response.status_code == 303
    assert response.headers["Location"].startswith(target)


def test_the_storefront_404_offers_the_way_home(verified_client):
    html = verified_client.get("/products/nothing-here").get_data(as_text=True)

    assert 'href="/">Back to the shop</a>' in html


def test_an_expired_form_says_so(verified_client):
    response = verified_client.post("/cart/add", data={"product_id": "1", "csrf_token": "stale"})

    assert response.status_code == 400
    assert heading(response.get_data(as_text=True)) == "The form expired"


# --- 413: over the upload limit --------------------------------------------------------------


def test_an_oversized_storefront_form_gets_the_413_page_and_writes_nothing(app, client, session):
    pass_age_gate(client)
    checks_before = session.scalar(select(func.count()).select_from(AgeCheck))
    page = client.get("/")
    token = csrf_token(page.get_data(as_text=True))
    body = {"csrf_token": token, "answer": "yes", "next": "/", "padding": "x" * (9 * MEGABYTE)}

    response = client.post("/age-gate", data=body)

    assert response.status_code == 413
    assert heading(response.get_data(as_text=True)) == "That is too large"
    assert session.scalar(select(func.count()).select_from(AgeCheck)) == checks_before


def test_an_oversized_picture_upload_gets_the_413_page_and_writes_nothing(client, session):
    product = make_product(session)
    member = make_staff(session, Role.OWNER)
    assert sign_in(client, member.email).status_code == 303
    token = admin_csrf(client)
    picture = (io.BytesIO(b"\xff\xd8\xff" + b"\0" * (9 * MEGABYTE)), "big.jpg")

    response = client.post(
        f"/admin/products/{product.id}/images",
        data={"csrf_token": token, "alt_en": "Big", "image": picture},
        content_type="multipart/form-data",
    )

    assert response.status_code == 413
    assert "larger than 8 MB" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(ProductImage)) == 0


def test_an_oversized_upload_by_a_stranger_gets_the_plain_413_page(client, session):
    product = make_product(session)

    response = client.post(
        f"/admin/products/{product.id}/images",
        data={"image": (io.BytesIO(b"\0" * (9 * MEGABYTE)), "big.jpg")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert heading(html) == "That is too large"
    assert "Golden Teacher" not in html  # nothing of the product is shown to a stranger


def test_over_a_real_connection_an_oversized_form_gets_the_page_not_a_reset(app):
    """A server that answers before reading the body may reset the connection under the
    client, which then shows a network error instead of the page."""
    import requests

    from tests.peers import serving

    with serving(app) as url:
        response = requests.post(
            f"{url}/cart/add", data={"padding": "x" * (30 * MEGABYTE)}, timeout=60
        )

    assert response.status_code == 413
    assert heading(response.text) == "That is too large"
