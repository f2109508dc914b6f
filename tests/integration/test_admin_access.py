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
from shop.web.admin import ALLOWED_ROLES, Access, access_of, is_read_only_view
from tests.admin_support import admin_csrf, sign_in, signed_in

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def admin_rules(app) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")]


def url_for_rule(rule: Rule) -> str:
    """The rule's path with a harmless value for each argument."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", "1", rule.rule)


def form_of(method: str, token: str) -> dict[str, str] | None:
    """The CSRF token as a form, for the methods that carry a body (a GET with one is 413)."""
    return None if method == "GET" else {"csrf_token": token}


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
        response = client.open(url_for_rule(rule), method=method, data=form_of(method, token))
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
        response = client.open(url_for_rule(rule), method=method, data=form_of(method, token))
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


# --- A form's page is refused like its form, unless it is a record's read-only page ---------


def record_ids(session) -> dict[str, str]:
    """One record of each kind a back-office page shows, by the URL argument naming it."""
    from tests.helpers import make_code, make_product
    from tests.integration.test_articles import make_article

    return {
        "product_id": str(make_product(session).id),
        "promo_id": str(make_code(session).id),
        "article_id": str(make_article(session).id),
    }


def url_of(rule: Rule, ids: dict[str, str]) -> str | None:
    """The rule's path for those records; None when it needs an argument they lack."""
    if not set(rule.arguments) <= set(ids):
        return None
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda match: ids[match.group(1)], rule.rule)


def forms_refused_to(app, role: Role) -> list[tuple[Rule, Rule | None]]:
    """Each POST route the role may not use, with the GET route of the same URL (if any)."""
    gets = {rule.rule: rule for rule in admin_rules(app) if "GET" in (rule.methods or ())}
    return [
        (rule, gets.get(rule.rule))
        for rule in admin_rules(app)
        if "POST" in (rule.methods or ())
        and (access := access_of(rule.endpoint)) not in (Access.PUBLIC, None)
        and role not in ALLOWED_ROLES[access]
    ]


def is_enabled(control) -> bool:
    if control.has_attr("disabled"):
        return False
    return all(not fieldset.has_attr("disabled") for fieldset in control.find_parents("fieldset"))


def usable_forms_to(page, path: str) -> list[str]:
    """The submit buttons a visitor could press on `page` to send a form to `path`."""
    pressable = []
    for form in page.select("form"):
        if str(form.get("method", "get")).lower() != "post":
            continue  # a GET form (such as "valid at …?") sends nothing to change
        if urlsplit(str(form.get("action", ""))).path != path:
            continue
        for control in form.select("button, input[type=submit], input[type=image]"):
            if control.get("type", "submit") in {"submit", "image"} and is_enabled(control):
                pressable.append(control.get_text(" ", strip=True) or str(control.get("value")))
    return pressable


def test_a_viewer_cannot_open_a_form_they_cannot_send(app, client, session):
    """Its page gets the same refusal as its POST; a record's page declared read-only opens,
    with nothing on it to press."""
    from tests.pages import Page

    ids = record_ids(session)
    signed_in(client, session, Role.VIEWER)
    token = admin_csrf(client)
    checked = 0
    for post_rule, get_rule in forms_refused_to(app, Role.VIEWER):
        path = url_of(post_rule, ids)
        if get_rule is None or path is None:
            continue
        sent = client.post(path, data={"csrf_token": token})
        opened = client.get(path)
        if is_read_only_view(get_rule.endpoint):
            assert opened.status_code == 200, get_rule.endpoint
            assert usable_forms_to(Page.of(opened), path) == [], get_rule.endpoint
        else:
            assert (opened.status_code, opened.headers.get("Location")) == (
                sent.status_code,
                sent.headers.get("Location"),
            ), get_rule.endpoint
        checked += 1
    assert checked >= 6  # new and existing products, promo codes, articles at least


def test_no_back_office_page_offers_a_viewer_what_they_cannot_use(app, client, session):
    """No link to a page refused to a viewer, no button for a form refused to a viewer."""
    from tests.pages import Page

    ids = record_ids(session)
    signed_in(client, session, Role.VIEWER)
    refused_forms = {url_of(rule, ids) for rule, _ in forms_refused_to(app, Role.VIEWER)}
    matcher = app.url_map.bind("localhost")
    offered = []
    for rule in admin_rules(app):
        path = url_of(rule, ids)
        access = access_of(rule.endpoint)
        if "GET" not in (rule.methods or ()) or path is None or access != Access.VIEW:
            continue
        response = client.get(path)
        if response.mimetype != "text/html":
            continue
        page = Page.of(response)
        for href in page.attributes("a[href]", "href"):
            target = urlsplit(href).path
            if not target.startswith("/admin/"):
                continue
            endpoint, _ = matcher.match(target, method="GET")
            if Role.VIEWER not in ALLOWED_ROLES.get(access_of(endpoint), frozenset()):
                offered.append((path, href))
        offered += [
            (path, button)
            for form in refused_forms
            if form
            for button in usable_forms_to(page, form)
        ]
    assert offered == []


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
