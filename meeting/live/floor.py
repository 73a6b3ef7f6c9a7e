"""The speaker queue: hands raised from phones, the floor given from the console."""

from sqlalchemy import select, update

from ..errors import Conflict
from ..extensions import db
from ..i18n import _l
from ..models import (
    HandRaise,
    Meeting,
)
from ..models.base import utcnow
from ..pipeline import change
from .guests import attendance_of
from .rules import bump_revision, require_console, require_live, require_participant
from .state import get_meeting, publish_live


def raise_hand(actor, meeting_id):
    """Join the speaker queue (a hand already raised stays as it is: sent twice, counted once)."""
    meeting = get_meeting(meeting_id)
    require_participant(actor, meeting)
    with change() as c:
        who = attendance_of(actor, meeting_id)
        hand = db.session.scalar(
            select(HandRaise).where(
                HandRaise.meeting_id == meeting_id,
                HandRaise.attendance_id == who.id,
                HandRaise.lowered_at.is_(None),
            )
        )
        if hand is None:
            hand = HandRaise(meeting_id=meeting_id, attendance_id=who.id, raised_at=utcnow())
            db.session.add(hand)
            bump_revision(meeting_id)
            publish_live(c, meeting_id, regions=("queue",))
    return hand


def lower_hand(actor, meeting_id):
    meeting = get_meeting(meeting_id)
    require_participant(actor, meeting)
    with change() as c:
        who = attendance_of(actor, meeting_id)
        lowered = db.session.execute(
            update(HandRaise)
            .where(
                HandRaise.meeting_id == meeting_id,
                HandRaise.attendance_id == who.id,
                HandRaise.lowered_at.is_(None),
            )
            .values(lowered_at=utcnow())
        ).rowcount
        if lowered:
            bump_revision(meeting_id)
            publish_live(c, meeting_id, regions=("queue",))
    return bool(lowered)


def give_floor(actor, meeting_id, hand_id):
    """Give the floor to the first (or a chosen) raised hand."""
    meeting = get_meeting(meeting_id)
    require_console(actor, meeting)
    require_live(meeting)
    hand = db.session.get(HandRaise, hand_id)
    if hand is None or hand.meeting_id != meeting_id or hand.lowered_at is not None:
        raise Conflict(_l("Cette main n’est plus levée."), code="hand_lowered")
    now = utcnow()
    with change() as c:
        changed = db.session.execute(
            update(HandRaise)
            .where(HandRaise.id == hand_id, HandRaise.lowered_at.is_(None))
            .values(lowered_at=now, given_floor_at=now)
        ).rowcount
        if changed != 1:
            raise Conflict(_l("Cette main n’est plus levée."), code="hand_lowered")
        db.session.execute(
            update(Meeting)
            .where(Meeting.id == meeting_id)
            .values(speaker_attendance_id=hand.attendance_id)
        )
        bump_revision(meeting_id)
        publish_live(c, meeting_id, regions=("queue",))


def lower_all_hands(meeting_id, now):
    """Inside the closing change: every hand still raised is lowered."""
    db.session.execute(
        update(HandRaise)
        .where(HandRaise.meeting_id == meeting_id, HandRaise.lowered_at.is_(None))
        .values(lowered_at=now)
    )
