"""The checkout page: contact and delivery address, date of birth, the promo code, and every
warning of every product in the cart in full, acknowledged with one box. POST places the
order through `services.orders.placing.place_order` and leads to the order's page.

The form is a `ShopForm` (`CheckoutForm`): each message sits next to its own field, and the
summary above lists them in the page's order. The date of birth is one value typed into three
boxes and judged by `rules.age.parse_birth_date` (its message sits with the day); the
postcode rule depends on the country. What the order refuses (`CheckoutRefused`,
`PromoNotApplicable`) is worded by `web.wording`. Everything is enforced on the server; the
browser's `required` attributes are only a convenience.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import Any

from babel import Locale
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask import request as http_request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response
from wtforms import BooleanField, Field, SelectField, StringField, ValidationError

# WTForms 3.3 wants choices as SelectChoice; its type stubs (3.2) do not know it yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired

from shop import clock
from shop.extensions import db, limiter
from shop.rules.age import BirthDateProblem, InvalidBirthDate, age_on, local_today, parse_birth_date
from shop.rules.promotions import Kind, PromoNotApplicable
from shop.rules.shipping import EU_COUNTRIES, zone_for_country
from shop.services.age_verification import OidcSettings
from shop.services.cart import Cart, CartView
from shop.services.orders.placing import (
    CheckoutRefusal,
    CheckoutRefused,
    CheckoutRequest,
    Customer,
    ShopPolicy,
    needs_verified_age,
    place_order,
    warnings_digest,
)
from shop.services.promotions import MAX_CODE_LENGTH, UnknownCode
from shop.services.shipping import ShippingRefused, active_methods, offer, preselected
from shop.web.age_verdicts import provider_verified_age
from shop.web.errors import too_many_attempts_page
from shop.web.forms import (
    EmailField,
    KeptOptionsSelect,
    LineInput,
    ShopForm,
    TickBox,
    at_most,
    one_line,
    reworded,
)
from shop.web.visitor import clear_cart, current_cart, priced_cart, refuse_age, visitor_key
from shop.web.wording import refusal_text, zone_labels

bp = Blueprint("checkout", __name__)

# A form that fails on purpose (or a script trying codes through checkout) gets this many
# tries a minute; a person correcting a typo never notices.
CHECKOUT_ATTEMPTS = "20 per minute"
# And per client address, so a script dropping its cookie gets no fresh count: three
# visitors' worth a minute for a household or office behind one address (NAT).
CHECKOUT_ATTEMPTS_PER_ADDRESS = "60 per minute;300 per hour"

DEFAULT_COUNTRY = "NL"

# The order's columns bound these; a name longer than that is not a name.
MAX_NAME, MAX_STREET, MAX_CITY = 200, 200, 100
# What is read of a typed line at all (the checks above then say "too long").
MAX_TYPED = 300

DUTCH_POSTCODE = re.compile(r"([1-9][0-9]{3})([A-Z]{2})")
# PostNL never issues these letter pairs (for their wartime connotations).
UNISSUED_DUTCH_LETTERS = frozenset({"SA", "SD", "SS"})
OTHER_POSTCODE = re.compile(r"[A-Z0-9](?:[A-Z0-9 -]*[A-Z0-9])?")
MAX_OTHER_POSTCODE = 10


def typed_line(label: Any, field_id: str, missing: Any, limit: int) -> StringField:
    """A line the customer must fill in, of at most `limit` characters."""
    return StringField(
        label,
        id=field_id,
        widget=LineInput(),
        filters=[one_line(MAX_TYPED)],
        validators=[DataRequired(missing), at_most(limit)],
    )


def _upper(value: Any) -> str:
    return value.upper() if isinstance(value, str) else ""


class CheckoutForm(ShopForm):
    """What the customer typed, the values as the order will keep them, and what is wrong.

    The fields are declared in the page's order, which is the order of the error summary.
    """

    email = EmailField(
        _l("E-mail address"),
        id="f-email",
        widget=LineInput(),
        filters=[one_line(MAX_TYPED)],
        validators=[
            DataRequired(_l("Please enter your e-mail address.")),
            reworded(_l("Please enter a valid e-mail address, like name@example.com.")),
        ],
    )
    name = typed_line(_l("Full name"), "f-name", _l("Please enter your name."), MAX_NAME)
    street = typed_line(
        _l("Street and house number"),
        "f-street",
        _l("Please enter your street and house number."),
        MAX_STREET,
    )
    postcode = StringField(
        _l("Postcode"), id="f-postcode", widget=LineInput(), filters=[one_line(MAX_TYPED)]
    )
    city = typed_line(_l("Town or city"), "f-city", _l("Please enter your town or city."), MAX_CITY)
    country = SelectField(
        _l("Country"),
        id="f-country",
        default=DEFAULT_COUNTRY,
        widget=KeptOptionsSelect(),
        validate_choice=False,  # checked below, in the page's words
        filters=[one_line(8), _upper],
    )
    day = StringField(_l("Day"), id="f-day", widget=LineInput(), filters=[one_line(8)])
    month = StringField(_l("Month"), id="f-month", widget=LineInput(), filters=[one_line(8)])
    year = StringField(_l("Year"), id="f-year", widget=LineInput(), filters=[one_line(8)])
    # The method's id; absent: the cheapest that ships to the country (see place_order).
    shipping_method = StringField(_l("Shipping"), filters=[one_line(12)])
    code = StringField(
        _l("Promo code (optional)"), id="f-code", widget=LineInput(), filters=[one_line(100)]
    )
    acknowledged = BooleanField(
        _l(
            "I have read the warnings and allergy information above for every product in my "
            "order, and I accept them."
        ),
        id="f-acknowledged",
        widget=TickBox(),
    )
    # Absent is not "no check": an empty digest never matches, so the order is refused.
    warnings_digest = StringField(filters=[one_line(128)])

    birth_date: date | None = None

    def validate_country(self, field: Field) -> None:
        if field.data not in EU_COUNTRIES:
            raise ValidationError(_("Please choose a country from the list."))

    def validate_postcode(self, field: Field) -> None:
        """Check the postcode by the country's rule and keep it in its usual form."""
        if self.country.data not in EU_COUNTRIES:
            return  # the country is told; a postcode cannot be judged without one
        if not field.data:
            raise ValidationError(_("Please enter your postcode."))
        if self.country.data == "NL":
            found = DUTCH_POSTCODE.fullmatch("".join(field.data.split()).upper())
            if found is None or found.group(2) in UNISSUED_DUTCH_LETTERS:
                raise ValidationError(_("Please enter a Dutch postcode like 1234 AB."))
            field.data = f"{found.group(1)} {found.group(2)}"
            return
        postcode = field.data.upper()
        if len(postcode) > MAX_OTHER_POSTCODE or not OTHER_POSTCODE.fullmatch(postcode):
            raise ValidationError(
                _(
                    "Please enter a postcode of at most %(n)s letters and digits.",
                    n=MAX_OTHER_POSTCODE,
                )
            )
        field.data = postcode

    def validate_shipping_method(self, field: Field) -> None:
        if field.data and not (field.data.isascii() and field.data.isdigit()):
            raise ValidationError(_("Please choose a shipping method from the list."))

    @property
    def shipping_method_id(self) -> int | None:
        data = self.shipping_method.data
        return int(data) if data and data.isascii() and data.isdigit() else None

    def validate_code(self, field: Field) -> None:
        if len(field.data) > MAX_CODE_LENGTH:
            raise ValidationError(refusal_text(UnknownCode()))

    def validate_acknowledged(self, field: Field) -> None:
        if not field.data:
            raise ValidationError(refusal_text(CheckoutRefused(CheckoutRefusal.NOT_ACKNOWLEDGED)))

    def validate_on(self, today: date, *, birth_date_asked: bool = True) -> bool:
        """Check every field, the date of birth (when asked) on `today`; True when the order
        may be tried."""
        valid = self.validate()
        if not birth_date_asked:
            return valid
        try:
            self.birth_date = parse_birth_date(
                self.day.data or "", self.month.data or "", self.year.data or "", today
            )
        except InvalidBirthDate as invalid:
            message = refusal_text(invalid)
            self.day.errors = [str(message)]
            return False
        return valid

    @property
    def valid_email(self) -> str | None:
        return self.email.data if self.email.data and not self.email.errors else None

    def customer(self) -> Customer:
        return Customer(
            email=self.email.data or "",
            name=self.name.data or "",
            street=self.street.data or "",
            postcode=self.postcode.data or "",
            city=self.city.data or "",
            country=self.country.data or "",
        )


