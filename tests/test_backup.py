"""Backups and restore (`flask --app wsgi backup`, `flask --app wsgi restore PATH`, and one
backup as a Friday goes live), on the database the suite runs on: SQLite, or PostgreSQL when
TEST_DATABASE_URL is set (then pg_dump and pg_restore really run; without them the tests skip,
and fail under CI=true).

A backup taken while a member keeps writing restores, into a fresh database, exactly the state
after one of those writes, and no earlier than the writes committed before it began.
"""

import json
import os
import stat
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from meeting import create_app
from meeting.config import from_environment
from meeting.extensions import db
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.models import Member
from meeting.ops import backup
from meeting.prep import services as prep
from tests.conftest import (
    drop_postgresql_database,
    new_postgresql_database,
    post_form,
    sign_in,
)

# -- helpers ----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def client_programs(database_template):
    """On PostgreSQL, pg_dump and pg_restore are needed: skip without them, fail under CI."""
    if database_template["kind"] != "postgresql":
        return
    try:
        backup.find_program("pg_dump")
        backup.find_program("pg_restore")
    except backup.BackupError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{error} : obligatoire sous CI=true", pytrace=False)
        pytest.skip(str(error))


def cli(app, *args, input=None):
    """Run `flask --app wsgi ARGS…` against `app` (its own app context, as the command has)."""
    db.session.rollback()
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args), input=input, catch_exceptions=False)


def listed_tables(conn):
    if conn.dialect.name == "sqlite":
        return conn.scalars(
            text(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite~_%' ESCAPE '~'"
                " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'"
            )
        ).all()
    return conn.scalars(
        text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    ).all()


def table_rows(uri):
    """{table: sorted rows} of every table of the database at `uri`, in one read transaction."""
    engine = create_engine(uri, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
            return {
                name: sorted(
                    repr(tuple(row)) for row in conn.execute(text(f'SELECT * FROM "{name}"'))
                )
                for name in sorted(listed_tables(conn))
            }
    finally:
        engine.dispose()


def backup_path(result):
    """The directory the `backup` command said it wrote."""
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("Sauvegarde"))
    return Path(line.split(" dans ", 1)[1].rsplit(" (", 1)[0])


@contextmanager
def fresh_database(database_template, tmp_path, secret_key="une-autre-clé"):
    """An app on a new, empty database (SQLite: a file not made yet; PostgreSQL: a new
    database), as a server rebuilt after a loss would be; yields (app, uri)."""
    if database_template["kind"] == "sqlite":
        uri = f"sqlite:///{tmp_path / 'rebuilt' / 'vendredi.sqlite3'}"
        name = None
    else:
        url = make_url(database_template["uri"])
        name = f"{url.database}_restored"
        uri = new_postgresql_database(url, name)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": secret_key,
            "INSTANCE_PATH": str(tmp_path / "rebuilt-instance"),
            "SQLALCHEMY_DATABASE_URI": uri,
            "SOCKETIO_MESSAGE_QUEUE": None,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    try:
        yield app, uri
    finally:
        with app.app_context():
            db.engine.dispose()
        if name:
            drop_postgresql_database(make_url(database_template["uri"]), name)


def restored_rows(path, database_template, tmp_path):
    """Restore the backup at `path` into a fresh database; (its rows, the command's output)."""
    with fresh_database(database_template, tmp_path) as (rebuilt, uri):
        result = cli(rebuilt, "restore", str(path), "--yes")
        assert result.exit_code == 0, result.output
        return table_rows(uri), result.output


def subject_tables():
    """{trace subject type: table} for every mapped model (`entry` → `entry`…)."""
    return {
        mapper.class_.__name__.lower(): mapper.local_table.name
        for mapper in db.Model.registry.mappers
        if mapper.local_table is not None
    }


def write_entries(app, meeting_id, author_id, uri, states, stop, errors):
    """A member writing billets one after another through the service; after each commit,
    the whole database is read into `states` (only this thread writes: it is that state)."""
    try:
        with app.app_context():
            author = db.session.get(Member, author_id)
            n = 0
            while not stop.is_set() and n < 200:
                n += 1
                prep.add_entry(
                    author, meeting_id, "topic", f"Sujet {n}", f"Pendant la sauvegarde {n}."
                )
                states.append(table_rows(uri))
            db.session.remove()
    except Exception as error:  # noqa: BLE001 (reported by the test)
        errors.append(error)


