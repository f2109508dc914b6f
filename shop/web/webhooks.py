"""`POST /webhooks/stripe`: Stripe's events (no CSRF, no age gate; the signature is the
authentication). 400 for a bad signature with nothing written; 500 when processing fails,
so Stripe retries into a clean state; 200 for everything stored, duplicates included."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify, request
from werkzeug.wrappers import Response

from shop import clock
from shop.extensions import db
from shop.models import PaymentProvider
from shop.services.webhooks import BadSignature, raw_text, receive_event, verify_event
from shop.web.payment import deliver_confirmations, webhook_secrets

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
log = logging.getLogger(__name__)


@bp.post("/stripe")
def stripe_events() -> tuple[Response, int]:
    """Verify, store once and apply one Stripe event."""
    payload = request.get_data(cache=False)
    try:
        event = verify_event(payload, request.headers.get("Stripe-Signature"), webhook_secrets())
    except BadSignature as error:
        return jsonify(error="invalid signature", detail=str(error)), 400
    provider = (
        PaymentProvider.STRIPE
        if current_app.config["SHOP_STRIPE_SECRET_KEY"]
        else PaymentProvider.TEST
    )
    try:
        outcome = receive_event(
            db.session(), event, raw_text(payload), provider=provider, now=clock.now()
        )
    except Exception:
        log.exception("payment event %s could not be processed", event.get("id"))
        return jsonify(error="processing failed"), 500
    deliver_confirmations()
    return jsonify(received=True, outcome=outcome), 200
