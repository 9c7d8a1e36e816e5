"""Loading the built-in demo action."""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from actionapp.campaigns.case_texts import ACTION_TEXTS, ActionTextFields, save_action_texts
from actionapp.extensions import db
from actionapp.models import Action, ActionStatus, ModelLetter, Target, TargetKind

DEMO_FILE = Path(__file__).resolve().parent.parent / "seed" / "demo_action.toml"


def load_demo_data(path: Path = DEMO_FILE) -> dict:
    """Read the demo action's source data."""
    with path.open("rb") as handle:
        return tomllib.load(handle)


def database_is_empty() -> bool:
    """Tell whether no action exists yet."""
    return (db.session.scalar(select(func.count(Action.id))) or 0) == 0


def demo_action() -> Action | None:
    """Return the demo action if it was loaded (the first one, if loaded again with --force)."""
    return db.session.scalar(select(Action).where(Action.is_demo).order_by(Action.id).limit(1))


def free_slug(slug: str) -> str:
    """Return the slug, or slug-2, slug-3... when an action has it already."""
    taken = set(db.session.scalars(select(Action.slug).where(Action.slug.startswith(slug))))
    candidate, number = slug, 1
    while candidate in taken:
        number += 1
        candidate = f"{slug}-{number}"
    return candidate


def _demo_action_row(spec: dict, now: datetime) -> Action:
    """Return the demo action's row, live from `now`, at a free address."""
    return Action(
        # `seed-demo --force` beside the demo: another copy at its own address.
        slug=free_slug(spec["slug"]),
        ua_number=spec.get("ua_number", ""),
        image=spec.get("image"),
        image_alt=spec.get("image_alt", ""),
        language=spec.get("language", "en"),
        target_country=spec.get("target_country", ""),
        goal=int(spec.get("goal", 1000)),
        deadline=(now + timedelta(days=int(spec.get("deadline_days", 30)))).replace(
            hour=23, minute=59, second=0, microsecond=0
        ),
        post_days=int(spec.get("post_days", 10)),
        status=ActionStatus.LIVE,
        is_demo=True,
        created_at=now,
        published_at=now,
    )


def create_demo_action(now: datetime, data: dict | None = None) -> Action:
    """Add the demo action, live, with its texts, targets and model letters (flushes only)."""
    data = data or load_demo_data()
    spec = data["action"]
    action = _demo_action_row(spec, now)
    for language, texts in data["texts"].items():
        save_action_texts(
            action,
            language,
            ActionTextFields(**{name: texts.get(name, "").strip() for name in ACTION_TEXTS}),
        )
    for position, target in enumerate(data.get("targets", [])):
        action.targets.append(
            Target(
                kind=TargetKind(target.get("kind", "primary")),
                supporter_country=target.get("supporter_country"),
                position=position,
                name=target["name"],
                title=target.get("title", ""),
                organisation=target.get("organisation", ""),
                address_lines="\n".join(target.get("address_lines", [])),
                country=target.get("country", ""),
                email=target.get("email"),
                language=target.get("language", "en"),
                salutations=dict(target.get("salutations", {})),
                why=target.get("why", ""),
                is_example=bool(target.get("example", False)),
            )
        )
    for position, letter in enumerate(data.get("letters", [])):
        action.model_letters.append(
            ModelLetter(
                variant=letter["variant"],
                language=letter["language"],
                position=position,
                label=letter["label"],
                locked=bool(letter.get("locked", False)),
                subjects=list(letter.get("subjects", [])),
                closing=letter.get("closing", ""),
                body=letter["body"].strip(),
            )
        )
    db.session.add(action)
    db.session.flush()
    return action
