"""Products: list, create and edit with their warnings and pictures, publish.

The forms are `admin.product_form`'s; saving goes through `services.products.save_product`,
which decides the publishing rule and writes the audit entry in the same transaction. Its
refusals are put into words by `web.wording` and shown next to the field they concern.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from shop import clock
from shop.config import MEGABYTE
from shop.extensions import db
from shop.images import MAX_SIDE, ImageProblem, InvalidImage, prepare_image
from shop.models import Product
from shop.rules.input import page_number
from shop.services.catalog import (
    CatalogNotFound,
    ProductFilter,
    list_categories,
    list_products_for_staff,
    price_history,
    product_for_staff,
)
from shop.services.products import (
    MAX_ALT_LENGTH,
    InvalidProduct,
    NewPicture,
    ProductNotPublishable,
    ProductRefusal,
    StaleProduct,
    add_product_image,
    delete_product_image,
    missing_warnings,
    save_product,
    version_of,
)
from shop.text import render_markdown
from shop.web.admin import Access, bp, can, current_staff, read_only_view, requires, section
from shop.web.admin.product_form import NewPicturesForm, PictureForm, ProductForm, add_error
from shop.web.images import image_response
from shop.web.request_bodies import NEW_PRODUCT_MAX_PICTURES
from shop.web.wording import missing_in_words, refusal_text

section("admin.products", _l("Products"), Access.VIEW)

PAGE_SIZE = 50

FILTER_LABELS = {
    ProductFilter.ALL: _l("All products"),
    ProductFilter.ACTIVE: _l("In the shop"),
    ProductFilter.INACTIVE: _l("Not in the shop"),
    ProductFilter.SOLD_OUT: _l("Sold out"),
    ProductFilter.MISSING_WARNINGS: _l("Missing warnings"),
}


def _capitalised(message: str) -> str:
    return message[:1].upper() + message[1:]


def _product_or_404(product_id: int) -> Product:
    try:
        return product_for_staff(db.session(), product_id)
    except CatalogNotFound:
        abort(404)


def _max_upload_mb() -> int:
    return current_app.config["SHOP_MAX_UPLOAD_MB"]


def _lowest_age() -> int:
    return current_app.config["SHOP_MIN_AGE"]


def _stored_form(product: Product) -> ProductForm:
    return ProductForm.of(product, lowest_age=_lowest_age())


def _publishing_refusal(product: Product) -> str | None:
    """What publishing the product would be refused for now, in words (None: nothing)."""
    missing = missing_warnings(product)
    if not missing:
        return None
    return refusal_text(ProductNotPublishable(ProductRefusal.NOT_PUBLISHABLE, missing))


def _render_form(
    product: Product | None,
    form: ProductForm,
    *,
    status: int = 200,
    preview: bool = False,
    notice: str | None = None,
    picture: PictureForm | None = None,
    new_pictures: NewPicturesForm | None = None,
) -> tuple[str, int]:
    previews: dict[str, Markup] = {}
    if preview:
        previews = {
            "en": render_markdown(form.description_md_en.data),
            "nl": render_markdown(form.description_md_nl.data),
        }
    categories = list_categories(db.session())
    form.category_id.choices = {
        "": _("Choose a category"),
        **{str(category.id): category.name_en for category in categories},
    }
    problems = form.problems()
    html = render_template(
        "admin/products/form.html",
        product=product,
        form=form,
        problems=problems,
        problems_title=ngettext(
            "Please correct %(num)s thing:", "Please correct %(num)s things:", len(problems)
        ),
        notice=notice,
        previews=previews,
        not_publishable=_publishing_refusal(product) if product is not None else None,
        prices=price_history(db.session(), product.id) if product is not None else [],
        picture=picture or PictureForm(formdata=None),
        new_pictures=new_pictures or NewPicturesForm(formdata=None),
        new_product_max_pictures=NEW_PRODUCT_MAX_PICTURES,
        max_upload_mb=_max_upload_mb(),
        max_side=MAX_SIDE,
        max_alt_length=MAX_ALT_LENGTH,
        can_manage=can(Access.MANAGE),
        min_age=_lowest_age(),
    )
    return html, status


# --- the list ----------------------------------------------------------------------------


@bp.get("/products")
@requires(Access.VIEW)
def products() -> str:
    """List the products, searched by name or slug and filtered by state."""
    search = request.args.get("q", "")[:200]
    try:
        status = ProductFilter(request.args.get("status", ""))
    except ValueError:
        status = ProductFilter.ALL
    listing = list_products_for_staff(
        db.session(),
        search=search,
        status=status,
        number=page_number(request.args.get("page")),
        size=PAGE_SIZE,
    )
    return render_template(
        "admin/products/list.html",
        listing=listing,
        search=search,
        status=status,
        filters=FILTER_LABELS,
    )


# --- create and edit ---------------------------------------------------------------------


@bp.get("/products/new")
@requires(Access.MANAGE)
def product_new() -> tuple[str, int]:
    """Show an empty product form."""
    return _render_form(None, ProductForm.blank(lowest_age=_lowest_age()))


@bp.post("/products/new")
@requires(Access.MANAGE)
def product_create() -> Response | tuple[str, int]:
    """Create the product (as a draft when its warnings are incomplete), or preview it."""
    return _save(None)


@bp.get("/products/<int:product_id>")
@requires(Access.VIEW)
@read_only_view
def product(product_id: int) -> tuple[str, int]:
    """Show the product's form, its pictures and its latest prices."""
    found = _product_or_404(product_id)
    return _render_form(found, _stored_form(found))


