"""Promotion (discount code) rules.

What belongs here: how a typed code and an e-mail address are normalised for lookup, when a code
is valid (its time window, usage limits, minimum order, which products it covers), how a
discount is computed and spread over the order lines, and what state a code is in for the admin
list. The caller loads the code's terms and the cart lines from wherever they live and passes
"now" in; nothing here touches the clock, the database or the request.

All instants are timezone-aware; windows are stored in UTC. The shop thinks in local calendar
dates ("valid 21 October to 2 November"), so ``window_from_local`` is the one place where such
dates become instants.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from shop.refusals import Reason, Refused
from shop.rules.money import allocate, percent_of

__all__ = [
    "Kind",
    "Line",
    "PricedCart",
    "PromoNotApplicable",
    "PromoTerms",
    "Refusal",
    "Status",
    "Window",
    "check_code",
    "customer_identity",
    "eligible_lines",
    "last_local_date",
    "normalise_code",
    "normalise_email",
    "price_cart",
    "status",
    "window_from_local",
]


# --- Normalisation -------------------------------------------------------------------------


def normalise_code(text: str) -> str:
    """The form of a promo code used for storage and lookup.

    NFKC folds look-alike forms typed on phones or pasted from PDFs (full-width letters,
    ligatures such as "ﬁ", non-breaking spaces) into plain ones, and casefold makes "Zomer25",
    "ZOMER25" and "zomer25" one code. Only the ends are stripped: a space inside a code is part
    of it.
    """
    # Casefolding can produce text that is no longer NFKC-normal, so normalise once more after
    # it; without that the function would not be idempotent for a few characters.
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return folded.strip()


def normalise_email(text: str) -> str:
    """The form of an e-mail address used to count a customer's uses of a code.

    The whole address is lowercased. Strictly the part before the @ may be case-sensitive, but no
    mainstream mailbox provider treats it so, and counting "Jan@X.nl" and "jan@x.nl" as two
    customers would let anyone reuse a one-per-customer code by changing case. lower() rather
    than casefold(), because casefold turns "ß" into "ss", which would be a different address.
    Dots and "+tags" are kept: ignoring them is a Gmail-specific convention, and applying it to
    every domain would merge genuinely different mailboxes.
    """
    lowered = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).lower())
    return lowered.strip()


# Gmail delivers "j.a.n@gmail.com" to "jan@gmail.com"; googlemail.com is the same mailbox.
DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def customer_identity(email: str) -> str:
    """Who a customer is for a code's once-per-customer limit: their mailbox, not its spelling.

    The address is normalised (``normalise_email``: lower-cased as a whole), then a "+tag"
    is dropped from the part before the @: "jan+1@x.nl" and "jan+shop@x.nl" reach the same
    mailbox as "jan@x.nl" at every provider that supports tags (Gmail, Outlook, iCloud,
    Proton, Fastmail), and where a provider does not, a "+" in a real address is rare
    enough that counting two such people as one costs little. For gmail.com and
    googlemail.com the dots of that part are dropped too and the domain is gmail.com:
    Google ignores them. Dots stay elsewhere, where "j.jansen" and "jjansen" may be two
    people. The identity is what the shop stores to count uses; the order keeps the address.
    """
    address = normalise_email(email)
    local, at, domain = address.rpartition("@")
    if not at or not local:
        return address
    untagged = local.split("+", 1)[0] or local  # "+tag@x.nl": no name to keep but the tag
    if domain in DOTLESS_DOMAINS:
        domain = DOTLESS_DOMAINS[domain]
        untagged = untagged.replace(".", "") or untagged
    return f"{untagged}@{domain}"


# --- Time windows ----------------------------------------------------------------------------


def _require_aware(name: str, value: datetime) -> None:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


@dataclass(frozen=True)
class Window:
    """A half-open interval of instants, [starts_at, ends_at); None means unbounded on that side.

    Both bounds are converted to UTC on construction so that equal windows compare equal and
    the stored values never depend on the zone they happened to be built in.
    """

    starts_at: datetime | None
    ends_at: datetime | None

    def __post_init__(self) -> None:
        for name in ("starts_at", "ends_at"):
            value = getattr(self, name)
            if value is not None:
                _require_aware(name, value)
                object.__setattr__(self, name, value.astimezone(UTC))
        start, end = self.starts_at, self.ends_at
        if start is not None and end is not None and start >= end:
            raise ValueError(f"window must start before it ends: {start} >= {end}")

    def contains(self, now: datetime) -> bool:
        """True if ``now`` (timezone-aware) falls inside the window."""
        _require_aware("now", now)
        if self.starts_at is not None and now < self.starts_at:
            return False
        return self.ends_at is None or now < self.ends_at


def _local_to_utc(wall: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant at which clocks in ``tz`` show the naive ``wall`` time.

    An ambiguous wall time (the repeated hour in autumn) gives its first occurrence. A wall time
    that never happens (the skipped hour in spring) gives the first instant after the gap, i.e.
    the moment the clocks jump forward: a code that "starts at 02:30" on that night starts as
    soon as there is a time at or after 02:30 on the clock.
    """
    first = wall.replace(tzinfo=tz, fold=0)
    as_utc = first.astimezone(UTC)
    if as_utc.astimezone(tz).replace(tzinfo=None) == wall:
        return as_utc
    # In a gap, fold=0 reads the wall time with the offset from before the jump (an instant
    # after the jump) and fold=1 with the offset from after it (an instant before the jump), so
    # the jump lies between them. The clock shows less than ``wall`` before the jump and more
    # after it; bisect to the microsecond instead of assuming anything about the zone's offsets.
    before = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    after = as_utc
    step = timedelta(microseconds=1)
    while after - before > step:
        middle = before + (after - before) // 2
        if middle.astimezone(tz).replace(tzinfo=None) > wall:
            after = middle
        else:
            before = middle
    return after


