"""Small builders for test data, on the path the composer takes (write, then record)."""

from __future__ import annotations

from datetime import datetime

from actionapp.extensions import db
from actionapp.letters.compose import write_letters
from actionapp.letters.record import NewSubmission, record_letters
from actionapp.models import Action, Submission


def submit_letters(action: Action, new: NewSubmission, now: datetime) -> Submission:
    """Write, record and count a supporter's letters as the composer does; return the submission.

    The composer writes the letters (with translations) before it takes the write lock, then
    records them; tests need no translations, so they are left out here.
    """
    recorded = record_letters(
        action, new, write_letters(action, new.details, now.date(), translations=False), now
    )
    return db.session.get_one(Submission, recorded.id)
