"""`flask --app shop staff create|set-password`: accounts made from the command line, with the
password from a prompt or standard input; a password the shop refuses writes nothing and
exits with status 2."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from shop.models import AuditEntry, Role, StaffMember
from tests.admin_support import PASSWORD, make_staff, sign_in

GOOD = "a long walk through the dunes"


def flask(app: Any, session: Any, *args: str, input: str | None = None) -> Any:
    """Run `flask --app shop …` in this process; the test's session then sees what it wrote."""
    result = app.test_cli_runner().invoke(args=list(args), input=input)
    session.rollback()
    return result


def staff_count(session: Any) -> int:
    return session.scalar(select(func.count()).select_from(StaffMember))


def audit_count(session: Any) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry))


def account(session: Any, email: str) -> StaffMember | None:
    return session.scalars(select(StaffMember).filter_by(email=email)).first()


# --- staff create ---------------------------------------------------------------------------


def test_create_reads_the_password_from_standard_input(app, session):
    result = flask(
        app,
        session,
        "staff", "create", "Eva@Paddo.example", "--role", "owner", "--name", "Eva de Wit",
        "--password-stdin",
        input=GOOD + "\n",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert result.output == "Created owner account eva@paddo.example.\n"
    member = account(session, "eva@paddo.example")
    assert member is not None
    assert (member.role, member.name, member.is_active) == (Role.OWNER, "Eva de Wit", True)
    assert member.password_hash.startswith("$argon2id$")
    assert sign_in(app.test_client(), "eva@paddo.example", GOOD).status_code == 303


def test_create_asks_for_the_password_twice_without_showing_it(app, session):
    result = flask(
        app, session, "staff", "create", "eva@paddo.example", "--role", "viewer",
        input=f"{GOOD}\n{GOOD}\n",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "Password:" in result.output and "Repeat for confirmation:" in result.output
    assert GOOD not in result.output
    assert account(session, "eva@paddo.example").role == Role.VIEWER


def test_create_stops_when_the_two_typed_passwords_differ(app, session):
    result = flask(
        app, session, "staff", "create", "eva@paddo.example", "--role", "viewer",
        input=f"{GOOD}\n{GOOD}!\n",
    )  # fmt: skip

    assert result.exit_code != 0
    assert "do not match" in result.output
    assert staff_count(session) == 0


@pytest.mark.parametrize("role", ["owner", "manager", "viewer"])
def test_every_role_can_be_given(app, session, role):
    result = flask(
        app, session, "staff", "create", f"{role}@paddo.example", "--role", role,
        "--password-stdin", input=GOOD,
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert account(session, f"{role}@paddo.example").role == Role(role)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("elevenchars", "A password needs at least 12 characters."),
        ("x" * 129, "A password may have at most 128 characters."),
        ("Password1234", "That password is too common"),
        ("QWERTY123456", "That password is too common"),
    ],
)
@pytest.mark.parametrize("how", ["stdin", "prompt"])
def test_a_password_the_shop_refuses_creates_nothing_and_exits_with_2(
    app, session, password, message, how
):
    args = ["staff", "create", "eva@paddo.example", "--role", "manager"]
    if how == "stdin":
        result = flask(app, session, *args, "--password-stdin", input=password + "\n")
    else:
        result = flask(app, session, *args, input=f"{password}\n{password}\n")

    assert result.exit_code == 2
    assert f"Error: {message}" in result.stderr
    assert staff_count(session) == 0
    assert audit_count(session) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["not-an-address", "--role", "viewer"], "An e-mail address is required."),
        (["eva@paddo.example", "--role", "admin"], "'admin' is not one of"),
        (["eva@paddo.example"], "Missing option '--role'"),
    ],
)
def test_an_account_the_shop_refuses_is_not_created(app, session, args, message):
    result = flask(app, session, "staff", "create", *args, "--password-stdin", input=GOOD)

    assert result.exit_code == 2
    assert message in result.stderr
    assert staff_count(session) == 0


def test_an_address_that_has_an_account_is_refused(app, session):
    make_staff(session, Role.VIEWER, email="eva@paddo.example")

    result = flask(
        app, session, "staff", "create", "EVA@paddo.example", "--role", "owner",
        "--password-stdin", input=GOOD,
    )  # fmt: skip

    assert result.exit_code == 2
    assert "exists already" in result.stderr
    assert account(session, "eva@paddo.example").role == Role.VIEWER


def test_an_account_made_on_the_command_line_is_in_the_audit_log(app, session):
    flask(
        app, session, "staff", "create", "eva@paddo.example", "--role", "owner",
        "--password-stdin", input=GOOD,
    )  # fmt: skip

    entry = session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.staff_id, entry.staff_email) == ("create", None, "(command line)")
    assert GOOD not in entry.changes


# --- staff set-password ---------------------------------------------------------------------


def test_set_password_changes_it_and_ends_every_session(app, session):
    member = make_staff(session, Role.MANAGER)
    client = app.test_client()
    sign_in(client, member.email)

    result = flask(
        app, session, "staff", "set-password", member.email.upper(), "--password-stdin",
        input=GOOD + "\n",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert result.output == f"Password of {member.email} changed; its sessions have ended.\n"
    assert client.get("/admin/").status_code == 303
    assert sign_in(app.test_client(), member.email, PASSWORD).status_code == 401
    assert sign_in(app.test_client(), member.email, GOOD).status_code == 303
    entry = session.scalars(select(AuditEntry).filter_by(action="change_password")).one()
    assert (entry.staff_email, entry.object_id) == ("(command line)", str(member.id))


def test_set_password_asks_twice_at_the_prompt(app, session):
    member = make_staff(session, Role.VIEWER)

    result = flask(app, session, "staff", "set-password", member.email, input=f"{GOOD}\n{GOOD}\n")

    assert result.exit_code == 0, result.output
    assert GOOD not in result.output
    assert sign_in(app.test_client(), member.email, GOOD).status_code == 303


@pytest.mark.parametrize("password", ["too short", "password2025"])
def test_set_password_refuses_a_weak_one_and_keeps_the_old(app, session, password):
    member = make_staff(session, Role.VIEWER)
    client = app.test_client()
    sign_in(client, member.email)

    result = flask(
        app, session, "staff", "set-password", member.email, "--password-stdin", input=password
    )

    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ")
    assert client.get("/admin/").status_code == 200  # nothing happened: still signed in
    assert sign_in(app.test_client(), member.email, PASSWORD).status_code == 303
    assert session.scalars(select(AuditEntry).filter_by(action="change_password")).all() == []


def test_set_password_for_an_unknown_address_says_so(app, session):
    result = flask(
        app, session, "staff", "set-password", "nobody@paddo.example", "--password-stdin",
        input=GOOD,
    )  # fmt: skip

    assert result.exit_code == 2
    assert "no staff account 'nobody@paddo.example'" in result.stderr
