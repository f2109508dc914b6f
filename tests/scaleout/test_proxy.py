"""Behind reverse proxies (`SHOP_PROXY_HOPS`): the visitor's address, the scheme and the host
come from the proxies' X-Forwarded-* headers, trusted for exactly the configured hops."""

from __future__ import annotations

import pytest
from flask import request

FORWARDED = {
    "X-Forwarded-For": "203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "shop.example.nl",
}


def seen_by_the_shop(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """What a view sees of a request that came through a proxy at 10.0.0.2."""
    seen: dict[str, str] = {}

    @app.before_request
    def look() -> None:
        seen.update(address=request.remote_addr or "", scheme=request.scheme, host=request.host)

    app.test_client().get("/healthz", headers=FORWARDED, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    return seen


@pytest.fixture
def app_settings(app_settings, request):  # type: ignore[no-untyped-def]
    app_settings["SHOP_PROXY_HOPS"] = request.param
    return app_settings


@pytest.mark.parametrize("app_settings", [1], indirect=True)
def test_behind_one_proxy_the_shop_sees_the_visitor_and_the_public_address(app):
    assert seen_by_the_shop(app) == {
        "address": "203.0.113.7",
        "scheme": "https",
        "host": "shop.example.nl",
    }


@pytest.mark.parametrize("app_settings", [0], indirect=True)
def test_without_proxies_forwarded_headers_are_ignored_so_nobody_picks_their_address(app):
    assert seen_by_the_shop(app) == {"address": "10.0.0.2", "scheme": "http", "host": "localhost"}
