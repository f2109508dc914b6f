"""Hostile input against every URL of the shop: never a 5xx, never a traceback.

A walk over `app.url_map`: every rule (but `static`: files from disk, served by Flask, no
view of ours) and every method it accepts, as an anonymous visitor, a visitor who passed
the age gate, and a signed-in owner, each with a valid CSRF token, so that POSTs get past
the token check and reach the views' own validation. The values are what breaks parsers:
huge and negative numbers, digits that are not ASCII, 10 KB strings, NUL bytes, impossible
dates, unknown enum values, missing and repeated fields, a JSON body where a form is
expected and a form where JSON is. URL arguments take the ids of a small shop seeded for
the test (a product with a picture, its category, a paid order with its payment event, a
promo code, two staff accounts) and odd ones.

First a sweep sends every (rule, method) a few fixed hostile requests, so every URL is
covered whatever hypothesis draws; then hypothesis sends random mixes. The field names are
read from the view modules (the names their `.get("…")` calls ask for) and the templates'
forms, plus a generic set. Each actor starts every request from the same cookies (its
session as it was after signing in or passing the gate), so one request that signs out or
answers "no" at the gate does not blunt all the following ones.
"""

from __future__ import annotations

import inspect
import io
import json
import logging
import re
import sys
import traceback
from dataclasses import dataclass, field
from itertools import cycle, islice
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update
from werkzeug.datastructures import MultiDict
from werkzeug.routing import Rule

from shop import clock
from shop.models import (
    AllergenPresence,
    DisclaimerKind,
    Order,
    OrderStatus,
    PaymentEvent,
    ProductImage,
    Role,
    StaffMember,
)
from shop.rules.promotions import Kind
from shop.services.catalog import ProductFilter, Sort
from tests.admin_support import admin_csrf, make_staff, sign_in
from tests.helpers import csrf_token, make_product, pass_age_gate
from tests.integration.payment_support import place
from tests.peers import IN_CI

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# `static` serves files from disk through Flask's own view; nothing of ours reads its input.
SKIPPED_ENDPOINTS = frozenset({"static"})

TRACEBACK_SIGNS = ("Traceback (most recent call last)", 'File "/', "sqlalchemy.exc", "psycopg")

TEN_KB = "x" * 10_240
ODD_NUMBERS = [
    "0",
    "-1",
    "-0",
    "+1",
    "1.5",
    "1e309",
    "NaN",
    "inf",
    str(2**31),
    str(2**63),
    "9" * 40,
    "-" + "9" * 40,
]
NON_ASCII_DIGITS = ["١٢٣", "１２３", "²", "٣", "Ⅻ", "߁", "𝟗"]
ODD_DATES = [
    "2025-02-30",
    "2025-13-01",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2025-1-1",
    "31-12-2025",
    "2025-W01-1",
    "2025-10-21T25:61",
    "24:00",
    "99:99",
    "23:59:60",
]
ODD_TEXT = [
    "",
    " ",
    TEN_KB,
    "\x00",
    "a\x00b",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '"',
    "%",
    "%00",
    "../../etc/passwd",
    "😀",
    "\u202eevil",
    "\r\n",
    "a" * 129,
    "@",
    "a@b",
    "x@example.nl",
    "unknown-enum-value",
]
ENUM_VALUES = sorted(
    {
        *(s.value for s in OrderStatus),
        *(r.value for r in Role),
        *(k.value for k in Kind),
        *(s.value for s in Sort),
        *(f.value for f in ProductFilter),
        *(k.value for k in DisclaimerKind),
        *(p.value for p in AllergenPresence),
        *("yes", "no", "on", "true", "preview", "pay", "decline", "save", "check"),
        *("unstated", "none_known", "listed", "nl", "en", "de", "NL", "BE", "XX"),
    }
)
HOSTILE_VALUES = [*ODD_NUMBERS, *NON_ASCII_DIGITS, *ODD_DATES, *ODD_TEXT, *ENUM_VALUES]