def _plain_time(name: str, value: time | None) -> time:
    if value is None:
        return time(0)
    if value.tzinfo is not None:
        raise ValueError(f"{name} must be a wall-clock time without tzinfo; the zone is tz")
    # An ambiguous time means its first occurrence (see _local_to_utc) whatever fold the caller
    # left set: a date picker or form field never means "the second 02:30".
    return value.replace(fold=0)


def window_from_local(
    start_date: date | None,
    end_date: date | None,
    tz: ZoneInfo,
    *,
    start_time: time | None = None,
    end_time: time | None = None,
) -> Window:
    """Build a UTC window from calendar dates as the shop announces them in zone ``tz``.

    The window opens on ``start_date`` at 00:00 local time (or at ``start_time``). The end date
    is inclusive, as in "valid until 2 November": without ``end_time`` the window closes at the
    local midnight that begins the following day; with ``end_time`` it closes at that local
    time on ``end_date`` (exclusive). A missing date leaves that side open.

    Local times are converted with the zone's rules for that date, so a day of 23 or 25 hours
    around a clock change is covered exactly; see ``_local_to_utc`` for skipped and repeated
    wall-clock times.
    """
    if start_date is None and start_time is not None:
        raise ValueError("start_time given without start_date")
    if end_date is None and end_time is not None:
        raise ValueError("end_time given without end_date")
    for name, value in (("start_date", start_date), ("end_date", end_date)):
        if isinstance(value, datetime):
            raise TypeError(f"{name} must be a date, not a datetime")

    starts_at = None
    if start_date is not None:
        wall = datetime.combine(start_date, _plain_time("start_time", start_time))
        starts_at = _local_to_utc(wall, tz)

    ends_at = None
    if end_date is not None:
        if end_time is None:
            try:
                day_after = end_date + timedelta(days=1)
            except OverflowError:
                raise ValueError(f"end_date {end_date} has no following day") from None
            wall = datetime.combine(day_after, time(0))
        else:
            wall = datetime.combine(end_date, _plain_time("end_time", end_time))
        ends_at = _local_to_utc(wall, tz)

    return Window(starts_at, ends_at)


