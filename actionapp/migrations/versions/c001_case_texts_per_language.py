"""case texts per language: action_texts and action_update_texts

Moves each action's title, summary, what we ask and background, and each update's title and
text, out of their rows into per-language rows written in the action's own language.

Revision ID: c001
Revises: o001
Create Date: 2026-11-30 07:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c001'
down_revision = 'o001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('action_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('what_we_ask', sa.Text(), nullable=False),
    sa.Column('background', sa.Text(), nullable=False),
    sa.Column('share_text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_action_texts_action_id_actions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_texts')),
    sa.UniqueConstraint('action_id', 'language', name=op.f('uq_action_texts_action_id_language'))
    )
    op.create_table('action_update_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['update_id'], ['action_updates.id'], name=op.f('fk_action_update_texts_update_id_action_updates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_update_texts')),
    sa.UniqueConstraint('update_id', 'language', name=op.f('uq_action_update_texts_update_id_language'))
    )
    # Today's texts become the texts in each action's own language.
    op.execute(
        "INSERT INTO action_texts"
        " (action_id, language, title, summary, what_we_ask, background, share_text)"
        " SELECT id, language, title, COALESCE(summary, ''), COALESCE(what_we_ask, ''),"
        " COALESCE(background, ''), '' FROM actions"
    )
    op.execute(
        "INSERT INTO action_update_texts (update_id, language, title, body)"
        " SELECT u.id, a.language, u.title, COALESCE(u.body, '')"
        " FROM action_updates u JOIN actions a ON a.id = u.action_id"
    )
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+), never a batch copy of the table: with
    # foreign keys on, dropping the old copy of `actions` would cascade to every letter.
    for column in ('title', 'summary', 'what_we_ask', 'background'):
        op.drop_column('actions', column)
    for column in ('title', 'body'):
        op.drop_column('action_updates', column)


def downgrade():
    # Only the texts in each action's own language survive a downgrade.
    op.add_column('actions', sa.Column('title', sa.String(length=200), nullable=False, server_default=''))
    op.add_column('actions', sa.Column('summary', sa.Text(), nullable=False, server_default=''))
    op.add_column('actions', sa.Column('what_we_ask', sa.Text(), nullable=False, server_default=''))
    op.add_column('actions', sa.Column('background', sa.Text(), nullable=False, server_default=''))
    op.add_column('action_updates', sa.Column('title', sa.String(length=200), nullable=False, server_default=''))
    op.add_column('action_updates', sa.Column('body', sa.Text(), nullable=False, server_default=''))
    for column in ('title', 'summary', 'what_we_ask', 'background'):
        op.execute(
            f"UPDATE actions SET {column} = (SELECT t.{column} FROM action_texts t"
            " WHERE t.action_id = actions.id AND t.language = actions.language)"
            " WHERE EXISTS (SELECT 1 FROM action_texts t"
            " WHERE t.action_id = actions.id AND t.language = actions.language)"
        )
    for column in ('title', 'body'):
        op.execute(
            f"UPDATE action_updates SET {column} = (SELECT t.{column} FROM action_update_texts t"
            " JOIN actions a ON a.id = action_updates.action_id"
            " WHERE t.update_id = action_updates.id AND t.language = a.language)"
            " WHERE EXISTS (SELECT 1 FROM action_update_texts t"
            " JOIN actions a ON a.id = action_updates.action_id"
            " WHERE t.update_id = action_updates.id AND t.language = a.language)"
        )
    op.drop_table('action_update_texts')
    op.drop_table('action_texts')
