"""outbox templates: one message to many built once per language; each row its own link

Revision ID: r002
Revises: r001
Create Date: 2026-11-30 10:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'r002'
down_revision = 'r001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outbox_templates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('headers', sa.JSON(), nullable=False),
        sa.Column('body_text', sa.Text(), nullable=False),
        sa.Column('language', sa.String(length=12), nullable=False),
        sa.Column('link_prefix', sa.String(length=300), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('outbox_messages') as batch_op:
        batch_op.add_column(sa.Column('template_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('link', sa.String(length=500), nullable=False,
                                      server_default=''))
        batch_op.create_foreign_key('fk_outbox_messages_template', 'outbox_templates',
                                    ['template_id'], ['id'], ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('outbox_messages') as batch_op:
        batch_op.drop_constraint('fk_outbox_messages_template', type_='foreignkey')
        batch_op.drop_column('link')
        batch_op.drop_column('template_id')
    op.drop_table('outbox_templates')
