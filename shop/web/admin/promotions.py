"""Promo codes: the campaign list with its numbers, create and edit, the chart.

Staff type dates and times as the shop announces them: local to SHOP_TIMEZONE, the end date
included. The form turns them into a UTC window through `window_from_local`, the one place
where that happens, and shows stored windows back the same way. Money is typed in euros
("5,00" or "5.00") and parsed strictly into cents: anything else is a message, never a guess.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from shop import clock
from shop.charts import ShadedWindow, sales_chart_svg
from shop.extensions import db
from shop.models import Category, Product, PromoCode
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
    MAX_CODE_LENGTH,
    InvalidPromoCode,
    PromoDraft,
    UnknownCode,
    all_codes,
    check_code_at,
    create_promo_code,
    has_been_used,
    update_promo_code,
)
from shop.web.admin import Access, bp, can, requires, section
from shop.web.banners import Banner
from shop.web.formatting import format_local_date, format_money
from shop.web.promo_messages import staff_check_answer

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
KIND_LABELS = {Kind.PERCENT: _l("percentage"), Kind.AMOUNT: _l("fixed amount")}

MAX_PERCENT = 100
MAX_AMOUNT_CENTS = 100_000_00  # € 100.000,00: far above any real discount or minimum
MAX_LIMIT = 1_000_000_000
MAX_TITLE = 200
MAX_TEXT = 2000
MAX_EMAIL = 320

# Euros with at most two decimals, comma or point: "5", "5,5", "5,00", "5.00". No signs,
# no thousands separators ("1.000,00" is ambiguous), no exponents.
# ASCII digits only: int() would also read "٥" or "５" as a 5.
EUROS = re.compile(r"(\d{1,9})(?:[.,](\d{1,2}))?", re.ASCII)
WHOLE_NUMBER = re.compile(r"\d{1,10}", re.ASCII)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
WALL_TIME = re.compile(r"\d{2}:\d{2}(?::\d{2})?", re.ASCII)
LOCAL_INSTANT = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)", re.ASCII)

# --- parsing what staff typed --------------------------------------------------------------


def parse_euros(raw: str) -> int | None:
    """Cents from "5", "5,5", "5,00" or "5.00"; None for anything else."""
    found = EUROS.fullmatch(raw.strip())
    if found is None:
        return None
    euros, decimals = found.group(1), found.group(2) or ""
    return int(euros) * 100 + int(decimals.ljust(2, "0"))


def euros_text(cents: int) -> str:
    """Cents as staff type them, in the page's language: "5.00" or "5,00"."""
    separator = "," if str(get_locale()).startswith("nl") else "."
    return f"{cents // 100}{separator}{cents % 100:02d}"


def _parse_date(raw: str) -> date | None:
    if not ISO_DATE.fullmatch(raw):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _parse_time(raw: str) -> time | None:
    if not WALL_TIME.fullmatch(raw):
        return None
    try:
        return time.fromisoformat(raw)
    except ValueError:
        return None


def _time_text(value: time) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def _has_control_characters(text: str) -> bool:
    return any(unicodedata.category(char) in {"Cc", "Cf"} for char in text)


def local_fields(window: Window, tz: ZoneInfo) -> dict[str, str]:
    """The form's four date and time fields for a stored window (end date inclusive)."""
    values = {"starts_on": "", "starts_time": "", "ends_on": "", "ends_time": ""}
    if window.starts_at is not None:
        start = window.starts_at.astimezone(tz)
        values["starts_on"] = start.date().isoformat()
        if start.time() != time(0):
            values["starts_time"] = _time_text(start.time().replace(tzinfo=None))
    if window.ends_at is not None:
        end = window.ends_at.astimezone(tz)
        if end.time() == time(0):
            # Ends as a day begins: the day before is the last one, all of it.
            last = last_local_date(window, tz)
            values["ends_on"] = last.isoformat() if last else ""
        else:
            values["ends_on"] = end.date().isoformat()
            values["ends_time"] = _time_text(end.time().replace(tzinfo=None))
    return values


