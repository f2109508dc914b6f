"""Products: list, create and edit with their warnings and images, publish.

The form is read in plain code, as checkout's is: disclaimers are rows that staff add (a few
blank ones are always offered) and remove by emptying both texts, the allergy statement is
one choice plus the fixed list of allergens, and each message must sit next to its own
field. Saving goes through `services.admin_products.save_product`, which decides the
publishing rule and writes the audit entry in the same transaction.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from shop import clock
from shop.config import MEGABYTE
from shop.extensions import db
from shop.images import MAX_SIDE, ImageProblem, InvalidImage, prepare_image
from shop.labels import ALLERGEN_LABELS
from shop.models import ALLERGENS, AllergenPresence, DisclaimerKind, Product, StaffMember
from shop.services.admin_products import (
    MAX_ALT_LENGTH,
    ProductFilter,
    StaleProduct,
    add_product_image,
    delete_product_image,
    list_products_for_staff,
    parse_euros,
    price_history,
    product_for_staff,
    save_product,
    version_of,
)
from shop.services.catalog import (
    AllergyDraft,
    CatalogNotFound,
    DisclaimerDraft,
    InvalidProduct,
    ProductDraft,
    ProductNotPublishable,
    list_categories,
    missing_warnings,
)
from shop.text import render_markdown
from shop.web.admin import Access, bp, can, current_staff, requires, section
from shop.web.images import image_response

section("admin.products", _l("Products"), Access.VIEW)

PAGE_SIZE = 50
MAX_PAGE = 10_000

# The columns bound these (PostgreSQL enforces VARCHAR lengths); descriptions and warnings
# are TEXT, bounded here so a pasted book does not end up on a product page.
MAX_LENGTHS = {
    "name_en": 200,
    "name_nl": 200,
    "slug": 160,
    "summary_en": 500,
    "summary_nl": 500,
    "description_md_en": 20_000,
    "description_md_nl": 20_000,
}
MAX_WARNING_LENGTH = 2_000
MAX_DISCLAIMERS = 12
BLANK_DISCLAIMER_ROWS = 3
MAX_STOCK = 1_000_000
MAX_AGE = 120

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
DIGITS = re.compile(r"[0-9]{1,7}")

FILTER_LABELS = {
    ProductFilter.ALL: _l("All products"),
    ProductFilter.ACTIVE: _l("In the shop"),
    ProductFilter.INACTIVE: _l("Not in the shop"),
    ProductFilter.SOLD_OUT: _l("Sold out"),
    ProductFilter.MISSING_WARNINGS: _l("Missing warnings"),
}
KIND_LABELS = {
    DisclaimerKind.HEALTH: _l("Health"),
    DisclaimerKind.DOSAGE: _l("Dosage"),
    DisclaimerKind.LEGAL: _l("Legal"),
    DisclaimerKind.USAGE: _l("Use"),
}
PRESENCE_CHOICES = (
    ("", _l("not in it")),
    (AllergenPresence.CONTAINS.value, _l("contains")),
    (AllergenPresence.MAY_CONTAIN.value, _l("may contain traces")),
)


class AllergyMode(enum.StrEnum):
    UNSTATED = "unstated"
    NONE_KNOWN = "none_known"
    LISTED = "listed"


ALLERGY_MODE_LABELS = {
    AllergyMode.UNSTATED: _l("Not stated yet (the product cannot be published)"),
    AllergyMode.NONE_KNOWN: _l("No known allergens"),
    AllergyMode.LISTED: _l("Contains or may contain the allergens marked below"),
}

IMAGE_MESSAGES = {
    ImageProblem.EMPTY: _l("That file is empty. Please choose a picture."),
    ImageProblem.NOT_AN_IMAGE: _l("That file is not a JPEG, PNG or WebP picture."),
    ImageProblem.BROKEN: _l("That picture is damaged or incomplete and cannot be read."),
    ImageProblem.TOO_MANY_PIXELS: _l(
        "That picture has too many pixels to process safely. Please scale it down first."
    ),
}


def _text(form: Mapping[str, str], name: str) -> str:
    # Browsers send a textarea's line breaks as CRLF; stored as LF so that saving an
    # unchanged text never looks like a change (and never makes a new disclaimer version).
    return form.get(name, "").replace("\r\n", "\n").replace("\r", "\n")


def _line(form: Mapping[str, str], name: str) -> str:
    return " ".join(form.get(name, "").split())


def slug_from(name: str) -> str:
    """A URL slug from a product name: "Psilocybe Mexicana 15 g" → "psilocybe-mexicana-15-g"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_name.lower()))[: MAX_LENGTHS["slug"]].strip("-")