@bp.post("/products/<int:product_id>")
@requires(Access.MANAGE)
def product_save(product_id: int) -> Response | tuple[str, int]:
    """Save the product's changes, or preview its description."""
    return _save(product_id)


def _new_pictures(form: NewPicturesForm) -> list[NewPicture]:
    """The new product's pictures, prepared; errors go on `form` (none stored then)."""
    files = form.files()
    if len(files) > NEW_PRODUCT_MAX_PICTURES:
        add_error(
            form.pictures,
            _("Please choose at most %(n)s pictures here.", n=NEW_PRODUCT_MAX_PICTURES),
        )
        return []
    max_bytes = _max_upload_mb() * MEGABYTE
    prepared = []
    for file in files:
        try:
            picture = prepare_image(file.stream.read(max_bytes + 1), max_bytes=max_bytes)
        except InvalidImage as invalid:
            name = file.filename or ""
            add_error(form.pictures, f"{name}: {refusal_text(invalid)}")
            continue
        prepared.append(
            NewPicture(picture, form.pictures_alt_en.data or "", form.pictures_alt_nl.data or "")
        )
    return prepared


def _save(product_id: int | None) -> Response | tuple[str, int]:
    product = _product_or_404(product_id) if product_id is not None else None
    form = ProductForm.sent(request.form, lowest_age=_lowest_age())
    new_pictures = NewPicturesForm(formdata=CombinedMultiDict((request.files, request.form)))
    if request.form.get("action") == "preview":
        return _render_form(product, form, preview=True)
    # Checked before the product, so a refused picture never leaves a product behind.
    # (validate() first: it starts each field's errors afresh.)
    valid = new_pictures.validate() if product_id is None else True
    pictures = _new_pictures(new_pictures) if product_id is None and valid else []
    if not form.validate() or not valid or new_pictures.pictures.errors:
        return _render_form(product, form, status=422, new_pictures=new_pictures)
    try:
        saved = save_product(
            db.session(),
            product_id,
            form.draft(),
            publish=form.publish.data,
            actor=current_staff(),
            now=clock.now(),
            expected_version=form.version.data or None,
            pictures=pictures,
        )
    except InvalidProduct as invalid:
        form.show_refusal(invalid.field, _capitalised(refusal_text(invalid)))
        return _render_form(product, form, status=422, new_pictures=new_pictures)
    except ProductNotPublishable as refused:
        add_error(form.publish, refusal_text(refused))
        return _render_form(product, form, status=422)
    except StaleProduct as stale:
        current = _product_or_404(product_id) if product_id is not None else None
        if current is not None:
            form.version.data = version_of(current)
        return _render_form(current, form, status=409, notice=refusal_text(stale))
    if not saved.changed:
        flash(_("Nothing changed."))
    elif saved.missing:
        flash(
            _(
                "Saved as a draft, not published. Missing: %(missing)s.",
                missing=missing_in_words(saved.missing),
            ),
            "error",
        )
    elif saved.product.is_active:
        flash(_("Saved. The product is in the shop."))
    else:
        flash(_("Saved. The product is not in the shop."))
    return redirect(url_for("admin.product", product_id=saved.product.id), code=303)


