"""An action's case texts per language: what each page shows, and what organisers still miss.

Organisers write the title, summary, what we ask, background and share text (and each
update's title and text) in the action's own language and in each interface language.
Pages, the API and exports ask `case_texts` for a visitor's language; a text not written in it
falls back to the action's own language and says so, so that the page can mark it
(`lang` attribute and a notice).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from actionapp.models import Action, ActionText, ActionUpdate, UpdateText
from actionapp.web.i18n import language_name

# The texts of an action that organisers give per language, in the editor's order.
ACTION_TEXTS = ("title", "summary", "what_we_ask", "background", "share_text")
UPDATE_TEXTS = ("title", "body")
TEXT_LABELS = {
    "title": _l("Title"),
    "summary": _l("Summary"),
    "what_we_ask": _l("What we ask (Markdown)"),
    "background": _l("Background (Markdown)"),
    "share_text": _l("Share text"),
    "body": _l("Text (Markdown)"),
}
# Texts the action's own language must have (the rest may stay empty).
REQUIRED_TEXTS = ("title", "summary", "what_we_ask")
# A share text missing in a language does not fall back: the interface's own sentence, in
# the visitor's language, asks friends better than another language's text would.
NO_FALLBACK = frozenset({"share_text"})


@dataclass(frozen=True)
class ShownText:
    """A text as a page shows it: its words, their language, and whether it fell back."""

    text: str
    language: str
    fallback: bool

    def __bool__(self) -> bool:
        return bool(self.text)


@dataclass(frozen=True)
class UpdateShown:
    """One update in a language: its id, outcome and date, and its texts."""

    id: int
    outcome: str
    published_at: object  # datetime, naive UTC
    title: ShownText
    body: ShownText


@dataclass(frozen=True)
class CaseTexts:
    """An action's texts for one language, each falling back to the action's own language."""

    language: str  # the language asked for
    own_language: str  # the action's own language, where texts fall back to
    title: ShownText
    summary: ShownText
    what_we_ask: ShownText
    background: ShownText
    share_text: ShownText
    updates: tuple[UpdateShown, ...]

    def _shown_texts(self) -> list[ShownText]:
        texts = [getattr(self, name) for name in ACTION_TEXTS]
        texts += [text for update in self.updates for text in (update.title, update.body)]
        return [text for text in texts if text]

    @property
    def fallbacks(self) -> list[str]:
        """Name the action texts shown in the action's own language instead (ACTION_TEXTS)."""
        return [name for name in ACTION_TEXTS if getattr(self, name).fallback]

    @property
    def untranslated(self) -> bool:
        """Tell whether every text shown fell back: the page says so once, not per text."""
        shown = self._shown_texts()
        return bool(shown) and all(text.fallback for text in shown)


def _shown(rows: Iterable, name: str, language: str, own_language: str) -> ShownText:
    by_language = {row.language: row for row in rows}
    asked = by_language.get(language)
    if asked is not None and getattr(asked, name):
        return ShownText(getattr(asked, name), language, False)
    own = by_language.get(own_language)
    if name in NO_FALLBACK or language == own_language or own is None:
        return ShownText("", language, False)
    text = getattr(own, name)
    return ShownText(text, own_language, bool(text))


def case_texts(action: Action, language: str) -> CaseTexts:
    """Return the action's texts (and its updates', newest first) for a language."""
    own = action.language
    return CaseTexts(
        language=language,
        own_language=own,
        **{name: _shown(action.texts, name, language, own) for name in ACTION_TEXTS},
        updates=tuple(
            UpdateShown(
                id=update.id,
                outcome=update.outcome,
                published_at=update.published_at,
                title=_shown(update.texts, "title", language, own),
                body=_shown(update.texts, "body", language, own),
            )
            for update in action.updates
        ),
    )


def text_languages(action_language: str, interface_languages: Iterable[str]) -> list[str]:
    """Return the languages an action's texts are written in: its own, then the interface's."""
    return list(dict.fromkeys([action_language, *interface_languages]))


def _missing(rows, names: Iterable[str], own_language: str, languages: list[str]):
    by_language = {row.language: row for row in rows}

    def has(code: str, name: str) -> bool:
        row = by_language.get(code)
        return row is not None and bool(getattr(row, name))

    # Missing: written in the action's own language but not in this one; in the own
    # language itself, only a required text that is empty.
    return {
        name: [
            code
            for code in languages
            if not has(code, name)
            and (has(own_language, name) if code != own_language else name in REQUIRED_TEXTS)
        ]
        for name in names
    }


def action_missing(action: Action, languages: Iterable[str]) -> dict[str, list[str]]:
    """Return, for each action text, the languages whose visitors miss it (own language first)."""
    codes = text_languages(action.language, languages)
    return _missing(action.texts, ACTION_TEXTS, action.language, codes)


def update_missing(update: ActionUpdate, action: Action, languages: Iterable[str]) -> list[str]:
    """Return the languages whose visitors miss the update's title or text."""
    codes = text_languages(action.language, languages)
    missing = _missing(update.texts, UPDATE_TEXTS, action.language, codes)
    return [code for code in codes if any(code in missing[name] for name in UPDATE_TEXTS)]


def translation_warnings(action: Action, languages: Iterable[str]) -> list:
    """Return the publishing checklist's warnings: texts some interface language lacks.

    They never block publishing: an action may be published in its own language only.
    """
    warnings = []
    missing = action_missing(action, languages)
    for code in text_languages(action.language, languages):
        if code == action.language:
            continue
        names = [TEXT_LABELS[name] for name in ACTION_TEXTS if code in missing[name]]
        if names:
            warnings.append(
                _l("Not written in %(language)s: %(texts)s. Visitors reading %(language)s "
                   "see the text in %(own)s.",
                   language=language_name(code), texts=", ".join(str(n) for n in names),
                   own=language_name(action.language))
            )  # fmt: skip
        updates = [u for u in action.updates if code in update_missing(u, action, languages)]
        if updates:
            warnings.append(
                ngettext("%(num)s update is not written in %(language)s.",
                         "%(num)s updates are not written in %(language)s.",
                         len(updates), language=language_name(code))
            )  # fmt: skip
    return warnings


@dataclass(frozen=True)
class ActionTextFields:
    """An action's texts in one language, as organisers type them (empty: not written)."""

    title: str = ""
    summary: str = ""
    what_we_ask: str = ""
    background: str = ""
    share_text: str = ""


def texts_of(action: Action, language: str) -> ActionTextFields:
    """Return what the action says in exactly this language (no fallback), for editing."""
    row = action.text_in(language)
    if row is None:
        return ActionTextFields()
    return ActionTextFields(**{f.name: getattr(row, f.name) for f in fields(ActionTextFields)})


def save_action_texts(action: Action, language: str, values: ActionTextFields) -> None:
    """Write the action's texts in one language; all empty removes that language's texts."""
    row = action.text_in(language)
    if not any(getattr(values, f.name) for f in fields(values)):
        if row is not None:
            action.texts.remove(row)
        return
    if row is None:
        row = ActionText(language=language)
        action.texts.append(row)
    for f in fields(values):
        setattr(row, f.name, getattr(values, f.name))


def save_update_texts(update: ActionUpdate, language: str, title: str, body: str) -> None:
    """Write an update's title and text in one language; both empty removes them."""
    row = update.text_in(language)
    if not title and not body:
        if row is not None:
            update.texts.remove(row)
        return
    if row is None:
        row = UpdateText(language=language)
        update.texts.append(row)
    row.title = title
    row.body = body