GENERIC_FIELDS = [
    "quantity",
    "product_id",
    "code",
    "email",
    "name",
    "page",
    "sort",
    "q",
    "status",
    "date_of_birth",
    "day",
    "month",
    "year",
    "amount",
    "role",
    "price",
    "stock",
    "min_age",
    "next",
    "action",
    "answer",
    "confirm",
    "locale",
    "from",
    "to",
    "at",
    "subtotal",
    "check",
    "active",
    "password",
    "password_again",
    "current_password",
    "image",
    "alt_en",
    "category_id",
    "slug",
    "disclaimers-0-kind",
    "disclaimers-0-text_en",
    "disclaimers-0-text_nl",
    "allergen-fungi",
    "allergy_mode",
    "starts_on",
    "ends_on",
    "starts_time",
    "ends_time",
    "kind",
    "value",
    "usage_limit",
    "products",
    "categories",
    "seen_refunded",
    "restock",
    "promo_code_id",
    "version",
    "token",
]

_FIELD_CALL = re.compile(
    r"""(?:\.get|\.getlist|_line|_text|_field|\btext)\(\s*(?:[\w.]+\s*,\s*)?["']([A-Za-z_][\w\-]*)["']"""
)
_TEMPLATE_NAME = re.compile(r"""\bname="([A-Za-z_][\w\-]*)\"""")


def _names_in_module(module_name: str) -> list[str]:
    module = sys.modules.get(module_name)
    if module is None:
        return []
    names = set(_FIELD_CALL.findall(inspect.getsource(module)))
    return sorted(name for name in names if not name.isupper())  # not config keys


def _names_in_templates() -> list[str]:
    found: set[str] = set()
    for template in (PROJECT_ROOT / "templates").rglob("*.html"):
        found.update(_TEMPLATE_NAME.findall(template.read_text(encoding="utf-8")))
    return sorted(found)


# --- the shop the URLs point at ----------------------------------------------------------


@dataclass
class SeededShop:
    """Real rows for the URL converters, by argument name; and the staff to restore."""

    ids: dict[str, list[str]] = field(default_factory=dict)
    owner_id: int = 0
    owner_row: dict[str, Any] = field(default_factory=dict)


def _tiny_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def seed_shop(app: Any, session: Any) -> SeededShop:
    from shop.images import prepare_image
    from shop.payments import test_gateway
    from shop.services.payments import pay_in_test_mode
    from shop.services.products import add_product_image
    from tests.integration.test_admin_orders import make_code

    product = make_product(session, "Golden Teacher 15 g", slug="golden-teacher")
    image = add_product_image(
        session,
        product.id,
        prepare_image(_tiny_png(), max_bytes=1_000_000),
        alt_en="A truffle",
        alt_nl="Een truffel",
        actor=None,
        now=clock.now(),
    )
    session.commit()
    order = place(session, product, 1)
    secret = test_gateway.local_webhook_secret(app.config["SECRET_KEY"])
    pay_in_test_mode(
        session, test_gateway.TestGateway(), order, succeed=True, secret=secret, now=clock.now()
    )
    unpaid = place(session, product, 1)
    code = make_code(session, "HOSTILE10")
    owner = make_staff(session, Role.OWNER, email="owner@example.nl")
    manager = make_staff(session, Role.MANAGER, email="manager@example.nl")
    session.rollback()
    event_ids = [str(i) for i in session.scalars(select(PaymentEvent.id))]
    image_ids = [str(i) for i in session.scalars(select(ProductImage.id))] or [str(image.id)]
    order_tokens = list(session.scalars(select(Order.token)))
    return SeededShop(
        ids={
            "product_id": [str(product.id)],
            "image_id": image_ids,
            "order_id": [str(order.id), str(unpaid.id)],
            "event_id": event_ids or ["1"],
            "promo_id": [str(code.id)],
            "member_id": [str(owner.id), str(manager.id)],
            "slug": [product.slug],
            "storefront.category:slug": [product.category.slug],
            "token": order_tokens,
        },
        owner_id=owner.id,
        owner_row={
            "role": Role.OWNER,
            "is_active": True,
            "session_version": owner.session_version,
            "password_hash": owner.password_hash,
        },
    )


ODD_IDS = ["0", "-1", str(2**31), str(2**63), "9" * 30, "١", "１", "1.0", "0x10", "1e3"]
ODD_SLUGS = ["..", ".", "a" * 2000, "%00", "😀", "-", "x'--", "\u202e", "%2e%2e", "CON"]


# --- actors: who sends the requests --------------------------------------------------------


@dataclass
class Actor:
    name: str
    client: Any
    token: str
    cookies: dict[Any, Any]

    def reset(self) -> None:
        """Back to the cookies the actor had once it was set up."""
        self.client._cookies.clear()  # werkzeug keeps its jar here
        self.client._cookies.update(self.cookies)


