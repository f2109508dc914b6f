"""Staff sessions end after 30 minutes unused and 12 hours after sign-in; refunds and changes
to staff accounts need a sign-in from the last 10 minutes, else the password again first.

The clock is frozen at named instants (in-process only; the session cookie keeps instants the
app wrote, so moving the clock moves the session's age).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from werkzeug.routing import Rule

from shop import clock
from shop.clock import frozen_at
from shop.models import AuditEntry, Order, Role, StaffMember
from shop.payments import test_gateway as test_mode
from shop.services.payments import pay_in_test_mode
from shop.web.admin import fresh_login_of
from tests.admin_support import PASSWORD, admin_csrf, make_staff, sign_in
from tests.helpers import csrf_token, make_product
from tests.integration.payment_support import fresh_order, place, refunds_of

# Monday 2 March 2026, 09:00 UTC: a manager signs in for the day.
SIGN_IN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LAST_SECOND_OF_IDLE = SIGN_IN + timedelta(minutes=30)
FIRST_SECOND_PAST_IDLE = LAST_SECOND_OF_IDLE + timedelta(seconds=1)
LAST_SECOND_OF_SESSION = SIGN_IN + timedelta(hours=12)
FIRST_SECOND_PAST_SESSION = LAST_SECOND_OF_SESSION + timedelta(seconds=1)

IDLE_MESSAGE = "You were signed out after 30 minutes without activity. Please sign in again."
ABSOLUTE_MESSAGE = (
    "You were signed out because a session lasts at most 12 hours. Please sign in again."
)
REAUTH_NOTICE = "Nothing was changed. Confirm it is you, then send the form again."


def text_of(response: Any) -> str:
    return response.get_data(as_text=True)


def signed_in_at(client: Any, session: Any, role: Role, at: datetime) -> StaffMember:
    member = make_staff(session, role)
    with frozen_at(at):
        assert sign_in(client, member.email).status_code == 303
    return member


def staff_emails(session: Any) -> set[str]:
    return set(session.scalars(select(StaffMember.email)))


def audit_by(session: Any, member: StaffMember) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.staff_id == member.id)))


def get_at(client: Any, path: str, at: datetime) -> Any:
    with frozen_at(at):
        return client.get(path)


def query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def is_signed_out_to_login(response: Any, next_path: str) -> bool:
    location = response.headers.get("Location", "")
    return (
        response.status_code == 303
        and urlsplit(location).path == "/admin/login"
        and query_of(location).get("next") == next_path
    )


# --- Idle limit ------------------------------------------------------------------------------


def test_a_session_unused_for_exactly_30_minutes_still_works(client, session):
    signed_in_at(client, session, Role.MANAGER, SIGN_IN)

    assert get_at(client, "/admin/orders", LAST_SECOND_OF_IDLE).status_code == 200


def test_a_session_unused_for_30_minutes_and_a_second_is_signed_out_with_the_reason(
    client, session
):
    signed_in_at(client, session, Role.MANAGER, SIGN_IN)

    response = get_at(client, "/admin/orders?status=paid", FIRST_SECOND_PAST_IDLE)

    assert is_signed_out_to_login(response, "/admin/orders?status=paid")
    login_page = get_at(client, response.headers["Location"], FIRST_SECOND_PAST_IDLE)
    assert IDLE_MESSAGE in text_of(login_page)
    assert 'name="next" value="/admin/orders?status=paid"' in text_of(login_page)
    # Signed out for good: the next request is an anonymous one (no message this time).
    again = get_at(client, "/admin/orders", FIRST_SECOND_PAST_IDLE)
    assert again.headers["Location"] == "/admin/login?next=/admin/orders"


def test_each_request_starts_the_idle_period_again(client, session):
    signed_in_at(client, session, Role.VIEWER, SIGN_IN)
    used_at = [SIGN_IN + timedelta(minutes=25 * n) for n in range(1, 5)]

    statuses = [get_at(client, "/admin/", at).status_code for at in used_at]
    after_a_pause = get_at(client, "/admin/", used_at[-1] + timedelta(minutes=30, seconds=1))

    assert statuses == [200] * 4
    assert is_signed_out_to_login(after_a_pause, "/admin/")


def test_a_timed_out_session_ends_only_here_not_in_the_accounts_other_browsers(app, session):
    member = make_staff(session, Role.MANAGER)
    laptop, phone = app.test_client(), app.test_client()
    with frozen_at(SIGN_IN):
        sign_in(laptop, member.email)
    with frozen_at(SIGN_IN + timedelta(minutes=20)):
        sign_in(phone, member.email)

    laptop_now = get_at(laptop, "/admin/", FIRST_SECOND_PAST_IDLE)
    phone_now = get_at(phone, "/admin/", FIRST_SECOND_PAST_IDLE)

    assert is_signed_out_to_login(laptop_now, "/admin/")
    assert phone_now.status_code == 200


def test_a_form_sent_after_the_idle_limit_changes_nothing_and_leads_back_to_its_page(
    client, session
):
    owner = signed_in_at(client, session, Role.OWNER, SIGN_IN)
    with frozen_at(SIGN_IN):
        token = admin_csrf(client)

    with frozen_at(FIRST_SECOND_PAST_IDLE):
        response = client.post(
            "/admin/staff",
            data={
                "csrf_token": token,
                "email": "new.colleague@example.nl",
                "role": "viewer",
                "password": PASSWORD,
                "password_again": PASSWORD,
            },
            headers={"Referer": "http://localhost/admin/staff"},
        )

    assert is_signed_out_to_login(response, "/admin/staff")
    assert staff_emails(session) == {owner.email}
    assert audit_by(session, owner) == []


class TestAShorterIdleLimit:
    @pytest.fixture
    def app_settings(self, app_settings):  # type: ignore[no-untyped-def]
        app_settings["SHOP_STAFF_IDLE_MINUTES"] = "5"
        return app_settings

    def test_the_idle_limit_comes_from_its_setting(self, client, session):
        signed_in_at(client, session, Role.VIEWER, SIGN_IN)

        still = get_at(client, "/admin/", SIGN_IN + timedelta(minutes=5))
        gone = get_at(client, "/admin/", SIGN_IN + timedelta(minutes=10, seconds=1))

        assert still.status_code == 200
        assert is_signed_out_to_login(gone, "/admin/")
        login_page = get_at(client, gone.headers["Location"], SIGN_IN + timedelta(minutes=11))
        assert "after 5 minutes without activity" in text_of(login_page)


# --- Absolute limit ------------------------------------------------------------------------


def busy_until(client: Any, last: datetime) -> list[int]:
    """Use the back office every 20 minutes from the sign-in up to `last` (not after it)."""
    statuses, at = [], SIGN_IN
    while at < last:
        at = min(at + timedelta(minutes=20), last)
        statuses.append(get_at(client, "/admin/", at).status_code)
    return statuses


def test_a_busy_session_still_works_on_the_last_second_of_its_12_hours(client, session):
    signed_in_at(client, session, Role.MANAGER, SIGN_IN)

    statuses = busy_until(client, LAST_SECOND_OF_SESSION)

    assert set(statuses) == {200}
    assert len(statuses) == 36


def test_a_busy_session_is_signed_out_12_hours_and_a_second_after_sign_in(client, session):
    signed_in_at(client, session, Role.MANAGER, SIGN_IN)
    busy_until(client, LAST_SECOND_OF_SESSION - timedelta(seconds=1))

    response = get_at(client, "/admin/orders", FIRST_SECOND_PAST_SESSION)

    assert is_signed_out_to_login(response, "/admin/orders")
    login_page = get_at(client, response.headers["Location"], FIRST_SECOND_PAST_SESSION)
    assert ABSOLUTE_MESSAGE in text_of(login_page)


def test_signing_in_again_after_the_limit_starts_a_new_12_hours(client, session):
    member = signed_in_at(client, session, Role.VIEWER, SIGN_IN)
    with frozen_at(FIRST_SECOND_PAST_SESSION):
        client.get("/admin/")
        assert sign_in(client, member.email).status_code == 303

    later = FIRST_SECOND_PAST_SESSION + timedelta(hours=11, minutes=59)
    busy = [
        get_at(client, "/admin/", FIRST_SECOND_PAST_SESSION + timedelta(minutes=29 * n))
        for n in range(1, 25)
    ]
    assert {response.status_code for response in busy} == {200}
    assert get_at(client, "/admin/", later).status_code == 200


def test_a_session_without_its_sign_in_time_is_signed_out(client, session):
    """A session cookie from before these rules (or one the shop did not make) ends."""
    signed_in_at(client, session, Role.MANAGER, SIGN_IN)
    with client.session_transaction() as stored:
        del stored["staff_signed_in_at"]

    response = get_at(client, "/admin/", SIGN_IN + timedelta(minutes=1))

    assert is_signed_out_to_login(response, "/admin/")


# --- Fresh sign-in for sensitive actions ----------------------------------------------------

# Every view that needs a recent sign-in. A new view that refunds money or changes staff
# accounts (or two-factor sign-in) must be added here and marked `@fresh_login_required`.
SENSITIVE = {
    "admin.refund_order",
    "admin.refund_extra",
    "admin.staff_create",
    "admin.staff_edit",
    "admin.staff_set_access",
    "admin.staff_set_password",
    "admin.staff_reset_two_factor",
    "admin.two_factor_disable",
    "admin.two_factor_recovery_codes",
}
# Views whose path or name looks sensitive but which are not (each for a stated reason).
LOOK_SENSITIVE_BUT_ARE_NOT = {
    "admin.staff_list": "only lists accounts; creating one is admin.staff_create",
    "admin.two_factor": "shows one's own state; its actions are marked or safe",
    "admin.two_factor_start": "a new unconfirmed key for one's own app; switches nothing on",
    "admin.two_factor_confirm": "needs a right code from the new app",
    "admin.account_password": "asks for the current password itself",
}
SENSITIVE_WORDS = re.compile(r"refund|staff|password|role|two.?factor|2fa|recovery|access")


def admin_rules(app: Any) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")]


def test_exactly_the_listed_views_need_a_fresh_sign_in(app):
    marked = {rule.endpoint for rule in admin_rules(app) if fresh_login_of(rule.endpoint)}

    assert marked == SENSITIVE


def test_every_view_that_looks_sensitive_is_marked_or_explained(app):
    public_or_session = {
        "admin.login",
        "admin.login_two_factor",
        "admin.reauth",
        "admin.logout",
    }
    unexplained = sorted(
        {
            rule.endpoint
            for rule in admin_rules(app)
            if SENSITIVE_WORDS.search(f"{rule.endpoint} {rule.rule}")
            and rule.endpoint not in SENSITIVE
            and rule.endpoint not in LOOK_SENSITIVE_BUT_ARE_NOT
            and rule.endpoint not in public_or_session
        }
    )

    assert unexplained == [], "mark these @fresh_login_required or explain why not"


@pytest.fixture
def paid_order(app, session) -> Order:  # type: ignore[no-untyped-def]
    product = make_product(session, "Lion's Mane capsules", price_cents=1250, stock=10)
    order = place(session, product, 2)
    secret = test_mode.local_webhook_secret(app.config["SECRET_KEY"])
    outcome = pay_in_test_mode(
        session, test_mode.TestGateway(), order, succeed=True, secret=secret, now=clock.now()
    )
    assert outcome.text == "paid"
    return fresh_order(session, order.id)


def ask_refund(client: Any, order: Order, at: datetime, **extra: str) -> Any:
    with frozen_at(at):
        return client.post(
            f"/admin/orders/{order.id}/refund",
            data={"csrf_token": admin_csrf(client), "amount": "25,00", **extra},
        )


@pytest.fixture
def now_ish() -> datetime:
    """A whole second soon after the real now (orders are placed at the real time)."""
    return clock.now().replace(microsecond=0) + timedelta(minutes=1)


def test_a_manager_who_just_signed_in_can_refund(client, session, paid_order, now_ish):
    signed_in_at(client, session, Role.MANAGER, now_ish)

    confirmation = ask_refund(client, paid_order, now_ish + timedelta(minutes=1))
    done = ask_refund(
        client, paid_order, now_ish + timedelta(minutes=2), confirm="yes", seen_state="0-0"
    )

    assert "Refund €25.00 of order" in text_of(confirmation)
    assert done.status_code == 303
    assert len(refunds_of(session, paid_order.id)) == 1


def test_a_refund_on_the_last_second_of_the_window_needs_no_password(
    client, session, paid_order, now_ish
):
    signed_in_at(client, session, Role.MANAGER, now_ish)

    response = ask_refund(client, paid_order, now_ish + timedelta(minutes=10))

    assert response.status_code == 200
    assert "Refund €25.00 of order" in text_of(response)


def test_a_refund_after_the_window_asks_for_the_password_and_then_leads_back_to_the_order(
    client, session, paid_order, now_ish
):
    signed_in_at(client, session, Role.MANAGER, now_ish)
    later = now_ish + timedelta(minutes=10, seconds=1)

    refused = ask_refund(client, paid_order, later, confirm="yes", seen_state="0-0")

    assert refused.status_code == 303
    assert urlsplit(refused.headers["Location"]).path == "/admin/reauth"
    assert query_of(refused.headers["Location"])["next"] == f"/admin/orders/{paid_order.id}"
    assert refunds_of(session, paid_order.id) == []
    reauth_page = get_at(client, refused.headers["Location"], later)
    assert REAUTH_NOTICE in text_of(reauth_page)
    assert "Type your password again" in text_of(reauth_page)

    with frozen_at(later):
        wrong = client.post(
            "/admin/reauth",
            data={
                "csrf_token": csrf_token(text_of(reauth_page)),
                "password": "not my password, officer",
                "next": f"/admin/orders/{paid_order.id}",
            },
        )
        right = client.post(
            "/admin/reauth",
            data={
                "csrf_token": csrf_token(text_of(reauth_page)),
                "password": PASSWORD,
                "next": f"/admin/orders/{paid_order.id}",
            },
        )
    assert wrong.status_code == 401
    assert "That is not your password." in text_of(wrong)
    assert right.status_code == 303
    assert right.headers["Location"] == f"/admin/orders/{paid_order.id}"
    # Not replayed: the manager sends the form again, and now it goes through.
    assert refunds_of(session, paid_order.id) == []
    again = ask_refund(client, paid_order, later, confirm="yes", seen_state="0-0")
    assert again.status_code == 303
    assert len(refunds_of(session, paid_order.id)) == 1


def test_the_fresh_window_comes_from_the_last_password_not_the_sign_in(
    client, session, paid_order, now_ish
):
    signed_in_at(client, session, Role.MANAGER, now_ish)
    reauthenticated_at = now_ish + timedelta(minutes=25)
    with frozen_at(reauthenticated_at):
        page = client.get("/admin/reauth?next=/admin/")
        client.post(
            "/admin/reauth",
            data={"csrf_token": csrf_token(text_of(page)), "password": PASSWORD},
        )

    inside = ask_refund(client, paid_order, reauthenticated_at + timedelta(minutes=10))
    outside = ask_refund(client, paid_order, reauthenticated_at + timedelta(minutes=20, seconds=1))

    assert inside.status_code == 200
    assert urlsplit(outside.headers["Location"]).path == "/admin/reauth"


@pytest.mark.parametrize(
    ("path", "form", "back_to"),
    [
        ("/admin/staff", {"email": "new@example.nl", "role": "viewer"}, "/admin/staff"),
        ("/admin/staff/{id}/access", {"role": "owner", "active": "yes"}, "/admin/staff/{id}"),
        ("/admin/staff/{id}/password", {"password": "x" * 20}, "/admin/staff/{id}"),
        ("/admin/staff/{id}/two-factor/reset", {}, "/admin/staff/{id}"),
    ],
    ids=["create", "role-and-access", "password", "two-factor-reset"],
)
def test_staff_changes_after_the_window_ask_for_the_password_and_change_nothing(
    client, session, path, form, back_to
):
    owner = signed_in_at(client, session, Role.OWNER, SIGN_IN)
    colleague = make_staff(session, Role.VIEWER)
    later = SIGN_IN + timedelta(minutes=11)
    with frozen_at(SIGN_IN + timedelta(minutes=5)):
        token = admin_csrf(client)

    with frozen_at(later):
        response = client.post(
            path.format(id=colleague.id),
            data={"csrf_token": token, "password_again": form.get("password", ""), **form},
        )

    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == "/admin/reauth"
    assert query_of(response.headers["Location"])["next"] == back_to.format(id=colleague.id)
    session.refresh(colleague)
    assert (colleague.role, colleague.session_version) == (Role.VIEWER, 1)
    assert staff_emails(session) == {owner.email, colleague.email}
    assert audit_by(session, owner) == []


def test_a_staff_account_page_asks_for_the_password_first_and_then_opens(client, session):
    signed_in_at(client, session, Role.OWNER, SIGN_IN)
    colleague = make_staff(session, Role.VIEWER)
    later = SIGN_IN + timedelta(minutes=12)

    first = get_at(client, f"/admin/staff/{colleague.id}", later)
    assert first.headers["Location"] == f"/admin/reauth?next=/admin/staff/{colleague.id}"
    page = get_at(client, first.headers["Location"], later)
    assert REAUTH_NOTICE not in text_of(page)  # nothing was sent, nothing to send again
    with frozen_at(later):
        back = client.post(
            "/admin/reauth",
            data={
                "csrf_token": csrf_token(text_of(page)),
                "password": PASSWORD,
                "next": f"/admin/staff/{colleague.id}",
            },
        )

    assert back.headers["Location"] == f"/admin/staff/{colleague.id}"
    assert get_at(client, back.headers["Location"], later).status_code == 200


def test_the_staff_list_itself_needs_no_fresh_sign_in(client, session):
    signed_in_at(client, session, Role.OWNER, SIGN_IN)

    assert get_at(client, "/admin/staff", SIGN_IN + timedelta(minutes=29)).status_code == 200


@pytest.mark.parametrize(
    "target",
    ["//evil.example/admin/", "https://evil.example/", "/cart", "/admin/../cart"],
)
def test_reauth_leads_only_to_a_page_of_the_back_office(client, session, target):
    signed_in_at(client, session, Role.MANAGER, SIGN_IN)
    with frozen_at(SIGN_IN + timedelta(minutes=1)):
        page = client.get("/admin/reauth", query_string={"next": target})
        response = client.post(
            "/admin/reauth",
            data={"csrf_token": csrf_token(text_of(page)), "password": PASSWORD, "next": target},
        )

    assert response.headers["Location"] == "/admin/"


def test_wrong_passwords_on_the_reauth_page_are_throttled_with_the_sign_in(client, session):
    signed_in_at(client, session, Role.MANAGER, SIGN_IN)
    with frozen_at(SIGN_IN + timedelta(minutes=11)):
        token = admin_csrf(client)
        statuses = [
            client.post(
                "/admin/reauth", data={"csrf_token": token, "password": "wrong guess"}
            ).status_code
            for _ in range(11)
        ]

    # Signed in, this browser holds the account's device cookie: its own 10 an hour count
    # (the per-account 5 a minute is for browsers that never signed in).
    assert statuses == [401] * 10 + [429]
