"""indexes for reading ten years of Fridays: supersession links, actions by decision and owner,
decisions by who recorded them, carried and review points, a proposal's moves

Revision ID: 0c3d4e5f6a7b
Revises: 9b2c3d4e5f6a
Create Date: 2026-12-03 11:00:00

Plain CREATE INDEX statements (never a batch rebuild: the search triggers of 9b2c3d4e5f6a live
on these tables in SQLite).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0c3d4e5f6a7b'
down_revision = '9b2c3d4e5f6a'
branch_labels = None
depends_on = None

INDEXES = [
    ('decision', 'supersedes_id'),
    ('decision', 'decided_by_id'),
    ('action', 'decision_id'),
    ('action', 'owner_id'),
    ('agenda_item', 'carried_from_id'),
    ('agenda_item', 'review_of_decision_id'),
    ('proposal_status_change', 'proposal_id'),
]


def upgrade():
    for table, column in INDEXES:
        op.create_index(f'ix_{table}_{column}', table, [column], unique=False)


def downgrade():
    for table, column in reversed(INDEXES):
        op.drop_index(f'ix_{table}_{column}', table_name=table)
