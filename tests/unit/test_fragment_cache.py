"""Specification of the storefront's fragment cache (shop.web.fragments.FragmentCache).

Time is a fake monotonic clock the test moves by hand; `make` records how often it runs.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import example, given
from hypothesis import strategies as st

from shop.web.fragments import FragmentCache, clear_all

TTL = 10.0


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Maker:
    """A `make` that answers a new value each time and counts its calls."""

    def __init__(self, name: str = "value") -> None:
        self.name = name
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return f"{self.name} {self.calls}"


def cache_with(clock: FakeClock, seconds: float = TTL, **options: int) -> FragmentCache:
    return FragmentCache(seconds, clock=clock, **options)


def test_a_second_get_within_the_lifetime_is_a_hit():
    clock = FakeClock()
    cache = cache_with(clock)
    make = Maker()

    first = cache.get_or_make("home", make)
    clock.advance(TTL - 0.001)
    second = cache.get_or_make("home", make)

    assert first == second == "value 1"
    assert make.calls == 1


def test_an_entry_is_a_miss_at_exactly_its_expiry_instant():
    clock = FakeClock()
    cache = cache_with(clock)
    make = Maker()
    cache.get_or_make("home", make)

    clock.advance(TTL)

    assert cache.get_or_make("home", make) == "value 2"
    assert make.calls == 2


def test_a_remade_entry_lives_its_full_lifetime_again():
    clock = FakeClock()
    cache = cache_with(clock)
    make = Maker()
    cache.get_or_make("home", make)
    clock.advance(TTL)
    cache.get_or_make("home", make)

    clock.advance(TTL - 1)

    assert cache.get_or_make("home", make) == "value 2"


def test_keys_are_kept_apart():
    clock = FakeClock()
    cache = cache_with(clock)

    english = cache.get_or_make(("category", "en", 1), Maker("english"))
    dutch = cache.get_or_make(("category", "nl", 1), Maker("dutch"))

    assert (english, dutch) == ("english 1", "dutch 1")
    assert cache.get_or_make(("category", "en", 1), Maker("other")) == "english 1"


def test_a_none_made_is_kept_like_any_value():
    """A product that is not for sale is remembered as None (the view answers 404)."""
    clock = FakeClock()
    cache = cache_with(clock)
    calls: list[None] = []

    def missing() -> None:
        calls.append(None)

    cache.get_or_make("gone", missing)
    cache.get_or_make("gone", missing)

    assert len(calls) == 1


def test_zero_seconds_calls_make_every_time():
    clock = FakeClock()
    cache = cache_with(clock, seconds=0)
    make = Maker()

    values = [cache.get_or_make("home", make) for _ in range(3)]

    assert values == ["value 1", "value 2", "value 3"]
    assert len(cache) == 0


def test_the_least_recently_used_entry_goes_when_the_cache_is_full():
    clock = FakeClock()
    cache = cache_with(clock, max_entries=2)
    makers = {key: Maker(key) for key in ("a", "b", "c")}
    cache.get_or_make("a", makers["a"])
    cache.get_or_make("b", makers["b"])
    cache.get_or_make("a", makers["a"])  # "a" is now more recently used than "b"

    cache.get_or_make("c", makers["c"])

    assert len(cache) == 2
    assert cache.get_or_make("a", makers["a"]) == "a 1"
    assert cache.get_or_make("c", makers["c"]) == "c 1"
    assert cache.get_or_make("b", makers["b"]) == "b 2"  # it was evicted, so made again


def test_clear_empties_the_cache():
    clock = FakeClock()
    cache = cache_with(clock)
    make = Maker()
    cache.get_or_make("home", make)

    cache.clear()

    assert len(cache) == 0
    assert cache.get_or_make("home", make) == "value 2"


def test_clear_all_empties_every_cache_of_the_process():
    clock = FakeClock()
    caches = [cache_with(clock), cache_with(clock)]
    for cache in caches:
        cache.get_or_make("home", Maker())

    clear_all()

    assert [len(cache) for cache in caches] == [0, 0]


def test_a_value_made_while_the_cache_was_cleared_is_not_kept():
    """A commit that empties the cache while a request is reading the old rows: that request
    may show what it read, but the next one must read afresh, or staff would not see their
    edit for the cache's lifetime."""
    clock = FakeClock()
    cache = cache_with(clock)
    calls = 0

    def read_then_someone_commits() -> str:
        nonlocal calls
        calls += 1
        value = f"read {calls}"
        if calls == 1:
            clear_all()  # the commit lands after the rows were read
        return value

    cache.get_or_make("home", read_then_someone_commits)

    assert cache.get_or_make("home", read_then_someone_commits) == "read 2"


# --- a value is never older than the cache's lifetime -------------------------------------

Step = tuple[str, int]


@st.composite
def scripts(draw: st.DrawFn) -> tuple[int, int, list[Step]]:
    """A lifetime, a bound, and gets, clears and advances that often land on the edges."""
    seconds = draw(st.integers(min_value=0, max_value=12))
    max_entries = draw(st.integers(min_value=1, max_value=5))
    edges = sorted({0, 1, max(seconds - 1, 0), seconds, seconds + 1})
    advance = st.one_of(st.sampled_from(edges), st.integers(min_value=0, max_value=15))
    step = st.one_of(
        st.tuples(st.just("get"), st.integers(min_value=0, max_value=2)),
        st.tuples(st.just("advance"), advance),
        st.tuples(st.just("clear"), st.just(0)),
    )
    return seconds, max_entries, draw(st.lists(step, max_size=60))


@given(scripts())
@example((5, 2, [("get", 0), ("advance", 5), ("get", 0)]))  # exactly at the expiry instant
def test_a_value_returned_is_never_older_than_the_lifetime(
    script: tuple[int, int, list[Step]],
):
    seconds, max_entries, steps = script
    clock = FakeClock(start=0)
    cache = cache_with(clock, seconds=seconds, max_entries=max_entries)

    def made_now(key: int) -> Callable[[], tuple[int, float]]:
        return lambda: (key, clock.now)

    for action, number in steps:
        if action == "advance":
            clock.advance(number)
        elif action == "clear":
            cache.clear()
        else:
            key, made_at = cache.get_or_make(number, made_now(number))
            assert key == number
            age = clock.now - made_at
            assert age == 0 or age < seconds
            assert len(cache) <= max_entries
