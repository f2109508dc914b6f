"""Writes under concurrency: `place_order` and payment events, each from 8 client processes
that work as gunicorn's workers do (their own app, session and connection; forked, so that
Python's work spreads over the cores as it does under a server — 8 threads in one process
measured the GIL, ~120 orders/s whatever the database could do).

The reference measured beside each is the database's own write floor in the same run: the
same threads committing the smallest write transaction there is (one UPDATE of one row of
their own), so the ratio says how much of the database's commit rate a checkout or a
webhook keeps.
"""

from __future__ import annotations

import multiprocessing
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select, text, update

from bench.data import SECRET_KEY, Database, shop_settings

CLIENTS = 8
PUBLIC_CODE = "BENCH10"  # bench.data adds it, without a usage limit


@dataclass(frozen=True)
class Throughput:
    name: str
    per_second: float
    done: int
    refused: int
    failed: int
    seconds: float
    cpu_ms_per_op: float = 0.0  # the clients' CPU: Python's share of the work
    note: str = ""


def _app(database: Database) -> Any:
    from shop import create_app

    settings = shop_settings(database)
    # Every thread its own connection: nobody waits for the pool instead of the database.
    return create_app(
        {
            **settings,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": CLIENTS + 2, "max_overflow": 0},
        }
    )


def _run_clients(
    make_app: Callable[[], Any], work: Callable[[int], Callable[[], str]], seconds: float
) -> dict:
    """Each of CLIENTS forked processes builds its app, then repeats its step until the
    deadline (or until the step raises StopIteration: no more work); counts what the steps
    returned, and the CPU the clients used."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(CLIENTS + 1)
    results = context.Queue()

    def client(index: int) -> None:
        from shop.extensions import db

        app = make_app()
        counts: dict[str, int] = {}
        with app.app_context():
            step = work(index)
            barrier.wait()
            deadline = time.monotonic() + seconds
            cpu_before = time.process_time()
            while time.monotonic() < deadline:
                try:
                    outcome = step()
                except StopIteration:
                    break
                except Exception as error:  # counted, not raised: a failure is a figure
                    db.session.rollback()
                    outcome = f"failed: {type(error).__name__}: {error}"[:200]
                counts[outcome] = counts.get(outcome, 0) + 1
            finished = time.monotonic()
            cpu = time.process_time() - cpu_before
            db.session.remove()
            db.engine.dispose()
        results.put((counts, finished, cpu))

    processes = [context.Process(target=client, args=(n,), daemon=True) for n in range(CLIENTS)]
    for process in processes:
        process.start()
    barrier.wait()
    started = time.monotonic()  # CLOCK_MONOTONIC is the same clock in every process
    reports = [results.get(timeout=seconds + 300) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    merged: dict[str, int] = {}
    for counts, _, _ in reports:
        for outcome, n in counts.items():
            merged[outcome] = merged.get(outcome, 0) + n
    return {
        "elapsed": max(finished for _, finished, _ in reports) - started,
        "cpu": sum(cpu for _, _, cpu in reports),
        "outcomes": merged,
    }


def write_floor(database: Database, *, seconds: float) -> Throughput:
    """The smallest write transaction, from 8 threads: UPDATE one row of one's own, commit."""
    from shop.db import begin_write
    from shop.extensions import db

    app = _app(database)
    with app.app_context():
        db.session.execute(
            text("CREATE TABLE IF NOT EXISTS bench_writes (id INTEGER PRIMARY KEY, n INTEGER)")
        )
        db.session.execute(text("DELETE FROM bench_writes"))
        for n in range(CLIENTS):
            db.session.execute(text("INSERT INTO bench_writes (id, n) VALUES (:id, 0)"), {"id": n})
        db.session.commit()

    def work(index: int) -> Callable[[], str]:
        def step() -> str:
            begin_write(db.session)
            db.session.execute(
                text("UPDATE bench_writes SET n = n + 1 WHERE id = :id"), {"id": index}
            )
            db.session.commit()
            return "done"

        return step

    with app.app_context():
        db.engine.dispose()  # no connection of the parent's may cross the fork
    result = _run_clients(lambda: _app(database), work, seconds)
    return _throughput("write floor (1-row UPDATE + COMMIT)", result)


