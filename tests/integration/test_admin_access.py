"""Every back-office URL is closed to those who may not use it.

The tests walk `app.url_map`: a route added later without an access declaration, or open to
a role it should not be, makes them fail, naming the endpoint.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.routing import Rule

from shop.models import Role
from shop.web.admin import ALLOWED_ROLES, Access, access_of
from tests.admin_support import admin_csrf, sign_in, signed_in

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def admin_rules(app) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")]


def url_for_rule(rule: Rule) -> str:
    """The rule's path with a harmless value for each argument."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", "1", rule.rule)


def requests_of(app):
    for rule in admin_rules(app):
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_the_back_office_has_routes(app):
    assert len(admin_rules(app)) >= 3


def test_every_admin_endpoint_declares_who_may_use_it(app):
    undeclared = [r.endpoint for r in admin_rules(app) if access_of(r.endpoint) is None]

    assert undeclared == []


def test_anonymous_visitors_are_sent_to_the_login_page_from_every_admin_url(app, client):
    token = admin_csrf(client)
    for rule, method in requests_of(app):
        if access_of(rule.endpoint) == Access.PUBLIC:
            continue
        response = client.open(url_for_rule(rule), method=method, data={"csrf_token": token})
        assert response.status_code == 303, (rule.endpoint, method, response.status_code)
        assert response.headers["Location"].startswith("/admin/login"), rule.endpoint


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MANAGER])
def test_a_role_without_the_right_gets_403_on_every_admin_url_above_it(app, client, session, role):
    signed_in(client, session, role)
    token = admin_csrf(client)
    checked = 0
    for rule, method in requests_of(app):
        access = access_of(rule.endpoint)
        if access in (Access.PUBLIC, None) or role in ALLOWED_ROLES[access]:
            continue
        response = client.open(url_for_rule(rule), method=method, data={"csrf_token": token})
        assert response.status_code == 403, (rule.endpoint, method, response.status_code)
        checked += 1
    assert checked > 0


GET_ONLY_PAGE = "/admin/orders"


def admin_requests_a_visitor_might_try() -> list[tuple[str, str]]:
    return [
        ("GET", GET_ONLY_PAGE),
        ("GET", "/admin/no-such-page"),
        ("POST", "/admin/no-such-page"),
        ("POST", GET_ONLY_PAGE),
        ("DELETE", "/admin/promotions/1"),
        ("GET", "/admin/orders/999999999999999999999999"),
        ("OPTIONS", "/admin/staff"),
        ("OPTIONS", "/admin/no-such-page"),
    ]


def sign_in_location(response) -> tuple[int, str, list[str]]:
    """The status, and where a redirect leads and with which `next`."""
    location = urlsplit(response.headers.get("Location", ""))
    return response.status_code, location.path, parse_qs(location.query).get("next", [])


@pytest.mark.parametrize("visitor", ["anonymous", "past the age gate"])
def test_a_visitor_cannot_tell_which_admin_urls_exist(request, client, visitor):
    browser = client if visitor == "anonymous" else request.getfixturevalue("verified_client")

    for method, path in admin_requests_a_visitor_might_try():
        response = browser.open(path, method=method)

        assert sign_in_location(response) == (303, "/admin/login", [path]), (method, path)


def test_a_visitor_still_reaches_the_sign_in_page_and_the_styles(client):
    assert client.get("/admin/login").status_code == 200
    assert client.get("/static/css/admin.css").status_code == 200


def test_signed_in_staff_get_the_honest_not_found_and_wrong_method(client, session):
    signed_in(client, session, Role.VIEWER)
    token = admin_csrf(client)

    assert client.get("/admin/no-such-page").status_code == 404
    wrong_method = client.post(GET_ONLY_PAGE, data={"csrf_token": token})
    assert wrong_method.status_code == 405
    assert "GET" in wrong_method.headers["Allow"]


def test_every_state_changing_admin_request_without_a_csrf_token_gets_400(app, client, session):
    signed_in(client, session, Role.OWNER)
    checked = 0
    for rule, method in requests_of(app):
        if method not in STATE_CHANGING:
            continue
        response = client.open(url_for_rule(rule), method=method, data={})
        assert response.status_code == 400, (rule.endpoint, method, response.status_code)
        checked += 1
    assert checked > 0


def test_admin_pages_are_never_cached_or_indexed(client):
    response = client.get("/admin/login")

    assert "no-store" in response.headers["Cache-Control"]
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex, nofollow">' in response.get_data(as_text=True)


def test_the_back_office_is_not_behind_the_customers_age_gate(client):
    assert client.get("/admin/login").status_code == 200


def test_unknown_email_and_wrong_password_get_the_same_answer(client, session):
    member = signed_in(client.application.test_client(), session, Role.MANAGER)

    unknown = sign_in(client, "nobody@example.nl", "whatever password at all")
    wrong = sign_in(client, member.email, "whatever password at all")

    assert unknown.status_code == wrong.status_code == 401
    assert _message(unknown) == _message(wrong)


def _message(response) -> str:
    match = re.search(r'role="alert"[^>]*>([^<]+)<', response.get_data(as_text=True))
    assert match
    return match.group(1)


def test_sign_in_leads_to_the_page_first_asked_for_but_never_off_the_back_office(client, session):
    from tests.admin_support import make_staff
    from tests.helpers import csrf_token

    member = make_staff(session, Role.MANAGER)
    for target, expected in [
        ("/admin/", "/admin/"),
        ("//evil.example", "/admin/"),
        ("/cart", "/admin/"),
        ("https://evil.example/admin/", "/admin/"),
    ]:
        fresh = client.application.test_client()
        page = fresh.get(f"/admin/login?next={target}")
        response = fresh.post(
            "/admin/login",
            data={
                "csrf_token": csrf_token(page.get_data(as_text=True)),
                "email": member.email,
                "password": "mushroom ledger of tuesday",
                "next": target,
            },
        )
        assert response.headers["Location"] == expected, target


def test_logout_ends_the_other_sessions_of_that_account(app, session):
    from tests.admin_support import make_staff

    member = make_staff(session, Role.MANAGER)
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, member.email)
    sign_in(phone, member.email)
    assert phone.get("/admin/").status_code == 200

    laptop.post("/admin/logout", data={"csrf_token": admin_csrf(laptop)})

    assert phone.get("/admin/").status_code == 303


def test_failed_logins_are_throttled_per_account(client, session):
    from tests.admin_support import make_staff

    member = make_staff(session, Role.MANAGER)
    statuses = [
        sign_in(client, member.email, "wrong password number x").status_code for _ in range(6)
    ]

    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429
