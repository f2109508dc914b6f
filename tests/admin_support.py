"""Helpers for back-office tests: staff accounts made through the service, and a sign-in
through the login form, as a staff member would."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count
from typing import Any

from sqlalchemy.orm import Session

from shop.models import Role, StaffMember
from shop.services.staff import create_staff
from tests.helpers import csrf_token

PASSWORD = "mushroom ledger of tuesday"
_serial = count(1)


def make_staff(
    session: Session, role: Role | str = Role.MANAGER, *, email: str | None = None
) -> StaffMember:
    address = email or f"staff{next(_serial)}@example.nl"
    return create_staff(
        session, address, PASSWORD, role, now=datetime(2026, 1, 1, tzinfo=UTC), name="Test"
    )


def sign_in(client: Any, email: str, password: str = PASSWORD) -> Any:
    page = client.get("/admin/login")
    response = client.post(
        "/admin/login",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "email": email,
            "password": password,
        },
    )
    return response


def signed_in(client: Any, session: Session, role: Role | str) -> StaffMember:
    member = make_staff(session, role)
    response = sign_in(client, member.email)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return member


def admin_csrf(client: Any) -> str:
    """A CSRF token for the client's session, from an admin page with a form."""
    for path in ("/admin/", "/admin/account/two-factor", "/admin/login"):
        # The two-factor page: a member who must set it up first can open only that one.
        page = client.get(path)
        if page.status_code == 200:
            break
    return csrf_token(page.get_data(as_text=True))


# --- Two-factor sign-in ----------------------------------------------------------------------


def code_at(secret: str, instant: datetime) -> str:
    """The six digits an authenticator app shows for `secret` at `instant`."""
    import pyotp

    return pyotp.TOTP(secret).at(instant)


def send_code(client: Any, code: str) -> Any:
    """The second step of signing in: the code from the app, or a recovery code."""
    page = client.get("/admin/login/two-factor")
    return client.post(
        "/admin/login/two-factor",
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), "code": code},
    )


def enrol(client: Any, session: Session, member: StaffMember, *, at: datetime) -> list[str]:
    """Switch two-factor sign-in on through the pages, as the signed-in `member` would, at
    `at`; the recovery codes shown."""
    import re

    from shop.clock import frozen_at

    with frozen_at(at):
        client.post("/admin/account/two-factor/start", data={"csrf_token": admin_csrf(client)})
        session.refresh(member)
        assert member.totp_secret
        response = client.post(
            "/admin/account/two-factor/confirm",
            data={
                "csrf_token": admin_csrf(client),
                "code": code_at(member.totp_secret, at),
            },
        )
    assert response.status_code == 200, response.get_data(as_text=True)[:1000]
    return re.findall(r"<li><code>([a-z2-7-]+)</code></li>", response.get_data(as_text=True))