def _throughput(name: str, result: dict, note: str = "") -> Throughput:
    outcomes = result["outcomes"]
    done = outcomes.get("done", 0)
    refused = sum(n for outcome, n in outcomes.items() if outcome.startswith("refused"))
    failed = sum(n for outcome, n in outcomes.items() if outcome.startswith("failed"))
    failures = [outcome for outcome in outcomes if outcome.startswith("failed")]
    if failures:
        note = (note + "; " if note else "") + "; ".join(failures[:3])
    return Throughput(
        name=name,
        per_second=done / result["elapsed"],
        done=done,
        refused=refused,
        failed=failed,
        seconds=result["elapsed"],
        cpu_ms_per_op=result["cpu"] * 1000 / max(1, done + refused + failed),
        note=note,
    )


def prepare_orders() -> list[int]:
    """Give every product plenty of stock (in the app context); returns the active products'
    ids, from which the checkouts choose."""
    from shop.extensions import db
    from shop.models import Product

    # Enough stock that the benchmark measures checkouts, not sold-out refusals.
    db.session.execute(update(Product).values(stock=1_000_000))
    db.session.commit()
    return list(db.session.scalars(select(Product.id).where(Product.is_active)))


def order_work(product_ids: list[int]) -> Callable[[int], Callable[[], str]]:
    """Client `index`'s checkout step: 1–3 lines of `product_ids`, every third order with the
    public code (whose row every such checkout updates)."""
    from shop import clock
    from shop.extensions import db
    from shop.rules.age import local_today
    from shop.rules.promotions import PromoNotApplicable
    from shop.services.orders.placing import (
        CheckoutRefused,
        CheckoutRequest,
        Customer,
        ShopPolicy,
        place_order,
    )

    policy = ShopPolicy(min_age=18, age_policy_version=1, hold_minutes=30, currency="EUR")

    def work(index: int) -> Callable[[], str]:
        chooser = random.Random(index)
        serial = [0]
        tz = clock.shop_timezone()

        def step() -> str:
            serial[0] += 1
            lines = chooser.sample(product_ids, chooser.randint(1, 3))
            request = CheckoutRequest(
                items={product_id: chooser.randint(1, 2) for product_id in lines},
                customer=Customer(
                    email=f"client{index}-{serial[0]}@example.nl",
                    name="Ann de Vries",
                    street="Prinsengracht 263",
                    postcode="1016 GV",
                    city="Amsterdam",
                    country="NL",
                ),
                birth_date=date(1990, 5, 17),
                acknowledged=True,
                code=PUBLIC_CODE if serial[0] % 3 == 0 else "",
                locale="en",
            )
            now = clock.now()
            try:
                place_order(db.session, request, policy, today=local_today(now, tz), now=now)
            except (CheckoutRefused, PromoNotApplicable) as refused:
                return f"refused: {refused}"
            return "done"

        return step

    return work


