"""Many customers at the same instant: stock, code limits and expiry hold under real threads.

Each thread works as a request would in a server: its own app context, so its own session
and its own database connection. A barrier starts them together. On SQLite the writers queue
for the write lock (BEGIN IMMEDIATE plus a busy timeout); on PostgreSQL they queue on the
rows their conditional UPDATEs lock. Either way nobody may see an error that is not a
refusal meant for a customer.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Order, OrderStatus, Product, PromoCode, PromoRedemption
from shop.rules.age import local_today
from shop.rules.promotions import PromoNotApplicable, Refusal
from shop.services.orders.holds import expire_due_orders
from shop.services.orders.placing import CheckoutRefusal, CheckoutRefused, ShopPolicy, place_order
from tests.helpers import AMSTERDAM, ANN, checkout_request, make_category, make_code, make_product

POLICY = ShopPolicy(min_age=18, age_policy_version=1, hold_minutes=30, currency="EUR")

PLACED_AT = datetime(2025, 10, 25, 14, 0, tzinfo=UTC)
AFTER_HOLD = PLACED_AT + timedelta(minutes=POLICY.hold_minutes + 5)

START_TOGETHER_TIMEOUT = 30  # seconds for every thread to reach the barrier
FINISH_TIMEOUT = 60  # seconds for every thread to finish, after which the test fails


@pytest.fixture
def app_settings(app_settings):  # type: ignore[no-untyped-def]
    # One connection per thread, so no thread waits for the pool (and times out) instead of
    # for the database.
    app_settings["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "pool_size": 20,
        "max_overflow": 40,
        "pool_pre_ping": True,
    }
    return app_settings


@dataclass(frozen=True)
class Placed:
    order_id: int
    discount_cents: int


def run_at_once(app: Any, tasks: list[Callable[[], Any]]) -> list[Any]:
    """Run each task in its own thread and app context, all released by one barrier.

    Returns what each task returned or the exception it raised, in task order.
    """
    db.session.rollback()  # the test's own snapshot must not hide what the threads write
    barrier = threading.Barrier(len(tasks))
    outcomes: list[Any] = [None] * len(tasks)

    def run(index: int, task: Callable[[], Any]) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=START_TOGETHER_TIMEOUT)
                outcomes[index] = task()
            except Exception as error:
                outcomes[index] = error

    threads = [
        threading.Thread(target=run, args=(index, task), name=f"customer-{index}", daemon=True)
        for index, task in enumerate(tasks)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=FINISH_TIMEOUT)
    assert not [thread.name for thread in threads if thread.is_alive()], "threads still running"
    db.session.rollback()
    return outcomes


def checkout_task(
    items: dict[int, int], email: str, code: str = "", *, now: datetime = PLACED_AT
) -> Callable[[], Placed]:
    request = checkout_request(items, customer=dataclasses.replace(ANN, email=email), code=code)

    def task() -> Placed:
        today = local_today(now, AMSTERDAM)
        order = place_order(db.session, request, POLICY, today=today, now=now)
        return Placed(order_id=order.id, discount_cents=order.discount_cents)

    return task


def products_for_each(session: Any, how_many: int) -> list[int]:
    """One product per customer, so the only row every checkout contends for is the code's."""
    category = make_category(session)
    return [make_product(session, category=category, stock=5).id for _ in range(how_many)]


def unexpected(outcomes: list[Any], *expected: type) -> list[Any]:
    return [outcome for outcome in outcomes if not isinstance(outcome, expected)]


def count(session: Any, model: Any) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_fifty_customers_buying_the_last_five_units_at_once_get_exactly_five_orders(app, session):
    # given
    product_id = make_product(session, stock=5).id

    # when
    outcomes = run_at_once(
        app, [checkout_task({product_id: 1}, f"customer{n}@example.nl") for n in range(50)]
    )

    # then
    assert unexpected(outcomes, Placed, CheckoutRefused) == []
    placed = [outcome for outcome in outcomes if isinstance(outcome, Placed)]
    refusals = [outcome.reason for outcome in outcomes if isinstance(outcome, CheckoutRefused)]
    assert len(placed) == 5
    assert refusals == [CheckoutRefusal.SOLD_OUT] * 45
    assert session.scalar(select(Product.stock).where(Product.id == product_id)) == 0
    assert count(session, Order) == 5


