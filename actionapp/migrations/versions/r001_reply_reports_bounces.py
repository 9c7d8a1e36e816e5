"""did an official reply: reply reports, per-action question settings; bounced messages

Revision ID: r001
Revises: k001
Create Date: 2026-11-30 10:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'r001'
down_revision = 'k001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reply_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('asked_at', sa.DateTime(), nullable=True),
        sa.Column('answer', sa.Enum('no', 'post', 'email', name='replyanswer',
                                    native_enum=False, length=10), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['action_id'], ['actions.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('submission_id'),
    )
    op.create_index('ix_reply_reports_action', 'reply_reports', ['action_id', 'answer'],
                    unique=False)
    # Plain ALTER TABLE ... ADD COLUMN, never a batch copy of the table: on SQLite a copy drops
    # the old table, and its ON DELETE CASCADE children (texts, letters, contents) with it.
    op.add_column('actions', sa.Column('reply_question_days', sa.Integer(), nullable=False,
                                       server_default='14'))
    op.add_column('actions', sa.Column('show_reply_count', sa.Boolean(), nullable=False,
                                       server_default=sa.false()))
    op.add_column('outbox_messages', sa.Column('bounced', sa.Boolean(), nullable=False,
                                               server_default=sa.false()))

def downgrade():
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): no table copy (see upgrade).
    op.drop_column('outbox_messages', 'bounced')
    op.drop_column('actions', 'show_reply_count')
    op.drop_column('actions', 'reply_question_days')
    op.drop_index('ix_reply_reports_action', table_name='reply_reports')
    op.drop_table('reply_reports')
