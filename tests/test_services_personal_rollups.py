"""The share of personalised letters comes from rollups kept with the letters, and stays exact."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from actionapp.extensions import db
from actionapp.letters.coaching import PERSONALISED_FROM
from actionapp.letters.compose import SupporterDetails
from actionapp.letters.record import NewSubmission, move_letters
from actionapp.models import Channel, Letter, LetterStatus, PersonalRollup, Submission, utcnow
from actionapp.privacy.personal_data import erase_email
from actionapp.stats import counts
from actionapp.stats.counts import is_counted
from actionapp.stats.personalised import personalised_letters
from actionapp.stats.statistics import DateRange
from tests.builders import make_chinese_case, submit_letters
from tests.conftest import compose_data
from tests.test_migration_case_texts import empty_database  # noqa: F401 (a fixture)

OWN = "I am a nurse in Leeds, and my grandmother taught me that nobody should be jailed for words."


@pytest.fixture
def action(app):
    """Two targets in China written to in Chinese, with email addresses, and a UK embassy copy."""
    built = make_chinese_case()
    db.session.commit()
    return built


def _direct_count(action_id: int, period: DateRange) -> dict[str, tuple[int, int]]:
    """Count measured letters that count publicly from the letters: {channel: (all, own)}."""
    rows = db.session.execute(
        select(Letter.channel, Letter.status, Submission.own_share, func.count())
        .join(Submission, Submission.id == Letter.submission_id)
        .where(Letter.action_id == action_id, Submission.own_share.is_not(None))
        .group_by(Letter.channel, Letter.status, Submission.own_share, Letter.created_at)
        .add_columns(Letter.created_at)
    )
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for channel, status, share, count, created in rows:
        if is_counted(channel, status) and period.start <= created.date() <= period.end:
            found[str(channel)][0] += count
            found[str(channel)][1] += count if share >= PERSONALISED_FROM else 0
    return {channel: tuple(pair) for channel, pair in found.items() if pair[0]}


def _from_rollups(action_id: int, period: DateRange) -> dict[str, tuple[int, int]]:
    share = personalised_letters(action_id, period)
    assert share.total.measured == sum(c.measured for c in share.by_channel)
    assert share.total.personalised == sum(c.personalised for c in share.by_channel)
    return {c.channel: (c.measured, c.personalised) for c in share.by_channel}


def _record(action, channel, key, personal, now, email=None):
    data = compose_data(action, personal_message=personal)
    new = NewSubmission(
        details=SupporterDetails(
            name="Ana Example", city="Porto", country="PT", language="en", variant="release",
            personal_message=personal, target_ids=[int(t) for t in data["targets"]], seed=key,
        ),
        channel=channel,
        client_key=f"{key}-{'x' * 16}",
        consent_text="I agree.",
        email=email,
        own_share=0 if not personal else 40,
    )  # fmt: skip
    return submit_letters(action, new, now)


def test_personalised_share_equals_a_count_of_the_letters_through_their_lives(
    app, runner, client, post_letter, action, monkeypatch
):
    # Writers spread over slots as on PostgreSQL, so that compaction has slots to fold here too.
    rng = random.Random(7)
    monkeypatch.setattr(counts, "writer_slot", lambda dialect: rng.randrange(8))
    now = utcnow()
    earlier = now - timedelta(days=2)
    whole = DateRange(earlier.date() - timedelta(days=1), now.date())
    # Through the composer: the share is measured and recorded with each submission.
    for n, personal in enumerate(("", OWN, OWN + " Free speech matters.", "")):
        assert post_letter(action, personal_message=personal, email=None,
                           client_key=f"route-{n}-{'x' * 16}").status_code == 303  # fmt: skip
    assert post_letter(action, channel="mailto", personal_message=OWN).status_code == 303
    # Two days ago, as the services record them (the day the letters count on is their own).
    _record(action, Channel.PRINT, "old-model", "", earlier)
    _record(action, Channel.PRINT, "old-own", OWN, earlier)
    _record(action, Channel.MAILTO, "old-mail", OWN, earlier, email="old@example.org")
    db.session.commit()
    # Unmeasured letters (recorded before the measure existed) stay out of the share.
    legacy = _record(action, Channel.PRINT, "legacy", OWN, now)
    db.session.execute(
        Submission.__table__.update().where(Submission.id == legacy.id).values(own_share=None)
    )
    db.session.commit()
    # Nothing counts yet: printed letters wait for their download, mailto letters are opened.
    assert _from_rollups(action.id, whole) == _direct_count(action.id, whole) == {}

    # Status changes: printed, then posted; mailto letters said sent; one print left waiting.
    submissions = db.session.scalars(
        select(Submission).where(Submission.action_id == action.id).order_by(Submission.id)
    ).all()
    for submission in submissions:
        waiting = submission.client_key.startswith("route-3")
        if submission.channel == Channel.PRINT and not waiting:
            move_letters(submission, submission.letters, LetterStatus.PRINTED, now)
        elif submission.channel == Channel.MAILTO:
            move_letters(submission, submission.letters, LetterStatus.SENT, now)
    db.session.commit()
    first = submissions[1]
    move_letters(first, first.letters[:1], LetterStatus.POSTED, now)
    db.session.commit()
    counted = _direct_count(action.id, whole)
    assert counted["print"][0] > counted["print"][1] > 0 and counted["mailto"][1] > 0
    assert _from_rollups(action.id, whole) == counted
    today = DateRange(now.date(), now.date())
    assert _from_rollups(action.id, today) == _direct_count(action.id, today)

    # Erasure blanks the supporter's words but keeps the measure: the figures do not move.
    assert erase_email("old@example.org", now) + erase_email("jane@example.org", now) > 0
    db.session.commit()
    assert _from_rollups(action.id, whole) == _direct_count(action.id, whole) == counted

    # Compaction folds past days' slots into slot 0 and changes no figure.
    spread = db.session.scalar(select(func.count()).select_from(PersonalRollup))
    result = runner.invoke(args=["stats", "compact"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert _from_rollups(action.id, whole) == _direct_count(action.id, whole) == counted
    past_slots = db.session.scalars(
        select(PersonalRollup.slot).where(PersonalRollup.day < now.date())
    ).all()
    assert set(past_slots) == {0}
    assert db.session.scalar(select(func.count()).select_from(PersonalRollup)) < spread

    # Deleting the action deletes its rollups with it.
    db.session.delete(action)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(PersonalRollup)) == 0


def test_migration_k001_backfills_the_personal_rollups_from_the_letters(empty_database):  # noqa: F811
    """Letters recorded before k001 are in the share after it, exactly as counted then."""
    from flask_migrate import downgrade, upgrade

    from actionapp import create_app

    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade()
        now = utcnow()
        action = make_chinese_case(now=now - timedelta(days=5))
        db.session.commit()
        for n, (when, personal) in enumerate(
            [(now, ""), (now, OWN), (now - timedelta(days=1), OWN), (now, OWN)]
        ):
            submission = _record(action, Channel.PRINT, f"before-{n}", personal, when)
            if n < 3:
                move_letters(submission, submission.letters, LetterStatus.PRINTED, when)
        db.session.commit()
        period = DateRange(now.date() - timedelta(days=2), now.date())
        expected = _direct_count(action.id, period)
        assert expected["print"] == (6, 4)  # three supporters counted (two letters each), two own
        action_id = action.id
        db.session.remove()  # no open transaction while the migrations take their locks
        downgrade(revision="u001")
        upgrade(revision="k001")
        assert _from_rollups(action_id, period) == expected
        # Give the connection back, then close them all: a connection left open to a database
        # the fixture drops warns (ResourceWarning) in whichever test collects it.
        db.session.remove()
        db.engine.dispose()