# -- a backup while the app writes ------------------------------------------------------------


def test_a_backup_taken_while_a_member_writes_restores_one_whole_moment(
    app, database_uri, database_template, make_member, tmp_path
):
    author = make_member(name="Inès")
    meeting = meetings.ensure_meeting(dates.next_meeting_date())
    states = [table_rows(database_uri)]
    stop, errors = threading.Event(), []
    writer = threading.Thread(
        target=write_entries,
        args=(app, meeting.id, author.id, database_uri, states, stop, errors),
    )
    writer.start()
    try:
        while len(states) < 4 and writer.is_alive():
            threading.Event().wait(0.01)
        committed_before = len(states) - 1  # writes whose state was read: all committed
        result = cli(app, "backup")
        at_end = len(states)
        while len(states) < at_end + 3 and writer.is_alive():  # the member goes on writing
            threading.Event().wait(0.01)
    finally:
        stop.set()
        writer.join(60)
    assert not errors, errors
    path = backup_path(result)

    restored, output = restored_rows(path, database_template, tmp_path)

    # Exactly the database after one of the member's writes, and not before those committed
    # when the backup began: every table, row by row.
    matches = [k for k, state in enumerate(states) if state == restored]
    assert matches, "the restored database is no state the app ever had"
    assert matches[0] >= committed_before, (matches, committed_before)
    assert len(states) > matches[0] + 1, "the member kept writing after the backup"
    written = len(restored["entry"]) - len(states[0]["entry"])
    assert written == matches[0] >= 3
    # No half-written change: every trace's subject is there.
    tables = subject_tables()
    with fresh_database(database_template, tmp_path / "check") as (rebuilt, uri):
        assert cli(rebuilt, "restore", str(path), "--yes").exit_code == 0
        engine = create_engine(uri, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                traces = conn.execute(
                    text("SELECT verb, subject_type, subject_id FROM trace")
                ).all()
                assert sum(verb == "entry_added" for verb, _t, _i in traces) == written
                for verb, subject_type, subject_id in traces:
                    if subject_type in tables and subject_id is not None:
                        found = conn.execute(
                            text(f'SELECT 1 FROM "{tables[subject_type]}" WHERE id = :id'),
                            {"id": subject_id},
                        ).first()
                        assert found, (verb, subject_type, subject_id)
        finally:
            engine.dispose()
    # What to do next, in French: start the service; the saved key differs from this one.
    assert "Redémarrez le service" in output
    assert "clé des sessions de la sauvegarde" in output
    assert str(path / "secret_key") in output


def test_a_backup_holds_its_manifest_the_key_and_the_settings_all_private(
    app, database_template, make_member, tmp_path, monkeypatch
):
    monkeypatch.setenv("MAIL_DEFAULT_SENDER", "vendredi@le97.example")
    make_member(name="Hélène")
    result = cli(app, "backup")
    path = backup_path(result)
    assert path.parent == Path(app.instance_path) / "backups"
    assert path.name.startswith("vendredi-20")
    assert result.output.rstrip().endswith(("ko).", "Mo).")), result.output

    manifest = json.loads((path / "manifest.json").read_text())
    copy = path / manifest["file"]
    assert manifest["database"] == database_template["kind"]
    assert manifest["sha256"] == backup.sha256_of(copy)
    assert manifest["size"] == copy.stat().st_size
    assert manifest["migration"] == manifest["code_heads"][0] == backup.code_heads(app)[0]
    assert manifest["trigger"] == "command"
    assert manifest["created_at_local"][19:] in ("+01:00", "+02:00")  # Europe/Paris
    if database_template["kind"] == "postgresql":
        assert copy.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    # The counts are those of the copy.
    rows, _output = restored_rows(path, database_template, tmp_path)
    assert manifest["tables"] == {name: len(found) for name, found in rows.items()}
    assert manifest["tables"]["member"] == 1

    assert (path / "secret_key").read_text().strip() == app.config["SECRET_KEY"]
    settings = (path / "settings.env").read_text()
    assert "MAIL_DEFAULT_SENDER=vendredi@le97.example" in settings
    assert "\nPATH=" not in settings
    for directory in (path.parent, path):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory
    for name in ("manifest.json", "secret_key", "settings.env", manifest["file"]):
        assert stat.S_IMODE((path / name).stat().st_mode) == 0o600, name
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".partial-")]


