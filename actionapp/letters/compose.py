"""Writing the letters: model letter + target + supporter -> the text each target receives."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache

from flask_babel import force_locale, gettext
from jinja2 import StrictUndefined, meta, nodes
from jinja2.sandbox import SandboxedEnvironment

from actionapp.campaigns.actions import model_letter, recipients_for
from actionapp.models import Action, ModelLetter, Target
from actionapp.web.i18n import country_name, localised_date

# What a supporter sees in place of each placeholder when editing a model letter. Supporter
# text is never run as a template: these tokens are replaced as plain strings.
EDIT_TOKENS: dict[str, dict[str, str]] = {
    "en": {
        "supporter.name": "[your name]",
        "supporter.city": "[your city]",
        "supporter.country": "[your country]",
        "target.name": "[recipient]",
        "target.salutation": "[salutation]",
        "personal_message": "[your personal paragraph]",
        "today": "[date]",
    },
    "zh": {
        "supporter.name": "[您的姓名]",
        "supporter.city": "[您的城市]",
        "supporter.country": "[您的国家]",
        "target.name": "[收信人]",
        "target.salutation": "[称呼]",
        "personal_message": "[您的个人段落]",
        "today": "[日期]",
    },
}


@dataclass(frozen=True)
class SupporterDetails:
    """What the supporter typed into the composer."""

    name: str
    city: str
    country: str
    language: str
    variant: str
    personal_message: str = ""
    street_address: str = ""
    edited_body: str | None = None
    target_ids: list[int] = field(default_factory=list)
    # Picks the subject line among the organiser's alternatives; stable per submission.
    seed: str = ""


def date_at_end(language: str) -> bool:
    """Tell whether letters in a language are dated under the signature (Chinese letters)."""
    return language == "zh"


@dataclass(frozen=True)
class LetterText:
    """One letter as its target reads it."""

    target: Target
    language: str
    date_text: str
    subject: str
    salutation: str
    body: str
    personal_message: str
    closing: str
    signature_name: str
    signature_place: str
    # The same letter in the supporter's language when the target reads another one.
    translation: LetterText | None = None

    @property
    def date_at_end(self) -> bool:
        """Tell whether the date goes under the signature (Chinese letters) or above the text."""
        return date_at_end(self.language)

    @property
    def signature(self) -> str:
        """Return the closing, the supporter's name and their place, one a line."""
        return "\n".join(p for p in (self.closing, self.signature_name, self.signature_place) if p)

    @property
    def parts(self) -> list[str]:
        """Return the letter's parts in reading order, subject apart: date, salutation, body,
        personal paragraph, closing and signature (the date last in a Chinese letter)."""
        parts = [self.salutation, self.body, self.personal_message, self.signature]
        if self.date_text:
            parts.insert(len(parts) if self.date_at_end else 0, self.date_text)
        return [p.strip("\n") for p in parts if p and p.strip()]

    @property
    def plain_text(self) -> str:
        """Return the whole letter as plain text (the email body), subject apart."""
        return "\n\n".join(self.parts)


class _Namespace(dict):
    """A dict whose keys read as attributes in the sandbox ({{ supporter.name }})."""

    def __getattr__(self, name: str) -> str:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


@lru_cache(maxsize=1)
def sandbox() -> SandboxedEnvironment:
    """Return the sandboxed Jinja environment model letters are rendered in."""
    return SandboxedEnvironment(
        autoescape=False, undefined=StrictUndefined, keep_trailing_newline=False
    )


@lru_cache(maxsize=256)
def _compiled(template_text: str):
    return sandbox().from_string(template_text)


def render_model_body(template_text: str, values: dict[str, str]) -> str:
    """Render a model letter's body with placeholder values in the sandbox.

    Keys are "supporter.name", "supporter.city", "supporter.country", "target.name",
    "target.salutation", "personal_message" and "today"; dotted keys become attributes.
    """
    # Placeholders a caller leaves out render empty (an event pack has no supporter yet);
    # unknown names are refused before a template is saved (services.model_letters).
    parts = _placeholder_parts(template_text)
    if parts is not None:
        return "".join(
            values.get(part, "") if is_placeholder else part for is_placeholder, part in parts
        ).strip()
    namespaces: dict[str, _Namespace] = {
        "supporter": _Namespace(name="", city="", country=""),
        "target": _Namespace(name="", salutation=""),
    }
    plain: dict[str, str] = {"personal_message": "", "today": ""}
    for key, value in values.items():
        prefix, dot, name = key.partition(".")
        if dot and prefix in namespaces:
            namespaces[prefix][name] = value
        else:
            plain[key] = value
    return _compiled(template_text).render(**plain, **namespaces).strip()