def _actor(name: str, client: Any, token: str) -> Actor:
    return Actor(name, client, token, dict(client._cookies))


def fill_cart(client: Any, token: str, seeded: SeededShop) -> None:
    """A product in the cart, so that checkout shows its form and reads what is posted."""
    form = {"csrf_token": token, "product_id": seeded.ids["product_id"][0], "quantity": "1"}
    assert client.post("/cart/add", data=form).status_code == 303


@pytest.fixture
def shop_and_actors(app, session):  # type: ignore[no-untyped-def]
    seeded = seed_shop(app, session)

    anonymous = app.test_client()
    anonymous_token = csrf_token(anonymous.get("/age-gate").get_data(as_text=True))

    verified = app.test_client()
    pass_age_gate(verified)
    verified_token = csrf_token(verified.get("/").get_data(as_text=True))
    fill_cart(verified, verified_token, seeded)

    owner = app.test_client()
    assert sign_in(owner, "owner@example.nl").status_code == 303
    pass_age_gate(owner)  # the owner may browse the storefront too
    owner_token = admin_csrf(owner)
    fill_cart(owner, owner_token, seeded)
    session.rollback()
    seeded.owner_row["session_version"] = session.get(StaffMember, seeded.owner_id).session_version

    actors = {
        "anonymous": _actor("anonymous", anonymous, anonymous_token),
        "verified": _actor("verified", verified, verified_token),
        "owner": _actor("owner", owner, owner_token),
    }
    return seeded, actors


def restore_owner(session: Any, seeded: SeededShop) -> None:
    """Undo what a request may have done to the owner's own account (signed out, demoted)."""
    session.rollback()
    session.execute(
        update(StaffMember).where(StaffMember.id == seeded.owner_id).values(**seeded.owner_row)
    )
    session.commit()


# --- requests --------------------------------------------------------------------------------

_ARGUMENT = re.compile(r"<(?:(?P<converter>[^:<>()]+)(?:\([^)]*\))?:)?(?P<name>[^<>:]+)>")


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def walked_rules(app: Any) -> list[tuple[Rule, str]]:
    """Every (rule, method) of the app but the skipped endpoints; the reading ones first, so
    that they see the seeded rows before a POST deletes one (a picture, say)."""
    pairs = [
        (rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in SKIPPED_ENDPOINTS
        for method in rule.methods or ()
    ]
    return sorted(pairs, key=lambda p: (p[1] not in SAFE_METHODS, p[0].rule, p[1]))


def argument_names(rule: Rule) -> list[tuple[str, str]]:
    return [(m["converter"] or "default", m["name"]) for m in _ARGUMENT.finditer(rule.rule)]


def build_path(rule: Rule, values: dict[str, str]) -> str:
    return _ARGUMENT.sub(lambda m: quote(values[m["name"]], safe=""), rule.rule)


@dataclass
class HostileRequest:
    actor: str
    method: str
    path: str
    query: list[tuple[str, str]]
    body: str  # none, form, multipart, json, text
    fields: list[tuple[str, str]]
    with_token: bool = True
    json_accept: bool = False

    def describe(self) -> str:
        shown = [(k, v if len(v) < 40 else f"{v[:20]}…({len(v)})") for k, v in self.fields]
        query = [(k, v if len(v) < 40 else f"{v[:20]}…({len(v)})") for k, v in self.query]
        return (
            f"{self.actor} {self.method} {self.path} query={query} body={self.body} "
            f"fields={shown} token={self.with_token} json_accept={self.json_accept}"
        )


def send(actor: Actor, request: HostileRequest) -> Any:
    fields = list(request.fields)
    if request.with_token:
        fields.append(("csrf_token", actor.token))
    options: dict[str, Any] = {
        "method": request.method,
        "query_string": request.query,
        "headers": {"Accept": "application/json"} if request.json_accept else {},
    }
    if request.body == "form":
        options["data"] = MultiDict(fields)
    elif request.body == "multipart":
        data = MultiDict(fields)
        data.add("image", (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * 64), "x.png"))
        options["data"] = data
        options["content_type"] = "multipart/form-data"
    elif request.body == "json":
        options["data"] = json.dumps(dict(fields))
        options["content_type"] = "application/json"
    elif request.body == "text":
        options["data"] = "&".join(f"{k}={v}" for k, v in fields).encode("utf-8", "replace")
        options["content_type"] = "text/plain; charset=utf-8"
    response = actor.client.open(request.path, **options)
    if request.body == "multipart":
        response.request.input_stream.close()
    return response


