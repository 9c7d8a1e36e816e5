"""The case in the visitor's language: every public page, the API, the cache and the editor."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from actionapp.campaigns.case_texts import ActionTextFields, save_action_texts, texts_of
from actionapp.campaigns.markdown import render_markdown
from actionapp.extensions import db
from actionapp.models import ActionStatus, ActionUpdate, UpdateText, utcnow
from actionapp.web.i18n import negotiate_language
from tests.builders import make_chinese_case
from tests.realworld import accept_languages
from tests.test_views_pagecache import FlaskRequests

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
MARKDOWN_TEXTS = ("what_we_ask", "background")
FALLBACK_NOTE_ZH = "尚无中文版本：以下为英语原文。"


class _Texts(HTMLParser):
    """Collect each text node with the language the browser gives it (nearest lang attribute)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.nodes: list[tuple[str, str | None]] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.hrefs.append(attributes["href"])
        if tag in VOID:
            return
        inherited = self.stack[-1][1] if self.stack else None
        self.stack.append((tag, attributes.get("lang", inherited)))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if data.strip():
            self.nodes.append((data.strip(), self.stack[-1][1] if self.stack else None))


def parse(html: str) -> _Texts:
    """Parse a page into its text nodes (with their language) and its links."""
    parser = _Texts()
    parser.feed(html)
    return parser


def text_nodes(text: str, markdown: bool) -> list[str]:
    """Return the text nodes a case text becomes on a page (Markdown rendered as pages do)."""
    if not markdown:
        return [text.strip()]
    return [node for node, _lang in parse(str(render_markdown(text))).nodes]


def assert_shown_in(html: str, text: str, lang: str, markdown: bool = False) -> None:
    """Assert that every text node of a case text is on the page, marked with the language."""
    nodes = parse(html).nodes
    for node in text_nodes(text, markdown):
        found = [node_lang for shown, node_lang in nodes if shown == node]
        assert found, f"not on the page: {node!r}"
        assert lang in found, f"{node!r} is marked {found}, not {lang}"


EN = {
    "title": "Ruritania: Release journalist Ana Novak",
    "summary": "Journalist Ana Novak has been held since March for her reporting. "
    "Write to the authorities and ask for her release.",
    "what_we_ask": "- **Release** Ana Novak **immediately and unconditionally**.\n"
    "- Until then, let her see her family and a lawyer of her choice.",
    "background": "**Ana Novak** is a journalist who reported on forced evictions.\n\n"
    'Police arrested her on 3 March and charged her with "spreading rumours".',
    "share_text": "I just wrote for the journalist Ana Novak. Please write too:",
}
ZH = {
    "title": "释放记者安娜·诺瓦克",
    "summary": "记者安娜·诺瓦克因报道工作自三月起被羁押。请致信当局，要求释放她。",
    "what_we_ask": "- **立即无条件释放**安娜·诺瓦克。\n"
    "- 在她获释之前，允许她会见家人和自行选择的律师。",
    "background": "**安娜·诺瓦克**是一名报道强制拆迁的记者。\n\n"
    "3月3日，警方逮捕了她，并指控她“散布谣言”。",
    "share_text": "我刚刚为记者安娜·诺瓦克写了信。请你也来写信：",
}
WHY = "The court is trying Ana Novak and decides on her case."


@pytest.fixture
def action(app):
    """The case written in English and Chinese; a target's reason to write in English only."""
    built = make_chinese_case(
        texts={"en": ActionTextFields(**EN), "zh": ActionTextFields(**ZH)},
    )
    built.targets[0].why = WHY
    db.session.commit()
    return built


def _with_chinese(client, how: str) -> None:
    """Make every request of the client ask for Chinese, by browser header or by the cookie."""
    if how == "accept-language":
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9,en;q=0.5"
    else:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-GB,en;q=0.9"
        client.set_cookie("lang", "zh")


def _add_update(action, texts: dict[str, tuple[str, str]], outcome: str = "") -> ActionUpdate:
    update = ActionUpdate(
        outcome=outcome,
        published_at=utcnow(),
        texts=[UpdateText(language=code, title=t, body=b) for code, (t, b) in texts.items()],
    )
    action.updates.append(update)
    db.session.commit()
    return update


UPDATE = {
    "en": ("Trial date set", "The court has set a date for the **trial**."),
    "zh": ("开庭日期已确定", "法院已确定**开庭**日期。"),
}


