"""Backups and restore: `flask --app wsgi backup`, `flask --app wsgi restore PATH`, and one
backup each time a Friday goes live (`after_meeting_start`).

A backup is a directory of BACKUP_DIR (default `<instance>/backups`, mode 0700) named after the
place's date and time (`vendredi-2026-12-04-120003`), holding:

- the copy of the database, consistent while the app runs: SQLite through the online backup
  API (never a file copy: a live file with its `-wal` is not a database), PostgreSQL through
  `pg_dump -Fc` on a snapshot exported by a repeatable-read transaction, in which the row
  counts are taken too (so they describe exactly what the dump holds);
- `manifest.json`: app version, migration head, database kind, time, row counts per table and
  the sha256 of the copy;
- `secret_key` (the running SECRET_KEY) and `settings.env` (the settings set in the
  environment, DATABASE_URL and MAIL_PASSWORD included), both mode 0600.

A backup is written under a hidden `.partial-…` name and renamed when complete, so a
half-written one is never taken for a backup; the last BACKUP_KEEP are kept. Everything that
runs outside the command (the background dump of a Friday's start) works from a `Plan` made of
plain values, never from the app.
"""

import hashlib
import json
import logging
import os
import secrets
import shlex
import shutil
import sqlite3
import subprocess
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from flask import current_app
from sqlalchemy.engine import make_url

from ..i18n import _
from . import revisions

log = logging.getLogger(__name__)

PREFIX = "vendredi-"
PARTIAL = ".partial-"
MANIFEST = "manifest.json"
SECRET_KEY_FILE = "secret_key"
SETTINGS_FILE = "settings.env"
COPIES = {"sqlite": "vendredi.sqlite3", "postgresql": "vendredi.dump"}
FORMAT = 1

# Settings whose environment name is not the name of a configuration key.
RENAMED_SETTINGS = frozenset(
    {"DATABASE_URL", "TIMEZONE", "INSTANCE_PATH", "HOST", "PORT", "GUNICORN_ARGS"}
)
# libpq reads these from the environment: the password never goes on a command line.
LIBPQ_QUERY_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
}


class BackupError(Exception):
    """A backup or a restore refused or failed; the message says why, in French. `status` is the
    exit status of the command (2: refused before anything was touched)."""

    def __init__(self, message, status=1):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Plan:
    """What a backup needs, read from the app once: it can then run in any thread."""

    kind: str
    database_url: str
    directory: Path
    keep: int
    timezone: str
    secret_key: str
    secret_key_set: bool
    settings: dict
    app_version: str
    code_heads: tuple


@dataclass
class Backup:
    """A finished backup: where, how big, what it holds, and the older ones it removed."""

    path: Path
    size: int
    manifest: dict
    removed: list = field(default_factory=list)


# -- settings ---------------------------------------------------------------------------------


def database_kind(url):
    name = make_url(url).get_backend_name()
    if name in COPIES:
        return name
    raise BackupError(
        _("Base de données non prise en charge pour les sauvegardes : %(kind)s.", kind=name)
    )


def backup_directory(app=None):
    """BACKUP_DIR of the app, or `<instance>/backups`."""
    app = app or current_app
    return Path(app.config.get("BACKUP_DIR") or Path(app.instance_path) / "backups")


def _writable(directory):
    """The directory, or the nearest existing parent it would be made in, is writable."""
    for candidate in (directory, *directory.parents):
        if candidate.exists():
            return candidate.is_dir() and os.access(candidate, os.W_OK | os.X_OK)
    return False


def on_start_enabled(app=None):
    """BACKUP_ON_START as set; unset, on when BACKUP_DIR is writable. Test apps (TESTING) leave
    it off unless a test sets it: a test suite starts hundreds of Fridays."""
    app = app or current_app
    setting = app.config.get("BACKUP_ON_START")
    if setting is not None:
        return bool(setting)
    return not app.config.get("TESTING") and _writable(backup_directory(app))


def code_heads(app=None):
    """The migration heads of this code (what `db upgrade` leads to)."""
    app = app or current_app
    return tuple(sorted(revisions.heads(app.extensions["migrate"].directory)))


def known_revisions(app=None):
    app = app or current_app
    return set(revisions.revisions(app.extensions["migrate"].directory))


