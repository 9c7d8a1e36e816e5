"""Building outgoing email: safe headers, plain text with an HTML twin, DKIM, mailto: links."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import dkim
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from dkim.canonicalization import (
    CanonicalizationPolicy,
    correct_empty_body,
    strip_trailing_lines,
)
from markupsafe import escape

from actionapp.email.addresses import EmailAddressError, normalise_email

# Line breaks (every kind Python's str.splitlines knows), other control characters, and the
# start of an RFC 2047 encoded word: any of them in a header value can forge a header
# (CVE-2024-6923 on Python 3.11.7). Supporter values holding one are refused, never cleaned.
_UNSAFE_IN_HEADER = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]|=\?")
_WHITESPACE_RUN = re.compile(r"[\s\x00-\x1f\x7f\x85\u2028\u2029]+")
ADDRESS_HEADERS = ("From", "To", "Reply-To", "Sender", "Cc")
# The only headers a message may carry when it leaves (checked again just before sending).
ALLOWED_HEADERS = frozenset(
    {"from", "to", "reply-to", "subject", "message-id", "mime-version", "content-type",
     "content-transfer-encoding", "content-language", "auto-submitted", "list-id",
     "list-unsubscribe", "list-unsubscribe-post"}
)  # fmt: skip
# CRLF line ends and 7-bit output: quoted-printable or base64 bodies, RFC 2047 headers.
SEVEN_BIT = policy.SMTP.clone(cte_type="7bit")
# Headers a DKIM signature covers (dkimpy signs only the ones present).
DKIM_HEADERS = [
    b"from", b"to", b"reply-to", b"subject", b"date", b"message-id", b"mime-version",
    b"content-type", b"content-language", b"auto-submitted",
    # RFC 8058: one-click unsubscribe counts only when both headers are signed.
    b"list-id", b"list-unsubscribe", b"list-unsubscribe-post",
]  # fmt: skip
# Common mail clients cut or refuse longer mailto: links (Outlook on Windows among them).
MAILTO_MAX_LENGTH = 1800


class HeaderInjectionError(ValueError):
    """A value meant for an email header holds a line break, a control character or "=?"."""


class MailConfigError(RuntimeError):
    """Email is not configured well enough to send."""


def is_header_safe(value: str) -> bool:
    """Tell whether a value can go into an email header as it is."""
    return not _UNSAFE_IN_HEADER.search(value)


def check_header_value(name: str, value: str) -> str:
    """Return the value if it is safe in a header; raise HeaderInjectionError otherwise."""
    if not is_header_safe(value):
        raise HeaderInjectionError(f"refused {name} header: line break, control character or =?")
    return value


def header_text(value: str) -> str:
    """Fold an organiser's text (a title, a subject line) onto one safe line."""
    return _WHITESPACE_RUN.sub(" ", value).replace("=?", "= ?").strip()


def ascii_address(address: str) -> str:
    """Return an address in the app's one normal form (IDNA2008 domain); refuse anything else.

    Raises HeaderInjectionError: every address in a header or an envelope passes here.
    """
    check_header_value("address", address)
    try:
        return normalise_email(address)
    except EmailAddressError as error:
        raise HeaderInjectionError(f"not a single email address we can send to: {error}") from error


_NOT_IN_A_NORMAL_ADDRESS = re.compile(r"[\s<>,;\"()\[\]\\]|=\?")


def stored_address(address: str) -> str:
    """Return an address the app stored in normal form as ascii_address would, but cheaply.

    Supporters' addresses are saved in normalise_email's form (lower-case ASCII); one that does
    not look like it is checked in full. Raises HeaderInjectionError like ascii_address.
    """
    if (
        address.isascii()
        and address.islower()
        and address.count("@") == 1
        and is_header_safe(address)
        and not _NOT_IN_A_NORMAL_ADDRESS.search(address)
    ):
        return address
    return ascii_address(address)


def format_address(display_name: str, address: str) -> str:
    """Return "Display Name" <address> with the name quoted as needed; values checked."""
    check_header_value("display name", display_name)
    try:
        return str(Address(display_name=display_name, addr_spec=ascii_address(address)))
    except (ValueError, HeaderParseError) as error:  # "a@example.org,", "<a@example.org>"
        raise HeaderInjectionError(f"not a single email address: {address!r}") from error


@dataclass(frozen=True)
class MailSettings:
    """What building and signing mail needs from the configuration."""

    from_address: str
    organisation_name: str
    public_url: str
    message_id_domain: str
    counting_address: str = ""
    dkim_selector: str = ""
    dkim_domain: str = ""
    dkim_private_key: bytes = b""

    @property
    def signs(self) -> bool:
        """Tell whether messages are DKIM-signed (a key and a selector are configured)."""
        return bool(self.dkim_private_key and self.dkim_selector)

    def sender_as(self, supporter_name: str) -> str:
        """Return the From header for a supporter's letter: "Jane Doe via Org" <org address>."""
        return format_address(
            f"{supporter_name} via {header_text(self.organisation_name)}", self.from_address
        )

    @property
    def sender(self) -> str:
        """Return the From header for the organisation's own messages."""
        return format_address(header_text(self.organisation_name), self.from_address)


