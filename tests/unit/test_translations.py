"""Every message a customer or staff member can read has its Dutch, with the same placeholders.

The messages are extracted from the sources exactly as `make translations` does (babel.cfg,
the same keywords), so a new `_("…")` without Dutch fails here, by name, before anyone sees
English on a Dutch page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from shop.i18n_catalogs import TRANSLATIONS_DIR

ROOT = Path(__file__).resolve().parents[2]
# The keywords `make translations` passes to `pybabel extract` (-k), besides Babel's own.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[sdifr%]")


def extracted_messages() -> dict[str | tuple[str, ...], list[str]]:
    """Every message in the sources, with where it is used."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str | tuple[str, ...], list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        key = message if isinstance(message, str) else tuple(m for m in message if m)
        if key and (isinstance(key, str) or len(key) == 2):
            found.setdefault(key, []).append(f"{filename}:{lineno}")
    return found


def catalog(locale: str) -> Catalog:
    with (TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=locale)


def placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


@pytest.fixture(scope="module")
def messages() -> dict[str | tuple[str, ...], list[str]]:
    return extracted_messages()


@pytest.fixture(scope="module")
def dutch() -> Catalog:
    return catalog("nl")


def test_the_sources_have_messages_to_translate(messages) -> None:
    assert len(messages) > 500
    assert "Are you %(age)s or older?" in messages  # a template
    assert "Cereals containing gluten" in messages  # a lazy_gettext in Python


def test_every_message_has_a_dutch_translation(messages, dutch) -> None:
    problems = []
    for key, places in messages.items():
        msgid = key if isinstance(key, str) else key[0]
        entry = dutch.get(msgid)
        where = places[0]
        if entry is None:
            problems.append(f"missing: {msgid!r} ({where})")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {msgid!r} ({where})")
        elif not all(entry.string if isinstance(entry.string, tuple) else [entry.string]):
            problems.append(f"empty: {msgid!r} ({where})")
    assert not problems, (
        f"{len(problems)} message(s) without Dutch; run `make translations`, translate them in "
        f"{TRANSLATIONS_DIR.relative_to(ROOT)}/nl/LC_MESSAGES/messages.po:\n" + "\n".join(problems)
    )


def test_dutch_keeps_the_placeholders_of_every_message(dutch) -> None:
    problems = []
    for entry in dutch:
        if not entry.id or not entry.string:
            continue
        if isinstance(entry.id, tuple):
            expected = placeholders(entry.id[1])
            forms = [s for s in entry.string if s]
        else:
            expected = placeholders(entry.id)
            forms = [entry.string]
        for form in forms:
            if placeholders(form) != expected:
                problems.append(f"{entry.id!r}: {placeholders(form)} instead of {expected}")
    assert not problems, "placeholders differ:\n" + "\n".join(problems)


def test_the_english_catalog_has_every_message_and_no_guesses(messages) -> None:
    english = catalog("en")
    missing = [
        key for key in messages if english.get(key if isinstance(key, str) else key[0]) is None
    ]
    assert not missing, f"not in en/messages.po (run `make translations`): {missing}"
    assert not [entry.id for entry in english if entry.id and entry.fuzzy]


def test_a_changed_placeholder_is_caught() -> None:
    assert placeholders("Only %(n)s left of %(name)s") != placeholders("Nog %(n)s over van %(nam)s")
    assert placeholders("%(percent)s%% OFF") == placeholders("%(percent)s%% KORTING")
