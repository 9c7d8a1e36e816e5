"""Updates emailed to supporters who asked for them: languages, one-click unsubscribe, privacy."""

from __future__ import annotations

import re

import dkim
import pytest
from sqlalchemy import func, select

from actionapp.campaigns.actions import primary_targets
from actionapp.campaigns.case_texts import save_update_texts
from actionapp.campaigns.editing import add_update
from actionapp.email.messages import ascii_address
from actionapp.extensions import db
from actionapp.letters.compose import SupporterDetails
from actionapp.letters.record import NewSubmission, mark_printed
from actionapp.models import (
    Channel,
    MessageKind,
    OutboxMessage,
    Unsubscription,
    UpdateSend,
    utcnow,
)
from actionapp.privacy.personal_data import erase_email, purge_expired
from tests.builders import submit_letters
from tests.fixtures_email import PUBLIC_URL, dkim_key_pair
from tests.realworld import supporters

EN_TITLE = "Ana Novak: the court has ruled"
ZH_TITLE = "安娜·诺瓦克：法院已宣判"
SELECTOR = "upd"
DOMAIN = "rights.example.org"


def supporter(action, email, language="en", consent=True, key=None):
    """Record one supporter's printed letters with an address (and the updates opt-in)."""
    details = SupporterDetails(
        name="Ana Example", city="Porto", country="GB", language=language, variant="release",
        personal_message="", target_ids=[t.id for t in primary_targets(action)],
        seed=key or email,
    )  # fmt: skip
    new = NewSubmission(
        details=details, channel=Channel.PRINT, client_key=(key or email) + "-" + "x" * 16,
        consent_text="I agree.", email=email, consent_updates=consent,
    )  # fmt: skip
    submission = submit_letters(action, new, utcnow())
    mark_printed(submission, utcnow())
    db.session.commit()
    return submission


def new_update(action, title=EN_TITLE, zh=ZH_TITLE):
    """Publish an update in English, and in Chinese when zh is given."""
    update = add_update(action, "sentenced", title, "Both were sentenced on 14 June.", utcnow())
    if zh:
        save_update_texts(update, "zh", zh, "两人于6月14日被判刑。")
    db.session.commit()
    return update


def send(client, action, update):
    return client.post(f"/organise/actions/{action.id}/updates/{update.id}/email")


def unsubscribe_url(received) -> str:
    value = received.message["List-Unsubscribe"]
    match = re.fullmatch(r"<(http://localhost/u/[A-Za-z0-9_.-]+)>", value)
    assert match, value
    return match.group(1)


@pytest.fixture
def key_pair():
    return dkim_key_pair()


