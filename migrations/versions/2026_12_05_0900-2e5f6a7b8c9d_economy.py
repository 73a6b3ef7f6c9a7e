"""the place's economy: the year's budget (years, lines, expenses), gifts, the catalogue and
its uses, the anonymous weather of a Friday; treasurers, a met need's value in kind, an agenda
point's panel ("Où en est-on ?")

Revision ID: 2e5f6a7b8c9d
Revises: 1d4e5f6a7b8c
Create Date: 2026-12-05 09:00:00

Plain ADD COLUMN / CREATE TABLE / CREATE INDEX (never a batch rebuild: the search triggers of
9b2c3d4e5f6a live on entry and agenda_item in SQLite); a foreign key on an existing SQLite
table is added inline with its column.
"""
import sqlalchemy as sa
from alembic import op


revision = '2e5f6a7b8c9d'
down_revision = '1d4e5f6a7b8c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'budget_year',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['closed_by_id'], ['member.id'], name=op.f('fk_budget_year_closed_by_id_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_year')),
        sa.UniqueConstraint('year', name=op.f('uq_budget_year_year')),
    )
    op.create_table(
        'budget_line',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('budget_year_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=120), nullable=False),
        sa.Column('category', sa.String(length=20), nullable=False),
        sa.Column('period', sa.String(length=10), nullable=False),
        sa.Column('amount_cents', sa.Integer(), nullable=False),
        sa.Column('explanation', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("category IN ('charges', 'upkeep', 'conciergerie', 'other')", name=op.f('ck_budget_line_category')),
        sa.CheckConstraint("period IN ('month', 'year')", name=op.f('ck_budget_line_period')),
        sa.CheckConstraint('amount_cents > 0', name=op.f('ck_budget_line_amount_positive')),
        sa.ForeignKeyConstraint(['budget_year_id'], ['budget_year.id'], name=op.f('fk_budget_line_budget_year_id_budget_year')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_line')),
    )
    op.create_index(op.f('ix_budget_line_budget_year_id'), 'budget_line', ['budget_year_id'], unique=False)
    op.create_table(
        'expense',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('budget_year_id', sa.Integer(), nullable=False),
        sa.Column('line_id', sa.Integer(), nullable=True),
        sa.Column('spent_on', sa.Date(), nullable=False),
        sa.Column('amount_cents', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('amount_cents > 0', name=op.f('ck_expense_amount_positive')),
        sa.ForeignKeyConstraint(['budget_year_id'], ['budget_year.id'], name=op.f('fk_expense_budget_year_id_budget_year')),
        sa.ForeignKeyConstraint(['line_id'], ['budget_line.id'], name=op.f('fk_expense_line_id_budget_line'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['member.id'], name=op.f('fk_expense_recorded_by_id_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_expense')),
    )
    op.create_index(op.f('ix_expense_budget_year_id'), 'expense', ['budget_year_id'], unique=False)
    op.create_table(
        'gift',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('amount_cents', sa.Integer(), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=True),
        sa.Column('expected_on', sa.Date(), nullable=True),
        sa.Column('donor_member_id', sa.Integer(), nullable=True),
        sa.Column('donor_name', sa.String(length=120), nullable=True),
        sa.Column('donor_email', sa.String(length=254), nullable=True),
        sa.Column('donor_address', sa.Text(), nullable=True),
        sa.Column('anonymous', sa.Boolean(), nullable=False),
        sa.Column('line_id', sa.Integer(), nullable=True),
        sa.Column('method', sa.String(length=20), nullable=True),
        sa.Column('note', sa.String(length=200), nullable=True),
        sa.Column('receipt_number', sa.String(length=20), nullable=True),
        sa.Column('receipt_issued_at', sa.DateTime(), nullable=True),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(), nullable=True),
        sa.Column('cancelled_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('pledged', 'received', 'cancelled')", name=op.f('ck_gift_status')),
        sa.CheckConstraint("method IS NULL OR method IN ('transfer', 'cheque', 'cash', 'card', 'other')", name=op.f('ck_gift_method')),
        sa.CheckConstraint('amount_cents > 0', name=op.f('ck_gift_amount_positive')),
        sa.CheckConstraint("status != 'received' OR received_on IS NOT NULL", name=op.f('ck_gift_received_dated')),
        sa.ForeignKeyConstraint(['donor_member_id'], ['member.id'], name=op.f('fk_gift_donor_member_id_member')),
        sa.ForeignKeyConstraint(['line_id'], ['budget_line.id'], name=op.f('fk_gift_line_id_budget_line'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['member.id'], name=op.f('fk_gift_recorded_by_id_member')),
        sa.ForeignKeyConstraint(['confirmed_by_id'], ['member.id'], name=op.f('fk_gift_confirmed_by_id_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_gift')),
        sa.UniqueConstraint('receipt_number', name=op.f('uq_gift_receipt_number')),
    )
    op.create_index(op.f('ix_gift_donor_member_id'), 'gift', ['donor_member_id'], unique=False)
    op.create_index('ix_gift_status_received_on', 'gift', ['status', 'received_on'], unique=False)
    op.create_table(
        'catalogue_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=120), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('category', sa.String(length=60), nullable=True),
        sa.Column('offered_by_id', sa.Integer(), nullable=True),
        sa.Column('unit', sa.String(length=20), nullable=False),
        sa.Column('house_minutes', sa.Integer(), server_default='0', nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("unit IN ('hour', 'half_day', 'day', 'session', 'unit')", name=op.f('ck_catalogue_item_unit')),
        sa.ForeignKeyConstraint(['offered_by_id'], ['member.id'], name=op.f('fk_catalogue_item_offered_by_id_member')),
        sa.ForeignKeyConstraint(['created_by_id'], ['member.id'], name=op.f('fk_catalogue_item_created_by_id_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_item')),
    )
    op.create_table(
        'catalogue_use',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('used_on', sa.Date(), nullable=False),
        sa.Column('for_whom', sa.String(length=120), nullable=True),
        sa.Column('quantity', sa.Integer(), nullable=False),
        sa.Column('contribution_cents', sa.Integer(), nullable=False),
        sa.Column('note', sa.String(length=200), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('cancelled_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint('contribution_cents > 0', name=op.f('ck_catalogue_use_contribution_positive')),
        sa.CheckConstraint('quantity > 0', name=op.f('ck_catalogue_use_quantity_positive')),
        sa.ForeignKeyConstraint(['item_id'], ['catalogue_item.id'], name=op.f('fk_catalogue_use_item_id_catalogue_item')),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_catalogue_use_member_id_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_use')),
    )
    op.create_index(op.f('ix_catalogue_use_item_id'), 'catalogue_use', ['item_id'], unique=False)
    op.create_index(op.f('ix_catalogue_use_member_id'), 'catalogue_use', ['member_id'], unique=False)
    op.create_index('ix_catalogue_use_used_on', 'catalogue_use', ['used_on'], unique=False)
    op.create_table(
        'weather_tally',
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('weather', sa.String(length=20), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.CheckConstraint("weather IN ('sun', 'sunny_spells', 'clouds', 'rain', 'storm')", name=op.f('ck_weather_tally_weather')),
        sa.CheckConstraint('count >= 0', name=op.f('ck_weather_tally_count_positive')),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_weather_tally_meeting_id_meeting')),
        sa.PrimaryKeyConstraint('meeting_id', 'weather', name=op.f('pk_weather_tally')),
    )
    op.create_table(
        'weather_given',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_weather_given_meeting_id_meeting')),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_weather_given_member_id_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_weather_given')),
        sa.UniqueConstraint('meeting_id', 'member_id', name='uq_weather_given_member'),
    )

    op.add_column('member', sa.Column('is_treasurer', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('agenda_item', sa.Column('panel', sa.String(length=20), nullable=True))
    op.add_column('entry', sa.Column('in_kind_cents', sa.Integer(), nullable=True))
    name = 'fk_entry_in_kind_member_id_member'
    if op.get_bind().dialect.name == 'sqlite':  # the reference goes inline with its column
        op.execute(
            f'ALTER TABLE entry ADD COLUMN in_kind_member_id INTEGER'
            f' CONSTRAINT {name} REFERENCES member (id)'
        )
    else:
        op.add_column('entry', sa.Column('in_kind_member_id', sa.Integer(), nullable=True))
        op.create_foreign_key(name, 'entry', 'member', ['in_kind_member_id'], ['id'])


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint('fk_entry_in_kind_member_id_member', 'entry', type_='foreignkey')
    op.drop_column('entry', 'in_kind_member_id')
    op.drop_column('entry', 'in_kind_cents')
    op.drop_column('agenda_item', 'panel')
    op.drop_column('member', 'is_treasurer')
    op.drop_table('weather_given')
    op.drop_table('weather_tally')
    op.drop_index('ix_catalogue_use_used_on', table_name='catalogue_use')
    op.drop_index(op.f('ix_catalogue_use_member_id'), table_name='catalogue_use')
    op.drop_index(op.f('ix_catalogue_use_item_id'), table_name='catalogue_use')
    op.drop_table('catalogue_use')
    op.drop_table('catalogue_item')
    op.drop_index('ix_gift_status_received_on', table_name='gift')
    op.drop_index(op.f('ix_gift_donor_member_id'), table_name='gift')
    op.drop_table('gift')
    op.drop_index(op.f('ix_expense_budget_year_id'), table_name='expense')
    op.drop_table('expense')
    op.drop_index(op.f('ix_budget_line_budget_year_id'), table_name='budget_line')
    op.drop_table('budget_line')
    op.drop_table('budget_year')