@dataclass
class PromoForm:
    """What staff typed (as typed, for showing it again), the draft made of it, the errors."""

    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    draft: PromoDraft | None = None

    @classmethod
    def blank(cls) -> PromoForm:
        values: dict[str, Any] = {
            "code": "",
            "kind": Kind.PERCENT.value,
            "value": "",
            "starts_on": "",
            "starts_time": "",
            "ends_on": "",
            "ends_time": "",
            "usage_limit": "",
            "per_customer_limit": "",
            "min_subtotal": "",
            "products": [],
            "categories": [],
            "is_active": True,
            "is_public": False,
        }
        values.update(
            {f"banner_{part}_{lang}": "" for part in ("title", "text") for lang in LANGUAGES}
        )
        return cls(values)

    @classmethod
    def from_code(cls, code: PromoCode, tz: ZoneInfo) -> PromoForm:
        kind = Kind(code.kind)
        values: dict[str, Any] = {
            "code": code.display_code,
            "kind": kind.value,
            "value": str(code.value) if kind is Kind.PERCENT else euros_text(code.value),
            **local_fields(code.window, tz),
            "usage_limit": "" if code.usage_limit is None else str(code.usage_limit),
            "per_customer_limit": (
                "" if code.per_customer_limit is None else str(code.per_customer_limit)
            ),
            "min_subtotal": (
                "" if code.min_subtotal_cents is None else euros_text(code.min_subtotal_cents)
            ),
            "products": sorted(p.slug for p in code.products),
            "categories": sorted(c.slug for c in code.categories),
            "is_active": code.is_active,
            "is_public": code.is_public,
        }
        for part in ("title", "text"):
            for lang in LANGUAGES:
                values[f"banner_{part}_{lang}"] = getattr(code, f"banner_{part}_{lang}")
        return cls(values)

    @classmethod
    def parse(
        cls,
        form: MultiDict[str, str],
        tz: ZoneInfo,
        *,
        product_slugs: Sequence[str],
        category_slugs: Sequence[str],
        locked: PromoCode | None = None,
    ) -> PromoForm:
        """Read the posted form. With `locked` (a used code) kind and value must stay as is."""

        def text(name: str, limit: int = 500) -> str:
            return form.get(name, "")[: limit + 1].strip()

        values: dict[str, Any] = {
            name: text(name)
            for name in (
                "code",
                "kind",
                "value",
                "starts_on",
                "starts_time",
                "ends_on",
                "ends_time",
                "usage_limit",
                "per_customer_limit",
                "min_subtotal",
            )
        }
        values["products"] = form.getlist("products")
        values["categories"] = form.getlist("categories")
        values["is_active"] = form.get("is_active") == "yes"
        values["is_public"] = form.get("is_public") == "yes"
        for lang in LANGUAGES:
            values[f"banner_title_{lang}"] = text(f"banner_title_{lang}", MAX_TITLE)
            values[f"banner_text_{lang}"] = text(f"banner_text_{lang}", MAX_TEXT)
        if locked is not None:
            # Disabled fields are not sent; a kind or value that is sent must be the same.
            locked_kind = Kind(locked.kind)
            locked_value = (
                str(locked.value) if locked_kind is Kind.PERCENT else euros_text(locked.value)
            )
            sent_kind, sent_value = values["kind"], values["value"]
            values["kind"], values["value"] = locked_kind.value, locked_value
            parsed = cls(values)
            parsed._check_locked(locked, sent_kind, sent_value)
        else:
            parsed = cls(values)
        parsed._build(tz, product_slugs, category_slugs, locked)
        return parsed

    def _check_locked(self, locked: PromoCode, sent_kind: str, sent_value: str) -> None:
        kind = Kind(locked.kind)
        used = _(
            "This code has been used, so its kind and value can no longer change. "
            "To offer a different discount, create a new code."
        )
        if sent_kind and sent_kind != kind.value:
            self.errors["kind"] = used
        if sent_value:
            typed = _int(sent_value) if kind is Kind.PERCENT else parse_euros(sent_value)
            if typed != locked.value:
                self.errors["value"] = used

    def _build(
        self,
        tz: ZoneInfo,
        product_slugs: Sequence[str],
        category_slugs: Sequence[str],
        locked: PromoCode | None,
    ) -> None:
        values, errors = self.values, self.errors
        code = values["code"]
        if not code:
            errors["code"] = _("Please enter the code customers will type.")
        elif (
            len(code) > MAX_CODE_LENGTH
            or len(normalise_code(code)) > MAX_CODE_LENGTH
            or _has_control_characters(code)
        ):
            errors["code"] = _(
                "Please use at most %(n)s letters, digits or signs.", n=MAX_CODE_LENGTH
            )

        kind: Kind | None = None
        try:
            kind = Kind(values["kind"])
        except ValueError:
            errors["kind"] = _("Please choose a percentage or a fixed amount.")
        value = self._value(kind) if "value" not in errors else None

        window = self._window(tz)
        usage_limit = self._limit("usage_limit")
        per_customer_limit = self._limit("per_customer_limit")
        min_subtotal = None
        if values["min_subtotal"]:
            min_subtotal = parse_euros(values["min_subtotal"])
            if min_subtotal is None or min_subtotal > MAX_AMOUNT_CENTS:
                errors["min_subtotal"] = _(
                    "Please enter an amount in euros, such as 30,00 or 30.00, or leave it empty."
                )

        unknown_products = set(values["products"]) - set(product_slugs)
        unknown_categories = set(values["categories"]) - set(category_slugs)
        if unknown_products or unknown_categories:
            errors["scope"] = _("Please choose products and categories from the lists.")

        if values["is_public"] and not values["banner_title_en"]:
            errors["banner_title_en"] = _(
                "A public code needs a banner title (at least in English)."
            )
        for lang in LANGUAGES:
            if len(values[f"banner_title_{lang}"]) > MAX_TITLE:
                errors[f"banner_title_{lang}"] = _(
                    "Please use at most %(n)s characters.", n=MAX_TITLE
                )
            if len(values[f"banner_text_{lang}"]) > MAX_TEXT:
                errors[f"banner_text_{lang}"] = _(
                    "Please use at most %(n)s characters.", n=MAX_TEXT
                )

        if errors or kind is None or value is None or window is None:
            return
        self.draft = PromoDraft(
            code=code,
            kind=kind,
            value=value,
            window=window,
            usage_limit=usage_limit,
            per_customer_limit=per_customer_limit,
            min_subtotal_cents=min_subtotal,
            product_slugs=tuple(values["products"]),
            category_slugs=tuple(values["categories"]),
            is_active=values["is_active"],
            is_public=values["is_public"],
            banner_title_en=values["banner_title_en"],
            banner_title_nl=values["banner_title_nl"],
            banner_text_en=values["banner_text_en"],
            banner_text_nl=values["banner_text_nl"],
        )

    def _value(self, kind: Kind | None) -> int | None:
        raw = self.values["value"]
        if kind is Kind.PERCENT:
            percent = _int(raw)
            if percent is None or not 1 <= percent <= MAX_PERCENT:
                self.errors["value"] = _("Please enter a whole percentage from 1 to 100.")
                return None
            return percent
        if kind is Kind.AMOUNT:
            cents = parse_euros(raw)
            if cents is None or not 0 < cents <= MAX_AMOUNT_CENTS:
                self.errors["value"] = _(
                    "Please enter an amount in euros above zero, such as 5,00 or 5.00."
                )
                return None
            return cents
        return None

    def _limit(self, name: str) -> int | None:
        raw = self.values[name]
        if not raw:
            return None
        number = _int(raw)
        if number is None or not 1 <= number <= MAX_LIMIT:
            self.errors[name] = _("Please enter a whole number of 1 or more, or leave it empty.")
            return None
        return number

    def _window(self, tz: ZoneInfo) -> Window | None:
        values, errors = self.values, self.errors
        start = _parse_date(values["starts_on"])
        if start is None:
            errors["starts_on"] = _("Please enter the first day, as YYYY-MM-DD.")
        start_time = None
        if values["starts_time"]:
            start_time = _parse_time(values["starts_time"])
            if start_time is None:
                errors["starts_time"] = _("Please enter a time as HH:MM, or leave it empty.")
        end = None
        if values["ends_on"]:
            end = _parse_date(values["ends_on"])
            if end is None:
                errors["ends_on"] = _("Please enter the last day as YYYY-MM-DD, or leave it empty.")
        end_time = None
        if values["ends_time"]:
            end_time = _parse_time(values["ends_time"])
            if end_time is None:
                errors["ends_time"] = _("Please enter a time as HH:MM, or leave it empty.")
            elif not values["ends_on"]:
                errors["ends_time"] = _("An end time needs an end date.")
        if {"starts_on", "starts_time", "ends_on", "ends_time"} & set(errors):
            return None
        if start is not None and end is not None and end < start:
            errors["ends_on"] = _("The last day is before the first day.")
            return None
        try:
            return window_from_local(start, end, tz, start_time=start_time, end_time=end_time)
        except ValueError:
            errors["ends_time" if end_time else "ends_on"] = _("The code must end after it starts.")
            return None

    def add_service_error(self, invalid: InvalidPromoCode) -> None:
        """An error the service found (a duplicate code, a used code's value, …)."""
        field_name = {"min_subtotal_cents": "min_subtotal"}.get(invalid.field, invalid.field)
        if field_name == "code" and "exists" in invalid.message:
            self.errors["code"] = str(DUPLICATE_CODE)
        else:
            self.errors[field_name] = invalid.message[:1].upper() + invalid.message[1:]