def format_euros(cents: int) -> str:
    """Cents as the form shows them: 1250 → "12,50"."""
    return f"{cents // 100},{cents % 100:02d}"


@dataclass
class DisclaimerRow:
    kind: str = DisclaimerKind.HEALTH.value
    text_en: str = ""
    text_nl: str = ""

    @property
    def is_blank(self) -> bool:
        return not (self.text_en.strip() or self.text_nl.strip())


@dataclass
class ProductForm:
    """What staff typed, and what is wrong with it, field by field."""

    name_en: str = ""
    name_nl: str = ""
    slug: str = ""
    category_id: str = ""
    summary_en: str = ""
    summary_nl: str = ""
    description_md_en: str = ""
    description_md_nl: str = ""
    price: str = ""
    stock: str = "0"
    min_age: str = ""
    is_featured: bool = False
    publish: bool = False
    disclaimers: list[DisclaimerRow] = field(default_factory=list)
    allergy_mode: str = AllergyMode.UNSTATED.value
    allergens: dict[str, str] = field(default_factory=dict)
    allergy_warning_en: str = ""
    allergy_warning_nl: str = ""
    version: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_product(cls, product: Product) -> ProductForm:
        statement = product.allergy_statement
        if statement is None:
            mode = AllergyMode.UNSTATED
        elif statement.has_no_known_allergens:
            mode = AllergyMode.NONE_KNOWN
        else:
            mode = AllergyMode.LISTED
        return cls(
            name_en=product.name_en,
            name_nl=product.name_nl,
            slug=product.slug,
            category_id=str(product.category_id),
            summary_en=product.summary_en,
            summary_nl=product.summary_nl,
            description_md_en=product.description_md_en,
            description_md_nl=product.description_md_nl,
            price=format_euros(product.price_cents),
            stock=str(product.stock),
            min_age=str(product.min_age),
            is_featured=product.is_featured,
            publish=product.is_active,
            disclaimers=[
                DisclaimerRow(str(d.kind), d.text_en, d.text_nl) for d in product.disclaimers
            ],
            allergy_mode=mode.value,
            allergens={}
            if statement is None
            else {entry.allergen: str(entry.presence) for entry in statement.entries},
            allergy_warning_en="" if statement is None else statement.warning_en,
            allergy_warning_nl="" if statement is None else statement.warning_nl,
            version=version_of(product),
        )

    @classmethod
    def from_request(cls, form: Mapping[str, str]) -> ProductForm:
        rows = [
            DisclaimerRow(
                kind=_line(form, f"disclaimers-{i}-kind"),
                text_en=_text(form, f"disclaimers-{i}-text_en"),
                text_nl=_text(form, f"disclaimers-{i}-text_nl"),
            )
            for i in range(MAX_DISCLAIMERS + BLANK_DISCLAIMER_ROWS)
        ]
        return cls(
            name_en=_line(form, "name_en"),
            name_nl=_line(form, "name_nl"),
            slug=_line(form, "slug").lower(),
            category_id=_line(form, "category_id"),
            summary_en=_line(form, "summary_en"),
            summary_nl=_line(form, "summary_nl"),
            description_md_en=_text(form, "description_md_en"),
            description_md_nl=_text(form, "description_md_nl"),
            price=_line(form, "price"),
            stock=_line(form, "stock"),
            min_age=_line(form, "min_age"),
            is_featured=form.get("is_featured") == "yes",
            publish=form.get("publish") == "yes",
            # Emptied rows are removed; the others keep their order.
            disclaimers=[row for row in rows if not row.is_blank],
            allergy_mode=_line(form, "allergy_mode"),
            allergens={
                code: form.get(f"allergen-{code}", "")
                for code in ALLERGENS
                if form.get(f"allergen-{code}")
            },
            allergy_warning_en=_text(form, "allergy_warning_en").strip(),
            allergy_warning_nl=_text(form, "allergy_warning_nl").strip(),
            version=_line(form, "version"),
        )

    @property
    def disclaimer_rows(self) -> list[DisclaimerRow]:
        """The rows to show: the disclaimers, then a few blank ones to add more."""
        room = max(0, MAX_DISCLAIMERS - len(self.disclaimers))
        return self.disclaimers + [DisclaimerRow() for _ in range(min(BLANK_DISCLAIMER_ROWS, room))]

    def to_draft(self, min_age: int) -> ProductDraft | None:
        """The product as the service takes it, or None with `errors` filled in."""
        errors = self.errors
        if not self.name_en:
            errors["name_en"] = _("Please give the product a name.")
        if not self.slug and self.name_en:
            self.slug = slug_from(self.name_en)
        if not self.slug:
            errors["slug"] = _("Please give a slug: lower-case letters, digits and hyphens.")
        elif not SLUG.fullmatch(self.slug):
            errors["slug"] = _(
                "Use only lower-case letters, digits and single hyphens, like golden-teacher-15g."
            )
        for name, limit in MAX_LENGTHS.items():
            if name not in errors and len(getattr(self, name)) > limit:
                errors[name] = _("Please use at most %(n)s characters.", n=limit)
        if not DIGITS.fullmatch(self.category_id):
            errors["category_id"] = _("Please choose a category.")
        price_cents = self._price(errors)
        stock = self._whole_number("stock", 0, MAX_STOCK)
        age = self._whole_number("min_age", min_age, MAX_AGE)
        disclaimers = self._disclaimers()
        allergy = self._allergy()
        if errors:
            return None
        assert price_cents is not None and stock is not None and age is not None
        return ProductDraft(
            slug=self.slug,
            category_id=int(self.category_id),
            name_en=self.name_en,
            name_nl=self.name_nl,
            summary_en=self.summary_en,
            summary_nl=self.summary_nl,
            description_md_en=self.description_md_en,
            description_md_nl=self.description_md_nl,
            price_cents=price_cents,
            stock=stock,
            min_age=age,
            is_featured=self.is_featured,
            disclaimers=disclaimers,
            allergy=allergy,
        )

    def _price(self, errors: dict[str, str]) -> int | None:
        if not self.price:
            errors["price"] = _("Please give the price in euros, like 12,50.")
            return None
        try:
            cents = parse_euros(self.price)
        except InvalidProduct:
            errors["price"] = _(
                "Type the price in euros with at most two decimals, like 12,50 or 12.50."
            )
            return None
        if cents == 0:
            errors["price"] = _("A price of at least €0,01 is needed: nothing is sold for free.")
            return None
        return cents

    def _whole_number(self, name: str, lowest: int, highest: int) -> int | None:
        raw = getattr(self, name)
        value = int(raw) if DIGITS.fullmatch(raw) else None
        if value is None or not lowest <= value <= highest:
            self.errors[name] = _(
                "Please give a whole number from %(low)s to %(high)s.", low=lowest, high=highest
            )
            return None
        return value

    def _disclaimers(self) -> list[DisclaimerDraft]:
        drafts = []
        for index, row in enumerate(self.disclaimers):
            key = f"disclaimers-{index}"
            if row.kind not in set(DisclaimerKind):
                self.errors[key] = _("Please choose a kind for this disclaimer.")
            elif not (row.text_en.strip() and row.text_nl.strip()):
                self.errors[key] = _(
                    "Write this disclaimer in English and in Dutch, or empty both to remove it."
                )
            elif max(len(row.text_en), len(row.text_nl)) > MAX_WARNING_LENGTH:
                self.errors[key] = _("Please use at most %(n)s characters.", n=MAX_WARNING_LENGTH)
            else:
                drafts.append(DisclaimerDraft(row.kind, row.text_en, row.text_nl))
        if len(self.disclaimers) > MAX_DISCLAIMERS:
            self.errors["disclaimers"] = _("At most %(n)s disclaimers.", n=MAX_DISCLAIMERS)
        return drafts

    def _allergy(self) -> AllergyDraft | None:
        errors = self.errors
        presences = set(AllergenPresence)
        if any(presence not in presences for presence in self.allergens.values()):
            errors["allergens"] = _("Please choose “contains” or “may contain traces”.")
        if self.allergy_mode not in set(AllergyMode):
            errors["allergy_mode"] = _("Please choose one of the three options.")
            return None
        for name in ("allergy_warning_en", "allergy_warning_nl"):
            if len(getattr(self, name)) > MAX_WARNING_LENGTH:
                errors[name] = _("Please use at most %(n)s characters.", n=MAX_WARNING_LENGTH)
        mode = AllergyMode(self.allergy_mode)
        if mode != AllergyMode.LISTED:
            if self.allergens:
                errors["allergy_mode"] = _(
                    "You marked allergens below: choose “Contains or may contain the allergens "
                    "marked below”, or set them back to “not in it”."
                )
            if mode == AllergyMode.UNSTATED:
                return None
            return AllergyDraft(
                has_no_known_allergens=True,
                warning_en=self.allergy_warning_en,
                warning_nl=self.allergy_warning_nl,
            )
        if not self.allergens:
            errors["allergens"] = _("Mark at least one allergen, or choose “No known allergens”.")
        for name, language in (("allergy_warning_en", "English"), ("allergy_warning_nl", "Dutch")):
            if not getattr(self, name) and name not in errors:
                errors[name] = _(
                    "Please write the allergy warning in %(language)s, like “Do not use if you "
                    "are allergic to mushrooms.”",
                    language=_(language),
                )
        return AllergyDraft(
            has_no_known_allergens=False,
            allergens=[(code, presence) for code, presence in self.allergens.items()],
            warning_en=self.allergy_warning_en,
            warning_nl=self.allergy_warning_nl,
        )


