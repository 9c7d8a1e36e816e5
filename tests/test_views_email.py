"""Send by email, end to end: composer -> confirmation email -> Confirm -> letters -> copy."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from actionapp.extensions import db
from actionapp.letters.record import letter_as_sent
from actionapp.models import Letter, LetterStatus, MessageKind, OutboxMessage, Submission, utcnow
from actionapp.stats.counts import action_counts
from tests.builders import embassy_fields, make_action, target_fields
from tests.conftest import csrf_token_from
from tests.fixtures_email import MAIL_FROM, link_in, mail_config


@pytest.fixture
def action(app):
    """Two officials with email addresses, UK and US embassy copies; email letters confirmed."""
    built = make_action(
        targets=[
            target_fields("Judge Li", email="judge@example.org"),
            target_fields(
                "Prosecutor Chen",
                title="Prosecutor",
                organisation="Prosecution Office",
                email="prosecutor@example.org",
            ),
            embassy_fields("GB"),
            embassy_fields("US"),
        ],
        require_email_confirmation=True,
    )
    db.session.commit()
    return built


def _outbox(kind=None):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return db.session.scalars(query).all()


def _confirm_path(smtp_server, address="jane@example.org") -> str:
    (confirmation,) = [r for r in smtp_server.to(address) if "confirm" in r.message["Subject"]]
    return urlsplit(link_in(confirmation.text())).path


def test_email_letter_waits_for_confirmation_then_reaches_each_target(
    client, post_letter, action, smtp_server, deliver
):
    response = post_letter(action, channel="email")
    assert response.status_code == 303
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "check your inbox" in thanks and "jane@example.org" in thanks
    # The letters and the confirmation email were written together; nothing goes out yet.
    letters = db.session.scalars(select(Letter)).all()
    assert {letter.status for letter in letters} == {LetterStatus.AWAITING_CONFIRMATION}
    assert [m.kind for m in _outbox()] == [MessageKind.CONFIRMATION]
    counts = action_counts(action.id)
    assert counts.letters == 0 and counts.by_status["email"]["awaiting_confirmation"] == 3

    assert deliver().sent == 1
    (confirmation,) = smtp_server.received
    assert confirmation.rcpt_tos == ["jane@example.org"]
    assert confirmation.mail_from == MAIL_FROM
    text = confirmation.text()
    assert "Hello Jane Doe," in text and "valid until" in text
    path = urlsplit(link_in(text)).path
    assert f'<a href="{link_in(text)}">' in confirmation.html()

    # A mail scanner following the link confirms nothing.
    page = client.get(path)
    assert page.status_code == 200 and "Confirm and send my letters" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert deliver().sent == 0
    assert action_counts(action.id).letters == 0

    confirmed = client.post(path)
    assert confirmed.status_code == 303
    assert confirmed.headers["Location"] == response.headers["Location"]
    db.session.expire_all()
    assert {letter.status for letter in letters} == {LetterStatus.CONFIRMED}
    counts = action_counts(action.id)
    assert (counts.letters, counts.supporters, counts.by_channel["email"]) == (3, 1, 3)
    assert "on their way" in client.get(confirmed.headers["Location"]).get_data(as_text=True)

    # The three letters, then (in the same pass, once all three are delivered) the copy.
    assert deliver().sent == 4
    targets = {t.email: t for t in action.targets if t.email}
    for address in ("judge@example.org", "prosecutor@example.org", "embassy-gb@example.org"):
        (received,) = smtp_server.to(address)
        assert received.rcpt_tos == [address]
        assert received.mail_from == MAIL_FROM
        message = received.message
        assert message["From"].addresses[0].display_name == "Jane Doe via Example Rights"
        assert message["From"].addresses[0].addr_spec == MAIL_FROM
        assert str(message["Reply-To"]) == "Jane Doe <jane@example.org>"
        assert message["To"].addresses[0].addr_spec == address
        assert message["Message-ID"].endswith("@rights.example.org>")
        letter = next(ltr for ltr in letters if ltr.target_id == targets[address].id)
        # .strip(): Python folds a long Subject right after the colon and keeps the space
        # when parsing it back; mail apps unfold it as RFC 5322 says.
        assert message["Subject"].strip() == letter.subject
        body = received.text()
        assert body.strip() == letter_as_sent(letter).plain_text and letter.body in body
        assert "I am a teacher" in body and "Jane Doe\nLeeds" in body
        assert letter.salutation in received.html()

    # After delivery, the supporter gets a copy of what was sent: one message for all three.
    copy = [r for r in smtp_server.to("jane@example.org") if "Copy" in r.message["Subject"]]
    assert len(copy) == 1
    assert all(ltr.body in copy[0].text() for ltr in letters)
    assert deliver().sent == 0
    assert len(smtp_server.received) == 5


def test_confirming_twice_sends_and_counts_once(client, post_letter, action, smtp_server, deliver):
    post_letter(action, channel="email")
    deliver()
    path = _confirm_path(smtp_server)
    assert client.post(path).status_code == 303
    assert client.post(path).status_code == 303
    assert client.get(path).status_code == 303  # confirmed: straight to the thank-you page
    assert len(_outbox(MessageKind.LETTER)) == 3
    assert action_counts(action.id).letters == 3


def test_confirmation_needs_the_csrf_token(
    make_app, mail_app, smtp_server, action, post_letter, deliver
):
    post_letter(action, channel="email")
    deliver()
    protected = make_app(WTF_CSRF_ENABLED=True, **mail_config(smtp_server))
    path = _confirm_path(smtp_server)
    browser = protected.test_client()
    assert browser.post(path).status_code == 400
    page = browser.get(path).get_data(as_text=True)
    confirmed = browser.post(path, data={"csrf_token": csrf_token_from(page)})
    assert confirmed.status_code == 303
    db.session.expire_all()
    assert action_counts(action.id).letters == 3


def test_expired_link_confirms_nothing(client, post_letter, action, smtp_server, deliver):
    post_letter(action, channel="email")
    deliver()
    path = _confirm_path(smtp_server)
    submission = db.session.scalar(select(Submission))
    submission.confirm_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(path)
    assert page.status_code == 410 and "expired" in page.get_data(as_text=True)
    assert client.post(path).status_code == 410
    assert action_counts(action.id).letters == 0
    assert _outbox(MessageKind.LETTER) == []


def test_unknown_confirmation_token_is_404(client, action):
    assert client.get("/confirm/not-a-token").status_code == 404
    assert client.post("/confirm/not-a-token").status_code == 404


def test_without_confirmation_letters_are_queued_with_the_submission(
    post_letter, action, smtp_server, deliver
):
    action.require_email_confirmation = False
    db.session.commit()
    post_letter(action, channel="email")
    assert [m.kind for m in _outbox()] == [MessageKind.LETTER] * 3
    assert action_counts(action.id).letters == 3
    assert deliver().sent == 4  # three letters, then the copy
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == [
        "embassy-gb@example.org",
        "jane@example.org",
        "judge@example.org",
        "prosecutor@example.org",
    ]


def test_one_letter_per_address_target_and_action(
    client, post_letter, action, smtp_server, deliver
):
    post_letter(action, channel="email")
    deliver()
    client.post(_confirm_path(smtp_server))
    # The same address again, any capitalisation: told kindly, nothing recorded or counted.
    again = post_letter(action, channel="email", email="Jane@Example.org")
    page = again.get_data(as_text=True)
    assert again.status_code == 409
    assert "you have already written to all of these recipients" in page
    assert "print your letter" in page
    assert db.session.scalar(select(func.count(Submission.id))) == 1
    # The preview already says so before the supporter chooses.
    preview = post_letter(action, channel=None).get_data(as_text=True)
    assert "You have already written by email from this address" in preview
    # A new target (another country's embassy) still gets its letter; the others do not.
    post_letter(action, channel="email", country="US")
    newest = db.session.scalars(select(Submission).order_by(Submission.id.desc())).first()
    assert [letter.target.email for letter in newest.letters] == ["embassy-us@example.org"]
    # Another address writes to everyone.
    post_letter(action, channel="email", email="bob@example.org")
    assert db.session.scalar(select(func.count(Submission.id))) == 3
    assert action_counts(action.id).letters == 3


def test_two_unconfirmed_attempts_send_once(client, post_letter, action, smtp_server, deliver):
    post_letter(action, channel="email")
    post_letter(action, channel="email")
    deliver()
    links = [
        urlsplit(link_in(r.text())).path
        for r in smtp_server.to("jane@example.org")
        if "confirm" in r.message["Subject"]
    ]
    assert len(links) == 2
    client.post(links[0])
    second = client.post(links[1], follow_redirects=True).get_data(as_text=True)
    assert "already written to these recipients from this address" in second
    assert len(_outbox(MessageKind.LETTER)) == 3
    counts = action_counts(action.id)
    assert counts.letters == 3 and counts.supporters == 1
    # The second tab's letters do not wait for ever: they are duplicates, and by_status says so.
    assert counts.by_status["email"] == {"awaiting_confirmation": 0, "confirmed": 3, "duplicate": 3}
    api = client.get(f"/api/v1/actions/{action.slug}").get_json()["counts"]
    assert api["by_status"]["email"] == counts.by_status["email"] and api["letters"] == 3
    statuses = db.session.scalars(select(Letter.status).order_by(Letter.id)).all()
    assert statuses == [LetterStatus.CONFIRMED] * 3 + [LetterStatus.DUPLICATE] * 3
    # Confirming the second link again changes nothing.
    client.post(links[1])
    assert action_counts(action.id) == counts


def test_targets_without_an_email_address_are_left_out_and_said_so(client, post_letter, action):
    court = action.targets[0]
    court.email = None
    db.session.commit()
    preview = post_letter(action, channel=None).get_data(as_text=True)
    assert "No email address is known for: Judge Li" in preview
    post_letter(action, channel="email")
    assert {letter.target_id for letter in db.session.scalars(select(Letter))} == {
        t.id for t in action.targets if t.email and t.kind == "primary"
    } | {t.id for t in action.targets if t.supporter_country == "GB"}
    only_court = post_letter(
        action, channel="email", country="BR", targets=[str(court.id)], email="x@example.org"
    )
    assert only_court.status_code == 422
    assert "None of the recipients you chose has an email address" in only_court.get_data(
        as_text=True
    )


def test_crafted_name_never_reaches_a_header(post_letter, action, smtp_server):
    for name in (
        "Jane\r\nBcc: evil@example.net",
        "Jane\nBcc: evil@example.net",
        "=?UTF-8?Q?=0A?=Bcc: evil@example.net",
        "Jane\u2028Bcc: evil@example.net",
        "Jane\x85Bcc: evil@example.net",
    ):
        response = post_letter(action, channel="email", name=name)
        assert response.status_code == 422, repr(name)
        assert "on one line" in response.get_data(as_text=True)
    for address in ("jane@example.org\r\nBcc: evil@example.net", "jane@exa\u2028mple.org"):
        response = post_letter(action, channel="email", email=address)
        assert response.status_code == 422
    assert db.session.scalar(select(func.count(Submission.id))) == 0
    assert _outbox() == []


def test_supporter_markup_is_escaped_in_the_html_part(post_letter, action, smtp_server, deliver):
    action.require_email_confirmation = False
    db.session.commit()
    post_letter(action, channel="email", personal_message="<script>alert(1)</script> & co")
    deliver()
    received = smtp_server.to("judge@example.org")[0]
    assert "<script>alert(1)</script> & co" in received.text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in received.html()
    assert "<script>" not in received.html()


def test_copy_tells_which_letters_could_not_be_delivered(post_letter, action, smtp_server, deliver):
    action.require_email_confirmation = False
    db.session.commit()
    smtp_server.rcpt_answers["judge@example.org"] = "550 5.1.1 Mailbox unavailable"
    post_letter(action, channel="email")
    result = deliver()
    assert (result.sent, result.failed) == (3, 1)  # two letters and the copy; one refused
    (copy,) = [r for r in smtp_server.to("jane@example.org")]
    text = copy.text()
    assert "We could not deliver these letters by email:" in text
    assert "Judge Li: 550 5.1.1" in text
    assert "print them and post them instead: http://localhost/actions/" in text
    assert "To: Prosecutor Chen" in text and "To: Judge Li" not in text


def test_reposting_a_confirmed_composer_leads_to_its_thank_you_page(
    client, post_letter, action, smtp_server, deliver
):
    first = post_letter(action, channel="email", client_key="the-same-composer-0001")
    deliver()
    client.post(_confirm_path(smtp_server))
    # A reload of the same composer: its letters are confirmed, so this is no new attempt.
    again = post_letter(action, channel="email", client_key="the-same-composer-0001")
    assert again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert db.session.scalar(select(func.count(Submission.id))) == 1
    assert action_counts(action.id).letters == 3
