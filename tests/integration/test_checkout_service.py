"""`place_order` on a real database: what a placed order holds, and every refusal.

A placed order awaits payment, adds up to the cent, and keeps a snapshot of what was sold
and of every warning the customer acknowledged. A refused checkout writes nothing at all:
no order rows, no stock taken, no code use taken.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, inspect, select

from shop.extensions import db
from shop.models import (
    AcknowledgedWarning,
    AgeCheckMethod,
    AgeCheckOutcome,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    PromoCode,
    PromoRedemption,
    WarningKind,
)
from shop.rules.age import local_today
from shop.rules.promotions import Kind, PromoNotApplicable, Refusal
from shop.services.orders.placing import (
    CheckoutRefusal,
    CheckoutRefused,
    Customer,
    ShopPolicy,
    place_order,
    warnings_digest,
)
from shop.services.products import DisclaimerDraft, change_price, unpublish_product
from shop.services.promotions import UnknownCode
from tests.helpers import AMSTERDAM, ANN, BORN_1990, checkout_request, make_code, make_product

# A Saturday afternoon in the middle of the Halloween sale (21 October – 2 November 2025).
PLACED_AT = datetime(2025, 10, 25, 14, 0, tzinfo=UTC)
TODAY = local_today(PLACED_AT, AMSTERDAM)
AFTER_HALLOWEEN = datetime(2025, 11, 2, 23, 0, tzinfo=UTC)  # 00:00 on 3 November in Amsterdam

POLICY = ShopPolicy(min_age=18, age_policy_version=3, hold_minutes=30, currency="EUR")

DOSAGE = DisclaimerDraft(
    kind="dosage",
    text_en="Start with a low dose and wait two hours.",
    text_nl="Begin met een lage dosis en wacht twee uur.",
)
NOT_MEDICAL_ADVICE_TEXT = "Not medical advice. No proven effect in humans."
MUSHROOM_SENTENCE = "Do not use if you are allergic to mushrooms. Contains fungi (mushrooms)."


def checkout(
    session: Any,
    items: dict[int, int],
    *,
    customer: Customer = ANN,
    birth_date: date = BORN_1990,
    code: str = "",
    acknowledged: bool = True,
    digest: str | None = None,
    today: date = TODAY,
    now: datetime = PLACED_AT,
) -> Order:
    request = checkout_request(
        items,
        customer=customer,
        birth_date=birth_date,
        acknowledged=acknowledged,
        code=code,
        warnings_digest=digest,
    )
    return place_order(session, request, POLICY, today=today, now=now)


def as_customer(email: str) -> Customer:
    return Customer(
        email=email,
        name=ANN.name,
        street=ANN.street,
        postcode=ANN.postcode,
        city=ANN.city,
        country=ANN.country,
    )


def stock_of(session: Any, product: Product) -> int:
    return session.scalar(select(Product.stock).where(Product.id == product.id))


def times_used(session: Any, code: PromoCode) -> int:
    return session.scalar(select(PromoCode.times_used).where(PromoCode.id == code.id))


def rows_in(session: Any, model: Any) -> int:
    return session.scalar(select(func.count()).select_from(model))


def shop_state(session: Any) -> dict[str, object]:
    """Everything a checkout may write, read straight from the database."""
    return {
        "orders": rows_in(session, Order),
        "order lines": rows_in(session, OrderLine),
        "acknowledged warnings": rows_in(session, AcknowledgedWarning),
        "redemptions": rows_in(session, PromoRedemption),
        "stock": {pid: stock for pid, stock in session.execute(select(Product.id, Product.stock))},
        "times used": {
            cid: used for cid, used in session.execute(select(PromoCode.id, PromoCode.times_used))
        },
    }


@contextmanager
def nothing_written(session: Any) -> Iterator[None]:
    before = shop_state(session)
    yield
    assert shop_state(session) == before


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.fixture
def truffles(session):  # type: ignore[no-untyped-def]
    return make_product(session, "Golden Teacher 15 g", price_cents=1995, stock=10)


@pytest.fixture
def lions_mane(session):  # type: ignore[no-untyped-def]
    return make_product(session, "Lion's Mane capsules", price_cents=1250, stock=10)


# --- a placed order ------------------------------------------------------------------------


def test_placed_order_awaits_payment_under_a_yearly_number_and_an_unguessable_token(
    session, truffles
):
    first = checkout(session, {truffles.id: 1})
    second = checkout(session, {truffles.id: 1})

    assert first.status == OrderStatus.PENDING_PAYMENT
    assert re.fullmatch(r"\d{4}-\d{6}", first.number)
    assert first.number.startswith("2025-")
    assert first.number != second.number
    assert len(first.token) >= 32
    assert first.token != second.token


def test_placed_order_is_held_for_the_hold_time_and_takes_its_stock(session, truffles):
    order = checkout(session, {truffles.id: 3})

    assert order.created_at == PLACED_AT
    assert order.expires_at == PLACED_AT + timedelta(minutes=POLICY.hold_minutes)
    assert order.released_at is None
    assert stock_of(session, truffles) == 7


def test_order_totals_add_up_with_the_discount_spread_exactly_over_the_lines(
    session, truffles, lions_mane
):
    # given a cart of 19,95 + 12,50 = 32,45 and 15% off: 4,8675 rounds half up to 4,87
    make_code(session)

    # when
    order = checkout(session, {truffles.id: 1, lions_mane.id: 1}, code="HALLOWEEN2025")

    # then
    assert (order.subtotal_cents, order.discount_cents, order.total_cents) == (3245, 487, 2758)
    assert order.subtotal_cents - order.discount_cents == order.total_cents
    assert sum(line.discount_cents for line in order.lines) == order.discount_cents
    assert sum(line.line_total_cents for line in order.lines) == order.subtotal_cents
    assert [line.discount_cents for line in order.lines] == [299, 188]
    assert order.currency == "EUR"


def test_order_without_a_code_has_no_discount(session, truffles):
    order = checkout(session, {truffles.id: 2})

    assert (order.subtotal_cents, order.discount_cents, order.total_cents) == (3990, 0, 3990)
    assert order.promo_code_id is None
    assert order.promo_code_text == ""
    assert (order.promo_kind, order.promo_value) == (None, None)
    assert rows_in(session, PromoRedemption) == 0


def test_each_line_keeps_the_name_price_quantity_and_discount_share_it_was_sold_with(
    session, truffles, lions_mane
):
    make_code(session)

    order = checkout(session, {truffles.id: 2, lions_mane.id: 1}, code="HALLOWEEN2025")

    sold = [
        (
            line.product_id,
            line.product_slug,
            line.product_name,
            line.unit_price_cents,
            line.quantity,
            line.line_total_cents,
            line.discount_cents,
        )
        for line in order.lines
    ]
    # 15% of 52,40 is 7,86; split 39,90 : 12,50 it is 5,985 + 1,875, and the tied half
    # cent goes to the earlier line
    assert sold == [
        (truffles.id, truffles.slug, "Golden Teacher 15 g", 1995, 2, 3990, 599),
        (lions_mane.id, lions_mane.slug, "Lion's Mane capsules", 1250, 1, 1250, 187),
    ]


def test_each_line_keeps_every_disclaimer_and_the_allergy_sentence_with_their_hashes(session):
    # given a product with two disclaimers and a mushroom allergy statement
    product = make_product(
        session,
        disclaimers=[
            DisclaimerDraft("health", NOT_MEDICAL_ADVICE_TEXT, "Geen medisch advies."),
            DOSAGE,
        ],
    )
    health, dosage = product.disclaimers
    allergy_hash = product.allergy_statement.content_hash

    # when
    order = checkout(session, {product.id: 1})

    # then
    (line,) = order.lines
    acknowledged = [(w.kind, w.content_hash, w.text, w.text_hash) for w in line.warnings]
    assert acknowledged == [
        (
            WarningKind.HEALTH,
            health.content_hash,
            NOT_MEDICAL_ADVICE_TEXT,
            sha256(NOT_MEDICAL_ADVICE_TEXT),
        ),
        (WarningKind.DOSAGE, dosage.content_hash, DOSAGE.text_en, sha256(DOSAGE.text_en)),
        (WarningKind.ALLERGY, allergy_hash, MUSHROOM_SENTENCE, sha256(MUSHROOM_SENTENCE)),
    ]
    assert order.warnings_acknowledged_at == PLACED_AT


def test_later_price_and_disclaimer_edits_do_not_change_a_placed_order(session, truffles):
    # given a placed order and what it says
    order = checkout(session, {truffles.id: 1})
    order_id = order.id

    def as_placed() -> list[object]:
        placed = session.get(Order, order_id)
        return [
            (placed.subtotal_cents, placed.total_cents),
            *[(ln.product_name, ln.unit_price_cents, ln.line_total_cents) for ln in placed.lines],
            *[(w.content_hash, w.text, w.text_hash) for w in placed.lines[0].warnings],
        ]

    before = as_placed()

    # when staff raise the price and reword the disclaimer
    later = PLACED_AT + timedelta(days=1)
    change_price(session, truffles.id, 2495, now=later)
    product = session.get(Product, truffles.id)
    product.name_en = "Golden Teacher 15 g (new harvest)"
    product.disclaimers[0].text_en = "Reworded: not medical advice."
    product.disclaimers[0].content_hash = product.disclaimers[0].compute_hash()
    session.commit()
    session.expire_all()

    # then the order still says what the customer bought and agreed to
    assert as_placed() == before
    assert session.get(Product, truffles.id).price_cents == 2495


def test_order_records_the_age_check_it_passed(session, truffles):
    order = checkout(session, {truffles.id: 1})

    attestation = (
        order.age_check_outcome,
        order.age_check_method,
        order.age_checked_at,
        order.age_policy_version,
        order.age_required,
    )
    assert attestation == (AgeCheckOutcome.PASSED, AgeCheckMethod.DOB, PLACED_AT, 3, 18)


def test_no_birth_date_is_stored_with_an_order(session, truffles):
    born = date(1987, 3, 9)
    checkout(session, {truffles.id: 1}, birth_date=born)

    spellings = {
        born.isoformat(),
        born.strftime("%d-%m-%Y"),
        born.strftime("%d/%m/%Y"),
        born.strftime("%d.%m.%Y"),
        born.strftime("%Y%m%d"),
        born.strftime("%d%m%Y"),
    }
    inspector = inspect(db.engine)
    for table in ("orders", "order_lines", "acknowledged_warnings", "promo_redemptions"):
        names = [column["name"] for column in inspector.get_columns(table)]
        assert not [name for name in names if "birth" in name or "dob" in name], table
        rows = session.execute(select(db.metadata.tables[table])).all()
        values = [value for row in rows for value in row]
        assert born not in values, table
        stored = " ".join(str(value) for value in values)
        assert not [spelling for spelling in spellings if spelling in stored], table


def test_code_typed_in_another_case_with_spaces_applies(session, truffles):
    code = make_code(session)

    order = checkout(session, {truffles.id: 1}, code="  halloween2025 ")

    assert order.promo_code_id == code.id
    assert order.promo_code_text == "HALLOWEEN2025"
    assert order.discount_cents == 299  # 15% of 19,95 = 2,9925
    assert times_used(session, code) == 1


def test_the_order_keeps_the_kind_and_value_its_code_gave(session, truffles):
    make_code(session, "TAKE5", kind="amount", value=500)

    order = checkout(session, {truffles.id: 1}, code="take5")

    assert (order.promo_code_text, order.promo_kind, order.promo_value) == (
        "TAKE5",
        Kind.AMOUNT,
        500,
    )


def test_a_code_use_is_counted_for_the_mailbox_not_its_plus_tag(session, truffles):
    make_code(session, per_customer_limit=1)
    first = checkout(
        session, {truffles.id: 1}, code="HALLOWEEN2025", customer=as_customer("ann+1@example.nl")
    )

    with pytest.raises(PromoNotApplicable) as refused:
        checkout(
            session, {truffles.id: 1}, code="HALLOWEEN2025", customer=as_customer("Ann@example.nl")
        )
    another_customer = checkout(
        session, {truffles.id: 1}, code="HALLOWEEN2025", customer=as_customer("anne@example.nl")
    )

    assert refused.value.reason == Refusal.ALREADY_USED
    assert session.scalars(select(PromoRedemption.customer_email)).all() == [
        "ann@example.nl",
        "anne@example.nl",
    ]
    # The order keeps the address it was placed with, for its e-mails.
    assert (first.email, another_customer.email) == ("ann+1@example.nl", "anne@example.nl")


def test_a_code_use_is_recorded_against_the_normalised_email(session, truffles):
    code = make_code(session, per_customer_limit=1)

    order = checkout(
        session, {truffles.id: 1}, code="HALLOWEEN2025", customer=as_customer(" Ann@Example.NL")
    )

    redemption = session.scalars(select(PromoRedemption)).one()
    assert (redemption.promo_code_id, redemption.order_id) == (code.id, order.id)
    assert redemption.customer_email == "ann@example.nl"
    assert redemption.discount_cents == order.discount_cents
    assert order.email == "ann@example.nl"


def test_order_placed_with_the_digest_of_the_warnings_shown_goes_through(session, truffles):
    digest = warnings_digest([truffles])

    order = checkout(session, {truffles.id: 1}, digest=digest)

    assert order.status == OrderStatus.PENDING_PAYMENT


# --- refusals: each one writes nothing -----------------------------------------------------


def test_empty_cart_is_refused(session, truffles):
    with nothing_written(session), pytest.raises(CheckoutRefused) as refused:
        checkout(session, {})

    assert refused.value.reason == CheckoutRefusal.EMPTY_CART


def test_order_without_the_warnings_acknowledged_is_refused(session, truffles):
    with nothing_written(session), pytest.raises(CheckoutRefused) as refused:
        checkout(session, {truffles.id: 1}, acknowledged=False)

    assert refused.value.reason == CheckoutRefusal.NOT_ACKNOWLEDGED


def test_customer_of_17_years_and_364_days_is_refused(session, truffles):
    eighteenth_birthday = date(2025, 10, 26)
    born = date(2007, 10, 26)
    assert (eighteenth_birthday - TODAY).days == 1

    with nothing_written(session), pytest.raises(CheckoutRefused) as refused:
        checkout(session, {truffles.id: 1}, birth_date=born)

    assert refused.value.reason == CheckoutRefusal.TOO_YOUNG
    assert refused.value.required_age == 18


def test_birth_date_after_today_is_refused_as_too_young(session, truffles):
    with nothing_written(session), pytest.raises(CheckoutRefused) as refused:
        checkout(session, {truffles.id: 1}, birth_date=TODAY + timedelta(days=1))

    assert refused.value.reason == CheckoutRefusal.TOO_YOUNG


def test_customer_may_order_from_the_first_minute_of_their_18th_birthday_in_amsterdam(
    session, truffles
):
    # given 22:30 UTC on 25 October, which is already 00:30 on the 26th in Amsterdam
    born = date(2007, 10, 26)
    last_minute_aged_17 = datetime(2025, 10, 25, 21, 59, tzinfo=UTC)
    first_minutes_aged_18 = datetime(2025, 10, 25, 22, 30, tzinfo=UTC)

    # when / then
    with pytest.raises(CheckoutRefused):
        checkout(
            session,
            {truffles.id: 1},
            birth_date=born,
            today=local_today(last_minute_aged_17, AMSTERDAM),
            now=last_minute_aged_17,
        )
    order = checkout(
        session,
        {truffles.id: 1},
        birth_date=born,
        today=local_today(first_minutes_aged_18, AMSTERDAM),
        now=first_minutes_aged_18,
    )
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_product_with_a_minimum_age_of_21_needs_a_customer_of_21(session, truffles):
    # given a cart with an 18+ and a 21+ product
    strong = make_product(session, "Hollandia truffles", min_age=21)
    cart = {truffles.id: 1, strong.id: 1}
    twenty = date(2005, 1, 1)
    twenty_one = date(2004, 10, 25)

    # when a customer of 20 checks out, then
    with nothing_written(session), pytest.raises(CheckoutRefused) as refused:
        checkout(session, cart, birth_date=twenty)
    assert refused.value.reason == CheckoutRefusal.TOO_YOUNG
    assert refused.value.required_age == 21

    # when a customer who turned 21 today checks out, then
    order = checkout(session, cart, birth_date=twenty_one)
    assert order.age_required == 21
    assert [line.min_age for line in order.lines] == [18, 21]


def test_product_taken_off_sale_is_unavailable(session, truffles):
    unpublish_product(session, truffles.id, now=PLACED_AT)

    with nothing_written(session), pytest.raises(CheckoutRefused) as refused:
        checkout(session, {truffles.id: 1})

    assert refused.value.reason == CheckoutRefusal.UNAVAILABLE


def test_unknown_product_is_unavailable(session, truffles):
    with nothing_written(session), pytest.raises(CheckoutRefused) as refused:
        checkout(session, {truffles.id: 1, truffles.id + 1000: 1})

    assert refused.value.reason == CheckoutRefusal.UNAVAILABLE


def test_more_than_the_stock_is_refused_as_sold_out_with_the_count_available(session):
    product = make_product(session, "Golden Teacher 15 g", stock=3)

    with nothing_written(session), pytest.raises(CheckoutRefused) as refused:
        checkout(session, {product.id: 4})

    assert refused.value.reason == CheckoutRefusal.SOLD_OUT
    assert refused.value.available == 3
    assert refused.value.product_name == "Golden Teacher 15 g"
    assert stock_of(session, product) == 3


def test_a_sold_out_line_gives_back_the_stock_already_reserved_for_the_other_lines(session):
    # given stock is reserved line by line, the plentiful product first
    plentiful = make_product(session, "Lion's Mane capsules", stock=10)
    scarce = make_product(session, "Golden Teacher 15 g", stock=1)
    assert plentiful.id < scarce.id

    with nothing_written(session), pytest.raises(CheckoutRefused) as refused:
        checkout(session, {plentiful.id: 2, scarce.id: 2})

    assert refused.value.reason == CheckoutRefusal.SOLD_OUT
    assert stock_of(session, plentiful) == 10


def test_last_unit_sells_once_and_the_next_order_is_sold_out(session):
    product = make_product(session, stock=1)

    checkout(session, {product.id: 1})
    assert stock_of(session, product) == 0

    with nothing_written(session), pytest.raises(CheckoutRefused) as refused:
        checkout(session, {product.id: 1}, customer=as_customer("bob@example.nl"))
    assert refused.value.reason == CheckoutRefusal.SOLD_OUT
    assert refused.value.available == 0
    assert stock_of(session, product) == 0


def test_code_sells_its_last_use_and_is_then_used_up(session, truffles):
    code = make_code(session, usage_limit=2)
    checkout(session, {truffles.id: 1}, code="HALLOWEEN2025")

    last = checkout(
        session, {truffles.id: 1}, code="HALLOWEEN2025", customer=as_customer("bob@example.nl")
    )
    assert last.discount_cents > 0
    assert times_used(session, code) == 2

    with nothing_written(session), pytest.raises(PromoNotApplicable) as refused:
        checkout(
            session, {truffles.id: 1}, code="HALLOWEEN2025", customer=as_customer("cy@example.nl")
        )
    assert refused.value.reason == Refusal.USED_UP
    assert times_used(session, code) == 2


def test_once_per_customer_code_refuses_the_same_email_in_another_case_and_with_spaces(
    session, truffles
):
    make_code(session, per_customer_limit=1)
    checkout(session, {truffles.id: 1}, code="HALLOWEEN2025")

    with nothing_written(session), pytest.raises(PromoNotApplicable) as refused:
        checkout(
            session,
            {truffles.id: 1},
            code="HALLOWEEN2025",
            customer=as_customer(" Ann@Example.NL"),
        )

    assert refused.value.reason == Refusal.ALREADY_USED


def test_once_per_customer_code_is_still_open_to_another_customer(session, truffles):
    code = make_code(session, per_customer_limit=1)
    checkout(session, {truffles.id: 1}, code="HALLOWEEN2025")

    order = checkout(
        session, {truffles.id: 1}, code="HALLOWEEN2025", customer=as_customer("bob@example.nl")
    )

    assert order.promo_code_id == code.id
    assert times_used(session, code) == 2


def test_code_after_its_last_day_is_refused_as_ended(session, truffles):
    make_code(session)

    with nothing_written(session), pytest.raises(PromoNotApplicable) as refused:
        checkout(session, {truffles.id: 1}, code="HALLOWEEN2025", now=AFTER_HALLOWEEN)

    assert refused.value.reason == Refusal.ENDED


def test_unknown_code_is_refused(session, truffles):
    make_code(session)

    with nothing_written(session), pytest.raises(UnknownCode):
        checkout(session, {truffles.id: 1}, code="HALLOWEEN2024")


def test_warnings_changed_since_the_checkout_page_was_shown_refuse_the_order(session, truffles):
    # given the digest of the warnings on the checkout page
    shown = warnings_digest([truffles])

    # when staff reword the disclaimer before the customer presses "order"
    truffles.disclaimers[0].text_en = "Reworded: not medical advice, ever."
    truffles.disclaimers[0].content_hash = truffles.disclaimers[0].compute_hash()
    session.commit()

    # then
    with nothing_written(session), pytest.raises(CheckoutRefused) as refused:
        checkout(session, {truffles.id: 1}, digest=shown)
    assert refused.value.reason == CheckoutRefusal.WARNINGS_CHANGED


def test_refused_code_leaves_the_stock_alone(session):
    product = make_product(session, stock=5)
    make_code(session, min_subtotal_cents=5000)

    with nothing_written(session), pytest.raises(PromoNotApplicable) as refused:
        checkout(session, {product.id: 1}, code="HALLOWEEN2025")

    assert refused.value.reason == Refusal.BELOW_MINIMUM
    assert stock_of(session, product) == 5


def test_refusal_leaves_the_session_usable_for_the_next_checkout(session):
    product = make_product(session, stock=1)
    with pytest.raises(CheckoutRefused):
        checkout(session, {product.id: 2})

    order = checkout(session, {product.id: 1})

    assert order.status == OrderStatus.PENDING_PAYMENT
