"""Organisers who sign in, their sign-in throttles, and the log of exports they made."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from actionapp.columns import enum_type, utcnow
from actionapp.extensions import db


class Role(StrEnum):
    """What an organiser may do: each role can do everything the ones before it can."""

    VIEWER = "viewer"  # statistics and exports without personal data
    EDITOR = "editor"  # edits, publishes, closes and deletes actions
    ADMIN = "admin"  # also manages organisers and supporters' personal data

    @property
    def rank(self) -> int:
        """Return the role's place in the order viewer < editor < admin."""
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        """Tell whether this role may do what the needed role may do."""
        return self.rank >= needed.rank


def new_session_token() -> str:
    """Return a fresh token that ends every session signed in with the previous one."""
    return secrets.token_urlsafe(16)


class Organiser(db.Model):
    """Someone from the organisation who signs in to run actions."""

    __tablename__ = "organisers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_type(Role, 20), default=Role.VIEWER)
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the login id in the session: changing it signs the organiser out everywhere.
    session_token: Mapped[str] = mapped_column(String(40), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[datetime | None]
    last_failed_sign_in_at: Mapped[datetime | None]
    # Failed attempts since the last successful sign-in (shown to admins).
    failed_sign_ins: Mapped[int] = mapped_column(default=0)

    # Flask-Login's user protocol.
    @property
    def is_authenticated(self) -> bool:
        """Tell Flask-Login this is a signed-in user."""
        return True

    @property
    def is_active(self) -> bool:
        """Tell Flask-Login whether the account may sign in."""
        return self.active

    @property
    def is_anonymous(self) -> bool:
        """Tell Flask-Login this is not the anonymous user."""
        return False

    def get_id(self) -> str:
        """Return the id kept in the session: the row id and the current session token."""
        return f"{self.id}:{self.session_token}"

    def can(self, needed: Role | str) -> bool:
        """Tell whether the organiser is active and has at least the needed role."""
        return self.active and Role(self.role).allows(Role(needed))


class SignInThrottle(db.Model):
    """Failed sign-ins for one account or one network address, and any lockout in force."""

    __tablename__ = "sign_in_throttles"

    # "account:<email>" or "address:<ip>"; unknown accounts are throttled like known ones.
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]


class ExportLog(db.Model):
    """One export or data request made by an organiser: who, what, when, and with what data."""

    __tablename__ = "export_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisers.id", ondelete="SET NULL")
    )
    # Kept as text so the record survives the organiser's and the action's deletion.
    organiser_email: Mapped[str] = mapped_column(String(254))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id", ondelete="SET NULL"))
    action_slug: Mapped[str] = mapped_column(String(120), default="")
    kind: Mapped[str] = mapped_column(String(40))
    personal_data: Mapped[bool] = mapped_column(default=False)
    # Why personal data was needed, as the admin wrote it; other details of the request.
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_export_logs_created", "created_at"),)
