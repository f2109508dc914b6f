""" "My orders" without a password: an address in, a one-time link out by e-mail, and for
the browser that uses it the list of that mailbox's orders."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from shop.clock import frozen_at
from shop.extensions import db
from shop.models import Order, OrderAccessLink, OutboxEmail, Product
from shop.services.order_links import LinkUnusable, request_order_link, use_order_link
from shop.services.orders.placing import ShopPolicy, place_order
from tests.helpers import AMSTERDAM, ANN, checkout_request, csrf_token, make_product, pass_age_gate
from tests.integration.test_query_counts import counting_queries
from tests.pages import Page, words

# 10:00 in Amsterdam on a winter's day (UTC+1).
NINE_UTC_ON_2_DECEMBER_2026 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
POLICY = ShopPolicy(min_age=18, age_policy_version=1, hold_minutes=30, currency="EUR")
BOB = dataclasses.replace(ANN, email="bob@example.nl", name="Bob Bakker")
LINK = re.compile(r"http://shop\.example\.nl/my-orders/link/([A-Za-z0-9_-]+)")


class RecordingMailer:
    """The mail server's side: what the shop handed it."""

    delivers = True

    def __init__(self) -> None:
        self.sent: list[dict[str, str]] = []

    def send(self, *, recipient: str, subject: str, text: str, html: str) -> None:
        self.sent.append({"recipient": recipient, "subject": subject, "text": text, "html": html})


@pytest.fixture
def app_settings(app_settings):  # type: ignore[no-untyped-def]
    return {**app_settings, "SHOP_BASE_URL": "http://shop.example.nl/"}


@pytest.fixture
def outbox(app) -> RecordingMailer:  # type: ignore[no-untyped-def]
    mailer = RecordingMailer()
    app.extensions["shop_mail"] = mailer
    return mailer


@pytest.fixture(autouse=True)
def clock():
    with frozen_at(NINE_UTC_ON_2_DECEMBER_2026) as now:
        yield now


@pytest.fixture
def product(session) -> Product:  # type: ignore[no-untyped-def]
    return make_product(session, "Golden Teacher truffles 15 g", price_cents=1995, stock=50)


def order_for(session, product, email: str, *, at: datetime, quantity: int = 1) -> Order:  # type: ignore[no-untyped-def]
    customer = dataclasses.replace(ANN, email=email)
    request = checkout_request({product.id: quantity}, customer=customer)
    return place_order(session, request, POLICY, today=at.astimezone(AMSTERDAM).date(), now=at)


def visitor(app, *, language: str = "en", address: str = "127.0.0.1"):  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    pass_age_gate(client)
    return client


def ask_for_link(client, email: str):  # type: ignore[no-untyped-def]
    form = client.get("/my-orders")
    token = csrf_token(form.get_data(as_text=True))
    answer = client.post("/my-orders", data={"csrf_token": token, "email": email})
    # A server closes the response once it is sent; the e-mail goes to the mail server then.
    answer.close()
    return answer


def link_token(mailer: RecordingMailer) -> str:
    match = LINK.search(mailer.sent[-1]["text"])
    assert match, mailer.sent[-1]["text"]
    return match.group(1)


def ann_with_a_link(app, session, outbox, product, *, at, language: str = "en"):  # type: ignore[no-untyped-def]
    """Ann, who ordered, in a browser of her own, and the token of the link she was e-mailed."""
    order_for(session, product, "ann@example.nl", at=at)
    browser = visitor(app, language=language)
    ask_for_link(browser, "ann@example.nl")
    return browser, link_token(outbox)


def use_link(client, token: str):  # type: ignore[no-untyped-def]
    page = client.get(f"/my-orders/link/{token}")
    form = {"csrf_token": csrf_token(page.get_data(as_text=True))}
    return client.post(f"/my-orders/link/{token}", data=form)


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', "", html)


# --- asking for a link ------------------------------------------------------------------------


def test_an_address_with_orders_and_one_without_get_the_same_answer(
    app, session, outbox, product, clock
):
    order_for(session, product, "ann@example.nl", at=clock)

    known = ask_for_link(visitor(app), "ann@example.nl")
    unknown = ask_for_link(visitor(app), "nobody@example.nl")

    assert known.status_code == unknown.status_code == 200
    assert without_csrf(known.get_data(as_text=True)) == without_csrf(
        unknown.get_data(as_text=True)
    )
    assert words(Page.of(known).one('[role="status"]').text) == (
        "If we have orders for that address, we have sent it a link to them. "
        "The link works once, for 15 minutes."
    )
    assert [mail["recipient"] for mail in outbox.sent] == ["ann@example.nl"]
    # The link is sent straight away, never kept in the outbox table (it would hold the token).
    assert session.scalars(select(OutboxEmail)).all() == []


