"""Coaching instead of copies: how much of a letter is the supporter's own, and its tone."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from rapidfuzz.distance import Indel

from actionapp.campaigns.actions import model_letter
from actionapp.letters.compose import EDIT_TOKENS, editable_text
from actionapp.models import Action

WORDS_FILE = Path(__file__).resolve().parent / "coaching_words.toml"

# Below SOME_FROM percent the letter is the model's; from MUCH_FROM on it is clearly personal.
# A personal paragraph of two or three sentences under a model letter of about 250 words
# passes SOME_FROM; PERSONALISED_FROM is what the statistics count as a personalised letter.
SOME_FROM = 3
MUCH_FROM = 25
PERSONALISED_FROM = SOME_FROM

# One token per ideograph or kana (these scripts do not separate words with spaces), otherwise
# one per run of letters or digits: a word.
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W_]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[^\W\d_]+")
# Three or more words in a row written in capitals (two letters or more each) read as
# shouting; single acronyms such as UN or NGO stay quiet.
CAPS_RUN_WORDS = 3


class Level(StrEnum):
    """How much of the letter is in the supporter's own words."""

    NONE = "none"
    SOME = "some"
    MUCH = "much"


class Suggestion(StrEnum):
    """A concrete way to make the letter one's own (the composer words each one)."""

    WHO = "who"  # say who you are
    WHY = "why"  # why the case matters to you
    OWN_SENTENCE = "own_sentence"  # one sentence of the model in your own words


class ToneKind(StrEnum):
    """A kind of wording that could harm the case."""

    INSULT = "insult"
    THREAT = "threat"
    SLOGAN = "slogan"
    CAPITALS = "capitals"


@dataclass(frozen=True)
class ToneNote:
    """One passage that could harm the case, as the supporter wrote it."""

    kind: ToneKind
    text: str


@dataclass(frozen=True)
class Coaching:
    """The composer's coaching for one letter: share of own words (0–100), level, notes."""

    own_share: int
    level: Level
    suggestions: tuple[Suggestion, ...]
    tone: tuple[ToneNote, ...]

    @property
    def personalised(self) -> bool:
        """Tell whether the statistics count this letter as personalised."""
        return is_personalised(self.own_share)


def is_personalised(own_share: int) -> bool:
    """Tell whether a letter with this share of own words counts as personalised."""
    return own_share >= PERSONALISED_FROM


@lru_cache(maxsize=1)
def tone_words() -> dict[str, dict[str, tuple[str, ...]]]:
    """Return the built-in word lists: {language: {kind: phrases}}."""
    with WORDS_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    return {
        language: {kind: tuple(phrases) for kind, phrases in kinds.items()}
        for language, kinds in data.items()
    }


@lru_cache(maxsize=16)
def _phrase_pattern(language: str, kind: str) -> re.Pattern[str] | None:
    return phrases_pattern(tone_words().get(language.split("-")[0], {}).get(kind, ()))


@lru_cache(maxsize=64)
def phrases_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """Return one pattern that finds any of the phrases (whole words, anywhere in Chinese)."""
    if not phrases:
        return None
    parts = []
    for phrase in sorted(phrases, key=len, reverse=True):
        body = r"\s+".join(re.escape(word) for word in phrase.split())
        # Chinese is written without spaces: a phrase is found inside the text, not as a word.
        parts.append(body if _CJK.search(phrase) else rf"(?<!\w){body}(?!\w)")
    return re.compile("|".join(parts), re.IGNORECASE)


def tokens(text: str, language: str) -> list[str]:
    """Split a letter into comparable tokens: words, or single characters in Chinese script.

    The composer's [placeholder] tokens are left out: they are filled in for everyone.
    """
    return list(_split(text, language.split("-")[0]))


def _split(text: str, language: str) -> tuple[str, ...]:
    for token in EDIT_TOKENS.get(language, EDIT_TOKENS["en"]).values():
        text = text.replace(token, " ")
    return tuple(t.casefold() for t in _TOKEN.findall(text))


# The model letters are the same text on every post: their tokens are remembered (only theirs,
# so that no supporter's own text stays in memory after their request).
_model_tokens = lru_cache(maxsize=64)(_split)


def _letter_tokens(model: str, body: str, personal: str, language: str) -> list[str]:
    # The tokens of f"{body}\n{personal}": no token or placeholder spans a line break, so the
    # two parts split alone, and a body left as the model is split once per process.
    language = language.split("-")[0]
    split_body = _model_tokens(body, language) if body == model else _split(body, language)
    return [*split_body, *_split(personal, language)]


def _pairs(items: list[str]) -> list[tuple[str, ...]]:
    # Pairs of neighbouring tokens: unrelated texts share "the" and "of" (or 的 and 我) in
    # order, but seldom the same two tokens side by side.
    return list(pairwise(items)) or [(item,) for item in items]