@pytest.mark.parametrize("how", ["accept-language", "cookie"])
def test_every_case_text_shows_in_chinese_on_every_public_page(client, post_letter, action, how):
    _add_update(action, UPDATE)
    _with_chinese(client, how)
    slug = action.slug

    page = client.get(f"/actions/{slug}").get_data(as_text=True)
    assert_shown_in(page, ZH["title"], "zh-CN")
    assert_shown_in(page, ZH["summary"], "zh-CN")
    for name in MARKDOWN_TEXTS:
        assert_shown_in(page, ZH[name], "zh-CN", markdown=True)
    assert_shown_in(page, UPDATE["zh"][0], "zh-CN")
    assert_shown_in(page, UPDATE["zh"][1], "zh-CN", markdown=True)
    assert f"<title>{ZH['title']} · " in page
    # Texts given in the action's own language only (why write to a target) say so.
    assert_shown_in(page, WHY, "en")
    assert EN["title"] not in page and "Trial date set" not in page
    assert "fallback-note" not in page  # nothing fell back

    index = client.get("/").get_data(as_text=True)
    assert_shown_in(index, ZH["title"], "zh-CN")
    assert_shown_in(index, ZH["summary"], "zh-CN")

    for path in (f"/actions/{slug}/event", f"/actions/{slug}/event/report"):
        assert_shown_in(client.get(path).get_data(as_text=True), ZH["title"], "zh-CN")

    thanks = post_letter(action, channel="print", follow=True).get_data(as_text=True)
    assert f"<title>感谢您 · {ZH['title']}</title>" in thanks or ZH["title"] in thanks
    mailto = next(h for h in parse(thanks).hrefs if h.startswith("mailto:?"))
    query = parse_qs(urlsplit(mailto).query)
    assert query["subject"] == [ZH["title"]]
    assert query["body"][0].startswith(ZH["share_text"] + " http")
    telegram = next(h for h in parse(thanks).hrefs if h.startswith("https://t.me/"))
    assert parse_qs(urlsplit(telegram).query)["text"] == [ZH["share_text"]]

    embed = client.get(f"/embed/actions/{slug}/counter").get_data(as_text=True)
    assert_shown_in(embed, ZH["title"], "zh-CN")
    assert f"<title>{ZH['title']}</title>" in embed

    api = client.get(f"/api/v1/actions/{slug}")
    assert api.json["language"] == "zh" and api.json["title"] == ZH["title"]
    assert api.json["summary"] == ZH["summary"].strip()

    action.status = ActionStatus.CLOSED
    db.session.commit()
    closed = client.get(f"/actions/{slug}/write")
    assert closed.status_code == 410
    closed_page = closed.get_data(as_text=True)
    assert_shown_in(closed_page, UPDATE["zh"][0], "zh-CN")
    assert ZH["title"] in closed_page


@pytest.mark.parametrize("how", ["accept-language", "cookie"])
def test_the_composer_shows_the_case_in_chinese(client, action, how):
    _with_chinese(client, how)
    compose = client.get(f"/actions/{action.slug}/write")
    assert compose.status_code == 200
    page = compose.get_data(as_text=True)
    assert_shown_in(page, ZH["title"], "zh-CN")
    assert_shown_in(page, ZH["summary"], "zh-CN")


def test_english_visitors_read_the_english_texts_without_notes(client, action):
    _add_update(action, UPDATE)
    page = client.get(f"/actions/{action.slug}", headers={"Accept-Language": "en-GB"}).get_data(
        as_text=True
    )
    assert_shown_in(page, EN["title"], "en")
    assert_shown_in(page, EN["background"], "en", markdown=True)
    assert_shown_in(page, UPDATE["en"][0], "en")
    assert ZH["title"] not in page and "fallback-note" not in page


def test_every_browser_language_header_gets_the_case_in_the_page_language(app, action):
    """Every real-world Accept-Language header: the h1 is in the language the page speaks."""
    client = app.test_client()
    languages = tuple(app.config["LANGUAGES"])
    titles = {"en": EN["title"], "zh": ZH["title"]}
    for header in accept_languages():
        expected = negotiate_language(None, header, languages)
        page = client.get(f"/actions/{action.slug}", headers={"Accept-Language": header}).get_data(
            as_text=True
        )
        assert_shown_in(page, titles[expected], "zh-CN" if expected == "zh" else "en")


