"""Demo promo codes: the seed shop's Halloween 2025 code exactly as it ran, a seasonal code
whose window contains the day the demo is loaded (so `make run` shows a banner), a fixed
amount with a minimum subtotal, and a code for one category with three uses.

Pure data and date arithmetic; `shop.services.demo.load_demo_promotions` creates the codes
through the same service as `flask --app shop promo create`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from shop.demo_data import LocalizedText
from shop.rules.promotions import Kind

# The seed shop ran Halloween 2025 in Amsterdam, whatever zone this installation uses.
HALLOWEEN_TIMEZONE = "Europe/Amsterdam"

# The seasonal code opens a few days before the demo is loaded and runs about four weeks on.
SEASONAL_DAYS_BEFORE = 3
SEASONAL_DAYS_AFTER = 28


@dataclass(frozen=True)
class DemoPromo:
    """One demo code. Dates are local and both inclusive; `timezone` None is the shop's."""

    code: str
    kind: Kind
    value: int
    first_date: date
    last_date: date | None
    timezone: str | None = None
    usage_limit: int | None = None
    min_subtotal_cents: int | None = None
    category_slugs: tuple[str, ...] = ()
    banner_title: LocalizedText | None = None
    banner_text: LocalizedText | None = None


HALLOWEEN_2025 = DemoPromo(
    code="HALLOWEEN2025",
    kind=Kind.PERCENT,
    value=15,
    first_date=date(2025, 10, 21),
    last_date=date(2025, 11, 2),
    timezone=HALLOWEEN_TIMEZONE,
    banner_title={"en": "Halloween 2025", "nl": "Halloween 2025"},
    banner_text={
        "en": (
            # The banner itself shows the dates and "15% OFF" before this text.
            "Use the code below at checkout to receive 15% off your entire order"
        ),
        "nl": (
            "Gebruik de code hieronder bij het afrekenen en ontvang 15% korting op je hele "
            "bestelling"
        ),
    },
)

TAKE_5 = DemoPromo(
    code="TAKE5",
    kind=Kind.AMOUNT,
    value=500,
    first_date=date(2025, 1, 1),
    last_date=None,
    min_subtotal_cents=4000,
)

GROW_3 = DemoPromo(
    code="GROW3",
    kind=Kind.PERCENT,
    value=20,
    first_date=date(2025, 1, 1),
    last_date=None,
    usage_limit=3,
    category_slugs=("grow-kits",),
)

# Meteorological seasons, the way a Dutch shop names its sales.
_SEASON_OF_MONTH = {
    12: "winter", 1: "winter", 2: "winter",
    3: "spring", 4: "spring", 5: "spring",
    6: "summer", 7: "summer", 8: "summer",
    9: "autumn", 10: "autumn", 11: "autumn",
}  # fmt: skip
_SEASON_NAMES: dict[str, LocalizedText] = {
    "winter": {"en": "Winter", "nl": "Winter"},
    "spring": {"en": "Spring", "nl": "Lente"},
    "summer": {"en": "Summer", "nl": "Zomer"},
    "autumn": {"en": "Autumn", "nl": "Herfst"},
}


def seasonal_promo(today: date) -> DemoPromo:
    """A public 10% code named after today's season and year (e.g. WINTER2026), running now."""
    season = _SEASON_OF_MONTH[today.month]
    name = _SEASON_NAMES[season]
    return DemoPromo(
        code=f"{season.upper()}{today.year}",
        kind=Kind.PERCENT,
        value=10,
        first_date=today - timedelta(days=SEASONAL_DAYS_BEFORE),
        last_date=today + timedelta(days=SEASONAL_DAYS_AFTER),
        banner_title={"en": f"{name['en']} {today.year}", "nl": f"{name['nl']} {today.year}"},
        banner_text={
            "en": "Use the code below at checkout to receive 10% off your entire order.",
            "nl": "Gebruik de code hieronder bij het afrekenen en ontvang 10% korting op je "
            "hele bestelling.",
        },
    )


def demo_promotions(today: date) -> list[DemoPromo]:
    """Every demo code, for a demo loaded on local date `today`."""
    return [HALLOWEEN_2025, seasonal_promo(today), TAKE_5, GROW_3]
