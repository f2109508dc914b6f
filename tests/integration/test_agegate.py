"""Specification of the 18+ gate as a visitor meets it, through the Flask test client.

The storefront is closed to anyone who has not passed the gate, the answer is checked by the
server, `next` only ever leads to a page of this shop, and what is kept of the answer is the
fact, the method and the time: never a date of birth, never an IP address.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import inspect, select

from shop import create_app
from shop.clock import frozen_at
from shop.extensions import db
from shop.models import AgeCheck, AgeCheckMethod, AgeCheckOutcome
from tests.helpers import csrf_token, make_category
from tests.pages import Page

GATE = "/age-gate"
REFUSED = "/age-gate/refused"

REFUSAL_EN = "You must be 18 years of age or older to visit this website."
REFUSAL_NL = "Je moet 18 jaar of ouder zijn om deze website te bezoeken."

# Amsterdam is an hour ahead of UTC in March: 23:30 UTC on the 14th is 00:30 on the 15th.
LATE_ON_14_MARCH_UTC_EARLY_ON_15_MARCH_LOCAL = datetime(2026, 3, 14, 23, 30, tzinfo=UTC)
NOON_ON_15_MARCH = datetime(2026, 3, 15, 11, 0, tzinfo=UTC)
NOON_ON_28_FEBRUARY_2026 = datetime(2026, 2, 28, 11, 0, tzinfo=UTC)
NOON_ON_1_MARCH_2026 = datetime(2026, 3, 1, 11, 0, tzinfo=UTC)

ADULT_BIRTH_DATE = ("23", "11", "1987")


# --- a visitor's moves --------------------------------------------------------------------


def make_client(request: pytest.FixtureRequest, app_settings: dict[str, object], **settings: Any):
    """A visitor's test client for an app built with `settings` (before `app` exists)."""
    app_settings.update(settings)
    return request.getfixturevalue("client")


@pytest.fixture
def dob_client(request: pytest.FixtureRequest, app_settings: dict[str, object]):
    """A visitor at a shop that asks for the date of birth."""
    return make_client(request, app_settings, SHOP_AGE_GATE_MODE="dob")


def open_gate(client, query_string: str | dict[str, str] = "") -> str:
    """Load the gate page as a browser would; return its HTML."""
    page = client.get(GATE, query_string=query_string)
    assert page.status_code == 200, page.status_code
    return page.get_data(as_text=True)


def answer(client, choice: str | None, *, next_path: str = "/", remember: bool = False):
    """Load the gate and press one of its buttons (None: submit without an answer)."""
    form = {"csrf_token": csrf_token(open_gate(client)), "next": next_path}
    if choice is not None:
        form["answer"] = choice
    if remember:
        form["remember"] = "yes"
    return client.post(GATE, data=form)


def enter_birth_date(client, day: str, month: str, year: str, *, next_path: str = "/"):
    """Load the gate and submit a date of birth."""
    form = {
        "csrf_token": csrf_token(open_gate(client)),
        "next": next_path,
        "day": day,
        "month": month,
        "year": year,
    }
    return client.post(GATE, data=form)


def location(response) -> str:
    return response.headers["Location"]


def gate_next(response) -> str:
    """The `next` a redirect to the gate carries."""
    target = urlsplit(location(response))
    assert target.path == GATE, location(response)
    return parse_qs(target.query)["next"][0]


def hidden_next(html: str) -> str:
    return Page(html).form(f'form[action="{GATE}"]')["next"]


def audit_rows(session) -> list[AgeCheck]:
    session.rollback()  # end any earlier read, so rows the requests committed are seen
    return list(session.scalars(select(AgeCheck).order_by(AgeCheck.id)))


def assert_storefront_closed(client) -> None:
    response = client.get("/")
    assert response.status_code == 303
    assert gate_next(response) == "/"


# --- 1. nothing behind the gate without an answer -------------------------------------------

STOREFRONT_URLS = ["/", "/category/x", "/products/x", "/search?q=truffle", "/no-such-page"]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("url", STOREFRONT_URLS)
def test_reading_any_storefront_url_leads_to_the_gate_and_back_to_that_url(
    client, url: str, method: str
) -> None:
    response = client.open(url, method=method)

    assert response.status_code == 303
    assert gate_next(response) == url


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
@pytest.mark.parametrize("url", STOREFRONT_URLS)
def test_sending_to_any_storefront_url_leads_to_the_gate_and_back_to_its_page(
    client, url: str, method: str
) -> None:
    response = client.open(url, method=method, data={"q": "x"})

    assert response.status_code == 303
    assert gate_next(response) == urlsplit(url).path


