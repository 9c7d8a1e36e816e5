"""What became of each emailed update: recipients, deliveries, failures, unsubscriptions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from actionapp.extensions import db
from actionapp.models import MessageKind, MessageStatus, OutboxMessage, Unsubscription, UpdateSend


@dataclass(frozen=True)
class UpdateFigures:
    """What became of one emailed update."""

    queued_at: datetime
    recipients: int
    delivered: int
    failed: int
    waiting: int
    unsubscribed: int


def update_figures(action_id: int) -> dict[int, UpdateFigures]:
    """Return, per emailed update of an action, its recipients, deliveries and unsubscriptions."""
    sends = db.session.scalars(select(UpdateSend).where(UpdateSend.action_id == action_id)).all()
    figures = {}
    for send in sends:
        statuses = dict(
            db.session.execute(
                select(OutboxMessage.status, func.count(OutboxMessage.id))
                .where(
                    OutboxMessage.action_id == action_id,
                    OutboxMessage.kind == MessageKind.UPDATE,
                    OutboxMessage.dedupe_key.like(f"update:{send.update_id}:%"),
                )
                .group_by(OutboxMessage.status)
            ).all()
        )
        unsubscribed = db.session.scalar(
            select(func.count(Unsubscription.id)).where(Unsubscription.update_id == send.update_id)
        )
        figures[send.update_id] = UpdateFigures(
            queued_at=send.queued_at,
            recipients=send.recipients,
            delivered=int(statuses.get(MessageStatus.SENT, 0)),
            failed=int(statuses.get(MessageStatus.FAILED, 0)),
            waiting=int(statuses.get(MessageStatus.QUEUED, 0))
            + int(statuses.get(MessageStatus.SENDING, 0)),
            unsubscribed=int(unsubscribed or 0),
        )
    return figures