def _int(raw: str) -> int | None:
    return int(raw) if WHOLE_NUMBER.fullmatch(raw.strip()) else None


# --- showing codes ---------------------------------------------------------------------------


def _short_day(day: date) -> str:
    return format_local_date(day, "d MMM y")


def window_text(window: Window, tz: ZoneInfo) -> str:
    """ "21 Oct 2025 – 2 Nov 2025" in local time, the end date included; times when set."""
    fields = local_fields(window, tz)
    first = _short_day(date.fromisoformat(fields["starts_on"])) if fields["starts_on"] else None
    if first and fields["starts_time"]:
        first = f"{first} {fields['starts_time']}"
    last = _short_day(date.fromisoformat(fields["ends_on"])) if fields["ends_on"] else None
    if last and fields["ends_time"]:
        last = _("%(day)s until %(time)s", day=last, time=fields["ends_time"])
    return f"{first or _('open')} – {last or _('open')}"


def value_text(kind: Kind | str, value: int) -> str:
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


def preview_banners(draft: PromoDraft | PromoCode, tz: ZoneInfo) -> list[tuple[str, Markup]]:
    """The banner as `templates/_banner.html` draws it for customers, in each language."""
    window = draft.window
    kind = Kind(draft.kind)
    previews = []
    for lang in LANGUAGES:
        other = "nl" if lang == "en" else "en"
        banner = Banner(
            promo_code_id=getattr(draft, "id", 0) or 0,
            code=draft.display_code if isinstance(draft, PromoCode) else draft.code.strip(),
            title=getattr(draft, f"banner_title_{lang}") or getattr(draft, f"banner_title_{other}"),
            text=getattr(draft, f"banner_text_{lang}") or getattr(draft, f"banner_text_{other}"),
            first_date=window.starts_at.astimezone(tz).date() if window.starts_at else None,
            last_date=last_local_date(window, tz),
            percent=draft.value if kind is Kind.PERCENT else None,
            amount_cents=None if kind is Kind.PERCENT else draft.value,
        )
        with force_locale(lang):
            html = render_template("_banner.html", promo_banners=lambda b=banner: [b])
        previews.append((lang, Markup(html)))  # a rendered template: escaped already
    return previews


