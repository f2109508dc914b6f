"""Shipping methods: staff list them, and managers create and edit them with their prices per
zone. There is no delete: a method orders were shipped with is switched off instead (orders
keep their own copy of its name and price either way).

Everyone signed in may read; managers and owners save. The service
(`services.shipping.save_shipping_method`) writes the method, its prices and the audit
entry in one transaction.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response
from wtforms import BooleanField, Field, StringField, ValidationError

from shop import clock
from shop.extensions import db
from shop.models import ShippingMethod
from shop.rules.shipping import Zone
from shop.services.shipping import (
    MethodFields,
    ShippingMethodNotFound,
    all_methods,
    save_shipping_method,
)
from shop.web.admin import Access, bp, can, current_staff, read_only_view, requires, section
from shop.web.forms import EuroField, ShopForm, one_line
from shop.web.wording import zone_labels

section("admin.shipping_methods", _l("Shipping"), Access.VIEW)

MAX_NAME = 100
# A parcel costing more than this is a typo (€ 1 000,00).
MAX_SHIPPING_CENTS = 100_000
MAX_POSITION = 999


def _zone_price(label: Any, zone: Zone) -> EuroField:
    return EuroField(label, id=f"f-price_{zone.value}")


class ShippingMethodForm(ShopForm):
    """A method and its price per zone as staff typed them; an empty price: not shipped."""

    name_en = StringField(_l("Name (English)"), id="f-name_en", filters=[one_line(MAX_NAME + 1)])
    name_nl = StringField(_l("Name (Dutch)"), id="f-name_nl", filters=[one_line(MAX_NAME + 1)])
    carrier = StringField(_l("Carrier"), id="f-carrier", filters=[one_line(MAX_NAME + 1)])
    includes_age_check = BooleanField(
        _l("The carrier checks the recipient's age on delivery"), id="f-includes_age_check"
    )
    is_active = BooleanField(_l("Offered at checkout"), id="f-is_active")
    position = StringField(_l("Position in the list"), id="f-position", filters=[one_line(8)])
    price_nl = _zone_price(_l("Price to the Netherlands"), Zone.NL)
    price_be = _zone_price(_l("Price to Belgium"), Zone.BE)
    price_de = _zone_price(_l("Price to Germany"), Zone.DE)
    price_eu = _zone_price(_l("Price to the rest of the EU"), Zone.EU)

    def _name(self, field: Field) -> None:
        if not field.data:
            raise ValidationError(_("Please give the name in both languages."))
        if len(field.data) > MAX_NAME:
            raise ValidationError(_("At most %(n)s characters, please.", n=MAX_NAME))

    validate_name_en = _name
    validate_name_nl = _name

    def validate_carrier(self, field: Field) -> None:
        if len(field.data or "") > MAX_NAME:
            raise ValidationError(_("At most %(n)s characters, please.", n=MAX_NAME))

    def validate_position(self, field: Field) -> None:
        data = field.data or "0"
        if not (data.isascii() and data.isdigit() and int(data) <= MAX_POSITION):
            raise ValidationError(
                _("Please give a whole number from %(low)s to %(high)s.", low=0, high=MAX_POSITION)
            )

    def _price(self, field: Field) -> None:
        if field.data is not None and field.data > MAX_SHIPPING_CENTS:
            raise ValidationError(
                _("Please give a price of at most %(amount)s.", amount="€ 1000,00")
            )

    validate_price_nl = _price
    validate_price_be = _price
    validate_price_de = _price
    validate_price_eu = _price

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if valid and all(self[f"price_{zone.value}"].data is None for zone in Zone):
            self.price_nl.errors = [_("Please give a price for at least one zone.")]
            return False
        return valid

    @classmethod
    def of(cls, method: ShippingMethod) -> ShippingMethodForm:
        """The form showing the method as it is saved."""
        data: dict[str, Any] = {
            "name_en": method.name_en,
            "name_nl": method.name_nl,
            "carrier": method.carrier,
            "includes_age_check": method.includes_age_check,
            "is_active": method.is_active,
            "position": str(method.position),
        }
        for zone in Zone:
            data[f"price_{zone.value}"] = method.price_for(zone)
        return cls(formdata=None, data=data)

    def to_fields(self) -> MethodFields:
        prices = {
            zone: price for zone in Zone if (price := self[f"price_{zone.value}"].data) is not None
        }
        return MethodFields(
            name_en=self.name_en.data or "",
            name_nl=self.name_nl.data or "",
            carrier=self.carrier.data or "",
            includes_age_check=bool(self.includes_age_check.data),
            is_active=bool(self.is_active.data),
            position=int(self.position.data or 0),
            prices_cents=prices,
        )


def _render_form(
    method: ShippingMethod | None, form: ShippingMethodForm, *, status: int = 200
) -> tuple[str, int]:
    html = render_template(
        "admin/shipping/form.html",
        method=method,
        form=form,
        can_manage=can(Access.MANAGE),
        zones=list(Zone),
    )
    return html, status


def _method_or_404(method_id: int) -> ShippingMethod:
    method = db.session.get(ShippingMethod, method_id)
    if method is None:
        abort(404)
    return method


@bp.get("/shipping")
@requires(Access.VIEW)
def shipping_methods() -> str:
    """List the shipping methods with their price per zone."""
    return render_template(
        "admin/shipping/list.html",
        methods=all_methods(db.session()),
        zone_labels=zone_labels(),
    )


@bp.get("/shipping/new")
@requires(Access.MANAGE)
def shipping_method_new() -> tuple[str, int]:
    """Show an empty shipping method form."""
    return _render_form(None, ShippingMethodForm(formdata=None, data={"is_active": True}))


@bp.post("/shipping/new")
@requires(Access.MANAGE)
def shipping_method_create() -> Response | tuple[str, int]:
    """Create the shipping method."""
    return _save(None)


@bp.get("/shipping/<int:method_id>")
@requires(Access.VIEW)
@read_only_view
def shipping_method(method_id: int) -> tuple[str, int]:
    """Show the shipping method's form."""
    method = _method_or_404(method_id)
    return _render_form(method, ShippingMethodForm.of(method))


@bp.post("/shipping/<int:method_id>")
@requires(Access.MANAGE)
def shipping_method_save(method_id: int) -> Response | tuple[str, int]:
    """Save the shipping method's changes."""
    return _save(method_id)


def _save(method_id: int | None) -> Response | tuple[str, int]:
    method = _method_or_404(method_id) if method_id is not None else None
    form = ShippingMethodForm()
    if not form.validate():
        return _render_form(method, form, status=422)
    try:
        saved = save_shipping_method(
            db.session(),
            form.to_fields(),
            actor=current_staff(),
            now=clock.now(),
            method_id=method_id,
        )
    except ShippingMethodNotFound:
        abort(404)
    flash(_("Saved. The checkout offers it as shown.") if saved.changed else _("Nothing changed."))
    return redirect(url_for("admin.shipping_method", method_id=saved.method.id), code=303)
