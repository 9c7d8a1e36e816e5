"""Every real-world email address, through every way an address enters and leaves the app."""

from __future__ import annotations

import html
import re
from urllib.parse import unquote, urlsplit

import pytest
from sqlalchemy import select

from actionapp.email.addresses import EmailAddressError, email_lookup_key, normalise_email
from actionapp.email.messages import ascii_address, mailto_url
from actionapp.extensions import db
from actionapp.letters.record import sender_key
from actionapp.models import Organiser, OutboxMessage, Submission, Target
from tests.builders import make_chinese_case
from tests.fixtures_email import link_in
from tests.fixtures_organise import sign_in
from tests.realworld import emails

CASES = emails()
ACCEPTED = [case for case in CASES if case.accepted]
REFUSED = [case for case in CASES if not case.accepted]
IDS = [repr(case.address) for case in CASES]


@pytest.fixture
def action(app):
    """Two targets in China written to in Chinese, with email addresses, and a UK embassy copy."""
    built = make_chinese_case()
    db.session.commit()
    return built


def expected_address(case) -> str:
    """Return what the case's line says mail must go to: its IDNA2008 domain, or as typed."""
    local = case.address.rpartition("@")[0]
    domain = re.search(r"xn--[a-z0-9-]+\.[a-z]+", case.expectation)
    return (f"{local}@{domain[0]}" if domain else case.address).lower()


def test_the_corpus_has_both_kinds():
    assert len(ACCEPTED) >= 5 and len(REFUSED) >= 5
    assert any("xn--" in expected_address(case) for case in ACCEPTED)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_one_normalisation_accepts_or_refuses_each_address(case):
    if case.accepted:
        assert normalise_email(case.address) == expected_address(case)
        assert ascii_address(case.address) == expected_address(case)
        # Never Python's IDNA2003 codec, which maps ß to ss (another domain).
        assert "ss." not in normalise_email(case.address) or "ss" in case.address
    else:
        with pytest.raises(EmailAddressError):
            normalise_email(case.address)
        with pytest.raises(ValueError):
            ascii_address(case.address)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_lookup_key_is_the_normal_form_or_the_trimmed_lower_case(case):
    # email_lookup_key skips the validator for ASCII: its answer must be the validator's.
    typed = f"  {case.address.upper() if case.address.isascii() else case.address} "
    try:
        expected = normalise_email(typed)
    except EmailAddressError:
        expected = typed.strip().lower()
    assert email_lookup_key(typed) == expected
    # One supporter, however the address is typed: the keys of limits and "already written".
    assert sender_key(typed) == sender_key(expected)


def test_an_idn_address_and_its_idna2008_spelling_are_one_sender():
    assert sender_key("Jane@Straße.example") == sender_key("jane@xn--strae-oqa.example")
    assert sender_key("jane@straße.example") != sender_key("jane@strasse.example")


def test_mailto_links_carry_the_idna2008_domain():
    link = mailto_url(["Office@Straße.example"], "Subject")
    assert unquote(urlsplit(link).path) == "office@xn--strae-oqa.example"


@pytest.mark.parametrize("case", REFUSED, ids=[repr(c.address) for c in REFUSED])
def test_composer_refuses_each_bad_address_with_a_message(post_letter, action, case):
    response = post_letter(action, channel="email", email=case.address)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'<p class="error" id="email-error">[^<]{10,}</p>', page), page
    assert db.session.scalars(select(Submission)).all() == []
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_composer_names_the_smtputf8_problem(post_letter, action):
    response = post_letter(action, channel="email", email="用户@example.org")
    assert "non-Latin letters before the @" in response.get_data(as_text=True)


@pytest.mark.parametrize("case", ACCEPTED, ids=[repr(c.address) for c in ACCEPTED])
def test_composer_to_smtp_server_uses_the_idna2008_form(
    client, post_letter, action, smtp_server, deliver, case
):
    """Confirmation RCPT and To, then each letter's Reply-To: the IDNA2008 form, never IDNA2003."""
    address = expected_address(case)
    response = post_letter(action, channel="email", email=case.address)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert db.session.scalars(select(Submission.email)).one() == address
    deliver()
    (confirmation,) = smtp_server.received
    assert confirmation.rcpt_tos == [address]
    assert confirmation.message["To"].addresses[0].addr_spec == address
    assert client.post(urlsplit(link_in(confirmation.text())).path).status_code == 303
    deliver()
    letters = [r for r in smtp_server.received if r is not confirmation and "Reply-To" in r.message]
    assert letters
    for received in letters:
        assert received.message["Reply-To"].addresses[0].addr_spec == address
        assert address.encode() in received.data  # on the wire as ASCII, as it is stored
    for received in smtp_server.received:
        raw = received.data.decode("ascii")
        assert "strasse" not in raw and "gross." not in raw
        assert all(r.isascii() for r in received.rcpt_tos)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_target_form_stores_the_normal_form_and_mailto_uses_it(
    signed_in, action, client, post_letter, case
):
    editor = signed_in("editor")
    target = action.targets[0]
    data = {
        "kind": "primary",
        "supporter_country": "",
        "name": target.name,
        "title": target.title or "",
        "organisation": target.organisation or "",
        "address_lines": target.address_lines or "1 Road\nCity",
        "country": target.country or "CN",
        "email": case.address,
        "language": "en",
        "salutations": "en: Dear President,",
        "why": "",
    }
    response = editor.post(f"/organise/actions/{action.id}/targets/{target.id}/edit", data=data)
    db.session.expire_all()
    stored = db.session.get(Target, target.id).email
    if not case.accepted:
        assert response.status_code in (400, 422)
        assert stored != case.address
        return
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    assert stored == expected_address(case)
    thanks = post_letter(action, channel="mailto", targets=[str(target.id)])
    page = client.get(thanks.headers["Location"]).get_data(as_text=True)
    links = [html.unescape(h) for h in re.findall(r'href="(mailto:[^"?]+)', page)]
    assert stored in {unquote(link.removeprefix("mailto:")) for link in links}


def test_organiser_cli_and_sign_in_use_the_normal_form(app, runner, cheap_hashing):
    result = runner.invoke(
        args=["organisers", "create", "Admin@Straße.example", "--role", "admin"],
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    organiser = db.session.scalars(select(Organiser)).one()
    assert organiser.email == "admin@xn--strae-oqa.example"
    refused = runner.invoke(
        args=["organisers", "create", "用户@example.org", "--role", "admin"],
        input="a long enough password\na long enough password\n",
    )
    assert refused.exit_code != 0 and "not an email address" in refused.output
    client = app.test_client()
    # Typed in Unicode, as a person would: the same account.
    assert sign_in(client, "ADMIN@straße.example", "a long enough password").status_code == 303


def test_a_paragraph_at_its_limit_with_browser_line_breaks_is_accepted(post_letter, action):
    """Browsers count a line break as one character and send CRLF: the limit counts as they do."""
    from actionapp.letters.forms import PERSONAL_MAX

    as_counted = ("I write as a teacher.\n" * PERSONAL_MAX)[:PERSONAL_MAX]
    sent = as_counted.replace("\n", "\r\n")
    assert len(sent) > PERSONAL_MAX  # what the browser posts is longer than what it counted
    response = post_letter(action, channel="print", personal_message=sent)
    assert response.status_code == 303, response.get_data(as_text=True)[-3000:]
    stored = db.session.scalars(select(Submission)).one().personal_message
    assert "\r" not in stored and stored.strip() == as_counted.strip()
