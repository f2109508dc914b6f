"""Product pictures for the storefront: `/images/<id>`, `/images/<id>/thumb` and the sized
variants `/images/<id>/<side>.webp` and `.jpg` (shop.images.VARIANT_SIDES).

Behind the age gate like every storefront page, and only for products in the shop (staff
see every picture through the back office). A picture never changes under its id (a new
upload is a new row), so a browser may keep it for a year and ask again with its ETag;
"private", because shared caches must not hand gated content to someone who has not passed
the gate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from flask import Blueprint, Flask, abort, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from shop.extensions import db
from shop.images import THUMBNAIL_SIDE, VARIANT_MIME_TYPES, fit_within, variant_sides, variant_size
from shop.models import Product, ProductImage, ProductImageVariant
from shop.models.catalog import localized

bp = Blueprint("images", __name__, url_prefix="/images")

A_YEAR = 31_536_000


@bp.get("/<int:image_id>")
def picture(image_id: int) -> Response:
    """Send a product's picture (at most 1600 px)."""
    return image_response(image_id, thumbnail=False, for_sale_only=True)


@bp.get("/<int:image_id>/thumb")
def thumbnail(image_id: int) -> Response:
    """Send a product picture's thumbnail (at most 400 px)."""
    return image_response(image_id, thumbnail=True, for_sale_only=True)


# The file extension in the URL names the format, so a saved picture opens with the right program.
_EXTENSIONS = {"webp": "webp", "jpg": "jpeg"}


@bp.get("/<int:image_id>/<int:side>.<extension>")
def variant(image_id: int, side: int, extension: str) -> Response:
    """Send a picture at one of its sizes, as WebP or JPEG."""
    kind = _EXTENSIONS.get(extension)
    if kind is None:
        abort(404)
    query = (
        select(ProductImageVariant.id, ProductImageVariant.etag)
        .join(ProductImage)
        .join(Product)
        .where(
            ProductImageVariant.image_id == image_id,
            ProductImageVariant.side == side,
            ProductImageVariant.format == kind,
            Product.is_active.is_(True),
        )
    )
    found = db.session.execute(query).first()
    if found is None:
        abort(404)
    if request.if_none_match.contains_weak(found.etag):
        unchanged = Response(status=304)
        unchanged.set_etag(found.etag)
        return unchanged
    data = db.session.scalar(
        select(ProductImageVariant.data).where(ProductImageVariant.id == found.id)
    )
    response = Response(bytes(data or b""), mimetype=VARIANT_MIME_TYPES[kind])
    response.set_etag(found.etag)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)


def image_response(image_id: int, *, thumbnail: bool, for_sale_only: bool) -> Response:
    """The picture or its thumbnail with its ETag; 304 when the browser has it already."""
    query = select(ProductImage.etag, ProductImage.mime_type).where(ProductImage.id == image_id)
    if for_sale_only:
        query = query.join(Product).where(Product.is_active.is_(True))
    found = db.session.execute(query).first()
    if found is None:
        abort(404)
    etag = f"{found.etag}-thumb" if thumbnail else found.etag
    if request.if_none_match.contains_weak(etag):
        # Answered without reading the picture's bytes from the database.
        unchanged = Response(status=304)
        unchanged.set_etag(etag)
        return unchanged
    column = ProductImage.thumbnail if thumbnail else ProductImage.data
    data = db.session.scalar(select(column).where(ProductImage.id == image_id))
    response = Response(bytes(data or b""), mimetype=found.mime_type)
    response.set_etag(etag)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)


@bp.after_app_request
def cache_pictures_for_a_year(response: Response) -> Response:
    # Flask runs the app's after-request hooks newest first. This one is registered with the
    # blueprint, before the age gate installs its hook (see `_register_blueprints`), so it
    # runs after that hook has marked every gated response "private, no-cache", and has the
    # last word for pictures. tests/integration/test_images.py checks the header.
    if request.blueprint == bp.name and response.status_code in {200, 304}:
        response.headers["Cache-Control"] = f"private, max-age={A_YEAR}, immutable"
    return response


def image_alt(image: ProductImage, locale: str) -> str:
    """The picture's alt text in the visitor's language (or the other one)."""
    return localized(image, "alt", locale)


def thumbnail_size(image: ProductImage) -> tuple[int, int]:
    """The thumbnail's width and height, for the <img> attributes."""
    return fit_within(image.width, image.height, THUMBNAIL_SIDE)


class PictureFacts(Protocol):
    """What a picture's addresses need: a `ProductImage`, or a card's `catalog.CardImage`."""

    id: int
    width: int
    height: int


# A variant's address from (image id, side, extension): `url_for` by default; a list of cards
# passes one built from a prefix (`web.cards.CardLinks`), the same address for less work.
VariantAddress = Callable[[int, int, str], str]


def variant_address(image_id: int, side: int, extension: str) -> str:
    return url_for("images.variant", image_id=image_id, side=side, extension=extension)


def srcset(image: PictureFacts, extension: str, address: VariantAddress = variant_address) -> str:
    """The `srcset` of a picture's variants in one format ("webp" or "jpg")."""
    return ", ".join(
        f"{address(image.id, side, extension)} {variant_size(image.width, image.height, side)[0]}w"
        for side in variant_sides(image.width, image.height)
    )


def fallback_src(image: PictureFacts, width: int, address: VariantAddress = variant_address) -> str:
    """The JPEG variant closest above `width` pixels wide, for browsers without srcset."""
    sides = variant_sides(image.width, image.height)
    side = next(
        (s for s in sides if variant_size(image.width, image.height, s)[0] >= width), sides[-1]
    )
    return address(image.id, side, "jpg")


@bp.record_once
def _install_globals(state: object) -> None:
    app: Flask = state.app  # type: ignore[attr-defined]
    app.jinja_env.globals["image_alt"] = image_alt
    app.jinja_env.globals["thumbnail_size"] = thumbnail_size
    app.jinja_env.globals["picture_srcset"] = srcset
    app.jinja_env.globals["picture_fallback"] = fallback_src
