"""Two-factor sign-in rules: time-based one-time codes (TOTP, RFC 6238) and recovery codes.

What belongs here: which time step a typed code belongs to, and how typed codes are read.
The caller passes the instant and the last step already used; storing them is the service's
job (`shop.services.two_factor`). pyotp computes the codes themselves.

A code is accepted for the current 30-second step and the one before and after it, so a
phone clock a little off, or a code typed as it changes, still works. A code is accepted
once: its step must come after the last step this account used, which refuses a replayed
code (seen over a shoulder, or sent twice) and any older one.
"""

from __future__ import annotations

import hmac
import string
from datetime import datetime

import pyotp

__all__ = [
    "CODE_DIGITS",
    "DRIFT_STEPS",
    "RECOVERY_CODE_ALPHABET",
    "RECOVERY_CODE_LENGTH",
    "STEP_SECONDS",
    "format_recovery_code",
    "is_totp_shaped",
    "matching_step",
    "normalise_code",
    "time_step",
]

STEP_SECONDS = 30
CODE_DIGITS = 6
DRIFT_STEPS = 1  # steps accepted either side of the current one

# 16 characters of base32 (a–z, 2–7): 80 random bits, read aloud without 0/O or 1/l doubts.
RECOVERY_CODE_ALPHABET = string.ascii_lowercase + "234567"
RECOVERY_CODE_LENGTH = 16


def time_step(now: datetime) -> int:
    """The TOTP time step (counter) that `now` falls in."""
    return int(now.timestamp()) // STEP_SECONDS


def normalise_code(raw: str) -> str:
    """A typed code without the spaces and dashes people add, in lower case."""
    return "".join(ch for ch in (raw or "") if ch not in " -\t").lower()[:64]


def is_totp_shaped(code: str) -> bool:
    """Six digits (after `normalise_code`): a code from the app, not a recovery code."""
    return len(code) == CODE_DIGITS and code.isascii() and code.isdigit()


def matching_step(
    secret: str, code: str, *, now: datetime, last_used_step: int | None
) -> int | None:
    """The time step `code` was made for, if it is one that may still be used; else None."""
    if not is_totp_shaped(code):
        return None
    totp = pyotp.TOTP(secret, digits=CODE_DIGITS, interval=STEP_SECONDS)
    current = time_step(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if last_used_step is not None and step <= last_used_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def format_recovery_code(code: str) -> str:
    """`abcdefghijklmnop` → `abcd-efgh-ijkl-mnop`, as shown to staff."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
