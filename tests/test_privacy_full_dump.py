"""One person through every flow that stores them; after erasure no trace is left anywhere in
the database (every table, every column), and the subject-access export listed all of it."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import inspect, text

from actionapp.extensions import db
from actionapp.models import utcnow
from tests.builders import make_chinese_case
from tests.conftest import started_stamp
from tests.fixtures_email import link_in

PERSON = {
    "name": "Zelda Quixmarsh",
    "email": "zelda.quixmarsh@example.net",
    "street_address": "17 Quillfeather Lane",
    "city": "Wyvernholt",
    "personal_message": "I light lanterns over the Quillfeather bridge every winter.",
}
NEEDLES = [
    PERSON["name"],
    "Quixmarsh",
    PERSON["email"],
    "zelda.quixmarsh",
    PERSON["street_address"],
    "Quillfeather",
    PERSON["city"],
    "lanterns over",
]


@pytest.fixture
def action(app):
    """Two targets in China written to in Chinese, with email addresses, and a UK embassy copy."""
    built = make_chinese_case()
    db.session.commit()
    return built


def database_dump() -> str:
    """Return every value of every row of every table in the database, as one text."""
    engine = db.engine
    parts = []
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "replace")
                    parts.append(f"{table}: {value}")
    return "\n".join(parts)


def traces(dump: str) -> list[str]:
    lowered = dump.lower()
    return [needle for needle in NEEDLES if needle.lower() in lowered]


def test_erasure_leaves_no_trace_and_the_export_listed_everything(
    app, client, post_letter, action, smtp_server, deliver, runner, signed_in
):
    address = PERSON["email"]
    # 1. By email: the confirmation is greylisted once (the answer quotes the address), then
    # delivered; the letters go out; the supporter's own server refuses the copy for good.
    smtp_server.rcpt_answers[address] = (
        f"451 4.2.0 <{address}>: Recipient address rejected: greylisted"
    )
    assert post_letter(action, channel="email", **PERSON).status_code == 303
    assert deliver().retried == 1
    del smtp_server.rcpt_answers[address]
    assert deliver(clock=lambda: utcnow() + timedelta(minutes=2)).sent == 1
    (confirmation,) = smtp_server.to(address)
    confirmed = client.post(urlsplit(link_in(confirmation.text())).path)
    assert confirmed.status_code == 303
    # The letters went out: the supporter reports a reply, in words that name them.
    thanks = urlsplit(confirmed.headers["Location"]).path
    reply_note = f"The court wrote back to {PERSON['name']} in {PERSON['city']}."
    reported = client.post(thanks + "/reply", data={"answer": "post", "note": reply_note})
    assert reported.status_code == 303
    smtp_server.rcpt_answers[address] = (
        f"550 5.1.1 <{address}>: mailbox unavailable ({PERSON['name']})"
    )
    result = deliver()
    assert (result.sent, result.failed) == (3, 1)
    # 2. Printed at home, and 3. from their own mail app.
    assert post_letter(action, channel="print", **PERSON).status_code == 303
    assert post_letter(action, channel="mailto", **PERSON).status_code == 303
    # 4. As the host of a letter-writing event.
    court = next(t for t in action.targets if t.kind == "primary")
    report = client.post(
        f"/actions/{action.slug}/event/report",
        data={
            "held_on": (utcnow().date() - timedelta(days=1)).isoformat(),
            "city": PERSON["city"],
            "country": "GB",
            "host_name": PERSON["name"],
            "host_contact": address,
            "note": PERSON["personal_message"],
            f"letters_{court.id}": "12",
            "consent": "y",
            "started": started_stamp(app),
            "website": "",
        },
    )
    assert report.status_code == 303
    # 5. A solidarity message after the printed appeal, and one on its own with the address.
    editor = signed_in("editor")
    opened = editor.post(
        f"/organise/actions/{action.id}/solidarity",
        data={"is_open": "y", "recipient": "person", "languages": ["en"], "delivery": "printed",
              "max_chars": "400", "show_on_page": "y"},
    )  # fmt: skip
    assert opened.status_code == 303
    message = {
        "body": "Keep strong: lanterns over every bridge for you.",
        "language": "en",
        "sign_as": "first_name_country",
        "first_name": "Zelda",
        "country": "GB",
        "email": address,
        "started": started_stamp(app),
        "website": "",
    }
    alone = client.post(
        f"/actions/{action.slug}/solidarity", data={**message, "client_key": "alone"}
    )
    assert alone.status_code == 303
    before = database_dump()
    assert set(traces(before)) == set(NEEDLES)  # the seed reached the database everywhere
    status = runner.invoke(args=["outbox", "status"]).output
    assert address in status  # the copy's refusal, as the server gave it

    # The subject-access export lists every record, the emails and their delivery included.
    admin = signed_in("admin")
    export = admin.post("/organise/privacy/export", data={"lookup-email": address})
    data = json.loads(export.get_data(as_text=True))
    channels = sorted(s["channel"] for s in data["submissions"])
    assert channels == ["email", "mailto", "print"]
    by_email = next(s for s in data["submissions"] if s["channel"] == "email")
    assert by_email["reply_reported"]["answer"] == "post"
    assert by_email["reply_reported"]["note"] == reply_note
    assert by_email["street_address"] == PERSON["street_address"]
    assert by_email["personal_message"] == PERSON["personal_message"]
    emails = by_email["emails"]
    kinds = sorted((e["kind"], e["status"]) for e in emails)
    assert kinds == [("confirmation", "sent"), ("copy", "failed"), ("letter", "sent"),
                     ("letter", "sent"), ("letter", "sent")]  # fmt: skip
    confirmation_record = next(e for e in emails if e["kind"] == "confirmation")
    assert confirmation_record["to"] == address and confirmation_record["attempts"] == 2
    assert confirmation_record["subject"].startswith("Please confirm your letters")
    copy_record = next(e for e in emails if e["kind"] == "copy")
    assert copy_record["server_answer"].startswith("550 5.1.1") and copy_record["sent_at"] is None
    assert all(e["sent_at"] for e in emails if e["status"] == "sent")
    for submission in data["submissions"]:
        assert submission["letters"], submission["channel"]
    (written,) = data["solidarity_messages"]
    assert written["message"] == message["body"] and written["email"] == address
    (event,) = data["event_reports_as_host"]
    assert (event["city"], event["host_name"], event["note"]) == (
        PERSON["city"], PERSON["name"], PERSON["personal_message"],
    )  # fmt: skip

    erased = admin.post(
        "/organise/privacy/erase", data={"erase-email": address, "erase-confirm": "y"}
    )
    assert erased.status_code == 303
    db.session.remove()
    after = database_dump()
    assert traces(after) == [], [line for line in after.splitlines() if traces(line)]
    assert not traces(runner.invoke(args=["outbox", "status"]).output)
    # Nothing more is held to export.
    empty = admin.post("/organise/privacy/export", data={"lookup-email": address})
    left = json.loads(empty.get_data(as_text=True))
    assert left["submissions"] == [] and left["event_reports_as_host"] == []
    assert left["solidarity_messages"] == []
