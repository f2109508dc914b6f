"""Orders: list, CSV export, detail, packing slip, ship, refund, cancel, clear the
attention flag.

Refunds and cancellations ask first: the form's POST answers with a page that says exactly
what will happen ("Refund €12.50 of order 2026-000012?") and only its Confirm button, which
sends `confirm=yes` with the same values, acts. Everything works without JavaScript.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from shop import clock
from shop.extensions import db, mail, payments
from shop.models import Invoice, Order, OrderStatus, PaymentAttempt, RefundStatus
from shop.rules.input import Unreadable, page_number, parse_euros
from shop.services.emails import deliver_soon
from shop.services.invoices import document_numbers, invoice_of
from shop.services.orders.export import OrderFilters, list_orders, order_csv
from shop.services.orders.fulfilment import (
    OrderActionRefused,
    OrderRefusal,
    can_ship,
    cancel_order,
    clear_attention,
    mark_shipped,
    shipping_includes_age_check,
)
from shop.services.orders.reading import order_detail, payment_event_of
from shop.services.orders.refunds import (
    RefundRefused,
    can_restock,
    refund_extra_payment,
    refund_state,
    refundable_cents,
)
from shop.services.orders.refunds import (
    refund_order as make_refund,
)
from shop.services.payments import cancel_abandoned_intents
from shop.web.admin import (
    Access,
    bp,
    current_staff,
    fresh_login_required,
    requires,
    section,
)
from shop.web.emails import write_email
from shop.web.formatting import format_money, local_time
from shop.web.forms import euros_text
from shop.web.invoices import (
    credit_note_document,
    invoice_document,
    page_response,
    pdf_response,
)
from shop.web.wording import WORDING, refusal_text

section("admin.orders", _l("Orders"), Access.VIEW)

FILTER_KEYS = ("status", "from", "to", "code", "attention", "refund", "q")
UNPROCESSABLE = 422
CONFLICT = 409


# --- reading the filters ------------------------------------------------------------------


def _date_arg(args: Mapping[str, str], key: str, errors: list[str]) -> date | None:
    raw = args.get(key, "").strip()
    if not raw:
        return None
    try:
        # Exactly YYYY-MM-DD (a date field's value): fromisoformat alone also takes week dates.
        if len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(_("“%(value)s” is not a date (YYYY-MM-DD).", value=raw[:40]))
        return None


def filters_from(args: Mapping[str, str]) -> tuple[OrderFilters, list[str]]:
    """The list's filters from the query string, and what could not be read in it."""
    errors: list[str] = []
    status = None
    if raw_status := args.get("status", ""):
        try:
            status = OrderStatus(raw_status)
        except ValueError:
            errors.append(_("Unknown status."))
    created_from = _date_arg(args, "from", errors)
    created_to = _date_arg(args, "to", errors)
    if created_from and created_to and created_from > created_to:
        errors.append(_("The first date is after the last one."))
    filters = OrderFilters(
        status=status,
        created_from=created_from,
        created_to=created_to,
        code=args.get("code", "").strip()[:64],
        needs_attention=bool(args.get("attention")),
        needs_refund=bool(args.get("refund")),
        search=args.get("q", "").strip()[:320],
    )
    return filters, errors


def _filter_args(args: Mapping[str, str]) -> dict[str, str]:
    return {key: args[key] for key in FILTER_KEYS if args.get(key)}


# --- showing times and amounts ------------------------------------------------------------


def amount_text(cents: int) -> str:
    """Cents as an amount to type back in: "12,50" in Dutch, "12.50" in English."""
    return euros_text(cents)


def _render(template: str, **context: Any) -> str:
    return render_template(
        template, local_time=local_time, zone_name=str(clock.shop_timezone()), **context
    )


# --- the list and the export --------------------------------------------------------------


@bp.get("/orders")
@requires(Access.VIEW)
def orders() -> str:
    """List the orders, filtered and paginated, newest first."""
    filters, errors = filters_from(request.args)
    page = list_orders(
        db.session(),
        filters,
        zone=clock.shop_timezone(),
        page=page_number(request.args.get("page")),
    )
    return _render(
        "admin/orders/list.html",
        page=page,
        filters=filters,
        errors=errors,
        args=request.args,
        filter_args=_filter_args(request.args),
        statuses=list(OrderStatus),
    )


