"""Real peers for the payment tests: localstripe (a fake Stripe server, run as a process),
the shop served over HTTP on a loopback port (so localstripe can deliver webhooks to it),
and an SMTP server (aiosmtpd) that keeps what it receives.

And Redis for the tests of throttles shared by several app servers: the one on
127.0.0.1:6379 when it answers, else a private `redis-server` started on a free port.

localstripe is in the dev extras that `make test` installs: without it the tests fail.
Without any Redis and without `redis-server` the Redis tests fail in CI (`CI=true`) and
are skipped elsewhere, with the command that installs it.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest
import requests

IN_CI = os.environ.get("CI", "").lower() == "true"
WEBHOOK_SECRET = "whsec_localstripe_tests_0123456789"


def missing_peer(message: str) -> NoReturn:
    """A program the test needs is not on this machine: skipped locally, with `message`
    saying how to install it; failed in CI (`CI=true`), where a skip would hide a test that
    never ran (and .ci/check_junit.py fails the run on any skip as well)."""
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


GUNICORN_START_TIMEOUT = 60.0


def wait_for_health(process: subprocess.Popen[bytes], base_url: str, workdir: Path) -> None:
    """Wait until the gunicorn `process` answers /healthz with 200; its log (the
    `gunicorn-*.log` files in `workdir`) in the error when it exits or never does."""
    deadline = time.monotonic() + GUNICORN_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            logs = "\n".join(p.read_text() for p in workdir.glob("gunicorn-*.log"))
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{logs[-3000:]}")
        try:
            if requests.get(f"{base_url}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass  # workers still importing the app
        time.sleep(0.1)
    raise RuntimeError(f"{base_url} did not answer /healthz within {GUNICORN_START_TIMEOUT} s")


def stop_process(process: subprocess.Popen[bytes], stop_signal: int = signal.SIGTERM) -> None:
    """Send `stop_signal` (SIGTERM: gunicorn finishes the requests in hand, then exits),
    SIGKILL after 30 s."""
    if process.poll() is None:
        process.send_signal(stop_signal)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


REDIS_PORT = 6379


def _redis_answers(url: str) -> bool:
    import redis

    connection = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        return bool(connection.ping())
    except redis.exceptions.ConnectionError:
        return False
    finally:
        connection.close()


@contextmanager
def running_redis(database: int) -> Iterator[tuple[str, Any]]:
    """(url, connection) of Redis database `database`: the local server's, or a private
    `redis-server`'s on a free port, stopped afterwards."""
    import redis

    url = f"redis://127.0.0.1:{REDIS_PORT}/{database}"
    process = None
    if not _redis_answers(url):
        server = shutil.which("redis-server")
        if server is None:
            missing_peer(
                "no Redis on 127.0.0.1:6379 and no redis-server: apt-get install redis-server"
            )
        port = free_port()
        process = subprocess.Popen(
            [
                server,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(port)
        url = f"redis://127.0.0.1:{port}/{database}"
    connection = redis.Redis.from_url(url)
    try:
        yield url, connection
    finally:
        connection.close()
        if process is not None:
            process.terminate()
            process.wait(timeout=10)


def localstripe_command() -> str | None:
    beside_python = Path(sys.executable).with_name("localstripe")
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("localstripe")


@contextmanager
def running_localstripe() -> Iterator[str]:
    command = localstripe_command()
    if command is None:
        pytest.fail("localstripe is not installed: pip install -e '.[dev]' (make test does)")
    port = free_port()
    process = subprocess.Popen(
        [command, "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


def register_webhook(localstripe_url: str, target_url: str, secret: str = WEBHOOK_SECRET) -> None:
    response = requests.post(
        f"{localstripe_url}/_config/webhooks/shop",
        data={"url": target_url, "secret": secret},
        timeout=5,
    )
    response.raise_for_status()


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """The app on a loopback port in a thread, as a real HTTP server."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def eventually(check: Callable[[], Any], *, timeout: float = 10.0, interval: float = 0.1) -> Any:
    """Poll until `check()` is truthy (localstripe sends its webhooks about 1 s after)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still {value!r} after {timeout} s")
        time.sleep(interval)


class SmtpInbox:
    """An aiosmtpd server on loopback that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@contextmanager
def smtp_inbox() -> Iterator[tuple[SmtpInbox, int]]:
    from aiosmtpd.controller import Controller

    inbox = SmtpInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


# --- a private PostgreSQL cluster the test may freeze (tests/integration/test_database_stall.py)


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of one test's own, on a loopback port, with trust authentication
    for the `postgres` role. `freeze()` stops every process of it with SIGSTOP, as a server
    that hangs (swapping, a stuck disk, a paused VM) looks to the shop; `thaw()` resumes
    them."""

    url: str
    postmaster: subprocess.Popen[bytes]

    def children(self) -> list[int]:
        """The postmaster's children: the backends, the writers, the checkpointer... Each
        makes itself a session leader, so they are found by their parent, not by a group."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                # The command name is in parentheses and may hold spaces: parse after it.
                fields = stat.read_text().rpartition(")")[2].split()
            except OSError:
                continue  # ended meanwhile
            if int(fields[1]) == self.postmaster.pid:
                pids.append(int(stat.parent.name))
        return pids

    def freeze(self) -> None:
        # The postmaster first: stopped, it starts no new child while the others are found.
        # A stopped postmaster alone would not do: its backends would go on answering.
        for pid in [self.postmaster.pid, *self.children()]:
            _signal(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in [*self.children(), self.postmaster.pid]:
            _signal(pid, signal.SIGCONT)


def _signal(pid: int, signal_number: int) -> None:
    with suppress(ProcessLookupError):  # a child that ended meanwhile
        os.kill(pid, signal_number)


def _wait_until_accepting(url: str, timeout: float = 30.0) -> None:
    """The port opens before the cluster accepts connections ("starting up")."""
    import psycopg

    deadline = time.monotonic() + timeout
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    while True:
        try:
            psycopg.connect(dsn, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def postgres_bindir() -> Path | None:
    """The newest installed PostgreSQL's programs (Debian keeps them off the PATH)."""
    versions = [path.parent for path in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    versions.sort(key=lambda bindir: int(bindir.parent.name) if bindir.parent.name.isdigit() else 0)
    if versions:
        return versions[-1]
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A fresh cluster in a temporary directory, stopped and deleted afterwards (thawed
    first if a test left it frozen). As root it runs as the `postgres` system user: initdb
    refuses to run as root."""
    bindir = postgres_bindir()
    if bindir is None:
        missing_peer("no PostgreSQL server programs (initdb): apt-get install postgresql")
    run_as: dict[str, Any] = {}
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            missing_peer("running as root and no `postgres` user to run PostgreSQL as")
        run_as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
    directory = Path(tempfile.mkdtemp(prefix="shop-private-pg-"))
    if run_as:
        os.chown(directory, run_as["user"], run_as["group"])
    data, port = directory / "data", free_port()
    initdb = [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
    initdb += ["--encoding=UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"]
    server = [str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(directory)]
    # Loopback only; and no durability: the cluster lives as long as one test.
    for option in ("listen_addresses=127.0.0.1", "fsync=off", "synchronous_commit=off"):
        server += ["-c", option]
    postmaster = None
    try:
        subprocess.run(initdb, check=True, capture_output=True, **run_as)
        with (directory / "server.log").open("wb") as log:
            postmaster = subprocess.Popen(server, stdout=log, stderr=subprocess.STDOUT, **run_as)
        url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        _wait_until_accepting(url)
        cluster = PrivatePostgres(url, postmaster)
        try:
            yield cluster
        finally:
            cluster.thaw()
    finally:
        if postmaster is not None:
            # SIGQUIT: immediate shutdown; a test's cluster needs no checkpoint.
            stop_process(postmaster, signal.SIGQUIT)
        shutil.rmtree(directory, ignore_errors=True)
