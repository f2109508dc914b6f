"""Fixtures shared by every test: a real database (SQLite, or PostgreSQL when
`SHOP_TEST_DATABASE_URL` is set), migrated once per run and emptied after each test."""

from __future__ import annotations

import atexit
import contextvars
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, make_url, text

# No per-example deadline: on a loaded 2-core machine a slow example is not a failure; the
# properties are what is tested, and speed is measured by `make bench`, not here.
hypothesis_settings.register_profile("shop", deadline=None)
hypothesis_settings.load_profile("shop")


def _cheap_password_hashing() -> None:
    """argon2id with the lowest cost: the same algorithm and code paths, ~1 ms instead of
    ~0.3 s a hash, which otherwise dominates every back-office test. Tests only."""
    from argon2 import PasswordHasher

    import shop.services.staff as staff_service

    staff_service._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    staff_service._DUMMY_HASH = staff_service._hasher.hash("timing equaliser for tests")


_cheap_password_hashing()


def _compile_translation_catalogs() -> None:
    """The `.mo` catalogs are built, never committed: compile missing or stale ones before any
    app reads them, this process's or the gunicorn servers the e2e and scale-out tests start."""
    from shop.i18n_catalogs import compile_catalogs

    compile_catalogs()


_compile_translation_catalogs()
POSTGRES_URL = os.environ.get("SHOP_TEST_DATABASE_URL", "")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`--dist loadgroup`), the browser tests stay together on one worker,
    and so do the scale-out tests: each of those suites starts its servers once per worker
    that runs any of it. Everything else is spread test by test."""
    for item in items:
        suite = item.path.parent.name
        if suite in {"e2e", "scaleout"}:
            item.add_marker(pytest.mark.xdist_group(suite))


def _create_postgres_database(admin_url: str) -> tuple[str, str]:
    name = f"shop_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(admin_url).set(database=name)
    return url.render_as_string(hide_password=False), name


def _drop_postgres_database(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, migrated database for this test run."""
    if POSTGRES_URL:
        url, name = _create_postgres_database(POSTGRES_URL)
    else:
        url, name = f"sqlite:///{sqlite_directory(tmp_path_factory) / 'shop.db'}", ""
    _migrate(url)
    yield url
    if name:
        _drop_postgres_database(POSTGRES_URL, name)


RAM_DISK = Path("/dev/shm")


def sqlite_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where a test run keeps its SQLite database: in memory-backed /dev/shm when there is
    one (a database written thousands of times a run need not wait for a disk), else in the
    run's temporary directory. Each pytest-xdist worker gets its own."""
    if RAM_DISK.is_dir() and os.access(RAM_DISK, os.W_OK):
        directory = Path(tempfile.mkdtemp(prefix="shop-tests-", dir=RAM_DISK))
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        return directory
    return tmp_path_factory.mktemp("db")


# Who sells, as production requires it (development and testing would fill in demo values).
SELLER = {
    "SHOP_SELLER_NAME": "Testpaddo B.V.",
    "SHOP_SELLER_STREET": "Proefweg 7",
    "SHOP_SELLER_POSTCODE": "3511 AA",
    "SHOP_SELLER_TOWN": "Utrecht",
    "SHOP_SELLER_KVK": "12345678",
    "SHOP_SELLER_VAT_ID": "NL123456789B01",
    "SHOP_SELLER_EMAIL": "hallo@testpaddo.example",
}


