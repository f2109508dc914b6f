"""Staff's promo and order commands: `flask --app shop promo create|list|check` and
`flask --app shop orders expire`, with every date local to Europe/Amsterdam."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from shop.clock import frozen_at
from shop.models import Order, OrderStatus, Product, PromoCode
from shop.services.orders.placing import ShopPolicy, place_order
from tests.helpers import ANN, checkout_request, make_category, make_product

HALLOWEEN = [
    "HALLOWEEN2025", "--percent", "15", "--from", "2025-10-21", "--until", "2025-11-02",
    "--banner-title", "Halloween 2025",
    "--banner-text", "Use the code below at checkout to receive 15% off your entire order",
]  # fmt: skip

DURING_HALLOWEEN = datetime(2025, 10, 25, 12, 0, tzinfo=UTC)
POLICY = ShopPolicy(min_age=18, age_policy_version=1, hold_minutes=30, currency="EUR")


def flask(app, session, *args: str):
    """Run `flask --app shop …` in this process; the test's session then sees what it wrote."""
    result = app.test_cli_runner().invoke(args=list(args))
    session.rollback()
    return result


def promo(app, session, *args: str):
    return flask(app, session, "promo", *args)


def codes_in_database(session) -> int:
    return session.scalar(select(func.count()).select_from(PromoCode))


def order_with_code(session, product: Product, code: str, *, email: str, now: datetime) -> Order:
    """An order placed through checkout, as a customer would place it."""
    sam = dataclasses.replace(
        ANN, email=email, name="Sam de Vries", street="Damrak 1", postcode="1012 LG"
    )
    request = checkout_request({product.id: 1}, customer=sam, code=code)
    order = place_order(session, request, POLICY, today=now.date(), now=now)
    session.rollback()
    return order


# --- promo create ---------------------------------------------------------------------------


def test_create_stores_oct_21_to_nov_2_as_the_utc_window_that_includes_all_of_nov_2(app, session):
    result = promo(app, session, "create", *HALLOWEEN)

    assert result.exit_code == 0, result.output
    assert "Created HALLOWEEN2025: 15% off the entire order" in result.stdout
    assert "21 Oct 2025 – 2 Nov 2025 (Europe/Amsterdam)" in result.stdout
    code = session.scalars(select(PromoCode)).one()
    assert code.starts_at == datetime(2025, 10, 20, 22, 0, tzinfo=UTC)
    assert code.ends_at == datetime(2025, 11, 2, 23, 0, tzinfo=UTC)


def test_create_with_a_banner_makes_a_public_code_with_the_same_text_in_both_languages(
    app, session
):
    promo(app, session, "create", *HALLOWEEN)

    code = session.scalars(select(PromoCode)).one()
    assert code.is_public
    assert code.banner_title("nl") == code.banner_title("en") == "Halloween 2025"
    assert code.banner_text("nl").startswith("Use the code below")


def test_create_takes_dutch_banner_text_when_given(app, session):
    promo(
        app, session, "create", *HALLOWEEN,
        "--banner-title-nl", "Halloween 2025", "--banner-text-nl", "Gebruik de code hieronder",
    )  # fmt: skip

    code = session.scalars(select(PromoCode)).one()
    assert code.banner_text("nl") == "Gebruik de code hieronder"
    assert code.banner_text("en").startswith("Use the code below")


def test_create_without_a_banner_makes_a_code_that_is_not_advertised(app, session):
    promo(app, session, "create", "TAKE5", "--amount-cents", "500", "--from", "2025-01-01")

    code = session.scalars(select(PromoCode)).one()
    assert not code.is_public
    assert code.ends_at is None


