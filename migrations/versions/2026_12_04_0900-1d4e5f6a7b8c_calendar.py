"""the place's calendar: events, skipped occurrences, notifications; proposals followed to it
(the Friday whose agenda holds them, e-mails stopped, a step's e-mail and event); feed tokens
get a scope; the place's own author for outside proposals

Revision ID: 1d4e5f6a7b8c
Revises: 0c3d4e5f6a7b
Create Date: 2026-12-04 09:00:00

Plain ADD COLUMN / CREATE TABLE / CREATE INDEX (never a batch rebuild: the search triggers of
9b2c3d4e5f6a live on event_proposal in SQLite). SQLite cannot add a foreign key to an existing
table except inline with ADD COLUMN, which is what `sa.Column(..., sa.ForeignKey(...))` gives.
"""
import sqlalchemy as sa
from alembic import op


revision = '1d4e5f6a7b8c'
down_revision = '0c3d4e5f6a7b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uid', sa.String(length=255), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('starts_at', sa.DateTime(), nullable=False),
        sa.Column('ends_at', sa.DateTime(), nullable=False),
        sa.Column('place', sa.String(length=20), nullable=False),
        sa.Column('place_detail', sa.String(length=200), nullable=True),
        sa.Column('visibility', sa.String(length=20), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('rrule', sa.String(length=200), nullable=True),
        sa.Column('proposal_id', sa.Integer(), nullable=True),
        sa.Column('decision_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('cancelled_at', sa.DateTime(), nullable=True),
        sa.Column('cancel_reason', sa.Text(), nullable=True),
        sa.CheckConstraint("place IN ('house', 'garden', 'elsewhere')", name=op.f('ck_event_place')),
        sa.CheckConstraint("visibility IN ('public', 'members')", name=op.f('ck_event_visibility')),
        sa.CheckConstraint("status IN ('confirmed', 'cancelled')", name=op.f('ck_event_status')),
        sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_event_ends_after_start')),
        sa.ForeignKeyConstraint(['proposal_id'], ['event_proposal.id'], name=op.f('fk_event_proposal_id_event_proposal')),
        sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_event_decision_id_decision')),
        sa.ForeignKeyConstraint(['created_by_id'], ['member.id'], name=op.f('fk_event_created_by_id_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event')),
        sa.UniqueConstraint('uid', name=op.f('uq_event_uid')),
    )
    op.create_index('ix_event_starts_at', 'event', ['starts_at'], unique=False)
    op.create_index(op.f('ix_event_proposal_id'), 'event', ['proposal_id'], unique=False)
    op.create_index(op.f('ix_event_decision_id'), 'event', ['decision_id'], unique=False)
    op.create_table(
        'event_exception',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('occurrence_start', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_exception_event_id_event'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['member.id'], name=op.f('fk_event_exception_created_by_id_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event_exception')),
        sa.UniqueConstraint('event_id', 'occurrence_start', name='uq_event_exception_start'),
    )
    op.create_table(
        'notification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=True),
        sa.Column('event_id', sa.Integer(), nullable=True),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('read_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_notification_member_id_member'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['proposal_id'], ['event_proposal.id'], name=op.f('fk_notification_proposal_id_event_proposal'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_notification_event_id_event'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    )
    op.create_index('ix_notification_member_unread', 'notification', ['member_id', 'read_at'], unique=False)

    sqlite = op.get_bind().dialect.name == 'sqlite'

    def add_fk_column(table, column, target):
        name = f'fk_{table}_{column}_{target}'
        if sqlite:  # SQLite adds a column with its reference in one statement, named
            op.execute(
                f'ALTER TABLE {table} ADD COLUMN {column} INTEGER'
                f' CONSTRAINT {name} REFERENCES {target} (id)'
            )
        else:
            op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(name, table, target, [column], ['id'])

    add_fk_column('event_proposal', 'agenda_meeting_id', 'meeting')
    add_fk_column('proposal_status_change', 'event_id', 'event')
    op.add_column('event_proposal', sa.Column('emails_stopped_at', sa.DateTime(), nullable=True))
    op.add_column('proposal_status_change', sa.Column('mailed_at', sa.DateTime(), nullable=True))
    op.add_column('member', sa.Column('is_system', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('feed_token', sa.Column('scope', sa.String(length=20), server_default='archive', nullable=False))
    # The Friday whose agenda holds a proposal already there: the latest agenda item from it.
    op.execute(
        "UPDATE event_proposal SET agenda_meeting_id = ("
        " SELECT agenda_item.meeting_id FROM agenda_item"
        " WHERE agenda_item.source_proposal_id = event_proposal.id"
        " ORDER BY agenda_item.id DESC LIMIT 1)"
        " WHERE status = 'on_agenda'"
    )


def downgrade():
    # SQLite drops a column that holds an inline reference with a plain DROP COLUMN.
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint('fk_proposal_status_change_event_id_event', 'proposal_status_change', type_='foreignkey')
        op.drop_constraint('fk_event_proposal_agenda_meeting_id_meeting', 'event_proposal', type_='foreignkey')
    op.drop_column('feed_token', 'scope')
    op.drop_column('member', 'is_system')
    op.drop_column('proposal_status_change', 'mailed_at')
    op.drop_column('proposal_status_change', 'event_id')
    op.drop_column('event_proposal', 'emails_stopped_at')
    op.drop_column('event_proposal', 'agenda_meeting_id')
    op.drop_index('ix_notification_member_unread', table_name='notification')
    op.drop_table('notification')
    op.drop_table('event_exception')
    op.drop_index(op.f('ix_event_decision_id'), table_name='event')
    op.drop_index(op.f('ix_event_proposal_id'), table_name='event')
    op.drop_index('ix_event_starts_at', table_name='event')
    op.drop_table('event')
