"""Roles of the day (facilitation, scribe, timekeeper) and attendance."""

from datetime import datetime

from sqlalchemy import func, select

from ..errors import NotFound, ServiceError
from ..extensions import db
from ..i18n import _l
from ..models import (
    DAY_ROLES,
    Attendance,
    Meeting,
    MeetingRole,
    Member,
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


def set_attendance(actor, meeting_id, member_id, status):
    """Mark a member present or excused (or unknown, with status None)."""
    meeting = get_meeting(meeting_id)
    require_console(actor, meeting)
    require_not_closed(meeting)
    if status not in ("present", "excused", None):
        raise ServiceError(_l("État de présence inconnu."), code="invalid_field")
    member = db.session.get(Member, member_id)
    if member is None:
        raise NotFound(_l("Ce membre n’existe pas."))
    with change() as c:
        row = db.session.scalar(
            select(Attendance).where(
                Attendance.meeting_id == meeting_id, Attendance.member_id == member_id
            )
        )
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