def place_orders(database: Database, *, seconds: float) -> tuple[Throughput, list[int]]:
    """`place_order` from 8 clients (`order_work`). Returns the ids of the orders placed, for
    the webhook benchmark."""
    from shop.extensions import db
    from shop.models import (
        AcknowledgedWarning,
        Order,
        OrderLine,
        OrderStatusEvent,
        OrderStep,
        Product,
        PromoCode,
        PromoRedemption,
    )

    app = _app(database)
    with app.app_context():
        work = order_work(prepare_orders())
        db.engine.dispose()  # no connection of the parent's may cross the fork
    result = _run_clients(lambda: _app(database), work, seconds)
    with app.app_context():
        order_ids = list(db.session.scalars(select(Order.id).order_by(Order.id)))
        # The guarantees, checked afterwards: no stock below zero, the code's count of uses
        # equals its redemptions, each order has lines, warnings and one "placed" step.
        below_zero = db.session.scalar(
            select(func.count()).select_from(Product).where(Product.stock < 0)
        )
        used = db.session.scalar(select(PromoCode.times_used).where(PromoCode.code == "bench10"))
        redeemed = db.session.scalar(select(func.count()).select_from(PromoRedemption))
        with_lines = db.session.scalar(select(func.count(func.distinct(OrderLine.order_id))))
        with_warnings = db.session.scalar(
            select(func.count(func.distinct(OrderLine.order_id))).join(
                AcknowledgedWarning, AcknowledgedWarning.order_line_id == OrderLine.id
            )
        )
        placed = db.session.scalar(
            select(func.count()).where(OrderStatusEvent.step == OrderStep.PLACED)
        )
        db.engine.dispose()
    orders = len(order_ids)
    consistent = below_zero == 0 and used == redeemed
    consistent = consistent and orders == with_lines == with_warnings == placed
    note = (
        f"1-3 lines, every third order with a code; {len(order_ids)} orders, {with_lines} with "
        f"lines, {with_warnings} with warnings, {placed} 'placed' steps; code used {used} times, "
        f"{redeemed} redemptions; {below_zero} products below zero"
        + ("" if consistent else " (MISMATCH)")
    )
    return _throughput("place_order", result, note), order_ids


Delivery = tuple[bytes, str]  # a signed event's body and its signature header


def prepare_events(order_ids: list[int], secret: str) -> list[Delivery]:
    """The payment intents of the pending orders among `order_ids` (in the app context) and
    a `payment_intent.succeeded` for each, signed: two in three deliveries are new events,
    one in three repeats an earlier one (Stripe's retries)."""
    from shop import clock
    from shop.extensions import db
    from shop.models import Order, OrderStatus, PaymentAttempt, PaymentProvider
    from shop.payments.test_gateway import signed_event

    orders = db.session.execute(
        select(Order.id, Order.total_cents, Order.currency, Order.number).where(
            Order.id.in_(order_ids), Order.status == OrderStatus.PENDING_PAYMENT
        )
    ).all()
    # The intents the payment page would have made: only an intent the shop made pays.
    now = clock.now()
    db.session.add_all(
        PaymentAttempt(
            order_id=order_id,
            sequence=1,
            provider=PaymentProvider.TEST,
            intent_id=f"pi_bench_{order_id}",
            amount_cents=total,
            currency=currency,
            status="requires_payment_method",
            created_at=now,
        )
        for order_id, total, currency, _ in orders
    )
    db.session.commit()
    rng = random.Random(7)
    deliveries: list[Delivery] = []
    sent: list[Delivery] = []
    for serial, (order_id, total, currency, number) in enumerate(orders):
        body, header = signed_event(
            "payment_intent.succeeded",
            {
                "id": f"pi_bench_{order_id}",
                "object": "payment_intent",
                "amount": total,
                "amount_received": total,
                "currency": currency.lower(),
                "status": "succeeded",
                "latest_charge": f"ch_bench_{order_id}",
                "metadata": {"order_id": str(order_id), "order_number": number or ""},
            },
            secret=secret,
            event_id=f"evt_bench_{order_id}",
        )
        sent.append((body, header))
        deliveries.append((body, header))
        if serial % 2 == 1:
            deliveries.append(rng.choice(sent))
    return deliveries


