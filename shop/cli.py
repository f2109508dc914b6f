"""`flask --app shop …` commands for operators: the demo shop, promo codes, unpaid orders,
refunds, payments, the outbox, staff accounts and recalls.

Staff think in local calendar dates in the shop's time zone (`SHOP_TIMEZONE`), so every date
typed here or printed here is local; the database keeps UTC instants. Input the shop refuses
is reported on stderr with exit status 2, and nothing is written.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import NoReturn
from zoneinfo import ZoneInfo

import click
from babel.dates import format_date
from babel.numbers import format_currency
from flask import Flask, current_app
from sqlalchemy import func, select

from shop import clock
from shop.extensions import db, mail
from shop.extensions import payments as payment_extension
from shop.rules.promotions import (
    Kind,
    PromoNotApplicable,
    Status,
    Window,
    last_local_date,
    status,
    window_from_local,
)

# Staff read these in a terminal in English; money keeps the Dutch euro notation ("€ 5,00")
# the shop's customers see, with a plain space so the output can be grepped and pasted.
CLI_LOCALE = "en"
MONEY_LOCALE = "nl_NL"


def register(app: Flask) -> None:
    from shop.quickstart import serve

    app.cli.add_command(serve)
    app.cli.add_command(seed_demo)
    app.cli.add_command(promo)
    app.cli.add_command(orders)
    app.cli.add_command(payments)
    app.cli.add_command(outbox)
    app.cli.add_command(staff)
    app.cli.add_command(recall)


def _fail(message: str) -> NoReturn:
    """Report input the shop refuses and stop with exit status 2."""
    click.echo(f"Error: {message}", err=True)
    raise click.exceptions.Exit(2)


# --- Formatting for the terminal ---------------------------------------------------------------


def _money(cents: int) -> str:
    currency = current_app.config["SHOP_CURRENCY"]
    return format_currency(Decimal(cents) / 100, currency, locale=MONEY_LOCALE).replace("\xa0", " ")


def _short_date(day: date) -> str:
    return format_date(day, "d MMM y", locale=CLI_LOCALE)


def _value(kind: Kind, value: int) -> str:
    if kind is Kind.FREE_SHIPPING:
        return "free shipping"
    return f"{value}%" if kind is Kind.PERCENT else _money(value)


def _window_text(window: Window, tz: ZoneInfo) -> str:
    """ "21 Oct 2025 – 2 Nov 2025": local dates, the end date inclusive."""
    first = _short_date(window.starts_at.astimezone(tz).date()) if window.starts_at else "open"
    last = last_local_date(window, tz)
    return f"{first} – {_short_date(last) if last else 'open'}"


def _status_text(value: Status) -> str:
    return value.value.replace("_", " ")


def _uses_text(times_used: int, usage_limit: int | None) -> str:
    return f"{times_used}/{usage_limit}" if usage_limit is not None else str(times_used)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    )


# --- seed-demo ---------------------------------------------------------------------------------


@click.command("seed-demo")
@click.option(
    "--if-empty", is_flag=True, help="Do nothing when the catalogue already has products."
)
def seed_demo(if_empty: bool) -> None:
    """Load the demo shop (idempotent: what exists by slug or code is left alone)."""
    from shop.models import Product
    from shop.services.demo import load_demo_promotions, load_demo_shop

    if if_empty and (db.session.scalar(select(func.count()).select_from(Product)) or 0) > 0:
        click.echo("The catalogue has products already; demo data not loaded.")
        return
    now = clock.now()
    report = load_demo_shop(db.session(), now=now)
    codes_added = load_demo_promotions(db.session(), now=now, tz=clock.shop_timezone())
    click.echo(
        f"Demo shop: {report.categories_added} categories and "
        f"{report.products_added} products added, {report.skipped} already there; "
        f"{codes_added} promo codes added."
    )


# --- promo -------------------------------------------------------------------------------------


@click.group("promo")
def promo() -> None:
    """Create, list and check promo codes (dates are local to SHOP_TIMEZONE)."""


def _slugs(raw: str | None) -> list[str]:
    return [slug.strip() for slug in (raw or "").split(",") if slug.strip()]


@promo.command("create", short_help="Create a code (local dates, end date inclusive).")
@click.argument("code")
@click.option("--percent", type=int, help="Percentage off, 1 to 100.")
@click.option("--amount-cents", type=int, help="Fixed amount off, in cents.")
@click.option(
    "--from",
    "from_date",
    type=click.DateTime(["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    required=True,
    help="First local date on which the code works.",
)
@click.option(
    "--until",
    "until_date",
    type=click.DateTime(["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="Last local date, inclusive: valid all that day. Omit for no end.",
)
@click.option("--limit", type=int, help="Total uses over all customers.")
@click.option("--per-customer", type=int, help="Uses per customer (by e-mail address).")
@click.option("--min-subtotal-cents", type=int, help="Minimum cart subtotal, in cents.")
@click.option("--products", help="Only these products: slugs, comma-separated.")
@click.option("--categories", help="Only these categories: slugs, comma-separated.")
@click.option("--banner-title", help="Makes the code public, with this site-wide banner.")
@click.option("--banner-text", default="", help="The banner's text.")
@click.option("--banner-title-nl", default="", help="Dutch banner title (default: the English).")
@click.option("--banner-text-nl", default="", help="Dutch banner text (default: the English).")
def promo_create(
    code: str,
    percent: int | None,
    amount_cents: int | None,
    from_date: datetime,
    until_date: datetime | None,
    limit: int | None,
    per_customer: int | None,
    min_subtotal_cents: int | None,
    products: str | None,
    categories: str | None,
    banner_title: str | None,
    banner_text: str,
    banner_title_nl: str,
    banner_text_nl: str,
) -> None:
    """Create promo code CODE, valid from --from to --until (both local dates, inclusive)."""
    from shop.services.promotions import InvalidPromoCode, PromoDraft, create_promo_code
    from shop.web.wording import in_english

    if (percent is None) == (amount_cents is None):
        _fail("give either --percent or --amount-cents")
    if banner_title is None and (banner_text or banner_title_nl or banner_text_nl):
        _fail("a banner needs --banner-title")
    if banner_title is not None and not banner_title.strip():
        _fail("--banner-title cannot be empty")
    tz = clock.shop_timezone()
    start = from_date.date()
    end = until_date.date() if until_date else None
    if end is not None and end < start:
        _fail(f"--until ({end}) is before --from ({start})")
    window = window_from_local(start, end, tz)
    kind = Kind.PERCENT if percent is not None else Kind.AMOUNT
    value = percent if percent is not None else amount_cents
    assert value is not None
    title = (banner_title or "").strip()
    text = banner_text.strip()
    draft = PromoDraft(
        code=code,
        kind=kind,
        value=value,
        window=window,
        usage_limit=limit,
        per_customer_limit=per_customer,
        min_subtotal_cents=min_subtotal_cents,
        product_slugs=_slugs(products),
        category_slugs=_slugs(categories),
        is_public=bool(title),
        banner_title_en=title,
        banner_text_en=text,
        banner_title_nl=banner_title_nl.strip() or title,
        banner_text_nl=banner_text_nl.strip() or text,
    )
    try:
        created = create_promo_code(db.session(), draft, now=clock.now())
    except InvalidPromoCode as invalid:
        _fail(f"{invalid.field}: {in_english(invalid)}")
    scope = ", ".join([p.slug for p in created.products] + [c.slug for c in created.categories])
    click.echo(
        f"Created {created.display_code}: {_value(kind, value)} off "
        f"{scope or 'the entire order'}, {_window_text(created.window, tz)} ({tz.key})"
        f"{', with a public banner' if created.is_public else ''}."
    )


@promo.command("list", short_help="Show every code with its window, status and uses.")
def promo_list() -> None:
    """Show every code: kind, value, local window (end inclusive), status and uses."""
    from shop.services.promotions import all_codes

    codes = all_codes(db.session())
    if not codes:
        click.echo("No promo codes yet.")
        return
    tz, now = clock.shop_timezone(), clock.now()
    rows = [
        [
            code.display_code,
            Kind(code.kind).value,
            _value(Kind(code.kind), code.value),
            _window_text(code.window, tz),
            _status_text(status(code.terms(), now)),
            _uses_text(code.times_used, code.usage_limit),
        ]
        for code in codes
    ]
    click.echo(_table(["CODE", "KIND", "VALUE", "WINDOW", "STATUS", "USES"], rows))


def _instant(raw: str, tz: ZoneInfo) -> datetime:
    """An ISO-8601 instant; without an offset it is a wall-clock time in the shop's zone."""
    try:
        parsed = datetime.fromisoformat(raw.strip())
    except ValueError:
        _fail(f"--at: {raw!r} is not an ISO-8601 date and time, e.g. 2025-11-02T23:59:59")
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    # Through the rules' one conversion of local wall-clock times (clock changes included).
    window = window_from_local(parsed.date(), None, tz, start_time=parsed.time())
    assert window.starts_at is not None
    return window.starts_at


