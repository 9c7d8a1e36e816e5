"""The action editor: from a new draft to a live action supporters write to, and bad input."""

from __future__ import annotations

import io
import os
import re
from datetime import timedelta

from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from actionapp.extensions import db
from actionapp.models import Action, Channel, Letter, LetterRollup, Target, utcnow
from tests.builders import embassy_fields, make_action, target_fields
from tests.conftest import compose_data, started_stamp
from tests.fixtures_organise import add_letters

LETTER = """I am writing to you from {{ supporter.city }}, {{ supporter.country }}.
{{ target.salutation }} Please release the prisoner.
{% if personal_message %}{{ personal_message }}{% endif %}
Written on {{ today }} by {{ supporter.name }}."""


def _new_action(client, slug="test-case", **overrides):
    deadline = (utcnow() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "title": "Free the test prisoner",
        "slug": slug,
        "summary": "A person is held for a test.",
        "what_we_ask": "- **Release** them\n- <script>alert(1)</script>",
        "background": "Some [background](https://example.org).",
        "language": "en",
        "target_country": "CN",
        "goal": "100",
        "deadline": deadline,
        "post_days": "10",
        "require_email_confirmation": "y",
        "mail_rate_per_hour": "30",
        "retention_days": "30",
    }
    data.update(overrides)
    return client.post("/organise/actions/new", data=data)


def _target(client, action_id, **overrides):
    data = {
        "kind": "primary",
        "supporter_country": "",
        "name": "Minister of Justice",
        "title": "Minister",
        "organisation": "Ministry of Justice",
        "address_lines": "1 Justice Road\nCapital City",
        "country": "CN",
        "email": "minister@example.org",
        "language": "en",
        "salutations": "en: Dear Minister,\nzh: 尊敬的部长：",
        "why": "Decides on releases.",
    }
    data.update(overrides)
    return client.post(f"/organise/actions/{action_id}/targets/new", data=data)


def _letter(client, action_id, body=LETTER, **overrides):
    data = {
        "label": "Call for release",
        "variant": "release",
        "language": "en",
        "subjects": "Please release them\nAn appeal for release",
        "body": body,
        "closing": "Yours sincerely,",
        "step": "save",
    }
    data.update(overrides)
    return client.post(f"/organise/actions/{action_id}/letters/new", data=data)


def test_an_editor_builds_and_publishes_an_action_that_supporters_write_to(app, signed_in, client):
    editor = signed_in("editor")
    created = _new_action(editor)
    assert created.status_code == 303
    action = db.session.scalar(select(Action).where(Action.slug == "test-case"))
    assert created.headers["Location"] == f"/organise/actions/{action.id}"
    assert client.get("/actions/test-case").status_code == 404  # still a draft
    refused = editor.post(f"/organise/actions/{action.id}/publish", follow_redirects=True)
    text = refused.get_data(as_text=True)
    assert "Add at least one target" in text and "Add a model letter" in text
    assert _target(editor, action.id).status_code == 303
    assert _letter(editor, action.id).status_code == 303
    assert editor.post(f"/organise/actions/{action.id}/publish").status_code == 303
    db.session.expire_all()
    assert db.session.get(Action, action.id).status == "live"
    page = client.get("/actions/test-case").get_data(as_text=True)
    assert "<strong>Release</strong>" in page and "<script>" not in page
    assert "&lt;script&gt;" in page or "alert(1)" not in page.split("What we ask")[1][:300]
    # A supporter writes; the letter carries every placeholder's value once.
    action = db.session.get(Action, action.id)
    data = compose_data(action, channel="print", started=started_stamp(app), country="NL")
    assert client.post("/actions/test-case/write", data=data).status_code == 303
    letter = db.session.scalar(select(Letter).where(Letter.action_id == action.id))
    assert "from Leeds, Netherlands" in letter.body
    assert "Dear Minister, Please release" in letter.body
    assert letter.body.count("I am a teacher") == 1 and "by Jane Doe" in letter.body
    assert letter.subject in ("Please release them", "An appeal for release")
    # Closing stops letters.
    assert editor.post(f"/organise/actions/{action.id}/close").status_code == 303
    assert (
        client.post("/actions/test-case/write", data=data | {"client_key": "z" * 20}).status_code
        == 410
    )


