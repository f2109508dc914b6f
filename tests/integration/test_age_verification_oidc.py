"""Age verification by a real OpenID provider (oidc-provider, tests/oidc_peer.py): the
authorization code flow with PKCE, driven over HTTP from the shop's gate through the
provider's sign-in page and back, and every way it must fail without verifying anyone.

The shop is the Flask test client on the test database; the provider is a Node process on
a loopback port that the shop reaches over real HTTP (discovery, keys, token). The
redirect URI registered at the provider is the test client's own host.
"""

from __future__ import annotations

import base64
import json
import socket
import zlib
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey
from sqlalchemy import select, text

from shop import clock
from shop.extensions import db
from shop.models import AgeCheck, AgeCheckMethod, AgeCheckOutcome, Order, Product
from shop.services.age_verification import OidcProvider, OidcSettings, ProviderDocuments
from shop.web.age_verification import DOCUMENTS_EXTENSION
from tests.admin_support import signed_in
from tests.conftest import settings_for
from tests.helpers import make_product
from tests.integration.test_checkout_pages import (
    fill_cart,
    open_checkout,
    order_count,
    submit,
    words_at,
)
from tests.oidc_peer import (
    ADULT,
    CANCEL,
    NINETEEN,
    OTHER_CLIENT,
    PERSONAL_CLAIMS,
    SHOP_CLIENT,
    TEEN,
    OidcPeer,
    client_secret,
    running_oidc_provider,
    sign_in_at_provider,
)
from tests.pages import Page, words
from tests.peers import free_port

REDIRECT_URI = "http://localhost/age-verification/callback"


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcPeer]:
    with running_oidc_provider(REDIRECT_URI) as peer:
        yield peer


@pytest.fixture(scope="module")
def short_lived_provider() -> Iterator[OidcPeer]:
    """A second provider whose ID tokens live one second (and who is another issuer)."""
    with running_oidc_provider(REDIRECT_URI, id_token_ttl=1) as peer:
        yield peer


@pytest.fixture
def app_settings(database_url: str, provider: OidcPeer) -> dict[str, object]:
    return settings_for(database_url, **provider.shop_settings())


def start(client, *, next_path: str = "/", age: int | None = None) -> str:  # type: ignore[no-untyped-def]
    """Ask the shop to verify; the provider's authorization URL it redirects to."""
    query = {"next": next_path} | ({"age": str(age)} if age else {})
    response = client.get("/age-verification/start", query_string=query)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def come_back(client, callback_url: str):  # type: ignore[no-untyped-def]
    """The browser arrives at the shop's callback with what the provider sent."""
    parts = urlsplit(callback_url)
    return client.get(f"{parts.path}?{parts.query}")


def verify(client, account: str, **asked: object):  # type: ignore[no-untyped-def]
    return come_back(client, sign_in_at_provider(start(client, **asked), account, REDIRECT_URI))


def checks() -> list[AgeCheck]:
    db.session.rollback()
    return list(db.session.scalars(select(AgeCheck).order_by(AgeCheck.id)))


def _json_part(part: str) -> dict:  # type: ignore[type-arg]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def session_cookie(client) -> str:  # type: ignore[no-untyped-def]
    """The session cookie's payload as anyone holding the cookie can read it."""
    value = client.get_cookie("session").value
    compressed, payload = value.startswith("."), value.lstrip(".").split(".")[0]
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return (zlib.decompress(data) if compressed else data).decode()


# --- the way through ----------------------------------------------------------------------


def test_the_gate_sends_the_visitor_to_the_provider_and_an_adult_enters_the_shop(client):
    assert client.get("/").status_code == 303
    gate = client.get("/age-gate?next=/").get_data(as_text=True)
    assert "Verify my age" in gate and "/age-verification/start?next=/" in gate

    answer = verify(client, ADULT, next_path="/")

    assert answer.status_code == 303 and answer.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    [check] = checks()
    assert (check.outcome, check.method, check.min_age) == (
        AgeCheckOutcome.PASSED,
        AgeCheckMethod.OIDC,
        18,
    )
    assert check.provider == client.application.config["SHOP_OIDC_ISSUER"]
    assert check.reference and check.reference.split(":")[0] in {"txn", "jti", "sid", "sha256"}