def own_share(model: str, letter: str, language: str) -> int:
    """Return the percentage (0–100) of the letter that is not taken from the model, in order.

    rapidfuzz's Indel distance on sequences of neighbouring-token pairs gives their longest
    common subsequence with the model; what is left of the letter is the supporter's own.
    Unlike 100 − fuzz.ratio this does not fall when the model is long and the letter only adds
    a paragraph; pairs of words (of characters in Chinese) rather than characters keep unrelated
    text from matching letter by letter.
    """
    return _share_of(model, tokens(letter, language), language)


def _share_of(model: str, letter_tokens: list[str], language: str) -> int:
    mine = _pairs(letter_tokens)
    if not mine:
        return 0
    theirs = _pairs(list(_model_tokens(model, language.split("-")[0])))
    common = (len(mine) + len(theirs) - Indel.distance(mine, theirs)) // 2
    return round(100 * (len(mine) - common) / len(mine))


def _capital_runs(text: str) -> list[tuple[int, str]]:
    runs: list[tuple[int, str]] = []
    run: list[re.Match[str]] = []

    def close() -> None:
        if len(run) >= CAPS_RUN_WORDS:
            runs.append((run[0].start(), text[run[0].start() : run[-1].end()]))
        run.clear()

    for word in _WORD.finditer(text):
        if len(word.group(0)) >= 2 and word.group(0).isupper():
            # A line break ends a run: a heading is not shouting across the letter.
            if run and "\n" in text[run[-1].end() : word.start()]:
                close()
            run.append(word)
        elif len(word.group(0)) >= 2 or not word.group(0).isupper():
            close()
    close()
    return runs


PHRASE_KINDS = (ToneKind.INSULT, ToneKind.THREAT, ToneKind.SLOGAN)


def tone_notes(
    text: str, language: str, extra: Mapping[str, list[str]] | None = None
) -> tuple[ToneNote, ...]:
    """Return the passages of a letter that could harm the case, in the order they appear.

    `extra` holds an action's own phrases per kind, looked for in letters of every language.
    """
    found: list[tuple[int, ToneNote]] = []
    for kind in PHRASE_KINDS:
        patterns = [
            _phrase_pattern(language, kind.value),
            phrases_pattern(tuple((extra or {}).get(kind.value, ()))),
        ]
        for pattern in filter(None, patterns):
            found += [(m.start(), ToneNote(kind, m.group(0))) for m in pattern.finditer(text)]
    found += [(start, ToneNote(ToneKind.CAPITALS, run)) for start, run in _capital_runs(text)]
    seen: set[tuple[ToneKind, str]] = set()
    notes = []
    for _, note in sorted(found, key=lambda pair: pair[0]):
        key = (note.kind, note.text.casefold())
        if key not in seen:
            seen.add(key)
            notes.append(note)
    return tuple(notes)


def coach_letter(
    model: str,
    body: str,
    personal: str,
    language: str,
    extra: Mapping[str, list[str]] | None = None,
) -> Coaching:
    """Measure a letter (body as edited, or the model's text, plus the personal paragraph).

    `model` is the model letter as the composer shows it in `language`; nothing here refuses
    a letter: a letter left exactly as the model is measured 0 and still sent.
    """
    share = _share_of(model, _letter_tokens(model, body, personal, language), language)
    level = Level.NONE if share < SOME_FROM else Level.SOME if share < MUCH_FROM else Level.MUCH
    suggestions: list[Suggestion] = []
    if level is not Level.MUCH:
        if not personal.strip():
            suggestions += [Suggestion.WHO, Suggestion.WHY]
        if own_share(model, body, language) == 0:
            suggestions.append(Suggestion.OWN_SENTENCE)
    return Coaching(
        share, level, tuple(suggestions), tone_notes(f"{body}\n{personal}", language, extra)
    )


def _composer_letter(
    action: Action, variant: str, language: str, body: str | None
) -> tuple[str, str, str] | None:
    """Return (model as shown, body as sent, language) of the composer's letter, or None."""
    model = model_letter(action, variant, language)
    if model is None:
        return None
    shown = editable_text(model)
    # A fixed letter's text is the model's whatever was posted; an empty editor means the same.
    written = shown if model.locked or not (body and body.strip()) else body
    return shown, written, model.language


def coach_composer(
    action: Action, variant: str, language: str, body: str | None, personal: str
) -> Coaching | None:
    """Coach the composer's letter against its model letter; None when no model is in reach."""
    found = _composer_letter(action, variant, language, body)
    if found is None:
        return None
    shown, written, model_language = found
    return coach_letter(shown, written, personal, model_language, action.coaching_words)


def composer_share(
    action: Action, variant: str, language: str, body: str | None, personal: str
) -> int | None:
    """Return the share of own words that coach_composer measures, without the tone notes.

    What a submission records; None when no model letter is in reach.
    """
    found = _composer_letter(action, variant, language, body)
    if found is None:
        return None
    shown, written, model_language = found
    tokens_ = _letter_tokens(shown, written, personal, model_language)
    return _share_of(shown, tokens_, model_language)
