"""The translation catalogs: where they are, and compiling them (`.po` → `.mo`).

The `.po` files in `shop/translations/<locale>/LC_MESSAGES/` are the source (committed);
the `.mo` files Flask-Babel reads are built from them and never committed. `make run` and
`make test` compile them (`python -m shop.i18n_catalogs`), and so do `tests/conftest.py`
once per test session (`.venv/bin/pytest`, and the gunicorn servers of the browser and
scale-out tests) and bench's gunicorn helper. Only a missing `.mo`, or one older
than its `.po`, is rebuilt; it is written to a temporary file and renamed into place, so a
server reading it never sees half a file.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

# Flask-Babel's default directory, relative to the app's root path (the `shop` package).
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"


def po_files(directory: Path = TRANSLATIONS_DIR) -> list[Path]:
    return sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def is_stale(po_path: Path) -> bool:
    mo_path = po_path.with_suffix(".mo")
    return not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime


def compile_catalogs(directory: Path = TRANSLATIONS_DIR, *, force: bool = False) -> list[Path]:
    """Compile every stale catalog (every one with `force`); return the `.mo` files written.

    Fuzzy entries are left out, as `pybabel compile` does: a guess is not a translation.
    """
    written = []
    for po_path in po_files(directory):
        if not force and not is_stale(po_path):
            continue
        with po_path.open("rb") as source:
            catalog = read_po(source, locale=po_path.parent.parent.name, domain=DOMAIN)
        mo_path = po_path.with_suffix(".mo")
        handle, temporary = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
        try:
            with os.fdopen(handle, "wb") as target:
                write_mo(target, catalog, use_fuzzy=False)
            os.replace(temporary, mo_path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        written.append(mo_path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    written = compile_catalogs(force="--force" in args)
    for path in written:
        print(f"compiled {path.relative_to(TRANSLATIONS_DIR.parent.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
