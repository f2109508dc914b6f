"""Find card numbers where none may be: in the database's text and blob columns and in log
records. The shop never handles card data (Stripe.js takes it in the customer's browser, PCI
DSS SAQ A), so anything here that reads as a card number is a leak.

A card number, for this scan: 13 to 19 digits, written together or in groups separated by a
single space or dash, starting with 2 to 6 (the card brands' major industry identifiers:
Mastercard 2 and 5, Amex, Diners and JCB 3, Visa 4, Discover, Maestro and UnionPay 5 and 6),
passing the Luhn check, and not part of a longer word (a Stripe id such as `pi_3Nx…` or a
hexadecimal hash is a word). Order numbers (`2026-000012`), ISO dates and timestamps have too
few digits; amounts in cents and epoch seconds too; a 20-digit run is not a card.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import LargeBinary, String, Text, column, inspect, select, table
from sqlalchemy.engine import Engine
from sqlalchemy.types import JSON, NullType

MIN_DIGITS, MAX_DIGITS = 13, 19
CARD_FIRST_DIGITS = frozenset("23456")

# Digit groups joined by single spaces or dashes, not glued to a letter, digit or underscore.
_DIGIT_RUN = re.compile(r"(?<![0-9A-Za-z_])[0-9]+(?:[ -][0-9]+)*(?![0-9A-Za-z_])")
_SEPARATOR = re.compile(r"[ -]")


def passes_luhn(digits: str) -> bool:
    """The Luhn check digit test every card number passes."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def card_numbers_in(text: str) -> list[str]:
    """Every card number written in `text`, as digits only, in order."""
    found: list[str] = []
    for run in _DIGIT_RUN.finditer(text):
        groups = _SEPARATOR.split(run.group())
        # Any consecutive groups of the run may be the card: "Order 12 4242 4242 4242 4242".
        for first in range(len(groups)):
            digits = ""
            for group in groups[first:]:
                digits += group
                if len(digits) > MAX_DIGITS:
                    break
                if (
                    len(digits) >= MIN_DIGITS
                    and digits[0] in CARD_FIRST_DIGITS
                    and passes_luhn(digits)
                    and digits not in found
                ):
                    found.append(digits)
    return found


def masked(digits: str) -> str:
    """A found number as a failure message may show it: the last four only."""
    return f"…{digits[-4:]} ({len(digits)} digits)"


@dataclass(frozen=True)
class Finding:
    where: str  # "table.column" or the logger's name
    number: str = field(repr=False)  # never shown whole, even in a failure's repr

    def __str__(self) -> str:
        return f"{self.where}: {masked(self.number)}"


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("latin-1")  # every byte a character: digits stay digits
    return str(value)


def _is_textual(column_type: Any) -> bool:
    return isinstance(column_type, String | Text | LargeBinary | JSON | NullType)


def scan_database(engine: Engine) -> list[Finding]:
    """Card numbers in any text, JSON or blob column of any table (reflected, so tables the
    models do not know, such as SQLite's full-text index, are read too)."""
    findings: list[Finding] = []
    inspector = inspect(engine)
    with engine.connect() as connection:
        for table_name in inspector.get_table_names():
            columns = inspector.get_columns(table_name)
            textual = [c["name"] for c in columns if _is_textual(c["type"])]
            if not textual:
                continue
            source = table(table_name, *(column(name) for name in textual))
            for row in connection.execute(select(source)):
                for name, value in zip(textual, row, strict=True):
                    for number in card_numbers_in(_as_text(value)):
                        findings.append(Finding(f"{table_name}.{name}", number))
    return findings


def _record_text(record: logging.LogRecord) -> str:
    parts = [record.getMessage()]
    if record.exc_info and record.exc_info[1] is not None:
        parts.append(repr(record.exc_info[1]))
    if record.stack_info:
        parts.append(record.stack_info)
    return "\n".join(parts)


def scan_log_records(records: Iterable[logging.LogRecord]) -> list[Finding]:
    """Card numbers in the messages (and exceptions) of log records."""
    findings = []
    for record in records:
        for number in card_numbers_in(_record_text(record)):
            findings.append(Finding(f"logger {record.name!r} ({record.levelname})", number))
    return findings


def describe(findings: Sequence[Finding]) -> str:
    return "card numbers found where none may be:\n" + "\n".join(f"  {f}" for f in findings)


TEST_SMTP_LOGGER = "mail.log"


def shop_records(records: Sequence[logging.LogRecord]) -> list[logging.LogRecord]:
    """The records, less the test's own card entry: the payment tests play the customer's
    browser, which sends the card to (local)Stripe through the `stripe` library, and that
    library logs its request body at DEBUG. Those are the records of a request to
    `/v1/payment_methods`, which only Stripe.js calls, never the shop.

    Also less the test's own SMTP server (aiosmtpd logs as `mail.log`): it logs every line
    of a message, and a MIME boundary is a random 19-digit number that passes the Luhn
    check one time in ten. What the shop sends is in its outbox table, which is scanned."""
    kept: list[logging.LogRecord] = []
    in_browser_request = False
    for record in records:
        if record.name == TEST_SMTP_LOGGER or record.name.startswith(TEST_SMTP_LOGGER + "."):
            continue
        if record.name == "stripe":
            message = record.getMessage()
            if "message='Request to Stripe api'" in message or "Request to Stripe api" in message:
                in_browser_request = "/v1/payment_methods" in message
            elif in_browser_request and "Post details" in message:
                continue
        kept.append(record)
    return kept
