"""The trace feed page and the demo data that fills it."""

import json
from datetime import timedelta

from sqlalchemy import func, select

from meeting.extensions import db
from meeting.members import services
from meeting.models import Member, Trace
from meeting.traces.services import PAGE_SIZE


def test_feed_lists_traces_newest_first_with_french_dates(client_as, make_member):
    client, member = client_as("member", name="Lucie")
    admin = make_member(role="admin", name="Claire")
    services.invite(admin)
    services.update_profile(member, "Lucie Faivre", member.email)
    page = client.get("/traces/").get_data(as_text=True)
    first = page.index("Lucie Faivre a changé de nom.")
    second = page.index("Claire a invité une nouvelle personne (coopérateur·rice).")
    assert first < second
    trace = db.session.scalar(select(Trace).order_by(Trace.id.desc()))
    assert f'<time datetime="{trace.created_at.replace(microsecond=0).isoformat()}Z">' in page
    assert " à " in page and "\u00a0h" in page  # "mercredi 25 novembre 2026 à 22 h 15"


def test_feed_filters_by_kind_and_person(client_as, make_member):
    client, member = client_as("member", name="Lucie")
    admin = make_member(role="admin", name="Claire")
    services.invite(admin)
    services.update_profile(member, "Lucie Faivre", member.email)
    by_kind = client.get("/traces/?type=member_invited").get_data(as_text=True)
    assert "Claire a invité" in by_kind and "Lucie Faivre a changé" not in by_kind
    by_person = client.get(f"/traces/?personne={member.id}").get_data(as_text=True)
    assert "Lucie Faivre a changé" in by_person and "Claire a invité" not in by_person
    assert f'data-person="{member.id}"' in by_person


def test_feed_refuses_unknown_filters_in_french(client_as):
    client, _member = client_as("member")
    response = client.get("/traces/?type=inconnu")
    assert response.status_code == 400
    assert "Ce type de trace n’existe pas." in response.get_data(as_text=True)
    response = client.get("/traces/?personne=abc")
    assert response.status_code == 400


def test_feed_pages_back_through_older_traces(client_as, make_member):
    client, _member = client_as("member")
    admin = make_member(role="admin", name="Claire")
    for _ in range(PAGE_SIZE + 5):
        services.invite(admin)
    page = client.get("/traces/").get_data(as_text=True)
    assert page.count('class="trace"') == PAGE_SIZE
    assert "Traces plus anciennes" in page
    oldest_shown = db.session.scalar(select(func.max(Trace.id))) - PAGE_SIZE + 1
    older = client.get(f"/traces/?avant={oldest_shown}").get_data(as_text=True)
    assert older.count('class="trace"') == 5


