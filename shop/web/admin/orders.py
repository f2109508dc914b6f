"""Orders: list, CSV export, detail, ship, refund, cancel."""

from __future__ import annotations

from shop.web.admin import Access, bp, requires  # noqa: F401
