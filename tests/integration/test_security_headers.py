"""Security headers on every kind of page, and the cookie rules over HTTPS."""

from __future__ import annotations

import pytest
from flask.sessions import SecureCookieSessionInterface

from shop import create_app
from tests.helpers import make_product, pass_age_gate
from tests.integration.payment_support import place

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def assert_hardened(response) -> None:
    policy = response.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self' https://js.stripe.com",
        "frame-src https://js.stripe.com",
        "connect-src 'self' https://api.stripe.com",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "style-src 'self'",
    ):
        assert directive in policy, directive
    assert "unsafe-inline" not in policy
    for name, value in EXPECTED.items():
        if name == "Referrer-Policy" and response.request.path.startswith("/orders/"):
            continue  # the order page keeps its link to itself: no-referrer
        assert response.headers[name] == value, name
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_a_storefront_page_carries_every_security_header(session, verified_client):
    product = make_product(session)

    assert_hardened(verified_client.get(f"/products/{product.slug}"))


def test_the_payment_page_carries_every_security_header(session, verified_client):
    order = place(session, make_product(session))

    response = verified_client.get(f"/orders/{order.token}/pay")

    assert response.status_code == 200
    assert_hardened(response)


def test_an_admin_page_carries_every_security_header(client):
    assert_hardened(client.get("/admin/login"))


def test_an_error_page_carries_every_security_header(verified_client):
    response = verified_client.get("/products/no-such-product")

    assert response.status_code == 404
    assert_hardened(response)


def test_the_policy_follows_the_stripe_origins_in_the_settings(app_settings):
    app_settings["SHOP_STRIPE_JS_URL"] = "http://127.0.0.1:8420/js.stripe.com/v3/"
    app_settings["SHOP_STRIPE_API_BASE"] = "http://127.0.0.1:8420"
    policy = (
        create_app(app_settings).test_client().get("/healthz").headers["Content-Security-Policy"]
    )

    assert "script-src 'self' http://127.0.0.1:8420;" in policy
    assert "connect-src 'self' http://127.0.0.1:8420;" in policy


def test_without_https_there_is_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers


@pytest.fixture
def https_client(app_settings):
    app_settings["SHOP_HTTPS"] = "true"
    app = create_app(app_settings)
    return app.test_client()


def test_over_https_the_session_cookie_is_secure_host_only_httponly_and_lax(https_client):
    response = https_client.get("/age-gate", base_url="https://shop.example")

    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Path=/" in cookie and "Domain=" not in cookie
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_a_cookie_signed_with_the_previous_key_still_works_during_a_rotation(app_settings, client):
    old_key = app_settings["SHOP_SECRET_KEY"]
    pass_age_gate(client)
    cookie = client.get_cookie("session").value

    app_settings["SHOP_SECRET_KEY"] = "a-brand-new-secret-key-for-the-rotation-test-0123"
    app_settings["SHOP_SECRET_KEY_FALLBACKS"] = old_key
    rotated = create_app(app_settings)
    fresh = rotated.test_client()
    fresh.set_cookie("session", cookie)

    assert fresh.get("/").status_code == 200
    serializer = SecureCookieSessionInterface().get_signing_serializer(rotated)
    assert serializer is not None


def test_a_host_that_is_not_trusted_gets_400(app_settings, caplog):
    app_settings["SHOP_TRUSTED_HOSTS"] = "shop.example"
    client = create_app(app_settings).test_client()

    refused = client.get("/", base_url="http://evil.example")

    assert refused.status_code == 400
    # A short plain answer (no page can link to a host the shop does not serve), and no
    # traceback in the log: the error page used to fail building its links for that host.
    assert refused.mimetype == "text/plain"
    assert not [record for record in caplog.records if record.exc_info]
    assert client.get("/age-gate", base_url="http://evil.example").status_code == 400
    assert client.get("/healthz", base_url="http://shop.example").status_code == 200


def test_a_load_balancer_health_check_by_address_passes_the_trusted_hosts(app_settings):
    """A load balancer asks the server itself, by its address, not by the shop's name."""
    app_settings["SHOP_TRUSTED_HOSTS"] = "shop.example"
    client = create_app(app_settings).test_client()
    by_address = {"Host": "10.0.0.5:8000"}

    health = client.get("/healthz", headers=by_address)

    assert health.status_code == 200
    assert health.get_json() == {"status": "ok", "database": "ok"}
    assert client.head("/healthz", headers=by_address).status_code == 200
    assert client.get("/", headers=by_address).status_code == 400
    assert client.get("/healthz/", headers=by_address).status_code == 400
    assert client.get("/healthz?x=1", headers=by_address).status_code == 200
    assert client.post("/healthz", headers=by_address).status_code == 400