def country_choices() -> list[SelectChoice]:
    """The countries named in the visitor's language: the Netherlands first, then A–Z."""
    return list(_country_choices(str(get_locale())))


@functools.cache
def _country_choices(locale: str) -> tuple[SelectChoice, ...]:
    territories = Locale.parse(locale).territories
    named = [SelectChoice(code, territories.get(code, code)) for code in EU_COUNTRIES]
    return (named[0], *sorted(named[1:], key=lambda choice: choice.label))


def shop_policy() -> ShopPolicy:
    config = current_app.config
    return ShopPolicy(
        min_age=config["SHOP_MIN_AGE"],
        age_policy_version=config["SHOP_AGE_POLICY_VERSION"],
        hold_minutes=config["SHOP_ORDER_HOLD_MINUTES"],
        currency=config["SHOP_CURRENCY"],
        free_shipping_from_cents=config["SHOP_FREE_SHIPPING_FROM_CENTS"],
        provider_verifies_every_order=config["SHOP_AGE_VERIFIER"] == "oidc"
        and config["SHOP_AGE_VERIFIER_AT"] in {"checkout", "both"},
    )


def _render(
    cart: Cart,
    form: CheckoutForm,
    *,
    status: int = 200,
    notice: str | None = None,
    view: CartView | None = None,
) -> tuple[str, int]:
    if view is None:
        priced = Cart(quantities=cart.quantities, code=form.code.data or "")
        view = priced_cart(priced, email=form.valid_email)
    if not form.code.errors and form.code.data and view.code_error is not None:
        form.code.errors = [refusal_text(view.code_error)]
    form.country.choices = country_choices()
    country = form.country.data if form.country.data in EU_COUNTRIES else DEFAULT_COUNTRY
    offered = offer(
        active_methods(db.session()),
        zone_for_country(country),
        goods_cents=view.priced.total_cents,
        free_from_cents=current_app.config["SHOP_FREE_SHIPPING_FROM_CENTS"],
        free_by_code=view.code is not None and view.code.kind == Kind.FREE_SHIPPING,
        needs_age_check=view.needs_age_check_at_delivery,
    )
    chosen = preselected(offered, form.shipping_method_id)
    # Never ticked for the customer: not on the first visit, not after a mistake.
    form.acknowledged.data = False
    min_age = current_app.config["SHOP_MIN_AGE"]
    required_age = max(min_age, view.highest_min_age)
    html = render_template(
        "checkout/checkout.html",
        view=view,
        form=form,
        notice=notice,
        offered=offered,
        chosen=chosen,
        country_name=get_locale().territories.get(country, country),
        zone_labels=zone_labels(),
        free_from_cents=current_app.config["SHOP_FREE_SHIPPING_FROM_CENTS"],
        digest=warnings_digest(line.product for line in view.lines),
        required_age=required_age,
        min_age=min_age,
        # The provider verified the age in this session: no date of birth is asked. Else,
        # when the order needs that verification, the page links to it.
        age_verified=provider_verified_age() >= required_age,
        needs_verified_age=needs_verified_age((line.product for line in view.lines), shop_policy()),
        # Without a provider the button would lead nowhere: the page says so instead.
        verification_offered=OidcSettings.from_config(current_app.config).is_complete,
        hold_minutes=current_app.config["SHOP_ORDER_HOLD_MINUTES"],
    )
    return html, status


