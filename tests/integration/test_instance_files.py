"""The files the shop writes to disk are its own user's alone: the instance folder 0700, the
generated secret key and the SQLite database (and the files SQLite adds beside it) 0600,
whatever the umask of the process that started the shop."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from shop import create_app
from shop.extensions import db
from tests.conftest import settings_for

WIDE_OPEN_UMASK = 0o022  # the usual default: files 0644, folders 0755


@pytest.fixture
def usual_umask() -> Iterator[None]:
    earlier = os.umask(WIDE_OPEN_UMASK)
    yield
    os.umask(earlier)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def development_app(instance: Path):  # type: ignore[no-untyped-def]
    """A development shop with no key and no database URL set: both go to `instance`."""
    settings = settings_for("", SHOP_ENV="development", SHOP_SECRET_KEY="")
    return create_app(settings, instance_path=instance)


def write_something(app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        db.session.execute(text("CREATE TABLE notes (body TEXT)"))
        db.session.execute(text("INSERT INTO notes VALUES ('written')"))
        db.session.commit()
        db.session.remove()


def test_a_fresh_instance_folder_and_its_files_are_private(tmp_path, usual_umask):
    instance = tmp_path / "instance"

    app = development_app(instance)
    with app.app_context():
        write_something(app)
        files = sorted(path.name for path in instance.iterdir())
        modes = {path.name: mode(path) for path in instance.iterdir()}
        db.engine.dispose()

    assert mode(instance) == 0o700
    assert {"secret_key", "shop.db", "shop.db-wal", "shop.db-shm"} <= set(files)
    assert modes == dict.fromkeys(files, 0o600)


def test_files_an_earlier_version_left_open_are_made_private(tmp_path, usual_umask):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    for name in ("secret_key", "shop.db", "shop.db-wal"):
        (instance / name).write_bytes(b"")
        (instance / name).chmod(0o644)
    (instance / "secret_key").write_text("an-older-development-key-kept-on-disk-0123456789")

    app = development_app(instance)

    assert app.secret_key == "an-older-development-key-kept-on-disk-0123456789"
    assert mode(instance) == 0o700
    assert {name: mode(instance / name) for name in ("secret_key", "shop.db", "shop.db-wal")} == {
        "secret_key": 0o600,
        "shop.db": 0o600,
        "shop.db-wal": 0o600,
    }
    with app.app_context():
        db.engine.dispose()


def test_a_sqlite_database_elsewhere_is_private_but_its_folder_is_left_alone(tmp_path, usual_umask):
    elsewhere = tmp_path / "data"
    elsewhere.mkdir(mode=0o750)
    settings = settings_for(f"sqlite:///{elsewhere / 'shop.db'}")

    app = create_app(settings, instance_path=tmp_path / "instance")
    with app.app_context():
        write_something(app)
        modes = {path.name: mode(path) for path in elsewhere.iterdir()}
        db.engine.dispose()

    assert mode(elsewhere) == 0o750
    assert modes == {"shop.db": 0o600, "shop.db-wal": 0o600, "shop.db-shm": 0o600}