# --- pictures ----------------------------------------------------------------------------


@bp.post("/products/<int:product_id>/images")
@requires(Access.MANAGE)
def product_image_upload(product_id: int) -> Response | tuple[str, int]:
    """Add a picture: checked to be one, stripped of metadata, resized, with a thumbnail."""
    found = _product_or_404(product_id)
    picture = PictureForm(formdata=CombinedMultiDict((request.files, request.form)))
    if picture.validate():
        max_bytes = _max_upload_mb() * MEGABYTE
        try:
            prepared = prepare_image(
                picture.image.data.stream.read(max_bytes + 1), max_bytes=max_bytes
            )
            add_product_image(
                db.session(),
                product_id,
                prepared,
                alt_en=picture.alt_en.data,
                alt_nl=picture.alt_nl.data,
                actor=current_staff(),
                now=clock.now(),
            )
        except InvalidImage as invalid:
            add_error(picture.image, refusal_text(invalid))
        except CatalogNotFound:
            abort(404)
    if picture.errors:
        return _render_form(found, _stored_form(found), status=422, picture=picture)
    flash(_("Picture added."))
    return redirect(url_for("admin.product", product_id=product_id, _anchor="images"), code=303)


@bp.errorhandler(RequestEntityTooLarge)
def request_too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    """Say a file is too large: next to the upload field when that is where it was sent."""
    product_id = int((request.view_args or {}).get("product_id") or 0)
    # The limit is checked before the back office's access check, so ask here who this is.
    if request.endpoint == "admin.product_image_upload" and can(Access.MANAGE):
        try:
            found = product_for_staff(db.session(), product_id)
        except CatalogNotFound:
            found = None
        if found is not None:
            # The body was never read (it is too large): nothing of it is shown back.
            picture = PictureForm(formdata=None)
            too_large = InvalidImage(ImageProblem.TOO_LARGE, max_bytes=_max_upload_mb() * MEGABYTE)
            picture.image.errors = [refusal_text(too_large)]
            return _render_form(found, _stored_form(found), status=413, picture=picture)
    return render_template("errors/error.html", error=error, code=413), 413


@bp.post("/products/<int:product_id>/images/<int:image_id>/delete")
@requires(Access.MANAGE)
def product_image_delete(product_id: int, image_id: int) -> Response:
    """Remove one of the product's pictures."""
    try:
        delete_product_image(
            db.session(), product_id, image_id, actor=current_staff(), now=clock.now()
        )
    except CatalogNotFound:
        abort(404)
    flash(_("Picture removed."))
    return redirect(url_for("admin.product", product_id=product_id, _anchor="images"), code=303)


@bp.get("/products/images/<int:image_id>")
@requires(Access.VIEW)
def product_image(image_id: int) -> Response:
    """Send a picture of any product, published or not, to staff."""
    return image_response(image_id, thumbnail=False, for_sale_only=False)


@bp.get("/products/images/<int:image_id>/thumb")
@requires(Access.VIEW)
def product_image_thumbnail(image_id: int) -> Response:
    """Send the thumbnail of a picture of any product to staff."""
    return image_response(image_id, thumbnail=True, for_sale_only=False)
