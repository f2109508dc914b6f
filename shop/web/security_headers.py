"""Security headers on every response, from a small hook of our own (not Flask-Talisman:
the policy needs the Stripe origins from settings and nothing else Talisman adds, and a
page of code we can read beats a dependency we would have to configure around).

The Content-Security-Policy allows scripts only from the shop and Stripe.js's origin,
frames only from Stripe, connections only to the shop and Stripe's API, and no inline
script or style at all (PCI DSS SAQ A: the payment page runs only scripts the shop chose).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask
from werkzeug.wrappers import Response


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy(config: dict) -> str:
    stripe_js = _origin(config["SHOP_STRIPE_JS_URL"])
    stripe_api = _origin(config["SHOP_STRIPE_API_BASE"])
    scripts = " ".join(filter(None, ["'self'", stripe_js]))
    frames = " ".join(filter(None, [stripe_js, "https://hooks.stripe.com"]))
    connect = " ".join(filter(None, ["'self'", stripe_api]))
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self'",
            "img-src 'self' data:",
            f"frame-src {frames}",
            f"connect-src {connect}",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), usb=(), magnetometer=(), gyroscope=(), "
    'accelerometer=(), payment=(self "https://js.stripe.com")'
)


def install(app: Flask) -> None:
    policy = content_security_policy(app.config)
    https = app.config["SHOP_HTTPS"]

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if https:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
