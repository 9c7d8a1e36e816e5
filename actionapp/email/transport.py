"""Handing messages to an SMTP server (or, in development, to .eml files in a folder)."""

from __future__ import annotations

import contextlib
import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

SECURITY_MODES = ("none", "starttls", "tls")


class DeliveryError(Exception):
    """A message was not accepted.

    permanent: the server refused it for good (5xx). connection: the server could not be
    reached or went away, which says nothing about the message itself.
    """

    def __init__(self, answer: str, permanent: bool = False, connection: bool = False):
        super().__init__(answer)
        self.answer = answer
        self.permanent = permanent
        self.connection = connection


class Transport(Protocol):
    """Something that delivers one message to one recipient at a time."""

    def send(self, sender: str, recipient: str, data: bytes) -> str:
        """Deliver the bytes to exactly this recipient; return the server's answer."""

    def close(self) -> None:
        """Let go of the connection."""


def _answer(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {text}".strip()


@dataclass
class SmtpTransport:
    """One SMTP connection, opened on first use and reopened after the server drops it."""

    host: str
    port: int = 25
    security: str = "none"
    user: str = ""
    password: str = ""
    timeout: float = 30.0
    _smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        try:
            if self.security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=context
                )
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.security == "starttls":
                    smtp.starttls(context=context)
            if self.user:
                smtp.login(self.user, self.password)
        except smtplib.SMTPResponseException as error:
            raise DeliveryError(
                _answer(error.smtp_code, error.smtp_error), connection=True
            ) from error
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(
                f"cannot reach {self.host}:{self.port}: {error}", connection=True
            ) from error
        return smtp

    def send(self, sender: str, recipient: str, data: bytes) -> str:
        """Send over the open connection, the recipient given explicitly (never from headers)."""
        if self._smtp is None:
            self._smtp = self._open()
        try:
            self._smtp.sendmail(sender, [recipient], data)
        except smtplib.SMTPRecipientsRefused as error:
            code, message = error.recipients.get(recipient, (450, b"recipient refused"))
            raise DeliveryError(_answer(code, message), permanent=code >= 500) from error
        except smtplib.SMTPResponseException as error:
            if error.smtp_code == 421:  # the server is closing the connection
                self._drop()
            raise DeliveryError(
                _answer(error.smtp_code, error.smtp_error), permanent=error.smtp_code >= 500
            ) from error
        except (OSError, smtplib.SMTPException) as error:
            self._drop()
            raise DeliveryError(f"connection lost: {error}", connection=True) from error
        return "250 accepted"

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            with contextlib.suppress(OSError):
                smtp.close()

    def close(self) -> None:
        """Say goodbye to the server."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


@dataclass
class FileTransport:
    """Development: write each message as an .eml file (envelope in X-Envelope-* headers)."""

    directory: Path

    def send(self, sender: str, recipient: str, data: bytes) -> str:
        """Write the message to a new file in the folder."""
        self.directory.mkdir(parents=True, exist_ok=True)
        match = re.search(rb"^Message-ID:\s*<([^>]+)>", data, re.MULTILINE | re.IGNORECASE)
        name = re.sub(r"[^A-Za-z0-9.@_-]", "_", match.group(1).decode() if match else "message")
        envelope = f"X-Envelope-From: {sender}\r\nX-Envelope-To: {recipient}\r\n".encode()
        path = self.directory / f"{name}.eml"
        path.write_bytes(envelope + data)
        return f"written to {path}"

    def close(self) -> None:
        """Nothing to close."""


def transport_from_config(config: Mapping, instance_path: str) -> Transport:
    """Return the transport the configuration asks for: SMTP, or files in development."""
    backend = config.get("MAIL_BACKEND") or ("smtp" if config.get("SMTP_HOST") else "")
    if backend == "file" or (not backend and config.get("ENV") in ("development", "testing")):
        directory = config.get("MAIL_FILE_DIR") or str(Path(instance_path) / "mail")
        return FileTransport(Path(directory))
    if backend != "smtp" or not config.get("SMTP_HOST"):
        raise RuntimeError(
            "Email cannot be delivered: set ACTIONAPP_SMTP_HOST (and ACTIONAPP_SMTP_PORT, "
            "ACTIONAPP_SMTP_USER, ACTIONAPP_SMTP_PASSWORD, ACTIONAPP_SMTP_SECURITY as needed)."
        )
    security = (config.get("SMTP_SECURITY") or "none").lower()
    if security not in SECURITY_MODES:
        raise RuntimeError(f"ACTIONAPP_SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}")
    default_port = {"none": 25, "starttls": 587, "tls": 465}[security]
    return SmtpTransport(
        host=str(config["SMTP_HOST"]),
        port=int(config.get("SMTP_PORT") or default_port),
        security=security,
        # str(): Flask reads ACTIONAPP_* values as JSON, so a password of digits is a number.
        user=str(config.get("SMTP_USER") or ""),
        password=str(config.get("SMTP_PASSWORD") or ""),
        timeout=float(config.get("SMTP_TIMEOUT") or 30),
    )