def _empty_cart() -> Response:
    flash(refusal_text(CheckoutRefused(CheckoutRefusal.EMPTY_CART)), "error")
    return redirect(url_for("cart.show"), code=303)


def _revoke_verification_if_under_age(form: CheckoutForm) -> None:
    """A date of birth under the shop's minimum age contradicts the "yes" at the gate: the
    visitor is treated as having answered "no" (the strict reading; the shop is for adults).
    A date that is merely too young for one product (21+) changes nothing else."""
    if form.birth_date is None:
        return
    config = current_app.config
    today = local_today(clock.now(), clock.shop_timezone())
    if age_on(form.birth_date, today) < config["SHOP_MIN_AGE"]:
        refuse_age(config["SHOP_AGE_POLICY_VERSION"])


def _refused_page(
    cart: Cart, form: CheckoutForm, refused: CheckoutRefused
) -> Response | tuple[str, int]:
    """The form again, saying why the order could not be placed."""
    match refused.reason:
        case CheckoutRefusal.EMPTY_CART:
            return _empty_cart()
        case CheckoutRefusal.TOO_YOUNG if form.birth_date is None:
            form.day.errors = [refusal_text(InvalidBirthDate(BirthDateProblem.MISSING))]
            return _render(cart, form, status=422)
        case CheckoutRefusal.TOO_YOUNG:
            _revoke_verification_if_under_age(form)
            form.day.errors = [refusal_text(refused)]  # told next to the date of birth
            return _render(cart, form, status=422)
        case CheckoutRefusal.AGE_NOT_VERIFIED:
            # The page's own box links to the provider; the notice says why it must be used.
            return _render(cart, form, status=403, notice=refusal_text(refused))
        case CheckoutRefusal.NOT_ACKNOWLEDGED:
            form.acknowledged.errors = [refusal_text(refused)]
            return _render(cart, form, status=422)
        case CheckoutRefusal.WARNINGS_CHANGED:
            # The box was ticked for other words: it must be ticked again for these.
            form.acknowledged.errors = [refusal_text(refused)]
            return _render(cart, form, status=409, notice=refusal_text(refused))
        case CheckoutRefusal.UNAVAILABLE:
            still_on_sale = priced_cart(cart)  # drops what went off sale, with a message
            if still_on_sale.is_empty:
                return _empty_cart()
            return _render(current_cart(), form, status=409)
    return _render(cart, form, status=409, notice=refusal_text(refused))


