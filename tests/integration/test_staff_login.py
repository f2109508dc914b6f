"""Staff sign-in and its sessions: one answer for every refusal, throttling per account and per
client address (in memory and in Redis), `next` kept inside the back office, a new session at
sign-in, and sessions that end when they should."""

from __future__ import annotations

import random
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from shop.extensions import db
from shop.models import Role, StaffMember
from shop.services.staff import change_password, set_role
from tests.admin_support import PASSWORD, admin_csrf, make_staff, sign_in
from tests.helpers import csrf_token
from tests.pages import Page
from tests.peers import running_redis

REFUSAL = "That e-mail address and password do not match an account."
WRONG = "not the password at all, sorry"


def alert(response: Any) -> str:
    messages = Page.of(response).texts('[role="alert"]')
    assert messages, "no message on the page"
    return messages[0]


def from_address(client: Any, address: str) -> Any:
    client.environ_base["REMOTE_ADDR"] = address
    return client


def refused_after_failures(client: Any, email: str, failures: int) -> None:
    """`failures` wrong passwords are each answered as wrong; then even the right one is
    refused as too many attempts."""
    answers = [sign_in(client, email, WRONG).status_code for _ in range(failures)]
    throttled = sign_in(client, email, PASSWORD)

    assert answers == [401] * failures
    assert throttled.status_code == 429
    assert "Too many attempts" in throttled.get_data(as_text=True)


def is_signed_in(client: Any) -> bool:
    response = client.get("/admin/")
    if response.status_code == 303:
        assert response.headers["Location"].startswith("/admin/login")
        return False
    assert response.status_code == 200
    return True


# --- One answer for every refusal ---------------------------------------------------------


def test_an_unknown_address_and_a_wrong_password_get_the_same_status_and_message(app, session):
    member = make_staff(session, Role.MANAGER)

    unknown = sign_in(app.test_client(), "nobody-here@example.nl", WRONG)
    wrong = sign_in(app.test_client(), member.email, WRONG)

    assert unknown.status_code == wrong.status_code == 401
    assert alert(unknown) == alert(wrong) == REFUSAL


def test_a_switched_off_account_gets_the_same_answer_even_with_its_right_password(app, session):
    owner = make_staff(session, Role.OWNER)
    member = make_staff(session, Role.MANAGER)
    set_role(session, member.id, Role.MANAGER, active=False, now=owner.created_at, actor=owner)

    response = sign_in(app.test_client(), member.email, PASSWORD)

    assert response.status_code == 401
    assert alert(response) == REFUSAL


def test_the_address_is_matched_whatever_its_capitals_and_spaces(client, session):
    make_staff(session, Role.VIEWER, email="sam.viewer@example.nl")

    response = sign_in(client, "  Sam.Viewer@EXAMPLE.nl ")

    assert response.status_code == 303
    assert is_signed_in(client)


def test_a_sign_in_is_remembered_as_the_last_one(client, session):
    member = make_staff(session, Role.VIEWER)
    assert member.last_login_at is None

    sign_in(client, member.email)

    session.refresh(member)
    assert member.last_login_at is not None


def test_the_refusal_keeps_the_typed_address_escaped(client):
    response = sign_in(client, '"><script>alert(1)</script>@example.nl', WRONG)

    page = response.get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&#34;&gt;&lt;script&gt;" in page or "&quot;&gt;&lt;script&gt;" in page


# --- Throttling -----------------------------------------------------------------------------


def test_the_sixth_failure_in_a_minute_for_one_account_is_refused_even_with_the_right_password(
    client, session
):
    member = make_staff(session, Role.MANAGER)

    refused_after_failures(client, member.email, 5)

    assert not is_signed_in(client)


