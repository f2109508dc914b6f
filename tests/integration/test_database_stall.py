"""When the database does not answer: a styled 503 page in the visitor's language with
`Retry-After`, and `/healthz` saying so, within seconds rather than when gunicorn kills the
worker at 30 s; and the shop works again as soon as the database does.

The frozen-server test starts a PostgreSQL cluster of its own (it needs the server programs,
not `SHOP_TEST_DATABASE_URL`), so it runs in the SQLite and the PostgreSQL passes alike; so
do the others, which bring their own unreachable or locked database.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from shop import create_app
from shop.extensions import db
from shop.models import Role
from tests.admin_support import signed_in
from tests.conftest import SELLER, _migrate, settings_for
from tests.helpers import csrf_token
from tests.peers import (
    PrivatePostgres,
    eventually,
    free_port,
    private_postgres,
    stop_process,
    wait_for_health,
)

DUTCH = {"Accept-Language": "nl"}
DUTCH_TITLE = "Tijdelijk niet beschikbaar"
DUTCH_ADVICE = "Probeer het over een minuut opnieuw."
UNREACHABLE = {"status": "error", "database": "unreachable"}

# The time limits the stalled shop runs with: 2 s to connect, 1 s for a statement and 1 s
# more for any answer. The worst request then waits 2 s for its pooled connection's ping and
# 2 s to connect anew. The property is "within a few seconds, not gunicorn's 30": 10 s
# leaves room for a loaded 2-core test machine.
STALL_SETTINGS = {
    "SHOP_DB_CONNECT_TIMEOUT_SECONDS": "2",
    "SHOP_DB_STATEMENT_TIMEOUT_MS": "1000",
    "SHOP_DB_POOL_TIMEOUT_SECONDS": "2",
}
WITHIN_SECONDS = 10.0
CLIENT_TIMEOUT = 25.0  # under gunicorn's 30 s: a hung request fails here, not as a drop


def _assert_dutch_503_page(status: int, headers: Any, html: str) -> None:
    assert status == 503
    assert headers["Retry-After"] == "30"
    assert headers["Content-Type"].startswith("text/html")
    assert DUTCH_TITLE in html
    assert DUTCH_ADVICE in html
    assert 'class="card error-page"' in html  # the shop's page, not a bare fallback
    assert "Terug naar" in html  # a way back
    for sign in ("Traceback", "OperationalError", "psycopg", "SELECT"):
        assert sign not in html


# --- in process: a database that refuses connections, a locked SQLite -------------------


@pytest.fixture
def unreachable_app(app_settings: dict[str, object]) -> Iterator[Any]:
    """The shop pointed at a PostgreSQL port where nothing listens, with the test app's
    secret key, so a session cookie from the working `app` is good here too."""
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/shop"
    broken = create_app(settings_for(url, SHOP_SECRET_KEY=app_settings["SHOP_SECRET_KEY"]))
    yield broken
    with broken.app_context():
        db.engine.dispose()


def _carry_session(source: Any, target_app: Any) -> Any:
    target = target_app.test_client()
    cookie = source.get_cookie("session")
    target.set_cookie("session", cookie.value)
    return target


def test_a_verified_visitor_gets_the_dutch_503_page_when_the_database_refuses(
    app: Any, verified_client: Any, unreachable_app: Any
) -> None:
    visitor = _carry_session(verified_client, unreachable_app)

    page = visitor.get("/", headers=DUTCH)

    _assert_dutch_503_page(page.status_code, page.headers, page.get_data(as_text=True))


def test_healthz_says_the_database_is_unreachable(unreachable_app: Any) -> None:
    answer = unreachable_app.test_client().get("/healthz")

    assert answer.status_code == 503
    assert answer.get_json() == UNREACHABLE


def test_a_client_that_asks_for_json_gets_the_503_in_json(
    app: Any, verified_client: Any, unreachable_app: Any
) -> None:
    visitor = _carry_session(verified_client, unreachable_app)

    answer = visitor.get("/", headers={"Accept": "application/json"})

    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "30"
    assert answer.get_json()["status"] == 503


def test_signed_in_staff_get_the_back_office_503_page_without_a_second_lookup(
    app: Any, client: Any, session: Any, unreachable_app: Any
) -> None:
    """The back office's layout names the signed-in member; with the database down it must
    not ask for them again, or the page itself would fail."""
    signed_in(client, session, Role.MANAGER)
    staff = _carry_session(client, unreachable_app)

    page = staff.get("/admin/", headers=DUTCH)

    html = page.get_data(as_text=True)
    _assert_dutch_503_page(page.status_code, page.headers, html)
    assert "Terug naar de backoffice" in html


def test_a_locked_sqlite_database_gives_the_503_page_after_the_busy_timeout(
    tmp_path: Path,
) -> None:
    """SQLite's busy timeout already bounds a wait for its write lock; past it, the visitor
    answering the age gate (a write) gets the 503 page, not a 500."""
    path = tmp_path / "locked.db"
    url = f"sqlite:///{path}"
    _migrate(url)
    shop = create_app(settings_for(url, SHOP_SQLITE_BUSY_TIMEOUT_MS="100"))
    visitor = shop.test_client()
    gate = visitor.get("/age-gate", headers=DUTCH)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")  # another process writing, for longer than 100 ms

        answer = visitor.post(
            "/age-gate",
            data={"csrf_token": csrf_token(gate.get_data(as_text=True)), "answer": "yes"},
            headers=DUTCH,
        )

        _assert_dutch_503_page(answer.status_code, answer.headers, answer.get_data(as_text=True))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    again = visitor.post(
        "/age-gate",
        data={"csrf_token": csrf_token(gate.get_data(as_text=True)), "answer": "yes"},
    )
    assert again.status_code == 303  # the lock gone, the same worker carries on
    with shop.app_context():
        db.engine.dispose()


# --- under gunicorn, against a PostgreSQL frozen with SIGSTOP ------------------------------


def _gunicorn(url: str, workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The shop under gunicorn with 2 sync workers and its default 30 s worker timeout."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("SHOP_")
    } | {
        "SHOP_ENV": "production",
        "SHOP_BASE_URL": "https://shop.example.nl",
        "SHOP_DATABASE_URL": url,
        "SHOP_SECRET_KEY": "stall-test-secret-key-that-is-long-enough-for-production",
        "SHOP_ALLOW_TEST_PAYMENTS": "true",
        **SELLER,
        **STALL_SETTINGS,
        # Else the home page's product lists come from memory for 10 s, frozen or not.
        "SHOP_FRAGMENT_CACHE_SECONDS": "0",
    }
    port = free_port()
    command = [str(Path(sys.executable).parent / "gunicorn"), "--workers", "2"]
    command += ["--bind", f"127.0.0.1:{port}", "shop:create_app()"]
    with (workdir / "gunicorn-0.log").open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=workdir,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    wait_for_health(process, base_url, workdir)
    return process, base_url


def _timed_get(visitor: requests.Session, url: str, **kwargs: Any) -> tuple[Any, float]:
    started = time.monotonic()
    response = visitor.get(url, timeout=CLIENT_TIMEOUT, allow_redirects=False, **kwargs)
    return response, time.monotonic() - started


def _verified_visitor(base_url: str) -> requests.Session:
    visitor = requests.Session()
    gate = visitor.get(f"{base_url}/age-gate", timeout=CLIENT_TIMEOUT)
    answer = visitor.post(
        f"{base_url}/age-gate",
        data={"csrf_token": csrf_token(gate.text), "answer": "yes", "next": "/"},
        allow_redirects=False,
        timeout=CLIENT_TIMEOUT,
    )
    assert answer.status_code == 303
    return visitor


def _both_workers_hold_a_connection(base_url: str) -> None:
    # Requests two at a time, so each sync worker serves some and keeps a pooled connection:
    # the frozen server is then met by queries on open connections, not only by connects.
    with ThreadPoolExecutor(2) as pool:
        statuses = list(
            pool.map(
                lambda _: requests.get(f"{base_url}/healthz", timeout=10).status_code, "12345678"
            )
        )
    assert statuses == [200] * 8


@pytest.fixture
def frozen_able_shop(tmp_path: Path) -> Iterator[tuple[PrivatePostgres, str]]:
    with private_postgres() as cluster:
        _migrate(cluster.url)
        process, base_url = _gunicorn(cluster.url, tmp_path)
        try:
            yield cluster, base_url
        finally:
            cluster.thaw()  # before stopping gunicorn: its workers finish what they hold
            stop_process(process)


def test_a_frozen_database_gives_the_503_page_within_seconds_and_the_shop_recovers(
    frozen_able_shop: tuple[PrivatePostgres, str],
) -> None:
    cluster, base_url = frozen_able_shop
    visitor = _verified_visitor(base_url)
    assert _timed_get(visitor, f"{base_url}/", headers=DUTCH)[0].status_code == 200
    _both_workers_hold_a_connection(base_url)

    cluster.freeze()
    timings: dict[str, list[float]] = {"healthz": [], "page": []}
    for _ in range(3):  # more than one request: both workers, an open and a new connection
        health, took = _timed_get(visitor, f"{base_url}/healthz")
        assert health.status_code == 503
        assert health.json() == UNREACHABLE
        timings["healthz"].append(took)
        page, took = _timed_get(visitor, f"{base_url}/", headers=DUTCH)
        _assert_dutch_503_page(page.status_code, page.headers, page.text)
        timings["page"].append(took)
    thawed_at = time.monotonic()
    cluster.thaw()

    eventually(lambda: _timed_get(visitor, f"{base_url}/healthz")[0].status_code == 200)
    recovered_in = time.monotonic() - thawed_at
    for _ in range(4):  # both workers serve pages again
        assert _timed_get(visitor, f"{base_url}/", headers=DUTCH)[0].status_code == 200
    print(f"\nstalled: {timings}; healthz 200 again {recovered_in:.2f} s after the thaw")
    assert max(timings["healthz"] + timings["page"]) < WITHIN_SECONDS, timings
