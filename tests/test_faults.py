"""Faults that say what to do (issue 14, item 5): a lock held past the wait, a full disk, a
database restarting are answered « réessayez » at every door — a `busy` ack with
`retry_after` on the socket, 503 with `Retry-After` over HTTP — with nothing half-written, and
the connection (and the server) goes on serving. The lock, the full disk and the ended
PostgreSQL backend are real: another connection holds the lock, SQLite's page limit makes the
next write fail with SQLITE_FULL, `pg_terminate_backend` ends the command's backend.
"""

import logging
import sqlite3
import threading
import time
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import event, func, make_url, select

from meeting import create_app
from meeting.api import tokens
from meeting.extensions import db
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.models import ClientOperation, Entry, Trace
from meeting.prep import services as prep
from tests.conftest import _base_config, csrf_token, free_port

LOCK_WAIT_MS = 200  # the test app's wait for a lock (production: 10 s)
DEADLINE_SECONDS = 30  # how long a test waits for a backend to block, never a measure


@pytest.fixture
def config_overrides():
    """A short wait for a lock: SQLite's busy timeout, PostgreSQL's `lock_timeout` (the app's
    own settings)."""
    return {"SQLITE_BUSY_TIMEOUT_MS": LOCK_WAIT_MS, "POSTGRESQL_LOCK_TIMEOUT_MS": LOCK_WAIT_MS}


def plain(text):
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def counts():
    """What a refused command must leave as it was: entries, traces, operation ids."""
    db.session.rollback()
    return tuple(
        db.session.scalar(select(func.count(model.id))) for model in (Entry, Trace, ClientOperation)
    )


def entries_with(body):
    db.session.rollback()
    return db.session.scalar(select(func.count(Entry.id)).where(Entry.body == body))


def _postgresql_dsn(database_uri):
    return make_url(database_uri).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def lock_held(database_uri):
    """Another program holds the write lock for as long as the block runs (a stuck script, a
    long import): SQLite's database-wide write lock, or PostgreSQL's lock on the entries."""
    url = make_url(database_uri)
    if url.get_backend_name() == "sqlite":
        holder = sqlite3.connect(url.database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield holder
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    else:
        with psycopg.connect(_postgresql_dsn(database_uri)) as holder:
            holder.execute("LOCK TABLE entry IN EXCLUSIVE MODE")  # reads go on, writes wait
            try:
                yield holder
            finally:
                holder.rollback()


def topic(meeting_id, body, op_id):
    return {
        "meeting_id": meeting_id,
        "kind": "topic",
        "title": "Le four",
        "body": body,
        "op_id": op_id,
    }


def fault_lines(caplog):
    return [r for r in caplog.records if r.name == "meeting.faults"]


# -- a lock held past the wait ------------------------------------------------------------------


def test_a_socket_command_past_the_lock_wait_says_try_again_and_the_connection_goes_on(
    app, client_as, socket_for, database_uri, caplog
):
    client, _ines = client_as("member", name="Inès")
    friday = meetings.ensure_meeting(dates.next_meeting_date())
    sock = socket_for(client)
    body = "Le four à pain chauffe mal depuis mardi."
    before = counts()

    with caplog.at_level(logging.WARNING), lock_held(database_uri):
        ack = sock.command("add_entry", topic(friday.id, body, "op-four-0001"))
        # Meanwhile the same connection still reads (the document joined, as a page does).
        joined = sock.command("join_document", {"meeting_id": friday.id})

    assert ack["ok"] is False and ack["error"] == "busy"
    assert plain(ack["message"]) == (
        "La base de données est occupée : rien n’a été enregistré. Réessayez dans un instant."
    )
    assert ack["retry_after"] == 2
    assert joined["ok"] is True
    assert counts() == before  # no entry, no trace, no operation id: nothing half-written
    # Logged once, as a warning without a traceback, and without what the person wrote.
    lines = fault_lines(caplog)
    assert len(lines) == 1
    assert lines[0].levelno == logging.WARNING and lines[0].exc_info is None
    assert "busy" in lines[0].getMessage() and body not in lines[0].getMessage()

    # The lock gone, the same command on the same connection is stored, once.
    again = sock.command("add_entry", topic(friday.id, body, "op-four-0001"))
    assert again["ok"] is True, again
    assert entries_with(body) == 1
    assert sock.command("add_entry", topic(friday.id, body, "op-four-0001"))["ok"] is True
    assert entries_with(body) == 1  # a resend after the ack applies once


def test_a_form_post_past_the_lock_wait_answers_503_with_retry_after_and_keeps_the_text(
    app, client_as, database_uri
):
    client, _ines = client_as("member", name="Inès")
    day = dates.next_meeting_date()
    meetings.ensure_meeting(day)
    body = "Qui garde la clé du local à vélos cet été ?"
    form = {"kind": "topic", "title": "Clé", "body": body, "op_id": "op-form-cle-01"}
    form["csrf_token"] = csrf_token(client)
    url = f"/vendredi/{day.isoformat()}/entrees"
    before = counts()

    with lock_held(database_uri):
        refused = client.post(url, data=form)

    page = plain(refused.get_data(as_text=True))
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "2"
    assert "La base de données est occupée : rien n’a été enregistré." in page
    assert "Réessayez dans un instant." in page
    assert body in page  # given back in the form, to send again
    assert "Traceback" not in page and "database is locked" not in page
    assert "OperationalError" not in page and "lock timeout" not in page
    assert counts() == before

    sent = client.post(url, data=form)
    assert sent.status_code == 302
    assert entries_with(body) == 1


def test_a_page_whose_form_says_no_in_an_error_page_answers_503_too(app, client_as, database_uri):
    """A post whose view does not show refusals beside its form (removing an entry) gets the
    error page: 503, `Retry-After`, the French message, and the entry is still there."""
    client, ines = client_as("member", name="Inès")
    day = dates.next_meeting_date()
    friday = meetings.ensure_meeting(day)
    entry = prep.add_entry(ines, friday.id, "topic", "Compost", "Le bac est plein.")
    token = csrf_token(client)

    with lock_held(database_uri):
        refused = client.post(
            f"/vendredi/{day.isoformat()}/entrees/{entry.id}/supprimer",
            data={"csrf_token": token},
        )

    page = plain(refused.get_data(as_text=True))
    assert refused.status_code == 503 and refused.mimetype == "text/html"
    assert refused.headers["Retry-After"] == "2"
    assert "Désolé" in page and "Réessayez dans un instant." in page
    assert "Traceback" not in page
    assert entries_with("Le bac est plein.") == 1

    # A script asking for JSON reads the same code as the socket and the API: `busy`.
    with lock_held(database_uri):
        refused = client.post(
            f"/vendredi/{day.isoformat()}/entrees/{entry.id}/supprimer",
            data={"csrf_token": token},
            headers={"Accept": "application/json"},
        )
    body = refused.get_json()
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "2"
    assert body["error"] == "busy" and body["retry_after"] == 2 and not body["ok"]
    assert "Réessayez" in body["message"]
    assert entries_with("Le bac est plein.") == 1


def test_an_api_command_past_the_lock_wait_answers_503_with_retry_after(
    app, make_member, database_uri
):
    theo = make_member(name="Théo")
    friday = meetings.ensure_meeting(dates.next_meeting_date())
    _row, token = tokens.create_token(theo, "Script de test")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # its use noted
    body = "Réparer la chasse d’eau du premier."
    before = counts()

    with lock_held(database_uri):
        refused = client.post(
            "/api/v1/commands/add_entry",
            json=topic(friday.id, body, "op-api-chasse-1"),
            headers=headers,
        )

    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "2"
    answer = refused.get_json()
    assert answer["ok"] is False and answer["error"] == "busy" and answer["retry_after"] == 2
    assert plain(answer["message"]).endswith("Réessayez dans un instant.")
    assert counts() == before

    sent = client.post(
        "/api/v1/commands/add_entry",
        json=topic(friday.id, body, "op-api-chasse-1"),
        headers=headers,
    )
    assert sent.status_code == 200 and sent.get_json()["ok"] is True
    assert entries_with(body) == 1


# -- a full disk --------------------------------------------------------------------------------


@contextmanager
def disk_full(database_uri):
    """The database's file cannot grow by one page (SQLite's `max_page_count`, on every
    connection of the app): the next write that needs room fails with SQLITE_FULL."""
    db.session.remove()
    db.engine.dispose()
    # No free page left inside the file to reuse: the next write must grow it.
    vacuum = sqlite3.connect(make_url(database_uri).database, isolation_level=None)
    vacuum.execute("VACUUM")
    vacuum.close()

    def cap(dbapi_connection, _record):
        (pages,) = dbapi_connection.execute("PRAGMA page_count").fetchone()
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    event.listen(db.engine, "connect", cap)
    try:
        yield
    finally:
        event.remove(db.engine, "connect", cap)
        db.session.remove()
        db.engine.dispose()


def test_a_full_disk_says_try_again_later_and_nothing_is_half_written(
    app, client_as, socket_for, database_template, database_uri
):
    if database_template["kind"] != "sqlite":
        pytest.skip("a full disk made with SQLite's page limit")
    client, _ines = client_as("member", name="Inès")
    friday_id = meetings.ensure_meeting(dates.next_meeting_date()).id
    sock = socket_for(client)
    body = " ".join(["Compte rendu de l’assemblée du printemps."] * 300)  # needs new pages
    before = counts()

    with disk_full(database_uri):
        ack = sock.command("add_entry", topic(friday_id, body, "op-plein-00001"))
        joined = sock.command("join_document", {"meeting_id": friday_id})  # reads go on

    assert ack["ok"] is False and ack["error"] == "busy"
    assert plain(ack["message"]) == (
        "Le serveur n’a plus de place pour enregistrer : rien n’a été enregistré. "
        "Réessayez un peu plus tard."
    )
    assert ack["retry_after"] == 30
    assert joined["ok"] is True
    assert counts() == before

    again = sock.command("add_entry", topic(friday_id, body, "op-plein-00001"))
    assert again["ok"] is True, again
    assert entries_with(body) == 1


# -- a database restarting ----------------------------------------------------------------------


class TestPostgreSQLRestart:
    @pytest.fixture
    def config_overrides(self):
        """No lock timeout: the command waits on the lock until its backend is ended."""
        return {}

    def test_a_backend_ended_mid_command_says_try_again_and_the_next_command_is_stored(
        self, app, client_as, socket_for, database_template, database_uri
    ):
        if database_template["kind"] != "postgresql":
            pytest.skip("pg_terminate_backend is PostgreSQL's")
        client, _ines = client_as("member", name="Inès")
        friday = meetings.ensure_meeting(dates.next_meeting_date())
        sock = socket_for(client)
        body = "Le chauffe-eau fuit encore."
        command = topic(friday.id, body, "op-chauffe-eau")
        before = counts()
        answers = []

        with (
            lock_held(database_uri),
            psycopg.connect(_postgresql_dsn(database_uri), autocommit=True) as admin,
        ):
            sender = threading.Thread(
                target=lambda: answers.append(sock.command("add_entry", command))
            )
            sender.start()
            pid = _backend_waiting_on_a_lock(admin)
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            sender.join(DEADLINE_SECONDS)
        assert not sender.is_alive()

        (ack,) = answers
        assert ack["ok"] is False and ack["error"] == "busy", ack
        assert plain(ack["message"]) == (
            "La base de données ne répond pas pour le moment : rien n’a été enregistré. "
            "Réessayez dans un instant."
        )
        assert ack["retry_after"] == 5
        assert counts() == before

        again = sock.command("add_entry", command)
        assert again["ok"] is True, again
        assert entries_with(body) == 1


def _backend_waiting_on_a_lock(admin):
    """The pid of this database's backend that waits on a lock (the command sent)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        pid = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        ).fetchone()
        if pid is not None:
            return pid[0]
        time.sleep(0.02)
    pytest.fail("the command never waited on the lock")


def test_a_database_that_does_not_answer_gives_pages_and_the_api_503_with_retry_after(tmp_path):
    """PostgreSQL restarting (nothing listens on its port): a page and the API say so in
    French, 503 with `Retry-After`, no traceback."""
    nowhere = f"postgresql+psycopg://vendredi:secret-de-test@127.0.0.1:{free_port()}/vendredi"
    app = create_app(
        {
            **_base_config(tmp_path / "instance", nowhere),
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 5}},
        }
    )
    try:
        client = app.test_client()
        page = client.get("/")
        text = plain(page.get_data(as_text=True))
        assert page.status_code == 503 and page.mimetype == "text/html"
        assert page.headers["Retry-After"] == "5"
        assert "La base de données ne répond pas pour le moment" in text
        assert "Traceback" not in text and "secret-de-test" not in text
        assert "OperationalError" not in text and "127.0.0.1" not in text

        api = client.get("/api/v1/events")
        assert api.status_code == 503 and api.headers["Retry-After"] == "5"
        assert api.get_json()["error"] == "busy" and api.get_json()["retry_after"] == 5
    finally:
        with app.app_context():
            db.engine.dispose()


# -- anything else keeps its own path -------------------------------------------------------------


def test_a_command_that_fails_unexpectedly_answers_an_error_and_the_server_goes_on(
    app, client_as, socket_for, monkeypatch
):
    client, _ines = client_as("member", name="Inès")
    other, _theo = client_as("member", name="Théo")
    friday = meetings.ensure_meeting(dates.next_meeting_date())
    sock, other_sock = socket_for(client), socket_for(other)
    before = counts()

    def a_bug(*_args, **_kwargs):
        raise RuntimeError("un bogue du service")

    monkeypatch.setattr(prep, "add_entry", a_bug)
    ack = sock.command("add_entry", topic(friday.id, "Un texte", "op-bogue-00001"))
    assert ack["ok"] is False and ack["error"] == "server_error"
    assert plain(ack["message"]) == "Une erreur inattendue est survenue. Rien n’a été enregistré."
    assert "retry_after" not in ack
    assert counts() == before
    # The same connection and the others go on.
    assert sock.command("join_document", {"meeting_id": friday.id})["ok"] is True
    assert other_sock.command("join_document", {"meeting_id": friday.id})["ok"] is True