def test_asking_for_an_address_with_orders_and_one_without_writes_the_same(
    app, session, outbox, product, clock
):
    order_for(session, product, "ann@example.nl", at=clock)

    for address in ("ann@example.nl", "nobody@example.nl"):
        ask_for_link(visitor(app), address)

    identities = session.scalars(select(OrderAccessLink.identity).order_by(OrderAccessLink.id))
    assert list(identities) == ["ann@example.nl", "nobody@example.nl"]


def test_the_email_is_in_the_visitors_language_with_an_absolute_link(
    app, session, outbox, product, clock
):
    order_for(session, product, "ann@example.nl", at=clock)

    ask_for_link(visitor(app, language="nl"), "ann@example.nl")

    (mail,) = outbox.sent
    assert mail["subject"] == "Je inloglink voor Mijn bestellingen"
    assert "De link werkt één keer, 15 minuten lang." in mail["text"]
    token = link_token(outbox)
    assert f'href="http://shop.example.nl/my-orders/link/{token}"' in mail["html"]


def test_a_mistyped_address_is_told_so(app, outbox):
    answer = ask_for_link(visitor(app), "ann-at-example.nl")

    assert answer.status_code == 422
    assert "Type an e-mail address like name@example.nl." in Page.of(answer).text
    assert outbox.sent == []


def test_an_empty_address_is_asked_for(app, outbox):
    answer = ask_for_link(visitor(app), "  ")

    assert answer.status_code == 422
    assert "Please type your e-mail address." in Page.of(answer).text


def test_the_page_is_behind_the_age_gate(app):
    answer = app.test_client().get("/my-orders")

    assert answer.status_code in {302, 303}
    assert answer.headers["Location"].startswith("/age-gate?next=")


def test_my_orders_is_linked_from_every_storefront_page(app, product):
    home = Page.of(visitor(app, language="nl").get("/"))

    assert "Mijn bestellingen" in home.texts('a[href="/my-orders"]')


# --- the link -------------------------------------------------------------------------------


def test_opening_the_link_uses_nothing_and_its_button_lists_the_orders(
    app, session, outbox, product, clock
):
    """Mail scanners open links: only the button's POST uses it."""
    order = order_for(session, product, "ann@example.nl", at=clock)
    browser = visitor(app)
    ask_for_link(browser, "ann@example.nl")
    token = link_token(outbox)

    for _ in range(3):
        opened = browser.get(f"/my-orders/link/{token}")
        assert opened.status_code == 200
        assert Page.of(opened).texts("button")[-1] == "Show my orders"
    used = use_link(browser, token)

    assert used.status_code == 303
    assert used.headers["Location"] == "/my-orders/list"
    listed = Page.of(browser.get("/my-orders/list"))
    assert listed.texts(".order-number") == [f"Order {order.number}"]


def test_a_link_opened_in_a_browser_new_to_the_shop_passes_the_age_gate_first(
    app, session, outbox, product, clock
):
    _, token = ann_with_a_link(app, session, outbox, product, at=clock)
    new_browser = app.test_client()

    opened = new_browser.get(f"/my-orders/link/{token}")
    gate = new_browser.get(opened.headers["Location"])
    answer = {**Page.of(gate).form("form.gate-form"), "answer": "yes"}
    passed = new_browser.post("/age-gate", data=answer)
    landed = new_browser.get(passed.headers["Location"])

    assert passed.headers["Location"] == f"/my-orders/link/{token}"
    assert Page.of(landed).texts("main button") == ["Show my orders"]


def test_a_link_works_once(app, session, outbox, product, clock):
    browser, token = ann_with_a_link(app, session, outbox, product, at=clock)
    use_link(browser, token)

    again = browser.post(
        f"/my-orders/link/{token}",
        data={"csrf_token": csrf_token(browser.get("/my-orders").get_data(as_text=True))},
    )
    opened_again = browser.get(f"/my-orders/link/{token}")

    assert again.status_code == opened_again.status_code == 410
    assert Page.of(again).texts("h1") == ["This link no longer works"]
    assert Page.of(again).texts("form.my-orders-form button") == ["Send me a link"]


