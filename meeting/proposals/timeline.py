"""A proposal's history as its proposer reads it (status page, "Mes propositions", e-mails):
every step with its date, why, the decision that moved it and the event it is about.

No member is named: whoever moved it is "l'animation"; the proposer's own steps are "vous".
A decision is shown as its reader may see it (a reader who is not a member reads it without
people's names, and gets its link only when the place publishes its archive).
"""

from dataclasses import dataclass

from flask import url_for
from werkzeug.routing import BuildError

from .. import permissions
from ..decisions import public
from ..extensions import db
from ..i18n import _
from ..labels import PLACE_LABELS, PROPOSAL_STATUS_LABELS
from ..models import Event


def event_url(event_id, external=False):
    """The calendar page of an event (`calendar.show`), or None while the calendar has none."""
    try:
        return url_for("calendar.show", event_id=event_id, _external=external)
    except BuildError:
        return None


@dataclass
class Step:
    created_at: object
    from_status: object
    to_status: str
    status_label: str
    kept: bool  # a step that keeps the status (carried to another Friday, event moved)
    by: object
    reason: object
    decision: object  # dict(number, statement, url) or None
    event: object  # dict(title, starts_at, ends_at, place, cancelled, url) or None
    change_id: int


def _by(change, proposal):
    if change.actor_id is None:
        return None
    if change.actor_id == proposal.proposer_id or (
        proposal.proposer_id is None and change.actor is not None and change.actor.is_system
    ):
        return _("vous")
    return _("l’animation")


def decision_view(decision, member_reader, external=False):
    if decision is None:
        return None
    statement = decision.statement
    if not member_reader:
        statement = public.redactor_for([decision])(statement)
    readable = member_reader or permissions.can_read_archive(None)
    return {
        "number": decision.number,
        "statement": statement,
        "url": url_for("decisions.show", number=decision.number, _external=external)
        if readable
        else None,
    }


def event_view(event, member_reader, external=False):
    if event is None:
        return None
    place = str(PLACE_LABELS.get(event.place, event.place))
    if event.place_detail:
        place = f"{place} — {event.place_detail}"
    linked = member_reader or event.visibility == "public"
    return {
        "id": event.id,
        "title": event.title,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "place": place,
        "cancelled": event.status == "cancelled",
        "url": event_url(event.id, external) if linked else None,
    }


def _reason(change, member_reader):
    """Why, as this reader may read it: a reason is often the decision's own words, which may
    name members; someone outside the cooperative reads it without the names."""
    if change.decision is not None and change.reason == change.decision.statement:
        return None  # the decision, shown with the step, says it already
    if member_reader or not change.reason:
        return change.reason
    decisions = [change.decision] if change.decision is not None else []
    return public.redactor_for(decisions)(change.reason)


def step_of(change, proposal, member_reader, external=False):
    event = db.session.get(Event, change.event_id) if change.event_id else None
    return Step(
        created_at=change.created_at,
        from_status=change.from_status,
        to_status=change.to_status,
        status_label=str(PROPOSAL_STATUS_LABELS[change.to_status]),
        kept=change.from_status == change.to_status,
        by=_by(change, proposal),
        reason=_reason(change, member_reader),
        decision=decision_view(change.decision, member_reader, external),
        event=event_view(event, member_reader, external),
        change_id=change.id,
    )


def steps(proposal, member_reader):
    """Every step of the proposal's history, oldest first."""
    return [step_of(change, proposal, member_reader) for change in proposal.changes]


def current_event(proposal, member_reader):
    """The newest event a step of its history names (scheduled, moved, cancelled), or None."""
    for change in reversed(proposal.changes):
        if change.event_id:
            return event_view(db.session.get(Event, change.event_id), member_reader)
    return None
