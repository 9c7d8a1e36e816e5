"""Did an official reply? Asked once by email after the letters, answered on a confirmation page."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from actionapp.campaigns.actions import primary_targets
from actionapp.email.updates import UnsubscribeLink, unsubscribe
from actionapp.extensions import db
from actionapp.models import MessageKind, OutboxMessage, ReplyReport, utcnow
from actionapp.organisers import cli as cli_organise
from actionapp.privacy.personal_data import erase_email, purge_expired, subject_access_export
from tests.fixtures_email import PUBLIC_URL
from tests.test_updates_mail import _key, supporter

LINK = re.compile(r"(http://localhost/r/[A-Za-z0-9_.-]+)\?answer=(no|post|email)")


@pytest.fixture
def clock(monkeypatch):
    """Move the daily job's clock: returns a function that sets it some days ahead."""

    def move(days: float):
        moment = utcnow() + timedelta(days=days)
        monkeypatch.setattr(cli_organise, "utcnow", lambda: moment)
        return moment

    return move


def ask(runner) -> str:
    result = runner.invoke(args=["replies", "ask"])
    assert result.exit_code == 0, result.output
    return result.output


def links_in(received) -> dict[str, str]:
    """Return the answer links of a received question: answer -> path."""
    found = {answer: url for url, answer in LINK.findall(received.text())}
    assert set(found) == {"no", "post", "email"}, received.text()
    assert len({*found.values()}) == 1  # one token, three answers
    return {answer: url.removeprefix(PUBLIC_URL) + f"?answer={answer}" for answer, url in
            found.items()}  # fmt: skip


def answers() -> dict[str, tuple]:
    db.session.expire_all()
    return {
        r.submission_id: (str(r.answer) if r.answer else None, r.note, r.asked_at is not None)
        for r in db.session.scalars(select(ReplyReport))
    }


