"""A proposal's lifecycle, moved by what happens on Friday: the one transitions table, the
status changes and the steps that keep the status, each with its history row, its trace and
the after-commit hooks (where the proposer's e-mail and notification hang).

Every function here runs inside an open change (`with change() as c:`): the caller checked
permission and validated; these write rows and traces, and refuse a move the table does not
allow (the whole change is then rolled back)."""

from sqlalchemy import update

from ..errors import Conflict, ServiceError
from ..extensions import db
from ..i18n import _, _l, french, long_date
from ..labels import PROPOSAL_STATUS_LABELS
from ..models import PROPOSAL_STATUSES, EventProposal, ProposalStatusChange
from ..models.base import utcnow

# The lifecycle (ARCHITECTURE §2); each change is a ProposalStatusChange row.
ALLOWED_TRANSITIONS = {
    "submitted": {"on_agenda", "to_rework", "declined", "withdrawn"},
    "on_agenda": {"accepted", "to_rework", "declined", "withdrawn", "submitted"},
    "accepted": {"scheduled", "withdrawn"},
    # Back to `accepted` when its event is cancelled (a new date is to be found).
    "scheduled": {"held", "withdrawn", "accepted"},
    "to_rework": {"submitted", "withdrawn"},
    "held": set(),
    "declined": set(),
    "withdrawn": set(),
}

# What a Friday's decision may mean for the proposal its point comes from ("none": nothing).
DECISION_OUTCOMES = ("accepted", "declined", "to_rework", "none")

# Called after the commit of each step of a proposal's history with the id of its
# `ProposalStatusChange` row (the proposer's e-mail and in-app notification hang here).
STATUS_HOOKS = []


def on_status_changed(hook):
    """Register `hook(change_id)` to run after the commit of every proposal status change."""
    STATUS_HOOKS.append(hook)
    return hook


def can_move(proposal, to_status):
    """Whether the table lets `proposal` go to `to_status` from the status it has now."""
    return to_status in ALLOWED_TRANSITIONS.get(proposal.status, set())


def transition_refusal(from_status, to_status):
    """The French refusal of a move the table does not allow."""
    return Conflict(
        _l(
            "Cette proposition ne peut pas passer de « %(status)s » à « %(to)s ».",
            status=PROPOSAL_STATUS_LABELS[from_status],
            to=PROPOSAL_STATUS_LABELS[to_status],
        ),
        code="bad_transition",
    )


def _after_commit_hooks(c, step):
    for hook in STATUS_HOOKS:
        c.after_commit(hook, step.id)


def move_status(c, actor, proposal, to_status, reason=None, decision=None, event=None, quiet=False):
    """Inside an open change: move a proposal along its lifecycle (compare-and-set on the status
    it had), with a history row, a trace and the after-commit hooks. With `quiet`, a move the
    lifecycle does not allow is skipped instead of refused (the agenda moves proposals it finds
    in any state)."""
    if to_status not in PROPOSAL_STATUSES:
        raise ServiceError(_l("Ce statut de proposition n’existe pas."), code="invalid_field")
    from_status = proposal.status
    if to_status not in ALLOWED_TRANSITIONS.get(from_status, set()):
        if quiet:
            return False
        raise transition_refusal(from_status, to_status)
    now = utcnow()
    values = {"status": to_status, "status_changed_at": now}
    if to_status == "withdrawn":
        values["withdrawn_at"] = now
    changed = db.session.execute(
        update(EventProposal)
        .where(EventProposal.id == proposal.id, EventProposal.status == from_status)
        .values(**values)
    ).rowcount
    if changed != 1:
        raise Conflict(_l("Cette proposition vient de changer ; rechargez la page."), code="stale")
    step = ProposalStatusChange(
        proposal_id=proposal.id,
        from_status=from_status,
        to_status=to_status,
        actor_id=getattr(actor, "id", None),
        reason=reason,
        decision_id=getattr(decision, "id", None),
        event_id=getattr(event, "id", None),
    )
    db.session.add(step)
    db.session.flush()
    db.session.refresh(proposal)
    c.trace(
        actor,
        "proposal_status_changed",
        proposal,
        meeting=proposal.meeting,
        title=proposal.title,
        from_status=from_status,
        to_status=to_status,
    )
    _after_commit_hooks(c, step)
    return True


def note_step(c, actor, proposal, reason, decision=None, event=None, **data):
    """Inside an open change: a step of a proposal's history that keeps its status (its point
    carried to another Friday, its event moved): a history row from and to the same status,
    a trace, and the after-commit hooks, so that the proposer is told as for a status change.
    `data` goes to the trace (ids and dates, never a name)."""
    step = ProposalStatusChange(
        proposal_id=proposal.id,
        from_status=proposal.status,
        to_status=proposal.status,
        actor_id=getattr(actor, "id", None),
        reason=reason,
        decision_id=getattr(decision, "id", None),
        event_id=getattr(event, "id", None),
    )
    db.session.add(step)
    db.session.flush()
    c.trace(
        actor,
        "proposal_step_noted",
        proposal,
        meeting=proposal.meeting,
        title=proposal.title,
        status=proposal.status,
        event_id=getattr(event, "id", None),
        **data,
    )
    _after_commit_hooks(c, step)
    return step


# -- on the agenda of a given Friday -----------------------------------------------------------


def _set_agenda_meeting(proposal, meeting_id):
    db.session.execute(
        update(EventProposal)
        .where(EventProposal.id == proposal.id)
        .values(agenda_meeting_id=meeting_id)
    )
    db.session.refresh(proposal)


def put_on_agenda(c, actor, proposal, meeting):
    """Inside an open change: the proposal's entry became a point of `meeting`'s agenda; a
    waiting proposal becomes `on_agenda` of that Friday (one in another state keeps it)."""
    move_status(c, actor, proposal, "on_agenda", quiet=True)
    if proposal.status == "on_agenda":
        _set_agenda_meeting(proposal, meeting.id)


def take_off_agenda(c, actor, proposal):
    """Inside an open change: its point was taken off the agenda before it started; a proposal
    that was `on_agenda` waits again (`submitted`, on no Friday)."""
    if proposal.status == "on_agenda":
        move_status(c, actor, proposal, "submitted", quiet=True)
        _set_agenda_meeting(proposal, None)


def move_to_friday(c, actor, proposal, meeting):
    """Inside an open change: the proposal's point was carried to `meeting` (the next Friday);
    its history says so, "Reportée au vendredi 11 décembre 2026", so the proposer sees the
    new date. Returns the step, or None when it was already on that Friday."""
    if proposal.agenda_meeting_id == meeting.id:
        return None
    _set_agenda_meeting(proposal, meeting.id)
    day = meeting.scheduled_for
    # The record of the place is kept in French (as the agenda's own titles).
    reason = french(lambda: _("Reportée au %(date)s", date=long_date(day)))
    return note_step(c, actor, proposal, reason, date=day.isoformat())


# -- a Friday's decision on it -----------------------------------------------------------------


def decide(c, actor, proposal, outcome, decision, reason=None):
    """Inside the change that records `decision`: what it means for the proposal its point
    comes from (`accepted`, `declined`, `to_rework`; `none` changes nothing). The reason is the
    decision's statement when none is given. Returns whether the status moved."""
    if outcome in (None, "", "none"):
        return False
    if outcome not in DECISION_OUTCOMES:
        raise ServiceError(
            _l("Choisissez ce que la décision signifie pour la proposition."),
            code="invalid_field",
            field="proposal_outcome",
        )
    return move_status(
        c, actor, proposal, outcome, reason=reason or decision.statement, decision=decision
    )
