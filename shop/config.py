"""Settings: every `SHOP_*` environment variable the shop reads, its default and its parser.

The README's settings table lists exactly the names in `SETTINGS`; a test keeps them in step.
Values come from the process environment, then from a `.env` file in the working directory
(the environment wins). Nothing else in the shop reads `os.environ`.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)


class ConfigError(RuntimeError):
    """A setting is missing or has a value the shop cannot run with."""


def _bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true or false, got {raw!r}")


def _positive_int(raw: str) -> int:
    value = int(raw.strip())
    if value <= 0:
        raise ValueError(f"expected a positive whole number, got {raw!r}")
    return value


def _non_negative_int(raw: str) -> int:
    value = int(raw.strip())
    if value < 0:
        raise ValueError(f"expected zero or more, got {raw!r}")
    return value


def _non_negative_float(raw: str) -> float:
    value = float(raw.strip())
    if not value >= 0 or value == float("inf"):
        raise ValueError(f"expected zero or more, got {raw!r}")
    return value


def _positive_float(raw: str) -> float:
    value = _non_negative_float(raw)
    if value == 0:
        raise ValueError(f"expected more than zero, got {raw!r}")
    return value


def _payment_method_types(raw: str) -> str:
    types = [part.strip().lower() for part in raw.split(",") if part.strip()]
    for name in types:
        if not name.replace("_", "").isascii() or not name.replace("_", "").isalpha():
            raise ValueError(f"{name!r} is not a payment method type (like card or ideal)")
    return ",".join(types)


def _timezone(raw: str) -> str:
    try:
        ZoneInfo(raw.strip())
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {raw!r}") from error
    return raw.strip()


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().lower()
        if value not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}, got {raw!r}")
        return value

    return parse


def _currency(raw: str) -> str:
    value = raw.strip().upper()
    if len(value) != 3 or not value.isascii() or not value.isalpha():
        raise ValueError(f"expected a three-letter ISO 4217 code, got {raw!r}")
    return value


def _text(raw: str) -> str:
    return raw.strip()


def _country_code(raw: str) -> str:
    value = raw.strip().upper()
    if len(value) != 2 or not value.isascii() or not value.isalpha():
        raise ValueError(f"expected a two-letter country code like NL, got {raw!r}")
    return value


def _kvk_number(raw: str) -> str:
    value = "".join(raw.split())
    if len(value) != 8 or not value.isascii() or not value.isdigit():
        raise ValueError(f"expected the eight digits of a KvK number, got {raw!r}")
    return value


def _vat_id(raw: str) -> str:
    value = "".join(raw.split()).upper()
    if not (4 <= len(value) <= 14 and value[:2].isalpha() and value.isascii() and value.isalnum()):
        raise ValueError(f"expected a VAT id like NL123456789B01, got {raw!r}")
    return value


def _email(raw: str) -> str:
    value = raw.strip()
    local, at, domain = value.rpartition("@")
    if not (local and at and "." in domain) or any(c.isspace() for c in value):
        raise ValueError(f"expected an e-mail address, got {raw!r}")
    return value


KILOBYTE = 1024
MEGABYTE = 1024 * KILOBYTE
UPLOAD_FORM_ALLOWANCE = 64 * KILOBYTE


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, default (None = unset), parser and meaning."""

    name: str
    default: str | None
    parse: Callable[[str], Any]
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "SHOP_ENV",
        "development",
        _choice("development", "production", "testing"),
        "`development`, `production` or `testing`; production refuses unsafe defaults.",
    ),
    Setting(
        "SHOP_DATABASE_URL",
        None,
        _text,
        "SQLAlchemy URL. Default: SQLite file `instance/shop.db`. PostgreSQL: "
        "`postgresql+psycopg://user@host/dbname`.",
    ),
    Setting(
        "SHOP_SECRET_KEY",
        None,
        _text,
        "Signs the session cookie. Development: generated once into `instance/secret_key`. "
        "Production: required, startup error without it.",
    ),
    Setting(
        "SHOP_SECRET_KEY_FALLBACKS",
        None,
        _text,
        "Earlier secret keys, comma-separated, still accepted for signed cookies during a key "
        "rotation (new cookies are signed with SHOP_SECRET_KEY).",
    ),
    Setting(
        "SHOP_HTTPS",
        "false",
        _bool,
        "The shop is served over HTTPS: Secure, `__Host-` cookies and Strict-Transport-Security.",
    ),
    Setting(
        "SHOP_TRUSTED_HOSTS",
        None,
        _text,
        "Host names the shop answers to, comma-separated (others get 400, but /healthz "
        "answers any). Unset: any.",
    ),
    Setting(
        "SHOP_PROXY_HOPS",
        "0",
        _non_negative_int,
        "Reverse proxies in front of the shop whose X-Forwarded-For/-Proto/-Host are trusted.",
    ),
    Setting(
        "SHOP_TIMEZONE",
        "Europe/Amsterdam",
        _timezone,
        "The shop's time zone: promo windows, ages and dates on pages are local to it.",
    ),
    Setting("SHOP_MIN_AGE", "18", _positive_int, "Minimum age to enter the storefront."),
    Setting(
        "SHOP_AGE_GATE_MODE",
        "confirm",
        _choice("confirm", "dob"),
        "`confirm` (a yes/no question) or `dob` (date of birth, checked and not stored).",
    ),
    Setting(
        "SHOP_AGE_VERIFIER",
        None,
        _choice("confirm", "dob", "oidc"),
        "How age is verified: `confirm`, `dob` or `oidc` (an OpenID Connect provider, see "
        '"Age verification procedure"). Unset: the value of SHOP_AGE_GATE_MODE.',
    ),
    Setting(
        "SHOP_AGE_VERIFIER_AT",
        "gate",
        _choice("gate", "checkout", "both"),
        "Where SHOP_AGE_VERIFIER applies: `gate`, `checkout` or `both`. Where it does not, "
        "the gate asks as SHOP_AGE_GATE_MODE says and checkout asks the date of birth.",
    ),
    Setting(
        "SHOP_OIDC_ISSUER",
        None,
        _text,
        "The OpenID provider's issuer URL (its discovery document is read from "
        "`<issuer>/.well-known/openid-configuration`).",
    ),
    Setting("SHOP_OIDC_CLIENT_ID", None, _text, "The shop's client id at the OpenID provider."),
    Setting(
        "SHOP_OIDC_CLIENT_SECRET",
        None,
        _text,
        "The shop's client secret at the OpenID provider (sent by HTTP Basic to its token "
        "endpoint).",
    ),
    Setting(
        "SHOP_OIDC_SCOPE",
        "openid age",
        _text,
        "Scopes asked for; `openid` and the one that releases the age claim, nothing more. "
        "`{age}` in it becomes the age required.",
    ),
    Setting(
        "SHOP_OIDC_AGE_CLAIM",
        "age_over_{age}",
        _text,
        "The ID token claim that says old enough; `{age}` is replaced by the age required "
        "(18, or 21 for a 21+ product). A name without `{age}` proves SHOP_MIN_AGE only.",
    ),
    Setting(
        "SHOP_OIDC_AGE_CLAIM_VALUE",
        "true",
        _text,
        "The value that claim must have (JSON true and the text `true` both match `true`).",
    ),
    Setting(
        "SHOP_OIDC_TIMEOUT_SECONDS",
        "10",
        _positive_float,
        "How long the shop waits for the OpenID provider (discovery, keys, token).",
    ),
    Setting(
        "SHOP_AGE_GATE_REMEMBER_DAYS",
        "30",
        _positive_int,
        "How long a verification is kept when the visitor ticks 'remember me'.",
    ),
    Setting(
        "SHOP_AGE_POLICY_VERSION",
        "1",
        _positive_int,
        "Raise it to make every visitor verify again (older verifications stop counting).",
    ),
    Setting("SHOP_CURRENCY", "EUR", _currency, "ISO 4217 code of the shop's prices."),
    Setting(
        "SHOP_DEFAULT_LOCALE",
        "nl",
        _choice("nl", "en"),
        "Language and number/date format when the visitor's browser states no preference.",
    ),
    Setting(
        "SHOP_SQLITE_BUSY_TIMEOUT_MS",
        "10000",
        _non_negative_int,
        "SQLite only: how long a writer waits for the write lock before failing.",
    ),
    Setting(
        "SHOP_DB_CONNECT_TIMEOUT_SECONDS",
        "3",
        _positive_int,
        "PostgreSQL only: how long opening a connection may take before the request gets the "
        "503 page (libpq's `connect_timeout`; under 2 counts as 2).",
    ),
    Setting(
        "SHOP_DB_STATEMENT_TIMEOUT_MS",
        "5000",
        _positive_int,
        "PostgreSQL only: the server cancels a statement running longer (`statement_timeout`); "
        "the shop waits 1 s more for any answer, then drops the connection (a hung server "
        "cancels nothing). Migrations are exempt.",
    ),
    Setting(
        "SHOP_DB_POOL_TIMEOUT_SECONDS",
        "5",
        _positive_float,
        "How long a request waits for a free pooled database connection before the 503 page.",
    ),
    Setting(
        "SHOP_RATELIMIT_STORAGE_URL",
        "memory://",
        _text,
        "Where throttling counters live: `memory://` (one process) or "
        "`redis://127.0.0.1:6379/0` (shared by several app servers).",
    ),
    Setting(
        "SHOP_ORDER_HOLD_MINUTES",
        "30",
        _positive_int,
        "How long an unpaid order holds its stock and code use before it expires.",
    ),
    Setting(
        "SHOP_FREE_SHIPPING_FROM_CENTS",
        "5000",
        _non_negative_int,
        "Shipping is free when the goods, after the promo code's discount, are worth at least "
        "this many cents (`5000` is € 50,00), for every method and zone. `0` makes shipping "
        "always free.",
    ),
    Setting(
        "SHOP_ORDER_LINK_MINUTES",
        "15",
        _positive_int,
        'How long a "My orders" sign-in link works (once) after it was e-mailed.',
    ),
    Setting(
        "SHOP_ORDER_LIST_MINUTES",
        "60",
        _positive_int,
        'How long the browser that used a "My orders" link may list that mailbox\'s orders.',
    ),
    Setting(
        "SHOP_ORDER_LINKS_PER_HOUR",
        "3",
        _positive_int,
        'How many "My orders" links one mailbox may be sent an hour (more are not sent).',
    ),
    Setting(
        "SHOP_CART_MAX_PER_LINE",
        "10",
        _positive_int,
        "The most of one product a cart may hold.",
    ),
    Setting(
        "SHOP_BASE_URL",
        "http://127.0.0.1:5000",
        _text,
        "The shop's public address, for links in e-mails and pages' canonical and Open Graph "
        "addresses (links within pages use the request's own host). Production: required.",
    ),
    Setting(
        "SHOP_COMPRESS",
        "true",
        _bool,
        "gzip the app's text responses (pages, CSS, JS, SVG, JSON). Off behind a proxy that "
        "compresses already (nginx in deploy/).",
    ),
    Setting(
        "SHOP_STATIC_MAX_AGE_SECONDS",
        "31536000",
        _non_negative_int,
        "How long browsers keep a static file whose URL carries its content hash (?v=).",
    ),
    Setting(
        "SHOP_STRIPE_SECRET_KEY",
        None,
        _text,
        "Stripe secret key (`sk_…`). Unset: the built-in test gateway takes payments.",
    ),
    Setting(
        "SHOP_STRIPE_PUBLISHABLE_KEY",
        None,
        _text,
        "Stripe publishable key (`pk_…`) for Stripe.js on the payment page.",
    ),
    Setting(
        "SHOP_STRIPE_WEBHOOK_SECRET",
        None,
        _text,
        "Webhook signing secret(s) (`whsec_…`); several, comma-separated, during a rotation.",
    ),
    Setting(
        "SHOP_STRIPE_API_BASE",
        "https://api.stripe.com",
        _text,
        "Stripe's API address; the tests point it at localstripe.",
    ),
    Setting(
        "SHOP_STRIPE_JS_URL",
        "https://js.stripe.com/v3/",
        _text,
        "Where the payment page loads Stripe.js from.",
    ),
    Setting(
        "SHOP_STRIPE_PAYMENT_METHOD_TYPES",
        None,
        _payment_method_types,
        "Unset: the payment methods switched on in Stripe's Dashboard (dynamic payment "
        "methods). Or a comma-separated list the payment page may offer, e.g. "
        "`card,ideal,bancontact` (sent as `allowed_payment_method_types`).",
    ),
    Setting(
        "SHOP_STRIPE_RECEIPT_EMAIL",
        "false",
        _bool,
        "Ask Stripe to e-mail its own receipt too (`receipt_email`); off because the shop "
        "sends its own confirmation.",
    ),
    Setting(
        "SHOP_STRIPE_TIMEOUT_SECONDS",
        "10",
        _positive_float,
        "How long one call to Stripe may take before it counts as failed.",
    ),
    Setting(
        "SHOP_STRIPE_MAX_RETRIES",
        "2",
        _non_negative_int,
        "How often a failed call to Stripe is retried (with the same idempotency key).",
    ),
    Setting(
        "SHOP_ALLOW_TEST_PAYMENTS",
        "false",
        _bool,
        "Allow the built-in test gateway in production (without Stripe keys it is refused); "
        "customers can then mark orders paid, so the log and the back office warn.",
    ),
    Setting("SHOP_SMTP_HOST", None, _text, "SMTP server; unset: e-mails are logged and kept."),
    Setting("SHOP_SMTP_PORT", "587", _positive_int, "SMTP port."),
    Setting("SHOP_SMTP_USER", None, _text, "SMTP user name (optional)."),
    Setting("SHOP_SMTP_PASSWORD", None, _text, "SMTP password (optional)."),
    Setting("SHOP_SMTP_FROM", "shop@localhost", _text, "Sender address of the shop's e-mails."),
    Setting("SHOP_SMTP_STARTTLS", "true", _bool, "Use STARTTLS on the SMTP connection."),
    Setting(
        "SHOP_PAGE_SIZE",
        "24",
        _positive_int,
        "Products per category and search page.",
    ),
    Setting(
        "SHOP_LOW_STOCK_THRESHOLD",
        "5",
        _positive_int,
        'Product cards and pages say "only N left" from this stock down (0 is "sold out").',
    ),
    Setting(
        "SHOP_FRAGMENT_CACHE_SECONDS",
        "10",
        _non_negative_float,
        "How long each app server keeps the product lists of the home, category and search "
        "pages and the categories (the same for every verified visitor); 0 switches it off.",
    ),
    Setting(
        "SHOP_STAFF_IDLE_MINUTES",
        "30",
        _positive_int,
        "A staff session unused this long ends; the next back-office request signs it out.",
    ),
    Setting(
        "SHOP_STAFF_SESSION_HOURS",
        "12",
        _positive_int,
        "A staff session ends this long after its sign-in, however busy it is.",
    ),
    Setting(
        "SHOP_STAFF_REAUTH_MINUTES",
        "10",
        _positive_int,
        "Refunds and changes to staff accounts need a sign-in (or a re-entered password and "
        "code) at most this old.",
    ),
    Setting(
        "SHOP_STAFF_DEVICE_DAYS",
        "180",
        _positive_int,
        "How long a browser that signed in to a staff account keeps its device cookie: its "
        "wrong passwords count for that browser alone, not for the account.",
    ),
    Setting(
        "SHOP_STAFF_2FA_REQUIRED",
        None,
        _bool,
        "Owners and managers must set up two-factor sign-in before anything else. Unset: true "
        "in production, false in development and testing.",
    ),
    Setting(
        "SHOP_MAX_UPLOAD_MB",
        "8",
        _positive_int,
        "The largest picture staff may upload, in megabytes; larger requests are refused.",
    ),
    Setting(
        "SHOP_MAX_FORM_KB",
        "64",
        _positive_int,
        "The largest storefront form, in kilobytes; also any body no other limit covers.",
    ),
    Setting(
        "SHOP_MAX_ADMIN_FORM_KB",
        "2048",
        _positive_int,
        "The largest back-office form, in kilobytes (room for the longest article).",
    ),
    Setting(
        "SHOP_MAX_FORM_FIELDS",
        "1000",
        _positive_int,
        "The most fields one storefront or back-office form may have.",
    ),
    Setting(
        "SHOP_MAX_WEBHOOK_KB",
        "256",
        _positive_int,
        "The largest payment event the webhook accepts, in kilobytes.",
    ),
    Setting(
        "SHOP_SELLER_NAME",
        None,
        _text,
        "The seller's legal name, as registered at the KvK (footer, contact page, terms, "
        "withdrawal form). Production: required. Development: a demo name.",
    ),
    Setting(
        "SHOP_SELLER_STREET",
        None,
        _text,
        "The seller's street and house number (a visiting address, not a PO box). "
        "Production: required.",
    ),
    Setting("SHOP_SELLER_POSTCODE", None, _text, "The seller's postcode. Production: required."),
    Setting("SHOP_SELLER_TOWN", None, _text, "The seller's town. Production: required."),
    Setting(
        "SHOP_SELLER_COUNTRY",
        "NL",
        _country_code,
        "The seller's country as a two-letter code, shown by its name in the visitor's language.",
    ),
    Setting(
        "SHOP_SELLER_KVK",
        None,
        _kvk_number,
        "The seller's KvK number (eight digits). Production: required.",
    ),
    Setting(
        "SHOP_SELLER_VAT_ID",
        None,
        _vat_id,
        "The seller's VAT id (BTW-id), like NL123456789B01. Production: required.",
    ),
    Setting(
        "SHOP_SELLER_EMAIL",
        None,
        _email,
        "The address customers write to (contact page, footer, withdrawal form). "
        "Production: required.",
    ),
    Setting(
        "SHOP_SELLER_PHONE",
        None,
        _text,
        "The phone number customers may call, as it should be shown; unset: none is shown.",
    ),
    Setting(
        "SHOP_DELIVERY_PROMISE_NL",
        "Op werkdagen vóór 16:00 besteld, dezelfde dag verzonden",
        _text,
        "The delivery time promised on product pages, the cart and the checkout, in Dutch.",
    ),
    Setting(
        "SHOP_DELIVERY_PROMISE_EN",
        "Ordered on a working day before 16:00, shipped the same day",
        _text,
        "The same promise in English.",
    ),
)

