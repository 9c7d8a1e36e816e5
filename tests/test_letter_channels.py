"""One letter, one truth: what the official receives through every channel is the preview's letter.

Each test reads the preview as a supporter sees it (the HTML page), sends the same composer
through a channel, and reads what arrives from outside: the message the in-process SMTP
server received, the decoded mailto: link (or the text offered for copying), the PDF's text
layer, the supporter's copy, the CSV export.
"""

from __future__ import annotations

import csv
import html
import io
import re
import subprocess
import tempfile
import unicodedata
import uuid
from collections import Counter
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

import pdfplumber
import pytest
from sqlalchemy import select

from actionapp.campaigns.actions import model_letter
from actionapp.email.messages import mailto_url
from actionapp.extensions import db
from actionapp.letters.compose import editable_text
from actionapp.letters.record import letter_as_sent
from actionapp.models import Letter, MessageKind, OutboxMessage, Submission
from tests.builders import letter_fields, make_chinese_case
from tests.conftest import compose_data, started_stamp
from tests.fixtures_email import link_in
from tests.realworld import assert_refused, composer_refusal, supporters

EDIT = "As a parent of two, I add this sentence of my own."
PERSONAL = "I am a teacher in Leeds and I care about free speech."
RELEASE = {
    "en": "I am writing to you from {{ supporter.city }}, {{ supporter.country }}, about Ana, "
    "a journalist held since March.\n\n"
    "Ana is held only for her peaceful work. I respectfully urge you to release her "
    "immediately and unconditionally.\n\n"
    "Thank you for your attention to this request.",
    "zh": "我从{{ supporter.city }}（{{ supporter.country }}）致信您，关切记者安娜的处境。\n\n"
    "安娜仅因和平的工作而被羁押。我恳请您立即无条件释放她。\n\n"
    "感谢您关注此事。",
}


@pytest.fixture
def action(app):
    """Two targets in China written to in Chinese, UK, US and German embassy copies, and
    release letters of three paragraphs in English and Chinese; email letters confirmed."""
    built = make_chinese_case(
        embassies=("GB", "US", "DE"),
        letters=[letter_fields(language, body=body) for language, body in RELEASE.items()],
        require_email_confirmation=True,
    )
    db.session.commit()
    return built


@dataclass(frozen=True)
class PreviewLetter:
    """One letter as the preview page shows it: to whom, its subject, its other parts in order."""

    target: str
    subject: str
    parts: list[str]
    translation: list[str]
    # Everything the sheet shows, subject included, in reading order.
    all_parts: list[str]

    @property
    def text(self) -> str:
        """Return the parts as one text, subject apart."""
        return "\n\n".join(self.parts)


_PARAGRAPH = re.compile(r'<p class="([^"]*)"[^>]*>(.*?)</p>', re.S)


def _sheet(markup: str) -> tuple[str, list[str], list[str]]:
    subject, parts, everything = "", [], []
    for classes, inner in _PARAGRAPH.findall(markup):
        text = html.unescape(re.sub(r"<[^>]+>", "", inner)).strip("\n")
        if "sheet-label" in classes:
            continue
        everything.append(text)
        if "letter-subject" in classes:
            subject = text
        elif text.strip():
            parts.append(text)
    return subject, parts, [p for p in everything if p.strip()]


def preview_letters(page: str) -> list[PreviewLetter]:
    """Read each letter (and its translation) off a preview page."""
    letters = []
    # Each letter is a <section>, or a <details> where the preview page folds all but one;
    # a letter's markup runs to the next letter (the last one's tail holds no letter sheet).
    for section in re.split(r'<(?:section|details) class="letter-preview"', page)[1:]:
        target = html.unescape(re.search(r'aria-label="Letter to ([^"]*)"', section).group(1))
        sheets = re.findall(r'<div class="letter-sheet([^"]*)"[^>]*>(.*?)</div>', section, re.S)
        sent = [markup for classes, markup in sheets if "translation" not in classes]
        translated = [markup for classes, markup in sheets if "translation" in classes]
        assert len(sent) == 1, section
        subject, parts, everything = _sheet(sent[0])
        translation = _sheet(translated[0])[1] if translated else []
        letters.append(PreviewLetter(target, subject, parts, translation, everything))
    return letters


