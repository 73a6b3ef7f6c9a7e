"""What a page joining a live Friday receives, built once per state for every page that joins.

When the Wi-Fi of the room blinks, every phone comes back at once and asks for its view's exact
state (`join_live`). Rendering that state costs tens of milliseconds; building it once per state
and per view, instead of once per phone, is what makes a mass reconnect a matter of seconds.

A snapshot of one view is reused only while nothing it shows can have changed:

- the meeting row's revisions are the same (`fingerprint`: status, live, agenda and summary
  revisions, the speaker), read after the page joined its room: a change committed since bumps
  one of them, and a change committed later reaches the page as a fact;
- no live fact of that Friday was published by this process since it was built (`forget`,
  called by `state.live_facts` before every fact is built, also for the changes that bump no
  revision, such as "Où en est-on ?"'s figures);
- it is younger than `MAX_AGE`: what another process published without bumping a revision, and
  the clock's own drift ("Fin estimée"), are never older than that.

The timer of a snapshot is brought to the present for each page (elapsed, overrun, server time).

A state is read in several statements. SQLite reads them in one transaction, from one snapshot
of the database; PostgreSQL (READ COMMITTED) lets each statement see what was committed just
before it, so a reorder committed between the meeting row and its points would give the new
order under the old revision. `read_consistently` reads again until the row's fingerprint is
the same after the read as before it: every change of what a view shows bumps it.
"""

import threading
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..models import Meeting
from ..models.base import utcnow

MAX_AGE = 2.0  # seconds

_lock = threading.Lock()
_generation = {}  # meeting id -> live facts published by this process
_snapshots = {}  # (meeting id, view) -> _Snapshot
_building = {}  # (meeting id, view) -> lock: one page builds, the others wait and reuse


@dataclass(frozen=True)
class Timing:
    """What the current point's timer needs to be computed at any instant."""

    elapsed_seconds: int
    started_at: datetime | None  # naive UTC; None while paused
    allowance: int  # seconds


@dataclass(frozen=True)
class _Snapshot:
    fingerprint: tuple
    generation: int
    monotonic: float
    fact: dict
    timing: Timing | None


def fingerprint(meeting):
    """What every change of a live Friday's regions bumps in its row."""
    return (
        meeting.status,
        meeting.live_revision,
        meeting.agenda_revision,
        meeting.summary_revision,
        meeting.speaker_attendance_id,
    )


_FINGERPRINT = (
    Meeting.status,
    Meeting.live_revision,
    Meeting.agenda_revision,
    Meeting.summary_revision,
    Meeting.speaker_attendance_id,
)
READ_ATTEMPTS = 5


def read_consistently(read):
    """`read()` returns a live context (its `meeting` row read first); read again, with the
    session's rows forgotten, while a change committed during the read moved the fingerprint."""
    for _attempt in range(READ_ATTEMPTS):
        context = read()
        meeting = context["meeting"]
        now = db.session.execute(select(*_FINGERPRINT).where(Meeting.id == meeting.id)).one()
        if tuple(now) == fingerprint(meeting):
            return context
        db.session.expire_all()
    return context  # changing faster than it can be read: the next fact follows anyway


def forget(meeting_id):
    """A live fact of this Friday is being built: its snapshots are no longer current."""
    with _lock:
        _generation[meeting_id] = _generation.get(meeting_id, 0) + 1
        for key in [key for key in _snapshots if key[0] == meeting_id]:
            del _snapshots[key]


def reset():
    with _lock:
        _generation.clear()
        _snapshots.clear()
        _building.clear()


def joined_fact(meeting, view, build):
    """The `live_updated` fact of `view` for a page that (re)joins: a current snapshot's, else
    `build()`'s, which returns `(fact, timing)` and is kept for the next pages."""
    key = (meeting.id, view)
    current = fingerprint(meeting)
    with _lock:
        snapshot = _usable(key, current)
        gate = _building.setdefault(key, threading.Lock())
    if snapshot is not None:
        return _brought_to_now(snapshot)
    with gate:
        with _lock:
            snapshot = _usable(key, current)
            generation = _generation.get(meeting.id, 0)
        if snapshot is not None:  # another page built it while this one waited
            return _brought_to_now(snapshot)
        fact, timing = build()
        with _lock:
            if _generation.get(meeting.id, 0) == generation:  # no fact built meanwhile
                _drop_old()
                # The state read (`read_consistently` may have read a newer one than `current`).
                read = fingerprint(meeting)
                _snapshots[key] = _Snapshot(read, generation, time.monotonic(), fact, timing)
    return fact


def _usable(key, current):
    """The snapshot of `key` if it is current (called with the lock held)."""
    snapshot = _snapshots.get(key)
    if (
        snapshot is None
        or snapshot.fingerprint != current
        or snapshot.generation != _generation.get(key[0], 0)
        or time.monotonic() - snapshot.monotonic > MAX_AGE
    ):
        return None
    return snapshot


def _drop_old():
    now = time.monotonic()
    for key in [k for k, s in _snapshots.items() if now - s.monotonic > MAX_AGE]:
        del _snapshots[key]


def timer_at(timing, now):
    """The timer of a fact (`state.timer_state`'s shape) at `now`."""
    elapsed = timing.elapsed_seconds
    if timing.started_at is not None:
        elapsed += int((now - timing.started_at).total_seconds())
    return {
        "elapsed": elapsed,
        "running": timing.started_at is not None,
        "allowance": timing.allowance,
        "overrun": max(0, elapsed - timing.allowance),
        "server_now": now.isoformat() + "Z",
    }


def _brought_to_now(snapshot):
    if snapshot.timing is None:
        return snapshot.fact
    return {**snapshot.fact, "timer": timer_at(snapshot.timing, utcnow())}
