"""`POST /webhooks/stripe`: Stripe's events (no CSRF, no age gate; the signature is the
authentication). 400 for a bad signature with nothing written; 400 for a signed body that
is not the shape of an event, kept once as malformed for staff; 500 when processing fails,
so Stripe retries into a clean state; 200 for everything stored, duplicates included; 413
(short JSON, never a page) for a body over `SHOP_MAX_WEBHOOK_KB`, unread."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from shop import clock
from shop.extensions import db, mail, payments
from shop.models import PaymentProvider
from shop.payments import BadSignature
from shop.payments.events import MalformedEvent, raw_text
from shop.services.emails import deliver_soon
from shop.services.webhooks import receive_event, store_malformed_event
from shop.web.emails import write_email

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
log = logging.getLogger(__name__)


@bp.post("/stripe")
def stripe_events() -> tuple[Response, int]:
    """Verify, store once and apply one Stripe event."""
    payload = request.get_data(cache=False)
    gateway = payments.gateway
    try:
        event = gateway.verify_webhook(payload, request.headers.get("Stripe-Signature"))
    except BadSignature as error:
        return jsonify(error="invalid signature", detail=str(error)), 400
    except MalformedEvent as malformed:
        store_malformed_event(
            db.session(),
            malformed,
            raw_text(payload),
            provider=PaymentProvider(gateway.provider),
            now=clock.now(),
        )
        return jsonify(error="malformed event", detail=malformed.reason), 400
    try:
        outcome = receive_event(
            db.session(), event, provider=PaymentProvider(gateway.provider), now=clock.now()
        )
    except Exception:
        log.exception("payment event %s could not be processed", event.id)
        return jsonify(error="processing failed"), 500
    deliver_soon(db.session(), mail.mailer, write=write_email, now=clock.now())
    return jsonify(received=True, outcome=outcome.text), 200


@bp.errorhandler(RequestEntityTooLarge)
def event_too_large(error: RequestEntityTooLarge) -> tuple[Response, int]:
    """Refuse a body larger than any event in a few words: Stripe shows them to the owner."""
    return jsonify(error="body too large"), 413
