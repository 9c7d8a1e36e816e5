"""The catalogue's shape: no text is used both as a plain message and in a plural entry."""

from __future__ import annotations

import io
from collections import defaultdict
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = ROOT / "actionapp" / "translations"
# The keywords `make extract-messages` passes, besides Babel's defaults.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}


def _uses() -> dict[str, set[str]]:
    """Map every msgid to how it is used: 'plain', 'singular' or 'plural', with where."""
    with (CATALOGUES / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(io.StringIO(handle.read()))
    uses: dict[str, set[str]] = defaultdict(set)
    for filename, line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        if context:
            continue  # a context makes a different catalogue key
        where = f"{filename}:{line}"
        if isinstance(message, tuple):
            singular, plural = message[0], message[1]
            uses[singular].add(f"singular {where}")
            uses[plural].add(f"plural {where}")
        else:
            uses[message].add(f"plain {where}")
    return uses


def test_no_text_is_both_plain_and_part_of_a_plural():
    """gettext() falls back to a plural entry whose msgid equals the text (Python >= 3.8).

    Its %(num)s then has nothing to fill, and the page fails in every language but English.
    """
    uses = _uses()
    assert len(uses) > 300  # the extraction really read the code and templates
    clashes = {
        text: sorted(where)
        for text, where in uses.items()
        if any(w.startswith("plain") for w in where)
        and any(w.startswith(("singular", "plural")) for w in where)
    }
    assert clashes == {}


def test_plural_entries_in_the_template_are_plural_everywhere():
    """The .pot merges a plain and a plural use of one text into a plural entry: none may be."""
    with (CATALOGUES / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    uses = _uses()
    merged = [
        message.id[0]
        for message in template
        if message.pluralizable and any(w.startswith("plain") for w in uses[message.id[0]])
    ]
    assert merged == []
