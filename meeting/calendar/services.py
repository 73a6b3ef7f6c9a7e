"""Changing the place's calendar: create, edit, cancel an event, skip one date of a series, and
mark proposals held once their event is over. Each is one transaction, traced.

The console's decision step (lifecycle) uses `clean_event_fields`, `find_overlaps`,
`overlap_error`, `insert_event` and `event_prefill` inside its own change.
"""

import uuid
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select, update

from .. import cleaning, permissions
from ..errors import Conflict, FieldErrors, NotFound, ServiceError, require
from ..extensions import db
from ..i18n import _, _l
from ..models import Event, EventException, EventProposal
from ..models.base import utcnow
from ..pipeline import change
from ..proposals import services as proposals
from . import read
from .overlaps import find_overlaps, overlap_error
from .validation import EVENT_FIELD_NAMES, clean_event_fields, clean_reason, event_prefill
from .wording import moved_reason, scheduled_reason

__all__ = [
    "EVENT_FIELD_NAMES",
    "cancel_event",
    "clean_event_fields",
    "create_event",
    "edit_event",
    "event_prefill",
    "find_overlaps",
    "get_event",
    "insert_event",
    "mark_held",
    "overlap_error",
    "skip_occurrence",
]

# What moves an event in time or space: a change of one raises its SEQUENCE (iCal clients
# then replace their copy); a new title or description does not.
MOVING_FIELDS = ("starts_at", "ends_at", "place", "place_detail", "rrule")
EDITABLE_FIELDS = (*MOVING_FIELDS, "title", "description", "visibility")


def now_in_place():
    """The Europe/Paris wall time now (naive), as events store their times."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.now(zone).replace(tzinfo=None, microsecond=0)


def new_uid():
    """A UID for a new event: random, with the place's host (never changes afterwards)."""
    host = urlsplit(current_app.config.get("PUBLIC_URL") or "").hostname or "vendredi"
    return f"{uuid.uuid4().hex}@{host}"


def get_event(actor, event_id):
    """The event this actor may see; NotFound otherwise (a members-only event is not revealed)."""
    event = db.session.get(Event, event_id)
    if event is None or (event.visibility == "members" and not permissions.is_member(actor)):
        raise NotFound(_l("Cet événement n’existe pas."))
    return event


def revision_of(event):
    """The version an edit form starts from (its `updated_at`, to the microsecond)."""
    return event.updated_at.isoformat()


def _trace_data(event, **extra):
    return {
        "event_id": event.id,
        "title": event.title,
        "starts_at": event.starts_at.isoformat(),
        "place": event.place,
        "visibility": event.visibility,
        **extra,
    }


def insert_event(c, actor, cleaned, proposal=None, decision=None) -> Event:
    """Inside an open change: add the event (a new UID, sequence 0), trace `event_created`, and
    when it comes from an accepted proposal, move that proposal to `scheduled`."""
    event = Event(
        uid=new_uid(),
        sequence=0,
        status="confirmed",
        proposal_id=getattr(proposal, "id", None),
        decision_id=getattr(decision, "id", None),
        created_by_id=getattr(actor, "id", None),
        **{name: cleaned[name] for name in EDITABLE_FIELDS},
    )
    db.session.add(event)
    db.session.flush()
    c.trace(
        actor,
        "event_created",
        event,
        **_trace_data(
            event,
            proposal_id=event.proposal_id,
            decision_id=event.decision_id,
            recurring=bool(event.rrule),
        ),
    )
    if proposal is not None and proposal.status == "accepted":
        proposals.move_status(
            c,
            actor,
            proposal,
            "scheduled",
            reason=scheduled_reason(event),
            decision=decision,
            event=event,
        )
    return event


def _proposal_to_schedule(proposal_id):
    if proposal_id is None:
        return None
    proposal = db.session.get(EventProposal, proposal_id)
    if proposal is None:
        raise NotFound(_l("Cette proposition n’existe pas."))
    if proposal.status != "accepted":
        raise Conflict(
            _l("Seule une proposition acceptée peut être programmée."), code="bad_transition"
        )
    return proposal


def create_event(actor, values, confirm_overlap=False, proposal_id=None):
    """A facilitator puts an event on the calendar (from an accepted proposal or not)."""
    require(permissions.can_manage_calendar(actor))
    cleaned = clean_event_fields(values)
    proposal = _proposal_to_schedule(proposal_id)
    overlaps = find_overlaps(cleaned)
    if overlaps and not confirm_overlap:
        raise overlap_error(overlaps)
    with change() as c:
        event = insert_event(c, actor, cleaned, proposal=proposal)
    return event


def _editable(actor, event_id):
    require(permissions.can_manage_calendar(actor))
    event = db.session.get(Event, event_id)
    if event is None:
        raise NotFound(_l("Cet événement n’existe pas."))
    if event.status == "cancelled":
        raise Conflict(_l("Cet événement est annulé : il ne change plus."), code="cancelled")
    return event


def _check_revision(event, revision):
    if revision is None or str(revision) != revision_of(event):
        raise Conflict(_l("Cet événement vient d’être modifié ; rechargez la page."), code="stale")


