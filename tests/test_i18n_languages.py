"""Language negotiation: every Chinese gets the Chinese interface; anything unknown the default."""

from __future__ import annotations

import pytest

from actionapp.web.i18n import negotiate_language
from tests.realworld import accept_languages

LANGUAGES = ("en", "zh")
CHINESE = ["zh-CN", "zh-TW", "zh-HK", "zh-Hant", "zh-Hant-TW", "zh-SG", "zh_CN", "zh-Hans", "ZH-cn"]
DEFAULT = ["*", "en;q=0", ";;;,,,", "ar-EG", "", "zh;q=0, de", "x" * 600, "zh;q=abc", "q=1;zh"]


@pytest.mark.parametrize("header", CHINESE)
def test_every_chinese_gets_the_chinese_interface(header):
    assert negotiate_language(None, header, LANGUAGES) == "zh"


@pytest.mark.parametrize("header", DEFAULT)
def test_unknown_or_malformed_headers_get_the_default(header):
    assert negotiate_language(None, header, LANGUAGES) == "en"


def test_the_visitors_order_wins_over_an_exact_match_further_down():
    assert negotiate_language(None, "zh-Hant-TW;q=0.9,en;q=0.8", LANGUAGES) == "zh"
    assert negotiate_language(None, "en-GB,en;q=0.9,zh;q=0.8", LANGUAGES) == "en"
    assert negotiate_language(None, "zh-TW;q=0.5, en;q=0.9", LANGUAGES) == "en"


def test_real_world_headers_negotiate_as_their_file_says():
    for header in accept_languages():
        expected = "zh" if header.lower().startswith("zh") else "en"
        assert negotiate_language(None, header, LANGUAGES) == expected, header


@pytest.mark.parametrize("header", [*CHINESE, *DEFAULT, *accept_languages()])
def test_composer_answers_every_header_in_its_language(client, action, header):
    """The composer failed with a 500 in Chinese ("Your letter" was also a plural's singular)."""
    page = client.get(f"/actions/{action.slug}/write", headers={"Accept-Language": header})
    assert page.status_code == 200
    lang = "zh-CN" if negotiate_language(None, header, LANGUAGES) == "zh" else "en"
    assert f'<html lang="{lang}">' in page.get_data(as_text=True)


def test_composer_after_choosing_chinese(client, action):
    assert client.get("/language/zh?next=/").status_code == 303
    page = client.get(f"/actions/{action.slug}/write", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "您的信" in page.get_data(as_text=True)  # "Your letter"