def words(text: str) -> str:
    """Collapse every run of whitespace to one space (line breaks do not change words)."""
    return " ".join(text.split())


_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def squeezed(text: str) -> str:
    """Drop all whitespace (a PDF re-wraps lines, and Chinese has no spaces between words),
    the bidi marks a text extractor adds around right-to-left runs, and compose accents (NFC)."""
    return "".join(unicodedata.normalize("NFC", _BIDI_CONTROLS.sub("", text)).split())


def pdf_text(data: bytes) -> str:
    """Return a PDF's text layer in reading order (poppler's pdftotext).

    pdfplumber returns right-to-left runs in visual order (a Hebrew name reversed) and lost
    whole pages holding a glyph missing from every font here; pdftotext reads both right.
    """
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        result = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", handle.name, "-"], capture_output=True, text=True
        )
    assert result.returncode == 0, result.stderr
    return result.stdout


def pdf_letter_text(data: bytes, running_heads: list[str]) -> str:
    """Return the PDF's text without the running heads and page numbers of continuation pages."""
    text = squeezed(pdf_text(data))
    for head in running_heads:
        text = text.replace(squeezed(head), "")
    return re.sub(r"Page\d+|第\d+页", "", text)


def _preview(client, action, data) -> list[PreviewLetter]:
    response = client.post(f"/actions/{action.slug}/write", data=data)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return preview_letters(response.get_data(as_text=True))


def _send(client, action, data, channel) -> Submission:
    response = client.post(f"/actions/{action.slug}/write", data={**data, "channel": channel})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    token = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    submission = db.session.scalar(select(Submission).where(Submission.public_token == token))
    assert submission is not None
    return submission


def _by_target(preview: list[PreviewLetter], submission: Submission) -> dict[int, PreviewLetter]:
    names = {letter.target.name: letter.target_id for letter in submission.letters}
    assert sorted(names) == sorted(p.target for p in preview)
    return {names[p.target]: p for p in preview}


def _data(action, app, **overrides) -> dict:
    data = compose_data(action, client_key=uuid.uuid4().hex, started=started_stamp(app))
    data.pop("channel", None)
    data.update(overrides)
    return data


def check_email(client, action, data, smtp_server, deliver, copy: bool = True) -> None:
    """Send by email, confirm, deliver: each official's message is the preview's letter."""
    preview = _preview(client, action, data)
    submission = _send(client, action, data, "email")
    expected = _by_target(preview, submission)
    assert deliver().sent >= 1
    (confirmation,) = _received(smtp_server, submission.id, MessageKind.CONFIRMATION)
    assert client.post(urlsplit(link_in(confirmation.text())).path).status_code == 303
    deliver()
    db.session.expire_all()
    for letter in db.session.get(Submission, submission.id).letters:
        shown = expected[letter.target_id]
        (received,) = [
            r
            for r in smtp_server.to(letter.target.email)
            if r.message["Message-ID"] == _message_id(letter.id)
        ]
        # Python folds a long Subject and keeps the space after the colon; strip it.
        assert received.message["Subject"].strip() == shown.subject
        assert words(received.text()) == words(shown.text)
        assert words(html.unescape(re.sub(r"<[^>]+>", " ", received.html()))) == words(shown.text)
    if copy:
        (copy_message,) = _received(smtp_server, submission.id, MessageKind.COPY)
        copied = words(copy_message.text())
        for shown in expected.values():
            assert words(shown.text) in copied and shown.subject in copied


