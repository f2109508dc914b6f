"""Staff accounts in the back office: the owner lists, adds, changes and switches off accounts
and sets passwords; every staff member changes their own password. Each change is in the
audit log, written with the change."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, update

from shop.extensions import db
from shop.models import AuditEntry, Role, StaffMember
from shop.services.staff import StaffError, set_role
from shop.web.wording import in_english
from tests.admin_support import PASSWORD, admin_csrf, make_staff, sign_in, signed_in
from tests.helpers import csrf_token
from tests.pages import Page

NEW_PASSWORD = "seven quiet herons at dawn"
NOW = datetime(2026, 2, 1, 9, 30, tzinfo=UTC)


def page_problems(html: str) -> list[str]:
    """What keeps a page from being usable without a mouse, JavaScript or inline styles."""
    page = Page(html)
    labelled = set(page.attributes("label[for]", "for"))
    controls = page.select('input:not([type="hidden"]), select, textarea')
    problems = [
        f"unlabelled {control.get('name')}"
        for control in controls
        if control.get("id") not in labelled
    ]
    if page.select("[style], style"):
        problems.append("inline style")
    if page.select("script"):
        problems.append("script")
    if any(
        not form.select('input[name="csrf_token"]')
        for form in page.select("form")
        if str(form.get("method", "")).lower() == "post"
    ):
        problems.append("POST form without a CSRF token")
    return problems


def audit_entries(session: Any, **where: Any) -> list[AuditEntry]:
    query = select(AuditEntry).filter_by(**where).order_by(AuditEntry.id)
    return list(session.scalars(query))


def changes_of(entry: AuditEntry) -> dict[str, list[Any]]:
    return json.loads(entry.changes)


def count_staff(session: Any) -> int:
    return session.scalar(select(func.count()).select_from(StaffMember))


def is_signed_in(client: Any) -> bool:
    return client.get("/admin/").status_code == 200


def post(client: Any, path: str, **form: str) -> Any:
    return client.post(path, data={"csrf_token": admin_csrf(client), **form})


def new_account(client: Any, **overrides: str) -> Any:
    form = {
        "email": "noor@paddo.example",
        "name": "Noor Bakker",
        "role": "manager",
        "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD,
    }
    form.update(overrides)
    return post(client, "/admin/staff", **form)


@pytest.fixture
def owner(client, session) -> StaffMember:  # type: ignore[no-untyped-def]
    return signed_in(client, session, Role.OWNER)


# --- The list -------------------------------------------------------------------------------


def test_the_owner_sees_every_account_with_its_role_state_and_last_sign_in(client, session, owner):
    make_staff(session, Role.VIEWER, email="never.signed.in@example.nl")
    off = make_staff(session, Role.MANAGER, email="switched.off@example.nl")
    set_role(session, off.id, Role.MANAGER, active=False, now=off.created_at, actor=owner)

    page = client.get("/admin/staff").get_data(as_text=True)

    assert owner.email in page
    assert "never.signed.in@example.nl" in page and "never" in page
    assert "switched.off@example.nl" in page and "switched off" in page
    assert page.count("<tr") == 1 + 3  # the header and three accounts


def test_the_staff_pages_are_labelled_and_free_of_scripts_and_inline_styles(client, session, owner):
    member = make_staff(session, Role.VIEWER)

    for path in ["/admin/staff", f"/admin/staff/{member.id}", "/admin/account/password"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert page_problems(response.get_data(as_text=True)) == [], path


def test_the_password_rules_are_shown_where_a_password_is_chosen(client, session, owner):
    member = make_staff(session, Role.VIEWER)

    for path in ["/admin/staff", f"/admin/staff/{member.id}", "/admin/account/password"]:
        page = client.get(path).get_data(as_text=True)
        assert "12 to 128 characters" in page, path
        assert "no mix of digits or symbols is required" in page, path
        assert "Common passwords are refused" in page, path


def test_the_owner_has_links_to_staff_and_the_audit_log_and_others_do_not(app, session, owner):
    owners_page = app.test_client()
    sign_in(owners_page, owner.email)
    manager = app.test_client()
    signed_in(manager, session, Role.MANAGER)

    owner_nav = owners_page.get("/admin/").get_data(as_text=True)
    manager_nav = manager.get("/admin/").get_data(as_text=True)

    assert 'href="/admin/staff"' in owner_nav and 'href="/admin/audit"' in owner_nav
    assert 'href="/admin/staff"' not in manager_nav and 'href="/admin/audit"' not in manager_nav
    assert 'href="/admin/account/password"' in manager_nav


@pytest.mark.parametrize("role", [Role.MANAGER, Role.VIEWER])
def test_only_the_owner_may_use_the_staff_pages(app, session, role):
    client = app.test_client()
    member = signed_in(client, session, role)

    assert client.get("/admin/staff").status_code == 403
    assert new_account(client).status_code == 403
    promote = post(client, f"/admin/staff/{member.id}/access", role="owner", active="yes")
    assert promote.status_code == 403
    assert session.get(StaffMember, member.id).role == role


# --- Adding an account ----------------------------------------------------------------------


def test_the_owner_adds_an_account_that_can_then_sign_in(app, client, session, owner):
    response = new_account(client, email="Noor@Paddo.example")

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/staff"
    listing = client.get("/admin/staff").get_data(as_text=True)
    assert "Account noor@paddo.example created (manager)." in listing
    member = session.scalars(select(StaffMember).filter_by(email="noor@paddo.example")).one()
    assert (member.name, member.role, member.is_active) == ("Noor Bakker", Role.MANAGER, True)
    assert member.password_hash.startswith("$argon2id$")
    assert sign_in(app.test_client(), "noor@paddo.example", NEW_PASSWORD).status_code == 303


def test_adding_an_account_is_in_the_audit_log_with_the_owner_as_author(client, session, owner):
    new_account(client)

    member = session.scalars(select(StaffMember).filter_by(email="noor@paddo.example")).one()
    [entry] = audit_entries(session, object_type="StaffMember", object_id=str(member.id))
    assert (entry.action, entry.staff_id, entry.staff_email) == ("create", owner.id, owner.email)
    assert changes_of(entry) == {"email": [None, "noor@paddo.example"], "role": [None, "manager"]}
    assert NEW_PASSWORD not in entry.changes


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password": "eleven char", "password_again": "eleven char"}, "at least 12 characters"),
        ({"password": "x" * 129, "password_again": "x" * 129}, "at most 128 characters"),
        ({"password": "Password1234", "password_again": "Password1234"}, "too common"),
        ({"password_again": NEW_PASSWORD + "!"}, "The two passwords are not the same."),
        ({"email": "not-an-address"}, "valid e-mail address"),
        ({"email": ""}, "enter the staff member"),
        ({"role": "admin"}, "Please choose a role."),
        ({"name": "N" * 201}, "at most 200 characters"),
    ],
)
def test_an_account_the_shop_refuses_is_not_added_and_the_form_says_why(
    client, session, owner, overrides, message
):
    staff_before, audit_before = count_staff(session), len(audit_entries(session))

    response = new_account(client, **overrides)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'role="alert"' in page
    assert count_staff(session) == staff_before
    assert len(audit_entries(session)) == audit_before


def test_a_refused_form_keeps_what_was_typed_except_the_passwords(client, session, owner):
    response = new_account(client, password_again="something else entirely")

    page = response.get_data(as_text=True)
    assert 'value="noor@paddo.example"' in page
    assert 'value="Noor Bakker"' in page
    assert NEW_PASSWORD not in page
    assert 'aria-invalid="true"' in page


def test_an_address_that_has_an_account_already_is_refused(client, session, owner):
    make_staff(session, Role.VIEWER, email="noor@paddo.example")

    response = new_account(client, email="NOOR@paddo.example")

    assert response.status_code == 422
    assert "exists already" in response.get_data(as_text=True)
    assert count_staff(session) == 2


def test_what_staff_type_is_shown_as_text_never_as_markup(client, session, owner):
    new_account(client, name='<img src=x onerror="alert(1)">')

    page = client.get("/admin/staff").get_data(as_text=True)

    assert "<img src=x" not in page
    assert "&lt;img src=x" in page


# --- Role and access ------------------------------------------------------------------------


def test_a_new_role_takes_effect_at_once_and_is_in_the_audit_log(app, client, session, owner):
    member = make_staff(session, Role.MANAGER)
    theirs = app.test_client()
    sign_in(theirs, member.email)

    response = post(client, f"/admin/staff/{member.id}/access", role="viewer", active="yes")

    assert response.status_code == 303
    session.refresh(member)
    assert (member.role, member.is_active) == (Role.VIEWER, True)
    assert not is_signed_in(theirs)  # their session ended: they sign in again as a viewer
    entry = audit_entries(session, action="update", object_id=str(member.id))[-1]
    assert entry.staff_email == owner.email
    assert changes_of(entry) == {"role": ["manager", "viewer"]}


def test_switching_an_account_off_ends_its_sessions_and_keeps_it_out(app, client, session, owner):
    member = make_staff(session, Role.MANAGER)
    theirs = app.test_client()
    sign_in(theirs, member.email)

    post(client, f"/admin/staff/{member.id}/access", role="manager", active="no")

    assert not is_signed_in(theirs)
    assert sign_in(theirs, member.email).status_code == 401
    entry = audit_entries(session, action="update", object_id=str(member.id))[-1]
    assert changes_of(entry) == {"is_active": [True, False]}
    assert "switched off" in client.get("/admin/staff").get_data(as_text=True)


def test_a_switched_off_account_can_be_switched_on_again(app, client, session, owner):
    member = make_staff(session, Role.VIEWER)
    post(client, f"/admin/staff/{member.id}/access", role="viewer", active="no")

    post(client, f"/admin/staff/{member.id}/access", role="viewer", active="yes")

    assert sign_in(app.test_client(), member.email).status_code == 303


@pytest.mark.parametrize(("role", "active"), [("manager", "yes"), ("owner", "no")])
def test_the_last_active_owner_cannot_be_demoted_or_switched_off(
    client, session, owner, role, active
):
    audit_before = len(audit_entries(session))

    response = post(client, f"/admin/staff/{owner.id}/access", role=role, active=active)

    assert response.status_code == 422
    assert "This is the last active owner" in response.get_data(as_text=True)
    assert "cannot be demoted or switched off" in response.get_data(as_text=True)
    session.refresh(owner)
    assert (owner.role, owner.is_active) == (Role.OWNER, True)
    assert len(audit_entries(session)) == audit_before
    assert is_signed_in(client)


def test_a_switched_off_owner_does_not_count_as_the_other_owner(client, session, owner):
    other = make_staff(session, Role.OWNER)
    post(client, f"/admin/staff/{other.id}/access", role="owner", active="no")

    response = post(client, f"/admin/staff/{owner.id}/access", role="manager", active="yes")

    assert response.status_code == 422
    assert "last active owner" in response.get_data(as_text=True)


def test_an_owner_may_step_down_when_another_owner_remains(client, session, owner):
    make_staff(session, Role.OWNER)

    response = post(client, f"/admin/staff/{owner.id}/access", role="manager", active="yes")

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/"
    assert is_signed_in(client)  # still signed in, now as a manager
    assert client.get("/admin/staff").status_code == 403


def test_an_owner_who_switches_their_own_account_off_is_signed_out(client, session, owner):
    make_staff(session, Role.OWNER)

    response = post(client, f"/admin/staff/{owner.id}/access", role="owner", active="no")

    assert response.headers["Location"] == "/admin/login"
    assert not is_signed_in(client)


def test_saving_without_a_change_changes_nothing(app, client, session, owner):
    member = make_staff(session, Role.VIEWER)
    theirs = app.test_client()
    sign_in(theirs, member.email)
    audit_before = len(audit_entries(session))

    response = post(client, f"/admin/staff/{member.id}/access", role="viewer", active="yes")

    assert response.status_code == 303
    assert "Nothing changed." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert len(audit_entries(session)) == audit_before
    assert is_signed_in(theirs)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"role": "superuser", "active": "yes"}, "Please choose a role."),
        ({"role": "viewer"}, "Please say whether the account may sign in."),
    ],
)
def test_a_role_form_that_makes_no_sense_is_refused(client, session, owner, form, message):
    member = make_staff(session, Role.MANAGER)

    response = post(client, f"/admin/staff/{member.id}/access", **form)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    session.refresh(member)
    assert (member.role, member.is_active) == (Role.MANAGER, True)


def test_an_account_that_does_not_exist_is_not_found(client, session, owner):
    assert client.get("/admin/staff/999999").status_code == 404
    assert (
        post(client, "/admin/staff/999999/access", role="viewer", active="yes").status_code == 404
    )
    assert (
        post(
            client,
            "/admin/staff/999999/password",
            password=NEW_PASSWORD,
            password_again=NEW_PASSWORD,
        ).status_code
        == 404
    )


@pytest.fixture
def threaded_settings(app_settings):  # type: ignore[no-untyped-def]
    app_settings["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": 5, "pool_pre_ping": True}
    return app_settings


def demote_at_once(app: Any, pairs: list[tuple[int, int]]) -> list[str]:
    """Each (actor, account) pair demotes at the same instant, each in its own app context."""
    barrier = threading.Barrier(len(pairs))
    outcomes: list[str] = [""] * len(pairs)

    def demote(index: int, actor_id: int, target_id: int) -> None:
        with app.app_context():
            actor = db.session.get(StaffMember, actor_id)
            try:
                barrier.wait(timeout=30)
                set_role(db.session, target_id, Role.MANAGER, active=True, now=NOW, actor=actor)
                outcomes[index] = "demoted"
            except StaffError as refused:
                outcomes[index] = in_english(refused)
            except Exception as error:  # anything else fails the test
                outcomes[index] = f"unexpected {error!r}"

    threads = [
        threading.Thread(target=demote, args=(index, actor_id, target_id))
        for index, (actor_id, target_id) in enumerate(pairs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_owners_demoting_each_other_at_once_leave_one_owner(threaded_settings, app, session):
    """Each would read "two owners" before the other writes; only one of them may go through."""
    for _round in range(3):  # a few rounds, so that the two really meet
        first, second = make_staff(session, Role.OWNER), make_staff(session, Role.OWNER)
        session.rollback()

        outcomes = demote_at_once(app, [(first.id, second.id), (second.id, first.id)])

        session.rollback()
        assert outcomes.count("demoted") == 1, outcomes
        assert any("last active owner" in outcome for outcome in outcomes), outcomes
        active_owners = session.scalars(
            select(StaffMember).filter_by(role=Role.OWNER, is_active=True)
        ).all()
        assert len(active_owners) == 1
        # The next round starts with no active owner.
        session.execute(update(StaffMember).values(is_active=False))
        session.commit()


# --- A new password for someone else --------------------------------------------------------


def test_the_owner_sets_a_new_password_and_the_accounts_sessions_end(app, client, session, owner):
    member = make_staff(session, Role.MANAGER)
    theirs = app.test_client()
    sign_in(theirs, member.email)

    response = post(
        client,
        f"/admin/staff/{member.id}/password",
        password=NEW_PASSWORD,
        password_again=NEW_PASSWORD,
    )

    assert response.status_code == 303
    assert f"New password set for {member.email}" in client.get("/admin/staff").get_data(
        as_text=True
    )
    assert not is_signed_in(theirs)
    assert sign_in(app.test_client(), member.email, PASSWORD).status_code == 401
    assert sign_in(app.test_client(), member.email, NEW_PASSWORD).status_code == 303
    entry = audit_entries(session, action="change_password", object_id=str(member.id))[-1]
    assert entry.staff_email == owner.email
    assert NEW_PASSWORD not in entry.changes
    assert "$argon2" not in entry.changes


def test_a_refused_new_password_leaves_the_old_one(app, client, session, owner):
    member = make_staff(session, Role.MANAGER)

    response = post(
        client,
        f"/admin/staff/{member.id}/password",
        password="too short",
        password_again="too short",
    )

    assert response.status_code == 422
    assert "at least 12 characters" in response.get_data(as_text=True)
    assert sign_in(app.test_client(), member.email, PASSWORD).status_code == 303
    assert audit_entries(session, action="change_password") == []


def test_an_owner_setting_their_own_password_there_stays_signed_in(app, client, session, owner):
    other = app.test_client()
    sign_in(other, owner.email)

    post(
        client,
        f"/admin/staff/{owner.id}/password",
        password=NEW_PASSWORD,
        password_again=NEW_PASSWORD,
    )

    assert is_signed_in(client)
    assert not is_signed_in(other)


# --- One's own password ---------------------------------------------------------------------


def change_own(client: Any, current: str = PASSWORD, new: str = NEW_PASSWORD, again=None) -> Any:
    return post(
        client,
        "/admin/account/password",
        current_password=current,
        password=new,
        password_again=new if again is None else again,
    )


@pytest.mark.parametrize("role", list(Role))
def test_every_staff_member_changes_their_own_password(app, session, role):
    client = app.test_client()
    member = signed_in(client, session, role)

    response = change_own(client)

    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your password has been changed. Your other sessions have ended." in page
    assert sign_in(app.test_client(), member.email, PASSWORD).status_code == 401
    assert sign_in(app.test_client(), member.email, NEW_PASSWORD).status_code == 303
    entry = audit_entries(session, action="change_password")[-1]
    assert (entry.staff_id, entry.object_id) == (member.id, str(member.id))


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, session):
    laptop, phone = app.test_client(), app.test_client()
    member = signed_in(laptop, session, Role.VIEWER)
    sign_in(phone, member.email)

    change_own(laptop)

    assert is_signed_in(laptop)
    assert not is_signed_in(phone)
    with laptop.session_transaction() as stored:
        session.refresh(member)
        assert stored["_user_id"] == f"{member.id}:{member.session_version}"


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"current": "not my password at all"}, "current_password", "not your current password"),
        ({"new": "short one"}, "password", "at least 12 characters"),
        ({"new": "QwertyUIOP123"}, "password", "too common"),
        ({"again": "a different new phrase"}, "password_again", "not the same"),
    ],
)
def test_a_refused_change_of_ones_own_password_changes_nothing(app, session, form, field, message):
    client = app.test_client()
    member = signed_in(client, session, Role.MANAGER)

    response = change_own(client, **form)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert f'id="own-{field}-error"' in page
    assert is_signed_in(client)
    assert sign_in(app.test_client(), member.email, PASSWORD).status_code == 303
    assert audit_entries(session, action="change_password") == []


def test_guessing_the_current_password_is_throttled(app, session):
    client = app.test_client()
    signed_in(client, session, Role.VIEWER)

    statuses = [change_own(client, current=f"guess number {n}").status_code for n in range(6)]

    assert statuses == [422] * 5 + [429]


def test_the_current_password_is_needed_even_for_a_signed_in_session(app, session):
    client = app.test_client()
    member = signed_in(client, session, Role.VIEWER)
    page = client.get("/admin/account/password")

    response = client.post(
        "/admin/account/password",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
    )

    assert response.status_code == 422
    assert sign_in(app.test_client(), member.email, PASSWORD).status_code == 303
