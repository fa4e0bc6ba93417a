"""Email to staff over SMTP (smtplib), configured by MAIL_*: a channel, like feedback.sms, so
the services never open a socket. Called after the transaction that decided what to send."""

import smtplib
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any


def mail_configured(config: Mapping[str, Any]) -> bool:
    return bool(config.get("MAIL_SERVER"))


def send_mail(config: Mapping[str, Any], to: str, subject: str, body: str) -> None:
    """One plain-text UTF-8 email; smtplib's errors (OSError, SMTPException) reach the caller."""
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)
