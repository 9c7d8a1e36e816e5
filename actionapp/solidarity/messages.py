"""Solidarity messages: an action's settings, writing a message, moderation and the counts.

Messages are counted apart from letters (counters `solidarity:<status>`, and cards written at
events `solidarity:event:<status>`), in the same transaction as the messages themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from actionapp.campaigns.actions import action_state
from actionapp.extensions import db
from actionapp.models import (
    Action,
    Delivery,
    Recipient,
    SignAs,
    SolidarityMessage,
    SolidaritySettings,
    SolidarityStatus,
)
from actionapp.solidarity.safety import Finding, SafetyRules, message_problems
from actionapp.stats.counts import bump, counter_values

# The length limit organisers choose lies between these: a card holds a few sentences.
MIN_CHARS = 100
MAX_CHARS = 1000
DEFAULT_CHARS = 400
# A bulk review moves at most this many messages at once (one page of the queue).
BULK_MAX = 200
REASON_MAX = 300
AVOID_WORDS_MAX = 50


class MessageRefusedError(ValueError):
    """A message that breaks the action's rules; `findings` says how."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(", ".join(str(f.problem) for f in findings))
        self.findings = findings


class MessagesClosedError(Exception):
    """The action takes no solidarity messages (not open for them, or closed)."""


def settings_of(action: Action) -> SolidaritySettings | None:
    """Return the action's solidarity settings, if organisers ever saved them."""
    return getattr(action, "solidarity", None)


def messages_open(action: Action, now: datetime) -> bool:
    """Tell whether supporters can write a message for the action now."""
    settings = settings_of(action)
    return bool(settings and settings.is_open and action_state(action, now).accepting)


def message_languages(action: Action) -> list[str]:
    """Return the languages messages may be written in (the action's own when none chosen)."""
    settings = settings_of(action)
    return list(settings.languages) if settings and settings.languages else [action.language]


@dataclass(frozen=True)
class SettingsValues:
    """What an organiser sets for an action's solidarity messages."""

    is_open: bool
    recipient: Recipient
    recipient_name: str
    languages: list[str]
    delivery: Delivery
    postal_address: str
    max_chars: int
    no_organisation: bool
    no_surnames: bool
    no_places: bool
    avoid_words: list[str] = field(default_factory=list)
    show_on_page: bool = False


def save_settings(action: Action, values: SettingsValues, now: datetime) -> SolidaritySettings:
    """Store an action's solidarity settings (the form has checked the values)."""
    if not MIN_CHARS <= values.max_chars <= MAX_CHARS:
        raise ValueError(f"a length limit of {MIN_CHARS} to {MAX_CHARS} characters")
    if values.delivery == Delivery.CARD and not values.postal_address.strip():
        raise ValueError("cards posted by supporters need the address to post them to")
    settings = settings_of(action)
    if settings is None:
        settings = SolidaritySettings(action=action)
        db.session.add(settings)
    for name, value in vars(values).items():
        setattr(settings, name, value)
    # The action page shows the settings (and maybe messages): a new version renders afresh.
    action.updated_at = now
    db.session.flush()
    return settings


def rules_for(action: Action, organisation: str, surname: str = "", town: str = "") -> SafetyRules:
    """Return the safety rules a message to this action is checked against."""
    settings = settings_of(action)
    if settings is None:
        return SafetyRules(max_chars=DEFAULT_CHARS, organisation=organisation)
    return SafetyRules(
        max_chars=settings.max_chars,
        organisation=organisation,
        no_organisation=settings.no_organisation,
        no_surnames=settings.no_surnames,
        no_places=settings.no_places,
        avoid_words=tuple(settings.avoid_words),
        surname=surname,
        town=town,
    )


def signature_for(sign_as: SignAs, first_name: str, country_label: str, anonymous: str) -> str:
    """Return how a card is signed: never more than a first name and a country."""
    if sign_as == SignAs.ANONYMOUS or not first_name:
        return anonymous
    if sign_as == SignAs.FIRST_NAME_COUNTRY and country_label:
        return f"{first_name}, {country_label}"
    return first_name


@dataclass(frozen=True)
class NewMessage:
    """A message as the supporter wrote it, with how they sign."""

    body: str
    language: str
    sign_as: SignAs
    first_name: str
    country: str
    signature: str
    client_key: str
    email: str | None = None
    submission_id: int | None = None


def _metric(status: SolidarityStatus) -> str:
    return f"solidarity:{status.value}"


def submit_message(
    action: Action, new: NewMessage, rules: SafetyRules, now: datetime
) -> SolidarityMessage:
    """Record a message, pending moderation, and count it as pending.

    The same form posted twice (its client key) records one message: the first is returned.
    """
    if not messages_open(action, now):
        raise MessagesClosedError(action.slug)
    findings = message_problems(new.body, rules)
    if findings:
        raise MessageRefusedError(findings)
    existing = db.session.scalar(
        select(SolidarityMessage).where(
            SolidarityMessage.action_id == action.id,
            SolidarityMessage.client_key == new.client_key,
        )
    )
    if existing is not None:
        return existing
    message = SolidarityMessage(
        action_id=action.id,
        submission_id=new.submission_id,
        client_key=new.client_key,
        status=SolidarityStatus.PENDING,
        language=new.language,
        body=new.body.strip(),
        sign_as=new.sign_as,
        signature=new.signature,
        first_name=new.first_name if new.sign_as != SignAs.ANONYMOUS else "",
        country=new.country if new.sign_as == SignAs.FIRST_NAME_COUNTRY else "",
        email=new.email,
        created_at=now,
    )
    db.session.add(message)
    bump(action.id, {_metric(SolidarityStatus.PENDING): 1})
    db.session.flush()
    return message


