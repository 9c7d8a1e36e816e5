"""DKIM signing through OpenSSL: dkimpy's verifier accepts it, and it is byte for byte what
dkimpy itself signs, for every real-world supporter's letter."""

from __future__ import annotations

from datetime import datetime
from unittest import mock

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from actionapp.email.messages import (
    DKIM_HEADERS,
    HeaderInjectionError,
    MailConfigError,
    MailSettings,
    build_message,
    dkim_sign,
    format_address,
    stamp_message,
)
from tests.fixtures_email import dkim_key_pair
from tests.realworld import supporters

SELECTOR = "ua2026"
DOMAIN = "rights.example.org"
SIGNED_AT = 1_796_000_000


@pytest.fixture(scope="module")
def key_pair() -> tuple[bytes, bytes]:
    return dkim_key_pair()


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


TRICKY_MESSAGES = [
    # Runs of spaces, tabs and trailing white space in the body and in (folded) headers.
    b"From: a@example.org\r\nSubject: two  spaces\t and a tab\r\n  folded\r\n\r\n"
    b"Dear  Ambassador, \r\n\tindented\r\nend\t\r\n",
    b"From: a@example.org\r\nSubject: x\r\n\r\nDear  Ambassador,\r\n",
    b"From: a@example.org\r\nSubject: x\r\n\r\ntrailing space \r\nend\r\n",
    # Empty lines at the end, none at all, an empty body, a body of one line break.
    b"From: a@example.org\r\nSubject: x\r\n\r\nLast line\r\n\r\n\r\n",
    b"From: a@example.org\r\nSubject: x\r\n\r\nno line break at the end",
    b"From: a@example.org\r\nSubject: x\r\n\r\nends in a space ",
    b"From: a@example.org\r\nSubject: x\r\n\r\n",
    b"From: a@example.org\r\nSubject: x\r\n\r\n\r\n",
    # No body separator; bare line feeds; a blank line first; a lone carriage return.
    b"From: a@example.org\r\nSubject: x\r\n",
    b"From: a@example.org\nSubject: x\n\nbare  line feeds\n\n",
    b"From: a@example.org\r\nSubject: x\r\n\r\nmixed\nline ends\r\n",
    b"\r\n\r\nFrom: a@example.org\r\n",
    b"From: a@example.org\r\nSubject: x\r\n\r\na lone\rcarriage return\r\n",
]


@pytest.mark.parametrize("message", TRICKY_MESSAGES)
def test_odd_white_space_and_line_ends_are_signed_as_dkimpy_signs(key_pair, message):
    private, record = key_pair
    signed = dkim_sign(message, settings_with(private), now=SIGNED_AT)
    with mock.patch("dkim.time.time", return_value=SIGNED_AT):
        reference = dkim.sign(message, SELECTOR.encode(), DOMAIN.encode(), private,
                              include_headers=DKIM_HEADERS,
                              canonicalize=(b"relaxed", b"relaxed"))  # fmt: skip
    assert signed == reference + message
    if message.startswith(b"From:"):
        assert dkim.verify(signed, dnsfunc=lambda name, timeout=5: record)
