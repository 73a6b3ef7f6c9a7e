"""The archive is protected below the app (issue 14, item 8): the database itself refuses to
delete or rewrite a decision, a trace or validated minutes, whoever sends the SQL (a shell, a
script, a bug), on SQLite and PostgreSQL alike; what the app legitimately changes still goes
through (a draft's summary, a link set once, the pseudonymising update of erasure)."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from meeting.decisions import corrections
from meeting.decisions import services as decisions
from meeting.extensions import db
from meeting.live import services as agenda
from meeting.meetings import dates
from meeting.minutes import summary as minutes
from meeting.models import Decision, Meeting, Member, Trace
from tests.conftest import advance_to


def message(table):
    return f"vendredi: the archive is append-only ({table})"


@pytest.fixture
def archive(live_friday, make_member):
    """A closed Friday whose minutes are validated, with decision « Jardin »; a closed Friday
    whose minutes are still a draft; and a live Friday on « Cuisine »."""
    camille = make_member(role="facilitator", name="Camille")
    ines = make_member(name="Inès")
    first_day = dates.next_meeting_date()
    first = live_friday(camille, ["Jardin"], day=first_day, author=ines)
    advance_to(camille, first.meeting, "Jardin")
    garden = decisions.record_decision(
        camille,
        first.meeting.id,
        "On sème dimanche.",
        "consent",
        review_on=(dates.today_in_place() + timedelta(days=90)).isoformat(),
    )
    minutes.write_summary(camille, first.meeting.id, "Le jardin est semé dimanche.", 0)
    agenda.close_live(camille, first.meeting.id)
    minutes.validate_minutes(camille, first.meeting.id)
    draft = live_friday(camille, ["Vélos"], day=first_day + timedelta(days=7), author=ines)
    agenda.close_live(camille, draft.meeting.id)
    live = live_friday(camille, ["Cuisine"], day=first_day + timedelta(days=14), author=ines)
    advance_to(camille, live.meeting, "Cuisine")
    db.session.commit()
    return SimpleNamespace(
        camille=camille,
        ines=ines,
        garden_id=garden.id,
        garden_number=garden.number,
        validated_id=first.meeting.id,
        draft_id=draft.meeting.id,
        live_id=live.meeting.id,
    )


def row(table, row_id):
    """The row as the database holds it now (a fresh read, outside the ORM)."""
    db.session.rollback()
    with db.engine.connect() as conn:
        found = conn.execute(text(f"SELECT * FROM {table} WHERE id = :id"), {"id": row_id})
        return dict(found.mappings().one())


def count(table):
    db.session.rollback()
    with db.engine.connect() as conn:
        return conn.scalar(text(f"SELECT count(*) FROM {table}"))


def raw(sql, **params):
    """Run one statement in its own transaction, as a shell or a script would."""
    db.session.rollback()
    with db.engine.begin() as conn:
        return conn.execute(text(sql), params).rowcount


def refused(table, sql, **params):
    with pytest.raises(DBAPIError) as error:
        raw(sql, **params)
    assert message(table) in str(error.value)


# -- decisions ---------------------------------------------------------------------------------


def test_deleting_decisions_is_refused_and_deletes_nothing(archive):
    before = count("decision")
    assert before >= 1
    refused("decision", "DELETE FROM decision")
    refused("decision", "DELETE FROM decision WHERE id = :id", id=archive.garden_id)
    assert count("decision") == before
    # a decision of the live Friday is not deleted either
    today = decisions.record_decision(
        archive.camille, archive.live_id, "Cuisine le lundi.", "information"
    )
    refused("decision", "DELETE FROM decision WHERE id = :id", id=today.id)
    assert count("decision") == before + 1


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("statement", "On sème lundi."),
        ("mode", "vote"),
        ("objections", "Personne n’était d’accord."),
        ("number", 999),
        ("review_on", None),
        ("decided_at", "2020-01-01 12:00:00"),
        ("result", '{"yes": 9}'),
        ("present", "[]"),
    ],
)
def test_what_a_closed_friday_decided_cannot_be_rewritten(archive, column, value):
    before = row("decision", archive.garden_id)
    refused(
        "decision",
        f"UPDATE decision SET {column} = :value WHERE id = :id",
        value=value,
        id=archive.garden_id,
    )
    assert row("decision", archive.garden_id) == before


def test_a_decision_of_the_live_friday_is_still_edited_in_place(archive):
    today = decisions.record_decision(
        archive.camille, archive.live_id, "Cuisine le lundi.", "information"
    )
    corrections.edit_decision(archive.camille, today.id, "Cuisine le mardi.")
    assert row("decision", today.id)["statement"] == "Cuisine le mardi."


def test_superseding_a_decision_through_the_app_still_works(archive):
    before = row("decision", archive.garden_id)
    new = decisions.record_decision(
        archive.camille,
        archive.live_id,
        "On sème lundi finalement.",
        "information",
        supersedes_number=str(archive.garden_number),
    )
    assert row("decision", new.id)["supersedes_id"] == archive.garden_id
    assert corrections.superseder_of(db.session.get(Decision, archive.garden_id)).id == new.id
    assert row("decision", archive.garden_id) == before  # the replaced one never changed


def test_a_link_is_set_once_from_nothing_and_never_moved(archive):
    newer = decisions.record_decision(archive.camille, archive.live_id, "Autre.", "information")
    agenda.close_live(archive.camille, archive.live_id)
    assert row("decision", archive.garden_id)["supersedes_id"] is None
    # NULL → a value (as the test harness restores its rows): allowed
    assert (
        raw(
            "UPDATE decision SET supersedes_id = :s WHERE id = :id",
            s=newer.id,
            id=archive.garden_id,
        )
        == 1
    )
    assert row("decision", archive.garden_id)["supersedes_id"] == newer.id
    refused(
        "decision", "UPDATE decision SET supersedes_id = NULL WHERE id = :id", id=archive.garden_id
    )
    refused(
        "decision",
        "UPDATE decision SET supersedes_id = :s WHERE id = :id",
        s=archive.garden_id,
        id=archive.garden_id,
    )
    assert row("decision", archive.garden_id)["supersedes_id"] == newer.id


def test_a_closed_friday_is_never_reopened(archive):
    refused("meeting", "UPDATE meeting SET status = 'live' WHERE id = :id", id=archive.draft_id)
    assert row("meeting", archive.draft_id)["status"] == "closed"


# -- traces ------------------------------------------------------------------------------------


def test_deleting_traces_is_refused_and_deletes_nothing(archive):
    before = count("trace")
    assert before > 5
    refused("trace", "DELETE FROM trace")
    first = db.session.scalar(select(func.min(Trace.id)))
    refused("trace", "DELETE FROM trace WHERE id = :id", id=first)
    assert count("trace") == before


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("verb", "entry_deleted"),
        ("created_at", "2020-01-01 12:00:00"),
        ("subject_type", "member"),
        ("subject_id", 424242),
        ("data", '{"number": 999}'),
    ],
)
def test_what_a_trace_recorded_cannot_be_rewritten(archive, column, value):
    trace_id = db.session.scalar(select(Trace.id).where(Trace.verb == "decision_recorded"))
    before = row("trace", trace_id)
    assert before["subject_id"] is not None
    refused("trace", f"UPDATE trace SET {column} = :value WHERE id = :id", value=value, id=trace_id)
    assert row("trace", trace_id) == before
    if column == "verb":
        refused("trace", "UPDATE trace SET verb = 'x'")  # every row at once: none changes
        assert count("trace") == db.session.scalar(
            select(func.count(Trace.id)).where(Trace.verb != "x")
        )


# -- minutes -----------------------------------------------------------------------------------


def test_validated_minutes_are_neither_deleted_nor_rewritten(archive):
    before = row("meeting", archive.validated_id)
    assert before["minutes_validated_at"] is not None
    meetings = count("meeting")
    refused("minutes", "DELETE FROM meeting WHERE id = :id", id=archive.validated_id)
    for sql in (
        "UPDATE meeting SET summary = 'Autre chose.' WHERE id = :id",
        "UPDATE meeting SET minutes_validated_at = NULL WHERE id = :id",
        "UPDATE meeting SET scheduled_for = '2020-01-03' WHERE id = :id",
        "UPDATE meeting SET summary_revision = summary_revision + 1 WHERE id = :id",
    ):
        refused("minutes", sql, id=archive.validated_id)
    assert row("meeting", archive.validated_id) == before
    assert count("meeting") == meetings
    # after the mail: its time is written once
    assert (
        raw(
            "UPDATE meeting SET minutes_mailed_at = '2026-12-07 12:00:00' WHERE id = :id",
            id=archive.validated_id,
        )
        == 1
    )
    refused(
        "minutes",
        "UPDATE meeting SET minutes_mailed_at = NULL WHERE id = :id",
        id=archive.validated_id,
    )


def test_draft_minutes_still_change_and_a_bare_friday_is_still_deleted(archive):
    assert row("meeting", archive.draft_id)["minutes_validated_at"] is None
    assert raw("UPDATE meeting SET summary = 'Brouillon.' WHERE id = :id", id=archive.draft_id) == 1
    seen = row("meeting", archive.draft_id)["summary_revision"]
    revision = minutes.write_summary(
        archive.camille, archive.draft_id, "Les vélos sont réparés.", seen
    )
    assert revision == seen + 1
    assert row("meeting", archive.draft_id)["summary"] == "Les vélos sont réparés."
    raw(
        "INSERT INTO meeting (scheduled_for, starts_at, ends_at, status, created_at, "
        "live_revision, agenda_revision, summary_revision) VALUES ('2031-01-03', '12:00:00', "
        "'14:00:00', 'preparing', '2026-12-07 12:00:00', 0, 0, 0)"
    )
    meetings = count("meeting")
    assert raw("DELETE FROM meeting WHERE scheduled_for = '2031-01-03'") == 1
    assert count("meeting") == meetings - 1


# -- erasure's pseudonymising update -----------------------------------------------------------


def test_the_pseudonymising_update_of_erasure_is_allowed(archive, make_member):
    camille, pseudonym = archive.camille.id, make_member(name="Membre effacé·e").id
    decision_before = row("decision", archive.garden_id)
    assert decision_before["decided_by_id"] == camille
    minutes_before = row("meeting", archive.validated_id)
    assert minutes_before["minutes_validated_by_id"] == camille
    camille_traces = count_where("actor_id", camille)
    assert camille_traces > 3
    raw("UPDATE decision SET decided_by_id = :p WHERE decided_by_id = :c", p=pseudonym, c=camille)
    raw("UPDATE trace SET actor_id = :p WHERE actor_id = :c", p=pseudonym, c=camille)
    raw(
        "UPDATE meeting SET minutes_validated_by_id = :p, summary_updated_by_id = :p "
        "WHERE minutes_validated_by_id = :c",
        p=pseudonym,
        c=camille,
    )
    # a person named inside a trace's data (its member keys), through the ORM
    trace = Trace(
        verb="action_added", subject_type="action", data={"owner_id": camille, "label_chars": 12}
    )
    db.session.add(trace)
    db.session.commit()
    trace = db.session.get(Trace, trace.id)
    trace.data = {"owner_id": pseudonym, "label_chars": 12}
    db.session.commit()

    assert row("decision", archive.garden_id) == {**decision_before, "decided_by_id": pseudonym}
    assert row("meeting", archive.validated_id) == {
        **minutes_before,
        "minutes_validated_by_id": pseudonym,
        "summary_updated_by_id": pseudonym,
    }
    assert count_where("actor_id", camille) == 0
    assert count_where("actor_id", pseudonym) == camille_traces
    db.session.rollback()
    assert db.session.get(Trace, trace.id).data == {"owner_id": pseudonym, "label_chars": 12}
    # …but only the person: the rest of the data stays as recorded
    trace = db.session.get(Trace, trace.id)
    trace.data = {"owner_id": pseudonym, "label_chars": 13}
    with pytest.raises(DBAPIError) as error:
        db.session.commit()
    assert message("trace") in str(error.value)
    db.session.rollback()
    assert db.session.get(Trace, trace.id).data["label_chars"] == 12
    assert db.session.get(Member, pseudonym) is not None


def count_where(column, value):
    db.session.rollback()
    with db.engine.connect() as conn:
        return conn.scalar(text(f"SELECT count(*) FROM trace WHERE {column} = :v"), {"v": value})


# -- the harness and the demo ------------------------------------------------------------------


def test_truncate_is_refused_on_postgresql(archive):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's (SQLite's DELETE without WHERE is refused above)")
    before = count("decision")
    refused("decision", "TRUNCATE decision CASCADE")
    refused("trace", "TRUNCATE trace")
    assert count("decision") == before


def test_the_demo_builds_then_the_archive_is_sealed_again(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert count("decision") > 0
    traces = count("trace")
    refused("decision", "DELETE FROM decision")
    refused("trace", "DELETE FROM trace")
    assert count("trace") == traces
    validated = db.session.scalar(
        select(Meeting.id).where(Meeting.minutes_validated_at.is_not(None)).limit(1)
    )
    if validated is not None:
        refused("minutes", "UPDATE meeting SET summary = 'x' WHERE id = :id", id=validated)