def test_create_keeps_the_limits_minimum_and_scope_given(app, session):
    grow_kits = make_category(session, slug="grow-kits")
    make_product(session, "Golden Teacher grow kit", category=grow_kits, slug="gt-grow-kit")
    make_product(session, "Mexicana truffles 15 g", slug="mexicana-15g")

    result = promo(
        app, session, "create", "zomer25", "--percent", "25", "--from", "2026-06-01",
        "--until", "2026-08-31", "--limit", "100", "--per-customer", "1",
        "--min-subtotal-cents", "3000", "--products", "mexicana-15g",
        "--categories", "grow-kits",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    code = session.scalars(select(PromoCode)).one()
    assert code.code == "zomer25"
    assert (code.usage_limit, code.per_customer_limit, code.min_subtotal_cents) == (100, 1, 3000)
    assert [p.slug for p in code.products] == ["mexicana-15g"]
    assert [c.slug for c in code.categories] == ["grow-kits"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--percent", "0", "--from", "2025-10-21"], "a percentage from 1 to 100"),
        (["--percent", "101", "--from", "2025-10-21"], "a percentage from 1 to 100"),
        (["--amount-cents", "0", "--from", "2025-10-21"], "an amount above zero"),
        (
            ["--percent", "15", "--from", "2025-11-02", "--until", "2025-10-21"],
            "--until (2025-10-21) is before --from (2025-11-02)",
        ),
        (["--percent", "15", "--from", "2025-10-21", "--products", "nope"], "unknown product"),
        (
            ["--percent", "15", "--from", "2025-10-21", "--categories", "nope"],
            "unknown product or category: nope",
        ),
        (["--percent", "15", "--amount-cents", "500", "--from", "2025-10-21"], "either"),
        (["--from", "2025-10-21"], "give either --percent or --amount-cents"),
        (["--percent", "15", "--from", "2025-10-21", "--limit", "0"], "a limit is 1 or more"),
        (["--percent", "15", "--from", "2025-10-21", "--banner-text", "x"], "--banner-title"),
        (["--percent", "15", "--from", "2025-10-21", "--banner-title", " "], "cannot be empty"),
        (["--percent", "15", "--from", "21-10-2025"], "does not match the format"),
        (["--percent", "ten", "--from", "2025-10-21"], "is not a valid integer"),
    ],
)
def test_create_refuses_bad_input_on_stderr_with_status_2_and_writes_nothing(
    app, session, args, message
):
    result = promo(app, session, "create", "ZOMER25", *args)

    assert result.exit_code == 2
    assert message in result.stderr
    assert codes_in_database(session) == 0


def test_create_refuses_a_code_that_exists_in_another_case(app, session):
    promo(app, session, "create", "ZOMER25", "--percent", "25", "--from", "2026-06-01")

    result = promo(app, session, "create", " zomer25 ", "--percent", "10", "--from", "2026-06-01")

    assert result.exit_code == 2
    assert "a code with that name exists already" in result.stderr
    assert session.scalars(select(PromoCode.value)).all() == [25]


# --- promo list -----------------------------------------------------------------------------


def test_list_shows_each_code_with_its_local_window_status_and_uses(app, session):
    promo(app, session, "create", *HALLOWEEN)
    promo(app, session, "create", "TAKE5", "--amount-cents", "500", "--from", "2025-10-01",
          "--limit", "3")  # fmt: skip
    promo(app, session, "create", "GROW3", "--percent", "20", "--from", "2025-10-01",
          "--limit", "2")  # fmt: skip
    promo(app, session, "create", "XMAS", "--percent", "10", "--from", "2025-12-01",
          "--until", "2025-12-26")  # fmt: skip
    promo(app, session, "create", "OFF", "--percent", "5", "--from", "2025-10-01")
    session.execute(update(PromoCode).where(PromoCode.code == "take5").values(times_used=2))
    session.execute(update(PromoCode).where(PromoCode.code == "grow3").values(times_used=2))
    session.execute(update(PromoCode).where(PromoCode.code == "off").values(is_active=False))
    session.commit()

    with frozen_at(DURING_HALLOWEEN):
        result = promo(app, session, "list")

    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert rows["CODE"].split() == ["CODE", "KIND", "VALUE", "WINDOW", "STATUS", "USES"]
    assert rows["HALLOWEEN2025"].split("  ")[0] == "HALLOWEEN2025"
    assert "percent" in rows["HALLOWEEN2025"]
    assert "15%" in rows["HALLOWEEN2025"]
    assert "21 Oct 2025 – 2 Nov 2025" in rows["HALLOWEEN2025"]
    assert rows["HALLOWEEN2025"].split()[-2:] == ["active", "0"]
    assert "amount" in rows["TAKE5"]
    assert "€ 5,00" in rows["TAKE5"]
    assert "1 Oct 2025 – open" in rows["TAKE5"]
    assert rows["TAKE5"].split()[-2:] == ["active", "2/3"]
    assert rows["GROW3"].split()[-3:] == ["used", "up", "2/2"]
    assert "1 Dec 2025 – 26 Dec 2025" in rows["XMAS"]
    assert rows["XMAS"].split()[-2:] == ["scheduled", "0"]
    assert rows["OFF"].split()[-2:] == ["inactive", "0"]


