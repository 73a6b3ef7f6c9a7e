"""personal API tokens: a member's secrets for the JSON API (`Authorization: Bearer …`), stored
only as their sha256, each with its own label, revocable one by one

Revision ID: 3f6a7b8c9d0e
Revises: 2e5f6a7b8c9d
Create Date: 2026-12-06 09:00:00

A new table only (CREATE TABLE / CREATE INDEX): no existing table is altered.
"""
import sqlalchemy as sa
from alembic import op


revision = '3f6a7b8c9d0e'
down_revision = '2e5f6a7b8c9d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=80), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_api_token_member_id_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash')),
    )
    op.create_index(op.f('ix_api_token_member_id'), 'api_token', ['member_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_api_token_member_id'), table_name='api_token')
    op.drop_table('api_token')
