"""Promo codes in the back office: a manager runs a Halloween-style campaign from the form to
its numbers; kind and value lock once the code is used; bad input is refused next to its
field; the "valid at" check answers like the CLI; every change is in the audit log.

The rule's clock is moved with `frozen_at` (in-process only; nothing signed depends on it).
"""

from __future__ import annotations

import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from shop.clock import frozen_at
from shop.extensions import db
from shop.models import AuditEntry, Order, PromoCode, Role
from shop.payments import gateway_for
from shop.payments import test_gateway as test_mode
from shop.rules.promotions import Kind
from shop.services.orders.placing import Customer
from shop.services.orders.refunds import refund_order
from shop.services.payments import pay_in_test_mode
from shop.services.promotions import InvalidPromoCode, PromoDraft, update_promo_code
from tests.admin_support import admin_csrf, signed_in
from tests.helpers import make_category, make_code, make_product, pass_age_gate
from tests.integration.payment_support import ANN, fresh_order, place
from tests.pages import Page

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def amsterdam(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=AMSTERDAM)  # type: ignore[misc]


# The campaign runs 21 October – 2 November 2025; the manager sets it up the week before.
SETTING_UP = amsterdam(2025, 10, 14, 10, 0)
DURING = amsterdam(2025, 10, 25, 12, 0)  # the clocks go back on the 26th, inside the window
LAST_SECOND = amsterdam(2025, 11, 2, 23, 59, 59)
AFTER = amsterdam(2025, 11, 3, 0, 0)
LONG_AFTER = amsterdam(2025, 11, 20, 9, 0)

HALLOWEEN_FORM = {
    "code": "Halloween2025",
    "kind": "percent",
    "value": "15",
    "starts_on": "2025-10-21",
    "ends_on": "2025-11-02",
    "is_active": "yes",
    "is_public": "yes",
    "banner_title_en": "Halloween 2025",
    "banner_title_nl": "Halloween 2025",
    "banner_text_en": "Use the code below at checkout to receive 15% off your entire order",
    "banner_text_nl": "Gebruik de code hieronder bij het afrekenen voor 15% korting",
}

BANNER = re.compile(r'<aside class="promo-banner" aria-label="[^"]*">.*?</aside>', re.S)


# --- helpers -------------------------------------------------------------------------------


@pytest.fixture
def product(session):  # type: ignore[no-untyped-def]
    return make_product(
        session, "Golden Teacher 15 g", price_cents=2000, stock=50, now=amsterdam(2025, 1, 1)
    )


@pytest.fixture
def manager(client, session):  # type: ignore[no-untyped-def]
    signed_in(client, session, Role.MANAGER)
    return client


def post(client: Any, path: str, fields: dict[str, Any]) -> Any:
    return client.post(path, data={"csrf_token": admin_csrf(client), **fields})


def create(client: Any, **changes: Any) -> Any:
    fields = {**HALLOWEEN_FORM, **changes}
    return post(client, "/admin/promotions/new", {k: v for k, v in fields.items() if v is not None})


def the_code(session) -> PromoCode:  # type: ignore[no-untyped-def]
    session.rollback()
    [code] = session.scalars(select(PromoCode)).all()
    return code


def counts(session) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """(promo codes, audit entries) in the database."""
    session.rollback()
    return (
        session.scalar(select(func.count()).select_from(PromoCode)),
        session.scalar(select(func.count()).select_from(AuditEntry)),
    )


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def row_of(client: Any, code_id: int) -> list[str]:
    """The cells of a code's row in the list, as text."""
    page = client.get("/admin/promotions")
    assert page.status_code == 200
    row = re.search(rf'<tr id="promo-{code_id}">(.*?)</tr>', page.get_data(as_text=True), re.S)
    assert row, "the code is not listed"
    return [text_of(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row.group(1), re.S)]


def field_error(html: str, name: str) -> str:
    found = re.search(rf'<p class="field-error" id="f-{name}-error">([^<]*)</p>', html)
    assert found, f"no message next to {name}"
    return found.group(1)


