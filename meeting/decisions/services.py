"""Recording decisions and actions during the live meeting.

These rows are the lasting ones: the decisions register, the minutes and the calendar read
them later, so each keeps who was present, the mode, the objections and how they were lifted,
the item and its source.
"""

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import permissions
from ..errors import Conflict, NotFound, ServiceError, require
from ..extensions import db
from ..i18n import _, _l
from ..live import services as agenda
from ..live.guests import attendance_of
from ..meetings import dates
from ..models import DECISION_MODES, Action, Attendance, Decision, Member, Round
from ..models.base import utcnow
from ..pipeline import change

MAX_STATEMENT = 5000


def _clean_text(value, limit, label):
    value = (value or "").strip() or None
    if value and len(value) > limit:
        raise ServiceError(
            _l("%(label)s : %(n)s caractères au plus.", label=label, n=limit), code="invalid_field"
        )
    return value


def _clean_date(value, label, allow_past=False):
    if value in (None, ""):
        return None
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            raise ServiceError(
                _l("« %(value)s » n’est pas une date valide.", value=value), code="invalid_date"
            ) from None
    if not allow_past and day < dates.today_in_place():
        raise ServiceError(
            _l("%(label)s ne peut pas être dans le passé.", label=label), code="past_date"
        )
    return day


def record_decision(
    actor, meeting_id, statement, mode, objections=None, objections_lifted=None, review_on=None
):
    """Record what the meeting decided on the current point, with who was present."""
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
    statement = (statement or "").strip()
    if not statement:
        raise ServiceError(
            _l("Écrivez la décision avant de l’enregistrer."), code="empty_statement"
        )
    if len(statement) > MAX_STATEMENT:
        raise ServiceError(
            _l("La décision est trop longue (%(n)s caractères au plus).", n=MAX_STATEMENT),
            code="invalid_field",
        )
    if mode not in DECISION_MODES:
        raise ServiceError(_l("Mode de décision inconnu."), code="invalid_field")
    objections = _clean_text(objections, 5000, _("Objections"))
    objections_lifted = _clean_text(objections_lifted, 5000, _("Levée des objections"))
    if objections and not objections_lifted and mode == "consent":
        raise ServiceError(
            _l(
                "Une décision par consentement avec des objections dit comment "
                "elles ont été levées."
            ),
            code="objections_not_lifted",
        )
    review_on = _clean_date(review_on, _("La date de révision"))
    round_ = db.session.scalar(
        select(Round).where(Round.item_id == item.id).order_by(Round.id.desc())
    )
    results = agenda.round_results(round_) if round_ else None
    for _attempt in range(3):
        try:
            with change() as c:
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
                    decided_by_id=actor.id,
                    decided_at=utcnow(),
                )
                db.session.add(decision)
                db.session.flush()
                agenda.bump_revision(meeting_id)
                c.trace(
                    actor,
                    "decision_recorded",
                    decision,
                    meeting=meeting,
                    number=number,
                    mode=mode,
                    title=item.title,
                )
                agenda.publish_live(c, meeting_id, regions=("decisions", "status"))
            return decision
        except IntegrityError:  # two decisions numbered at the same instant
            db.session.rollback()
    raise Conflict(_l("Décision non numérotée ; réessayez."), code="stale")


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
    label = " ".join((label or "").split())
    if not label:
        raise ServiceError(
            _l("Décrivez l’action en commençant par un verbe (« Acheter du savon »)."),
            code="empty_label",
        )
    if len(label) > 200:
        raise ServiceError(
            _l("L’action ne doit pas dépasser 200 caractères."), code="invalid_field"
        )
    try:
        owner_id = int(owner_id) if owner_id not in (None, "") else None
    except (TypeError, ValueError):
        owner_id = None
    owner = db.session.get(Member, owner_id) if owner_id else None
    if owner is None or not owner.is_active:
        raise ServiceError(
            _l("Une action a une personne responsable : choisissez-la."), code="missing_owner"
        )
    due_on = _clean_date(due_on, _("L’échéance"))
    if due_on is None:
        raise ServiceError(_l("Indiquez pour quand l’action est à faire."), code="missing_due")
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
