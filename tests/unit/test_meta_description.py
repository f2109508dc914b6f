"""How a page's own text becomes its meta description (shop.web.head.meta_description)."""

from __future__ import annotations

from shop.web.head import DESCRIPTION_LIMIT, meta_description


def test_a_short_text_is_kept_whole_as_one_plain_line():
    text = "## Lion's Mane\n\nSixty **vegan** capsules &amp; a [leaflet](/leaflet).\n"
    assert meta_description(text) == "Lion's Mane Sixty vegan capsules & a leaflet."


def test_a_long_text_is_cut_between_words_and_says_so():
    text = "Fresh psilocybin truffles, vacuum-packed and kept cold until they ship. " * 4

    described = meta_description(text)

    assert len(described) <= DESCRIPTION_LIMIT
    assert described.endswith("…")
    kept = described.removesuffix("…")
    assert text.startswith(kept)
    assert text[len(kept)] in " ,.", "cut inside a word"


def test_tags_are_dropped_and_nothing_is_left_of_an_empty_text():
    assert meta_description("<p>Grow <em>kits</em></p>") == "Grow kits"
    assert meta_description("") == ""
    assert meta_description(None) == ""
