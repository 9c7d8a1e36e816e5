"""Database models, one module per aggregate."""

from actionapp.campaigns.models import (
    Action,
    ActionStatus,
    ActionText,
    ActionUpdate,
    ModelLetter,
    Target,
    TargetKind,
    UpdateText,
)
from actionapp.columns import utcnow
from actionapp.email.outbox_models import (
    MailSlot,
    MessageKind,
    MessageStatus,
    OutboxContent,
    OutboxMessage,
    OutboxTemplate,
)
from actionapp.email.updates_models import Unsubscription, UpdateSend
from actionapp.events.models import EventReport, EventReportLine, EventReportStatus
from actionapp.letters.models import Channel, Letter, LetterStatus, Submission
from actionapp.organisers.models import ExportLog, Organiser, Role, SignInThrottle
from actionapp.replies.models import ReplyAnswer, ReplyReport
from actionapp.solidarity.models import (
    Delivery,
    Recipient,
    SignAs,
    SolidarityMessage,
    SolidaritySettings,
    SolidarityStatus,
)
from actionapp.stats.models import CounterSlot, LetterRollup, PersonalRollup

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
