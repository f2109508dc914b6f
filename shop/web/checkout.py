"""The checkout page: contact and delivery address, date of birth, the promo code, and every
warning of every product in the cart in full, acknowledged with one box. POST places the
order through `services.checkout.place_order` and leads to the order's page.

The form is checked here in plain code rather than WTForms: the date of birth is one value
typed into three boxes and judged by `rules.age.parse_birth_date`, the postcode rule depends
on the country, and each message must sit next to its own field. The CSRF token is checked
for every POST by Flask-WTF's `CSRFProtect`. Everything is enforced on the server; the
browser's `required` attributes are only a convenience.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask import request as http_request
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response

from shop import clock
from shop.extensions import db, limiter
from shop.rules.age import InvalidBirthDate, age_on, local_today, parse_birth_date
from shop.rules.promotions import PromoNotApplicable
from shop.services.cart import Cart, CartView
from shop.services.checkout import (
    CheckoutRefused,
    CheckoutRequest,
    Customer,
    Refused,
    ShopPolicy,
    place_order,
    warnings_digest,
)
from shop.services.promotions import UnknownCode
from shop.web import agegate
from shop.web.agegate import BIRTH_DATE_ERRORS
from shop.web.cart import clear_cart, current_cart, priced_cart, single_line, visitor_key
from shop.web.promo_messages import refusal_message

bp = Blueprint("checkout", __name__)

# A form that fails on purpose (or a script trying codes through checkout) gets this many
# tries a minute; a person correcting a typo never notices.
CHECKOUT_ATTEMPTS = "20 per minute"

DEFAULT_COUNTRY = "NL"
# The Netherlands first (the shop's home), then the other EU member states.
EU_COUNTRIES = (
    "NL",
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "ES",
    "FI",
    "FR",
    "GR",
    "HR",
    "HU",
    "IE",
    "IT",
    "LT",
    "LU",
    "LV",
    "MT",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
)

# The order's columns bound these; a name longer than that is not a name.
MAX_LENGTHS = {"email": 254, "name": 200, "street": 200, "city": 100, "code": 64}

EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
DUTCH_POSTCODE = re.compile(r"([1-9][0-9]{3})([A-Z]{2})")
# PostNL never issues these letter pairs (for their wartime connotations).
UNISSUED_DUTCH_LETTERS = frozenset({"SA", "SD", "SS"})
OTHER_POSTCODE = re.compile(r"[A-Z0-9](?:[A-Z0-9 -]*[A-Z0-9])?")
MAX_OTHER_POSTCODE = 10

# The order in which errors are listed in the summary, and the control each one leads to.
FIELD_ANCHORS = {
    "email": "f-email",
    "name": "f-name",
    "street": "f-street",
    "postcode": "f-postcode",
    "city": "f-city",
    "country": "f-country",
    "birth_date": "f-day",
    "code": "f-code",
    "acknowledged": "f-acknowledged",
}


@dataclass
class CheckoutForm:
    """What the customer typed, the values as the order will keep them, and what is wrong."""

    email: str = ""
    name: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    country: str = DEFAULT_COUNTRY
    day: str = ""
    month: str = ""
    year: str = ""
    code: str = ""
    acknowledged: bool = False
    warnings_digest: str = ""
    birth_date: date | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_form(cls, form: Mapping[str, str]) -> CheckoutForm:
        return cls(
            email=single_line(form.get("email")),
            name=single_line(form.get("name")),
            street=single_line(form.get("street")),
            postcode=single_line(form.get("postcode")),
            city=single_line(form.get("city")),
            country=single_line(form.get("country"), 8).upper(),
            day=single_line(form.get("day"), 8),
            month=single_line(form.get("month"), 8),
            year=single_line(form.get("year"), 8),
            code=single_line(form.get("code"), 100),
            acknowledged=form.get("acknowledged") == "yes",
            # Absent is not "no check": an empty digest never matches, so the order is refused.
            warnings_digest=single_line(form.get("warnings_digest"), 128),
        )

    def validate(self, today: date) -> bool:
        """Check every field, normalising the postcode; True when the order may be tried."""
        self._check_email()
        for name, missing in (
            ("name", _("Please enter your name.")),
            ("street", _("Please enter your street and house number.")),
        ):
            self._check_required(name, missing)
        self._check_country_and_postcode()
        self._check_required("city", _("Please enter your town or city."))
        self._check_birth_date(today)
        if len(self.code) > MAX_LENGTHS["code"]:
            self.errors["code"] = refusal_message(UnknownCode(self.code))
        if not self.acknowledged:
            self.errors["acknowledged"] = _(
                "Please confirm that you have read the warnings and allergy information."
            )
        return not self.errors

    @property
    def valid_email(self) -> str | None:
        return self.email if self.email and "email" not in self.errors else None

    def _check_required(self, name: str, missing: str) -> None:
        value = getattr(self, name)
        if not value:
            self.errors[name] = missing
        elif len(value) > MAX_LENGTHS[name]:
            self.errors[name] = _("Please use at most %(n)s characters.", n=MAX_LENGTHS[name])

    def _check_email(self) -> None:
        if not self.email:
            self.errors["email"] = _("Please enter your e-mail address.")
        elif len(self.email) > MAX_LENGTHS["email"] or not EMAIL_PATTERN.fullmatch(self.email):
            self.errors["email"] = _("Please enter a valid e-mail address, like name@example.com.")

    def _check_country_and_postcode(self) -> None:
        if self.country not in EU_COUNTRIES:
            self.errors["country"] = _("Please choose a country from the list.")
            return
        if not self.postcode:
            self.errors["postcode"] = _("Please enter your postcode.")
        elif self.country == "NL":
            found = DUTCH_POSTCODE.fullmatch("".join(self.postcode.split()).upper())
            if found is None or found.group(2) in UNISSUED_DUTCH_LETTERS:
                self.errors["postcode"] = _("Please enter a Dutch postcode like 1234 AB.")
            else:
                self.postcode = f"{found.group(1)} {found.group(2)}"
        else:
            postcode = self.postcode.upper()
            if len(postcode) > MAX_OTHER_POSTCODE or not OTHER_POSTCODE.fullmatch(postcode):
                self.errors["postcode"] = _(
                    "Please enter a postcode of at most %(n)s letters and digits.",
                    n=MAX_OTHER_POSTCODE,
                )
            else:
                self.postcode = postcode

    def _check_birth_date(self, today: date) -> None:
        try:
            self.birth_date = parse_birth_date(self.day, self.month, self.year, today)
        except InvalidBirthDate as invalid:
            message = BIRTH_DATE_ERRORS.get(invalid.reason, BIRTH_DATE_ERRORS["missing"])
            self.errors["birth_date"] = str(message)

    def customer(self) -> Customer:
        return Customer(
            email=self.email,
            name=self.name,
            street=self.street,
            postcode=self.postcode,
            city=self.city,
            country=self.country,
        )


def country_choices() -> list[tuple[str, str]]:
    """(code, name in the visitor's language): the Netherlands first, then A–Z by name."""
    territories = get_locale().territories
    named = [(code, territories.get(code, code)) for code in EU_COUNTRIES]
    return [named[0], *sorted(named[1:], key=lambda item: item[1])]


def shop_policy() -> ShopPolicy:
    config = current_app.config
    return ShopPolicy(
        min_age=config["SHOP_MIN_AGE"],
        age_policy_version=config["SHOP_AGE_POLICY_VERSION"],
        hold_minutes=config["SHOP_ORDER_HOLD_MINUTES"],
        currency=config["SHOP_CURRENCY"],
    )


def too_young_message(view: CartView, required_age: int) -> str:
    locale = str(get_locale())
    demanding = [
        line.product.name(locale) for line in view.lines if line.product.min_age >= required_age
    ]
    if not demanding or required_age <= current_app.config["SHOP_MIN_AGE"]:
        return _("You must be %(age)s or older to order from this shop.", age=required_age)
    return _(
        "You must be %(age)s or older to buy %(products)s.",
        age=required_age,
        products=", ".join(demanding),
    )


def refusal_notice(refused: CheckoutRefused) -> str:
    """A refused order in the customer's words (the age is told next to the date of birth)."""
    match refused.reason:
        case Refused.SOLD_OUT if refused.available > 0:
            return _(
                "Sorry, only %(n)s left of %(name)s. Please change the quantity in your cart.",
                n=refused.available,
                name=refused.product_name,
            )
        case Refused.SOLD_OUT:
            return _(
                "Sorry, %(name)s has just sold out. Please remove it from your cart.",
                name=refused.product_name,
            )
        case Refused.NOT_ACKNOWLEDGED:
            return _("Please confirm that you have read the warnings and allergy information.")
        case Refused.WARNINGS_CHANGED:
            return _(
                "The warnings of a product in your order changed while you were checking out. "
                "Please read them again below and confirm."
            )
    return _("Sorry, a product in your order is no longer available. Please check your order.")


def _render(
    cart: Cart,
    form: CheckoutForm,
    *,
    status: int = 200,
    notice: str | None = None,
    required_age: int | None = None,
    view: CartView | None = None,
) -> tuple[str, int]:
    if view is None:
        priced = Cart(quantities=cart.quantities, code=form.code)
        view = priced_cart(priced, email=form.valid_email)
    if required_age is not None:
        form.errors["birth_date"] = too_young_message(view, required_age)
    if "code" not in form.errors and form.code and view.code_error is not None:
        form.errors["code"] = refusal_message(view.code_error)
    errors = [
        (FIELD_ANCHORS[name], form.errors[name]) for name in FIELD_ANCHORS if name in form.errors
    ]
    min_age = current_app.config["SHOP_MIN_AGE"]
    html = render_template(
        "checkout/checkout.html",
        view=view,
        form=form,
        errors=errors,
        notice=notice,
        countries=country_choices(),
        digest=warnings_digest(line.product for line in view.lines),
        required_age=max(min_age, view.highest_min_age),
        min_age=min_age,
        hold_minutes=current_app.config["SHOP_ORDER_HOLD_MINUTES"],
    )
    return html, status


def _empty_cart() -> Response:
    flash(_("Your cart is empty. Add a product before checking out."), "error")
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
        session.pop(agegate.SESSION_KEY, None)
        session[agegate.REFUSED_KEY] = config["SHOP_AGE_POLICY_VERSION"]


def _refused_page(
    cart: Cart, form: CheckoutForm, refused: CheckoutRefused
) -> Response | tuple[str, int]:
    """The form again, saying why the order could not be placed."""
    if refused.reason == Refused.EMPTY_CART:
        return _empty_cart()
    if refused.reason == Refused.TOO_YOUNG:
        _revoke_verification_if_under_age(form)
        return _render(cart, form, status=422, required_age=refused.required_age)
    if refused.reason == Refused.NOT_ACKNOWLEDGED:
        form.errors["acknowledged"] = refusal_notice(refused)
        return _render(cart, form, status=422)
    if refused.reason == Refused.WARNINGS_CHANGED:
        # The box was ticked for other words: it must be ticked again for these.
        form.errors["acknowledged"] = refusal_notice(refused)
        return _render(cart, form, status=409, notice=refusal_notice(refused))
    if refused.reason == Refused.UNAVAILABLE:
        still_on_sale = priced_cart(cart)  # drops what went off sale, with a message
        if still_on_sale.is_empty:
            return _empty_cart()
        return _render(current_cart(), form, status=409)
    return _render(cart, form, status=409, notice=refusal_notice(refused))


@bp.route("/checkout", methods=["GET", "POST"])
@limiter.limit(CHECKOUT_ATTEMPTS, key_func=visitor_key, methods=["POST"])
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

    form = CheckoutForm.from_form(http_request.form)
    now = clock.now()
    today = local_today(now, clock.shop_timezone())
    if not form.validate(today):
        return _render(cart, form, status=422)
    assert form.birth_date is not None
    checkout_request = CheckoutRequest(
        items=cart.quantities,
        customer=form.customer(),
        birth_date=form.birth_date,
        acknowledged=form.acknowledged,
        code=form.code,
        warnings_digest=form.warnings_digest,
        locale=str(get_locale()),
    )
    try:
        order = place_order(db.session(), checkout_request, shop_policy(), today=today, now=now)
    except (UnknownCode, PromoNotApplicable) as refused_code:
        form.errors["code"] = refusal_message(refused_code)
        return _render(cart, form, status=422)
    except CheckoutRefused as refused:
        return _refused_page(cart, form, refused)
    clear_cart()
    return redirect(url_for("orders.show", token=order.token), code=303)


@bp.errorhandler(TooManyRequests)
def too_many_attempts(error: TooManyRequests) -> tuple[str, int]:
    """Tell the visitor to wait before sending the form again."""
    return render_template("cart/too_many_attempts.html"), 429
