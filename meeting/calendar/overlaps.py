"""Events that would share a space at the same time: warned about, allowed on confirmation."""

from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..errors import Conflict
from ..extensions import db
from ..i18n import _, ngettext
from ..models import Event
from . import read
from .wording import day_phrase, place_phrase, time_range

# How far ahead an endless series is compared with the others.
HORIZON = timedelta(days=366)
SHOWN = 3


def _planned(cleaned):
    """The occurrences the cleaned values would give (a series expanded up to a year ahead)."""
    draft = SimpleNamespace(
        id=0,
        starts_at=cleaned["starts_at"],
        ends_at=cleaned["ends_at"],
        rrule=cleaned.get("rrule"),
        exceptions=cleaned.get("exceptions", ()),
    )
    start = cleaned["starts_at"]
    return (
        read.occurrences([draft], start, start + HORIZON)
        if draft.rrule
        else [read.Occurrence(draft, draft.starts_at, draft.ends_at)]
    )


def find_overlaps(cleaned, exclude_event_id=None):
    """The occurrences of confirmed events in the same space that overlap the cleaned event's
    (the same place; for "elsewhere" the same place detail, whatever its case)."""
    planned = _planned(cleaned)
    if not planned:
        return []
    span_start, span_end = planned[0].starts_at, max(o.ends_at for o in planned)
    query = (
        select(Event)
        .where(Event.status == "confirmed", Event.place == cleaned["place"])
        .where(Event.starts_at < span_end)
        .options(selectinload(Event.exceptions))
    )
    if cleaned["place"] == "elsewhere":
        detail = (cleaned.get("place_detail") or "").strip().lower()
        query = query.where(func.lower(func.trim(Event.place_detail)) == detail)
    if exclude_event_id is not None:
        query = query.where(Event.id != exclude_event_id)
    others = read.occurrences(db.session.scalars(query).all(), span_start, span_end)
    found = []
    for other in others:
        if any(o.starts_at < other.ends_at and other.starts_at < o.ends_at for o in planned):
            found.append(other)
    return found


def describe(occurrence):
    """'« Atelier maraîchage » le samedi 5 décembre, 10 h 00 – 12 h 00, au Jardin du Ravelin'"""
    event = occurrence.event
    return _(
        "« %(title)s » le %(day)s, %(times)s, %(place)s",
        title=event.title,
        day=day_phrase(occurrence.starts_at, year=False),
        times=time_range(occurrence.starts_at, occurrence.ends_at),
        place=place_phrase(event.place, event.place_detail),
    )


def overlap_error(overlaps):
    """The warning of an overlap (code "overlap"), naming the first ones."""
    shown = "; ".join(describe(o) for o in overlaps[:SHOWN])
    message = _("Chevauche %(what)s.", what=shown)
    rest = len(overlaps) - SHOWN
    if rest > 0:
        message = ngettext(
            "Chevauche %(what)s, et %(num)s autre date.",
            "Chevauche %(what)s, et %(num)s autres dates.",
            rest,
            what=shown,
        )
    return Conflict(message, code="overlap", overlaps=[o.event.id for o in overlaps])
