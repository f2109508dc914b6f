"""`make bench`: every figure of issue 18 beside its target (bench/targets.py), printed as one
table that says which are met, and written to `bench/results/<timestamp>.json`.

    .venv/bin/python -m bench.run            # everything (about 20–30 minutes)
    .venv/bin/python -m bench.run --quick    # a few seconds a figure, 1k and 10k products
    .venv/bin/python -m bench.run --only throughput --worker-class gthread --threads 4

Absolute figures drift on a shared machine; the ratios are what to compare between runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import catalogue as scale
from bench import targets, writes
from bench.data import (
    DEFAULT_POSTGRES_ADMIN_URL,
    Catalogue,
    Database,
    fresh_database,
    load_catalogue,
    postgres_available,
    shop_settings,
)
from bench.http_load import (
    ServerOptions,
    cart_cookie,
    gunicorn,
    run_wrk,
    verified_cookie,
    wrk_path,
)

RESULTS = Path(__file__).resolve().parent / "results"
SECTIONS = ("throughput", "scale", "orders")
CART_PRODUCTS = 3  # lines in the cart of the cart and checkout pages
SIZE_TOLERANCE = 0.10  # how far a floor page's size may be from the shop's page
_PRODUCT_ID = re.compile(r'name="product_id" value="(\d+)"')


def main(argv: list[str] | None = None) -> int:
    options = _arguments(argv)
    kinds = [kind for kind in options.databases if kind == "sqlite"]
    if "postgresql" in options.databases:
        if postgres_available(options.postgres):
            kinds.append("postgresql")
        else:
            print(f"! PostgreSQL not reachable at {options.postgres}: its figures are left out")
    if "throughput" in options.only and wrk_path() is None:
        print("! wrk is not installed (apt-get install -y wrk): throughput is left out")
        options.only = [section for section in options.only if section != "throughput"]

    report: dict[str, Any] = {"machine": _machine(), "options": vars(options), "results": {}}
    started = time.monotonic()
    _say(f"load average at start: {report['machine']['load_average_start']}")
    if report["machine"]["load_average_start"][0] > 1.0:
        _say("the machine is busy: expect noisy absolute figures; compare the ratios")

    for kind in kinds:
        with fresh_database(kind, options.postgres) as database:
            _say(f"{kind}: loading {options.small:,} products")
            catalogue = load_catalogue(database, options.small)
            if "throughput" in options.only:
                report["results"].setdefault("throughput", {})[kind] = _throughput(
                    database, catalogue, options
                )
            if "scale" in options.only:
                report["results"].setdefault("scale", {}).setdefault(kind, {})[
                    str(options.small)
                ] = _scale(database, catalogue, options)
            if "orders" in options.only:
                report["results"].setdefault("orders", {})[kind] = _orders(database, options)
        if "scale" in options.only:
            for size in options.sizes:
                if size == options.small:
                    continue
                with fresh_database(kind, options.postgres) as database:
                    _say(f"{kind}: loading {size:,} products")
                    loaded_at = time.monotonic()
                    catalogue = load_catalogue(database, size)
                    _say(f"{kind}: loaded in {time.monotonic() - loaded_at:.0f} s")
                    report["results"]["scale"][kind][str(size)] = _scale(
                        database, catalogue, options
                    )

    report["machine"]["load_average_end"] = _load_average()
    report["seconds"] = round(time.monotonic() - started)
    report["targets"] = [
        asdict(c) | {"met": c.met}
        for c in _targets(report["results"], options.databases, options.only)
    ]
    report["targets_wanted"] = {"databases": options.databases, "sections": options.only}
    _print(report)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    print(
        f"\nwritten to {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}"
    )
    return 0


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs, 1k and 10k only")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument("--rounds", type=int, help="wrk rounds per figure (median taken)")
    parser.add_argument("--seconds", type=float, help="seconds per wrk round")
    parser.add_argument("--requests", type=int, help="requests per page, in process")
    parser.add_argument("--write-seconds", type=float, help="seconds per orders/webhooks run")
    parser.add_argument("--sizes", type=lambda raw: [int(n) for n in raw.split(",")])
    parser.add_argument(
        "--databases",
        type=lambda raw: raw.split(","),
        default=["sqlite", "postgresql"],
        help="sqlite,postgresql (default: both)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=1, help="gthread only")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("SHOP_TEST_DATABASE_URL") or DEFAULT_POSTGRES_ADMIN_URL,
        help="a PostgreSQL URL whose user may create databases (default: %(default)s)",
    )
    options = parser.parse_args(argv)
    quick = options.quick
    options.rounds = options.rounds or (2 if quick else 5)
    options.seconds = options.seconds or (3.0 if quick else 10.0)
    options.requests = options.requests or (20 if quick else 100)
    options.write_seconds = options.write_seconds or (3.0 if quick else 10.0)
    options.sizes = options.sizes or ([1_000, 10_000] if quick else [1_000, 10_000, 100_000])
    options.small = min(options.sizes)
    return options


# --- storefront throughput ------------------------------------------------------------------


def _throughput(database: Database, catalogue: Catalogue, options: Any) -> dict[str, Any]:
    from bench.floor_app import sample_paths

    server_options = ServerOptions(options.workers, options.worker_class, options.threads)
    floor_paths = sample_paths()
    article = _add_articles(database)
    cached = {
        "home": "/",
        "category": f"/category/{catalogue.big_category}",
        "search": f"/search?q={catalogue.search_word}",
        "product": f"/products/{catalogue.product_slug}",
        "article": f"/articles/{article}",
    }
    pages = dict(cached)
    # The same pages from a second shop server with every cache off (the fragment cache and
    # the whole-page cache): what the first request after a change costs.
    for page in targets.UNCACHED_PAGES:
        pages[f"{page}, no cache"] = cached[page]
    pages |= {"cart": "/cart", "checkout": "/checkout"}  # never cached; a cart of 3 products
    # Each shop page against the floor page of the same shape and size.
    reference = {page: page.split(",")[0] for page in pages}
    _say(f"{database.kind}: throughput, {server_options.describe()}, wrk -t2 -c16")
    with (
        gunicorn(
            "bench.floor_app:app", server_options, ready_path=floor_paths["category"]
        ) as floor,
        gunicorn("shop:create_app()", server_options, shop_settings(database)) as shop,
        gunicorn(
            "shop:create_app()",
            server_options,
            shop_settings(database, SHOP_FRAGMENT_CACHE_SECONDS="0"),
        ) as uncached,
    ):
        cookie = verified_cookie(shop.base_url)  # same secret key: valid on both servers
        with_cart = cart_cookie(shop.base_url, _product_ids(shop.base_url, cached["category"]))
        sizes = _page_sizes(
            shop.base_url, floor.base_url, pages, floor_paths, reference, cookie, with_cart
        )

        def server_of(page: str) -> Any:
            return uncached if page.endswith("no cache") else shop

        def cookie_of(page: str) -> str:
            return with_cart if page in targets.CART_PAGES else cookie

        for page, path in pages.items():  # warm-up: imports, caches, connections
            run_wrk(server_of(page).base_url + path, seconds=2, cookie=cookie_of(page))
        for path in floor_paths.values():
            run_wrk(floor.base_url + path, seconds=2)
        rounds: dict[str, list[dict[str, Any]]] = {page: [] for page in pages}
        for number in range(options.rounds):
            for page, path in pages.items():
                ref = run_wrk(
                    floor.base_url + floor_paths[reference[page]],
                    seconds=options.seconds,
                    server=floor,
                )
                server = server_of(page)
                got = run_wrk(
                    server.base_url + path,
                    seconds=options.seconds,
                    cookie=cookie_of(page),
                    server=server,
                )
                rounds[page].append({"shop": asdict(got), "floor": asdict(ref)})
                _say(
                    f"  round {number + 1} {page:18} {got.requests_per_second:8.1f}/s "
                    f"(floor {ref.requests_per_second:8.1f}/s)"
                )
    figures = {}
    for page, measured in rounds.items():
        shop_rps = statistics.median(r["shop"]["requests_per_second"] for r in measured)
        floor_rps = statistics.median(r["floor"]["requests_per_second"] for r in measured)
        figures[page] = {
            "path": pages[page],
            "reference": f"floor {reference[page]} page",
            "requests_per_second": shop_rps,
            "floor_requests_per_second": floor_rps,
            "ratio": shop_rps / floor_rps if floor_rps else None,
            "p50_ms": statistics.median(r["shop"]["p50_ms"] for r in measured),
            "p99_ms": statistics.median(r["shop"]["p99_ms"] for r in measured),
            "floor_p50_ms": statistics.median(r["floor"]["p50_ms"] for r in measured),
            "floor_p99_ms": statistics.median(r["floor"]["p99_ms"] for r in measured),
            "cpu_ms_per_request": _cpu_per_request(measured, "shop"),
            "floor_cpu_ms_per_request": _cpu_per_request(measured, "floor"),
            "bad_responses": sum(r["shop"]["bad_responses"] for r in measured),
            "wrk_cpu_share": statistics.median(r["shop"]["wrk_cpu_share"] for r in measured),
            "server_cpu_share": statistics.median(r["shop"]["server_cpu_share"] for r in measured),
            "bytes": sizes["shop"][page],
            "floor_bytes": sizes["floor"][page],
            "rounds": measured,
        }
    return {"server": server_options.describe(), "pages": figures}


def _cpu_per_request(measured: list[dict[str, Any]], side: str) -> float:
    """Server CPU milliseconds per request: steadier than requests/s on a busy machine."""
    cpus = os.cpu_count() or 1
    values = [
        r[side]["server_cpu_share"] * cpus * r[side]["seconds"] * 1000 / r[side]["requests"]
        for r in measured
        if r[side]["requests"]
    ]
    return statistics.median(values) if values else float("nan")


def _add_articles(database: Database) -> str:
    """Publish the demo shop's articles (the benchmark's catalogue has none); the slug of the
    one measured, the same the floor serves."""
    from datetime import UTC, datetime

    from shop import create_app
    from shop.extensions import db
    from shop.services.demo import load_demo_articles

    app = create_app(shop_settings(database))
    with app.app_context():
        try:
            load_demo_articles(db.session, now=datetime.now(UTC))
            db.session.commit()
        finally:
            db.session.remove()
            db.engine.dispose()
    from bench.floor_app import ARTICLES

    return min(ARTICLES)


def _product_ids(base_url: str, category_path: str) -> list[int]:
    """The first products of a category page, for the cart."""
    import requests

    cookie = verified_cookie(base_url)
    page = requests.get(base_url + category_path, headers={"Cookie": cookie}, timeout=30)
    found = [int(n) for n in _PRODUCT_ID.findall(page.text)]
    return list(dict.fromkeys(found))[:CART_PRODUCTS]


def _page_sizes(
    shop_url: str,
    floor_url: str,
    pages: dict[str, str],
    floor_paths: dict[str, str],
    reference: dict[str, str],
    cookie: str,
    with_cart: str,
) -> dict[str, dict[str, int]]:
    """Bytes of every shop page and of its floor page; a warning when they are more than
    SIZE_TOLERANCE apart (the ratio would then compare different amounts of work)."""
    import requests

    shop = {}
    for page, path in pages.items():
        sent = with_cart if page in targets.CART_PAGES else cookie
        shop[page] = len(
            requests.get(shop_url + path, headers={"Cookie": sent}, timeout=30).content
        )
    floor_bytes = {
        name: len(requests.get(floor_url + path, timeout=30).content)
        for name, path in floor_paths.items()
    }
    floor = {page: floor_bytes[reference[page]] for page in pages}
    for page in pages:
        difference = size_difference(shop[page], floor[page])
        if difference > SIZE_TOLERANCE:
            _say(
                f"! the floor's {reference[page]} page is {floor[page]} bytes, the shop's "
                f"{page} {shop[page]}: {difference:.0%} apart (bench/floor_templates/ needs "
                "updating)"
            )
    return {"shop": shop, "floor": floor}


def size_difference(shop_bytes: int, floor_bytes: int) -> float:
    """How far apart two page sizes are, as a share of the shop's."""
    return abs(shop_bytes - floor_bytes) / shop_bytes if shop_bytes else 1.0


