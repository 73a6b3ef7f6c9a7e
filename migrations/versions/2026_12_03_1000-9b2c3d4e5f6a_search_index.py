"""search index: search_document kept by triggers on decision, entry, event_proposal,
agenda_item and meeting; SQLite FTS5 over its French stems, PostgreSQL tsvector('french')

Revision ID: 9b2c3d4e5f6a
Revises: 8a1b2c3d4e5f
Create Date: 2026-12-03 10:00:00

The triggers keep `search_document` true whatever path changes a source row (ORM, Core
compare-and-set updates, deletes). SQLite: the FTS5 table `search_fts` is an external-content
index over the view `search_terms`, which gives each row's French stems through the Python
function `vendredi_search_terms` (registered on every connection by meeting.search.sqlite);
a connection without it (the sqlite3 shell) cannot write the watched tables. PostgreSQL: the
column `search_tsv` (setweight A title, B body, to_tsvector('french', unaccent(…))) is set
by a trigger and has a GIN index. Billets d'humeur (entries of kind 'mood') are never indexed.

NOTE for later migrations: on SQLite, `batch_alter_table` on a watched table recreates it
and loses its triggers: recreate them (copy `_triggers_sqlite` of this file) in that migration.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9b2c3d4e5f6a'
down_revision = '8a1b2c3d4e5f'
branch_labels = None
depends_on = None

COLUMNS = "kind, ref_id, meeting_id, day, year, status, title, body"
ENTRY_KINDS = "('need', 'proposal', 'topic')"
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")
WEEKDAYS = ("dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi")


def _case(expr, names, first):
    whens = " ".join(f"WHEN {first + i} THEN '{name}'" for i, name in enumerate(names))
    return f"CASE {expr} {whens} END"


class _Sql:
    """The few expressions that differ between the engines."""

    def __init__(self, dialect):
        self.pg = dialect == "postgresql"

    def part(self, field, d):
        if self.pg:
            return f"CAST(EXTRACT({field} FROM {d}) AS INTEGER)"
        pattern = {"YEAR": "%Y", "MONTH": "%m", "DAY": "%d", "DOW": "%w"}[field]
        return f"CAST(strftime('{pattern}', {d}) AS INTEGER)"

    def long_date(self, d):
        return (
            f"{_case(self.part('DOW', d), WEEKDAYS, 0)} || ' ' || "
            f"CAST({self.part('DAY', d)} AS TEXT) || ' ' || "
            f"{_case(self.part('MONTH', d), MONTHS, 1)} || ' ' || "
            f"CAST({self.part('YEAR', d)} AS TEXT)"
        )

    @property
    def newline(self):
        return "chr(10)" if self.pg else "char(10)"

    # One SELECT per source, giving its search_document rows (`where` narrows it to a row).
    def decision(self, where=""):
        nl = self.newline
        return (
            f"SELECT 'decision', s.id, s.meeting_id, m.scheduled_for, "
            f"{self.part('YEAR', 'm.scheduled_for')}, NULL, i.title, "
            f"coalesce(s.statement, '') || {nl} || coalesce(s.objections, '') || {nl} || "
            f"coalesce(s.objections_lifted, '') "
            f"FROM decision s JOIN meeting m ON m.id = s.meeting_id "
            f"LEFT JOIN agenda_item i ON i.id = s.item_id WHERE 1 = 1 {where}"
        )

    def minutes(self, where=""):
        return (
            f"SELECT 'minutes', s.id, s.id, s.scheduled_for, "
            f"{self.part('YEAR', 's.scheduled_for')}, NULL, "
            f"'Compte rendu du ' || {self.long_date('s.scheduled_for')}, coalesce(s.summary, '') "
            f"FROM meeting s WHERE s.status = 'closed' {where}"
        )

    def entry(self, where=""):
        return (
            f"SELECT s.kind, s.id, s.meeting_id, m.scheduled_for, "
            f"{self.part('YEAR', 'm.scheduled_for')}, "
            f"CASE WHEN s.kind = 'need' THEN s.need_status ELSE p.status END, "
            f"s.title, coalesce(s.body, '') "
            f"FROM entry s JOIN meeting m ON m.id = s.meeting_id "
            f"LEFT JOIN event_proposal p ON p.entry_id = s.id "
            f"WHERE s.kind IN {ENTRY_KINDS} {where}"
        )

    def point(self, where=""):
        return (
            f"SELECT 'point', s.id, s.meeting_id, m.scheduled_for, "
            f"{self.part('YEAR', 'm.scheduled_for')}, s.status, s.title, '' "
            f"FROM agenda_item s JOIN meeting m ON m.id = s.meeting_id "
            f"WHERE s.kind <> 'checkin' {where}"
        )


def _insert(select_sql):
    return f"INSERT INTO search_document ({COLUMNS}) {select_sql}"


def _statements(sql):
    """For each source table: the statements that remove its rows' documents (`delete`, with
    OLD) and write them again (`insert`, with NEW), and the columns whose update matters."""
    new, old = "NEW", "OLD"
    return {
        "decision": {
            "delete": [f"DELETE FROM search_document WHERE kind = 'decision' AND ref_id = {old}.id"],
            "insert": [_insert(sql.decision(f"AND s.id = {new}.id"))],
            "update_of": "statement, objections, objections_lifted, item_id, meeting_id",
        },
        "entry": {
            "delete": [f"DELETE FROM search_document WHERE kind IN {ENTRY_KINDS} AND ref_id = {old}.id"],
            "insert": [_insert(sql.entry(f"AND s.id = {new}.id"))],
            "update_of": "kind, title, body, need_status, meeting_id",
        },
        "agenda_item": {
            "delete": [f"DELETE FROM search_document WHERE kind = 'point' AND ref_id = {old}.id"],
            "insert": [
                _insert(sql.point(f"AND s.id = {new}.id")),
                # a decision's title is its point's
                f"UPDATE search_document SET title = {new}.title WHERE kind = 'decision' AND "
                f"ref_id IN (SELECT id FROM decision WHERE item_id = {new}.id)",
            ],
            "update_of": "title, status, kind, meeting_id",
        },
        "meeting": {
            "delete": [f"DELETE FROM search_document WHERE kind = 'minutes' AND ref_id = {old}.id"],
            "insert": [
                _insert(sql.minutes(f"AND s.id = {new}.id")),
                f"UPDATE search_document SET day = {new}.scheduled_for, "
                f"year = {sql.part('YEAR', f'{new}.scheduled_for')} "
                f"WHERE meeting_id = {new}.id",
            ],
            "update_of": "status, summary, scheduled_for",
            "after_delete": [f"DELETE FROM search_document WHERE meeting_id = {old}.id"],
        },
        "event_proposal": {
            "delete": [],
            "insert": [
                f"UPDATE search_document SET status = {new}.status "
                f"WHERE kind = 'proposal' AND ref_id = {new}.entry_id"
            ],
            "update_of": "status, entry_id",
            "no_delete": True,
        },
    }


def _triggers_sqlite():
    sql = _Sql("sqlite")
    out = []
    for table, spec in _statements(sql).items():
        body = lambda stmts: " ".join(s + ";" for s in stmts)  # noqa: E731
        out.append(f"CREATE TRIGGER search_{table}_ai AFTER INSERT ON {table} "
                   f"BEGIN {body(spec['insert'])} END")
        out.append(f"CREATE TRIGGER search_{table}_au AFTER UPDATE OF {spec['update_of']} "
                   f"ON {table} BEGIN {body(spec['delete'] + spec['insert'])} END")
        if not spec.get("no_delete"):
            out.append(f"CREATE TRIGGER search_{table}_ad AFTER DELETE ON {table} "
                       f"BEGIN {body(spec['delete'] + spec.get('after_delete', []))} END")
    return out


def _triggers_postgresql():
    sql = _Sql("postgresql")
    out = []
    for table, spec in _statements(sql).items():
        deletes = " ".join(s + ";" for s in spec["delete"] + spec.get("after_delete", []))
        inserts = " ".join(s + ";" for s in spec["insert"])
        out.append(
            f"CREATE OR REPLACE FUNCTION search_{table}_changed() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP = 'DELETE' THEN {deletes or 'NULL;'} RETURN NULL; END IF; "
            f"IF TG_OP = 'UPDATE' THEN {' '.join(s + ';' for s in spec['delete']) or 'NULL;'} END IF; "
            f"{inserts} RETURN NULL; END $$"
        )
        events = f"INSERT OR UPDATE OF {spec['update_of']}"
        if not spec.get("no_delete"):
            events += " OR DELETE"
        out.append(
            f"CREATE TRIGGER search_{table} AFTER {events} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION search_{table}_changed()"
        )
    return out


def _backfill(sql):
    return [_insert(sql.decision()), _insert(sql.minutes()), _insert(sql.entry()),
            _insert(sql.point())]


def upgrade():
    bind = op.get_bind()
    dialect = bind.dialect.name
    op.create_table(
        'search_document',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('ref_id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=True),
        sa.Column('day', sa.Date(), nullable=True),
        sa.Column('year', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=True),
        sa.Column('title', sa.Text(), nullable=True),
        sa.Column('body', sa.Text(), server_default='', nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_search_document'),
        sa.UniqueConstraint('kind', 'ref_id', name='uq_search_document_kind_ref'),
    )
    with op.batch_alter_table('search_document', schema=None) as batch_op:
        batch_op.create_index('ix_search_document_meeting_id', ['meeting_id'], unique=False)
        batch_op.create_index('ix_search_document_year_kind', ['year', 'kind'], unique=False)

    if dialect == "sqlite":
        from meeting.search import sqlite as search_sqlite

        search_sqlite.install(bind.connection.driver_connection)
        statements = [
            "CREATE VIEW search_terms AS SELECT id, vendredi_search_terms(title) AS title, "
            "vendredi_search_terms(body) AS body FROM search_document",
            "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_terms', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
            "CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN "
            "INSERT INTO search_fts(rowid, title, body) VALUES (NEW.id, "
            "vendredi_search_terms(NEW.title), vendredi_search_terms(NEW.body)); END",
            "CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN "
            "INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', OLD.id, "
            "vendredi_search_terms(OLD.title), vendredi_search_terms(OLD.body)); END",
            "CREATE TRIGGER search_document_au AFTER UPDATE OF title, body ON search_document "
            "BEGIN INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', "
            "OLD.id, vendredi_search_terms(OLD.title), vendredi_search_terms(OLD.body)); "
            "INSERT INTO search_fts(rowid, title, body) VALUES (NEW.id, "
            "vendredi_search_terms(NEW.title), vendredi_search_terms(NEW.body)); END",
        ]
        statements += _backfill(_Sql("sqlite")) + _triggers_sqlite()
    elif dialect == "postgresql":
        statements = [
            "CREATE EXTENSION IF NOT EXISTS unaccent",
            "ALTER TABLE search_document ADD COLUMN search_tsv tsvector",
            "CREATE INDEX search_tsv_idx ON search_document USING gin (search_tsv)",
            "CREATE OR REPLACE FUNCTION search_document_tsv() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN NEW.search_tsv := "
            "setweight(to_tsvector('french', unaccent(coalesce(NEW.title, ''))), 'A') || "
            "setweight(to_tsvector('french', unaccent(coalesce(NEW.body, ''))), 'B'); "
            "RETURN NEW; END $$",
            "CREATE TRIGGER search_document_tsv BEFORE INSERT OR UPDATE OF title, body "
            "ON search_document FOR EACH ROW EXECUTE FUNCTION search_document_tsv()",
        ]
        statements += _backfill(_Sql("postgresql")) + _triggers_postgresql()
    else:
        raise NotImplementedError(f"search index: no engine for {dialect}")
    for statement in statements:
        op.execute(statement)


def downgrade():
    bind = op.get_bind()
    tables = ("decision", "entry", "agenda_item", "meeting", "event_proposal")
    if bind.dialect.name == "sqlite":
        for table in tables:
            for suffix in ("ai", "au", "ad"):
                op.execute(f"DROP TRIGGER IF EXISTS search_{table}_{suffix}")
        op.execute("DROP TABLE IF EXISTS search_fts")
        op.execute("DROP VIEW IF EXISTS search_terms")
    else:
        for table in tables:
            op.execute(f"DROP TRIGGER IF EXISTS search_{table} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS search_{table}_changed()")
    op.drop_table('search_document')
    if bind.dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS search_document_tsv()")
