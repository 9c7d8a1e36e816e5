"""Database models, one module per aggregate."""

from actionapp.models.actions import (
    Action,
    ActionStatus,
    ActionText,
    ActionUpdate,
    ModelLetter,
    Target,
    TargetKind,
    UpdateText,
)
from actionapp.models.base import utcnow
from actionapp.models.counters import CounterSlot, LetterRollup, PersonalRollup
from actionapp.models.events import EventReport, EventReportLine, EventReportStatus
from actionapp.models.letters import Channel, Letter, LetterStatus, Submission
from actionapp.models.organisers import ExportLog, Organiser, Role, SignInThrottle
from actionapp.models.outbox import (
    MailSlot,
    MessageKind,
    MessageStatus,
    OutboxContent,
    OutboxMessage,
    OutboxTemplate,
)
from actionapp.models.replies import ReplyAnswer, ReplyReport
from actionapp.models.solidarity import (
    Delivery,
    Recipient,
    SignAs,
    SolidarityMessage,
    SolidaritySettings,
    SolidarityStatus,
)
from actionapp.models.updates_mail import Unsubscription, UpdateSend

__all__ = [
    "Action",
    "ActionStatus",
    "ActionText",
    "ActionUpdate",
    "Channel",
    "CounterSlot",
    "Delivery",
    "EventReport",
    "EventReportLine",
    "EventReportStatus",
    "ExportLog",
    "Letter",
    "LetterRollup",
    "LetterStatus",
    "MailSlot",
    "MessageKind",
    "MessageStatus",
    "ModelLetter",
    "Organiser",
    "OutboxContent",
    "OutboxMessage",
    "OutboxTemplate",
    "PersonalRollup",
    "Recipient",
    "ReplyAnswer",
    "ReplyReport",
    "Role",
    "SignAs",
    "SignInThrottle",
    "SolidarityMessage",
    "SolidaritySettings",
    "SolidarityStatus",
    "Submission",
    "Target",
    "TargetKind",
    "Unsubscription",
    "UpdateSend",
    "UpdateText",
    "utcnow",
]
