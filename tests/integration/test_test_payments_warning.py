"""While the built-in test gateway takes the payments, any customer can mark their own order
paid without money. In production that is said loudly, in the log at startup and on every
back-office page; elsewhere a quiet note on every back-office page says the same."""

from __future__ import annotations

import logging
import re

import pytest

import shop.extensions
from shop import create_app
from shop.models import Role
from tests.admin_support import signed_in
from tests.conftest import SELLER

STRIPE_KEYS = {
    "SHOP_STRIPE_SECRET_KEY": "sk_test_not_called_in_these_tests",
    "SHOP_STRIPE_PUBLISHABLE_KEY": "pk_test_not_called_in_these_tests",
    "SHOP_STRIPE_WEBHOOK_SECRET": "whsec_not_called_in_these_tests",
}
TEST_PAYMENTS_IN_PRODUCTION = {
    "SHOP_ENV": "production",
    "SHOP_BASE_URL": "https://shop.example.nl",
    "SHOP_ALLOW_TEST_PAYMENTS": "true",
    "SHOP_STAFF_2FA_REQUIRED": "false",
    **SELLER,
}
BACK_OFFICE_PAGES = ["/admin/", "/admin/orders", "/admin/promotions", "/admin/account/password"]


@pytest.fixture
def not_warned_yet(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a process that has not started a shop yet (this one has started many)."""
    monkeypatch.setattr(shop.extensions, "_test_payments_warned", False, raising=False)


def warnings_of_test_payments(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "shop.payments" and record.levelno == logging.WARNING
    ]


def test_production_with_test_payments_warns_in_the_log_once_per_process(
    app_settings, caplog, not_warned_yet
):
    app_settings.update(TEST_PAYMENTS_IN_PRODUCTION)

    with caplog.at_level(logging.WARNING, logger="shop.payments"):
        create_app(app_settings)
        create_app(app_settings)

    [warning] = warnings_of_test_payments(caplog)
    assert "TEST PAYMENTS ARE ON IN PRODUCTION" in warning
    assert "mark their own order paid" in warning


@pytest.mark.parametrize(
    "settings",
    [STRIPE_KEYS | {"SHOP_ENV": "production"}, {"SHOP_ENV": "development"}],
    ids=["production-with-stripe", "development-with-test-payments"],
)
def test_no_warning_in_the_log_without_test_payments_in_production(
    app_settings, caplog, not_warned_yet, settings
):
    app_settings.update(settings)

    with caplog.at_level(logging.WARNING, logger="shop.payments"):
        create_app(app_settings)

    assert warnings_of_test_payments(caplog) == []


def banner(page: str) -> str | None:
    match = re.search(r'<div class="test-payments[^"]*"[^>]*>(.*?)</div>', page, re.S)
    return match.group(0) if match else None


def staff_browser(settings, session, role: Role):  # type: ignore[no-untyped-def]
    """A signed-in staff member's browser on a shop started with `settings`."""
    client = create_app(settings).test_client()
    signed_in(client, session, role)
    return client


def test_every_back_office_page_warns_staff_of_test_payments_in_production(app_settings, session):
    client = staff_browser(app_settings | TEST_PAYMENTS_IN_PRODUCTION, session, Role.VIEWER)

    for path in BACK_OFFICE_PAGES:
        shown = banner(client.get(path).get_data(as_text=True))
        assert shown is not None, path
        assert 'role="alert"' in shown
        assert "Test payments are on in production." in shown
        assert "Any customer can mark their own order paid without paying." in shown


def test_elsewhere_a_quiet_note_says_orders_can_be_marked_paid(client, session):
    signed_in(client, session, Role.MANAGER)

    for path in BACK_OFFICE_PAGES:
        shown = banner(client.get(path).get_data(as_text=True))
        assert shown is not None, path
        assert "Test payments: orders can be marked paid without money." in shown
        assert "role=" not in shown


def test_no_banner_with_stripe(app_settings, session):
    client = staff_browser(app_settings | STRIPE_KEYS, session, Role.MANAGER)

    assert banner(client.get("/admin/").get_data(as_text=True)) is None


def test_a_visitor_not_signed_in_is_not_told_about_test_payments(app_settings):
    app_settings.update(TEST_PAYMENTS_IN_PRODUCTION)
    page = create_app(app_settings).test_client().get("/admin/login").get_data(as_text=True)

    assert banner(page) is None
    assert "Test payments" not in page