def test_every_realworld_supporter_gets_the_update_once_in_their_language(
    mail_app, action, signed_in, smtp_server, deliver, key_pair
):
    private, record = key_pair
    mail_app.config.update(DKIM_PRIVATE_KEY=private.decode(), DKIM_SELECTOR=SELECTOR,
                           DKIM_DOMAIN=DOMAIN)  # fmt: skip
    people = supporters()
    for index, person in enumerate(people):
        supporter(action, person["email"].strip().lower(), person["language"],
                  key=f"rw{index}")  # fmt: skip
    # The same address twice: one email, in the language of its newest submission.
    supporter(action, "twice@example.org", "en", key="twice-1")
    supporter(action, "twice@example.org", "zh", key="twice-2")
    supporter(action, "no-news@example.org", consent=False)
    supporter(action, "purged@example.org")
    erase_email("purged@example.org", utcnow())
    db.session.commit()
    update = new_update(action)
    # Addressed as the app addresses every message (IDNA domains); none may be lost.
    sendable = {ascii_address(p["email"].strip().lower()): p["language"] for p in people}
    sendable["twice@example.org"] = "zh"
    assert len(sendable) >= 20

    organiser = signed_in("editor")
    page = organiser.get(f"/organise/actions/{action.id}/updates/{update.id}/email")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"Send to {len(sendable)} supporters" in html
    assert EN_TITLE in html and ZH_TITLE in html  # a preview per language
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0  # looking sends nothing

    assert send(organiser, action, update).status_code == 303
    assert send(organiser, action, update).status_code == 303  # the double click
    assert db.session.scalar(select(func.count(UpdateSend.id))) == 1
    deliver()
    received = [r for r in smtp_server.received]
    assert sorted(a for r in received for a in r.rcpt_tos) == sorted(sendable)
    assert not smtp_server.to("no-news@example.org") and not smtp_server.to("purged@example.org")

    def dns(name, timeout=5):
        return record if name == f"{SELECTOR}._domainkey.{DOMAIN}.".encode() else None

    for item in received:
        address = item.rcpt_tos[0]
        message = item.message
        text = item.text()
        title = ZH_TITLE if sendable[address] == "zh" else EN_TITLE
        assert message["Subject"] == title, address
        assert text.startswith(title + "\n"), address
        assert message["Content-Language"] == sendable[address]
        unsubscribe_line = (
            "退订这些更新：" if sendable[address] == "zh" else "Unsubscribe from these"
        )
        assert unsubscribe_line in text, address
        assert f"{PUBLIC_URL}/actions/{action.slug}" in text
        link = unsubscribe_url(item)
        assert link in text  # the visible link is the one-click address
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["List-Id"] == f"<{action.slug}.updates.{DOMAIN}>"
        assert address not in link
        # Both RFC 8058 headers are signed, and the signature holds.
        signed = message["DKIM-Signature"].replace("\r\n", "").replace(" ", "")
        signed_headers = re.search(r"h=([^;]+)", signed).group(1).split(":")
        assert {"list-unsubscribe", "list-unsubscribe-post", "list-id"} <= set(signed_headers)
        assert dkim.verify(item.data, dnsfunc=dns), address

    # The organiser's figures.
    overview = organiser.get(f"/organise/actions/{action.id}").get_data(as_text=True)
    assert f"emailed to {len(sendable)} supporters" in overview
    assert f"delivered: {len(sendable)}, waiting: 0, failed: 0, unsubscribed: 0" in overview


def test_one_click_unsubscribes_without_cookie_and_the_next_update_skips_them(
    mail_app, action, signed_in, smtp_server, deliver
):
    supporter(action, "leaves@example.org", "zh")
    supporter(action, "stays@example.org", "en")
    first = new_update(action)
    organiser = signed_in("editor")
    send(organiser, action, first)
    deliver()
    (leaving,) = smtp_server.to("leaves@example.org")
    path = unsubscribe_url(leaving).removeprefix(PUBLIC_URL)

    anonymous = mail_app.test_client()
    response = anonymous.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    again = anonymous.post(path, data={"List-Unsubscribe": "One-Click"})  # idempotent
    assert again.status_code == 200
    (row,) = db.session.scalars(select(Unsubscription)).all()
    assert row.scope == f"action:{action.id}" and row.created_at is not None
    assert "leaves@example.org" not in (row.address_key, row.scope)

    overview = organiser.get(f"/organise/actions/{action.id}").get_data(as_text=True)
    assert "unsubscribed: 1" in overview

    second = new_update(action, "Second news", zh=None)
    send(organiser, action, second)
    smtp_server.received.clear()
    deliver()
    assert [r.rcpt_tos for r in smtp_server.received] == [["stays@example.org"]]


def test_a_forged_token_is_refused_and_the_page_button_unsubscribes_from_all(
    mail_app, make_app, action, signed_in, smtp_server, deliver
):
    supporter(action, "all@example.org")
    update = new_update(action)
    send(signed_in("editor"), action, update)
    deliver()
    path = unsubscribe_url(smtp_server.to("all@example.org")[0]).removeprefix(PUBLIC_URL)
    client = mail_app.test_client()
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert client.get(forged).status_code == 404
    assert client.post(forged, data={"List-Unsubscribe": "One-Click"}).status_code == 404
    page = client.get(path)
    assert page.status_code == 200
    assert db.session.scalar(select(func.count(Unsubscription.id))) == 0  # GET changes nothing
    assert 'value="all"' in page.get_data(as_text=True)

    # The page's buttons need the CSRF token (only the one-click body goes without).
    strict = make_app(WTF_CSRF_ENABLED=True, SECRET_KEY=mail_app.config["SECRET_KEY"])
    with strict.app_context():
        strict_client = strict.test_client()
        assert strict_client.post(path, data={"scope": "all"}).status_code == 400
        html = strict_client.get(path).get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        done = strict_client.post(path, data={"scope": "all", "csrf_token": token})
        assert done.status_code == 200
    db.session.rollback()  # read what the other app committed
    rows = db.session.scalars(select(Unsubscription)).all()
    assert [r.scope for r in rows] == ["all"]