def test_a_query_string_that_is_not_utf8_is_a_clean_400(client) -> None:
    """No page can read such a query; it is refused up front rather than failing later."""
    response = client.get("/search", environ_overrides={"QUERY_STRING": "q=\xff"})

    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        GATE,
        REFUSED,
        "/healthz",
        "/robots.txt",
        "/legal/terms",
        "/legal/privacy",
        "/static/css/shop.css",
    ],
)
def test_pages_a_minor_may_see_open_without_verification(client, path: str) -> None:
    response = client.get(path)
    response.close()

    assert response.status_code == 200


# --- 2. confirm mode: "Are you 18 or older?" -----------------------------------------------


def test_yes_leads_on_to_the_page_first_asked_for_which_then_opens(client, session) -> None:
    make_category(session, slug="magic-truffles", name_en="Magic truffles")
    sent_to_gate = client.get("/category/magic-truffles")
    gate_page = client.get(location(sent_to_gate)).get_data(as_text=True)

    response = client.post(
        GATE,
        data={
            "csrf_token": csrf_token(gate_page),
            "next": hidden_next(gate_page),
            "answer": "yes",
        },
    )

    assert response.status_code == 303
    assert location(response) == "/category/magic-truffles"
    page = client.get("/category/magic-truffles")
    assert page.status_code == 200
    assert "Magic truffles" in page.get_data(as_text=True)


def test_a_visitor_who_passed_is_not_asked_again(verified_client) -> None:
    response = verified_client.get(GATE, query_string={"next": "/search?q=truffle"})

    assert response.status_code == 303
    assert location(response) == "/search?q=truffle"


def test_no_shows_that_the_shop_is_for_adults_in_english_and_dutch(client) -> None:
    response = answer(client, "no")

    assert response.status_code == 303
    assert location(response) == REFUSED
    page = client.get(REFUSED).get_data(as_text=True)
    assert REFUSAL_EN in page
    dutch = client.get(REFUSED, headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert REFUSAL_NL in dutch


def test_after_a_no_the_storefront_stays_closed_for_the_rest_of_the_session(client) -> None:
    answer(client, "no")

    for path in ["/", "/products/x", "/search?q=truffle"]:
        response = client.get(path)
        assert response.status_code == 303
        assert location(response) == REFUSED
    assert location(client.get(GATE)) == REFUSED


def test_after_a_no_a_later_yes_does_not_open_the_storefront(client, session) -> None:
    token = csrf_token(open_gate(client))
    client.post(GATE, data={"csrf_token": token, "answer": "no", "next": "/"})

    second_try = client.post(GATE, data={"csrf_token": token, "answer": "yes", "next": "/"})

    assert location(second_try) == REFUSED
    assert location(client.get("/")) == REFUSED
    assert [row.outcome for row in audit_rows(session)] == [AgeCheckOutcome.REFUSED]


def test_a_form_sent_without_an_answer_asks_again_with_a_message(client, session) -> None:
    response = answer(client, None)

    assert response.status_code == 400
    assert "Please answer yes or no." in response.get_data(as_text=True)
    assert audit_rows(session) == []
    assert_storefront_closed(client)


def test_a_form_sent_without_its_csrf_token_is_refused(client, session) -> None:
    open_gate(client)

    response = client.post(GATE, data={"answer": "yes", "next": "/"})

    assert response.status_code == 400
    assert "The form expired or was sent from elsewhere" in response.get_data(as_text=True)
    assert audit_rows(session) == []
    assert_storefront_closed(client)


# --- 3. date-of-birth mode ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "birth_date"),
    [
        (NOON_ON_15_MARCH, ("15", "3", "2008")),
        (LATE_ON_14_MARCH_UTC_EARLY_ON_15_MARCH_LOCAL, ("15", "03", "2008")),
        (NOON_ON_1_MARCH_2026, ("29", "2", "2008")),
    ],
    ids=["on-the-18th-birthday", "18th-birthday-begun-in-amsterdam", "leapling-on-1-march"],
)
def test_someone_who_turns_18_today_in_amsterdam_enters(
    dob_client, session, now: datetime, birth_date: tuple[str, str, str]
) -> None:
    with frozen_at(now):
        response = enter_birth_date(dob_client, *birth_date, next_path="/search?q=truffle")

        assert response.status_code == 303
        assert location(response) == "/search?q=truffle"
        assert dob_client.get("/search?q=truffle").status_code == 200
    assert [(row.outcome, row.method) for row in audit_rows(session)] == [
        (AgeCheckOutcome.PASSED, AgeCheckMethod.DOB)
    ]


