"""a round answer keeps the objection raised, when the person answers again

Revision ID: 5d7e1a2b3c4f
Revises: 3f8b2c9d1e7a
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d7e1a2b3c4f'
down_revision = '3f8b2c9d1e7a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('round_answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('objection', sa.Text(), nullable=True))
    # The objections standing today are the ones known (a lifted one was overwritten).
    op.execute("UPDATE round_answer SET objection = reason WHERE answer = 'object'")


def downgrade():
    with op.batch_alter_table('round_answer', schema=None) as batch_op:
        batch_op.drop_column('objection')
