"""Pictures sent with a new product's form: stored with the product in one go, or, when one
is refused, the form comes back with the reason beside the field and what was typed kept,
and no product is saved."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from sqlalchemy import func, select

from shop.models import Product, ProductImage
from tests.helpers import make_category
from tests.integration.test_admin_products import (  # noqa: F401
    NEW,
    field_error,
    followed,
    new_product_fields,
    product_by_slug,
    staff,
    text_of,
    with_warnings,
)
from tests.integration.test_images import noisy_jpeg


def send_with_files(client: Any, fields: dict[str, str], *files: tuple[bytes, str]) -> Any:
    data: dict[str, Any] = dict(fields)
    data["pictures"] = [(BytesIO(content), name) for content, name in files]
    response = client.post(NEW, data=data, content_type="multipart/form-data")
    response.request.input_stream.close()
    return response


def test_a_new_product_is_saved_with_its_pictures(staff, session, verified_client):  # noqa: F811
    category = make_category(session, slug="truffles")
    fields = with_warnings(new_product_fields(staff, category))
    fields.update(publish="yes", pictures_alt_en="The jar", pictures_alt_nl="De pot")

    response = send_with_files(
        staff, fields, (noisy_jpeg((800, 600)), "front.jpg"), (noisy_jpeg(), "back.jpg")
    )

    assert "Saved. The product is in the shop." in followed(staff, response)
    product = product_by_slug(session, "golden-teacher-truffles-15-g")
    assert product is not None
    images = list(
        session.scalars(
            select(ProductImage)
            .where(ProductImage.product_id == product.id)
            .order_by(ProductImage.position)
        )
    )
    assert [(i.width, i.height, i.alt_en, i.alt_nl) for i in images] == [
        (800, 600, "The jar", "De pot"),
        (400, 300, "The jar", "De pot"),
    ]
    page = text_of(verified_client.get(f"/products/{product.slug}"))
    assert f"/images/{images[0].id}/640.webp" in page


def test_a_file_that_is_no_picture_is_refused_and_the_form_kept(staff, session):  # noqa: F811
    category = make_category(session, slug="truffles")
    fields = with_warnings(new_product_fields(staff, category, name_en="Kept name"))

    response = send_with_files(
        staff, fields, (noisy_jpeg(), "good.jpg"), (b"not a picture at all", "notes.png")
    )

    assert response.status_code == 422
    html = text_of(response)
    assert (
        field_error(html, "pictures") == "notes.png: That file is not a JPEG, PNG or WebP picture."
    )
    assert 'value="Kept name"' in html
    assert session.scalar(select(func.count()).select_from(Product)) == 0
    assert session.scalar(select(func.count()).select_from(ProductImage)) == 0


def test_a_picture_over_the_limit_is_refused_beside_the_field(app, staff, session):  # noqa: F811
    app.config["SHOP_MAX_UPLOAD_MB"] = 1
    category = make_category(session, slug="truffles")
    fields = with_warnings(new_product_fields(staff, category, name_en="Kept name"))

    response = send_with_files(staff, fields, (noisy_jpeg((1800, 1400)), "huge.jpg"))

    assert response.status_code == 422
    html = text_of(response)
    assert (field_error(html, "pictures") or "").startswith("huge.jpg: ")
    assert "1 MB" in (field_error(html, "pictures") or "")
    assert 'value="Kept name"' in html
    assert session.scalar(select(func.count()).select_from(Product)) == 0
