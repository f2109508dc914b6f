"""The contract of the Stripe API version that stripe-python pins, as the library itself
describes it: which parameters each endpoint the shop and the tests call accepts (the
generated `stripe.params` TypedDicts), which the pinned version removed, which headers a
stripe-python request must carry, and which fields today's objects have (the resource
classes' annotations). Pure functions and tables only: no HTTP, no state.

What belongs here: facts about the pinned API and checks against them. The fake server that
uses them is `tests/stripe_peer.py`; builders of objects are in `tests/stripe_objects.py`.

Error codes: `parameter_unknown`, `parameter_missing`, `parameters_exclusive` and
`parameter_invalid_integer` are codes the library lists (the `code` literals of
`PaymentIntent.LastPaymentError`); `payment_method_types_no_longer_supported` is the code of
the `2026-09-30.endive` change. `parameter_invalid_object`, `parameter_invalid_array`,
`api_version_not_pinned` and `unrecognized_request_url` are this contract's own names for
refusals that real Stripe words differently or does not make (real Stripe accepts any valid
older `Stripe-Version`; a test peer refuses it so a mismatch shows).
"""

from __future__ import annotations

import json
import re
import sys
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin
from urllib.parse import parse_qsl, urlencode

import stripe
import stripe.params as stripe_params
import typing_extensions
from stripe._request_options import RequestOptions
from stripe._stripe_context import StripeContext
from stripe._stripe_object import UntypedStripeObject

PINNED_API_VERSION: str = stripe.api_version

# path pattern → a regular expression; `{id}` is one path segment of an object id.
ENDPOINTS: dict[tuple[str, str], type] = {
    ("POST", "/v1/payment_intents"): stripe_params.PaymentIntentCreateParams,
    ("GET", "/v1/payment_intents/{id}"): stripe_params.PaymentIntentRetrieveParams,
    ("POST", "/v1/payment_intents/{id}"): stripe_params.PaymentIntentUpdateParams,
    ("POST", "/v1/payment_intents/{id}/confirm"): stripe_params.PaymentIntentConfirmParams,
    ("POST", "/v1/payment_intents/{id}/cancel"): stripe_params.PaymentIntentCancelParams,
    ("POST", "/v1/refunds"): stripe_params.RefundCreateParams,
    ("GET", "/v1/refunds/{id}"): stripe_params.RefundRetrieveParams,
    ("GET", "/v1/refunds"): stripe_params.RefundListParams,
    ("POST", "/v1/payment_methods"): stripe_params.PaymentMethodCreateParams,
    ("GET", "/v1/charges/{id}"): stripe_params.ChargeRetrieveParams,
}

_REMOVED_PAYMENT_METHOD_TYPES = (
    "payment_method_types_no_longer_supported",
    "The `payment_method_types` parameter is no longer supported on PaymentIntents since API "
    "version 2026-09-30.endive. Leave it out (the Dashboard's payment methods apply), or pass "
    "`automatic_payment_methods[enabled]=true` or `allowed_payment_method_types[]`.",
)

# Parameters the pinned version refuses with their own code (the TypedDicts no longer list
# them, so without this table they would read as merely unknown).
REMOVED_PARAMETERS: dict[tuple[str, str], dict[str, tuple[str, str]]] = {
    ("POST", "/v1/payment_intents"): {"payment_method_types": _REMOVED_PAYMENT_METHOD_TYPES},
    ("POST", "/v1/payment_intents/{id}"): {"payment_method_types": _REMOVED_PAYMENT_METHOD_TYPES},
}

# Parameters that may not be sent together.
EXCLUSIVE_PARAMETERS: dict[tuple[str, str], list[tuple[str, ...]]] = {
    ("POST", "/v1/payment_intents"): [
        ("automatic_payment_methods", "allowed_payment_method_types")
    ],
    ("POST", "/v1/payment_intents/{id}"): [
        ("automatic_payment_methods", "allowed_payment_method_types")
    ],
}

# Keys every params TypedDict inherits from `RequestOptions`: options of the call (they
# become headers or client settings), never form parameters.
REQUEST_OPTION_KEYS: frozenset[str] = frozenset(RequestOptions.__annotations__)


