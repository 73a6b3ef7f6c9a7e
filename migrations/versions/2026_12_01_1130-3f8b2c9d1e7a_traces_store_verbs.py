"""traces store a verb, ids and data (no sentence, no name); decision.present holds ids

Each existing trace gets in `data` what `meeting.traces.sentences` needs to say it again, read
from the rows it is about (entry, meeting, item, decision, action, round, proposal,
invitation, member) and, for what those rows no longer hold (a removed entry's title, the
person of an attendance or a role), from the old French sentence; then `trace.summary` is
dropped. `decision.present`, a list of names, becomes the list of the ids of the `attendance`
rows of that meeting (members and guests); a name no row matches is dropped. After this, no
stored sentence or list holds a person's name.

Revision ID: 3f8b2c9d1e7a
Revises: 7c1f0d2e9a41
Create Date: 2026-12-01 11:30:00

"""
import re
from datetime import date

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3f8b2c9d1e7a'
down_revision = '7c1f0d2e9a41'
branch_labels = None
depends_on = None

SPACES = "\u00a0\u202f"
QUOTED = re.compile(r"«[\s\u00a0\u202f]?(.*)[\s\u00a0\u202f]?»", re.DOTALL)
NUMBER = re.compile(r"(\d+)")
ROLE_BY_LABEL = {"facilitation": "facilitator", "secrétaire": "scribe",
                 "gardien·ne du temps": "timekeeper"}
STATUS_BY_LABEL = {"présent·e": "present", "excusé·e": "excused", "non indiqué·e": None}

trace = sa.table(
    'trace', sa.column('id', sa.Integer), sa.column('actor_id', sa.Integer),
    sa.column('meeting_id', sa.Integer), sa.column('verb', sa.String),
    sa.column('subject_type', sa.String), sa.column('subject_id', sa.Integer),
    sa.column('summary', sa.Text), sa.column('data', sa.JSON))
decision = sa.table(
    'decision', sa.column('id', sa.Integer), sa.column('meeting_id', sa.Integer),
    sa.column('present', sa.JSON))


def _plain(text):
    """A title taken from a stored sentence, without the typography added around it."""
    for space in SPACES:
        text = text.replace(space, " ")
    return " ".join(text.split())


def _quoted(summary):
    match = QUOTED.search(summary or "")
    return _plain(match.group(1)) if match else None


def _number(summary, after=""):
    match = re.search(re.escape(after) + r"\D*?(\d+)", summary or "") if after else \
        NUMBER.search(summary or "")
    return int(match.group(1)) if match else None


def _iso(value):
    if value is None:
        return None
    if isinstance(value, str):
        return value[:10]
    if isinstance(value, date):
        return value.isoformat()[:10]
    return None


def _short_title(title, body):
    if title:
        return title
    text = " ".join((body or "").split())
    return text if len(text) <= 60 else text[:59].rstrip() + "…"


class _Rows:
    """Rows read once, by id, with plain SELECTs (the same on SQLite and PostgreSQL)."""

    def __init__(self, conn):
        self.conn, self.cache = conn, {}

    def get(self, table, row_id, columns):
        if row_id is None:
            return None
        key = (table, row_id)
        if key not in self.cache:
            self.cache[key] = self.conn.execute(
                sa.text(f'SELECT {", ".join(columns)} FROM "{table}" WHERE id = :id'),
                {"id": row_id}).mappings().first()
        return self.cache[key]


def _member_id(conn, name):
    if not name:
        return None
    return conn.execute(sa.text("SELECT id FROM member WHERE display_name = :name ORDER BY id"),
                        {"name": _plain(name)}).scalar()


def _meeting_date(rows, meeting_id):
    row = rows.get("meeting", meeting_id, ("scheduled_for",))
    return _iso(row["scheduled_for"]) if row else None


