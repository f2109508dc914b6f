"""A category page's filters and sort, read from the address the way the filter form sends it.

What belongs here: the grammar of `?in_stock=1&kind=capsules&min=10&max=25,50&sort=price`,
what a bad value means (it is ignored and named, never an error page), and the one canonical
form of a set of filters, used for links (pagination, "clear") and as the key of the
cached product list. Pure: no Flask, no database; the words for the problems are the web
layer's (`shop.web.wording`).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shop.rules.input import Unreadable, parse_euros
from shop.rules.product_kind import KIND_ORDER, ProductKind

MAX_PRICE_TEXT = 20  # longer than any amount `parse_euros` reads: not worth reading
MAX_KINDS_READ = 20  # more `kind=` values than there are kinds is someone's experiment
FILTER_NAMES = ("in_stock", "kind", "min", "max")  # the sort is not a filter: it hides nothing
_YES = frozenset({"1", "on", "yes", "true"})


class Sort(enum.StrEnum):
    NAME = "name"
    PRICE = "price"
    PRICE_DESC = "price_desc"
    NEWEST = "newest"


class FilterProblem(enum.StrEnum):
    MIN_PRICE_UNREADABLE = "min_price_unreadable"
    MAX_PRICE_UNREADABLE = "max_price_unreadable"
    MIN_ABOVE_MAX = "min_above_max"
    UNKNOWN_KIND = "unknown_kind"


@dataclass(frozen=True)
class CategoryFilters:
    """What a visitor asked a category page for. The default shows everything by name."""

    in_stock: bool = False
    min_cents: int | None = None
    max_cents: int | None = None
    kinds: tuple[ProductKind, ...] = ()  # in KIND_ORDER, no duplicates
    sort: Sort = Sort.NAME

    @property
    def is_filtering(self) -> bool:
        """Whether some products may be left out (the sort leaves none out)."""
        return (
            self.in_stock
            or self.min_cents is not None
            or self.max_cents is not None
            or bool(self.kinds)
        )

    @property
    def active_count(self) -> int:
        """How many filters and choices differ from the default, for "Filter and sort (2)"."""
        return (
            int(self.in_stock)
            + int(self.min_cents is not None or self.max_cents is not None)
            + int(bool(self.kinds))
            + int(self.sort != Sort.NAME)
        )

    def key(self) -> tuple[object, ...]:
        """The filters as a hashable value: equal for two addresses that ask the same."""
        return (self.in_stock, self.min_cents, self.max_cents, self.kinds, self.sort.value)

    def url_args(self) -> dict[str, str | list[str]]:
        """The query arguments that ask for these filters, in the form's order, defaults left
        out: the same filters always give the same address."""
        args: dict[str, str | list[str]] = {}
        if self.in_stock:
            args["in_stock"] = "1"
        if self.kinds:
            args["kind"] = [kind.value for kind in self.kinds]
        if self.min_cents is not None:
            args["min"] = euros_text(self.min_cents)
        if self.max_cents is not None:
            args["max"] = euros_text(self.max_cents)
        if self.sort != Sort.NAME:
            args["sort"] = self.sort.value
        return args


@dataclass(frozen=True)
class ReadFilters:
    """The filters read, and what was wrong with the address (ignored, to be explained)."""

    filters: CategoryFilters
    problems: tuple[FilterProblem, ...] = ()


def euros_text(cents: int) -> str:
    """An amount as the filter's address writes it: "12", "12.50"."""
    euros, rest = divmod(cents, 100)
    return f"{euros}.{rest:02d}" if rest else str(euros)


def _first(args: Mapping[str, Sequence[str]], name: str) -> str:
    values = args.get(name) or ()
    return values[0].strip() if values else ""


def _amount(text: str) -> int | None:
    """Cents, or None for an empty box; Unreadable for anything else not an amount."""
    if not text:
        return None
    if len(text) > MAX_PRICE_TEXT:
        raise Unreadable("amount")
    return parse_euros(text)


def read_category_filters(args: Mapping[str, Sequence[str]]) -> ReadFilters:
    """The filters in a category page's query arguments (each name with its values, as
    `request.args.to_dict(flat=False)` gives them). Never raises: a bad value is ignored and
    named in `problems`."""
    problems: list[FilterProblem] = []
    in_stock = _first(args, "in_stock").lower() in _YES

    prices: list[int | None] = []
    for name, problem in (
        ("min", FilterProblem.MIN_PRICE_UNREADABLE),
        ("max", FilterProblem.MAX_PRICE_UNREADABLE),
    ):
        try:
            prices.append(_amount(_first(args, name)))
        except Unreadable:
            problems.append(problem)
            prices.append(None)
    min_cents, max_cents = prices
    if min_cents is not None and max_cents is not None and min_cents > max_cents:
        # Neither bound can be trusted: which one was mistyped is the visitor's to say.
        problems.append(FilterProblem.MIN_ABOVE_MAX)
        min_cents = max_cents = None

    kinds: set[ProductKind] = set()
    for value in list(args.get("kind") or ())[:MAX_KINDS_READ]:
        try:
            kinds.add(ProductKind(value.strip()))
        except ValueError:
            if FilterProblem.UNKNOWN_KIND not in problems:
                problems.append(FilterProblem.UNKNOWN_KIND)

    try:
        sort = Sort(_first(args, "sort") or Sort.NAME)
    except ValueError:
        sort = Sort.NAME  # an old or hand-made link: the default order says enough

    filters = CategoryFilters(
        in_stock=in_stock,
        min_cents=min_cents,
        max_cents=max_cents,
        kinds=tuple(sorted(kinds, key=KIND_ORDER.__getitem__)),
        sort=sort,
    )
    return ReadFilters(filters=filters, problems=tuple(problems))
