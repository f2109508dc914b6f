"""Device cookies for staff sign-in: a browser that signed in before keeps its own count.

Wrong passwords count per account, from every address, so anyone who knows a staff e-mail
could keep that member out by typing wrong passwords. OWASP's answer ("Slow Down Online
Guessing Attacks with Device Cookies"): after a sign-in the browser gets a cookie, signed
with the app's secret key, naming the account (its normalised e-mail) and a random nonce.
A sign-in step that presents a valid device cookie for the account being signed in to is
counted per device (the nonce) instead of per account; a stranger's guesses never touch
that count. A device that fails too often is refused by its own limit.

Only the signature is trusted: the cookie is not secret to its browser, so it holds
nothing but the address and the nonce. A cookie older than `SHOP_STAFF_DEVICE_DAYS`, for
another account, or signed with another key is ignored, as if there were none.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from shop.rules.promotions import normalise_email

SALT = "staff-device"
SECONDS_A_DAY = 24 * 60 * 60


def _serializer() -> URLSafeTimedSerializer:
    # The keys as Flask signs its session with: fallbacks verify, the current key signs.
    keys = [*current_app.config["SECRET_KEY_FALLBACKS"], current_app.secret_key]
    return URLSafeTimedSerializer(keys, salt=SALT)


def _max_age() -> int:
    return int(current_app.config["SHOP_STAFF_DEVICE_DAYS"]) * SECONDS_A_DAY


def remember_device(response: Response, email: str) -> Response:
    """Give this browser a new device cookie for the account `email` signed in to."""
    value = _serializer().dumps({"email": normalise_email(email), "nonce": secrets.token_hex(16)})
    response.set_cookie(
        current_app.config["STAFF_DEVICE_COOKIE_NAME"],
        value,
        max_age=_max_age(),
        path="/",
        secure=current_app.config["SHOP_HTTPS"],
        httponly=True,
        samesite="Lax",
    )
    return response


def device_nonce(email: str) -> str | None:
    """The nonce of this request's device cookie when it is valid for the account `email`."""
    raw = request.cookies.get(current_app.config["STAFF_DEVICE_COOKIE_NAME"])
    if not raw or not email:
        return None
    try:
        data: Any = _serializer().loads(raw, max_age=_max_age())
    except BadSignature:  # a forged, altered or expired cookie (SignatureExpired included)
        return None
    if not isinstance(data, dict):
        return None
    nonce, owner = data.get("nonce"), data.get("email")
    if not isinstance(nonce, str) or not isinstance(owner, str):
        return None
    return nonce if owner == normalise_email(email) else None
