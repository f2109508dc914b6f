"""Database foundations: the declarative base, the UTC datetime type and SQLite's set-up.

Belongs here: what every model and service needs from the database layer and nothing about
the shop itself. SQLite is tuned for a web shop: WAL (readers never wait for a writer),
a busy timeout (writers queue instead of failing), foreign keys on, and write transactions
begun IMMEDIATE through `begin_write` so two checkouts serialise rather than deadlock.
PostgreSQL gets time limits (`configure_postgresql`), so a server that hangs costs a request
seconds, not the worker: the request gets the 503 page (shop.web.errors) instead.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar, cast

import psycopg
from psycopg.pq import TransactionStatus
from sqlalchemy import DateTime, Enum, MetaData, Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, CursorResult, Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session
from sqlalchemy.sql.expression import Executable
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations name constraints alike."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as UTC; a naive value is a bug and is refused.

    SQLite has no time zone type and would silently drop the offset, so the value is
    converted to UTC on the way in and marked UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"UTCDateTime needs a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime refused: pass an aware datetime (shop.clock.now())")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


_WRITE_OPTION = "shop_begin_write"


def configure_sqlite(engine: Engine, *, busy_timeout_ms: int, durable: bool = True) -> None:
    """Install the pragmas and the BEGIN handling on a SQLite engine. `durable=False` (the
    testing configuration only) skips the disk syncs: a test database lost to a power cut
    costs nothing, and the suite otherwise spends most of its time waiting on the disk."""
    synchronous = "NORMAL" if durable else "OFF"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when a transaction begins (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # The timeout first, so that even switching to WAL waits for a lock instead of failing.
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A deferred transaction that reads and then writes fails at once with "database is
        # locked" if another writer got in between; IMMEDIATE takes the write lock up front,
        # so concurrent writers wait their turn (busy_timeout) instead.
        if connection.get_execution_options().get(_WRITE_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


# How much longer than the server's statement_timeout the shop waits for any answer: the
# server's own cancel (a clean error, the connection kept) should come first.
ANSWER_GRACE_SECONDS = 1.0


class AnswerBoundConnection(psycopg.Connection[Any]):
    """A psycopg connection that waits at most `answer_timeout` seconds for the server's
    answer, then closes itself and raises OperationalError (SQLAlchemy then sees a
    disconnect and drops the connection from the pool).

    Why this and nothing simpler, measured against a PostgreSQL stopped with SIGSTOP on
    loopback (tests/integration/test_database_stall.py): `connect_timeout` bounds a new
    connection (2.0 s for 2), but on an open connection nothing the server or libpq offers
    ends the wait. `statement_timeout` is enforced by the server, which is not running;
    a cancel request goes to the postmaster, which is stopped too; TCP keepalives and
    `tcp_user_timeout` never fire, because the kernel still acknowledges every packet for
    the stopped process (a query still hung after 8 s with `tcp_user_timeout=2000`).
    psycopg waits for the socket in Python, in `Connection.wait`, which every query,
    fetch, commit and rollback goes through and which takes a deadline of its own (psycopg
    3.3): the bound is set there, in one place, with no thread and no signal.
    """

    answer_timeout: float | None = None

    def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
        if timeout is None:
            timeout = self.answer_timeout
        try:
            return super().wait(gen, interval, timeout)
        except psycopg.OperationalError:
            if self.info.transaction_status != TransactionStatus.ACTIVE:
                raise  # the server answered (with an error) or closed the connection
            # Still waiting when the time ran out: the answer may yet come, so the
            # connection is useless for anything else.
            self.close()
            raise psycopg.OperationalError(
                f"the database server did not answer within {timeout} s"
            ) from None


def configure_postgresql(
    engine: Engine, *, connect_timeout_s: int, statement_timeout_ms: int
) -> None:
    """Bound every wait on a PostgreSQL engine: opening a connection (`connect_timeout`),
    a statement on a working server (`statement_timeout`, a clean error) and any answer
    from a server that hangs (`AnswerBoundConnection`, the statement timeout plus a grace)."""
    answer_timeout = statement_timeout_ms / 1000 + ANSWER_GRACE_SECONDS

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect: Any, _record: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
        cparams.setdefault("connect_timeout", connect_timeout_s)
        options = cparams.get("options", "")
        cparams["options"] = f"{options} -c statement_timeout={int(statement_timeout_ms)}".strip()
        connection = AnswerBoundConnection.connect(*cargs, **cparams)
        connection.answer_timeout = answer_timeout
        return connection


@contextmanager
def without_time_limits(connection: Connection) -> Iterator[None]:
    """Lift the statement timeout and the answer bound for this connection: migrations only
    (an index built on a large table may take minutes). The connection is dropped after,
    so no request ever gets it back from the pool without its limits."""
    if connection.dialect.name != "postgresql":
        yield
        return
    connection.exec_driver_sql("SET statement_timeout = 0")
    connection.commit()  # the SET outlives this transaction; the migration begins its own
    raw = connection.connection.dbapi_connection
    if isinstance(raw, AnswerBoundConnection):
        raw.answer_timeout = None
    try:
        yield
    finally:
        connection.invalidate()


def table_of(model: type[Base]) -> Table:
    """A model's Core table: for multi-row INSERTs that need no ORM objects back."""
    return cast("Table", model.__table__)


