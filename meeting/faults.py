"""Faults of the database that pass — a lock held too long, a full disk, a server restarting —
answered « réessayez » at every door, with nothing half-written (issue 14, item 5).

`classify(error)` reads an exception once, whatever raised it (SQLAlchemy's wrapper or the
driver's own error): SQLite's result codes (busy, locked, full, I/O), PostgreSQL's SQLSTATE
(serialization failure, deadlock, lock timeout, disk full, shutdown, no connection) and
SQLAlchemy's pool timeout and invalidated connections. `fault_for(error)` turns a fault into
`DatabaseFault`: a `ServiceError` of code `busy`, status 503, a French message that says to try
again and `retry_after` seconds, which the doors answer as they answer every refusal:

- a socket command: the ack `{"ok": false, "error": "busy", "message": …, "retry_after": n}`
  (`commands.dispatch`); a page keeps a queued write and sends it again (static/js/live.js);
- a form post or a page: 503 with `Retry-After`, the message beside the form when the view
  shows its refusals, else the error page (`commands.run_form`, the app's error handlers);
- the JSON API: 503 with `Retry-After` and its error body (`commands.run_api`, its handlers).

The change's transaction is rolled back before the answer (`pipeline.change` rolls back on any
error, the doors again): nothing is half-written. Each fault is logged once, as a warning
naming its kind and the driver's code and first line, never the statement, its parameters or
a connection string. Any other exception keeps its own path (an error ack, the 500 page).
"""

import functools
import logging
import sqlite3
import sys

from flask import after_this_request, has_request_context, request
from sqlalchemy import exc as sa_exc

from .errors import ServiceError
from .extensions import db
from .i18n import _l

log = logging.getLogger(__name__)

BUSY = "busy"  # a lock held past the timeout, a serialization failure, a deadlock, no free slot
FULL = "full"  # no room left to write
AWAY = "unavailable"  # the database does not answer: restarting, shut down, connection lost

# Seconds a person or a page should wait before trying again, per kind.
RETRY_AFTER = {BUSY: 2, AWAY: 5, FULL: 30}

MESSAGES = {
    BUSY: _l(
        "La base de données est occupée : rien n’a été enregistré. Réessayez dans un instant."
    ),
    AWAY: _l(
        "La base de données ne répond pas pour le moment : rien n’a été enregistré. "
        "Réessayez dans un instant."
    ),
    FULL: _l(
        "Le serveur n’a plus de place pour enregistrer : rien n’a été enregistré. "
        "Réessayez un peu plus tard."
    ),
}

# SQLite's primary result codes (the extended code's low byte).
_SQLITE_CODES = {
    sqlite3.SQLITE_BUSY: BUSY,
    sqlite3.SQLITE_LOCKED: BUSY,
    sqlite3.SQLITE_PROTOCOL: BUSY,  # WAL lock contention
    sqlite3.SQLITE_FULL: FULL,
    sqlite3.SQLITE_IOERR: AWAY,
}
# The same, read from the message when the driver gives no code.
_SQLITE_WORDS = (
    ("database is locked", BUSY),
    ("database table is locked", BUSY),
    ("database or disk is full", FULL),
    ("disk i/o error", AWAY),
)
# PostgreSQL's SQLSTATE codes of faults that pass (class 08, a connection exception: AWAY).
_POSTGRESQL_STATES = {
    "40001": BUSY,  # serialization_failure
    "40P01": BUSY,  # deadlock_detected
    "55P03": BUSY,  # lock_not_available (lock_timeout)
    "53300": BUSY,  # too_many_connections
    "53200": BUSY,  # out_of_memory
    "53100": FULL,  # disk_full
    "57P01": AWAY,  # admin_shutdown (a restart, pg_terminate_backend)
    "57P02": AWAY,  # crash_shutdown
    "57P03": AWAY,  # cannot_connect_now (starting up, shutting down)
    "58030": AWAY,  # io_error
}


class DatabaseFault(ServiceError):
    """The database could not do it just now: try again in `retry_after` seconds (503)."""

    code = "busy"
    status = 503

    def __init__(self, kind):
        seconds = RETRY_AFTER[kind]
        super().__init__(MESSAGES[kind], retry_after=seconds)
        self.kind = kind
        self.retry_after = seconds


def _chain(error):
    """The error, then what it was raised from (`raise … from …`, a few steps at most)."""
    seen = 0
    while error is not None and seen < 5:
        yield error
        error = error.__cause__
        seen += 1


def _psycopg_error(error):
    """Whether `error` is PostgreSQL's driver's. A process on SQLite never imports the driver
    (13 MB of memory): an error of a module never imported cannot be one of its."""
    psycopg = sys.modules.get("psycopg")
    return psycopg is not None and isinstance(error, psycopg.Error)


def _driver_kind(error):
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        if code is not None:
            return _SQLITE_CODES.get(code & 0xFF)
        text = str(error).lower()
        return next((kind for words, kind in _SQLITE_WORDS if words in text), None)
    if _psycopg_error(error):
        psycopg = sys.modules["psycopg"]
        state = getattr(error, "sqlstate", None)
        if state:
            return _POSTGRESQL_STATES.get(state) or (AWAY if state.startswith("08") else None)
        # No answer from the server at all: refused, closed, timed out.
        return AWAY if isinstance(error, psycopg.OperationalError) else None
    return None


def classify(error):
    """The kind of database fault `error` is (BUSY, FULL, AWAY), or None for anything else."""
    for one in _chain(error):
        if isinstance(one, sa_exc.TimeoutError):  # no free connection in the pool in time
            return BUSY
        if isinstance(one, sa_exc.DBAPIError):
            kind = _driver_kind(one.orig)
            if kind is None and one.connection_invalidated:
                kind = AWAY
            if kind is not None:
                return kind
            continue
        kind = _driver_kind(one)
        if kind is not None:
            return kind
    return None


def _described(error):
    """The driver's error class, code and first line: never SQLAlchemy's text, which holds the
    statement and its parameters."""
    for one in _chain(error):
        orig = one.orig if isinstance(one, sa_exc.DBAPIError) else one
        if isinstance(orig, sqlite3.Error) or _psycopg_error(orig):
            code = getattr(orig, "sqlite_errorname", None) or getattr(orig, "sqlstate", None)
            first = (str(orig).strip().splitlines() or [""])[0][:200]
            return f"{type(orig).__name__} {code or '-'}: {first}"
    return type(error).__name__


def fault_for(error):
    """`DatabaseFault` for a database fault that passes (logged once), else None. On a page's
    request its answer gets `Retry-After` when it says 503 (shown beside a form or as the error
    page)."""
    kind = classify(error)
    if kind is None:
        return None
    fault = DatabaseFault(kind)
    log.warning(
        "database %s: answered try again in %s s (%s)", kind, fault.retry_after, _described(error)
    )
    if has_request_context() and not hasattr(request, "sid"):  # a socket event has no answer

        @after_this_request
        def retry_after(response):
            if response.status_code == 503:
                response.headers["Retry-After"] = str(fault.retry_after)
            return response

    return fault


def answered(run):
    """Decorate a door's `run(…)`: a database fault that passes is raised as `DatabaseFault`
    once its transaction is rolled back; a refusal or any other error is raised as it was."""

    @functools.wraps(run)
    def run_or_refuse(*args, **kwargs):
        try:
            return run(*args, **kwargs)
        except ServiceError:
            raise
        except Exception as error:
            fault = fault_for(error)
            if fault is None:
                raise
            db.session.rollback()
            raise fault from error

    return run_or_refuse