def _logged_failure(caplog: Any) -> str:
    for record in reversed(caplog.records):
        if record.exc_info:
            return "".join(traceback.format_exception(*record.exc_info))[-3000:]
    return "(nothing logged)"


def is_sent_away(response: Any) -> bool:
    location = response.headers.get("Location", "")
    return response.status_code == 303 and location.startswith(("/age-gate", "/admin/login"))


def check(actor: Actor, request: HostileRequest, caplog: Any) -> Any:
    caplog.clear()
    response = send(actor, request)
    body = response.get_data().decode("utf-8", "replace")  # pictures are bytes
    assert response.status_code < 500, (
        f"{response.status_code} for {request.describe()}\n{_logged_failure(caplog)}"
    )
    for sign in TRACEBACK_SIGNS:
        assert sign not in body, f"{sign!r} in the body for {request.describe()}"
    return response


class Walk:
    """The seeded shop's values and each view's field names, for building requests."""

    def __init__(self, app: Any, seeded: SeededShop) -> None:
        self.seeded = seeded
        template_names = _names_in_templates()
        self.fields: dict[str, list[str]] = {}
        for endpoint, view in app.view_functions.items():
            names = set(_names_in_module(view.__module__)) | set(GENERIC_FIELDS)
            names |= set(template_names)
            names.discard("csrf_token")
            self.fields[endpoint] = sorted(names)

    def real_values(self, converter: str, name: str, endpoint: str = "") -> list[str]:
        if f"{endpoint}:{name}" in self.seeded.ids:
            return self.seeded.ids[f"{endpoint}:{name}"]
        if name in self.seeded.ids:
            return self.seeded.ids[name]
        return ["1"] if converter == "int" else ["golden-teacher"]

    def odd_values(self, converter: str) -> list[str]:
        return ODD_IDS if converter == "int" else ODD_SLUGS


# --- the sweep: every (rule, method), a few fixed hostile requests each ---------------------

SWEEP_BODIES = ("form", "json", "multipart", "text")
# NUL is refused up front (shop.web.input_guard) whatever the view: values with it would stop
# every request at that check, so the sweep sends them in one request only.
WITHOUT_NUL = [value for value in HOSTILE_VALUES if "\x00" not in value]


def plausible_values(walk: Walk) -> dict[str, str]:
    """Values a view accepts, so that a request with one hostile field gets past the others."""
    ids = walk.seeded.ids
    return {
        **PLAUSIBLE,
        "product_id": ids["product_id"][0],
        "promo_code_id": ids["promo_id"][0],
        "seen_state": "0-0",
    }


PLAUSIBLE = {
    "quantity": "1",
    "code": "HOSTILE10",
    "email": "ann@example.nl",
    "name": "Ann de Vries",
    "street": "Dorpsstraat 1",
    "postcode": "1234 AB",
    "city": "Utrecht",
    "country": "NL",
    "day": "17",
    "month": "5",
    "year": "1990",
    "acknowledged": "yes",
    "answer": "yes",
    "remember": "yes",
    "amount": "1,00",
    "price": "12,50",
    "stock": "5",
    "min_age": "18",
    "role": "manager",
    "active": "yes",
    "status": "paid",
    "page": "2",
    "sort": "price",
    "q": "golden",
    "from": "2026-01-01",
    "to": "2026-12-31",
    "at": "2026-01-02 12:00",
    "subtotal": "30,00",
    "check": "1",
    "starts_on": "2026-01-01",
    "ends_on": "2026-02-01",
    "starts_time": "10:00",
    "ends_time": "18:00",
    "kind": "percent",
    "value": "10",
    "usage_limit": "5",
    "per_customer_limit": "1",
    "min_subtotal": "10,00",
    "locale": "nl",
    "action": "pay",
    "confirm": "yes",
    "carrier": "PostNL",
    "tracking_code": "3SABC123",
    "note": "Checked with the customer.",
    "reason": "Damaged in transit",
    "restock": "yes",
    "password": "a long enough pass phrase",
    "password_again": "a long enough pass phrase",
    "current_password": "mushroom ledger of tuesday",
    "name_en": "Hostile truffles",
    "name_nl": "Vijandige truffels",
    "slug": "hostile-truffles",
    "summary_en": "Summary",
    "description_md_en": "**Bold** text",
    "allergy_mode": "none_known",
    "disclaimers-0-kind": "health",
    "disclaimers-0-text_en": "Not medical advice.",
    "disclaimers-0-text_nl": "Geen medisch advies.",
    "publish": "yes",
    "next": "/cart",
    "title_en": "A title",
    "body_md_en": "Some *text*",
}