def event_work(deliveries: list[Delivery], secret: str) -> Callable[[int], Callable[[], str]]:
    """Client `index`'s step: verify and receive the next of its share of `deliveries`."""
    from shop import clock
    from shop.extensions import db
    from shop.models import PaymentProvider
    from shop.payments.events import verify_event
    from shop.services.webhooks import receive_event

    def work(index: int) -> Callable[[], str]:
        # Each client its share; a duplicate may reach another client at the same moment,
        # as Stripe's retries reach another server.
        mine = iter(deliveries[index::CLIENTS])

        def step() -> str:
            body, header = next(mine)  # StopIteration when this client's share is done
            event = verify_event(body, header, [secret])
            outcome = receive_event(
                db.session(), event, provider=PaymentProvider.TEST, now=clock.now()
            ).text
            return "done" if outcome == "paid" else f"done: {outcome}"

        return step

    return work


def receive_events(database: Database, order_ids: list[int], *, seconds: float) -> Throughput:
    """`payment_intent.succeeded` for pending orders, verified and received from 8 clients;
    a third of the deliveries are duplicates of events already sent (Stripe's retries)."""
    from shop.extensions import db
    from shop.models import (
        Invoice,
        Order,
        OrderStatus,
        OrderStatusEvent,
        OrderStep,
        OutboxEmail,
        PaymentEvent,
    )
    from shop.payments.test_gateway import local_webhook_secret

    app = _app(database)
    secret = local_webhook_secret(SECRET_KEY)
    with app.app_context():
        deliveries = prepare_events(order_ids, secret)
    work = event_work(deliveries, secret)

    with app.app_context():
        db.engine.dispose()  # no connection of the parent's may cross the fork
    result = _run_clients(lambda: _app(database), work, seconds)
    outcomes = result["outcomes"]
    processed = sum(n for outcome, n in outcomes.items() if outcome.startswith("done"))
    duplicates = outcomes.get("done: duplicate", 0)
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(PaymentEvent))
        paid = db.session.scalar(
            select(func.count()).select_from(Order).where(Order.status == OrderStatus.PAID)
        )
        emails = db.session.scalar(select(func.count()).select_from(OutboxEmail))
        # One of each per paid order, not merely as many: a second e-mail or "paid" step for
        # one order and a missing one for another would balance a bare count.
        told = db.session.scalar(select(func.count(func.distinct(OutboxEmail.order_id))))
        steps = db.session.scalar(
            select(func.count(func.distinct(OrderStatusEvent.order_id))).where(
                OrderStatusEvent.step == OrderStep.PAID
            )
        )
        step_rows = db.session.scalar(
            select(func.count()).where(OrderStatusEvent.step == OrderStep.PAID)
        )
        invoiced = db.session.scalar(select(func.count(func.distinct(Invoice.order_id))))
        db.engine.dispose()
    delivered = processed + sum(outcomes[o] for o in outcomes if o.startswith("failed"))
    # Every copy after the first of an event must have been recognised as a duplicate.
    expected_duplicates = (
        delivered - len({body for body, _ in deliveries[:delivered]})
        if delivered == len(deliveries)
        else None
    )
    consistent = stored == paid == emails == told == steps == step_rows == invoiced and (
        expected_duplicates is None or duplicates == expected_duplicates
    )
    note = (
        f"{duplicates} of {processed} were duplicates; {stored} events stored, {paid} orders "
        f"paid, {emails} e-mails queued (for {told} orders), {step_rows} 'paid' steps (for "
        f"{steps}), {invoiced} invoices" + ("" if consistent else " (MISMATCH)")
    )
    if delivered == len(deliveries):
        note += "; every event was delivered before the time was up"
    failures = [outcome for outcome in outcomes if outcome.startswith("failed")]
    return Throughput(
        name="payment events (verify + receive_event)",
        per_second=processed / result["elapsed"],
        done=processed,
        refused=0,
        failed=sum(outcomes[outcome] for outcome in failures),
        seconds=result["elapsed"],
        cpu_ms_per_op=result["cpu"] * 1000 / max(1, processed),
        note=note + ("; " + "; ".join(failures[:3]) if failures else ""),
    )
