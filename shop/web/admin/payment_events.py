"""Payment events no order could take: events about payments this shop did not make (an
intent made in Stripe's Dashboard or by another program on the same account), and disputes
about unknown payments. Staff read the raw event and mark it reviewed (audited)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from shop import clock
from shop.extensions import db
from shop.services.payment_events import mark_reviewed, unmatched_event, unmatched_events
from shop.web.admin import Access, bp, requires
from shop.web.admin.orders import local_time, pretty_body


@bp.get("/payments/unmatched")
@requires(Access.VIEW)
def unmatched_payments() -> str:
    """List the payment events that named no order of this shop, newest first."""
    return render_template(
        "admin/payments/unmatched.html",
        events=unmatched_events(db.session(), include_reviewed=bool(request.args.get("all"))),
        local_time=local_time,
        show_all=bool(request.args.get("all")),
    )


@bp.get("/payments/unmatched/<int:event_id>")
@requires(Access.VIEW)
def unmatched_payment(event_id: int) -> str:
    """Show one such event's raw body, as received."""
    event = unmatched_event(db.session(), event_id)
    if event is None:
        abort(404)
    return render_template(
        "admin/payments/unmatched_event.html",
        event=event,
        pretty=pretty_body(event.raw_body),
        local_time=local_time,
    )


@bp.post("/payments/unmatched/<int:event_id>/reviewed")
@requires(Access.MANAGE)
def review_unmatched_payment(event_id: int) -> Response:
    """Mark such an event as looked at; the audit log keeps who and when."""
    if not mark_reviewed(
        db.session(), event_id, actor=current_user._get_current_object(), now=clock.now()
    ):
        abort(404)
    flash(_("Marked as reviewed."), "success")
    return redirect(url_for("admin.unmatched_payments"), code=303)
