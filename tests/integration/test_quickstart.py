"""`make run`'s quick start (shop/quickstart.py): `flask --app shop serve` migrates a database
only when it is behind, seeds only an empty catalogue and serves, in one process; and an app
without a Stripe key never loads the stripe library. On SQLite and PostgreSQL, each test in a
database of its own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select

from shop import create_app
from shop.extensions import db
from shop.models import Product
from shop.quickstart import migration_heads, upgrade_if_behind
from tests.conftest import settings_for
from tests.integration.test_migration_0009 import scratch_url  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name("flask")


def test_a_new_database_is_upgraded_once_and_then_left_alone(scratch_url):  # noqa: F811
    app = create_app(settings_for(scratch_url))
    with app.app_context():
        database_heads, script_heads = migration_heads(app)
        assert database_heads == set()
        assert len(script_heads) == 1

        assert upgrade_if_behind(app) is True
        assert migration_heads(app) == (script_heads, script_heads)
        assert upgrade_if_behind(app) is False
        db.engine.dispose()


def test_a_database_at_an_older_revision_is_brought_to_the_head(scratch_url):  # noqa: F811
    app = create_app(settings_for(scratch_url))
    with app.app_context():
        upgrade(revision="0019")
        assert migration_heads(app)[0] == {"0019"}

        assert upgrade_if_behind(app) is True
        database_heads, script_heads = migration_heads(app)
        assert database_heads == script_heads != {"0019"}
        db.engine.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve_until_first_page(url: str, tmp_path: Path) -> tuple[str, str]:
    """Start `flask --app shop serve` on `url`, wait for its health check, read the home page
    a verified visitor would see the address of, stop it; return (its output, the gate page)."""
    port = _free_port()
    env = {**os.environ, **{k: str(v) for k, v in settings_for(url).items()}}
    log = tmp_path / f"serve-{port}.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [str(FLASK), "--app", "shop", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as page:
                    return log.read_text(), page.read().decode()
            except OSError:
                time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_serve_prepares_an_empty_database_and_then_only_serves(scratch_url, tmp_path):  # noqa: F811
    first_output, first_page = _serve_until_first_page(scratch_url, tmp_path)

    assert "Database upgraded to the latest migration." in first_output
    assert "Demo shop:" in first_output
    assert "<html" in first_page
    engine = create_engine(scratch_url)
    with engine.connect() as connection:
        products = connection.scalar(select(func.count()).select_from(Product))
    engine.dispose()
    assert products and products > 0

    second_output, _ = _serve_until_first_page(scratch_url, tmp_path)

    assert "Database upgraded" not in second_output
    assert "The catalogue has products already; demo data not loaded." in second_output


@pytest.mark.parametrize(("stripe_key", "loaded"), [("", "False"), ("sk_test_quickstart", "True")])
def test_the_stripe_library_is_loaded_only_with_a_stripe_key(database_url, stripe_key, loaded):
    """A fresh interpreter builds the app, asks for the gateway and renders the home page."""
    program = (
        "import sys\n"
        "from shop import create_app\n"
        "from shop.extensions import payments\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    payments.gateway\n"
        "assert app.test_client().get('/').status_code == 303\n"
        "print('stripe' in sys.modules)\n"
    )
    settings = settings_for(
        database_url, SHOP_STRIPE_SECRET_KEY=stripe_key, SHOP_STRIPE_WEBHOOK_SECRET="whsec_qs"
    )
    env = {**os.environ, **{k: str(v) for k, v in settings.items()}}
    result = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == loaded