def test_demo_fills_an_empty_database_with_a_living_place(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "admin@le97.example / vendredi" in result.output
    # twelve people, and the place's own author of the outside proposal (never listed)
    members = db.session.scalars(select(Member).where(Member.is_system.is_(False))).all()
    assert len(members) == 12
    assert {m.role for m in members} == {"admin", "facilitator", "member"}
    assert services.authenticate("admin@le97.example", "vendredi").role == "admin"
    assert services.authenticate("camille@le97.example", "vendredi").role == "facilitator"
    traces = db.session.scalars(select(Trace).order_by(Trace.id)).all()
    assert len(traces) >= 20
    times = [t.created_at for t in traces]
    assert times == sorted(times) and (times[-1] - times[0]).days >= 14
    # Loaded only into an empty database.
    again = runner.invoke(args=["demo", "--if-empty"])
    assert again.exit_code == 0 and "déjà des données" in again.output
    assert db.session.scalar(select(func.count(Member.id))) == 13
    assert runner.invoke(args=["demo"]).exit_code != 0


# -- traces store ids and data; sentences are made when read ---------------------------------


def _live_friday(make_member):
    """A started Friday with a facilitator, a member and one decision (through the services)."""
    from meeting.decisions import services as decisions
    from meeting.live import services as agenda
    from meeting.meetings import dates
    from meeting.meetings import services as meetings
    from meeting.prep import services as prep

    camille = make_member(role="facilitator", name="Camille Martin")
    theo = make_member(name="Théo")
    meeting = meetings.ensure_meeting(dates.next_meeting_date())
    topic = prep.add_entry(theo, meeting.id, "topic", "Chauffage", "Le chauffage fait du bruit")
    agenda.prepare_agenda(camille, meeting.id)
    agenda.add_entries(camille, meeting.id, [topic.id])
    agenda.start_live(camille, meeting.id)
    db.session.refresh(meeting)
    agenda.advance(camille, meeting.id, meeting.live_revision)
    agenda.set_attendance(camille, meeting.id, theo.id, "present")
    agenda.assign_role(camille, meeting.id, "scribe", theo.id)
    guest = agenda.join_as_guest(meeting.join_code, "Ana")
    decisions.record_decision(camille, meeting.id, "On appelle un chauffagiste.", "consent")
    due = dates.today_in_place() + timedelta(days=3)
    decisions.add_action(camille, meeting.id, "Appeler le chauffagiste", theo.id, due.isoformat())
    return camille, theo, meeting, guest, due


def _trace(verb):
    return db.session.scalar(select(Trace).where(Trace.verb == verb).order_by(Trace.id.desc()))


def test_sentences_are_french_and_follow_the_readers_language(app, make_member):
    from flask_babel import force_locale

    from meeting.i18n import long_date
    from meeting.traces.sentences import sentence

    _camille, _theo, meeting, _guest, due = _live_friday(make_member)
    started = _trace("meeting_started")
    assert started.data == {"date": meeting.scheduled_for.isoformat()}
    day = long_date(meeting.scheduled_for)
    assert sentence(started) == f"Camille Martin a ouvert la réunion du {day}."
    assert sentence(_trace("entry_added")) == (
        "Théo a proposé un point à discuter\u00a0: «\u00a0Chauffage\u00a0»."
    )
    assert sentence(_trace("action_added")) == (
        f"Action\u00a0: Appeler le chauffagiste — Théo, pour le {long_date(due)}."
    )
    with force_locale("en"):
        day_en = long_date(meeting.scheduled_for)
        assert day_en.startswith("Friday, ")
        assert sentence(started) == f"Camille Martin opened the meeting of {day_en}."
        assert sentence(_trace("guest_joined")) == "Ana (guest) joined the meeting."
        assert "Chauffage" in sentence(_trace("decision_recorded"))
        assert "Décision" not in sentence(_trace("decision_recorded"))


def test_the_feed_page_is_in_english_for_an_english_reader(client_as):
    client, member = client_as("member", name="Lucie")
    services.update_profile(member, "Lucie Faivre", member.email)
    with client.session_transaction() as session:  # as the footer's language link does
        session["lang"] = "en"
    page = client.get("/traces/").get_data(as_text=True)
    assert "Lucie Faivre changed their name." in page
    assert "a changé de nom" not in page


def test_a_guest_joined_trace_shows_the_guests_first_name(app, make_member):
    from meeting.traces.sentences import sentence

    _camille, _theo, _meeting, guest, _due = _live_friday(make_member)
    trace = _trace("guest_joined")
    assert trace.actor_id is None and trace.data == {"attendance_id": guest.id}
    assert sentence(trace) == "Ana (invité·e) a rejoint la réunion."


def test_an_unknown_or_incomplete_trace_still_reads_as_a_sentence(app, make_member):
    from meeting.pipeline import change
    from meeting.traces.sentences import sentence

    member = make_member(name="Zoé")
    with change() as c:
        c.trace(member, "something_new", None)
        c.trace(member, "entry_added", None, kind="need")  # no title
    new, partial = db.session.scalars(select(Trace).order_by(Trace.id.desc()).limit(2)).all()[::-1]
    assert sentence(new) == "Zoé a laissé une trace (something_new)."
    assert sentence(partial) == "Zoé a laissé une trace (Ajouts au document)."


def test_the_feed_loads_the_people_of_all_its_traces_at_once(app, make_member):
    from sqlalchemy import event

    from meeting.traces.sentences import sentences_for

    _live_friday(make_member)
    traces = db.session.scalars(select(Trace)).all()
    db.session.expunge_all()  # no member left in the session: every name is read again
    statements = []

    def listener(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        texts = sentences_for(traces)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(texts) == len(traces) >= 10
    assert len(statements) <= 3, statements  # members, guests (and nothing per trace)


def test_pseudonymising_a_person_is_one_update(app, make_member):
    """After one UPDATE of the member row, every trace of that person says the new name and
    no stored trace or decision holds the old one."""
    from sqlalchemy import text

    from meeting.decisions.services import present_names
    from meeting.models import Decision
    from meeting.traces.sentences import sentences_for

    _camille, theo, _meeting, _guest, _due = _live_friday(make_member)
    services.change_role(make_member(role="admin", name="Claire"), theo.id, "facilitator")
    decision = db.session.scalar(select(Decision))
    assert sorted(present_names(decision)) == ["Ana", "Camille Martin", "Théo"]

    db.session.execute(
        text("UPDATE member SET display_name = :name WHERE id = :id"),
        {"name": "Personne 2", "id": theo.id},
    )
    db.session.commit()

    traces = db.session.scalars(select(Trace).order_by(Trace.id)).all()
    texts = sentences_for(traces)
    about_theo = [
        texts[t.id]
        for t in traces
        if theo.id in (t.actor_id, t.data.get("member_id"), t.data.get("owner_id"))
    ]
    assert len(about_theo) >= 5  # entry, attendance, role of the day, action, account role
    assert all("Personne 2" in s for s in about_theo), about_theo
    assert not any("Théo" in s for s in texts.values())
    assert "Claire a confié le rôle facilitateur·rice à Personne 2." in texts.values()
    assert sorted(present_names(decision)) == ["Ana", "Camille Martin", "Personne 2"]
    # Nothing stored still holds the old name (nor an e-mail address).
    with db.engine.connect() as conn:
        stored = [str(d) for d in conn.execute(text("SELECT data FROM trace")).scalars()]
        stored += [str(p) for p in conn.execute(text("SELECT present FROM decision")).scalars()]
    assert not any("Théo" in s or "Camille" in s or "@" in s for s in stored)


def test_the_migration_turns_old_sentences_into_data_and_present_names_into_ids(tmp_path):
    """A database with stored French sentences and decisions listing names, upgraded."""
    from datetime import date, datetime, time
    from types import SimpleNamespace

    import sqlalchemy as sa
    from flask_migrate import upgrade
    from sqlalchemy import inspect, text

    from meeting import create_app
    from meeting.i18n import french_spacing
    from meeting.models import Attendance, Decision
    from meeting.traces.sentences import sentences_for

    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "SECRET_KEY": "x",
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}",
        }
    )
    with app.app_context():
        upgrade(revision="7c1f0d2e9a41")
        # Rows of that time, written without today's models (they have columns added since).
        now = datetime(2026, 12, 1, 9)
        member_t = sa.table(
            "member",
            sa.column("id", sa.Integer),
            sa.column("display_name", sa.String),
            sa.column("email", sa.String),
            sa.column("role", sa.String),
            sa.column("created_at", sa.DateTime),
        )
        meeting_t = sa.table(
            "meeting",
            sa.column("id", sa.Integer),
            sa.column("scheduled_for", sa.Date),
            sa.column("starts_at", sa.Time),
            sa.column("ends_at", sa.Time),
            sa.column("status", sa.String),
            sa.column("created_at", sa.DateTime),
        )

        def insert(table, **values):
            return SimpleNamespace(
                id=db.session.execute(sa.insert(table).values(**values)).lastrowid
            )

        camille = insert(
            member_t,
            display_name="Camille",
            email="c@le97.example",
            role="facilitator",
            created_at=now,
        )
        theo = insert(
            member_t, display_name="Théo", email="t@le97.example", role="member", created_at=now
        )
        friday = insert(
            meeting_t,
            scheduled_for=date(2026, 12, 4),
            starts_at=time(12),
            ends_at=time(14),
            status="live",
            created_at=now,
        )
        entry_t = sa.table(
            "entry",
            *(
                sa.column(name, kind)
                for name, kind in (
                    ("id", sa.Integer),
                    ("meeting_id", sa.Integer),
                    ("kind", sa.String),
                    ("title", sa.String),
                    ("body", sa.Text),
                    ("author_id", sa.Integer),
                    ("revision", sa.Integer),
                    ("created_at", sa.DateTime),
                    ("updated_at", sa.DateTime),
                    ("updated_by_id", sa.Integer),
                    ("added_during_meeting", sa.Boolean),
                )
            ),
        )
        topic = insert(
            entry_t,
            meeting_id=friday.id,
            kind="topic",
            title="Chauffage",
            body="Bruit",
            author_id=theo.id,
            revision=1,
            created_at=now,
            updated_at=now,
            updated_by_id=theo.id,
            added_during_meeting=False,
        )
        present = Attendance(meeting_id=friday.id, member_id=camille.id, status="present")
        ana = Attendance(meeting_id=friday.id, guest_name="Ana", status="present")
        db.session.add_all([present, ana])
        db.session.flush()
        db.session.add(
            Decision(
                number=1,
                meeting_id=friday.id,
                statement="Oui.",
                mode="consent",
                present=["Camille", "Ana", "Inconnu·e"],
            )
        )
        db.session.commit()
        old = [  # verb, actor, subject type and id, data, the sentence stored then
            (
                "meeting_started",
                camille.id,
                "meeting",
                friday.id,
                {},
                "Camille a ouvert la réunion du vendredi 4 décembre 2026.",
            ),
            (
                "entry_added",
                theo.id,
                "entry",
                topic.id,
                {"kind": "topic"},
                "Théo a proposé un point à discuter : « Chauffage ».",
            ),
            (
                "entry_deleted",
                theo.id,
                "",
                None,
                {"kind": "need", "entry_id": 99},
                "Théo a retiré « Savon ? ».",
            ),
            (
                "attendance_set",
                camille.id,
                "meeting",
                friday.id,
                {},
                "Théo : excusé·e le vendredi 4 décembre 2026.",
            ),
            (
                "guest_joined",
                None,
                "meeting",
                friday.id,
                {},
                "Ana (invité·e) a rejoint la réunion.",
            ),
            ("profile_updated", theo.id, "member", theo.id, {}, "Théo s’appelle désormais Théo B."),
            (
                "role_changed",
                camille.id,
                "member",
                theo.id,
                {"role": "facilitator"},
                "Camille a confié le rôle facilitateur·rice à Théo.",
            ),
        ]
        for verb, actor_id, subject_type, subject_id, data, summary in old:
            db.session.execute(
                text(
                    "INSERT INTO trace (created_at, actor_id, meeting_id, verb, subject_type, "
                    "subject_id, summary, data) VALUES (CURRENT_TIMESTAMP, :actor, :meeting, :verb, "
                    ":stype, :sid, :summary, :data)"
                ),
                {
                    "actor": actor_id,
                    "meeting": friday.id,
                    "verb": verb,
                    "stype": subject_type,
                    "sid": subject_id,
                    "summary": french_spacing(summary),
                    "data": json.dumps(data),
                },
            )
        db.session.commit()

        upgrade()

        assert "summary" not in {c["name"] for c in inspect(db.engine).get_columns("trace")}
        traces = db.session.scalars(select(Trace).order_by(Trace.id)).all()
        texts = sentences_for(traces)
        assert [texts[t.id] for t in traces] == [
            french_spacing(s)
            for s in [
                "Camille a ouvert la réunion du vendredi 4 décembre 2026.",
                "Théo a proposé un point à discuter : « Chauffage ».",
                "Théo a retiré « Savon ? ».",
                "Théo : excusé·e le vendredi 4 décembre 2026.",
                "Ana (invité·e) a rejoint la réunion.",
                "Théo a changé de nom.",
                "Camille a confié le rôle facilitateur·rice à Théo.",
            ]
        ]
        assert traces[4].data == {"attendance_id": ana.id}
        assert db.session.scalar(select(Decision)).present == [present.id, ana.id]
        with db.engine.connect() as conn:
            stored = " ".join(
                str(d) for d in conn.execute(text("SELECT data FROM trace")).scalars()
            )
        assert "Théo" not in stored and "Camille" not in stored
        db.session.remove()
        db.engine.dispose()


def test_the_home_page_shows_the_latest_traces_as_sentences(client_as, make_member):
    client, member = client_as("member", name="Lucie")
    services.invite(make_member(role="admin", name="Claire"))
    services.update_profile(member, "Lucie Faivre", member.email)
    page = client.get("/").get_data(as_text=True)
    assert "Lucie Faivre a changé de nom." in page
    assert "Claire a invité une nouvelle personne (coopérateur·rice)." in page