def test_a_used_link_does_nothing_in_another_browser(app, session, outbox, product, clock):
    ann, token = ann_with_a_link(app, session, outbox, product, at=clock)
    stranger = visitor(app)
    stranger_form = stranger.get(f"/my-orders/link/{token}")  # the page, before Ann uses it
    use_link(ann, token)

    answer = stranger.post(
        f"/my-orders/link/{token}",
        data={"csrf_token": csrf_token(stranger_form.get_data(as_text=True))},
    )
    listing = stranger.get("/my-orders/list")

    assert answer.status_code == 410
    assert listing.status_code == 303
    assert listing.headers["Location"] == "/my-orders"


def test_a_link_expires_after_the_setting(app, session, outbox, product, clock):
    browser, token = ann_with_a_link(app, session, outbox, product, at=clock, language="nl")
    page = browser.get(f"/my-orders/link/{token}")

    with frozen_at(clock + timedelta(minutes=15)):
        expired = browser.post(
            f"/my-orders/link/{token}", data={"csrf_token": csrf_token(page.get_data(as_text=True))}
        )

    assert expired.status_code == 410
    assert Page.of(expired).texts("h1") == ["Deze link werkt niet meer"]


def test_a_link_works_until_its_last_second(app, session, outbox, product, clock):
    browser, token = ann_with_a_link(app, session, outbox, product, at=clock)

    with frozen_at(clock + timedelta(minutes=15) - timedelta(seconds=1)):
        used = use_link(browser, token)

    assert used.status_code == 303


def test_a_link_that_never_was_answers_like_a_used_one(app):
    browser = visitor(app)

    assert browser.get("/my-orders/link/made-up-token").status_code == 410
    assert browser.get("/my-orders/link/" + "x" * 300).status_code == 410


def test_a_token_is_stored_only_as_its_sha256(app, session, outbox, product, clock):
    order_for(session, product, "ann@example.nl", at=clock)
    ask_for_link(visitor(app), "ann@example.nl")
    token = link_token(outbox)

    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM order_access_links")).all()

    assert len(rows) == 1
    assert all(token not in str(value) for value in rows[0])
    assert rows[0].token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert len(token) >= 22  # at least 128 random bits in URL-safe base64