def test_asked_once_after_the_days_and_answers_recorded_only_on_post(
    mail_app, runner, action, smtp_server, deliver, clock, signed_in
):
    en = supporter(action, "en@example.org", "en")
    zh = supporter(action, "zh@example.org", "zh")
    supporter(action, "no-news@example.org", consent=False)
    left = supporter(action, "left@example.org")
    unsubscribe(UnsubscribeLink(None, action.id, _key("left@example.org")), True, utcnow())
    supporter(action, "erased@example.org")
    erase_email("erased@example.org", utcnow())
    db.session.commit()
    assert action.reply_question_days == 14  # the default

    clock(10)
    assert "Asked 0 supporter(s)" in ask(runner)  # too early
    later = clock(15)
    assert "Asked 2 supporter(s)" in ask(runner)
    assert "Asked 0 supporter(s)" in ask(runner)  # once: no reminder
    deliver(clock=lambda: later)
    assert sorted(a for r in smtp_server.received for a in r.rcpt_tos) == [
        "en@example.org", "zh@example.org"
    ]  # fmt: skip
    (to_en,) = smtp_server.to("en@example.org")
    (to_zh,) = smtp_server.to("zh@example.org")
    assert to_en.message["Subject"].startswith("Did anyone reply to your letters?")
    assert to_en.message["Content-Language"] == "en"
    assert to_zh.message["Content-Language"] == "zh"
    assert "有没有人回复" in to_zh.message["Subject"]
    for target in primary_targets(action):
        assert target.name in to_en.text()
    en_links, zh_links = links_in(to_en), links_in(to_zh)
    assert answers() == {en.id: (None, "", True), zh.id: (None, "", True)}

    visitor = mail_app.test_client()
    # A mail scanner following every link records nothing.
    for path in en_links.values():
        page = visitor.get(path)
        assert page.status_code == 200
        assert page.headers["Cache-Control"] == "no-store"
    html = visitor.get(en_links["post"]).get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="post"|<input[^>]*value="post"[^>]*checked',
                     html)  # fmt: skip
    assert answers() == {en.id: (None, "", True), zh.id: (None, "", True)}

    # A note too long: a clear message, and what was typed comes back.
    path = en_links["post"].split("?")[0]
    long_note = "A letter from the ministry. " * 40
    refused = visitor.post(path, data={"answer": "post", "note": long_note})
    assert refused.status_code == 422
    refused_html = refused.get_data(as_text=True)
    assert "1000" in refused_html and "A letter from the ministry." in refused_html
    assert answers()[en.id][0] is None

    note = "A letter from the ministry: <b>the case is under review</b>."
    done = visitor.post(path, data={"answer": "post", "note": note})
    assert done.status_code == 200
    assert "your answer is recorded" in done.get_data(as_text=True)
    zh_path = zh_links["email"].split("?")[0]
    assert visitor.post(zh_path, data={"answer": "email"}).status_code == 200
    assert answers() == {en.id: ("post", note, True), zh.id: ("email", "", True)}
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert visitor.get(forged).status_code == 404
    assert visitor.post(forged, data={"answer": "no"}).status_code == 404
    assert visitor.post(path, data={"answer": "maybe"}).status_code == 422

    # The organiser's figures, per official and for the action, with the note as text.
    organiser = signed_in("viewer")
    page = organiser.get(f"/organise/actions/{action.id}/replies").get_data(as_text=True)
    # en, zh, no-news, left and the erased supporter wrote: erased letters still count.
    letters_each = 5
    for target in primary_targets(action):
        name = re.escape(str(escape(target.name)))
        row = re.search(rf"<th scope=\"row\">{name}</th>(.*?)</tr>", page)
        cells = re.findall(r"<td>([^<]*)</td>", row.group(1))
        assert cells == [str(letters_each), "2", "2", "1", "1"], cells
    assert "&lt;b&gt;the case is under review&lt;/b&gt;" in page
    assert left.id not in answers()

    # Exports carry the answers; the CSV without personal data has no note.
    rows = list(csv.DictReader(io.StringIO(
        organiser.get(f"/organise/actions/{action.id}/export/letters.csv")
        .get_data(as_text=True)
    )))  # fmt: skip
    by_submission = {int(r["submission_id"]): r for r in rows}
    assert by_submission[en.id]["reply_reported"] == "post"
    assert by_submission[zh.id]["reply_reported"] == "email"
    assert by_submission[left.id]["reply_reported"] == ""
    assert "reply_note" not in rows[0]
    outreaches = organiser.get(
        f"/organise/export/osdi/advocacy_campaigns/{action.id}/outreaches"
    ).get_json()["_embedded"]["osdi:outreaches"]
    reported = {o["identifiers"][1]: o.get("actionapp:reply_reported") for o in outreaches}
    assert reported[f"actionapp:submission:{en.id}"] == "post"
    assert reported[f"actionapp:submission:{left.id}"] is None

    # The public page shows the count only when the organiser turns it on.
    public = f"/actions/{action.slug}"
    assert "reported a reply" not in visitor.get(public).get_data(as_text=True)
    action.show_reply_count = True
    db.session.commit()
    assert "2 supporters reported a reply" in visitor.get(public).get_data(as_text=True)


