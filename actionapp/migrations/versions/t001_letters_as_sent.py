"""letters keep what was sent: personal paragraph, signature and date text

Revision ID: t001
Revises: o001
Create Date: 2026-11-30 07:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "t001"
down_revision = "c001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("personal_message", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("signature_name", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("signature_place", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("date_text", sa.String(length=60), nullable=True))


def downgrade():
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.drop_column("date_text")
        batch_op.drop_column("signature_place")
        batch_op.drop_column("signature_name")
        batch_op.drop_column("personal_message")
