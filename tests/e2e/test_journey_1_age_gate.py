"""Journey 1: the 18+ gate, in confirm mode (yes/no) and date-of-birth mode, and once with
the keyboard alone."""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from shop.rules.age import age_on
from tests.e2e.browsing import YES, birth_date_aged, snap

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
REFUSAL = "You must be 18 years of age or older to visit this website."


def test_saying_no_shows_the_refusal_and_the_catalogue_stays_closed(page, shop):
    page.goto(f"{shop.url}/category/magic-truffles")

    expect(page.get_by_role("heading", level=1)).to_have_text("Are you 18 or older?")
    snap(page, "1-gate")
    page.get_by_role("button", name="No", exact=True).click()

    expect(page).to_have_url(f"{shop.url}/age-gate/refused")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sorry, you cannot enter")
    expect(page.get_by_text(REFUSAL)).to_be_visible()
    snap(page, "1-refused")
    for path in ("/category/magic-truffles", "/products/truffles-mexicana-10g", "/", "/cart"):
        page.goto(shop.url + path)
        expect(page).to_have_url(f"{shop.url}/age-gate/refused")
        expect(page.get_by_text("Magic Truffles Mexicana")).to_have_count(0)


def test_saying_yes_opens_the_page_first_asked_for(page, shop):
    page.goto(f"{shop.url}/products/lions-mane-capsules")
    expect(page).to_have_url(f"{shop.url}/age-gate?next=/products/lions-mane-capsules")

    page.get_by_role("button", name=YES).click()

    expect(page).to_have_url(f"{shop.url}/products/lions-mane-capsules")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lion's Mane Capsules")


def _focused(page) -> str:
    return page.evaluate(
        """() => { const e = document.activeElement;
                   return e.tagName.toLowerCase() + ' "' + (e.labels?.[0]?.textContent
                          || e.textContent || '').trim() + '"'; }"""
    )


def _tab_until_focused(page, target, most: int = 8) -> list[str]:
    """Press Tab until `target` has the focus; the elements passed on the way."""
    passed = []
    for _ in range(most):
        page.keyboard.press("Tab")
        passed.append(_focused(page))
        if target.evaluate("e => e === document.activeElement"):
            return passed
    raise AssertionError(f"Tab never reached {target}; focus went {passed}")


def _has_visible_focus_ring(locator) -> bool:
    return locator.evaluate(
        """e => { const s = getComputedStyle(e);
                  return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; }"""
    )


def test_the_gate_can_be_answered_with_the_keyboard_alone(page, context, shop):
    page.goto(f"{shop.url}/category/grow-kits")
    remember = page.get_by_role("checkbox", name="Remember me on this device for 30 days")
    yes = page.get_by_role("button", name=YES)

    passed = _tab_until_focused(page, remember)
    assert passed[0] == 'a "Skip to content"', passed
    assert _has_visible_focus_ring(remember)
    page.keyboard.press("Space")
    expect(remember).to_be_checked()
    page.keyboard.press("Tab")
    expect(yes).to_be_focused()
    assert _has_visible_focus_ring(yes)
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{shop.url}/category/grow-kits")
    expect(page.get_by_role("heading", level=1)).to_have_text("Grow Kits")
    (session,) = [c for c in context.cookies() if c["name"] == "session"]
    days_kept = (session["expires"] - time.time()) / 86400
    assert 29 < days_kept <= 30, "ticking 'remember me' keeps the answer for 30 days"


def _today_in_amsterdam():
    return datetime.now(AMSTERDAM).date()


def test_date_of_birth_one_day_short_of_18_is_refused(page, dob_shop):
    today = _today_in_amsterdam()
    born = birth_date_aged(today, 18, days_short=1)  # 18 tomorrow
    assert age_on(born, today) == 17

    page.goto(f"{dob_shop.url}/category/magic-truffles")
    expect(page.get_by_role("group", name="Your date of birth")).to_be_visible()
    page.get_by_label("Day", exact=True).fill(str(born.day))
    page.get_by_label("Month", exact=True).fill(str(born.month))
    page.get_by_label("Year", exact=True).fill(str(born.year))
    snap(page, "1-gate-date-of-birth")
    page.get_by_role("button", name="Enter the shop").click()

    expect(page).to_have_url(f"{dob_shop.url}/age-gate/refused")
    expect(page.get_by_text(REFUSAL)).to_be_visible()
    page.goto(f"{dob_shop.url}/category/magic-truffles")
    expect(page).to_have_url(f"{dob_shop.url}/age-gate/refused")


def test_date_of_birth_18_today_is_admitted(page, dob_shop):
    today = _today_in_amsterdam()
    born = birth_date_aged(today, 18)
    assert age_on(born, today) == 18

    page.goto(f"{dob_shop.url}/category/magic-truffles")
    page.get_by_label("Day", exact=True).fill(str(born.day))
    page.get_by_label("Month", exact=True).fill(str(born.month))
    page.get_by_label("Year", exact=True).fill(str(born.year))
    page.get_by_role("button", name="Enter the shop").click()

    expect(page).to_have_url(f"{dob_shop.url}/category/magic-truffles")
    expect(page.get_by_role("heading", level=1)).to_have_text("Magic Truffles")