def test_the_provider_is_asked_for_its_documents_once_for_several_verifications(client, app):
    """Discovery and keys are kept by the process (provider_documents): two visitors
    verifying one after the other cost the provider one discovery and one key fetch, not
    four of each. Observed on the HTTP session the shop uses to ask for them."""
    documents = ProviderDocuments()
    app.extensions[DOCUMENTS_EXTENSION] = documents
    asked: list[str] = []
    documents.http.hooks["response"].append(
        lambda response, **_: asked.append(urlsplit(response.url).path)
    )

    for visitor in (client, app.test_client()):
        answer = verify(visitor, ADULT, next_path="/")
        assert answer.status_code == 303 and answer.headers["Location"] == "/"
        assert visitor.get("/").status_code == 200

    assert [check.outcome for check in checks()] == [AgeCheckOutcome.PASSED] * 2
    assert len(asked) == 2 and asked[0] == "/.well-known/openid-configuration", asked
    assert "jwks" in asked[1], asked


def test_the_authorization_request_carries_pkce_s256_a_state_and_a_nonce(client):
    first, second = start(client), start(client)

    asked = {key: values[0] for key, values in parse_qs(urlsplit(first).query).items()}
    assert asked["response_type"] == "code" and asked["client_id"] == SHOP_CLIENT
    assert asked["redirect_uri"] == REDIRECT_URI and asked["prompt"] == "login"
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) == 43
    again = {key: values[0] for key, values in parse_qs(urlsplit(second).query).items()}
    for one_time in ("state", "nonce", "code_challenge"):
        assert len(asked[one_time]) >= 32 and asked[one_time] != again[one_time]
    # Nothing is verified by being sent to the provider.
    assert client.get("/").status_code == 303


def test_no_column_of_any_table_holds_a_personal_claim_of_the_token(client):
    verify(client, ADULT)
    verify(client, TEEN)

    secrets_of_people = [value for account in (ADULT, TEEN) for value in PERSONAL_CLAIMS[account]]
    secrets_of_people += [ADULT, TEEN]  # the subjects (`sub`)
    db.session.rollback()
    stored = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(text(f"SELECT * FROM {table.name}")):
            stored += [str(value) for value in row]
    assert len(checks()) == 2
    found = [value for value in secrets_of_people for cell in stored if value in cell]
    assert found == []
    cookie = session_cookie(client)
    assert not [value for value in secrets_of_people if value in cookie]


def test_an_under_age_account_is_refused_and_the_shop_stays_closed(client):
    answer = verify(client, TEEN)

    assert answer.headers["Location"].endswith("/age-gate/refused")
    assert client.get("/").headers["Location"].endswith("/age-gate/refused")
    [check] = checks()
    assert (check.outcome, check.method) == (AgeCheckOutcome.REFUSED, AgeCheckMethod.OIDC)


def test_a_product_age_of_21_is_asked_of_the_provider_as_its_own_claim(client):
    too_young = verify(client, NINETEEN, next_path="/cart", age=21)

    assert too_young.status_code == 403
    assert "did not confirm that you are 21 or older" in too_young.get_data(as_text=True)
    assert verify(client, ADULT, next_path="/cart", age=21).headers["Location"] == "/cart"
    assert [(c.outcome, c.min_age) for c in checks()] == [
        (AgeCheckOutcome.REFUSED, 21),
        (AgeCheckOutcome.PASSED, 21),
    ]


# --- the ways it fails ----------------------------------------------------------------------


