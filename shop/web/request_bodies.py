"""How large a request body each kind of route may send, and how many form fields, decided
after routing and enforced before anything reads a byte of the body.

One limit for the whole app (the picture upload's 8 MB) let anyone send 7 MB of tiny form
fields to any URL, and parsing them cost a worker seconds. So the route decides:
- a GET, HEAD or OPTIONS has no body to read: a declared one is refused (413) unread;
- storefront forms (`SHOP_MAX_FORM_KB`) and back-office forms (`SHOP_MAX_ADMIN_FORM_KB`:
  an article may be 100,000 characters in each language) at most `SHOP_MAX_FORM_FIELDS`
  fields;
- the picture upload: `SHOP_MAX_UPLOAD_MB` for a multipart body of a few fields;
- a new product with its pictures (multipart): the back-office form's limit and
  `SHOP_MAX_UPLOAD_MB` for each of at most NEW_PRODUCT_MAX_PICTURES pictures;
- Stripe's webhook (`SHOP_MAX_WEBHOOK_KB`): JSON, never parsed as a form.
A declared Content-Length over the limit answers 413 before the body is touched; a body
without one (chunked) is read up to one byte past the limit, and refused if it has it. A URL
that matches no route gets the storefront form limit and nothing of its body is read.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from flask import Flask, abort, current_app, request

from shop.config import KILOBYTE, MEGABYTE, UPLOAD_FORM_ALLOWANCE

# Methods whose body a route of the shop may read; the others never carry one.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"

UPLOAD_ENDPOINTS = frozenset({"admin.product_image_upload"})
NEW_PRODUCT_ENDPOINTS = frozenset({"admin.product_create"})
# How many pictures the new-product form takes at once; more are added on the product's page.
NEW_PRODUCT_MAX_PICTURES = 3
WEBHOOK_ENDPOINTS = frozenset({"webhooks.stripe_events"})
# The picture form: the file, two alt texts, the CSRF token; room to spare, not thousands.
UPLOAD_MAX_FIELDS = 16


class BodyKind(enum.StrEnum):
    """What a request may send, by its route and method."""

    NONE = "none"  # GET, HEAD, OPTIONS: no body
    UNROUTED = "unrouted"  # no route matched: a 404 or 405 follows, the body is not read
    FORM = "form"  # a storefront form
    ADMIN_FORM = "admin_form"  # a back-office form
    UPLOAD = "upload"  # a picture upload (multipart)
    NEW_PRODUCT = "new_product"  # a new product's form with its pictures (multipart)
    WEBHOOK = "webhook"  # a payment provider's JSON event


FORM_KINDS = frozenset({BodyKind.FORM, BodyKind.ADMIN_FORM, BodyKind.UPLOAD, BodyKind.NEW_PRODUCT})


def body_kind(method: str, endpoint: str | None, blueprint: str | None, mimetype: str) -> BodyKind:
    """The kind of body this request may carry, from its method and the route it matched."""
    if method not in BODY_METHODS:
        return BodyKind.NONE
    if endpoint is None:
        return BodyKind.UNROUTED
    if endpoint in WEBHOOK_ENDPOINTS:
        return BodyKind.WEBHOOK
    if endpoint in UPLOAD_ENDPOINTS and mimetype == MULTIPART:
        # Only a multipart body is a picture; any other body there is an ordinary form.
        return BodyKind.UPLOAD
    if endpoint in NEW_PRODUCT_ENDPOINTS and mimetype == MULTIPART:
        return BodyKind.NEW_PRODUCT
    if blueprint == "admin" or (blueprint or "").startswith("admin."):
        return BodyKind.ADMIN_FORM
    return BodyKind.FORM


def body_limit(kind: BodyKind, config: Mapping[str, Any]) -> int:
    """The most bytes a body of this kind may have."""
    if kind is BodyKind.NONE:
        return 0
    if kind is BodyKind.WEBHOOK:
        return config["SHOP_MAX_WEBHOOK_KB"] * KILOBYTE
    if kind is BodyKind.UPLOAD:
        return config["SHOP_MAX_UPLOAD_MB"] * MEGABYTE + UPLOAD_FORM_ALLOWANCE
    if kind is BodyKind.ADMIN_FORM:
        return config["SHOP_MAX_ADMIN_FORM_KB"] * KILOBYTE
    if kind is BodyKind.NEW_PRODUCT:
        pictures = NEW_PRODUCT_MAX_PICTURES * config["SHOP_MAX_UPLOAD_MB"] * MEGABYTE
        return config["SHOP_MAX_ADMIN_FORM_KB"] * KILOBYTE + pictures
    return config["SHOP_MAX_FORM_KB"] * KILOBYTE


def field_limit(kind: BodyKind, config: Mapping[str, Any]) -> int:
    """The most form fields (multipart: parts) a body of this kind may have."""
    if kind is BodyKind.UPLOAD:
        return UPLOAD_MAX_FIELDS
    return config["SHOP_MAX_FORM_FIELDS"]


def current_kind() -> BodyKind:
    """The kind of body the current request may carry."""
    return body_kind(request.method, request.endpoint, request.blueprint, request.mimetype)


def reads_form() -> bool:
    """Does the current request's route read a form (so that parsing one is expected)?"""
    return current_kind() in FORM_KINDS and request.mimetype in {URLENCODED, MULTIPART}


def _urlencoded_fields(body: bytes) -> int:
    # What parse_qsl would split on; werkzeug's max_form_parts counts multipart parts only.
    return body.count(b"&") + 1 if body else 0


def limit_request_body() -> None:
    """Set this request's limits, and refuse (413) a body that declares more than them."""
    kind = current_kind()
    config = current_app.config
    limit = body_limit(kind, config)
    # Werkzeug applies these when the body is first read: the form parser, get_data(), and,
    # for a chunked body, the stream itself, cut off at the limit.
    request.max_content_length = limit
    request.max_form_parts = field_limit(kind, config)
    declared = request.content_length
    if declared is not None and declared > limit:
        abort(413)
    if kind is BodyKind.NONE or kind is BodyKind.UNROUTED:
        return
    if declared is None:
        # A chunked body: werkzeug's stream stops at the limit without a word, and a body
        # cut short would be read as if whole. Allowed one byte more, it shows it was longer.
        request.max_content_length = limit + 1
        if len(request.get_data(cache=True)) > limit:
            abort(413)
    # Counting a URL-encoded form's fields reads its body (at most `limit` bytes), which is
    # kept for the form parser.
    if (
        kind in FORM_KINDS
        and request.mimetype == URLENCODED
        and _urlencoded_fields(request.get_data(cache=True)) > field_limit(kind, config)
    ):
        abort(413)


def install(app: Flask) -> None:
    """Run `limit_request_body` before every other request hook (none may read a body first)."""
    app.before_request_funcs.setdefault(None, []).insert(0, limit_request_body)
