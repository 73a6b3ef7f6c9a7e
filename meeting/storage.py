"""Database engine settings: SQLite gets WAL, a busy timeout, foreign keys and `BEGIN IMMEDIATE`
for write transactions (a deferred transaction fails at once with SQLITE_BUSY when it upgrades
its read lock to a write lock while another connection writes). PostgreSQL gets a lock wait
limit (`lock_timeout`: it would wait for ever), past which the doors answer « réessayez »."""

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 10_000
SYNCHRONOUS_MODES = ("FULL", "NORMAL")


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.split(".")[0] not in ("sqlite3", "pysqlite2"):
        return
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite would defer it).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={sqlite_busy_timeout_ms()}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA synchronous={sqlite_synchronous()}")
    cursor.close()


def sqlite_synchronous():
    """The app's `SQLITE_SYNCHRONOUS` (FULL unless set): with WAL, FULL writes each commit to
    the disk before the ack (it survives a power loss), NORMAL only at checkpoints (it survives
    a crash of the process, not of the machine). Figures: bench/sqlite_sync.py."""
    mode = current_app.config.get("SQLITE_SYNCHRONOUS") if has_app_context() else None
    return mode if mode in SYNCHRONOUS_MODES else "FULL"


def sqlite_busy_timeout_ms():
    """The app's `SQLITE_BUSY_TIMEOUT_MS` (BUSY_TIMEOUT_MS unless set): how long a write waits
    for another's lock; past it the doors answer « réessayez » (meeting/faults.py)."""
    return _milliseconds("SQLITE_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS)


def _milliseconds(name, default):
    """The app's setting `name` (a number of milliseconds, 0 or more), else `default`."""
    value = current_app.config.get(name) if has_app_context() else None
    return int(value) if isinstance(value, int) and value >= 0 else default


LOCK_TIMEOUT_MS = 10_000


@event.listens_for(Engine, "connect")
def _postgresql_on_connect(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.split(".")[0] != "psycopg":
        return
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = {postgresql_lock_timeout_ms()}")
    dbapi_connection.commit()  # a plain SET lasts for the connection once committed


def postgresql_lock_timeout_ms():
    """The app's `POSTGRESQL_LOCK_TIMEOUT_MS` (LOCK_TIMEOUT_MS unless set; 0 waits for ever):
    how long a statement waits for another transaction's lock (a row being written, a table
    a script locked); past it, `lock_not_available`, answered « réessayez » (meeting/faults.py)."""
    return _milliseconds("POSTGRESQL_LOCK_TIMEOUT_MS", LOCK_TIMEOUT_MS)


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn):
    if conn.dialect.name != "sqlite":
        return
    if conn.get_execution_options().get("vendredi_write"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")
