"""The back office's front page: what needs a staff member's attention today."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template
from sqlalchemy import func, select

from shop import clock
from shop.extensions import db
from shop.models import AgeCheckMethod, AgeCheckOutcome, Order, OrderStatus, Product
from shop.services.agegate import count_age_checks
from shop.services.disputes import open_disputes
from shop.services.payment_events import count_unreviewed
from shop.web.admin import Access, bp, requires
from shop.web.formatting import local_time

AGE_CHECK_DAYS = 30


@bp.route("/")
@requires(Access.VIEW)
def dashboard() -> str:
    """Show the orders awaiting payment, needing attention or a refund, open disputes and
    fraud warnings, payments the shop did not make, stock alerts, and the age
    verifications of the last days by method and outcome."""
    counts = dict(
        db.session.execute(select(Order.status, func.count()).group_by(Order.status)).all()
    )
    attention = db.session.scalars(
        select(Order)
        .where((Order.needs_attention.is_(True)) | (Order.needs_refund.is_(True)))
        .order_by(Order.created_at.desc())
        .limit(20)
    ).all()
    disputes = open_disputes(db.session(), now=clock.now())
    sold_out = db.session.scalars(
        select(Product).where(Product.is_active.is_(True), Product.stock <= 0).limit(20)
    ).all()
    return render_template(
        "admin/dashboard.html",
        counts=counts,
        statuses=list(OrderStatus),
        attention=attention,
        sold_out=sold_out,
        disputes=disputes,
        dispute_orders={
            order.id: order
            for order in db.session.scalars(
                select(Order).where(Order.id.in_([d.order_id for d in disputes if d.order_id]))
            )
        },
        unmatched=count_unreviewed(db.session()),
        age_checks=count_age_checks(
            db.session(), since=clock.now() - timedelta(days=AGE_CHECK_DAYS)
        ),
        age_check_days=AGE_CHECK_DAYS,
        age_check_methods=list(AgeCheckMethod),
        age_check_outcomes=list(AgeCheckOutcome),
        local_time=local_time,
    )