def app_version():
    try:
        return metadata.version("vendredi")
    except metadata.PackageNotFoundError:
        return "inconnue"


def settings_set(config):
    """{NAME: value} of the settings Vendredi reads that the environment sets (the others are
    defaults, and a restore needs only these)."""
    names = {name for name in config if name.isupper()} | RENAMED_SETTINGS
    return {name: os.environ[name] for name in sorted(names) if name in os.environ}


def plan_for(app=None):
    """Read once from the app what a backup needs."""
    app = app or current_app
    config = app.config
    url = config["SQLALCHEMY_DATABASE_URI"]
    return Plan(
        kind=database_kind(url),
        database_url=url,
        directory=backup_directory(app),
        keep=max(1, int(config.get("BACKUP_KEEP") or 14)),
        timezone=config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Paris",
        secret_key=str(config["SECRET_KEY"]),
        secret_key_set=bool(config.get("SECRET_KEY_SET")),
        settings=settings_set(config),
        app_version=app_version(),
        code_heads=code_heads(app),
    )


# -- files ------------------------------------------------------------------------------------


def _private_file(path):
    """Create `path` empty with mode 0600 (fails if it exists)."""
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _write_private(path, text):
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_path(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def directory_size(path):
    return sum(p.stat().st_size for p in Path(path).iterdir() if p.is_file())


def human_size(size):
    """A size as people read it in French: « 12,3 ko », « 4,5 Mo »."""
    units = ["octets", "ko", "Mo", "Go", "To"]
    value, unit = float(size), 0
    while value >= 1000 and unit < len(units) - 1:
        value, unit = value / 1000, unit + 1
    number = format_decimal(value, "#,##0" if unit == 0 else "#,##0.#", locale="fr_FR")
    return f"{number}\u00a0{units[unit]}"


def _sqlite_path(url):
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise BackupError(_("La base SQLite est en mémoire : il n’y a rien à sauvegarder."))
    return Path(database)


# -- making a backup ----------------------------------------------------------------------------


def _copy_sqlite(plan, destination):
    """The online backup API: one step under one read transaction, so the copy is the database
    at one moment, whatever the app writes meanwhile (WAL: writers are not held up)."""
    source_path = _sqlite_path(plan.database_url)
    if not source_path.exists():
        raise BackupError(_("La base %(path)s n’existe pas.", path=source_path))
    _private_file(destination)
    source = sqlite3.connect(source_path, timeout=30)
    try:
        copy = sqlite3.connect(destination)
        try:
            source.backup(copy)
            # A file of its own, without -wal beside it: restored as it is.
            copy.execute("PRAGMA journal_mode=DELETE")
            problem = copy.execute("PRAGMA quick_check").fetchone()[0]
            if problem != "ok":
                raise BackupError(
                    _("La copie de la base est abîmée : %(problem)s", problem=problem)
                )
            tables = [
                row[0]
                for row in copy.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    " AND name NOT LIKE 'sqlite~_%' ESCAPE '~'"
                    # A virtual table (search) is counted in its shadow tables.
                    " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
                )
            ]
            counts = {
                name: copy.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                for name in tables
            }
            migration = None
            if "alembic_version" in counts:
                row = copy.execute("SELECT version_num FROM alembic_version").fetchone()
                migration = row[0] if row else None
        finally:
            copy.close()
    finally:
        source.close()
    _fsync_path(destination)
    return counts, migration


