"""personal rollups: measured letters per day, channel, status and personalised or not

Revision ID: k001
Revises: u001
Create Date: 2026-11-30 11:00:00

"""
from datetime import date

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'k001'
down_revision = 'u001'
branch_labels = None
depends_on = None

# services/coaching.py's PERSONALISED_FROM when this migration was written: the letters
# already recorded are classed as the statistics page classed them then.
PERSONALISED_FROM = 3


def upgrade():
    table = op.create_table('personal_rollups',
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('personal', sa.Boolean(), nullable=False),
    sa.Column('slot', sa.SmallInteger(), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_personal_rollups_action_id_actions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('action_id', 'day', 'channel', 'status', 'personal', 'slot', name=op.f('pk_personal_rollups'))
    )  # fmt: skip
    # Backfill from the letters already recorded with a measured share, exactly as the
    # statistics page counted them until now (letters joined to their submission's share).
    bind = op.get_bind()
    letters = sa.table(
        'letters', sa.column('action_id'), sa.column('submission_id'), sa.column('channel'),
        sa.column('status'), sa.column('created_at'),
    )  # fmt: skip
    submissions = sa.table('submissions', sa.column('id'), sa.column('own_share'))
    if bind.dialect.name == 'sqlite':
        day = sa.func.date(letters.c.created_at)
    else:
        day = sa.cast(letters.c.created_at, sa.Date)
    personal = submissions.c.own_share >= PERSONALISED_FROM
    rows = bind.execute(
        sa.select(letters.c.action_id, day, letters.c.channel, letters.c.status, personal,
                  sa.func.count())
        .select_from(letters.join(submissions, submissions.c.id == letters.c.submission_id))
        .where(submissions.c.own_share.is_not(None))
        .group_by(letters.c.action_id, day, letters.c.channel, letters.c.status, personal)
    ).all()  # fmt: skip
    if rows:
        op.bulk_insert(table, [
            {'action_id': action_id,
             'day': value if isinstance(value, date) else date.fromisoformat(value),
             'channel': channel, 'status': status, 'personal': bool(is_personal), 'slot': 0,
             'count': count}
            for action_id, value, channel, status, is_personal, count in rows
        ])  # fmt: skip


def downgrade():
    op.drop_table('personal_rollups')
