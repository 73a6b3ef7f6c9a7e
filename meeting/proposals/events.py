"""The proposer's commands: proposing an event in a Friday's document and withdrawing it,
declared once for the proposal form and the JSON API (same service, checks and trace)."""

from .. import permissions
from ..commands import command
from . import services

WISHED = 3  # the form's wished dates: date_1/time_1 … date_3/time_3
_TEXT = (str, False)
_NUMBER = ((int, str), False)  # the service says, in French, what is not a whole number

PROPOSAL_FIELDS = {
    "meeting_id": (int, True),
    "title": _TEXT,
    "description": _TEXT,
    **{f"{part}_{n}": _TEXT for n in range(1, WISHED + 1) for part in ("date", "time")},
    "duration_minutes": _NUMBER,
    "place": _TEXT,
    "place_detail": _TEXT,
    "expected_attendance": _NUMBER,
    "material_needs": _TEXT,
    "op_id": _TEXT,
}


@command(
    "propose_event",
    allowed=permissions.can_propose_event,
    fields=PROPOSAL_FIELDS,
    doors=("form", "api"),
)
def propose_event(actor, meeting_id, op_id=None, **fields):
    """Propose an event in a Friday's document (status `submitted`); `date_<n>`/`time_<n>` are
    up to three wished dates (AAAA-MM-JJ, HH:MM). Answers the proposal's and entry's ids."""
    wished = [(fields.get(f"date_{n}"), fields.get(f"time_{n}")) for n in range(1, WISHED + 1)]
    proposal = services.propose_event(
        actor,
        meeting_id,
        fields.get("title"),
        fields.get("description"),
        wished,
        fields.get("duration_minutes"),
        fields.get("place"),
        fields.get("place_detail"),
        fields.get("expected_attendance"),
        fields.get("material_needs"),
        op_id=op_id or None,
    )
    return {"proposal_id": proposal.id, "entry_id": proposal.entry_id}


@command(
    "withdraw_proposal",
    allowed=permissions.is_member,
    fields={"proposal_id": (int, True), "reason": _TEXT},
    doors=("form", "api"),
)
def withdraw_proposal(actor, proposal_id, reason=None):
    """The proposer withdraws their proposal (kept with its history as `withdrawn`)."""
    proposal = services.withdraw_proposal(actor, proposal_id, reason)
    return {"proposal_id": proposal.id, "status": proposal.status}
