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

    # A StrEnum member equals its value, so two domains' reasons spelled the same ("sold_out"
    # of the cart and of checkout) would be one key of `wording.WORDING` and share their
    # words. A reason equals no other reason, only itself (and its plain string, as before).
    def __eq__(self, other: object) -> bool:
        if isinstance(other, Reason):
            return self is other
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self._value_)


class Refused(Exception):
    """Why something was not done: `reason` (an enum member) and its `params`."""

    def __init__(self, reason: Reason, **params: Any) -> None:
        super().__init__(reason.value, params)
        self.reason = reason
        self.params = params

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as the reason and its data: Exception's own way passes `args` positionally.
        return (_rebuilt, (type(self), self.reason, self.params))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.reason!s}, {self.params!r})"

    def __str__(self) -> str:
        # Not wording (that is shop.web.wording's): the code and data, for logs and tests.
        details = ", ".join(f"{k}={v!r}" for k, v in sorted(self.params.items()))
        return f"{self.reason.value}" + (f" ({details})" if details else "")


def _rebuilt(kind: type[Refused], reason: Reason, params: dict[str, Any]) -> Refused:
    return kind(reason, **params)
