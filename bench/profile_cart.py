"""The never-cached cart and checkout pages, looked at closely: a verified visitor with a
cart of 3 products (put in through the cart's own form), `GET /cart` and `GET /checkout`
requested N times in this process through Flask's test client, with the CPU each request
takes, the SQL statements it sends, the Python calls it makes, and optionally cProfile's
heaviest functions.

    .venv/bin/python -m bench.profile_cart --database sqlite --requests 300 --profile

What belongs here: measuring one visitor's cart pages, to find where their time goes; their
throughput beside the floor under gunicorn is bench/run.py's.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import time
from pathlib import Path
from typing import Any

from bench.catalogue import counting_queries, verified_client
from bench.data import (
    BIG_CATEGORY,
    DEFAULT_POSTGRES_ADMIN_URL,
    fresh_database,
    load_catalogue,
    shop_settings,
)

CART_PRODUCTS = 3  # as bench/run.py's cart and checkout pages
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_TOKEN = re.compile(r'name="csrf_token" value="[^"]+"')
_PRODUCT_ID = re.compile(r'name="product_id" value="(\d+)"')


def _fill_cart(client: Any) -> None:
    """Put the first products of the big category in the cart through its form, as the
    benchmark's visitor does."""
    page = client.get(f"/category/{BIG_CATEGORY}").get_data(as_text=True)
    ids = list(dict.fromkeys(_PRODUCT_ID.findall(page)))[:CART_PRODUCTS]
    token = _CSRF.search(page)
    assert token and len(ids) == CART_PRODUCTS, "no add-to-cart forms on the category page"
    for product_id in ids:
        added = client.post(
            "/cart/add",
            data={"csrf_token": token.group(1), "product_id": product_id, "quantity": "1"},
        )
        assert added.status_code == 303, added.status_code


def _measure(client: Any, path: str, requests: int, engine: Any, profile: bool) -> None:
    """`requests` GETs timed (process CPU) with their statements counted, then as many
    again under cProfile: its count of Python calls per request is the steady figure on a
    busy machine."""
    for _ in range(20):  # warm: compiled statements, templates, the pool
        assert client.get(path).status_code == 200
    size = len(client.get(path).get_data())
    with counting_queries(engine) as statements:
        cpu = time.process_time()
        for _ in range(requests):
            client.get(path)
        cpu = time.process_time() - cpu
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(requests):
        client.get(path)
    profiler.disable()
    stats = pstats.Stats(profiler)
    print(
        f"\nGET {path}: {requests} requests, {size:,} bytes; CPU {cpu * 1000 / requests:.2f} "
        f"ms/request, {len(statements) / requests:.2f} statements/request, "
        f"{stats.total_calls / requests:,.0f} Python calls/request"  # type: ignore[attr-defined]
    )
    if profile:
        for statement in statements[: round(len(statements) / requests)]:
            print("   ", " ".join(statement.split())[:160])
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES_ADMIN_URL)
    parser.add_argument("--requests", type=int, default=300)  # twice: timed, profiled
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--profile", action="store_true", help="print cProfile's heaviest")
    parser.add_argument("--dump", help="write each page's HTML into this folder, to compare")
    parser.add_argument(
        "--also", action="append", default=[], help="another path to measure (a reference)"
    )
    options = parser.parse_args(argv)

    from shop import create_app
    from shop.extensions import db

    with fresh_database(options.database, options.postgres) as database:
        load_catalogue(database, options.products)
        app = create_app(shop_settings(database))
        client = verified_client(app)
        _fill_cart(client)
        with app.app_context():
            engine = db.engine
        for path in ("/cart", "/checkout", *options.also):
            if options.dump:
                html = client.get(path).get_data(as_text=True)
                name = path.strip("/").replace("/", "_") or "home"
                html = _TOKEN.sub('name="csrf_token" value="TOKEN"', html)
                Path(options.dump, f"{name}.html").write_text(html)
            _measure(client, path, options.requests, engine, options.profile)
        with app.app_context():
            db.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