@pytest.mark.parametrize(
    ("now", "birth_date"),
    [
        (NOON_ON_15_MARCH, ("16", "3", "2008")),
        (LATE_ON_14_MARCH_UTC_EARLY_ON_15_MARCH_LOCAL, ("16", "3", "2008")),
        (NOON_ON_28_FEBRUARY_2026, ("29", "2", "2008")),
    ],
    ids=["17-years-364-days", "17-years-364-days-in-amsterdam", "leapling-on-28-february"],
)
def test_someone_a_day_short_of_18_is_refused(
    dob_client, session, now: datetime, birth_date: tuple[str, str, str]
) -> None:
    with frozen_at(now):
        response = enter_birth_date(dob_client, *birth_date)

        assert response.status_code == 303
        assert location(response) == REFUSED
        assert REFUSAL_EN in dob_client.get(REFUSED).get_data(as_text=True)
        assert location(dob_client.get("/")) == REFUSED
    assert [(row.outcome, row.method) for row in audit_rows(session)] == [
        (AgeCheckOutcome.REFUSED, AgeCheckMethod.DOB)
    ]


TEN_KB_OF_DIGITS = "1" * 10_240
TEN_KB_OF_LETTERS = "x" * 10_240
ARABIC_INDIC_15 = "\u0661\u0665"
ARABIC_INDIC_1990 = "\u0661\u0669\u0669\u0660"

NOT_A_DATE = "That date does not exist"
NOT_NUMBERS = "Day, month and year must be numbers."
INCOMPLETE = "Please enter your full date of birth."
FUTURE = "A date of birth cannot be in the future."


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        pytest.param("31", "4", "1990", NOT_A_DATE, id="31-april"),
        pytest.param("29", "2", "2007", NOT_A_DATE, id="29-february-of-a-common-year"),
        pytest.param("1", "13", "1990", NOT_A_DATE, id="month-13"),
        pytest.param("0", "1", "1990", NOT_A_DATE, id="day-0"),
        pytest.param("abc", "1", "1990", NOT_NUMBERS, id="letters"),
        pytest.param("1", "1", "1e3", NOT_NUMBERS, id="exponent"),
        pytest.param("-1", "1", "1990", NOT_NUMBERS, id="negative"),
        pytest.param("1.5", "1", "1990", NOT_NUMBERS, id="decimal"),
        pytest.param(ARABIC_INDIC_15, "1", ARABIC_INDIC_1990, NOT_NUMBERS, id="arabic-indic"),
        pytest.param("", "1", "1990", INCOMPLETE, id="empty-day"),
        pytest.param("  ", "", "", INCOMPLETE, id="blank"),
        pytest.param("1", "1", TEN_KB_OF_DIGITS, FUTURE, id="10-kb-of-digits"),
        pytest.param(TEN_KB_OF_LETTERS, "1", "1990", NOT_NUMBERS, id="10-kb-of-letters"),
        pytest.param("1", "1", "2027", FUTURE, id="next-year"),
    ],
)
def test_a_birth_date_that_cannot_be_read_shows_the_form_again_with_the_reason(
    dob_client, session, day: str, month: str, year: str, message: str
) -> None:
    with frozen_at(NOON_ON_15_MARCH):
        response = enter_birth_date(dob_client, day, month, year)

    page = response.get_data(as_text=True)
    assert 400 <= response.status_code < 500
    assert message in page
    assert '<form method="post"' in page
    # What was typed comes back cut short, never 10 KB of it.
    assert "1" * 100 not in page
    assert "x" * 100 not in page
    assert audit_rows(session) == []
    assert_storefront_closed(dob_client)


@pytest.mark.parametrize(
    ("day", "month", "year"), [("1\x00", "1", "1990"), ("\x00", "\x00", "\x00")]
)
def test_a_nul_character_in_the_birth_date_is_a_clean_400_and_records_nothing(
    dob_client, session, day: str, month: str, year: str
) -> None:
    with frozen_at(NOON_ON_15_MARCH):
        response = enter_birth_date(dob_client, day, month, year)

    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)
    assert audit_rows(session) == []
    assert_storefront_closed(dob_client)