def test_the_account_throttle_counts_every_spelling_of_the_address_and_every_client(app, session):
    member = make_staff(session, Role.MANAGER, email="kim@example.nl")
    spellings = ["kim@example.nl", "KIM@example.nl", " Kim@Example.NL", "kim@EXAMPLE.nl", "kim@ex"]
    for number, spelling in enumerate(spellings[:4] + spellings[:1]):
        client = from_address(app.test_client(), f"192.0.2.{number + 1}")
        assert sign_in(client, spelling, WRONG).status_code == 401

    elsewhere = from_address(app.test_client(), "198.51.100.7")

    assert sign_in(elsewhere, member.email, PASSWORD).status_code == 429


def test_throttling_one_account_leaves_the_others_alone(client, session):
    attacked, colleague = make_staff(session, Role.MANAGER), make_staff(session, Role.MANAGER)
    for _ in range(5):
        sign_in(client, attacked.email, WRONG)

    assert sign_in(client, attacked.email, WRONG).status_code == 429
    assert sign_in(client, colleague.email, PASSWORD).status_code == 303


def test_successful_sign_ins_are_not_counted(app, session):
    member = make_staff(session, Role.VIEWER)

    statuses = [sign_in(app.test_client(), member.email).status_code for _ in range(8)]

    assert statuses == [303] * 8


def test_one_client_address_gets_thirty_failures_a_minute_over_all_accounts(app):
    attacker = from_address(app.test_client(), "203.0.113.9")
    failures = [
        sign_in(attacker, f"guess{number}@example.nl", WRONG).status_code for number in range(30)
    ]

    throttled = sign_in(attacker, "guess-thirty-one@example.nl", WRONG)
    another_address = sign_in(
        from_address(app.test_client(), "203.0.113.10"), "guess0@example.nl", WRONG
    )

    assert failures == [401] * 30
    assert throttled.status_code == 429
    assert another_address.status_code == 401


# --- A browser that signed in before (device cookies) ----------------------------------------

DEVICE_COOKIE = "staff_device"


def device_of(app: Any, email: str, address: str = "192.0.2.50") -> Any:
    """A browser of the member's own that signed in once (and signed out): it has its cookie."""
    browser = from_address(app.test_client(), address)
    assert sign_in(browser, email).status_code == 303
    assert browser.get_cookie(DEVICE_COOKIE) is not None
    browser.post("/admin/logout", data={"csrf_token": admin_csrf(browser)})
    return browser


def locked_out_by_a_stranger(app: Any, email: str) -> None:
    """Twenty wrong passwords from an address that never signed in: the account is locked."""
    stranger = from_address(app.test_client(), "203.0.113.66")
    answers = [sign_in(stranger, email, WRONG).status_code for _ in range(20)]
    assert answers == [401] * 5 + [429] * 15
    assert (
        sign_in(from_address(app.test_client(), "203.0.113.67"), email, PASSWORD).status_code == 429
    )


def test_after_a_strangers_twenty_wrong_passwords_the_members_own_browser_still_signs_in(
    app, session
):
    member = make_staff(session, Role.MANAGER)
    own_browser = device_of(app, member.email)

    locked_out_by_a_stranger(app, member.email)

    assert sign_in(own_browser, member.email, PASSWORD).status_code == 303
    assert is_signed_in(own_browser)


def test_a_members_own_browser_gets_ten_failures_an_hour_of_its_own(app, session):
    member = make_staff(session, Role.MANAGER)
    own_browser = device_of(app, member.email)

    refused_after_failures(own_browser, member.email, 10)

    # Its failures were its own: the account is open to the member's other browsers.
    assert sign_in(from_address(app.test_client(), "192.0.2.99"), member.email).status_code == 303


def test_a_members_own_browser_signs_in_after_nine_failures(app, session):
    member = make_staff(session, Role.MANAGER)
    own_browser = device_of(app, member.email)

    failures = [sign_in(own_browser, member.email, WRONG).status_code for _ in range(9)]

    assert failures == [401] * 9
    assert sign_in(own_browser, member.email, PASSWORD).status_code == 303