def sweep_requests(walk: Walk, rule: Rule, method: str, actor: str) -> list[HostileRequest]:
    """Eight requests to a (rule, method); one for HEAD and OPTIONS (HEAD runs the GET view,
    OPTIONS none). The first has plausible values but for a few fields; in the next five,
    every field meets each of `UNIFORM_VALUES` once; then a mix of hostile values with half
    the fields missing and some repeated (as JSON to a POST: the wrong content type); then
    odd URL values, NUL bytes and a text/plain body."""
    arguments = argument_names(rule)
    real = {name: walk.real_values(conv, name, rule.endpoint)[0] for conv, name in arguments}
    odd = {name: walk.odd_values(conv)[i % 4 + 2] for i, (conv, name) in enumerate(arguments)}
    names = walk.fields.get(rule.endpoint, GENERIC_FIELDS)
    plausible = plausible_values(walk)
    has_body = method in {"POST", "PUT", "PATCH", "DELETE"}

    def request(fields: list[tuple[str, str]], body: str, **options: Any) -> HostileRequest:
        also_query = options.pop("also_query", False)
        return HostileRequest(
            actor=actor,
            method=method,
            path=options.pop("path", build_path(rule, real)),
            query=fields if also_query or not has_body else [],
            body=body if has_body else "none",
            fields=fields if has_body else [],
            **options,
        )

    few_hostile = {name for name in names[::9]}
    mixed = list(zip(names, islice(cycle(WITHOUT_NUL), len(names)), strict=True))
    requests = [
        request([(n, v if n in few_hostile else plausible.get(n, v)) for n, v in mixed], "form")
    ]
    if method in {"HEAD", "OPTIONS"}:
        return requests
    for turn, body in enumerate(("form", "form", "multipart", "form", "form")):
        values = [UNIFORM_VALUES[(i + turn) % len(UNIFORM_VALUES)] for i in range(len(names))]
        requests.append(request(list(zip(names, values, strict=True)), body, json_accept=turn == 1))
    requests.append(request(mixed[::2] + mixed[:5], "json"))  # half missing, some repeated
    with_nul = list(zip(names, islice(cycle(HOSTILE_VALUES), 3, 3 + len(names)), strict=True))
    requests.append(request(with_nul, "text", path=build_path(rule, odd), also_query=True))
    return requests


# Each a kind of trouble the mixed requests above may not bring to every field: a digit
# `int()` refuses though `isdigit()` accepts it, digits `int()` reads though they are not
# ASCII, a number no column holds, a long text, a date that does not exist.
UNIFORM_VALUES = ["²", "١٢٣", "9" * 40, TEN_KB, "2025-02-30"]


@pytest.mark.parametrize("actor_name", ["anonymous", "verified", "owner"])
def test_every_url_and_method_survives_a_sweep_of_hostile_values(
    app, session, shop_and_actors, caplog, actor_name
):
    seeded, actors = shop_and_actors
    actor = actors[actor_name]
    walk = Walk(app, seeded)
    pairs = walked_rules(app)
    assert len(pairs) > 40  # the whole shop, not an empty map
    caplog.set_level(logging.ERROR)
    for rule, method in pairs:
        for number, request in enumerate(sweep_requests(walk, rule, method, actor_name)):
            actor.reset()
            response = check(actor, request, caplog)
            if actor_name == "owner" and method not in SAFE_METHODS:
                restore_owner(session, seeded)
            if number == 0 and is_sent_away(response):
                break  # the gate or the login page answers, whatever the fields say


# --- hypothesis: random mixes ----------------------------------------------------------------

values = st.one_of(
    st.sampled_from(HOSTILE_VALUES),
    st.integers().map(str),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
)


