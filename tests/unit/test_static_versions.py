"""Static files' content hashes (shop.web.static_urls): worked out again when a file changes
in development, once per process in production, and never kept for names that do not exist."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from shop.web import static_urls


def app_with(folder: Path, env: str) -> Flask:
    app = Flask(__name__, static_folder=str(folder))
    app.config["SHOP_ENV"] = env
    return app


def test_development_sees_an_edited_file_at_once(tmp_path: Path) -> None:
    style = tmp_path / "shop.css"
    style.write_text("body { color: black }")
    with app_with(tmp_path, "development").app_context():
        before = static_urls.static_version("shop.css")
        style.write_text("body { color: purple; margin: 0 }")

        assert static_urls.static_version("shop.css") not in {before, None}


def test_production_hashes_a_file_once_per_process(tmp_path: Path) -> None:
    style = tmp_path / "shop.css"
    style.write_text("body { color: black }")
    with app_with(tmp_path, "production").app_context():
        first = static_urls.static_version("shop.css")
        style.write_text("body { color: purple; margin: 0 }")  # a release restarts instead

        assert first is not None
        assert static_urls.static_version("shop.css") == first


def test_production_keeps_nothing_for_names_that_do_not_exist(tmp_path: Path) -> None:
    with app_with(tmp_path, "production").app_context():
        kept = len(static_urls._released)
        for number in range(50):
            assert static_urls.static_version(f"made-up-{number}.css") is None

        assert len(static_urls._released) == kept
