"""actions: the organisers' own coaching words per action

Revision ID: m002
Revises: m001
Create Date: 2026-11-30 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'm002'
down_revision = 'm001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('actions') as batch:
        batch.add_column(sa.Column('coaching_words', sa.JSON(), nullable=False, server_default='{}'))


def downgrade():
    with op.batch_alter_table('actions') as batch:
        batch.drop_column('coaching_words')
