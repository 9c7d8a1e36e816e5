"""updates emailed to supporters: one send per update; unsubscriptions by address hash

Revision ID: u001
Revises: s001
Create Date: 2026-11-30 08:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'u001'
down_revision = 'w001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'update_sends',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('update_id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('recipients', sa.Integer(), nullable=False),
        sa.Column('queued_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['action_id'], ['actions.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['update_id'], ['action_updates.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('update_id'),
    )
    op.create_table(
        'unsubscriptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('address_key', sa.String(length=64), nullable=False),
        sa.Column('scope', sa.String(length=32), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=True),
        sa.Column('update_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['action_id'], ['actions.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['update_id'], ['action_updates.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('address_key', 'scope'),
    )
    op.create_index('ix_unsubscriptions_update', 'unsubscriptions', ['update_id'], unique=False)


def downgrade():
    op.drop_index('ix_unsubscriptions_update', table_name='unsubscriptions')
    op.drop_table('unsubscriptions')
    op.drop_table('update_sends')
