"""An urgent action with its texts per language, targets, model letters and updates."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from actionapp.columns import enum_type, utcnow
from actionapp.extensions import db

# Days after a supporter's letters before the reply question, unless the action says otherwise.
REPLY_QUESTION_DAYS = 14


class ActionStatus(StrEnum):
    """Where an action stands in its life; the deadline closes a live action by itself."""

    DRAFT = "draft"
    LIVE = "live"
    CLOSED = "closed"


class TargetKind(StrEnum):
    """A primary target, or an embassy that gets a copy for supporters of one country."""

    PRIMARY = "primary"
    EMBASSY = "embassy"


class Action(db.Model):
    """An urgent action: the case, what to ask for, whom to write to, and a deadline."""

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    ua_number: Mapped[str] = mapped_column(String(60), default="")
    image: Mapped[str | None] = mapped_column(String(200))
    image_alt: Mapped[str] = mapped_column(String(300), default="")
    # The action's own (default) language: its texts in it are complete, others may fall back.
    language: Mapped[str] = mapped_column(String(12), default="en")
    target_country: Mapped[str] = mapped_column(String(2), default="")
    goal: Mapped[int] = mapped_column(default=1000)
    deadline: Mapped[datetime]
    # Days a posted letter needs to arrive; closer to the deadline we recommend email.
    post_days: Mapped[int] = mapped_column(default=10)
    status: Mapped[ActionStatus] = mapped_column(
        enum_type(ActionStatus, 20), default=ActionStatus.DRAFT
    )
    require_email_confirmation: Mapped[bool] = mapped_column(default=True)
    mail_rate_per_hour: Mapped[int] = mapped_column(default=30)
    retention_days: Mapped[int] = mapped_column(default=30)
    is_demo: Mapped[bool] = mapped_column(default=False)
    # Days after a supporter's letters went out before we ask whether an official replied
    # (services.replies); 0: never ask.
    reply_question_days: Mapped[int] = mapped_column(default=REPLY_QUESTION_DAYS)
    # Whether the action page shows how many supporters reported a reply.
    show_reply_count: Mapped[bool] = mapped_column(default=False)
    # The organisers' own additions to the coaching word lists: {kind: [phrases]}, applied to
    # letters in every language (services/coaching.py).
    coaching_words: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    # The earlier action on the same case that this one follows up (campaigns/follow_ups.py
    # keeps the chain free of cycles); deleting the earlier action leaves this one standing.
    follows_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    targets: Mapped[list[Target]] = relationship(
        back_populates="action", order_by="Target.position", cascade="all, delete-orphan"
    )
    model_letters: Mapped[list[ModelLetter]] = relationship(
        back_populates="action", order_by="ModelLetter.position", cascade="all, delete-orphan"
    )
    updates: Mapped[list[ActionUpdate]] = relationship(
        back_populates="action",
        foreign_keys="ActionUpdate.action_id",
        order_by="ActionUpdate.published_at.desc()",
        cascade="all, delete-orphan",
    )
    # Loaded with the action: every page shows some of them, and cached actions are detached.
    texts: Mapped[list[ActionText]] = relationship(
        back_populates="action",
        order_by="ActionText.language",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    __table_args__ = (Index("ix_actions_status_published", "status", "published_at"),)

    def text_in(self, language: str) -> ActionText | None:
        """Return the action's texts written in a language, if any."""
        return next((t for t in self.texts if t.language == language), None)

    @property
    def title(self) -> str:
        """The title in the action's own language (organiser pages, file names, emails).

        Public pages show the visitor's language through services.case_texts.case_texts.
        """
        own = self.text_in(self.language)
        return own.title if own else ""


class ActionText(db.Model):
    """An action's texts in one language; empty means not written in that language."""

    __tablename__ = "action_texts"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    what_we_ask: Mapped[str] = mapped_column(Text, default="")
    background: Mapped[str] = mapped_column(Text, default="")
    # What supporters post when they share the action; empty: the interface's own sentence.
    share_text: Mapped[str] = mapped_column(Text, default="")

    action: Mapped[Action] = relationship(back_populates="texts")

    __table_args__ = (UniqueConstraint("action_id", "language"),)