class Problem(str):
    """One problem with a request: the message (it is the string), with the Stripe error
    `code`, the bracketed `param` it is about (or None) and the HTTP `status` to answer."""

    code: str
    param: str | None
    status: int

    def __new__(cls, message: str, *, code: str, param: str | None, status: int = 400) -> Problem:
        problem = super().__new__(cls, message)
        problem.code = code
        problem.param = param
        problem.status = status
        return problem


@dataclass(frozen=True)
class Endpoint:
    method: str
    pattern: str
    params_type: type
    path_args: dict[str, str]


@cache
def _pattern_regex(pattern: str) -> re.Pattern[str]:
    parts = (
        r"(?P<id>[A-Za-z0-9_]+)" if part == "{id}" else re.escape(part)
        for part in pattern.split("/")
    )
    return re.compile("^" + "/".join(parts) + "$")


def endpoint_for(method: str, path: str) -> Endpoint | None:
    """The endpoint of the table that `method` and `path` (e.g. `/v1/refunds/re_1`) call."""
    for (endpoint_method, pattern), params_type in ENDPOINTS.items():
        if endpoint_method != method.upper():
            continue
        match = _pattern_regex(pattern).match(path)
        if match:
            return Endpoint(endpoint_method, pattern, params_type, match.groupdict())
    return None


# --- form encoding ----------------------------------------------------------------------


def decode_form(body: str | bytes) -> dict[str, Any]:
    """Stripe's form encoding (`a[b][c]=x`, `a[0]=x`, `a[]=x`), or a query string, as nested
    dicts and lists. A level whose keys are exactly 0..n-1 becomes a list."""
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        head, _, rest = key.partition("[")
        parts = [head] + (re.findall(r"([^\[\]]*)\]", "[" + rest) if rest else [])
        node = root
        for depth, part in enumerate(parts):
            if part == "":
                # `a[]`: the next index of this level.
                part = str(sum(1 for k in node if k.isdigit()))
            if depth == len(parts) - 1:
                node[part] = value
            else:
                child = node.get(part)
                if not isinstance(child, dict):
                    child = node[part] = {}
                node = child
    return _listify(root)


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {key: _listify(value) for key, value in node.items()}
    if converted and set(converted) == {str(i) for i in range(len(converted))}:
        return [converted[str(i)] for i in range(len(converted))]
    return converted


def encode_form(params: Mapping[str, Any]) -> str:
    """The inverse of `decode_form`, the way stripe-python encodes: `a[b]=x`, `a[0]=x`;
    booleans as `true`/`false`, None left out."""
    pairs: list[tuple[str, str]] = []

    def add(prefix: str, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, Mapping):
            for key, item in value.items():
                add(f"{prefix}[{key}]", item)
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                add(f"{prefix}[{index}]", item)
        elif isinstance(value, bool):
            pairs.append((prefix, "true" if value else "false"))
        else:
            pairs.append((prefix, str(value)))

    for key, value in params.items():
        add(key, value)
    return urlencode(pairs)


# --- what a TypedDict accepts ------------------------------------------------------------


@dataclass(frozen=True)
class Scalar:
    """A leaf: `kind` is int, str, bool, float or object (anything)."""

    kind: type
    literals: tuple[Any, ...] = ()


@dataclass(frozen=True)
class ListOf:
    item: Any


@dataclass(frozen=True)
class FreeMap:
    """A dict with any keys, e.g. `metadata` (`Dict[str, str]`)."""


@dataclass(frozen=True)
class Params:
    typed_dict: type


@dataclass(frozen=True)
class OneOf:
    options: tuple[Any, ...]


Shape = Scalar | ListOf | FreeMap | Params | OneOf

_NOT_REQUIRED = {typing.NotRequired, typing.Required, typing_extensions.NotRequired}
_NOT_REQUIRED |= {typing_extensions.Required}


def _namespace(owner: type) -> dict[str, Any]:
    """Where the annotation strings of `owner` are evaluated: its own module (the nested
    TypedDicts are defined or imported there) plus what the library imports only for type
    checkers (`StripeContext`) and the typing names the strings use."""
    namespace: dict[str, Any] = {
        "Any": Any,
        "Dict": typing.Dict,  # noqa: UP006 - the library's annotation strings name them
        "List": typing.List,  # noqa: UP006
        "Literal": Literal,
        "Mapping": typing.Mapping,
        "Optional": typing.Optional,
        "Union": Union,
        "StripeContext": StripeContext,
        "UntypedStripeObject": UntypedStripeObject,
    }
    namespace.update(vars(sys.modules[owner.__module__]))
    return namespace


