"""Staff accounts (owner only), the audit log (owner only), and one's own password."""

from __future__ import annotations

from shop.web.admin import Access, bp, requires  # noqa: F401