def _compare_and_set(event, seen, values):
    """Write `values` only if the row is still the version `seen` (the same on SQLite and
    PostgreSQL, where SELECT … FOR UPDATE is not)."""
    changed = db.session.execute(
        update(Event).where(Event.id == event.id, Event.updated_at == seen).values(**values)
    ).rowcount
    if changed != 1:
        raise Conflict(_l("Cet événement vient d’être modifié ; rechargez la page."), code="stale")
    db.session.refresh(event)


def edit_event(actor, event_id, values, revision, confirm_overlap=False):
    """A facilitator changes an event, from the version `revision` it was shown at: a new time
    or place raises its sequence and tells its proposer; an older version is refused."""
    event = _editable(actor, event_id)
    _check_revision(event, revision)
    cleaned = clean_event_fields(values, new=False)
    changed = {
        name: cleaned[name] for name in EDITABLE_FIELDS if cleaned[name] != getattr(event, name)
    }
    moved = any(name in changed for name in MOVING_FIELDS)
    if "starts_at" in changed and cleaned["starts_at"] < now_in_place():
        raise FieldErrors({"start_date": _l("Cette date est passée.")})
    if moved:
        overlaps = find_overlaps(
            {**cleaned, "exceptions": list(event.exceptions)}, exclude_event_id=event.id
        )
        if overlaps and not confirm_overlap:
            raise overlap_error(overlaps)
    if not changed:
        return event
    seen = event.updated_at
    with change() as c:
        _compare_and_set(
            event,
            seen,
            {**changed, "sequence": event.sequence + (1 if moved else 0), "updated_at": utcnow()},
        )
        c.trace(
            actor,
            "event_moved" if moved else "event_edited",
            event,
            **_trace_data(event, fields=sorted(changed), sequence=event.sequence),
        )
        if moved and event.proposal is not None:
            proposals.note_step(c, actor, event.proposal, reason=moved_reason(event), event=event)
    return event


def cancel_event(actor, event_id, reason):
    """A facilitator cancels an event: kept, marked cancelled (sequence raised, so calendars
    show it cancelled); its proposal goes back to `accepted` with the reason."""
    event = _editable(actor, event_id)
    reason = clean_reason(reason)
    seen = event.updated_at
    now = utcnow()
    with change() as c:
        _compare_and_set(
            event,
            seen,
            {
                "status": "cancelled",
                "sequence": event.sequence + 1,
                "cancelled_at": now,
                "cancel_reason": reason,
                "updated_at": now,
            },
        )
        c.trace(actor, "event_cancelled", event, **_trace_data(event, reason=reason))
        proposal = event.proposal
        if proposal is not None and proposal.status == "scheduled":
            proposals.move_status(
                c,
                actor,
                proposal,
                "accepted",
                reason=_("Événement annulé : %(reason)s", reason=reason),
                event=event,
            )
    return event


def parse_occurrence(value):
    """An occurrence's start from a form ('2026-12-05T10:00'), or ServiceError."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None, second=0, microsecond=0)
    try:
        moment = datetime.fromisoformat(str(value or "").strip()).replace(tzinfo=None)
    except ValueError:
        raise ServiceError(
            _l("Cette date n’est pas une date de la série."),
            code="invalid_field",
            field="occurrence",
        ) from None
    return cleaning.check_day(moment, "occurrence")


def skip_occurrence(actor, event_id, occurrence_start):
    """A facilitator skips one date of a series (iCal EXDATE); the sequence rises."""
    event = _editable(actor, event_id)
    if not event.rrule:
        raise ServiceError(
            _l("Cet événement n’a qu’une date : annulez-le plutôt."), code="not_recurring"
        )
    moment = parse_occurrence(occurrence_start)
    if moment not in read.series_starts(event, moment, moment + (event.ends_at - event.starts_at)):
        raise ServiceError(
            _l("Cette date n’est pas une date de la série (ou elle est déjà sautée)."),
            code="invalid_field",
            field="occurrence",
        )
    seen = event.updated_at
    with change() as c:
        db.session.add(
            EventException(
                event_id=event.id, occurrence_start=moment, created_by_id=getattr(actor, "id", None)
            )
        )
        _compare_and_set(event, seen, {"sequence": event.sequence + 1, "updated_at": utcnow()})
        c.trace(
            actor,
            "event_occurrence_skipped",
            event,
            **_trace_data(event, occurrence_start=moment.isoformat()),
        )
    return event


def mark_held(now=None):
    """`flask mark-held`: scheduled proposals whose (one-off) event has ended become `held`.
    Running it again changes nothing. Returns how many moved."""
    now = now or now_in_place()
    rows = db.session.execute(
        select(EventProposal, Event)
        .join(Event, Event.proposal_id == EventProposal.id)
        .where(
            EventProposal.status == "scheduled",
            Event.status == "confirmed",
            Event.rrule.is_(None),
            Event.ends_at <= now,
        )
        .order_by(Event.ends_at, Event.id)
    ).all()
    if not rows:
        return 0
    moved = 0
    with change() as c:
        done = set()
        for proposal, event in rows:
            if proposal.id in done:
                continue
            done.add(proposal.id)
            if proposals.move_status(
                c,
                None,
                proposal,
                "held",
                reason=_("L’événement a eu lieu."),
                event=event,
                quiet=True,
            ):
                moved += 1
    return moved
