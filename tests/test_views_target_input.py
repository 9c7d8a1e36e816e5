"""Targets entered through the form and through the CSV import meet the same rules, and a bad
address that got into the database anyway costs one failed message, never a supporter's page."""

from __future__ import annotations

import csv
import html
import io
from urllib.parse import urlsplit

import pytest
from flask import current_app
from sqlalchemy import select

from actionapp.email.addresses import EmailAddressError, address_message, normalise_email
from actionapp.extensions import db
from actionapp.models import MessageStatus, OutboxMessage, Target, TargetKind
from actionapp.stats.statistics import delivery_status
from tests.builders import make_chinese_case
from tests.fixtures_email import link_in
from tests.realworld import emails, targets

REFUSED_EMAILS = [case for case in emails() if not case.accepted]
ACCEPTED_EMAILS = [case for case in emails() if case.accepted]
# Names and titles that would break a header: the form has always refused them.
BAD_LINES = [
    "Ambassador\nBcc: x@example.net",
    "=?UTF-8?Q?Ambassador?=",
    "Ambassador\rBcc: x@example.net",
    "A\u2028B",
]
COLUMNS = ["supporter_country", "name", "title", "organisation", "address", "country", "email",
           "language", "salutation_en"]  # fmt: skip


@pytest.fixture
def action(app):
    """Two targets in China with email addresses and a UK embassy copy."""
    built = make_chinese_case()
    db.session.commit()
    return built


def csv_text(rows: list[dict]) -> str:
    out = io.StringIO()
    columns = [*COLUMNS, *sorted({k for row in rows for k in row} - set(COLUMNS))]
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def csv_row(**values) -> dict:
    row = {"supporter_country": "IE", "name": "Ambassador", "title": "", "organisation": "Embassy",
           "address": "40 Ailesbury Road|Dublin 4", "country": "IE", "email": "", "language": "en",
           "salutation_en": "Your Excellency,"}  # fmt: skip
    row.update(values)
    return row


def form_data(**values) -> dict:
    data = {"kind": "embassy", "supporter_country": "IE", "name": "Ambassador", "title": "",
            "organisation": "Embassy", "address_lines": "40 Ailesbury Road\nDublin 4",
            "country": "IE", "email": "", "language": "en",
            "salutations": "en: Your Excellency,", "why": ""}  # fmt: skip
    data.update(values)
    return data


def embassies(action_id: int) -> dict[str, Target]:
    db.session.expire_all()
    found = db.session.scalars(
        select(Target).where(Target.action_id == action_id, Target.kind == TargetKind.EMBASSY)
    )
    return {t.supporter_country: t for t in found}


def import_csv(client, action, text: str):
    return client.post(
        f"/organise/actions/{action.id}/embassies/import",
        data={"file": (io.BytesIO(text.encode()), "embassies.csv")},
        content_type="multipart/form-data",
    )


def refusal_message(address: str) -> str:
    """Return the message the one address check gives for a refused address."""
    try:
        normalise_email(address)
    except EmailAddressError as error:
        with current_app.test_request_context():
            return str(address_message(error.problem))
    raise AssertionError(f"{address!r} is accepted")


@pytest.fixture
def editor(signed_in):
    return signed_in("editor")


def test_every_refused_email_is_refused_by_form_and_csv_with_its_line(editor, action):
    before = {c: (t.name, t.email) for c, t in embassies(action.id).items()}
    for case in REFUSED_EMAILS:
        form = editor.post(
            f"/organise/actions/{action.id}/targets/new", data=form_data(email=case.address)
        )
        assert form.status_code == 422, case
        assert refusal_message(case.address) in html.unescape(form.get_data(as_text=True)), case
        # A good row first: nothing at all is imported from a file with one bad row.
        text = csv_text([csv_row(supporter_country="NZ", country="NZ"),
                         csv_row(email=case.address)])  # fmt: skip
        response = import_csv(editor, action, text)
        page = response.get_data(as_text=True)
        assert response.status_code == 422, case
        assert "Line 3" in page and "email: " in page, (case, page)
        assert "Nothing was imported" in page
    after = {c: (t.name, t.email) for c, t in embassies(action.id).items()}
    assert after == before


def test_every_accepted_email_is_stored_alike_from_form_and_csv(editor, action):
    for case in ACCEPTED_EMAILS:
        form = editor.post(
            f"/organise/actions/{action.id}/targets/new",
            data=form_data(email=case.address, supporter_country="NZ", country="NZ"),
        )
        assert form.status_code == 303, (case, form.get_data(as_text=True))
        from_form = embassies(action.id)["NZ"].email
        db.session.delete(embassies(action.id)["NZ"])
        db.session.commit()
        response = import_csv(editor, action, csv_text([csv_row(email=case.address)]))
        assert response.status_code == 303, (case, response.get_data(as_text=True))
        from_csv = embassies(action.id)["IE"].email
        assert from_form == from_csv, case
        assert from_csv.isascii() and "\n" not in from_csv, case  # what SMTP will be given
        if "xn--" in case.expectation:
            domain = case.expectation.split("xn--", 1)[1].split()[0].split(")")[0].split(",")[0]
            assert from_csv.endswith("xn--" + domain.strip()), (case, from_csv)