def test_a_text_missing_in_chinese_falls_back_to_english_marked(client, action):
    zh = texts_of(action, "zh")
    save_action_texts(
        action, "zh", ActionTextFields(title=zh.title, summary=zh.summary, what_we_ask="")
    )
    _add_update(action, {"en": UPDATE["en"]})
    db.session.commit()
    _with_chinese(client, "accept-language")
    page = client.get(f"/actions/{action.slug}").get_data(as_text=True)

    assert_shown_in(page, ZH["title"], "zh-CN")
    assert_shown_in(page, ZH["summary"], "zh-CN")
    # What we ask, the background and the update fall back to English, marked for the
    # browser (lang="en") and for the reader (a note before each).
    assert_shown_in(page, EN["what_we_ask"], "en", markdown=True)
    assert_shown_in(page, EN["background"], "en", markdown=True)
    assert_shown_in(page, UPDATE["en"][0], "en")
    assert_shown_in(page, UPDATE["en"][1], "en", markdown=True)
    assert page.count(FALLBACK_NOTE_ZH) == 3  # what we ask, background, the update
    # The share text does not fall back: the interface's own sentence, in Chinese.
    assert "I just wrote" not in page


def test_a_case_not_written_in_chinese_says_so_once(client, action):
    save_action_texts(action, "zh", ActionTextFields())
    db.session.commit()
    assert action.text_in("zh") is None
    _with_chinese(client, "cookie")
    page = client.get(f"/actions/{action.slug}").get_data(as_text=True)
    assert page.count("本案尚无中文版本：以下为英语原文。") == 1
    assert page.count(FALLBACK_NOTE_ZH) == 1  # within that notice: no note per text
    assert_shown_in(page, EN["title"], "en")
    assert_shown_in(page, EN["summary"], "en")
    assert_shown_in(page, "写信", "zh-CN")  # the interface stays Chinese around it
    index = client.get("/").get_data(as_text=True)
    assert "本案尚无中文版本" in index
    assert_shown_in(index, EN["title"], "en")


def test_the_api_answers_in_the_asked_language_and_says_which(client, action):
    path = f"/api/v1/actions/{action.slug}"
    default = client.get(path)
    assert default.json["language"] == "en" and default.json["title"] == EN["title"]
    assert default.headers["Content-Language"] == "en"
    by_header = client.get(path, headers={"Accept-Language": "zh-CN"})
    assert by_header.json["language"] == "zh" and by_header.json["title"] == ZH["title"]
    assert by_header.json["title_language"] == "zh"
    assert by_header.headers["Content-Language"] == "zh"
    assert "Accept-Language" in by_header.headers["Vary"]
    by_parameter = client.get(path + "?lang=zh", headers={"Accept-Language": "en"})
    assert by_parameter.json["title"] == ZH["title"]
    over_header = client.get(path + "?lang=en", headers={"Accept-Language": "zh-CN"})
    assert over_header.json["title"] == EN["title"]
    unknown = client.get(path + "?lang=xx", headers={"Accept-Language": "zh-CN"})
    assert unknown.json["language"] == "zh"
    # A summary not written in Chinese: English, and the answer says so.
    zh = texts_of(action, "zh")
    save_action_texts(action, "zh", ActionTextFields(title=zh.title, what_we_ask=zh.what_we_ask))
    db.session.commit()
    fallback = client.get(path + "?lang=zh").json
    assert fallback["language"] == "zh" and fallback["title_language"] == "zh"
    assert fallback["summary"] == EN["summary"].strip() and fallback["summary_language"] == "en"


def test_osdi_export_gives_the_campaign_in_the_asked_language(action, signed_in):
    viewer = signed_in("viewer")
    path = f"/organise/export/osdi/advocacy_campaigns/{action.id}"
    assert viewer.get(path).json["title"] == EN["title"]
    chinese = viewer.get(path + "?lang=zh").json
    assert chinese["title"] == ZH["title"] and chinese["description"] == ZH["summary"].strip()