def test_unsafe_and_wrong_templates_are_refused_at_their_line_and_never_run(signed_in):
    editor = signed_in("editor")
    _new_action(editor)
    action = db.session.scalar(select(Action).where(Action.slug == "test-case"))
    cases = {
        "{{ ''.__class__.__mro__ }}": "Line 1",
        "Dear friend,\n\n{{ supporter.email }}": "Line 3",
        "Hello\n{% for x in range(10**9) %}x{% endfor %}": "Line 2",
        "Hello {{ supporter.name": "Template syntax error",
        "{{ cycler.__init__.__globals__ }}": "sandbox",
        "{{ lipsum() }}": "not allowed",
    }
    for body, expected in cases.items():
        response = _letter(editor, action.id, body=body)
        text = response.get_data(as_text=True)
        assert response.status_code == 422, body
        assert expected in text, (body, text[text.find("problems") : text.find("problems") + 600])
    assert "refused: a model letter cannot reach into the program" in _letter(
        editor, action.id, body="{{ ''.__class__ }}"
    ).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Action, action.id).model_letters == []
    preview = editor.post(
        f"/organise/actions/{action.id}/letters/preview",
        data={"language": "en", "variant": "x", "body": "a\n{{ supporter.__dict__ }}"},
    ).get_data(as_text=True)
    assert "Line 2" in preview and "__dict__" in preview


