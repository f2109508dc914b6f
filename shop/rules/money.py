"""Money arithmetic on integer cents.

What belongs here: rounding and splitting of amounts expressed as integer euro cents. Nothing in
this module knows about carts, promotions or the database; it only guarantees that no cent is
created or lost. Floats are never used, because binary floating point cannot represent most
decimal fractions and a rounding error of one cent is still an error on an invoice.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["MoneyError", "allocate", "percent_of", "require_cents"]


class MoneyError(ValueError):
    """An amount, percentage or weight that the money rules cannot work with."""


def require_cents(name: str, value: object) -> int:
    """`value` as a whole number of cents, zero or more: TypeError for anything but an int
    (True included), ValueError below zero. For the rules' arguments, where a bad amount is a
    bug upstream (the MoneyError of allocate is for amounts a caller may pass by mistake)."""
    # bool is an int subclass; True cents is a bug upstream, not an amount.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def _require_int(name: str, value: object) -> int:
    # bool is a subclass of int; True cents is almost certainly a bug upstream, so refuse it.
    if isinstance(value, bool) or not isinstance(value, int):
        raise MoneyError(f"{name} must be an int, got {type(value).__name__}")
    return value


def percent_of(amount_cents: int, percent: int) -> int:
    """Return ``percent`` % of ``amount_cents``, rounded once, half up, to whole cents.

    15 % of 10 cents is 1.5 cents and becomes 2; 15 % of 1 cent is 0.15 and becomes 0.
    """
    amount_cents = _require_int("amount_cents", amount_cents)
    percent = _require_int("percent", percent)
    if amount_cents < 0:
        raise MoneyError(f"amount_cents must be >= 0, got {amount_cents}")
    if not 0 <= percent <= 100:
        raise MoneyError(f"percent must be between 0 and 100, got {percent}")
    # floor(x + 1/2) with x = amount * percent / 100, kept in integers so the single rounding
    # step is exact. Both operands are non-negative, so floor division is "half up" here.
    return (amount_cents * percent + 50) // 100


def allocate(total_cents: int, weights: Sequence[int]) -> list[int]:
    """Split ``total_cents`` over ``len(weights)`` parts proportionally to ``weights``.

    Uses the largest-remainder method: every part first gets the floor of its exact share, then
    the cents still missing go one each to the parts with the largest remainders; equal
    remainders are resolved in favour of the earlier index so the result is deterministic.

    Guarantees:

    * the parts sum exactly to ``total_cents``;
    * a part with weight 0 gets 0 (unless every weight is 0, see below);
    * when ``total_cents <= sum(weights)`` no part exceeds its own weight, so a discount
      allocated by line totals never exceeds the total of any line.

    If every weight is 0 the total is split as if all weights were 1 (evenly, earlier parts
    getting the odd cents). No weights at all is fine for a total of 0 (returns ``[]``) and a
    ``MoneyError`` otherwise, since there would be nowhere to put the money.
    """
    total_cents = _require_int("total_cents", total_cents)
    if total_cents < 0:
        raise MoneyError(f"total_cents must be >= 0, got {total_cents}")
    checked = [_require_int("weight", w) for w in weights]
    if any(w < 0 for w in checked):
        raise MoneyError(f"weights must be >= 0, got {checked}")
    if not checked:
        if total_cents == 0:
            return []
        raise MoneyError(f"cannot allocate {total_cents} cents over no parts")

    weight_sum = sum(checked)
    if weight_sum == 0:
        checked = [1] * len(checked)
        weight_sum = len(checked)

    parts: list[int] = []
    remainders: list[int] = []
    for weight in checked:
        share, remainder = divmod(total_cents * weight, weight_sum)
        parts.append(share)
        remainders.append(remainder)

    # The missing cents equal sum(remainders) / weight_sum, and each remainder is smaller than
    # weight_sum, so there are always more non-zero remainders than missing cents: a zero-weight
    # part (remainder 0) can never be picked, and a picked part's exact share was not whole, so
    # rounding it up cannot take it past its weight when total <= sum(weights).
    missing = total_cents - sum(parts)
    by_largest_remainder = sorted(range(len(checked)), key=lambda i: (-remainders[i], i))
    for index in by_largest_remainder[:missing]:
        parts[index] += 1
    return parts