def test_only_the_last_backup_keep_backups_are_kept(app):
    app.config["BACKUP_KEEP"] = 3
    made, outputs = [], []
    for _n in range(5):
        result = cli(app, "backup")
        made.append(backup_path(result))
        outputs.append(result.output)
    kept = backup.backups_in(Path(app.instance_path) / "backups")
    assert kept == made[-3:]
    assert not made[0].exists() and not made[1].exists()
    assert "supprimée" not in outputs[2]
    assert "1 sauvegarde plus ancienne supprimée (BACKUP_KEEP=3)." in outputs[3]


# -- restore refuses --------------------------------------------------------------------------


@pytest.fixture
def backup_then_one_more_entry(app, make_member):
    """A backup, then a billet written after it: a restore that ran would remove the billet."""
    author = make_member(name="Yves")
    meeting = meetings.ensure_meeting(dates.next_meeting_date())
    path = backup_path(cli(app, "backup"))
    entry = prep.add_entry(author, meeting.id, "topic", "Après la sauvegarde", "Toujours là.")
    return path, entry.id


def entry_still_there(entry_id):
    db.session.rollback()
    return db.session.execute(text("SELECT 1 FROM entry WHERE id = :id"), {"id": entry_id}).first()


def test_restore_refuses_a_copy_that_does_not_match_its_checksum(app, backup_then_one_more_entry):
    path, entry_id = backup_then_one_more_entry
    copy = path / json.loads((path / "manifest.json").read_text())["file"]
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    result = cli(app, "restore", str(path), "--yes")
    assert result.exit_code == 2
    assert "ne correspond pas à son empreinte" in result.output
    assert "Restauration refusée" in result.output
    assert entry_still_there(entry_id)


def test_restore_refuses_a_backup_of_newer_code(app, backup_then_one_more_entry):
    path, entry_id = backup_then_one_more_entry
    manifest_path = path / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["migration"] = "ffffffffffff"
    manifest_path.write_text(json.dumps(manifest))
    result = cli(app, "restore", str(path), "--yes")
    assert result.exit_code == 2
    assert "version plus récente de Vendredi" in result.output
    assert "ffffffffffff" in result.output
    assert entry_still_there(entry_id)


def test_restore_refuses_a_missing_path_in_french(app, tmp_path):
    result = cli(app, "restore", str(tmp_path / "nulle-part"), "--yes")
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"Aucune sauvegarde à {tmp_path / 'nulle-part'}\u00a0: ce chemin n’existe pas."
    )


def test_restore_asks_first_and_a_no_changes_nothing(app, backup_then_one_more_entry):
    path, entry_id = backup_then_one_more_entry
    result = cli(app, "restore", str(path), input="n\n")
    assert result.exit_code == 1
    assert "Arrêtez d’abord le service" in result.output
    assert "par cette sauvegarde\u202f? [o/N]" in result.output
    assert "Restauration annulée" in result.output
    assert entry_still_there(entry_id)


def test_restore_after_a_yes_puts_the_backup_back(
    app, database_template, backup_then_one_more_entry, tmp_path
):
    """Into the same database again: the billet written after the backup is gone."""
    path, entry_id = backup_then_one_more_entry
    if database_template["kind"] == "sqlite":
        db.session.remove()
        db.engine.dispose()  # the service is stopped: nobody holds the old file
    result = cli(app, "restore", str(path), input="oui\n")
    assert result.exit_code == 0, result.output
    assert "restaurée" in result.output
    assert "clé des sessions" not in result.output  # the same key as the running app
    assert not entry_still_there(entry_id)
    if database_template["kind"] == "sqlite":
        target = Path(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)
        assert not Path(f"{target}-wal").exists() or Path(f"{target}-wal").stat().st_size == 0
        assert not list(target.parent.glob("*.restore-*"))


# -- when a Friday goes live -------------------------------------------------------------------


def start_by_form(app, live_friday, make_member):
    friday = live_friday(facilitator=make_member(role="facilitator", name="Camille"), started=False)
    facilitator = app.test_client()
    sign_in(facilitator, friday.facilitator)
    day = friday.meeting.scheduled_for.isoformat()
    response = post_form(facilitator, f"/vendredi/{day}/commencer")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert response.headers["Location"].endswith(f"/vendredi/{day}/animation")
    return friday


