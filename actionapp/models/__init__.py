"""Database models, one module per aggregate."""

from actionapp.models.actions import (
    Action,
    ActionStatus,
    ActionUpdate,
    ModelLetter,
    Target,
    TargetKind,
)
from actionapp.models.base import utcnow
from actionapp.models.counters import CounterSlot, LetterRollup
from actionapp.models.letters import Channel, Letter, LetterStatus, Submission
from actionapp.models.organisers import ExportLog, Organiser, Role, SignInThrottle

__all__ = [
    "Action",
    "ActionStatus",
    "ActionUpdate",
    "Channel",
    "CounterSlot",
    "ExportLog",
    "Letter",
    "LetterRollup",
    "LetterStatus",
    "ModelLetter",
    "Organiser",
    "Role",
    "SignInThrottle",
    "Submission",
    "Target",
    "TargetKind",
    "utcnow",
]
