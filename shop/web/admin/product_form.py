"""The back office's product form and picture form, on WTForms.

What belongs here: reading what staff typed (one-line texts, euros, whole numbers, the rows
of disclaimers, the allergy statement), saying what is wrong next to each field in the
staff's language, and handing `services.products` a `ProductDraft`. Disclaimers are rows
that staff add in one of the blank rows always offered, and remove by emptying both texts;
the allergy statement is one choice plus the fixed list of allergens. Every control's id is
"f-" and its name ("f-price", "f-disclaimers-0-text_en"), as the page's links to errors expect.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.meta import DefaultMeta
from wtforms.utils import unset_value
from wtforms.validators import StopValidation

from shop.labels import ALLERGEN_LABELS, KIND_LABELS
from shop.models import ALLERGENS, AllergenPresence, DisclaimerKind, Product
from shop.rules.input import is_slug, slug_from
from shop.rules.product_kind import ProductKind
from shop.rules.vat import VatRate
from shop.services.products import (
    MAX_AGE,
    MAX_ALT_LENGTH,
    MAX_SLUG_LENGTH,
    AllergyDraft,
    DisclaimerDraft,
    ProductDraft,
    version_of,
)
from shop.web.forms import EuroField, ShopForm, WholeNumberField, one_line

# The columns bound these (PostgreSQL enforces VARCHAR lengths); descriptions and warnings
# are TEXT, bounded here so a pasted book does not end up on a product page.
MAX_NAME_LENGTH = 200
MAX_SUMMARY_LENGTH = 500
MAX_DESCRIPTION_LENGTH = 20_000
MAX_WARNING_LENGTH = 2_000
MAX_DISCLAIMERS = 12
BLANK_DISCLAIMER_ROWS = 3
MAX_STOCK = 1_000_000
# The widest price the form takes: € 999 999,99. Anything above is a typo.
MAX_PRICE_CENTS = 999_999_99


def kind_choices() -> dict[str, str]:
    return {
        DisclaimerKind.HEALTH.value: _("Health"),
        DisclaimerKind.DOSAGE.value: _("Dosage"),
        DisclaimerKind.LEGAL.value: _("Legal"),
        DisclaimerKind.USAGE.value: _("Use"),
    }


def presence_choices() -> dict[str, str]:
    return {
        "": _("not in it"),
        AllergenPresence.CONTAINS.value: _("contains"),
        AllergenPresence.MAY_CONTAIN.value: _("may contain traces"),
    }


def vat_rate_choices() -> dict[str, str]:
    return {
        VatRate.STANDARD.value: _("21% (standard rate)"),
        VatRate.REDUCED.value: _("9% (reduced rate: food)"),
        VatRate.ZERO.value: _("0% (zero rate)"),
    }


def product_kind_choices() -> dict[str, str]:
    return {kind.value: str(label) for kind, label in KIND_LABELS.items()}


class AllergyMode(enum.StrEnum):
    UNSTATED = "unstated"
    NONE_KNOWN = "none_known"
    LISTED = "listed"


def allergy_mode_choices() -> dict[str, str]:
    return {
        AllergyMode.UNSTATED.value: _("Not stated yet (the product cannot be published)"),
        AllergyMode.NONE_KNOWN.value: _("No known allergens"),
        AllergyMode.LISTED.value: _("Contains or may contain the allergens marked below"),
    }


class FieldIds(DefaultMeta):
    """Ids as the back office's pages write them: "f-" and the field's full name."""

    def bind_field(self, form: Any, unbound_field: Any, options: MutableMapping[str, Any]) -> Any:
        options.setdefault("id", f"f-{options.get('prefix', '')}{options['name']}")
        return unbound_field.bind(form=form, **options)


def text(field: Field) -> str:
    """A text field's value (the filters here make it a string; None only if never sent)."""
    return field.data or ""


def add_error(field: Field, message: str) -> None:
    """Show one more message at the field."""
    field.errors = [*field.errors, message]