def test_the_thank_you_page_reports_a_reply_and_the_question_is_then_not_sent(
    mail_app, runner, action, clock
):
    written = supporter(action, "thanks@example.org")
    thanks = f"/actions/{action.slug}/thanks/{written.public_token}"
    client = mail_app.test_client()
    page = client.get(thanks).get_data(as_text=True)
    assert "Did anyone reply?" in page and "your answer is recorded" not in page
    response = client.post(thanks + "/reply", data={"answer": "no", "note": "Nothing yet."})
    assert response.status_code == 303 and response.headers["Location"].endswith("#reply")
    assert answers() == {written.id: ("no", "Nothing yet.", False)}
    # Back on the page, the supporter sees that it worked.
    assert "Thank you: your answer is recorded." in client.get(thanks).get_data(as_text=True)
    # Changed later, from the same page.
    client.post(thanks + "/reply", data={"answer": "post", "note": ""})
    assert answers() == {written.id: ("post", "", False)}
    clock(20)
    assert "Asked 0 supporter(s)" in ask(runner)
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_a_submission_whose_letters_did_not_go_out_has_no_form(app, action):
    from actionapp.letters.compose import SupporterDetails
    from actionapp.letters.record import NewSubmission
    from actionapp.models import Channel
    from tests.builders import submit_letters

    details = SupporterDetails(
        name="Ana", city="Porto", country="GB", language="en", variant="release",
        personal_message="", target_ids=[t.id for t in primary_targets(action)], seed="x",
    )  # fmt: skip
    new = NewSubmission(
        details=details, channel=Channel.PRINT, client_key="not-printed" * 2,
        consent_text="I agree.", email="np@example.org", consent_updates=True,
    )  # fmt: skip
    submission = submit_letters(action, new, utcnow())
    db.session.commit()
    thanks = f"/actions/{action.slug}/thanks/{submission.public_token}"
    client = app.test_client()
    assert "Did anyone reply?" not in client.get(thanks).get_data(as_text=True)
    assert client.post(thanks + "/reply", data={"answer": "no"}).status_code == 404


def test_reports_in_the_access_export_purge_blanks_the_note_erasure_removes_them(
    app, runner, action
):
    written = supporter(action, "sar@example.org")
    client = app.test_client()
    thanks = f"/actions/{action.slug}/thanks/{written.public_token}"
    client.post(thanks + "/reply", data={"answer": "email", "note": "They wrote back."})
    other = supporter(action, "purged@example.org")
    client.post(f"/actions/{action.slug}/thanks/{other.public_token}/reply",
                data={"answer": "post", "note": "My own words."})  # fmt: skip
    (record,) = subject_access_export("sar@example.org", utcnow())["submissions"]
    assert record["reply_reported"]["answer"] == "email"
    assert record["reply_reported"]["note"] == "They wrote back."
    assert record["reply_reported"]["answered_at"]

    erase_email("sar@example.org", utcnow())
    db.session.commit()
    assert written.id not in answers()
    (record,) = subject_access_export("sar@example.org", utcnow())["submissions"] or [None]
    assert record is None or record["reply_reported"] is None

    action.deadline = utcnow() - timedelta(days=action.retention_days + 1)
    db.session.commit()
    purge_expired(utcnow())
    db.session.commit()
    # The answer stays counted; the supporter's words go with their data.
    assert answers() == {other.id: ("post", "", False)}
    assert db.session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == MessageKind.REPLY_QUESTION)
    ) == 0  # fmt: skip


def test_the_report_forms_are_valid_html(app, action, tmp_path):
    from tests.test_html_valid import vnu_errors

    written = supporter(action, "valid@example.org", "zh")
    thanks = f"/actions/{action.slug}/thanks/{written.public_token}"
    client = app.test_client()
    refused = client.post(thanks + "/reply", data={"answer": "post", "note": "x" * 1001})
    assert refused.status_code == 422
    pages = {"thanks": client.get(thanks).data, "refused": refused.data}
    assert vnu_errors(pages, tmp_path) == []


def test_the_action_form_sets_the_days_and_the_public_count(app, signed_in):
    from actionapp.models import Action
    from tests.test_views_organise_editor import _new_action

    editor = signed_in("editor")
    assert _new_action(editor, slug="asks-never", reply_question_days="0",
                       show_reply_count="y").status_code == 303  # fmt: skip
    assert _new_action(editor, slug="asks-default").status_code == 303  # the field left empty
    refused = _new_action(editor, slug="asks-badly", reply_question_days="400")
    assert refused.status_code == 422 and "asks-badly" in refused.get_data(as_text=True)
    settings = {
        a.slug: (a.reply_question_days, a.show_reply_count)
        for a in db.session.scalars(select(Action))
    }
    assert settings == {"asks-never": (0, True), "asks-default": (14, False)}
