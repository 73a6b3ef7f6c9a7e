"""Recording decisions and actions during the live meeting.

These rows are the lasting ones: the decisions register, the minutes and the calendar read
them later, so each keeps who was present, the mode, the objections and how they were lifted,
the item and its source.
"""

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import permissions
from ..errors import Conflict, FieldErrors, NotFound, ServiceError, require
from ..extensions import db
from ..i18n import _, _l
from ..live import services as agenda
from ..live.guests import attendance_of
from ..meetings import dates
from ..models import DECISION_MODES, Action, Attendance, Decision, Member, Round
from ..models.base import utcnow
from ..pipeline import change

MAX_STATEMENT = 5000


class _Refusals:
    """The refusals of one form, by field: every field's message is shown at once, beside it."""

    def __init__(self):
        self.errors = {}  # field name -> ServiceError

    def check(self, name, clean, *args, **kwargs):
        """`clean(*args)`, or None with its refusal kept for the field `name`."""
        try:
            return clean(*args, **kwargs)
        except ServiceError as error:
            self.errors.setdefault(name, error)
            return None

    def add(self, name, message, code):
        self.errors.setdefault(name, ServiceError(message, code=code))

    def raise_any(self):
        if len(self.errors) == 1:
            ((name, error),) = self.errors.items()
            raise ServiceError(error.message, code=error.code, field=name)
        if self.errors:
            raise FieldErrors({name: error.message for name, error in self.errors.items()})


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
):
    """Record what the meeting decided on the current point, with who was present and the
    round (`round_id`, on that point) it follows."""
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
    refusals = _Refusals()
    statement = (statement or "").strip()
    if not statement:
        refusals.add(
            "statement", _l("Écrivez la décision avant de l’enregistrer."), "empty_statement"
        )
    elif len(statement) > MAX_STATEMENT:
        refusals.add(
            "statement",
            _l("La décision est trop longue (%(n)s caractères au plus).", n=MAX_STATEMENT),
            "invalid_field",
        )
    if mode not in DECISION_MODES:
        refusals.add("mode", _l("Mode de décision inconnu."), "invalid_field")
    objections = refusals.check("objections", _clean_text, objections, 5000, _("Objections"))
    objections_lifted = refusals.check(
        "objections_lifted", _clean_text, objections_lifted, 5000, _("Levée des objections")
    )
    if objections and not objections_lifted and mode == "consent":
        refusals.add(
            "objections_lifted",
            _l(
                "Une décision par consentement avec des objections dit comment "
                "elles ont été levées."
            ),
            "objections_not_lifted",
        )
    review_on = refusals.check("review_on", _clean_date, review_on, _("La date de révision"))
    round_ = refusals.check("round_id", _linked_round, meeting_id, item, round_id)
    refusals.raise_any()
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
    due_on = _clean_date(value, _("L’échéance"))
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
    refusals = _Refusals()
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