# --- catalogue scale, in process ------------------------------------------------------------


def _scale(database: Database, catalogue: Catalogue, options: Any) -> dict[str, Any]:
    _say(f"{database.kind}: {catalogue.products:,} products, in process")
    figures = scale.measure_pages(database, catalogue, requests=options.requests)
    for figure in figures:
        _say(
            f"  {figure.page:30} p50 {figure.p50_ms:7.1f} ms  p95 {figure.p95_ms:7.1f} ms  "
            f"{figure.queries} queries  ({figure.requests} requests)"
        )
    return {
        "catalogue": asdict(catalogue),
        "pages": [asdict(figure) for figure in figures],
    }


# --- orders and webhooks --------------------------------------------------------------------


def _orders(database: Database, options: Any) -> dict[str, Any]:
    seconds = options.write_seconds
    _say(f"{database.kind}: writes, {writes.CLIENTS} clients, {seconds:.0f} s each")
    floor = writes.write_floor(database, seconds=seconds)
    _say(f"  write floor        {floor.per_second:8.1f}/s")
    orders, order_ids = writes.place_orders(database, seconds=seconds)
    _say(f"  place_order        {orders.per_second:8.1f}/s  {orders.note}")
    events = writes.receive_events(database, order_ids, seconds=seconds)
    _say(f"  payment events     {events.per_second:8.1f}/s  {events.note}")
    return {
        "write_floor": asdict(floor),
        "place_order": asdict(orders) | {"ratio": orders.per_second / floor.per_second},
        "webhooks": asdict(events) | {"ratio": events.per_second / floor.per_second},
    }