def test_a_form_without_the_birth_date_fields_is_answered_with_a_message(
    dob_client, session
) -> None:
    token = csrf_token(open_gate(dob_client))

    response = dob_client.post(GATE, data={"csrf_token": token, "answer": "yes"})

    assert response.status_code == 422
    assert INCOMPLETE in response.get_data(as_text=True)
    assert audit_rows(session) == []


# --- 4. remember me -------------------------------------------------------------------------

A_WEEK = 7


@pytest.fixture
def week_client(request: pytest.FixtureRequest, app_settings: dict[str, object]):
    """A visitor at a shop that remembers a verification for a week."""
    return make_client(request, app_settings, SHOP_AGE_GATE_REMEMBER_DAYS=A_WEEK)


def test_remember_me_keeps_the_answer_in_a_cookie_that_lasts_the_remember_days(
    week_client,
) -> None:
    answer(week_client, "yes", remember=True)

    cookie = week_client.get_cookie("session")
    assert cookie is not None
    expected_expiry = datetime.now(UTC) + timedelta(days=A_WEEK)
    assert cookie.expires is not None
    assert abs(cookie.expires - expected_expiry) < timedelta(minutes=5)


def test_without_remember_me_the_answer_ends_with_the_browser_session(client) -> None:
    answer(client, "yes")

    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.expires is None
    assert cookie.max_age is None


@pytest.mark.parametrize("remember", [True, False], ids=["remembered", "browser-session"])
def test_a_verification_older_than_the_remember_days_no_longer_counts(
    week_client, remember: bool
) -> None:
    with frozen_at(NOON_ON_15_MARCH):
        answer(week_client, "yes", remember=remember)

    with frozen_at(NOON_ON_15_MARCH + timedelta(days=A_WEEK, minutes=-1)):
        assert week_client.get("/").status_code == 200
    with frozen_at(NOON_ON_15_MARCH + timedelta(days=A_WEEK, minutes=1)):
        assert_storefront_closed(week_client)


def test_raising_the_policy_version_sends_every_visitor_back_to_the_gate(
    app_settings, verified_client
) -> None:
    cookie = verified_client.get_cookie("session")
    assert cookie is not None

    def visit_home(policy_version: int):
        app = create_app({**app_settings, "SHOP_AGE_POLICY_VERSION": policy_version})
        browser = app.test_client()
        browser.set_cookie("session", cookie.value)
        try:
            return browser.get("/")
        finally:
            with app.app_context():
                db.engine.dispose()

    assert visit_home(policy_version=1).status_code == 200
    response = visit_home(policy_version=2)
    assert response.status_code == 303
    assert gate_next(response) == "/"


# --- 5. what is recorded --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "given", "outcome"),
    [
        ("confirm", "yes", AgeCheckOutcome.PASSED),
        ("confirm", "no", AgeCheckOutcome.REFUSED),
        ("dob", ADULT_BIRTH_DATE, AgeCheckOutcome.PASSED),
        ("dob", ("16", "3", "2008"), AgeCheckOutcome.REFUSED),
    ],
    ids=["confirm-yes", "confirm-no", "dob-adult", "dob-minor"],
)
def test_each_answer_adds_one_audit_row_with_outcome_method_and_policy(
    request, app_settings, mode: str, given: Any, outcome: AgeCheckOutcome
) -> None:
    client = make_client(request, app_settings, SHOP_AGE_GATE_MODE=mode, SHOP_AGE_POLICY_VERSION=3)

    with frozen_at(NOON_ON_15_MARCH):
        if mode == "confirm":
            answer(client, given)
        else:
            enter_birth_date(client, *given)

    session = request.getfixturevalue("session")
    [row] = audit_rows(session)
    assert row.outcome == outcome
    assert row.method == AgeCheckMethod(mode)
    assert row.policy_version == 3
    assert row.min_age == 18
    assert row.checked_at == NOON_ON_15_MARCH


def test_the_audit_table_has_no_column_that_could_hold_a_birth_date_or_an_ip_address(
    app,
) -> None:
    columns = {column["name"] for column in inspect(db.engine).get_columns("age_checks")}

    # provider: an OpenID provider's issuer URL; reference: its transaction reference
    # (tests/integration/test_age_verification_oidc.py shows neither holds a personal claim).
    assert columns == {
        "id",
        "checked_at",
        "outcome",
        "method",
        "policy_version",
        "min_age",
        "provider",
        "reference",
    }


