"""Building mail: header safety (CVE-2024-6923), the HTML twin, DKIM, mailto: links."""

from __future__ import annotations

import email
import re
from email import policy
from urllib.parse import parse_qs, unquote, urlsplit

import dkim
import pytest
from sqlalchemy import select

from actionapp.email.messages import (
    HeaderInjectionError,
    build_message,
    check_header_value,
    format_address,
    header_text,
    html_alternative,
    mail_settings,
    mailto_url,
)
from actionapp.email.transport import FileTransport, SmtpTransport, transport_from_config
from actionapp.extensions import db
from actionapp.models import OutboxMessage, Submission
from tests.builders import make_chinese_case
from tests.fixtures_email import MAIL_FROM, dkim_key_pair

CRAFTED = [
    "Jane\r\nBcc: evil@example.net",
    "Jane\nBcc: evil@example.net",
    "Jane\rBcc: evil@example.net",
    "=?UTF-8?Q?=0A?=Bcc: evil@example.net",
    "Jane\u2028Bcc: evil@example.net",
    "Jane\x85Bcc: evil@example.net",
    "Jane\x0bBcc: evil@example.net",
    "Jane\x00",
]


@pytest.fixture
def action(app):
    """Two targets in China written to in Chinese, with email addresses, and a UK embassy copy."""
    built = make_chinese_case()
    db.session.commit()
    return built


@pytest.mark.parametrize("value", CRAFTED)
def test_unsafe_header_values_are_refused(value):
    with pytest.raises(HeaderInjectionError):
        check_header_value("Subject", value)
    with pytest.raises(HeaderInjectionError):
        format_address(value, "jane@example.org")
    with pytest.raises(HeaderInjectionError):
        build_message([["Subject", value]], "Hello")


def test_ordinary_names_and_subjects_pass_and_stay_one_address():
    address = format_address('Jane "JD" Doe, <boss@example.net>', "jane@example.org")
    data = build_message(
        [["From", address], ["To", "court@example.org"], ["Subject", "释放黄雪琴 — Free them"]],
        "Hello",
    )
    message = email.message_from_bytes(data, policy=policy.default)
    assert [a.addr_spec for a in message["From"].addresses] == ["jane@example.org"]
    assert message["From"].addresses[0].display_name == 'Jane "JD" Doe, <boss@example.net>'
    assert message["Subject"] == "释放黄雪琴 — Free them"


def test_organiser_text_is_folded_onto_one_safe_line():
    assert header_text("A title\r\nBcc: x@example.net =?utf-8?q?x?=") == (
        "A title Bcc: x@example.net = ?utf-8?q?x?="
    )


def test_crafted_subject_from_the_database_adds_no_header_or_recipient(
    client, post_letter, action, smtp_server, deliver
):
    # An organiser's subject line (not a form the supporter filled in) carrying an injection.
    for model in action.model_letters:
        model.subjects = [
            "Free them\r\nBcc: evil@example.net",
            "=?UTF-8?Q?=0A?=Bcc: evil@example.net",
        ]
    action.require_email_confirmation = False
    db.session.commit()
    post_letter(action, channel="email")
    deliver()
    assert smtp_server.received
    for received in smtp_server.received:
        assert "evil@example.net" not in received.rcpt_tos
        assert len(received.rcpt_tos) == 1
        message = received.message
        assert message["Bcc"] is None and message["Cc"] is None
        # Exactly the headers the app writes, nothing the subject smuggled in.
        assert set(message) <= {
            "From", "To", "Reply-To", "Subject", "Content-Language", "Auto-Submitted",
            "Message-ID", "Date", "MIME-Version", "Content-Type",
        }  # fmt: skip
        assert len(message.get_all("To")) == 1
        assert not re.search(rb"^Bcc:", received.data, re.MULTILINE | re.IGNORECASE)


def test_crafted_name_that_bypassed_the_form_is_refused_when_queued(app, action, smtp_server):
    from actionapp.email.channels import start_email_delivery
    from actionapp.letters.compose import SupporterDetails
    from actionapp.letters.record import NewSubmission
    from actionapp.models import Channel, utcnow
    from tests.builders import submit_letters
    from tests.fixtures_email import mail_config

    app.config.update(mail_config(smtp_server))
    new = NewSubmission(
        details=SupporterDetails(
            name="=?UTF-8?Q?=0A?=Bcc: evil@example.net",
            city="Leeds",
            country="GB",
            language="en",
            variant="release",
            target_ids=[t.id for t in action.targets],
        ),
        channel=Channel.EMAIL,
        client_key="k" * 20,
        consent_text="yes",
        email="jane@example.org",
    )
    submission = submit_letters(action, new, utcnow())
    with pytest.raises(HeaderInjectionError):
        start_email_delivery(submission, mail_settings(app.config), utcnow())
    db.session.rollback()
    assert db.session.scalar(select(Submission)) is None
    assert db.session.scalar(select(OutboxMessage)) is None