def test_the_page_cache_keeps_each_language_and_refreshes_after_an_edit(
    app, client, action, signed_in
):
    editor = signed_in("editor")
    path = f"/actions/{action.slug}"
    chinese = {"Accept-Language": "zh-CN"}
    english = {"Accept-Language": "en"}
    with FlaskRequests(app) as flask_requests:
        first_zh = client.get(path, headers=chinese).get_data(as_text=True)
        first_en = client.get(path, headers=english).get_data(as_text=True)
        assert client.get(path, headers=chinese).get_data(as_text=True) == first_zh
        assert client.get(path, headers=english).get_data(as_text=True) == first_en
    assert flask_requests.count == 2
    assert ZH["title"] in first_zh and EN["title"] in first_en

    zh = texts_of(action, "zh")
    response = editor.post(
        f"/organise/actions/{action.id}/texts/zh",
        data={**vars(zh), "title": "立即释放安娜·诺瓦克"},
    )
    assert response.headers["Location"].endswith(f"/organise/actions/{action.id}#texts")
    edited = client.get(path, headers=chinese).get_data(as_text=True)
    assert "立即释放安娜·诺瓦克" in edited and ZH["title"] not in edited
    assert client.get(path, headers=english).get_data(as_text=True) == first_en

    # An update's text in one language refreshes the page too.
    update = _add_update(action, {"en": UPDATE["en"]})
    assert UPDATE["zh"][0] not in client.get(path, headers=chinese).get_data(as_text=True)
    editor.post(
        f"/organise/actions/{action.id}/updates/{update.id}/texts/zh",
        data={"title": UPDATE["zh"][0], "body": UPDATE["zh"][1]},
    )
    page = client.get(path, headers=chinese).get_data(as_text=True)
    assert_shown_in(page, UPDATE["zh"][0], "zh-CN")
    assert FALLBACK_NOTE_ZH not in page

    # Emptying every Chinese text removes them: the page falls back at once.
    editor.post(f"/organise/actions/{action.id}/texts/zh", data={})
    assert action.text_in("zh") is None
    page = client.get(path, headers=chinese).get_data(as_text=True)
    assert "本案尚无中文版本" not in page  # the update is still in Chinese
    assert_shown_in(page, EN["title"], "en")


def _cells(page: str, label: str) -> list[str]:
    """Return the cells of the texts table's row for one text, in the table's language order."""
    import re

    table = page[page.index('class="data case-texts"') :]
    row = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', table, re.S)
    assert row, label
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row[1])]


def test_the_editor_marks_the_languages_each_text_is_missing_in(action, signed_in):
    editor = signed_in("editor")
    overview = f"/organise/actions/{action.id}"
    page = editor.get(overview).get_data(as_text=True)
    for label in ("Title", "Summary", "What we ask (Markdown)", "Background (Markdown)"):
        assert _cells(page, label) == ["written", "written"]
    assert "Not written in Chinese" not in page

    zh = texts_of(action, "zh")
    response = editor.post(
        f"/organise/actions/{action.id}/texts/zh",
        data={**vars(zh), "background": "", "share_text": ""},
    )
    assert response.status_code == 303
    _add_update(action, {"en": UPDATE["en"]})
    page = editor.get(overview).get_data(as_text=True)
    assert _cells(page, "Title") == ["written", "written"]
    assert _cells(page, "Background (Markdown)") == ["written", "missing"]
    assert _cells(page, "Share text") == ["written", "missing"]
    assert "missing in Chinese" in page  # the English-only update
    assert f"/organise/actions/{action.id}/texts/zh" in page

    # The form for Chinese shows what is there, and the English text beside each field.
    form = editor.get(f"/organise/actions/{action.id}/texts/zh").get_data(as_text=True)
    assert ZH["title"] in form and 'lang="zh"' in form
    assert_shown_in(form, EN["share_text"], "en")


def test_publishing_warns_of_missing_languages_and_never_blocks(app, action, signed_in):
    editor = signed_in("editor")
    action.status = ActionStatus.DRAFT
    zh = texts_of(action, "zh")
    save_action_texts(action, "zh", ActionTextFields(title=zh.title))
    _add_update(action, {"en": UPDATE["en"]})
    overview = f"/organise/actions/{action.id}"
    page = editor.get(overview).get_data(as_text=True)
    warning = (
        "Not written in Chinese: Summary, What we ask (Markdown), Background (Markdown), "
        "Share text. Visitors reading Chinese see the text in English."
    )
    assert warning in page
    assert "1 update is not written in Chinese." in page

    published = editor.post(f"/organise/actions/{action.id}/publish", follow_redirects=True)
    db.session.refresh(action)
    assert action.status == ActionStatus.LIVE
    text = published.get_data(as_text=True)
    assert "The action is live." in text and warning in text

    # In Chinese, the checklist speaks Chinese and names the texts in Chinese.
    editor.set_cookie("lang", "zh")
    assert "尚未以中文撰写：摘要" in editor.get(overview).get_data(as_text=True)