def _signed_with(secret_key: str, email: str) -> str:
    return URLSafeTimedSerializer(secret_key, salt="staff-device").dumps(
        {"email": email, "nonce": "0" * 32}
    )


@pytest.mark.parametrize(
    "forged",
    [
        pytest.param(lambda email: "made-up-value", id="junk"),
        pytest.param(
            lambda email: _signed_with("another shop's secret key", email), id="other-key"
        ),
        pytest.param(lambda email: _signed_with("x", email) + "tampered", id="tampered"),
    ],
)
def test_a_stranger_with_a_forged_device_cookie_is_still_locked_out(app, session, forged):
    member = make_staff(session, Role.MANAGER)
    locked_out_by_a_stranger(app, member.email)
    stranger = from_address(app.test_client(), "203.0.113.68")
    stranger.set_cookie(DEVICE_COOKIE, forged(member.email))

    assert sign_in(stranger, member.email, PASSWORD).status_code == 429


def test_one_accounts_device_cookie_does_not_help_for_another_account(app, session):
    mine, colleague = make_staff(session, Role.MANAGER), make_staff(session, Role.MANAGER)
    my_browser = device_of(app, mine.email)

    locked_out_by_a_stranger(app, colleague.email)

    assert sign_in(my_browser, colleague.email, PASSWORD).status_code == 429
    assert sign_in(my_browser, mine.email, PASSWORD).status_code == 303


def test_a_device_cookie_older_than_its_180_days_does_not_help(app, app_settings, session):
    member = make_staff(session, Role.MANAGER)
    signed_181_days_ago = int(time.time()) - 181 * 24 * 60 * 60

    class SignedLongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return signed_181_days_ago

    old_browser = from_address(app.test_client(), "192.0.2.51")
    old_browser.set_cookie(
        DEVICE_COOKIE,
        URLSafeTimedSerializer(
            app_settings["SHOP_SECRET_KEY"], salt="staff-device", signer=SignedLongAgo
        ).dumps({"email": member.email, "nonce": "1" * 32}),
    )
    locked_out_by_a_stranger(app, member.email)

    assert sign_in(old_browser, member.email, PASSWORD).status_code == 429


def test_the_device_cookie_is_httponly_lax_and_long_lived(app, session):
    member = make_staff(session, Role.VIEWER)

    response = sign_in(app.test_client(), member.email)

    cookie = next(
        line for line in response.headers.getlist("Set-Cookie") if line.startswith(DEVICE_COOKIE)
    )
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Max-Age=15552000" in cookie  # 180 days


def test_over_https_the_device_cookie_is_secure_and_host_only(app_settings, session):
    from shop import create_app

    app_settings["SHOP_HTTPS"] = "true"
    https_app = create_app(app_settings)
    member = make_staff(session, Role.VIEWER)
    browser = https_app.test_client()
    page = browser.get("/admin/login", base_url="https://shop.example")
    response = browser.post(
        "/admin/login",
        base_url="https://shop.example",
        headers={"Referer": "https://shop.example/admin/login"},
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "email": member.email,
            "password": PASSWORD,
        },
    )

    assert response.status_code == 303
    cookie = next(
        line
        for line in response.headers.getlist("Set-Cookie")
        if line.startswith("__Host-staff-device=")
    )
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Path=/" in cookie and "Domain=" not in cookie
    with https_app.app_context():
        db.engine.dispose()


REDIS_DATABASE = 15  # a database of its own: nothing else lives there


@pytest.fixture
def redis_url_and_connection() -> Iterator[tuple[str, Any]]:
    with running_redis(REDIS_DATABASE) as found:
        yield found


@pytest.fixture
def redis(redis_url_and_connection) -> Any:  # type: ignore[no-untyped-def]
    return redis_url_and_connection[1]


