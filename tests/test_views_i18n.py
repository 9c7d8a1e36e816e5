"""Interface language: a cookie choice or Accept-Language; complete catalogues."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

from actionapp.extensions import db
from tests.builders import make_action

CATALOGUES = Path(__file__).resolve().parent.parent / "actionapp" / "translations"


def test_accept_language_picks_chinese(client, action):
    page = client.get(f"/actions/{action.slug}", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    text = page.get_data(as_text=True)
    assert '<html lang="zh-CN">' in text
    assert "我们的要求" in text  # "What we ask"


def test_cookie_choice_beats_accept_language(client, action):
    response = client.get("/language/zh?next=/")
    assert response.status_code == 303
    page = client.get("/", headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "紧急行动" in page


def test_dates_and_numbers_follow_the_interface_language(client, app):
    action = make_action(goal=5000)
    db.session.commit()
    english = client.get(f"/actions/{action.slug}", headers={"Accept-Language": "en"})
    chinese = client.get(f"/actions/{action.slug}", headers={"Accept-Language": "zh"})
    deadline = action.deadline
    assert f"{deadline.year}年{deadline.month}月{deadline.day}日" in chinese.get_data(as_text=True)
    assert str(deadline.year) in english.get_data(as_text=True)
    assert "5,000" in english.get_data(as_text=True)


def test_chinese_catalogue_is_complete():
    with (CATALOGUES / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    with (CATALOGUES / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    missing = []
    for message in template:
        if not message.id:
            continue
        translated = catalogue.get(message.id)
        strings = translated.string if translated else None
        if (
            not translated
            or not (all(strings) if isinstance(strings, tuple) else strings)
            or translated.fuzzy
        ):
            missing.append(message.id)
    assert missing == []


def test_catalogue_template_is_up_to_date(tmp_path, monkeypatch):
    """Every string in the code is in messages.pot (run `make extract-messages` otherwise)."""
    from babel.messages.frontend import CommandLineInterface

    # babel.cfg names its files relative to the repository root, as `make extract-messages` runs.
    monkeypatch.chdir(CATALOGUES.parent.parent)
    out = tmp_path / "fresh.pot"
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(CATALOGUES / "babel.cfg"), "-k", "_l",
        "-k", "lazy_gettext", "-o", str(out), ".",
    ])  # fmt: skip
    with out.open("rb") as handle:
        fresh = {m.id for m in read_po(handle) if m.id}
    with (CATALOGUES / "messages.pot").open("rb") as handle:
        known = {m.id for m in read_po(handle) if m.id}
    assert len(fresh) > 300  # the extraction really read the code and templates
    assert "Write your letter" in fresh
    assert sorted(str(m) for m in fresh - known) == []