class Target(db.Model):
    """Someone a letter goes to: an authority, or an embassy copy for one supporter country."""

    __tablename__ = "targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"))
    kind: Mapped[TargetKind] = mapped_column(enum_type(TargetKind, 20), default=TargetKind.PRIMARY)
    # For embassy copies: the supporter country whose letters get this copy.
    supporter_country: Mapped[str | None] = mapped_column(String(2))
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    address_lines: Mapped[str] = mapped_column(Text, default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(12), default="en")
    # Salutation per language code; the one in `language` is what the target receives.
    salutations: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    why: Mapped[str] = mapped_column(Text, default="")
    is_example: Mapped[bool] = mapped_column(default=False)

    action: Mapped[Action] = relationship(back_populates="targets")

    __table_args__ = (Index("ix_targets_action_kind", "action_id", "kind", "supporter_country"),)

    @property
    def address(self) -> list[str]:
        """Return the postal address as a list of lines."""
        return [line for line in self.address_lines.splitlines() if line.strip()]

    @property
    def label(self) -> str:
        """Return the name to list the target by: an embassy copy by its embassy (its country)."""
        if self.kind == TargetKind.EMBASSY:
            return self.organisation or self.name
        return self.name

    def salutation_in(self, language: str) -> str:
        """Return the salutation in a language, falling back to the target's own."""
        return self.salutations.get(language) or self.salutations.get(self.language) or ""


class ModelLetter(db.Model):
    """One language version of a model letter; versions of one letter share a variant key."""

    __tablename__ = "model_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"))
    variant: Mapped[str] = mapped_column(String(60))
    language: Mapped[str] = mapped_column(String(12))
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(200))
    locked: Mapped[bool] = mapped_column(default=False)
    subjects: Mapped[list[str]] = mapped_column(JSON, default=list)
    closing: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)

    action: Mapped[Action] = relationship(back_populates="model_letters")

    __table_args__ = (UniqueConstraint("action_id", "variant", "language"),)


class ActionUpdate(db.Model):
    """News on the case shown on the action page; an outcome ("released") replaces the composer."""

    __tablename__ = "action_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"))
    # A short status word such as "released"; empty for plain news.
    outcome: Mapped[str] = mapped_column(String(60), default="")
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A follow-up action (one that follows this update's action) the update invites its
    # readers to; shown, and emailed, only once that action is published.
    follow_up_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id", ondelete="SET NULL"))

    action: Mapped[Action] = relationship(back_populates="updates", foreign_keys=[action_id])
    texts: Mapped[list[UpdateText]] = relationship(
        back_populates="update",
        order_by="UpdateText.language",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    def text_in(self, language: str) -> UpdateText | None:
        """Return the update's texts written in a language, if any."""
        return next((t for t in self.texts if t.language == language), None)

    @property
    def title(self) -> str:
        """The title in the action's own language (organiser pages)."""
        own = self.text_in(self.action.language)
        return own.title if own else ""


class UpdateText(db.Model):
    """An update's title and text in one language."""

    __tablename__ = "action_update_texts"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("action_updates.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")

    update: Mapped[ActionUpdate] = relationship(back_populates="texts")

    __table_args__ = (UniqueConstraint("update_id", "language"),)


def touch_changed_actions(session: Session, _context, _instances) -> None:
    """Bump an action's updated_at whenever one of its parts changes (before each flush).

    Cached public pages are keyed by it, so an edited target or a new outcome shows at once.
    The factory attaches it to the app's session (db.session) only: watch_action_changes.
    """
    now = utcnow()
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, UpdateText):
            update = instance.update or session.get(ActionUpdate, instance.update_id)
            action = update.action if update is not None else None
        elif isinstance(instance, Target | ModelLetter | ActionUpdate | ActionText):
            action = instance.action or session.get(Action, instance.action_id)
        else:
            continue
        if action is not None and action not in session.deleted:
            action.updated_at = now


def watch_action_changes(session_factory) -> None:
    """Run touch_changed_actions before every flush of this session factory's sessions (once)."""
    if not event.contains(session_factory, "before_flush", touch_changed_actions):
        event.listen(session_factory, "before_flush", touch_changed_actions)
