"""A strict "today's Stripe" for the tests: an HTTP proxy in front of localstripe that behaves
like the pinned API version at the boundary. It refuses what real Stripe refuses (checked
with `tests.stripe_contract`), records every request, translates what localstripe (an old
API) cannot take, answers in today's object shapes (`tests.stripe_objects`), and sends
today's webhook events, re-signed for the endpoints registered with it.

What belongs here: the peer's HTTP behaviour and the test controls on it (fault injection,
held events, simulated bank redirects). What the API accepts is the contract's business;
how objects look is the builders'.

Addresses: `<url>/shop/v1/...` is the shop (set `SHOP_STRIPE_API_BASE = peer.url + "/shop"`),
`<url>/v1/...` is anybody else (tests acting as Stripe.js, the tests' own client). Both are
checked alike; `RecordedRequest.from_shop` tells them apart.

Choices where real Stripe's exact behaviour is not written in the library:
- A refund larger than what is left of the charge: 400 `amount_too_large` (param `amount`),
  and `charge_already_refunded` when nothing is left; both are in the library's list of
  error codes (`PaymentIntent.LastPaymentError.code`).
- Idempotency as Stripe's docs describe it: the first answer of a key is replayed for the
  same endpoint and parameters (`Idempotent-Replayed: true`); other parameters or another
  endpoint → 400 of type `idempotency_error` (stripe-python raises `IdempotencyError`); the
  same key while its first request still runs → 409 `idempotency_key_in_use`. Requests
  refused before they ran (authentication, contract, injected faults) store nothing.
- `processing` stays null while a redirect payment is processing: today's
  `PaymentIntent.Processing.type` knows only `card`.
- A confirm with `payment_method_data[type]` a redirect method (iDEAL, as Stripe.js's Payment
  Element sends it) answers `requires_action` with `next_action.redirect_to_url` leading to
  the peer's test bank page, `<url>/_bank/<intent>?return_url=...`, in place of the bank's:
  Authorize there is `bank_processing`, Fail is `bank_fails`, and both go back to
  `return_url` with the parameters Stripe adds. No `payment_intent.requires_action` event:
  the shop's endpoint does not subscribe to it. Other `payment_method_data` types are refused
  (`payment_method_unsupported_type`): the peer does not simulate them.
"""

from __future__ import annotations

import html
import json
import queue
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
import stripe
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from tests import stripe_objects
from tests.stripe_contract import (
    PINNED_API_VERSION,
    canonical,
    decode_form,
    encode_form,
    endpoint_for,
    problems,
)

PEER_SECRET_KEY = "sk_test_strict_peer"
TEST_CARD = "4242424242424242"

# What localstripe 1.15.10 takes per endpoint; everything else that passed the contract is
# remembered by the peer (and echoed where today's object has the field).
LOCALSTRIPE_TAKES: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/v1/payment_intents"): frozenset(
        {
            "amount",
            "currency",
            "customer",
            "payment_method",
            "metadata",
            "capture_method",
            "payment_method_options",
            "confirm",
            "off_session",
        }
    ),
    ("POST", "/v1/payment_intents/{id}"): frozenset(
        {"amount", "currency", "customer", "payment_method", "metadata", "capture_method"}
    ),
    ("POST", "/v1/refunds"): frozenset({"charge", "payment_intent", "amount", "metadata"}),
    ("GET", "/v1/refunds"): frozenset({"charge", "payment_intent", "limit", "starting_after"}),
    ("POST", "/v1/payment_methods"): frozenset(
        {"type", "billing_details", "card", "sepa_debit", "metadata"}
    ),
}

# Remembered intent parameters that today's PaymentIntent shows as fields of its own.
ECHOED_INTENT_FIELDS = frozenset(
    {
        "description",
        "receipt_email",
        "statement_descriptor",
        "statement_descriptor_suffix",
        "setup_future_usage",
        "transfer_group",
    }
)

# Parameters the peer interprets itself rather than remembering them.
_STRUCTURAL = frozenset({"expand", "automatic_payment_methods", "allowed_payment_method_types"})

# Calls Stripe.js makes with the publishable key (`key=pk_...`) instead of a secret key, and
# the parameters only Stripe.js sends.
PUBLISHABLE_ENDPOINTS = frozenset(
    {
        ("POST", "/v1/payment_methods"),
        ("GET", "/v1/payment_intents/{id}"),
        ("POST", "/v1/payment_intents/{id}/confirm"),
    }
)
STRIPE_JS_PARAMETERS = frozenset({"key", "payment_user_agent", "referrer", "client_secret"})

# Payment methods that send the customer to their bank and back (the peer's bank page).
REDIRECT_METHODS = frozenset({"ideal", "bancontact", "eps"})


@dataclass
class RecordedRequest:
    """One API request the peer received, and what it answered."""

    method: str
    path: str  # the API path, `/v1/...`, also for the shop's `/shop/v1/...`
    from_shop: bool
    params: dict[str, Any]
    headers: dict[str, str]
    idempotency_key: str | None
    request_id: str
    status: int = 0
    problems: list[str] = field(default_factory=list)
    replayed: bool = False
    publishable: bool = False
    answer: Any = None


@dataclass
class Delivery:
    """One POST of an event to a registered endpoint: `status` is None when it failed to
    connect (then `error` says why)."""

    event_id: str
    type: str
    url: str
    status: int | None
    error: str | None
    body: bytes
    redelivery: bool = False


@dataclass
class _Registration:
    url: str
    secret: str
    events: list[str] | None


@dataclass
class _IntentState:
    allowed_payment_method_types: list[str] | None = None
    automatic_payment_methods: dict[str, Any] | None = None
    remembered: dict[str, Any] = field(default_factory=dict)
    cancellation_reason: str | None = None
    canceled_at: int | None = None
    redirect_method: str | None = None
    redirect_payment_method: str | None = None
    next_action: dict[str, Any] | None = None
    settled_by_redirect: bool = False
    status_override: str | None = None
    error_override: dict[str, Any] | None = None
    request: tuple[str | None, str | None] = (None, None)


@dataclass
class _RefundState:
    status: str
    charge: str
    payment_intent: str | None
    amount: int
    remembered: dict[str, Any] = field(default_factory=dict)
    failure_reason: str | None = None


@dataclass
class _Fault:
    status: int
    code: str
    message: str
    remaining: int
    only_shop: bool
    should_retry: bool | None


@dataclass
class _Stored:
    method: str
    path: str
    fingerprint: str
    request_id: str
    done: bool = False
    status: int = 0
    body: Any = None


