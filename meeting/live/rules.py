"""Shared rules of the live meeting: who may drive it, in which phase, and the revision
every live change moves on (compare-and-set against two consoles at once)."""

from sqlalchemy import func, select, update

from .. import permissions
from ..errors import Conflict, NotFound, ServiceError, require
from ..extensions import db
from ..i18n import _l
from ..models import (
    AgendaItem,
    Meeting,
)

DEFAULT_TIMEBOX = 10


MAX_TIMEBOX = 180


def bump_revision(meeting_id, seen=None, agenda=False):
    """Move the live revision on (compare-and-set when `seen` is given)."""
    query = update(Meeting).where(Meeting.id == meeting_id)
    if seen is not None:
        column = Meeting.agenda_revision if agenda else Meeting.live_revision
        query = query.where(column == seen)
    values = {"live_revision": Meeting.live_revision + 1}
    if agenda:
        values["agenda_revision"] = Meeting.agenda_revision + 1
    if db.session.execute(query.values(**values)).rowcount != 1:
        if agenda:
            raise Conflict(
                _l(
                    "L’ordre du jour vient d’être modifié par quelqu’un d’autre ; il "
                    "est à jour, recommencez."
                ),
                code="stale",
            )
        raise Conflict(
            _l("La réunion vient d’avancer depuis un autre écran ; tout est à jour."), code="stale"
        )


def require_console(actor, meeting):
    require(
        permissions.can_run_live(actor, meeting),
        _l("Seule l’animation de la réunion peut faire cela."),
    )


def require_not_closed(meeting):
    if meeting.status == "closed":
        raise Conflict(_l("Cette réunion est close."), code="meeting_closed")


def require_live(meeting):
    if meeting.status != "live":
        raise Conflict(_l("La réunion n’a pas commencé (ou elle est close)."), code="not_live")


def require_participant(actor, meeting):
    require(permissions.can_follow_live(actor, meeting))
    require_live(meeting)


def get_item(item_id, meeting_id=None):
    item = db.session.get(AgendaItem, item_id)
    if item is None or (meeting_id is not None and item.meeting_id != meeting_id):
        raise NotFound(_l("Ce point de l’ordre du jour n’existe pas."))
    return item


def next_position(meeting_id):
    return (
        db.session.scalar(
            select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting_id)
        )
        or 0
    ) + 1


def make_current(item, now):
    item.status = "current"
    item.started_at = item.started_at or now
    item.timer_started_at = now


def pause_timer(item, now):
    if item.timer_started_at is not None:
        item.elapsed_seconds += int((now - item.timer_started_at).total_seconds())
        item.timer_started_at = None


def clean_timebox(value):
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        raise ServiceError(
            _l("La durée prévue doit être un nombre de minutes."), code="invalid_field"
        ) from None
    if not 1 <= minutes <= MAX_TIMEBOX:
        raise ServiceError(
            _l("La durée prévue doit être entre 1 et %(n)s minutes.", n=MAX_TIMEBOX),
            code="invalid_field",
        )
    return minutes
