"""The information pages (contact, shipping, returns, FAQ): reading one, staff editing one,
and their default texts.

Every page exists from migration 0013 on, made from the default texts in
`shop/data/pages/<slug>.<language>.md` (a "# Title" line, then the Markdown body); should
its row be missing (a database emptied by hand, or by the tests), a page of `PageSlug` shows
its default text, and saving it makes the row again. Staff change a page's titles and
bodies, both languages required; each change is audited in the same transaction. Bodies are
Markdown, sanitised when shown like articles' (`shop.text`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.db import save_in_write_transaction
from shop.models import PageSlug, ShopPage, StaffMember
from shop.refusals import Reason, Refused
from shop.services.audit import diff, record_change

PAGES_DIR = Path(__file__).resolve().parent.parent / "data" / "pages"
LANGUAGES = ("en", "nl")

MAX_LENGTHS = {
    "title_en": 200,
    "title_nl": 200,
    "body_md_en": 50_000,
    "body_md_nl": 50_000,
}


class PageNotFound(LookupError):
    """No information page by that slug."""


class PageRefusal(Reason):
    """Why a page's text is not saved."""

    TITLE_MISSING = "page_title_missing"
    BODY_MISSING = "page_body_missing"
    TOO_LONG = "page_too_long"  # limit


class PageError(Refused):
    """One thing wrong with a page's text."""


class InvalidPage(ValueError):
    """The page's text breaks rules; `errors` maps each field to its refusal."""

    def __init__(self, errors: dict[str, PageError]) -> None:
        super().__init__("; ".join(f"{name}: {error}" for name, error in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class PageText:
    """A page's titles and Markdown bodies, in English and Dutch."""

    title_en: str
    title_nl: str
    body_md_en: str
    body_md_nl: str


@dataclass(frozen=True)
class SavedPage:
    page: ShopPage
    changed: bool


@functools.cache
def default_text(slug: PageSlug, directory: Path = PAGES_DIR) -> PageText:
    """The text a page starts with, read from its two Markdown files."""
    parts: dict[str, str] = {}
    for language in LANGUAGES:
        source = (directory / f"{slug}.{language}.md").read_text(encoding="utf-8")
        first, _newline, body = source.partition("\n")
        if not first.startswith("# "):
            raise ValueError(f"{slug}.{language}.md must start with a '# Title' line")
        parts[f"title_{language}"] = first.removeprefix("# ").strip()
        parts[f"body_md_{language}"] = body.strip() + "\n"
    return PageText(**parts)


def _known(slug: str) -> PageSlug:
    try:
        return PageSlug(slug)
    except ValueError:
        raise PageNotFound(slug) from None


def _unsaved(slug: PageSlug) -> ShopPage:
    # Never added to the session: it stands in for a missing row until staff save it.
    text = default_text(slug)
    return ShopPage(slug=slug.value, **audit_fields(text))


def page_for_reader(session: Session, slug: str) -> ShopPage:
    """The page by its slug (one query); PageNotFound if it is not one of `PageSlug`."""
    known = _known(slug)
    page = session.scalar(select(ShopPage).where(ShopPage.slug == known.value))
    return page if page is not None else _unsaved(known)


def list_pages(session: Session) -> list[ShopPage]:
    """Every page, in the footer's order (one query)."""
    saved = {page.slug: page for page in session.scalars(select(ShopPage))}
    return [saved.get(slug.value) or _unsaved(slug) for slug in PageSlug]


def audit_fields(page: ShopPage | PageText) -> dict[str, Any]:
    """The page as the audit log compares it."""
    return {name: getattr(page, name) for name in MAX_LENGTHS}


def _check(text: PageText) -> dict[str, PageError]:
    errors: dict[str, PageError] = {}
    for name, limit in MAX_LENGTHS.items():
        value = getattr(text, name)
        if not value.strip():
            reason = (
                PageRefusal.TITLE_MISSING
                if name.startswith("title")
                else (PageRefusal.BODY_MISSING)
            )
            errors[name] = PageError(reason)
        elif len(value) > limit:
            errors[name] = PageError(PageRefusal.TOO_LONG, limit=limit)
    return errors


def save_page(
    session: Session, slug: str, text: PageText, *, actor: StaffMember | None, now: datetime
) -> SavedPage:
    """Change a page's titles and bodies, with its audit entry, in one transaction.

    Raises InvalidPage (field refusals) and PageNotFound; nothing is written then.
    """
    cleaned = PageText(
        title_en=text.title_en.strip(),
        title_nl=text.title_nl.strip(),
        body_md_en=text.body_md_en,
        body_md_nl=text.body_md_nl,
    )
    errors = _check(cleaned)
    if errors:
        raise InvalidPage(errors)
    return save_in_write_transaction(session, lambda: _save(session, slug, cleaned, actor, now))


def _save(
    session: Session, slug: str, text: PageText, actor: StaffMember | None, now: datetime
) -> SavedPage:
    known = _known(slug)
    found = session.scalar(select(ShopPage).where(ShopPage.slug == known.value).with_for_update())
    page = found if found is not None else _unsaved(known)
    changes = diff(audit_fields(page), audit_fields(text))
    if not changes:
        return SavedPage(page, changed=False)
    if found is None:
        session.add(page)
    for name in MAX_LENGTHS:
        setattr(page, name, getattr(text, name))
    page.updated_at = now
    record_change(
        session,
        actor,
        "update",
        page,
        changes,
        now=now,
        summary=f"page {page.slug}; changed " + ", ".join(sorted(changes)),
    )
    return SavedPage(page, changed=True)
