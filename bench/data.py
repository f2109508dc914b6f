"""The benchmark's databases and catalogues: a fresh SQLite file or PostgreSQL database,
migrated like a deploy would, filled with N complete products in a few seconds.

Products are copies of the demo shop's (same texts, disclaimers and allergy statements, so
pages have the real size and shape), numbered to keep slugs unique. Half of them go to one
category ("magic-truffles") so that a category has a page 200 from 10k products up.
Rows are inserted with executemany, inactive; the products are activated with one UPDATE
once their warnings exist, because the database's triggers refuse it the other way round.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, make_url, select, text, update

DEFAULT_POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# Long enough for production mode; the benchmark's sessions are thrown away with its data.
SECRET_KEY = "bench-secret-key-" + "x" * 40
BIG_CATEGORY = "magic-truffles"
BATCH = 5_000
# PostgreSQL's search table, its index and the trigger that fills it, as migration 0024 makes them
PG_SEARCH_INDEX = "ix_product_search_vector"
PG_SEARCH_INDEX_DDL = f"CREATE INDEX {PG_SEARCH_INDEX} ON product_search USING gin (search_vector)"
PG_SEARCH_TRIGGER = "products_keep_search"
PG_SEARCH_FILL = """INSERT INTO product_search (product_id, is_active, search_vector)
SELECT id, is_active, shop_product_search_vector(products) FROM products ORDER BY id"""
SEARCH_WORD = "truffles"  # in a third of the demo products' names: a broad search


@dataclass(frozen=True)
class Database:
    kind: str  # "sqlite" or "postgresql"
    url: str


def shop_settings(database: Database, **overrides: object) -> dict[str, object]:
    """The settings the shop runs with in every benchmark (production mode, test payments)."""
    settings: dict[str, object] = {
        "SHOP_ENV": "production",
        "SHOP_BASE_URL": "https://shop.example.nl",
        "SHOP_DATABASE_URL": database.url,
        "SHOP_SECRET_KEY": SECRET_KEY,
        "SHOP_ALLOW_TEST_PAYMENTS": "true",
        "SHOP_DEFAULT_LOCALE": "en",
        "SHOP_RATELIMIT_STORAGE_URL": "memory://",
        # Production wants who sells; the benchmark's shop sells nothing.
        "SHOP_SELLER_NAME": "Benchmark B.V.",
        "SHOP_SELLER_STREET": "Meetlat 1",
        "SHOP_SELLER_POSTCODE": "1000 AA",
        "SHOP_SELLER_TOWN": "Amsterdam",
        "SHOP_SELLER_KVK": "99999999",
        "SHOP_SELLER_VAT_ID": "NL999999999B01",
        "SHOP_SELLER_EMAIL": "bench@example.nl",
    }
    settings.update(overrides)
    return settings


def postgres_available(admin_url: str) -> bool:
    engine = create_engine(admin_url)
    try:
        with engine.connect():
            return True
    except Exception:
        return False
    finally:
        engine.dispose()


@contextlib.contextmanager
def fresh_database(kind: str, admin_url: str = DEFAULT_POSTGRES_ADMIN_URL) -> Iterator[Database]:
    """A new, migrated, empty database of `kind`, removed afterwards."""
    if kind == "sqlite":
        directory = Path(tempfile.mkdtemp(prefix="shop-bench-"))
        database = Database("sqlite", f"sqlite:///{directory / 'shop.db'}")
        try:
            migrate(database)
            yield database
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        return
    name = f"shop_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        database = Database("postgresql", url)
        migrate(database)
        yield database
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrate(database: Database) -> None:
    """`flask db upgrade`, as the deploy step runs it."""
    from flask_migrate import upgrade

    from shop import create_app
    from shop.extensions import db

    app = create_app(shop_settings(database))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@dataclass(frozen=True)
class Catalogue:
    """What the benchmarks ask for: a category with many products, a product, a search."""

    products: int
    big_category: str
    big_category_products: int
    product_slug: str
    search_word: str
    search_matches: int


def load_catalogue(database: Database, how_many: int, *, banner: bool = True) -> Catalogue:
    """Fill an empty, migrated database with `how_many` complete, active products."""
    from shop import create_app
    from shop.extensions import db

    app = create_app(shop_settings(database))
    with app.app_context():
        try:
            return _load(db.session, how_many, banner=banner)
        finally:
            db.session.remove()
            db.engine.dispose()


def _load(session: Any, how_many: int, *, banner: bool) -> Catalogue:
    from shop.demo_data import load_demo_data
    from shop.models import (
        AllergenEntry,
        AllergyStatement,
        Category,
        Disclaimer,
        PriceChange,
        Product,
    )
    from shop.models.catalog import content_hash

    demo = load_demo_data()
    categories, products = demo.categories, demo.products
    now = datetime.now(UTC).replace(microsecond=0)
    category_ids: dict[str, int] = {}
    for data in categories:
        category = Category(
            slug=data["slug"],
            name_en=data["name"]["en"],
            name_nl=data["name"]["nl"],
            description_en=data["description"]["en"],
            description_nl=data["description"]["nl"],
            position=data["position"],
        )
        session.add(category)
        session.flush()
        category_ids[data["slug"]] = category.id
    session.commit()

    truffles = [p for p in products if p["category"] == BIG_CATEGORY]
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        # Bulk loading: the search table and its index are filled once at the end (what
        # pg_restore does), not row by row, which takes ten times longer and leaves the table
        # with a dead version of each row (inserted inactive, then activated).
        session.execute(text(f"DROP INDEX {PG_SEARCH_INDEX}"))
        session.execute(text(f"ALTER TABLE products DISABLE TRIGGER {PG_SEARCH_TRIGGER}"))
        session.commit()
    connection = session.connection()
    for start in range(0, how_many, BATCH):
        numbers = range(start, min(start + BATCH, how_many))
        # Every other product is a truffle: one category deep enough for a page 200.
        templates = [
            truffles[n // 2 % len(truffles)] if n % 2 == 0 else products[n // 2 % len(products)]
            for n in numbers
        ]
        connection.execute(
            insert(Product),
            [
                {
                    "slug": f"{data['slug']}-{n}",
                    "category_id": category_ids[data["category"]],
                    "name_en": f"{data['name']['en']} no. {n}",
                    "name_nl": f"{data['name']['nl']} nr. {n}",
                    "summary_en": data["summary"]["en"],
                    "summary_nl": data["summary"]["nl"],
                    "description_md_en": data["description_md"]["en"],
                    "description_md_nl": data["description_md"]["nl"],
                    "price_cents": data["price_cents"] + n % 500,
                    "stock": 5 + n % 40,
                    "kind": data["kind"],
                    "is_active": False,
                    "is_featured": data["featured"] and n < 200,
                    "min_age": data["min_age"],
                    "created_at": now - timedelta(minutes=how_many - n),
                    "updated_at": now,
                }
                for n, data in zip(numbers, templates, strict=True)
            ],
        )
        slugs = [f"{data['slug']}-{n}" for n, data in zip(numbers, templates, strict=True)]
        ids = dict(
            connection.execute(select(Product.slug, Product.id).where(Product.slug.in_(slugs)))
            .tuples()
            .all()
        )
        disclaimers, statements, prices = [], [], []
        for slug, data in zip(slugs, templates, strict=True):
            product_id = ids[slug]
            for position, item in enumerate(data["disclaimers"]):
                disclaimers.append(
                    {
                        "product_id": product_id,
                        "kind": item["kind"],
                        "text_en": item["text"]["en"],
                        "text_nl": item["text"]["nl"],
                        "content_hash": content_hash(
                            item["kind"], item["text"]["en"], item["text"]["nl"]
                        ),
                        "position": position,
                    }
                )
            allergy = data["allergy"]
            statements.append(
                {
                    "product_id": product_id,
                    "has_no_known_allergens": allergy["no_known_allergens"],
                    "warning_en": allergy["warning"]["en"],
                    "warning_nl": allergy["warning"]["nl"],
                    "content_hash": content_hash(
                        "none" if allergy["no_known_allergens"] else "listed",
                        ",".join(f"{code}:{presence}" for code, presence in allergy["allergens"]),
                        allergy["warning"]["en"],
                        allergy["warning"]["nl"],
                    ),
                }
            )
            prices.append(
                {
                    "product_id": product_id,
                    "price_cents": data["price_cents"],
                    "effective_at": now - timedelta(days=90),
                }
            )
        connection.execute(insert(Disclaimer), disclaimers)
        connection.execute(insert(AllergyStatement), statements)
        connection.execute(insert(PriceChange), prices)
        statement_ids = dict(
            connection.execute(
                select(AllergyStatement.product_id, AllergyStatement.id).where(
                    AllergyStatement.product_id.in_(list(ids.values()))
                )
            )
            .tuples()
            .all()
        )
        entries = [
            {"statement_id": statement_ids[ids[slug]], "allergen": code, "presence": presence}
            for slug, data in zip(slugs, templates, strict=True)
            for code, presence in data["allergy"]["allergens"]
        ]
        if entries:
            connection.execute(insert(AllergenEntry), entries)
        # Published only now that the warnings exist: the triggers check every row.
        connection.execute(
            update(Product).where(Product.id.in_(list(ids.values()))).values(is_active=True)
        )
        session.commit()
        connection = session.connection()

    if postgres:
        session.execute(text(PG_SEARCH_FILL))
        session.execute(text(f"ALTER TABLE products ENABLE TRIGGER {PG_SEARCH_TRIGGER}"))
        session.execute(text(PG_SEARCH_INDEX_DDL))
        session.commit()
    if banner:
        _add_running_public_code(session, now)
    _analyze(session)

    big_category = category_ids[BIG_CATEGORY]
    big_count = session.scalar(
        select(func.count()).select_from(Product).where(Product.category_id == big_category)
    )
    matches = session.scalar(
        select(func.count()).select_from(Product).where(Product.name_en.ilike(f"%{SEARCH_WORD}%"))
    )
    product_slug = session.scalar(
        select(Product.slug).where(Product.category_id == big_category).order_by(Product.id)
    )
    session.commit()
    return Catalogue(
        products=how_many,
        big_category=BIG_CATEGORY,
        big_category_products=big_count or 0,
        product_slug=product_slug or "",
        search_word=SEARCH_WORD,
        search_matches=matches or 0,
    )


def _add_running_public_code(session: Any, now: datetime) -> None:
    """A seasonal public code with a banner, running now, as `seed-demo` adds one."""
    from zoneinfo import ZoneInfo

    from shop.rules.promotions import Kind, window_from_local
    from shop.services.promotions import PromoDraft, create_promo_code

    tz = ZoneInfo("Europe/Amsterdam")
    today = now.astimezone(tz).date()
    draft = PromoDraft(
        code="BENCH10",
        kind=Kind.PERCENT,
        value=10,
        window=window_from_local(today - timedelta(days=3), today + timedelta(days=28), tz),
        is_public=True,
        banner_title_en="Season sale",
        banner_title_nl="Seizoensactie",
        banner_text_en="Use the code below at checkout to receive 10% off your entire order",
        banner_text_nl="Gebruik de code hieronder bij het afrekenen voor 10% korting",
    )
    create_promo_code(session, draft, now=now)


def _analyze(session: Any) -> None:
    # A production database has fresh statistics (autovacuum); without them the planner
    # guesses, and a benchmark would measure the guess.
    session.commit()
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        session.execute(text("ANALYZE"))
        session.commit()
        return
    with bind.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
