"""Journey 9: what a Dutch shop shows around an order. A customer sees prices with VAT and the
seller's details, orders and pays (the test gateway), and finds the VAT summary and the
invoice on the order page; a manager prints the packing slip, ships the parcel with a
tracking code and the lot, and refunds part of it; the customer then follows the parcel
and finds the credit note; a recall of the lot finds the order.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.browsing import (
    CAPSULES,
    DESKTOP,
    PAY,
    acknowledgement_box,
    add_to_cart,
    fill_checkout_form,
    order_status,
    pass_age_gate,
    sign_in_to_back_office,
    snap,
)

LOT = "LM-2026-11"
TRACKING_CODE = "3SPADD0123456"


def open_order_in_back_office(page: Page, shop_url: str, number: str) -> None:
    page.goto(f"{shop_url}/admin/orders")
    page.get_by_label("Number, e-mail or name").fill(number)
    page.get_by_role("button", name=re.compile("^(Filter|Show|Search)")).click()
    page.get_by_role("link", name=number, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)


def test_from_the_cart_to_the_credit_note_and_the_recall(page, browser, shop, manager):
    pass_age_gate(page, shop.url)
    add_to_cart(page, shop.url, CAPSULES)
    page.goto(f"{shop.url}/cart")
    expect(page.locator(".grand-total")).to_contain_text("incl. VAT")
    # Who sells: the legal name, KvK number and VAT id in every page's footer.
    expect(page.locator("footer")).to_contain_text("KvK")

    page.goto(f"{shop.url}/checkout")
    fill_checkout_form(page)
    acknowledgement_box(page).check()
    expect(page.get_by_role("link", name="Terms of sale").first).to_be_visible()
    page.get_by_role("button", name="Order and pay").click()
    order_url = page.url
    number = page.get_by_role("heading", level=1).inner_text().removeprefix("Order ")
    page.get_by_role("link", name=PAY).click()
    page.get_by_role("button", name="Pay (test mode)").click()

    expect(order_status(page)).to_have_text("Status: Paid")
    # Lion's Mane capsules are a food supplement: 9 % VAT, stated on the order.
    expect(page.get_by_text(re.compile(r"^of which VAT 9% \(on €"))).to_be_visible()
    page.get_by_role("link", name="view and print").first.click()
    expect(page.get_by_text(re.compile(r"^Invoice \d{4}-\d{6}")).first).to_be_visible()
    expect(page.get_by_text("KvK").first).to_be_visible()
    snap(page, "9-invoice")

    staff = browser.new_context(viewport=DESKTOP, locale="en-GB").new_page()
    sign_in_to_back_office(staff, shop.url, manager)
    open_order_in_back_office(staff, shop.url, number)
    staff.get_by_role("link", name="Packing slip (printable)").click()
    expect(staff.get_by_text("Lion's Mane").first).to_be_visible()
    snap(staff, "9-packing-slip")
    staff.go_back()
    staff.get_by_label("Carrier").fill("PostNL")
    staff.get_by_label("Tracking code (optional)").fill(TRACKING_CODE)
    staff.get_by_label(re.compile(r"^Lot of ")).fill(LOT.lower())
    staff.get_by_role("button", name="Mark shipped").click()
    expect(staff.get_by_text(LOT, exact=True)).to_be_visible()  # stored upper-cased

    staff.get_by_label(re.compile(r"^Amount in euros")).fill("5,00")
    staff.get_by_role("button", name="Refund…").click()
    staff.get_by_role("button", name=re.compile(r"^Refund €")).click()
    expect(staff.get_by_text(re.compile(r"^Refunded €"))).to_be_visible()

    page.goto(order_url)
    expect(order_status(page)).to_contain_text("Partly refunded")
    tracking = page.get_by_role("link", name="Follow your parcel at PostNL")
    expect(tracking).to_have_attribute("href", re.compile(TRACKING_CODE))
    expect(page.get_by_text(re.compile(r"^Credit note C\d{4}-\d{6}"))).to_be_visible()
    snap(page, "9-order-shipped-and-refunded")

    staff.goto(f"{shop.url}/admin/recall?lot={LOT}")
    expect(staff.get_by_role("cell", name=number)).to_be_visible()
    snap(staff, "9-recall")
    staff.context.close()