@promo.command("check", short_help="Say whether a code is valid at a time, and why not.")
@click.argument("code")
@click.option("--at", "at_raw", help="ISO-8601 instant; without an offset, local time.")
@click.option("--subtotal-cents", type=int, help="Check the minimum against this subtotal.")
@click.option("--email", help="Check the per-customer limit for this customer.")
def promo_check(
    code: str, at_raw: str | None, subtotal_cents: int | None, email: str | None
) -> None:
    """Say whether CODE is valid at --at (default now) and, if not, why: exit 0 valid, 1 not."""
    from flask_babel import force_locale

    from shop.services.promotions import UnknownCode, check_code_at, find_code
    from shop.web.wording import promo_check_answer

    tz = clock.shop_timezone()
    at = _instant(at_raw, tz) if at_raw else clock.now()
    if subtotal_cents is not None and subtotal_cents < 0:
        _fail("--subtotal-cents cannot be negative")
    try:
        found = find_code(db.session(), code)
    except UnknownCode:
        _fail(f"there is no promo code {code.strip()!r}")
    # The back office's check, answered in its words: in English, with the shop's money.
    refused = None
    try:
        check_code_at(db.session(), found, at=at, subtotal_cents=subtotal_cents, email=email)
    except PromoNotApplicable as refusal:
        refused = refusal
    with force_locale(CLI_LOCALE):
        click.echo(promo_check_answer(found.display_code, at, tz, refused, money=_money))
    if refused is not None:
        raise click.exceptions.Exit(1)


