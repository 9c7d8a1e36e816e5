"""outbox: when a message was first refused for now (the retry window starts there)

Revision ID: s001
Revises: o001
Create Date: 2026-11-30 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 's001'
down_revision = 't001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages') as batch_op:
        batch_op.add_column(sa.Column('first_deferred_at', sa.DateTime(), nullable=True))
    # Messages already waiting after a refusal: their window starts when they were queued.
    op.execute(
        "UPDATE outbox_messages SET first_deferred_at = created_at "
        "WHERE status IN ('queued', 'sending') AND attempts > 0 AND last_error <> ''"
    )


def downgrade():
    with op.batch_alter_table('outbox_messages') as batch_op:
        batch_op.drop_column('first_deferred_at')
