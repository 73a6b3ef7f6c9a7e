"""What a proposer does with their proposal, from their page (members) or from the private
status link (people without an account): withdraw it, send it again after "à retravailler",
stop or resume the e-mails. Status changes go through `services.move_status` (one lifecycle)."""

from sqlalchemy import update

from .. import permissions, realtime
from ..errors import Conflict, ServiceError, require
from ..extensions import db
from ..i18n import _l
from ..labels import PROPOSAL_STATUS_LABELS
from ..models import EventProposal
from ..models.base import utcnow
from ..pipeline import change
from ..prep import services as prep
from . import outside, services, tracking

MAX_REASON = 2000


def own_proposal(actor, proposal_id):
    """A member's own proposal (refused for anyone else)."""
    proposal = services.get_proposal(actor, proposal_id)
    require(
        permissions.can_withdraw_proposal(actor, proposal),
        _l("Seule la personne qui a proposé l’événement peut faire cela."),
    )
    return proposal


def by_token(token):
    """The proposal of a status link, and the actor its steps are written by (the place's
    system member: the proposer has no account)."""
    proposal = tracking.find_by_token(token)
    with change():
        actor = outside.system_member()
    return proposal, actor


def can_withdraw(proposal):
    return "withdrawn" in services.ALLOWED_TRANSITIONS.get(proposal.status, set())


def can_resubmit(proposal):
    return proposal.status == "to_rework"


def _clean_reason(reason):
    reason = (reason or "").strip() or None
    if reason and len(reason) > MAX_REASON:
        raise ServiceError(
            _l("La raison ne doit pas dépasser %(n)s caractères.", n=MAX_REASON),
            code="invalid_field",
            field="reason",
        )
    return services.no_controls(reason, "reason", services.TEXT_CONTROL_RE)


def withdraw(actor, proposal, reason=None):
    """Withdraw a proposal (kept, with its history), while the lifecycle allows it."""
    if not can_withdraw(proposal):
        raise Conflict(
            _l(
                "Cette proposition est %(status)s : elle ne peut plus être retirée.",
                status=PROPOSAL_STATUS_LABELS[proposal.status],
            ),
            code="bad_transition",
        )
    reason = _clean_reason(reason)
    entry_id, meeting_id = proposal.entry_id, proposal.meeting_id
    with change() as c:
        services.move_status(c, actor, proposal, "withdrawn", reason=reason)
        c.trace(
            actor, "proposal_withdrawn", proposal, meeting=proposal.meeting, title=proposal.title
        )
        c.publish(
            "entry_edited",
            lambda: prep.entry_fact(entry_id),
            room=realtime.document_room(meeting_id),
        )
    return proposal


def resubmit(actor, proposal, values):
    """Send a proposal "à retravailler" again, edited: its text gets a new revision, its dates,
    duration and place are replaced, and it is `submitted` again."""
    if not can_resubmit(proposal):
        raise Conflict(
            _l(
                "Cette proposition est %(status)s : seule une proposition à retravailler se "
                "renvoie.",
                status=PROPOSAL_STATUS_LABELS[proposal.status],
            ),
            code="bad_transition",
        )
    fields = outside.clean_proposal_fields(values)
    reason = _clean_reason(values.get("reason"))
    entry = proposal.entry
    revision, entry_id, meeting_id = entry.revision, entry.id, proposal.meeting_id
    with change() as c:
        edited = (fields["title"], fields["description"]) != (entry.title, entry.body)
        if edited and not prep.insert_revision(
            actor, entry_id, revision, fields["title"], fields["description"]
        ):
            raise Conflict(
                _l("Cette proposition vient de changer ; rechargez la page."), code="stale"
            )
        db.session.execute(
            update(EventProposal)
            .where(EventProposal.id == proposal.id)
            .values(
                wished_dates=fields["wished_dates"],
                duration_minutes=fields["duration_minutes"],
                place=fields["place"],
                place_detail=fields["place_detail"],
                expected_attendance=fields["expected_attendance"],
                material_needs=fields["material_needs"],
            )
        )
        db.session.refresh(entry)
        services.move_status(c, actor, proposal, "submitted", reason=reason)
        c.trace(
            actor, "proposal_resubmitted", proposal, meeting=proposal.meeting, title=fields["title"]
        )
        c.publish(
            "entry_edited",
            lambda: prep.entry_fact(entry_id),
            room=realtime.document_room(meeting_id),
        )
    return proposal


def set_emails(actor, proposal, receive):
    """Stop (receive=False) or resume the e-mails about this proposal."""
    value = None if receive else utcnow()
    with change() as c:
        db.session.execute(
            update(EventProposal)
            .where(EventProposal.id == proposal.id)
            .values(emails_stopped_at=value)
        )
        c.trace(
            actor,
            "proposal_emails_resumed" if receive else "proposal_emails_stopped",
            proposal,
            meeting=proposal.meeting,
            title=proposal.title,
        )
    db.session.refresh(proposal)
    return proposal