SETTINGS_BY_NAME: dict[str, Setting] = {setting.name: setting for setting in SETTINGS}


def _split(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def read_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """Parse every setting from `environ` (defaults filled in); ConfigError names the bad one."""
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.name)
        if raw is None or raw == "":
            raw = setting.default
        if raw is None:
            values[setting.name] = None
            continue
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError as error:
            raise ConfigError(f"{setting.name}: {error}") from None
    return values


def _development_secret_key(instance_path: Path) -> str:
    # Generated once and kept, so sessions (and age verifications) survive a restart.
    from shop.instance import make_private_file, make_private_folder, write_private_file

    make_private_folder(instance_path)
    key_file = instance_path / "secret_key"
    if key_file.exists():
        make_private_file(key_file)  # one written by an earlier version may be 0644
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(48)
    write_private_file(key_file, key)
    return key


# Who sells: the law (Dutch Civil Code 6:230m, the Handelsregisterwet) wants the seller's
# identity, address and numbers on the site. A demo shop gets names nobody could mistake for
# a real company; production starts only with the real ones.
SELLER_REQUIRED = (
    "SHOP_SELLER_NAME",
    "SHOP_SELLER_STREET",
    "SHOP_SELLER_POSTCODE",
    "SHOP_SELLER_TOWN",
    "SHOP_SELLER_KVK",
    "SHOP_SELLER_VAT_ID",
    "SHOP_SELLER_EMAIL",
)
DEMO_SELLER = {
    "SHOP_SELLER_NAME": "Paddo & Co. B.V. (demo)",
    "SHOP_SELLER_STREET": "Voorbeeldstraat 1",
    "SHOP_SELLER_POSTCODE": "1234 AB",
    "SHOP_SELLER_TOWN": "Voorbeeldstad",
    "SHOP_SELLER_KVK": "00000000",
    "SHOP_SELLER_VAT_ID": "NL000000000B00",
    "SHOP_SELLER_EMAIL": "klantenservice@example.nl",
    "SHOP_SELLER_PHONE": "+31 20 000 0000",
}


