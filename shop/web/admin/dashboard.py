"""The back office's front page: what needs a staff member's attention today."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Order, OrderStatus, Product
from shop.web.admin import Access, bp, requires


@bp.route("/")
@requires(Access.VIEW)
def dashboard() -> str:
    """Show the orders awaiting payment, needing attention or a refund, and stock alerts."""
    counts = dict(
        db.session.execute(select(Order.status, func.count()).group_by(Order.status)).all()
    )
    attention = db.session.scalars(
        select(Order)
        .where((Order.needs_attention.is_(True)) | (Order.needs_refund.is_(True)))
        .order_by(Order.created_at.desc())
        .limit(20)
    ).all()
    sold_out = db.session.scalars(
        select(Product).where(Product.is_active.is_(True), Product.stock <= 0).limit(20)
    ).all()
    return render_template(
        "admin/dashboard.html",
        counts=counts,
        statuses=list(OrderStatus),
        attention=attention,
        sold_out=sold_out,
    )
