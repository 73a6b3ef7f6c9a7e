"""What a decision means for the proposal its point comes from, asked on the console when the
facilitator records it: accepted (and, in the same step, its event on the calendar), declined,
to rework (with what to rework), or nothing. Every field is checked before anything is written;
the moves happen in the change that records the decision (`apply`)."""

from dataclasses import dataclass

from .. import realtime
from ..calendar import services as calendar
from ..errors import ServiceError
from ..extensions import db
from ..i18n import _l
from ..labels import PROPOSAL_STATUS_LABELS
from ..models import EventProposal
from ..prep import services as prep
from ..proposals import services as proposals

# The event's fields as the calendar cleans them; the console's form prefixes them `event_`.
EVENT_FIELDS = calendar.EVENT_FIELD_NAMES
PREFIX = "event_"
MAX_REASON = 2000


@dataclass
class ProposalStep:
    """A checked step: the proposal, where the decision moves it, why, and the cleaned event
    to put on the calendar (None: no event in this step)."""

    proposal_id: int
    outcome: str
    reason: str | None
    event: dict | None


def _event_refusals(refusals, error):
    """The calendar's refusals of the event fields, each beside its `event_…` field."""
    fields = (error.details or {}).get("fields")
    if fields:
        for name, message in fields.items():
            refusals.add(PREFIX + name, message, error.code)
        return
    name = (error.details or {}).get("field")
    refusals.add(PREFIX + name if name else "create_event", error.message, error.code)


def _clean_event(refusals, event_values, confirm_overlap):
    values = {name: (event_values.get(PREFIX + name) or "") for name in EVENT_FIELDS}
    try:
        cleaned = calendar.clean_event_fields(values)
    except ServiceError as error:
        _event_refusals(refusals, error)
        return None
    overlaps = calendar.find_overlaps(cleaned)
    if overlaps and not confirm_overlap:
        # A warning, not a ban: the same post with "confirm_overlap" ticked creates it.
        error = calendar.overlap_error(overlaps)
        refusals.add("confirm_overlap", error.message, error.code or "overlap")
    return cleaned


def check_step(
    refusals,
    item,
    outcome=None,
    reason=None,
    create_event=False,
    confirm_overlap=False,
    event_values=None,
):
    """The step a decision on `item` makes its proposal take, its refusals kept in `refusals`
    (fields `proposal_outcome`, `proposal_reason`, `event_…`, `confirm_overlap`); None when
    nothing changes for a proposal. Event fields count only for `accepted` + `create_event`."""
    outcome = outcome or "none"
    if outcome not in proposals.DECISION_OUTCOMES:
        refusals.add(
            "proposal_outcome",
            _l("Choisissez ce que la décision signifie pour la proposition."),
            "invalid_field",
        )
        return None
    if outcome == "none":
        return None
    proposal = item.source_proposal
    if proposal is None:
        refusals.add(
            "proposal_outcome",
            _l(
                "Ce point ne vient pas d’une proposition d’événement : la décision ne change "
                "aucune proposition."
            ),
            "no_proposal",
        )
        return None
    if proposal.status != "on_agenda":
        refusals.add(
            "proposal_outcome",
            _l(
                "La proposition « %(title)s » est maintenant « %(status)s » : la décision ne "
                "peut plus la changer. Choisissez « Rien ne change pour elle ».",
                title=proposal.title,
                status=PROPOSAL_STATUS_LABELS[proposal.status],
            ),
            "bad_transition",
        )
        return None
    reason = (reason or "").strip() or None
    if reason and len(reason) > MAX_REASON:
        refusals.add(
            "proposal_reason",
            _l("La raison ne doit pas dépasser %(n)s caractères.", n=MAX_REASON),
            "invalid_field",
        )
    if outcome == "to_rework" and not reason:
        refusals.add(
            "proposal_reason",
            _l("Dites à la personne ce qu’il faut retravailler."),
            "missing_reason",
        )
    event = None
    if outcome == "accepted" and create_event:
        event = _clean_event(refusals, event_values or {}, confirm_overlap)
    return ProposalStep(proposal.id, outcome, reason, event)


def apply(c, actor, step, decision):
    """Inside the change that records `decision`: move the proposal (its history row names the
    decision) and, when asked, put its event on the calendar (which makes it `scheduled`)."""
    proposal = db.session.get(EventProposal, step.proposal_id)
    proposals.decide(c, actor, proposal, step.outcome, decision, reason=step.reason)
    event = None
    if step.event is not None:
        event = calendar.insert_event(c, actor, step.event, proposal=proposal, decision=decision)
    entry_id = proposal.entry_id
    c.publish(
        "entry_edited",
        lambda: prep.entry_fact(entry_id),
        room=realtime.document_room(proposal.meeting_id),
    )
    return event


def prefill(item):
    """The console form's values for the event of the proposal `item` comes from (keys
    prefixed `event_`), or {} for a point that comes from no proposal."""
    proposal = getattr(item, "source_proposal", None)
    if proposal is None:
        return {}
    return {PREFIX + name: value for name, value in calendar.event_prefill(proposal).items()}
