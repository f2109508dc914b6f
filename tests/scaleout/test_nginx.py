"""The shop behind nginx, configured by the shipped deploy/nginx/shop.conf: two gunicorn app
servers (two sync workers each, `SHOP_PROXY_HOPS=1`) behind Debian's nginx, and a visitor who
talks to nginx only.

A sync worker is busy from the first byte of a request to the last byte of its answer, so a
handful of slow clients can hold every worker of a bare gunicorn. nginx reads each request
whole before an app server sees it; these tests send it slow clients and check that the
shop keeps answering, and check the rest of what the config promises: the forwarded
headers, the body limits, compression, the static files.

Some tests are about time by nature (a slow client is one that takes long): their waits
are generous and named below, and a test lasts at most about 15 s.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from limits import parse
from requests.adapters import HTTPAdapter

from shop import PROJECT_ROOT
from shop.payments.test_gateway import local_webhook_secret, signed_event
from shop.web.admin.auth import ADDRESS_ATTEMPTS
from tests.helpers import csrf_token
from tests.scaleout.conftest import WORKERS_PER_SERVER, ShopBehindNginx

# Long enough for an answer on a busy two-core machine, far shorter than a slow client lasts.
ANSWER_WITHIN = 5.0
# deploy/nginx/shop.conf: client_header_timeout and client_body_timeout.
NGINX_CLIENT_TIMEOUT = 10.0
# More slow clients than the two servers have workers together.
SLOW_CLIENTS = 2 * 2 * WORKERS_PER_SERVER
KILOBYTE = 1024
STYLESHEET = "/static/css/shop.css"


class SlowClients:
    """`count` connections that each send the start of a request, then one more piece of it
    every `interval` seconds (from a thread, while the test does other things), and never
    finish it. Slow loris: the pieces are header lines."""

    def __init__(self, url: str, count: int, start: bytes, piece: bytes, interval: float = 1.0):
        parts = urlsplit(url)
        self.sockets = [
            socket.create_connection((parts.hostname, parts.port), timeout=ANSWER_WITHIN)
            for _ in range(count)
        ]
        for sock in self.sockets:
            sock.sendall(start)
        self.piece = piece
        self.interval = interval
        self.pieces_sent = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._dribble, daemon=True)
        self._thread.start()

    def _dribble(self) -> None:
        while not self._done.wait(self.interval):
            for sock in self.sockets:
                with contextlib.suppress(OSError):  # the server may have cut it: so be it
                    sock.sendall(self.piece)
            self.pieces_sent += 1

    def pause(self) -> None:
        """Stop sending, and keep the connections open."""
        self._done.set()
        self._thread.join()

    def ended_by_the_server(self, wait: float) -> list[bool]:
        """For each connection: did the server answer or close it (waiting up to `wait` s)?"""
        ended = []
        deadline = time.monotonic() + wait
        for sock in self.sockets:
            sock.settimeout(max(deadline - time.monotonic(), 0.01))
            try:
                sock.recv(1024)  # b"" (closed) or the start of an answer such as a 408
                ended.append(True)
            except TimeoutError:
                ended.append(False)
            except OSError:  # reset
                ended.append(True)
        return ended

    def close(self) -> None:
        self.pause()
        for sock in self.sockets:
            sock.close()


@contextlib.contextmanager
def slow_loris(url: str, count: int = SLOW_CLIENTS) -> Iterator[SlowClients]:
    """Requests whose headers come a line a second and never end."""
    clients = SlowClients(
        url, count, start=b"GET / HTTP/1.1\r\nHost: localhost\r\n", piece=b"X-Slow: 1\r\n"
    )
    try:
        yield clients
    finally:
        clients.close()


@contextlib.contextmanager
def slow_uploads(url: str, count: int = SLOW_CLIENTS) -> Iterator[SlowClients]:
    """Form posts with complete headers whose 1 KB body comes 4 bytes a second."""
    start = (
        "POST /cart/add HTTP/1.1\r\nHost: localhost\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {KILOBYTE}\r\n\r\n"
    ).encode()
    clients = SlowClients(url, count, start=start, piece=b"a=1&")
    try:
        yield clients
    finally:
        clients.close()


def health_checks_during(url: str, seconds: float) -> list[tuple[int, float]]:
    """(status, seconds taken) of `/healthz`, asked again and again for `seconds`."""
    answers = []
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        started = time.monotonic()
        status = requests.get(f"{url}/healthz", timeout=ANSWER_WITHIN).status_code
        answers.append((status, time.monotonic() - started))
        time.sleep(0.2)
    return answers


class FromAddress(HTTPAdapter):
    """Connections from one loopback address of the 127.0.0.0/8 range: a visitor of its own."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def visitor_at(address: str) -> requests.Session:
    browser = requests.Session()
    browser.mount("http://", FromAddress(address))
    return browser


