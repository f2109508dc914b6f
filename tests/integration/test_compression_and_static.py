"""gzip when the app runs on its own (shop.web.compression), and static files at versioned
addresses that browsers keep for a year (shop.web.static_urls)."""

from __future__ import annotations

import gzip
import re

import pytest

from shop import create_app
from tests.conftest import IsolatedClient
from tests.helpers import make_product

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def test_a_page_asked_for_with_gzip_is_smaller_and_the_same_page(session, verified_client):
    product = make_product(session)
    plain = verified_client.get(f"/products/{product.slug}")
    packed = verified_client.get(f"/products/{product.slug}", headers=GZIP)

    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert "Accept-Encoding" in plain.headers["Vary"]
    assert int(packed.headers["Content-Length"]) < len(plain.get_data()) / 2
    # The same page, but for the per-response CSRF token in its forms.
    token = re.compile(rb'name="csrf_token" value="[^"]+"')
    unpacked = gzip.decompress(packed.get_data())
    assert token.sub(b"", unpacked) == token.sub(b"", plain.get_data())


def test_a_stylesheet_is_compressed_and_still_answers_304(client):
    first = client.get("/static/css/shop.css", headers=GZIP)
    assert first.headers["Content-Encoding"] == "gzip"
    with open("static/css/shop.css", "rb") as stylesheet:
        assert gzip.decompress(first.get_data()) == stylesheet.read()
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')  # another representation of the same file

    again = client.get("/static/css/shop.css", headers={**GZIP, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""


def test_pictures_and_tiny_bodies_are_sent_as_they_are(client):
    icon = client.get("/static/icons/icon-192.png", headers=GZIP)
    assert icon.status_code == 200
    assert "Content-Encoding" not in icon.headers
    health = client.get("/healthz", headers=GZIP)
    assert "Content-Encoding" not in health.headers


def test_compression_can_be_switched_off_behind_a_proxy(app_settings):
    app = create_app({**app_settings, "SHOP_COMPRESS": "false"})
    app.test_client_class = IsolatedClient
    with app.app_context():
        response = app.test_client().get("/age-gate", headers=GZIP)
        assert response.status_code == 200
        assert "Content-Encoding" not in response.headers
        assert "Accept-Encoding" not in response.headers.get("Vary", "")


def test_pages_link_static_files_by_content_hash_and_those_are_kept_a_year(client):
    page = client.get("/age-gate").get_data(as_text=True)
    stylesheet = re.search(r'href="(/static/css/shop\.css\?v=[0-9a-f]{10})"', page)
    assert stylesheet, "the stylesheet's address carries no version"

    response = client.get(stylesheet.group(1))
    assert response.status_code == 200
    cache = response.cache_control
    assert cache.public and cache.immutable and cache.max_age == 31536000


@pytest.mark.parametrize("query", ["", "?v=0000000000"])
def test_an_unversioned_or_outdated_static_address_is_not_kept_long(client, query):
    response = client.get(f"/static/css/shop.css{query}")
    assert response.status_code == 200
    assert not response.cache_control.immutable
    assert (response.cache_control.max_age or 0) < 31536000