def test_of_two_browsers_using_a_link_at_once_exactly_one_wins(app, session, clock):
    issued = request_order_link(
        session, "ann@example.nl", now=clock, valid_for=timedelta(minutes=15), per_hour=3
    )
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def use() -> None:
        with app.app_context(), Session(db.engine) as own_session:
            start.wait()
            try:
                use_order_link(own_session, issued.token, now=clock)
                outcomes.append("won")
            except LinkUnusable:
                outcomes.append("refused")

    threads = [threading.Thread(target=use) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["refused", "won"]


# --- the list -------------------------------------------------------------------------------


def test_the_list_shows_that_mailboxs_orders_whatever_their_spelling_and_no_others(
    app, session, outbox, product, clock
):
    first = order_for(session, product, "ann@example.nl", at=clock - timedelta(days=40))
    tagged = order_for(session, product, "Ann+truffels@Example.nl", at=clock - timedelta(days=2))
    order_for(session, product, "bob@example.nl", at=clock - timedelta(days=1))
    order_for(session, product, "anna@example.nl", at=clock - timedelta(days=1))
    browser = visitor(app)
    ask_for_link(browser, "ANN+shop@example.nl")
    use_link(browser, link_token(outbox))

    listed = Page.of(browser.get("/my-orders/list"))

    assert outbox.sent[0]["recipient"] == "ANN+shop@example.nl"
    assert listed.texts(".order-number") == [f"Order {tagged.number}", f"Order {first.number}"]
    assert [a["href"] for a in listed.soup.select("a.order-number")] == [
        f"/orders/{tagged.token}",
        f"/orders/{first.token}",
    ]


def test_the_list_shows_date_in_amsterdam_status_and_total_in_dutch(
    app, session, outbox, product, clock
):
    # 23:30 UTC on 30 November is 00:30 on 1 December in Amsterdam.
    order = order_for(
        session,
        product,
        "ann@example.nl",
        at=datetime(2026, 11, 30, 23, 30, tzinfo=UTC),
        quantity=2,
    )
    browser = visitor(app, language="nl")
    ask_for_link(browser, "ann@example.nl")
    use_link(browser, link_token(outbox))

    listed = Page.of(browser.get("/my-orders/list"))

    assert listed.texts(".order-summary > *") == [
        f"Bestelling {order.number}",
        "€ 39,90",
        "1 december 2026",
        "Verlopen: niet op tijd betaald",
    ]


def test_the_list_ends_after_the_setting(app, session, outbox, product, clock):
    order_for(session, product, "ann@example.nl", at=clock)
    browser = visitor(app)
    ask_for_link(browser, "ann@example.nl")
    use_link(browser, link_token(outbox))

    with frozen_at(clock + timedelta(minutes=59)):
        still = browser.get("/my-orders/list")
    with frozen_at(clock + timedelta(minutes=60)):
        ended = browser.get("/my-orders/list")

    assert still.status_code == 200
    assert ended.status_code == 303
    assert (
        "To see your orders, ask for a new sign-in link." in Page.of(browser.get("/my-orders")).text
    )


def test_a_closed_list_stays_closed_in_that_browser(app, session, outbox, product, clock):
    browser, token = ann_with_a_link(app, session, outbox, product, at=clock)
    use_link(browser, token)
    listed = browser.get("/my-orders/list")

    closed = browser.post(
        "/my-orders/list/close", data={"csrf_token": csrf_token(listed.get_data(as_text=True))}
    )

    assert closed.status_code == 303
    assert browser.get("/my-orders/list").status_code == 303
    form = Page.of(browser.get("/my-orders")).text
    assert "Your orders are no longer shown in this browser." in form


def test_the_list_and_the_link_are_kept_out_of_caches_and_referers(
    app, session, outbox, product, clock
):
    browser, token = ann_with_a_link(app, session, outbox, product, at=clock)
    opened = browser.get(f"/my-orders/link/{token}")
    use_link(browser, token)
    listed = browser.get("/my-orders/list")

    for page in (opened, listed):
        assert page.headers["Cache-Control"] == "no-store"
        assert page.headers["Referrer-Policy"] == "no-referrer"


def test_the_list_without_a_link_sends_the_visitor_to_the_form(app):
    answer = visitor(app).get("/my-orders/list")

    assert answer.status_code == 303
    assert answer.headers["Location"] == "/my-orders"


def test_the_list_takes_as_many_queries_for_ten_orders_as_for_one(
    app, session, outbox, product, clock
):
    order_for(session, product, "ann@example.nl", at=clock)
    browser = visitor(app)
    ask_for_link(browser, "ann@example.nl")
    use_link(browser, link_token(outbox))
    with counting_queries() as one:
        browser.get("/my-orders/list")
    for _ in range(9):
        order_for(session, product, "ann@example.nl", at=clock)
    with counting_queries() as ten:
        listed = browser.get("/my-orders/list")

    assert len(Page.of(listed).texts(".order-summary")) == 10
    assert len(one) == len(ten)


# --- throttles --------------------------------------------------------------------------------


def test_a_mailbox_gets_at_most_three_links_an_hour(app, session, outbox, product, clock):
    order_for(session, product, "ann@example.nl", at=clock)
    browser = visitor(app)
    answers = [
        ask_for_link(browser, spelling)
        for spelling in ("ann@example.nl", "Ann@example.nl", "ann+x@example.nl", "ann@example.nl")
    ]

    assert [answer.status_code for answer in answers] == [200] * 4
    assert len({without_csrf(answer.get_data(as_text=True)) for answer in answers}) == 1
    assert len(outbox.sent) == 3

    with frozen_at(clock + timedelta(hours=1, seconds=1)):
        ask_for_link(visitor(app, address="192.0.2.9"), "ann@example.nl")
    assert len(outbox.sent) == 4


def test_a_burst_of_requests_for_one_mailbox_at_once_sends_three_links(
    app, session, product, clock
):
    order_for(session, product, "ann@example.nl", at=clock)
    session.commit()
    start = threading.Barrier(8)
    sent: list[bool] = []

    def ask() -> None:
        with app.app_context(), Session(db.engine) as own_session:
            start.wait()
            issued = request_order_link(
                own_session,
                "ann@example.nl",
                now=clock,
                valid_for=timedelta(minutes=15),
                per_hour=3,
            )
            sent.append(issued.should_send)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(sent) == [False] * 5 + [True] * 3


def test_asking_is_throttled_per_visitor(app, outbox):
    browser = visitor(app)

    answers = [ask_for_link(browser, f"someone{n}@example.nl") for n in range(6)]

    assert [answer.status_code for answer in answers] == [200] * 5 + [429]
    assert Page.of(answers[-1]).texts("h1") == ["Too many attempts"]


def test_asking_is_throttled_per_address_whatever_the_cookie(app, outbox):
    answers = [
        ask_for_link(visitor(app, address="198.51.100.7"), f"someone{n}@example.nl")
        for n in range(21)
    ]

    assert [answer.status_code for answer in answers] == [200] * 20 + [429]
    assert ask_for_link(visitor(app, address="198.51.100.8"), "x@example.nl").status_code == 200
