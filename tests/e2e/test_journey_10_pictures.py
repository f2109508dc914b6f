"""Journey 10: the demo shop's pictures. Cards show a drawn picture (or, for a product with
none, the shop's placeholder), and on a product with several pictures a thumbnail brings its
picture into view with JavaScript switched off."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.browsing import PHONE, pass_age_gate, snap

KIT = "microdosing-kit-complete"


def test_cards_show_pictures_and_the_placeholder(page, shop):
    page.set_viewport_size(PHONE)
    pass_age_gate(page, shop.url, "/category/microdosing-kits")

    first_card = page.locator(".product-card .card-picture").first
    expect(first_card).to_be_visible()
    assert first_card.evaluate("img => img.complete && img.naturalWidth") > 0
    assert "/images/" in first_card.evaluate("img => img.currentSrc")

    page.goto(f"{shop.url}/category/accessories")
    # The demo's journal has no picture (shop/data/demo/pictures.toml).
    journal = page.locator(".product-card").filter(has_text="Microdose Journal")
    placeholder = journal.locator(".card-picture")
    expect(placeholder).to_have_attribute("alt", "")
    assert "placeholder.svg" in placeholder.evaluate("img => img.currentSrc")
    snap(page, "10-placeholder")


def test_a_thumbnail_shows_its_picture_without_javascript(browser, shop):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    try:
        pass_age_gate(page, shop.url, f"/products/{KIT}")
        gallery = page.get_by_role("region", name="Pictures of Microdosing Complete Kit")
        slides = gallery.locator(".gallery-slide")
        expect(slides.nth(0)).to_be_in_viewport()
        expect(slides.nth(1)).not_to_be_in_viewport()

        gallery.get_by_role("link", name="Show picture 2 of 3").click()

        expect(slides.nth(1)).to_be_in_viewport()
        shown = slides.nth(1).locator("img")
        expect(shown).to_have_attribute(
            "alt", "What is in the kit: a blister strip of capsules and a jar"
        )
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=shown.element_handle()
        )
        snap(page, "10-gallery", full_page=False)
    finally:
        context.close()


def test_with_javascript_a_thumbnail_moves_only_the_strip_and_is_marked(page, shop):
    page.set_viewport_size(PHONE)
    pass_age_gate(page, shop.url, f"/products/{KIT}")
    gallery = page.get_by_role("region", name="Pictures of Microdosing Complete Kit")
    third = gallery.get_by_role("link", name="Show picture 3 of 3")
    third.scroll_into_view_if_needed()
    page_scrolled = page.evaluate("window.scrollY")

    third.click()

    expect(gallery.locator(".gallery-slide").nth(2)).to_be_in_viewport()
    expect(third).to_have_attribute("aria-current", "true")
    expect(gallery.get_by_role("link", name="Show picture 1 of 3")).not_to_have_attribute(
        "aria-current", "true"
    )
    assert page.evaluate("window.scrollY") == page_scrolled