def last_local_date(window: Window, tz: ZoneInfo) -> date | None:
    """The last local calendar date on which the window is open (None if open-ended).

    For showing "valid until ..." to people: ``ends_at`` is exclusive, so printing its own date
    would announce one day too many for a window built from an inclusive end date.
    """
    if window.ends_at is None:
        return None
    return (window.ends_at - timedelta(microseconds=1)).astimezone(tz).date()


# --- Promotion terms and cart lines ----------------------------------------------------------


class Kind(StrEnum):
    """What a code gives: ``PromoTerms.value`` percent or cents off the goods, or free
    shipping (value 0: the goods keep their price and the order's shipping line is 0)."""

    PERCENT = "percent"
    AMOUNT = "amount"
    FREE_SHIPPING = "free_shipping"


def _require_int(name: str, value: object, *, minimum: int | None = None) -> None:
    # bool is an int subclass; a quantity of True is a bug, not a quantity.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")


@dataclass(frozen=True)
class PromoTerms:
    """Everything the rules need to know about one promo code.

    ``value`` is a percentage (1-100) for ``Kind.PERCENT`` and an amount in cents (> 0) for
    ``Kind.AMOUNT``. With both ``product_ids`` and ``category_ids`` empty the code covers the
    whole order; otherwise a line is covered if its product OR its category is listed.
    ``usage_limit`` caps uses across all customers (``times_used`` so far), and
    ``per_customer_limit`` caps uses by one customer; None means no cap.
    """

    code: str
    kind: Kind
    value: int
    window: Window
    is_active: bool = True
    usage_limit: int | None = None
    times_used: int = 0
    per_customer_limit: int | None = None
    min_subtotal_cents: int | None = None
    product_ids: frozenset[int] = field(default_factory=frozenset)
    category_ids: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code.strip():
            raise ValueError("code must be a non-empty string")
        # Accept the plain strings a database column gives back, but store the enum.
        object.__setattr__(self, "kind", Kind(self.kind))
        if self.kind is Kind.PERCENT:
            _require_int("value", self.value, minimum=1)
            if self.value > 100:
                raise ValueError(f"a percentage must be at most 100, got {self.value}")
        elif self.kind is Kind.FREE_SHIPPING:
            _require_int("value", self.value, minimum=0)
            if self.value != 0:
                raise ValueError(f"a free-shipping code has no value, got {self.value}")
        else:
            _require_int("value", self.value, minimum=1)
        if not isinstance(self.window, Window):
            raise TypeError(f"window must be a Window, got {self.window!r}")
        _require_int("times_used", self.times_used, minimum=0)
        # A limit of 0 is allowed: it is a code that can no longer be used.
        for name in ("usage_limit", "per_customer_limit", "min_subtotal_cents"):
            value = getattr(self, name)
            if value is not None:
                _require_int(name, value, minimum=0)
        for name in ("product_ids", "category_ids"):
            ids = frozenset(getattr(self, name))
            for item in ids:
                _require_int(name, item)
            object.__setattr__(self, name, ids)


@dataclass(frozen=True)
class Line:
    """One cart or order line. A line always has at least one unit."""

    product_id: int
    category_id: int | None
    unit_price_cents: int
    quantity: int

    def __post_init__(self) -> None:
        _require_int("product_id", self.product_id)
        if self.category_id is not None:
            _require_int("category_id", self.category_id)
        _require_int("unit_price_cents", self.unit_price_cents, minimum=0)
        _require_int("quantity", self.quantity, minimum=1)

    @property
    def total_cents(self) -> int:
        return self.unit_price_cents * self.quantity


# --- Checking a code -------------------------------------------------------------------------


