"""Is a correctly signed body the shape of a payment event? Parsing it (nesting capped) and
checking the types of the fields the shop reads, before any of them is believed.

A signature says who sent a body, not that it is sound: a body signed with our secret may
still be a JSON array, nested ten thousand deep, or carry an amount as the string "1250"
(which no order total equals, so it would read as a mismatch of equal numbers). Such an
event is refused as malformed (`MalformedEvent`) rather than applied or failing deep in a
handler. Stripe's own events nest about ten levels deep and type every one of these fields.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

# Far deeper than any Stripe event; shallow enough that nothing here recurses far.
MAX_DEPTH = 32
MAX_ID_LENGTH = 255  # PaymentEvent.event_id
MAX_TYPE_LENGTH = 100  # PaymentEvent.event_type


class MalformedEvent(ValueError):
    """A correctly signed body that is not a well-formed event: `reason` says what is wrong;
    `event_id` and `event_type` are what the body claimed, when it claimed them as text."""

    def __init__(self, reason: str, *, event_id: str | None = None, event_type: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.event_id = event_id
        self.event_type = event_type


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _object(value: Any) -> bool:
    return isinstance(value, Mapping)


def _expandable(value: Any) -> bool:
    # An id, or (older API versions, or expanded) the object itself.
    return isinstance(value, (str, Mapping))


def _metadata(value: Any) -> bool:
    return isinstance(value, Mapping) and all(isinstance(v, str) for v in value.values())


def _list_of_text(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


# The fields of `data.object` the shop reads, and what each must be when present and not null.
OBJECT_FIELDS = {
    "id": (_text, "a string"),
    "object": (_text, "a string"),
    "amount": (_integer, "a whole number of cents"),
    "amount_received": (_integer, "a whole number of cents"),
    "amount_refunded": (_integer, "a whole number of cents"),
    "amount_captured": (_integer, "a whole number of cents"),
    "amount_capturable": (_integer, "a whole number of cents"),
    "currency": (_text, "a string"),
    "status": (_text, "a string"),
    "reason": (_text, "a string"),
    "failure_reason": (_text, "a string"),
    "fraud_type": (_text, "a string"),
    "created": (_integer, "a whole number"),
    "metadata": (_metadata, "an object of strings"),
    "last_payment_error": (_object, "an object"),
    "evidence_details": (_object, "an object"),
    "latest_charge": (_expandable, "an id or an object"),
    "charge": (_expandable, "an id or an object"),
    "payment_intent": (_expandable, "an id or an object"),
    "payment_method_types": (_list_of_text, "a list of strings"),
}


def nesting_depth(value: Any) -> int:
    """How deeply lists and objects nest in `value` (a scalar: 0), without recursion."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break  # deep enough to refuse: no need to walk the rest
        pending.extend((child, depth) for child in children)
    return deepest


def shape_problem(data: Any) -> str | None:
    """What makes `data` not an event the shop can apply, in a few words; None if nothing."""
    if not isinstance(data, Mapping):
        return "the body is not a JSON object"
    event_id, event_type = data.get("id"), data.get("type")
    if not isinstance(event_id, str) or not 0 < len(event_id) <= MAX_ID_LENGTH:
        return "id is not a string of 1 to 255 characters"
    if not isinstance(event_type, str) or not 0 < len(event_type) <= MAX_TYPE_LENGTH:
        return "type is not a string of 1 to 100 characters"
    if "created" in data and not _integer(data["created"]):
        return "created is not a whole number"
    payload = data.get("data")
    if not isinstance(payload, Mapping):
        return "data is not an object"
    obj = payload.get("object")
    if not isinstance(obj, Mapping):
        return "data.object is not an object"
    for name, (is_valid, expected) in OBJECT_FIELDS.items():
        value = obj.get(name)
        if value is not None and not is_valid(value):
            return f"data.object.{name} is not {expected}"
    return None


def parse_event(payload: bytes) -> dict[str, Any]:
    """The event in a signed body, or `MalformedEvent` saying why it is not one."""
    try:
        data = json.loads(payload)
    except RecursionError:
        # The JSON parser refuses nesting deeper than Python's recursion limit this way.
        raise MalformedEvent(f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError:
        raise MalformedEvent("the body is not JSON") from None
    claimed = data if isinstance(data, Mapping) else {}
    claimed_id, claimed_type = claimed.get("id"), claimed.get("type")
    if nesting_depth(data) > MAX_DEPTH:
        problem: str | None = f"nested deeper than {MAX_DEPTH} levels"
    else:
        problem = shape_problem(data)
    if problem is not None:
        raise MalformedEvent(
            problem,
            event_id=claimed_id if isinstance(claimed_id, str) else None,
            event_type=claimed_type if isinstance(claimed_type, str) else None,
        )
    return data