PLACEHOLDERS = frozenset(EDIT_TOKENS["en"])


@lru_cache(maxsize=256)
def _placeholder_parts(template_text: str) -> tuple[tuple[bool, str], ...] | None:
    """Split a model letter that only prints known placeholders into text and placeholders.

    Most model letters are text with {{ supporter.city }} and the like: filling those in as
    strings gives what the sandbox renders, at a fraction of the cost, for every letter
    written. Anything more (conditions, filters, unknown names) returns None and is rendered.
    """
    parts: list[tuple[bool, str]] = []
    for statement in sandbox().parse(template_text).body:
        if not isinstance(statement, nodes.Output):
            return None
        for node in statement.nodes:
            if isinstance(node, nodes.TemplateData):
                parts.append((False, node.data))
                continue
            if isinstance(node, nodes.Name):
                name = node.name
            elif isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name):
                name = f"{node.node.name}.{node.attr}"
            else:
                return None
            if name not in PLACEHOLDERS:
                return None
            parts.append((True, name))
    return tuple(parts)


@lru_cache(maxsize=256)
def uses_placeholder(template_text: str, name: str) -> bool:
    """Tell whether a model letter's body uses a top-level placeholder such as personal_message."""
    return name in meta.find_undeclared_variables(sandbox().parse(template_text))


def editable_text(letter: ModelLetter) -> str:
    """Return a model letter as the supporter edits it, with readable tokens for placeholders."""
    return _editable(letter.body, letter.language)


@lru_cache(maxsize=256)
def _editable(body: str, language: str) -> str:
    return render_model_body(body, EDIT_TOKENS.get(language, EDIT_TOKENS["en"]))


@lru_cache(maxsize=256)
def _editable_normalised(body: str, language: str) -> str:
    return _normalise(_editable(body, language))


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").strip().splitlines())


def is_edited(letter: ModelLetter, text: str | None) -> bool:
    """Tell whether the supporter changed the model letter's text."""
    if not (text and text.strip()):
        return False
    return _normalise(text) != _editable_normalised(letter.body, letter.language)


def fill_tokens(text: str, values: dict[str, str], language: str) -> str:
    """Replace the edit tokens in supporter-edited text with the real values, as plain strings."""
    for key, token in EDIT_TOKENS.get(language, EDIT_TOKENS["en"]).items():
        if key == "personal_message":
            # The personal paragraph appears once, where its first token stands.
            head, found, rest = text.partition(token)
            if found:
                text = head + values.get(key, "") + rest.replace(token, "")
            continue
        text = text.replace(token, values.get(key, ""))
    return _normalise(text)


def pick_subject(subjects: list[str], seed: str, target: Target) -> str:
    """Pick one of the organiser's subject lines, the same one each time for a letter."""
    if not subjects:
        return ""
    return subjects[zlib.crc32(f"{seed}:{target.id}".encode()) % len(subjects)]


def write_letter(
    action: Action,
    details: SupporterDetails,
    target: Target,
    language: str,
    today: date,
) -> LetterText | None:
    """Write the letter to one target in one language; None without such a model letter."""
    model = model_letter(action, details.variant, language)
    if model is None:
        return None
    return letter_from_model(model, details, target, today)


