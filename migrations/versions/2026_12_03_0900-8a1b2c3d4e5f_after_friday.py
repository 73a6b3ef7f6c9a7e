"""after Friday: minutes (summary, validation), actions done by and reminders, "ce que vous
avez manqué", feed tokens and the place's settings

Revision ID: 8a1b2c3d4e5f
Revises: 5d7e1a2b3c4f
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8a1b2c3d4e5f'
down_revision = '5d7e1a2b3c4f'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMNs (foreign keys inline): on SQLite a batch would rebuild these tables,
    # which other rows reference — and with foreign keys enforced, DROP TABLE meeting fails.
    sqlite = op.get_bind().dialect.name == 'sqlite'

    def member_fk(table, column):
        name = f'fk_{table}_{column}_member'
        if sqlite:  # SQLite adds a column with its reference in one statement, named
            op.execute(
                f'ALTER TABLE {table} ADD COLUMN {column} INTEGER'
                f' CONSTRAINT {name} REFERENCES member (id)'
            )
        else:
            op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(name, table, 'member', [column], ['id'])

    op.add_column('meeting', sa.Column('summary', sa.Text(), nullable=True))
    op.add_column(
        'meeting', sa.Column('summary_revision', sa.Integer(), server_default='0', nullable=False)
    )
    member_fk('meeting', 'summary_updated_by_id')
    op.add_column('meeting', sa.Column('minutes_validated_at', sa.DateTime(), nullable=True))
    member_fk('meeting', 'minutes_validated_by_id')
    op.add_column('meeting', sa.Column('minutes_mailed_at', sa.DateTime(), nullable=True))
    member_fk('action', 'done_by_id')
    op.add_column('member', sa.Column('caught_up_at', sa.DateTime(), nullable=True))
    op.create_table(
        'action_reminder',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['action_id'], ['action.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('action_id', 'due_on', name='uq_action_reminder_due'),
    )
    op.create_table(
        'feed_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['member_id'], ['member.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    with op.batch_alter_table('feed_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_token_member_id'), ['member_id'], unique=False)
    op.create_table(
        'place_setting',
        sa.Column('key', sa.String(length=50), nullable=False),
        sa.Column('value', sa.String(length=200), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['member.id']),
        sa.PrimaryKeyConstraint('key'),
    )


def downgrade():
    op.drop_table('place_setting')
    with op.batch_alter_table('feed_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feed_token_member_id'))
    op.drop_table('feed_token')
    op.drop_table('action_reminder')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('caught_up_at')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_constraint('fk_action_done_by_id_member', type_='foreignkey')
        batch_op.drop_column('done_by_id')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_constraint('fk_meeting_minutes_validated_by_id_member', type_='foreignkey')
        batch_op.drop_constraint('fk_meeting_summary_updated_by_id_member', type_='foreignkey')
        for name in ('minutes_mailed_at', 'minutes_validated_by_id', 'minutes_validated_at',
                     'summary_updated_by_id', 'summary_revision', 'summary'):
            batch_op.drop_column(name)