def lines(value: object) -> str:
    """A textarea's text with LF line ends: browsers send CRLF, and saving an unchanged text
    must not look like a change (nor make a new disclaimer version)."""
    if not isinstance(value, str):
        return ""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def at_most(limit: int) -> Callable[[Any, Field], None]:
    """A validator: at most `limit` characters (said only when nothing else is wrong)."""

    def check(form: Any, field: Field) -> None:
        if not field.errors and len(field.data or "") > limit:
            raise ValidationError(_("Please use at most %(n)s characters.", n=limit))

    return check


def line_field(label: Any, most: int, *validators: Any, **options: Any) -> Any:
    """A one-line text of at most `most` characters. Twice as much is read, so that a longer
    text is refused as too long rather than silently cut."""
    return StringField(
        label, filters=[one_line(2 * most)], validators=[*validators, at_most(most)], **options
    )


def text_field(label: Any, most: int, **options: Any) -> Any:
    """A text of several lines, of at most `most` characters."""
    return TextAreaField(label, filters=[lines], validators=[at_most(most)], **options)


def whole_number_between(lowest: int, highest: int) -> Callable[[Any, Field], None]:
    """A validator for a `WholeNumberField`: a number from `lowest` to `highest`, and this
    form's one message for anything else (empty, unreadable or out of range)."""

    def check(form: Any, field: Field) -> None:
        if field.errors or field.data is None or not lowest <= field.data <= highest:
            field.errors = []
            raise StopValidation(
                _("Please give a whole number from %(low)s to %(high)s.", low=lowest, high=highest)
            )

    return check


UNREADABLE_PRICE = _l("Type the price in euros with at most two decimals, like 12,50 or 12.50.")


class PriceField(EuroField):
    """The product's price in euros; shown with a decimal comma in both languages, as the
    form always has, and refused in the product form's own words."""

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else f"{self.data // 100},{self.data % 100:02d}"

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(UNREADABLE_PRICE) from None

    def pre_validate(self, form: Any) -> None:
        if self.errors:
            return
        if self.data is None:
            raise ValidationError(_("Please give the price in euros, like 12,50."))
        if self.data > MAX_PRICE_CENTS:
            raise ValidationError(UNREADABLE_PRICE)
        if self.data == 0:
            raise ValidationError(
                _("A price of at least €0,01 is needed: nothing is sold for free.")
            )


# --- the disclaimers: a list of rows ------------------------------------------------------


class DisclaimerRowForm(Form):
    """One disclaimer: its kind and its text in English and in Dutch."""

    class Meta(FieldIds):
        pass

    kind = SelectField(_l("Kind"), choices=kind_choices, validate_choice=False)
    text_en = TextAreaField(_l("Text (English)"), filters=[lines])
    text_nl = TextAreaField(_l("Text (Dutch)"), filters=[lines])

    @property
    def is_blank(self) -> bool:
        return not (text(self.text_en).strip() or text(self.text_nl).strip())

    def problem(self) -> str | None:
        """What is wrong with the row, if anything (one thing: the row has one message)."""
        if self.kind.data not in set(DisclaimerKind):
            return _("Please choose a kind for this disclaimer.")
        if not (text(self.text_en).strip() and text(self.text_nl).strip()):
            return _("Write this disclaimer in English and in Dutch, or empty both to remove it.")
        if max(len(text(self.text_en)), len(text(self.text_nl))) > MAX_WARNING_LENGTH:
            return _("Please use at most %(n)s characters.", n=MAX_WARNING_LENGTH)
        return None