class TestThrottlingInRedis:
    """With `SHOP_RATELIMIT_STORAGE_URL=redis://…` the counts live in Redis, so every app server
    sees the same ones."""

    @pytest.fixture
    def app_settings(self, app_settings, redis_url_and_connection):  # type: ignore[no-untyped-def]
        app_settings["SHOP_RATELIMIT_STORAGE_URL"] = redis_url_and_connection[0]
        return app_settings

    @pytest.fixture
    def marker(self, redis) -> Iterator[str]:  # type: ignore[no-untyped-def]
        """A string in every key this test makes; those keys (and only those) go afterwards."""
        value = uuid.uuid4().hex
        yield value
        for key in redis.scan_iter(match=f"*{value}*"):
            redis.delete(key)

    def test_failures_on_one_app_server_are_counted_on_another(
        self, app, app_settings, session, redis, marker
    ):
        from shop import create_app

        member = make_staff(session, Role.MANAGER, email=f"redis-{marker}@example.nl")
        address = f"10.{random.randrange(256)}.{random.randrange(256)}.{marker[:2]}"
        first_server = from_address(app.test_client(), address)
        failures = [sign_in(first_server, member.email, WRONG).status_code for _ in range(5)]
        assert failures == [401] * 5
        assert list(redis.scan_iter(match=f"*{marker}*")), "no throttle counts in Redis"

        second_app = create_app(app_settings)  # a second server: its own, new limiter storage
        second_app.test_client_class = type(first_server)
        second_server = from_address(second_app.test_client(), address)
        try:
            throttled = sign_in(second_server, member.email, PASSWORD)
        finally:
            with second_app.app_context():
                db.engine.dispose()
            for key in redis.scan_iter(match=f"*{address}/*"):
                redis.delete(key)

        assert throttled.status_code == 429


# --- Where a sign-in leads ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/admin/", "/admin/"),
        ("/admin/staff", "/admin/staff"),
        ("/admin/audit?action=update&page=2", "/admin/audit?action=update&page=2"),
        ("/admin", "/admin"),
        ("/cart", "/admin/"),
        ("/administrator", "/admin/"),
        ("/admin/../cart", "/admin/"),
        ("/admin/%2e%2e/cart", "/admin/"),
        ("/admin/./%2E./checkout", "/admin/"),
        ("//evil.example/admin/", "/admin/"),
        ("/\\evil.example/admin/", "/admin/"),
        ("https://evil.example/admin/", "/admin/"),
        ("javascript:alert(1)", "/admin/"),
        ("", "/admin/"),
    ],
)
def test_next_leads_only_to_a_page_of_the_back_office(app, session, target, expected):
    member = make_staff(session, Role.OWNER)
    client = app.test_client()
    page = client.get("/admin/login", query_string={"next": target})
    response = client.post(
        "/admin/login",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "email": member.email,
            "password": PASSWORD,
            "next": target,
        },
    )

    assert response.status_code == 303
    assert response.headers["Location"] == expected


def test_an_anonymous_visitor_is_brought_back_to_the_page_asked_for(client, session):
    member = make_staff(session, Role.OWNER)
    bounced = client.get("/admin/audit?action=create")
    login_page = client.get(bounced.headers["Location"])

    response = client.post(
        "/admin/login",
        data={
            "csrf_token": csrf_token(login_page.get_data(as_text=True)),
            "email": member.email,
            "password": PASSWORD,
            "next": re.search(r'name="next" value="([^"]*)"', login_page.get_data(as_text=True))
            .group(1)
            .replace("&amp;", "&"),
        },
    )

    assert response.headers["Location"] == "/admin/audit?action=create"


def test_the_login_page_sends_someone_signed_in_onwards(client, session):
    member = make_staff(session, Role.VIEWER)
    sign_in(client, member.email)

    response = client.get("/admin/login?next=/admin/account/password")

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/account/password"


# --- A new session at sign-in ---------------------------------------------------------------


