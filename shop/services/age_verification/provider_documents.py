"""What the shop keeps of an OpenID provider between verifications: its discovery document
and its signing keys (JWKS), per process.

Belongs here: fetching those two documents, how long they are kept and when they are fetched
again. Not the sign-in flow or the token checks (`oidc`).

Without this every verification asked the provider four times for documents that change
a few times a year (the discovery document at the start, and at the callback the discovery
document twice and the keys once), each a round trip to the provider before the visitor
saw a page. Now:

- both are kept for `KEPT_FOR` after they were fetched, then fetched again when next needed;
- the keys are fetched again early when a token names a key id (`kid`) the kept set does
  not hold: the provider has rotated its keys. At most once per `REFETCH_GAP` per provider,
  so a stream of tokens with made-up key ids cannot make the shop hammer the provider; such
  a token fails its signature check like any other;
- a failed fetch is never kept: the next verification asks again;
- one HTTP session per process keeps its connection to the provider open between fetches.

A discovery document whose `issuer` is not exactly the configured one, or that lacks an
endpoint the flow needs, is refused (`ProviderUnavailable`) and not kept.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import requests
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

# Providers change these documents rarely; an hour bounds how long a changed endpoint stays
# unknown here. A rotated signing key is picked up at once (see `keys`).
KEPT_FOR = timedelta(hours=1)
REFETCH_GAP = timedelta(seconds=60)
REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri")


class ProviderUnavailable(Exception):
    """The provider could not be asked: it timed out, answered an error, or its discovery
    document does not name the configured issuer."""


@dataclass(frozen=True)
class _Kept:
    document: Any
    fetched_at: float


class ProviderDocuments:
    """The discovery documents and key sets of the providers this process has asked, by
    issuer. Thread-safe; `clock` is seconds that only go forward (tests pass their own)."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        kept_for: timedelta = KEPT_FOR,
        refetch_gap: timedelta = REFETCH_GAP,
    ) -> None:
        self.http = requests.Session()
        self._clock = clock
        self._kept_for = kept_for.total_seconds()
        self._refetch_gap = refetch_gap.total_seconds()
        self._discovery: dict[str, _Kept] = {}
        self._keys: dict[str, _Kept] = {}
        self._lock = threading.Lock()

    def fetch_json(self, url: str, *, timeout: float) -> dict[str, Any]:
        """A JSON object from `url`; ProviderUnavailable for anything else."""
        try:
            response = self.http.get(url, timeout=timeout)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as error:
            raise ProviderUnavailable(f"{url}: {error}") from error
        if not isinstance(document, dict):
            raise ProviderUnavailable(f"{url}: not a JSON object")
        return document

    def _fresh(self, kept: _Kept | None, now: float) -> bool:
        return kept is not None and now - kept.fetched_at < self._kept_for

    def discovery(self, issuer: str, *, timeout: float) -> dict[str, Any]:
        """`issuer`'s discovery document, checked (see the module's docstring)."""
        now = self._clock()
        with self._lock:
            kept = self._discovery.get(issuer)
        if kept is not None and self._fresh(kept, now):
            return dict(kept.document)
        document = self.fetch_json(f"{issuer}/.well-known/openid-configuration", timeout=timeout)
        if document.get("issuer") != issuer:
            raise ProviderUnavailable(
                f"the discovery document names issuer {document.get('issuer')!r}, not {issuer!r}"
            )
        for key in REQUIRED_ENDPOINTS:
            if not isinstance(document.get(key), str):
                raise ProviderUnavailable(f"the discovery document has no {key}")
        with self._lock:
            self._discovery[issuer] = _Kept(document, now)
        return dict(document)

    def keys(self, issuer: str, *, key_id: str | None, timeout: float) -> KeySet:
        """`issuer`'s signing keys, fetched again early when they lack `key_id`;
        ProviderUnavailable when the provider's key set cannot be fetched or read."""
        now = self._clock()
        with self._lock:
            kept = self._keys.get(issuer)
        if kept is not None and self._fresh(kept, now):
            key_set: KeySet = kept.document
            rotated = key_id is not None and all(key.kid != key_id for key in key_set.keys)
            if not rotated or now - kept.fetched_at < self._refetch_gap:
                return key_set
        jwks_uri = self.discovery(issuer, timeout=timeout)["jwks_uri"]
        published: Any = self.fetch_json(jwks_uri, timeout=timeout)
        try:
            key_set = KeySet.import_key_set(published)
        except (JoseError, KeyError, TypeError, ValueError) as error:
            raise ProviderUnavailable(f"{jwks_uri}: not a key set ({error!r})") from error
        with self._lock:
            self._keys[issuer] = _Kept(key_set, now)
        return key_set