def mail_settings(config: Mapping) -> MailSettings:
    """Read the mail settings from the app's configuration."""
    from_address = (config.get("MAIL_FROM") or "").strip()
    if not from_address:
        raise MailConfigError("ACTIONAPP_MAIL_FROM is not set")
    domain = from_address.rpartition("@")[2]
    key = config.get("DKIM_PRIVATE_KEY") or ""
    if not key and config.get("DKIM_PRIVATE_KEY_PATH"):
        key = Path(config["DKIM_PRIVATE_KEY_PATH"]).read_text()
    return MailSettings(
        from_address=ascii_address(from_address),
        organisation_name=config.get("ORGANISATION_NAME") or domain,
        public_url=(config.get("PUBLIC_URL") or "").rstrip("/"),
        message_id_domain=config.get("MAIL_MESSAGE_ID_DOMAIN") or domain,
        counting_address=(config.get("MAIL_COUNTING_ADDRESS") or "").strip(),
        # str(): Flask reads ACTIONAPP_* values as JSON, so a selector such as 2025 is a number.
        dkim_selector=str(config.get("DKIM_SELECTOR") or ""),
        dkim_domain=config.get("DKIM_DOMAIN") or domain,
        dkim_private_key=key.encode() if isinstance(key, str) else key,
    )


def make_message_id(domain: str, kind: str) -> str:
    """Return a new, unique Message-ID on the organisation's domain."""
    return f"<{kind}.{int(time.time())}.{secrets.token_hex(10)}@{domain}>"


def html_alternative(text: str, language: str = "", link_prefix: str = "") -> str:
    """Render plain text as a simple HTML page: escaped, paragraphs kept.

    Only links to our own site (those starting with link_prefix) become live.
    """
    own_link = (
        re.compile(re.escape(str(escape(link_prefix))) + r"[^\s<>\"'&]*") if link_prefix else None
    )
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        html = "<br>\n".join(str(escape(line)) for line in block.splitlines())
        if own_link:
            html = own_link.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', html)
        # Any paragraph may hold a supporter's words, in any direction.
        paragraphs.append(f'<p dir="auto">{html}</p>')
    lang = f' lang="{escape(language)}"' if language else ""
    return (
        f'<!doctype html>\n<html{lang}><head><meta charset="utf-8"></head>\n'
        f"<body>\n{chr(10).join(paragraphs)}\n</body></html>\n"
    )


def build_message(
    headers: Sequence[Sequence[str]],
    body_text: str,
    language: str = "",
    link_prefix: str = "",
    boundary: str | None = None,
) -> bytes:
    """Build the message (all but its Date): every header checked, plain text plus an HTML twin.

    7-bit clean (quoted-printable or base64 bodies), so any SMTP server takes it as it is.
    boundary: a fixed MIME boundary, so that building again gives the very same bytes.
    """
    message = EmailMessage(policy=SEVEN_BIT)
    # set_content() clears every Content-* header: Content-Language goes on after the body.
    content = [(n, v) for n, v in headers if n.lower().startswith("content-")]
    for name, value in headers:
        if (name, value) not in content:
            message[check_header_value("name", name)] = check_header_value(name, value)
    message.set_content(body_text)
    message.add_alternative(html_alternative(body_text, language, link_prefix), subtype="html")
    if boundary:
        message.set_boundary(boundary)
    for name, value in content:
        message[check_header_value("name", name)] = check_header_value(name, value)
    for name in ADDRESS_HEADERS:
        # Belt and braces: an address header must still hold exactly one address.
        for value in message.get_all(name, []):
            if len(value.addresses) != 1:
                raise HeaderInjectionError(f"{name} does not hold exactly one address")
    if "List-Unsubscribe" in message:
        # An unsubscribe address longer than a folded line must stay one unbroken <URL>, not
        # become RFC 2047 encoded words no mail client would read (RFC 5322 allows 998).
        return message.as_bytes(policy=SEVEN_BIT.clone(max_line_length=998))
    return message.as_bytes()


def stamp_message(data: bytes, date: datetime) -> bytes:
    """Check a built message's header block once more and add its Date, just before sending.

    Only the headers the app writes may be there, each once, with no stray line break.
    """
    head, separator, _body = data.partition(b"\r\n\r\n")
    if not separator or b"\r" in head.replace(b"\r\n", b"") or b"\n" in head.replace(b"\r\n", b""):
        raise HeaderInjectionError("malformed header block")
    names = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):
            continue  # a folded continuation of the header above
        name, colon, _value = line.partition(b":")
        if not colon or name.decode("ascii", "replace").lower() not in ALLOWED_HEADERS:
            raise HeaderInjectionError(f"unexpected header line {line[:40]!r}")
        names.append(name.lower())
    for name in (b"from", b"to", b"subject", b"message-id"):
        if names.count(name) != 1:
            raise HeaderInjectionError(f"{name.decode()} must appear exactly once")
    if names.count(b"reply-to") > 1 or b"date" in names:
        raise HeaderInjectionError("unexpected repeated header")
    return f"Date: {format_datetime(date.replace(tzinfo=UTC))}\r\n".encode() + data


