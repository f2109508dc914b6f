"""Static files at versioned addresses: `url_for('static', ...)` adds `?v=<content hash>`, and
a request for the current version is told to keep it for a year (`immutable`). A release that
changes a file changes its address, so nobody waits for a cache to expire; an unversioned or
outdated address keeps Flask's short default.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask, current_app, request
from werkzeug.wrappers import Response

VERSION_PARAM = "v"
# Short, like a git hash: enough to tell a project's few files' versions apart.
VERSION_LENGTH = 10

_versions: dict[tuple[str, int, int], str] = {}
# In production the files do not change while the process runs: each name is hashed once and
# never looked at again (a page names ~7 static files; each look costs several system calls).
# Only files that exist are kept, so asking for made-up names cannot grow it.
_released: dict[tuple[str, str], str] = {}


def static_version(filename: str) -> str | None:
    """The content hash of `static/<filename>`, or None when there is no such file."""
    if current_app.config["SHOP_ENV"] != "production":
        return _version_now(filename)
    key = (current_app.static_folder or "static", filename)
    version = _released.get(key)
    if version is None:
        version = _version_now(filename)
        if version is not None:
            _released[key] = version
    return version


def _version_now(filename: str) -> str | None:
    folder = Path(current_app.static_folder or "static").resolve()
    path = (folder / filename).resolve()
    if not path.is_relative_to(folder) or not path.is_file():
        return None
    stat = path.stat()
    # Keyed by modification time and size too, so an edited file (`make run`) gets a new hash.
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    version = _versions.get(key)
    if version is None:
        version = hashlib.sha256(path.read_bytes()).hexdigest()[:VERSION_LENGTH]
        _versions[key] = version
    return version


def install(app: Flask) -> None:
    max_age = app.config["SHOP_STATIC_MAX_AGE_SECONDS"]

    @app.url_defaults
    def version_static_urls(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint != "static" or VERSION_PARAM in values or "filename" not in values:
            return
        version = static_version(values["filename"])
        if version is not None:
            values[VERSION_PARAM] = version

    @app.after_request
    def cache_versioned_static_files(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code not in {200, 304}:
            return response
        asked = request.args.get(VERSION_PARAM)
        filename = (request.view_args or {}).get("filename", "")
        if asked and asked == static_version(filename):
            response.cache_control.public = True
            response.cache_control.max_age = max_age
            response.cache_control.immutable = True
        return response
