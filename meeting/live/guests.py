"""Who takes part in a live meeting: a signed-in member, or a guest who joined with the code
shown on the screen (first name only, counted apart, listed in attendance)."""

from dataclasses import dataclass

from flask import session
from sqlalchemy import select

from ..errors import ServiceError
from ..extensions import db
from ..i18n import _l
from ..models import Attendance, Meeting
from ..pipeline import change

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


def _remembered_attendance():
    data = session.get(GUEST_KEY)
    if not isinstance(data, dict):
        return None
    attendance = db.session.get(Attendance, data.get("attendance_id"))
    if attendance is None or attendance.meeting_id != data.get("meeting_id"):
        return None
    return attendance


def _remembered(status):
    """(attendance, meeting) of this session's guest when their meeting has `status`, else
    (None, None)."""
    attendance = _remembered_attendance()
    if attendance is None:
        return None, None
    meeting = db.session.get(Meeting, attendance.meeting_id)
    if meeting is None or meeting.status != status:
        return None, None
    return attendance, meeting


def current_guest():
    """The guest of the current session, while their meeting is still live; else None.

    Only a live meeting's guest acts (answers, hands): once it is closed the session no longer
    names an actor, though `closed_guest_meeting` still tells the page what the guest followed."""
    attendance, _meeting = _remembered("live")
    if attendance is None:
        return None
    return Guest(attendance.id, attendance.meeting_id, attendance.guest_name)


def closed_guest_meeting():
    """The closed meeting this session's guest followed (reloading after the close, or opening
    the page late), else None: their phone shows that it is closed and what was decided."""
    return _remembered("closed")[1]


def remember_guest(attendance):
    session[GUEST_KEY] = {"attendance_id": attendance.id, "meeting_id": attendance.meeting_id}
    session.permanent = False


def attendance_of(actor, meeting_id, create=True):
    """The attendance row of a member or guest at a meeting (a member who acts is present)."""
    if isinstance(actor, Guest):
        if actor.meeting_id != meeting_id:
            return None
        return db.session.get(Attendance, actor.attendance_id)
    row = db.session.scalar(
        select(Attendance).where(
            Attendance.meeting_id == meeting_id, Attendance.member_id == actor.id
        )
    )
    if row is None and create:
        row = Attendance(meeting_id=meeting_id, member_id=actor.id, status="present")
        db.session.add(row)
        db.session.flush()
    elif row is not None and create and row.status != "present":
        row.status = "present"
    return row


def join_as_guest(code, first_name):
    """Let someone at the door follow the live meeting with the code shown on the screen."""
    from .rules import bump_revision
    from .state import publish_live

    code = "".join((code or "").split()).upper()
    name = " ".join((first_name or "").split())
    if not name:
        raise ServiceError(_l("Indiquez votre prénom."), code="missing_name")
    if len(name) > 40:
        raise ServiceError(
            _l("Le prénom ne doit pas dépasser 40 caractères."), code="invalid_field"
        )
    meeting = (
        db.session.scalar(
            select(Meeting).where(Meeting.join_code == code, Meeting.status == "live")
        )
        if code
        else None
    )
    if meeting is None:
        raise ServiceError(
            _l(
                "Ce code ne correspond à aucune réunion en cours. Vérifiez le code "
                "affiché à l’écran."
            ),
            code="bad_code",
            status=400,
        )
    with change() as c:
        row = Attendance(meeting_id=meeting.id, guest_name=name, status="present")
        db.session.add(row)
        bump_revision(meeting.id)
        db.session.flush()  # the trace names the guest by their attendance row
        c.trace(None, "guest_joined", meeting, meeting=meeting, attendance_id=row.id)
        publish_live(c, meeting.id, regions=("status",))
    return row
