"""Creating and changing actions, their targets, model letters and updates."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, fields
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from actionapp.campaigns.actions import model_letter, primary_targets
from actionapp.campaigns.case_texts import (
    REQUIRED_TEXTS,
    ActionTextFields,
    save_action_texts,
    save_update_texts,
)
from actionapp.campaigns.follow_ups import check_update_follow_up
from actionapp.campaigns.model_letters import TemplateProblem, check_model_template
from actionapp.campaigns.models import REPLY_QUESTION_DAYS
from actionapp.campaigns.target_checks import TargetFields, clean_target
from actionapp.extensions import db
from actionapp.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    LetterRollup,
    ModelLetter,
    Target,
    TargetKind,
)
from actionapp.printing.pdf.checks import target_fit_problems
from actionapp.web.i18n import LANGUAGE_CODE

__all__ = ["TargetFields"]  # kept here for the callers that import it with the services

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class ActionFields:
    """The action form's settings (its texts, in the action's language, come separately)."""

    slug: str
    ua_number: str
    image_alt: str
    language: str
    target_country: str
    goal: int
    deadline: datetime
    post_days: int
    require_email_confirmation: bool
    mail_rate_per_hour: int
    retention_days: int
    reply_question_days: int = REPLY_QUESTION_DAYS
    show_reply_count: bool = False


def all_actions() -> list[Action]:
    """Return every action for the dashboard: live first, then drafts, then closed; newest first."""
    order = {ActionStatus.LIVE: 0, ActionStatus.DRAFT: 1, ActionStatus.CLOSED: 2}
    actions = db.session.scalars(
        select(Action).order_by(Action.created_at.desc(), Action.id.desc())
    )
    return sorted(actions, key=lambda action: order.get(action.status, 3))


def slug_taken(slug: str, except_id: int | None = None) -> bool:
    """Tell whether another action already uses this slug."""
    query = select(Action.id).where(Action.slug == slug)
    if except_id is not None:
        query = query.where(Action.id != except_id)
    return db.session.scalar(query) is not None


def create_action(values: ActionFields, texts: ActionTextFields, now: datetime) -> Action:
    """Add a draft action with its texts in its own language (flushes)."""
    action = Action(created_at=now, status=ActionStatus.DRAFT, **_as_dict(values))
    save_action_texts(action, action.language, texts)
    db.session.add(action)
    db.session.flush()
    return action


def update_action(action: Action, values: ActionFields, texts: ActionTextFields) -> None:
    """Change an action's settings and its texts in its own language (as the form showed it).

    A change of language to one the action has no texts in relabels its texts (a corrected
    language code); to one it has texts in, makes that language its own, and the texts given
    stay in the previous one (check `language_change_lacks` first).
    """
    previous = action.language
    save_action_texts(action, previous, texts)
    own = action.text_in(previous)
    if values.language != previous and action.text_in(values.language) is None and own:
        own.language = values.language
    for name, value in _as_dict(values).items():
        setattr(action, name, value)


def language_change_lacks(action: Action, language: str) -> list[str]:
    """Return the required texts (REQUIRED_TEXTS) the action lacks to make `language` its own."""
    row = action.text_in(language)
    if language == action.language or row is None:
        return []
    return [name for name in REQUIRED_TEXTS if not getattr(row, name)]


def _as_dict(values) -> dict:
    return {f.name: getattr(values, f.name) for f in fields(values)}


def publish_problems(action: Action, now: datetime) -> list[str]:
    """Return why the action cannot be published yet (an empty list: it can)."""
    problems = []
    if action.deadline <= now:
        problems.append(_l("The deadline has passed: set a later one."))
    if not primary_targets(action):
        problems.append(_l("Add at least one target to write to."))
    if not any(m.language == action.language for m in action.model_letters):
        problems.append(
            _l("Add a model letter in the action's language (%(lang)s).", lang=action.language)
        )
    for target in action.targets:
        for problem in target_fit_problems(target):
            problems.append(
                _l("The address of “%(name)s” does not fit the envelope window. %(problem)s",
                   name=target.name, problem=problem)
            )  # fmt: skip
    for letter in action.model_letters:
        if check_model_template(letter.body):
            problems.append(
                _l("The model letter “%(label)s” (%(lang)s) has errors.",
                   label=letter.label, lang=letter.language)
            )  # fmt: skip
    return problems


def publish_action(action: Action, now: datetime) -> list[str]:
    """Make a draft or closed action live, unless something is missing; return the problems."""
    problems = publish_problems(action, now)
    if problems:
        return problems
    action.status = ActionStatus.LIVE
    action.published_at = action.published_at or now
    action.closed_at = None
    return []


def close_action(action: Action, now: datetime) -> None:
    """Stop taking letters now; the retention period for personal data starts."""
    action.status = ActionStatus.CLOSED
    action.closed_at = now


def letters_to(action_id: int, target_id: int | None = None) -> int:
    """Return how many letters (any status) an action, or one of its targets, has received."""
    query = select(func.coalesce(func.sum(LetterRollup.count), 0)).where(
        LetterRollup.action_id == action_id
    )
    if target_id is not None:
        query = query.where(LetterRollup.target_id == target_id)
    return int(db.session.scalar(query) or 0)


def delete_action(action: Action) -> str | None:
    """Delete an action and everything recorded for it; return its image to remove."""
    image = action.image
    action_id = action.id
    db.session.expunge(action)
    # The database cascades to targets, letters, submissions, counters and rollups.
    db.session.execute(delete(Action).where(Action.id == action_id))
    return image


def remove_target(action: Action, target: Target) -> bool:
    """Remove a target no letter was written to (flushes nothing); False: letters keep it."""
    if letters_to(action.id, target.id):
        return False
    action.targets.remove(target)
    return True


def remove_model_letter(action: Action, letter: ModelLetter) -> bool:
    """Remove a model letter; False when it is a live action's last one in its own language."""
    same_language = [m for m in action.model_letters if m.language == action.language]
    if action.status == ActionStatus.LIVE and same_language == [letter]:
        return False
    action.model_letters.remove(letter)
    return True


