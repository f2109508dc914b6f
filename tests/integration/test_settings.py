"""Settings: read from SHOP_* variables, documented in the README, safe in production."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from shop import create_app
from shop.config import SETTINGS, ConfigError, build_flask_config, read_settings
from tests.conftest import SELLER


def test_every_setting_is_in_the_readme_table_with_its_default(project_root: Path):
    readme = (project_root / "README.md").read_text()
    rows = {
        match.group(1): match.group(2)
        for match in re.finditer(r"^\| `(SHOP_[A-Z0-9_]+)` \| ([^|]*) \|", readme, re.M)
    }

    for setting in SETTINGS:
        assert setting.name in rows, f"{setting.name} is missing from the README's table"
        if setting.default:
            assert f"`{setting.default}`" in rows[setting.name], setting.name


def test_the_readme_table_lists_no_setting_the_shop_does_not_read(project_root: Path):
    readme = (project_root / "README.md").read_text()
    documented = set(re.findall(r"^\| `(SHOP_[A-Z0-9_]+)` \|", readme, re.M))

    assert documented <= {setting.name for setting in SETTINGS}


def test_production_without_a_secret_key_refuses_to_start(tmp_path: Path):
    with pytest.raises(ConfigError, match="SHOP_SECRET_KEY"):
        build_flask_config({"SHOP_ENV": "production"}, tmp_path)


def test_production_refuses_a_short_secret_key(tmp_path: Path):
    with pytest.raises(ConfigError, match="too short"):
        build_flask_config({"SHOP_ENV": "production", "SHOP_SECRET_KEY": "abc"}, tmp_path)


def test_create_app_in_production_without_a_key_is_a_startup_error(database_url: str):
    with pytest.raises(ConfigError):
        create_app({"SHOP_ENV": "production", "SHOP_DATABASE_URL": database_url})


PRODUCTION = {
    "SHOP_ENV": "production",
    "SHOP_BASE_URL": "https://www.example.nl",
    "SHOP_SECRET_KEY": "a-production-secret-key-of-forty-characters",
    "SHOP_ALLOW_TEST_PAYMENTS": "true",
    **SELLER,
}


def test_production_warns_when_throttle_counts_stay_in_each_process(tmp_path: Path, caplog):
    with caplog.at_level(logging.WARNING, logger="shop.config"):
        build_flask_config(PRODUCTION, tmp_path)

    assert "SHOP_RATELIMIT_STORAGE_URL is memory://" in caplog.text


def test_production_with_redis_throttle_counts_does_not_warn(tmp_path: Path, caplog):
    shared = {**PRODUCTION, "SHOP_RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379/0"}
    with caplog.at_level(logging.WARNING, logger="shop.config"):
        build_flask_config(shared, tmp_path)

    assert "SHOP_RATELIMIT_STORAGE_URL" not in caplog.text


def test_development_generates_a_secret_key_once_and_keeps_it(tmp_path: Path):
    first = build_flask_config({}, tmp_path)["SECRET_KEY"]
    second = build_flask_config({}, tmp_path)["SECRET_KEY"]

    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_defaults_are_those_the_readme_promises(tmp_path: Path):
    config = build_flask_config({}, tmp_path)

    assert config["SHOP_TIMEZONE"] == "Europe/Amsterdam"
    assert config["SHOP_MIN_AGE"] == 18
    assert config["SHOP_AGE_GATE_MODE"] == "confirm"
    assert config["SHOP_AGE_GATE_REMEMBER_DAYS"] == 30
    assert config["SHOP_CURRENCY"] == "EUR"
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'shop.db'}"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SHOP_MIN_AGE", "eighteen"),
        ("SHOP_MIN_AGE", "-1"),
        ("SHOP_AGE_GATE_MODE", "popup"),
        ("SHOP_TIMEZONE", "Mars/Olympus_Mons"),
        ("SHOP_CURRENCY", "EURO"),
        ("SHOP_ENV", "staging"),
    ],
)
def test_a_bad_value_names_the_setting(name: str, value: str):
    with pytest.raises(ConfigError, match=name):
        read_settings({name: value})


def test_a_plain_postgresql_url_uses_the_installed_driver(tmp_path: Path):
    config = build_flask_config({"SHOP_DATABASE_URL": "postgresql://u@h/db"}, tmp_path)

    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


# --- who sells ------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", sorted(SELLER))
def test_production_refuses_to_start_without_each_seller_detail(tmp_path: Path, missing: str):
    settings = {**PRODUCTION, missing: ""}

    with pytest.raises(ConfigError, match=missing):
        build_flask_config(settings, tmp_path)


def test_production_starts_without_a_phone_number_and_shows_none(tmp_path: Path):
    config = build_flask_config(PRODUCTION, tmp_path)

    assert config["SHOP_SELLER_PHONE"] is None
    assert config["SHOP_SELLER_NAME"] == "Testpaddo B.V."


def test_development_gets_a_seller_nobody_could_take_for_a_real_one(tmp_path: Path):
    config = build_flask_config({"SHOP_ENV": "development", "SHOP_SECRET_KEY": "x" * 40}, tmp_path)

    assert config["SHOP_SELLER_NAME"] == "Paddo & Co. B.V. (demo)"
    assert config["SHOP_SELLER_KVK"] == "00000000"
    assert config["SHOP_SELLER_EMAIL"].endswith("@example.nl")


def test_a_seller_detail_given_in_development_is_kept(tmp_path: Path):
    config = build_flask_config(
        {"SHOP_ENV": "development", "SHOP_SECRET_KEY": "x" * 40, "SHOP_SELLER_KVK": "8765 4321"},
        tmp_path,
    )

    assert config["SHOP_SELLER_KVK"] == "87654321"
    assert config["SHOP_SELLER_NAME"] == "Paddo & Co. B.V. (demo)"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SHOP_SELLER_KVK", "1234"),
        ("SHOP_SELLER_VAT_ID", "123"),
        ("SHOP_SELLER_EMAIL", "not an address"),
        ("SHOP_SELLER_COUNTRY", "Nederland"),
    ],
)
def test_a_malformed_seller_detail_is_a_startup_error_naming_it(
    tmp_path: Path, name: str, value: str
):
    with pytest.raises(ConfigError, match=name):
        build_flask_config({**PRODUCTION, name: value}, tmp_path)


# --- the age verifier (README, "Age verification procedure") ------------------------------

OIDC = {
    "SHOP_AGE_VERIFIER": "oidc",
    "SHOP_OIDC_ISSUER": "https://broker.example/auth/open",
    "SHOP_OIDC_CLIENT_ID": "paddo-shop",
    "SHOP_OIDC_CLIENT_SECRET": "a-client-secret",
}


@pytest.mark.parametrize(
    "missing", ["SHOP_OIDC_ISSUER", "SHOP_OIDC_CLIENT_ID", "SHOP_OIDC_CLIENT_SECRET"]
)
def test_production_refuses_an_oidc_verifier_without_its_provider(tmp_path: Path, missing: str):
    settings = {**PRODUCTION, **OIDC}
    del settings[missing]

    with pytest.raises(ConfigError, match=missing):
        build_flask_config(settings, tmp_path)


def test_production_refuses_a_provider_over_plain_http(tmp_path: Path):
    plain = {**PRODUCTION, **OIDC, "SHOP_OIDC_ISSUER": "http://broker.example"}

    with pytest.raises(ConfigError, match="https"):
        build_flask_config(plain, tmp_path)


def test_an_oidc_scope_without_openid_is_refused(tmp_path: Path):
    with pytest.raises(ConfigError, match="openid"):
        build_flask_config({**OIDC, "SHOP_OIDC_SCOPE": "eighteen-or-older"}, tmp_path)


def test_the_gate_mode_is_the_verifier_while_none_is_set(tmp_path: Path):
    assert build_flask_config({"SHOP_AGE_GATE_MODE": "dob"}, tmp_path)["SHOP_AGE_VERIFIER"] == "dob"
    both = {"SHOP_AGE_GATE_MODE": "dob", "SHOP_AGE_VERIFIER": "confirm"}
    assert build_flask_config(both, tmp_path)["SHOP_AGE_VERIFIER"] == "confirm"
    assert build_flask_config({**PRODUCTION, **OIDC}, tmp_path)["SHOP_AGE_VERIFIER"] == "oidc"


def test_production_refuses_to_start_without_its_public_address(tmp_path: Path):
    # Its default is the development server: e-mails' links would point at 127.0.0.1.
    without = {name: value for name, value in PRODUCTION.items() if name != "SHOP_BASE_URL"}
    with pytest.raises(ConfigError, match="SHOP_BASE_URL is not set"):
        build_flask_config(without, tmp_path)
    assert build_flask_config(PRODUCTION, tmp_path)["SHOP_BASE_URL"] == "https://www.example.nl"
