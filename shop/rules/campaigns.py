"""What the shop shows of a public promo code while it runs: its site-wide banner, and the EU
Omnibus note on the products it covers.

What belongs here: `PublicCode`, a running public code as plain values (a process keeps the
list for a few seconds, detached from any database session); what its banner says
(`banner_for`: the local dates, the percentage or amount, the title and text in the
visitor's language); and the Omnibus rule (`omnibus_notes`): while a public code covers a
product, the lowest price the product had in the 30 days before that promotion began
(Directive 2019/2161, art. 6a). The price history is looked up by the caller's function;
nothing here touches the clock, the database or the request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from shop.rules.promotions import Kind, Window, last_local_date

# "The lowest price applied within a period of time not less than 30 days prior to the
# application of the price reduction" (art. 6a(2)).
OMNIBUS_DAYS = 30


@dataclass(frozen=True)
class PublicCode:
    """What banners and Omnibus notes need of a public code, as plain values."""

    id: int
    display_code: str
    kind: Kind
    value: int
    window: Window
    banner_title_en: str = ""
    banner_title_nl: str = ""
    banner_text_en: str = ""
    banner_text_nl: str = ""
    product_ids: frozenset[int] = frozenset()
    category_ids: frozenset[int] = frozenset()

    def banner_title(self, locale: str) -> str:
        return self._in(locale, self.banner_title_en, self.banner_title_nl)

    def banner_text(self, locale: str) -> str:
        return self._in(locale, self.banner_text_en, self.banner_text_nl)

    @staticmethod
    def _in(locale: str, english: str, dutch: str) -> str:
        # The visitor's language, or the other one when staff left this one empty.
        first, second = (dutch, english) if locale.lower().startswith("nl") else (english, dutch)
        return first or second

    def covers(self, product_id: int, category_id: int | None) -> bool:
        """True when the code discounts this product (whole-order codes cover everything)."""
        if not self.product_ids and not self.category_ids:
            return True
        return product_id in self.product_ids or category_id in self.category_ids


@dataclass(frozen=True)
class Banner:
    """What a banner shows: the code's dates are local, `last_date` inclusive."""

    promo_code_id: int
    code: str
    title: str
    text: str
    first_date: date | None
    last_date: date | None
    percent: int | None
    amount_cents: int | None
    free_shipping: bool = False


def banner_for(code: PublicCode, locale: str, tz: ZoneInfo) -> Banner:
    """The banner of `code` for a visitor reading `locale`, its dates local to `tz`."""
    window = code.window
    is_percent = code.kind is Kind.PERCENT
    is_amount = code.kind is Kind.AMOUNT
    return Banner(
        promo_code_id=code.id,
        code=code.display_code,
        title=code.banner_title(locale),
        text=code.banner_text(locale),
        first_date=window.starts_at.astimezone(tz).date() if window.starts_at else None,
        last_date=last_local_date(window, tz),
        percent=code.value if is_percent else None,
        amount_cents=code.value if is_amount else None,
        free_shipping=code.kind is Kind.FREE_SHIPPING,
    )


@dataclass(frozen=True)
class OmnibusNote:
    """The lowest price of a product in the 30 days before a promotion covering it began."""

    code: str
    lowest_price_cents: int


def omnibus_period_start(starts_at: datetime) -> datetime:
    """Where the prices that count for a promotion beginning at `starts_at` begin: the
    period is the 30 days up to its start."""
    return starts_at - timedelta(days=OMNIBUS_DAYS)


def omnibus_notes(
    codes: Iterable[PublicCode],
    product_id: int,
    category_id: int | None,
    lowest_price_before: Callable[[datetime], int | None],
) -> list[OmnibusNote]:
    """For each running public code covering the product, its lowest price in the 30 days
    before the code began (`lowest_price_before(start)`, None without price history); one
    note per distinct price, so two codes that began together say it once."""
    notes: list[OmnibusNote] = []
    for code in codes:
        starts_at = code.window.starts_at
        if starts_at is None or not code.covers(product_id, category_id):
            continue  # an open start has no "before the promotion" to compare with
        if code.kind is Kind.FREE_SHIPPING:
            continue  # it lowers no product's price, so there is no earlier price to show
        lowest = lowest_price_before(starts_at)
        if lowest is not None and all(n.lowest_price_cents != lowest for n in notes):
            notes.append(OmnibusNote(code=code.display_code, lowest_price_cents=lowest))
    return notes
