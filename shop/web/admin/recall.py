"""Recalls: find every order and customer e-mail that received a lot, and download the list.

Managers and owners only: the list names customers and their e-mail addresses. Looking is
not audited (the order pages are not either); each CSV download is, as an export of
personal data (`shop.services.orders.recall.record_recall_export`).
"""

from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from shop import clock
from shop.extensions import db
from shop.rules.lots import InvalidLot, normalise_lot
from shop.services.orders.recall import orders_with_lot, recall_csv, record_recall_export
from shop.web.admin import Access, bp, current_staff, requires, section
from shop.web.formatting import local_time
from shop.web.wording import refusal_text

section("admin.recall", _l("Recall"), Access.MANAGE)

BAD_REQUEST = 400


@bp.get("/recall")
@requires(Access.MANAGE)
def recall() -> tuple[str, int]:
    """Show the orders that received a lot, with a link to download them as CSV."""
    typed = request.args.get("lot", "")[:200]
    lot, error, rows = "", "", None
    if typed.strip():
        try:
            lot = normalise_lot(typed)
        except InvalidLot as invalid:
            error = refusal_text(invalid)
        else:
            rows = orders_with_lot(db.session(), lot)
    page = render_template(
        "admin/recall.html",
        typed=typed,
        lot=lot,
        error=error,
        rows=rows,
        local_time=local_time,
        zone_name=str(clock.shop_timezone()),
    )
    return page, BAD_REQUEST if error else 200


@bp.get("/recall.csv")
@requires(Access.MANAGE)
def recall_download() -> Response | tuple[str, int]:
    """Download the orders that received a lot as CSV; the download is audited."""
    try:
        lot = normalise_lot(request.args.get("lot", "")[:200])
    except InvalidLot as invalid:
        return refusal_text(invalid), BAD_REQUEST
    rows = orders_with_lot(db.session(), lot)
    now = clock.now()
    body = recall_csv(rows, zone=clock.shop_timezone())
    record_recall_export(db.session(), current_staff(), lot, rows=len(rows), how="csv", now=now)
    stamp = now.astimezone(clock.shop_timezone()).strftime("%Y%m%d-%H%M")
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="recall-{lot}-{stamp}.csv"'},
    )
