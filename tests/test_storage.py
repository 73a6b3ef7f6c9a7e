"""Storage: migrations are the schema, SQLite is set up for concurrent use."""

import os
import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from meeting.extensions import db
from meeting.models import Member
from meeting.pipeline import change


def test_migrations_match_the_models(app):
    """The database built by the migrations has exactly the models' schema (no drift)."""
    from meeting.search.models import include_object

    with db.engine.connect() as conn:
        # Leaves out only the search index's engine-specific objects (FTS5 tables, the
        # tsvector column and its index), which exist in the database alone.
        context = MigrationContext.configure(conn, opts={"include_object": include_object})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_migrations_run_on_an_empty_database_and_check_clean(tmp_path, database_template):
    if database_template["kind"] != "sqlite":
        pytest.skip("the PostgreSQL database of this worker is migrated by the fixture itself")
    from flask_migrate import check, upgrade

    from meeting import create_app

    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "SECRET_KEY": "x",
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        }
    )
    with app.app_context():
        upgrade()
        check()  # raises when the models changed without a migration
        tables = set(db.inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert {"member", "invitation", "login_token", "trace", "alembic_version"} <= tables


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(app, database_template):
    if database_template["kind"] != "sqlite":
        pytest.skip("SQLite pragmas")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_postgresql_connections_wait_for_a_lock_no_longer_than_the_setting(app, database_template):
    """PostgreSQL waits for ever for another transaction's lock unless told: every connection
    of the app is told POSTGRESQL_LOCK_TIMEOUT_MS (past it, « réessayez », tests/test_faults.py)."""
    if database_template["kind"] != "postgresql":
        pytest.skip("PostgreSQL's lock_timeout")
    app.config["POSTGRESQL_LOCK_TIMEOUT_MS"] = 750
    db.engine.dispose()  # connections made from now on, with this setting
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "750ms"
        conn.rollback()
        # Still so after a transaction ends (a plain SET, not SET LOCAL).
        assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "750ms"


def test_foreign_keys_are_enforced(app):
    from sqlalchemy.exc import IntegrityError

    from meeting.models import Trace

    db.session.add(Trace(actor_id=9999, verb="x", subject_type="", data={}))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_concurrent_writers_after_reads_do_not_fail_on_lock_upgrade(app, make_member):
    """Two threads that read, then write through `change()`, both succeed (no SQLITE_BUSY)."""
    member_id = make_member(name="Avant").id
    errors, barrier = [], threading.Barrier(2, timeout=10)

    def writer(label):
        with app.app_context():
            try:
                db.session.get(Member, member_id).display_name  # noqa: B018 (a read transaction first)
                barrier.wait()
                for i in range(10):
                    with change() as c:
                        m = db.session.get(Member, member_id)
                        m.display_name = f"{label}-{i}"
                        c.trace(m, "profile_updated", m, renamed=True)
            except Exception as exc:  # noqa: BLE001  # pragma: no cover - the assertion below shows it
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    db.session.rollback()  # end this thread's older read snapshot
    count = db.session.execute(
        text("SELECT count(*) FROM trace WHERE actor_id = :id"), {"id": member_id}
    ).scalar()
    assert count == 20


def test_a_failed_change_leaves_no_trace_and_publishes_nothing(app, make_member, socket_for):
    member = make_member()
    before = db.session.execute(text("SELECT count(*) FROM trace")).scalar()
    with pytest.raises(RuntimeError), change() as c:
        m = db.session.get(Member, member.id)
        m.display_name = "Jamais"
        c.trace(m, "profile_updated", m, renamed=True)
        raise RuntimeError("boom")
    db.session.expire_all()
    assert db.session.get(Member, member.id).display_name != "Jamais"
    assert db.session.execute(text("SELECT count(*) FROM trace")).scalar() == before


def test_the_revisions_read_without_alembic_are_alembics(app):
    """A serving process reads the migrations' revisions from their files (meeting/ops/
    revisions.py, never importing Alembic): the same heads and revisions as Alembic's."""
    from alembic.script import ScriptDirectory

    from meeting.config import ROOT
    from meeting.ops import revisions

    script = ScriptDirectory(str(ROOT / "migrations"))
    assert revisions.heads(ROOT / "migrations") == frozenset(script.get_heads())
    known = revisions.revisions(ROOT / "migrations")
    assert set(known) == {r.revision for r in script.walk_revisions()}
    for revision in script.walk_revisions():
        down = revision.down_revision  # None, one id or a tuple of ids (a merge)
        expected = () if down is None else (down,) if isinstance(down, str) else tuple(down)
        assert set(known[revision.revision]) == set(expected)


def test_a_serving_process_imports_neither_alembic_nor_an_unused_driver(tmp_path):
    """What a process loads it keeps: a server on SQLite imports neither Alembic (migrations
    run in a process of their own) nor PostgreSQL's driver; `flask db` still has its commands."""
    from tests.conftest import run_python

    env = {
        **os.environ,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "x",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'v.sqlite3'}",
    }
    env.pop("TEST_DATABASE_URL", None)
    probe = (
        "import sys\n"
        "from meeting import create_app\n"
        "app = create_app()\n"
        "client = app.test_client()\n"
        "client.get('/connexion'); client.get('/healthz')\n"
        "print(sorted(m for m in ('alembic', 'flask_migrate', 'psycopg') if m in sys.modules))\n"
    )
    done = run_python("-c", probe, env=env)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stderr[-2000:]
    listed = run_python("-m", "flask", "--app", "wsgi", "db", "--help", env=env)
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert "upgrade" in listed.stdout and "downgrade" in listed.stdout