def find_program(name):
    """A PostgreSQL client program: on PATH, else the newest /usr/lib/postgresql/*/bin/."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if candidates and os.access(candidates[-1], os.X_OK):
        return str(candidates[-1])
    raise BackupError(
        _(
            "%(program)s est introuvable : installez le paquet postgresql-client "
            "(sudo apt-get install postgresql-client).",
            program=name,
        )
    )


def libpq_environment(url):
    """The connection as libpq environment variables (PGPASSWORD included), so that nothing
    secret appears in a process list."""
    url = make_url(url)
    libpq = {}
    if url.host:
        libpq["PGHOST"] = url.host
    if url.port:
        libpq["PGPORT"] = str(url.port)
    if url.username:
        libpq["PGUSER"] = url.username
    if url.password is not None:
        libpq["PGPASSWORD"] = str(url.password)
    if url.database:
        libpq["PGDATABASE"] = url.database
    for key, value in url.query.items():
        if key in LIBPQ_QUERY_ENV:
            libpq[LIBPQ_QUERY_ENV[key]] = value if isinstance(value, str) else value[-1]
    return {**os.environ, **libpq}


def _conninfo(url):
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run_pg(arguments, url, what):
    result = subprocess.run(
        arguments,
        env=libpq_environment(url),
        check=False,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        said = (result.stderr or result.stdout).strip()
        raise BackupError(
            _("%(program)s a échoué : %(error)s", program=what, error=said or result.returncode)
        )
    return result


def _dump_postgresql(plan, destination):
    """pg_dump -Fc on a snapshot exported by a repeatable-read transaction, which also counts
    the rows: the counts and the dump are of the same moment."""
    import psycopg
    from psycopg import sql

    pg_dump = find_program("pg_dump")
    with psycopg.connect(_conninfo(plan.database_url), autocommit=True) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        ).fetchall()
        counts = {
            name: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name))
            ).fetchone()[0]
            for (name,) in tables
        }
        migration = None
        if "alembic_version" in counts:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            migration = row[0] if row else None
        _private_file(destination)
        _run_pg(
            [
                pg_dump,
                "--format=custom",
                "--no-password",
                f"--snapshot={snapshot}",
                f"--file={destination}",
            ],
            plan.database_url,
            "pg_dump",
        )
        conn.execute("COMMIT")
    _fsync_path(destination)
    return counts, migration


def _settings_text(settings):
    lines = [
        "# Réglages de Vendredi au moment de la sauvegarde (ceux que l’environnement fixait ;",
        "# les autres étaient à leur valeur par défaut). Même forme que /etc/vendredi/vendredi.env.",
    ]
    lines += [f"{name}={shlex.quote(value)}" for name, value in settings.items()]
    return "\n".join(lines) + "\n"


def _prepare_directory(directory):
    if not directory.exists():
        directory.mkdir(parents=True, mode=0o700)
        os.chmod(directory, 0o700)
    elif not directory.is_dir():
        raise BackupError(_("BACKUP_DIR (%(path)s) n’est pas un dossier.", path=directory))


def _final_name(plan, now):
    local = now.astimezone(ZoneInfo(plan.timezone))
    return PREFIX + local.strftime("%Y-%m-%d-%H%M%S")


def run(plan, trigger="command"):
    """Make one backup from `plan` and prune the older ones; return the `Backup`."""
    directory = plan.directory
    _prepare_directory(directory)
    now = datetime.now(UTC)
    work = directory / f"{PARTIAL}{secrets.token_hex(6)}"
    work.mkdir(mode=0o700)
    os.chmod(work, 0o700)
    try:
        copy = work / COPIES[plan.kind]
        if plan.kind == "sqlite":
            counts, migration = _copy_sqlite(plan, copy)
        else:
            counts, migration = _dump_postgresql(plan, copy)
        _write_private(work / SECRET_KEY_FILE, plan.secret_key + "\n")
        _write_private(work / SETTINGS_FILE, _settings_text(plan.settings))
        manifest = {
            "format": FORMAT,
            "app": "vendredi",
            "app_version": plan.app_version,
            "migration": migration,
            "code_heads": list(plan.code_heads),
            "database": plan.kind,
            "created_at": now.isoformat(timespec="microseconds"),
            "created_at_local": now.astimezone(ZoneInfo(plan.timezone)).isoformat(
                timespec="seconds"
            ),
            "trigger": trigger,
            "file": copy.name,
            "size": copy.stat().st_size,
            "sha256": sha256_of(copy),
            "tables": counts,
            "secret_key_file": SECRET_KEY_FILE,
            "secret_key_from_environment": plan.secret_key_set,
            "settings_file": SETTINGS_FILE,
        }
        _write_private(work / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        _fsync_path(work)
        final = _rename_into_place(work, directory, _final_name(plan, now))
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _fsync_path(directory)
    removed = prune(directory, plan.keep)
    return Backup(path=final, size=directory_size(final), manifest=manifest, removed=removed)


def _rename_into_place(work, directory, name):
    """Rename the finished backup to its dated name; two in the same second get -2, -3…, always
    after those already there (a name freed by pruning is not given again)."""
    numbers = [0]
    for other in directory.glob(f"{name}*"):
        suffix = other.name[len(name) :]
        if suffix == "":
            numbers.append(1)
        elif suffix.startswith("-") and suffix[1:].isdigit():
            numbers.append(int(suffix[1:]))
    first = max(numbers) + 1
    for n in range(first, first + 100):
        final = directory / (name if n == 1 else f"{name}-{n}")
        if final.exists():
            continue
        try:
            os.rename(work, final)
        except OSError:  # made by another backup in between (ENOTEMPTY / EEXIST)
            continue
        return final
    raise BackupError(_("Impossible de nommer la sauvegarde dans %(path)s.", path=directory))


def read_manifest(path):
    with open(Path(path) / MANIFEST, encoding="utf-8") as handle:
        return json.load(handle)


def backups_in(directory):
    """The finished backups of `directory`, oldest first (by the time their manifest says)."""
    found = []
    directory = Path(directory)
    if not directory.is_dir():
        return found
    for path in directory.iterdir():
        if not path.name.startswith(PREFIX) or not path.is_dir():
            continue
        try:
            created = read_manifest(path)["created_at"]
        except (OSError, ValueError, KeyError):
            continue  # not one of ours, or damaged: never deleted by pruning
        found.append((created, path.name, path))
    return [path for _created, _name, path in sorted(found)]


def prune(directory, keep):
    """Delete all but the last `keep` backups; return the paths removed."""
    backups = backups_in(directory)
    removed = backups[: max(0, len(backups) - max(1, keep))]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed


def make_backup(trigger="command"):
    """Back up the app's database now (the `backup` command)."""
    return run(plan_for(), trigger=trigger)


