"""Pictures in sizes: each upload is kept at the VARIANT_SIDES up to its own size in WebP
and JPEG, served with an ETag and a 304 like the original, behind the age gate and only for
products in the shop; cards and the product page offer them in a srcset, and a product
without a picture shows the shop's placeholder."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from PIL import Image

from tests.helpers import csrf_token, make_category, make_product
from tests.integration.payment_support import place
from tests.integration.test_images import A_YEAR_PRIVATE, noisy_jpeg, staff, uploaded  # noqa: F401
from tests.integration.test_query_counts import queries_for


def test_a_large_upload_is_served_in_every_size_in_webp_and_jpeg(staff, session, verified_client):  # noqa: F811
    product = make_product(session)
    image = uploaded(staff, session, product.id, noisy_jpeg((2000, 1000)))

    for side, width in ((320, 320), (640, 640), (960, 960), (1600, 1600)):
        for extension, kind in (("webp", "WEBP"), ("jpg", "JPEG")):
            response = verified_client.get(f"/images/{image.id}/{side}.{extension}")
            assert response.status_code == 200
            served = Image.open(BytesIO(response.data))
            assert served.format == kind
            assert served.size == (width, width // 2)
            assert response.headers["Cache-Control"] == A_YEAR_PRIVATE


def test_a_small_upload_is_never_enlarged(staff, session, verified_client):  # noqa: F811
    product = make_product(session)
    image = uploaded(staff, session, product.id, noisy_jpeg((500, 400)))

    assert verified_client.get(f"/images/{image.id}/320.webp").status_code == 200
    own_size = verified_client.get(f"/images/{image.id}/640.jpg")
    assert Image.open(BytesIO(own_size.data)).size == (500, 400)
    assert verified_client.get(f"/images/{image.id}/960.jpg").status_code == 404
    assert verified_client.get(f"/images/{image.id}/640.gif").status_code == 404


def test_a_variant_answers_304_to_its_etag(staff, session, verified_client):  # noqa: F811
    product = make_product(session)
    image = uploaded(staff, session, product.id, noisy_jpeg())
    first = verified_client.get(f"/images/{image.id}/320.webp")

    again = verified_client.get(
        f"/images/{image.id}/320.webp", headers={"If-None-Match": first.headers["ETag"]}
    )

    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["Cache-Control"] == A_YEAR_PRIVATE
    other = verified_client.get(f"/images/{image.id}/320.jpg")
    assert other.headers["ETag"] != first.headers["ETag"]


def test_variants_are_behind_the_gate_and_only_for_products_on_sale(
    staff,  # noqa: F811
    session,
    app,
    verified_client,
):
    product = make_product(session)
    image = uploaded(staff, session, product.id, noisy_jpeg())

    unverified = app.test_client().get(f"/images/{image.id}/320.webp")
    assert unverified.status_code == 303
    assert unverified.headers["Location"].startswith("/age-gate")

    product.is_active = False
    session.commit()
    assert verified_client.get(f"/images/{image.id}/320.webp").status_code == 404


def test_cards_and_the_product_page_offer_the_sizes(staff, session, verified_client):  # noqa: F811
    category = make_category(session, slug="truffles")
    product = make_product(session, "Golden Teacher", category=category)
    image = uploaded(staff, session, product.id, noisy_jpeg((1000, 1000)), alt_en="A jar")

    card = verified_client.get("/category/truffles").get_data(as_text=True)
    page = verified_client.get(f"/products/{product.slug}").get_data(as_text=True)

    webp = (
        f'srcset="/images/{image.id}/320.webp 320w, /images/{image.id}/640.webp 640w, '
        f'/images/{image.id}/960.webp 960w, /images/{image.id}/1600.webp 1000w"'
    )
    assert '<source type="image/webp" ' + webp in card
    assert 'width="1000" height="1000" loading="lazy"' in card or 'fetchpriority="high"' in card
    # The product page's picture is wanted at once: not lazy, fetched first.
    assert webp in page
    assert 'fetchpriority="high"' in page


def test_a_product_without_pictures_shows_the_placeholder_silently(session, verified_client):
    category = make_category(session, slug="truffles")
    make_product(session, "Golden Teacher", category=category)

    card = verified_client.get("/category/truffles").get_data(as_text=True)

    # (Static addresses may carry a content hash: ?v=...)
    assert re.search(r'src="/static/images/placeholder\.svg(\?v=[0-9a-f]+)?" alt=""', card)


def test_the_cart_and_the_order_page_show_a_thumbnail(staff, session, verified_client):  # noqa: F811
    product = make_product(session, "Golden Teacher")
    image = uploaded(staff, session, product.id, noisy_jpeg())
    token = csrf_token(verified_client.get(f"/products/{product.slug}").get_data(as_text=True))
    verified_client.post("/cart/add", data={"csrf_token": token, "product_id": str(product.id)})

    cart = verified_client.get("/cart").get_data(as_text=True)
    order = place(session, product)
    order_page = verified_client.get(f"/orders/{order.token}").get_data(as_text=True)

    assert f'src="/images/{image.id}/320.jpg"' in cart
    assert f'src="/images/{image.id}/320.jpg" alt=""' in order_page
    # A product taken out of the shop: its picture is no longer served, so none is shown.
    product.is_active = False
    session.commit()
    assert "/images/" not in verified_client.get(f"/orders/{order.token}").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/cart", "/checkout"])
def test_thumbnails_cost_the_cart_no_query_per_line(staff, session, verified_client, path):  # noqa: F811
    products = [make_product(session, f"Teacher {n}") for n in range(3)]
    for product in products:
        uploaded(staff, session, product.id, noisy_jpeg())
    page = verified_client.get(f"/products/{products[0].slug}").get_data(as_text=True)
    token = csrf_token(page)

    def add(product) -> None:  # type: ignore[no-untyped-def]
        data = {"csrf_token": token, "product_id": str(product.id)}
        verified_client.post("/cart/add", data=data)

    add(products[0])
    one_line = queries_for(verified_client, path)
    for product in products[1:]:
        add(product)
    three_lines, statements = queries_for(verified_client, path, True)

    assert one_line == three_lines, statements
    assert verified_client.get(path).get_data(as_text=True).count('class="line-thumb" src=') == 3
