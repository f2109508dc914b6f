"""Two-factor sign-in for staff: set-up with a QR code and a confirming code, sign-in with a
code from the app or a recovery code (each accepted once), throttling, the shop's rule for
owners and managers, switching it off, and the resets by an owner and from the command line.

Codes are computed with pyotp from the secret the page shows (or the database holds) at
frozen instants: a code belongs to a 30-second step, so the clock decides which is right.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from sqlalchemy import select

from shop.clock import frozen_at
from shop.models import AuditEntry, Role, StaffMember, StaffRecoveryCode
from shop.services.two_factor import hash_recovery_code
from tests.admin_support import (
    PASSWORD,
    admin_csrf,
    code_at,
    enrol,
    make_staff,
    send_code,
    sign_in,
)
from tests.conftest import SELLER

# Tuesday 3 March 2026, 10:00:00 UTC, the start of a 30-second step; then a few steps on.
SETTING_UP = datetime(2026, 3, 3, 10, 0, 0, tzinfo=UTC)
SIGNING_IN = SETTING_UP + timedelta(minutes=2)  # step +4
SAME_STEP = SIGNING_IN + timedelta(seconds=20)
NEXT_STEP = SIGNING_IN + timedelta(seconds=30)
WRONG = "000000"


def text_of(response: Any) -> str:
    return response.get_data(as_text=True)


def post(client: Any, path: str, **form: str) -> Any:
    return client.post(path, data={"csrf_token": admin_csrf(client), **form})


def signed_in_member(client: Any, session: Any, role: Role, at: datetime) -> StaffMember:
    member = make_staff(session, role)
    with frozen_at(at):
        assert sign_in(client, member.email).status_code == 303
    return member


def with_two_factor(app: Any, session: Any, role: Role = Role.MANAGER) -> tuple[StaffMember, list]:
    """A member who set up two-factor sign-in at SETTING_UP, and their recovery codes."""
    client = app.test_client()
    member = signed_in_member(client, session, role, SETTING_UP)
    codes = enrol(client, session, member, at=SETTING_UP)
    session.refresh(member)
    return member, codes


def is_signed_in(client: Any, at: datetime) -> bool:
    with frozen_at(at):
        return client.get("/admin/").status_code == 200


def audit_actions(session: Any, member: StaffMember) -> list[str]:
    return list(
        session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == "StaffMember", AuditEntry.object_id == str(member.id))
            .order_by(AuditEntry.id)
        )
    )


# --- Setting it up ---------------------------------------------------------------------------


def test_setting_up_shows_a_qr_code_and_the_key_and_switches_on_only_after_a_right_code(
    client, session
):
    member = signed_in_member(client, session, Role.MANAGER, SETTING_UP)
    with frozen_at(SETTING_UP):
        off = client.get("/admin/account/two-factor")
        assert "Two-factor sign-in is off" in text_of(off)
        post(client, "/admin/account/two-factor/start")
        page = text_of(client.get("/admin/account/two-factor"))

    # The key in text, for typing by hand, is the one the QR code carries.
    typed_key = re.search(r'class="two-factor-secret">([A-Z2-7 ]+)<', page).group(1)
    secret = typed_key.replace(" ", "")
    session.refresh(member)
    assert member.totp_secret == secret and len(secret) == 32
    assert not member.has_two_factor
    with frozen_at(SETTING_UP):
        wrong = post(client, "/admin/account/two-factor/confirm", code=WRONG)
        session.refresh(member)
        assert wrong.status_code == 422
        assert "That code is not right." in text_of(wrong)
        assert not member.has_two_factor

        right = post(client, "/admin/account/two-factor/confirm", code=code_at(secret, SETTING_UP))

    assert right.status_code == 200
    session.refresh(member)
    assert member.has_two_factor and member.totp_enabled_at == SETTING_UP
    codes = re.findall(r"<li><code>([a-z2-7-]+)</code></li>", text_of(right))
    assert len(codes) == len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-7]{4}(-[a-z2-7]{4}){3}", code) for code in codes)
    assert audit_actions(session, member) == ["create", "enable_two_factor"]


def test_the_qr_code_is_inline_svg_the_csp_allows_and_carries_the_otpauth_address(client, session):
    member = signed_in_member(client, session, Role.VIEWER, SETTING_UP)
    with frozen_at(SETTING_UP):
        post(client, "/admin/account/two-factor/start")
        response = client.get("/admin/account/two-factor")
    page = text_of(response)

    svg_text = re.search(r"<svg\b.*?</svg>", page, re.S).group(0)
    svg = ET.fromstring(svg_text)
    elements = list(svg.iter())
    attributes = {name for element in elements for name in element.attrib}
    assert "style" not in attributes
    assert not any(name.startswith("on") for name in attributes)
    assert not attributes & {"href", "{http://www.w3.org/1999/xlink}href", "src"}
    assert {element.tag for element in elements} <= {"svg", "title", "path"}
    assert svg.get("class") == "two-factor-qr"
    assert svg.find("title").text == "QR code for your authenticator app"
    csp = response.headers["Content-Security-Policy"]
    assert "style-src 'self'" in csp and "unsafe-inline" not in csp
    # The QR code encodes the same secret (decoding it is not needed: segno made it from this).
    session.refresh(member)
    from shop.services.two_factor import provisioning_uri

    uri = provisioning_uri(member)
    assert uri.startswith("otpauth://totp/")
    assert parse_qs(urlsplit(uri).query)["secret"] == [member.totp_secret]
    assert unquote(urlsplit(uri).path).endswith(member.email)


def test_the_code_that_switched_it_on_cannot_also_sign_in(app, session):
    member, _codes = with_two_factor(app, session)
    client = app.test_client()
    with frozen_at(SETTING_UP):
        sign_in(client, member.email)
        response = send_code(client, code_at(member.totp_secret, SETTING_UP))

    assert response.status_code == 401


# --- Signing in with a code ------------------------------------------------------------------


def test_with_two_factor_on_the_password_leads_to_the_code_and_opens_nothing_yet(app, session):
    member, _codes = with_two_factor(app, session)
    client = app.test_client()
    with frozen_at(SIGNING_IN):
        first = client.post(
            "/admin/login",
            data={
                "csrf_token": admin_csrf(client),
                "email": member.email,
                "password": PASSWORD,
                "next": "/admin/orders",
            },
        )
        half_signed_in = [
            client.get(path) for path in ("/admin/", "/admin/orders", "/admin/reauth")
        ]
        code_page = client.get("/admin/login/two-factor")

    assert first.headers["Location"] == "/admin/login/two-factor"
    for response in half_signed_in:
        assert response.status_code == 303
        assert urlsplit(response.headers["Location"]).path == "/admin/login"
    assert "Type the six-digit code" in text_of(code_page)

    with frozen_at(SIGNING_IN):
        second = send_code(client, code_at(member.totp_secret, SIGNING_IN))
    assert second.headers["Location"] == "/admin/orders"
    assert is_signed_in(client, SIGNING_IN)


def test_a_code_from_the_step_before_or_after_is_accepted_but_not_two_steps_off(app, session):
    member, _codes = with_two_factor(app, session)
    secret = member.totp_secret

    def attempt(code_time: datetime) -> int:
        client = app.test_client()
        with frozen_at(SIGNING_IN):
            sign_in(client, member.email)
            return send_code(client, code_at(secret, code_time)).status_code

    # Each accepted code moves the account's last step on, so the order matters: oldest first.
    assert attempt(SIGNING_IN - timedelta(seconds=60)) == 401
    assert attempt(SIGNING_IN - timedelta(seconds=30)) == 303
    assert attempt(SIGNING_IN + timedelta(seconds=30)) == 303
    assert attempt(SIGNING_IN + timedelta(seconds=60)) == 401


def test_a_code_is_accepted_once_even_within_its_own_30_seconds(app, session):
    member, _codes = with_two_factor(app, session)
    code = code_at(member.totp_secret, SIGNING_IN)
    laptop, someone_watching = app.test_client(), app.test_client()

    with frozen_at(SIGNING_IN):
        sign_in(laptop, member.email)
        assert send_code(laptop, code).status_code == 303
    with frozen_at(SAME_STEP):
        sign_in(someone_watching, member.email)
        replayed = send_code(someone_watching, code)

    assert replayed.status_code == 401
    assert "used already" in text_of(replayed)
    assert not is_signed_in(someone_watching, SAME_STEP)
    session.refresh(member)
    assert member.totp_last_step == int(SIGNING_IN.timestamp()) // 30
    with frozen_at(NEXT_STEP):
        assert (
            send_code(someone_watching, code_at(member.totp_secret, NEXT_STEP)).status_code == 303
        )


def test_the_code_must_follow_the_password_within_5_minutes(app, session):
    member, _codes = with_two_factor(app, session)
    client = app.test_client()
    with frozen_at(SIGNING_IN):
        sign_in(client, member.email)
        token = admin_csrf(client)
    late = SIGNING_IN + timedelta(minutes=5, seconds=1)

    with frozen_at(late):
        response = client.post(
            "/admin/login/two-factor",
            data={"csrf_token": token, "code": code_at(member.totp_secret, late)},
        )
        login_page = client.get(response.headers["Location"])

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/login"
    assert "the code must follow the password within 5 minutes" in text_of(login_page)
    assert not is_signed_in(client, late)
    session.refresh(member)
    assert member.totp_last_step == int(SETTING_UP.timestamp()) // 30  # the code was not used


def test_wrong_codes_are_throttled_like_wrong_passwords(app, session):
    member, _codes = with_two_factor(app, session)
    client = app.test_client()
    with frozen_at(SIGNING_IN):
        sign_in(client, member.email)
        statuses = [send_code(client, WRONG).status_code for _ in range(5)]
        throttled = send_code(client, code_at(member.totp_secret, SIGNING_IN))

    assert statuses == [401] * 5
    assert throttled.status_code == 429
    assert "Too many attempts" in text_of(throttled)
    assert not is_signed_in(client, SIGNING_IN)


def test_wrong_passwords_and_wrong_codes_count_together_for_the_account(app, session):
    member, _codes = with_two_factor(app, session)
    client = app.test_client()
    with frozen_at(SIGNING_IN):
        passwords = [
            sign_in(client, member.email, "a wrong password").status_code for _ in range(3)
        ]
        sign_in(client, member.email)
        codes = [send_code(client, WRONG).status_code for _ in range(2)]
        throttled = send_code(client, code_at(member.totp_secret, SIGNING_IN))

    assert (passwords, codes) == ([401] * 3, [401] * 2)
    assert throttled.status_code == 429


def test_a_members_own_browser_gets_through_both_steps_of_an_account_a_stranger_locked(
    app, session
):
    """The code step counts per device too, not only the password step."""
    member, _codes = with_two_factor(app, session)
    own_browser, stranger = app.test_client(), app.test_client()
    with frozen_at(SIGNING_IN):
        sign_in(own_browser, member.email)
        assert send_code(own_browser, code_at(member.totp_secret, SIGNING_IN)).status_code == 303
        own_browser.post("/admin/logout", data={"csrf_token": admin_csrf(own_browser)})
    later = SIGNING_IN + timedelta(minutes=1)
    with frozen_at(later):
        failures = [sign_in(stranger, member.email, "a wrong guess").status_code for _ in range(5)]
        assert sign_in(stranger, member.email).status_code == 429

        password = sign_in(own_browser, member.email)
        code = send_code(own_browser, code_at(member.totp_secret, later))

    assert failures == [401] * 5
    assert (password.status_code, code.status_code) == (303, 303)
    assert is_signed_in(own_browser, later)


# --- Recovery codes --------------------------------------------------------------------------


def test_a_recovery_code_signs_in_once_in_any_case_and_spacing(app, session):
    member, codes = with_two_factor(app, session)
    typed = "  " + codes[3].upper().replace("-", " ") + " "
    first, second = app.test_client(), app.test_client()

    with frozen_at(SIGNING_IN):
        sign_in(first, member.email)
        used = send_code(first, typed)
        dashboard = first.get(used.headers["Location"])
        sign_in(second, member.email)
        again = send_code(second, codes[3])
        another = send_code(second, codes[4])

    assert used.status_code == 303
    assert "You signed in with a recovery code; 9 are left." in text_of(dashboard)
    assert again.status_code == 401
    assert another.status_code == 303
    rows = session.scalars(
        select(StaffRecoveryCode).where(StaffRecoveryCode.staff_id == member.id)
    ).all()
    assert sum(row.used_at is not None for row in rows) == 2
    assert audit_actions(session, member).count("use_recovery_code") == 2


def test_recovery_codes_are_stored_only_as_sha256_hashes(app, session):
    member, codes = with_two_factor(app, session)

    stored = set(
        session.scalars(
            select(StaffRecoveryCode.code_hash).where(StaffRecoveryCode.staff_id == member.id)
        )
    )

    assert stored == {hash_recovery_code(code) for code in codes}
    assert all(re.fullmatch(r"[0-9a-f]{64}", value) for value in stored)
    assert not stored & {code.replace("-", "") for code in codes}


def test_new_recovery_codes_replace_the_old_ones_and_need_a_fresh_sign_in(app, session):
    member, old_codes = with_two_factor(app, session)
    client = app.test_client()
    with frozen_at(SIGNING_IN):
        sign_in(client, member.email)
        send_code(client, code_at(member.totp_secret, SIGNING_IN))
    stale = SIGNING_IN + timedelta(minutes=11)
    with frozen_at(stale):
        refused = post(client, "/admin/account/two-factor/recovery-codes")
    assert urlsplit(refused.headers["Location"]).path == "/admin/reauth"

    with frozen_at(SIGNING_IN + timedelta(minutes=1)):
        fresh_client = app.test_client()
        sign_in(fresh_client, member.email)
        send_code(fresh_client, code_at(member.totp_secret, NEXT_STEP))
        response = post(fresh_client, "/admin/account/two-factor/recovery-codes")
        new_codes = re.findall(r"<li><code>([a-z2-7-]+)</code></li>", text_of(response))
        old_try, new_try = app.test_client(), app.test_client()
        sign_in(old_try, member.email)
        sign_in(new_try, member.email)
        assert send_code(old_try, old_codes[0]).status_code == 401
        assert send_code(new_try, new_codes[0]).status_code == 303
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)


def test_reauth_with_two_factor_on_needs_the_code_too(app, session):
    member, _codes = with_two_factor(app, session)
    client = app.test_client()
    with frozen_at(SIGNING_IN):
        sign_in(client, member.email)
        send_code(client, code_at(member.totp_secret, SIGNING_IN))
    later = SIGNING_IN + timedelta(minutes=15)
    with frozen_at(later):
        page = client.get("/admin/reauth?next=/admin/orders")
        without_code = post(client, "/admin/reauth", password=PASSWORD, code=WRONG)
        with_code = post(
            client, "/admin/reauth", password=PASSWORD, code=code_at(member.totp_secret, later)
        )

    assert "Code from your authenticator app" in text_of(page)
    assert without_code.status_code == 401
    assert with_code.status_code == 303


# --- Required for owners and managers --------------------------------------------------------


class TestRequiredForOwnersAndManagers:
    @pytest.fixture
    def app_settings(self, app_settings):  # type: ignore[no-untyped-def]
        app_settings["SHOP_STAFF_2FA_REQUIRED"] = "true"
        return app_settings

    @pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER])
    def test_without_it_they_are_sent_to_set_it_up_and_can_open_nothing_else(
        self, app, client, session, role
    ):
        member = make_staff(session, role)
        with frozen_at(SETTING_UP):
            response = sign_in(client, member.email)
            elsewhere = [client.get(path) for path in ("/admin/", "/admin/orders", "/admin/staff")]
            setup_page = client.get("/admin/account/two-factor")

        assert response.headers["Location"] == "/admin/account/two-factor"
        assert {r.headers["Location"] for r in elsewhere} == {"/admin/account/two-factor"}
        assert "The shop requires it for your role" in text_of(setup_page)

        enrol(client, session, member, at=SETTING_UP)
        assert is_signed_in(client, SETTING_UP + timedelta(minutes=1))

    def test_viewers_are_not_forced(self, client, session):
        member = make_staff(session, Role.VIEWER)
        with frozen_at(SETTING_UP):
            response = sign_in(client, member.email)

        assert response.headers["Location"] == "/admin/"
        assert is_signed_in(client, SETTING_UP)

    def test_a_manager_cannot_switch_it_off(self, app, session):
        member, _codes = with_two_factor(app, session, Role.MANAGER)
        client = app.test_client()
        with frozen_at(SIGNING_IN):
            sign_in(client, member.email)
            send_code(client, code_at(member.totp_secret, SIGNING_IN))
            page = client.get("/admin/account/two-factor")
            response = post(client, "/admin/account/two-factor/disable")

        assert "Switch two-factor sign-in off" not in text_of(page)
        assert response.status_code == 422
        assert "it stays on" in text_of(response)
        session.refresh(member)
        assert member.has_two_factor

    def test_a_viewer_may_switch_it_off(self, app, session):
        member, _codes = with_two_factor(app, session, Role.VIEWER)
        client = app.test_client()
        with frozen_at(SIGNING_IN):
            sign_in(client, member.email)
            send_code(client, code_at(member.totp_secret, SIGNING_IN))
            response = post(client, "/admin/account/two-factor/disable")

        assert response.status_code == 303
        session.refresh(member)
        assert not member.has_two_factor


def test_when_not_required_a_manager_without_it_signs_in_with_the_password_alone(client, session):
    member = make_staff(session, Role.MANAGER)
    with frozen_at(SETTING_UP):
        response = sign_in(client, member.email)

    assert response.headers["Location"] == "/admin/"
    assert is_signed_in(client, SETTING_UP)


def test_the_setting_defaults_to_required_in_production_only(tmp_path):
    from shop.config import build_flask_config

    production = {
        "SHOP_ENV": "production",
        "SHOP_BASE_URL": "https://shop.example.nl",
        "SHOP_SECRET_KEY": "k" * 40,
        "SHOP_ALLOW_TEST_PAYMENTS": "true",
        **SELLER,
    }

    assert build_flask_config(production, tmp_path)["SHOP_STAFF_2FA_REQUIRED"] is True
    assert build_flask_config({}, tmp_path)["SHOP_STAFF_2FA_REQUIRED"] is False
    assert build_flask_config({"SHOP_ENV": "testing"}, tmp_path)["SHOP_STAFF_2FA_REQUIRED"] is False
    assert (
        build_flask_config({**production, "SHOP_STAFF_2FA_REQUIRED": "false"}, tmp_path)[
            "SHOP_STAFF_2FA_REQUIRED"
        ]
        is False
    )


# --- Switching it off and resets -------------------------------------------------------------


def test_switching_ones_own_off_needs_a_fresh_sign_in(app, session):
    member, _codes = with_two_factor(app, session, Role.MANAGER)
    client = app.test_client()
    with frozen_at(SIGNING_IN):
        sign_in(client, member.email)
        send_code(client, code_at(member.totp_secret, SIGNING_IN))
    later = SIGNING_IN + timedelta(minutes=10, seconds=1)

    with frozen_at(later):
        refused = post(client, "/admin/account/two-factor/disable")
    session.refresh(member)
    assert refused.headers["Location"] == "/admin/reauth?next=/admin/account/two-factor"
    assert member.has_two_factor

    with frozen_at(later):
        post(client, "/admin/reauth", password=PASSWORD, code=code_at(member.totp_secret, later))
        done = post(client, "/admin/account/two-factor/disable")
    session.refresh(member)
    assert done.status_code == 303
    assert not member.has_two_factor and member.totp_secret is None
    assert (
        session.scalars(
            select(StaffRecoveryCode).where(StaffRecoveryCode.staff_id == member.id)
        ).all()
        == []
    )
    assert audit_actions(session, member)[-1] == "disable_two_factor"


def test_an_owner_resets_a_colleagues_two_factor_and_their_sessions_end(app, session):
    colleague, _codes = with_two_factor(app, session, Role.MANAGER)
    theirs = app.test_client()
    with frozen_at(SIGNING_IN):
        sign_in(theirs, colleague.email)
        send_code(theirs, code_at(colleague.totp_secret, SIGNING_IN))
    owner_client = app.test_client()
    owner = signed_in_member(owner_client, session, Role.OWNER, SIGNING_IN)

    with frozen_at(SIGNING_IN + timedelta(minutes=1)):
        page = owner_client.get(f"/admin/staff/{colleague.id}")
        response = post(owner_client, f"/admin/staff/{colleague.id}/two-factor/reset")
        after = owner_client.get(response.headers["Location"])

    assert "Reset two-factor sign-in" in text_of(page)
    assert response.headers["Location"] == f"/admin/staff/{colleague.id}"
    assert "is reset and its sessions have ended" in text_of(after)
    session.refresh(colleague)
    assert not colleague.has_two_factor
    assert not is_signed_in(theirs, SIGNING_IN + timedelta(minutes=1))
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "reset_two_factor")).one()
    assert (entry.staff_id, entry.object_id) == (owner.id, str(colleague.id))
    assert json.loads(entry.changes) == {"two_factor": ["on", "off"]}
    # Their next sign-in takes the password alone (where the shop does not require it).
    with frozen_at(SIGNING_IN + timedelta(minutes=2)):
        assert sign_in(app.test_client(), colleague.email).headers["Location"] == "/admin/"


def test_the_command_line_reset_for_an_owners_lost_phone(app, session):
    owner, _codes = with_two_factor(app, session, Role.OWNER)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["staff", "reset-2fa", owner.email.upper()])

    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        f"Two-factor sign-in of {owner.email} switched off; 10 recovery code(s) removed; "
        "its sessions have ended."
    )
    session.refresh(owner)
    assert not owner.has_two_factor and owner.session_version == 2
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "reset_two_factor")).one()
    assert (entry.staff_id, entry.staff_email) == (None, "(command line)")


def test_the_command_line_reset_of_an_unknown_address_fails_with_status_1(app, session):
    result = app.test_cli_runner().invoke(args=["staff", "reset-2fa", "nobody@example.nl"])

    assert result.exit_code == 1
    assert "no staff account 'nobody@example.nl'" in result.output
    assert session.scalars(select(AuditEntry)).all() == []
