"""Sending e-mail: SMTP when `SHOP_SMTP_HOST` is set, else the log (development).

Pictures travel inside the message (`inline_images`, JPEG bytes by content id, shown by the
HTML part's `cid:` links), since a mail client cannot pass the shop's age gate to fetch them.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any, Protocol

log = logging.getLogger(__name__)


class Mailer(Protocol):
    delivers: bool

    def send(
        self,
        *,
        recipient: str,
        subject: str,
        text: str,
        html: str,
        inline_images: Mapping[str, bytes] | None = None,
    ) -> None: ...


class SmtpMailer:
    delivers = True

    def __init__(self, config: Mapping[str, Any]) -> None:
        self._host = config["SHOP_SMTP_HOST"]
        self._port = config["SHOP_SMTP_PORT"]
        self._user = config["SHOP_SMTP_USER"]
        self._password = config["SHOP_SMTP_PASSWORD"]
        self._sender = config["SHOP_SMTP_FROM"]
        self._starttls = config["SHOP_SMTP_STARTTLS"]

    def send(
        self,
        *,
        recipient: str,
        subject: str,
        text: str,
        html: str,
        inline_images: Mapping[str, bytes] | None = None,
    ) -> None:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = recipient
        message["Subject"] = subject
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        if inline_images:
            # multipart/alternative(text, multipart/related(html, pictures)): clients that
            # show the text part never download the pictures' bytes as attachments.
            html_part = next(
                part for part in message.iter_parts() if part.get_content_type() == "text/html"
            )
            for content_id, data in inline_images.items():
                html_part.add_related(data, "image", "jpeg", cid=f"<{content_id}>")
        with smtplib.SMTP(self._host, self._port, timeout=10) as smtp:
            if self._starttls:
                smtp.starttls()
            if self._user:
                smtp.login(self._user, self._password or "")
            smtp.send_message(message)


class LogMailer:
    """Development: the message goes to the log and stays in the outbox table."""

    delivers = False

    def send(
        self,
        *,
        recipient: str,
        subject: str,
        text: str,
        html: str,
        inline_images: Mapping[str, bytes] | None = None,
    ) -> None:
        log.info("E-mail to %s: %s\n%s", recipient, subject, text)


def mailer_for(config: Mapping[str, Any]) -> Mailer:
    return SmtpMailer(config) if config.get("SHOP_SMTP_HOST") else LogMailer()
