"""The place's calendar as iCalendar (RFC 5545), built with the `icalendar` library: the public
feed, a member's personal feed (members-only events too) and one event's `.ics`.

Times: an `Event`'s `starts_at` / `ends_at` are Europe/Paris wall times; they are written
`DTSTART;TZID=Europe/Paris` with the zone's VTIMEZONE (`add_missing_timezones`), so a monthly
18:30 stays 18:30 across the daylight-saving changes. Stored instants (`created_at`,
`updated_at`) are naive UTC and written in UTC. Escaping (`,` `;` `\\n`) and line folding are
the library's; control characters other than a line break are removed first (they are not
allowed in iCalendar text and some readers stop at them).

No METHOD is written (a published feed, not an invitation): DTSTAMP is then, per RFC 5545, the
time the event was last revised, so the same events give the same bytes (and ETag).
"""

import re
import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from werkzeug.routing import BuildError

from .. import labels
from ..i18n import _
from ..models.base import utcnow
from ..realtime import request_links

CONTENT_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//Le 97//Vendredi//FR"
# Clients that honour them poll once an hour (Nextcloud would otherwise keep a week).
REFRESH = timedelta(hours=1)
# Past events kept in a feed: a year of history, then they leave the subscribed calendars.
HISTORY = timedelta(days=366)

# C0 and C1 controls and DEL, except the line feed (a line break the library escapes as \n).
_CONTROLS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def _icalendar():
    """The icalendar library, imported the first time a feed or an event's file is built."""
    import icalendar

    return icalendar


def place_zone():
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Paris")


def clean_text(value):
    """Plain text safe for an iCalendar TEXT value: line breaks as `\\n`, no control
    characters (a tab becomes a space)."""
    if not value:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _CONTROLS.sub("", text).strip()


def place_text(event):
    """The event's place in French: 'La maison, 97 rue Battant — salle du haut'."""
    label = str(labels.PLACE_LABELS.get(event.place, event.place or ""))
    detail = clean_text(event.place_detail)
    if not detail:
        return label
    if event.place == "elsewhere":
        return detail
    return f"{label} — {detail}"


def page_url(endpoint, **values):
    """The absolute address of a page of the app, at the place's public address; None while
    that page does not exist (the calendar's pages are another feature's)."""
    try:
        with request_links():
            return url_for(endpoint, _external=True, **values)
    except BuildError:
        return None


def event_url(event):
    """The absolute address of the event's page (`calendar.show`)."""
    return page_url("calendar.show", event_id=event.id)


def _utc(moment):
    # iCalendar has whole seconds.
    return moment.replace(tzinfo=UTC, microsecond=0) if moment is not None else None


def _recurrence(event, zone):
    """The event's RRULE as a vRecur; an UNTIL written as a wall time (or a day) becomes the
    UTC instant RFC 5545 requires with a DTSTART that has a TZID."""
    rule = _icalendar().vRecur.from_ical(event.rrule)
    until = rule.get("UNTIL")
    if until:
        value = until[0]
        if not isinstance(value, datetime):  # a day: up to its last minute, wall time
            value = datetime.combine(value, time(23, 59, 59))
        if value.tzinfo is None:
            value = value.replace(tzinfo=zone)
        rule["UNTIL"] = [value.astimezone(UTC)]
    return rule


def event_component(event):
    """One VEVENT (with RRULE and EXDATE for a series)."""
    zone = place_zone()
    cancelled = event.status == "cancelled"
    description = clean_text(event.description)
    if cancelled:
        reason = clean_text(event.cancel_reason)
        heading = (
            _("Annulé : %(reason)s", reason=reason) if reason else _("Cet évènement est annulé.")
        )
        description = f"{heading}\n\n{description}" if description else heading
    component = _icalendar().Event.new(
        uid=event.uid,
        summary=clean_text(event.title),
        start=event.starts_at.replace(tzinfo=zone),
        end=event.ends_at.replace(tzinfo=zone),
        sequence=event.sequence or 0,
        stamp=_utc(event.updated_at or event.created_at),
        created=_utc(event.created_at),
        last_modified=_utc(event.updated_at or event.created_at),
        status="CANCELLED" if cancelled else "CONFIRMED",
        location=place_text(event) or None,
        description=description or None,
    )
    url = event_url(event)
    if url:
        component.add("url", url)
    if event.visibility == "members":
        # Shared calendars (a family's, a team's) show it busy, not its title.
        component.add("class", "CONFIDENTIAL")
    if event.rrule:
        component.add("rrule", _recurrence(event, zone))
        skipped = [
            exception.occurrence_start.replace(tzinfo=zone) for exception in event.exceptions
        ]
        if skipped:
            component.add("exdate", skipped)
    return component