# --- targets ---------------------------------------------------------------------------------


def parse_salutations(text: str) -> tuple[dict[str, str], list[str]]:
    """Read "language: salutation" lines into a dict; return it and the lines not understood."""
    salutations: dict[str, str] = {}
    bad = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        code, sep, value = line.partition(":")
        code = code.strip()
        if not sep or not LANGUAGE_CODE.match(code) or not value.strip():
            bad.append(line.strip())
            continue
        salutations[code] = value.strip()
    return salutations, bad


def salutations_text(salutations: dict[str, str]) -> str:
    """Write salutations back as "language: salutation" lines."""
    return "\n".join(f"{code}: {value}" for code, value in salutations.items())


def embassy_conflict(action: Action, country: str | None, except_id: int | None) -> bool:
    """Tell whether another embassy copy already serves supporters in this country."""
    return any(
        t.kind == TargetKind.EMBASSY and t.supporter_country == country and t.id != except_id
        for t in action.targets
    )


def _same(a: str | None, b: str | None) -> bool:
    return " ".join((a or "").split()).casefold() == " ".join((b or "").split()).casefold()


def same_official(
    action: Action, name: str, organisation: str, email: str | None, except_id: int | None
) -> Target | None:
    """Return another target of the action that is this official: the same email address,
    or the same name in the same organisation (ignoring case and spacing); else None."""
    for other in action.targets:
        if other.id == except_id or other.kind != TargetKind.PRIMARY:
            continue
        if (email and _same(other.email, email)) or (
            _same(other.name, name) and _same(other.organisation, organisation)
        ):
            return other
    return None


def save_target(action: Action, target: Target | None, values: TargetFields) -> Target:
    """Add a target to an action, or change one (flushes)."""
    if target is None:
        target = Target(position=len(action.targets))
        action.targets.append(target)
    for name, value in _as_dict(values).items():
        setattr(target, name, value)
    if target.kind == TargetKind.PRIMARY:
        target.supporter_country = None
    db.session.flush()
    return target


@dataclass(frozen=True)
class ImportResult:
    """What a CSV import did, or why it did nothing."""

    created: int = 0
    updated: int = 0
    problems: tuple[tuple[int, str], ...] = field(default_factory=tuple)


EMBASSY_COLUMNS = ("supporter_country", "name")