@bp.route("/checkout", methods=["GET", "POST"])
@limiter.limit(CHECKOUT_ATTEMPTS, key_func=visitor_key, methods=["POST"])
@limiter.limit(CHECKOUT_ATTEMPTS_PER_ADDRESS, key_func=get_remote_address, methods=["POST"])
def checkout() -> Response | tuple[str, int]:
    """Show the checkout form; on POST, place the order and go to its page."""
    cart = current_cart()
    if not cart.quantities:
        return _empty_cart()
    if http_request.method == "GET":
        view = priced_cart(cart)
        if view.is_empty:  # everything in it went off sale
            return _empty_cart()
        return _render(cart, CheckoutForm(code=cart.code), view=view)

    form = CheckoutForm()
    now = clock.now()
    today = local_today(now, clock.shop_timezone())
    verified_age = provider_verified_age()
    # The page asks no date of birth when the provider verified the cart's age or must:
    # place_order judges which (it reads the cart's products), and a date that was needed
    # but not typed is told below (TOO_YOUNG without a date).
    typed = any(part.data for part in (form.day, form.month, form.year))
    if not form.validate_on(today, birth_date_asked=typed):
        return _render(cart, form, status=422)
    checkout_request = CheckoutRequest(
        items=cart.quantities,
        customer=form.customer(),
        birth_date=form.birth_date,
        acknowledged=form.acknowledged.data,
        code=form.code.data or "",
        warnings_digest=form.warnings_digest.data or "",
        locale=str(get_locale()),
        shipping_method_id=form.shipping_method_id,
        verified_age=verified_age,
    )
    try:
        order = place_order(db.session(), checkout_request, shop_policy(), today=today, now=now)
    except PromoNotApplicable as refused_code:  # an unknown code (UnknownCode) included
        form.code.errors = [refusal_text(refused_code)]
        return _render(cart, form, status=422)
    except ShippingRefused as refused_shipping:
        form.shipping_method.errors = [refusal_text(refused_shipping)]
        return _render(cart, form, status=422)
    except CheckoutRefused as refused:
        return _refused_page(cart, form, refused)
    clear_cart()
    return redirect(url_for("orders.show", token=order.token), code=303)


@bp.errorhandler(TooManyRequests)
def too_many_attempts(error: TooManyRequests) -> tuple[str, int, dict[str, str]]:
    """Tell the visitor how long to wait before sending the form again."""
    return too_many_attempts_page(error)
