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
    # Plain ALTER TABLE ... ADD COLUMN, never a batch copy: on SQLite a copy of outbox_messages
    # would drop the old table and its outbox_contents (ON DELETE CASCADE) with it.
    op.add_column('outbox_messages', sa.Column('template_id', sa.Integer(), nullable=True))
    if op.get_bind().dialect.name != 'sqlite':
        # SQLite cannot add a constraint without that copy; the app never deletes a template.
        op.create_foreign_key('fk_outbox_messages_template', 'outbox_messages',
                              'outbox_templates', ['template_id'], ['id'], ondelete='CASCADE')
    op.add_column('outbox_messages', sa.Column('link', sa.String(length=500), nullable=False,
                                               server_default=''))


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint('fk_outbox_messages_template', 'outbox_messages', type_='foreignkey')
    op.drop_column('outbox_messages', 'link')
    op.drop_column('outbox_messages', 'template_id')
    op.drop_table('outbox_templates')