def some_loopback_address() -> str:
    """A loopback address of this run alone (the throttles count per address for a minute)."""
    return "127." + ".".join(str(secrets.randbelow(254) + 1) for _ in range(3))


def verified_visitor(url: str) -> requests.Session:
    browser = requests.Session()
    token = csrf_token(browser.get(f"{url}/age-gate", timeout=ANSWER_WITHIN).text)
    passed = browser.post(
        f"{url}/age-gate",
        data={"csrf_token": token, "answer": "yes", "next": "/"},
        allow_redirects=False,
        timeout=ANSWER_WITHIN,
    )
    assert passed.status_code == 303, passed.status_code
    return browser


# --- slow clients ------------------------------------------------------------------------


def test_slow_loris_connections_do_not_stop_the_shop_answering_behind_nginx(shop_behind_nginx):
    # given more slow-loris connections to nginx than the app servers have workers
    with slow_loris(shop_behind_nginx.url) as loris:
        # when the shop is asked for its health while they dribble, for longer than nginx
        # waits for a request's headers
        answers = health_checks_during(shop_behind_nginx.url, NGINX_CLIENT_TIMEOUT + 2)

        # then every answer came (each within ANSWER_WITHIN), and nginx has cut the loris
        assert {status for status, _ in answers} == {200}
        assert len(answers) >= 10
        assert loris.pieces_sent >= NGINX_CLIENT_TIMEOUT
        assert loris.ended_by_the_server(wait=ANSWER_WITHIN) == [True] * SLOW_CLIENTS


def test_slow_uploads_occupy_no_app_worker_and_nginx_cuts_them_when_they_stall(
    shop_behind_nginx,
):
    # given more slow form posts than the app servers have workers, their bodies dribbling
    with slow_uploads(shop_behind_nginx.url) as uploads:
        # when the shop is asked for its health meanwhile
        answers = health_checks_during(shop_behind_nginx.url, 4)
        # then it answers
        assert {status for status, _ in answers} == {200}
        assert uploads.ended_by_the_server(wait=0.1) == [False] * SLOW_CLIENTS

        # and when the uploads stall, nginx ends them after client_body_timeout
        uploads.pause()
        ended = uploads.ended_by_the_server(wait=NGINX_CLIENT_TIMEOUT + ANSWER_WITHIN)
        assert ended == [True] * SLOW_CLIENTS


def test_without_nginx_the_same_slow_loris_holds_an_app_server(shop_behind_nginx):
    """Why the proxy is there: one bare gunicorn server, and as many slow-loris connections
    as it has workers and more, is silent until they end."""
    bare = shop_behind_nginx.servers.urls[0]
    # The workers take connections in the order they came: the loris first.
    with slow_loris(bare, count=2 * WORKERS_PER_SERVER), pytest.raises(requests.Timeout):
        requests.get(f"{bare}/healthz", timeout=ANSWER_WITHIN)

    assert requests.get(f"{bare}/healthz", timeout=ANSWER_WITHIN).status_code == 200