class Refusal(Reason):
    """Why a code cannot be used; the values are stable codes for templates and logs."""

    UNKNOWN_CODE = "unknown_code"  # no code by that name (the lookup's, not these rules')
    INACTIVE = "inactive"
    NOT_STARTED = "not_started"
    ENDED = "ended"
    USED_UP = "used_up"
    ALREADY_USED = "already_used"
    BELOW_MINIMUM = "below_minimum"
    NOT_APPLICABLE = "not_applicable"


class PromoNotApplicable(Refused):
    """A promo code that cannot be applied to this cart right now.

    ``reason`` says why. Its data: ``starts_at`` and ``ends_at``, the window's bounds (UTC),
    for NOT_STARTED and ENDED; ``minimum_cents``, the required subtotal, for BELOW_MINIMUM.
    The message is for developers; customers and staff get the words of
    ``shop.web.wording``.
    """

    reason: Refusal

    def __init__(self, reason: Refusal, **params: Any) -> None:
        super().__init__(Refusal(reason), **params)

    @property
    def starts_at(self) -> datetime | None:
        return self.params.get("starts_at")

    @property
    def ends_at(self) -> datetime | None:
        return self.params.get("ends_at")

    @property
    def minimum_cents(self) -> int | None:
        return self.params.get("minimum_cents")

    def __str__(self) -> str:
        match self.reason:
            case Refusal.UNKNOWN_CODE:
                return "there is no promo code by that name"
            case Refusal.INACTIVE:
                return "promo code is switched off"
            case Refusal.NOT_STARTED:
                return f"promo code is not valid before {_iso(self.starts_at)}"
            case Refusal.ENDED:
                return f"promo code stopped being valid at {_iso(self.ends_at)}"
            case Refusal.USED_UP:
                return "promo code has reached its total usage limit"
            case Refusal.ALREADY_USED:
                return "customer has used this promo code as often as allowed"
            case Refusal.BELOW_MINIMUM:
                return f"order subtotal is below the minimum of {self.minimum_cents} cents"
            case Refusal.NOT_APPLICABLE:
                return "promo code does not cover any line in the cart"
        return f"promo code not applicable: {self.reason}"  # pragma: no cover


def _iso(value: datetime | None) -> str:
    return "?" if value is None else value.isoformat()


def _covers(terms: PromoTerms, line: Line) -> bool:
    if not terms.product_ids and not terms.category_ids:
        return True
    return line.product_id in terms.product_ids or line.category_id in terms.category_ids


def eligible_lines(terms: PromoTerms, lines: Sequence[Line]) -> list[int]:
    """Indexes, in order, of the lines the code covers."""
    return [index for index, line in enumerate(lines) if _covers(terms, line)]


def check_code(
    terms: PromoTerms, lines: Sequence[Line], *, now: datetime, customer_uses: int = 0
) -> None:
    """Raise ``PromoNotApplicable`` if the code cannot be used on this cart at ``now``.

    ``customer_uses`` is how often this customer (see ``customer_identity``) already used the
    code. The checks run in a fixed order and the first failure is reported, so the customer
    hears the most fundamental reason (an expired code is "expired", not "order too small").
    The minimum is compared with the subtotal of the whole cart, not just the covered lines.
    """
    _require_aware("now", now)
    _require_int("customer_uses", customer_uses, minimum=0)
    window = terms.window

    if not terms.is_active:
        raise PromoNotApplicable(Refusal.INACTIVE)
    if window.starts_at is not None and now < window.starts_at:
        raise PromoNotApplicable(
            Refusal.NOT_STARTED, starts_at=window.starts_at, ends_at=window.ends_at
        )
    if window.ends_at is not None and now >= window.ends_at:
        raise PromoNotApplicable(Refusal.ENDED, starts_at=window.starts_at, ends_at=window.ends_at)
    if terms.usage_limit is not None and terms.times_used >= terms.usage_limit:
        raise PromoNotApplicable(Refusal.USED_UP)
    if terms.per_customer_limit is not None and customer_uses >= terms.per_customer_limit:
        raise PromoNotApplicable(Refusal.ALREADY_USED)
    minimum = terms.min_subtotal_cents
    if minimum is not None and sum(line.total_cents for line in lines) < minimum:
        raise PromoNotApplicable(Refusal.BELOW_MINIMUM, minimum_cents=minimum)
    if not eligible_lines(terms, lines):
        raise PromoNotApplicable(Refusal.NOT_APPLICABLE)


