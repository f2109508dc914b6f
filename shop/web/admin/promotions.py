"""Promo codes: the campaign list with its numbers, create and edit, the chart.

Staff type dates and times as the shop announces them: local to SHOP_TIMEZONE, the end date
included. The form (`PromoForm`, a `ShopForm`) turns them into a UTC window through
`window_from_local`, the one place where that happens, and shows stored windows back the same
way. Money is typed in euros (`EuroField`: "5,00" or "5.00") and read strictly into cents:
anything else is a message, never a guess. What the service refuses (`InvalidPromoCode`) is
shown next to its field, by its reason.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    Field,
    RadioField,
    StringField,
    TextAreaField,
    TimeField,
    ValidationError,
)

# WTForms 3.3 wants choices as SelectChoice; its type stubs (3.2) do not know it yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, NumberRange, Optional

from shop import clock
from shop.charts import ShadedWindow, sales_chart_svg
from shop.extensions import db
from shop.models import Category, Product, PromoCode
from shop.rules.campaigns import banner_for
from shop.rules.input import Unreadable, parse_euros
from shop.rules.promotions import (
    Kind,
    PromoNotApplicable,
    Status,
    Window,
    last_local_date,
    normalise_code,
    normalise_email,
    status,
    window_from_local,
)
from shop.services import promo_reports
from shop.services.promotions import (
    BANNER_FIELDS,
    MAX_CODE_LENGTH,
    InvalidPromoCode,
    PromoDraft,
    PromoTermsRefusal,
    UnknownCode,
    all_codes,
    check_code_at,
    create_promo_code,
    has_been_used,
    public_code,
    update_promo_code,
)
from shop.web.admin import Access, bp, can, read_only_view, requires, section
from shop.web.formatting import format_local_date, format_money
from shop.web.forms import (
    EmailField,
    EuroField,
    ShopForm,
    WholeNumberField,
    at_most,
    euros_text,
    reworded,
)
from shop.web.wording import promo_check_answer, refusal_text

section("admin.promotions", _l("Promo codes"), Access.VIEW)

UNPROCESSABLE = 422
LANGUAGES = ("en", "nl")

STATUS_LABELS = {
    Status.SCHEDULED: _l("scheduled"),
    Status.ACTIVE: _l("active"),
    Status.EXPIRED: _l("expired"),
    Status.USED_UP: _l("used up"),
    Status.INACTIVE: _l("inactive"),
}
DUPLICATE_CODE = _l("A code with that name exists already (upper and lower case are the same).")
KIND_LABELS = {
    Kind.PERCENT: _l("percentage"),
    Kind.AMOUNT: _l("fixed amount"),
    Kind.FREE_SHIPPING: _l("free shipping"),
}
USED_CODE = _l(
    "This code has been used, so its kind and value can no longer change. "
    "To offer a different discount, create a new code."
)

MAX_PERCENT = 100
MAX_AMOUNT_CENTS = 100_000_00  # € 100.000,00: far above any real discount or minimum
MAX_LIMIT = 1_000_000_000
MAX_TITLE = 200
MAX_TEXT = 2000

# --- the form --------------------------------------------------------------------------------

NOT_A_TIME = _l("Please enter a time as HH:MM, or leave it empty.")
NOT_A_LIMIT = _l("Please enter a whole number of 1 or more, or leave it empty.")
NOT_A_MINIMUM = _l("Please enter an amount in euros, such as 30,00 or 30.00, or leave it empty.")


def banner_field(kind: type[Field], label: Any, name: str, limit: int) -> Any:
    """A banner's title or text in one language (`name`: the form's name of the field)."""
    return kind(label, id=f"f-{name}", filters=[_stripped], validators=[at_most(limit)])


def may_be_empty(unreadable: Any, *checks: Any) -> list[Any]:
    """The validators of a field staff may leave empty: `unreadable` for a value that cannot
    be read, then `checks` of the value read."""
    return [Optional(), reworded(unreadable), *checks]


def _stripped(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _has_control_characters(text: str) -> bool:
    return any(unicodedata.category(char) in {"Cc", "Cf"} for char in text)


def _whole_number(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 else None


def _typed_value(kind: Kind, text: str) -> int | None:
    """A percentage or an amount in cents as staff typed it; None if it cannot be read."""
    if kind is Kind.PERCENT:
        return _whole_number(text)
    if kind is Kind.FREE_SHIPPING:
        return 0  # it has no value: whatever was typed in the box is not read
    try:
        return parse_euros(text)
    except Unreadable:
        return None


def value_as_typed(kind: Kind, value: int) -> str:
    """A code's value as staff type it: "15" for a percentage, "5,00" or "5.00" for euros."""
    if kind is Kind.FREE_SHIPPING:
        return ""
    return str(value) if kind is Kind.PERCENT else euros_text(value)