# --- forwarded headers -------------------------------------------------------------------


def test_the_shop_counts_sign_in_failures_by_the_address_nginx_saw_not_a_claimed_one(
    shop_behind_nginx,
):
    # given a visitor who claims a new address (X-Forwarded-For) on each wrong password
    url = shop_behind_nginx.url
    limit = parse(ADDRESS_ATTEMPTS).amount
    guesser, neighbour = visitor_at(some_loopback_address()), visitor_at(some_loopback_address())
    marker = shop_behind_nginx.servers.marker

    def sign_in(browser: requests.Session, n: int) -> int:
        token = csrf_token(browser.get(f"{url}/admin/login", timeout=ANSWER_WITHIN).text)
        return browser.post(
            f"{url}/admin/login",
            data={
                "csrf_token": token,
                "email": f"nobody{n}-{marker}@example.nl",  # a new account each time
                "password": "not the password",
                "next": "/admin/",
            },
            headers={"X-Forwarded-For": f"198.51.100.{n % 250 + 1}"},
            allow_redirects=False,
            timeout=ANSWER_WITHIN,
        ).status_code

    # when it tries one more time than an address may
    failures = [sign_in(guesser, n) for n in range(limit + 1)]
    # then the last try is refused as coming from the address it really has
    assert failures == [401] * limit + [429]
    # and a visitor at another address, through the same nginx, is not
    assert sign_in(neighbour, 0) == 401


def test_a_visitor_cannot_claim_https_through_nginx(shop_behind_nginx):
    """Over https the CSRF check also wants a Referer from the shop itself; a form sent over
    plain http without one, claiming https (X-Forwarded-Proto), is taken as plain http:
    nginx replaced the claim with what it saw."""
    claiming_https = {"X-Forwarded-Proto": "https"}

    def post_gate(url: str) -> int:
        with requests.Session() as browser:
            token = csrf_token(browser.get(f"{url}/age-gate", timeout=ANSWER_WITHIN).text)
            return browser.post(
                f"{url}/age-gate",
                data={"csrf_token": token, "answer": "yes", "next": "/"},
                headers=claiming_https,
                allow_redirects=False,
                timeout=ANSWER_WITHIN,
            ).status_code

    assert post_gate(shop_behind_nginx.url) == 303
    # Straight to an app server, the claim is believed (it trusts one hop, whoever that
    # is): why the app servers must listen only where nginx can reach them.
    assert post_gate(shop_behind_nginx.servers.urls[0]) == 400


# --- body limits -------------------------------------------------------------------------


def test_nginx_refuses_a_megabyte_posted_to_a_storefront_form(shop_behind_nginx):
    answer = requests.post(
        f"{shop_behind_nginx.url}/cart/add",
        data={"product_id": "1", "quantity": "1", "padding": "x" * KILOBYTE * KILOBYTE},
        timeout=ANSWER_WITHIN,
    )

    assert answer.status_code == 413


def test_a_picture_upload_may_be_larger_than_a_form(shop_behind_nginx):
    # A megabyte to the picture upload passes nginx; the app refuses the anonymous sender.
    answer = requests.post(
        f"{shop_behind_nginx.url}/admin/products/1/images",
        files={"image": ("picture.jpg", b"\xff" * KILOBYTE * KILOBYTE, "image/jpeg")},
        allow_redirects=False,
        timeout=ANSWER_WITHIN,
    )

    assert answer.status_code == 400
    assert "csrf" in answer.text.lower()


def test_a_back_office_form_may_be_larger_than_a_storefront_form(shop_behind_nginx):
    # A long article: a megabyte passes nginx (the app allows back-office forms 2 MB) and
    # reaches the app, which sends the anonymous sender to the sign-in page; 4 MB does not.
    def post(size: int) -> int:
        return requests.post(
            f"{shop_behind_nginx.url}/admin/articles/new",
            data={"body_en": "x" * size},
            allow_redirects=False,
            timeout=ANSWER_WITHIN,
        ).status_code

    assert post(KILOBYTE * KILOBYTE) != 413
    assert post(4 * KILOBYTE * KILOBYTE) == 413