# --- orders ------------------------------------------------------------------------------------


@click.group("orders")
def orders() -> None:
    """Look after orders."""


@orders.command("expire", short_help="Release unpaid orders past their hold time.")
def orders_expire() -> None:
    """Release unpaid orders past their hold time (stock and code uses go back), and cancel
    their payment intents at the provider; cron-safe."""
    from shop.services.orders.holds import expire_due_orders
    from shop.services.payments import cancel_abandoned_intents

    released = expire_due_orders(db.session(), now=clock.now())
    if released == 1:
        click.echo("Released 1 unpaid order past its hold time.")
    else:
        click.echo(f"Released {released} unpaid orders past their hold time.")
    # Also those a customer's page view released, and any an earlier run could not cancel.
    canceled = cancel_abandoned_intents(db.session(), payment_extension.gateway, now=clock.now())
    if canceled:
        click.echo(f"Canceled {canceled} payment intent(s) of released orders at the provider.")


@orders.command("refund", short_help="Refund a paid order, fully or partly.")
@click.argument("number")
@click.option("--amount-cents", type=int, help="Refund this much (default: all that is left).")
@click.option("--restock", is_flag=True, help="Put the order's products back in stock.")
@click.option("--reason", default="", help="Why, for the records.")
def orders_refund(number: str, amount_cents: int | None, restock: bool, reason: str) -> None:
    """Refund an order through the payment provider and record it."""
    from shop.models import Order
    from shop.services.orders.refunds import RefundRefused, refund_order
    from shop.web.wording import in_english

    order = db.session.scalars(select(Order).where(Order.number == number.strip())).first()
    if order is None:
        _fail(f"no order numbered {number!r}")
    try:
        refund = refund_order(
            db.session(),
            payment_extension.gateway,
            order.id,
            amount_cents=amount_cents,
            restock=restock,
            reason=reason,
            now=clock.now(),
        )
    except RefundRefused as refused:
        _fail(in_english(refused))
    if refund.provider_refund_id is None:
        click.echo(
            f"Refund of {_money(refund.amount_cents)} of order {number} recorded, but the "
            "provider did not answer; `payments reconcile` asks again."
        )
        return
    verb = "Refunded" if refund.status == "succeeded" else f"Refund ({refund.status})"
    click.echo(
        f"{verb} {_money(refund.amount_cents)} of order {number} ({refund.provider_refund_id})."
    )


@click.group("payments")
def payments() -> None:
    """Look after payments."""


@payments.command("reconcile", short_help="Catch up with the provider on what webhooks missed.")
def payments_reconcile() -> None:
    """Ask the payment provider about unpaid orders' intents (succeeded, processing, failed,
    canceled), cancel the intents of released orders, and settle pending refunds; cron-safe."""
    from shop.services.payments import reconcile_payments

    report = reconcile_payments(db.session(), payment_extension.gateway, now=clock.now())
    click.echo(f"Marked {report.paid} order(s) paid from the provider's records.")
    click.echo(f"Updated {report.intents_updated} payment intent(s) of unpaid orders.")
    click.echo(f"Canceled {report.intents_canceled} payment intent(s) of released orders.")
    click.echo(f"Updated {report.refunds_updated} pending refund(s).")


@click.group("outbox")
def outbox() -> None:
    """The e-mail outbox."""


@outbox.command("send", short_help="Send queued e-mails; retry failed ones.")
def outbox_send() -> None:
    """Send what waits in the outbox, failed e-mails included (cron-safe)."""
    from shop.services.emails import retry_failed_emails, send_pending_emails

    retried = retry_failed_emails(db.session())
    from shop.web.emails import write_email

    sent = send_pending_emails(db.session(), mail.mailer, write=write_email, now=clock.now())
    click.echo(f"Sent {sent} e-mail(s) ({retried} retried).")


