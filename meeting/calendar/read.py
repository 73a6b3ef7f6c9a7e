"""Reading the calendar: which events an audience may see, and their occurrences in a span of
time (a recurring event expanded from its RRULE, skipped occurrences left out).

Times are Europe/Paris wall times (naive), as stored in `Event.starts_at` / `ends_at`.
"""

from dataclasses import dataclass
from datetime import datetime

from dateutil.rrule import rrulestr
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Event

# Never expand a series further than this many occurrences in one read.
MAX_OCCURRENCES = 500


@dataclass(frozen=True)
class Occurrence:
    event: Event
    starts_at: datetime  # wall time, Europe/Paris
    ends_at: datetime

    @property
    def cancelled(self):
        return self.event.status == "cancelled"


def visibilities(include_members):
    """The visibilities an audience reads: members see members-only events too."""
    return ("public", "members") if include_members else ("public",)


def events_query(include_members, start=None, end=None, include_cancelled=True):
    """The events that may have an occurrence in [start, end) for this audience."""
    query = (
        select(Event)
        .where(Event.visibility.in_(visibilities(include_members)))
        .options(selectinload(Event.exceptions))
        .order_by(Event.starts_at, Event.id)
    )
    if not include_cancelled:
        query = query.where(Event.status == "confirmed")
    if end is not None:
        query = query.where(Event.starts_at < end)
    if start is not None:  # a series may start long before the span
        query = query.where(or_(Event.ends_at > start, Event.rrule.is_not(None)))
    return query


def series_starts(event, start=None, end=None):
    """The wall-time starts of an event's occurrences (one for a one-off event) that overlap
    [start, end), skipped ones left out."""
    duration = event.ends_at - event.starts_at
    if not event.rrule:
        starts = [event.starts_at]
    else:
        rule = rrulestr(event.rrule, dtstart=event.starts_at)
        if start is not None and end is not None:
            starts = rule.between(start - duration, end, inc=True)
        else:
            starts = []
            for n, moment in enumerate(rule):
                if n >= MAX_OCCURRENCES or (end is not None and moment >= end):
                    break
                starts.append(moment)
    skipped = {exception.occurrence_start for exception in event.exceptions}
    return [
        moment
        for moment in starts[:MAX_OCCURRENCES]
        if moment not in skipped
        and (start is None or moment + duration > start)
        and (end is None or moment < end)
    ]


def occurrences(events, start=None, end=None):
    """Every occurrence of these events in [start, end), in time order."""
    found = []
    for event in events:
        duration = event.ends_at - event.starts_at
        for moment in series_starts(event, start, end):
            found.append(Occurrence(event, moment, moment + duration))
    found.sort(key=lambda o: (o.starts_at, o.event.id))
    return found


def between(start, end, include_members, include_cancelled=True):
    """The occurrences an audience sees in [start, end)."""
    events = db.session.scalars(events_query(include_members, start, end, include_cancelled)).all()
    return occurrences(events, start, end)


def upcoming(now, include_members, limit=20, horizon_days=366):
    """The next occurrences (not cancelled) from `now` (a wall time), at most `limit`."""
    from datetime import timedelta

    found = between(now, now + timedelta(days=horizon_days), include_members, False)
    return found[:limit]
