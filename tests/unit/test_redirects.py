"""Specification of `safe_next`: a `next` parameter may only lead to a path on this site."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from shop.web.redirects import MAX_NEXT_LENGTH, safe_next

HOME = "/"


@pytest.mark.parametrize(
    "target",
    [
        "/",
        "/category/magic-truffles",
        "/category/magic-truffles?sort=price",
        "/search?q=golden+teacher&page=2",
        "/products/truffels-%C3%A9",
        "/products/x#warnings",
    ],
)
def test_a_path_on_this_site_is_kept_as_it_is(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "\\/evil.example",
        "https://evil.example",
        "HTTPS://evil.example/",
        "http:/evil.example",
        "http:evil.example",
        "javascript:alert(1)",
        "data:text/html,hi",
        "evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r/evil.example",
        "/\x00/evil.example",
        "/\x7f/evil.example",
        " //evil.example",
        "/ /evil.example",
        "/\u3000/evil.example",
    ],
)
def test_anything_that_could_lead_to_another_site_goes_home_instead(target: str) -> None:
    assert safe_next(target) == HOME


@pytest.mark.parametrize("target", [None, ""])
def test_no_target_goes_home(target: str | None) -> None:
    assert safe_next(target) == HOME


def test_an_absurdly_long_target_goes_home() -> None:
    assert safe_next("/" + "a" * MAX_NEXT_LENGTH) == HOME


def test_the_fallback_can_be_another_page() -> None:
    assert safe_next("//evil.example", default="/cart") == "/cart"


# Pieces that make URLs mean something else, so random strings hit the edge cases often.
URL_PIECES = ["/", "\\", ":", ".", "@", "?", "#", "%2F", "%5C", "e", "http", "javascript"]
SPACES_CONTROLS_LOOKALIKES = [" ", "\t", "\n", "\r", "\x00", "\x7f", "\u3000", "\u2028", "\uff0f"]
URL_TRICKS = st.lists(st.sampled_from(URL_PIECES + SPACES_CONTROLS_LOOKALIKES), max_size=12).map(
    "".join
)


@example("/\\evil.example")
@example("/\t/evil.example")
@given(st.one_of(st.text(), URL_TRICKS, st.builds(lambda rest: "/" + rest, URL_TRICKS)))
def test_whatever_the_target_the_result_is_a_path_on_this_site(target: str) -> None:
    result = safe_next(target)

    assert result == HOME or (result.startswith("/") and not result.startswith("//"))
    assert "\\" not in result
    assert not any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in result)
    parts = urlsplit(result)
    assert not parts.scheme
    assert not parts.netloc


@given(st.text())
def test_the_result_is_either_the_target_untouched_or_home(target: str) -> None:
    assert safe_next(target) in {target, HOME}