def _fill_seller(settings: dict[str, Any], env: str) -> None:
    missing = [name for name in SELLER_REQUIRED if not settings[name]]
    if env == "production":
        if missing:
            raise ConfigError(
                f"{', '.join(missing)} not set: a Dutch web shop must show who sells (legal "
                "name, visiting address, KvK number, BTW-id and an e-mail address)."
            )
        return
    for name, value in DEMO_SELLER.items():
        if not settings[name]:
            settings[name] = value


OIDC_REQUIRED = ("SHOP_OIDC_ISSUER", "SHOP_OIDC_CLIENT_ID", "SHOP_OIDC_CLIENT_SECRET")


def _check_age_verifier(settings: dict[str, Any], env: str) -> None:
    """SHOP_AGE_GATE_MODE is the older name of SHOP_AGE_VERIFIER (confirm or dob only);
    an OpenID Connect verifier needs its provider, and production refuses to start without."""
    if settings["SHOP_AGE_VERIFIER"] is None:
        settings["SHOP_AGE_VERIFIER"] = settings["SHOP_AGE_GATE_MODE"]
    if settings["SHOP_AGE_VERIFIER"] != "oidc":
        return
    missing = [name for name in OIDC_REQUIRED if not settings[name]]
    if missing and env == "production":
        raise ConfigError(
            f"SHOP_AGE_VERIFIER is oidc but {', '.join(missing)} not set: the shop cannot "
            "send customers to their OpenID provider."
        )
    if env == "production" and not settings["SHOP_OIDC_ISSUER"].startswith("https://"):
        raise ConfigError("SHOP_OIDC_ISSUER must be an https:// URL in production.")
    if "openid" not in settings["SHOP_OIDC_SCOPE"].split():
        raise ConfigError("SHOP_OIDC_SCOPE must include openid (the ID token needs it).")