def letter_from_model(
    model: ModelLetter, details: SupporterDetails, target: Target, today: date
) -> LetterText:
    """Write one target's letter from one model letter (saved or not, e.g. a preview)."""
    language = model.language
    values = {
        "supporter.name": details.name,
        "supporter.city": details.city,
        "supporter.country": country_name(details.country, language) if details.country else "",
        "target.name": target.name,
        "target.salutation": salutation_for(target, language),
        "personal_message": details.personal_message.strip(),
        "today": localised_date(today, language, details.country),
    }
    if (
        language == details.language
        and not model.locked
        and details.edited_body is not None
        and is_edited(model, details.edited_body)
    ):
        body = fill_tokens(details.edited_body, values, language)
        # The supporter's text holds the paragraph where they left its [token], if they did.
        token = EDIT_TOKENS.get(language, EDIT_TOKENS["en"])["personal_message"]
        placed = token in details.edited_body
    else:
        body = render_model_body(model.body, values)
        placed = uses_placeholder(model.body, "personal_message")
    # A letter whose text places the personal paragraph itself gets it only there: once.
    personal = "" if placed else values["personal_message"]
    place = ", ".join(p for p in (details.city, values["supporter.country"]) if p)
    return LetterText(
        target=target,
        language=language,
        date_text=values["today"],
        subject=pick_subject(model.subjects, details.seed, target),
        salutation=values["target.salutation"],
        body=body,
        personal_message=personal,
        closing=model.closing,
        signature_name=details.name,
        signature_place=place,
    )


GENERIC_SALUTATION = "Dear Sir or Madam,"


def salutation_for(target: Target, language: str) -> str:
    """Return the salutation of a letter in `language`: the target's own in that language,
    else the app's generic one in it (translated), else the target's own in its language."""
    own = target.salutations.get(language)
    if own:
        return own
    with force_locale(language):
        generic = gettext("Dear Sir or Madam,")
    if generic != GENERIC_SALUTATION or language.split("-")[0] == "en":
        return generic
    return target.salutation_in(language)


def target_language(action: Action, details: SupporterDetails, target: Target) -> str:
    """Return the language a target gets: its own where a model letter exists in it."""
    if model_letter(action, details.variant, target.language) is not None:
        return target.language
    return details.language


def write_letters(
    action: Action, details: SupporterDetails, today: date, translations: bool = True
) -> list[LetterText]:
    """Write one letter per recipient, embassy copy included, with translations where needed.

    This is the one assembly of a letter: the preview shows its result, recording keeps it,
    and every channel renders the recorded letter. A translation says what the letter says:
    the supporter's edits reach only letters in the language they edit, so a translation is
    written from the model letter, never from the edits. Recording needs no translations.
    """
    letters = []
    for target in recipients_for(action, details.country, details.target_ids):
        language = target_language(action, details, target)
        letter = write_letter(action, details, target, language, today)
        if letter is None:
            continue
        if translations and language != details.language:
            letter = replace(letter, translation=write_translation(action, details, target, today))
        letters.append(letter)
    return letters


def write_translation(
    action: Action, details: SupporterDetails, target: Target, today: date
) -> LetterText | None:
    """Write what a letter in another language says, in the supporter's language.

    From the model letter, never from the supporter's edits: those do not reach that letter.
    """
    unedited = replace(details, edited_body=None)
    return write_letter(action, unedited, target, details.language, today)


def edits_not_reaching(action: Action, details: SupporterDetails) -> dict[str, list[Target]]:
    """Return, per letter language, the recipients a supporter's edits cannot reach.

    Edits are made in the supporter's language; a recipient who reads another language gets
    the organisers' text in it (the personal paragraph goes in as typed).
    """
    found: dict[str, list[Target]] = {}
    model = model_letter(action, details.variant, details.language)
    if model is None or model.locked:
        return found
    for target in recipients_for(action, details.country, details.target_ids):
        language = target_language(action, details, target)
        if language != details.language:
            found.setdefault(language, []).append(target)
    return found


def editable_texts(action: Action) -> dict[str, str]:
    """Return each editable model letter's text keyed "variant|language" (for the composer)."""
    return {
        f"{m.variant}|{m.language}": editable_text(m) for m in action.model_letters if not m.locked
    }


def current_body(action: Action, variant: str, language: str, text: str | None) -> str:
    """Return the text the composer's editor should hold for the chosen letter.

    The supporter's own edits are kept; an untouched text follows the chosen letter and language.
    """
    model = model_letter(action, variant, language)
    if model is None or model.locked:
        return text or ""
    if text and all(is_edited(m, text) for m in action.model_letters):
        return text
    return editable_text(model)
