"""Who takes part in a live meeting: a signed-in member, or a guest who joined with the code."""

from dataclasses import dataclass

from flask import session
from sqlalchemy import select

from ..extensions import db
from ..models import Attendance, Meeting

GUEST_KEY = "guest"


@dataclass
class Guest:
    """A guest of one live meeting (first name only), known from their session."""

    attendance_id: int
    meeting_id: int
    name: str
    is_authenticated = False
    is_active = True
    id = None
    role = "guest"


def current_guest():
    """The guest of the current session, while their meeting is still live; else None."""
    data = session.get(GUEST_KEY)
    if not isinstance(data, dict):
        return None
    attendance = db.session.get(Attendance, data.get("attendance_id"))
    if attendance is None or attendance.meeting_id != data.get("meeting_id"):
        return None
    meeting = db.session.get(Meeting, attendance.meeting_id)
    if meeting is None or meeting.status != "live":
        return None
    return Guest(attendance.id, attendance.meeting_id, attendance.guest_name)


def remember_guest(attendance):
    session[GUEST_KEY] = {"attendance_id": attendance.id, "meeting_id": attendance.meeting_id}
    session.permanent = False


def attendance_of(actor, meeting_id, create=True):
    """The attendance row of a member or guest at a meeting (a member who acts is present)."""
    if isinstance(actor, Guest):
        if actor.meeting_id != meeting_id:
            return None
        return db.session.get(Attendance, actor.attendance_id)
    row = db.session.scalar(select(Attendance).where(
        Attendance.meeting_id == meeting_id, Attendance.member_id == actor.id))
    if row is None and create:
        row = Attendance(meeting_id=meeting_id, member_id=actor.id, status="present")
        db.session.add(row)
        db.session.flush()
    elif row is not None and create and row.status != "present":
        row.status = "present"
    return row
