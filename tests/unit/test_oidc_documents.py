"""How long the shop keeps an OpenID provider's discovery document and keys, and when it asks
again (shop.services.age_verification.provider_documents).

The documents are served over real HTTP by a loopback server whose answers each test sets
and which counts what it was asked; the clock is the test's. (The whole flow against a real
provider is tests/integration/test_age_verification_oidc.py.)
"""

from __future__ import annotations

import functools
import json
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from joserfc.jwk import RSAKey

from shop.services.age_verification import ProviderDocuments, ProviderUnavailable
from shop.services.age_verification.provider_documents import KEPT_FOR, REFETCH_GAP

DISCOVERY = "/.well-known/openid-configuration"


@dataclass
class DocumentServer:
    """What the provider answers (path -> (status, JSON)), and how often it was asked."""

    issuer: str = ""
    answers: dict[str, tuple[int, Any]] = field(default_factory=dict)
    asked: Counter[str] = field(default_factory=Counter)

    def publish(self, *keys: RSAKey, issuer: str | None = None) -> None:
        self.answers[DISCOVERY] = (
            200,
            {
                "issuer": issuer or self.issuer,
                "authorization_endpoint": f"{self.issuer}/auth",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
            },
        )
        self.answers["/jwks"] = (200, {"keys": [key.as_dict(private=False) for key in keys]})


@pytest.fixture
def server() -> Iterator[DocumentServer]:
    documents = DocumentServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            documents.asked[self.path] += 1
            status, body = documents.answers.get(self.path, (404, {"error": "not found"}))
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: object) -> None:
            pass

    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    documents.issuer = f"http://127.0.0.1:{http.server_address[1]}"
    thread = threading.Thread(target=http.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield documents
    finally:
        http.shutdown()
        http.server_close()


class Clock:
    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds

    def advance(self, by: timedelta) -> None:
        self.seconds += by.total_seconds()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def documents(clock: Clock) -> ProviderDocuments:
    return ProviderDocuments(clock=clock)


@functools.cache
def key(kid: str) -> RSAKey:
    """A signing key named `kid` (made once per name: making one takes a fraction of a second)."""
    return RSAKey.generate_key(2048, parameters={"kid": kid})


def kids(key_set: Any) -> set[str]:
    return {k.kid for k in key_set.keys}


def test_the_discovery_document_is_asked_once_while_it_is_kept(server, documents, clock):
    server.publish(key("k1"))

    for _ in range(5):
        found = documents.discovery(server.issuer, timeout=2)
    clock.advance(KEPT_FOR - timedelta(milliseconds=1))
    documents.discovery(server.issuer, timeout=2)

    assert found["token_endpoint"] == f"{server.issuer}/token"
    assert server.asked[DISCOVERY] == 1


def test_the_discovery_document_is_asked_again_on_the_second_it_is_no_longer_kept(
    server, documents, clock
):
    server.publish(key("k1"))
    documents.discovery(server.issuer, timeout=2)
    server.answers[DISCOVERY][1]["token_endpoint"] = f"{server.issuer}/token-v2"

    clock.advance(KEPT_FOR)
    found = documents.discovery(server.issuer, timeout=2)

    assert server.asked[DISCOVERY] == 2
    assert found["token_endpoint"] == f"{server.issuer}/token-v2"


def test_a_caller_changing_its_copy_does_not_change_the_kept_document(server, documents):
    server.publish(key("k1"))
    documents.discovery(server.issuer, timeout=2)["token_endpoint"] = "http://evil.example"

    assert documents.discovery(server.issuer, timeout=2)["token_endpoint"].endswith("/token")


def test_the_keys_are_asked_once_for_tokens_naming_a_known_key(server, documents, clock):
    server.publish(key("k1"), key("k2"))

    for kid in ("k1", "k2", "k1", None):
        found = documents.keys(server.issuer, key_id=kid, timeout=2)
        clock.advance(timedelta(minutes=5))

    assert kids(found) == {"k1", "k2"}
    assert server.asked["/jwks"] == 1


def test_a_rotated_key_is_fetched_at_once_and_the_new_set_is_kept(server, documents, clock):
    server.publish(key("old"))
    documents.keys(server.issuer, key_id="old", timeout=2)
    clock.advance(REFETCH_GAP)
    server.publish(key("old"), key("new"))

    found = documents.keys(server.issuer, key_id="new", timeout=2)
    documents.keys(server.issuer, key_id="new", timeout=2)

    assert kids(found) == {"old", "new"}
    assert server.asked["/jwks"] == 2


def test_unknown_key_ids_ask_the_provider_at_most_once_a_minute(server, documents, clock):
    server.publish(key("k1"))
    documents.keys(server.issuer, key_id="k1", timeout=2)

    for made_up in range(10):
        clock.advance(REFETCH_GAP / 20)
        found = documents.keys(server.issuer, key_id=f"forged-{made_up}", timeout=2)
    assert server.asked["/jwks"] == 1  # 10 made-up ids within half a minute: kept set used
    assert kids(found) == {"k1"}

    clock.advance(REFETCH_GAP / 2)
    documents.keys(server.issuer, key_id="forged-again", timeout=2)
    assert server.asked["/jwks"] == 2


def test_a_failed_fetch_is_not_kept(server, documents):
    server.answers[DISCOVERY] = (503, {"error": "maintenance"})

    with pytest.raises(ProviderUnavailable, match="503"):
        documents.discovery(server.issuer, timeout=2)
    server.publish(key("k1"))
    documents.discovery(server.issuer, timeout=2)
    documents.discovery(server.issuer, timeout=2)

    assert server.asked[DISCOVERY] == 2


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        ({"issuer": "https://other.example"}, "names issuer"),
        ("not an object", "not a JSON object"),
    ],
)
def test_a_wrong_discovery_document_is_refused_every_time(server, documents, answer, says):
    if isinstance(answer, dict):
        server.publish(key("k1"), issuer=answer["issuer"])
    else:
        server.answers[DISCOVERY] = (200, answer)

    for _ in range(2):
        with pytest.raises(ProviderUnavailable, match=says):
            documents.discovery(server.issuer, timeout=2)

    assert server.asked[DISCOVERY] == 2


def test_a_discovery_document_without_an_endpoint_is_refused(server, documents):
    server.publish(key("k1"))
    del server.answers[DISCOVERY][1]["jwks_uri"]

    with pytest.raises(ProviderUnavailable, match="no jwks_uri"):
        documents.keys(server.issuer, key_id="k1", timeout=2)


@pytest.mark.parametrize("published", [{"no": "keys"}, {"keys": "not a list"}, {"keys": [{}]}])
def test_a_key_set_that_cannot_be_read_is_the_provider_failing(server, documents, published):
    server.publish(key("k1"))
    server.answers["/jwks"] = (200, published)

    with pytest.raises(ProviderUnavailable, match="not a key set"):
        documents.keys(server.issuer, key_id="k1", timeout=2)


def test_each_provider_has_its_own_documents(server, documents):
    server.publish(key("k1"))
    documents.discovery(server.issuer, timeout=2)

    with pytest.raises(ProviderUnavailable):
        # The same server under another name: its document names 127.0.0.1, not localhost.
        documents.discovery(server.issuer.replace("127.0.0.1", "localhost"), timeout=2)
