"""append-only archive: database triggers refuse to delete or rewrite decisions, traces and
validated minutes, on SQLite and PostgreSQL

Revision ID: 5b8c9d0e1f2a
Revises: 4a7b8c9d0e1f
Create Date: 2026-12-07 09:10:00

The rule lives below the app, so a raw `DELETE FROM decision` (a shell, a script, a bug) is
refused like the app's own code would be. Every refusal reads
"vendredi: the archive is append-only (<table>)" (SQLite `RAISE(ABORT, …)`, PostgreSQL a
plpgsql `RAISE EXCEPTION`), and the statement changes nothing.

- `decision`: never deleted. Once its Friday (`meeting.status`) is closed, these never change:
  id, number, meeting_id, statement, mode, objections, objections_lifted, result, present,
  review_on, decided_at. While the Friday is live the app edits a decision in place
  (`decisions.corrections.edit_decision`).
- `trace`: never deleted; id, created_at, verb, subject_type never change; `data` changes only
  in the keys that name a person (member_id, owner_id, author_id, member_ids).
- `meeting` once its minutes are validated (`minutes_validated_at` set; a draft stays free):
  never deleted; id, scheduled_for, starts_at, ends_at, status, created_at, started_at,
  closed_at, summary, summary_revision, minutes_validated_at never change. Any closed Friday
  stays closed (its status never leaves 'closed'), so its decisions stay frozen.

What may still change, and why:
- a link set once from NULL to a value, never moved afterwards: decision.item_id, round_id,
  supersedes_id; trace.subject_id, meeting_id (`pipeline.change` fills them after the flush);
  meeting.minutes_mailed_at (written after the mail is sent); the test harness's
  `restore_rows` writes its deferred foreign keys this way.
- the columns that name a person, for the pseudonymising update of erasure (a member's id
  replaced by a pseudonymous member's id): decision.decided_by_id, trace.actor_id, the person
  keys of trace.data, meeting.summary_updated_by_id, meeting.minutes_validated_by_id. No text
  column of these tables holds a name by design (traces store ids; names inside a decision's
  free text are redacted when read, by `decisions.public.Redactor`).
- a meeting's live bookkeeping (live_revision, agenda_revision, join_code,
  speaker_attendance_id), which records nothing.

The one way past the rule, for the demo builder only (`flask demo` backdates and renumbers
what its story wrote): a connection that has attached a database named
`vendredi_archive_unsealed` (SQLite) or set `vendredi.archive_unsealed = 'on'` (PostgreSQL).
The database owner can always drop a trigger: this guards against mistakes, not against the
owner. PostgreSQL's TRUNCATE skips row triggers, so a statement trigger refuses it on these
tables (when the meeting table holds validated minutes) unless unsealed; the test harness
empties its tables that way.

NOTE for later migrations: on SQLite, `batch_alter_table` on decision, trace or meeting
recreates the table and loses these triggers: recreate them (copy `_sqlite` of this file).
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "5b8c9d0e1f2a"
down_revision = "4a7b8c9d0e1f"
branch_labels = None
depends_on = None

MESSAGE = "vendredi: the archive is append-only ({})"
PERSON_KEYS = ("member_id", "owner_id", "author_id", "member_ids")


class _Sql:
    """The few expressions that differ between the engines."""

    def __init__(self, dialect):
        self.pg = dialect == "postgresql"

    def changed(self, column, json=False):
        old, new = f"OLD.{column}", f"NEW.{column}"
        if self.pg:
            if json:  # json has no equality operator; jsonb compares values
                old, new = f"{old}::jsonb", f"{new}::jsonb"
            return f"{old} IS DISTINCT FROM {new}"
        return f"{old} IS NOT {new}"

    def moved(self, column):
        """A link that already pointed somewhere and now points elsewhere (NULL → value is
        allowed: a link set once)."""
        return f"(OLD.{column} IS NOT NULL AND {self.changed(column)})"

    def data_changed_beyond_persons(self, column):
        if self.pg:
            keys = ", ".join(f"'{k}'" for k in PERSON_KEYS)
            strip = lambda v: f"({v}.{column}::jsonb - ARRAY[{keys}]::text[])"
            return f"{strip('OLD')} IS DISTINCT FROM {strip('NEW')}"
        paths = ", ".join(f"'$.{k}'" for k in PERSON_KEYS)
        return f"json_remove(OLD.{column}, {paths}) IS NOT json_remove(NEW.{column}, {paths})"

    @property
    def sealed(self):
        if self.pg:
            return "coalesce(current_setting('vendredi.archive_unsealed', true), '') <> 'on'"
        return (
            "NOT EXISTS (SELECT 1 FROM pragma_database_list "
            "WHERE name = 'vendredi_archive_unsealed')"
        )


def _rules(sql):
    """Per table: when a DELETE is refused (None: always) and the refused UPDATEs, each a
    condition on OLD/NEW with the name its message gives."""
    any_of = lambda conditions: "(" + " OR ".join(conditions) + ")"
    closed = "EXISTS (SELECT 1 FROM meeting WHERE meeting.id = OLD.meeting_id " \
             "AND meeting.status = 'closed')"  # fmt: skip
    validated = "OLD.minutes_validated_at IS NOT NULL"
    decision_fixed = [
        sql.changed(c)
        for c in ("id", "number", "meeting_id", "statement", "mode", "objections",
                  "objections_lifted", "review_on", "decided_at")
    ] + [sql.changed(c, json=True) for c in ("result", "present")]  # fmt: skip
    decision_links = [sql.moved(c) for c in ("item_id", "round_id", "supersedes_id")]
    trace_fixed = [sql.changed(c) for c in ("id", "created_at", "verb", "subject_type")]
    trace_fixed += [sql.moved(c) for c in ("subject_id", "meeting_id")]
    trace_fixed += [sql.data_changed_beyond_persons("data")]
    minutes_fixed = [
        sql.changed(c)
        for c in ("id", "scheduled_for", "starts_at", "ends_at", "status", "created_at",
                  "started_at", "closed_at", "summary", "summary_revision",
                  "minutes_validated_at")
    ] + [sql.moved("minutes_mailed_at")]  # fmt: skip
    return {
        "decision": {
            "delete": None,
            "update": [("decision", f"{closed} AND {any_of(decision_fixed + decision_links)}")],
            "truncate": None,
        },
        "trace": {
            "delete": None,
            "update": [("trace", any_of(trace_fixed))],
            "truncate": None,
        },
        "meeting": {
            "name": "minutes",
            "delete": validated,
            "update": [
                ("minutes", f"{validated} AND {any_of(minutes_fixed)}"),
                ("meeting", f"OLD.status = 'closed' AND {sql.changed('status')}"),
            ],
            "truncate": "EXISTS (SELECT 1 FROM meeting WHERE minutes_validated_at IS NOT NULL)",
        },
    }


def _sqlite():
    sql = _Sql("sqlite")
    out = []
    for table, rule in _rules(sql).items():
        name = rule.get("name", table)
        refuse = lambda what: f"BEGIN SELECT RAISE(ABORT, '{MESSAGE.format(what)}'); END"
        when = sql.sealed + (f" AND {rule['delete']}" if rule["delete"] else "")
        out.append(
            f"CREATE TRIGGER archive_{table}_bd BEFORE DELETE ON {table} WHEN {when} {refuse(name)}"
        )
        for i, (what, condition) in enumerate(rule["update"]):
            out.append(
                f"CREATE TRIGGER archive_{table}_bu{i} BEFORE UPDATE ON {table} "
                f"WHEN {sql.sealed} AND {condition} {refuse(what)}"
            )
    return out


def _postgresql():
    sql = _Sql("postgresql")
    out = []
    for table, rule in _rules(sql).items():
        name = rule.get("name", table)
        raise_ = lambda what: f"RAISE EXCEPTION '{MESSAGE.format(what)}'"
        delete = f"IF {rule['delete'] or 'TRUE'} THEN {raise_(name)}; END IF; RETURN OLD;"
        updates = " ".join(f"IF {c} THEN {raise_(what)}; END IF;" for what, c in rule["update"])
        out.append(
            f"CREATE OR REPLACE FUNCTION archive_{table}_guard() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NOT ({sql.sealed}) THEN RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END; "
            f"END IF; "
            f"IF TG_OP = 'DELETE' THEN {delete} END IF; "
            f"{updates} RETURN NEW; END $$"
        )
        out.append(
            f"CREATE TRIGGER archive_{table}_guard BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION archive_{table}_guard()"
        )
        out.append(
            f"CREATE OR REPLACE FUNCTION archive_{table}_truncate() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN "
            f"IF ({sql.sealed}) AND {rule['truncate'] or 'TRUE'} THEN {raise_(name)}; END IF; "
            f"RETURN NULL; END $$"
        )
        out.append(
            f"CREATE TRIGGER archive_{table}_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION archive_{table}_truncate()"
        )
    return out


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        statements = _sqlite()
    elif dialect == "postgresql":
        statements = _postgresql()
    else:
        raise NotImplementedError(f"append-only archive: no triggers for {dialect}")
    for statement in statements:
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for table, rule in _rules(_Sql(dialect)).items():
        if dialect == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS archive_{table}_bd")
            for i in range(len(rule["update"])):
                op.execute(f"DROP TRIGGER IF EXISTS archive_{table}_bu{i}")
        else:
            for kind in ("guard", "truncate"):
                op.execute(f"DROP TRIGGER IF EXISTS archive_{table}_{kind} ON {table}")
                op.execute(f"DROP FUNCTION IF EXISTS archive_{table}_{kind}()")