Answer = tuple[int, Any]


def _error(
    status: int,
    code: str | None,
    message: str,
    *,
    param: str | None = None,
    type: str = "invalid_request_error",
    **extra: Any,
) -> Answer:
    error: dict[str, Any] = {"type": type, "message": message}
    if code is not None:
        error["code"] = code
    if param is not None:
        error["param"] = param
    error.update(extra)
    return status, {"error": error}


def _pick(params: Mapping[str, Any], names: frozenset[str]) -> dict[str, Any]:
    return {key: value for key, value in params.items() if key in names}


def _expand(params: Mapping[str, Any]) -> list[str]:
    expand = params.get("expand") or []
    return [str(item) for item in expand] if isinstance(expand, list) else [str(expand)]


def _with_query(url: str, extra: Mapping[str, str]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(extra.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


class _QuietHandler(WSGIRequestHandler):
    """No access log line per request: the peer answers hundreds in a run."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class StrictStripe:
    """The peer. Start it with `running_strict_stripe`; the attributes below are the tests'
    controls, the lists are what happened."""

    def __init__(self, localstripe_url: str) -> None:
        self.localstripe_url = localstripe_url.rstrip("/")
        self.url = ""
        self.requests: list[RecordedRequest] = []
        self.deliveries: list[Delivery] = []
        self.events: list[dict[str, Any]] = []
        # Controls.
        self.delay_seconds = 0.0
        self.events_before_answer = False
        self.settle_after_seconds: float | None = None
        self.event_delay_seconds = 0.2
        self.delivery_timeout = 10.0
        self.new_refund_status = "succeeded"
        self.dashboard_payment_method_types: tuple[str, ...] = ("card", "ideal")
        # State.
        self._lock = threading.RLock()
        self._refund_lock = threading.Lock()
        self._settle_lock = threading.Lock()
        self._registrations: dict[str, _Registration] = {}
        self._intents: dict[str, _IntentState] = {}
        self._refunds: dict[str, _RefundState] = {}
        self._idempotent: dict[tuple[str, str], _Stored] = {}
        self._faults: list[_Fault] = []
        self._holding = False
        self._held: list[dict[str, Any]] = []
        self._card_last4: dict[str, str] = {}
        self._timers: list[threading.Timer] = []
        self._queue: queue.Queue[tuple[float, dict[str, Any]] | None] = queue.Queue()
        self._stopping = threading.Event()
        self._inbound_secret = "whsec_" + secrets.token_hex(16)
        self._upstream = requests.Session()
        self._outbound = requests.Session()
        self._handlers: dict[tuple[str, str], Callable[..., Answer]] = {
            ("POST", "/v1/payment_intents"): self._create_intent,
            ("GET", "/v1/payment_intents/{id}"): self._retrieve_intent,
            ("POST", "/v1/payment_intents/{id}"): self._update_intent,
            ("POST", "/v1/payment_intents/{id}/confirm"): self._confirm_intent,
            ("POST", "/v1/payment_intents/{id}/cancel"): self._cancel_intent,
            ("POST", "/v1/refunds"): self._create_refund,
            ("GET", "/v1/refunds/{id}"): self._retrieve_refund,
            ("GET", "/v1/refunds"): self._list_refunds,
            ("POST", "/v1/payment_methods"): self._create_payment_method,
            ("GET", "/v1/charges/{id}"): self._retrieve_charge,
        }

    # --- lifecycle ------------------------------------------------------------------

    def start(self) -> None:
        self._server = make_server(
            "127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_QuietHandler
        )
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._server_thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._server_thread.start()
        self._worker = threading.Thread(target=self._work, daemon=True)
        self._worker.start()
        # localstripe's own events come to the peer, which reshapes and re-sends them.
        response = self._upstream.post(
            f"{self.localstripe_url}/_config/webhooks/strict-peer-{secrets.token_hex(4)}",
            data={"url": f"{self.url}/_inbound/localstripe", "secret": self._inbound_secret},
            timeout=5,
        )
        response.raise_for_status()

    def close(self) -> None:
        self._stopping.set()
        with self._lock:
            for timer in self._timers:
                timer.cancel()
        self._queue.put(None)
        self._worker.join(timeout=5)
        self._server.shutdown()
        self._server_thread.join(timeout=5)
        self._server.server_close()
        self._upstream.close()
        self._outbound.close()

    # --- what happened ----------------------------------------------------------------

    def shop_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [request for request in self.requests if request.from_shop]

    def delivered(self, type: str | None = None) -> list[Delivery]:
        """Deliveries so far, of one event type if given."""
        with self._lock:
            return [d for d in self.deliveries if type is None or d.type == type]

    def reset_controls(self) -> None:
        """Back to the defaults: no delay, no faults, events after answers and not held."""
        with self._lock:
            self.delay_seconds = 0.0
            self.events_before_answer = False
            self.settle_after_seconds = None
            self.new_refund_status = "succeeded"
            self._faults.clear()
        if self._holding:
            self.release_events()

    def clear_records(self) -> None:
        """Forget recorded requests, events and deliveries (not the objects' state)."""
        with self._lock:
            self.requests.clear()
            self.deliveries.clear()
            self.events.clear()

    def remembered(self, intent_id: str) -> dict[str, Any]:
        """The parameters of an intent the peer kept because localstripe cannot take them."""
        with self._lock:
            return dict(self._intent_state(intent_id).remembered)

    def intent(self, intent_id: str) -> dict[str, Any]:
        """The intent as today's API shows it now."""
        status, body = self._ls("GET", f"/v1/payment_intents/{intent_id}")
        if status != 200:
            raise LookupError(f"no payment intent {intent_id}: {body}")
        return self._intent_answer(body)

    # --- test controls ------------------------------------------------------------------

    def fail_next(
        self,
        status: int = 500,
        code: str = "api_error",
        times: int = 1,
        *,
        message: str = "An unexpected error occurred (injected by the test).",
        only_shop: bool = True,
        should_retry: bool | None = None,
    ) -> None:
        """Answer the next `times` API requests (the shop's only, unless told) with this
        error instead of running them. stripe-python retries 409, 429 and 5xx by itself
        (`max_network_retries`) unless `should_retry` is False."""
        with self._lock:
            self._faults.append(_Fault(status, code, message, times, only_shop, should_retry))

    def hold_events(self) -> None:
        """Queue events from now on instead of delivering them."""
        with self._lock:
            self._holding = True

    def release_events(self) -> list[Delivery]:
        """Deliver the held events, in order, now; stop holding."""
        with self._lock:
            self._holding = False
            held, self._held = self._held, []
        return [delivery for event in held for delivery in self._deliver(event)]

    def redeliver(self, event_id: str) -> list[Delivery]:
        """Send one event again to every registered endpoint (Stripe's retry), now."""
        with self._lock:
            matches = [event for event in self.events if event["id"] == event_id]
        if not matches:
            raise LookupError(f"no event {event_id}")
        return self._deliver(matches[-1], redelivery=True)

    def emit(self, type: str, obj: Mapping[str, Any]) -> dict[str, Any]:
        """Send an event the peer would not make itself (a dispute, a fraud warning), now."""
        return self._emit(type, obj, sync=True)

    def update_refund(
        self, refund_id: str, status: str, failure_reason: str | None = None
    ) -> dict[str, Any]:
        """A refund's status changes later (pending → succeeded, or failed): `refund.updated`
        (and `refund.failed`) are sent; a failed or canceled refund gives its amount back to
        the charge's refundable amount."""
        status_code, body = self._ls("GET", f"/v1/refunds/{refund_id}")
        if status_code != 200:
            raise LookupError(f"no refund {refund_id}")
        with self._lock:
            state = self._refunds[refund_id]
            previous = state.status
            state.status = status
            state.failure_reason = failure_reason
        answer = self._refund_answer(body)
        self._emit("refund.updated", answer, previous_attributes={"status": previous})
        if status == "failed":
            self._emit("refund.failed", answer)
        return answer

    # --- simulated redirect payments (localstripe has no iDEAL) -------------------------

    def start_redirect(self, intent_id: str, method: str = "ideal") -> dict[str, Any]:
        """The customer pays `intent_id` with a redirect method; its status stays what
        localstripe says until the bank acts."""
        current = self._ls_intent(intent_id)
        with self._lock:
            state = self._intent_state(intent_id)
            allowed = state.allowed_payment_method_types
            if allowed is not None and method not in allowed:
                raise ValueError(f"{method} is not among the intent's {allowed}")
            state.redirect_method = method
            state.settled_by_redirect = False
            state.status_override = None
            state.error_override = None
            state.next_action = None
        return self._intent_answer(current)

    def bank_processing(self, intent_id: str) -> dict[str, Any]:
        """The bank took the authorisation: `processing`, and a `payment_intent.processing`
        event. Settles after `settle_after_seconds` when that is set."""
        current = self._ls_intent(intent_id)
        if current["status"] not in ("requires_payment_method", "requires_confirmation"):
            raise ValueError(f"{intent_id} is {current['status']}: nothing to process")
        with self._lock:
            state = self._intent_state(intent_id)
            state.redirect_method = state.redirect_method or "ideal"
            state.status_override = "processing"
            state.error_override = None
            state.next_action = None
        answer = self._intent_answer(current)
        self._emit("payment_intent.processing", answer)
        if self.settle_after_seconds is not None:
            timer = threading.Timer(self.settle_after_seconds, self._settle_later, (intent_id,))
            timer.daemon = True
            with self._lock:
                self._timers.append(timer)
            timer.start()
        return answer

    def bank_settles(self, intent_id: str) -> dict[str, Any]:
        """The money arrived: the intent is confirmed at localstripe with a test card behind
        the scenes (so refunds work), and localstripe's `payment_intent.succeeded` goes out
        reshaped, naming the redirect method."""
        with self._settle_lock:
            current = self._ls_intent(intent_id)
            with self._lock:
                state = self._intent_state(intent_id)
                if state.settled_by_redirect and current["status"] == "succeeded":
                    return self._intent_answer(current)
                state.redirect_method = state.redirect_method or "ideal"
                # Set before confirming: localstripe's event must read as the redirect's.
                state.settled_by_redirect = True
                state.request = (None, None)
            try:
                if current["status"] == "requires_payment_method":
                    method = self._ls_ok(
                        "POST",
                        "/v1/payment_methods",
                        {
                            "type": "card",
                            "card": {
                                "number": TEST_CARD,
                                "exp_month": 12,
                                "exp_year": 2030,
                                "cvc": "123",
                            },
                        },
                    )
                    self._ls_ok(
                        "POST", f"/v1/payment_intents/{intent_id}", {"payment_method": method["id"]}
                    )
                confirmed = self._ls_ok("POST", f"/v1/payment_intents/{intent_id}/confirm")
            except Exception:
                with self._lock:
                    state.settled_by_redirect = False
                raise
            with self._lock:
                state.status_override = None
                state.error_override = None
                state.next_action = None
        return self._intent_answer(confirmed)

    def bank_fails(
        self,
        intent_id: str,
        message: str = "The customer did not authorize the payment at their bank.",
    ) -> dict[str, Any]:
        """The bank refused: `requires_payment_method` with a `last_payment_error` of the
        redirect method, and a `payment_intent.payment_failed` event."""
        current = self._ls_intent(intent_id)
        with self._lock:
            state = self._intent_state(intent_id)
            method = state.redirect_method = state.redirect_method or "ideal"
            state.status_override = "requires_payment_method"
            state.next_action = None
            state.error_override = {
                "type": "invalid_request_error",
                "code": "payment_method_provider_decline",
                "doc_url": "https://stripe.com/docs/error-codes/payment-method-provider-decline",
                "message": message,
                "payment_method_type": method,
            }
        answer = self._intent_answer(current)
        self._emit("payment_intent.payment_failed", answer)
        return answer

    def _settle_later(self, intent_id: str) -> None:
        if self._stopping.is_set():
            return
        # An intent canceled or failed meanwhile simply does not settle.
        with suppress(ValueError, LookupError, RuntimeError):
            self.bank_settles(intent_id)

    # --- HTTP -------------------------------------------------------------------------

    def _wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        response = self._route(request)
        response.headers.setdefault("Request-Id", stripe_objects.new_id("req_"))
        origin = request.headers.get("Origin")
        if origin:
            # Stripe's API answers browsers (Stripe.js) from any origin.
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS, DELETE"
        return response(environ, start_response)

    def _route(self, request: Request) -> Response:
        path = request.path
        if request.method == "OPTIONS":
            return Response(status=204)
        if path.startswith("/shop/v1/"):
            return self._api(request, from_shop=True, api_path=path[len("/shop") :])
        if path.startswith("/v1/"):
            return self._api(request, from_shop=False, api_path=path)
        if path.startswith("/_config/webhooks/"):
            return self._configure_webhook(request, path.rsplit("/", 1)[-1])
        if path == "/_inbound/localstripe" and request.method == "POST":
            return self._inbound(request)
        if path.startswith("/_bank/"):
            return self._bank_page(request, path.rsplit("/", 1)[-1])
        if path.startswith("/js.stripe.com/") and request.method == "GET":
            upstream = self._upstream.get(self.localstripe_url + path, timeout=5)
            return Response(
                upstream.content,
                status=upstream.status_code,
                content_type=upstream.headers.get("Content-Type"),
            )
        return self._json(*_error(404, None, f"Unrecognized request URL: {path}"))

    def _json(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
        response = Response(
            json.dumps(body, indent=2, sort_keys=True) + "\n",
            status=status,
            content_type="application/json",
        )
        response.headers["Stripe-Version"] = PINNED_API_VERSION
        for name, value in (headers or {}).items():
            response.headers[name] = value
        return response

    def _api(self, request: Request, *, from_shop: bool, api_path: str) -> Response:
        params = decode_form(request.query_string)
        if request.method == "POST":
            params.update(decode_form(request.get_data()))
        record = RecordedRequest(
            method=request.method,
            path=api_path,
            from_shop=from_shop,
            params=params,
            headers=dict(request.headers),
            idempotency_key=request.headers.get("Idempotency-Key"),
            request_id=stripe_objects.new_id("req_"),
        )
        with self._lock:
            self.requests.append(record)
        extra: dict[str, str] = {"Request-Id": record.request_id}
        status, body = self._execute(record, request, extra)
        record.status, record.answer = status, body
        if from_shop and self.delay_seconds:
            # After running, before answering: the shop times out on a call that happened,
            # which is what a slow network does.
            time.sleep(self.delay_seconds)
        if record.idempotency_key:
            extra.setdefault("Idempotency-Key", record.idempotency_key)
        return self._json(status, body, extra)

    def _execute(self, record: RecordedRequest, request: Request, extra: dict[str, str]) -> Answer:
        endpoint = endpoint_for(record.method, record.path)
        params = dict(record.params)
        authorization = request.headers.get("Authorization", "")
        secret = authorization.removeprefix("Bearer ")
        if not (authorization.startswith("Bearer sk_") and len(secret) > 3):
            key = params.get("key")
            publishable = (
                not authorization
                and isinstance(key, str)
                and key.startswith("pk_")
                and endpoint is not None
                and (endpoint.method, endpoint.pattern) in PUBLISHABLE_ENDPOINTS
            )
            if not publishable:
                return _error(
                    401,
                    None,
                    "You did not provide an API key: send `Authorization: Bearer sk_...`.",
                )
            record.publishable = True
            secret = str(key)
            params = {k: v for k, v in params.items() if k not in STRIPE_JS_PARAMETERS}
        fault = self._take_fault(record.from_shop)
        if fault is not None:
            if fault.should_retry is not None:
                extra["Stripe-Should-Retry"] = "true" if fault.should_retry else "false"
            kind = "api_error" if fault.status >= 500 else "invalid_request_error"
            return _error(fault.status, fault.code, fault.message, type=kind)
        found = problems(record.method, record.path, params, record.headers)
        if found:
            record.problems = list(found)
            first = found[0]
            return _error(first.status, first.code, str(first), param=first.param)
        assert endpoint is not None
        handler = self._handlers[(endpoint.method, endpoint.pattern)]
        run = partial(handler, record, endpoint.path_args.get("id"), params)
        if record.method != "POST" or not record.idempotency_key:
            return run()
        return self._idempotently(record, secret, params, run, extra)

    def _take_fault(self, from_shop: bool) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.only_shop and not from_shop:
                    continue
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _idempotently(
        self,
        record: RecordedRequest,
        secret: str,
        params: Mapping[str, Any],
        run: Callable[[], Answer],
        extra: dict[str, str],
    ) -> Answer:
        assert record.idempotency_key is not None
        scope = (secret, record.idempotency_key)
        fingerprint = canonical(params)
        with self._lock:
            stored = self._idempotent.get(scope)
            if stored is None:
                self._idempotent[scope] = stored = _Stored(
                    record.method, record.path, fingerprint, record.request_id
                )
                mine = True
            else:
                mine = False
        if not mine:
            if not stored.done:
                return _error(
                    409,
                    "idempotency_key_in_use",
                    "There is currently another in-progress request using this "
                    f"Idempotency-Key ({record.idempotency_key}); retry later.",
                )
            if (stored.method, stored.path, stored.fingerprint) != (
                record.method,
                record.path,
                fingerprint,
            ):
                return _error(
                    400,
                    None,
                    "Keys for idempotent requests can only be used with the same parameters "
                    "they were first used with. Try using a key other than "
                    f"'{record.idempotency_key}' if you meant to execute a different request.",
                    type="idempotency_error",
                )
            record.replayed = True
            extra["Idempotent-Replayed"] = "true"
            extra["Original-Request"] = stored.request_id
            return stored.status, stored.body
        try:
            status, body = run()
        except BaseException:
            with self._lock:
                del self._idempotent[scope]
            raise
        with self._lock:
            stored.status, stored.body, stored.done = status, body, True
        return status, body

    # --- localstripe --------------------------------------------------------------------

    def _ls(self, method: str, path: str, params: Mapping[str, Any] | None = None) -> Answer:
        url = self.localstripe_url + path
        headers = {"Authorization": f"Bearer {PEER_SECRET_KEY}"}
        if method == "GET":
            query = encode_form(params or {})
            response = self._upstream.get(url + ("?" + query if query else ""), headers=headers)
        else:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            response = self._upstream.post(url, data=encode_form(params or {}), headers=headers)
        try:
            body = response.json()
        except ValueError:
            body = {"error": {"type": "api_error", "message": response.text[:500]}}
        return response.status_code, body

    def _ls_ok(
        self, method: str, path: str, params: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        status, body = self._ls(method, path, params)
        if status != 200:
            raise RuntimeError(f"localstripe {method} {path}: {status} {body}")
        return body

    def _ls_intent(self, intent_id: str) -> dict[str, Any]:
        status, body = self._ls("GET", f"/v1/payment_intents/{intent_id}")
        if status != 200:
            raise LookupError(f"no payment intent {intent_id}")
        return body

    def _upstream_error(
        self, status: int, body: Any, *, kind: str, object_id: str | None = None
    ) -> Answer:
        error = body.get("error") if isinstance(body, dict) else None
        error = error if isinstance(error, dict) else {}
        message = str(error.get("message") or "error")
        if status == 404:
            return _error(404, "resource_missing", f"No such {kind}: '{object_id}'", param="id")
        if status == 402:
            code = error.get("code") or "card_declined"
            extra: dict[str, Any] = {"decline_code": "generic_decline"}
            if error.get("charge"):
                extra["charge"] = error["charge"]
            if kind == "payment_intent" and object_id:
                extra["payment_intent"] = self.intent(object_id)
            return _error(402, code, message, type="card_error", **extra)
        if status >= 500:
            return _error(status, None, f"localstripe: {message}", type="api_error")
        return _error(status, None, f"localstripe: {message}")

    # --- payment intents --------------------------------------------------------------

    def _intent_state(self, intent_id: str) -> _IntentState:
        with self._lock:
            return self._intents.setdefault(intent_id, _IntentState())

    @staticmethod
    def _remember(params: Mapping[str, Any], forwarded: Mapping[str, Any]) -> dict[str, Any]:
        return {
            key: value
            for key, value in params.items()
            if key not in forwarded and key not in _STRUCTURAL
        }

    def _create_intent(self, record: RecordedRequest, _: None, params: dict[str, Any]) -> Answer:
        forward = _pick(params, LOCALSTRIPE_TAKES[("POST", "/v1/payment_intents")])
        status, body = self._ls("POST", "/v1/payment_intents", forward)
        if status != 200:
            return self._upstream_error(status, body, kind="payment_intent")
        state = _IntentState(
            allowed_payment_method_types=params.get("allowed_payment_method_types"),
            automatic_payment_methods=params.get("automatic_payment_methods"),
            remembered=self._remember(params, forward),
        )
        if str(params.get("confirm")).lower() == "true":
            state.request = (record.request_id, record.idempotency_key)
        with self._lock:
            self._intents[body["id"]] = state
        return 200, self._intent_answer(body, _expand(params))

    def _retrieve_intent(
        self, record: RecordedRequest, intent_id: str, params: dict[str, Any]
    ) -> Answer:
        status, body = self._ls("GET", f"/v1/payment_intents/{intent_id}")
        if status != 200:
            return self._upstream_error(status, body, kind="payment_intent", object_id=intent_id)
        if record.publishable and record.params.get("client_secret") != body["client_secret"]:
            return _error(404, "resource_missing", f"No such payment_intent: '{intent_id}'")
        return 200, self._intent_answer(body, _expand(params))

    def _update_intent(
        self, record: RecordedRequest, intent_id: str, params: dict[str, Any]
    ) -> Answer:
        forward = _pick(params, LOCALSTRIPE_TAKES[("POST", "/v1/payment_intents/{id}")])
        path = f"/v1/payment_intents/{intent_id}"
        status, body = self._ls("POST", path, forward) if forward else self._ls("GET", path)
        if status != 200:
            return self._upstream_error(status, body, kind="payment_intent", object_id=intent_id)
        with self._lock:
            state = self._intent_state(intent_id)
            if "allowed_payment_method_types" in params:
                state.allowed_payment_method_types = params["allowed_payment_method_types"]
                state.automatic_payment_methods = None
            state.remembered.update(self._remember(params, forward))
            if "payment_method" in params:
                # A new payment method: a former bank attempt no longer speaks for the intent.
                state.status_override = state.error_override = state.next_action = None
                state.redirect_method = state.redirect_payment_method = None
        return 200, self._intent_answer(body, _expand(params))

    def _confirm_intent(
        self, record: RecordedRequest, intent_id: str, params: dict[str, Any]
    ) -> Answer:
        path = f"/v1/payment_intents/{intent_id}"
        status, current = self._ls("GET", path)
        if status != 200:
            return self._upstream_error(status, current, kind="payment_intent", object_id=intent_id)
        if record.publishable and record.params.get("client_secret") != current["client_secret"]:
            return _error(404, "resource_missing", f"No such payment_intent: '{intent_id}'")
        state = self._intent_state(intent_id)
        if state.status_override == "processing":
            return self._unexpected_state("confirm", intent_id, "processing")
        method_data = params.get("payment_method_data")
        if isinstance(method_data, dict) and "payment_method" not in params:
            return self._confirm_with_method_data(record, current, method_data, params)
        if "payment_method" in params:
            # localstripe answers "Not implemented" to confirm(payment_method=...): attach
            # first, as Stripe does within the one call.
            status, body = self._ls("POST", path, {"payment_method": params["payment_method"]})
            if status != 200:
                return self._upstream_error(status, body, kind="payment_method")
        with self._lock:
            state.remembered.update(self._remember(params, {"payment_method": None}))
            state.request = (record.request_id, record.idempotency_key)
            state.status_override = state.error_override = state.next_action = None
            if "payment_method" in params:
                state.redirect_method = state.redirect_payment_method = None
        status, body = self._ls("POST", f"{path}/confirm")
        if status == 400:
            _, now = self._ls("GET", path)
            return self._unexpected_state("confirm", intent_id, str(now.get("status")))
        if status != 200:
            return self._upstream_error(status, body, kind="payment_intent", object_id=intent_id)
        return 200, self._intent_answer(body, _expand(params))

    def _confirm_with_method_data(
        self,
        record: RecordedRequest,
        current: Mapping[str, Any],
        method_data: Mapping[str, Any],
        params: dict[str, Any],
    ) -> Answer:
        """Stripe.js's confirm of a redirect method: `requires_action`, and the way to the
        bank in `next_action.redirect_to_url` (the peer's bank page)."""
        intent_id = str(current["id"])
        method = str(method_data.get("type"))
        if method not in REDIRECT_METHODS:
            return _error(
                400,
                "payment_method_unsupported_type",
                f"The test peer does not simulate paying with payment_method_data[type]="
                f"{method}: confirm with a `payment_method` (cards) or a redirect method "
                f"({', '.join(sorted(REDIRECT_METHODS))}).",
                param="payment_method_data[type]",
            )
        if current["status"] not in ("requires_payment_method", "requires_confirmation"):
            return self._unexpected_state("confirm", intent_id, str(current["status"]))
        with self._lock:
            state = self._intent_state(intent_id)
            offered = self._offered_types(state, str(current["currency"]))
        if method not in offered:
            return _error(
                400,
                "payment_intent_incompatible_payment_method",
                f"The PaymentMethod provided ({method}) is not allowed for this PaymentIntent. "
                f"Please attach a PaymentMethod of one of the following types: "
                f"{', '.join(offered)}.",
                param="payment_method_data[type]",
            )
        return_url = params.get("return_url")
        if not isinstance(return_url, str) or urlsplit(return_url).scheme not in (
            "http",
            "https",
        ):
            return _error(
                400,
                "parameter_missing" if not return_url else "url_invalid",
                f"A `return_url` must be specified to confirm a PaymentIntent with {method}: "
                "the customer comes back to it from their bank.",
                param="return_url",
            )
        bank_page = f"{self.url}/_bank/{intent_id}?{urlencode({'return_url': return_url})}"
        with self._lock:
            state.redirect_method = method
            state.redirect_payment_method = stripe_objects.new_id("pm_")
            state.settled_by_redirect = False
            state.status_override = "requires_action"
            state.error_override = None
            state.next_action = {
                "type": "redirect_to_url",
                "redirect_to_url": {"url": bank_page, "return_url": return_url},
            }
            state.remembered.update(
                self._remember(params, {"payment_method_data": None, "return_url": None})
            )
            state.request = (record.request_id, record.idempotency_key)
        return 200, self._intent_answer(current, _expand(params))

    def _cancel_intent(
        self, record: RecordedRequest, intent_id: str, params: dict[str, Any]
    ) -> Answer:
        path = f"/v1/payment_intents/{intent_id}"
        state = self._intent_state(intent_id)
        if state.status_override == "processing":
            return self._unexpected_state("cancel", intent_id, "processing")
        status, body = self._ls("POST", f"{path}/cancel")
        if status == 400:
            _, now = self._ls("GET", path)
            return self._unexpected_state("cancel", intent_id, str(now.get("status")))
        if status != 200:
            return self._upstream_error(status, body, kind="payment_intent", object_id=intent_id)
        with self._lock:
            state.cancellation_reason = params.get("cancellation_reason")
            state.canceled_at = int(time.time())
            state.status_override = None
        answer = self._intent_answer(body, _expand(params))
        self._emit(
            "payment_intent.canceled",
            self._intent_answer(body),
            request=(record.request_id, record.idempotency_key),
        )
        return 200, answer

    def _unexpected_state(self, action: str, intent_id: str, status: str) -> Answer:
        if action == "confirm" and status == "requires_payment_method":
            message = (
                "You cannot confirm this PaymentIntent because it's missing a payment method. "
                "Update the PaymentIntent with a payment_method and then confirm it again."
            )
        else:
            message = f"You cannot {action} this PaymentIntent because it has a status of {status}."
        return _error(
            400,
            "payment_intent_unexpected_state",
            message,
            payment_intent=self.intent(intent_id),
        )

    def _offered_types(self, state: _IntentState, currency: str) -> list[str]:
        """The payment methods the intent may be paid with: its allowed ones, or the
        Dashboard's."""
        if state.allowed_payment_method_types is not None:
            types = list(state.allowed_payment_method_types)
        else:
            types = list(self.dashboard_payment_method_types)
        # Stripe filters silently what cannot pay in this currency (iDEAL is euros only).
        return [t for t in types if t != "ideal" or currency.lower() == "eur"]

    def _method_types(self, state: _IntentState, currency: str) -> list[str]:
        types = self._offered_types(state, currency)
        if state.redirect_method and state.redirect_method not in types:
            types.append(state.redirect_method)
        return types

    def _intent_answer(
        self, ls: Mapping[str, Any], expand: list[str] | None = None
    ) -> dict[str, Any]:
        """localstripe's intent in today's shape, with what the peer remembers about it."""
        with self._lock:
            state = self._intent_state(ls["id"])
            status = str(ls["status"])
            if status != "canceled" and state.status_override:
                status = state.status_override
            error = state.error_override if state.status_override else None
            allowed = state.allowed_payment_method_types
            automatic = state.automatic_payment_methods
            types = self._method_types(state, str(ls["currency"]))
            echoed = {
                key: value for key, value in state.remembered.items() if key in ECHOED_INTENT_FIELDS
            }
            canceled = status == "canceled"
            canceled_at = (state.canceled_at or int(time.time())) if canceled else None
            reason = state.cancellation_reason if canceled else None
            next_action = state.next_action if status == "requires_action" else None
            payment_method = ls.get("payment_method")
            if state.redirect_method and state.redirect_payment_method:
                payment_method = state.redirect_payment_method
        if error is None and status == "requires_payment_method":
            error = self._card_error(ls.get("last_payment_error"))
        charge = ls.get("latest_charge")
        latest: Any = charge.get("id") if isinstance(charge, dict) else charge
        if expand and "latest_charge" in expand and isinstance(charge, dict):
            latest = self._charge_answer(charge)
        if isinstance(automatic, dict):
            automatic = {**automatic, "enabled": str(automatic.get("enabled")).lower() == "true"}
        return stripe_objects.payment_intent(
            id=ls["id"],
            amount=int(ls["amount"]),
            currency=str(ls["currency"]),
            status=status,
            metadata=ls.get("metadata") or {},
            latest_charge=latest,
            payment_method=payment_method,
            payment_method_types=types,
            allowed_payment_method_types=allowed,
            automatic_payment_methods=automatic,
            client_secret=ls.get("client_secret"),
            created=ls.get("created"),
            last_payment_error=error,
            canceled_at=canceled_at,
            cancellation_reason=reason,
            capture_method=str(ls.get("capture_method") or "automatic_async"),
            next_action=next_action or ls.get("next_action"),
            **echoed,
        )

    @staticmethod
    def _card_error(error: Any) -> dict[str, Any] | None:
        if not isinstance(error, dict):
            return None
        code = error.get("code")
        shaped: dict[str, Any] = {
            "type": "card_error",
            "code": code,
            "message": error.get("message"),
            "payment_method_type": "card",
        }
        if code == "card_declined":
            shaped["decline_code"] = "generic_decline"
        if error.get("charge"):
            shaped["charge"] = error["charge"]
        return shaped

    # --- charges and refunds ---------------------------------------------------------

    def _refunded(self, charge_id: str, ls_charge: Mapping[str, Any]) -> int:
        # localstripe counts every refund it made; failed or canceled ones gave money back.
        with self._lock:
            given_back = sum(
                refund.amount
                for refund in self._refunds.values()
                if refund.charge == charge_id and refund.status in ("failed", "canceled")
            )
        return int(ls_charge.get("amount_refunded") or 0) - given_back

    def _last4(self, payment_method: str | None) -> str:
        if not payment_method:
            return "4242"
        with self._lock:
            known = self._card_last4.get(payment_method)
        if known is None:
            status, body = self._ls("GET", f"/v1/payment_methods/{payment_method}")
            card = body.get("card") if status == 200 else None
            known = str(card.get("last4")) if isinstance(card, dict) else "0000"
            with self._lock:
                self._card_last4[payment_method] = known
        return known

    def _charge_answer(self, ls: Mapping[str, Any]) -> dict[str, Any]:
        intent_id = ls.get("payment_intent")
        with self._lock:
            state = self._intents.get(intent_id) if intent_id else None
            method = (
                state.redirect_method
                if state is not None and state.settled_by_redirect and state.redirect_method
                else "card"
            )
            remembered = dict(state.remembered) if state is not None else {}
        details = stripe_objects.payment_method_details(
            method, last4=self._last4(ls.get("payment_method")) if method == "card" else "4242"
        )
        succeeded = ls.get("status") == "succeeded"
        captured = bool(ls.get("captured")) and succeeded
        return stripe_objects.charge(
            id=ls["id"],
            payment_intent=intent_id,
            amount=int(ls["amount"]),
            amount_captured=int(ls["amount"]) if captured else 0,
            amount_refunded=self._refunded(ls["id"], ls),
            currency=str(ls["currency"]),
            status=str(ls.get("status")),
            payment_method=ls.get("payment_method"),
            created=ls.get("created"),
            metadata=ls.get("metadata") or {},
            failure_code=ls.get("failure_code"),
            failure_message=ls.get("failure_message"),
            description=remembered.get("description"),
            receipt_email=remembered.get("receipt_email"),
            captured=captured,
            payment_method_details=details,
        )

    def _retrieve_charge(self, record: RecordedRequest, charge_id: str, params: dict) -> Answer:
        status, body = self._ls("GET", f"/v1/charges/{charge_id}")
        if status != 200:
            return self._upstream_error(status, body, kind="charge", object_id=charge_id)
        return 200, self._charge_answer(body)

    def _refund_answer(self, ls: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            state = self._refunds.get(ls["id"])
        return stripe_objects.refund(
            id=ls["id"],
            amount=int(ls["amount"]),
            currency=str(ls["currency"]),
            charge=ls.get("charge"),
            payment_intent=state.payment_intent if state else ls.get("payment_intent"),
            status=state.status if state else str(ls.get("status")),
            failure_reason=state.failure_reason if state else None,
            metadata=(state.remembered.get("metadata") if state else None) or ls.get("metadata"),
            reason=state.remembered.get("reason") if state else None,
            created=ls.get("created"),
        )

    def _create_refund(self, record: RecordedRequest, _: None, params: dict[str, Any]) -> Answer:
        with self._refund_lock:
            # One refund at a time: the cap is checked and the refund made without a gap.
            answer = self._create_refund_capped(params)
        if answer[0] != 200:
            return answer
        refund, charge = answer[1]
        request = (record.request_id, record.idempotency_key)
        self._emit("refund.created", refund, request=request, sync=self.events_before_answer)
        self._emit("charge.refunded", charge, request=request, sync=self.events_before_answer)
        return 200, refund

    def _create_refund_capped(self, params: dict[str, Any]) -> Answer:
        intent_id = params.get("payment_intent")
        charge_id = params.get("charge")
        if intent_id is None and charge_id is None:
            return _error(
                400,
                "parameter_missing",
                "One of the following params should be provided for this request: "
                "payment_intent or charge.",
                param="payment_intent",
            )
        if charge_id is None:
            status, intent = self._ls("GET", f"/v1/payment_intents/{intent_id}")
            if status != 200:
                return self._upstream_error(
                    status, intent, kind="payment_intent", object_id=intent_id
                )
            latest = intent.get("latest_charge")
            if not isinstance(latest, dict) or latest.get("status") != "succeeded":
                return _error(
                    400,
                    "charge_not_refundable",
                    f"This PaymentIntent ({intent_id}) does not have a successful charge to "
                    "refund.",
                    param="payment_intent",
                )
            charge_id = latest["id"]
        status, ls_charge = self._ls("GET", f"/v1/charges/{charge_id}")
        if status != 200:
            return self._upstream_error(status, ls_charge, kind="charge", object_id=charge_id)
        intent_id = ls_charge.get("payment_intent") or intent_id
        if ls_charge.get("status") != "succeeded":
            return _error(
                400, "charge_not_refundable", "Cannot refund a failed payment.", param="charge"
            )
        left = int(ls_charge["amount"]) - self._refunded(charge_id, ls_charge)
        currency = str(ls_charge["currency"]).upper()
        if left <= 0:
            return _error(
                400,
                "charge_already_refunded",
                f"Charge {charge_id} has already been refunded.",
                param="amount",
            )
        amount = int(params.get("amount", left))
        if amount > left:
            return _error(
                400,
                "amount_too_large",
                f"Refund amount ({amount / 100:.2f} {currency}) is greater than unrefunded "
                f"amount on charge ({left / 100:.2f} {currency})",
                param="amount",
            )
        forward = {"charge": charge_id, "amount": amount}
        if params.get("metadata"):
            forward["metadata"] = params["metadata"]
        status, body = self._ls("POST", "/v1/refunds", forward)
        if status != 200:
            return self._upstream_error(status, body, kind="refund")
        with self._lock:
            self._refunds[body["id"]] = _RefundState(
                status=self.new_refund_status,
                charge=charge_id,
                payment_intent=intent_id,
                amount=amount,
                remembered=self._remember(params, forward),
            )
        charge = self._charge_answer(self._ls_ok("GET", f"/v1/charges/{charge_id}"))
        return 200, (self._refund_answer(body), charge)

    def _retrieve_refund(self, record: RecordedRequest, refund_id: str, params: dict) -> Answer:
        status, body = self._ls("GET", f"/v1/refunds/{refund_id}")
        if status != 200:
            return self._upstream_error(status, body, kind="refund", object_id=refund_id)
        return 200, self._refund_answer(body)

    def _list_refunds(self, record: RecordedRequest, _: None, params: dict[str, Any]) -> Answer:
        empty = {"object": "list", "data": [], "has_more": False, "url": "/v1/refunds"}
        intent_id = params.get("payment_intent")
        if intent_id is not None:
            # localstripe fails on an intent without a charge; Stripe lists nothing.
            status, intent = self._ls("GET", f"/v1/payment_intents/{intent_id}")
            if status != 200:
                return self._upstream_error(
                    status, intent, kind="payment_intent", object_id=intent_id
                )
            if not intent.get("latest_charge"):
                return 200, empty
        forward = _pick(params, LOCALSTRIPE_TAKES[("GET", "/v1/refunds")])
        status, body = self._ls("GET", "/v1/refunds", forward)
        if status != 200:
            return self._upstream_error(status, body, kind="refund")
        data = [self._refund_answer(item) for item in body.get("data", [])]
        return 200, {**empty, "data": data, "has_more": bool(body.get("has_more"))}

    def _create_payment_method(
        self, record: RecordedRequest, _: None, params: dict[str, Any]
    ) -> Answer:
        forward = _pick(params, LOCALSTRIPE_TAKES[("POST", "/v1/payment_methods")])
        status, body = self._ls("POST", "/v1/payment_methods", forward)
        if status != 200:
            return self._upstream_error(status, body, kind="payment_method")
        return 200, body

    # --- events -----------------------------------------------------------------------

    def _configure_webhook(self, request: Request, registration_id: str) -> Response:
        if request.method == "DELETE":
            with self._lock:
                self._registrations.pop(registration_id, None)
            return Response(status=200)
        if request.method != "POST":
            return Response(status=405)
        form = decode_form(request.get_data())
        url, secret, events = form.get("url"), form.get("secret"), form.get("events")
        if not isinstance(url, str) or not url.startswith("http") or not secret:
            return self._json(*_error(400, None, "Bad request: url and secret are required"))
        if events is not None and not isinstance(events, list):
            events = [events]
        with self._lock:
            self._registrations[registration_id] = _Registration(url, str(secret), events)
        return Response(status=200)

    def _inbound(self, request: Request) -> Response:
        payload = request.get_data()
        try:
            stripe.Webhook.construct_event(
                payload, request.headers.get("Stripe-Signature", ""), self._inbound_secret
            )
        except (ValueError, stripe.SignatureVerificationError):
            return Response("bad signature", status=400)
        old = json.loads(payload)
        obj = old.get("data", {}).get("object", {})
        if obj.get("object") == "payment_intent":
            with self._lock:
                request_ids = self._intent_state(obj["id"]).request
            self._emit(
                str(old["type"]),
                self._intent_answer(obj),
                request=request_ids,
                event_id=old.get("id"),
                created=old.get("created"),
            )
        return Response(status=200)

    def _registrations_for(self, event_type: str) -> list[_Registration]:
        with self._lock:
            return [
                registration
                for registration in self._registrations.values()
                if registration.events is None or event_type in registration.events
            ]

    def _emit(
        self,
        type: str,
        obj: Mapping[str, Any],
        *,
        request: tuple[str | None, str | None] = (None, None),
        sync: bool = False,
        event_id: str | None = None,
        created: int | None = None,
        previous_attributes: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        event = stripe_objects.event(
            type,
            obj,
            id=event_id,
            created=created,
            request_id=request[0],
            idempotency_key=request[1],
            pending_webhooks=len(self._registrations_for(type)),
            previous_attributes=previous_attributes,
        )
        with self._lock:
            self.events.append(event)
            if self._holding:
                self._held.append(event)
                return event
        if sync:
            self._deliver(event)
        else:
            self._queue.put((time.monotonic() + self.event_delay_seconds, event))
        return event

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None or self._stopping.is_set():
                return
            due, event = item
            wait = due - time.monotonic()
            if wait > 0 and self._stopping.wait(wait):
                return
            self._deliver(event)

    def _deliver(self, event: Mapping[str, Any], *, redelivery: bool = False) -> list[Delivery]:
        made: list[Delivery] = []
        for registration in self._registrations_for(str(event["type"])):
            body, signature = stripe_objects.signed(event, registration.secret)
            status: int | None = None
            error: str | None = None
            try:
                response = self._outbound.post(
                    registration.url,
                    data=body,
                    headers={
                        "Content-Type": "application/json; charset=utf-8",
                        "Stripe-Signature": signature,
                        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                    },
                    timeout=self.delivery_timeout,
                )
                status = response.status_code
            except requests.RequestException as problem:
                error = str(problem)
            delivery = Delivery(
                str(event["id"]),
                str(event["type"]),
                registration.url,
                status,
                error,
                body,
                redelivery,
            )
            with self._lock:
                self.deliveries.append(delivery)
            made.append(delivery)
        return made

    # --- the bank's page ----------------------------------------------------------------

    def _bank_page(self, request: Request, intent_id: str) -> Response:
        return_url = request.values.get("return_url", "")
        if urlsplit(return_url).scheme not in ("http", "https"):
            return Response("return_url must be an http(s) address", status=400)
        try:
            current = self._ls_intent(intent_id)
        except LookupError:
            return Response("no such payment", status=404)
        if request.method == "GET":
            amount = f"{int(current['amount']) / 100:.2f} {str(current['currency']).upper()}"
            page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test bank</title></head>
<body><main><h1>Test bank</h1><p>Pay {html.escape(amount)} to the shop?</p>
<form method="post" action="/_bank/{html.escape(intent_id)}">
<input type="hidden" name="return_url" value="{html.escape(return_url)}">
<button type="submit" name="action" value="authorize">Authorize test payment</button>
<button type="submit" name="action" value="fail">Fail test payment</button>
</form></main></body></html>
"""
            return Response(page, content_type="text/html; charset=utf-8")
        if request.method != "POST":
            return Response(status=405)
        action = request.form.get("action")
        if action == "authorize":
            with self._lock:
                started = self._intent_state(intent_id).redirect_method is not None
            if not started:
                self.start_redirect(intent_id)
            self.bank_processing(intent_id)
            outcome = "succeeded"
        elif action == "fail":
            self.bank_fails(intent_id)
            outcome = "failed"
        else:
            return Response("unknown action", status=400)
        target = _with_query(
            return_url,
            {
                "payment_intent": intent_id,
                "payment_intent_client_secret": str(current["client_secret"]),
                "redirect_status": outcome,
            },
        )
        return Response(status=303, headers={"Location": target})


@contextmanager
def running_strict_stripe(localstripe_url: str) -> Iterator[StrictStripe]:
    """A strict peer in front of the localstripe at `localstripe_url`, on a free loopback
    port of this process, stopped afterwards."""
    peer = StrictStripe(localstripe_url)
    peer.start()
    try:
        yield peer
    finally:
        peer.close()
