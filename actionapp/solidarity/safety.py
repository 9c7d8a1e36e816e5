"""The safety rules of a solidarity message: what a card must not carry, checked as plain text.

One function, `message_problems`, is the rule: the form refuses a message with problems, and
the live check beside the field (the same request as the form, see public/solidarity.py)
shows the same problems while the supporter types.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class Problem(StrEnum):
    """Something that keeps a message from being sent as it is (the form words each one)."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    ONLY_SYMBOLS = "only_symbols"  # nothing but emoji, links or punctuation
    MARKUP = "markup"
    ORGANISATION = "organisation"
    LINK = "link"
    EMAIL = "email"
    PHONE = "phone"
    SURNAME = "surname"  # the writer's own surname, with "no surnames"
    PLACE = "place"  # the writer's own town, with "no places"
    AVOID = "avoid"  # a word the organisers listed (names, places)


@dataclass(frozen=True)
class Finding:
    """One problem and the piece of text that shows it ("" for the whole message)."""

    problem: Problem
    text: str = ""


@dataclass(frozen=True)
class SafetyRules:
    """What a message is checked against: the action's settings and the writer's details."""

    max_chars: int
    organisation: str = ""
    no_organisation: bool = True
    no_surnames: bool = True
    no_places: bool = True
    avoid_words: tuple[str, ...] = ()
    # The writer's own surname and town when known (a message written after an appeal).
    surname: str = ""
    town: str = ""


# Tags, comments and entities: the shapes of HTML a card must not carry (it is printed as text).
_MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!][^<>]*>|&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);")
_EMAIL = re.compile(r"[^\s@<>]+@[^\s@<>]+\.[^\s@<>]{2,}")
_LINK = re.compile(
    r"(?:https?://|www\.)\S+|\b(?:[A-Za-z0-9-]{2,}\.)+(?:[A-Za-z]{2,})(?:/\S*)?(?=\s|$|[,;:!?)])",
    re.IGNORECASE,
)
# A run of at least 7 digits, allowing the spaces, dots, dashes and brackets numbers carry.
_PHONE = re.compile(r"\+?\(?\d(?:[\s().-]{0,2}\d){6,}")


def _is_word_char(char: str) -> bool:
    return unicodedata.category(char)[0] in ("L", "N")


def _contains_word(text: str, word: str) -> str:
    """Return the occurrence of `word` in `text` (any case, as a whole word), else ""."""
    word = word.strip()
    if len(word) < 2:
        return ""
    # Case folding can lengthen a text ("ß" -> "ss"): each folded character keeps the index
    # of the character it came from, so the quoted occurrence is the one the writer typed.
    pieces = [(char.casefold(), index) for index, char in enumerate(text)]
    folded = "".join(piece for piece, _ in pieces)
    origin = [index for piece, index in pieces for _ in piece]
    needle = word.casefold()
    start = folded.find(needle)
    while start != -1:
        end = start + len(needle)
        # Scripts without spaces (Chinese) have no word edges: any occurrence counts.
        spaced = _is_word_char(needle[0]) and not _is_cjk(needle[0])
        before = start == 0 or not (spaced and _is_word_char(folded[start - 1]))
        after = end == len(folded) or not (spaced and _is_word_char(folded[end]))
        if before and after:
            return text[origin[start] : origin[end - 1] + 1]
        start = folded.find(needle, start + 1)
    return ""


def _is_cjk(char: str) -> bool:
    return "\u2e80" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def _has_words(text: str) -> bool:
    """Tell whether a text has a letter or a digit once links and addresses are taken out."""
    rest = _LINK.sub(" ", _EMAIL.sub(" ", text))
    return any(_is_word_char(char) for char in rest)


def message_problems(text: str, rules: SafetyRules) -> list[Finding]:
    """Return every problem of a message under the rules, in the order the form shows them."""
    stripped = text.strip()
    if not stripped:
        return [Finding(Problem.EMPTY)]
    found: list[Finding] = []
    if len(stripped) > rules.max_chars:
        found.append(Finding(Problem.TOO_LONG, str(len(stripped))))
    if not _has_words(stripped):
        found.append(Finding(Problem.ONLY_SYMBOLS))
    if match := _MARKUP.search(stripped):
        found.append(Finding(Problem.MARKUP, match.group(0)))
    emails = [m.group(0) for m in _EMAIL.finditer(stripped)]
    found += [Finding(Problem.EMAIL, email) for email in emails]
    without_emails = _EMAIL.sub(" ", stripped)
    found += [Finding(Problem.LINK, m.group(0)) for m in _LINK.finditer(without_emails)]
    found += [Finding(Problem.PHONE, m.group(0).strip()) for m in _PHONE.finditer(stripped)]
    if rules.no_organisation and (hit := _contains_word(stripped, rules.organisation)):
        found.append(Finding(Problem.ORGANISATION, hit))
    if rules.no_surnames and (hit := _contains_word(stripped, rules.surname)):
        found.append(Finding(Problem.SURNAME, hit))
    if rules.no_places and (hit := _contains_word(stripped, rules.town)):
        found.append(Finding(Problem.PLACE, hit))
    for word in rules.avoid_words:
        if hit := _contains_word(stripped, word):
            found.append(Finding(Problem.AVOID, hit))
    return found


def first_name_of(name: str) -> str:
    """Return the first word of a name that is not an abbreviated title (Dr., Prof., Mr.).

    What a card is signed with by default; a name of titles alone gives its first word.
    """
    parts = name.split()
    words = [part for part in parts if not part.endswith(".")]
    return (words or parts or [""])[0]


def surname_of(name: str) -> str:
    """Return the last word of a name of two words or more, else ""."""
    parts = name.split()
    return parts[-1] if len(parts) > 1 else ""
