"""Product pictures: uploaded by staff, checked, cleaned and resized, served with an ETag.

Every picture here is made with Pillow in the test (or, for the broken ones, made and then
damaged), uploaded through the product page's form, and read back as a browser would.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import zlib
from io import BytesIO
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from shop.models import AuditEntry, ProductImage, Role
from tests.admin_support import admin_csrf, signed_in
from tests.helpers import make_category, make_product
from tests.integration.test_query_counts import counting_queries

A_YEAR_PRIVATE = "private, max-age=31536000, immutable"
ORIENTATION, MAKE, MODEL = 0x0112, 0x010F, 0x0110


def picture(
    kind: str = "PNG", size: tuple[int, int] = (64, 48), exif: dict[int, Any] | None = None
) -> bytes:
    """A real picture, drawn in two colours so that turning it shows."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1] // 4))
    out = BytesIO()
    options: dict[str, Any] = {}
    if exif:
        tags = Image.Exif()
        for tag, value in exif.items():
            tags[tag] = value
        options["exif"] = tags.tobytes()
    image.save(out, kind, **options)
    return out.getvalue()


def noisy_jpeg(size: tuple[int, int] = (400, 300)) -> bytes:
    out = BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(out, "JPEG")
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge picture: a decompression bomb's opening."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def staff(app, session):  # type: ignore[no-untyped-def]
    browser = app.test_client()
    signed_in(browser, session, Role.MANAGER)
    return browser


def upload(
    staff: Any, product_id: int, data: bytes, filename: str = "photo.png", **alt: str
) -> Any:
    response = staff.post(
        f"/admin/products/{product_id}/images",
        data={"csrf_token": admin_csrf(staff), "image": (BytesIO(data), filename), **alt},
        content_type="multipart/form-data",
    )
    # Werkzeug's test client spools a large body to a temporary file and, unless it follows
    # redirects, leaves it open.
    response.request.input_stream.close()
    return response


def images_of(session, product_id: int) -> list[ProductImage]:  # type: ignore[no-untyped-def]
    session.rollback()
    return list(
        session.scalars(
            select(ProductImage)
            .where(ProductImage.product_id == product_id)
            .order_by(ProductImage.position)
        )
    )


def uploaded(staff: Any, session: Any, product_id: int, data: bytes, **alt: str) -> ProductImage:
    response = upload(staff, product_id, data, **alt)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    return images_of(session, product_id)[-1]


def error_next_to_the_file_field(response: Any) -> str:
    html = response.get_data(as_text=True)
    start = html.index('id="f-image-error"')
    return html[html.index(">", start) + 1 : html.index("</p>", start)]


# --- upload, serve, cache ----------------------------------------------------------------


def test_an_uploaded_picture_is_served_with_an_etag_and_304_when_the_browser_has_it(
    staff, session, verified_client
):
    product = make_product(session)

    image = uploaded(staff, session, product.id, picture(), alt_en="Golden truffles in a jar")

    for path in (f"/images/{image.id}", f"/images/{image.id}/thumb"):
        first = verified_client.get(path)
        assert first.status_code == 200, path
        assert first.mimetype == "image/jpeg"
        assert first.headers["Cache-Control"] == A_YEAR_PRIVATE
        etag = first.headers["ETag"]
        again = verified_client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304, path
        assert again.data == b""
        assert again.headers["ETag"] == etag
        assert again.headers["Cache-Control"] == A_YEAR_PRIVATE
    full = verified_client.get(f"/images/{image.id}")
    assert full.data == image.data
    assert full.headers["ETag"] == f'"{image.etag}"'
    assert image.etag == hashlib.sha256(image.data).hexdigest()
    assert image.alt_en == "Golden truffles in a jar"


def test_pictures_are_behind_the_age_gate(staff, session, app):
    product = make_product(session)
    image = uploaded(staff, session, product.id, picture())

    response = app.test_client().get(f"/images/{image.id}")

    assert response.status_code == 303
    assert response.headers["Location"].startswith("/age-gate")


def test_pictures_of_a_draft_are_shown_to_staff_only(staff, session, verified_client):
    product = make_product(session, publish=False)
    image = uploaded(staff, session, product.id, picture())

    assert verified_client.get(f"/images/{image.id}").status_code == 404
    preview = staff.get(f"/admin/products/images/{image.id}/thumb")
    assert preview.status_code == 200
    assert preview.mimetype == "image/jpeg"
    assert "no-store" in preview.headers["Cache-Control"]