@click.group("staff")
def staff() -> None:
    """Staff accounts of the back office."""


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # sys.stdin, not click.get_text_stream (deprecated in Click 8.5, gone in 9).
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@staff.command("create", short_help="Create a staff account.")
@click.argument("email")
@click.option("--role", type=click.Choice(["owner", "manager", "viewer"]), required=True)
@click.option("--name", default="", help="The staff member's name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def staff_create(email: str, role: str, name: str, password_stdin: bool) -> None:
    """Create a staff account; the password comes from a prompt or standard input."""
    from shop.services.staff import StaffError, create_staff
    from shop.web.wording import in_english

    password = _read_password(password_stdin)
    try:
        member = create_staff(db.session(), email, password, role, name=name, now=clock.now())
    except StaffError as refused:
        _fail(in_english(refused))
    click.echo(f"Created {member.role} account {member.email}.")


@staff.command("set-password", short_help="Set a staff member's password.")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def staff_set_password(email: str, password_stdin: bool) -> None:
    """Set a new password; every session of that account ends."""
    from shop.models import StaffMember
    from shop.rules.promotions import normalise_email
    from shop.services.staff import StaffError, change_password
    from shop.web.wording import in_english

    member = db.session.scalars(
        select(StaffMember).where(StaffMember.email == normalise_email(email))
    ).first()
    if member is None:
        _fail(f"no staff account {email!r}")
    password = _read_password(password_stdin)
    try:
        change_password(db.session(), member.id, password, now=clock.now(), actor=None)
    except StaffError as refused:
        _fail(in_english(refused))
    click.echo(f"Password of {member.email} changed; its sessions have ended.")


@staff.command("reset-2fa", short_help="Switch off a staff member's two-factor sign-in.")
@click.argument("email")
def staff_reset_two_factor(email: str) -> None:
    """For a lost phone (an owner's, say): switch the account's two-factor sign-in off, remove
    its recovery codes and end its sessions; an audit entry records it. Exit status 1 when
    there is no account with that e-mail address."""
    from shop.models import StaffMember
    from shop.rules.promotions import normalise_email
    from shop.services.two_factor import reset_two_factor

    member = db.session.scalars(
        select(StaffMember).where(StaffMember.email == normalise_email(email))
    ).first()
    if member is None:
        click.echo(f"Error: no staff account {email!r}; nothing changed.", err=True)
        raise click.exceptions.Exit(1)
    outcome = reset_two_factor(db.session(), member.id, now=clock.now(), actor=None)
    if outcome.was_enabled:
        click.echo(
            f"Two-factor sign-in of {outcome.email} switched off; "
            f"{outcome.recovery_codes_removed} recovery code(s) removed; its sessions have ended."
        )
    else:
        click.echo(
            f"{outcome.email} had no two-factor sign-in switched on; its sessions have ended."
        )
    click.echo(
        "At the next sign-in they set it up again "
        "(required for owners and managers when SHOP_STAFF_2FA_REQUIRED is on)."
    )


@click.command("recall", short_help="List the orders and e-mails that received a lot.")
@click.argument("lot")
@click.option("--csv", "as_csv", is_flag=True, help="Write CSV to stdout instead of a table.")
def recall(lot: str, as_csv: bool) -> None:
    """List every order that received LOT (any case; spaces around it ignored): number,
    date, customer, e-mail, product and quantity. Each run is written to the audit log, as
    the list holds customers' e-mail addresses."""
    from shop.rules.lots import InvalidLot, normalise_lot
    from shop.services.orders.recall import orders_with_lot, recall_csv, record_recall_export
    from shop.web.wording import in_english

    try:
        lot = normalise_lot(lot)
    except InvalidLot as invalid:
        _fail(in_english(invalid))
    rows = orders_with_lot(db.session(), lot)
    zone = clock.shop_timezone()
    record_recall_export(
        db.session(), None, lot, rows=len(rows), how="csv" if as_csv else "cli", now=clock.now()
    )
    if as_csv:
        click.echo(recall_csv(rows, zone=zone), nl=False)
        return
    if not rows:
        click.echo(f"No shipped order received lot {lot}.")
        return
    click.echo(
        _table(
            ("Order", "Placed", "Customer", "E-mail", "Product", "Qty"),
            [
                (
                    row.order_number,
                    row.placed_at.astimezone(zone).strftime("%Y-%m-%d"),
                    row.customer_name,
                    row.email,
                    row.product_name,
                    str(row.quantity),
                )
                for row in rows
            ],
        )
    )
    click.echo(f"{len(rows)} order line(s) received lot {lot}.")