def test_fifty_customers_at_once_get_exactly_three_uses_of_a_code_limited_to_three(app, session):
    # given
    code_id = make_code(session, usage_limit=3).id
    products = products_for_each(session, 50)

    # when
    outcomes = run_at_once(
        app,
        [
            checkout_task({product_id: 1}, f"customer{n}@example.nl", code="halloween2025")
            for n, product_id in enumerate(products)
        ],
    )

    # then
    assert unexpected(outcomes, Placed, PromoNotApplicable) == []
    placed = [outcome for outcome in outcomes if isinstance(outcome, Placed)]
    refusals = [outcome.reason for outcome in outcomes if isinstance(outcome, PromoNotApplicable)]
    assert len(placed) == 3
    assert all(order.discount_cents > 0 for order in placed)
    assert refusals == [Refusal.USED_UP] * 47
    assert session.scalar(select(PromoCode.times_used).where(PromoCode.id == code_id)) == 3
    assert count(session, PromoRedemption) == 3
    assert count(session, Order) == 3
    assert session.scalar(select(func.sum(Product.stock))) == 50 * 5 - 3


def test_one_customer_checking_out_twenty_times_at_once_gets_a_once_per_customer_code_once(
    app, session
):
    # given
    code_id = make_code(session, per_customer_limit=1).id
    products = products_for_each(session, 20)
    spellings = ["ann@example.nl", " Ann@Example.NL", "ANN@EXAMPLE.NL "]

    # when
    outcomes = run_at_once(
        app,
        [
            checkout_task({product_id: 1}, spellings[n % 3], code="HALLOWEEN2025")
            for n, product_id in enumerate(products)
        ],
    )

    # then
    assert unexpected(outcomes, Placed, PromoNotApplicable) == []
    placed = [outcome for outcome in outcomes if isinstance(outcome, Placed)]
    refusals = [outcome.reason for outcome in outcomes if isinstance(outcome, PromoNotApplicable)]
    assert len(placed) == 1
    assert refusals == [Refusal.ALREADY_USED] * 19
    assert session.scalar(select(PromoCode.times_used).where(PromoCode.id == code_id)) == 1
    assert session.scalars(select(PromoRedemption.customer_email)).all() == ["ann@example.nl"]
    assert count(session, Order) == 1
    assert session.scalar(select(func.sum(Product.stock))) == 20 * 5 - 1


def test_two_expiry_runs_at_once_release_each_order_exactly_once(app, session):
    # given 20 orders past their hold and 5 still held, each with a unit and a code use
    product_id = make_product(session, stock=100).id
    code_id = make_code(session).id
    due = [
        checkout_task({product_id: 1}, f"due{n}@example.nl", code="HALLOWEEN2025")().order_id
        for n in range(20)
    ]
    for n in range(5):
        placed_later = AFTER_HOLD - timedelta(minutes=1)
        checkout_task(
            {product_id: 1}, f"held{n}@example.nl", code="HALLOWEEN2025", now=placed_later
        )()
    session.rollback()
    assert session.scalar(select(Product.stock).where(Product.id == product_id)) == 75

    # when
    outcomes = run_at_once(
        app, [lambda: expire_due_orders(db.session, now=AFTER_HOLD) for _ in range(2)]
    )

    # then
    assert unexpected(outcomes, int) == []
    assert sum(outcomes) == 20
    statuses = session.execute(select(Order.id, Order.status, Order.released_at)).all()
    assert sorted(order_id for order_id, status, _ in statuses if status == "expired") == due
    assert {released for _, status, released in statuses if status == "expired"} == {AFTER_HOLD}
    assert [status for _, status, _ in statuses].count(OrderStatus.PENDING_PAYMENT) == 5
    assert session.scalar(select(Product.stock).where(Product.id == product_id)) == 95
    assert session.scalar(select(PromoCode.times_used).where(PromoCode.id == code_id)) == 5
    assert count(session, PromoRedemption) == 5