def import_embassies(action: Action, text: str) -> ImportResult:
    """Add or replace embassy copies from CSV; all rows or none.

    Columns: supporter_country and name (required), title, organisation, address (lines
    separated by "|" or line breaks), country, email, language, why, and salutation_<lang>
    for each language (salutation_en, salutation_zh, ...). An existing copy for the same
    supporter country is replaced.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in EMBASSY_COLUMNS if c not in header]
    if missing:
        return ImportResult(
            problems=((1, str(_l("Missing columns: %(cols)s", cols=", ".join(missing)))),)
        )
    problems: list[tuple[int, str]] = []
    rows: list[tuple[int, TargetFields]] = []
    seen: set[str] = set()
    ended = reader.line_num  # the header's last line
    for row in reader:
        # The line the row starts on: a quoted cell may hold line breaks.
        line, ended = ended + 1, reader.line_num
        values, row_problems = _embassy_row(row)
        problems.extend((line, str(message)) for message in row_problems)
        if values is None:
            continue
        if values.supporter_country in seen:
            problems.append((line, str(_l("This supporter country appears twice."))))
        seen.add(values.supporter_country or "")
        rows.append((line, values))
    if problems:
        return ImportResult(problems=tuple(problems))
    created = updated = 0
    by_country = {t.supporter_country: t for t in action.targets if t.kind == TargetKind.EMBASSY}
    for _line, values in rows:
        existing = by_country.get(values.supporter_country)
        save_target(action, existing, values)
        if existing is None:
            created += 1
        else:
            updated += 1
    return ImportResult(created=created, updated=updated)


def _embassy_row(row: dict) -> tuple[TargetFields | None, list]:
    """Read one CSV row and check it by the same rules as the target form."""

    def cell(name: str) -> str:
        return (row.get(name) or "").strip()

    supporter_country = cell("supporter_country").upper()
    salutations = {
        key.removeprefix("salutation_"): (value or "").strip()
        for key, value in row.items()
        if key and key.startswith("salutation_") and (value or "").strip()
    }
    address = "\n".join(p.strip() for p in re.split(r"[|\n]", cell("address")) if p.strip())
    values, problems = clean_target(
        TargetFields(
            kind=TargetKind.EMBASSY,
            supporter_country=supporter_country,
            name=cell("name"),
            title=cell("title"),
            organisation=cell("organisation"),
            address_lines=address,
            country=cell("country").upper() or supporter_country,
            email=cell("email") or None,
            language=cell("language") or "en",
            salutations=salutations,
            why=cell("why"),
            is_example=False,
        )
    )
    if problems:
        return None, [f"{_column(name)}: {message}" for name, message in problems]
    return values, []


def _column(field_name: str) -> str:
    """Name the CSV column a target field comes from."""
    return {"address_lines": "address", "salutations": "salutation_*"}.get(field_name, field_name)


# --- model letters and updates ----------------------------------------------------------------


@dataclass(frozen=True)
class ModelLetterFields:
    """Everything the model letter form edits."""

    variant: str
    language: str
    label: str
    locked: bool
    subjects: list[str]
    closing: str
    body: str


def model_letter_problems(
    action: Action, letter: ModelLetter | None, values: ModelLetterFields
) -> list[TemplateProblem]:
    """Return what stops this model letter from being saved (template errors, duplicates)."""
    problems = check_model_template(values.body)
    other = model_letter(action, values.variant, values.language)
    if other is not None and other is not letter:
        problems.append(
            TemplateProblem(
                0, _l("This action already has a “%(variant)s” letter in this language.",
                      variant=values.variant)
            )
        )  # fmt: skip
    return problems


def save_model_letter(
    action: Action, letter: ModelLetter | None, values: ModelLetterFields
) -> ModelLetter:
    """Add or change a model letter whose problems were checked first (flushes)."""
    if letter is None:
        letter = ModelLetter(position=len(action.model_letters))
        action.model_letters.append(letter)
    for name, value in _as_dict(values).items():
        setattr(letter, name, value)
    db.session.flush()
    return letter


def add_update(
    action: Action,
    outcome: str,
    title: str,
    body: str,
    when: datetime,
    follow_up_id: int | None = None,
) -> ActionUpdate:
    """Add news or an outcome ("released"), written in the action's language (flushes).

    It may invite its readers to a follow-up of the action (checked: FollowUpError).
    """
    check_update_follow_up(action, follow_up_id)
    update = ActionUpdate(outcome=outcome, published_at=when, follow_up_id=follow_up_id)
    save_update_texts(update, action.language, title, body)
    action.updates.append(update)
    db.session.flush()
    return update