def shape_of(annotation: Any, owner: type) -> Shape:
    """What an annotation of the TypedDict `owner` accepts, with forward references (strings,
    `ForwardRef`) evaluated in `owner`'s module; `typing.get_type_hints` cannot do this for
    these classes (it needs every name at once, and some exist only for type checkers)."""
    if isinstance(annotation, str):
        # The strings come from the installed library's generated code, not from requests.
        annotation = eval(annotation, _namespace(owner))
    if isinstance(annotation, typing.ForwardRef):
        return shape_of(annotation.__forward_arg__, owner)
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin in _NOT_REQUIRED:
        return shape_of(args[0], owner)
    if origin in (Union, types.UnionType):
        options: list[Shape] = []
        for arg in args:
            if arg is type(None):
                continue
            shape = shape_of(arg, owner)
            options.extend(shape.options if isinstance(shape, OneOf) else [shape])
        return options[0] if len(options) == 1 else OneOf(tuple(options))
    if origin is Literal:
        kinds = {type(value) for value in args}
        return Scalar(kinds.pop() if len(kinds) == 1 else object, tuple(args))
    if origin is list:
        return ListOf(shape_of(args[0], owner))
    if origin in (dict, Mapping, typing.Mapping) or annotation in (dict, Mapping):
        return FreeMap()
    if annotation is UntypedStripeObject or origin is UntypedStripeObject:
        return FreeMap()
    if typing_extensions.is_typeddict(annotation):
        return Params(annotation)
    if annotation in (int, str, bool, float, Decimal, datetime):
        return Scalar(annotation)
    if annotation is Any or annotation is StripeContext:
        return Scalar(object)
    raise TypeError(f"{owner.__name__}: no shape for the annotation {annotation!r}")


@cache
def fields_of(typed_dict: type) -> dict[str, Shape]:
    """The parameters a params TypedDict names, each with its shape (options excluded when
    the TypedDict inherits them from `RequestOptions`)."""
    # A TypedDict's bases are not kept at runtime; one that has every option key inherited
    # them (the nested parameter TypedDicts have none).
    inherits_options = set(typed_dict.__annotations__) >= REQUEST_OPTION_KEYS
    fields: dict[str, Shape] = {}
    for name, annotation in typed_dict.__annotations__.items():
        if inherits_options and name in REQUEST_OPTION_KEYS:
            continue
        fields[name] = shape_of(annotation, typed_dict)
    return fields


def _required(typed_dict: type) -> frozenset[str]:
    return frozenset(typed_dict.__required_keys__) - REQUEST_OPTION_KEYS


def _join(path: str, key: str | int) -> str:
    return f"{path}[{key}]" if path else str(key)


def _unknown(param: str) -> Problem:
    return Problem(f"Received unknown parameter: {param}", code="parameter_unknown", param=param)


def check_params(value: Mapping[str, Any], typed_dict: type, path: str = "") -> list[Problem]:
    """Every problem of the decoded parameters `value` against `typed_dict`, recursively."""
    problems: list[Problem] = []
    fields = fields_of(typed_dict)
    for key, item in value.items():
        param = _join(path, key)
        if key not in fields:
            problems.append(_unknown(param))
            continue
        problems.extend(_check(item, fields[key], param))
    for key in sorted(_required(typed_dict) - set(value)):
        param = _join(path, key)
        problems.append(
            Problem(f"Missing required param: {param}.", code="parameter_missing", param=param)
        )
    return problems


