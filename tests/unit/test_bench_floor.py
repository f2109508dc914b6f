"""The benchmark's floor app (bench/floor_app.py) serves every page the harness compares the
shop's with, in the shop's shape: no timing here, only that each page renders."""

from __future__ import annotations

import pytest

from bench.floor_app import CART_LINES, FEATURED, PAGE_SIZE, RELATED, app, sample_paths

CARDS = {"home": FEATURED, "category": PAGE_SIZE, "search": PAGE_SIZE, "product": RELATED}


@pytest.mark.parametrize("page", list(sample_paths()))
def test_every_floor_page_renders_with_the_shops_layout(page):
    response = app.test_client().get(sample_paths()[page])
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert 'class="site-header"' in html and 'class="site-footer"' in html
    assert html.count('class="product-card"') == CARDS.get(page, 0)


@pytest.mark.parametrize("page", ["cart", "checkout"])
def test_the_floors_cart_and_checkout_hold_a_cart_like_the_benchmarks(page):
    html = app.test_client().get(sample_paths()[page]).get_data(as_text=True)

    assert f'<span class="cart-count" aria-hidden="true">{CART_LINES}</span>' in html
    assert html.count('class="warning-list"') == CART_LINES