def test_the_storefront_shows_the_first_picture_with_its_alt_text(staff, session, verified_client):
    category = make_category(session, slug="truffles")
    product = make_product(session, "Golden Teacher", category=category)
    first = uploaded(staff, session, product.id, picture(), alt_en="A jar of golden truffles")
    second = uploaded(staff, session, product.id, picture("JPEG"), alt_en="The label")

    page = verified_client.get(f"/products/{product.slug}").get_data(as_text=True)
    card = verified_client.get("/category/truffles").get_data(as_text=True)

    assert f'src="/images/{first.id}/320.jpg"' in page
    assert 'alt="A jar of golden truffles"' in page
    assert 'alt="The label"' in page
    assert 'href="#picture-2"' in page
    assert f'src="/images/{first.id}/320.jpg"' in card
    assert 'alt="A jar of golden truffles"' in card
    assert f"/images/{second.id}/" not in card


@pytest.mark.parametrize(
    "page", ["/", "/category/truffles", "/products/{slug}", "/search?q=teacher"]
)
def test_pictures_cost_no_query_per_product(staff, session, verified_client, page):
    category = make_category(session, slug="truffles")
    products = [
        make_product(session, f"Teacher {n}", category=category, is_featured=True) for n in range(3)
    ]
    path = page.format(slug=products[0].slug)
    verified_client.get(path)
    with counting_queries() as without_pictures:
        verified_client.get(path)
    for product in products:
        uploaded(staff, session, product.id, picture())
        uploaded(staff, session, product.id, picture())

    with counting_queries() as with_pictures:
        response = verified_client.get(path)

    assert response.status_code == 200
    assert "/images/" in response.get_data(as_text=True)
    # A product page's related cards and their pictures are two queries of their own.
    assert len(with_pictures) == len(without_pictures) <= (6 if "products" in page else 4)


# --- what is stored ----------------------------------------------------------------------


def test_metadata_is_stripped_and_the_photo_turned_upright(staff, session):
    product = make_product(session)
    # EXIF orientation 6: the camera was turned, the picture must be rotated to be upright.
    photo = picture(
        "JPEG", (80, 40), exif={ORIENTATION: 6, MAKE: "SpyCam Ltd", MODEL: "Pocket 3000"}
    )
    assert b"SpyCam" in photo

    image = uploaded(staff, session, product.id, photo)

    assert (image.width, image.height) == (40, 80)
    for stored in (image.data, image.thumbnail):
        assert b"SpyCam" not in stored and b"Pocket 3000" not in stored
        reopened = Image.open(BytesIO(stored))
        assert dict(reopened.getexif()) == {}
        assert "exif" not in reopened.info and "icc_profile" not in reopened.info
        assert reopened.mode == "RGB"


def test_a_large_picture_is_resized_to_1600_pixels_with_a_400_pixel_thumbnail(staff, session):
    product = make_product(session)

    image = uploaded(staff, session, product.id, picture("PNG", (2400, 1200)))

    assert (image.width, image.height) == (1600, 800)
    assert Image.open(BytesIO(image.data)).size == (1600, 800)
    assert Image.open(BytesIO(image.thumbnail)).size == (400, 200)


def test_a_small_picture_keeps_its_size(staff, session):
    product = make_product(session)

    image = uploaded(staff, session, product.id, picture("WEBP", (300, 200)))

    assert (image.width, image.height) == (300, 200)
    assert Image.open(BytesIO(image.thumbnail)).size == (300, 200)


def test_a_transparent_png_is_put_on_white(staff, session):
    product = make_product(session)
    out = BytesIO()
    Image.new("RGBA", (20, 20), (0, 0, 0, 0)).save(out, "PNG")

    image = uploaded(staff, session, product.id, out.getvalue())

    assert Image.open(BytesIO(image.data)).getpixel((10, 10)) >= (250, 250, 250)


