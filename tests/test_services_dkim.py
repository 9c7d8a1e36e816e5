"""DKIM signing through OpenSSL: dkimpy's verifier accepts it, and it is byte for byte what
dkimpy itself signs, for every real-world supporter's letter."""

from __future__ import annotations

import base64
from datetime import datetime
from unittest import mock

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from actionapp.services.mail import (
    DKIM_HEADERS,
    HeaderInjectionError,
    MailConfigError,
    MailSettings,
    build_message,
    dkim_sign,
    format_address,
    stamp_message,
)
from tests.realworld import supporters

SELECTOR = "ua2026"
DOMAIN = "rights.example.org"
SIGNED_AT = 1_796_000_000


@pytest.fixture(scope="module")
def key_pair() -> tuple[bytes, bytes]:
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


def settings_with(private: bytes) -> MailSettings:
    return MailSettings(
        from_address=f"actions@{DOMAIN}",
        organisation_name="Example Rights",
        public_url="http://localhost",
        message_id_domain=DOMAIN,
        counting_address="",
        dkim_selector=SELECTOR,
        dkim_domain=DOMAIN,
        dkim_private_key=private,
    )


def letters_of_every_supporter() -> list[tuple[str, bytes]]:
    """Return (who, message) for each real-world supporter whose address mail can carry."""
    messages = []
    for person in supporters():
        try:
            headers = [
                (
                    "From",
                    format_address(f"{person['name']} via Example Rights", f"actions@{DOMAIN}"),
                ),
                ("To", format_address("The Ambassador", "embassy-gb@example.org")),
                ("Reply-To", format_address(person["name"], person["email"])),
                ("Subject", "Release Sophia Huang Xueqin and Wang Jianbing"),
                ("Content-Language", person["language"]),
            ]
        except HeaderInjectionError:
            continue  # the composer refuses such an address; it never reaches the outbox
        body = "Dear Ambassador,\n\n{}\n\n{}\n{}\n".format(
            person.get("message", ""), person["name"], person["city"]
        )
        built = build_message([*headers, ("Message-ID", f"<t.{len(messages)}@{DOMAIN}>")], body,
                              person["language"])  # fmt: skip
        messages.append((person["name"], stamp_message(built, datetime(2026, 11, 30, 7))))
    return messages


def test_every_supporters_letter_is_signed_as_dkimpy_signs_and_verifies(key_pair):
    private, record = key_pair
    asked = []

    def dns(name, timeout=5):
        asked.append(name)
        return record if name == f"{SELECTOR}._domainkey.{DOMAIN}.".encode() else None

    letters = letters_of_every_supporter()
    assert len(letters) >= 10
    for who, message in letters:
        signed = dkim_sign(message, settings_with(private), now=SIGNED_AT)
        assert signed.startswith(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;"), who
        assert dkim.verify(signed, dnsfunc=dns), who
        # Tampering with the text or a signed header breaks it.
        head, blank, body = signed.partition(b"\r\n\r\n")
        assert not dkim.verify(head + blank + b"A word more.\r\n" + body, dnsfunc=dns), who
        assert not dkim.verify(signed.replace(b"Subject: Release", b"Subject: Releasx", 1),
                               dnsfunc=dns), who  # fmt: skip
        with mock.patch("dkim.time.time", return_value=SIGNED_AT):
            reference = dkim.sign(message, SELECTOR.encode(), DOMAIN.encode(), private,
                                  include_headers=DKIM_HEADERS,
                                  canonicalize=(b"relaxed", b"relaxed"))  # fmt: skip
        assert signed == reference + message, who
    assert set(asked) == {f"{SELECTOR}._domainkey.{DOMAIN}.".encode()}


def test_a_key_that_is_not_rsa_is_a_clear_configuration_error():
    key = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    message = b"From: a@example.org\r\nSubject: x\r\n\r\nx\r\n"
    with pytest.raises(MailConfigError, match="RSA"):
        dkim_sign(message, settings_with(key))
    with pytest.raises(MailConfigError, match="cannot be read"):
        dkim_sign(message, settings_with(b"-----BEGIN RSA PRIVATE KEY-----\nnope\n-----END"))
