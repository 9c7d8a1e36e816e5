"""solidarity messages: settings per action, messages with moderation, cards at events

Revision ID: m001
Revises: r002
Create Date: 2026-11-30 10:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'm001'
down_revision = 'r002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'solidarity_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('is_open', sa.Boolean(), nullable=False),
        sa.Column('recipient', sa.Enum('person', 'family', name='recipient', native_enum=False, length=20), nullable=False),
        sa.Column('recipient_name', sa.String(length=200), nullable=False),
        sa.Column('languages', sa.JSON(), nullable=False),
        sa.Column('delivery', sa.Enum('printed', 'card', name='delivery', native_enum=False, length=20), nullable=False),
        sa.Column('postal_address', sa.Text(), nullable=False),
        sa.Column('max_chars', sa.Integer(), nullable=False),
        sa.Column('no_organisation', sa.Boolean(), nullable=False),
        sa.Column('no_surnames', sa.Boolean(), nullable=False),
        sa.Column('no_places', sa.Boolean(), nullable=False),
        sa.Column('avoid_words', sa.JSON(), nullable=False),
        sa.Column('show_on_page', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['action_id'], ['actions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('action_id'),
    )
    op.create_table(
        'solidarity_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('submission_id', sa.Integer(), nullable=True),
        sa.Column('client_key', sa.String(length=64), nullable=False),
        sa.Column('status', sa.Enum('pending', 'approved', 'rejected', name='solidaritystatus', native_enum=False, length=20), nullable=False),
        sa.Column('language', sa.String(length=12), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('sign_as', sa.Enum('first_name_country', 'first_name', 'anonymous', name='signas', native_enum=False, length=30), nullable=False),
        sa.Column('signature', sa.String(length=200), nullable=False),
        sa.Column('first_name', sa.String(length=120), nullable=False),
        sa.Column('country', sa.String(length=2), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('reject_reason', sa.String(length=300), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('reviewed_at', sa.DateTime(), nullable=True),
        sa.Column('personal_data_removed_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['action_id'], ['actions.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('action_id', 'client_key'),
    )
    op.create_index('ix_solidarity_messages_action_status', 'solidarity_messages', ['action_id', 'status', 'created_at'], unique=False)
    op.create_index('ix_solidarity_messages_email', 'solidarity_messages', ['email'], unique=False)
    # Plain ALTER TABLE, never a batch copy: dropping the old copy of `event_reports` would
    # cascade to its lines.
    op.add_column('event_reports', sa.Column('cards', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    op.drop_column('event_reports', 'cards')
    op.drop_index('ix_solidarity_messages_email', table_name='solidarity_messages')
    op.drop_index('ix_solidarity_messages_action_status', table_name='solidarity_messages')
    op.drop_table('solidarity_messages')
    op.drop_table('solidarity_settings')
