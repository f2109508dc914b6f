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
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
