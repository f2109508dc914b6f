"""One client's writes, looked at closely: `place_order` and payment events as bench/writes.py
makes them, run in this process, with the SQL statements each operation sends (counted by
kind) and the CPU it takes, and optionally cProfile's heaviest functions.

    .venv/bin/python -m bench.profile_writes --database postgresql --operations 300 --profile

What belongs here: measuring one client, to find where its time goes; the throughput under
concurrency is bench/writes.py's (through `bench.run --only orders`).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from bench import writes
from bench.data import DEFAULT_POSTGRES_ADMIN_URL, SECRET_KEY, fresh_database, load_catalogue


@contextmanager
def counted_statements(engine: Any) -> Iterator[Counter[str]]:
    """Count the statements the engine sends while inside, by their first words and table
    (an executemany counts once: it is one round trip's worth of work on the server)."""
    counts: Counter[str] = Counter()

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        words = statement.split(None, 4)
        verb = words[0].upper() if words else "?"
        table = re.search(r"\b(?:FROM|INTO|UPDATE)\s+(\w+)", statement, re.IGNORECASE)
        counts[f"{verb} {table.group(1) if table else ''}".strip()] += 1

    def count_begin(_conn: Any) -> None:
        counts["BEGIN"] += 1

    def count_commit(_conn: Any) -> None:
        counts["COMMIT"] += 1

    event.listen(engine, "before_cursor_execute", count)
    event.listen(engine, "begin", count_begin)
    event.listen(engine, "commit", count_commit)
    try:
        yield counts
    finally:
        event.remove(engine, "before_cursor_execute", count)
        event.remove(engine, "begin", count_begin)
        event.remove(engine, "commit", count_commit)


def _measure(
    name: str, step: Callable[[], str], operations: int, engine: Any, profile: bool
) -> None:
    """Run `operations` steps counting statements and CPU, then as many again under
    cProfile: its count of Python function calls per operation is the steady figure on a
    busy machine (CPU time is not, with other processes on the same cores)."""
    for _ in range(20):  # warm the caches (compiled statements, the pool) first
        step()
    outcomes: Counter[str] = Counter()
    with counted_statements(engine) as counts:
        cpu = time.process_time()
        for _ in range(operations):
            outcomes[step()] += 1
        cpu = time.process_time() - cpu
    # CPU time, not the wall clock: waiting for the database is not what is looked for here.
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(operations):
        step()
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = sum(n for kind, n in counts.items() if kind not in ("BEGIN", "COMMIT"))
    print(f"\n{name}: {operations} operations, {dict(outcomes)}")
    print(
        f"  CPU {cpu * 1000 / operations:.2f} ms/op, {total / operations:.2f} statements/op, "
        f"{stats.total_calls / operations:,.0f} Python calls/op"  # type: ignore[attr-defined]
    )
    for kind, n in counts.most_common():
        print(f"    {n / operations:6.2f}  {kind}")
    if profile:
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES_ADMIN_URL)
    parser.add_argument("--operations", type=int, default=300)  # twice: timed, profiled
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--profile", action="store_true", help="print cProfile's heaviest")
    options = parser.parse_args(argv)

    from shop.extensions import db
    from shop.payments.test_gateway import local_webhook_secret

    with fresh_database(options.database, options.postgres) as database:
        load_catalogue(database, options.products)
        app = writes._app(database)
        with app.app_context():
            order_step = writes.order_work(writes.prepare_orders())(0)
            _measure("place_order", order_step, options.operations, db.engine, options.profile)
            from sqlalchemy import select

            from shop.models import Order

            order_ids = list(db.session.scalars(select(Order.id)))
            secret = local_webhook_secret(SECRET_KEY)
            deliveries = writes.prepare_events(order_ids, secret)
            # One client gets every delivery: writes.event_work deals every CLIENTS-th to it.
            dealt = [delivery for delivery in deliveries for _ in range(writes.CLIENTS)]
            event_step = writes.event_work(dealt, secret)(0)
            events = min(options.operations, (len(deliveries) - 20) // 2)
            _measure("payment events", event_step, events, db.engine, options.profile)
            db.session.remove()
            db.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