@st.composite
def hostile_requests(draw: Any, walk: Walk, pairs: list[tuple[Rule, str]], actor: str) -> Any:
    rule, method = draw(st.sampled_from(pairs))
    path_values = {}
    for converter, name in argument_names(rule):
        choices = walk.real_values(converter, name, rule.endpoint) + walk.odd_values(converter)
        path_values[name] = draw(st.one_of(st.sampled_from(choices), values.filter(bool)))
    names = st.sampled_from(walk.fields.get(rule.endpoint, GENERIC_FIELDS))
    plausible = plausible_values(walk)
    # Mostly values a view accepts, some hostile: the hostile one then reaches deep code.
    field_value = st.one_of(
        names.map(lambda n: (n, plausible.get(n, "1"))),
        names.map(lambda n: (n, plausible.get(n, "1"))),
        st.tuples(names, values),
    )
    pairs_of = st.lists(field_value, max_size=12)
    fields = draw(pairs_of)
    if fields and draw(st.booleans()):
        fields += draw(st.lists(st.sampled_from(fields), max_size=3))  # repeated fields
    has_body = method in {"POST", "PUT", "PATCH", "DELETE"}
    body = draw(st.sampled_from(SWEEP_BODIES)) if has_body else "none"
    return HostileRequest(
        actor=actor,
        method=method,
        path=build_path(rule, path_values),
        query=draw(pairs_of),
        body=body,
        fields=fields if has_body else [],
        with_token=draw(st.integers(0, 9)) > 0,
        json_accept=draw(st.integers(0, 5)) == 0,
    )


# Bounded for a loaded 2-core machine: the sweep above covers every URL; these add variety.
EXAMPLES_PER_ACTOR = 300


@pytest.mark.parametrize("actor_name", ["anonymous", "verified", "owner"])
def test_random_hostile_requests_never_get_a_server_error(
    app, session, shop_and_actors, caplog, actor_name
):
    seeded, actors = shop_and_actors
    actor = actors[actor_name]
    walk = Walk(app, seeded)
    pairs = walked_rules(app)
    caplog.set_level(logging.ERROR)

    @settings(
        max_examples=EXAMPLES_PER_ACTOR,
        derandomize=IN_CI,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(request=hostile_requests(walk, pairs, actor_name))
    def survives(request: HostileRequest) -> None:
        actor.reset()
        check(actor, request, caplog)
        if actor_name == "owner" and request.method not in SAFE_METHODS:
            restore_owner(session, seeded)

    survives()


# --- regressions: what the walk found, each pinned down ---------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/admin/orders/9223372036854775808/events/1",
        "/admin/orders/2147483648",
        "/admin/promotions/99999999999999999999999",
        "/admin/staff/2147483648",
        "/admin/products/9223372036854775808",
    ],
)
def test_an_id_too_large_for_the_database_is_a_missing_page(client, session, path):
    """Found by the walk: `<int:…>` took any size, and the database refused it (a 500)."""
    member = make_staff(session, Role.OWNER)
    assert sign_in(client, member.email).status_code == 303
    pass_age_gate(client)  # an unknown URL leads to the gate first

    response = client.get(path)

    assert response.status_code == 404


def test_a_picture_id_too_large_for_the_database_is_a_missing_page(verified_client):
    assert verified_client.get("/images/9223372036854775808").status_code == 404
    assert verified_client.get("/images/2147483647").status_code == 404  # the largest id


@pytest.mark.parametrize("path", ["/admin/orders", "/admin/audit"])
@pytest.mark.parametrize("page", ["²", "١٢", "１"])
def test_a_page_number_in_other_digits_shows_the_first_page(client, session, path, page):
    """Found by the walk: "²".isdigit() is true but int("²") fails (a 500)."""
    member = make_staff(session, Role.OWNER)
    assert sign_in(client, member.email).status_code == 303

    response = client.get(path, query_string={"page": page})

    assert response.status_code == 200


@pytest.fixture
def birth_date_gate(app_settings):  # type: ignore[no-untyped-def]
    app_settings["SHOP_AGE_GATE_MODE"] = "dob"  # before `app` is made from them


@settings(
    max_examples=40,
    derandomize=IN_CI,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(day=st.sampled_from(HOSTILE_VALUES), month=values, year=st.sampled_from(HOSTILE_VALUES))
def test_the_birth_date_gate_survives_hostile_dates(birth_date_gate, client, day, month, year):
    """The walk runs the yes/no gate (the default); the date-of-birth gate reads three fields."""
    client.delete_cookie("session")
    page = client.get("/age-gate").get_data(as_text=True)
    assert 'name="day"' in page
    token = csrf_token(page)

    response = client.post(
        "/age-gate",
        data={"csrf_token": token, "day": day, "month": month, "year": year, "next": "/"},
    )

    assert response.status_code < 500
