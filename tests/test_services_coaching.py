"""Coaching instead of copies: the share of own words, suggestions and tone notes."""

from __future__ import annotations

import pytest

from actionapp.campaigns.actions import model_letter
from actionapp.extensions import db
from actionapp.letters.coaching import (
    Level,
    Suggestion,
    ToneKind,
    coach_composer,
    coach_letter,
    own_share,
    tokens,
    tone_notes,
    tone_words,
)
from actionapp.letters.compose import editable_text
from tests.builders import full_letter_fields, make_chinese_case
from tests.realworld import supporters

PERSONAL = {
    "en": "I am a nurse in Leeds. My grandmother was a lawyer, and this case reminds me of her "
    "courage: nobody should go to prison for defending workers.",
    "zh": "我是利兹的一名护士。我的祖母曾是一名律师，这个案件让我想起她的勇气："
    "没有人应该因为为工人辩护而入狱。",
}


@pytest.fixture
def action(app):
    """Targets written to in Chinese and English; full-length letters in both languages."""
    built = make_chinese_case(letters=[full_letter_fields("en"), full_letter_fields("zh")])
    db.session.commit()
    return built


@pytest.fixture
def models(action):
    """Every model letter of the action as the composer shows it: {(variant, lang): text}."""
    return {(m.variant, m.language): editable_text(m) for m in action.model_letters}


def test_every_model_letter_left_as_it_is_measures_zero_with_every_prompt(models):
    assert {language for _, language in models} >= {"en", "zh"}
    for (_, language), text in models.items():
        coaching = coach_letter(text, text, "", language)
        assert coaching.own_share == 0 and coaching.level is Level.NONE
        assert coaching.suggestions == (Suggestion.WHO, Suggestion.WHY, Suggestion.OWN_SENTENCE)
        assert coaching.tone == () and not coaching.personalised


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_personal_paragraph_raises_the_share(models, language):
    text = models[("release", language)]
    coaching = coach_letter(text, text, PERSONAL[language], language)
    assert coaching.level is not Level.NONE and coaching.personalised
    assert 5 <= coaching.own_share < 60
    # With a paragraph the prompt to say who one is goes; the body is still the model's.
    assert Suggestion.WHO not in coaching.suggestions
    # Rewording the whole letter is (nearly) all one's own.
    rewritten = coach_letter(text, PERSONAL[language] * 3, "", language)
    assert rewritten.own_share > 90 and rewritten.level is Level.MUCH
    assert rewritten.suggestions == ()


def test_chinese_is_measured_by_characters_not_spaces(models):
    assert tokens("我是老师，来自上海。", "zh") == ["我", "是", "老", "师", "来", "自", "上", "海"]
    text = models[("release", "zh")]
    # One changed character in a letter without spaces changes a little, not the whole letter.
    one_char = text.replace("释放", "释故", 1)
    assert one_char != text
    assert 0 < own_share(text, one_char, "zh") < 3
    # Mixed scripts: English words stay words beside the characters.
    assert tokens("我爱 Free speech", "zh") == ["我", "爱", "free", "speech"]


def test_placeholders_are_not_counted_as_own_words(models):
    text = models[("release", "en")]
    assert "[your city]" in text
    assert own_share(text, text.replace("[your city]", ""), "en") == 0


@pytest.mark.parametrize(
    ("language", "letter", "kinds"),
    [
        ("en", "You are idiots and you will pay for this. FREE HIM NOW!",
         ["insult", "threat", "capitals"]),
        ("en", "Down with the regime. Shame on you.", ["slogan", "insult"]),
        ("zh", "你们这些混蛋，会付出代价的！打倒他们。", ["insult", "threat", "slogan"]),
    ],
)  # fmt: skip
def test_harmful_words_and_capitals_are_flagged(language, letter, kinds):
    assert [note.kind.value for note in tone_notes(letter, language)] == kinds


def test_courteous_letters_acronyms_and_words_inside_words_stay_quiet():
    quiet = (
        "Dear Minister, the UN and the ICJ ask for his release. His skill as a pigment "
        "chemist is known; he is no criminal. I ask you respectfully to release him.\n"
        "JANE DOE\nLEEDS UK"
    )
    assert tone_notes(quiet, "en") == ()
    assert tone_notes("尊敬的院长：请您立即无条件释放他。此致敬礼", "zh") == ()


def test_every_listed_phrase_is_found_in_a_sentence_of_its_language():
    lists = tone_words()
    assert {"en", "zh"} <= set(lists)
    for language, kinds in lists.items():
        assert set(kinds) <= {kind.value for kind in ToneKind}
        for kind, phrases in kinds.items():
            for phrase in phrases:
                sentence = f"Sir, {phrase.upper()}!" if language != "zh" else f"部长，{phrase}！"
                found = [(n.kind.value, n.text.casefold()) for n in tone_notes(sentence, language)]
                assert (kind, phrase.casefold()) in found, (language, phrase)


def test_every_real_world_supporter_paragraph_is_measured_and_never_refused(action):
    for person in supporters():
        message = person.get("message", "")
        for language in ("en", "zh"):
            coaching = coach_composer(action, "release", language, None, message)
            assert coaching is not None and 0 <= coaching.own_share <= 100
            # A paragraph with any word or character of its own counts: emoji alone do not.
            assert (coaching.own_share > 0) == bool(tokens(message, language)), message


def test_coach_composer_uses_the_model_letter_of_the_language(action):
    zh = editable_text(model_letter(action, "release", "zh"))
    assert coach_composer(action, "release", "zh", zh, "").own_share == 0
    # An empty editor is the model as it stands.
    assert coach_composer(action, "release", "en", "", "").own_share == 0
    assert coach_composer(action, "no-such-letter", "en", "", "") is None