def test_uploads_and_removals_are_in_the_audit_log(staff, session, verified_client):
    product = make_product(session)
    image = uploaded(staff, session, product.id, picture(), alt_en="Jar", alt_nl="Pot")
    image_id = image.id

    response = staff.post(
        f"/admin/products/{product.id}/images/{image_id}/delete",
        data={"csrf_token": admin_csrf(staff)},
    )

    assert response.status_code == 303
    assert images_of(session, product.id) == []
    assert verified_client.get(f"/images/{image_id}").status_code == 404
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == "Product", AuditEntry.object_id == str(product.id))
        .order_by(AuditEntry.id)
    ).all()
    assert [entry.action for entry in entries] == ["image_upload", "image_delete"]
    added = json.loads(entries[0].changes)[f"image {image_id}"]
    removed = json.loads(entries[1].changes)[f"image {image_id}"]
    assert added[0] is None and "64×48" in added[1] and "Jar | Pot" in added[1]
    assert removed[1] is None and removed[0] == added[1]


def test_a_viewer_cannot_upload_or_remove_pictures(app, staff, session):
    product = make_product(session)
    image = uploaded(staff, session, product.id, picture())
    viewer = app.test_client()
    signed_in(viewer, session, Role.VIEWER)

    page = viewer.get(f"/admin/products/{product.id}").get_data(as_text=True)

    assert "Add a picture" not in page and "Remove picture" not in page
    assert upload(viewer, product.id, picture()).status_code == 403
    removing = viewer.post(
        f"/admin/products/{product.id}/images/{image.id}/delete",
        data={"csrf_token": admin_csrf(viewer)},
    )
    assert removing.status_code == 403
    assert len(images_of(session, product.id)) == 1


# --- what is refused ---------------------------------------------------------------------


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"Just some words, not a picture.\n" * 20, "notes.png", "not a JPEG, PNG or WebP"),
        (b"GIF89a" + b"\x00" * 100, "anim.gif", "not a JPEG, PNG or WebP"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.svg", "not a JPEG, PNG or WebP"),
        (truncated(noisy_jpeg()), "cut.jpg", "damaged or incomplete"),
        (truncated(picture("PNG", (300, 300))), "cut.png", "damaged or incomplete"),
        (png_claiming(8_000, 8_000), "big.png", "too many pixels"),
        (png_claiming(30_000, 30_000), "bomb.png", "too many pixels"),
        (b"", "empty.jpg", "empty"),
    ],
    ids=[
        "text",
        "gif",
        "svg",
        "truncated-jpeg",
        "truncated-png",
        "too-many-pixels",
        "bomb",
        "empty",
    ],
)
def test_what_is_not_a_usable_picture_is_refused_with_a_message(
    staff, session, data, filename, message
):
    product = make_product(session)

    response = upload(staff, product.id, data, filename)

    assert response.status_code == 422
    assert message in error_next_to_the_file_field(response)
    assert images_of(session, product.id) == []


def test_sending_the_form_without_a_file_asks_for_one(staff, session):
    product = make_product(session)

    response = staff.post(
        f"/admin/products/{product.id}/images",
        data={"csrf_token": admin_csrf(staff)},
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert "choose a picture" in error_next_to_the_file_field(response)


@pytest.fixture
def small_limit_staff(request, app_settings):  # type: ignore[no-untyped-def]
    """A manager at a shop that takes uploads of at most 1 MB."""
    app_settings["SHOP_MAX_UPLOAD_MB"] = 1
    return request.getfixturevalue("staff")


@pytest.mark.parametrize(
    ("size", "status"),
    # Far over: Flask refuses the request before reading it. Just over: the form fits in
    # the request's allowance, the file itself is still too large.
    [(3 * 1024 * 1024, 413), (1024 * 1024 + 100, 422)],
    ids=["far-over", "just-over"],
)
def test_an_upload_over_the_limit_is_refused_with_a_message(
    small_limit_staff, session, size, status
):
    product = make_product(session)

    response = upload(small_limit_staff, product.id, os.urandom(size), "huge.jpg")

    assert response.status_code == status
    assert "larger than 1 MB" in error_next_to_the_file_field(response)
    assert session.scalar(select(func.count()).select_from(ProductImage)) == 0


def test_an_anonymous_oversize_request_gets_the_plain_error_page(app, session):
    product = make_product(session)
    stranger = app.test_client()

    response = stranger.post(
        f"/admin/products/{product.id}/images",
        data={"image": (BytesIO(os.urandom(9 * 1024 * 1024)), "huge.jpg")},
        content_type="multipart/form-data",
    )
    response.request.input_stream.close()

    assert response.status_code == 413
    assert "That is too large" in response.get_data(as_text=True)
    assert product.name_en not in response.get_data(as_text=True)