# -- when a Friday goes live --------------------------------------------------------------------

_background = []
_background_lock = threading.Lock()


def after_meeting_start():
    """Back up as a Friday goes live (BACKUP_ON_START), without holding the facilitator: SQLite
    is copied at once (milliseconds for a place's database), PostgreSQL's pg_dump runs in a
    background thread. Never raises: a failure is logged, the Friday has started."""
    try:
        if not on_start_enabled():
            return None
        plan = plan_for()
        if plan.kind == "sqlite":
            done = run(plan, trigger="meeting_start")
            log.info("backup at the start of the meeting: %s (%s bytes)", done.path, done.size)
            return done
        thread = threading.Thread(
            target=_run_logged, args=(plan,), name="vendredi-backup", daemon=True
        )
        with _background_lock:
            _background[:] = [t for t in _background if t.is_alive()]
            _background.append(thread)
        thread.start()
    except Exception:
        log.exception("backup at the start of the meeting failed")
    return None


def _run_logged(plan):
    try:
        done = run(plan, trigger="meeting_start")
        log.info("backup at the start of the meeting: %s (%s bytes)", done.path, done.size)
    except Exception:
        log.exception("backup at the start of the meeting failed")


def wait_for_background(timeout=120):
    """Wait for the backups started in the background (tests, a clean shutdown)."""
    with _background_lock:
        threads = list(_background)
    for thread in threads:
        thread.join(timeout)
    return not any(thread.is_alive() for thread in threads)


# -- restore ----------------------------------------------------------------------------------