def rows_changed(
    session: Session, statement: Executable, parameters: dict[str, Any] | None = None
) -> int:
    """Run an UPDATE or DELETE and say how many rows it changed. For a conditional UPDATE
    (`... WHERE stock >= 2`, `... WHERE status = 'pending_payment'`) 1 means this
    transaction won, 0 that another got there first or the condition no longer holds."""
    result = session.execute(statement, parameters)
    return cast("CursorResult[Any]", result).rowcount


def begin_write(session: Session) -> None:
    """Start the session's next transaction as a write transaction (IMMEDIATE on SQLite).

    Call it first in a service that writes. A read-only transaction still open is ended
    first; pending changes would be lost that way, so they are refused instead.
    """
    if isinstance(session, scoped_session):
        session = session()
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_write called with unsaved changes in the session")
        session.commit()
    session.connection(execution_options={_WRITE_OPTION: True})


class Saved(Protocol):
    @property
    def changed(self) -> bool: ...


S = TypeVar("S", bound=Saved)


def save_in_write_transaction(session: Session, save: Callable[[], S]) -> S:
    """Run `save` in one write transaction: committed when it changed something, else rolled
    back (nothing to audit), and rolled back on any error."""
    begin_write(session)
    try:
        saved = save()
        if saved.changed:
            session.commit()
        else:
            session.rollback()
    except Exception:
        session.rollback()
        raise
    return saved


def is_sqlite(session: Session) -> bool:
    """True when the session talks to SQLite (search and locking differ by dialect)."""
    bind = session.get_bind()
    return bind.dialect.name == "sqlite"


def upsert(session: Session, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """An INSERT of the session's dialect, with its `on_conflict_do_nothing/do_update`: one
    statement where a SELECT and an INSERT (or an INSERT and an UPDATE) would be two."""
    return dialect_upsert(session.get_bind().dialect.name, model)


def dialect_upsert(dialect: str, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """`upsert` for a dialect by name (for statements built once, `built_once`)."""
    return (sqlite.insert if dialect == "sqlite" else postgresql.insert)(table_of(model))


B = TypeVar("B")


def built_once(build: Callable[[str], B]) -> Callable[[Session], B]:
    """Make `build(dialect name)` a statement kept per dialect, called with the session.
    The hot writes (a checkout, a payment event) run such statements with their values as
    parameters: building a statement and its cache key on every call cost more Python than
    sending it."""
    kept = functools.cache(build)

    def for_session(session: Session) -> B:
        return kept(session.get_bind().dialect.name)

    return for_session


def _enum_values(enum_cls: type[enum.Enum]) -> list[str]:
    return [str(member.value) for member in enum_cls]


def str_enum(enum_cls: type[enum.Enum], name: str) -> Enum:
    """A portable enum column: VARCHAR plus a CHECK constraint, storing the members' values."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        length=32,
        create_constraint=True,
        validate_strings=True,
        values_callable=_enum_values,
    )


# Hand-made, dialect-specific objects the models do not describe (see migrations): the search
# index (0001; 0024's index of names on SQLite, narrow table on PostgreSQL), and the generated
# sort-name columns of category pages with their indexes (0006).
_UNMODELLED_TABLES = ("products_fts", "product_names_fts", "product_search")
_UNMODELLED_COLUMNS = {
    ("products", "name_sort_en"),
    ("products", "name_sort_nl"),
}
_UNMODELLED_INDEXES = {
    "ix_product_search_vector",
    "ix_products_category_sort_name_en",
    "ix_products_category_sort_name_nl",
}


def include_in_migrations(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's include_object: skip the search objects that only the migrations know."""
    if type_ == "table" and name and name.startswith(_UNMODELLED_TABLES):
        return False
    if type_ == "column" and (getattr(obj.table, "name", None), name) in _UNMODELLED_COLUMNS:
        return False
    return not (type_ == "index" and name in _UNMODELLED_INDEXES)


def render_migration_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render UTCDateTime as a plain aware DateTime, so migrations don't import the app."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
