"""Read routes of event proposals: "Mes propositions" and one proposal with its history.

As on `/propositions/`: members only (`permissions.can_view_proposal`); the list is the
caller's own proposals (`proposals.services.my_proposals`), one proposal is any member's, with
its history as `proposals.timeline` tells it to a member (no one named, "vous" for the
proposer's own steps). The e-mail address of someone who proposed from outside is never given.
"""

from flask import Blueprint, url_for

from .. import permissions
from ..i18n import _l
from ..labels import PLACE_LABELS, PROPOSAL_STATUS_LABELS
from ..models import PLACES, PROPOSAL_STATUSES
from ..prep.views import entry_author
from ..proposals import services as proposals
from ..proposals import timeline
from . import reads
from .reads import (
    BOOLEAN,
    DATE,
    DATETIME,
    INTEGER,
    LABELLED,
    PERSON,
    STRING,
    array,
    nullable,
    obj,
    one_of,
    operation,
    page_of,
    require_reader,
)

bp = Blueprint("proposals", __name__)

STATUS = {"enum": list(PROPOSAL_STATUSES)}
EVENT = obj(
    id=INTEGER,
    title=STRING,
    starts_at=DATETIME,
    ends_at=DATETIME,
    place=STRING,
    cancelled=BOOLEAN,
    url=nullable(STRING),
)
PROPOSAL = obj(
    id=INTEGER,
    title=nullable(STRING),
    description=STRING,
    status=STATUS,
    status_label=LABELLED,
    wished_dates=array(obj(date=nullable(STRING), time=nullable(STRING))),
    duration_minutes=INTEGER,
    place={"enum": list(PLACES)},
    place_label=LABELLED,
    place_detail=nullable(STRING),
    expected_attendance=nullable(INTEGER),
    material_needs=nullable(STRING),
    meeting_id=INTEGER,
    date=DATE,  # the Friday whose document holds it
    entry_id=INTEGER,
    proposer=PERSON,  # id null: someone outside the cooperative (the public form)
    mine=BOOLEAN,
    created_at=DATETIME,
    status_changed_at=DATETIME,
    event=nullable(EVENT),  # the newest event its history names
    url=STRING,
)
STEP = obj(
    created_at=DATETIME,
    from_status=nullable(STATUS),
    to_status=STATUS,
    status_label=LABELLED,
    kept=BOOLEAN,  # a step that keeps the status (carried to another Friday, event moved)
    by=nullable(STRING),  # "vous", "l’animation"
    reason=nullable(STRING),
    decision=nullable(obj(number=INTEGER, statement=STRING, url=nullable(STRING))),
    event=nullable(EVENT),
)
PROPOSAL_DETAIL = obj(**PROPOSAL["properties"], steps=array(STEP))


def _event(view):
    if view is None:
        return None
    return {
        "id": view["id"],
        "title": view["title"],
        "starts_at": reads.wall(view["starts_at"]),
        "ends_at": reads.wall(view["ends_at"]),
        "place": str(view["place"]),
        "cancelled": bool(view["cancelled"]),
        "url": view["url"],
    }


def proposal_json(proposal, actor, detail=False):
    outside = proposal.proposer_id is None
    data = {
        "id": proposal.id,
        "title": proposal.title,
        "description": proposal.description,
        "status": proposal.status,
        "status_label": str(PROPOSAL_STATUS_LABELS[proposal.status]),
        "wished_dates": [
            {"date": wish.get("date") or None, "time": wish.get("time") or None}
            for wish in proposal.wished_dates or []
            if isinstance(wish, dict)
        ],
        "duration_minutes": proposal.duration_minutes,
        "place": proposal.place,
        "place_label": str(PLACE_LABELS.get(proposal.place, proposal.place)),
        "place_detail": proposal.place_detail,
        "expected_attendance": proposal.expected_attendance,
        "material_needs": proposal.material_needs,
        "meeting_id": proposal.meeting_id,
        "date": proposal.meeting.scheduled_for.isoformat(),
        "entry_id": proposal.entry_id,
        "proposer": {
            "id": None if outside else proposal.proposer_id,
            "name": str(entry_author(proposal.entry)),
        },
        "mine": permissions.can_withdraw_proposal(actor, proposal),
        "created_at": reads.utc(proposal.created_at),
        "status_changed_at": reads.utc(proposal.status_changed_at),
        "event": _event(timeline.current_event(proposal, True)),
        "url": url_for("proposals.show", proposal_id=proposal.id),
    }
    if detail:
        data["steps"] = [
            {
                "created_at": reads.utc(step.created_at),
                "from_status": step.from_status,
                "to_status": step.to_status,
                "status_label": step.status_label,
                "kept": step.kept,
                "by": str(step.by) if step.by is not None else None,
                "reason": step.reason,
                "decision": step.decision,
                "event": _event(step.event),
            }
            for step in timeline.steps(proposal, True)
        ]
    return data


@bp.get("/proposals")
@operation(
    _l("Mes propositions d’événement, de la plus récente à la plus ancienne"),
    page_of(PROPOSAL),
    paged=True,
)
def list_proposals():
    actor = reads.reader()
    require_reader(permissions.is_member(actor))
    chunk, following = reads.page(proposals.my_proposals(actor))
    return reads.listing([proposal_json(p, actor) for p in chunk], following)


@bp.get("/proposals/<int(max=2147483647):proposal_id>")
@operation(
    _l("Une proposition d’événement et son historique (membres)"),
    one_of("proposal", PROPOSAL_DETAIL),
)
def show_proposal(proposal_id):
    actor = reads.reader()
    require_reader(permissions.is_member(actor))
    proposal = proposals.get_proposal(actor, proposal_id)
    return reads.single("proposal", proposal_json(proposal, actor, detail=True))
