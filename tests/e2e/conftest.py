"""The browser tests' harness: the shop in real gunicorn processes on loopback ports, on a
fresh database of its own (SQLite, or PostgreSQL when `SHOP_TEST_DATABASE_URL` is set) with
the demo shop loaded, today's Stripe for the Stripe journeys (the strict peer of
tests/stripe_peer.py in front of localstripe), and Debian's Chromium driven by Playwright's
sync API: one browser for the folder, a new context per test. Everything here is
package-scoped, so it is all stopped before the next folder's tests run.

The servers start together with the first browser test and share one database:
- `shop`: the shop as `make run` serves it (confirm-mode gate, built-in test gateway);
- `stripe_shop`: Stripe pointed at the strict peer (`stripe_peer`, in this process), which
  refuses what today's Stripe refuses and sends the shop signed webhooks; after the folder,
  every request the shop sent it is checked against the pinned API (the integration tests'
  contract check);
- `dob_shop`: the age gate asking for a date of birth (an app served from a thread).

Without Chromium (or axe-core, for the accessibility tests) the tests skip locally with
one message saying how to install it; in CI (`CI=true`) that is a failure, not a skip.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import (
    POSTGRES_URL,
    _create_postgres_database,
    _drop_postgres_database,
    _migrate,
    assert_shop_kept_the_contract,
    settings_for,
)
from tests.e2e.browsing import ARTIFACTS, DESKTOP, STRIPE_PUBLISHABLE_KEY, STRIPE_SECRET_KEY
from tests.peers import (
    IN_CI,
    WEBHOOK_SECRET,
    free_port,
    localstripe_command,
    missing_peer,
    register_webhook,
    serving,
)
from tests.stripe_peer import StrictStripe, running_strict_stripe

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"

SECRET_KEY = "e2e-secret-key-long-enough-for-the-session-cookie-0123456789"
MANAGER_EMAIL = "manager@paddo.example"
MANAGER_PASSWORD = "spore print under a blue lamp"


NO_CHROMIUM = "the browser tests need Debian's Chromium: apt-get install -y chromium"


class _SkippedWithoutChromium(pytest.Module):
    def collect(self) -> list[Any]:
        missing_peer(NO_CHROMIUM)


def pytest_pycollect_makemodule(module_path: Path, parent: Any) -> pytest.Module | None:
    """Without Chromium, locally: each test file is skipped from this one line, so the
    summary shows one message, not one per test (in CI, `chromium_installed` fails them)."""
    if CHROMIUM.exists() or IN_CI:
        return None
    return _SkippedWithoutChromium.from_parent(parent, path=module_path)


def require(present: bool, message: str) -> None:
    """Skip (locally) or fail (in CI) when something the browser tests need is missing."""
    if not present:
        missing_peer(message)


# --- the database -------------------------------------------------------------------------


def _load_demo_shop(url: str) -> None:
    """`flask --app shop seed-demo`, and a manager account made by the staff service."""
    from shop import clock, create_app
    from shop.extensions import db
    from shop.services.staff import create_staff

    app = create_app(settings_for(url))
    with app.app_context():
        seeded = app.test_cli_runner().invoke(args=["seed-demo"])
        assert seeded.exit_code == 0, seeded.output
        # Not `flask staff create --password-stdin`: its stdin reading warns under Click 8.2+.
        create_staff(
            db.session, MANAGER_EMAIL, MANAGER_PASSWORD, "manager", name="Mila", now=clock.now()
        )
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="package")
def e2e_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database of the browser tests' own: the integration tests empty theirs
    after each test. `servers` migrates it and loads the demo shop."""
    if POSTGRES_URL:
        url, name = _create_postgres_database(POSTGRES_URL)
        yield url
        _drop_postgres_database(POSTGRES_URL, name)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('e2e-db') / 'shop.db'}"


# --- the servers --------------------------------------------------------------------------


def _without_control_socket() -> list[str]:
    # Recent gunicorn opens a control socket at one path per user; several test servers
    # (and other test runs) would take it from each other.
    from gunicorn.config import KNOWN_SETTINGS

    flags = {flag for setting in KNOWN_SETTINGS for flag in setting.cli or ()}
    return ["--no-control-socket"] if "--no-control-socket" in flags else []


_WITHOUT_CONTROL_SOCKET = _without_control_socket()


@dataclass(frozen=True)
class Shop:
    """A running shop: where it answers, and its log."""

    url: str
    log: Path


