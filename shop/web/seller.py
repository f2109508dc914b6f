"""The seller as the law wants them named on the pages, in the e-mails and on invoices.

Read from the `SHOP_SELLER_*` settings; shared by the information pages (`shop.web.pages`)
and the invoices (`shop.web.invoices`), which freeze a copy on each invoice they issue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from babel import Locale


@dataclass(frozen=True)
class Seller:
    """The seller as the law wants it named: legal name, visiting address, numbers, contact."""

    name: str
    street: str
    postcode: str
    town: str
    country_code: str
    kvk: str
    vat_id: str
    email: str
    phone: str | None

    def country(self, locale: str) -> str:
        """The country's name in the language of `locale` ("nl", "en")."""
        names = Locale.parse(locale).territories
        return str(names.get(self.country_code, self.country_code))

    @property
    def phone_link(self) -> str:
        """The phone number as a tel: address (digits and a leading +)."""
        number = self.phone or ""
        return "tel:" + "".join(c for c in number if c.isdigit() or c == "+")


def seller_from(config: Mapping[str, Any]) -> Seller:
    """The seller named by the settings."""
    return Seller(
        name=config["SHOP_SELLER_NAME"],
        street=config["SHOP_SELLER_STREET"],
        postcode=config["SHOP_SELLER_POSTCODE"],
        town=config["SHOP_SELLER_TOWN"],
        country_code=config["SHOP_SELLER_COUNTRY"],
        kvk=config["SHOP_SELLER_KVK"],
        vat_id=config["SHOP_SELLER_VAT_ID"],
        email=config["SHOP_SELLER_EMAIL"],
        phone=config["SHOP_SELLER_PHONE"] or None,
    )