def test_starting_a_friday_makes_a_backup_of_it_live(
    app, live_friday, make_member, database_template, tmp_path
):
    app.config["BACKUP_ON_START"] = True
    friday = start_by_form(app, live_friday, make_member)
    assert backup.wait_for_background(120)
    made = backup.backups_in(Path(app.instance_path) / "backups")
    assert len(made) == 1
    manifest = backup.read_manifest(made[0])
    assert manifest["trigger"] == "meeting_start"
    rows, _output = restored_rows(made[0], database_template, tmp_path)
    with fresh_database(database_template, tmp_path / "again") as (rebuilt, uri):
        cli(rebuilt, "restore", str(made[0]), "--yes")
        engine = create_engine(uri, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                status = conn.scalar(
                    text("SELECT status FROM meeting WHERE id = :id"), {"id": friday.meeting.id}
                )
                started = conn.scalar(
                    text("SELECT count(*) FROM trace WHERE verb = 'meeting_started'")
                )
        finally:
            engine.dispose()
    assert (status, started) == ("live", 1)  # the copy is taken after the start committed
    assert manifest["tables"]["trace"] == len(rows["trace"])


def test_a_failed_backup_at_the_start_is_logged_and_the_friday_is_live(
    app, live_friday, make_member, tmp_path, caplog
):
    in_the_way = tmp_path / "not-a-directory"
    in_the_way.write_text("")
    app.config.update(BACKUP_ON_START=True, BACKUP_DIR=str(in_the_way))
    friday = start_by_form(app, live_friday, make_member)
    assert backup.wait_for_background(120)
    db.session.refresh(friday.meeting)
    assert friday.meeting.status == "live"
    assert "backup at the start of the meeting failed" in caplog.text


def test_no_backup_at_the_start_when_backup_on_start_is_off(app, live_friday, make_member):
    app.config["BACKUP_ON_START"] = False
    start_by_form(app, live_friday, make_member)
    assert backup.wait_for_background(120)
    assert backup.backups_in(Path(app.instance_path) / "backups") == []


# -- settings ---------------------------------------------------------------------------------


def test_backup_settings_default_to_the_instance_and_fourteen(tmp_path, monkeypatch):
    for name in ("BACKUP_DIR", "BACKUP_KEEP", "BACKUP_ON_START"):
        monkeypatch.delenv(name, raising=False)
    config = from_environment(tmp_path)
    assert config["BACKUP_DIR"] == str(tmp_path / "backups")
    assert config["BACKUP_KEEP"] == 14
    assert config["BACKUP_ON_START"] is None  # on when BACKUP_DIR is writable
    monkeypatch.setenv("BACKUP_DIR", str(tmp_path / "ailleurs"))
    monkeypatch.setenv("BACKUP_KEEP", "30")
    monkeypatch.setenv("BACKUP_ON_START", "0")
    config = from_environment(tmp_path)
    assert (config["BACKUP_DIR"], config["BACKUP_KEEP"], config["BACKUP_ON_START"]) == (
        str(tmp_path / "ailleurs"),
        30,
        False,
    )


# -- PostgreSQL: pg_dump and pg_restore, the password kept off their command lines -------------


def test_postgresql_backups_run_pg_dump_with_the_password_in_the_environment_only(
    app, database_template, tmp_path, monkeypatch
):
    if database_template["kind"] != "postgresql":
        pytest.skip("TEST_DATABASE_URL n’est pas réglé : PostgreSQL non essayé")
    password = make_url(database_template["uri"]).password
    assert password
    real = backup.find_program("pg_dump")
    spy = tmp_path / "bin"
    spy.mkdir()
    program = spy / "pg_dump"
    program.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$@" > {tmp_path}/argv\n'
        f'printf "%s" "$PGPASSWORD" > {tmp_path}/password\n'
        f'exec {real} "$@"\n'
    )
    program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{spy}:{os.environ['PATH']}")
    path = backup_path(cli(app, "backup"))
    argv = (tmp_path / "argv").read_text().splitlines()
    assert "--format=custom" in argv
    assert any(arg.startswith("--snapshot=") for arg in argv)
    assert password not in " ".join(argv)
    assert (tmp_path / "password").read_text() == password
    assert (path / "vendredi.dump").read_bytes()[:5] == b"PGDMP"
