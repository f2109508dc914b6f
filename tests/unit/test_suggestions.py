""" "Did you mean …?" (shop.rules.suggestions): the names near a misspelt search, nearest
first, and nothing for words no name resembles."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shop.rules.suggestions import nearest_names, nearness

NAMES = [
    ("lions-mane-capsules", "Lion's Mane Capsules – 60 × 500 mg"),
    ("lions-mane-powder", "Lion's Mane Powder – 100 g"),
    ("chaga-powder", "Chaga Powder – 50 g"),
    ("golden-teacher", "Grow Kit Golden Teacher"),
    ("mexicana-10", "Magic Truffles Mexicana – 10 g"),
]


def slugs(query: str) -> list[str]:
    return [s.key for s in nearest_names(query, NAMES)]


def test_a_misspelt_word_suggests_the_product_meant_first():
    assert slugs("lions mane powdr")[0] == "lions-mane-powder"
    assert slugs("chagga") == ["chaga-powder"]
    assert slugs("golden techer") == ["golden-teacher"]
    assert slugs("mexicanna") == ["mexicana-10"]


def test_an_apostrophe_or_accent_typed_or_not_makes_no_difference():
    assert nearness("lions mane", "Lion's Mane") == nearness("lion’s mäne", "Lion's Mane") == 1.0


def test_words_typed_together_find_the_name_they_start():
    assert "lions-mane-powder" in slugs("lionsmane")


def test_words_that_resemble_no_name_suggest_nothing():
    assert slugs("bicycle pump") == []
    assert slugs("") == []
    assert slugs("!!!") == []


def test_at_most_the_limit_is_suggested():
    assert len(nearest_names("lions mane", NAMES, limit=1)) == 1


@given(st.text(max_size=80))
def test_any_text_gets_a_nearness_between_0_and_1(query: str):
    for _slug, name in NAMES:
        assert 0.0 <= nearness(query, name) <= 1.0
