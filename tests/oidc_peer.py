"""A real OpenID provider for the age-verification tests: `oidc-provider` (npm, pinned in
package.json) configured by tests/oidc_provider.mjs and run by Node on a loopback port.

Its accounts (the `ACCOUNTS` below mirror the script's) sign in without a password: the
provider's interaction page is a form with one button per account, which
`sign_in_at_provider` posts as a browser would. Without Node or the npm package the tests
skip locally, with the command that installs them, and fail in CI (`CI=true`).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import requests

from tests.peers import free_port, missing_peer, stop_process, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "oidc_provider.mjs"
PACKAGE = ROOT / "node_modules" / "oidc-provider"

ADULT = "customer-adult-4821"
TEEN = "customer-teen-7730"
NINETEEN = "customer-nineteen-2264"
CANCEL = "cancel"
# What the provider knows about each account and releases in the ID token besides the age
# claims: none of it may ever be stored by the shop.
PERSONAL_CLAIMS = {
    ADULT: ("Anouk Verbeek", "1990-04-12", "anouk@bank.example", "Voorbeeldbank"),
    TEEN: ("Tim Jansen", "2010-09-01", "tim@bank.example", "Voorbeeldbank"),
    NINETEEN: ("Noor Bakker", "2007-01-15", "noor@bank.example", "Voorbeeldbank"),
}
SHOP_CLIENT = "shop"
OTHER_CLIENT = "other-shop"


def client_secret(client_id: str) -> str:
    return f"{client_id}-secret-0123456789abcdef"


@dataclass(frozen=True)
class OidcPeer:
    issuer: str
    redirect_uri: str

    def shop_settings(self, **overrides: str) -> dict[str, str]:
        """The shop's settings for this provider, as a deployer would write them."""
        settings = {
            "SHOP_AGE_VERIFIER": "oidc",
            "SHOP_OIDC_ISSUER": self.issuer,
            "SHOP_OIDC_CLIENT_ID": SHOP_CLIENT,
            "SHOP_OIDC_CLIENT_SECRET": client_secret(SHOP_CLIENT),
            "SHOP_OIDC_SCOPE": "openid age profile email",
            "SHOP_OIDC_TIMEOUT_SECONDS": "5",
        }
        settings.update(overrides)
        return settings


@contextmanager
def running_oidc_provider(redirect_uri: str, *, id_token_ttl: int = 600) -> Iterator[OidcPeer]:
    """The provider on a free loopback port, its clients registered for `redirect_uri`."""
    node = shutil.which("node")
    if node is None or not PACKAGE.exists():
        missing_peer(
            "the OpenID provider tests need Node.js and oidc-provider: apt-get install nodejs "
            "npm, then npm ci --no-audit --no-fund (make test does)"
        )
    port = free_port()
    process = subprocess.Popen(
        [node, str(SCRIPT), str(port), redirect_uri, str(id_token_ttl)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield OidcPeer(f"http://127.0.0.1:{port}", redirect_uri)
    finally:
        stop_process(process)


FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)"')
REDIRECTS = {301, 302, 303, 307, 308}


def sign_in_at_provider(authorization_url: str, account: str, redirect_uri: str) -> str:
    """Follow the provider from `authorization_url` through its sign-in page as `account`
    (or CANCEL) to the redirect back to the shop; that URL (with code or error, and state)."""
    browser = requests.Session()
    page = browser.get(authorization_url, timeout=10)
    found = FORM_ACTION.search(page.text)
    assert page.status_code == 200 and found, (page.status_code, page.text[:500])
    response = browser.post(
        urljoin(page.url, found.group(1)),
        data={"account": account},
        allow_redirects=False,
        timeout=10,
    )
    for _ in range(10):
        assert response.status_code in REDIRECTS, (response.status_code, response.text[:500])
        location = urljoin(response.url, response.headers["Location"])
        if location.startswith(redirect_uri):
            return location
        response = browser.get(location, allow_redirects=False, timeout=10)
    raise AssertionError("the provider never redirected back to the shop")
