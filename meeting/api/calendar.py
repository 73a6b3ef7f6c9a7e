"""Read routes of the place's calendar: the occurrences of a span of days, and one event.

Anyone reads the public events (as on `/agenda/` and `/agenda.ics`); members also the
members-only ones (`calendar.read.visibilities`). A members-only event asked by someone else is
not revealed: the same 404 as a missing one (`calendar.services.get_event`).
"""

from datetime import datetime, time, timedelta

from flask import Blueprint, url_for

from .. import permissions
from ..calendar import read
from ..calendar import services as calendar
from ..i18n import _l
from ..labels import PLACE_LABELS
from ..meetings import dates
from ..models import EVENT_STATUSES, EVENT_VISIBILITIES, PLACES
from . import reads
from .reads import (
    BOOLEAN,
    DATE,
    DATETIME,
    INTEGER,
    LABELLED,
    STRING,
    array,
    nullable,
    obj,
    one_of,
    operation,
    page_of,
)

bp = Blueprint("calendar", __name__)

DEFAULT_SPAN = timedelta(days=92)
MAX_SPAN_DAYS = 366
NEXT_DATES = 10

OCCURRENCE = obj(
    event_id=INTEGER,
    title=STRING,
    description=nullable(STRING),
    starts_at=DATETIME,  # this occurrence (a series has one per date)
    ends_at=DATETIME,
    place={"enum": list(PLACES)},
    place_label=LABELLED,
    place_detail=nullable(STRING),
    visibility={"enum": list(EVENT_VISIBILITIES)},
    status={"enum": list(EVENT_STATUSES)},
    recurring=BOOLEAN,
    url=STRING,
)
EVENT = obj(
    **{k: v for k, v in OCCURRENCE["properties"].items() if k != "event_id"},
    id=INTEGER,
    uid=STRING,  # the iCalendar UID, stable
    sequence=INTEGER,  # bumped when it moves in time or space
    rrule=nullable(STRING),
    next_dates=array(DATETIME),  # of a series, the next ones
    decision_number=nullable(INTEGER),  # when the reader may read the archive
    proposal_id=nullable(INTEGER),  # members only
    ics_url=STRING,
)


def _event_fields(event, starts_at, ends_at):
    return {
        "title": event.title,
        "description": event.description,
        "starts_at": reads.wall(starts_at),
        "ends_at": reads.wall(ends_at),
        "place": event.place,
        "place_label": str(PLACE_LABELS.get(event.place, event.place)),
        "place_detail": event.place_detail,
        "visibility": event.visibility,
        "status": event.status,
        "recurring": bool(event.rrule),
        "url": url_for("calendar.show", event_id=event.id),
    }


@bp.get("/events")
@operation(
    _l("Les dates de l’agenda du lieu entre deux jours (publiques, et pour les membres)"),
    page_of(OCCURRENCE, start=DATE, end=DATE),
    parameters=(
        {
            "name": "from",
            "in": "query",
            "required": False,
            "description": _l("Premier jour (AAAA-MM-JJ), aujourd’hui par défaut."),
            "schema": {"type": "string", "format": "date"},
        },
        {
            "name": "to",
            "in": "query",
            "required": False,
            "description": _l(
                "Le jour après le dernier (AAAA-MM-JJ) : 92 jours après le premier par défaut, "
                "366 au plus."
            ),
            "schema": {"type": "string", "format": "date"},
        },
    ),
    public=True,
    paged=True,
)
def list_events():
    actor = reads.reader()
    start = reads.date_param("from", dates.today_in_place())
    end = reads.date_param("to", start + DEFAULT_SPAN)
    if not 0 < (end - start).days <= MAX_SPAN_DAYS:
        raise reads.bad_parameter(
            "to",
            _l("Le paramètre « to » doit suivre « from » de 1 à %(n)s jours.", n=MAX_SPAN_DAYS),
        )
    found = read.between(
        datetime.combine(start, time()),
        datetime.combine(end, time()),
        permissions.is_member(actor),
    )
    chunk, following = reads.page(found)
    return reads.listing(
        [{"event_id": o.event.id, **_event_fields(o.event, o.starts_at, o.ends_at)} for o in chunk],
        following,
        start=start.isoformat(),
        end=end.isoformat(),
    )


@bp.get("/events/<int(max=2147483647):event_id>")
@operation(_l("Un événement de l’agenda"), one_of("event", EVENT), public=True)
def show_event(event_id):
    actor = reads.reader()
    event = calendar.get_event(actor, event_id)
    now = calendar.now_in_place()
    next_dates = []
    if event.rrule:
        next_dates = read.series_starts(event, now, now + timedelta(days=3 * 366))[:NEXT_DATES]
    decision = event.decision
    proposal = event.proposal
    return reads.single(
        "event",
        {
            **_event_fields(event, event.starts_at, event.ends_at),
            "id": event.id,
            "uid": event.uid,
            "sequence": event.sequence,
            "rrule": event.rrule,
            "next_dates": [reads.wall(moment) for moment in next_dates],
            "decision_number": decision.number
            if decision is not None and permissions.can_read_archive(actor)
            else None,
            "proposal_id": proposal.id
            if proposal is not None and permissions.can_view_proposal(actor, proposal)
            else None,
            "ics_url": url_for("calendar_feeds.event_ics", event_id=event.id),
        },
    )