def test_a_cancelled_sign_in_verifies_nothing_and_says_so(client):
    answer = verify(client, CANCEL)

    assert answer.status_code == 403
    page = answer.get_data(as_text=True)
    assert "cancelled or refused" in page and "Try again" in page
    assert client.get("/").status_code == 303  # still at the gate
    [check] = checks()
    assert (check.outcome, check.reference) == (AgeCheckOutcome.FAILED, None)


def test_the_failure_page_speaks_dutch_to_a_dutch_visitor(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"

    answer = verify(client, CANCEL)

    assert answer.status_code == 403
    assert "Je leeftijd kon niet worden gecontroleerd" in answer.get_data(as_text=True)


def test_a_replayed_state_is_refused(client, app):
    callback = sign_in_at_provider(start(client), ADULT, REDIRECT_URI)
    assert come_back(client, callback).status_code == 303

    replayed = come_back(client, callback)
    stranger = come_back(app.test_client(), callback)

    for answer in (replayed, stranger):
        assert answer.status_code == 400
        assert "already used or has expired" in answer.get_data(as_text=True)
    assert len(checks()) == 1  # only the real verification


def test_a_replayed_code_is_refused_by_the_provider(client):
    first = sign_in_at_provider(start(client), TEEN, REDIRECT_URI)
    come_back(client, first)
    client.delete_cookie("session")  # a fresh visitor replays the used code with its own state
    fresh_state = parse_qs(urlsplit(start(client)).query)["state"][0]
    used_code = parse_qs(urlsplit(first).query)["code"][0]

    answer = client.get(
        "/age-verification/callback?" + urlencode({"code": used_code, "state": fresh_state})
    )

    assert answer.status_code == 400
    assert client.get("/").status_code == 303
    assert [c.outcome for c in checks()] == [AgeCheckOutcome.REFUSED, AgeCheckOutcome.FAILED]


def test_a_code_issued_to_another_client_is_refused(client):
    authorization = urlsplit(start(client))
    query = parse_qs(authorization.query)
    query["client_id"] = [OTHER_CLIENT]
    elsewhere = urlunsplit(authorization._replace(query=urlencode(query, doseq=True)))

    answer = come_back(client, sign_in_at_provider(elsewhere, ADULT, REDIRECT_URI))

    assert answer.status_code == 400
    assert client.get("/").status_code == 303
    assert [c.outcome for c in checks()] == [AgeCheckOutcome.FAILED]


def test_a_response_naming_another_issuer_is_refused(client):
    callback = urlsplit(sign_in_at_provider(start(client), ADULT, REDIRECT_URI))
    query = parse_qs(callback.query)
    query["iss"] = ["https://mix-up.example"]

    answer = client.get(f"{callback.path}?{urlencode(query, doseq=True)}")

    assert answer.status_code == 400
    assert client.get("/").status_code == 303


def test_an_expired_id_token_is_refused(client, app, short_lived_provider):
    app.config["SHOP_OIDC_ISSUER"] = short_lived_provider.issuer
    callback = sign_in_at_provider(start(client), ADULT, REDIRECT_URI)

    # The token lived one second; past it and the 60 s the shop allows for clock skew.
    with clock.frozen_at(clock.now() + timedelta(seconds=90)):
        answer = come_back(client, callback)

    assert answer.status_code == 400
    assert "could not be checked" in answer.get_data(as_text=True)
    assert [c.outcome for c in checks()] == [AgeCheckOutcome.FAILED]


def _silent_listener() -> socket.socket:
    """A port that accepts connections and never answers (a provider that hangs)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    return listener


@pytest.mark.parametrize("failure", ["closed port", "no answer", "another issuer"])
def test_a_provider_that_cannot_be_asked_verifies_nothing(client, app, provider, failure):
    listener = _silent_listener()
    issuer = {
        "closed port": f"http://127.0.0.1:{free_port()}",
        "no answer": f"http://127.0.0.1:{listener.getsockname()[1]}",
        # The same provider under another name: its discovery document names 127.0.0.1.
        "another issuer": provider.issuer.replace("127.0.0.1", "localhost"),
    }[failure]
    app.config.update(SHOP_OIDC_ISSUER=issuer, SHOP_OIDC_TIMEOUT_SECONDS=0.5)
    try:
        answer = client.get("/age-verification/start?next=/")
    finally:
        listener.close()

    assert answer.status_code == 503
    assert "could not reach the age verification service" in answer.get_data(as_text=True)
    assert client.get("/").status_code == 303
    [check] = checks()
    assert (check.outcome, check.provider) == (AgeCheckOutcome.FAILED, issuer)


# --- the ID token checks, on tokens the real provider issued ----------------------------


def _oidc_provider(peer: OidcPeer, client_id: str = SHOP_CLIENT) -> OidcProvider:
    return OidcProvider(
        OidcSettings(
            issuer=peer.issuer,
            client_id=client_id,
            client_secret=client_secret(client_id),
            scope="openid age",
            age_claim="age_over_{age}",
            age_claim_value="true",
            timeout_seconds=5,
            min_age=18,
        )
    )


def _real_id_token(peer: OidcPeer, client_id: str = SHOP_CLIENT) -> tuple[str, str]:
    """An ID token the provider issued to `client_id` for the adult, and its nonce."""
    oidc = _oidc_provider(peer, client_id)
    url, pending = oidc.begin(
        required_age=18, redirect_uri=REDIRECT_URI, next_path="/", now=clock.now()
    )
    code = parse_qs(urlsplit(sign_in_at_provider(url, ADULT, REDIRECT_URI)).query)["code"][0]
    return oidc.exchange_code(code, pending), pending.nonce


def test_a_genuine_token_passes_the_checks(provider):
    token, nonce = _real_id_token(provider)

    claims = _oidc_provider(provider).check_id_token(token, nonce=nonce, now=clock.now())

    assert claims["age_over_18"] is True and claims["aud"] == SHOP_CLIENT


def test_a_token_with_a_tampered_payload_fails_the_signature(provider):
    token, nonce = _real_id_token(provider)
    header, payload, signature = token.split(".")
    claims = _json_part(payload)
    claims["age_over_21"] = claims["age_over_18"] = True
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

    with pytest.raises(JoseError):
        _oidc_provider(provider).check_id_token(
            f"{header}.{forged}.{signature}", nonce=nonce, now=clock.now()
        )


def test_a_token_signed_with_a_key_the_shop_does_not_trust_fails(provider):
    """Crafted here (the provider would never sign it): the right claims, the provider's
    key id, but a key of the test's own."""
    token, nonce = _real_id_token(provider)
    header, payload, _ = token.split(".")
    kid = _json_part(header).get("kid", "")
    own_key = RSAKey.generate_key(2048, parameters={"kid": kid})
    crafted = jwt.encode({"alg": "RS256", "kid": kid}, _json_part(payload), own_key)

    with pytest.raises(JoseError):
        _oidc_provider(provider).check_id_token(crafted, nonce=nonce, now=clock.now())


def test_a_token_for_another_audience_fails(provider):
    token, nonce = _real_id_token(provider, OTHER_CLIENT)

    with pytest.raises(JoseError):
        _oidc_provider(provider).check_id_token(token, nonce=nonce, now=clock.now())


def test_a_token_of_another_issuer_fails(provider, short_lived_provider):
    """Both test providers sign with the same development keys: only the issuer differs."""
    token, nonce = _real_id_token(short_lived_provider)

    with pytest.raises(JoseError):
        _oidc_provider(provider).check_id_token(token, nonce=nonce, now=clock.now())


def test_a_token_with_another_nonce_fails(provider):
    token, _ = _real_id_token(provider)

    with pytest.raises(JoseError):
        _oidc_provider(provider).check_id_token(token, nonce="not-the-one", now=clock.now())


# --- a product that needs a verified age, the order and the back office -----------------


def test_a_product_that_needs_a_verified_age_is_sold_only_after_the_provider_verified_it(
    session, client
):
    strong = make_product(session, "Hollandia Strong", min_age=21, needs_verified_age=True)
    verify(client, ADULT)  # the gate: 18+
    fill_cart(client, strong)

    form_page = open_checkout(client)
    link = form_page.one("#age-verify a")["href"]
    assert link == "/age-verification/start?next=/checkout&age=21"
    assert not form_page.soup.select("#f-day")  # no date of birth would do
    refused = submit(client, form_page, day=None, month=None, year=None)
    assert refused.status_code == 403
    assert (
        "Hollandia Strong can only be ordered after your age (21 or older) has been verified."
        in words(refused.get_data(as_text=True))
    )
    assert order_count(session) == 0

    assert verify(client, ADULT, next_path="/checkout", age=21).headers["Location"] == "/checkout"
    verified_page = open_checkout(client)
    assert "21 or older" in words_at(verified_page, "#age-verified")
    placed = submit(client, verified_page, day=None, month=None, year=None)

    assert placed.status_code == 303, words(placed.get_data(as_text=True))[:2000]
    order = session.scalars(select(Order)).one()
    assert (order.age_check_method, order.age_required) == (AgeCheckMethod.OIDC, 21)


def test_staff_see_how_the_age_was_verified_and_the_counts_by_method(session, client, app):
    product = make_product(session)
    verify(client, ADULT)
    fill_cart(client, product)
    assert submit(client, open_checkout(client), day=None, month=None, year=None).status_code == 303
    verify(app.test_client(), TEEN)
    verify(app.test_client(), CANCEL)
    order = session.scalars(select(Order)).one()
    assert order.age_check_method == AgeCheckMethod.OIDC

    staff = app.test_client()
    signed_in(staff, session, "manager")
    detail = Page.of(staff.get(f"/admin/orders/{order.id}"))
    assert "verified by the age verification service (bank or eID)" in detail.text
    dashboard = Page.of(staff.get("/admin/"))
    rows = {
        row.select_one("th").get_text(strip=True): [td.get_text(strip=True) for td in row("td")]
        for row in dashboard.soup.select("table.age-checks tbody tr")
    }
    assert rows["Age verification service"] == ["1", "1", "1"]
    assert rows["Yes/no question"] == ["0", "0", "0"]


def test_a_script_starting_verification_after_verification_is_slowed_down(client):
    for _ in range(20):
        start(client)

    answer = client.get("/age-verification/start?next=/")

    assert answer.status_code == 429


def test_a_shop_without_a_provider_says_the_service_cannot_be_reached(client, app):
    app.config["SHOP_OIDC_ISSUER"] = None

    answer = client.get("/age-verification/start?next=/checkout&age=21")

    assert answer.status_code == 404
    assert "could not reach the age verification service" in answer.get_data(as_text=True)
    assert checks() == []


def test_without_a_provider_the_checkout_says_why_the_product_cannot_be_ordered(
    session, client, app
):
    strong = make_product(session, "Hollandia Strong", min_age=21, needs_verified_age=True)
    verify(client, ADULT)
    fill_cart(client, strong)
    app.config["SHOP_OIDC_ISSUER"] = None  # as `make run` has it

    form_page = open_checkout(client)

    assert not form_page.soup.select("#age-verify a[href^='/age-verification/']")
    assert "has not connected an age verification service yet" in words_at(form_page, "#age-verify")
    assert form_page.one("#age-verify a")["href"] == "/cart"


def test_staff_mark_a_product_as_needing_a_verified_age_on_its_form(session, app):
    product = make_product(session, min_age=21)
    staff = app.test_client()
    signed_in(staff, session, "manager")
    edit = f"/admin/products/{product.id}"
    fields = Page.of(staff.get(edit)).form(f'form[action="{edit}"]')
    assert "needs_verified_age" not in fields

    answer = staff.post(edit, data={**fields, "needs_verified_age": "yes"})

    assert answer.status_code == 303
    session.rollback()
    assert session.get(Product, product.id).needs_verified_age is True
