"""submissions: the share of the letter in the supporter's own words, measured when recorded

Revision ID: w001
Revises: s001
Create Date: 2026-11-30 08:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'w001'
down_revision = 's001'
branch_labels = None
depends_on = None


def upgrade():
    # Nullable: letters recorded before the measure existed were never measured, and the
    # statistics leave them out rather than guess.
    with op.batch_alter_table('submissions') as batch_op:
        batch_op.add_column(sa.Column('own_share', sa.SmallInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table('submissions') as batch_op:
        batch_op.drop_column('own_share')
