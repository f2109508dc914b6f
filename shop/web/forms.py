"""The shop's WTForms base and the fields it needs beyond WTForms' own: amounts in euros,
one-line text, e-mail addresses. Every form of the shop is a `ShopForm`; templates render
its fields with the macros of `templates/_fields.html` (label, hint, error, `aria-invalid`
and `aria-describedby`, the same way on every page).

CSRF: the shop checks the token itself, for every POST, after the age gate
(`shop.web.csrf`); the forms therefore do not check it again, but templates still send the
token (`{{ csrf_token() }}`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from babel.numbers import get_decimal_symbol
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import Field, StringField, ValidationError
from wtforms.validators import StopValidation
from wtforms.widgets import CheckboxInput, Select, TextInput

from shop.rules.input import Unreadable, email_address, parse_euros, single_line


class ShopForm(FlaskForm):
    """A form of the shop (see the module's docstring on CSRF)."""

    class Meta:
        csrf = False

    def first_error(self, name: str) -> str | None:
        """The message to show at field `name`, if any."""
        field = self._fields.get(name)
        errors = getattr(field, "errors", None) or []
        return str(errors[0]) if errors else None


# --- widgets: WTForms' own HTML, for less work ---------------------------------------------------


def html_attributes(**attributes: Any) -> Markup:
    """WTForms' `html_params`, the same attributes in the same order, built as plain text:
    its `Markup.format` per attribute cost most of a page's form (checkout renders ~40)."""
    params = []
    for key, value in sorted(attributes.items()):
        name = key.rstrip("_")
        if name.startswith(("data_", "aria_")):
            name = name.replace("_", "-")
        if value is True:
            params.append(name)
        elif value is not False:
            params.append(f'{name}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(params))


class LineInput(TextInput):
    """`<input type="text">` as WTForms writes it (`html_attributes`)."""

    html_params = staticmethod(html_attributes)


class TickBox(CheckboxInput):
    """`<input type="checkbox">` as WTForms writes it (`html_attributes`)."""

    html_params = staticmethod(html_attributes)


@functools.lru_cache(maxsize=64)
def _options(choices: tuple[tuple[str, str], ...], selected: str | None) -> str:
    return "".join(
        f"<option {html_attributes(value=value, selected=value == selected)}>"
        f"{escape(label or value)}</option>"
        for value, label in choices
    )


class KeptOptionsSelect(Select):
    """A `<select>` of plain string choices as WTForms writes it, its options' HTML kept per
    (choices, chosen value): a fixed list (the countries) is the same on every page."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for key in dir(flags):
            if key in self.validation_attrs and key not in kwargs:
                kwargs[key] = getattr(flags, key)
        choices: Iterable[Any] = field.choices or ()
        options = _options(tuple((c.value, c.label) for c in choices), field.data)
        return Markup(f"<select {html_attributes(name=field.name, **kwargs)}>{options}</select>")


def one_line(limit: int) -> Any:
    """A WTForms filter: the value as one line of at most `limit` characters."""

    def keep_one_line(value: object) -> str:
        return single_line(value, limit)

    return keep_one_line


def euros_text(cents: int | None) -> str:
    """Cents as an amount to type back in: "12,50" in Dutch, "12.50" in English."""
    if cents is None:
        return ""
    symbol = get_decimal_symbol(str(get_locale()))
    return f"{cents // 100}{symbol}{cents % 100:02d}"


class EuroField(Field):
    """An amount typed in euros ("12,50", "12.50", "€ 12"); `data` is in cents."""

    widget = TextInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {}).setdefault("inputmode", "decimal")
        super().__init__(*args, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return euros_text(self.data)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = parse_euros(valuelist[0][:40])
        except Unreadable:
            self.data = None
            raise ValueError(_l("Type the amount in euros, like 12,50 or 12.50.")) from None


class EmailField(StringField):
    """An e-mail address, checked (form only, no lookup) and kept as `email_address` says."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if self.data:
            self.data = self.data.strip()

    def pre_validate(self, form: Any) -> None:
        if not self.data:
            return
        try:
            self.data = email_address(self.data)
        except Unreadable:
            raise ValidationError(_l("Type an e-mail address like name@example.nl.")) from None


# --- promo codes, the cart and checkout ----------------------------------------------------------


def reworded(message: Any) -> Any:
    """A WTForms validator: the page's own words for a value the field could not read (or
    found malformed), instead of the field's general ones."""

    def reword(form: Any, field: Field) -> None:
        if field.errors:
            field.errors = []
            raise StopValidation(message)

    return reword


def at_most(limit: int) -> Any:
    """A WTForms validator: at most `limit` characters."""

    def check(form: Any, field: Field) -> None:
        if field.data and len(field.data) > limit:
            raise ValidationError(_("Please use at most %(n)s characters.", n=limit))

    return check


class WholeNumberField(Field):
    """A count typed in ASCII digits ("12"; no signs, spaces inside or other scripts' digits);
    `data` is an int, None when left empty."""

    widget = TextInput()
    MAX_DIGITS = 10

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {}).setdefault("inputmode", "numeric")
        super().__init__(*args, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist: list[Any]) -> None:
        typed = valuelist[0].strip() if valuelist else ""
        self.data = None
        if not typed:
            return
        if not (typed.isascii() and typed.isdigit()) or len(typed) > self.MAX_DIGITS:
            raise ValueError(_l("Type a whole number, like 12."))
        self.data = int(typed)
