"""The tracking link in the shipped e-mail and on the order page, built from the carrier."""

from __future__ import annotations

import pytest

from shop.rules.tracking import carrier_key, tracking_url


def test_postnl_links_the_code_with_the_country_and_the_postcode_without_its_space():
    url = tracking_url("PostNL", "3SABCD1234567", country="NL", postcode="1012 AB")

    assert url == "https://jouw.postnl.nl/track-and-trace/3SABCD1234567-NL-1012AB"


@pytest.mark.parametrize(
    ("carrier", "expected"),
    [
        (
            "DHL",
            "https://www.dhl.com/nl-nl/home/tracking/tracking-parcel.html?submit=1&tracking-id=JVGL123",
        ),
        ("DPD", "https://tracking.dpd.de/status/nl_NL/parcel/JVGL123"),
        ("UPS", "https://www.ups.com/track?loc=nl_NL&tracknum=JVGL123"),
        ("GLS", "https://gls-group.com/NL/nl/pakket-volgen?match=JVGL123"),
    ],
)
def test_each_known_carrier_has_its_tracking_page(carrier, expected):
    assert tracking_url(carrier, "JVGL123", country="NL", postcode="1012AB") == expected


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("postnl", "postnl"),
        ("Post NL", "postnl"),
        ("DHL Parcel", "dhl"),
        ("UPS Standard", "ups"),
        ("Upsilon Koeriers", None),
        ("Fietskoerier Amsterdam", None),
        ("", None),
    ],
)
def test_the_carrier_is_recognised_as_staff_type_it(typed, key):
    assert carrier_key(typed) == key


def test_an_unknown_carrier_or_a_missing_code_gets_no_link():
    assert tracking_url("Koerier Jan", "ABC", country="NL", postcode="1012AB") is None
    assert tracking_url("PostNL", "  ", country="NL", postcode="1012AB") is None


def test_a_code_cannot_break_out_of_the_address():
    url = tracking_url("UPS", "1Z9/../?x=<b>", country="NL", postcode="1012AB")

    assert url == "https://www.ups.com/track?loc=nl_NL&tracknum=1Z9%2F..%2F%3Fx%3D%3Cb%3E"
