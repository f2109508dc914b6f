"""Promo codes: the campaign list with its numbers, create and edit, the chart."""

from __future__ import annotations

from shop.web.admin import Access, bp, requires  # noqa: F401