def _received(smtp_server, submission_id: int, kind: MessageKind) -> list:
    ids = set(
        db.session.scalars(
            select(OutboxMessage.message_id).where(
                OutboxMessage.submission_id == submission_id, OutboxMessage.kind == kind
            )
        )
    )
    return [r for r in smtp_server.received if r.message["Message-ID"] in ids]


def _message_id(letter_id: int) -> str:
    return db.session.scalar(
        select(OutboxMessage.message_id).where(
            OutboxMessage.letter_id == letter_id, OutboxMessage.kind == MessageKind.LETTER
        )
    )


def check_mailto(client, action, data) -> None:
    """Open in my email app: the link (or the text offered to copy) is the preview's letter."""
    preview = _preview(client, action, data)
    submission = _send(client, action, data, "mailto")
    expected = _by_target(preview, submission)
    page = client.get(f"/actions/{action.slug}/thanks/{submission.public_token}")
    page = page.get_data(as_text=True)
    links = [html.unescape(link) for link in re.findall(r'href="(mailto:[^"]+)"', page)]
    for letter in submission.letters:
        shown = expected[letter.target_id]
        full = [
            link
            for link in links
            if unquote(urlsplit(link).path) == letter.target.email and "body=" in link
        ]
        if full:
            fields = parse_qs(urlsplit(full[0]).query)
            assert fields["subject"] == [shown.subject]
            assert words(fields["body"][0]) == words(shown.text)
        else:
            # Too long for a link: the address and subject go in the link, the text is offered.
            short = mailto_url([letter.target.email], shown.subject)
            assert html.escape(short) in page or short in links
            body = re.search(
                rf'<textarea id="mailto-body-{letter.id}"[^>]*>(.*?)</textarea>', page, re.S
            )
            assert words(html.unescape(body.group(1))) == words(shown.text)
            subject = re.search(rf'id="mailto-subject-{letter.id}"[^>]*value="([^"]*)"', page)
            assert html.unescape(subject.group(1)) == shown.subject


def check_print(client, action, data) -> None:
    """Print and post: the PDF's text layer holds each preview letter, word for word, in order."""
    preview = _preview(client, action, data)
    submission = _send(client, action, data, "print")
    expected = _by_target(preview, submission)
    response = client.get(
        f"/actions/{action.slug}/print/{submission.public_token}/letters.pdf?guide=0"
    )
    assert response.status_code == 200
    heads = [f"{submission.name} · {letter.target.name}" for letter in submission.letters]
    text = pdf_letter_text(response.data, heads)
    position = 0
    for letter in submission.letters:
        parts = expected[letter.target_id].all_parts
        # A letter dated above its text prints the date in the letterhead, beside the
        # addresses: it must come before the rest, which runs on word for word.
        date, rest = ("", parts) if letter_as_sent(letter).date_at_end else (parts[0], parts[1:])
        assert date in ("", letter.date_text)
        lines = [squeezed(line) for part in rest for line in part.split("\n") if line.strip()]
        start = position
        position = _find_in_order(text, lines, position, letter.target.name)
        assert squeezed(date) in text[start:position]


