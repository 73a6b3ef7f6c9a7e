"""The Friday as one thing: finding it, the coming one, and the two lifecycle steps that open
and close it. Closing orchestrates the public steps of each feature in one transaction.

Reading never writes: `for_day` shows a Friday that has no row yet (a transient `Meeting`,
never added to the session); the first change (`ensure_meeting`, inside a service) creates it.
"""

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import permissions, realtime
from ..errors import Conflict, NotFound, ServiceError, require
from ..extensions import db
from ..i18n import _l, long_date
from ..labels import MEETING_STATUS_LABELS
from ..models import Meeting
from ..models.base import utcnow
from ..ops import backup
from ..pipeline import change
from . import dates
from .dates import meeting_hours, next_meeting_after

MEETING_STATUSES = ("preparing", "live", "closed")


def get_meeting(meeting_id):
    meeting = db.session.get(Meeting, meeting_id) if meeting_id is not None else None
    if meeting is None:
        raise NotFound(_l("Cette réunion n’existe pas."))
    return meeting


def find_meeting(day):
    return db.session.scalar(select(Meeting).where(Meeting.scheduled_for == day))


def _unsaved(day):
    start, end = meeting_hours()
    return Meeting(
        scheduled_for=day,
        starts_at=start,
        ends_at=end,
        status="preparing",
        live_revision=0,
        agenda_revision=0,
    )


def _refuse_past(day):
    """A past Friday that has no row was never prepared: there is nothing to show or create."""
    if day < dates.today_in_place():
        raise NotFound(_l("Aucune réunion n’a été préparée pour le %(date)s.", date=long_date(day)))


def for_day(day):
    """The meeting of `day` for a page: its row, or an unsaved one for today or a coming day."""
    meeting = find_meeting(day)
    if meeting is not None:
        return meeting
    _refuse_past(day)
    return _unsaved(day)


def coming_day(today=None):
    """The Friday people are preparing for: the coming meeting day, or, once it is closed (a
    Friday afternoon after the meeting), the first one after it that is not closed."""
    day = dates.next_meeting_date(today)
    while (meeting := find_meeting(day)) is not None and meeting.status == "closed":
        day += timedelta(days=7)
    return day


def coming_meeting(today=None):
    """The coming Friday (see `coming_day`), read only (its row may not exist yet)."""
    return for_day(coming_day(today))


def ensure_meeting(day):
    """Return the meeting of `day`, creating it (a change, traced) for today or a coming day."""
    meeting = find_meeting(day)
    if meeting is not None:
        return meeting
    _refuse_past(day)
    try:
        with change() as c:
            meeting = _unsaved(day)
            db.session.add(meeting)
            c.trace(None, "meeting_scheduled", meeting, meeting=meeting, date=day.isoformat())
            # Pages open on this Friday before it had a row now join its document's room.
            c.publish(
                "meeting_created",
                lambda: {"day": day.isoformat(), "meeting_id": meeting.id},
                room=realtime.document_day_room(day.isoformat()),
            )
    except IntegrityError:  # created at the same instant by another request
        db.session.rollback()
        meeting = find_meeting(day)
    return meeting


def meeting_row(day):
    """The meeting of `day`, adding its row (inside an open change) if there is none yet.

    Unlike `ensure_meeting`, any day is accepted: closing a meeting opens the next one, and the
    demo writes the past."""
    meeting = find_meeting(day)
    if meeting is None:
        meeting = _unsaved(day)
        db.session.add(meeting)
        db.session.flush()
    return meeting


def status_fact(meeting):
    return {
        "meeting_id": meeting.id,
        "status": meeting.status,
        "label": str(MEETING_STATUS_LABELS[meeting.status]),
    }


# -- opening and closing -----------------------------------------------------------------------


def _require_runner(actor, meeting):
    require(
        permissions.can_run_meeting(actor) or permissions.can_run_live(actor, meeting),
        _l("Seul·es les facilitateur·rices ouvrent et closent la réunion."),
    )


def start_meeting(actor, meeting_id):
    """Open the live meeting: a join code, the standing items, the first point current."""
    from ..live import session

    meeting = get_meeting(meeting_id)
    _require_runner(actor, meeting)
    if meeting.status != "preparing":
        # Whole sentences: the phase labels are badges ("réunion en cours"), not sentence words.
        raise Conflict(
            _l("La réunion est déjà en cours.")
            if meeting.status == "live"
            else _l("La réunion est déjà close."),
            code="bad_transition",
        )
    now = utcnow()
    for _attempt in range(5):
        try:
            with change() as c:
                changed = db.session.execute(
                    update(Meeting)
                    .where(Meeting.id == meeting_id, Meeting.status == "preparing")
                    .values(
                        status="live",
                        started_at=now,
                        join_code=session.new_join_code(),
                        live_revision=Meeting.live_revision + 1,
                    )
                ).rowcount
                if changed != 1:
                    raise Conflict(
                        _l("La réunion vient de commencer depuis un autre écran."), code="stale"
                    )
                meeting = get_meeting(meeting_id)
                db.session.refresh(meeting)
                session.open_session(actor, meeting, now)
                c.trace(
                    actor,
                    "meeting_started",
                    meeting,
                    meeting=meeting,
                    date=meeting.scheduled_for.isoformat(),
                )
                session.publish_status(c, meeting)
                # A copy of the database as the Friday goes live (BACKUP_ON_START).
                c.after_commit(backup.after_meeting_start)
            return meeting
        except IntegrityError:  # the same join code drawn twice: draw again
            db.session.rollback()
    raise ServiceError(_l("Impossible de créer un code d’accès ; réessayez."), code="join_code")


def close_meeting(actor, meeting_id):
    """Close the meeting in one transaction: read-only document, unfinished points carried to
    next Friday, open rounds closed, hands lowered."""
    from ..live import floor, items, rounds, session

    meeting = get_meeting(meeting_id)
    _require_runner(actor, meeting)
    if meeting.status == "closed":
        raise Conflict(_l("La réunion est déjà close."), code="bad_transition")
    now = utcnow()
    next_day = next_meeting_after(meeting)
    with change() as c:
        changed = db.session.execute(
            update(Meeting)
            .where(Meeting.id == meeting_id, Meeting.status == meeting.status)
            .values(
                status="closed",
                closed_at=now,
                join_code=None,
                speaker_attendance_id=None,  # nobody has the floor on a closed Friday
                live_revision=Meeting.live_revision + 1,
            )
        ).rowcount
        if changed != 1:
            raise Conflict(
                _l("La réunion vient de changer d’état ; rechargez la page."), code="stale"
            )
        carried = items.carry_unfinished(c, actor, meeting_id, meeting_row(next_day), now)
        rounds.close_open_rounds(meeting_id, now)
        floor.lower_all_hands(meeting_id, now)
        meeting = get_meeting(meeting_id)
        db.session.refresh(meeting)
        c.trace(
            actor,
            "meeting_closed",
            meeting,
            meeting=meeting,
            date=meeting.scheduled_for.isoformat(),
            carried=carried,
        )
        session.publish_status(c, meeting)
    return meeting
