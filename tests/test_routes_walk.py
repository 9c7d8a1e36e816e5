"""Every route, in every interface language (by header and by cookie): never a server error."""

from __future__ import annotations

import re

import pytest

from tests.fixtures_walk import every_endpoint, walk, walking_client
from tests.realworld import accept_languages

LANGUAGES = ("en", "zh")
HTML_LANG = {"en": "en", "zh": "zh-CN"}


@pytest.mark.parametrize("how", ["header", "cookie"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_route_in_every_language(app, walk_world, language, how):
    assert tuple(app.config["LANGUAGES"]) == LANGUAGES  # a new language is walked too
    client = walking_client(app, walk_world, language, how)
    visits = walk(app, client, walk_world, language)
    failures = [(v.method, v.url, v.status) for v in visits if v.status >= 500]
    assert failures == []
    assert every_endpoint(app) <= {v.endpoint for v in visits}
    # Every page is in the language asked for (the PDFs and the API are checked elsewhere).
    wrong = [
        (v.method, v.url)
        for v in visits
        if v.is_page and f'<html lang="{HTML_LANG[language]}"' not in v.body.decode()
    ]
    assert wrong == []
    # The walk reached the real pages, not only errors.
    ok = {v.endpoint for v in visits if v.status < 400}
    assert every_endpoint(app) - ok == set()
    # No email input on any page: Chromium turns groß.example into gross.example (IDNA2003)
    # in one before sending it, and the app's IDNA2008 normalisation never sees what was typed.
    emails = [(v.method, v.url) for v in visits if v.is_page and 'type="email"' in v.body.decode()]
    assert emails == []
    addresses = [v for v in visits if v.is_page and 'name="email"' in v.body.decode()]
    assert addresses and all('inputmode="email"' in v.body.decode() for v in addresses)


@pytest.mark.parametrize("header", accept_languages())
def test_every_page_answers_every_real_world_header(app, walk_world, header):
    language = "zh" if header.lower().startswith("zh") else "en"
    client = walking_client(app, walk_world, language, "header", header=header)
    # /language/<code> sets the cookie: walk it with the language the header gives anyway.
    visits = walk(app, client, walk_world, language, methods=("GET",))
    assert [(v.url, v.status) for v in visits if v.status >= 500] == []
    expected = HTML_LANG[language]
    pages = [v for v in visits if v.is_page]
    assert pages and all(re.search(rf'<html lang="{expected}"', v.body.decode()) for v in pages)


@pytest.mark.parametrize("language", LANGUAGES)
def test_server_error_page_in_every_language(app, client, language):
    """The 500 page itself renders in every language (a view that fails stands in for a bug)."""

    def broken():
        raise RuntimeError("a bug")

    app.view_functions["public.health"] = broken
    response = client.get("/health", headers={"Accept-Language": language})
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert f'<html lang="{HTML_LANG[language]}"' in page
    assert ("出了" in page) if language == "zh" else ("went wrong on our side" in page)
