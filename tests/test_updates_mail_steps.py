"""Before an update goes: a test to the organiser in each language; after: bounces are dropped."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from actionapp.extensions import db
from actionapp.models import MessageStatus, OutboxMessage, Unsubscription, UpdateSend, utcnow
from actionapp.organisers import cli as cli_organise
from tests.test_updates_mail import EN_TITLE, ZH_TITLE, new_update, send, supporter


def confirm_page(client, action, update) -> str:
    response = client.get(f"/organise/actions/{action.id}/updates/{update.id}/email")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_organiser_sends_a_test_in_each_language_to_themselves_only(
    mail_app, action, signed_in, smtp_server, deliver
):
    supporter(action, "reader@example.org", "en")  # nobody reads Chinese yet
    update = new_update(action)
    organiser = signed_in("editor")
    html = confirm_page(organiser, action, update)
    assert EN_TITLE in html and ZH_TITLE in html  # a preview in each language
    assert "Send to 1 supporter" in html
    address = re.search(r"Send this to me as a test \(([^)]+)\)", html).group(1)
    test_url = f"/organise/actions/{action.id}/updates/{update.id}/email/test"
    for language in ("en", "zh"):
        response = organiser.post(test_url, data={"language": language})
        assert response.status_code == 303
    assert organiser.post(test_url, data={"language": "xx"}).status_code == 400
    assert db.session.scalar(select(func.count(UpdateSend.id))) == 0  # nothing sent for real
    deliver()
    assert [r.rcpt_tos for r in smtp_server.received] == [[address], [address]]
    subjects = {r.message["Content-Language"]: r.message["Subject"] for r in smtp_server.received}
    # The subject says it is a test, in the language of the email.
    assert subjects == {"en": f"[Test] {EN_TITLE}", "zh": f"[测试] {ZH_TITLE}"}
    client = mail_app.test_client()
    for item in smtp_server.received:
        assert item.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        link = re.fullmatch(r"<http://localhost(/u/[^>]+)>", item.message["List-Unsubscribe"])
        assert link.group(0)[1:-1] in item.text()
        # The test's link names no supporter: it says so, and following it changes nothing.
        page = client.get(link.group(1))
        assert page.status_code == 200
        assert "This was a test email" in page.get_data(as_text=True)
        assert "this link unsubscribes them" in page.get_data(as_text=True)
        zh = client.get(link.group(1), headers={"Accept-Language": "zh"}).get_data(as_text=True)
        assert "这是一封发给组织者的测试邮件" in zh
        one_click = client.post(link.group(1), data={"List-Unsubscribe": "One-Click"})
        assert one_click.status_code == 200
        assert "This was a test email" in one_click.get_data(as_text=True)
        pressed = client.post(link.group(1), data={"scope": "all"})
        assert pressed.status_code == 200 and "Done:" not in pressed.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Unsubscription.id))) == 0
    # A forged token is still no page at all.
    assert client.get(link.group(1)[:-2] + "xx").status_code == 404
    # The real send is still to come, with its count; the tests are not in the figures.
    html = confirm_page(organiser, action, update)
    assert "Send to 1 supporter" in html
    smtp_server.received.clear()
    assert send(organiser, action, update).status_code == 303
    deliver()
    assert [r.rcpt_tos for r in smtp_server.received] == [["reader@example.org"]]
    overview = organiser.get(f"/organise/actions/{action.id}").get_data(as_text=True)
    assert "emailed to 1 supporter" in overview


def test_an_address_refused_for_good_gets_no_more_updates_or_questions(
    mail_app, runner, action, signed_in, smtp_server, deliver, monkeypatch
):
    supporter(action, "gone@example.org")
    supporter(action, "full@example.org")
    supporter(action, "here@example.org")
    smtp_server.rcpt_answers["gone@example.org"] = "550 5.1.1 <gone@example.org>: no such user"
    smtp_server.rcpt_answers["full@example.org"] = "452 4.2.2 mailbox full"
    organiser = signed_in("editor")
    first = new_update(action)
    send(organiser, action, first)
    result = deliver()
    assert (result.sent, result.failed, result.retried) == (1, 1, 1)
    failed = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.status == MessageStatus.FAILED)
    )
    assert failed.recipient == "gone@example.org" and failed.bounced

    # The next update goes to the others (a temporary refusal is no bounce).
    second = new_update(action, "Second news", zh=None)
    assert "Send to 2 supporters" in confirm_page(organiser, action, second)
    send(organiser, action, second)
    recipients = db.session.scalars(
        select(OutboxMessage.recipient).where(
            OutboxMessage.dedupe_key.like(f"update:{second.id}:%")
        )
    ).all()
    assert sorted(recipients) == ["full@example.org", "here@example.org"]

    # Nor is the dead address asked whether anyone replied.
    later = utcnow() + timedelta(days=15)
    monkeypatch.setattr(cli_organise, "utcnow", lambda: later)
    output = runner.invoke(args=["replies", "ask"]).output
    assert "Asked 2 supporter(s)" in output


def test_a_message_built_from_its_language_template_is_the_same_bytes_on_every_attempt(
    mail_app, action, signed_in
):
    from actionapp.email.deliveries import DeliveryPolicy, claim_batch, release

    supporter(action, "same@example.org", "zh")
    send(signed_in("editor"), action, new_update(action))
    now = utcnow()
    (first,) = claim_batch("worker-a", now, DeliveryPolicy())
    release(first.id, "worker-a", now)
    db.session.commit()
    (second,) = claim_batch("worker-b", now, DeliveryPolicy())
    data = first.message_bytes()
    assert data == second.message_bytes() and data == first.message_bytes()
    assert b"same@example.org" in data and first.link.encode() in data
    assert first.mime == b""  # nothing but the small row was written for this recipient
