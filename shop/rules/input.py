"""What people type, read one way everywhere: amounts in euros, single lines of text, URL
slugs and e-mail addresses. Pure functions: the forms (`shop.web.forms`), the services and
the command line all use these, so one grammar holds for each kind of input.
"""

from __future__ import annotations

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email

MAX_EUROS = 9_999_999
MAX_EMAIL_LENGTH = 320  # the columns that keep addresses are this long (RFC 5321's limit)

_EUROS = re.compile(r"(?P<euros>[0-9]{1,7})(?:[.,](?P<cents>[0-9]{1,2}))?")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class Unreadable(ValueError):
    """Input that is not what it should be; the message names the kind, not the words."""


def parse_euros(text: str) -> int:
    """Cents from an amount typed in euros: "12,50", "12.50", "12,5", "12" or "€ 12,50".

    Strict on purpose: no thousands separators, at most two decimals, no signs or exponents
    ("12,505", "1.234,50", "-1" and "1e3" are refused rather than guessed at).
    """
    cleaned = text.strip().removeprefix("€").strip()
    found = _EUROS.fullmatch(cleaned)
    if found is None:
        raise Unreadable("amount")
    cents = (found.group("cents") or "0").ljust(2, "0")
    return int(found.group("euros")) * 100 + int(cents)


MAX_PAGE = 10_000  # further than any list goes; a bigger number is someone's experiment


def page_number(raw: object) -> int:
    """The page of a list asked for in the address (`?page=3`): 1 for anything that is not
    a plain number, at most `MAX_PAGE`."""
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        return 1
    return min(max(int(raw), 1), MAX_PAGE)


def single_line(raw: object, limit: int = 300) -> str:
    """A form value as one line of text: control characters gone, spaces collapsed, at most
    `limit` characters read."""
    if not isinstance(raw, str):
        return ""
    visible = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in raw[:limit])
    return " ".join(visible.split())


def slug_from(text: str, limit: int = 160) -> str:
    """A URL slug from a name: "Psilocybe Mexicana 15 g" → "psilocybe-mexicana-15-g"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", plain.lower()))[:limit].strip("-")


def is_slug(text: str) -> bool:
    """Lowercase letters and digits in words joined by single hyphens."""
    return SLUG.fullmatch(text) is not None


def email_address(text: str) -> str:
    """The address as it should be kept (trimmed, the domain in its normal form), or
    `Unreadable` when it cannot be an address mail is delivered to. The check is of the
    form only (no lookup of the domain): checkout must not wait on DNS."""
    candidate = text.strip()
    if not candidate or len(candidate) > MAX_EMAIL_LENGTH:
        raise Unreadable("email")
    try:
        valid = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError as error:
        raise Unreadable("email") from error
    return valid.normalized
