"""event reports: letters written at letter-writing events, by target

Revision ID: p001
Revises: e001
Create Date: 2026-11-23 20:41:10.935585

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'p001'
down_revision = 'e001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('event_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'rejected', name='eventreportstatus', native_enum=False, length=20), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('city', sa.String(length=120), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('host_name', sa.String(length=120), nullable=False),
    sa.Column('host_contact', sa.String(length=254), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('letters_total', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('personal_data_removed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_event_reports_action_id_actions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_reports'))
    )
    with op.batch_alter_table('event_reports', schema=None) as batch_op:
        batch_op.create_index('ix_event_reports_action_status', ['action_id', 'status', 'created_at'], unique=False)

    op.create_table('event_report_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('letters', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['event_reports.id'], name=op.f('fk_event_report_lines_report_id_event_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_id'], ['targets.id'], name=op.f('fk_event_report_lines_target_id_targets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_report_lines')),
    sa.UniqueConstraint('report_id', 'target_id', name=op.f('uq_event_report_lines_report_id_target_id'))
    )


def downgrade():
    op.drop_table('event_report_lines')
    with op.batch_alter_table('event_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_event_reports_action_status')

    op.drop_table('event_reports')
