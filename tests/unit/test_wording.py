"""Every reason a service or rule can refuse has its words in `shop.web.wording`."""

from __future__ import annotations

import importlib
import pkgutil

import shop
from shop.refusals import Reason
from shop.web.wording import WORDING


def all_reason_enums() -> list[type[Reason]]:
    # Import every module of the shop, so every Reason enum is defined.
    for module in pkgutil.walk_packages(shop.__path__, "shop."):
        importlib.import_module(module.name)
    found: list[type[Reason]] = []
    pending = list(Reason.__subclasses__())
    while pending:
        kind = pending.pop()
        found.append(kind)
        pending.extend(kind.__subclasses__())
    return found


def test_every_refusal_reason_has_words():
    missing = [
        f"{kind.__module__}.{kind.__name__}.{member.name}"
        for kind in all_reason_enums()
        for member in kind
        if member not in WORDING
    ]

    assert missing == [], "no wording in shop/web/wording.py for: " + ", ".join(missing)


def test_no_two_sections_word_the_same_reason():
    from shop.web import wording

    sections = [
        wording.CATALOGUE,
        wording.ARTICLES,
        wording.BIRTH_DATE,
        wording.STAFF,
        wording.SHOPPING,
        wording.ORDERS,
    ]
    seen: set[Reason] = set()
    for section in sections:
        assert not (seen & set(section)), seen & set(section)
        seen |= set(section)


def test_reasons_of_two_domains_with_the_same_text_have_their_own_words():
    from shop.services.orders.fulfilment import OrderRefusal
    from shop.services.orders.refunds import RefundRefusal

    assert OrderRefusal.NO_SUCH_ORDER.value == RefundRefusal.NO_SUCH_ORDER.value
    assert OrderRefusal.NO_SUCH_ORDER != RefundRefusal.NO_SUCH_ORDER
    assert WORDING[OrderRefusal.NO_SUCH_ORDER] is not WORDING[RefundRefusal.NO_SUCH_ORDER]