def test_list_calls_a_code_expired_from_the_first_moment_after_its_last_day(app, session):
    promo(app, session, "create", *HALLOWEEN)

    with frozen_at(datetime(2025, 11, 2, 23, 0, tzinfo=UTC)):
        result = promo(app, session, "list")

    assert "expired" in result.stdout.splitlines()[1]


def test_list_says_so_when_there_are_no_codes(app, session):
    result = promo(app, session, "list")

    assert result.exit_code == 0
    assert "No promo codes yet." in result.stdout


# --- promo check ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "at",
    [
        "2025-10-21T00:00:00",  # its first local second
        "2025-11-02T23:59:59",  # its last local second, a week after the clocks went back
        "2025-11-02T23:59:59+01:00",
        "2025-11-02T22:59:59Z",
    ],
)
def test_check_says_halloween_is_valid_all_day_on_its_first_and_last_date(app, session, at):
    promo(app, session, "create", *HALLOWEEN)

    result = promo(app, session, "check", "HALLOWEEN2025", "--at", at)

    assert result.exit_code == 0, result.output
    assert "valid" in result.stdout
    assert "not valid" not in result.stdout


@pytest.mark.parametrize("at", ["2025-11-03T00:00:00", "2025-11-02T23:00:00Z"])
def test_check_says_halloween_ended_on_2_november_from_midnight_local_time(app, session, at):
    promo(app, session, "create", *HALLOWEEN)

    result = promo(app, session, "check", "HALLOWEEN2025", "--at", at)

    assert result.exit_code == 1
    assert "HALLOWEEN2025 at 3 Nov 2025 00:00:00 (Europe/Amsterdam)" in result.stdout
    assert "not valid: ended on 2 November 2025" in result.stdout


def test_check_says_halloween_starts_on_21_october_the_second_before(app, session):
    promo(app, session, "create", *HALLOWEEN)

    result = promo(app, session, "check", "halloween2025", "--at", "2025-10-20T23:59:59")

    assert result.exit_code == 1
    assert "not valid: starts on 21 October 2025" in result.stdout


def test_check_without_at_answers_for_now(app, session):
    promo(app, session, "create", *HALLOWEEN)

    with frozen_at(DURING_HALLOWEEN):
        during = promo(app, session, "check", "HALLOWEEN2025")
    after = promo(app, session, "check", "HALLOWEEN2025")

    assert during.exit_code == 0
    assert after.exit_code == 1
    assert "ended on 2 November 2025" in after.stdout


def test_check_says_a_code_whose_last_use_was_taken_has_been_used_up(app, session):
    product = make_product(session, "Golden Teacher grow kit", price_cents=2495)
    promo(app, session, "create", "GROW1", "--percent", "20", "--from", "2025-10-01",
          "--limit", "1")  # fmt: skip
    order_with_code(session, product, "GROW1", email="sam@example.nl", now=DURING_HALLOWEEN)

    result = promo(app, session, "check", "GROW1", "--at", "2025-10-26T12:00:00")

    assert result.exit_code == 1
    assert "not valid: has been used up" in result.stdout


def test_check_with_a_subtotal_applies_the_minimum(app, session):
    promo(app, session, "create", "TAKE5", "--amount-cents", "500", "--from", "2025-10-01",
          "--min-subtotal-cents", "4000")  # fmt: skip

    below = promo(app, session, "check", "TAKE5", "--subtotal-cents", "3999")
    enough = promo(app, session, "check", "TAKE5", "--subtotal-cents", "4000")
    unasked = promo(app, session, "check", "TAKE5")

    assert below.exit_code == 1
    assert "not valid: needs a subtotal of € 40,00" in below.stdout
    assert enough.exit_code == 0
    assert unasked.exit_code == 0


