"""Years of Fridays for an empty database: `flask --app wsgi demo --years 10`.

The archive is written the way the services would have written it (the same rows, JSON values
and traces, the same lifecycles), but in bulk: rows are built in memory, then inserted with
SQLAlchemy Core in batches, in one write transaction. Inserts are ordinary INSERTs, so the
database's own triggers (the search index) see every row. Deterministic for a given seed and
coming Friday: the archive ends the Friday before the coming one, which is left being prepared.
"""

import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, func, insert, select, text, update

from ..errors import ServiceError
from ..extensions import db
from ..i18n import _l
from ..meetings import dates
from ..models import Meeting, Member
from ..models.base import utcnow
from ..pipeline import begin_write
from .friday import Fridays
from .rows import TABLES, Rows, add_members
from .run import build_agenda, close

BATCH = 1000
DEMO_PASSWORD = "vendredi"


def generate_archive(fridays=520, seed=97):
    """Fill an empty database with `fridays` closed Fridays going back from the coming one
    (plus the coming one being prepared); return the row counts and the seconds it took."""
    started = time.perf_counter()
    if db.session.scalar(select(Member.id).limit(1)) is not None or db.session.scalar(
        select(Meeting.id).limit(1)
    ):
        raise ServiceError(
            _l("La base n’est pas vide : l’archive n’est chargée que dans une base vide."),
            code="not_empty",
        )
    from ..members.services import hash_password

    coming = dates.next_meeting_date()
    first_day = coming - timedelta(days=7 * fridays)
    rows = Rows(seed, {}, utcnow(), current_app.config["BABEL_DEFAULT_TIMEZONE"])
    people = add_members(rows, fridays, first_day, hash_password(DEMO_PASSWORD))
    builder = Fridays(rows, people, dates.meeting_hours())
    today = dates.today_in_place()
    for week in range(fridays):
        day = first_day + timedelta(days=7 * week)
        meeting_id = builder.meeting(day, week)
        friday = builder.attend(week, day, meeting_id)
        topics, needs, proposals = builder.document(week, day, meeting_id)
        items = build_agenda(builder, friday, topics, needs, proposals)
        close(builder, friday, items, today)
    _coming_friday(builder, coming, fridays)
    rows.number_traces()
    built = time.perf_counter() - started
    _write(rows)
    return {
        "fridays": fridays,
        "rows": rows.counts(),
        "build_s": round(built, 2),
        "seconds": round(time.perf_counter() - started, 2),
    }


def _coming_friday(builder, coming, week):
    """The coming Friday: what the last one carried to it, and a document under way."""
    meeting_id = builder.meeting(coming, week)
    for position, item in enumerate(builder.carried):
        builder.rows.add(
            "agenda_item", meeting_id=meeting_id, position=position, title=item.title,
            kind="carried", source_entry_id=item.entry_id,
            source_proposal_id=item.proposal["id"] if item.proposal else None,
            carried_from_id=item.carried_from_id, review_of_decision_id=None,
            timebox_minutes=item.timebox, status="pending", started_at=None, ended_at=None,
            timer_started_at=None, elapsed_seconds=0, extra_minutes=0,
            created_at=item.created_at,
        )  # fmt: skip
    builder.document(week, coming, meeting_id, until=builder.rows.now)


def _write(rows):
    """Insert every table in batches, in one write transaction; then the links that point
    forward (reviews to their decisions) and, on PostgreSQL, the id sequences."""
    begin_write()
    try:
        for name in TABLES:
            table = db.metadata.tables[name]
            first = rows.tables[name][0] if rows.tables[name] else {}
            columns = [c for c in table.c.keys() if c in first]  # noqa: SIM118
            data = [{c: row[c] for c in columns} for row in rows.tables[name]]
            for start in range(0, len(data), BATCH):
                db.session.execute(insert(table), data[start : start + BATCH])
        items = db.metadata.tables["agenda_item"]
        reviews = [
            {"item": row["id"], "decision": row["review_of"]}
            for row in rows.tables["agenda_item"]
            if row.get("review_of")
        ]
        if reviews:
            db.session.execute(
                update(items)
                .where(items.c.id == bindparam("item"))
                .values(review_of_decision_id=bindparam("decision")),
                reviews,
            )
        if db.engine.dialect.name == "postgresql":
            for name in TABLES:
                db.session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), MAX(id)) "
                        f'FROM "{name}" HAVING MAX(id) IS NOT NULL'
                    )
                )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def archive_counts():
    """How many rows each table of the archive holds (for the CLI and the bench)."""
    return {
        name: db.session.scalar(select(func.count()).select_from(db.metadata.tables[name]))
        for name in TABLES
    }