def _convert(conn, rows, t, used_guests):
    """The data a trace needs to be said again (the old `data` is kept and completed)."""
    verb, summary = t["verb"], t["summary"] or ""
    data = dict(t["data"] or {})
    subject_id = t["subject_id"]

    def put(key, value):
        if value is not None and key not in data:
            data[key] = value

    if verb in ("entry_added", "entry_edited", "entry_deleted", "need_claimed", "need_released",
                "need_resolved"):
        entry = rows.get("entry", subject_id, ("kind", "title", "body", "author_id")) \
            if t["subject_type"] == "entry" else None
        if entry is not None:
            put("kind", entry["kind"])
            if entry["kind"] != "mood":
                put("title", _short_title(entry["title"], entry["body"]))
            if verb == "entry_edited":
                put("author_id", entry["author_id"])
        else:
            if verb.startswith("need_"):
                put("kind", "need")
            elif "billet d’humeur" in summary and "kind" not in data:
                put("kind", "mood")
            if data.get("kind") != "mood":
                put("title", _quoted(summary))
        if verb == "entry_edited" and "author_id" not in data:
            data["author_id"] = t["actor_id"]
    elif verb in ("meeting_scheduled", "meeting_started", "meeting_closed", "agenda_prepared",
                  "agenda_items_added", "agenda_reordered", "agenda_item_removed"):
        put("date", _meeting_date(rows, t["meeting_id"] or subject_id))
        if verb == "agenda_items_added":
            put("n", _number(summary, "a mis"))
        if verb == "agenda_item_removed":
            put("title", _quoted(summary))
    elif verb in ("agenda_item_added", "item_advanced", "item_postponed", "timebox_set"):
        item = rows.get("agenda_item", subject_id, ("title", "timebox_minutes"))
        put("title", item["title"] if item else _quoted(summary))
        if verb == "timebox_set":
            put("minutes", _number(summary, "a prévu") or (item and item["timebox_minutes"]))
    elif verb == "role_assigned":
        put("date", _meeting_date(rows, t["meeting_id"]))
        match = re.match(r"(.*?) tient le rôle «[\s\u00a0]?(.*?)[\s\u00a0]?»", summary)
        if match:
            put("member_id", _member_id(conn, match.group(1)))
            put("role", ROLE_BY_LABEL.get(_plain(match.group(2)).lower()))
    elif verb == "attendance_set":
        put("date", _meeting_date(rows, t["meeting_id"]))
        match = re.match(r"(.*?)[\s\u00a0]?: (.*?) le ", summary)
        if match:
            put("member_id", _member_id(conn, match.group(1)))
            status = _plain(match.group(2))
            if status in STATUS_BY_LABEL and "status" not in data:
                data["status"] = STATUS_BY_LABEL[status]
    elif verb == "guest_joined":
        match = re.match(r"(.*?) \(invité·e\)", summary)
        if match and "attendance_id" not in data:
            ids = conn.execute(sa.text(
                "SELECT id FROM attendance WHERE meeting_id = :m AND guest_name = :name "
                "ORDER BY id"), {"m": t["meeting_id"], "name": _plain(match.group(1))}).scalars()
            free = [i for i in ids if i not in used_guests]
            if free:
                used_guests.add(free[0])
                data["attendance_id"] = free[0]
    elif verb == "decision_recorded":
        row = rows.get("decision", subject_id, ("number", "mode", "item_id"))
        if row is not None:
            put("number", row["number"])
            put("mode", row["mode"])
            item = rows.get("agenda_item", row["item_id"], ("title",))
            put("title", item["title"] if item else _quoted(summary))
    elif verb == "action_added":
        row = rows.get("action", subject_id, ("label", "owner_id", "due_on"))
        if row is not None:
            put("label", row["label"])
            put("owner_id", row["owner_id"])
            put("due_on", _iso(row["due_on"]))
    elif verb in ("round_opened", "round_closed"):
        row = rows.get("round", subject_id, ("kind", "item_id"))
        if verb == "round_opened" and row is not None:
            put("kind", row["kind"])
            item = rows.get("agenda_item", row["item_id"], ("title",))
            put("title", item["title"] if item else _quoted(summary))
        if verb == "round_closed":
            put("total", _number(summary))
    elif verb in ("proposal_status_changed", "proposal_withdrawn"):
        row = rows.get("event_proposal", subject_id, ("title",))
        put("title", row["title"] if row else _quoted(summary))
    elif verb == "member_joined" and "a ouvert Vendredi" in summary:
        data["first"] = True
    elif verb == "member_invited":
        row = rows.get("invitation", subject_id, ("role",))
        put("role", row["role"] if row else None)
    elif verb in ("role_changed", "member_deactivated", "member_reactivated"):
        put("member_id", subject_id)
    elif verb == "profile_updated" and "désormais" in summary:
        data["renamed"] = True
    return data


def _present_ids(conn, meeting_id, names):
    """Attendance ids of `meeting_id` for a list of names (each row used once)."""
    rows = conn.execute(sa.text(
        "SELECT a.id, a.guest_name, m.display_name FROM attendance a "
        "LEFT JOIN member m ON m.id = a.member_id WHERE a.meeting_id = :m ORDER BY a.id"),
        {"m": meeting_id}).all()
    free = [(row_id, guest or member) for row_id, guest, member in rows]
    ids = []
    for name in names or []:
        if isinstance(name, int):  # already converted
            ids.append(name)
            continue
        match = next((pair for pair in free if pair[1] == name), None)
        if match is not None:
            free.remove(match)
            ids.append(match[0])
    return ids


def upgrade():
    conn = op.get_bind()
    rows, used_guests = _Rows(conn), set()
    for t in conn.execute(sa.select(trace).order_by(trace.c.id)).mappings().all():
        data = _convert(conn, rows, t, used_guests)
        if data != (t["data"] or {}):
            conn.execute(trace.update().where(trace.c.id == t["id"]).values(data=data))
    for d in conn.execute(sa.select(decision)).mappings().all():
        ids = _present_ids(conn, d["meeting_id"], d["present"])
        if ids != (d["present"] or []):
            conn.execute(decision.update().where(decision.c.id == d["id"]).values(present=ids))
    with op.batch_alter_table('trace', schema=None) as batch_op:
        batch_op.drop_column('summary')


def downgrade():
    # The sentences are not stored again: an older release shows each trace's verb.
    with op.batch_alter_table('trace', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary', sa.Text(), nullable=False, server_default=''))
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE trace SET summary = verb"))
    with op.batch_alter_table('trace', schema=None) as batch_op:
        batch_op.alter_column('summary', server_default=None)
    for d in conn.execute(sa.select(decision)).mappings().all():
        names = []
        for row_id in d["present"] or []:
            name = conn.execute(sa.text(
                "SELECT COALESCE(a.guest_name, m.display_name) FROM attendance a "
                "LEFT JOIN member m ON m.id = a.member_id WHERE a.id = :id"),
                {"id": row_id}).scalar() if isinstance(row_id, int) else row_id
            if name:
                names.append(name)
        conn.execute(decision.update().where(decision.c.id == d["id"]).values(present=names))
