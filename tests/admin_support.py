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
    page = client.get("/admin/")
    if page.status_code != 200:
        page = client.get("/admin/login")
    return csrf_token(page.get_data(as_text=True))