def check_print_refused(client, action, data) -> None:
    """A return address too long to print: refused where printing is chosen, all else kept.

    The preview says so beside "Print and post"; choosing it answers 422 with everything typed;
    an email letter of the same supporter printed from the thank-you page leaves it out.
    """
    refusal = composer_refusal(
        {**data, "street": data["street_address"], "language": data["language"]}, "print"
    )
    preview = client.post(f"/actions/{action.slug}/write", data=data)
    assert preview.status_code == 200
    page = html.unescape(preview.get_data(as_text=True))
    beside = page.split('value="print"', 1)[1].split('class="channel"', 1)[0]
    assert refusal in beside
    before = db.session.scalars(select(Submission)).all()
    refused = client.post(f"/actions/{action.slug}/write", data={**data, "channel": "print"})
    assert refused.status_code == 422
    page = html.unescape(refused.get_data(as_text=True))
    assert refusal in page.split('value="print"', 1)[1]
    for key in ("name", "street_address", "city", "personal_message"):
        assert f'name="{key}"' in page and data[key] in page, key
    assert db.session.scalars(select(Submission)).all() == before
    emailed = next(s for s in before if s.channel == "email")
    pdf = client.get(f"/actions/{action.slug}/print/{emailed.public_token}/letters.pdf?guide=0")
    assert pdf.status_code == 200
    # Where the return address fits (here A4, in English) it prints; it never reaches the
    # recipient's lines, whose first is the official's name.
    with pdfplumber.open(io.BytesIO(pdf.data)) as document:
        for page, letter in zip(document.pages, emailed.letters, strict=False):
            words = page.extract_words()
            first = letter.target.name.split()[0]
            recipient_top = min(w["top"] for w in words if w["text"] == first)
            sender = [w for w in words if w["text"] in ("Postfach", "c/o")]
            assert all(w["bottom"] < recipient_top for w in sender)
    assert all(squeezed(x.target.name) in squeezed(pdf_text(pdf.data)) for x in emailed.letters)


_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def _find_in_order(text: str, lines: list[str], position: int, name: str) -> int:
    """Find the lines one after the other with nothing between them; return the end.

    A line holding right-to-left script is compared by its characters, not their order:
    a text extractor reorders right-to-left runs (and the glyphs of lam-alef ligatures) as
    it sees fit, so only the characters themselves are certain. Every character must be
    there, and nothing else.
    """
    pending: list[str] = []
    first = True
    for line in lines:
        if _RTL.search(line):
            pending.append(line)
            continue
        found = text.find(line, position)
        assert found >= 0, (name, line, text[position : position + 400])
        gap = text[position:found]
        if pending:
            assert Counter(gap) == Counter("".join(pending)), (name, pending, gap)
        elif not first:
            assert gap == "", (name, line, gap)
        pending, first, position = [], False, found + len(line)
    if pending:
        tail = "".join(pending)
        gap = text[position : position + len(tail)]
        assert Counter(gap) == Counter(tail), (name, pending, gap)
        position += len(tail)
    return position


def _release_letter_placing_paragraph(action) -> None:
    """Make the release letters place the personal paragraph themselves, mid-letter."""
    for language in ("en", "zh"):
        model = model_letter(action, "release", language)
        if "personal_message" in model.body:
            continue
        first, rest = model.body.strip().split("\n\n", 1)
        model.body = f"{first}\n\n{{{{ personal_message }}}}\n\n{rest}"
    db.session.commit()


def _edited_body(action) -> str:
    text = editable_text(model_letter(action, "release", "en"))
    return text.replace("Thank you for your attention", f"{EDIT}\n\nThank you for your attention")


SCENARIOS = ["edits_and_paragraph", "model_places_paragraph"]


def _scenario(action, app, name: str) -> dict:
    if name == "model_places_paragraph":
        _release_letter_placing_paragraph(action)
        return _data(action, app, personal_message=PERSONAL)
    return _data(action, app, personal_message=PERSONAL, body=_edited_body(action))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_email_carries_the_previewed_letter(
    client, mail_app, action, smtp_server, deliver, scenario
):
    check_email(client, action, _scenario(action, mail_app, scenario), smtp_server, deliver)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_mailto_carries_the_previewed_letter(client, app, action, scenario):
    check_mailto(client, action, _scenario(action, app, scenario))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_pdf_carries_the_previewed_letter(client, app, action, scenario):
    check_print(client, action, _scenario(action, app, scenario))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_personal_paragraph_appears_exactly_once_everywhere(
    client, mail_app, action, smtp_server, deliver, scenario
):
    data = _scenario(action, mail_app, scenario)
    preview = _preview(client, action, data)
    assert len(preview) == 3  # the court and the prosecutor in Chinese, the embassy in English
    assert all(letter.text.count(PERSONAL) == 1 for letter in preview)
    submission = _send(client, action, data, "print")
    assert all(
        (letter.body + (letter.personal_message or "")).count(PERSONAL) == 1
        for letter in submission.letters
    )
    pdf = client.get(
        f"/actions/{action.slug}/print/{submission.public_token}/letters.pdf?guide=0"
    ).data
    assert squeezed(pdf_text(pdf)).count(squeezed(PERSONAL)) == 3
    check_email(client, action, _scenario(action, mail_app, scenario), smtp_server,
                deliver, copy=False)  # fmt: skip
    to_officials = [r for r in smtp_server.received if r.rcpt_tos != [data["email"]]]
    assert len(to_officials) == 3
    assert all(received.text().count(PERSONAL) == 1 for received in to_officials)


