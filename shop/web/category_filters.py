"""A category page's filter form: what its boxes show and what the visitor is told about
the values that were ignored. The grammar is `shop.rules.listing_filters`; the query,
`services.catalog.category_listing`.

What belongs here: the words for the filter problems, the text each box shows again (a bad
amount is shown as typed, so it can be corrected; a good one as the address has it), and the
one address of a set of filters that a plain form's (`?kind=capsules&min=&max=&sort=name`)
is sent on to.
Nothing here is cached: the problems and the typed text come from this visitor's address.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from shop.rules.listing_filters import FILTER_NAMES, FilterProblem, ReadFilters, euros_text


def problem_message(problem: FilterProblem) -> str:
    """What the visitor is told about a value the page ignored."""
    messages = {
        FilterProblem.MIN_PRICE_UNREADABLE: _(
            "The lowest price is not an amount in euros (like 10 or 12,50): it was ignored."
        ),
        FilterProblem.MAX_PRICE_UNREADABLE: _(
            "The highest price is not an amount in euros (like 25 or 29,95): it was ignored."
        ),
        FilterProblem.MIN_ABOVE_MAX: _(
            "The lowest price is above the highest price, so no product could match: both "
            "were ignored. Swap them or change one."
        ),
        FilterProblem.UNKNOWN_KIND: _(
            "A kind of product in the address is not one we sell: it was ignored."
        ),
    }
    return messages[problem]


@dataclass(frozen=True)
class PriceBoxes:
    """The text in the "from" and "to" price boxes."""

    min_text: str
    max_text: str


def price_boxes(
    read: ReadFilters, args: Mapping[str, Sequence[str]], locale: str = "en"
) -> PriceBoxes:
    """The price boxes as the visitor should see them again (in Dutch with a decimal comma:
    "12,50"; both are read back alike)."""
    comma = locale.startswith("nl")

    def shown(name: str, cents: int | None, problems: set[FilterProblem]) -> str:
        if problems & set(read.problems):
            values = args.get(name) or ("",)
            return values[0][:40]
        if cents is None:
            return ""
        return euros_text(cents).replace(".", ",") if comma else euros_text(cents)

    return PriceBoxes(
        min_text=shown(
            "min",
            read.filters.min_cents,
            {FilterProblem.MIN_PRICE_UNREADABLE, FilterProblem.MIN_ABOVE_MAX},
        ),
        max_text=shown(
            "max",
            read.filters.max_cents,
            {FilterProblem.MAX_PRICE_UNREADABLE, FilterProblem.MIN_ABOVE_MAX},
        ),
    )


def canonical_address(
    sent: MultiDict[str, str], read: ReadFilters, number: int
) -> dict[str, Any] | None:
    """The query arguments to send the visitor on to when a filter form without JavaScript
    sent these filters in another form (empty boxes, the default sort, another order), so
    every set of filters has one shareable address; None when the address is that one, asks
    for no filter, or holds a bad value (the page explains it instead)."""
    if read.problems or not any(name in sent for name in FILTER_NAMES):
        return None
    wanted: dict[str, Any] = {}
    if number > 1:
        wanted["page"] = number  # where the pagination's links put it
    wanted.update(read.filters.url_args())
    pairs: list[tuple[str, str]] = []
    for name, value in wanted.items():
        values = value if isinstance(value, list) else [value]
        pairs.extend((name, str(item)) for item in values)
    return None if list(sent.items(multi=True)) == pairs else wanted
