"""Roles of the day (facilitation, scribe, timekeeper) and attendance."""

from datetime import datetime

from flask import render_template
from sqlalchemy import func, select

from .. import realtime
from ..errors import Conflict, NotFound, ServiceError
from ..extensions import db, socketio
from ..i18n import _l
from ..models import (
    DAY_ROLES,
    Attendance,
    Decision,
    HandRaise,
    Meeting,
    MeetingRole,
    Member,
    RoundAnswer,
)
from ..pipeline import change
from .rules import bump_revision, require_console, require_not_closed
from .state import get_meeting, publish_live


def rotation_suggestions(meeting_id):
    """For each role, the active member who has held it least recently (never, first)."""
    members = db.session.scalars(
        select(Member).where(Member.deactivated_at.is_(None)).order_by(Member.display_name)
    ).all()
    suggestions = {}
    for role in DAY_ROLES:
        last_held = dict(
            db.session.execute(
                select(MeetingRole.member_id, func.max(Meeting.scheduled_for))
                .join(Meeting, Meeting.id == MeetingRole.meeting_id)
                .where(MeetingRole.role == role, MeetingRole.meeting_id != meeting_id)
                .group_by(MeetingRole.member_id)
            ).all()
        )
        ranked = sorted(
            members,
            key=lambda m: (
                last_held.get(m.id) is not None,
                last_held.get(m.id) or datetime.min.date(),
                m.display_name.lower(),
            ),
        )
        # One person, one role: skip whoever is already suggested for another role.
        taken = {m.id for m in suggestions.values() if m is not None}
        free = [m for m in ranked if m.id not in taken] or ranked
        suggestions[role] = free[0] if free else None
    return suggestions


def assign_role(actor, meeting_id, role, member_id):
    meeting = get_meeting(meeting_id)
    require_console(actor, meeting)
    require_not_closed(meeting)
    if role not in DAY_ROLES:
        raise ServiceError(_l("Ce rôle n’existe pas."), code="invalid_field")
    member = db.session.get(Member, member_id) if member_id else None
    if member is None or not member.is_active:
        raise ServiceError(_l("Choisissez une personne."), code="invalid_field")
    with change() as c:
        row = db.session.scalar(
            select(MeetingRole).where(
                MeetingRole.meeting_id == meeting_id, MeetingRole.role == role
            )
        )
        if row is None:
            db.session.add(MeetingRole(meeting_id=meeting_id, role=role, member_id=member.id))
        else:
            row.member_id = member.id
        bump_revision(meeting_id)
        c.trace(
            actor,
            "role_assigned",
            meeting,
            meeting=meeting,
            member_id=member.id,
            role=role,
            date=meeting.scheduled_for.isoformat(),
        )
        publish_live(c, meeting_id, regions=("status",))


def _counted_somewhere(row):
    """The attendance row is referred to: by a decision's present list, an answer, a hand."""
    if row.id is None:
        return False
    for model in (RoundAnswer, HandRaise):
        if db.session.scalar(select(model.id).where(model.attendance_id == row.id).limit(1)):
            return True
    decisions = db.session.scalars(
        select(Decision.present).where(Decision.meeting_id == row.meeting_id)
    ).all()
    return any(row.id in (present or []) for present in decisions)


def set_attendance(actor, meeting_id, member_id, status):
    """Mark a member present or excused (or not said, with status None: refused once the
    presence counts in a decision, a round or the speaker queue, whose rows refer to it)."""
    meeting = get_meeting(meeting_id)
    require_console(actor, meeting)
    require_not_closed(meeting)
    if status not in ("present", "excused", None):
        raise ServiceError(_l("État de présence inconnu."), code="invalid_field")
    member = db.session.get(Member, member_id)
    if member is None:
        raise NotFound(_l("Ce membre n’existe pas."))
    row = db.session.scalar(
        select(Attendance).where(
            Attendance.meeting_id == meeting_id, Attendance.member_id == member_id
        )
    )
    if status is None and row is not None and _counted_somewhere(row):
        raise Conflict(
            _l(
                "La présence de %(name)s compte déjà dans une décision, un tour ou la file de "
                "parole : elle reste indiquée (choisissez « Excusé·e » en cas de départ).",
                name=member.display_name,
            ),
            code="attendance_counted",
        )
    row_id = row.id if row is not None else None
    with change() as c:
        row = db.session.get(Attendance, row_id) if row_id else None
        if status is None:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(Attendance(meeting_id=meeting_id, member_id=member_id, status=status))
        else:
            row.status = status
        bump_revision(meeting_id)
        c.trace(
            actor,
            "attendance_set",
            meeting,
            meeting=meeting,
            member_id=member.id,
            status=status,
            date=meeting.scheduled_for.isoformat(),
        )
        publish_live(c, meeting_id, regions=("status",))