class WallTimeField(TimeField):
    """A local wall-clock time, "HH:MM" or "HH:MM:SS" (shown with seconds when it has them)."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, format=["%H:%M", "%H:%M:%S"], **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        if not isinstance(self.data, time):
            return ""
        return self.data.strftime("%H:%M:%S" if self.data.second else "%H:%M")


class ScopeField(Field):
    """What a code applies to: the product and category slugs ticked in the two lists (sent
    as `products` and `categories`); `data` is (product slugs, category slugs)."""

    data: tuple[tuple[str, ...], tuple[str, ...]]

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        self.process_errors = []
        self.object_data = data
        self.data = ((), ()) if data is unset_value or data is None else data
        if formdata is not None:
            self.data = (
                tuple(formdata.getlist("products")),
                tuple(formdata.getlist("categories")),
            )


class PromoForm(ShopForm):
    """A code's terms as staff type them; `draft()` is the `PromoDraft` they make.

    The fields are in the page's order (the error summary's). Before validating, the view
    sets `locked` for a used code (its kind and value stay, and must not be sent otherwise)
    and `known_scope` (the slugs that can be chosen).
    """

    code = StringField(
        _l("Code"),
        id="f-code",
        filters=[_stripped],
        validators=[DataRequired(_l("Please enter the code customers will type."))],
    )
    kind = RadioField(
        _l("Kind"),
        id="f-kind",
        choices=[
            SelectChoice(Kind.PERCENT.value, _l("Percentage off")),
            SelectChoice(Kind.AMOUNT.value, _l("Fixed amount off, in euros")),
            SelectChoice(Kind.FREE_SHIPPING.value, _l("Free shipping (leave the value empty)")),
        ],
        validate_choice=False,  # checked below, in the page's words
    )
    value = StringField(_l("Value"), id="f-value", filters=[_stripped])
    starts_on = DateField(
        _l("First day"),
        id="f-starts_on",
        validators=[DataRequired(_l("Please enter the first day, as YYYY-MM-DD."))],
    )
    starts_time = WallTimeField(
        _l("Start time (optional)"), id="f-starts_time", validators=may_be_empty(NOT_A_TIME)
    )
    ends_on = DateField(
        _l("Last day (included)"),
        id="f-ends_on",
        validators=may_be_empty(_l("Please enter the last day as YYYY-MM-DD, or leave it empty.")),
    )
    ends_time = WallTimeField(
        _l("End time on the last day (optional)"),
        id="f-ends_time",
        validators=may_be_empty(NOT_A_TIME),
    )
    usage_limit = WholeNumberField(
        _l("Total uses"),
        id="f-usage_limit",
        validators=may_be_empty(NOT_A_LIMIT, NumberRange(1, MAX_LIMIT, NOT_A_LIMIT)),
    )
    per_customer_limit = WholeNumberField(
        _l("Uses per customer"),
        id="f-per_customer_limit",
        validators=may_be_empty(NOT_A_LIMIT, NumberRange(1, MAX_LIMIT, NOT_A_LIMIT)),
    )
    min_subtotal = EuroField(
        _l("Minimum subtotal"),
        id="f-min_subtotal",
        validators=may_be_empty(NOT_A_MINIMUM, NumberRange(0, MAX_AMOUNT_CENTS, NOT_A_MINIMUM)),
    )
    scope = ScopeField(_l("Applies to"), id="f-scope")
    is_active = BooleanField(
        _l("Active: customers can use the code during its window"), id="f-is_active"
    )
    is_public = BooleanField(
        _l("Public: show a banner on every shop page during the window"), id="f-is_public"
    )
    banner_title_en = banner_field(
        StringField, _l("Banner title (English)"), "banner_title_en", MAX_TITLE
    )
    banner_title_nl = banner_field(
        StringField, _l("Banner title (Dutch)"), "banner_title_nl", MAX_TITLE
    )
    banner_text_en = banner_field(
        TextAreaField, _l("Banner text (English)"), "banner_text_en", MAX_TEXT
    )
    banner_text_nl = banner_field(
        TextAreaField, _l("Banner text (Dutch)"), "banner_text_nl", MAX_TEXT
    )

    locked: PromoCode | None = None
    known_scope: tuple[Sequence[str], Sequence[str]] = ((), ())
    units: int | None = None  # the value read: a percentage, or an amount in cents
    window: Window | None = None

    @classmethod
    def of_code(cls, code: PromoCode, tz: ZoneInfo) -> PromoForm:
        """The form of a saved code, its window in the local days and times typed."""
        kind = Kind(code.kind)
        starts_on, starts_time, ends_on, ends_time = local_window(code.window, tz)
        return cls(
            code=code.display_code,
            kind=kind.value,
            value=value_as_typed(kind, code.value),
            starts_on=starts_on,
            starts_time=starts_time,
            ends_on=ends_on,
            ends_time=ends_time,
            usage_limit=code.usage_limit,
            per_customer_limit=code.per_customer_limit,
            min_subtotal=code.min_subtotal_cents,
            scope=(
                tuple(sorted(p.slug for p in code.products)),
                tuple(sorted(c.slug for c in code.categories)),
            ),
            is_active=code.is_active,
            is_public=code.is_public,
            **{name: getattr(code, name) for name in BANNER_FIELDS},
        )

    def validate_code(self, field: Field) -> None:
        code = field.data
        if (
            len(code) > MAX_CODE_LENGTH
            or len(normalise_code(code)) > MAX_CODE_LENGTH
            or _has_control_characters(code)
        ):
            raise ValidationError(
                _("Please use at most %(n)s letters, digits or signs.", n=MAX_CODE_LENGTH)
            )

    def validate_kind(self, field: Field) -> None:
        if self.locked is not None:
            # A used code's radios are disabled and not sent; one that is sent must agree.
            sent = field.raw_data[0] if field.raw_data else ""
            field.data = Kind(self.locked.kind).value
            if sent and sent != field.data:
                raise ValidationError(str(USED_CODE))
            return
        try:
            Kind(field.data or "")
        except ValueError:
            raise ValidationError(_("Please choose a percentage or a fixed amount.")) from None

    def validate_value(self, field: Field) -> None:
        if self.locked is not None:
            kind, sent = Kind(self.locked.kind), field.data
            field.data = value_as_typed(kind, self.locked.value)
            self.units = self.locked.value
            if sent and _typed_value(kind, sent) != self.locked.value:
                raise ValidationError(str(USED_CODE))
            return
        if self.kind.errors:
            return
        kind = Kind(self.kind.data)
        units = _typed_value(kind, field.data)
        if kind is Kind.PERCENT and (units is None or not 1 <= units <= MAX_PERCENT):
            raise ValidationError(_("Please enter a whole percentage from 1 to 100."))
        if kind is Kind.AMOUNT and (units is None or not 0 < units <= MAX_AMOUNT_CENTS):
            raise ValidationError(
                _("Please enter an amount in euros above zero, such as 5,00 or 5.00.")
            )
        self.units = units

    def validate_ends_time(self, field: Field) -> None:
        if field.data is not None and self.ends_on.data is None and not self.ends_on.errors:
            raise ValidationError(_("An end time needs an end date."))

    def validate_scope(self, field: Field) -> None:
        products, categories = field.data
        known_products, known_categories = self.known_scope
        if set(products) - set(known_products) or set(categories) - set(known_categories):
            raise ValidationError(_("Please choose products and categories from the lists."))

    def validate_banner_title_en(self, field: Field) -> None:
        if self.is_public.data and not field.data:
            raise ValidationError(_("A public code needs a banner title (at least in English)."))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        self.window = self._window(clock.shop_timezone())
        return valid and self.window is not None

    def _window(self, tz: ZoneInfo) -> Window | None:
        """The UTC window of the local days and times typed, or None (with the error)."""
        parts = (self.starts_on, self.starts_time, self.ends_on, self.ends_time)
        if any(part.errors for part in parts):
            return None
        start, end = self.starts_on.data, self.ends_on.data
        if start is not None and end is not None and end < start:
            self.ends_on.errors = [_("The last day is before the first day.")]
            return None
        try:
            return window_from_local(
                start, end, tz, start_time=self.starts_time.data, end_time=self.ends_time.data
            )
        except ValueError:
            at = self.ends_time if self.ends_time.data else self.ends_on
            at.errors = [_("The code must end after it starts.")]
            return None

    def draft(self) -> PromoDraft:
        """The terms typed, once the form is valid."""
        assert self.window is not None and self.units is not None
        products, categories = self.scope.data
        return PromoDraft(
            code=self.code.data or "",
            kind=Kind(self.kind.data),
            value=self.units,
            window=self.window,
            usage_limit=self.usage_limit.data,
            per_customer_limit=self.per_customer_limit.data,
            min_subtotal_cents=self.min_subtotal.data,
            product_slugs=products,
            category_slugs=categories,
            is_active=self.is_active.data,
            is_public=self.is_public.data,
            **{name: self[name].data or "" for name in BANNER_FIELDS},
        )

    def add_refusal(self, invalid: InvalidPromoCode) -> None:
        """What the service refused (a duplicate code, a used code's value, …), at its field."""
        if invalid.reason is PromoTermsRefusal.DUPLICATE_CODE:
            self.code.errors = [str(DUPLICATE_CODE)]
            return
        name = {"min_subtotal_cents": "min_subtotal"}.get(invalid.field, invalid.field)
        words = refusal_text(invalid)
        self[name].errors = [words[:1].upper() + words[1:]]


def local_window(
    window: Window, tz: ZoneInfo
) -> tuple[date | None, time | None, date | None, time | None]:
    """A stored window as the form's first day, start time, last day and end time: local,
    the end date included, a time only when it is not midnight."""
    starts_on = starts_time = ends_on = ends_time = None
    if window.starts_at is not None:
        start = window.starts_at.astimezone(tz)
        starts_on = start.date()
        if start.time() != time(0):
            starts_time = start.time().replace(tzinfo=None)
    if window.ends_at is not None:
        end = window.ends_at.astimezone(tz)
        if end.time() == time(0):
            # Ends as a day begins: the day before is the last one, all of it.
            ends_on = last_local_date(window, tz)
        else:
            ends_on = end.date()
            ends_time = end.time().replace(tzinfo=None)
    return starts_on, starts_time, ends_on, ends_time


# --- showing codes ---------------------------------------------------------------------------


def _short_day(day: date) -> str:
    return format_local_date(day, "d MMM y")


def window_text(window: Window, tz: ZoneInfo) -> str:
    """ "21 Oct 2025 – 2 Nov 2025" in local time, the end date included; times when set."""
    starts_on, starts_time, ends_on, ends_time = local_window(window, tz)
    first = _short_day(starts_on) if starts_on else None
    if first and starts_time:
        first = f"{first} {_time_text(starts_time)}"
    last = _short_day(ends_on) if ends_on else None
    if last and ends_time:
        last = _("%(day)s until %(time)s", day=last, time=_time_text(ends_time))
    return f"{first or _('open')} – {last or _('open')}"


def _time_text(value: time) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def value_text(kind: Kind | str, value: int) -> str:
    if Kind(kind) is Kind.FREE_SHIPPING:
        return _("free shipping")
    return f"{value}%" if Kind(kind) is Kind.PERCENT else format_money(value)


@dataclass(frozen=True)
class CodeRow:
    code: PromoCode
    status: Status
    status_label: str
    window: str
    numbers: promo_reports.CodeNumbers


def _rows(codes: Sequence[PromoCode], tz: ZoneInfo) -> list[CodeRow]:
    now = clock.now()
    numbers = promo_reports.numbers_per_code(db.session())
    rows = []
    for code in codes:
        state = status(code.terms(), now)
        rows.append(
            CodeRow(
                code=code,
                status=state,
                status_label=str(STATUS_LABELS[state]),
                window=window_text(code.window, tz),
                numbers=numbers.get(code.id, promo_reports.CodeNumbers()),
            )
        )
    return rows


@dataclass(frozen=True)
class Chart:
    svg: Markup
    days: list[promo_reports.DaySales]
    windows: list[promo_reports.CampaignWindow]


def _chart(codes: Sequence[PromoCode], tz: ZoneInfo) -> Chart:
    """The last 90 days' sales as an inline SVG, with the figures for the table beside it."""
    days = promo_reports.sales_per_day(db.session(), today=clock.local_today(), tz=tz)
    windows = promo_reports.campaign_windows(codes, tz)
    first, last = days[0].day, days[-1].day
    svg = sales_chart_svg(
        [d.day for d in days],
        [d.orders for d in days],
        [d.revenue_cents for d in days],
        [ShadedWindow(w.code, w.first_day, w.last_day) for w in windows],
        title=_("Paid orders and revenue per day"),
        description=_(
            "Revenue (bars, left axis) and paid orders (points, right axis) for each day from "
            "%(first)s to %(last)s, in %(zone)s time. Shaded bands are the public codes' "
            "windows, labelled with the code. The same figures are in the table below.",
            first=format_local_date(first),
            last=format_local_date(last),
            zone=tz.key,
        ),
        format_money=format_money,
        format_day=lambda day: format_local_date(day, "d MMM"),
        orders_word=lambda n: ngettext("%(num)s paid order", "%(num)s paid orders", n),
        legend=(_("Revenue"), _("Paid orders")),
        element_id="sales-chart",
    )
    # Safe to mark up: every text in the drawing was escaped by ElementTree (shop.charts).
    return Chart(Markup(svg), days, windows)


@bp.get("/promotions")
@requires(Access.VIEW)
def promotions() -> str:
    """List every code with its window, status, uses, discount and revenue; chart 90 days."""
    tz = clock.shop_timezone()
    codes = all_codes(db.session())
    return render_template(
        "admin/promotions/list.html",
        rows=_rows(codes, tz),
        chart=_chart(codes, tz),
        tz=tz,
        kind_labels=KIND_LABELS,
        value_text=value_text,
    )


# --- create and edit -------------------------------------------------------------------------


def _choices() -> tuple[list[Product], list[Category]]:
    products = list(db.session.scalars(select(Product).order_by(Product.name_en, Product.id)))
    categories = list(
        db.session.scalars(select(Category).order_by(Category.position, Category.name_en))
    )
    return products, categories


def _load(promo_id: int) -> PromoCode:
    code = db.session.scalars(
        select(PromoCode)
        .where(PromoCode.id == promo_id)
        .options(selectinload(PromoCode.products), selectinload(PromoCode.categories))
    ).first()
    if code is None:
        abort(404)
    return code


def preview_banners(code: PromoDraft | PromoCode, tz: ZoneInfo) -> list[tuple[str, Markup]]:
    """The banner as `templates/_banner.html` draws it for customers, in each language."""
    shown = public_code(code)
    previews = []
    for lang in LANGUAGES:
        banner = banner_for(shown, lang, tz)
        with force_locale(lang):
            html = render_template("_banner.html", promo_banners=lambda b=banner: [b])
        previews.append((lang, Markup(html)))  # a rendered template: escaped already
    return previews


class CheckForm(ShopForm):
    """Staff's "is this code valid at …?": a local instant (empty: now), and optionally a
    subtotal and a customer."""

    at = DateTimeLocalField(
        _l("Local date and time"),
        id="check-at",
        format=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"],
        validators=may_be_empty(
            _l("Please enter a local date and time, such as 2025-11-02 23:59.")
        ),
    )
    subtotal = EuroField(
        _l("Subtotal (optional)"),
        id="check-subtotal",
        validators=may_be_empty(
            _l("Please enter an amount in euros, such as 30,00, or leave it empty.")
        ),
    )
    email = EmailField(
        _l("Customer e-mail (optional)"),
        id="check-email",
        validators=may_be_empty(_l("Please enter an e-mail address, or leave it empty.")),
    )


@dataclass
class CheckAnswer:
    """The "valid at …?" check: the form as asked, and the answer when it could be given."""

    form: CheckForm
    answer: str = ""
    is_valid: bool = False


def _check(code: PromoCode, tz: ZoneInfo) -> CheckAnswer:
    """Answer "is this code valid at that time?" as `flask --app shop promo check` does."""
    if "check" not in request.args:
        return CheckAnswer(CheckForm(formdata=None))
    form = CheckForm(formdata=request.args)
    if not form.validate():
        return CheckAnswer(form)
    at = clock.now()
    if form.at.data is not None:
        wall: datetime = form.at.data
        starts_at = window_from_local(wall.date(), None, tz, start_time=wall.time()).starts_at
        assert starts_at is not None
        at = starts_at
    email = form.email.data or None
    try:
        check_code_at(
            db.session(),
            code,
            at=at,
            subtotal_cents=form.subtotal.data,
            email=normalise_email(email) if email else None,
        )
    except PromoNotApplicable as refusal:
        return CheckAnswer(form, promo_check_answer(code.display_code, at, tz, refusal))
    return CheckAnswer(form, promo_check_answer(code.display_code, at, tz, None), is_valid=True)


def _render_form(
    form: PromoForm,
    *,
    code: PromoCode | None = None,
    is_used: bool = False,
    previews: list[tuple[str, Markup]] | None = None,
    check: CheckAnswer | None = None,
    status_code: int = 200,
) -> tuple[str, int]:
    products, categories = _choices()
    tz = clock.shop_timezone()
    return (
        render_template(
            "admin/promotions/form.html",
            form=form,
            code=code,
            is_used=is_used,
            can_manage=can(Access.MANAGE),
            products=products,
            categories=categories,
            previews=previews,
            check=check,
            tz=tz,
            status_label=str(STATUS_LABELS[status(code.terms(), clock.now())]) if code else "",
        ),
        status_code,
    )


def _posted_form(
    *, own: PromoCode | None, is_used: bool = False
) -> tuple[PromoForm, PromoDraft | None]:
    """The posted form and its draft (None when something is wrong); a name another code
    has is reported with the other errors."""
    products, categories = _choices()
    form = PromoForm()
    form.known_scope = ([p.slug for p in products], [c.slug for c in categories])
    form.locked = own if is_used else None
    valid = form.validate()
    if not form.code.errors:
        # The service refuses a duplicate too (the unique index decides a race); asking here
        # only lets the message appear together with the form's other errors.
        taken_by = db.session.scalar(
            select(PromoCode.id).where(PromoCode.code == normalise_code(form.code.data or ""))
        )
        if taken_by is not None and (own is None or taken_by != own.id):
            form.code.errors = [str(DUPLICATE_CODE)]
            valid = False
    return form, form.draft() if valid else None


def _wants_preview() -> bool:
    return request.form.get("action") == "preview"


@bp.get("/promotions/new")
@requires(Access.MANAGE)
def new_promotion() -> tuple[str, int]:
    """Show the form for a new code."""
    return _render_form(PromoForm(kind=Kind.PERCENT.value, is_active=True))


@bp.post("/promotions/new")
@requires(Access.MANAGE)
def create_promotion() -> Response | tuple[str, int]:
    """Create a code (or show the banner preview of what was typed)."""
    form, draft = _posted_form(own=None)
    if draft is None:
        return _render_form(form, status_code=UNPROCESSABLE)
    if _wants_preview():
        return _render_form(form, previews=preview_banners(draft, clock.shop_timezone()))
    try:
        created = create_promo_code(db.session(), draft, now=clock.now(), actor=current_user)
    except InvalidPromoCode as invalid:
        form.add_refusal(invalid)
        return _render_form(form, status_code=UNPROCESSABLE)
    flash(_("Promo code %(code)s created.", code=created.display_code), "success")
    return redirect(url_for("admin.promotions"), code=303)


@bp.get("/promotions/<int:promo_id>")
@requires(Access.VIEW)
@read_only_view
def edit_promotion(promo_id: int) -> tuple[str, int]:
    """Show a code's form, its banner, and the answer to "is it valid at …?"."""
    code = _load(promo_id)
    tz = clock.shop_timezone()
    check = _check(code, tz)
    return _render_form(
        PromoForm.of_code(code, tz),
        code=code,
        is_used=has_been_used(db.session(), code.id),
        previews=preview_banners(code, tz) if code.is_public else None,
        check=check,
        status_code=UNPROCESSABLE if check.form.errors else 200,
    )


@bp.post("/promotions/<int:promo_id>")
@requires(Access.MANAGE)
def update_promotion(promo_id: int) -> Response | tuple[str, int]:
    """Save a code's changes; a used code keeps its kind and value."""
    code = _load(promo_id)
    is_used = has_been_used(db.session(), code.id)
    form, draft = _posted_form(own=code, is_used=is_used)
    check = CheckAnswer(CheckForm(formdata=None))
    if draft is None:
        return _render_form(
            form, code=code, is_used=is_used, check=check, status_code=UNPROCESSABLE
        )
    if _wants_preview():
        previews = preview_banners(draft, clock.shop_timezone())
        return _render_form(form, code=code, is_used=is_used, previews=previews, check=check)
    try:
        updated = update_promo_code(
            db.session(), code.id, draft, now=clock.now(), actor=current_user
        )
    except UnknownCode:
        abort(404)
    except InvalidPromoCode as invalid:
        form.add_refusal(invalid)
        code = _load(promo_id)
        is_used = has_been_used(db.session(), code.id)
        return _render_form(
            form, code=code, is_used=is_used, check=check, status_code=UNPROCESSABLE
        )
    if updated is None:
        flash(_("Nothing changed."), "info")
    else:
        flash(_("Promo code %(code)s saved.", code=updated.display_code), "success")
    return redirect(url_for("admin.promotions"), code=303)
