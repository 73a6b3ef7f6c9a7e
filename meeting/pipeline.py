"""The one path every change takes: permission → validation → change + trace → commit → publish.

A service function checks permission and validates first (raising `ServiceError` with a French
message), then opens `change()`:

    with change() as c:
        member.display_name = name
        c.trace(actor, "member_renamed", member, member_id=member.id)
        c.publish("member_renamed", data, room=rooms.MEMBERS)

The block runs in one write transaction (`BEGIN IMMEDIATE` on SQLite, so it never fails on a
lock upgrade); traces are appended in that same transaction; facts are published only once the
commit has succeeded. On any exception everything is rolled back and nothing is published.
"""

import logging
from contextlib import contextmanager

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from .errors import Conflict, ServiceError
from .extensions import db
from .i18n import _l
from .models import ClientOperation, Trace

log = logging.getLogger(__name__)


def read_from_now():
    """End any read transaction: what is read next sees every change committed until now (a
    page that has just joined its room reads its state after joining). Nothing is written."""
    session = db.session()
    if session.in_transaction():
        session.commit()


def begin_write():
    """End any read transaction, then start a write transaction (`BEGIN IMMEDIATE` on SQLite)."""
    session = db.session()
    if session.in_transaction():
        # Only reads can be pending here (services validate before changing anything).
        session.commit()
    else:
        # Rows kept by an earlier change of this request (see `_commit_keeping_rows`) are read
        # again under the write lock, as after any commit.
        session.expire_all()
    session.info.pop(_UNSYNCHRONISED, None)
    session.connection(execution_options={"vendredi_write": True})


class Change:
    """What one service call changes: the traces it appends and the facts it will publish."""

    def __init__(self):
        self.traces = []
        self.facts = []
        self.work = []
        self.operations = []

    def trace(self, actor, verb, subject, meeting=None, **data):
        """Append a trace (in this transaction) for `verb` done by `actor` on `subject`.

        `data` holds ids and non-personal values only (titles of the place's content, dates,
        counts, kinds, statuses): never a name or an e-mail address. People are referred to by
        id (`member_id`, `owner_id`, `author_id`; a guest by `attendance_id`), and the trace is
        rendered into a sentence with today's names when read (`traces.sentences`), so
        pseudonymising a person is one update of their row.
        """
        if getattr(actor, "id", None) is None and getattr(actor, "attendance_id", None):
            data.setdefault("attendance_id", actor.attendance_id)  # a guest of the live Friday
        trace = Trace(
            actor_id=getattr(actor, "id", None),
            meeting_id=getattr(meeting, "id", None),
            verb=verb,
            subject_type=type(subject).__name__.lower() if subject is not None else "",
            subject_id=getattr(subject, "id", None),
            data=data,
        )
        db.session.add(trace)
        self.traces.append((trace, subject, meeting, actor))
        return trace

    def publish(self, event, data, room):
        """Publish `event` to `room` once the transaction has committed.

        `data` may be a function, called after the commit (to render fragments of new rows).
        """
        self.facts.append((event, data, room))

    def after_commit(self, work, *args, **kwargs):
        """Run `work(*args, **kwargs)` once the transaction has committed and its facts are out
        (e-mail, notifications, search indexing). A failure there is logged; it never undoes
        or hides the committed change."""
        self.work.append((work, args, kwargs))

    def record_operation(self, actor, op_id, command, subject):
        """Remember a client's operation id with this change, so a resent command applies once."""
        if op_id is not None and getattr(actor, "id", None) is not None:
            self.operations.append((actor.id, op_id, command, subject))


_UNSYNCHRONISED = "vendredi.rows_unsynchronised"


@event.listens_for(Session, "do_orm_execute")
def _note_unsynchronised_write(state):
    """An UPDATE or DELETE told not to bring the session's rows in line with it
    (`synchronize_session=False`, for a compare-and-set), or written on a bare table, leaves
    them as they were read: such a change commits the ordinary way, expiring every row."""
    if not (state.is_update or state.is_delete):
        return
    if not state.is_orm_statement or state.execution_options.get("synchronize_session") is False:
        state.session.info[_UNSYNCHRONISED] = True


def _commit_keeping_rows():
    """Commit without expiring the session's rows: what this change wrote is what its facts,
    traces and ack show, so they are rendered from the rows in hand instead of reading every one
    of them again in a new transaction (unless a write left some of them behind, see
    `_note_unsynchronised_write`). The next write still starts fresh: `begin_write` ends the
    read transaction with an ordinary (expiring) commit, so a compare-and-set always reads under
    the write lock."""
    session = db.session()
    if session.info.pop(_UNSYNCHRONISED, False):
        session.commit()
        return
    keep = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = keep


@contextmanager
def change():
    """Run a block as one write transaction with its traces; publish after the commit."""
    begin_write()
    c = Change()
    try:
        yield c
        db.session.flush()  # gives rows created in this block their ids
        for member_id, op_id, command, subject in c.operations:
            db.session.add(
                ClientOperation(
                    member_id=member_id,
                    op_id=op_id,
                    command=command,
                    subject_id=getattr(subject, "id", None),
                )
            )
        for trace, subject, meeting, actor in c.traces:
            if trace.subject_id is None and subject is not None:
                trace.subject_id = subject.id
            if trace.actor_id is None and getattr(actor, "id", None) is not None:
                trace.actor_id = actor.id  # a member created in this change (first admin)
            if trace.meeting_id is None and meeting is not None:
                trace.meeting_id = meeting.id
        _commit_keeping_rows()
    except BaseException:
        db.session.rollback()
        raise
    from .realtime import publish_change

    try:
        publish_change(c)
    except Exception:  # publishing never turns a committed change into an error
        log.exception("publishing a committed change failed")
    for work, args, kwargs in c.work:
        try:
            work(*args, **kwargs)
        except Exception:
            log.exception("after-commit work %s failed", getattr(work, "__name__", work))
            db.session.rollback()


# -- operation ids: a command resent by a client (offline outbox, retry) applies once -----------

MAX_OP_ID = 64


def clean_op_id(op_id):
    """An operation id from a client: 8 to 64 printable characters, or None."""
    if op_id is None:
        return None
    if not isinstance(op_id, str) or not 8 <= len(op_id) <= MAX_OP_ID or not op_id.isprintable():
        raise ServiceError(_l("Identifiant d’opération invalide."), code="invalid_field")
    return op_id


def already_applied(actor, op_id, command, subject=None):
    """The operation this member already sent with `op_id`, or None. An id is bound to the
    command and the subject it was first sent for: the same id sent for another command, or
    for the same command on another subject, is refused (`op_id_reused`), never answered as if
    applied. `subject` is the row the command acts on (the entry edited) or its id; for a
    command that creates its row, a function telling whether the row made then (its id)
    belongs where this command would put one (the same Friday)."""
    if op_id is None or getattr(actor, "id", None) is None:
        return None
    row = db.session.scalar(
        select(ClientOperation).where(
            ClientOperation.member_id == actor.id, ClientOperation.op_id == op_id
        )
    )
    if row is None:
        return None
    if row.command != command:
        raise Conflict(
            _l("Cet identifiant d’opération a déjà servi pour une autre action."),
            code="op_id_reused",
        )
    if subject is not None and not _same_subject(row.subject_id, subject):
        raise Conflict(
            _l("Cet identifiant d’opération a déjà servi pour un autre élément."),
            code="op_id_reused",
        )
    return row


def _same_subject(recorded_id, subject):
    if callable(subject):
        return recorded_id is not None and bool(subject(recorded_id))
    return recorded_id == getattr(subject, "id", subject)
