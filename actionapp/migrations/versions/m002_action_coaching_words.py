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


# Plain ALTER TABLE (SQLite 3.35+ drops columns), never a batch copy of `actions`: with
# foreign keys on, dropping the old copy of the table would cascade to everything under it.


def upgrade():
    op.add_column('actions', sa.Column('coaching_words', sa.JSON(), nullable=False, server_default='{}'))


def downgrade():
    op.drop_column('actions', 'coaching_words')
