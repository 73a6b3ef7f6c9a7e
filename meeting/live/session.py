"""The live session: its join code and first point when it opens, advancing, the timer."""

import secrets

from sqlalchemy import update

from .. import permissions, realtime
from ..errors import Conflict, ServiceError, require
from ..extensions import db
from ..i18n import _l
from ..models import (
    Meeting,
)
from ..models.base import utcnow
from ..pipeline import change
from .guests import attendance_of
from .items import ensure_standing_items
from .rules import bump_revision, get_item, make_current, pause_timer, require_console, require_live
from .state import MOVED, agenda_items, current_item, get_meeting, publish_live

JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


JOIN_CODE_LENGTH = 6


def new_join_code():
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def advance(actor, meeting_id, live_revision, direction="next"):
    """Move to the next (or previous) point; two facilitators at once move one step."""
    meeting = get_meeting(meeting_id)
    require_console(actor, meeting)
    require_live(meeting)
    if direction not in ("next", "previous"):
        raise ServiceError(_l("Direction inconnue."), code="invalid_field")
    items = agenda_items(meeting_id)
    current = next((i for i in items if i.status == "current"), None)
    if direction == "next":
        after = items[items.index(current) + 1 :] if current else items
        target = next((i for i in after if i.status == "pending"), None)
        if target is None:
            raise Conflict(
                _l("C’est le dernier point de l’ordre du jour : vous pouvez clore la réunion."),
                code="last_item",
            )
    else:
        before = items[: items.index(current)] if current else items
        target = next((i for i in reversed(before) if i.status == "done"), None)
        if target is None:
            raise Conflict(_l("Il n’y a pas de point précédent."), code="first_item")
    now = utcnow()
    target_id, current_id = target.id, current.id if current else None
    with change() as c:
        bump_revision(meeting_id, seen=live_revision)
        if current_id is not None:
            cur = get_item(current_id)
            pause_timer(cur, now)
            cur.status = "done" if direction == "next" else "pending"
            if direction == "next":
                cur.ended_at = now
        tgt = get_item(target_id)
        tgt.ended_at = None
        make_current(tgt, now)
        db.session.execute(
            update(Meeting).where(Meeting.id == meeting_id).values(speaker_attendance_id=None)
        )
        c.trace(actor, "item_advanced", tgt, meeting=meeting, title=tgt.title, direction=direction)
        # Only these two points changed status: the lists get them alone.
        publish_live(c, meeting_id, regions=MOVED, items=(current_id, target_id))
    return tgt


def control_timer(actor, meeting_id, action):
    """Start, pause or add five minutes to the current point's timer."""
    meeting = get_meeting(meeting_id)
    require(
        permissions.can_keep_time(actor, meeting),
        _l("Seuls l’animation et le ou la gardien·ne du temps règlent le minuteur."),
    )
    require_live(meeting)
    if action not in ("start", "pause", "add5"):
        raise ServiceError(_l("Action de minuteur inconnue."), code="invalid_field")
    item = current_item(meeting_id)
    if item is None:
        raise Conflict(_l("Aucun point n’est en cours."), code="no_current_item")
    now = utcnow()
    with change() as c:
        bump_revision(meeting_id)
        item = get_item(item.id)
        if action == "start" and item.timer_started_at is None:
            item.timer_started_at = now
        elif action == "pause":
            pause_timer(item, now)
        elif action == "add5":
            item.extra_minutes += 5
        publish_live(c, meeting_id, regions=("current",))
    return item


def open_session(actor, meeting, now):
    """Inside the opening change: the standing items, the first point current, the opener
    counted present."""
    ensure_standing_items(meeting)
    db.session.flush()
    first = next((i for i in agenda_items(meeting.id) if i.status == "pending"), None)
    if first is not None:
        make_current(first, now)
    attendance_of(actor, meeting.id)  # whoever starts the meeting is there


def publish_status(c, meeting):
    """After the commit: every page of the Friday learns its new phase, the live views their
    regions."""
    from ..meetings.services import status_fact

    fact = status_fact(meeting)
    for room in realtime.meeting_rooms(meeting.id):
        c.publish("meeting_status_changed", fact, room=room)
    publish_live(c, meeting.id)