def test_live_preview_renders_the_letter_with_sample_values(signed_in, action):
    editor = signed_in("editor")
    response = editor.post(
        f"/organise/actions/{action.id}/letters/preview",
        data={
            "language": "en",
            "variant": "new",
            "subjects": "Subject A",
            "body": "From {{ supporter.city }} to {{ target.salutation }}: {{ today }}",
            "closing": "Regards,",
        },
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "From Leeds to Dear Minister,:" in text and "Subject A" in text
    step = editor.post(
        f"/organise/actions/{action.id}/letters/{action.model_letters[0].id}/edit",
        data={
            "label": "Call", "variant": "release", "language": "en", "subjects": "S",
            "body": "Changed {{ supporter.name }}", "step": "preview",
        },
    )  # fmt: skip
    assert step.status_code == 200 and "Changed Alex Example" in step.get_data(as_text=True)
    db.session.expire_all()
    assert "Changed" not in action.model_letters[0].body  # a preview saves nothing


def test_duplicate_variant_and_language_is_refused(signed_in, action):
    response = _letter(signed_in("editor"), action.id)
    assert response.status_code == 422
    assert "already has a “release” letter in this language" in response.get_data(as_text=True)


def _png(width=40, height=20, **info) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG", **info)
    return buffer.getvalue()


def test_image_upload_is_checked_by_content_and_re_encoded(signed_in, action, uploads, app):
    editor = signed_in("editor")
    url = f"/organise/actions/{action.id}/image"
    fake = editor.post(
        url,
        data={"image": (io.BytesIO(b"<?php echo 1; ?>"), "photo.png"), "image_alt": "A photo"},
        content_type="multipart/form-data",
    )
    assert fake.status_code == 422 and "not an image we can read" in fake.get_data(as_text=True)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    refused = editor.post(
        url,
        data={"image": (io.BytesIO(svg), "image.jpg"), "image_alt": "x"},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    bomb = editor.post(
        url,
        data={"image": (io.BytesIO(_png(9000, 9000)), "big.png"), "image_alt": "x"},
        content_type="multipart/form-data",
    )
    assert bomb.status_code == 422 and "too many pixels" in bomb.get_data(as_text=True)
    # A raw body (the test client would spool a form this large into a file it never closes).
    too_big = editor.post(
        url,
        data=b"0" * (6 * 1024 * 1024),
        content_type="multipart/form-data; boundary=x",
    )
    assert too_big.status_code == 413
    noise = io.BytesIO()
    Image.frombytes("RGB", (700, 500), os.urandom(700 * 500 * 3)).save(noise, format="PNG")
    assert len(noise.getvalue()) > app.config["MAX_CONTENT_LENGTH"]  # above the usual limit
    boundary, body = encode_multipart(
        {"image": FileStorage(io.BytesIO(noise.getvalue()), "noise.png"), "image_alt": "Noise",
         "csrf_token": ""}
    )  # fmt: skip
    large = editor.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert large.status_code == 303
    good = editor.post(
        url,
        data={"image": (io.BytesIO(_png(3000, 1000)), "photo.png"), "image_alt": "Candles"},
        content_type="multipart/form-data",
    )
    assert good.status_code == 303
    db.session.expire_all()
    action = db.session.get(Action, action.id)
    assert re.fullmatch(r"uploads/[0-9a-f]{32}\.jpg", action.image)
    stored = uploads / action.image.removeprefix("uploads/")
    with Image.open(stored) as image:
        assert image.format == "JPEG" and image.size == (1600, 533)
    page = app.test_client().get(f"/actions/{action.slug}").get_data(as_text=True)
    src = re.search(r'class="action-image" src="([^"]+)"', page).group(1)
    assert src == f"/media/actions/{stored.name}"
    served = app.test_client().get(src)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.data == stored.read_bytes() and "Set-Cookie" not in served.headers
    served.close()
    assert app.test_client().get("/media/actions/..%2Fdev-secret-key").status_code == 404
    # Replacing the image removes the old file.
    editor.post(f"/organise/actions/{action.id}/image/remove")
    assert not stored.exists()


def test_embassy_copies_import_from_csv_all_or_nothing(signed_in, action):
    editor = signed_in("editor")
    url = f"/organise/actions/{action.id}/embassies/import"
    good = (
        "supporter_country,name,organisation,address,country,email,language,salutation_en\n"
        "IE,Ambassador,Embassy in Ireland,40 Ailesbury Road|Dublin 4,IE,ie@example.org,en,"
        '"Your Excellency,"\n'
        'GB,New Ambassador,Embassy in the UK,49 Portland Place|London,GB,,en,"Dear Ambassador,"\n'
    )
    response = editor.post(
        url, data={"file": (io.BytesIO(good.encode()), "e.csv")}, content_type="multipart/form-data"
    )
    assert response.status_code == 303
    db.session.expire_all()
    embassies = {
        t.supporter_country: t
        for t in db.session.scalars(
            select(Target).where(Target.action_id == action.id, Target.kind == "embassy")
        )
    }
    assert embassies["IE"].address_lines == "40 Ailesbury Road\nDublin 4"
    assert embassies["IE"].salutations == {"en": "Your Excellency,"}
    assert embassies["GB"].name == "New Ambassador"  # replaced, not duplicated
    bad = "supporter_country,name,email\nXX,Someone,\nFR,,not-an-email\n"
    refused = editor.post(
        url, data={"file": (io.BytesIO(bad.encode()), "e.csv")}, content_type="multipart/form-data"
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Nothing was imported" in text
    assert "Line 2" in text and "Line 3" in text and "does not look like an email address" in text


def test_targets_with_letters_stay_and_deleting_an_action_needs_an_admin(signed_in, app):
    action = make_action(targets=[target_fields(), target_fields("Judge Li"), embassy_fields()])
    db.session.commit()
    add_letters(action, Channel.PRINT, "GB", "p1")
    editor = signed_in("editor")
    target = action.targets[0]
    editor.post(
        f"/organise/actions/{action.id}/targets/{target.id}/delete", data={"confirm": "yes"}
    )
    assert db.session.get(Target, target.id) is not None
    page = editor.get(f"/organise/actions/{action.id}/delete").get_data(as_text=True)
    assert "Only an administrator" in page and "3 letters were written" in page
    url = f"/organise/actions/{action.id}/delete"
    assert editor.post(url, data={"confirm": action.slug}).status_code == 403
    admin = signed_in("admin")
    assert admin.post(url, data={"confirm": "wrong"}).status_code == 422
    assert admin.post(url, data={"confirm": action.slug}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Action, action.id) is None
    assert db.session.scalar(select(func.count(Letter.id))) == 0
    assert db.session.scalar(select(func.count()).select_from(LetterRollup)) == 0


def test_outcome_update_shows_on_the_action_page(signed_in, action, client):
    editor = signed_in("editor")
    response = editor.post(
        f"/organise/actions/{action.id}/updates/new",
        data={"outcome": "released", "title": "Released on 1 May", "body": "**Good news**"},
    )
    assert response.status_code == 303
    page = client.get(f"/actions/{action.slug}").get_data(as_text=True)
    assert "Released on 1 May" in page and "<strong>Good news</strong>" in page
    assert "Released" in page.split("<h1>")[0]  # the status badge


def test_invalid_action_form_keeps_input_and_explains(signed_in, action):
    editor = signed_in("editor")
    response = _new_action(editor, slug=action.slug, goal="-5", language="english")
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Free the test prisoner" in text
    assert "Use a language code" in text and "Number must be between 1 and" in text
    taken = _new_action(editor, slug=action.slug)
    assert "Another action uses this web address" in taken.get_data(as_text=True)


def test_saved_model_letter_previews_as_a_printed_pdf(signed_in, action):
    from pypdf import PdfReader

    letter = next(m for m in action.model_letters if m.language == "en")
    url = f"/organise/actions/{action.id}/letters/{letter.id}/preview.pdf"
    response = signed_in("editor").get(url + "?paper=letter")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Alex Example" in text and "Leeds" in text and "Dear Minister" in text
    assert any(subject[:30] in " ".join(text.split()) for subject in letter.subjects)
    db.session.rollback()
    from actionapp.models import Submission

    assert db.session.scalar(select(func.count(Submission.id))) == 0  # nothing was saved


def test_an_action_or_model_letter_in_no_real_language_is_refused(signed_in, action):
    editor = signed_in("editor")
    refused = _new_action(editor, slug="in-xx", language="xx")
    assert refused.status_code == 422
    assert "Use a language code such as en, zh or pt-BR." in refused.get_data(as_text=True)
    letter = _letter(editor, action.id, variant="other", language="xx")
    assert letter.status_code == 422
    assert "Use a language code such as en, zh or pt-BR." in letter.get_data(as_text=True)
    # A real letter language other than the interface's two is fine.
    assert _new_action(editor, slug="in-swahili", language="sw").status_code == 303
