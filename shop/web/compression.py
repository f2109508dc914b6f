"""gzip for the app's text responses when nothing in front of it compresses them (`make run`,
gunicorn on its own). Behind nginx, which gzips already (deploy/nginx/shop.conf), switch it
off with `SHOP_COMPRESS=false`.

A small after-request hook with explicit rules rather than a dependency: text types only
(pictures are compressed already), not tiny bodies, not streamed ones, not a body that is
already encoded, never a 304 or a range. gzip only: brotli would need a compiled library for a
few percent more on pages that are a few kilobytes gzipped.
"""

from __future__ import annotations

import gzip

from flask import Flask, request
from werkzeug.wrappers import Response

COMPRESSIBLE_TYPES = frozenset(
    {
        "text/html",
        "text/css",
        "text/plain",
        "text/csv",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/manifest+json",
        "image/svg+xml",
    }
)
# Below this the gzip header and the work cost more than the bytes saved (nginx: 256).
MIN_SIZE = 500
# 6 is zlib's default: nearly all of 9's saving at a fraction of its time.
LEVEL = 6


def is_compressible(response: Response) -> bool:
    """Whether `response` is a text body gzip would shrink, whatever the client accepts."""
    return (
        response.mimetype in COMPRESSIBLE_TYPES
        and response.status_code == 200
        and "Content-Encoding" not in response.headers
        and "Content-Range" not in response.headers
        # A static file is a file wrapper without a length, but not a stream of our making.
        and (response.direct_passthrough or not response.is_streamed)
    )


def gzipped(response: Response) -> Response:
    """`response` with a gzip body, if it is worth it; the ETag made weak (same page, other
    bytes), so a later If-None-Match still gets its 304."""
    # A static file is sent straight from disk; read it here to compress it (they are small).
    response.direct_passthrough = False
    body = response.get_data()
    if len(body) < MIN_SIZE:
        return response
    response.set_data(gzip.compress(body, compresslevel=LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)
    return response


def install(app: Flask) -> None:
    if not app.config["SHOP_COMPRESS"]:
        return

    @app.after_request
    def compress(response: Response) -> Response:
        if not is_compressible(response):
            return response
        # Whether or not this client took gzip, a cache must keep the two versions apart.
        response.vary.add("Accept-Encoding")
        if request.accept_encodings["gzip"] <= 0:
            return response
        return gzipped(response)