def test_edits_reach_only_the_letters_in_the_language_edited(client, app, action):
    data = _scenario(action, app, "edits_and_paragraph")
    preview = _preview(client, action, data)
    embassy = next(p for p in preview if p.target == "The Ambassador")
    chinese = [p for p in preview if p is not embassy]
    assert EDIT in embassy.text and not embassy.translation
    for letter in chinese:
        # The Chinese letter is the organisers' text: the edit is not in it, nor in what the
        # translation beside it says it says; the personal paragraph is in both, as typed.
        assert EDIT not in letter.text and PERSONAL in letter.text
        assert letter.translation and EDIT not in "\n".join(letter.translation)
        assert PERSONAL in "\n".join(letter.translation)
    # The composer says so beside the text being edited.
    page = client.post(f"/actions/{action.slug}/write", data={**data, "step": "edit"}).get_data(
        as_text=True
    )
    note = re.search(r'<p class="hint" id="edits-note">(.*?)</p>', page, re.S).group(1)
    for letter in chinese:
        assert letter.target in html.unescape(note)
    assert "Chinese" in note and "do not reach" in note
    # The live preview sends the same note with each refresh.
    live = client.post(f"/actions/{action.slug}/preview", data=data).get_data(as_text=True)
    assert 'data-swap="edits-note"' in live and "do not reach" in live


def test_no_edits_note_when_every_letter_is_in_the_language_edited(client, app, action):
    court = next(t for t in action.targets if t.name == "Judge Li")
    court.language = "en"
    for target in action.targets:
        target.language = "en"
    db.session.commit()
    data = _data(action, app, body=_edited_body(action))
    page = client.post(f"/actions/{action.slug}/write", data={**data, "step": "edit"}).get_data(
        as_text=True
    )
    note = re.search(r'<p class="hint" id="edits-note">(.*?)</p>', page, re.S).group(1)
    assert note.strip() == ""
    assert EDIT in "\n".join(p.text for p in _preview(client, action, data))


@pytest.mark.parametrize(
    ("country", "expected"),
    [("GB", "30 November 2026"), ("US", "November 30, 2026"), ("BR", "30 November 2026")],
)
def test_the_date_follows_one_rule_in_every_channel(
    client, mail_app, action, smtp_server, deliver, monkeypatch, country, expected
):
    from datetime import datetime, timedelta

    import actionapp.letters.composer_views as composer
    from actionapp.letters.antibot import start_token

    frozen = datetime(2026, 11, 30, 10, 0)
    monkeypatch.setattr(composer, "utcnow", lambda: frozen)
    # The composer was opened a minute before the frozen moment (not before the real clock's).
    started = start_token(mail_app.config["SECRET_KEY"], frozen - timedelta(minutes=1))
    # The court reads English here, the prosecutor Chinese: both kinds of date in one letter set.
    next(t for t in action.targets if t.name == "Judge Li").language = "en"
    db.session.commit()
    data = _data(action, mail_app, country=country, started=started)
    preview = _preview(client, action, data)
    submission = _send(client, action, data, "print")
    shown = _by_target(preview, submission)
    languages = {letter.language for letter in submission.letters}
    assert languages == {"en", "zh"}
    pdf = squeezed(pdf_text(client.get(
        f"/actions/{action.slug}/print/{submission.public_token}/letters.pdf?guide=0"
    ).data))  # fmt: skip
    for letter in submission.letters:
        date = expected if letter.language == "en" else "2026年11月30日"
        assert letter.date_text == date
        # Above the text in English, under the signature in Chinese; the same in the PDF.
        parts = shown[letter.target_id].parts
        assert (parts[0] if letter.language == "en" else parts[-1]) == date
        assert squeezed(date) in pdf
    mailto_data = _data(action, mail_app, country=country, started=started)
    mailto = _send(client, action, mailto_data, "mailto")
    for letter in mailto.letters:
        assert letter.date_text == (expected if letter.language == "en" else "2026年11月30日")


