"""actions: the earlier action a follow-up follows; updates: the follow-up they invite to

Revision ID: f001
Revises: m002
Create Date: 2026-11-30 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f001'
down_revision = 'm002'
branch_labels = None
depends_on = None


# Both tables have cascading children, so never a batch copy (dropping the old copy would
# cascade to them). SQLite cannot ALTER a table to add a constraint, and Alembic would add
# these columns there without their foreign keys (with a warning); but SQLite does take a
# REFERENCES clause on a plain ADD COLUMN whose default is NULL, so it gets the same
# ON DELETE SET NULL as PostgreSQL, in plain SQL. (DROP COLUMN removes it with the column.)
COLUMNS = (('actions', 'follows_id'), ('action_updates', 'follow_up_id'))


def upgrade():
    for table, column in COLUMNS:
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(
                f'ALTER TABLE {table} ADD COLUMN {column} INTEGER '
                'REFERENCES actions (id) ON DELETE SET NULL'
            )
        else:
            op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(
                f'fk_{table}_{column}', table, 'actions', [column], ['id'], ondelete='SET NULL'
            )


def downgrade():
    for table, column in reversed(COLUMNS):
        if op.get_bind().dialect.name != 'sqlite':
            op.drop_constraint(f'fk_{table}_{column}', table, type_='foreignkey')
        op.drop_column(table, column)
