"""proposal status changes name the decision that moved them

Revision ID: 7c1f0d2e9a41
Revises: 6516041a3a4a
Create Date: 2026-12-01 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c1f0d2e9a41'
down_revision = '6516041a3a4a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('proposal_status_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_proposal_status_change_decision_id_decision'), 'decision',
            ['decision_id'], ['id'])


def downgrade():
    with op.batch_alter_table('proposal_status_change', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_proposal_status_change_decision_id_decision'), type_='foreignkey')
        batch_op.drop_column('decision_id')
