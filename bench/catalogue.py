"""Catalogue scale, in process: storefront pages through Flask's test client with a verified
visitor's session, at 1k, 10k and 100k products. Per page: p50/p95 of the whole request
(routing, queries, rendering) and the SQL statements it sent, counted the way
`tests/integration/test_query_counts.py` counts them. The knowledge base is measured too:
one demo article, published here, whose related product is one of the catalogue's.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import event

from bench.data import Catalogue, Database, shop_settings

DEEP_PAGE = 200
PAGE_SIZE = 24
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class PageFigure:
    page: str
    path: str
    p50_ms: float
    p95_ms: float
    queries: int
    status: int
    bytes: int
    requests: int


@contextmanager
def counting_queries(engine: Any) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        # Transaction control is not a query: SQLite's BEGIN is sent as a statement.
        if statement.split(None, 1)[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def verified_client(app: Any) -> Any:
    """A test client that has answered the age gate with yes, as a visitor does."""
    client = app.test_client()
    page = client.get("/age-gate").get_data(as_text=True)
    token = _CSRF.search(page)
    assert token, "no CSRF token on the age gate"
    answer = client.post(
        "/age-gate", data={"csrf_token": token.group(1), "answer": "yes", "next": "/"}
    )
    assert answer.status_code == 303, answer.status_code
    return client


def pages_for(catalogue: Catalogue) -> list[tuple[str, str]]:
    """(name, path) of the pages measured; the deep page is page 200, or the last one.

    "search" looks for a word in the names of half the catalogue and the descriptions of
    more: every match is ranked, so it is the slowest search there is.
    """
    pages = -(-catalogue.big_category_products // PAGE_SIZE)
    deep = min(DEEP_PAGE, pages)
    category = f"/category/{catalogue.big_category}"
    return [
        ("home", "/"),
        ("category", category),
        ("category by price", f"{category}?sort=price"),
        (f"category page {deep}", f"{category}?page={deep}"),
        (f"category page {deep} by price", f"{category}?page={deep}&sort=price"),
        ("product", f"/products/{catalogue.product_slug}"),
        ("search", f"/search?q={catalogue.search_word}"),
        ("search, 2 words", f"/search?q={catalogue.search_word}+mexicana"),
        # The last product's number: a word in one product's name, as a precise search.
        ("search, rare word", f"/search?q={catalogue.products - 1}"),
        ("articles", "/articles"),
        ("article", f"/articles/{article_slug()}"),
    ]


def article_slug() -> str:
    """The slug of the article `measure_pages` publishes: the demo shop's first, under a slug
    of its own, so that the demo articles the throughput section publishes on the same
    database (without the catalogue's products) are not taken for it: one related product at
    every size, so its query count compares."""
    from shop.demo_data import load_demo_data

    return str(load_demo_data().articles[0]["slug"]) + "-bench"


def publish_article(app: Any, catalogue: Catalogue) -> None:
    """Publish the demo shop's first article, related to the catalogue's product, unless it
    is there already."""
    from sqlalchemy import select

    from shop import clock
    from shop.demo_data import load_demo_data
    from shop.extensions import db
    from shop.models import Article
    from shop.services.articles import save_article
    from shop.services.demo import demo_article_draft

    data = load_demo_data().articles[0]
    with app.app_context():
        if db.session.scalar(select(Article.id).where(Article.slug == article_slug())):
            return
        now = clock.now()
        draft = demo_article_draft(
            data,
            slug=article_slug(),
            published_at=now - timedelta(days=1),
            related_slugs=[catalogue.product_slug],
        )
        save_article(db.session, None, draft, publish=True, actor=None, now=now)
        db.session.remove()


def measure_pages(
    database: Database,
    catalogue: Catalogue,
    *,
    requests: int,
    warmup: int = 3,
    max_seconds: float = 15.0,
) -> list[PageFigure]:
    """Each page `requests` times (fewer, but at least 5, when that takes over `max_seconds`)
    after `warmup` requests; p50/p95 and its query count.

    With the fragment cache off: every request does the database's work, as the first
    request after a change does. (With it on, a repeated page costs ~1 ms and no query
    whatever the catalogue size, which says nothing about the catalogue.)
    """
    from shop import create_app
    from shop.extensions import db

    app = create_app(shop_settings(database, SHOP_FRAGMENT_CACHE_SECONDS="0"))
    publish_article(app, catalogue)
    figures = []
    with app.app_context():
        engine = db.engine
    try:
        client = verified_client(app)
        for name, path in pages_for(catalogue):
            for _ in range(warmup):
                client.get(path)
            with counting_queries(engine) as statements:
                response = client.get(path)
            body = response.get_data()
            timings: list[float] = []
            deadline = time.monotonic() + max_seconds
            while len(timings) < requests and (len(timings) < 5 or time.monotonic() < deadline):
                started = time.perf_counter()
                client.get(path).close()
                timings.append((time.perf_counter() - started) * 1000)
            figures.append(
                PageFigure(
                    page=name,
                    path=path,
                    p50_ms=statistics.median(timings),
                    p95_ms=percentile(timings, 95),
                    queries=len(statements),
                    status=response.status_code,
                    bytes=len(body),
                    requests=len(timings),
                )
            )
    finally:
        engine.dispose()
    return figures


def percentile(values: list[float], pct: float) -> float:
    """The nearest-rank percentile (no interpolation: a real observed value)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]