# --- targets and the table ------------------------------------------------------------------


def _targets(results: dict[str, Any], kinds: list[str], sections: list[str]) -> list[targets.Check]:
    """Every target of issue 18 for each database asked for; those a section or database
    did not measure are listed unmeasured (the table says so rather than leave them out)."""
    checks: list[targets.Check] = []
    for kind in kinds:
        if "throughput" in sections:
            measured = results.get("throughput", {}).get(kind, {"pages": {}})
            checks += targets.throughput_checks(kind, measured["pages"])
    for kind in kinds:
        if "scale" in sections:
            checks += targets.scale_checks(kind, results.get("scale", {}).get(kind, {}))
    if "orders" in sections and "postgresql" in kinds:
        measured = results.get("orders", {}).get("postgresql")
        checks += targets.write_checks("postgresql", measured)
    return checks


def _print(report: dict[str, Any]) -> None:
    results = report["results"]
    print()
    for kind, measured in results.get("throughput", {}).items():
        print(f"Storefront throughput, {kind}, {measured['server']}, wrk -t2 -c16 (medians)")
        print(
            f"  {'page':18} {'req/s':>8} {'floor':>8} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7} "
            f"{'cpu ms/req':>10} {'floor':>6} {'wrk cpu':>7} {'bytes':>6} {'floor':>6} {'bad':>4}"
        )
        for page, f in measured["pages"].items():
            print(
                f"  {page:18} {f['requests_per_second']:8.1f} "
                f"{f['floor_requests_per_second']:8.1f} "
                f"{f['ratio']:6.1%} {f['p50_ms']:7.1f} {f['p99_ms']:7.1f} "
                f"{f['cpu_ms_per_request']:10.2f} {f['floor_cpu_ms_per_request']:6.2f} "
                f"{f['wrk_cpu_share']:7.0%} {f['bytes']:6d} {f['floor_bytes']:6d} "
                f"{f['bad_responses']:4d}"
            )
        print()
    for kind, sizes in results.get("scale", {}).items():
        print(f"Catalogue scale, {kind}, in process (p50/p95 ms, SQL queries; x = p95 / 1k's)")
        baseline = {}
        for size, measured in sizes.items():
            for f in measured["pages"]:
                name = f["page"].split(" page ")[0] + (" deep" if " page " in f["page"] else "")
                name += " by price" if "by price" in f["page"] else ""
                baseline.setdefault(name, f["p95_ms"])
                times = f["p95_ms"] / baseline[name] if baseline[name] else float("nan")
                print(
                    f"  {int(size):>7,} {f['page']:30} {f['p50_ms']:7.1f} {f['p95_ms']:7.1f} "
                    f"{f['queries']:3d}q  x{times:5.1f}"
                )
        print()
    for kind, measured in results.get("orders", {}).items():
        print(
            f"Writes, {kind}, {writes.CLIENTS} client processes (ratio to the write floor; "
            "cpu ms/op: the clients' Python CPU per operation)"
        )
        floor = measured["write_floor"]["per_second"]
        for name in ("write_floor", "place_order", "webhooks"):
            f = measured[name]
            print(
                f"  {f['name']:42} {f['per_second']:8.1f}/s  {f['per_second'] / floor:6.1%}  "
                f"{f['cpu_ms_per_op']:5.1f} cpu ms/op  refused {f['refused']} "
                f"failed {f['failed']}  {f['note']}"
            )
        print()
    checks = [
        targets.Check(**{k: v for k, v in c.items() if k != "met"}) for c in report["targets"]
    ]
    print("\n".join(targets.table("Targets (issue 18)", checks)))
    machine = report["machine"]
    print(
        f"\nload average {machine['load_average_start']} at start, "
        f"{machine['load_average_end']} at end; {report['seconds']} s in all"
    )


# --- the run's circumstances ----------------------------------------------------------------


def _load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def _machine() -> dict[str, Any]:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": commit + ("+changes" if dirty else ""),
        "load_average_start": _load_average(),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _say(message: str) -> None:
    print(message, flush=True)


if __name__ == "__main__":
    sys.exit(main())
