"""Where a `next` parameter may send a visitor: only to a path on this site."""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_NEXT_LENGTH = 2000


def safe_next(target: str | None, default: str = "/") -> str:
    """`target` if it is a local path (`/…`), else `default`.

    Browsers are generous readers of URLs: they treat `\\` as `/` and drop tabs and newlines,
    so `/\\evil.example` and `/\\t/evil.example` mean another host. Anything with a scheme, a
    host, a backslash, a control character or a leading `//` is refused.
    """
    if not target or len(target) > MAX_NEXT_LENGTH:
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return default
    if any(ch.isspace() for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