def mark_present(actor, meeting_id, member_ids=None):
    """Mark present, in one change and one trace, every active member not yet said (no
    `member_ids`: "Tout le monde est là"; else only those, e.g. the phones that follow). Those
    already present or excused keep their state. Return how many were marked."""
    meeting = get_meeting(meeting_id)
    require_console(actor, meeting)
    require_not_closed(meeting)
    query = select(Member).where(Member.deactivated_at.is_(None))
    if member_ids is not None:
        query = query.where(Member.id.in_(member_ids))
    said = set(
        db.session.scalars(
            select(Attendance.member_id).where(
                Attendance.meeting_id == meeting_id, Attendance.member_id.is_not(None)
            )
        )
    )
    marked = [m.id for m in db.session.scalars(query.order_by(Member.id)) if m.id not in said]
    if not marked:
        raise Conflict(
            _l("Chaque personne a déjà sa présence indiquée : rien à changer."),
            code="nothing_to_mark",
        )
    with change() as c:
        for member_id in marked:
            db.session.add(Attendance(meeting_id=meeting_id, member_id=member_id, status="present"))
        bump_revision(meeting_id)
        c.trace(
            actor,
            "attendance_marked_present",
            meeting,
            meeting=meeting,
            member_ids=marked,
            count=len(marked),
            date=meeting.scheduled_for.isoformat(),
        )
        publish_live(c, meeting_id, regions=("status",))
    return len(marked)


def phone_followers(meeting_id):
    """The members whose phone follows this Friday's live page now (their socket is in the
    phone room; like the document's presence, what this process's sockets say), by name."""
    server = socketio.server
    if meeting_id is None or server is None:
        return []
    sids = [
        sid
        for sid, _eio in server.manager.get_participants(
            realtime.NAMESPACE, realtime.live_room(meeting_id, "phone")
        )
    ]
    if not sids:
        return []
    rooms = set()
    for sid in sids:
        rooms.update(server.rooms(sid, namespace=realtime.NAMESPACE))
    members = db.session.scalars(
        select(Member).where(Member.deactivated_at.is_(None)).order_by(Member.display_name)
    ).all()
    return [m for m in members if realtime.member_room(m.id) in rooms]


# A member's phone joining proposes them as present on the consoles; phones arriving together
# (a room sitting down) make one fact per this delay, not one per phone.
FOLLOWERS_DELAY = 0.5


def unrecorded_followers(meeting_id):
    """The members following on their phone whose presence is not yet recorded."""
    said = {
        a.member_id
        for a in db.session.scalars(select(Attendance).where(Attendance.meeting_id == meeting_id))
        if a.member_id
    }
    return [m for m in phone_followers(meeting_id) if m.id not in said]


def publish_followers(meeting_id):
    """After a member's phone joined: the consoles get the fresh "suivent sur leur téléphone"
    proposal (`followers_changed`, the console's own room only: names are for the console)."""

    def build():
        meeting = get_meeting(meeting_id)
        if meeting.status == "closed":
            return []
        html = render_template(
            "live/_followers.html",
            meeting=meeting,
            followers=unrecorded_followers(meeting_id),
            fe=None,
            csrf_token=lambda: "",  # the console's script puts its own token in
        )
        fact = {"meeting_id": meeting_id, "html": html}
        return [("followers_changed", fact, realtime.live_room(meeting_id, "console"))]

    realtime.publish_soon(("followers", meeting_id), build, FOLLOWERS_DELAY)
