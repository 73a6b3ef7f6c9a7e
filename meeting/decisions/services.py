"""Recording decisions and actions during the live meeting.

These rows are the lasting ones: the decisions register, the minutes and the calendar read
them later, so each keeps who was present, the mode, the objections and how they were lifted,
the item and its source.
"""

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import permissions
from ..errors import Conflict, NotFound, ServiceError, require
from ..extensions import db
from ..i18n import _, _l
from ..live import services as agenda
from ..live.guests import attendance_of
from ..models import Action, Attendance, Decision, Member, Round
from ..models.base import utcnow
from ..pipeline import change
from . import corrections, proposal_step
from .validation import MAX_STATEMENT, Refusals, check_content, clean_date  # noqa: F401


def _linked_round(meeting_id, item, round_id):
    """The round a decision follows: the one its form named (it must be on the current point),
    else, for callers that name none, the point's latest round."""
    if round_id in (None, ""):
        return db.session.scalar(
            select(Round).where(Round.item_id == item.id).order_by(Round.id.desc())
        )
    round_ = db.session.get(Round, round_id)
    if round_ is None or round_.meeting_id != meeting_id or round_.item_id != item.id:
        raise ServiceError(
            _l(
                "Ce tour ne porte pas sur le point en cours : la décision ne peut pas "
                "s’y rapporter."
            ),
            code="wrong_round",
            field="round_id",
        )
    return round_


def record_decision(
    actor,
    meeting_id,
    statement,
    mode,
    objections=None,
    objections_lifted=None,
    review_on=None,
    round_id=None,
    supersedes_number=None,
    proposal_outcome="none",
    proposal_reason=None,
    create_event=False,
    confirm_overlap=False,
    **event_values,
):
    """Record what the meeting decided on the current point, with who was present, the
    round (`round_id`, on that point) it follows and the decision of a closed Friday it
    replaces (`supersedes_number`). On a point that comes from a proposal, the same change
    moves it (`proposal_outcome`: accepted, declined, to_rework, or "none"; why:
    `proposal_reason`, else the statement) and, when accepted with `create_event`, puts its
    event on the calendar (fields `event_…`; an overlap needs `confirm_overlap`)."""
    unknown = [name for name in event_values if not name.startswith(proposal_step.PREFIX)]
    if unknown:
        raise TypeError(f"record_decision() got unexpected arguments {unknown}")
    meeting = agenda.get_meeting(meeting_id)
    require(
        permissions.can_record(actor, meeting),
        _l("Seuls l’animation et le ou la secrétaire consignent les décisions."),
    )
    if meeting.status != "live":
        raise Conflict(_l("La réunion n’est pas en cours."), code="not_live")
    item = agenda.current_item(meeting_id)
    if item is None:
        raise Conflict(
            _l("Aucun point n’est en cours : choisissez d’abord le point décidé."),
            code="no_current_item",
        )
    refusals = Refusals()
    statement, objections, objections_lifted, review_on = check_content(
        refusals, statement, mode, objections, objections_lifted, review_on
    )
    round_ = refusals.check("round_id", _linked_round, meeting_id, item, round_id)
    next_number = (db.session.scalar(select(func.max(Decision.number))) or 0) + 1
    replaced = refusals.check(
        "supersedes_number",
        corrections.supersede_target,
        supersedes_number,
        meeting_id,
        next_number,
    )
    step = proposal_step.check_step(
        refusals,
        item,
        proposal_outcome,
        proposal_reason,
        create_event,
        confirm_overlap,
        event_values,
    )
    refusals.raise_any()
    results = agenda.round_results(round_) if round_ else None
    for _attempt in range(3):
        try:
            with change() as c:
                if replaced is not None:
                    corrections.lock_target(replaced)
                attendance_of(actor, meeting_id)  # whoever records it is in the room
                # ids of the attendance rows (members and guests), never names
                present = [a.id for a in agenda.attendance(meeting_id) if a.status == "present"]
                number = (db.session.scalar(select(func.max(Decision.number))) or 0) + 1
                decision = Decision(
                    number=number,
                    meeting_id=meeting_id,
                    item_id=item.id,
                    statement=statement,
                    mode=mode,
                    objections=objections,
                    objections_lifted=objections_lifted,
                    round_id=round_.id if round_ else None,
                    result=results or {},
                    present=present,
                    review_on=review_on,
                    supersedes_id=replaced.id if replaced else None,
                    decided_by_id=actor.id,
                    decided_at=utcnow(),
                )
                db.session.add(decision)
                db.session.flush()
                agenda.bump_revision(meeting_id)
                supersedes = {"supersedes_number": replaced.number} if replaced else {}
                c.trace(
                    actor,
                    "decision_recorded",
                    decision,
                    meeting=meeting,
                    number=number,
                    mode=mode,
                    title=item.title,
                    **supersedes,
                )
                if step is not None:  # what it means for the proposal, after the decision
                    proposal_step.apply(c, actor, step, decision)
                agenda.publish_live(c, meeting_id, regions=("decisions", "status"))
            return decision
        except IntegrityError:  # two decisions numbered at the same instant
            db.session.rollback()
    raise Conflict(_l("Décision non numérotée ; réessayez."), code="stale")