def dkim_sign(data: bytes, settings: MailSettings, now: float | None = None) -> bytes:
    """Prepend a DKIM-Signature header (rsa-sha256, relaxed/relaxed) when a key is configured.

    dkimpy's canonicalisation and header folding, byte for byte; the RSA signature itself is
    made by OpenSSL (cryptography), which lets other threads run meanwhile.
    now: the signature time (t=), seconds since the epoch; default the current time.
    """
    if not settings.signs:
        return data
    key = _rsa_private_key(settings.dkim_private_key)
    domain = settings.dkim_domain.encode()
    headers, body = _split_message(data)
    body_hash = base64.b64encode(hashlib.sha256(_relaxed_body(body)).digest())
    fields = [
        (b"v", b"1"),
        (b"a", b"rsa-sha256"),
        (b"c", _RELAXED.to_c_value()),
        (b"d", domain),
        (b"i", b"@" + domain),
        (b"q", b"dns/txt"),
        (b"s", settings.dkim_selector.encode()),
        (b"t", str(int(time.time() if now is None else now)).encode()),
        (b"h", b" : ".join(DKIM_HEADERS)),
        (b"bh", body_hash),
        (b"b", b""),
    ]
    unsigned = dkim.fold(b"; ".join(b"=".join(f) for f in fields), namelen=len(b"DKIM-Signature"))
    digest = hashlib.sha256()
    dkim.hash_headers(
        digest,
        _RELAXED,
        # Only the signed headers need canonicalising (it works header by header).
        _RELAXED.canonicalize_headers(dkim.select_headers(headers, DKIM_HEADERS)),
        DKIM_HEADERS,
        (b"DKIM-Signature", b" " + unsigned),
        dict(fields),
    )
    signature = key.sign(digest.digest(), padding.PKCS1v15(), Prehashed(hashes.SHA256()))
    fields[-1] = (b"b", base64.b64encode(signature))
    value = dkim.fold(
        b"; ".join(b"=".join(f) for f in fields) + b"\r\n", namelen=len(b"DKIM-Signature")
    )
    return b"DKIM-Signature: " + value + data


_RELAXED = CanonicalizationPolicy.from_c_value(b"relaxed/relaxed")


def _split_message(data: bytes) -> tuple[list[list[bytes]], bytes]:
    """Return (headers, body) as dkimpy's rfc822_parse does, without splitting the body by line.

    The app's messages end every line with CRLF; anything else goes through dkimpy itself.
    """
    head, separator, body = data.partition(b"\r\n\r\n")
    if not separator or data.startswith(b"\r\n") or data.count(b"\n") != data.count(b"\r\n"):
        return dkim.rfc822_parse(data)
    headers, _nothing = dkim.rfc822_parse(head + b"\r\n\r\n")
    return headers, body


def _relaxed_body(body: bytes) -> bytes:
    """Return the relaxed canonical body (RFC 6376 3.4.4), as dkimpy computes it.

    Quoted-printable and base64 bodies rarely hold a tab or a run of spaces: without one, only
    the empty lines at the end change, and dkimpy's two regular expressions over the whole text
    (the bulk of the signing time after RSA) are skipped.
    """
    if b"\t" in body or b"  " in body or b" \r\n" in body:
        return _RELAXED.canonicalize_body(body)
    return correct_empty_body(strip_trailing_lines(body))


@lru_cache(maxsize=4)
def _rsa_private_key(pem: bytes) -> rsa.RSAPrivateKey:
    """Load a PEM RSA key once per process (parsing it costs more than signing)."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as error:
        raise MailConfigError(f"the DKIM private key cannot be read: {error}") from error
    if not isinstance(key, rsa.RSAPrivateKey):
        raise MailConfigError("the DKIM private key must be an RSA key")
    return key


def mailto_url(to: Sequence[str], subject: str, body: str = "", bcc: str = "") -> str:
    """Return a mailto: URL (RFC 6068): addresses, subject and body percent-encoded."""
    # The normal form is ASCII already: a mail app never sees an IDNA2003 (or Unicode) domain.
    addresses = ",".join(quote(ascii_address(address), safe="@") for address in to)
    fields = [("subject", subject)]
    if body:
        # RFC 6068: line breaks in a body are written as %0D%0A.
        fields.append(("body", "\r\n".join(body.splitlines())))
    if bcc:
        fields.append(("bcc", bcc))
    query = "&".join(f"{name}={quote(value, safe='')}" for name, value in fields if value)
    return f"mailto:{addresses}?{query}" if query else f"mailto:{addresses}"