class DisclaimerList(FieldList):
    """The product's disclaimers, then a few blank rows to add more. An emptied row is
    removed (the others keep their order and are numbered again); `row_errors` holds each
    row's message by its place, `errors` what concerns the list."""

    def __init__(self, label: Any = None, **options: Any) -> None:
        super().__init__(
            FormField(DisclaimerRowForm),
            label,
            max_entries=MAX_DISCLAIMERS + BLANK_DISCLAIMER_ROWS,
            **options,
        )
        self.written = 0
        self.row_errors: dict[int, str] = {}

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        super().process(formdata, data, extra_filters)
        # Numbered again from 0, so the page shows (and sends) the rows without gaps.
        written = [entry.data for entry in self.entries if not entry.form.is_blank]
        self.entries, self.last_index = [], -1
        for row in written:
            self.append_entry(row)
        self.written = len(written)
        room = max(0, MAX_DISCLAIMERS - self.written)
        for _blank in range(min(BLANK_DISCLAIMER_ROWS, room)):
            self.append_entry({"kind": DisclaimerKind.HEALTH.value})

    @property
    def rows(self) -> list[Any]:
        """The rows staff wrote (the blank ones left out)."""
        return [entry.form for entry in self.entries[: self.written]]

    def validate(self, form: Any, extra_validators: Any = ()) -> bool:
        self.errors = []
        self.row_errors = {}
        for index, row in enumerate(self.rows):
            problem = row.problem()
            if problem is not None:
                self.row_errors[index] = problem
        if self.written > MAX_DISCLAIMERS:
            add_error(self, _("At most %(n)s disclaimers.", n=MAX_DISCLAIMERS))
        return not (self.errors or self.row_errors)

    def drafts(self) -> list[DisclaimerDraft]:
        return [
            DisclaimerDraft(row.kind.data, text(row.text_en), text(row.text_nl))
            for row in self.rows
        ]


# --- the allergens: one choice each -------------------------------------------------------


class AllergenForm(Form):
    """Each allergen of the fixed list (EU Regulation 1169/2011 Annex II, and fungi): not in
    the product, contained, or maybe in traces."""

    class Meta(FieldIds):
        pass


for _code in ALLERGENS:
    setattr(
        AllergenForm,
        _code,
        SelectField(
            ALLERGEN_LABELS[_code], choices=presence_choices, validate_choice=False, default=""
        ),
    )
del _code


class AllergenChoices(FormField):
    """The allergen list as one field of the product form: its messages concern the whole
    list (`errors`), and `marked` is what staff chose for each allergen named."""

    def __init__(self, label: Any = None, **options: Any) -> None:
        super().__init__(AllergenForm, label, **options)
        self.list_errors: list[str] = []

    @property
    def errors(self) -> list[str]:  # type: ignore[override]
        return self.list_errors

    def validate(self, form: Any, extra_validators: Any = ()) -> bool:
        # The list is checked with the allergy statement it belongs to (`ProductForm`).
        self.list_errors = []
        return True

    @property
    def marked(self) -> dict[str, str]:
        return {code: presence for code, presence in self.data.items() if presence}


# Where the service's refusals about a draft's attribute belong on the form.
SERVICE_FIELDS = {"price_cents": "price", "allergy": "allergy_mode"}


# --- the product form -----------------------------------------------------------------------


