"""The visitor's CSRF token on the pages (shop.web.csrf.visitor_token): signed once a minute
per visitor, not once per page, and every token handed out still does its job: accepted
from its own visitor, refused from another."""

from __future__ import annotations

import time

import pytest
from itsdangerous import TimestampSigner

from shop.web import csrf as csrf_module
from tests.helpers import csrf_token, pass_age_gate


class Clock:
    """The reuse window's clock and the signing time in one (tokens are signed to the
    second, so two signed in the same real second are equal)."""

    def __init__(self) -> None:
        self.seconds = 50_000.0
        self.wall = int(time.time())

    def __call__(self) -> float:
        return self.seconds

    def advance(self, seconds: float) -> None:
        self.seconds += seconds
        self.wall += int(seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(csrf_module, "_clock", clock)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _signer: clock.wall)
    return clock


def visitor(app):  # type: ignore[no-untyped-def]
    client = app.test_client()
    pass_age_gate(client)
    return client


def token_on(client, path: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return csrf_token(response.get_data(as_text=True))


def switch_language(client, token: str) -> int:  # type: ignore[no-untyped-def]
    """Post the language switcher's form with `token`; the answer's status."""
    form = {"csrf_token": token, "locale": "nl", "return_to": "/"}
    return int(client.post("/language", data=form).status_code)


def test_a_visitor_is_shown_one_token_within_a_minute_and_it_works(app, clock):
    ann = visitor(app)

    first = token_on(ann, "/")
    clock.advance(csrf_module.REUSE_SECONDS - 0.001)
    again = token_on(ann, "/shipping")

    assert again == first
    assert switch_language(ann, again) == 303


def test_two_visitors_never_share_a_token(app, clock):
    ann, bob = visitor(app), visitor(app)

    ann_token, bob_token = token_on(ann, "/"), token_on(bob, "/")

    assert ann_token != bob_token
    assert switch_language(bob, ann_token) == 400
    assert switch_language(ann, bob_token) == 400
    assert switch_language(bob, bob_token) == 303


def test_after_a_minute_a_fresh_token_is_signed_and_the_older_one_still_works(app, clock):
    ann = visitor(app)
    older = token_on(ann, "/")

    clock.advance(csrf_module.REUSE_SECONDS)
    fresh = token_on(ann, "/")

    assert fresh != older
    assert switch_language(ann, older) == 303
    assert switch_language(ann, fresh) == 303