def review_messages(
    action: Action, message_ids: list[int], status: SolidarityStatus, reason: str, now: datetime
) -> int:
    """Approve or reject messages of an action (a reason kept for rejections); return how many.

    Rows are locked first (on SQLite inside write_transaction()), so two organisers reviewing
    at once never move a count twice.
    """
    if status == SolidarityStatus.REJECTED and not reason.strip():
        raise ValueError("a rejection needs a reason")
    if len(message_ids) > BULK_MAX:
        raise ValueError(f"at most {BULK_MAX} messages at once")
    messages = db.session.scalars(
        select(SolidarityMessage)
        .where(SolidarityMessage.action_id == action.id, SolidarityMessage.id.in_(message_ids))
        .order_by(SolidarityMessage.id)
        .with_for_update()
    ).all()
    deltas: dict[str, int] = {}
    for message in messages:
        if message.status != status:
            deltas[_metric(message.status)] = deltas.get(_metric(message.status), 0) - 1
            deltas[_metric(status)] = deltas.get(_metric(status), 0) + 1
            message.status = status
        message.reject_reason = reason.strip() if status == SolidarityStatus.REJECTED else ""
        message.reviewed_at = now
    bump(action.id, deltas)
    settings = settings_of(action)
    if deltas and settings is not None and settings.show_on_page:
        # Approved messages are on the action page: render it afresh.
        action.updated_at = now
    db.session.flush()
    return len(messages)


def message_queue(action_id: int, status: SolidarityStatus, limit: int = BULK_MAX):
    """Return an action's messages in one status, oldest first (the moderation queue)."""
    return list(
        db.session.scalars(
            select(SolidarityMessage)
            .where(SolidarityMessage.action_id == action_id, SolidarityMessage.status == status)
            .order_by(SolidarityMessage.created_at, SolidarityMessage.id)
            .limit(limit)
        )
    )


def approved_messages(action_id: int, language: str | None = None, limit: int | None = None):
    """Return approved messages still holding their text, oldest first (cards, the page)."""
    query = (
        select(SolidarityMessage)
        .where(
            SolidarityMessage.action_id == action_id,
            SolidarityMessage.status == SolidarityStatus.APPROVED,
            SolidarityMessage.personal_data_removed_at.is_(None),
        )
        .order_by(SolidarityMessage.created_at, SolidarityMessage.id)
    )
    if language:
        query = query.where(SolidarityMessage.language == language)
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


# The action page shows at most this many approved messages (the newest).
PAGE_MESSAGES = 12


def page_messages(action: Action) -> list[SolidarityMessage]:
    """Return the approved messages the action page shows (none unless organisers chose so)."""
    settings = settings_of(action)
    if settings is None or not settings.show_on_page:
        return []
    return list(
        db.session.scalars(
            select(SolidarityMessage)
            .where(
                SolidarityMessage.action_id == action.id,
                SolidarityMessage.status == SolidarityStatus.APPROVED,
                SolidarityMessage.personal_data_removed_at.is_(None),
            )
            .order_by(SolidarityMessage.created_at.desc(), SolidarityMessage.id.desc())
            .limit(PAGE_MESSAGES)
        )
    )


def event_cards_metric(status: str) -> str:
    """Name the counter of solidarity cards reported from events in one report status."""
    return f"solidarity:event:{status}"


@dataclass(frozen=True)
class SolidarityCounts:
    """Solidarity messages of an action, counted apart from letters."""

    approved: int = 0
    pending: int = 0
    rejected: int = 0
    # Cards written on paper at events, from approved event reports.
    event_cards: int = 0
    event_cards_pending: int = 0

    @property
    def total(self) -> int:
        """Return the messages that count publicly: approved ones and approved event cards."""
        return self.approved + self.event_cards

    def as_dict(self) -> dict:
        """Return the counts as JSON-ready data."""
        return {
            "total": self.total,
            "online": {
                "approved": self.approved,
                "pending": self.pending,
                "rejected": self.rejected,
            },
            "event_cards": {"approved": self.event_cards, "pending": self.event_cards_pending},
        }


def solidarity_counts(action_id: int, values: dict[str, int] | None = None) -> SolidarityCounts:
    """Return an action's solidarity counts from its counters (no scan of the messages)."""
    values = counter_values(action_id) if values is None else values
    return SolidarityCounts(
        approved=values.get(_metric(SolidarityStatus.APPROVED), 0),
        pending=values.get(_metric(SolidarityStatus.PENDING), 0),
        rejected=values.get(_metric(SolidarityStatus.REJECTED), 0),
        event_cards=values.get(event_cards_metric("approved"), 0),
        event_cards_pending=values.get(event_cards_metric("pending"), 0),
    )