def test_check_with_a_subtotal_is_not_refused_for_the_codes_scope(app, session):
    make_category(session, slug="grow-kits")
    promo(app, session, "create", "GROW3", "--percent", "20", "--from", "2025-10-01",
          "--categories", "grow-kits", "--min-subtotal-cents", "2000")  # fmt: skip

    result = promo(app, session, "check", "GROW3", "--subtotal-cents", "2000")

    assert result.exit_code == 0, result.output


def test_check_with_an_email_applies_the_per_customer_limit(app, session):
    product = make_product(session, "Lion's Mane capsules", price_cents=2995)
    promo(app, session, "create", "ONCE", "--percent", "10", "--from", "2025-10-01",
          "--per-customer", "1")  # fmt: skip
    order_with_code(session, product, "ONCE", email="Sam@Example.nl", now=DURING_HALLOWEEN)

    same = promo(app, session, "check", "ONCE", "--email", "  sam@example.NL ")
    other = promo(app, session, "check", "ONCE", "--email", "kim@example.nl")
    anyone = promo(app, session, "check", "ONCE")

    assert same.exit_code == 1
    assert "not valid: you have already used this code" in same.stdout
    assert other.exit_code == 0
    assert anyone.exit_code == 0


def test_check_says_nothing_is_known_of_an_unknown_code_with_status_2(app, session):
    result = promo(app, session, "check", "NOPE")

    assert result.exit_code == 2
    assert "there is no promo code 'NOPE'" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--at", "next tuesday"], "is not an ISO-8601 date and time"),
        (["--at", "2025-02-30T12:00:00"], "is not an ISO-8601 date and time"),
        (["--subtotal-cents", "-1"], "cannot be negative"),
        (["--subtotal-cents", "lots"], "is not a valid integer"),
    ],
)
def test_check_refuses_bad_input_with_status_2(app, session, args, message):
    promo(app, session, "create", *HALLOWEEN)

    result = promo(app, session, "check", "HALLOWEEN2025", *args)

    assert result.exit_code == 2
    assert message in result.stderr


def test_check_leaves_the_shops_clock_alone(app, session):
    from shop import clock

    promo(app, session, "create", *HALLOWEEN)
    before = clock.now()

    promo(app, session, "check", "HALLOWEEN2025", "--at", "2025-10-25T12:00:00")

    assert clock.now() - before < timedelta(minutes=1)


def test_check_says_a_switched_off_code_is_not_active(app, session):
    promo(app, session, "create", *HALLOWEEN)
    session.execute(update(PromoCode).values(is_active=False))
    session.commit()

    result = promo(app, session, "check", "HALLOWEEN2025", "--at", "2025-10-25T12:00:00")

    assert result.exit_code == 1
    assert "not valid: is not active" in result.stdout


# --- orders expire --------------------------------------------------------------------------


def test_orders_expire_releases_an_unpaid_order_once_with_its_stock_and_code_use(app, session):
    product = make_product(session, "Golden Teacher grow kit", price_cents=2495, stock=4)
    promo(app, session, "create", "GROW3", "--percent", "20", "--from", "2025-10-01",
          "--limit", "3")  # fmt: skip
    placed_at = DURING_HALLOWEEN
    order_with_code(session, product, "GROW3", email="sam@example.nl", now=placed_at)
    assert session.get(Product, product.id).stock == 3

    with frozen_at(placed_at + timedelta(minutes=31)):
        first = flask(app, session, "orders", "expire")
        second = flask(app, session, "orders", "expire")

    assert first.exit_code == second.exit_code == 0
    assert "Released 1 unpaid order past its hold time." in first.stdout
    assert "Released 0 unpaid orders past their hold time." in second.stdout
    assert session.scalars(select(Order.status)).one() == OrderStatus.EXPIRED
    assert session.get(Product, product.id).stock == 4
    assert session.scalars(select(PromoCode.times_used)).one() == 0


def test_orders_expire_keeps_an_order_still_within_its_hold(app, session):
    product = make_product(session, "Golden Teacher grow kit", stock=4)
    order_with_code(session, product, "", email="sam@example.nl", now=DURING_HALLOWEEN)

    with frozen_at(DURING_HALLOWEEN + timedelta(minutes=29)):
        result = flask(app, session, "orders", "expire")

    assert "Released 0 unpaid orders" in result.stdout
    assert session.scalars(select(Order.status)).one() == OrderStatus.PENDING_PAYMENT
