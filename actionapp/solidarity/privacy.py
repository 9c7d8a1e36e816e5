"""Solidarity messages under the privacy rules: purge on schedule, subject access, erasure.

Removing a message's personal data blanks its text, signature, first name and email and
records when; its status, language, country and the counts stay.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, or_, select, update

from actionapp.extensions import db
from actionapp.models import Action, SolidarityMessage, Submission, utcnow


def erase_messages(where: ColumnElement[bool], now: datetime) -> int:
    """Blank the personal data of the messages matching `where`; return how many changed."""
    actions = set(
        db.session.scalars(
            select(SolidarityMessage.action_id).where(
                where, SolidarityMessage.personal_data_removed_at.is_(None)
            )
        )
    )
    if not actions:
        return 0
    result = db.session.execute(
        update(SolidarityMessage)
        .where(where, SolidarityMessage.personal_data_removed_at.is_(None))
        .values(body="", signature="", first_name="", email=None, personal_data_removed_at=now)
        .execution_options(synchronize_session=False)
    )
    # An action page may show these messages: its next rendering leaves them out.
    db.session.execute(update(Action).where(Action.id.in_(actions)).values(updated_at=utcnow()))
    return result.rowcount or 0


def by_email(address: str) -> ColumnElement[bool]:
    """Return the condition for the messages written with an address (or after its appeals)."""
    return or_(
        SolidarityMessage.email == address,
        SolidarityMessage.submission_id.in_(
            select(Submission.id).where(Submission.email == address)
        ),
    )


def message_records(address: str) -> list[dict]:
    """Return the messages held under an address, for a subject-access export."""
    messages = db.session.scalars(
        select(SolidarityMessage).where(by_email(address)).order_by(SolidarityMessage.id)
    )
    return [
        {
            "action": message.action.title,
            "written_at": message.created_at.isoformat() + "Z",
            "language": message.language,
            "message": message.body,
            "signed": message.signature,
            "country": message.country,
            "email": message.email,
            "status": str(message.status),
            "reject_reason": message.reject_reason,
            "personal_data_removed_at": (
                message.personal_data_removed_at.isoformat() + "Z"
                if message.personal_data_removed_at
                else None
            ),
        }
        for message in messages
    ]
