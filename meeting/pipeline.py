"""The one path every change takes: permission → validation → change + trace → commit → publish.

A service function checks permission and validates first (raising `ServiceError` with a French
message), then opens `change()`:

    with change() as c:
        member.display_name = name
        c.trace(actor, "member_renamed", member, summary)
        c.publish("member_renamed", data, room=rooms.MEMBERS)

The block runs in one write transaction (`BEGIN IMMEDIATE` on SQLite, so it never fails on a
lock upgrade); traces are appended in that same transaction; facts are published only once the
commit has succeeded. On any exception everything is rolled back and nothing is published.
"""

from contextlib import contextmanager

from flask_babel import lazy_gettext as _l

from .extensions import db
from .models import Trace


class ServiceError(Exception):
    """A refusal a person can understand: a code for programs, a French message for people."""

    code = "invalid"
    status = 400

    def __init__(self, message, code=None, status=None, **details):
        super().__init__(str(message))
        self.message = str(message)
        if code:
            self.code = code
        if status:
            self.status = status
        self.details = details


class Forbidden(ServiceError):
    code = "forbidden"
    status = 403

    def __init__(self, message=None, **kw):
        super().__init__(message or _l("Vous n’avez pas le droit de faire cela."), **kw)


class NotFound(ServiceError):
    code = "not_found"
    status = 404

    def __init__(self, message=None, **kw):
        super().__init__(message or _l("Introuvable."), **kw)


class Conflict(ServiceError):
    code = "conflict"
    status = 409


def require(allowed, message=None):
    """Raise `Forbidden` unless the named permission predicate said yes."""
    if not allowed:
        raise Forbidden(message)


def begin_write():
    """End any read transaction, then start a write transaction (`BEGIN IMMEDIATE` on SQLite)."""
    session = db.session()
    if session.in_transaction():
        # Only reads can be pending here (services validate before changing anything).
        session.commit()
    session.connection(execution_options={"vendredi_write": True})


class Change:
    """What one service call changes: the traces it appends and the facts it will publish."""

    def __init__(self):
        self.traces = []
        self.facts = []

    def trace(self, actor, verb, subject, summary, meeting=None, **data):
        """Append a trace (in this transaction) for `verb` done by `actor` on `subject`."""
        trace = Trace(
            actor_id=getattr(actor, "id", None),
            meeting_id=getattr(meeting, "id", None),
            verb=verb,
            subject_type=type(subject).__name__.lower() if subject is not None else "",
            subject_id=getattr(subject, "id", None),
            summary=str(summary),
            data=data,
        )
        db.session.add(trace)
        self.traces.append((trace, subject, meeting))
        return trace

    def publish(self, event, data, room):
        """Publish `event` to `room` once the transaction has committed.

        `data` may be a function, called after the commit (to render fragments of new rows).
        """
        self.facts.append((event, data, room))


@contextmanager
def change():
    """Run a block as one write transaction with its traces; publish after the commit."""
    begin_write()
    c = Change()
    try:
        yield c
        db.session.flush()  # gives rows created in this block their ids
        for trace, subject, meeting in c.traces:
            if trace.subject_id is None and subject is not None:
                trace.subject_id = subject.id
            if trace.meeting_id is None and meeting is not None:
                trace.meeting_id = meeting.id
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    from .live import publish_change

    publish_change(c)
