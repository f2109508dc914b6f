"""Two app servers on one database: gunicorn instances of the shop on two loopback ports,
sharing a fresh PostgreSQL database and Redis (for the throttling counters), as N servers
behind a reverse proxy would.

The two-server tests need PostgreSQL (`SHOP_TEST_DATABASE_URL`) and Redis on 127.0.0.1:6379:
SQLite is one machine's database, so "several app servers" has no meaning there. Without
PostgreSQL they are skipped with a message; in CI (`CI=true`) the SQLite run leaves them out
instead of skipping them (`.ci/check_junit.py` fails a run that skipped a test), because the
PostgreSQL run of `.ci/run` runs them. In CI a missing Redis fails them.

`shop_behind_nginx` puts Debian's nginx in front of them, run with the repository's own
`deploy/nginx/shop.conf` (tests/scaleout/nginx.py); in CI a missing nginx fails its tests.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    POSTGRES_URL,
    SELLER,
    _create_postgres_database,
    _drop_postgres_database,
    _migrate,
    settings_for,
)
from tests.peers import IN_CI, free_port, running_redis, stop_process, wait_for_health

# A Redis database of the scale-out tests' own (test_staff_login.py uses 15). Only keys that
# carry this run's marker are deleted afterwards; the visitors' checkout counters expire on
# their own within the hour.
REDIS_DATABASE = 14
HERE = Path(__file__).resolve().parent
# The files whose tests start app servers (the rest of the folder runs in process).
ON_SERVERS = {HERE / "test_two_servers.py", HERE / "test_nginx.py", HERE / "test_load.py"}
BIN = Path(sys.executable).parent
WORKERS_PER_SERVER = 2

NEEDS_POSTGRES = (
    "the scale-out tests need PostgreSQL: set SHOP_TEST_DATABASE_URL "
    "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres) and run Redis on :6379"
)
LEFT_TO_THE_POSTGRES_RUN = (
    "tests/scaleout/test_two_servers.py, test_nginx.py and test_load.py left out of the SQLite "
    "run: two app servers need a shared PostgreSQL database; the PostgreSQL run of .ci/run "
    "runs them"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if POSTGRES_URL:
        return
    mine = [item for item in items if item.path in ON_SERVERS]
    if not mine:
        return
    if IN_CI:
        # Deselected, not skipped: a skip in a CI run is a failure (.ci/check_junit.py).
        config.hook.pytest_deselected(items=mine)
        items[:] = [item for item in items if item not in mine]
        config.stash[_LEFT_OUT] = len(mine)
        return
    for item in mine:
        item.add_marker(pytest.mark.skip(reason=NEEDS_POSTGRES))


_LEFT_OUT = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    left_out = config.stash.get(_LEFT_OUT, 0)
    if left_out:
        terminalreporter.write_line(f"{left_out} {LEFT_TO_THE_POSTGRES_RUN}")


@dataclass
class ShopServers:
    """Both instances, the database they share, and what a test needs to talk to them."""

    urls: list[str]
    database_url: str
    environment: dict[str, str]
    secret_key: str
    marker: str  # unique to this run: in e-mail addresses, so Redis keys can be found
    app: Any  # an in-process app on the same database, to arrange and to read results

    def url(self, n: int) -> str:
        """The server for the n-th request of a visitor: requests alternate between them."""
        return self.urls[n % len(self.urls)]


@pytest.fixture(scope="module")
def redis_url_and_connection() -> Iterator[tuple[str, Any]]:
    with running_redis(REDIS_DATABASE) as found:
        yield found


@pytest.fixture(scope="module")
def shop_servers(
    redis_url_and_connection: tuple[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ShopServers]:
    """Two gunicorn instances of `shop:create_app()` on one fresh PostgreSQL database."""
    with running_shop_servers(redis_url_and_connection, tmp_path_factory) as servers:
        yield servers


@pytest.fixture(scope="module")
def shop_behind_nginx(
    redis_url_and_connection: tuple[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ShopBehindNginx]:
    """Two app servers behind nginx, run with the shipped deploy/nginx/shop.conf; the app
    servers trust that one hop (`SHOP_PROXY_HOPS=1`), as the README tells deployers."""
    from tests.scaleout.nginx import running_nginx

    with (
        running_shop_servers(
            redis_url_and_connection, tmp_path_factory, SHOP_PROXY_HOPS="1"
        ) as servers,
        running_nginx(servers.urls) as url,
    ):
        yield ShopBehindNginx(url=url, servers=servers)


@dataclass
class ShopBehindNginx:
    url: str  # nginx's address: what a visitor talks to
    servers: ShopServers


@contextmanager
def running_shop_servers(
    redis_url_and_connection: tuple[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
    **settings: str,
) -> Iterator[ShopServers]:
    """Two gunicorn instances on a fresh database, with `settings` on top of the usual."""
    from shop import create_app
    from shop.extensions import db

    redis_url, redis_connection = redis_url_and_connection
    url, name = _create_postgres_database(POSTGRES_URL)
    workdir = tmp_path_factory.mktemp("scaleout")  # no .env here: only the settings below
    secret_key = secrets.token_urlsafe(48)
    marker = uuid.uuid4().hex[:12]
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("SHOP_")
    } | {
        "SHOP_ENV": "production",
        "SHOP_BASE_URL": "https://shop.example.nl",
        "SHOP_DATABASE_URL": url,
        "SHOP_SECRET_KEY": secret_key,  # the same on every server: one signed session
        "SHOP_ALLOW_TEST_PAYMENTS": "true",  # no Stripe key: the test gateway's webhooks
        "SHOP_RATELIMIT_STORAGE_URL": redis_url,
        # As behind one nginx: each visitor's address is the one X-Forwarded-For names, so
        # hundreds of visitors are not one address to the per-address throttles.
        "SHOP_PROXY_HOPS": "1",
        **SELLER,
        **settings,
    }
    processes: list[subprocess.Popen[bytes]] = []
    app = None
    try:
        _migrate(url)
        urls = []
        for n in range(2):
            port = free_port()
            log = (workdir / f"gunicorn-{n}.log").open("wb")
            processes.append(
                subprocess.Popen(
                    [
                        str(BIN / "gunicorn"),
                        "--workers",
                        str(WORKERS_PER_SERVER),
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--timeout",
                        "60",
                        "shop:create_app()",
                    ],
                    cwd=workdir,
                    env=environment,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            log.close()
            urls.append(f"http://127.0.0.1:{port}")
        for process, base_url in zip(processes, urls, strict=True):
            wait_for_health(process, base_url, workdir)
        app = create_app(settings_for(url, SHOP_SECRET_KEY=secret_key))
        yield ShopServers(
            urls=urls,
            database_url=url,
            environment=environment,
            secret_key=secret_key,
            marker=marker,
            app=app,
        )
    finally:
        for process in processes:
            stop_process(process)
        if app is not None:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        for key in redis_connection.scan_iter(match=f"*{marker}*"):
            redis_connection.delete(key)
        _drop_postgres_database(POSTGRES_URL, name)
