"""`flask --app shop seed-demo` adds the demo promo codes: Halloween 2025 as the seed shop ran
it, a seasonal code running today (so `make run` shows a banner), TAKE5 and GROW3."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from shop import clock
from shop.clock import frozen_at
from shop.models import PromoCode
from shop.rules.promotions import Kind, Status, status
from tests.helpers import pass_age_gate

DEMO_CODES = {"halloween2025", "take5", "grow3"}


def seed(app, session, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["seed-demo", *args])
    assert result.exit_code == 0, result.output
    session.rollback()
    return result.output


def code_named(session, name: str) -> PromoCode:
    return session.scalars(select(PromoCode).where(PromoCode.code == name)).one()


def seasonal_code(session) -> PromoCode:
    codes = session.scalars(select(PromoCode).where(PromoCode.code.not_in(DEMO_CODES))).all()
    assert len(codes) == 1, [c.code for c in codes]
    return codes[0]


def test_seed_demo_adds_the_four_demo_codes(app, session):
    output = seed(app, session)

    assert "4 promo codes added" in output
    assert DEMO_CODES.issubset(session.scalars(select(PromoCode.code)))
    assert session.scalar(select(func.count()).select_from(PromoCode)) == 4


def test_seed_demo_twice_creates_each_code_once(app, session):
    seed(app, session)

    output = seed(app, session)

    assert "0 promo codes added" in output
    assert session.scalar(select(func.count()).select_from(PromoCode)) == 4


def test_seed_demo_puts_back_a_demo_code_that_was_deleted(app, session):
    seed(app, session)
    session.execute(delete(PromoCode).where(PromoCode.code == "grow3"))
    session.commit()

    output = seed(app, session)

    assert "1 promo codes added" in output
    assert code_named(session, "grow3").usage_limit == 3


def test_seed_demo_if_empty_adds_no_codes_to_a_shop_with_products(app, session):
    seed(app, session)
    session.execute(delete(PromoCode))
    session.commit()

    output = seed(app, session, "--if-empty")

    assert "not loaded" in output
    assert session.scalar(select(func.count()).select_from(PromoCode)) == 0


def test_halloween_2025_is_exactly_as_the_seed_shop_ran_it(app, session):
    seed(app, session)

    code = code_named(session, "halloween2025")

    assert code.display_code == "HALLOWEEN2025"
    assert (Kind(code.kind), code.value) == (Kind.PERCENT, 15)
    assert code.products == [] and code.categories == []
    assert code.starts_at == datetime(2025, 10, 20, 22, 0, tzinfo=UTC)
    assert code.ends_at == datetime(2025, 11, 2, 23, 0, tzinfo=UTC)
    assert code.is_public
    assert code.banner_title("en") == "Halloween 2025"
    # The banner shows the dates and "15% OFF" itself; the text says what to do.
    assert code.banner_text("en") == (
        "Use the code below at checkout to receive 15% off your entire order"
    )
    assert code.banner_text("nl").startswith("Gebruik de code hieronder bij het afrekenen")


def test_halloween_2025_is_expired_now(app, session):
    seed(app, session)

    assert status(code_named(session, "halloween2025").terms(), clock.now()) is Status.EXPIRED


def test_the_seasonal_code_is_public_and_active_today(app, session):
    seed(app, session)

    code = seasonal_code(session)

    assert status(code.terms(), clock.now()) is Status.ACTIVE
    assert code.is_public
    assert (Kind(code.kind), code.value) == (Kind.PERCENT, 10)
    assert code.banner_title("en") and code.banner_text("en")
    assert code.banner_title_nl and code.banner_text_nl
    assert code.banner_text("nl") != code.banner_text("en")


def test_the_seasonal_code_runs_from_a_few_days_ago_to_about_four_weeks_on(app, session):
    seed(app, session)

    code = seasonal_code(session)

    assert timedelta(days=1) < clock.now() - code.starts_at < timedelta(days=7)
    assert timedelta(days=21) < code.ends_at - clock.now() < timedelta(days=35)


@pytest.mark.parametrize(
    ("now", "name", "title"),
    [
        (datetime(2026, 1, 15, 12, 0, tzinfo=UTC), "winter2026", "Winter 2026"),
        (datetime(2026, 4, 15, 12, 0, tzinfo=UTC), "spring2026", "Spring 2026"),
        (datetime(2026, 7, 15, 12, 0, tzinfo=UTC), "summer2026", "Summer 2026"),
        (datetime(2026, 10, 15, 12, 0, tzinfo=UTC), "autumn2026", "Autumn 2026"),
        # 00:30 on New Year's Day in Amsterdam: the local date names the code.
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "winter2027", "Winter 2027"),
    ],
)
def test_the_seasonal_code_is_named_after_the_local_season_and_year(app, session, now, name, title):
    with frozen_at(now):
        seed(app, session)

    code = code_named(session, name)
    assert code.banner_title("en") == title
    assert status(code.terms(), now) is Status.ACTIVE


def test_take5_takes_5_euros_off_from_40_euros(app, session):
    seed(app, session)

    code = code_named(session, "take5")

    assert (Kind(code.kind), code.value, code.min_subtotal_cents) == (Kind.AMOUNT, 500, 4000)
    assert not code.is_public
    assert status(code.terms(), clock.now()) is Status.ACTIVE


def test_grow3_takes_20_percent_off_grow_kits_three_times(app, session):
    seed(app, session)

    code = code_named(session, "grow3")

    assert (Kind(code.kind), code.value, code.usage_limit) == (Kind.PERCENT, 20, 3)
    assert [c.slug for c in code.categories] == ["grow-kits"]
    assert code.products == []
    assert status(code.terms(), clock.now()) is Status.ACTIVE


def test_the_demo_shop_shows_the_seasonal_banner_today_and_not_halloween(app, session, client):
    seed(app, session)
    pass_age_gate(client)

    html = client.get("/").get_data(as_text=True)

    assert f"<code>{seasonal_code(session).display_code}</code>" in html
    assert "HALLOWEEN2025" not in html