def test_nothing_put_in_the_session_before_sign_in_survives_it(client, session):
    member = make_staff(session, Role.MANAGER)
    client.get("/admin/login")
    with client.session_transaction() as planted:
        planted["planted_by_someone_else"] = "fixation"

    sign_in(client, member.email)

    with client.session_transaction() as after:
        assert "planted_by_someone_else" not in after
        assert after["_user_id"] == f"{member.id}:{member.session_version}"


def test_a_session_cookie_planted_before_sign_in_does_not_become_signed_in(app, session):
    """An attacker who sets the victim's cookie and keeps a copy gains nothing by it."""
    member = make_staff(session, Role.OWNER)
    attacker, victim = app.test_client(), app.test_client()
    attacker.get("/admin/login")
    planted = attacker.get_cookie("session")
    assert planted is not None
    victim.set_cookie("session", planted.value)

    sign_in(victim, member.email)

    assert is_signed_in(victim)
    assert victim.get_cookie("session").value != planted.value
    assert not is_signed_in(attacker)


# --- Sessions that end ----------------------------------------------------------------------


def test_signing_out_ends_this_session_and_every_other_one_of_the_account(app, session):
    member = make_staff(session, Role.MANAGER)
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, member.email)
    sign_in(phone, member.email)

    response = laptop.post("/admin/logout", data={"csrf_token": admin_csrf(laptop)})

    assert response.headers["Location"] == "/admin/login"
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)


def test_signing_out_leaves_other_accounts_signed_in(app, session):
    mine, colleague = make_staff(session, Role.MANAGER), make_staff(session, Role.MANAGER)
    me, them = app.test_client(), app.test_client()
    sign_in(me, mine.email)
    sign_in(them, colleague.email)

    me.post("/admin/logout", data={"csrf_token": admin_csrf(me)})

    assert is_signed_in(them)


def test_a_sign_out_cannot_be_forced_from_another_site(client, session):
    member = make_staff(session, Role.MANAGER)
    sign_in(client, member.email)

    assert client.post("/admin/logout").status_code == 400
    assert is_signed_in(client)


def test_changing_ones_password_ends_the_other_sessions_and_keeps_this_one(app, session):
    member = make_staff(session, Role.VIEWER)
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, member.email)
    sign_in(phone, member.email)

    response = laptop.post(
        "/admin/account/password",
        data={
            "csrf_token": admin_csrf(laptop),
            "current_password": PASSWORD,
            "password": "a brand new phrase for spring",
            "password_again": "a brand new phrase for spring",
        },
    )

    assert response.status_code == 303
    assert is_signed_in(laptop)
    assert not is_signed_in(phone)


def test_a_new_password_set_elsewhere_ends_every_session_of_the_account(app, session):
    member = make_staff(session, Role.MANAGER)
    client = app.test_client()
    sign_in(client, member.email)

    change_password(
        session, member.id, "a password from the owner", now=member.created_at, actor=None
    )

    assert not is_signed_in(client)
    assert sign_in(app.test_client(), member.email, "a password from the owner").status_code == 303


def test_switching_an_account_off_ends_its_sessions(app, session):
    owner, member = make_staff(session, Role.OWNER), make_staff(session, Role.MANAGER)
    client = app.test_client()
    sign_in(client, member.email)
    assert is_signed_in(client)

    set_role(session, member.id, Role.MANAGER, active=False, now=owner.created_at, actor=owner)

    assert not is_signed_in(client)


def test_a_session_of_a_deleted_account_is_a_signed_out_one(app, session):
    member = make_staff(session, Role.MANAGER)
    client = app.test_client()
    sign_in(client, member.email)

    session.delete(session.get(StaffMember, member.id))
    session.commit()

    assert not is_signed_in(client)


@pytest.mark.parametrize("forged", ["1", "1:", ":1", "x:y", "1:1:1", ""])
def test_a_session_with_a_forged_account_id_is_signed_out(client, session, forged):
    make_staff(session, Role.OWNER)
    client.get("/admin/login")
    with client.session_transaction() as stored:
        stored["_user_id"] = forged

    assert not is_signed_in(client)