@dataclass
class CheckAnswer:
    """The "valid at …?" check: what was asked (as typed), the answer, or what is wrong."""

    values: dict[str, str]
    errors: dict[str, str]
    answer: str = ""
    is_valid: bool = False


def _check(code: PromoCode, args: MultiDict[str, str], tz: ZoneInfo) -> CheckAnswer | None:
    """Answer "is this code valid at that time?" as `flask --app shop promo check` does."""
    if "check" not in args:
        return None
    values = {name: args.get(name, "")[:400].strip() for name in ("at", "subtotal", "email")}
    errors: dict[str, str] = {}
    at = clock.now()
    if values["at"]:
        found = LOCAL_INSTANT.fullmatch(values["at"])
        day = _parse_date(found.group(1)) if found else None
        wall = _parse_time(found.group(2)) if found else None
        if day is None or wall is None:
            errors["at"] = _("Please enter a local date and time, such as 2025-11-02 23:59.")
        else:
            starts_at = window_from_local(day, None, tz, start_time=wall).starts_at
            assert starts_at is not None
            at = starts_at
    subtotal = None
    if values["subtotal"]:
        subtotal = parse_euros(values["subtotal"])
        if subtotal is None:
            errors["subtotal"] = _(
                "Please enter an amount in euros, such as 30,00, or leave it empty."
            )
    email = values["email"] or None
    if email and (len(email) > MAX_EMAIL or "@" not in email):
        errors["email"] = _("Please enter an e-mail address, or leave it empty.")
    if errors:
        return CheckAnswer(values, errors)
    try:
        check_code_at(
            db.session(),
            code,
            at=at,
            subtotal_cents=subtotal,
            email=normalise_email(email) if email else None,
        )
    except PromoNotApplicable as refusal:
        return CheckAnswer(values, errors, staff_check_answer(code.display_code, at, tz, refusal))
    answer = staff_check_answer(code.display_code, at, tz, None)
    return CheckAnswer(values, errors, answer, is_valid=True)


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