def test_html_twin_is_escaped_and_links_only_our_own_site():
    html = html_alternative(
        "Dear <b>you</b> & all,\nsecond line\n\nhttp://localhost/confirm/abc "
        "and http://evil.example/x",
        "en",
        link_prefix="http://localhost",
    )
    assert "&lt;b&gt;you&lt;/b&gt; &amp; all,<br>" in html
    assert '<a href="http://localhost/confirm/abc">http://localhost/confirm/abc</a>' in html
    assert '<a href="http://evil.example' not in html
    assert html.count('<p dir="auto">') == 2 and 'lang="en"' in html


def test_dkim_signature_verifies(client, post_letter, action, smtp_server, deliver, tmp_path):
    private, record = dkim_key_pair()
    key_path = tmp_path / "dkim.pem"
    key_path.write_bytes(private)
    client.application.config.update(DKIM_PRIVATE_KEY_PATH=str(key_path), DKIM_SELECTOR="ua2026")
    action.require_email_confirmation = False
    db.session.commit()
    post_letter(action, channel="email")
    deliver()
    asked = []

    def dns(name, timeout=5):
        asked.append(name)
        return record if name == b"ua2026._domainkey.rights.example.org." else None

    assert len(smtp_server.received) == 4
    for received in smtp_server.received:
        assert received.data.startswith(b"DKIM-Signature:")
        assert dkim.verify(received.data, dnsfunc=dns)
        # Tampering breaks it: the signature covers the body and the headers.
        assert not dkim.verify(received.data.replace(b"Jane Doe", b"John Roe", 1), dnsfunc=dns)
    assert set(asked) == {b"ua2026._domainkey.rights.example.org."}


def test_unsigned_without_selector(app):
    settings = mail_settings({**app.config, "DKIM_PRIVATE_KEY": "x", "DKIM_SELECTOR": ""})
    from actionapp.email.messages import dkim_sign

    assert dkim_sign(b"Subject: x\r\n\r\nx\r\n", settings) == b"Subject: x\r\n\r\nx\r\n"


def test_mailto_url_is_percent_encoded_per_rfc_6068():
    body = "尊敬的院长：\n\nFree them & more = justice? 100%\n#end"
    url = mailto_url(["court@example.org", "a+b@example.org"], "Release them now", body)
    assert url.startswith("mailto:court@example.org,a%2Bb@example.org?subject=Release%20them%20now")
    assert "+" not in url.split("?", 1)[1]  # spaces are %20, never +
    assert "%0D%0A%0D%0AFree" in url
    query = parse_qs(urlsplit(url).query)
    assert query["body"] == ["尊敬的院长：\r\n\r\nFree them & more = justice? 100%\r\n#end"]
    assert [unquote(a) for a in urlsplit(url).path.split(",")] == [
        "court@example.org",
        "a+b@example.org",
    ]
    with_bcc = mailto_url(["court@example.org"], "S", "", bcc="count@example.org")
    assert with_bcc == "mailto:court@example.org?subject=S&bcc=count%40example.org"


def test_transport_choice(app, tmp_path):
    config = dict(app.config)
    config.update(SMTP_HOST="", MAIL_BACKEND="", ENV="development", MAIL_FILE_DIR=str(tmp_path))
    transport = transport_from_config(config, app.instance_path)
    assert isinstance(transport, FileTransport)
    transport.send(MAIL_FROM, "court@example.org", b"Message-ID: <a.b@c>\r\n\r\nHi\r\n")
    (written,) = tmp_path.glob("*.eml")
    assert written.read_bytes().startswith(b"X-Envelope-From: " + MAIL_FROM.encode())
    config.update(ENV="production")
    with pytest.raises(RuntimeError, match="ACTIONAPP_SMTP_HOST"):
        transport_from_config(config, app.instance_path)
    config.update(SMTP_HOST="mail.example.org", SMTP_SECURITY="starttls", SMTP_PASSWORD=1234)
    smtp = transport_from_config(config, app.instance_path)
    assert isinstance(smtp, SmtpTransport)
    assert (smtp.port, smtp.security, smtp.password) == (587, "starttls", "1234")


@pytest.mark.parametrize(
    ("stored", "sent"),
    [
        ("ana@example.org", "ana@example.org"),
        ("Jane@Straße.de", "jane@xn--strae-oqa.de"),  # not in normal form: checked in full
        (" bo@example.org", "bo@example.org"),
    ],
)
def test_a_stored_address_goes_out_as_ascii_address_would_send_it(stored, sent):
    from actionapp.email.messages import ascii_address, stored_address

    assert stored_address(stored) == sent == ascii_address(stored)


@pytest.mark.parametrize(
    "bad", ["ana@example.org\r\nBcc: x@evil.test", "a@b.org, c@d.org", "=?utf-8?q?x?=@b.org", "x"]
)
def test_a_stored_address_that_cannot_go_out_is_refused(bad):
    from actionapp.email.messages import stored_address

    with pytest.raises(HeaderInjectionError):
        stored_address(bad)
