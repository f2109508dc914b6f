"""Template helpers: money, dates and Markdown, in the visitor's language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache, partial

from babel.dates import format_date
from babel.numbers import format_currency
from flask import Flask, current_app
from flask_babel import get_locale
from markupsafe import Markup

from shop import clock
from shop.text import render_markdown


def local_time(instant: datetime | None) -> str:
    """An instant as the shop's local date and time, "2026-03-29 14:05" (the back office's
    way of showing times)."""
    if instant is None:
        return ""
    return instant.astimezone(clock.shop_timezone()).strftime("%Y-%m-%d %H:%M")


def format_money(cents: int, currency: str | None = None) -> str:
    """Format cents as money: "€ 12,50" in Dutch, "€12.50" in English; the one formatter."""
    code = currency or current_app.config["SHOP_CURRENCY"]
    return _formatted(cents, code, str(get_locale()))


def money_formatter() -> Callable[[int], str]:
    """`format_money` for the many prices of one list: the currency and the visitor's language
    are asked once, not per price."""
    return partial(
        _formatted, currency=current_app.config["SHOP_CURRENCY"], locale=str(get_locale())
    )


@lru_cache(maxsize=8192)
def _formatted(cents: int, currency: str, locale: str) -> str:
    # Babel works the pattern out on every call (~20 µs); a page of 24 cards shows a few
    # dozen prices, and a shop has few distinct ones.
    return format_currency(Decimal(cents) / 100, currency, locale=locale)


def format_local_date(value: date | datetime, style: str = "long") -> str:
    """Format a date like "2 november 2025"; an aware datetime is shown in the shop's zone."""
    if isinstance(value, datetime):
        from shop.clock import shop_timezone

        value = value.astimezone(shop_timezone()).date()
    # "2 November 2025" and "2 november 2025": day first in both languages, as the shop's
    # customers write dates (Babel's English "long" style would say "November 2, 2025").
    pattern = "d MMMM y" if style == "long" else style
    return format_date(value, format=pattern, locale=str(get_locale()))


def format_local_moment(instant: datetime) -> str:
    """An instant as the customer reads it, in the shop's zone: "6 december 2026, 14:05"."""
    local = instant.astimezone(clock.shop_timezone())
    return f"{format_local_date(local.date())}, {local:%H:%M}"


def nowrap(text: str) -> Markup:
    """`text` kept on one line (an order number, whose hyphens would let it break)."""
    return Markup('<span class="nowrap">{}</span>').format(text)


def nowrap_in_email(text: str) -> Markup:
    """`nowrap` for an e-mail, which has no stylesheet: the style is on the element."""
    return Markup('<span style="white-space:nowrap">{}</span>').format(text)


def markdown(source: str) -> Markup:
    return render_markdown(source)


def register(app: Flask) -> None:
    app.add_template_filter(format_money, "money")
    app.add_template_filter(format_local_date, "local_date")
    app.add_template_filter(format_local_moment, "local_moment")
    app.add_template_filter(markdown, "markdown")
    app.add_template_filter(nowrap, "nowrap")
    app.add_template_filter(nowrap_in_email, "nowrap_in_email")

    @app.context_processor
    def locale_context() -> dict[str, object]:
        return {"locale": str(get_locale())}
