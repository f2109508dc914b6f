""" "Did you mean …?" for a search that found nothing: the product names nearest to the
visitor's words, as a customer misspells them ("lions mane extrct", "mexicanna").

What belongs here: how near a name is to a query and which names are near enough. Pure and
small on purpose: difflib's ratio on words, no index. The names are the ones on sale in the
visitor's language (`services.catalog.product_names`); the result is kept with the search
page's fragment, so a misspelling costs this work once per few seconds.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Generic, TypeVar

K = TypeVar("K")

NEAR_ENOUGH = 0.72  # below this, "did you mean" names something the visitor did not mean
MAX_QUERY_WORDS = 8
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Suggestion(Generic[K]):
    key: K  # what the caller links to (a product's slug)
    name: str
    score: float


def _words(text: str) -> list[str]:
    """Lower-case words without accents or apostrophes: "Lion's Mane" → ["lions", "mane"]."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    plain = plain.replace("'", "").replace("’", "")
    return [word.lower() for word in _WORD.findall(plain)]


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def nearness(query: str, name: str) -> float:
    """How near `name` is to what was typed, 0 to 1: each typed word against the name's word
    nearest to it, averaged, so "lions mane extrct" is near "Lion's Mane extract" however
    long the name; a query typed as one word ("lionsmane") is also held against the whole
    name without spaces."""
    typed, named = _words(query)[:MAX_QUERY_WORDS], _words(name)
    if not typed or not named:
        return 0.0
    by_word = sum(max(_ratio(word, other) for other in named) for word in typed) / len(typed)
    joined_typed, joined_named = "".join(typed), "".join(named)
    whole = _ratio(joined_typed, joined_named)
    # The start of a long name typed as one word ("lionsmane"): held against as much of it.
    start = _ratio(joined_typed, joined_named[: len(joined_typed)]) if len(joined_typed) > 4 else 0
    return max(by_word, whole, start)


def nearest_names(
    query: str, names: Iterable[tuple[K, str]], *, limit: int = 3
) -> Sequence[Suggestion[K]]:
    """The names near enough to `query`, nearest first (ties by name), at most `limit`."""
    found = [
        Suggestion(key, name, score)
        for key, name in names
        if (score := nearness(query, name)) >= NEAR_ENOUGH
    ]
    found.sort(key=lambda s: (-s.score, s.name.lower()))
    return found[:limit]
