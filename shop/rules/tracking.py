"""Where a customer follows a parcel: a carrier's public track-and-trace page, built from
the carrier's name (as staff typed it when marking the order shipped) and the tracking code.

The addresses (`TRACKING_PAGES`) are the carriers' public tracking pages for parcels in
and from the Netherlands, as they stood in December 2026, checked by hand; a carrier that
moves its page needs a one-line change here. PostNL's page needs the destination's country
and postcode besides the code (without them it asks the customer for them); the others
find a parcel by its code alone.

A carrier not in the table (a courier, a typo) gets no link: the customer still reads the
carrier and the code, and a wrong link would be worse than none.
"""

from __future__ import annotations

import re
from urllib.parse import quote

TRACKING_PAGES = {
    "postnl": "https://jouw.postnl.nl/track-and-trace/{code}-{country}-{postcode}",
    "dhl": "https://www.dhl.com/nl-nl/home/tracking/tracking-parcel.html?submit=1&tracking-id={code}",
    "dpd": "https://tracking.dpd.de/status/nl_NL/parcel/{code}",
    "ups": "https://www.ups.com/track?loc=nl_NL&tracknum={code}",
    "gls": "https://gls-group.com/NL/nl/pakket-volgen?match={code}",
}


def carrier_key(carrier: str) -> str | None:
    """The table's name for a carrier as staff typed it ("PostNL", "post nl", "DHL Parcel",
    "UPS Standard"), or None for one the table does not know."""
    words = re.findall(r"[a-z0-9]+", carrier.lower())
    if not words:
        return None
    for candidate in ("".join(words), words[0]):
        if candidate in TRACKING_PAGES:
            return candidate
    return None


def tracking_url(carrier: str, code: str, *, country: str, postcode: str) -> str | None:
    """The carrier's tracking page for this parcel, or None (unknown carrier, no code)."""
    key = carrier_key(carrier)
    code = code.strip()
    if key is None or not code:
        return None

    def part(value: str) -> str:
        return quote(value, safe="")

    return TRACKING_PAGES[key].format(
        code=part(code.replace(" ", "")),
        country=part(country.strip().upper()),
        postcode=part(postcode.replace(" ", "").upper()),
    )
