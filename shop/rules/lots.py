"""Lot (batch) numbers as staff type them when shipping and when looking for a recall.

A lot number is 1 to 40 letters, digits, hyphens and dots ("TR-2026.11", "b0412"). It is
kept and compared normalised, trimmed and upper-case, so "tr-2026.11 " at the packing table
and "TR-2026.11" in a supplier's recall notice are the same lot. Nothing else is changed:
"TR2026" and "TR-2026" stay two lots, as a supplier may use both.
"""

from __future__ import annotations

import re

from shop.refusals import Reason, Refused

MAX_LOT_LENGTH = 40
# ASCII only, checked before upper-casing: "ı".upper() is "I", and a lot typed with it is
# not the lot a supplier printed.
_LOT = re.compile(r"[A-Za-z0-9.\-]+")


class LotProblem(Reason):
    MISSING = "lot_missing"
    TOO_LONG = "lot_too_long"  # most
    BAD_CHARACTERS = "lot_bad_characters"


class InvalidLot(Refused):
    """A lot number that cannot be one (`reason`: a `LotProblem`)."""


def normalise_lot(typed: str) -> str:
    """The lot as it is stored and compared: trimmed and upper-case; raises InvalidLot."""
    lot = typed.strip()
    if not lot:
        raise InvalidLot(LotProblem.MISSING)
    if len(lot) > MAX_LOT_LENGTH:
        raise InvalidLot(LotProblem.TOO_LONG, most=MAX_LOT_LENGTH)
    if not _LOT.fullmatch(lot):
        raise InvalidLot(LotProblem.BAD_CHARACTERS)
    return lot.upper()
