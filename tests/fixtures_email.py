"""A real SMTP server in the test process (aiosmtpd on 127.0.0.1), and email helpers."""

from __future__ import annotations

import base64
import email
import re
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from email import policy

import pytest
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from actionapp.email.worker import OutboxWorker

MAIL_FROM = "actions@rights.example.org"
ORGANISATION = "Example Rights"
PUBLIC_URL = "http://localhost"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    """One message as the server received it: envelope and bytes."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        """Parse the bytes (only to read them in a test; the app never parses headers back)."""
        return email.message_from_bytes(self.data, policy=policy.default)

    @property
    def message_id(self) -> str:
        """Return the Message-ID header."""
        return self.message["Message-ID"]

    def text(self) -> str:
        """Return the plain-text part, with Python's line breaks."""
        return self.message.get_body(("plain",)).get_content().replace("\r\n", "\n")

    def html(self) -> str:
        """Return the HTML part, with Python's line breaks."""
        return self.message.get_body(("html",)).get_content().replace("\r\n", "\n")


@dataclass
class SmtpSink:
    """An aiosmtpd server that records what it accepts and answers as a test scripts it."""

    port: int = field(default_factory=free_port)
    host: str = "127.0.0.1"
    received: list[Received] = field(default_factory=list)
    # Answers to give to the next DATA commands, in order ("451 ...", "550 ...").
    data_answers: deque[str] = field(default_factory=deque)
    # Answers to RCPT TO for particular addresses.
    rcpt_answers: dict[str, str] = field(default_factory=dict)
    # Called with each accepted message before the server answers (to hold or crash a worker).
    on_data: object = None
    controller: Controller | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self.rcpt_answers.get(address.lower(), "250 OK")
        if answer.startswith("250"):
            envelope.rcpt_tos.append(address)
        return answer

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            answer = self.data_answers.popleft() if self.data_answers else "250 Message accepted"
        if not answer.startswith("250"):
            return answer
        item = Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
        with self.lock:
            self.received.append(item)
        if self.on_data:
            self.on_data(item)
        return answer

    def start(self) -> SmtpSink:
        """Start listening (again) on the sink's port."""
        self.controller = Controller(self, hostname=self.host, port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        """Stop listening: connections are refused until start() again."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list[Received]:
        """Return the messages whose envelope went to an address."""
        return [r for r in self.received if address in r.rcpt_tos]


@pytest.fixture
def smtp_server():
    """A running SMTP server on 127.0.0.1 and a free port."""
    sink = SmtpSink().start()
    yield sink
    sink.stop()


def dkim_key_pair() -> tuple[bytes, bytes]:
    """Return a new RSA 2048 key: (private key in PEM, the DNS TXT record of its public half)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def mail_config(sink: SmtpSink) -> dict:
    """Return the settings that send the app's mail to a sink."""
    return {
        "SMTP_HOST": sink.host,
        "SMTP_PORT": sink.port,
        "SMTP_SECURITY": "none",
        "SMTP_TIMEOUT": 10,
        "MAIL_BACKEND": "smtp",
        "MAIL_FROM": MAIL_FROM,
        "ORGANISATION_NAME": ORGANISATION,
        "PUBLIC_URL": PUBLIC_URL,
    }


@pytest.fixture
def mail_app(app, smtp_server):
    """The app, sending its mail to the in-process SMTP server."""
    app.config.update(mail_config(smtp_server))
    return app


@pytest.fixture
def deliver(mail_app):
    """Run one delivery pass of the outbox worker (optionally with a clock) and return it."""

    def run(**overrides):
        return OutboxWorker.from_app(**overrides).deliver_due()

    return run


def link_in(text: str, path: str = "/confirm/") -> str:
    """Return the first link to our own site with this path in a text."""
    match = re.search(re.escape(PUBLIC_URL + path) + r"[A-Za-z0-9_-]+", text)
    assert match, f"no {path} link in:\n{text}"
    return match.group(0)