def error_anchor(key: str) -> str:
    """The id of the control an error's link in the summary leads to."""
    if key.startswith("disclaimers-"):
        return f"f-{key}-text_en"
    return {
        "disclaimers": "f-disclaimers-0-text_en",
        "allergy_mode": f"f-allergy_mode-{AllergyMode.UNSTATED}",
        "allergens": f"f-allergen-{ALLERGENS[0]}",
    }.get(key, f"f-{key}")


# Where the service's own refusals belong on the form.
SERVICE_FIELDS = {"price_cents": "price", "allergy": "allergy_mode"}


def _capitalised(message: str) -> str:
    return message[:1].upper() + message[1:]


def _listing(missing: Sequence[str]) -> str:
    return "; ".join(missing)


def _staff() -> StaffMember:
    return current_staff()


def _page_number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        return 1
    return min(max(int(raw), 1), MAX_PAGE)


def _product_or_404(product_id: int) -> Product:
    try:
        return product_for_staff(db.session(), product_id)
    except CatalogNotFound:
        abort(404)


def _max_upload_mb() -> int:
    return current_app.config["SHOP_MAX_UPLOAD_MB"]


def _render_form(
    product: Product | None,
    form: ProductForm,
    *,
    status: int = 200,
    preview: bool = False,
    notice: str | None = None,
    image_errors: Mapping[str, str] | None = None,
    image_form: Mapping[str, str] | None = None,
) -> tuple[str, int]:
    previews: dict[str, Markup] = {}
    if preview:
        previews = {
            "en": render_markdown(form.description_md_en),
            "nl": render_markdown(form.description_md_nl),
        }
    html = render_template(
        "admin/products/form.html",
        product=product,
        form=form,
        errors=[(error_anchor(key), message) for key, message in form.errors.items()],
        notice=notice,
        previews=previews,
        categories=list_categories(db.session()),
        kinds=KIND_LABELS,
        allergens=[(code, ALLERGEN_LABELS[code]) for code in ALLERGENS],
        presences=PRESENCE_CHOICES,
        allergy_modes=ALLERGY_MODE_LABELS,
        missing=missing_warnings(product) if product is not None else [],
        prices=price_history(db.session(), product.id) if product is not None else [],
        image_errors=image_errors or {},
        image_form=image_form or {},
        max_upload_mb=_max_upload_mb(),
        max_side=MAX_SIDE,
        max_alt_length=MAX_ALT_LENGTH,
        can_manage=can(Access.MANAGE),
        min_age=current_app.config["SHOP_MIN_AGE"],
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
        db.session(), search=search, status=status, number=_page_number(), size=PAGE_SIZE
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
    return _render_form(None, ProductForm(min_age=str(current_app.config["SHOP_MIN_AGE"])))


@bp.post("/products/new")
@requires(Access.MANAGE)
def product_create() -> Response | tuple[str, int]:
    """Create the product (as a draft when its warnings are incomplete), or preview it."""
    return _save(None)


@bp.get("/products/<int:product_id>")
@requires(Access.VIEW)
def product(product_id: int) -> tuple[str, int]:
    """Show the product's form, its pictures and its latest prices."""
    found = _product_or_404(product_id)
    return _render_form(found, ProductForm.from_product(found))


@bp.post("/products/<int:product_id>")
@requires(Access.MANAGE)
def product_save(product_id: int) -> Response | tuple[str, int]:
    """Save the product's changes, or preview its description."""
    return _save(product_id)


def _save(product_id: int | None) -> Response | tuple[str, int]:
    product = _product_or_404(product_id) if product_id is not None else None
    form = ProductForm.from_request(request.form)
    if request.form.get("action") == "preview":
        return _render_form(product, form, preview=True)
    draft = form.to_draft(current_app.config["SHOP_MIN_AGE"])
    if draft is None:
        return _render_form(product, form, status=422)
    try:
        saved = save_product(
            db.session(),
            product_id,
            draft,
            publish=form.publish,
            actor=_staff(),
            now=clock.now(),
            expected_version=form.version or None,
        )
    except InvalidProduct as invalid:
        form.errors[SERVICE_FIELDS.get(invalid.field, invalid.field)] = _capitalised(
            invalid.message
        )
        return _render_form(product, form, status=422)
    except ProductNotPublishable as refused:
        form.errors["publish"] = _(
            "This product is in the shop, so it must keep its warnings. Missing: %(missing)s. "
            "Nothing was saved. To take the product out of the shop, untick “In the shop”.",
            missing=_listing(refused.missing),
        )
        return _render_form(product, form, status=422)
    except StaleProduct:
        current = _product_or_404(product_id) if product_id is not None else None
        if current is not None:
            form.version = version_of(current)
        return _render_form(
            current,
            form,
            status=409,
            notice=_(
                "Someone else saved this product after you opened it. Your changes are below, "
                "not saved yet: compare them with the product as it is now and save again."
            ),
        )
    if not saved.changed:
        flash(_("Nothing changed."))
    elif saved.missing:
        flash(
            _(
                "Saved as a draft, not published. Missing: %(missing)s.",
                missing=_listing(saved.missing),
            ),
            "error",
        )
    elif saved.product.is_active:
        flash(_("Saved. The product is in the shop."))
    else:
        flash(_("Saved. The product is not in the shop."))
    return redirect(url_for("admin.product", product_id=saved.product.id), code=303)


# --- pictures ----------------------------------------------------------------------------


def _too_large_message() -> str:
    return _(
        "That file is larger than %(mb)s MB. Please upload a smaller picture.",
        mb=_max_upload_mb(),
    )


@bp.post("/products/<int:product_id>/images")
@requires(Access.MANAGE)
def product_image_upload(product_id: int) -> Response | tuple[str, int]:
    """Add a picture: checked to be one, stripped of metadata, resized, with a thumbnail."""
    found = _product_or_404(product_id)
    alt_en, alt_nl = _line(request.form, "alt_en"), _line(request.form, "alt_nl")
    errors: dict[str, str] = {}
    for name, value in (("alt_en", alt_en), ("alt_nl", alt_nl)):
        if len(value) > MAX_ALT_LENGTH:
            errors[name] = _("Please use at most %(n)s characters.", n=MAX_ALT_LENGTH)
    upload = request.files.get("image")
    if upload is None or not upload.filename:
        errors["image"] = _("Please choose a picture to upload.")
    if not errors:
        assert upload is not None
        max_bytes = _max_upload_mb() * MEGABYTE
        try:
            prepared = prepare_image(upload.stream.read(max_bytes + 1), max_bytes=max_bytes)
            add_product_image(
                db.session(),
                product_id,
                prepared,
                alt_en=alt_en,
                alt_nl=alt_nl,
                actor=_staff(),
                now=clock.now(),
            )
        except InvalidImage as invalid:
            errors["image"] = (
                _too_large_message()
                if invalid.problem == ImageProblem.TOO_LARGE
                else str(IMAGE_MESSAGES[invalid.problem])
            )
        except CatalogNotFound:
            abort(404)
    if errors:
        return _render_form(
            found,
            ProductForm.from_product(found),
            status=422,
            image_errors=errors,
            image_form={"alt_en": alt_en, "alt_nl": alt_nl},
        )
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
            return _render_form(
                found,
                ProductForm.from_product(found),
                status=413,
                image_errors={"image": _too_large_message()},
            )
    return render_template("errors/error.html", error=error, code=413), 413


@bp.post("/products/<int:product_id>/images/<int:image_id>/delete")
@requires(Access.MANAGE)
def product_image_delete(product_id: int, image_id: int) -> Response:
    """Remove one of the product's pictures."""
    try:
        delete_product_image(db.session(), product_id, image_id, actor=_staff(), now=clock.now())
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