def pay(app, session, order: Order, *, now: datetime) -> None:  # type: ignore[no-untyped-def]
    secret = test_mode.local_webhook_secret(app.config["SECRET_KEY"])
    outcome = pay_in_test_mode(
        session, test_mode.TestGateway(), order, succeed=True, secret=secret, now=now
    )
    assert outcome.text == "paid"


def banners_seen_by_a_visitor(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The promo banners on the home page for a new visitor who passes the age gate now."""
    visitor = app.test_client()
    pass_age_gate(visitor)
    return BANNER.findall(visitor.get("/").get_data(as_text=True))


def customer(name: str) -> Customer:
    return dataclasses.replace(ANN, email=f"{name}@example.nl")


def campaign(client: Any, **changes: Any) -> PromoCode:
    """The manager creates the Halloween code through the form, the week before it runs."""
    with frozen_at(SETTING_UP):
        response = create(client, **changes)
    assert response.status_code == 303, response.get_data(as_text=True)[-3000:]
    return the_code(db.session)


# --- the campaign --------------------------------------------------------------------------


def test_a_code_created_for_next_week_is_listed_as_scheduled_with_its_local_window(
    manager, session
):
    with frozen_at(SETTING_UP):
        response = create(manager)
        assert response.status_code == 303
        assert response.headers["Location"] == "/admin/promotions"
        code = the_code(session)
        cells = row_of(manager, code.id)

    assert cells[:6] == [
        "Halloween2025 public",
        "percentage",
        "15%",
        "21 Oct 2025 – 2 Nov 2025",
        "scheduled",
        "0",
    ]
    # Stored as UTC: from local midnight on 21 October to local midnight after 2 November.
    assert code.code == "halloween2025"
    assert code.starts_at == datetime(2025, 10, 20, 22, 0, tzinfo=UTC)
    assert code.ends_at == datetime(2025, 11, 2, 23, 0, tzinfo=UTC)
    assert code.is_public and code.banner_title_nl == "Halloween 2025"


def test_during_its_window_the_shop_shows_the_banner_and_the_list_says_active(
    app, manager, session
):
    code = campaign(manager)

    with frozen_at(SETTING_UP):
        assert banners_seen_by_a_visitor(app) == []
    with frozen_at(DURING):
        [banner] = banners_seen_by_a_visitor(app)
        assert row_of(manager, code.id)[4] == "active"
    with frozen_at(AFTER):
        assert row_of(manager, code.id)[4] == "expired"

    assert text_of(banner).startswith(
        "Halloween 2025: 15% OFF · code Halloween2025 · until 2 Nov · "
        "Use the code below at checkout"
    )
    assert "Halloween2025" in banner


def test_after_paid_orders_the_list_shows_uses_discount_and_revenue(app, manager, session, product):
    code = campaign(manager, usage_limit="10")
    with frozen_at(DURING):
        first = place(session, product, 1, code="HALLOWEEN2025", customer=customer("a"))
        second = place(session, product, 2, code="halloween2025", customer=customer("b"))
        unpaid = place(session, product, 1, code="Halloween2025", customer=customer("c"))
        pay(app, session, first, now=DURING)
        pay(app, session, second, now=DURING)
        cells = row_of(manager, code.id)

    # 15% of € 20,00 = € 3,00 and of € 40,00 = € 6,00; the unpaid order holds a use only.
    assert fresh_order(session, unpaid.id).status == "pending_payment"
    assert cells[5:] == ["3 / 10", "2", "€9.00", "€51.00"]


def test_a_refund_comes_off_the_revenue_and_a_full_refund_leaves_the_order_out(
    app, manager, session, product
):
    code = campaign(manager)
    with frozen_at(DURING):
        first = place(session, product, 1, code="HALLOWEEN2025", customer=customer("a"))
        second = place(session, product, 2, code="HALLOWEEN2025", customer=customer("b"))
        pay(app, session, first, now=DURING)
        pay(app, session, second, now=DURING)
    gateway = gateway_for(app.config)
    with frozen_at(LONG_AFTER):
        refund_order(session, gateway, first.id, now=LONG_AFTER)
        refund_order(session, gateway, second.id, amount_cents=1000, now=LONG_AFTER)
        cells = row_of(manager, code.id)

    # Left: the second order, € 34,00 paid less € 10,00 refunded, with its € 6,00 discount.
    assert cells[4:] == ["expired", "2", "1", "€6.00", "€24.00"]


def test_the_list_shows_the_days_sales_in_the_chart_and_its_table(app, manager, session, product):
    code = campaign(manager)
    with frozen_at(DURING):
        order = place(session, product, 2, code="HALLOWEEN2025")
        pay(app, session, order, now=DURING)
    with frozen_at(LONG_AFTER):
        page = manager.get("/admin/promotions").get_data(as_text=True)

    svg = ET.fromstring(re.search(r"<svg.*?</svg>", page, re.S).group(0))
    ns = "{http://www.w3.org/2000/svg}"
    bars = [el for el in svg.iter(f"{ns}rect") if el.get("class") == "chart-bar"]
    assert len(bars) == 90
    assert (bars[0].get("data-day"), bars[-1].get("data-day")) == ("2025-08-23", "2025-11-20")
    [band] = [el for el in svg.iter(f"{ns}rect") if el.get("class") == "chart-window"]
    assert (band.get("data-first-day"), band.get("data-last-day")) == ("2025-10-21", "2025-11-02")
    [label] = [el for el in svg.iter(f"{ns}text") if el.get("class") == "chart-window-label"]
    assert label.text == code.display_code
    assert svg.find(f"{ns}title").text and svg.find(f"{ns}desc").text
    sales_day = re.search(r'<time datetime="2025-10-25">.*?</tr>', page, re.S).group(0)
    assert text_of(sales_day) == "25 October 2025 1 €34.00"
    quiet_day = re.search(r'<time datetime="2025-10-24">.*?</tr>', page, re.S).group(0)
    assert text_of(quiet_day) == "24 October 2025 0 €0.00"
    assert "<details" in page and "<script" not in page and "style=" not in page


def test_the_list_takes_as_many_queries_for_many_codes_as_for_one(app, manager, session, product):
    def statements_for_the_list() -> int:
        seen: list[str] = []

        def count(*args: Any) -> None:
            seen.append(args[2])

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert manager.get("/admin/promotions").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    with frozen_at(DURING):
        create(manager, code="ONE")
        place(session, product, 1, code="ONE")
        one = statements_for_the_list()
        for name in ("TWO", "THREE", "FOUR", "FIVE"):
            create(manager, code=name, categories=[product.category.slug])
            place(session, product, 1, code=name, customer=customer(name.lower()))
        five = statements_for_the_list()

    assert counts(session)[0] == 5
    assert five == one, (one, five)


# --- create and edit -----------------------------------------------------------------------


def test_an_amount_code_with_limits_minimum_and_scope_is_stored_as_typed(manager, session):
    gift = make_product(session, "Gift card", price_cents=2500)
    truffles = make_category(session, "truffles")

    with frozen_at(SETTING_UP):
        response = create(
            manager,
            code="FIVEOFF",
            kind="amount",
            value="5,00",
            starts_time="09:30",
            ends_on="2025-11-02",
            ends_time="18:00",
            usage_limit="100",
            per_customer_limit="1",
            min_subtotal="30.00",
            products=[gift.slug],
            categories=[truffles.slug],
            is_public=None,
        )
    assert response.status_code == 303

    code = the_code(session)
    assert (code.kind, code.value, code.min_subtotal_cents) == ("amount", 500, 3000)
    assert (code.usage_limit, code.per_customer_limit, code.is_public) == (100, 1, False)
    assert code.starts_at == datetime(2025, 10, 21, 7, 30, tzinfo=UTC)  # 09:30 CEST
    assert code.ends_at == datetime(2025, 11, 2, 17, 0, tzinfo=UTC)  # 18:00 CET
    assert [p.slug for p in code.products] == [gift.slug]
    assert [c.slug for c in code.categories] == ["truffles"]


def test_the_edit_form_shows_the_stored_window_as_the_local_days_typed(manager, session):
    code = campaign(manager)

    page = Page.of(manager.get(f"/admin/promotions/{code.id}"))

    def box(name: str) -> tuple[str, str]:
        found = page.one(f'input[name="{name}"]')
        return str(found["type"]), str(found["value"])

    assert box("starts_on") == ("date", "2025-10-21")
    assert box("ends_on") == ("date", "2025-11-02")
    assert box("ends_time") == ("time", "")
    assert "Dates are in Europe/Amsterdam time; the end date is included." in page.text


def test_a_manager_changes_the_banner_and_the_window(manager, session):
    code = campaign(manager)

    response = post(
        manager,
        f"/admin/promotions/{code.id}",
        {**HALLOWEEN_FORM, "ends_on": "2025-11-03", "banner_title_en": "Halloween week"},
    )

    assert response.status_code == 303
    changed = the_code(session)
    assert changed.banner_title_en == "Halloween week"
    assert changed.ends_at == datetime(2025, 11, 3, 23, 0, tzinfo=UTC)


def test_kind_and_value_are_locked_once_the_code_has_been_used(manager, session, product):
    code = campaign(manager)
    with frozen_at(DURING):
        place(session, product, 1, code="HALLOWEEN2025")
    before = counts(session)

    page = manager.get(f"/admin/promotions/{code.id}").get_data(as_text=True)
    changed_value = post(manager, f"/admin/promotions/{code.id}", {**HALLOWEEN_FORM, "value": "50"})
    changed_kind = post(
        manager, f"/admin/promotions/{code.id}", {**HALLOWEEN_FORM, "kind": "amount"}
    )

    assert "This code has been used; to offer a different discount create a new code" in page
    shown = Page(page)
    value = shown.one('input[name="value"]')
    assert (value["id"], value["type"], value["value"]) == ("f-value", "text", "15")
    assert value.has_attr("disabled")
    percent = shown.one('input[name="kind"][value="percent"]')
    assert percent.has_attr("checked") and percent.has_attr("disabled")
    assert changed_value.status_code == changed_kind.status_code == 422
    assert "create a new code" in field_error(changed_value.get_data(as_text=True), "value")
    assert "create a new code" in field_error(changed_kind.get_data(as_text=True), "kind")
    assert counts(session) == before
    assert (the_code(session).kind, the_code(session).value) == ("percent", 15)


def test_a_used_code_can_still_change_its_other_terms(manager, session, product):
    code = campaign(manager)
    with frozen_at(DURING):
        place(session, product, 1, code="HALLOWEEN2025")
    # The disabled kind and value fields are not sent by the browser.
    fields = {k: v for k, v in HALLOWEEN_FORM.items() if k not in ("kind", "value")}

    response = post(manager, f"/admin/promotions/{code.id}", {**fields, "usage_limit": "50"})

    assert response.status_code == 303
    assert (the_code(session).usage_limit, the_code(session).value) == (50, 15)


def test_an_unused_code_can_still_change_its_value(manager, session):
    code = campaign(manager)

    response = post(manager, f"/admin/promotions/{code.id}", {**HALLOWEEN_FORM, "value": "20"})

    assert response.status_code == 303
    assert the_code(session).value == 20


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"value": "0"}, "value", "from 1 to 100"),
        ({"value": "101"}, "value", "from 1 to 100"),
        ({"value": "15.5"}, "value", "from 1 to 100"),
        ({"value": "１５"}, "value", "from 1 to 100"),  # full-width digits
        ({"kind": "amount", "value": "٥"}, "value", "such as 5,00 or 5.00"),  # Arabic-Indic 5
        ({"kind": "amount", "value": "5,001"}, "value", "such as 5,00 or 5.00"),
        ({"kind": "amount", "value": "1e3"}, "value", "such as 5,00 or 5.00"),
        ({"kind": "amount", "value": "5 euro"}, "value", "such as 5,00 or 5.00"),
        ({"kind": "amount", "value": "-5"}, "value", "such as 5,00 or 5.00"),
        ({"kind": "amount", "value": "0,00"}, "value", "above zero"),
        ({"kind": "amount", "value": "1.000,00"}, "value", "such as 5,00 or 5.00"),
        ({"kind": "free"}, "kind", "percentage or a fixed amount"),
        ({"code": ""}, "code", "code customers will type"),
        ({"code": "x" * 65}, "code", "at most 64"),
        ({"ends_on": "2025-10-20"}, "ends_on", "before the first day"),
        ({"starts_on": "21-10-2025"}, "starts_on", "YYYY-MM-DD"),
        ({"starts_on": "2025-02-30"}, "starts_on", "YYYY-MM-DD"),
        ({"starts_on": ""}, "starts_on", "YYYY-MM-DD"),
        ({"ends_on": "2025-10-21", "starts_time": "12:00", "ends_time": "11:00"}, "ends_time", ""),
        ({"ends_on": "", "ends_time": "11:00"}, "ends_time", "needs an end date"),
        ({"starts_time": "25:00"}, "starts_time", "HH:MM"),
        ({"usage_limit": "0"}, "usage_limit", "1 or more"),
        ({"per_customer_limit": "-1"}, "per_customer_limit", "1 or more"),
        ({"min_subtotal": "30,-"}, "min_subtotal", "in euros"),
        ({"banner_title_en": ""}, "banner_title_en", "needs a banner title"),
        ({"products": ["no-such-product"]}, "scope", "from the lists"),
    ],
)
def test_bad_input_gets_a_message_next_to_its_field_422_and_nothing_written(
    manager, session, changes, field, message
):
    before = counts(session)

    with frozen_at(SETTING_UP):
        response = create(manager, **changes)

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in field_error(html, field)
    assert 'class="error-summary" role="alert"' in html
    assert counts(session) == before


def test_a_code_that_exists_in_another_case_is_refused(manager, session):
    campaign(manager)
    before = counts(session)

    response = create(manager, code="HALLOWEEN2025")

    assert response.status_code == 422
    assert "exists already" in field_error(response.get_data(as_text=True), "code")
    assert counts(session) == before


def test_a_code_saved_meanwhile_by_another_manager_is_marked_at_the_code_field_in_dutch(
    manager, session
):
    """Another manager saves the same code between this form's check and its save: the
    service refuses, and the page marks the code field in Dutch as in English (the refusal
    is told by its reason, not by looking for an English word in translated words)."""
    saved_first: list[PromoCode] = []

    def another_manager_saves_it_first(connection: Any, cursor: Any, statement: str, *_: Any):
        # Right after this form asked whether the name is taken (it was not, yet).
        is_the_check = "FROM promo_codes" in statement and "promo_codes.code =" in statement
        if is_the_check and not saved_first:
            with Session(db.engine) as theirs:
                saved_first.append(make_code(theirs, "HALLOWEEN2025"))

    event.listen(db.engine, "after_cursor_execute", another_manager_saves_it_first)
    try:
        with frozen_at(SETTING_UP):
            response = manager.post(
                "/admin/promotions/new",
                data={"csrf_token": admin_csrf(manager), **HALLOWEEN_FORM},
                headers={"Accept-Language": "nl"},
            )
    finally:
        event.remove(db.engine, "after_cursor_execute", another_manager_saves_it_first)

    assert saved_first
    assert response.status_code == 422
    assert field_error(response.text, "code") == (
        "Er bestaat al een code met die naam (hoofdletters en kleine letters zijn hetzelfde)."
    )
    assert counts(session)[0] == 1


def test_a_duplicate_code_is_reported_together_with_the_other_mistakes(manager, session):
    campaign(manager)

    response = create(manager, code=" halloween2025", value="0")

    assert response.status_code == 422
    assert "exists already" in field_error(response.text, "code")
    assert "from 1 to 100" in field_error(response.text, "value")


def test_the_service_refuses_a_rename_onto_another_code_and_records_nothing(manager, session):
    halloween = campaign(manager)
    create(manager, code="OTHER")
    other = session.scalars(select(PromoCode).where(PromoCode.code == "other")).one()
    before = counts(session)
    draft = PromoDraft(code="HALLOWEEN2025", kind=Kind.PERCENT, value=15, window=halloween.window)

    with pytest.raises(InvalidPromoCode) as refused:
        update_promo_code(session, other.id, draft, now=DURING)

    assert refused.value.field == "code"
    assert counts(session) == before


def test_renaming_a_code_to_an_existing_one_is_refused(manager, session):
    campaign(manager)
    create(manager, code="OTHER")
    other = session.scalars(select(PromoCode).where(PromoCode.code == "other")).one()

    response = post(
        manager, f"/admin/promotions/{other.id}", {**HALLOWEEN_FORM, "code": "halloween2025 "}
    )

    assert response.status_code == 422
    assert "exists already" in field_error(response.get_data(as_text=True), "code")
    session.rollback()
    assert session.get(PromoCode, other.id).code == "other"


def test_bad_input_on_the_edit_form_changes_nothing(manager, session):
    code = campaign(manager)
    before = counts(session)

    response = post(
        manager, f"/admin/promotions/{code.id}", {**HALLOWEEN_FORM, "ends_on": "2025-10-01"}
    )

    assert response.status_code == 422
    assert "before the first day" in field_error(response.get_data(as_text=True), "ends_on")
    assert counts(session) == before
    assert the_code(session).ends_at == datetime(2025, 11, 2, 23, 0, tzinfo=UTC)


def test_the_preview_shows_the_banner_as_customers_see_it_and_saves_nothing(manager, session):
    before = counts(session)

    response = post(
        manager,
        "/admin/promotions/new",
        {**HALLOWEEN_FORM, "banner_text_en": "15% <b>off</b> & more", "action": "preview"},
    )

    assert response.status_code == 200
    english, dutch = BANNER.findall(response.get_data(as_text=True))
    assert text_of(english).startswith(
        "Halloween 2025: 15% OFF · code Halloween2025 · until 2 Nov · "
        "15% &lt;b&gt;off&lt;/b&gt; &amp; more"
    )
    assert "t/m 2 nov" in text_of(dutch)
    assert "Gebruik de code hieronder" in dutch
    assert counts(session) == before


# --- the "valid at …?" check ---------------------------------------------------------------


def check(client: Any, code: PromoCode, **query: str) -> tuple[int, str]:
    response = client.get(f"/admin/promotions/{code.id}", query_string={"check": "1", **query})
    found = re.search(r'<p class="check-answer[^"]*" role="status">([^<]*)</p>', response.text)
    return response.status_code, found.group(1) if found else ""


@pytest.mark.parametrize(
    ("at", "answer"),
    [
        ("2025-10-20T23:59:59", "not valid: starts on 21 October 2025"),
        ("2025-10-21T00:00", "valid"),
        ("2025-11-02T23:59:59", "valid"),
        ("2025-11-03T00:00", "not valid: ended on 2 November 2025"),
    ],
)
def test_the_valid_at_check_answers_like_the_cli(app, manager, session, at, answer):
    code = campaign(manager)

    status, said = check(manager, code, at=at)
    cli = app.test_cli_runner().invoke(args=["promo", "check", "HALLOWEEN2025", "--at", at])

    assert status == 200
    assert said.endswith(f"(Europe/Amsterdam): {answer}")
    assert said == cli.output.strip()


def test_the_check_takes_the_minimum_and_the_customer_into_account(app, manager, session, product):
    code = campaign(manager, min_subtotal="30,00", per_customer_limit="1")
    with frozen_at(DURING):
        place(session, product, 2, code="HALLOWEEN2025")  # Ann's one use

    during = "2025-10-25T12:00"
    assert check(manager, code, at=during, subtotal="29,99")[1].endswith(
        "not valid: needs a subtotal of €30.00"
    )
    assert check(manager, code, at=during, subtotal="30,00")[1].endswith(": valid")
    assert check(manager, code, at=during, email="ANN@example.nl")[1].endswith(
        "not valid: you have already used this code"
    )
    assert check(manager, code, at=during, email="bob@example.nl")[1].endswith(": valid")


def test_the_check_without_a_time_answers_for_now(manager, session):
    code = campaign(manager)

    with frozen_at(LAST_SECOND):
        _, said = check(manager, code)

    assert said == "Halloween2025 at 2 Nov 2025 23:59:59 (Europe/Amsterdam): valid"


@pytest.mark.parametrize(
    ("query", "field"),
    [({"at": "tomorrow"}, "at"), ({"subtotal": "1e3"}, "subtotal"), ({"email": "nope"}, "email")],
)
def test_the_check_refuses_bad_input_next_to_the_field(manager, session, query, field):
    code = campaign(manager)

    response = manager.get(f"/admin/promotions/{code.id}", query_string={"check": "1", **query})

    assert response.status_code == 422
    assert f'id="check-{field}-error"' in response.text


# --- who may do what -----------------------------------------------------------------------


def test_a_viewer_sees_the_codes_but_cannot_change_them(app, client, session):
    code = campaign(signed_in_client(app, session, Role.MANAGER))
    signed_in(client, session, Role.VIEWER)
    before = counts(session)

    listing = client.get("/admin/promotions")
    form = client.get(f"/admin/promotions/{code.id}")
    created = post(client, "/admin/promotions/new", {**HALLOWEEN_FORM, "code": "VIEWER"})
    updated = post(client, f"/admin/promotions/{code.id}", {**HALLOWEEN_FORM, "value": "90"})

    assert (listing.status_code, form.status_code) == (200, 200)
    assert "Halloween2025" in listing.text and "New promo code" not in listing.text
    assert '<fieldset class="promo-form-body" disabled>' in form.text
    assert (created.status_code, updated.status_code) == (403, 403)
    assert counts(session) == before


def signed_in_client(app, session, role: Role) -> Any:  # type: ignore[no-untyped-def]
    other = app.test_client()
    signed_in(other, session, role)
    return other


def test_an_unknown_code_is_404(manager):
    assert manager.get("/admin/promotions/999999").status_code == 404


# --- the audit log -------------------------------------------------------------------------


def audit_entries(session) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    session.rollback()
    return list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "PromoCode").order_by(AuditEntry.id)
        )
    )


def test_create_and_update_are_in_the_audit_log_with_before_and_after(client, session):
    member = signed_in(client, session, Role.MANAGER)
    code = campaign(client)
    with frozen_at(DURING):
        post(
            client,
            f"/admin/promotions/{code.id}",
            {**HALLOWEEN_FORM, "value": "20", "banner_title_en": "Halloween!", "usage_limit": "5"},
        )

    created, updated = audit_entries(session)
    assert (created.action, created.staff_email, created.object_id) == (
        "create",
        member.email,
        str(code.id),
    )
    assert created.at == SETTING_UP
    made = json.loads(created.changes)
    assert made["code"] == [None, "Halloween2025"]
    assert made["value"] == [None, 15]
    assert made["starts_at"] == [None, "2025-10-20T22:00:00+00:00"]
    assert (updated.action, updated.staff_id, updated.at) == ("update", member.id, DURING)
    assert json.loads(updated.changes) == {
        "banner_title_en": ["Halloween 2025", "Halloween!"],
        "usage_limit": [None, 5],
        "value": [15, 20],
    }


def test_saving_without_a_change_writes_nothing(manager, session):
    code = campaign(manager)
    before = counts(session)

    response = post(manager, f"/admin/promotions/{code.id}", HALLOWEEN_FORM)

    assert response.status_code == 303
    assert counts(session) == before


def test_a_manager_creates_a_free_shipping_code_listed_and_announced_as_such(app, manager, session):
    with frozen_at(SETTING_UP):
        response = create(manager, code="GratisVerzenden", kind="free_shipping", value="")
        assert response.status_code == 303
        code = the_code(session)
        cells = row_of(manager, code.id)

    assert (code.kind, code.value) == ("free_shipping", 0)
    assert cells[1:3] == ["free shipping", "free shipping"]
    with frozen_at(DURING):
        [banner] = banners_seen_by_a_visitor(app)
    assert ": FREE SHIPPING · code " in text_of(banner)
