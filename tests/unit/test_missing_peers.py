"""What a test does when a program it needs (Redis, Chromium, …) is not on the machine: in CI
it fails, since a skip there would hide a test that never ran; locally it is skipped, with
the message saying how to install what is missing."""

from __future__ import annotations

import pytest

from tests import peers

MESSAGE = "no redis-server: apt-get install redis-server"


def test_a_missing_peer_fails_the_test_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(peers, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match=MESSAGE):
        peers.missing_peer(MESSAGE)


def test_a_missing_peer_skips_the_test_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(peers, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception, match=MESSAGE):
        peers.missing_peer(MESSAGE)