# --- Pricing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PricedCart:
    """The money side of a cart: ``line_discounts_cents[i]`` belongs to line ``i``."""

    subtotal_cents: int
    discount_cents: int
    total_cents: int
    line_discounts_cents: tuple[int, ...]

    def __post_init__(self) -> None:
        # Cheap to check and catches any future change that lets a cent go astray.
        if sum(self.line_discounts_cents) != self.discount_cents:
            raise ValueError("line discounts do not add up to the discount")
        if not 0 <= self.discount_cents <= self.subtotal_cents:
            raise ValueError("discount must be between 0 and the subtotal")
        if self.total_cents != self.subtotal_cents - self.discount_cents:
            raise ValueError("total must be subtotal minus discount")


def price_cart(lines: Sequence[Line], terms: PromoTerms | None = None) -> PricedCart:
    """Subtotal, discount and total of a cart, with the discount spread over the lines.

    The discount is worked out once on the subtotal of the covered lines (a percentage rounded
    half up, or a fixed amount capped at that subtotal) and then split over those lines in
    proportion to their totals, so refunds and invoices can show a per-line discount that adds up
    exactly. Lines the code does not cover get 0. A free-shipping code discounts no goods. This
    function does not check the window or the limits; call ``check_code`` first.
    """
    totals = [line.total_cents for line in lines]
    subtotal = sum(totals)
    line_discounts = [0] * len(totals)

    if terms is not None:
        eligible = eligible_lines(terms, lines)
        eligible_totals = [totals[index] for index in eligible]
        eligible_subtotal = sum(eligible_totals)
        if terms.kind is Kind.PERCENT:
            discount = percent_of(eligible_subtotal, terms.value)
        elif terms.kind is Kind.FREE_SHIPPING:
            discount = 0  # it takes nothing off the goods: placing makes shipping 0
        else:
            discount = min(terms.value, eligible_subtotal)
        # Allocate over the covered lines only and put the parts back by index. Passing every
        # line with weight 0 for uncovered ones would be wrong in one corner: if all covered
        # lines cost 0, allocate treats all-zero weights as equal and could hand cents to lines
        # the code does not cover. (The discount is 0 then, but the rule should not rely on it.)
        for index, part in zip(eligible, allocate(discount, eligible_totals), strict=True):
            line_discounts[index] = part

    discount_cents = sum(line_discounts)
    return PricedCart(
        subtotal_cents=subtotal,
        discount_cents=discount_cents,
        total_cents=subtotal - discount_cents,
        line_discounts_cents=tuple(line_discounts),
    )


# --- Admin status ----------------------------------------------------------------------------


class Status(StrEnum):
    """The state of a code as shown in the admin list."""

    SCHEDULED = "scheduled"
    ACTIVE = "active"
    EXPIRED = "expired"
    USED_UP = "used_up"
    INACTIVE = "inactive"


def status(terms: PromoTerms, now: datetime) -> Status:
    """Summarise a code at ``now``: inactive, then expired, used up, scheduled, else active.

    Switched-off wins because it is what an admin most needs to see; expired beats used up
    because no change to the limit could revive an expired code.
    """
    _require_aware("now", now)
    window = terms.window
    if not terms.is_active:
        return Status.INACTIVE
    if window.ends_at is not None and now >= window.ends_at:
        return Status.EXPIRED
    if terms.usage_limit is not None and terms.times_used >= terms.usage_limit:
        return Status.USED_UP
    if window.starts_at is not None and now < window.starts_at:
        return Status.SCHEDULED
    return Status.ACTIVE
