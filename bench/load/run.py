"""`make load`: a campaign rush on two app servers, measured with Locust.

    .venv/bin/python -m bench.load.run            # the ramp 20 → 600 users (about 8 minutes)
    .venv/bin/python -m bench.load.run --quick    # 30 s, 10 → 20 users, short think time

A fresh PostgreSQL database (dropped afterwards) gets the demo shop, a public Halloween code
with a use limit and modest stock on the campaign product; two gunicorn servers (2 sync
workers each) share it and Redis (the throttles' counters); Locust, headless, ramps the
visitors in steps (bench/load/locustfile.py). Afterwards the database is checked (paid
orders = confirmation e-mails, one paid step per order, no stock below zero, no code past
its limit), and a table puts the figures beside the targets. Everything stays on loopback.

Results go to bench/results/load-<timestamp>/ (Locust's CSVs, the request log, summary.json,
the plot); a full run also copies the plot to docs/load-p95.svg for the README.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import targets
from bench.data import DEFAULT_POSTGRES_ADMIN_URL, fresh_database, postgres_available, shop_settings
from bench.http_load import PROJECT_ROOT, ServerOptions, gunicorn
from bench.load import campaign
from bench.load.figures import (
    CHECKOUT,
    STOREFRONT,
    Latency,
    Step,
    by_kind,
    crossing,
    latency,
    locust_totals,
    read_request_log,
    steps,
)
from bench.load.plot import p95_chart_svg

RESULTS = PROJECT_ROOT / "bench" / "results"
README_PLOT = PROJECT_ROOT / "docs" / "load-p95.svg"
LOCUSTFILE = Path(__file__).resolve().with_name("locustfile.py")
LOCUST = str(Path(sys.executable).with_name("locust"))
# A Redis database of its own, emptied before a run (the tests use 12 to 15).
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/11"

# Issue 18's targets (bench/targets.py), at 100 concurrent users with 1–3 s think time.
TARGET_USERS = targets.TARGET_LOAD_USERS
CHECKOUT_LIMIT_MS = 1000.0


@dataclass(frozen=True)
class LoadResult:
    """What a run found: the caller (`make load`, the CI test) judges it."""

    directory: Path
    invariants: campaign.Invariants
    totals: dict[str, Latency]  # Locust's whole-run figures per kind, "Aggregated" too
    steps: list[Step]
    checkout_crosses_1s_at: int | None
    failures: int
    locust_exit: int


def main(argv: list[str] | None = None) -> int:
    options = _arguments(argv)
    if not postgres_available(options.postgres):
        print(f"! PostgreSQL not reachable at {options.postgres}: make load needs it")
        return 2
    result = run_load(options)
    _print(result, options)
    return 0 if not result.invariants.problems and result.failures == 0 else 1


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.load.run", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="30 s, 10 and 20 users")
    parser.add_argument("--steps", type=lambda raw: [int(n) for n in raw.split(",")])
    parser.add_argument("--step-seconds", type=float)
    parser.add_argument("--think", help='seconds between pages, "low,high" (default 1,3)')
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--code-limit", type=int, help="uses of the campaign code")
    parser.add_argument("--rush-stock", type=int, help="units of the campaign product")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("SHOP_TEST_DATABASE_URL") or DEFAULT_POSTGRES_ADMIN_URL,
        help="a PostgreSQL URL whose user may create databases (default: %(default)s)",
    )
    parser.add_argument("--redis", default=DEFAULT_REDIS_URL, help="default: %(default)s")
    parser.add_argument("--results", type=Path, default=RESULTS)
    options = parser.parse_args(argv)
    quick = options.quick
    options.steps = options.steps or (
        [10, 20] if quick else [20, 60, 100, 150, 200, 300, 400, 500, 600]
    )
    options.step_seconds = options.step_seconds or (15.0 if quick else 50.0)
    options.think = options.think or ("0.5,1.5" if quick else "1,3")
    options.code_limit = options.code_limit or (3 if quick else 60)
    options.rush_stock = options.rush_stock or (3 if quick else 40)
    return options


def run_load(options: argparse.Namespace) -> LoadResult:
    """Seed, serve, load, check: everything of one run, torn down afterwards."""
    from shop import create_app
    from shop.i18n_catalogs import compile_catalogs

    compile_catalogs()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    directory = options.results / f"load-{stamp}{'-quick' if options.quick else ''}"
    directory.mkdir(parents=True, exist_ok=True)
    _empty_redis(options.redis)
    with fresh_database("postgresql", options.postgres) as database:
        settings = shop_settings(
            database,
            SHOP_RATELIMIT_STORAGE_URL=options.redis,
            # All load comes from 127.0.0.1: each simulated visitor sends its own
            # X-Forwarded-For, as a proxy would, and the servers trust that one hop.
            SHOP_PROXY_HOPS="1",
        )
        app = create_app(settings)
        campaign.seed_campaign(app, code_limit=options.code_limit, rush_stock=options.rush_stock)
        server_options = ServerOptions(workers=options.workers)
        with (
            gunicorn(
                "shop:create_app()", server_options, settings, log=directory / "server-1.log"
            ) as first,
            gunicorn(
                "shop:create_app()", server_options, settings, log=directory / "server-2.log"
            ) as second,
        ):
            locust_exit = _run_locust(options, directory, [first.base_url, second.base_url])
        invariants = campaign.check_invariants(app)
    requests = read_request_log(directory / "requests.csv")
    found = steps(requests, options.steps, options.step_seconds)
    totals = locust_totals(directory / "locust_stats.csv")
    # Locust's own count of failures, with what the request log saw (a check that failed).
    failures = max(
        totals["Aggregated"].failures if "Aggregated" in totals else 0,
        sum(1 for r in requests if not r.ok),
    )
    result = LoadResult(
        directory=directory,
        invariants=invariants,
        totals=totals,
        steps=found,
        checkout_crosses_1s_at=crossing(found, "checkout", CHECKOUT_LIMIT_MS),
        failures=failures,
        locust_exit=locust_exit,
    )
    (directory / "p95-by-users.svg").write_text(
        p95_chart_svg(found, title="Campaign rush: p95 latency per page kind against users")
    )
    if not options.quick:
        shutil.copyfile(directory / "p95-by-users.svg", README_PLOT)
    (directory / "summary.json").write_text(
        json.dumps(
            {
                "options": {k: v for k, v in vars(options).items() if k != "results"},
                "whole_run": {kind: asdict(f) for kind, f in by_kind_whole(requests).items()},
                "locust_totals": {kind: asdict(f) for kind, f in totals.items()},
                "steps": [asdict(step) for step in found],
                "checkout_crosses_1s_at": result.checkout_crosses_1s_at,
                "failures": failures,
                "invariants": asdict(invariants),
                "problems": invariants.problems,
                "load_average_end": os.getloadavg(),
            },
            indent=2,
        )
    )
    return result


def by_kind_whole(requests: list[Any]) -> dict[str, Latency]:
    if not requests:
        return {}
    seconds = max(r.elapsed_s for r in requests) - min(r.elapsed_s for r in requests)
    return {kind: latency(rs, seconds) for kind, rs in by_kind(requests).items()}


def _run_locust(options: argparse.Namespace, directory: Path, servers: list[str]) -> int:
    """Locust, headless, in a process of its own (it patches the standard library)."""
    environment = {
        **os.environ,
        "LOAD_SERVERS": ",".join(servers),
        "LOAD_CODE": campaign.CODE,
        "LOAD_RUSH_PRODUCT": campaign.RUSH_PRODUCT,
        "LOAD_THINK": options.think,
        "LOAD_STEPS": ",".join(str(n) for n in options.steps),
        "LOAD_STEP_SECONDS": str(options.step_seconds),
        "LOAD_REQUEST_LOG": str(directory / "requests.csv"),
    }
    seconds = len(options.steps) * options.step_seconds
    command = [
        LOCUST,
        "--locustfile",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        servers[0],
        "--csv",
        str(directory / "locust"),
        "--csv-full-history",
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--stop-timeout",
        "10",
    ]
    _say(f"locust: steps {options.steps} users, {options.step_seconds:.0f} s each")
    started = time.monotonic()
    with (directory / "locust.log").open("wb") as log:
        finished = subprocess.run(
            command,
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=seconds + 120,
            check=False,
        )
    _say(f"locust: done in {time.monotonic() - started:.0f} s (exit {finished.returncode})")
    return finished.returncode


def _empty_redis(url: str) -> None:
    """Throttle counts of an earlier run (same addresses) must not count against this one."""
    import redis

    connection = redis.Redis.from_url(url)
    try:
        connection.flushdb()
    finally:
        connection.close()


# --- the report -----------------------------------------------------------------------------


def _say(message: str) -> None:
    print(f"[load] {message}", flush=True)


def _checks(result: LoadResult, at_target: Step | None) -> list[targets.Check]:
    """The run's figures as issue 18's checks (bench/targets.py)."""
    inv = result.invariants
    return targets.load_checks(
        None if at_target is None else {k: f.p95_ms for k, f in at_target.kinds.items()},
        storefront=STOREFRONT,
        checkout=CHECKOUT,
        failures=result.failures,
        invariants={
            "paid_without_email": abs(inv.paid_orders - inv.confirmation_emails),
            "orders_paid_twice_or_not_recorded": inv.orders_paid_twice_or_not_recorded,
            "products_below_zero": inv.products_below_zero,
            "codes_past_limit": inv.codes_past_limit,
            "codes_miscounted": inv.codes_miscounted,
        },
    )


def _print(result: LoadResult, options: argparse.Namespace) -> None:
    print("\nWhole run, per page kind (Locust's figures)")
    print(f"  {'kind':<24}{'requests':>9}{'fail':>6}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}")
    for kind, f in sorted(result.totals.items(), key=lambda item: item[0] == "Aggregated"):
        print(
            f"  {kind:<24}{f.requests:>9}{f.failures:>6}{f.per_second:>8.1f}"
            f"{f.p50_ms:>7.0f}{f.p95_ms:>7.0f}{f.p99_ms:>7.0f}"
        )
    print("\nPer step (ms; checkout = the checkout form, placing, payment page and Pay together)")
    print(
        f"  {'users':>5}{'req/s':>8}  " + "".join(f"{k[:9]:>10}" for k in (*STOREFRONT, "checkout"))
    )
    for step in result.steps:
        cells = "".join(
            f"{step.kinds[k].p95_ms:>10.0f}" if k in step.kinds else f"{'-':>10}"
            for k in (*STOREFRONT, "checkout")
        )
        print(f"  {step.users:>5}{step.kinds['all'].per_second:>8.1f}  {cells}")

    inv = result.invariants
    print("\nAfterwards, in the database")
    print(f"  orders placed {inv.orders}, paid {inv.paid_orders}")
    print(f"  paid orders {inv.paid_orders}, confirmation e-mails {inv.confirmation_emails}")
    print(f"  campaign product: {inv.rush_stock_left} of {options.rush_stock} left")
    print(f"  {campaign.CODE}: {inv.code_uses} of {inv.code_limit} uses")
    crossed = result.checkout_crosses_1s_at
    print(
        "  checkout p95 above 1 s from "
        + (f"{crossed} users" if crossed else f"no step up to {max(options.steps)} users")
    )
    print()
    at_target = next((s for s in result.steps if s.users == TARGET_USERS), None)
    if at_target is None:
        print(f"! no step of {TARGET_USERS} users in this run (--steps): times not judged")
    print(
        "\n".join(
            targets.table(
                f"Targets (issue 18; think time {options.think} s)", _checks(result, at_target)
            )
        )
    )
    print(f"\nwritten to {result.directory}")


if __name__ == "__main__":
    raise SystemExit(main())