def _leaves(value: Any, path: str) -> list[str]:
    """The bracketed names under `value` (where a scalar was expected, each is unknown)."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    names: list[str] = []
    for key, item in items:
        names.extend(
            _leaves(item, _join(path, key)) if isinstance(item, dict | list) else [_join(path, key)]
        )
    return names


def _check(value: Any, shape: Shape, param: str) -> list[Problem]:
    options = shape.options if isinstance(shape, OneOf) else (shape,)
    if isinstance(value, dict):
        if any(isinstance(option, FreeMap) for option in options):
            return _check_map(value, param)
        candidates = [option for option in options if isinstance(option, Params)]
        if candidates:
            # Of several object shapes, the one the value fits best names the problems.
            return min(
                (check_params(value, option.typed_dict, param) for option in candidates), key=len
            )
        if any(isinstance(option, ListOf) for option in options):
            return [Problem(f"Invalid array: {param}", code="parameter_invalid_array", param=param)]
        return [_unknown(name) for name in _leaves(value, param)]
    if isinstance(value, list):
        lists = [option for option in options if isinstance(option, ListOf)]
        if lists:
            problems: list[Problem] = []
            for index, item in enumerate(value):
                problems.extend(_check(item, lists[0].item, _join(param, index)))
            return problems
        if any(isinstance(option, FreeMap) for option in options):
            return _check_map(dict(enumerate(value)), param)
        # A list where one object or scalar is expected: `a[0]` is not a name `a` knows.
        as_dict = {str(index): item for index, item in enumerate(value)}
        return _check(as_dict, shape, param)
    # A string: the empty string unsets a field whose type allows `Literal['']`.
    scalars = [option for option in options if isinstance(option, Scalar)]
    if value == "" and any("" in option.literals for option in scalars):
        return []
    if not scalars:
        kind = "array" if all(isinstance(option, ListOf) for option in options) else "object"
        return [Problem(f"Invalid {kind}: {param}", code=f"parameter_invalid_{kind}", param=param)]
    typed = [option for option in scalars if option.literals != ("",)]
    if (
        typed
        and all(option.kind is int for option in typed)
        and not re.fullmatch(r"-?\d+", str(value))
    ):
        return [Problem(f"Invalid integer: {value}", code="parameter_invalid_integer", param=param)]
    return []


def _check_map(value: Mapping[Any, Any], param: str) -> list[Problem]:
    # Free keys, but one level only: `metadata[a][b]` is not a metadata value.
    problems: list[Problem] = []
    for key, item in value.items():
        if isinstance(item, dict | list):
            problems.extend(_unknown(name) for name in _leaves(item, _join(param, key)))
    return problems


def problems(
    method: str, path: str, params: Mapping[str, Any], headers: Mapping[str, str]
) -> list[Problem]:
    """Every problem of one request against the pinned API: unknown endpoint, unknown or
    removed parameters, missing required ones, exclusive ones sent together, and a
    stripe-python request without the pinned `Stripe-Version`. Each is a `Problem` (a str)."""
    found: list[Problem] = []
    lowered = {name.lower(): value for name, value in headers.items()}
    if "x-stripe-client-user-agent" in lowered:
        version = lowered.get("stripe-version")
        if version != PINNED_API_VERSION:
            found.append(
                Problem(
                    f"Stripe-Version {version!r} is not the pinned {PINNED_API_VERSION!r}: "
                    "stripe-python sends the version it was generated for.",
                    code="api_version_not_pinned",
                    param=None,
                )
            )
    endpoint = endpoint_for(method, path)
    if endpoint is None:
        found.append(
            Problem(
                f"Unrecognized request URL ({method.upper()}: {path}).",
                code="unrecognized_request_url",
                param=None,
                status=404,
            )
        )
        return found
    key = (endpoint.method, endpoint.pattern)
    removed = REMOVED_PARAMETERS.get(key, {})
    rest: dict[str, Any] = {}
    for name, value in params.items():
        if name in removed:
            code, message = removed[name]
            found.append(Problem(message, code=code, param=name))
        else:
            rest[name] = value
    found.extend(check_params(rest, endpoint.params_type))
    for group in EXCLUSIVE_PARAMETERS.get(key, []):
        sent = [name for name in group if name in params]
        if len(sent) > 1:
            found.append(
                Problem(
                    "You may only specify one of these parameters: " + ", ".join(sent) + ".",
                    code="parameters_exclusive",
                    param=sent[-1],
                )
            )
    return found


class SentRequest(typing.Protocol):
    """What `breaches` reads of a request a client sent (the peer's `RecordedRequest`)."""

    method: str
    path: str
    params: dict[str, Any]
    headers: dict[str, str]


def breaches(sent: Iterable[SentRequest]) -> list[str]:
    """The contract test of a client's requests, one line per request that broke it: a
    parameter or endpoint outside the pinned API (`problems`), or no `Stripe-Version` of the
    pinned version (stripe-python always sends it, so a request without it did not come
    through the pinned library)."""
    found: list[str] = []
    for request in sent:
        wrong = [
            str(p) for p in problems(request.method, request.path, request.params, request.headers)
        ]
        lowered = {name.lower(): value for name, value in request.headers.items()}
        # `problems` names a wrong version only of requests stripe-python sent (its client
        # user-agent header); here any request without the pinned version is one too many.
        if "x-stripe-client-user-agent" not in lowered:
            version = lowered.get("stripe-version")
            if version != PINNED_API_VERSION:
                wrong.append(f"Stripe-Version {version!r} is not the pinned {PINNED_API_VERSION!r}")
        if wrong:
            found.append(f"{request.method} {request.path}: {'; '.join(wrong)}")
    return found


# --- today's objects --------------------------------------------------------------------

RESOURCE_CLASSES: dict[str, type] = {
    "payment_intent": stripe.PaymentIntent,
    "charge": stripe.Charge,
    "refund": stripe.Refund,
    "dispute": stripe.Dispute,
    "radar.early_fraud_warning": stripe.radar.EarlyFraudWarning,
    "event": stripe.Event,
}


def field_names(cls: type) -> frozenset[str]:
    """The public fields a resource (or nested object) class declares, its bases' included;
    private bookkeeping (`_previous`) and class constants (`OBJECT_NAME`) are not fields."""
    names: set[str] = set()
    for klass in cls.__mro__:
        for name in vars(klass).get("__annotations__", {}):
            if not name.startswith("_") and not name.isupper():
                names.add(name)
    return frozenset(names)


RESOURCE_FIELDS: dict[str, frozenset[str]] = {
    kind: field_names(cls) for kind, cls in RESOURCE_CLASSES.items()
}


def _nested_classes(cls: type) -> Mapping[str, type]:
    return getattr(cls, "_inner_class_types", {}) or {}


def _unknown_in(obj: Mapping[str, Any], cls: type, path: str) -> list[str]:
    known = field_names(cls)
    nested = _nested_classes(cls)
    found: list[str] = []
    for name, value in obj.items():
        where = f"{path}.{name}" if path else name
        if name not in known:
            found.append(where)
        elif name in nested and isinstance(value, Mapping):
            found.extend(_unknown_in(value, nested[name], where))
        elif name in nested and isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, Mapping):
                    found.extend(_unknown_in(item, nested[name], f"{where}[{index}]"))
    return found


