"""A word that matches a large part of the catalogue: only the first matches are ranked,
products named after the word first, and the page says there are more."""

from __future__ import annotations

import pytest

from shop.services import search as search_service
from shop.web import storefront
from tests.helpers import make_category, make_product
from tests.integration.test_search import found

CAP = 3


@pytest.fixture
def small_cap(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(search_service, "MAX_CANDIDATES", CAP)
    monkeypatch.setattr(storefront, "MAX_CANDIDATES", CAP)


@pytest.fixture
def many_mentions(session):  # type: ignore[no-untyped-def]
    """Six products that mention "mycelium" in their summary only, then one named after it
    (the newest, so the last the index meets)."""
    category = make_category(session, "kits")
    for number in range(6):
        make_product(
            session,
            f"Grow kit {number}",
            category=category,
            summary_en=f"Colonised mycelium, batch {number}",
        )
    make_product(session, "Mycelium starter", category=category)


def test_a_name_match_is_ranked_even_when_the_cap_is_reached(
    small_cap, many_mentions, verified_client
):
    names = found(verified_client, "mycelium")

    assert names[0] == "Mycelium starter"
    # The product named after the word, plus the first CAP matches anywhere.
    assert len(names) == CAP + 1


def test_a_capped_search_says_there_are_more(small_cap, many_mentions, verified_client):
    response = verified_client.get("/search?q=mycelium")

    html = response.get_data(as_text=True)
    assert "More than 3 results for “mycelium”" in html
    assert "Add a word to find fewer." in html


def test_below_the_cap_the_count_is_exact(many_mentions, verified_client):
    html = verified_client.get("/search?q=mycelium").get_data(as_text=True)

    assert "7 results for “mycelium”" in html
    assert "More than" not in html
    assert len(found(verified_client, "mycelium")) == 7


def test_another_word_narrows_a_capped_search(small_cap, many_mentions, verified_client):
    assert found(verified_client, "mycelium batch 4") == ["Grow kit 4"]
