"""Refusals: a service or a rule saying it will not do what was asked, as data.

A refusal is raised as `Refused(reason, **params)`, where `reason` is a member of a
`StrEnum` of that domain's reasons and `params` the values its wording needs (an amount in
cents, a date, a status). Nothing below `shop.web` puts a refusal into words: the wording of
every refusal, in the visitor's or the staff member's language, lives in
`shop.web.wording`, and the command line asks it for English. A domain may subclass
`Refused` (`RefundRefused`, `CheckoutRefused`, …) so a caller can catch just its own.
"""

from __future__ import annotations

import enum
from typing import Any


class Reason(enum.StrEnum):
    """The base of every domain's enum of refusal reasons (`class RefundRefusal(Reason)`),
    so a test can find them all and check that each has its words in `shop.web.wording`.

    A reason is itself, not its text: `OrderRefusal.NO_SUCH_ORDER` and
    `RefundRefusal.NO_SUCH_ORDER` share the value "no_such_order" but are two reasons with
    their own words (as plain `StrEnum` members they would be one dictionary key)."""

    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    def __hash__(self) -> int:
        return hash((type(self).__qualname__, self.value))


class Refused(Exception):
    """Why something was not done: `reason` (an enum member) and its `params`."""

    def __init__(self, reason: Reason, **params: Any) -> None:
        super().__init__(reason.value, params)
        self.reason = reason
        self.params = params

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.reason!s}, {self.params!r})"

    def __str__(self) -> str:
        # Not wording (that is shop.web.wording's): the code and data, for logs and tests.
        details = ", ".join(f"{k}={v!r}" for k, v in sorted(self.params.items()))
        return f"{self.reason.value}" + (f" ({details})" if details else "")
