"""The files the shop keeps on disk: the development secret key and the SQLite database (with
its -wal, -shm and -journal files), in the instance folder by default.

Belongs here: creating them readable and writable by the shop's own user only (files 0600,
the instance folder 0700), whatever the process's umask. The key signs every session; the
database holds every customer's address and every staff password hash. With the usual
umask of 022 they would be readable by every user of the machine.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy.engine import URL

log = logging.getLogger(__name__)

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600

# The files SQLite makes beside the database. It creates them with the database file's own
# permissions, so a private database gets private ones; these suffixes are only for files
# an earlier, wider-open version of the shop left behind.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def make_private_folder(folder: Path) -> None:
    """Create `folder` if missing; either way only its owner may open it (0700)."""
    # mkdir's mode passes through the umask, and a folder made by an earlier version (or by
    # Flask-SQLAlchemy) is 0755: hence the chmod.
    folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    _restrict(folder, PRIVATE_FOLDER)


def write_private_file(path: Path, text: str) -> None:
    """Create `path` holding `text`, 0600 from its first moment (never readable by others)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(descriptor, "w") as file:
        os.fchmod(file.fileno(), PRIVATE_FILE)  # the umask may have taken bits off, never added
        file.write(text)


def make_private_file(path: Path) -> None:
    """Create `path` empty if missing (keeping what it holds if not) and make it 0600."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE)
    os.close(descriptor)
    _restrict(path, PRIVATE_FILE)


def sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite database URL; None for another database or an in-memory one."""
    if url.get_backend_name() != "sqlite" or url.database in {None, "", ":memory:"}:
        return None
    database = str(url.database)
    if url.query.get("uri"):  # sqlite:///file:path?uri=true
        if url.query.get("mode") == "memory":
            return None
        database = database.removeprefix("file:")
    return Path(database)


def keep_sqlite_database_private(url: URL, *, instance_path: Path) -> None:
    """Create the SQLite file 0600 before SQLite opens it (its -wal and -shm then follow),
    and its folder 0700 when it is the shop's own instance folder."""
    path = sqlite_file(url)
    if path is None:
        return
    if path.parent == instance_path:
        make_private_folder(instance_path)
    if not path.parent.is_dir():
        return  # SQLite says so on first use, with the path; an operator's folder is theirs
    make_private_file(path)
    for suffix in SQLITE_COMPANIONS:
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            _restrict(companion, PRIVATE_FILE)


def _restrict(path: Path, mode: int) -> None:
    if path.stat().st_mode & 0o777 == mode:
        return
    try:
        path.chmod(mode)
    except PermissionError:
        # Owned by another user (a deployer's choice): the shop can still run, so say it.
        log.warning("cannot make %s private (mode %o): it belongs to another user", path, mode)