def test_the_session_cookie_does_not_hold_the_birth_date(dob_client) -> None:
    with frozen_at(NOON_ON_15_MARCH):
        response = enter_birth_date(dob_client, *ADULT_BIRTH_DATE)
    assert response.status_code == 303

    cookie = dob_client.get_cookie("session")
    assert cookie is not None
    app = dob_client.application
    content = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    assert "age_verification" in content
    # The CSRF token is random hex and could contain any four digits by chance.
    kept = json.dumps({key: value for key, value in content.items() if key != "csrf_token"})
    for fragment in ["1987", "11-23", "23-11", "1123", "2311", "23/11"]:
        assert fragment not in kept


# --- 6. where `next` may lead ---------------------------------------------------------------

HOSTILE_NEXTS = [
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example",
    "javascript:alert(1)",
    "/\t/evil.example",
    "/\n/evil.example",
    "http:/evil.example",
    " //evil.example",
]


@pytest.mark.parametrize("hostile", HOSTILE_NEXTS)
def test_a_next_leading_off_the_site_lands_on_the_home_page(client, hostile: str) -> None:
    gate_page = open_gate(client, query_string={"next": hostile})
    assert hidden_next(gate_page) == "/"

    response = client.post(
        GATE,
        data={"csrf_token": csrf_token(gate_page), "answer": "yes", "next": hostile},
    )

    assert response.status_code == 303
    assert location(response) == "/"


def test_a_percent_encoded_double_slash_in_the_query_string_lands_on_the_home_page(
    client,
) -> None:
    raw = "next=%2F%2Fevil.example"
    gate_page = open_gate(client, query_string=raw)
    assert hidden_next(gate_page) == "/"

    response = client.post(
        GATE,
        query_string=raw,
        data={"csrf_token": csrf_token(gate_page), "answer": "yes"},
    )

    assert location(response) == "/"


def test_a_next_on_this_site_is_kept_with_its_query(client) -> None:
    response = answer(client, "yes", next_path="/category/magic-truffles?sort=price")

    assert location(response) == "/category/magic-truffles?sort=price"


# --- 7. caches ------------------------------------------------------------------------------


def assert_kept_out_of_shared_caches(response) -> None:
    cache_control = response.headers.get("Cache-Control", "")
    assert "private" in cache_control or "no-store" in cache_control, cache_control
    assert "cookie" in response.headers.get("Vary", "").lower()


@pytest.mark.parametrize("path", [GATE, REFUSED, "/", "/products/x"])
def test_the_gate_and_what_it_guards_are_kept_out_of_shared_caches(client, path: str) -> None:
    assert_kept_out_of_shared_caches(client.get(path))


def test_a_page_behind_the_gate_is_kept_out_of_shared_caches_once_open(verified_client) -> None:
    response = verified_client.get("/")

    assert response.status_code == 200
    assert_kept_out_of_shared_caches(response)


# --- 8. no JavaScript needed ----------------------------------------------------------------


def read_gate_form(client) -> Page:
    return Page(open_gate(client))


def assert_usable_without_javascript(page: Page) -> None:
    # The gate's own form (the language switcher is the page's other POST form).
    assert len(page.select(f'form[method="post"][action="{GATE}"]')) == 1, page.select("form")
    visible = page.select('input:not([type="hidden"]), select, textarea')
    assert visible, "no controls to fill in"
    labelled = set(page.attributes("label[for]", "for"))
    for control in visible:
        assert control.get("id") in labelled, control
    assert page.select("button")
    assert set(page.attributes("button", "type")) == {"submit"}


def test_the_yes_no_gate_is_a_plain_form_with_labelled_controls_and_submit_buttons(
    client,
) -> None:
    page = read_gate_form(client)

    assert_usable_without_javascript(page)
    answers = {
        (button.get("name"), button.get("value"))
        for button in page.select("button")
        if button.get("name") != "locale"
    }
    assert answers == {("answer", "yes"), ("answer", "no")}
    assert set(page.attributes("input", "name")) >= {"csrf_token", "next", "remember"}


def test_the_birth_date_gate_is_a_plain_form_with_labelled_controls_and_a_submit_button(
    dob_client,
) -> None:
    page = read_gate_form(dob_client)

    assert_usable_without_javascript(page)
    assert set(page.attributes("input", "name")) >= {"day", "month", "year", "remember"}