def check_backup(path, app=None):
    """Read and check a backup: (directory, manifest, copy). Raises BackupError (status 2) when
    it is missing, incomplete, damaged, of another kind of database, or from newer code."""
    app = app or current_app
    path = Path(path)
    if path.is_file() and path.name == MANIFEST:
        path = path.parent
    if not path.exists():
        raise BackupError(
            _("Aucune sauvegarde à %(path)s : ce chemin n’existe pas.", path=path), status=2
        )
    try:
        manifest = read_manifest(path)
        name, expected = manifest["file"], manifest["sha256"]
        kind = manifest["database"]
    except (OSError, ValueError, KeyError, TypeError):
        raise BackupError(
            _(
                "%(path)s n’est pas une sauvegarde de Vendredi : son manifest.json manque ou "
                "est illisible.",
                path=path,
            ),
            status=2,
        ) from None
    copy = path / Path(name).name
    if not copy.is_file():
        raise BackupError(
            _("La copie de la base (%(file)s) manque dans la sauvegarde.", file=copy), status=2
        )
    if sha256_of(copy) != expected:
        raise BackupError(
            _(
                "La copie %(file)s ne correspond pas à son empreinte (sha256 du manifest) : "
                "elle est abîmée ou a été modifiée. Restauration refusée.",
                file=copy,
            ),
            status=2,
        )
    configured = database_kind(app.config["SQLALCHEMY_DATABASE_URI"])
    if kind != configured:
        raise BackupError(
            _(
                "Cette sauvegarde est une base %(saved)s ; Vendredi est réglé sur une base "
                "%(configured)s (DATABASE_URL). Restauration refusée.",
                saved=kind,
                configured=configured,
            ),
            status=2,
        )
    migration = manifest.get("migration")
    if migration and migration not in known_revisions(app):
        raise BackupError(
            _(
                "Cette sauvegarde vient d’une version plus récente de Vendredi (migration "
                "%(migration)s, inconnue de ce code) : mettez d’abord le code à jour "
                "(git pull), puis restaurez.",
                migration=migration,
            ),
            status=2,
        )
    return path, manifest, copy


def restore_target(app=None):
    """What a restore replaces, as people read it: a file, or a PostgreSQL database."""
    app = app or current_app
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if database_kind(url) == "sqlite":
        return str(_sqlite_path(url))
    url = make_url(url)
    return f"{url.database} ({url.host or 'localhost'})"


def restore(path, app=None):
    """Put the backup at `path` back in place of the configured database; return its manifest
    and what to tell the person next. The service must be stopped first."""
    app = app or current_app
    path, manifest, copy = check_backup(path, app)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if manifest["database"] == "sqlite":
        _restore_sqlite(copy, _sqlite_path(url))
    else:
        _restore_postgresql(copy, url)
    return manifest, next_steps(path, manifest, app)


def _restore_sqlite(copy, target):
    """Write beside, fsync, rename: the configured file is the old database or the new one,
    never half of each. A stale -wal or -journal would be replayed onto the new file (and
    corrupt it): they go before the rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    beside = target.with_name(f"{target.name}.restore-{secrets.token_hex(4)}")
    fd = os.open(beside, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        with os.fdopen(fd, "wb") as out, open(copy, "rb") as source:
            shutil.copyfileobj(source, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(beside, target)
    except BaseException:
        beside.unlink(missing_ok=True)
        raise
    _fsync_path(target.parent)


def _restore_postgresql(copy, url):
    pg_restore = find_program("pg_restore")
    _run_pg(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={make_url(url).database}",
            str(copy),
        ],
        url,
        "pg_restore",
    )


def next_steps(path, manifest, app=None):
    """The French lines to print once restored: migrate if older, start the service, the
    secret key."""
    app = app or current_app
    lines = []
    if manifest.get("migration") not in code_heads(app):
        lines.append(
            _(
                "La sauvegarde vient d’une version plus ancienne : migrez la base "
                "(sudo -u vendredi deploy/vendredi-flask db upgrade ; le service le fait aussi "
                "à son démarrage)."
            )
        )
    lines.append(
        _(
            "Redémarrez le service : sudo systemctl start vendredi (ou « vendredi-migrate » "
            "puis « vendredi@* » avec plusieurs processus)."
        )
    )
    key_file = Path(path) / manifest.get("secret_key_file", SECRET_KEY_FILE)
    try:
        saved_key = key_file.read_text(encoding="utf-8").strip()
    except OSError:
        saved_key = None
    if saved_key and saved_key != str(app.config["SECRET_KEY"]):
        lines.append(
            _(
                "La clé des sessions de la sauvegarde n’est pas celle en service ; elle est "
                "dans %(file)s. Pour garder les sessions et les liens signés d’avant, mettez-la "
                "dans SECRET_KEY (/etc/vendredi/vendredi.env) ou dans instance/secret_key.",
                file=key_file,
            )
        )
    lines.append(
        _(
            "Les réglages du moment de la sauvegarde sont dans %(file)s.",
            file=Path(path) / manifest.get("settings_file", SETTINGS_FILE),
        )
    )
    return lines
