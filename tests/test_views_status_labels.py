"""Every status word an action can show is labelled, in every interface language (one table).

The public badge and the organiser's lists once knew "released" only: "charges dropped" or
"sentenced" showed as capitalised English words, on Chinese pages too.
"""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from actionapp.campaigns.editing import add_update, close_action
from actionapp.campaigns.outcomes import OUTCOMES, status_label
from actionapp.extensions import db
from actionapp.models import utcnow
from tests.builders import make_action

BADGE = re.compile(r'<span class="badge badge-[a-z]+">([^<]+)</span>')
LANGUAGES = {"en": "en-GB,en;q=0.9", "zh": "zh-CN,zh;q=0.9"}


def _labels(language: str, word: str) -> str:
    with force_locale(language):
        return status_label(word)


@pytest.mark.parametrize("word", ["live", "closed", *(o for o in OUTCOMES if o)])
def test_each_status_word_has_its_label_on_public_and_organiser_pages(app, client, signed_in, word):
    action = make_action(f"Status {word}")
    now = utcnow()
    if word == "closed":
        close_action(action, now)
    elif word != "live":
        add_update(action, word, f"News: {word}", "", now)
    db.session.commit()
    english = _labels("en", word)
    chinese = _labels("zh", word)
    # Each label is written for its word and translated (not the word itself, not English).
    assert english != word and chinese not in (english, word)
    organiser = signed_in("viewer")
    for language, header in LANGUAGES.items():
        expected = english if language == "en" else chinese
        page = client.get(f"/actions/{action.slug}", headers={"Accept-Language": header})
        assert expected in BADGE.findall(page.get_data(as_text=True)), (language, word)
        overview = organiser.get(
            f"/organise/actions/{action.id}", headers={"Accept-Language": header}
        ).get_data(as_text=True)
        assert expected in BADGE.findall(overview), (language, word)
