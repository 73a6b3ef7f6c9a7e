"""member sessions: a server-side row for every signed-in browser, so that a session ends for
good (sign-out, password change, deactivation) even if a copy of its cookie was kept

Revision ID: 4a7b8c9d0e1f
Revises: 3f6a7b8c9d0e
Create Date: 2026-12-07 09:00:00

A new table only (CREATE TABLE / CREATE INDEX): no existing table is altered. The signed
cookie's `sid` names a row by its sha256. Sessions opened before this migration have no row:
they are signed out, and their members sign in again.
"""
import sqlalchemy as sa
from alembic import op


revision = '4a7b8c9d0e1f'
down_revision = '3f6a7b8c9d0e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'member_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('sid_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.Column('user_agent', sa.String(length=80), server_default='', nullable=False),
        sa.Column('remember', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['member_id'], ['member.id'], name=op.f('fk_member_session_member_id_member')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_member_session')),
        sa.UniqueConstraint('sid_hash', name=op.f('uq_member_session_sid_hash')),
    )
    with op.batch_alter_table('member_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_session_member_id'), ['member_id'], unique=False)


def downgrade():
    with op.batch_alter_table('member_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_session_member_id'))
    op.drop_table('member_session')