class Servers:
    """Every process the browser tests talk to, started at once so that their slow
    start-ups (imports, mostly) overlap each other and the migration; each is waited for
    when a test first needs it, and all are stopped at the end. The one wait up front is
    for localstripe (a fraction of a second, while the shop starts): the strict peer
    registers with it, and the Stripe shop needs the peer's address."""

    def __init__(self, database_url: str, workdir: Path) -> None:
        self.database_url = database_url
        self.workdir = workdir
        self.localstripe_url: str | None = None
        self.peer: StrictStripe | None = None
        # Why the peer did not start, for the Stripe tests to fail with (the others run).
        self.peer_problem: str | None = None
        self._processes: dict[str, tuple[subprocess.Popen[bytes], str, Path]] = {}
        self._ready: set[str] = set()
        self._in_process = ExitStack()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def _spawn(self, name: str, command: list[str], url: str, env: dict[str, str]) -> None:
        log = ARTIFACTS / f"server-{name}.log"
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                command,
                # A working directory of its own, so no `.env` of the developer's is read.
                cwd=self.workdir,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        self._processes[name] = (process, url, log)

    def start_shop(self, name: str, *, workers: int = 2, **settings: str) -> None:
        """`gunicorn 'shop:create_app()'` on a free loopback port."""
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        command = [gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
        # The access log says how long each request took (%(L)s seconds): slow pages show.
        command += ["--access-logfile", "-", "--access-logformat", '"%(r)s" %(s)s %(L)ss']
        command += [*_WITHOUT_CONTROL_SOCKET, "shop:create_app()"]
        # A developer's own SHOP_* variables (Stripe keys, say) must not reach the servers.
        env = {key: value for key, value in os.environ.items() if not key.startswith("SHOP_")}
        env.update(
            SHOP_ENV="development",
            SHOP_DATABASE_URL=self.database_url,
            SHOP_SECRET_KEY=SECRET_KEY,
            SHOP_DEFAULT_LOCALE="en",
            SHOP_BASE_URL=url,
            # The tests write rows from their own process between pages: every page must
            # show them at once, which a fragment kept by a worker for seconds would not.
            SHOP_FRAGMENT_CACHE_SECONDS="0",
            **settings,
        )
        self._spawn(name, command, url, env)

    def start_localstripe(self) -> None:
        """localstripe on a free port, when it is installed (`localstripe` says if not)."""
        command = localstripe_command()
        if command is None:
            return
        port = free_port()
        self.localstripe_url = f"http://127.0.0.1:{port}"
        # --from-scratch: not the state another run left in /tmp/localstripe.pickle.
        self._spawn(
            "localstripe",
            [command, "--port", str(port), "--from-scratch"],
            self.localstripe_url,
            dict(os.environ),
        )

    def start_strict_stripe(self) -> None:
        """Once localstripe answers, the strict peer in front of it, in this process."""
        if self.localstripe_url is None:
            return
        try:
            self.wait_for("localstripe", "/_config/webhooks")
            self.peer = self._in_process.enter_context(running_strict_stripe(self.localstripe_url))
        except (RuntimeError, requests.RequestException) as problem:
            self.peer_problem = f"the strict Stripe peer did not start: {problem}"

    def wait_for(self, name: str, health_path: str = "/healthz") -> Shop:
        process, url, log = self._processes[name]
        deadline = time.monotonic() + 60
        while name not in self._ready:
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{name} at {url} did not start; its log ends:\n{tail}")
            try:
                if requests.get(url + health_path, timeout=2).status_code < 500:
                    self._ready.add(name)
                    continue
            except requests.RequestException:
                pass
            time.sleep(0.1)
        return Shop(url=url, log=log)

    def stop(self) -> None:
        for process, _, _ in self._processes.values():
            process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        for process, _, _ in self._processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._in_process.close()


@pytest.fixture(scope="package")
def servers(e2e_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """The shop (test gateway), the shop with Stripe, and today's Stripe (the strict peer
    in front of localstripe), on one database, migrated and holding the demo shop and a
    manager."""
    farm = Servers(e2e_database_url, tmp_path_factory.mktemp("servers"))
    try:
        # The shop as `make run` serves it: confirm-mode gate, the built-in test gateway.
        farm.start_shop("shop")
        farm.start_localstripe()
        farm.start_strict_stripe()
        if farm.peer is not None:
            farm.start_shop(
                "stripe-shop",
                workers=1,
                SHOP_STRIPE_SECRET_KEY=STRIPE_SECRET_KEY,
                SHOP_STRIPE_PUBLISHABLE_KEY=STRIPE_PUBLISHABLE_KEY,
                SHOP_STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                # The shop's calls go to the peer's `/shop/v1/...`, the page's to `/v1/...`.
                SHOP_STRIPE_API_BASE=f"{farm.peer.url}/shop",
                SHOP_STRIPE_JS_URL=f"{farm.peer.url}/js.stripe.com/v3/",
            )
        # The app never migrates itself, and no page is asked for before this is done.
        _migrate(e2e_database_url)
        _load_demo_shop(e2e_database_url)
        yield farm
    finally:
        farm.stop()


@pytest.fixture(scope="package")
def shop(servers: Servers) -> Shop:
    """The shop as `make run` serves it: confirm-mode gate, the built-in test gateway."""
    return servers.wait_for("shop")


@pytest.fixture(scope="package")
def dob_shop(servers: Servers) -> Iterator[Shop]:
    """The same shop with the gate asking for a date of birth: one more app on the same
    database, served from a thread of this process (a gunicorn of its own would cost
    seconds of start-up for two tests)."""
    from shop import create_app
    from shop.extensions import db

    app = create_app(
        {
            # Not "development": that would also set up logging for the whole test process.
            "SHOP_ENV": "testing",
            "SHOP_DATABASE_URL": servers.database_url,
            "SHOP_SECRET_KEY": SECRET_KEY,
            "SHOP_DEFAULT_LOCALE": "en",
            "SHOP_AGE_GATE_MODE": "dob",
        }
    )
    with serving(app) as url:
        yield Shop(url=url, log=Path(os.devnull))
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="package")
def stripe_peer(servers: Servers) -> Iterator[StrictStripe]:
    """Today's Stripe for the whole folder: the strict peer (tests/stripe_peer.py) in front
    of localstripe. Stripe.js in the page talks to its `/v1/...` (`use_stripe_js_stand_in`);
    its test controls (`bank_settles`, ...) play the bank. A test that changes its other
    controls (faults, delays, held events) puts them back with `reset_controls()`.

    After the folder, the integration tests' contract check over everything the shop sent
    it: the pinned Stripe-Version, only parameters the pinned API knows. (This overrides
    tests/conftest.py's per-test `stripe_peer`, which would start a localstripe of its own.)"""
    require(
        servers.localstripe_url is not None, "localstripe is not installed: pip install -e '.[dev]'"
    )
    if servers.peer is None:
        pytest.fail(servers.peer_problem or "the strict Stripe peer did not start", pytrace=False)
    yield servers.peer
    assert_shop_kept_the_contract(servers.peer)


@pytest.fixture(scope="package")
def stripe_shop(servers: Servers, stripe_peer: StrictStripe) -> Shop:
    """The same shop taking payments through Stripe, here the strict peer, which sends it
    signed webhook events."""
    running = servers.wait_for("stripe-shop")
    register_webhook(stripe_peer.url, f"{running.url}/webhooks/stripe")
    return running


# --- the browser --------------------------------------------------------------------------


@pytest.fixture(scope="package", autouse=True)
def chromium_installed() -> None:
    """Checked before anything starts (in CI; locally the test files skip at collection)."""
    require(CHROMIUM.exists(), NO_CHROMIUM)


@pytest.fixture(scope="package", autouse=True)
def no_stale_failure_pictures() -> None:
    """Screenshots of an earlier run's failures would be taken for this run's."""
    for picture in ARTIFACTS.glob("FAILED-*.png"):
        picture.unlink(missing_ok=True)


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    # Generous for a busy 2-core machine; a passing check never waits for it.
    expect.set_options(timeout=10_000)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    # Kept on the item so the `context` fixture can take a screenshot of a failed test.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def context(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser profile (no cookies): a new visitor, on a laptop-sized window."""
    browser_context = browser.new_context(
        viewport=DESKTOP, locale="en-GB", timezone_id="Europe/Amsterdam"
    )
    browser_context.set_default_timeout(10_000)
    yield browser_context
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for number, open_page in enumerate(browser_context.pages):
            open_page.screenshot(
                path=ARTIFACTS / f"FAILED-{request.node.name}-{number}.png", full_page=True
            )
    browser_context.close()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


@pytest.fixture(scope="package")
def axe_script() -> str:
    require(
        AXE_SCRIPT.exists(),
        f"the accessibility tests need axe-core ({AXE_SCRIPT.relative_to(ROOT)}): run npm ci",
    )
    return AXE_SCRIPT.read_text()


@pytest.fixture(scope="package")
def manager() -> tuple[str, str]:
    """The manager account made with the demo shop: e-mail address and password."""
    return MANAGER_EMAIL, MANAGER_PASSWORD


@pytest.fixture(scope="package")
def paid_by_card() -> dict[str, str]:
    """The order journey 5 paid by card through Stripe (its page URL and number), for the
    manager to refund in journey 7."""
    return {}