def test_personal_csv_carries_the_letter_as_sent(client, app, action, signed_in):
    data = _scenario(action, app, "edits_and_paragraph")
    preview = _preview(client, action, data)
    submission = _send(client, action, data, "print")
    expected = _by_target(preview, submission)
    response = signed_in("admin").post(
        f"/organise/actions/{action.id}/export/letters-personal",
        data={"reason": "checking the letters as sent", "confirm": "y"},
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header = rows[0]
    letters = {letter.id: letter for letter in submission.letters}
    for row in rows[1:]:
        letter = letters[int(row[header.index("letter_id")])]
        shown = expected[letter.target_id]
        assert row[header.index("subject")] == shown.subject
        assert words(row[header.index("body")]) in words(shown.text)


# --- every real-world supporter through every channel ------------------------------------------


def _realworld_data(action, app, person: dict) -> dict:
    return _data(
        action,
        app,
        name=person["name"],
        email=person["email"],
        street_address=person.get("street", ""),
        city=person["city"],
        country=person["country"],
        language=person["language"],
        personal_message=person.get("message", PERSONAL),
    )


PEOPLE = supporters()


@pytest.mark.parametrize("person", PEOPLE, ids=[p["name"] for p in PEOPLE])
def test_every_supporter_through_every_channel(
    client, mail_app, action, smtp_server, deliver, person
):
    if refusal := composer_refusal(person, "email"):
        data = _realworld_data(action, mail_app, person)
        assert_refused(client.post(f"/actions/{action.slug}/write", data=data), refusal)
        return
    check_email(client, action, _realworld_data(action, mail_app, person), smtp_server, deliver)
    check_mailto(client, action, _realworld_data(action, mail_app, person))
    if refusal := composer_refusal(person, "print"):
        check_print_refused(client, action, _realworld_data(action, mail_app, person))
    else:
        check_print(client, action, _realworld_data(action, mail_app, person))
    # Their name, town and paragraph come out exactly as typed in every recorded letter.
    for letter in db.session.scalars(select(Letter)):
        assert letter.signature_name == person["name"]
        assert letter.signature_place.startswith(person["city"])
        paragraph = person.get("message", PERSONAL)
        assert paragraph.strip() in (letter.personal_message or letter.body)


def test_letters_recorded_before_every_part_was_kept_read_as_they_were_sent(app, action):
    """Rows from before migration t001 have no date or signature: read them as sent then."""
    from tests.fixtures_print import make_submission

    submission = make_submission(action, personal_message=PERSONAL)
    for letter in submission.letters:
        letter.personal_message = letter.signature_name = None
        letter.signature_place = letter.date_text = None
    db.session.commit()
    for letter in submission.letters:
        text = letter_as_sent(letter)
        assert text.personal_message == PERSONAL and text.signature_name == "Jane Doe"
        assert text.signature_place.startswith("Leeds, ")
        assert text.date_text  # the day it was written, by the one date rule
        assert text.plain_text.count(PERSONAL) == 1
