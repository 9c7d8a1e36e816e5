"""The action page says in which language each target's letters go, as the letters are written.

A target reading a language no model letter has gets letters in the writer's language; the page
said "written in Arabic" all the same.
"""

from __future__ import annotations

import re
from html import unescape

import pytest

from actionapp.campaigns.editing import ModelLetterFields, save_model_letter
from actionapp.extensions import db
from actionapp.letters.compose import SupporterDetails, write_letters
from actionapp.models import utcnow
from tests.builders import build_action, target_fields

OWN = "Letters to this recipient are written in {language}."
SOME = (
    "Letters to this recipient are written in {language} with the model letters that have a "
    "version in it, otherwise in the language you write in."
)
WRITERS = "Letters to this recipient are written in the language you write in."
NAMES = {"en": "English", "fr": "French", "ar": "Arabic", "de": "German"}


def _letter(action, variant: str, language: str) -> None:
    save_model_letter(
        action,
        None,
        ModelLetterFields(
            variant=variant, language=language, label=variant, locked=False,
            subjects=[f"{variant} {language}"], closing="-",
            body="{{ target.salutation }}\n\nPlease release Ana.",
        ),
    )  # fmt: skip


@pytest.mark.parametrize("writer", ["en", "de"])
def test_the_page_says_the_language_each_targets_letters_are_written_in(client, writer):
    now = utcnow()
    targets = tuple(
        target_fields(name=f"Official {code}", language=code, salutations={code: "Hello"})
        for code in ("en", "fr", "ar")
    )
    action = build_action(now, targets=targets)  # one letter, "release", in English
    _letter(action, "health", "en")
    _letter(action, "release", "fr")  # French for one letter of two; Arabic for none
    _letter(action, "release", "de")
    _letter(action, "health", "de")
    db.session.commit()
    page = unescape(client.get(f"/actions/{action.slug}").get_data(as_text=True))

    for target in action.targets:
        item = re.search(
            rf"<strong>{target.name}</strong>.*?<span class=\"hint\">(.*?)</span>", page, re.S
        )
        said = re.sub(r"\s+", " ", item[1]).strip()
        # What the letters to this target are written in, for each model letter.
        written = set()
        for variant in ("release", "health"):
            details = SupporterDetails(
                name="Ana", city="Leeds", country="GB", language=writer, variant=variant,
                personal_message="", target_ids=[target.id], seed="s",
            )  # fmt: skip
            (letter,) = write_letters(action, details, now.date(), translations=False)
            written.add(letter.language)
        language = NAMES[target.language]
        if written == {target.language}:
            assert said == OWN.format(language=language)
        elif target.language in written:
            assert said == SOME.format(language=language)
        else:
            assert said == WRITERS