def build_flask_config(environ: Mapping[str, str], instance_path: Path) -> dict[str, Any]:
    """Turn the environment into Flask's config mapping (`SHOP_*` plus Flask's own keys)."""
    settings = read_settings(environ)
    env = settings["SHOP_ENV"]

    secret_key = settings["SHOP_SECRET_KEY"]
    if not secret_key:
        if env == "production":
            raise ConfigError(
                "SHOP_SECRET_KEY is not set; production never runs on a generated key. "
                'Create one with: python -c "import secrets; print(secrets.token_urlsafe(48))"'
            )
        secret_key = _development_secret_key(instance_path)
    elif env == "production" and len(secret_key) < 32:
        raise ConfigError("SHOP_SECRET_KEY is too short for production (32 characters or more).")
    if env == "production" and not environ.get("SHOP_BASE_URL"):
        # Its default is the development server's address: links in e-mails (an order, a
        # sign-in link to "my orders") and every page's canonical address would point there.
        raise ConfigError(
            "SHOP_BASE_URL is not set: production needs the shop's public address (such as "
            "https://www.example.nl) for the links in e-mails and the pages' canonical addresses."
        )

    if (
        env == "production"
        and not settings["SHOP_STRIPE_SECRET_KEY"]
        and not settings["SHOP_ALLOW_TEST_PAYMENTS"]
    ):
        raise ConfigError(
            "SHOP_STRIPE_SECRET_KEY is not set: production would take payments through the "
            "test gateway. Set the Stripe keys, or SHOP_ALLOW_TEST_PAYMENTS=true for a demo."
        )
    if settings["SHOP_STRIPE_SECRET_KEY"] and not settings["SHOP_STRIPE_WEBHOOK_SECRET"]:
        raise ConfigError("SHOP_STRIPE_WEBHOOK_SECRET is required with SHOP_STRIPE_SECRET_KEY.")

    if env == "production" and settings["SHOP_RATELIMIT_STORAGE_URL"].startswith("memory://"):
        # A warning, not a refusal: one process may rightly serve a small shop alone.
        log.warning(
            "SHOP_RATELIMIT_STORAGE_URL is memory://: every process keeps its own throttle "
            "counts, so with several gunicorn workers or app servers each limit is multiplied "
            "by their number. Use redis://… to share them."
        )

    _fill_seller(settings, env)
    _check_age_verifier(settings, env)

    if settings["SHOP_STAFF_2FA_REQUIRED"] is None:
        # Safe by default where it matters; a developer's demo shop needs no phone.
        settings["SHOP_STAFF_2FA_REQUIRED"] = env == "production"

    database_url = settings["SHOP_DATABASE_URL"] or f"sqlite:///{instance_path / 'shop.db'}"
    if database_url.startswith("postgresql://"):
        # psycopg 3 is the driver this project installs.
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")

    config: dict[str, Any] = dict(settings)
    config.update(
        SECRET_KEY=secret_key,
        SQLALCHEMY_DATABASE_URI=database_url,
        # The connect and statement timeouts are set per connection (shop.db.configure_postgresql).
        SQLALCHEMY_ENGINE_OPTIONS={
            "pool_pre_ping": True,
            "pool_timeout": settings["SHOP_DB_POOL_TIMEOUT_SECONDS"],
        },
        TESTING=env == "testing",
        # "Remember me" makes the session cookie permanent for the remember period, not
        # Flask's default 31 days; a browser-session cookie is capped the same way.
        PERMANENT_SESSION_LIFETIME=timedelta(days=settings["SHOP_AGE_GATE_REMEMBER_DAYS"]),
        # CSRF is checked by shop.web.csrf after the age gate, not by Flask-WTF's own hook.
        WTF_CSRF_CHECK_DEFAULT=False,
        SECRET_KEY_FALLBACKS=_split(settings["SHOP_SECRET_KEY_FALLBACKS"]),
        TRUSTED_HOSTS=_split(settings["SHOP_TRUSTED_HOSTS"]) or None,
        # Over HTTPS the cookies are Secure and `__Host-` prefixed: the browser then refuses
        # them from plain HTTP and from sibling subdomains.
        SESSION_COOKIE_SECURE=settings["SHOP_HTTPS"],
        SESSION_COOKIE_NAME="__Host-session" if settings["SHOP_HTTPS"] else "session",
        REMEMBER_COOKIE_SECURE=settings["SHOP_HTTPS"],
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_NAME="__Host-remember" if settings["SHOP_HTTPS"] else "remember_token",
        STAFF_DEVICE_COOKIE_NAME=(
            "__Host-staff-device" if settings["SHOP_HTTPS"] else "staff_device"
        ),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        RATELIMIT_STORAGE_URI=settings["SHOP_RATELIMIT_STORAGE_URL"],
        # Each limit counts the attempts of the last minute (or hour), whenever they came: a
        # fixed window would let twice the limit through around the turn of the minute.
        RATELIMIT_STRATEGY="moving-window",
        RATELIMIT_HEADERS_ENABLED=True,
        BABEL_DEFAULT_LOCALE=settings["SHOP_DEFAULT_LOCALE"],
        BABEL_DEFAULT_TIMEZONE=settings["SHOP_TIMEZONE"],
        # The largest body of any request: the picture plus the form around it (alt texts,
        # CSRF token). Each route narrows it (shop.web.request_bodies).
        MAX_CONTENT_LENGTH=settings["SHOP_MAX_UPLOAD_MB"] * MEGABYTE + UPLOAD_FORM_ALLOWANCE,
    )
    return config


def environment_with_dotenv(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The process environment, completed (never overridden) by a `.env` file if present."""
    from dotenv import dotenv_values

    merged = {k: v for k, v in dotenv_values(".env").items() if v is not None}
    merged.update(os.environ if environ is None else environ)
    return merged
