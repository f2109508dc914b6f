"""The sizes a picture is kept in (shop.images.variant_sides): smallest first, never larger
than the picture, and the last one is the picture at its own size."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shop.images import MAX_SIDE, VARIANT_SIDES, variant_sides, variant_size

sides = st.integers(min_value=1, max_value=MAX_SIDE)


@given(sides, sides)
def test_the_largest_variant_is_the_picture_itself(width, height):
    kept = variant_sides(width, height)

    assert variant_size(width, height, kept[-1]) == (width, height)


@given(sides, sides)
def test_variants_grow_and_never_enlarge(width, height):
    kept = variant_sides(width, height)
    widths = [variant_size(width, height, side)[0] for side in kept]

    assert list(kept) == sorted(kept) and set(kept) <= set(VARIANT_SIDES)
    assert widths == sorted(widths)
    assert all(w <= width for w in widths)


def test_a_phone_photo_is_kept_in_every_size():
    assert variant_sides(1600, 1200) == (320, 640, 960, 1600)
    assert variant_sides(300, 200) == (320,)