@bp.get("/orders.csv")
@requires(Access.VIEW)
def orders_csv() -> Response | tuple[str, int]:
    """Download the filtered list as CSV, streamed a batch of rows at a time."""
    filters, errors = filters_from(request.args)
    if errors:
        # Dropping an unreadable filter would export more than was asked for.
        return " ".join(errors), 400
    zone = clock.shop_timezone()
    # The request's own session, held here: the rows are read while the response streams.
    rows = order_csv(db.session(), filters, zone=zone)
    stamp = clock.now().astimezone(zone).strftime("%Y%m%d-%H%M")
    return Response(
        stream_with_context(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="orders-{stamp}.csv"'},
    )


# --- one order ----------------------------------------------------------------------------


def _detail_page(order_id: int, *, status: int = 200, **forms: Any) -> tuple[str, int]:
    detail = order_detail(db.session(), order_id)
    if detail is None:
        abort(404)
    refundable = refundable_cents(detail.order)
    forms.setdefault("refund_amount", amount_text(refundable) if refundable else "")
    invoice_number, credit_note_numbers = document_numbers(db.session(), order_id)
    return (
        _render(
            "admin/orders/detail.html",
            detail=detail,
            order=detail.order,
            refundable=refundable,
            can_ship=can_ship(detail.order),
            age_check=shipping_includes_age_check(detail.order),
            can_restock=can_restock(db.session(), detail.order),
            invoice_number=invoice_number,
            credit_note_numbers=credit_note_numbers,
            forms=forms,
        ),
        status,
    )


@bp.get("/orders/<int:order_id>")
@requires(Access.VIEW)
def order(order_id: int) -> tuple[str, int]:
    """Show one order in full: lines, warnings, age check, payments, e-mails, refunds."""
    return _detail_page(order_id)


@bp.get("/orders/<int:order_id>/packing-slip")
@requires(Access.VIEW)
def packing_slip(order_id: int) -> str:
    """Show the printable packing slip: address, lines, their warnings, the ID check."""
    detail = order_detail(db.session(), order_id)
    if detail is None:
        abort(404)
    return _render(
        "admin/orders/packing_slip.html",
        order=detail.order,
        age_check=shipping_includes_age_check(detail.order),
    )


def _invoice(order_id: int) -> Invoice:
    invoice = invoice_of(db.session(), order_id)
    if invoice is None:
        abort(404)
    return invoice


@bp.get("/orders/<int:order_id>/invoice")
@requires(Access.VIEW)
def order_invoice(order_id: int) -> Response:
    """Show the order's invoice as the customer sees it, ready to print."""
    return page_response(
        invoice_document(_invoice(order_id)),
        back_url=url_for("admin.order", order_id=order_id),
        pdf_url=url_for("admin.order_invoice_pdf", order_id=order_id),
    )


@bp.get("/orders/<int:order_id>/invoice.pdf")
@requires(Access.VIEW)
def order_invoice_pdf(order_id: int) -> Response:
    """Send the order's invoice as a PDF."""
    return pdf_response(invoice_document(_invoice(order_id)))


@bp.get("/orders/<int:order_id>/credit-notes/<int:position>")
@requires(Access.VIEW)
def order_credit_note(order_id: int, position: int) -> Response:
    """Show one of the order's credit notes, ready to print."""
    return page_response(
        credit_note_document(_invoice(order_id), position),
        back_url=url_for("admin.order", order_id=order_id),
        pdf_url=url_for("admin.order_credit_note_pdf", order_id=order_id, position=position),
    )


@bp.get("/orders/<int:order_id>/credit-notes/<int:position>.pdf")
@requires(Access.VIEW)
def order_credit_note_pdf(order_id: int, position: int) -> Response:
    """Send one of the order's credit notes as a PDF."""
    return pdf_response(credit_note_document(_invoice(order_id), position))


@bp.get("/orders/<int:order_id>/events/<int:event_id>")
@requires(Access.VIEW)
def order_event(order_id: int, event_id: int) -> str:
    """Show a payment event's raw body as received, pretty-printed."""
    event = payment_event_of(db.session(), order_id, event_id)
    if event is None:
        abort(404)
    return _render(
        "admin/orders/event.html",
        event=event,
        order_id=order_id,
        pretty=pretty_body(event.raw_body),
    )


def pretty_body(raw_body: str) -> str:
    """A stored event body, indented for reading (as stored when it is not JSON)."""
    try:
        return json.dumps(json.loads(raw_body), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):  # a malformed event's body, kept as it came
        return raw_body


# --- actions --------------------------------------------------------------------------------


def _done(order_id: int, message: str) -> Response:
    # What the action queued for the customer (shipped, refunded, cancelled) goes out now;
    # a mail server that is down leaves it queued for `flask --app shop outbox send`.
    deliver_soon(db.session(), mail.mailer, write=write_email, now=clock.now(), order_id=order_id)
    flash(message, "success")
    return redirect(url_for("admin.order", order_id=order_id), code=303)


@bp.post("/orders/<int:order_id>/ship")
@requires(Access.MANAGE)
def ship_order(order_id: int) -> Response | tuple[str, int]:
    """Mark a paid order shipped, with its carrier, tracking code and each line's lot."""
    carrier = request.form.get("carrier", "")
    tracking_code = request.form.get("tracking_code", "")
    lots = lots_from(request.form)
    try:
        mark_shipped(
            db.session(),
            order_id,
            carrier=carrier,
            tracking_code=tracking_code,
            lots=lots,
            actor=current_staff(),
            now=clock.now(),
        )
    except OrderActionRefused as refusal:
        lot_errors = {}
        if refusal.reason == OrderRefusal.LOTS_INVALID:
            lot_errors = {
                line_id: WORDING[problem](refusal.params)
                for line_id, problem in refusal.params["problems"].items()
            }
        return _detail_page(
            order_id,
            status=UNPROCESSABLE,
            ship_error=refusal_text(refusal),
            carrier=carrier[:100],
            tracking_code=tracking_code[:200],
            lots={line_id: typed[:60] for line_id, typed in lots.items()},
            lot_errors=lot_errors,
        )
    return _done(order_id, _("Marked shipped."))


LOT_FIELD = "lot-"


def lots_from(form: Mapping[str, str]) -> dict[int, str]:
    """The lots typed on the ship form, by order line id (fields `lot-<line id>`)."""
    lots: dict[int, str] = {}
    for key, typed in form.items():
        line_id = key.removeprefix(LOT_FIELD)
        if (
            key.startswith(LOT_FIELD)
            and line_id.isascii()
            and line_id.isdigit()
            and len(line_id) < 13
        ):
            lots[int(line_id)] = typed[:200]
    return lots


def _confirm_page(**context: Any) -> str:
    return _render("admin/orders/confirm.html", **context)


@bp.post("/orders/<int:order_id>/refund")
@requires(Access.MANAGE)
@fresh_login_required(back_to="admin.order")
def refund_order(order_id: int) -> Response | tuple[str, int] | str:
    """Ask to confirm a refund; with `confirm=yes`, make it through the payment provider."""
    order = db.session.get(Order, order_id)
    if order is None:
        abort(404)
    typed = request.form.get("amount", "")
    restock = request.form.get("restock") == "yes" and can_restock(db.session(), order)
    reason = request.form.get("reason", "").strip()[:500]
    refundable = refundable_cents(order)

    def refused(message: str, status: int = UNPROCESSABLE) -> tuple[str, int]:
        return _detail_page(
            order_id,
            status=status,
            refund_error=message,
            refund_amount=typed[:20],
            restock=restock,
            reason=reason,
        )

    if refundable <= 0:
        return refused(_("This order has nothing left to refund."), CONFLICT)
    try:
        amount_cents = parse_euros(typed)
    except Unreadable:
        return refused(_("Type the amount in euros, like 12,50."))
    if not 0 < amount_cents <= refundable:
        return refused(
            _("The amount must be between € 0,01 and %(most)s.", most=format_money(refundable))
        )
    # Only the confirmation page's form carries what it showed; anything else is shown it.
    state = refund_state(db.session(), order)
    if request.form.get("confirm") != "yes" or "seen_state" not in request.form:
        return _confirm_page(
            title=_("Confirm the refund"),
            question=_(
                "Refund %(amount)s of order %(number)s?",
                amount=format_money(amount_cents, order.currency),
                number=order.number,
            ),
            details=[
                _("The money goes back to the customer's card; this cannot be undone."),
                _("All of the order's goods go back in stock.")
                if restock
                else _("Stock stays as it is."),
                _("Reason: %(reason)s", reason=reason) if reason else "",
            ],
            action=url_for("admin.refund_order", order_id=order_id),
            fields={
                "amount": amount_text(amount_cents),
                "restock": "yes" if restock else "",
                "reason": reason,
                "seen_state": state,
            },
            confirm_label=_("Refund %(amount)s", amount=format_money(amount_cents)),
            order=order,
        )
    # The confirmation carries the refund state it was made in. Sent twice (a double click)
    # it is one refund; made before another refund went through (a second tab) it no longer
    # says what would happen: the service refuses it and staff confirm again.
    seen_state = request.form.get("seen_state", "")[:40]
    try:
        made = make_refund(
            db.session(),
            payments.gateway,
            order_id,
            amount_cents=amount_cents,
            restock=restock,
            reason=reason,
            actor=current_staff(),
            now=clock.now(),
            seen_state=seen_state,
        )
    except RefundRefused as refusal:
        return refused(refusal_text(refusal), CONFLICT)
    return _refund_done(order_id, made.amount_cents, made.status, made.provider_refund_id)


def _refund_done(order_id: int, cents: int, status: str, provider_id: str | None) -> Response:
    amount = format_money(cents)
    if status == RefundStatus.SUCCEEDED:
        return _done(order_id, _("Refunded %(amount)s.", amount=amount))
    if provider_id is None:
        return _done(
            order_id,
            _(
                "The refund of %(amount)s is recorded, but the payment provider did not answer. "
                "It is asked again automatically (`payments reconcile`); check its status below.",
                amount=amount,
            ),
        )
    return _done(
        order_id,
        _(
            "The refund of %(amount)s is on its way: the payment provider says it is pending.",
            amount=amount,
        ),
    )


@bp.post("/orders/<int:order_id>/payments/<int:attempt_id>/refund")
@requires(Access.MANAGE)
@fresh_login_required(back_to="admin.order")
def refund_extra(order_id: int, attempt_id: int) -> Response | tuple[str, int] | str:
    """Ask to confirm; with `confirm=yes`, give back a payment that paid the order twice."""
    order = db.session.get(Order, order_id)
    attempt = db.session.get(PaymentAttempt, attempt_id)
    if order is None or attempt is None or attempt.order_id != order.id:
        abort(404)
    if request.form.get("confirm") != "yes":
        return _confirm_page(
            title=_("Confirm the refund"),
            question=_(
                "Refund the extra payment %(intent)s of %(amount)s?",
                intent=attempt.intent_id,
                amount=format_money(attempt.amount_cents, attempt.currency),
            ),
            details=[
                _("The order was already paid by another payment; this one is given back in full."),
                _("The order itself, its stock and its refunds stay as they are."),
            ],
            action=url_for("admin.refund_extra", order_id=order_id, attempt_id=attempt_id),
            fields={},
            confirm_label=_(
                "Refund %(amount)s", amount=format_money(attempt.amount_cents, attempt.currency)
            ),
            order=order,
        )
    try:
        made = refund_extra_payment(
            db.session(),
            payments.gateway,
            attempt_id,
            now=clock.now(),
            actor=current_staff(),
        )
    except RefundRefused as refusal:
        return _detail_page(
            order_id,
            status=CONFLICT,
            extra_error=refusal_text(refusal),
        )
    return _refund_done(order_id, made.amount_cents, made.status, made.provider_refund_id)


@bp.post("/orders/<int:order_id>/cancel")
@requires(Access.MANAGE)
def cancel(order_id: int) -> Response | tuple[str, int] | str:
    """Ask to confirm; with `confirm=yes`, cancel an unpaid order and give its stock back."""
    order = db.session.get(Order, order_id)
    if order is None:
        abort(404)
    if not order.is_payable:
        return _detail_page(
            order_id,
            status=CONFLICT,
            cancel_error=_("Only an order awaiting payment can be cancelled."),
        )
    if request.form.get("confirm") != "yes":
        return _confirm_page(
            title=_("Confirm the cancellation"),
            question=_("Cancel order %(number)s?", number=order.number),
            details=[
                _("Its products go back in stock and its promo code use is given back."),
                _("The customer can no longer pay for it."),
            ],
            action=url_for("admin.cancel", order_id=order_id),
            fields={},
            confirm_label=_("Cancel the order"),
            order=order,
        )
    try:
        cancel_order(db.session(), order_id, actor=current_staff(), now=clock.now())
    except OrderActionRefused as refusal:
        return _detail_page(order_id, status=CONFLICT, cancel_error=refusal_text(refusal))
    # Its open intent is canceled at Stripe now; should Stripe not answer, `payments
    # reconcile` tries again (a payment that lands meanwhile is still honoured).
    cancel_abandoned_intents(db.session(), payments.gateway, now=clock.now())
    return _done(order_id, _("Order cancelled; stock and code use given back."))


@bp.post("/orders/<int:order_id>/clear-attention")
@requires(Access.MANAGE)
def clear_order_attention(order_id: int) -> Response | tuple[str, int]:
    """Clear the "needs attention" flag, with a note saying what was done."""
    note = request.form.get("note", "")
    try:
        clear_attention(db.session(), order_id, note=note, actor=current_staff(), now=clock.now())
    except OrderActionRefused as refusal:
        return _detail_page(
            order_id, status=UNPROCESSABLE, attention_error=refusal_text(refusal), note=note[:1000]
        )
    return _done(order_id, _("The attention flag is cleared."))