@pytest.mark.parametrize("bad", BAD_LINES)
@pytest.mark.parametrize("field", ["name", "title", "organisation"])
def test_header_breaking_names_are_refused_by_form_and_csv(editor, action, field, bad):
    form = editor.post(f"/organise/actions/{action.id}/targets/new", data=form_data(**{field: bad}))
    assert form.status_code == 422
    assert "Please write this on one line" in form.get_data(as_text=True)
    response = import_csv(editor, action, csv_text([csv_row(**{field: bad})]))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"{field}: Please write this on one line" in page and "Line 2" in page
    assert "IE" not in embassies(action.id)


def test_every_real_world_target_gets_the_same_verdict_from_form_and_csv(editor, action):
    for person in targets():
        fields = dict(
            name=person["name"], organisation=person["organisation"], country=person["country"],
            language=person["language"],
        )  # fmt: skip
        form = editor.post(
            f"/organise/actions/{action.id}/targets/new",
            data=form_data(**fields, address_lines=person["address"],
                           salutations=f"{person['language']}: {person['salutation']}"),
        )  # fmt: skip
        from_form = embassies(action.id).get("IE")
        if from_form is not None:
            stored_form = (from_form.name, from_form.organisation, from_form.address_lines,
                           from_form.country, from_form.salutations)  # fmt: skip
            db.session.delete(from_form)
            db.session.commit()
        row = csv_row(**fields, address=person["address"], salutation_en="")
        row[f"salutation_{person['language']}"] = person["salutation"]
        global COLUMNS
        columns = COLUMNS
        if f"salutation_{person['language']}" not in columns:
            COLUMNS = [*columns, f"salutation_{person['language']}"]
        try:
            response = import_csv(editor, action, csv_text([row]))
        finally:
            COLUMNS = columns
        assert (form.status_code == 303) == (response.status_code == 303), (
            person,
            form.status_code,
            response.status_code,
        )
        if response.status_code == 303:
            target = embassies(action.id)["IE"]
            stored_csv = (target.name, target.organisation, target.address_lines, target.country,
                          target.salutations)  # fmt: skip
            assert stored_csv == stored_form, person
            db.session.delete(target)
            db.session.commit()
        else:
            assert form.status_code == 422 and response.status_code == 422, person
            assert "is not a country code" in response.get_data(as_text=True), person


@pytest.mark.parametrize("case", REFUSED_EMAILS, ids=lambda c: repr(c.address))
def test_a_bad_stored_address_fails_one_message_and_never_the_supporter(
    case, client, post_letter, action, smtp_server, deliver, runner
):
    """Data from before the shared rules (or written around them): the mail layer copes."""
    embassy = next(t for t in action.targets if t.kind == TargetKind.EMBASSY and
                   t.supporter_country == "GB")  # fmt: skip
    embassy.email = case.address
    db.session.commit()
    assert post_letter(action, channel="email").status_code == 303
    assert deliver().sent == 1
    (confirmation,) = smtp_server.to("jane@example.org")
    confirmed = client.post(urlsplit(link_in(confirmation.text())).path)
    assert confirmed.status_code == 303
    assert client.get(confirmed.headers["Location"]).status_code == 200
    result = deliver()
    failed = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == MessageStatus.FAILED)
    ).all()
    injected = [r for r in smtp_server.received if any("x@example.net" in t for t in r.rcpt_tos)]
    assert not injected
    if not failed:
        # "a@b" is one address to SMTP (a dotless domain): handed over as typed, nothing more.
        assert result.sent == 4 and smtp_server.to(case.address.strip()), case
        return
    assert result.sent == 3  # the two other letters and the supporter's copy
    assert len(failed) == 1 and failed[0].letter.target_id == embassy.id
    assert failed[0].last_error.startswith("not sent: ")
    status = delivery_status(action.id)
    assert status.failed == 1 and status.sent == 2
    assert any(r.startswith("not sent: ") for r, _n in status.failure_reasons)
    assert "not sent: " in runner.invoke(args=["outbox", "status"]).output
    copy = [r for r in smtp_server.to("jane@example.org") if "Copy" in r.message["Subject"]]
    assert len(copy) == 1 and "We could not deliver these letters by email:" in copy[0].text()


@pytest.mark.parametrize("code", ["xx", "en-XX", "und", "qq-Latn"])
def test_a_language_code_no_language_has_is_refused_by_form_and_csv_with_its_line(
    editor, action, code
):
    before = set(embassies(action.id))
    form = editor.post(f"/organise/actions/{action.id}/targets/new", data=form_data(language=code))
    assert form.status_code == 422
    assert "Use a language code such as en, zh or pt-BR." in form.get_data(as_text=True)
    assert 'value="Ambassador"' in form.get_data(as_text=True)  # nothing typed is lost
    text = csv_text([csv_row(supporter_country="NZ", country="NZ"), csv_row(language=code)])
    page = import_csv(editor, action, text).get_data(as_text=True)
    assert f"Line 3: language: “{code}” is not a language code such as en." in page, page
    assert "Nothing was imported" in page
    # A salutation in such a "language" is refused the same way.
    page = import_csv(editor, action, csv_text([csv_row(**{f"salutation_{code}": "Dear"})]))
    assert page.status_code == 422
    assert f"Line 2: salutation_*: Not understood: {code}: Dear" in page.get_data(as_text=True)
    assert set(embassies(action.id)) == before and "IE" not in before


@pytest.mark.parametrize("code", ["ar", "pt-BR", "zh-Hans", "es-419", "fil", "yue", "sw"])
def test_real_letter_languages_beyond_the_interface_ones_are_accepted(editor, action, code):
    response = import_csv(editor, action, csv_text([csv_row(language=code)]))
    assert response.status_code == 303, response.get_data(as_text=True)
    assert embassies(action.id)["IE"].language == code