def test_the_action_form_edits_the_texts_in_the_actions_own_language(action, signed_in):
    editor = signed_in("editor")
    page = editor.get(f"/organise/actions/{action.id}/edit").get_data(as_text=True)
    assert EN["title"] in page and ZH["title"] not in page
    # The own language is edited with the settings; its address for "texts" leads there.
    response = editor.get(f"/organise/actions/{action.id}/texts/en")
    assert response.headers["Location"].endswith(f"/organise/actions/{action.id}/edit")
    assert editor.get(f"/organise/actions/{action.id}/texts/fr").status_code == 404
    # An update needs a title in the action's own language; other languages may be emptied.
    update = _add_update(action, UPDATE)
    base = f"/organise/actions/{action.id}/updates/{update.id}/texts"
    refused = editor.post(f"{base}/en", data={"title": "", "body": "x"})
    assert refused.status_code == 422
    assert editor.post(f"{base}/zh", data={"title": "", "body": ""}).status_code == 303
    db.session.refresh(update)
    assert [t.language for t in update.texts] == ["en"]


def test_every_interface_language_gets_its_own_texts_on_every_public_page(app, action):
    """Whatever ACTIONAPP_LANGUAGES holds: each language's texts, marked with that language."""
    from actionapp.web.i18n import html_lang

    written = {
        code: ActionTextFields(
            title=f"Title [{code}]",
            summary=f"Summary [{code}]",
            what_we_ask=f"- Ask [{code}]",
            background=f"Background [{code}]",
            share_text=f"Share [{code}]",
        )
        for code in app.config["LANGUAGES"]
    }
    for code, fields in written.items():
        save_action_texts(action, code, fields)
    _add_update(action, {code: (f"News [{code}]", f"More [{code}]") for code in written})
    slug = action.slug
    for code in written:
        client = app.test_client()
        client.set_cookie("lang", code)
        lang = html_lang(code)
        page = client.get(f"/actions/{slug}").get_data(as_text=True)
        for name in ("title", "summary", "what_we_ask", "background"):
            shown = getattr(written[code], name)
            assert_shown_in(page, shown, lang, markdown=name in MARKDOWN_TEXTS)
        assert_shown_in(page, f"News [{code}]", lang)
        assert_shown_in(page, f"More [{code}]", lang, markdown=True)
        assert_shown_in(client.get("/").get_data(as_text=True), f"Title [{code}]", lang)
        event = client.get(f"/actions/{slug}/event").get_data(as_text=True)
        assert_shown_in(event, f"Title [{code}]", lang)
        embed = client.get(f"/embed/actions/{slug}/counter?lang={code}").get_data(as_text=True)
        assert_shown_in(embed, f"Title [{code}]", lang)
        api = client.get(f"/api/v1/actions/{slug}?lang={code}").json
        assert (api["language"], api["title"]) == (code, f"Title [{code}]")
        for other in written:
            if other != code:
                assert f"[{other}]" not in page


def _action_form_data(action, **overrides) -> dict:
    """Return the action form as its edit page fills it, with some fields changed."""
    own = texts_of(action, action.language)
    data = {
        **vars(own),
        "slug": action.slug,
        "ua_number": action.ua_number,
        "image_alt": action.image_alt,
        "language": action.language,
        "target_country": action.target_country,
        "goal": str(action.goal),
        "deadline": action.deadline.strftime("%Y-%m-%dT%H:%M"),
        "post_days": str(action.post_days),
        "require_email_confirmation": "y",
        "mail_rate_per_hour": str(action.mail_rate_per_hour),
        "retention_days": str(action.retention_days),
    }
    data.update(overrides)
    return data


def test_changing_the_actions_language_keeps_every_text(action, signed_in):
    editor = signed_in("editor")
    edit = f"/organise/actions/{action.id}/edit"
    # To a language with texts: it becomes the own language, the form's texts stay English.
    response = editor.post(edit, data=_action_form_data(action, language="zh"))
    assert response.status_code == 303
    db.session.refresh(action)
    assert action.language == "zh" and action.title == ZH["title"]
    assert texts_of(action, "en").title == EN["title"]

    # Back, then to a language it has no texts in: a corrected code relabels the texts.
    editor.post(edit, data=_action_form_data(action, language="en"))
    db.session.refresh(action)
    response = editor.post(edit, data=_action_form_data(action, language="de"))
    assert response.status_code == 303
    db.session.refresh(action)
    assert sorted(t.language for t in action.texts) == ["de", "zh"]
    assert action.title == EN["title"]

    # To a language whose texts lack what the own language needs: refused, nothing lost.
    zh = texts_of(action, "zh")
    save_action_texts(action, "zh", ActionTextFields(title=zh.title))
    db.session.commit()
    refused = editor.post(edit, data=_action_form_data(action, language="zh"))
    assert refused.status_code == 422
    assert "first write its Summary, What we ask (Markdown)" in refused.get_data(as_text=True)
    db.session.refresh(action)
    assert action.language == "de" and texts_of(action, "zh").title == zh.title