def stripe_webhook(shop_behind_nginx: ShopBehindNginx, body: bytes, signature: str) -> int:
    return requests.post(
        f"{shop_behind_nginx.url}/webhooks/stripe",
        data=body,
        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
        timeout=ANSWER_WITHIN,
    ).status_code


def test_the_stripe_webhook_takes_a_signed_event_through_nginx(shop_behind_nginx):
    servers = shop_behind_nginx.servers
    body, signature = signed_event(
        "customer.created",
        {"id": f"cus_{servers.marker}", "object": "customer"},
        secret=local_webhook_secret(servers.secret_key),
        event_id=f"evt_nginx_{servers.marker}",
    )

    assert stripe_webhook(shop_behind_nginx, body, signature) == 200


def test_the_stripe_webhook_has_its_own_body_limit(shop_behind_nginx):
    # Over the storefront's limit and under the webhook's: it reaches the app (which refuses
    # the signature); over the webhook's: nginx refuses it.
    assert stripe_webhook(shop_behind_nginx, b"{" + b" " * 200 * KILOBYTE + b"}", "t=1,v1=0") == 400
    assert stripe_webhook(shop_behind_nginx, b"{" + b" " * 300 * KILOBYTE + b"}", "t=1,v1=0") == 413


# --- compression and static files --------------------------------------------------------


@pytest.mark.parametrize("path", ["/", STYLESHEET])
def test_pages_and_stylesheets_come_compressed(shop_behind_nginx, path):
    with verified_visitor(shop_behind_nginx.url) as browser:
        answer = browser.get(
            f"{shop_behind_nginx.url}{path}",
            headers={"Accept-Encoding": "gzip"},
            timeout=ANSWER_WITHIN,
        )

    assert answer.status_code == 200
    assert answer.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in answer.headers["Vary"]


def test_nginx_serves_the_static_files_itself_with_an_hour_of_caching(shop_behind_nginx):
    answer = requests.get(f"{shop_behind_nginx.url}{STYLESHEET}", timeout=ANSWER_WITHIN)
    from_the_app = requests.get(
        f"{shop_behind_nginx.servers.urls[0]}{STYLESHEET}", timeout=ANSWER_WITHIN
    )

    assert answer.status_code == 200
    assert answer.content == (PROJECT_ROOT / "static" / "css" / "shop.css").read_bytes()
    assert answer.headers["Content-Type"] == "text/css"
    assert answer.headers["Cache-Control"] == "public, max-age=3600"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    # The app would have said otherwise: what came is nginx's own.
    assert from_the_app.headers["Cache-Control"] != answer.headers["Cache-Control"]


def test_a_static_file_at_its_versioned_address_is_kept_a_year(shop_behind_nginx):
    # Pages link `?v=<content hash>` (shop.web.static_urls): that address never changes
    # content, so nginx lets browsers keep it without asking again.
    page = requests.get(f"{shop_behind_nginx.url}/age-gate", timeout=ANSWER_WITHIN).text
    versioned = re.search(r'href="(/static/css/shop\.css\?v=[0-9a-f]+)"', page)
    assert versioned, "the page links the stylesheet without its version"

    answer = requests.get(f"{shop_behind_nginx.url}{versioned.group(1)}", timeout=ANSWER_WITHIN)

    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_a_static_file_that_is_not_there_is_not_found_and_the_folder_is_not_listed(
    shop_behind_nginx,
):
    missing = requests.get(f"{shop_behind_nginx.url}/static/css/none.css", timeout=ANSWER_WITHIN)
    folder = requests.get(f"{shop_behind_nginx.url}/static/css/", timeout=ANSWER_WITHIN)

    assert missing.status_code == 404
    assert folder.status_code == 403
    assert "shop.css" not in folder.text