def _parse_posted(*, own: PromoCode | None, is_used: bool = False) -> PromoForm:
    """The posted form, read; a name another code has is reported with the other errors."""
    products, categories = _choices()
    form = PromoForm.parse(
        request.form,
        clock.shop_timezone(),
        product_slugs=[p.slug for p in products],
        category_slugs=[c.slug for c in categories],
        locked=own if is_used else None,
    )
    if "code" not in form.errors:
        # The service refuses a duplicate too (the unique index decides a race); asking here
        # only lets the message appear together with the form's other errors.
        taken_by = db.session.scalar(
            select(PromoCode.id).where(PromoCode.code == normalise_code(form.values["code"]))
        )
        if taken_by is not None and (own is None or taken_by != own.id):
            form.errors["code"] = str(DUPLICATE_CODE)
            form.draft = None
    return form


def _wants_preview() -> bool:
    return request.form.get("action") == "preview"


@bp.get("/promotions/new")
@requires(Access.VIEW)
def new_promotion() -> tuple[str, int]:
    """Show the form for a new code."""
    return _render_form(PromoForm.blank())


@bp.post("/promotions/new")
@requires(Access.MANAGE)
def create_promotion() -> Response | tuple[str, int]:
    """Create a code (or show the banner preview of what was typed)."""
    form = _parse_posted(own=None)
    if form.draft is None:
        return _render_form(form, status_code=UNPROCESSABLE)
    if _wants_preview():
        return _render_form(form, previews=preview_banners(form.draft, clock.shop_timezone()))
    try:
        created = create_promo_code(db.session(), form.draft, now=clock.now(), actor=current_user)
    except InvalidPromoCode as invalid:
        form.add_service_error(invalid)
        return _render_form(form, status_code=UNPROCESSABLE)
    flash(_("Promo code %(code)s created.", code=created.display_code), "success")
    return redirect(url_for("admin.promotions"), code=303)


@bp.get("/promotions/<int:promo_id>")
@requires(Access.VIEW)
def edit_promotion(promo_id: int) -> tuple[str, int]:
    """Show a code's form, its banner, and the answer to "is it valid at …?"."""
    code = _load(promo_id)
    tz = clock.shop_timezone()
    check = _check(code, request.args, tz)
    return _render_form(
        PromoForm.from_code(code, tz),
        code=code,
        is_used=has_been_used(db.session(), code.id),
        previews=preview_banners(code, tz) if code.is_public else None,
        check=check,
        status_code=UNPROCESSABLE if check and check.errors else 200,
    )


@bp.post("/promotions/<int:promo_id>")
@requires(Access.MANAGE)
def update_promotion(promo_id: int) -> Response | tuple[str, int]:
    """Save a code's changes; a used code keeps its kind and value."""
    code = _load(promo_id)
    is_used = has_been_used(db.session(), code.id)
    form = _parse_posted(own=code, is_used=is_used)
    if form.draft is None:
        return _render_form(form, code=code, is_used=is_used, status_code=UNPROCESSABLE)
    if _wants_preview():
        previews = preview_banners(form.draft, clock.shop_timezone())
        return _render_form(form, code=code, is_used=is_used, previews=previews)
    try:
        updated = update_promo_code(
            db.session(), code.id, form.draft, now=clock.now(), actor=current_user
        )
    except UnknownCode:
        abort(404)
    except InvalidPromoCode as invalid:
        form.add_service_error(invalid)
        code = _load(promo_id)
        is_used = has_been_used(db.session(), code.id)
        return _render_form(form, code=code, is_used=is_used, status_code=UNPROCESSABLE)
    if updated is None:
        flash(_("Nothing changed."), "info")
    else:
        flash(_("Promo code %(code)s saved.", code=updated.display_code), "success")
    return redirect(url_for("admin.promotions"), code=303)