def _zone_range(events):
    """The years the VTIMEZONE must describe: the events' span, and ten years on for series
    without an end."""
    today = utcnow().date()
    first = min([e.starts_at.date() for e in events], default=today)
    last = max([e.ends_at.date() for e in events], default=today)
    return date(first.year - 1, 1, 1), date(max(last.year, today.year + 10) + 1, 1, 1)


def build_calendar(events, name, key):
    """A VCALENDAR holding `events`, named `name` (X-WR-CALNAME), with refresh hints and the
    place's VTIMEZONE; `key` makes its UID stable ("public", "members")."""
    zone_name = str(place_zone())
    icalendar = _icalendar()
    calendar = icalendar.Calendar.new(
        name=name,
        prodid=PRODID,
        uid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"vendredi:agenda:{key}")),
    )
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-timezone", zone_name)
    # RFC 7986 wants the VALUE parameter on REFRESH-INTERVAL (`refresh_interval` omits it).
    calendar.add("refresh-interval", icalendar.vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", icalendar.vDuration(REFRESH))
    # The place's VTIMEZONE first (before the events that name it), even in an empty feed.
    first, last = _zone_range(events)
    calendar.add_component(
        icalendar.Timezone.from_tzid(zone_name, first_date=first, last_date=last)
    )
    for event in events:
        calendar.add_component(event_component(event))
    calendar.add_missing_timezones(first_date=first, last_date=last)  # none, unless one was named
    return calendar


def feed_events(include_members):
    """The events a feed holds: every visible one (cancelled too: subscribed calendars then
    remove them) that ended less than a year ago, and every series."""
    from ..extensions import db
    from . import read

    now = datetime.now(place_zone()).replace(tzinfo=None)
    return db.session.scalars(read.events_query(include_members, start=now - HISTORY)).all()


# Built feeds, by what they depend on (see `_feed_state`): calendar applications poll every
# hour and building a year of events with icalendar takes a few hundred milliseconds, while
# the state is one cheap query. Per process, the last few states only.
_FEEDS = {}
_FEEDS_KEPT = 8


def _feed_state(include_members):
    """What a feed's bytes depend on: its audience, the newest change of an event or a skipped
    date (every change of an event sets `updated_at`), how many there are (a row removed),
    the day (events older than a year leave), the language and the address links are built
    from."""
    from flask import request
    from flask_babel import get_locale
    from sqlalchemy import func, select

    from ..extensions import db
    from ..models import Event, EventException

    events = db.session.execute(select(func.max(Event.updated_at), func.count(Event.id))).one()
    skipped = db.session.execute(
        select(func.max(EventException.id), func.count(EventException.id))
    ).one()
    return (
        include_members,
        tuple(events),
        tuple(skipped),
        datetime.now(place_zone()).date(),
        str(get_locale()),
        current_app.config.get("PUBLIC_URL") or request.host_url,
    )


def _cached_feed(include_members, build):
    state = _feed_state(include_members)
    body = _FEEDS.get(state)
    if body is None:
        body = build()
        if len(_FEEDS) >= _FEEDS_KEPT:
            _FEEDS.pop(next(iter(_FEEDS)))
        _FEEDS[state] = body
    return body


def public_feed():
    """The bytes of `/agenda.ics`: public events only."""
    name = _("%(place)s — agenda", place=_("Le 97"))
    return _cached_feed(False, lambda: build_calendar(feed_events(False), name, "public").to_ical())


def member_feed():
    """The bytes of a member's personal feed: public and members-only events."""
    name = _("%(place)s — agenda des membres", place=_("Le 97"))
    return _cached_feed(True, lambda: build_calendar(feed_events(True), name, "members").to_ical())


def single_event(event):
    """The bytes of one event's `.ics`."""
    name = _("%(place)s — agenda", place=_("Le 97"))
    return build_calendar([event], name, f"event:{event.uid}").to_ical()


def filename_for(event):
    """'le97-<id>.ics': ASCII, whatever the title."""
    return f"le97-evenement-{event.id}.ics"
