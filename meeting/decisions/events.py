"""Commands on decisions after they were recorded: correcting one of the live Friday in place
(the console; socket and form), and putting the correction of a closed Friday's decision on
the coming agenda (the decision's page; form)."""

from .. import permissions
from ..commands import command
from . import corrections
from .proposal_step import EVENT_FIELDS, PREFIX

# The fields `record_decision` (declared with the live meeting's commands) also takes on a point
# that comes from a proposal: what the decision means for it, why, and its event created in the
# same step (the calendar's fields, prefixed `event_`). Both the socket and the form door read
# them from this one declaration.
PROPOSAL_STEP_FIELDS = {
    "proposal_outcome": (str, False),  # accepted, declined, to_rework or none (the default)
    "proposal_reason": (str, False),
    "create_event": (bool, False),
    "confirm_overlap": (bool, False),
    **{PREFIX + name: (str, False) for name in EVENT_FIELDS},
}


@command(
    "edit_decision",
    allowed=permissions.is_member,
    fields={
        "decision_id": (int, True),
        "statement": (str, True),
        "objections": (str, False),
        "objections_lifted": (str, False),
        "review_on": (str, False),
    },
    doors=("socket", "form", "api"),
)
def edit_decision(
    actor, decision_id, statement, objections=None, objections_lifted=None, review_on=None
):
    """Sent by the console (facilitator or scribe) while the decision's Friday is live; the
    fields replace its texts. Refused once its Friday is closed. Broadcasts `live_updated`
    (decisions)."""
    decision = corrections.edit_decision(
        actor, decision_id, statement, objections, objections_lifted, review_on
    )
    return {"decision_id": decision.id, "number": decision.number}


@command(
    "propose_correction",
    allowed=permissions.can_correct_decision,
    fields={"decision_id": (int, True)},
    doors=("form", "api"),
)
def propose_correction(actor, decision_id):
    """Posted from a closed Friday's decision page by a facilitator: "Corriger la décision
    n° N" goes on the coming Friday's agenda. Broadcasts `live_updated` to that Friday."""
    item = corrections.propose_correction(actor, decision_id)
    return {"item_id": item.id, "day": item.meeting.scheduled_for.isoformat()}
