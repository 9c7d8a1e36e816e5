"""Organisers' exports (stats/exports.py) called directly: CSV rows, OSDI records, the log."""

from __future__ import annotations

from datetime import timedelta

from actionapp.extensions import db
from actionapp.letters.compose import SupporterDetails
from actionapp.letters.record import NewSubmission
from actionapp.models import Channel, Role, utcnow
from actionapp.organisers.accounts import create_organiser
from actionapp.stats.exports import (
    LETTER_COLUMNS,
    PERSONAL_COLUMNS,
    letter_rows,
    log_export,
    osdi_campaign,
    osdi_outreaches,
    recent_exports,
)
from tests.builders import build_action, submit_letters, target_fields


def _action_with_letters():
    """Two officials; one supporter emails both (counted), one prints (not downloaded yet)."""
    now = utcnow()
    action = build_action(
        now,
        targets=(target_fields(email="wei@example.org"), target_fields("Judge Li", email=None)),
    )
    ids = [t.id for t in action.targets]

    def send(key, name, channel, target_ids):
        details = SupporterDetails(
            name=name, city="Porto", country="PT", language="en", variant="release",
            target_ids=target_ids, seed=key, personal_message="-1 day for Ana",
        )  # fmt: skip
        return submit_letters(
            action,
            NewSubmission(details=details, channel=channel, client_key=key, consent_text="ok",
                          email="ana@example.org" if channel == Channel.EMAIL else None),
            now,
        )  # fmt: skip

    send("k-email", "Bea", Channel.EMAIL, ids[:1])
    send("k-print", "=HYPERLINK(1)", Channel.PRINT, ids)
    db.session.commit()
    return action


def _as_dicts(rows):
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


def test_letter_rows_say_which_letters_count_and_keep_personal_data_out(app):
    action = _action_with_letters()
    rows = list(letter_rows(action.id, personal=False))
    assert rows[0] == list(LETTER_COLUMNS)
    letters = _as_dicts(rows)
    assert [(r["channel"], r["status"], r["counted"], r["target"]) for r in letters] == [
        ("email", "confirmed", "yes", "Minister Wei"),
        ("print", "to_print", "no", "Minister Wei"),
        ("print", "to_print", "no", "Judge Li"),
    ]
    assert not any("=HYPERLINK(1)" in map(str, row) for row in rows)


def test_personal_rows_are_streamed_in_batches_and_safe_in_a_spreadsheet(app):
    action = _action_with_letters()
    rows = list(letter_rows(action.id, personal=True, batch=1))
    assert rows[0] == list(LETTER_COLUMNS + PERSONAL_COLUMNS)
    letters = _as_dicts(rows)
    assert len(letters) == 3
    assert [r["name"] for r in letters] == ["Bea", "'=HYPERLINK(1)", "'=HYPERLINK(1)"]
    assert letters[0]["email"] == "ana@example.org"
    assert letters[0]["personal_message"] == "'-1 day for Ana"
    assert letters[0]["consent_updates"] == "no"


def test_osdi_outreaches_page_through_the_counted_letters_only(app):
    action = _action_with_letters()
    page, after = osdi_outreaches(action, 0, per_page=5)
    assert after is None
    assert [(o["type"], o["targets"][0]["family_name"]) for o in page] == [
        ("email", "Minister Wei")
    ]
    assert "Bea" not in repr(page) and "ana@example.org" not in repr(page)
    campaign = osdi_campaign(action, "en", "https://example.org/a", "https://example.org/o")
    assert (campaign["total_outreaches"], campaign["title"]) == (1, "Free Ana")
    assert [t["family_name"] for t in campaign["targets"]] == ["Minister Wei", "Judge Li"]


def test_the_export_log_lists_the_newest_first(app):
    now = utcnow()
    organiser = create_organiser("viewer@example.org", "a long password 1", Role.VIEWER, now)
    action = build_action(now)
    log_export(organiser, "letters", now - timedelta(minutes=5), action)
    log_export(organiser, "letters", now, action, personal_data=True, detail="with names")
    db.session.commit()
    entries = recent_exports()
    assert [(e.personal_data, e.detail, e.action_slug) for e in entries] == [
        (True, "with names", "free-ana"),
        (False, "", "free-ana"),
    ]
    assert entries[0].organiser_email == "viewer@example.org"
    assert recent_exports(limit=1) == entries[:1]