def unknown_fields(obj: Mapping[str, Any]) -> list[str]:
    """The fields of `obj` (dotted paths, nested objects included) that today's API does not
    have for its `object` kind; for an event, also those of `data.object`. An object of a
    kind outside `RESOURCE_FIELDS` is reported as `object`."""
    kind = obj.get("object")
    cls = RESOURCE_CLASSES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        return ["object"]
    found = _unknown_in(obj, cls, "")
    if kind == "event":
        data = obj.get("data")
        inner = data.get("object") if isinstance(data, Mapping) else None
        if isinstance(inner, Mapping) and inner.get("object") in RESOURCE_CLASSES:
            found.extend(f"data.object.{name}" for name in unknown_fields(inner))
    return found


def _event_types() -> frozenset[str]:
    shape = shape_of(
        stripe_params.WebhookEndpointCreateParams.__annotations__["enabled_events"],
        stripe_params.WebhookEndpointCreateParams,
    )
    assert isinstance(shape, ListOf) and isinstance(shape.item, Scalar | OneOf)
    items = shape.item.options if isinstance(shape.item, OneOf) else (shape.item,)
    return frozenset(
        literal for item in items if isinstance(item, Scalar) for literal in item.literals
    ) - {"*"}


# Event types a webhook endpoint of the pinned version can subscribe to.
EVENT_TYPES: frozenset[str] = _event_types()


def canonical(params: Mapping[str, Any]) -> str:
    """One string per set of parameters, whatever their order (idempotency compares these)."""
    return json.dumps(params, sort_keys=True, separators=(",", ":"))