def _owner(owner_id):
    try:
        owner_id = int(owner_id) if owner_id not in (None, "") else None
    except (TypeError, ValueError):
        owner_id = None
    owner = db.session.get(Member, owner_id) if owner_id else None
    if owner is None or not owner.is_active:
        raise ServiceError(
            _l("Une action a une personne responsable : choisissez-la."), code="missing_owner"
        )
    return owner


def _due_on(value):
    due_on = clean_date(value, _("L’échéance"))
    if due_on is None:
        raise ServiceError(_l("Indiquez pour quand l’action est à faire."), code="missing_due")
    return due_on


def add_action(actor, meeting_id, label, owner_id, due_on, decision_id=None):
    """Record "qui fait quoi pour quand" on the current point."""
    meeting = agenda.get_meeting(meeting_id)
    require(
        permissions.can_record(actor, meeting),
        _l("Seuls l’animation et le ou la secrétaire consignent les actions."),
    )
    if meeting.status != "live":
        raise Conflict(_l("La réunion n’est pas en cours."), code="not_live")
    item = agenda.current_item(meeting_id)
    refusals = Refusals()
    label = " ".join((label or "").split())
    if not label:
        refusals.add(
            "label",
            _l("Décrivez l’action en commençant par un verbe (« Acheter du savon »)."),
            "empty_label",
        )
    elif len(label) > 200:
        refusals.add("label", _l("L’action ne doit pas dépasser 200 caractères."), "invalid_field")
    owner = refusals.check("owner_id", _owner, owner_id)
    due_on = refusals.check("due_on", _due_on, due_on)
    refusals.raise_any()
    decision = None
    if decision_id:
        decision = db.session.get(Decision, decision_id)
        if decision is None or decision.meeting_id != meeting_id:
            raise NotFound(_l("Cette décision n’existe pas."))
    with change() as c:
        action = Action(
            meeting_id=meeting_id,
            item_id=item.id if item else None,
            decision_id=decision.id if decision else None,
            label=label,
            owner_id=owner.id,
            due_on=due_on,
            created_by_id=actor.id,
        )
        db.session.add(action)
        agenda.bump_revision(meeting_id)
        c.trace(
            actor,
            "action_added",
            action,
            meeting=meeting,
            label=label,
            owner_id=owner.id,
            due_on=due_on.isoformat(),
        )
        agenda.publish_live(c, meeting_id, regions=("decisions",))
    return action


def present_names(decision):
    """The names of the people present when `decision` was made, as their rows say today
    (`Decision.present` holds attendance ids: a renamed or pseudonymised member shows the new
    name; a guest the first name they gave)."""
    ids = [i for i in decision.present or [] if isinstance(i, int)]
    if not ids:
        return []
    rows = db.session.scalars(select(Attendance).where(Attendance.id.in_(ids))).all()
    by_id = {row.id: row.name for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def attendance_counts(decision):
    """(people present, of whom guests) when `decision` was made: what a reader who may not
    see names is shown ("12 présent·es dont 2 invité·es")."""
    ids = [i for i in decision.present or [] if isinstance(i, int)]
    if not ids:
        return 0, 0
    rows = db.session.execute(
        select(Attendance.id, Attendance.member_id).where(Attendance.id.in_(ids))
    ).all()
    return len(rows), sum(1 for _id, member_id in rows if member_id is None)