def test_an_update_without_text_in_a_language_falls_back_to_the_actions_own(
    mail_app, action, signed_in, smtp_server, deliver
):
    supporter(action, "zh-reader@example.org", "zh")
    update = new_update(action, zh=None)
    send(signed_in("editor"), action, update)
    deliver()
    (item,) = smtp_server.to("zh-reader@example.org")
    assert item.message["Subject"] == EN_TITLE
    assert "Both were sentenced on 14 June." in item.text()
    assert item.message["Content-Language"] == "zh"
    assert "退订这些更新：" in item.text()  # the app's own sentences are in Chinese
    # The reader is told why the text is English, as the action page tells them.
    assert "尚无中文版本：以下为英语原文。" in item.text()
    supporter(action, "en-reader@example.org", "en")
    written = new_update(action)  # in both languages: no note in either
    send(signed_in("editor"), action, written)
    deliver()
    for address in ("zh-reader@example.org", "en-reader@example.org"):
        latest = smtp_server.to(address)[-1]
        assert "尚无" not in latest.text() and "Not yet written" not in latest.text()


def test_erasure_and_purge_remove_queued_updates_and_unsubscriptions(
    mail_app, action, signed_in, smtp_server, deliver
):
    supporter(action, "erase-me@example.org")
    supporter(action, "keep@example.org")
    update = new_update(action)
    send(signed_in("editor"), action, update)  # queued, not delivered yet
    db.session.add_all([
        Unsubscription(address_key=_key("erase-me@example.org"), scope="all"),
        Unsubscription(address_key=_key("keep@example.org"), scope=f"action:{action.id}",
                       action_id=action.id),
    ])  # fmt: skip
    db.session.commit()
    erase_email("erase-me@example.org", utcnow())
    db.session.commit()
    assert [r.address_key for r in db.session.scalars(select(Unsubscription))] == [
        _key("keep@example.org")
    ]
    deliver()
    assert [r.rcpt_tos for r in smtp_server.received] == [["keep@example.org"]]
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == MessageKind.UPDATE,
                                    OutboxMessage.status == "failed")
    )  # fmt: skip
    assert message.recipient == "" and message.content is None

    # Purge: the action's unsubscriptions go with its supporters' data.
    from datetime import timedelta

    action.deadline = utcnow() - timedelta(days=action.retention_days + 1)
    db.session.commit()
    purge_expired(utcnow())
    db.session.commit()
    assert db.session.scalar(select(func.count(Unsubscription.id))) == 0


def _key(address: str) -> str:
    from actionapp.letters.record import sender_key

    return sender_key(address)


def test_the_subject_access_export_shows_unsubscriptions_until_erasure(app, action):
    from actionapp.email.updates import UnsubscribeLink, unsubscribe
    from actionapp.privacy.personal_data import subject_access_export

    supporter(action, "asks@example.org")
    link = UnsubscribeLink(update_id=None, action_id=action.id,
                           address_key=_key("asks@example.org"))  # fmt: skip
    unsubscribe(link, everything=False, now=utcnow())
    unsubscribe(link, everything=True, now=utcnow())
    db.session.commit()
    data = subject_access_export("Asks@Example.org", utcnow())
    scopes = [u["scope"] for u in data["unsubscribed_from_updates"]]
    assert sorted(scopes) == sorted(["all", f"action:{action.id}"])
    assert all(u["at"] for u in data["unsubscribed_from_updates"])
    erase_email("asks@example.org", utcnow())
    db.session.commit()
    assert subject_access_export("asks@example.org", utcnow())["unsubscribed_from_updates"] == []