def settings_for(url: str, **overrides: object) -> dict[str, object]:
    settings: dict[str, object] = {
        **SELLER,
        "SHOP_ENV": "testing",
        "SHOP_DATABASE_URL": url,
        # Its default, said out loud: production refuses to start without it.
        "SHOP_BASE_URL": "http://127.0.0.1:5000",
        "SHOP_SECRET_KEY": "test-secret-key-that-is-long-enough-for-anything",
        "SHOP_DEFAULT_LOCALE": "en",
        # Throttle counts stay in the test's own process, whatever a developer's .env says.
        "SHOP_RATELIMIT_STORAGE_URL": "memory://",
        # Tests write rows and read pages at once: no fragment kept from an earlier test
        # (tests/integration/test_fragment_cache.py switches it on).
        "SHOP_FRAGMENT_CACHE_SECONDS": "0",
    }
    settings.update(overrides)
    return settings


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    from shop import create_app
    from shop.extensions import db

    app = create_app(settings_for(url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


def empty_database(connection_engine) -> None:  # type: ignore[no-untyped-def]
    """Delete every row (the schema stays), so the next test starts from nothing.

    DELETE rather than TRUNCATE: on PostgreSQL a TRUNCATE of every table costs ~0.1 s, far
    more than deleting the few rows a test leaves.
    """
    from shop.extensions import db

    with connection_engine.begin() as connection:
        # Deactivate first: the triggers refuse to strip an active product of its warnings.
        connection.execute(text("UPDATE products SET is_active = false WHERE is_active"))
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def app_settings(database_url: str) -> dict[str, object]:
    """Settings for `app`; a test may change them before asking for `app`."""
    return settings_for(database_url)


class IsolatedClient(FlaskClient):
    """A test client whose requests run as they would in a server: each in its own app
    context, with its own `g` and its own database session, not the test's.

    Afterwards the test's session drops its snapshot (when it has nothing unsaved), so the
    test sees what the request wrote.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        from shop.extensions import db

        context = contextvars.Context()
        response = context.run(super().open, *args, **kwargs)
        # Read a streamed body inside the request's own context, as a server would.
        context.run(response.get_data)
        test_session = db.session()
        if not (test_session.new or test_session.dirty or test_session.deleted):
            test_session.rollback()
        return response


@pytest.fixture
def no_default_shipping(app):  # type: ignore[no-untyped-def]
    """The test's shop without the free test delivery every other test ships with."""
    from sqlalchemy import delete

    from shop.extensions import db
    from shop.models import ShippingMethod
    from tests.helpers import DEFAULT_SHIPPING_NAME

    db.session.execute(
        delete(ShippingMethod).where(ShippingMethod.name_en == DEFAULT_SHIPPING_NAME)
    )
    db.session.commit()


@pytest.fixture
def app(app_settings: dict[str, object]):  # type: ignore[no-untyped-def]
    from shop import create_app
    from shop.extensions import db
    from tests.helpers import DEFAULT_SHIPPING_NAME, EVERY_ZONE_FREE, make_shipping_method

    application = create_app(app_settings)
    application.test_client_class = IsolatedClient
    with application.app_context():
        # Every test's shop ships for free (what tests wrote before shipping was charged keep
        # their totals); tests about shipping remove it with `no_default_shipping`.
        make_shipping_method(
            db.session(),
            DEFAULT_SHIPPING_NAME,
            prices=EVERY_ZONE_FREE,
            carrier="",
            position=0,
            includes_age_check=True,
        )
        yield application
        db.session.remove()
        empty_database(db.engine)
        db.engine.dispose()


# --- no card numbers left behind by the payment tests (tests/card_scan.py) ----------------
PAYMENT_TEST_MODULES = frozenset(
    {"test_payments_stripe", "test_payments_test_gateway", "test_webhooks", "test_refunds"}
)


@pytest.fixture(autouse=True)
def no_card_numbers_left_behind(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each payment test, and before `app` empties the database, scan every text and
    blob column of every table and every log record of the test (all loggers, DEBUG) for a
    card number; fail naming the table and column, or the logger."""
    module = getattr(getattr(request.node, "module", None), "__name__", "").rpartition(".")[2]
    if module not in PAYMENT_TEST_MODULES or "app" not in request.fixturenames:
        yield
        return
    import logging

    from tests.card_scan import describe, scan_database, scan_log_records, shop_records

    # Asked for here, so that `app` is torn down (and the rows deleted) after this scan.
    request.getfixturevalue("app")
    caplog = request.getfixturevalue("caplog")
    caplog.set_level(logging.DEBUG)
    yield
    from shop.extensions import db

    records = [*caplog.get_records("setup"), *caplog.get_records("call"), *caplog.records]
    findings = scan_database(db.engine) + scan_log_records(shop_records(records))
    if findings:  # not `assert`: its message would repeat the numbers themselves
        pytest.fail(describe(findings), pytrace=False)


# --- today's Stripe: localstripe behind the strict peer (tests/stripe_peer.py) --------------


@pytest.fixture(scope="module")
def strict_stripe():  # type: ignore[no-untyped-def]
    """localstripe (a process) behind the strict peer that plays today's Stripe, for one
    test module; point a shop at it with `payment_support.stripe_settings(peer)`."""
    from tests.peers import running_localstripe
    from tests.stripe_peer import running_strict_stripe

    with running_localstripe() as localstripe_url, running_strict_stripe(localstripe_url) as peer:
        yield peer


@pytest.fixture
def stripe_peer(strict_stripe):  # type: ignore[no-untyped-def]
    """The module's strict Stripe, its controls reset and its records cleared for this test.

    Afterwards, the contract test: every request the shop sent to it carried the pinned
    `Stripe-Version` and only parameters that stripe-python's generated request types
    (`stripe.params`) know for that call, and none the pinned version removed. The peer
    refuses such a request as Stripe would; this names it even if the shop swallowed the
    refusal."""
    strict_stripe.reset_controls()
    strict_stripe.clear_records()
    yield strict_stripe
    assert_shop_kept_the_contract(strict_stripe)


def assert_shop_kept_the_contract(peer) -> None:  # type: ignore[no-untyped-def]
    """The contract test after a test (here) or a folder of them (tests/e2e/conftest.py):
    every request the shop sent to the strict peer `peer` carried the pinned
    `Stripe-Version` and only what the pinned API accepts (`stripe_contract.breaches`)."""
    from tests.stripe_contract import breaches

    broken = breaches(peer.shop_requests())
    assert not broken, "the shop's requests outside the pinned API's contract:\n" + "\n".join(
        broken
    )


@pytest.fixture
def session(app):  # type: ignore[no-untyped-def]
    from shop.extensions import db

    return db.session


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def verified_client(client):  # type: ignore[no-untyped-def]
    """A visitor who has passed the age gate (by answering it, as a visitor would)."""
    from tests.helpers import pass_age_gate

    pass_age_gate(client)
    return client


@pytest.fixture
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent
