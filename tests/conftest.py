"""Shared fixtures: a fresh app and database per test, factories, signed-in clients, sockets,
a real local SMTP server. Browser fixtures live in tests/browser/conftest.py.

The database is SQLite (a copy of a migrated template file per test) unless
`TEST_DATABASE_URL` names a PostgreSQL server: then each xdist worker gets its own database,
migrated once, and every table is emptied after each test.
"""

import contextvars
import os
import re
import shutil
import socket as socket_module
import threading
import time
from contextlib import contextmanager
from email import message_from_bytes, policy
from pathlib import Path

import psycopg
import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import event, make_url, text
from sqlalchemy.orm import Session

from meeting import create_app
from meeting.extensions import db, socketio
from meeting.realtime import NAMESPACE

TEST_PASSWORD = "motdepasse-de-test"


def _base_config(instance_path, database_uri):
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "INSTANCE_PATH": str(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_uri,
        # Hashing stays real (werkzeug), only cheaper than production's scrypt.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "MAIL_SERVER": "",
        "SOCKETIO_MESSAGE_QUEUE": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Tests sign one account in and out from many addresses (the per-address limits are
        # what they test); tests/test_limits.py puts the production value back.
        "SIGNIN_ACCOUNT_RATE_LIMIT": "1000 per 15 minutes",
        "SERVER_NAME": None,
    }


def _migrate(database_uri, instance_path):
    from flask_migrate import upgrade

    app = create_app(_base_config(instance_path, database_uri))
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _worker():
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def new_postgresql_database(url, name):
    """An empty PostgreSQL database `name` on the server of `url` (dropped first if it is
    there); its URI."""
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def drop_postgresql_database(url, name):
    """Drop the PostgreSQL database `name` on the server of `url`, connections and all."""
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Per worker: a migrated SQLite file to copy, or a migrated PostgreSQL database."""
    instance = tmp_path_factory.mktemp("instance-template")
    pg_url = os.environ.get("TEST_DATABASE_URL")
    if pg_url:
        url = make_url(pg_url).set(drivername="postgresql+psycopg")
        # Per worker and per run: two test runs on one server never share a database.
        name = f"{url.database}_{_worker()}_{os.getpid()}"
        uri = new_postgresql_database(url, name)
        _migrate(uri, instance)
        yield {"kind": "postgresql", "uri": uri}
        drop_postgresql_database(url, name)
    else:
        path = instance / "template.sqlite3"
        _migrate(f"sqlite:///{path}", instance)
        yield {"kind": "sqlite", "path": path}


@pytest.fixture
def database_uri(database_template, tmp_path):
    if database_template["kind"] == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(database_template["path"], path)
        yield f"sqlite:///{path}"
    else:
        yield database_template["uri"]


@pytest.fixture
def config_overrides():
    """Override in a test module to change settings for its app."""
    return {}


def isolated(fn, *args, **kwargs):
    """Run `fn` outside the test's app context, as a real request or socket event would be.

    Flask reuses an app context that is already pushed, so without this every request of every
    test client would share the test's `g` (Flask-Login's cached user, the CSRF token) and its
    database session.
    """
    return contextvars.Context().run(fn, *args, **kwargs)


def end_test_transaction():
    """End the test's read transaction so that it sees what requests committed."""
    if has_app_context():  # not inside a request's own (isolated) context
        db.session.rollback()


class IsolatedClient(FlaskClient):
    """A test client whose requests each run in their own contexts, like real ones."""

    def open(self, *args, **kwargs):
        end_test_transaction()
        try:
            return isolated(super().open, *args, **kwargs)
        finally:
            end_test_transaction()


TEST_THREAD_SESSION = "vendredi.test_thread"


@event.listens_for(Session, "after_commit")
def _test_thread_reads_again(session):
    """The test's own session (services called from the test body) forgets its rows at every
    commit, as before changes kept them: the test then reads what requests and sockets wrote
    (`db.session.rollback()` and a read). Requests and socket events keep their rows as in
    production (their sessions are their own)."""
    if session.info.get(TEST_THREAD_SESSION):
        session.expire_all()


@pytest.fixture
def app(database_uri, database_template, tmp_path, config_overrides):
    app = create_app({**_base_config(tmp_path / "instance", database_uri), **config_overrides})
    app.test_client_class = IsolatedClient
    ctx = app.app_context()
    ctx.push()
    db.session().info[TEST_THREAD_SESSION] = True
    yield app
    try:
        # Facts coalesced after the test's last change still read the database: let them go
        # before the pool is emptied.
        from meeting.realtime import wait_for_soon_facts

        wait_for_soon_facts()
        db.session.remove()
        if database_template["kind"] == "postgresql":
            _empty_postgresql_tables()
    finally:
        # Always: a failed teardown must not leak this app's pool (PostgreSQL has ~100 slots).
        db.engine.dispose()
        ctx.pop()


TRUNCATE_ATTEMPTS = 5


def _empty_postgresql_tables():
    """Empty every table of the worker's database (schema and migration version stay).

    A page's request can still be running in a live server's thread as the test ends (a
    browser's last socket event): it holds a table TRUNCATE needs while it waits for another
    that TRUNCATE has already taken, and PostgreSQL ends one of the two as a deadlock. When it
    ends the TRUNCATE, the request finishes and the TRUNCATE is tried again."""
    from sqlalchemy.exc import OperationalError

    for attempt in range(TRUNCATE_ATTEMPTS):
        try:
            _truncate_every_table()
            return
        except OperationalError as error:
            deadlock = isinstance(error.orig, psycopg.errors.DeadlockDetected)
            if not deadlock or attempt == TRUNCATE_ATTEMPTS - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def _truncate_every_table():
    from tests.servers import SERVER_APPLICATION_NAME

    with db.engine.begin() as conn:
        # A server killed in the middle of a query leaves its backend running until the query
        # ends (PostgreSQL notices a gone client only when it talks to it): ended here, or the
        # TRUNCATE below and that backend could deadlock.
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND application_name = :name"
            ),
            {"name": SERVER_APPLICATION_NAME},
        )
        # A connection still holding a lock (a leaked session) fails the test, never hangs it.
        conn.execute(text("SET LOCAL lock_timeout = '10s'"))
        # The append-only archive refuses TRUNCATE of its tables (migration 5b8c9d0e1f2a)
        # unless the connection says so: here, for this transaction only.
        conn.execute(text("SET LOCAL vendredi.archive_unsealed = 'on'"))
        tables = conn.scalars(
            text(
                "SELECT quote_ident(tablename) FROM pg_tables"
                " WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"
            )
        ).all()
        if tables:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@contextmanager
def archive_unsealed(defer_foreign_keys=False):
    """A connection in one transaction past the append-only archive's triggers (migration
    5b8c9d0e1f2a), sealed again after; on SQLite, foreign keys checked at the commit if asked."""
    with db.engine.connect() as conn:
        postgresql = conn.dialect.name == "postgresql"
        driver = conn.connection.driver_connection
        if not postgresql:  # outside any transaction, for this connection only
            driver.execute("ATTACH DATABASE ':memory:' AS vendredi_archive_unsealed")
        try:
            with conn.begin():
                if postgresql:
                    conn.execute(text("SET LOCAL vendredi.archive_unsealed = 'on'"))
                elif defer_foreign_keys:
                    conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
                yield conn
        finally:
            if not postgresql:
                driver.execute("DETACH DATABASE vendredi_archive_unsealed")


def rewrite_archive(sql, **params):
    """Run one raw statement past the append-only archive's triggers, for a test that arranges
    a past the app itself could not write (a closed Friday's decision due for review today)."""
    db.session.commit()
    with archive_unsealed() as conn:
        conn.execute(text(sql), params)


def advance_to(actor, meeting, title):
    """Advance the live `meeting` until its current point is `title`."""
    from meeting.live import services as agenda

    for _step in range(10):
        current = agenda.current_item(meeting.id)
        if current and current.title == title:
            return current
        db.session.refresh(meeting)
        agenda.advance(actor, meeting.id, meeting.live_revision)
    raise AssertionError(f"no point {title}")


# -- a world built once per worker, restored per test ------------------------------------------


# Tables the database's own triggers fill as the other rows go in (the search index).
BUILT_BY_TRIGGERS = frozenset({"search_document"})


def snapshot_rows():
    """Every row of every table the models declare, to put back into another test's (empty)
    database with `restore_rows`: a costly world (the permission matrix's) is built once per
    worker and restored, row for row with its ids, before each test that needs it."""
    db.session.commit()
    with db.engine.connect() as conn:
        return [
            (table, [dict(row) for row in conn.execute(table.select()).mappings()])
            for table in db.metadata.sorted_tables
            if table.name not in BUILT_BY_TRIGGERS
        ]


def restore_rows(snapshot):
    """Insert a `snapshot_rows` snapshot into this test's empty database. The search index is
    rebuilt by its own triggers as the rows go in. References to a row inserted later (a cycle,
    or a row of the same table) are written once every row is in."""
    db.session.remove()
    inserted = set()
    later = []  # (table, primary key values, {column: value}) to set once every row is in
    with db.engine.begin() as conn:
        for table, rows in snapshot:
            deferred = [
                column.name
                for column in table.columns
                if any(
                    fk.column.table.name not in inserted or fk.column.table is table
                    for fk in column.foreign_keys
                )
            ]
            inserted.add(table.name)
            if not rows:
                continue
            keys = [column.name for column in table.primary_key.columns]
            plain_rows = []
            for row in rows:
                waiting = {name: row[name] for name in deferred if row.get(name) is not None}
                if waiting:
                    later.append((table, {k: row[k] for k in keys}, waiting))
                plain_rows.append({**row, **dict.fromkeys(waiting)})
            conn.execute(table.insert(), plain_rows)
        for table, key, values in later:
            where = [table.c[name] == value for name, value in key.items()]
            conn.execute(table.update().where(*where).values(**values))
        if conn.dialect.name == "postgresql":
            for table, rows in snapshot:
                if rows and "id" in table.c and table.c.id.autoincrement is not False:
                    conn.execute(
                        text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :n)"),
                        {"t": table.name, "n": max(row["id"] for row in rows)},
                    )


# -- factories -----------------------------------------------------------------------------


@pytest.fixture
def make_member(app):
    """Factory: `make_member(role="facilitator", name="Camille")` creates an active member."""
    from meeting.members.services import hash_password
    from meeting.models import Member

    counter = {"n": 0}

    def make(role="member", name=None, email=None, password=TEST_PASSWORD, active=True):
        counter["n"] += 1
        n = counter["n"]
        member = Member(
            display_name=name or f"Membre {n}",
            email=email or f"membre{n}.{role}@le97.example",
            role=role,
            password_hash=hash_password(password),
        )
        if not active:
            from meeting.models.base import utcnow

            member.deactivated_at = utcnow()
        db.session.add(member)
        db.session.commit()
        return member

    return make


@pytest.fixture
def live_friday(app, make_member):
    """Factory: a Friday built as the console builds it, returned as a namespace.

    `live_friday(facilitator=None, topics=("Chauffage", "Jardin"), started=True, day=None,
    author=None, guests=())` ensures the Friday of `day` (the coming one by default); writes one
    topic per name in its document (a name, or a `(title, body)` pair; the body defaults to
    "À propos : <name>.") by `author` (a new member, "Théo", if none is given); puts them on the
    agenda after the check-in round; starts the meeting when `started`; and joins each name of
    `guests` at the door (POST /rejoindre). A facilitator ("Camille") is made only when one is
    needed and none is given.

    The namespace holds `meeting` (refreshed), `facilitator`, `author`, `entries`, `items` (the
    agenda, check-in first), `guests` ({name: HTTP client}) and `guest(name, http_client=None)`,
    which joins one more guest and returns its HTTP client.
    """
    from types import SimpleNamespace

    from meeting.live import services as agenda
    from meeting.meetings import dates
    from meeting.meetings import services as meetings
    from meeting.prep import services as prep

    def make(
        facilitator=None,
        topics=("Chauffage", "Jardin"),
        started=True,
        day=None,
        author=None,
        guests=(),
    ):
        meeting = meetings.ensure_meeting(day or dates.next_meeting_date())
        if facilitator is None and (topics or started):
            facilitator = make_member(role="facilitator", name="Camille")
        if topics and author is None:
            author = make_member(name="Théo")
        entries = []
        for topic in topics:
            title, body = topic if isinstance(topic, tuple) else (topic, f"À propos : {topic}.")
            entries.append(prep.add_entry(author, meeting.id, "topic", title, body))
        if entries:
            agenda.add_entries(facilitator, meeting.id, [e.id for e in entries])
        if started:
            agenda.start_live(facilitator, meeting.id)
        db.session.refresh(meeting)
        friday = SimpleNamespace(
            meeting=meeting,
            facilitator=facilitator,
            author=author,
            entries=entries,
            items=agenda.agenda_items(meeting.id),
            guests={},
        )

        def guest(name, http_client=None):
            """A phone at the door: the join form with the code on the screen."""
            http = http_client or app.test_client()
            code = friday.meeting.join_code
            response = post_form(http, "/rejoindre", {"code": code, "first_name": name})
            assert response.status_code == 302, response.get_data(as_text=True)[:300]
            friday.guests[name] = http
            return http

        friday.guest = guest
        for name in guests:
            guest(name)
        return friday

    return make


def csrf_token(client):
    """The CSRF token of the client's session, read from a page as a browser would."""
    page = client.get("/deconnexion", follow_redirects=True)
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


def post_form(client, url, data=None, **kw):
    """Post a form with the session's CSRF token, as the page's form would."""
    return client.post(url, data={"csrf_token": csrf_token(client), **(data or {})}, **kw)


def sign_in(client, member, password=TEST_PASSWORD, remember=False):
    data = {"email": member.email, "password": password}
    if remember:
        data["remember"] = "on"
    response = post_form(client, "/connexion", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def client_as(app, make_member):
    """Factory: `client_as("admin")` returns (client signed in as a new member of that role, member)."""

    def make(role="member", **kw):
        member = make_member(role=role, **kw)
        test_client = app.test_client()
        sign_in(test_client, member)
        return test_client, member

    return make


class LiveClient:
    """A Socket.IO test client on /live whose events run in their own contexts."""

    def __init__(self, app, http_client=None):
        end_test_transaction()
        self.sock = isolated(
            socketio.test_client, app, namespace=NAMESPACE, flask_test_client=http_client
        )

    @property
    def connected(self):
        return self.sock.is_connected(NAMESPACE)

    def command(self, name, data=None):
        """Send a command and return its ack."""
        end_test_transaction()
        try:
            return isolated(self.sock.emit, name, data, namespace=NAMESPACE, callback=True)
        finally:
            end_test_transaction()

    def send_raw(self, name, *args):
        end_test_transaction()
        return isolated(self.sock.emit, name, *args, namespace=NAMESPACE, callback=True)

    def facts(self, name=None):
        """The facts received since last asked (optionally only those called `name`)."""
        received = self.sock.get_received(NAMESPACE)
        return [r for r in received if name is None or r["name"] == name]

    def disconnect(self):
        if self.connected:
            isolated(self.sock.disconnect, namespace=NAMESPACE)


@pytest.fixture
def socket_for(app):
    """Factory: a Socket.IO test client on /live sharing an HTTP client's session."""
    made = []

    def make(http_client=None):
        live_client = LiveClient(app, http_client)
        made.append(live_client)
        return live_client

    yield make
    for live_client in made:
        live_client.disconnect()


# -- a real local SMTP server ----------------------------------------------------------------


def free_port():
    with socket_module.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """What the local SMTP server received, parsed."""

    def __init__(self):
        self.messages = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.arrived:
            self.messages.append(message)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count=1, timeout=5):
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)
        return self.messages

    @staticmethod
    def body(message):
        return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    mailbox.port = port
    yield mailbox
    controller.stop()


@pytest.fixture
def mail_config(smtp_server):
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_server.port,
        "MAIL_DEFAULT_SENDER": "vendredi@le97.example",
    }


ROOT = Path(__file__).resolve().parent.parent


def run_python(*args, env=None, timeout=120):
    """`python *args` from the repository's root in a process of its own (what a server or a
    command loads starts from nothing there), its output captured; never raises on failure."""
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env or os.environ,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
