"""Small builders for test data, on the paths the editor and the composer take."""

from __future__ import annotations

from datetime import datetime, timedelta

from actionapp.campaigns.case_texts import ActionTextFields
from actionapp.campaigns.editing import (
    ActionFields,
    ModelLetterFields,
    create_action,
    publish_action,
    save_model_letter,
    save_target,
)
from actionapp.campaigns.target_checks import TargetFields
from actionapp.extensions import db
from actionapp.letters.compose import write_letters
from actionapp.letters.record import NewSubmission, record_letters
from actionapp.models import Action, Submission, TargetKind


def submit_letters(action: Action, new: NewSubmission, now: datetime) -> Submission:
    """Write, record and count a supporter's letters as the composer does; return the submission.

    The composer writes the letters (with translations) before it takes the write lock, then
    records them; tests need no translations, so they are left out here.
    """
    recorded = record_letters(
        action, new, write_letters(action, new.details, now.date(), translations=False), now
    )
    return db.session.get_one(Submission, recorded.id)


def target_fields(name: str = "Minister Wei", **overrides) -> TargetFields:
    """Return a primary target's fields as the target form gives them (overrides by name)."""
    values = {
        "kind": TargetKind.PRIMARY,
        "supporter_country": None,
        "name": name,
        "title": "Minister of Justice",
        "organisation": "Ministry of Justice",
        "address_lines": "10 Justice Road\nCapital City",
        "country": "GB",
        "email": None,
        "language": "en",
        "salutations": {"en": "Dear Minister"},
        "why": "",
        "is_example": False,
    }
    values.update(overrides)
    return TargetFields(**values)


def build_action(
    now: datetime,
    slug: str = "free-ana",
    targets: tuple[TargetFields, ...] | None = None,
    publish: bool = True,
    **settings,
) -> Action:
    """Add an action through the editor's services: texts, targets, one model letter (flushes).

    Published (live) unless told not to; `settings` override the action form's values.
    """
    values = {
        "slug": slug,
        "ua_number": "UA 1/26",
        "image_alt": "",
        "language": "en",
        "target_country": "GB",
        "goal": 100,
        "deadline": now + timedelta(days=30),
        "post_days": 10,
        "require_email_confirmation": False,
        "mail_rate_per_hour": 10,
        "retention_days": 90,
    }
    values.update(settings)
    action = create_action(
        ActionFields(**values),
        ActionTextFields(title="Free Ana", summary="Ana is held.", what_we_ask="Write."),
        now,
    )
    for fields in targets if targets is not None else (target_fields(),):
        save_target(action, None, fields)
    save_model_letter(
        action,
        None,
        ModelLetterFields(
            variant="release",
            language=values["language"],
            label="Release",
            locked=False,
            subjects=["Release Ana"],
            closing="Yours sincerely,",
            body="{{ target.salutation }},\n\nPlease release Ana.\n\n{{ supporter.name }}",
        ),
    )
    if publish:
        problems = publish_action(action, now)
        assert problems == [], [str(p) for p in problems]
    return action
