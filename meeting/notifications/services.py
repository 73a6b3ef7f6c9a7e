"""In-app notifications: what a member is told (their proposal moved…), read on `/notifications`.

A notification is a kind and ids; its sentence is written when it is read, in the reader's
language (so a renamed proposal or a pseudonymised person reads right). Each new one is told
live to the member's own room (`notifications_changed`, the unread count), nobody else's.
"""

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from .. import permissions, realtime
from ..errors import require
from ..extensions import db
from ..i18n import _, ngettext
from ..labels import PROPOSAL_STATUS_LABELS
from ..models import Notification
from ..models.base import utcnow
from ..pipeline import change

KINDS = ("proposal_step",)
PAGE_SIZE = 100


def _add(c, member_id, kind, proposal_id=None, event_id=None, data=None):
    if kind not in KINDS:
        raise ValueError(kind)
    row = Notification(
        member_id=member_id,
        kind=kind,
        proposal_id=proposal_id,
        event_id=event_id,
        data=dict(data or {}),
    )
    db.session.add(row)
    c.publish(
        "notifications_changed",
        lambda: count_fact(member_id),
        room=realtime.member_room(member_id),
    )
    return row


def notify(c, member_id, kind, proposal_id=None, event_id=None, data=None):
    """Tell a member something in the app: inside the open change `c`, or (c=None) in a change
    of its own (after-commit work). The member's own pages hear it live."""
    if c is not None:
        return _add(c, member_id, kind, proposal_id, event_id, data)
    with change() as own:
        row = _add(own, member_id, kind, proposal_id, event_id, data)
    return row


def unread_count(member):
    """How many notifications the member has not read (0 for anyone else)."""
    if not permissions.is_member(member):
        return 0
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.member_id == member.id, Notification.read_at.is_(None)
        )
    )


def unread_label(count):
    return ngettext("%(num)s notification non lue", "%(num)s notifications non lues", count)


def count_fact(member_id):
    from ..models import Member

    count = unread_count(db.session.get(Member, member_id))
    return {"unread": count, "label": unread_label(count)}


def for_member(actor):
    """The member's notifications, newest first (the last PAGE_SIZE)."""
    require(permissions.is_member(actor))
    return db.session.scalars(
        select(Notification)
        .where(Notification.member_id == actor.id)
        .options(selectinload(Notification.proposal), selectinload(Notification.event))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(PAGE_SIZE)
    ).all()


def sentence(notification):
    """What a notification says, in the reader's language."""
    data = notification.data or {}
    proposal = notification.proposal
    title = proposal.title if proposal is not None else _("une proposition retirée")
    if notification.kind == "proposal_step":
        to = data.get("to_status")
        if to and to != data.get("from_status"):
            return _(
                "Votre proposition « %(title)s » est maintenant %(status)s.",
                title=title,
                status=str(PROPOSAL_STATUS_LABELS.get(to, to)),
            )
        return _("Du nouveau pour votre proposition « %(title)s ».", title=title)
    return _("Du nouveau.")


def mark_all_read(actor):
    """Mark every notification of the member as read; returns how many were unread."""
    require(permissions.is_member(actor))
    with change() as c:
        count = db.session.execute(
            update(Notification)
            .where(Notification.member_id == actor.id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
        ).rowcount
        # Not traced: reading one's own notifications is no change to the place.
        c.publish(
            "notifications_changed",
            lambda: count_fact(actor.id),
            room=realtime.member_room(actor.id),
        )
    return count
