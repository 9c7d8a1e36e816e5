"""Migration c001 moves the texts of actions written before it into per-language rows."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from actionapp.campaigns.case_texts import case_texts
from actionapp.extensions import db
from actionapp.models import Action
from tests.conftest import PG_ENV

REVISION = "c001"
WHEN = datetime(2026, 11, 1, 12, 0)


@pytest.fixture
def empty_database(tmp_path) -> Iterator[str]:
    """An empty database of its own: a SQLite file, or a new PostgreSQL database."""
    base = os.environ.get(PG_ENV)
    if not base:
        yield f"sqlite:///{tmp_path / 'before-c001.db'}"
        return
    server = make_url(base)
    name = f"actionapp_migration_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _before(app) -> str:
    """Return the revision just before c001 (wherever the heads are chained at merge)."""
    directory = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    return directory.get_revision(REVISION).down_revision


ACTION = """INSERT INTO actions (id, slug, ua_number, title, summary, what_we_ask, background,
 image_alt, language, target_country, goal, deadline, post_days, status,
 require_email_confirmation, mail_rate_per_hour, retention_days, is_demo, created_at, updated_at)
 VALUES (:id, :slug, '', :title, :summary, :ask, :background, '', :language, 'CN', 100, :when,
 10, 'live', :yes, 30, 30, :no, :when, :when)"""


def _write_old_rows(conn) -> None:
    flags = {"yes": True, "no": False, "when": WHEN}
    conn.execute(
        text(ACTION),
        {
            "id": 1, "slug": "old-english", "title": "Free them", "summary": "Held since 2021.",
            "ask": "- **Release** them", "background": "Arrested in 2021.", "language": "en",
            **flags,
        },
    )  # fmt: skip
    conn.execute(
        text(ACTION),
        {
            "id": 2, "slug": "old-chinese", "title": "释放他们", "summary": "自2021年起被羁押。",
            "ask": "- **释放**他们", "background": "", "language": "zh", **flags,
        },
    )  # fmt: skip
    conn.execute(
        text(
            "INSERT INTO action_updates (id, action_id, outcome, title, body, published_at)"
            " VALUES (1, 1, 'released', 'Released!', 'Both are **free**.', :when),"
            " (2, 2, '', '开庭', '法院已开庭。', :when)"
        ),
        {"when": WHEN},
    )
    conn.execute(
        text(
            "INSERT INTO targets (id, action_id, kind, position, name, title, organisation,"
            " address_lines, country, language, salutations, why, is_example)"
            " VALUES (1, 1, 'primary', 0, 'Minister', '', '', '', 'CN', 'zh', '{}', '', :no)"
        ),
        {"no": False},
    )
    conn.execute(
        text(
            "INSERT INTO counter_slots (action_id, metric, slot, value)"
            " VALUES (1, 'supporters', 0, 7)"
        )
    )


def test_upgrading_moves_existing_texts_into_each_actions_own_language(empty_database, make_app):
    app = make_app(SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade(revision=_before(app))
        with db.engine.begin() as conn:
            _write_old_rows(conn)

        upgrade(revision=REVISION)
        with db.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT action_id, language, title, summary, what_we_ask, background,"
                    " share_text FROM action_texts ORDER BY action_id"
                )
            ).all()
            updates = conn.execute(
                text("SELECT update_id, language, title, body FROM action_update_texts"
                     " ORDER BY update_id")
            ).all()  # fmt: skip
            # Nothing hanging off an action was lost on the way (no table copy cascaded).
            targets = conn.execute(text("SELECT count(*) FROM targets")).scalar()
            counters = conn.execute(text("SELECT sum(value) FROM counter_slots")).scalar()
        assert [tuple(r) for r in rows] == [
            (1, "en", "Free them", "Held since 2021.", "- **Release** them", "Arrested in 2021.",
             ""),
            (2, "zh", "释放他们", "自2021年起被羁押。", "- **释放**他们", "", ""),
        ]  # fmt: skip
        assert [tuple(r) for r in updates] == [
            (1, "en", "Released!", "Both are **free**."),
            (2, "zh", "开庭", "法院已开庭。"),
        ]
        assert targets == 1 and counters == 7

        # The app reads them through the one service pages use (its models are the newest
        # schema's: later revisions add columns to actions).
        upgrade()
        english = db.session.scalar(select(Action).where(Action.slug == "old-english"))
        assert english.title == "Free them"
        shown = case_texts(english, "zh")
        assert shown.title.text == "Free them" and shown.title.fallback
        assert shown.updates[0].title.text == "Released!"
        chinese = db.session.scalar(select(Action).where(Action.slug == "old-chinese"))
        assert case_texts(chinese, "zh").summary.text == "自2021年起被羁押。"
        db.session.remove()

        # And back: the texts in each action's own language return to their columns.
        downgrade(revision=_before(app))
        with db.engine.connect() as conn:
            old = conn.execute(
                text("SELECT slug, title, summary, background FROM actions ORDER BY id")
            ).all()
            old_updates = conn.execute(
                text("SELECT title, body FROM action_updates ORDER BY id")
            ).all()
        assert [tuple(r) for r in old] == [
            ("old-english", "Free them", "Held since 2021.", "Arrested in 2021."),
            ("old-chinese", "释放他们", "自2021年起被羁押。", ""),
        ]
        assert [tuple(r) for r in old_updates] == [
            ("Released!", "Both are **free**."),
            ("开庭", "法院已开庭。"),
        ]
        upgrade()
        db.session.remove()
        db.engine.dispose()  # no pooled connection left to the database the fixture drops
