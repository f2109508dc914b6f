"""Products: list, create and edit with their warnings and images, publish."""

from __future__ import annotations

from shop.web.admin import Access, bp, requires  # noqa: F401