class ProductForm(ShopForm):
    """A product as staff type it, and what is wrong with it, field by field."""

    class Meta(FieldIds):
        pass

    name_en = line_field(_l("Name (English)"), MAX_NAME_LENGTH)
    name_nl = line_field(_l("Name (Dutch)"), MAX_NAME_LENGTH)
    slug = StringField(_l("Slug"), filters=[one_line(2 * MAX_SLUG_LENGTH), str.lower])
    category_id = SelectField(_l("Category"), filters=[one_line(20)], validate_choice=False)
    summary_en = line_field(_l("Summary (English)"), MAX_SUMMARY_LENGTH)
    summary_nl = line_field(_l("Summary (Dutch)"), MAX_SUMMARY_LENGTH)
    description_md_en = text_field(_l("Description (English)"), MAX_DESCRIPTION_LENGTH)
    description_md_nl = text_field(_l("Description (Dutch)"), MAX_DESCRIPTION_LENGTH)
    price = PriceField(_l("Price in euros"))
    stock = WholeNumberField(_l("Stock"), validators=[whole_number_between(0, MAX_STOCK)])
    min_age = WholeNumberField(_l("Minimum age"))
    vat_rate = SelectField(
        _l("VAT rate (BTW)"),
        choices=vat_rate_choices,
        filters=[one_line(20)],
        validate_choice=False,
    )
    kind = SelectField(
        _l("Kind (what the customer gets; customers filter by it)"),
        choices=product_kind_choices,
        filters=[one_line(20)],
        validate_choice=False,
    )
    is_featured = BooleanField(_l("Featured on the home page"), render_kw={"value": "yes"})
    requires_id_check_at_delivery = BooleanField(
        _l("ID check at delivery (the carrier checks the age at the door)"),
        render_kw={"value": "yes"},
    )
    needs_verified_age = BooleanField(
        _l("Needs a verified age (the customer's bank or eID confirms the age above)"),
        render_kw={"value": "yes"},
    )
    disclaimers = DisclaimerList(_l("Disclaimers"))
    allergy_mode = RadioField(_l("Allergens"), choices=allergy_mode_choices, validate_choice=False)
    allergen = AllergenChoices(
        _l("Allergens in this product (EU Regulation 1169/2011 Annex II, and fungi)")
    )
    allergy_warning_en = TextAreaField(_l("Allergy warning (English)"), filters=[lines, str.strip])
    allergy_warning_nl = TextAreaField(_l("Allergy warning (Dutch)"), filters=[lines, str.strip])
    is_withdrawal_excluded = BooleanField(
        _l("Excluded from the right of withdrawal"), render_kw={"value": "yes"}
    )
    withdrawal_reason_en = line_field(_l("Why it cannot be returned (English)"), MAX_NAME_LENGTH)
    withdrawal_reason_nl = line_field(_l("Why it cannot be returned (Dutch)"), MAX_NAME_LENGTH)
    publish = BooleanField(_l("In the shop (published)"), render_kw={"value": "yes"})
    version = HiddenField(filters=[one_line(64)])

    def __init__(self, *args: Any, lowest_age: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lowest_age = lowest_age

    @classmethod
    def sent(cls, formdata: Mapping[str, Any], *, lowest_age: int) -> ProductForm:
        """The form as the browser sent it."""
        return cls(formdata=formdata, lowest_age=lowest_age)

    @classmethod
    def blank(cls, *, lowest_age: int) -> ProductForm:
        """The form for a new product."""
        data = {
            "stock": 0,
            "min_age": lowest_age,
            "vat_rate": VatRate.STANDARD.value,
            "kind": ProductKind.OTHER.value,
            "allergy_mode": AllergyMode.UNSTATED.value,
        }
        return cls(formdata=None, lowest_age=lowest_age, data=data)

    @classmethod
    def of(cls, product: Product, *, lowest_age: int) -> ProductForm:
        """The form showing a product as it is stored."""
        statement = product.allergy_statement
        if statement is None:
            mode = AllergyMode.UNSTATED
        elif statement.has_no_known_allergens:
            mode = AllergyMode.NONE_KNOWN
        else:
            mode = AllergyMode.LISTED
        data = {
            "name_en": product.name_en,
            "name_nl": product.name_nl,
            "slug": product.slug,
            "category_id": str(product.category_id),
            "summary_en": product.summary_en,
            "summary_nl": product.summary_nl,
            "description_md_en": product.description_md_en,
            "description_md_nl": product.description_md_nl,
            "price": product.price_cents,
            "stock": product.stock,
            "min_age": product.min_age,
            "vat_rate": str(product.vat_rate),
            "kind": str(product.kind),
            "requires_id_check_at_delivery": product.requires_id_check_at_delivery,
            "needs_verified_age": product.needs_verified_age,
            "is_featured": product.is_featured,
            "is_withdrawal_excluded": product.is_withdrawal_excluded,
            "withdrawal_reason_en": product.withdrawal_reason_en,
            "withdrawal_reason_nl": product.withdrawal_reason_nl,
            "publish": product.is_active,
            "disclaimers": [
                {"kind": str(d.kind), "text_en": d.text_en, "text_nl": d.text_nl}
                for d in product.disclaimers
            ],
            "allergy_mode": mode.value,
            "allergen": {}
            if statement is None
            else {entry.allergen: str(entry.presence) for entry in statement.entries},
            "allergy_warning_en": "" if statement is None else statement.warning_en,
            "allergy_warning_nl": "" if statement is None else statement.warning_nl,
            "version": version_of(product),
        }
        return cls(formdata=None, lowest_age=lowest_age, data=data)

    # --- checks beyond one field's own ---

    def validate_name_en(self, field: Field) -> None:
        if not field.data:
            raise ValidationError(_("Please give the product a name."))

    def validate_slug(self, field: Field) -> None:
        if not field.data and self.name_en.data:
            field.data = slug_from(self.name_en.data, MAX_SLUG_LENGTH)
        if not field.data:
            raise ValidationError(_("Please give a slug: lower-case letters, digits and hyphens."))
        if not is_slug(field.data):
            raise ValidationError(
                _(
                    "Use only lower-case letters, digits and single hyphens, "
                    "like golden-teacher-15g."
                )
            )
        at_most(MAX_SLUG_LENGTH)(self, field)

    def validate_category_id(self, field: Field) -> None:
        if not (field.data.isascii() and field.data.isdigit() and len(field.data) <= 7):
            raise ValidationError(_("Please choose a category."))

    def validate_min_age(self, field: Field) -> None:
        whole_number_between(self.lowest_age, MAX_AGE)(self, field)

    def validate_withdrawal_reason_en(self, field: Field) -> None:
        self._reason_given(field, _("English"))

    def validate_withdrawal_reason_nl(self, field: Field) -> None:
        self._reason_given(field, _("Dutch"))

    def _reason_given(self, field: Field, language: str) -> None:
        if self.is_withdrawal_excluded.data and not text(field).strip():
            raise ValidationError(
                _(
                    "Please say in %(language)s why it cannot be returned, like “Fresh "
                    "truffles spoil quickly.”",
                    language=language,
                )
            )

    def validate_vat_rate(self, field: Field) -> None:
        if field.data not in set(VatRate):
            raise ValidationError(_("Please choose one of the VAT rates: 0%, 9%, 21%."))

    def validate_kind(self, field: Field) -> None:
        if field.data not in set(ProductKind):
            raise ValidationError(_("Please choose one of the kinds in the list."))

    def validate(self, extra_validators: Any = None) -> bool:
        fields_are_valid = super().validate(extra_validators)
        self._check_allergy()
        return fields_are_valid and not self.allergen.errors and not self.allergy_mode.errors

    def _check_allergy(self) -> None:
        marked = self.allergen.marked
        allergens = self.allergen.errors
        if any(presence not in set(AllergenPresence) for presence in marked.values()):
            allergens.append(_("Please choose “contains” or “may contain traces”."))
        if self.allergy_mode.data not in set(AllergyMode):
            add_error(self.allergy_mode, _("Please choose one of the three options."))
            return
        warnings = (self.allergy_warning_en, self.allergy_warning_nl)
        for warning in warnings:
            if len(text(warning)) > MAX_WARNING_LENGTH:
                add_error(warning, _("Please use at most %(n)s characters.", n=MAX_WARNING_LENGTH))
        if self.allergy_mode.data != AllergyMode.LISTED:
            if marked:
                add_error(
                    self.allergy_mode,
                    _(
                        "You marked allergens below: choose “Contains or may contain the "
                        "allergens marked below”, or set them back to “not in it”."
                    ),
                )
            return
        if not marked:
            allergens.insert(0, _("Mark at least one allergen, or choose “No known allergens”."))
        for warning, language in zip(warnings, (_("English"), _("Dutch")), strict=True):
            if not text(warning) and not warning.errors:
                add_error(
                    warning,
                    _(
                        "Please write the allergy warning in %(language)s, like “Do not use if "
                        "you are allergic to mushrooms.”",
                        language=language,
                    ),
                )

    # --- what the page and the service need ---

    def draft(self) -> ProductDraft:
        """The product as the service takes it (once `validate` said yes)."""
        return ProductDraft(
            slug=text(self.slug),
            category_id=int(text(self.category_id)),
            name_en=text(self.name_en),
            name_nl=text(self.name_nl),
            summary_en=text(self.summary_en),
            summary_nl=text(self.summary_nl),
            description_md_en=text(self.description_md_en),
            description_md_nl=text(self.description_md_nl),
            price_cents=self.price.data,
            stock=self.stock.data,
            min_age=self.min_age.data,
            vat_rate=VatRate(text(self.vat_rate)),
            kind=ProductKind(text(self.kind)),
            requires_id_check_at_delivery=self.requires_id_check_at_delivery.data,
            needs_verified_age=self.needs_verified_age.data,
            is_featured=self.is_featured.data,
            disclaimers=self.disclaimers.drafts(),
            allergy=self._allergy(),
            is_withdrawal_excluded=self.is_withdrawal_excluded.data,
            withdrawal_reason_en=text(self.withdrawal_reason_en),
            withdrawal_reason_nl=text(self.withdrawal_reason_nl),
        )

    def _allergy(self) -> AllergyDraft | None:
        if self.allergy_mode.data == AllergyMode.UNSTATED:
            return None
        return AllergyDraft(
            has_no_known_allergens=self.allergy_mode.data == AllergyMode.NONE_KNOWN,
            allergens=list(self.allergen.marked.items()),
            warning_en=text(self.allergy_warning_en),
            warning_nl=text(self.allergy_warning_nl),
        )

    def show_refusal(self, draft_field: str, message: str) -> None:
        """Show a refusal of the service next to the field it is about."""
        add_error(self[SERVICE_FIELDS.get(draft_field, draft_field)], message)

    def problems(self) -> list[tuple[str, str]]:
        """(id of the control to go to, message) of every error, in the page's order."""
        found: list[tuple[str, str]] = []
        rows = self.disclaimers.entries
        for field in self:
            if field is self.disclaimers:
                found += [(rows[i].form.text_en.id, m) for i, m in field.row_errors.items()]
                found += [(rows[0].form.text_en.id, message) for message in field.errors[:1]]
            elif field is self.allergy_mode:
                anchor = f"{field.id}-{AllergyMode.UNSTATED.value}"
                found += [(anchor, message) for message in field.errors[:1]]
            elif field is self.allergen:
                anchor = self.allergen.form[ALLERGENS[0]].id
                found += [(anchor, message) for message in field.errors[:1]]
            elif field.errors:
                found.append((field.id, field.errors[0]))
        return found


# --- the picture form -----------------------------------------------------------------------


class PictureForm(ShopForm):
    """A picture to add to a product, and its alt text in both languages."""

    class Meta(FieldIds):
        pass

    image = FileField(_l("Picture"))
    alt_en = line_field(_l("Alt text (English)"), MAX_ALT_LENGTH)
    alt_nl = line_field(_l("Alt text (Dutch)"), MAX_ALT_LENGTH)

    def validate_image(self, field: Field) -> None:
        if field.data is None:
            raise ValidationError(_("Please choose a picture to upload."))


class NewPicturesForm(ShopForm):
    """Pictures sent with a new product's form, with one alt text for them all."""

    class Meta(FieldIds):
        pass

    pictures = MultipleFileField(_l("Pictures"))
    pictures_alt_en = line_field(_l("Alt text (English)"), MAX_ALT_LENGTH)
    pictures_alt_nl = line_field(_l("Alt text (Dutch)"), MAX_ALT_LENGTH)

    def files(self) -> list[Any]:
        """The files chosen (a browser sends one empty part when none is)."""
        return [f for f in self.pictures.data or [] if getattr(f, "filename", "")]


class RelatedForm(ShopForm):
    """The products shown first on this product's page, as slugs (services.related)."""

    slugs = TextAreaField(_l("Related products"), filters=[lines], validators=[at_most(2000)])
