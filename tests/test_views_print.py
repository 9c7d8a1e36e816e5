"""Downloads, the thank-you page's print panel, and "I posted it"."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from actionapp.extensions import db
from actionapp.letters.record import submission_by_token
from actionapp.models import Letter, LetterStatus, Submission, utcnow
from actionapp.printing import pdf as pdf_service
from actionapp.stats.counts import action_counts
from tests.builders import make_chinese_case
from tests.conftest import compose_data, csrf_token_from, started_stamp
from tests.fixtures_print import read_pdf


@pytest.fixture
def action(app):
    """Two targets in China written to in Chinese and a UK embassy copy: three letters each."""
    built = make_chinese_case()
    db.session.commit()
    return built


def _token(response) -> str:
    return response.headers["Location"].rsplit("/", 1)[1]


def test_print_thanks_page_offers_download_choices_and_how_to_post(client, action, post_letter):
    response = post_letter(action, channel="print")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    token = _token(response)
    assert f'href="/actions/{action.slug}/print/{token}/letters.pdf"' in page
    assert "Download your 3 letters (PDF)" in page
    assert 'name="paper" value="a4" checked' in page  # a GB supporter: A4
    assert 'name="translation" value="1"' in page  # two letters are in Chinese
    assert f'action="/actions/{action.slug}/print/{token}/envelopes.pdf"' in page
    assert "How to post it" in page and "international letter" in page
    assert "a letter within your country" in page  # the embassy in London
    assert "The deadline is" in page and "should arrive in time" in page
    assert f'action="/actions/{action.slug}/posted/{token}"' in page
    assert "I posted it" in page
    assert "Also print it" not in page


def test_thanks_page_warns_when_post_would_arrive_late(client, action, post_letter):
    response = post_letter(action, channel="print")
    action.deadline = utcnow() + timedelta(days=3)
    db.session.commit()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "it may arrive too late" in page


def test_letter_paper_is_preselected_for_us_supporters(client, action, post_letter):
    response = post_letter(action, channel="print", country="US", city="Boston")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="paper" value="letter" checked' in page
    assert '<option value="no10" selected>' in page


def test_download_is_a_pdf_named_after_the_action_and_date(client, action, post_letter):
    token = _token(post_letter(action, channel="print"))
    response = client.get(f"/actions/{action.slug}/print/{token}/letters.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    today = utcnow().date().isoformat()
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="appeal-{action.slug}-{today}.pdf"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    pdf = read_pdf(response.data)
    assert pdf.pages == 4  # three letters and the posting guide
    # The guide prints a short address (and its QR code) that leads to the "I posted it" page.
    short = re.search(r"http://127\.0\.0\.1:5000(/p/[0-9A-Z-]+)", pdf.texts[-1])
    assert short, pdf.texts[-1]
    followed = client.get(short.group(1))
    assert followed.headers["Location"] == f"/actions/{action.slug}/posted/{token}"


def test_download_choices_paper_translation_guide(client, action, post_letter):
    token = _token(post_letter(action, channel="print"))
    url = f"/actions/{action.slug}/print/{token}/letters.pdf"
    pdf = read_pdf(client.get(url + "?paper=letter&translation=1&guide=0").data)
    assert pdf.pages == 3 + 2
    assert all(round(w) == 216 and round(h) == 279 for w, h in pdf.sizes)
    assert "Translation for you" in pdf.texts[-1]
    assert all("Keep this page" not in text for text in pdf.texts)


def test_unknown_or_foreign_token_is_not_found(client, action, post_letter):
    token = _token(post_letter(action, channel="print"))
    assert client.get(f"/actions/{action.slug}/print/nope/letters.pdf").status_code == 404
    assert client.get(f"/actions/other-action/print/{token}/letters.pdf").status_code == 404
    assert client.get(f"/actions/{action.slug}/print/{'x' * 100}/letters.pdf").status_code == 404
    assert (
        client.get(f"/actions/{action.slug}/print/{token}/envelopes.pdf?size=b4").status_code == 404
    )


def test_removed_personal_data_cannot_be_downloaded(client, action, post_letter):
    token = _token(post_letter(action, channel="print"))
    submission_by_token(token).personal_data_removed_at = utcnow()
    db.session.commit()
    assert client.get(f"/actions/{action.slug}/print/{token}/letters.pdf").status_code == 410


def test_envelopes_download(client, action, post_letter):
    token = _token(post_letter(action, channel="print"))
    response = client.get(f"/actions/{action.slug}/print/{token}/envelopes.pdf?size=no10")
    assert response.status_code == 200
    pdf = read_pdf(response.data)
    assert pdf.pages == 3
    assert (round(pdf.sizes[0][0]), round(pdf.sizes[0][1])) == (241, 105)


def test_repeated_download_is_served_from_the_cache(client, action, post_letter, monkeypatch):
    token = _token(post_letter(action, channel="print"))
    url = f"/actions/{action.slug}/print/{token}/letters.pdf?paper=a4"
    first = client.get(url).data
    renders = []
    original = pdf_service.pool.Renderer.submit
    monkeypatch.setattr(
        pdf_service.pool.Renderer,
        "submit",
        lambda self, *args: renders.append(1) or original(self, *args),
    )
    assert client.get(url).data == first
    assert renders == []


def test_slow_render_answers_503_with_a_clear_message(make_app, action, post_letter):
    application = make_app(PDF_RENDER_TIMEOUT=1e-6)  # 0 is refused at start-up
    token = _token(post_letter(action, channel="print"))
    pdf_service.pool.renderer_for(
        pdf_service.PrintSettings.from_config(
            application.config, application.static_folder
        ).assets_dir
    ).cache.clear()
    response = application.test_client().get(f"/actions/{action.slug}/print/{token}/letters.pdf")
    assert response.status_code == 503
    assert "Preparing the PDF took too long" in response.get_data(as_text=True)
    # A download that never came counts nothing.
    assert action_counts(action.id).letters == 0


def test_oversized_personal_paragraph_is_refused_before_any_rendering(
    client, action, post_letter, monkeypatch
):
    renders = []
    monkeypatch.setattr(pdf_service.pool.Renderer, "render", lambda *args, **kw: renders.append(1))
    response = post_letter(action, channel="print", personal_message="x" * 1501)
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(Submission.id))) == 0
    assert renders == []
    assert 'maxlength="1500"' in response.get_data(as_text=True)
    accepted = post_letter(action, channel="print", personal_message="x" * 1500)
    assert accepted.status_code == 303


def _download(client, action, token: str, query: str = "?guide=0"):
    response = client.get(f"/actions/{action.slug}/print/{token}/letters.pdf{query}")
    assert response.status_code == 200
    return response


def test_printed_letters_count_from_their_first_download(client, action, post_letter):
    response = post_letter(action, channel="print")
    token = _token(response)
    # Choosing "Print and post" and opening the thank-you page count nothing yet.
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Download your 3 letters (PDF)" in page
    counts = action_counts(action.id)
    assert (counts.supporters, counts.letters) == (0, 0)
    assert counts.by_status["print"] == {"to_print": 3}
    api = client.get(f"/api/v1/actions/{action.slug}").get_json()["counts"]
    assert api["letters"] == 0 and api["by_status"]["print"] == {"to_print": 3}
    # Nor do the envelopes.
    assert client.get(f"/actions/{action.slug}/print/{token}/envelopes.pdf").status_code == 200
    assert action_counts(action.id).letters == 0
    # The first download counts the letters once, and the supporter.
    _download(client, action, token)
    counts = action_counts(action.id)
    assert (counts.supporters, counts.letters, counts.by_channel["print"]) == (1, 3, 3)
    assert counts.by_status["print"] == {"to_print": 0, "printed": 3}
    # A second download, with other choices, changes nothing.
    _download(client, action, token, "?paper=letter&translation=1")
    assert action_counts(action.id) == counts
    assert set(db.session.scalars(select(Letter.status))) == {LetterStatus.PRINTED}


def test_posted_link_page_changes_nothing_until_confirmed(client, action, post_letter):
    token = _token(post_letter(action, channel="print"))
    _download(client, action, token)
    page = client.get(f"/actions/{action.slug}/posted/{token}")
    assert page.status_code == 200
    assert "Yes, I posted them" in page.get_data(as_text=True)
    statuses = set(db.session.scalars(select(Letter.status)))
    assert statuses == {LetterStatus.PRINTED}
    counts = action_counts(action.id)
    assert counts.by_status["print"] == {"to_print": 0, "printed": 3}


def test_i_posted_it_moves_letters_to_posted_once(client, action, post_letter):
    response = post_letter(action, channel="print")
    token = _token(response)
    _download(client, action, token)
    before = action_counts(action.id)
    confirmed = client.post(f"/actions/{action.slug}/posted/{token}")
    assert confirmed.status_code == 303
    assert confirmed.headers["Location"] == f"/actions/{action.slug}/thanks/{token}#posted"
    client.post(f"/actions/{action.slug}/posted/{token}")  # a second click changes nothing
    db.session.expire_all()
    assert set(db.session.scalars(select(Letter.status))) == {LetterStatus.POSTED}
    after = action_counts(action.id)
    assert after.by_status["print"] == {"to_print": 0, "printed": 0, "posted": 3}
    assert after.by_channel["print"] == before.by_channel["print"] == 3
    assert after.supporters == before.supporters == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "you told us you posted your letters" in page
    assert "I posted it</button>" not in page
    # The confirmation the redirect points to comes first, above the download.
    assert page.index('id="posted"') < page.index("Download your")


def test_i_posted_it_needs_the_csrf_token(make_app, action):
    application = make_app(WTF_CSRF_ENABLED=True)
    client = application.test_client()
    compose = client.get(f"/actions/{action.slug}/write").get_data(as_text=True)
    data = compose_data(
        action,
        channel="print",
        started=started_stamp(application),
        csrf_token=csrf_token_from(compose),
    )
    token = _token(client.post(f"/actions/{action.slug}/write", data=data))
    assert client.post(f"/actions/{action.slug}/posted/{token}").status_code == 400
    page = client.get(f"/actions/{action.slug}/thanks/{token}").get_data(as_text=True)
    form = re.search(r'<form class="posted-form".*?</form>', page, re.S).group(0)
    response = client.post(
        f"/actions/{action.slug}/posted/{token}", data={"csrf_token": csrf_token_from(form)}
    )
    assert response.status_code == 303
    with application.app_context():
        assert action_counts(action.id).by_status["print"]["posted"] == 3


def test_other_channels_can_also_print_without_changing_counts(client, action, post_letter):
    response = post_letter(action, channel="mailto")
    token = _token(response)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Also print it" in page
    before = action_counts(action.id)
    download = client.get(f"/actions/{action.slug}/print/{token}/letters.pdf")
    assert download.status_code == 200
    pdf = read_pdf(download.data)
    assert "/posted/" not in "".join(pdf.texts)  # no "I posted it" link for a mailto letter
    assert client.get(f"/actions/{action.slug}/posted/{token}").status_code == 404
    client.post(f"/actions/{action.slug}/posted/{token}")
    assert action_counts(action.id) == before


def test_chinese_interface_download(client, action, post_letter):
    token = _token(post_letter(action, channel="print", language="zh"))
    client.set_cookie("lang", "zh")
    page = client.get(f"/actions/{action.slug}/thanks/{token}")
    assert page.status_code == 200
    response = client.get(f"/actions/{action.slug}/print/{token}/letters.pdf?translation=1")
    assert response.status_code == 200
    pdf = read_pdf(response.data)
    assert pdf.reader.trailer["/Root"]["/Lang"] == "zh-CN"
    assert "尊敬的李法官" in pdf.texts[0].replace(" ", "")
    # The embassy copy goes in English; its translation page is in Chinese.
    assert "Your Excellency," in pdf.texts[2]
    assert "尊敬的大使阁下" in pdf.texts[-1].replace(" ", "")


def test_a_repeated_download_follows_an_edited_recipient(client, action, post_letter):
    """The cache finds a download by what it is made from: an edit of the action shows at once."""
    token = _token(post_letter(action, channel="print"))
    url = f"/actions/{action.slug}/print/{token}/letters.pdf?guide=0"
    first = client.get(url).data
    assert client.get(url).data == first
    target = submission_by_token(token).letters[0].target
    target.name = "Chief Justice Renamed"
    db.session.commit()
    edited = client.get(url).data
    assert edited != first
    assert "Chief Justice Renamed" in " ".join(read_pdf(edited).texts)


BANNERS = {
    "en": "Translation for you. Do not post this page.",
    "zh": "供您参考的译文。请勿寄出此页。",
}


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(
    ("language", "message", "name", "city"),
    [
        ("en", "I teach history in Leeds.\n\nPlease let them go home.", "Jane Doe", "Leeds"),
        ("zh", "我是一名历史老师。\n\n请让他们回家。", "陈美玲", "台北"),
    ],
)
def test_translation_pages_say_the_whole_letter_as_the_preview_does(
    client, demo_action, post_letter, language, message, name, city
):
    """Each translation page says every part of its letter: date, subject, salutation, text,
    personal paragraph, closing and signature (it stopped at the closing)."""
    token = _token(
        post_letter(
            demo_action,
            channel="print",
            language=language,
            personal_message=message,
            name=name,
            city=city,
        )
    )
    client.set_cookie("lang", language)
    url = f"/actions/{demo_action.slug}/print/{token}/letters.pdf?translation=1&guide=0"
    pdf = read_pdf(client.get(url).data)
    text = _squeezed("".join(pdf.texts))
    submission = submission_by_token(token)
    found = pdf_service.documents.translations(submission)
    assert found, "every demo action has letters in another language"
    position = text.index(_squeezed(BANNERS[language]))
    for _letter, translation, _lang in found:
        parts = [
            translation.subject,
            translation.salutation,
            *translation.body.split("\n\n"),
            *translation.personal_message.split("\n\n"),
            translation.closing,
            translation.signature_name,
            translation.signature_place,
            translation.date_text,
        ]
        if not translation.date_at_end:
            parts.insert(0, parts.pop())
        for part in filter(None, map(_squeezed, parts)):
            # In the letter's order, on its own translation page.
            position = text.index(part, position) + len(part)
