"""Unpaid orders expire after their hold: stock and the code's use come back, exactly once.

`expire_due_orders` is what `flask --app shop orders expire` runs from cron; viewing an
order whose hold has run out (`order_for_customer`) releases it too. A paid order is never
released, whatever the clock says.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from shop.models import Order, OrderStatus, Product, PromoCode, PromoRedemption
from shop.rules.age import local_today
from shop.rules.promotions import PromoNotApplicable, Refusal
from shop.services.orders.holds import expire_due_orders, order_for_customer, release_order
from shop.services.orders.placing import ShopPolicy, place_order
from tests import helpers
from tests.helpers import AMSTERDAM, checkout_request, make_code, make_product

POLICY = ShopPolicy(min_age=18, age_policy_version=1, hold_minutes=30, currency="EUR")

PLACED_AT = datetime(2025, 10, 25, 14, 0, tzinfo=UTC)
HOLD_ENDS = PLACED_AT + timedelta(minutes=POLICY.hold_minutes)
LAST_SECOND_OF_HOLD = HOLD_ENDS - timedelta(seconds=1)
AFTER_HOLD = HOLD_ENDS + timedelta(minutes=5)
NEXT_DAY = PLACED_AT + timedelta(days=1)

ANN = "ann@example.nl"


def place(
    session: Any,
    product: Product,
    quantity: int = 1,
    *,
    code: str = "",
    email: str = ANN,
    now: datetime = PLACED_AT,
) -> Order:
    request = checkout_request(
        {product.id: quantity}, customer=dataclasses.replace(helpers.ANN, email=email), code=code
    )
    return place_order(session, request, POLICY, today=local_today(now, AMSTERDAM), now=now)


def stock_of(session: Any, product: Product) -> int:
    return session.scalar(select(Product.stock).where(Product.id == product.id))


def times_used(session: Any, code: PromoCode) -> int:
    return session.scalar(select(PromoCode.times_used).where(PromoCode.id == code.id))


def status_of(session: Any, order_id: int) -> tuple[OrderStatus, datetime | None]:
    row = session.execute(select(Order.status, Order.released_at).where(Order.id == order_id))
    status, released_at = row.one()
    return OrderStatus(status), released_at


def redemptions(session: Any) -> int:
    return session.scalar(select(func.count()).select_from(PromoRedemption))


def mark_paid(session: Any, order_id: int) -> None:
    """Set-up only: the payment flow that does this for real comes with the payment issue."""
    session.execute(
        update(Order).where(Order.id == order_id).values(status=OrderStatus.PAID, paid_at=PLACED_AT)
    )
    session.commit()


@pytest.fixture
def product(session):  # type: ignore[no-untyped-def]
    return make_product(session, stock=10)


def test_unpaid_order_past_its_hold_expires_and_gives_back_stock_and_code_use(session, product):
    # given an unpaid order for 3 units with a code
    code = make_code(session)
    order = place(session, product, 3, code="HALLOWEEN2025")
    assert stock_of(session, product) == 7
    assert (times_used(session, code), redemptions(session)) == (1, 1)

    # when
    released = expire_due_orders(session, now=AFTER_HOLD)

    # then
    assert released == 1
    assert status_of(session, order.id) == (OrderStatus.EXPIRED, AFTER_HOLD)
    assert stock_of(session, product) == 10
    assert times_used(session, code) == 0
    assert redemptions(session) == 0


def test_customer_may_use_a_once_per_customer_code_again_after_their_order_expired(
    session, product
):
    # given an order that used the customer's one use of the code
    make_code(session, per_customer_limit=1)
    place(session, product, code="HALLOWEEN2025")
    with pytest.raises(PromoNotApplicable) as refused:
        place(session, product, code="HALLOWEEN2025")
    assert refused.value.reason == Refusal.ALREADY_USED

    # when that order expires unpaid
    expire_due_orders(session, now=AFTER_HOLD)

    # then the customer may use the code again
    again = place(session, product, code="HALLOWEEN2025")
    assert again.discount_cents > 0


def test_order_keeps_its_stock_until_the_last_second_of_its_hold(session, product):
    order = place(session, product, 2)

    released = expire_due_orders(session, now=LAST_SECOND_OF_HOLD)

    assert released == 0
    assert status_of(session, order.id) == (OrderStatus.PENDING_PAYMENT, None)
    assert stock_of(session, product) == 8


def test_order_is_released_the_moment_its_hold_ends(session, product):
    order = place(session, product, 2)

    released = expire_due_orders(session, now=HOLD_ENDS)

    assert released == 1
    assert status_of(session, order.id) == (OrderStatus.EXPIRED, HOLD_ENDS)


def test_only_orders_past_their_hold_are_released(session, product):
    # given one order placed at PLACED_AT and one ten minutes later
    early = place(session, product, 1)
    late = place(session, product, 1, email="bob@example.nl", now=PLACED_AT + timedelta(minutes=10))

    # when the job runs after the first hold ended and before the second does
    released = expire_due_orders(session, now=AFTER_HOLD)

    # then
    assert released == 1
    assert status_of(session, early.id)[0] == OrderStatus.EXPIRED
    assert status_of(session, late.id)[0] == OrderStatus.PENDING_PAYMENT
    assert stock_of(session, product) == 9


def test_running_the_expiry_twice_releases_an_order_once(session, product):
    # given two uses of the code, one by an order that will expire and one still held
    code = make_code(session)
    expiring = place(session, product, 2, code="HALLOWEEN2025")
    place(
        session,
        product,
        1,
        code="HALLOWEEN2025",
        email="bob@example.nl",
        now=PLACED_AT + timedelta(minutes=20),
    )

    # when
    first = expire_due_orders(session, now=AFTER_HOLD)
    second = expire_due_orders(session, now=AFTER_HOLD + timedelta(minutes=1))

    # then
    assert (first, second) == (1, 0)
    assert status_of(session, expiring.id) == (OrderStatus.EXPIRED, AFTER_HOLD)
    assert stock_of(session, product) == 9
    assert times_used(session, code) == 1
    assert redemptions(session) == 1


def test_releasing_an_already_released_order_changes_nothing(session, product):
    order = place(session, product, 2)
    assert release_order(session, order.id, now=AFTER_HOLD) is True

    again = release_order(session, order.id, now=NEXT_DAY, only_if_due=False)

    assert again is False
    assert status_of(session, order.id) == (OrderStatus.EXPIRED, AFTER_HOLD)
    assert stock_of(session, product) == 10


def test_viewing_an_order_past_its_hold_releases_it(session, product):
    # given an unpaid order past its hold that no expiry job has seen yet
    code = make_code(session)
    order = place(session, product, 3, code="HALLOWEEN2025")

    # when the customer opens the order page
    seen = order_for_customer(session, order.token, now=AFTER_HOLD)

    # then
    assert seen.id == order.id
    assert seen.status == OrderStatus.EXPIRED
    assert seen.released_at == AFTER_HOLD
    assert not seen.is_payable
    assert stock_of(session, product) == 10
    assert times_used(session, code) == 0
    assert expire_due_orders(session, now=NEXT_DAY) == 0
    assert stock_of(session, product) == 10


def test_viewing_an_order_within_its_hold_leaves_it_payable(session, product):
    order = place(session, product, 3)

    seen = order_for_customer(session, order.token, now=LAST_SECOND_OF_HOLD)

    assert seen.is_payable
    assert seen.status == OrderStatus.PENDING_PAYMENT
    assert stock_of(session, product) == 7


def test_paid_order_is_never_released(session, product):
    # given an order paid for (and so past its hold by the time anyone looks again)
    code = make_code(session)
    order = place(session, product, 3, code="HALLOWEEN2025")
    mark_paid(session, order.id)

    # when the expiry job runs, the customer views it, and a release is forced
    released = expire_due_orders(session, now=NEXT_DAY)
    seen = order_for_customer(session, order.token, now=NEXT_DAY)
    forced = release_order(session, order.id, now=NEXT_DAY, only_if_due=False)

    # then
    assert (released, forced) == (0, False)
    assert seen.status == OrderStatus.PAID
    assert status_of(session, order.id) == (OrderStatus.PAID, None)
    assert stock_of(session, product) == 7
    assert times_used(session, code) == 1
    assert redemptions(session) == 1
