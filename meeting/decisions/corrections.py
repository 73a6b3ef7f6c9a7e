"""Correcting a decision: edited in place while its Friday is live, replaced by a new decision
(`supersedes`) once it is closed, and the way there: a point "Corriger la décision n° N" on
the coming Friday's agenda, whose decision form proposes to supersede N.

A decision of a closed Friday is never changed: the register shows both, linked both ways.
"""

from sqlalchemy import select

from .. import permissions
from ..errors import Conflict, NotFound, ServiceError, require
from ..extensions import db
from ..i18n import _, _l, french, long_date
from ..live import services as agenda
from ..live.rules import next_position
from ..meetings import services as meetings
from ..models import AgendaItem, Decision, Meeting
from ..pipeline import change
from .validation import Refusals, check_content

CLOSED_MESSAGE = _l(
    "Une décision d’un vendredi clos ne se modifie plus : une nouvelle décision peut la remplacer."
)


def superseder_of(decision):
    """The decision that replaces `decision`, or None."""
    return db.session.scalar(select(Decision).where(Decision.supersedes_id == decision.id))


def _already_superseded(decision, newer):
    return ServiceError(
        _l(
            "La décision n° %(n)s est déjà remplacée par la décision n° %(by)s.",
            n=decision.number,
            by=newer.number,
        ),
        code="already_superseded",
        field="supersedes_number",
        superseded_by=newer.number,
    )


def _number(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip().removeprefix("n°").removeprefix("#").strip()
    if not text.isdigit() or len(text) > 9:
        raise ServiceError(
            _l("« %(value)s » n’est pas un numéro de décision.", value=str(value)[:40]),
            code="invalid_field",
        )
    return int(text)


def supersede_target(value, meeting_id, next_number):
    """The decision a new decision of `meeting_id` (numbered `next_number` if recorded now)
    replaces, from the console's "Remplace la décision n°" field; None when it is empty.

    Refused: not a number, itself, unknown, already replaced, or a decision of a Friday that
    is not closed: while its Friday is open a decision is corrected in place
    (`edit_decision`), so that a decision is replaced only once it is part of the record."""
    if value in (None, ""):
        return None
    number = _number(value)
    if number == next_number:
        raise ServiceError(
            _l("Une décision ne peut pas se remplacer elle-même."), code="supersedes_itself"
        )
    target = db.session.scalar(select(Decision).where(Decision.number == number))
    if target is None:
        raise ServiceError(
            _l("Aucune décision ne porte le numéro %(n)s.", n=number), code="unknown_decision"
        )
    newer = superseder_of(target)
    if newer is not None:
        raise _already_superseded(target, newer)
    if target.meeting_id == meeting_id:
        raise ServiceError(
            _l(
                "La décision n° %(n)s est de ce vendredi : corrigez-la plutôt (« Corriger la "
                "décision », sous la liste des décisions du jour).",
                n=number,
            ),
            code="same_meeting",
        )
    if target.meeting.status != "closed":
        raise ServiceError(
            _l(
                "La décision n° %(n)s est d’un vendredi qui n’est pas clos : elle se corrige "
                "encore telle quelle.",
                n=number,
            ),
            code="not_closed",
        )
    return target


def lock_target(target):
    """Inside the recording change: take the replaced decision's row (PostgreSQL: FOR UPDATE;
    SQLite's write transaction is already exclusive) and refuse if another decision replaced
    it meanwhile."""
    db.session.scalar(select(Decision.id).where(Decision.id == target.id).with_for_update())
    newer = superseder_of(target)
    if newer is not None:
        raise _already_superseded(target, newer)


def edit_decision(
    actor, decision_id, statement, objections=None, objections_lifted=None, review_on=None
):
    """Correct a decision of the live Friday in place (the form's values replace its texts:
    an empty field clears it). Once its Friday is closed it is refused: a new decision that
    supersedes it is the correction."""
    decision = db.session.get(Decision, decision_id) if decision_id is not None else None
    if decision is None:
        raise NotFound(_l("Cette décision n’existe pas."))
    meeting = decision.meeting
    require(
        permissions.can_record(actor, meeting),
        _l("Seuls l’animation et le ou la secrétaire corrigent les décisions."),
    )
    if meeting.status == "closed":
        raise Conflict(CLOSED_MESSAGE, code="decision_closed", number=decision.number)
    if meeting.status != "live":
        raise Conflict(_l("La réunion n’est pas en cours."), code="not_live")
    refusals = Refusals()
    values = check_content(
        refusals,
        statement,
        decision.mode,
        objections,
        objections_lifted,
        review_on,
        kept=decision.review_on,
    )
    refusals.raise_any()
    names = ("statement", "objections", "objections_lifted", "review_on")
    new = dict(zip(names, values, strict=True))
    changed = [name for name in names if getattr(decision, name) != new[name]]
    if not changed:
        return decision
    with change() as c:
        if meeting.status != "live":  # closed while the form was filled in
            raise Conflict(CLOSED_MESSAGE, code="decision_closed", number=decision.number)
        for name in changed:
            setattr(decision, name, new[name])
        agenda.bump_revision(meeting.id)
        c.trace(
            actor,
            "decision_edited",
            decision,
            meeting=meeting,
            number=decision.number,
            fields=changed,
            title=decision.item.title if decision.item else "",
        )
        agenda.publish_live(c, meeting.id, regions=("decisions",))
    return decision


def open_point(decision):
    """A point about `decision` still to come on a Friday that is not closed, or None."""
    return db.session.scalar(
        select(AgendaItem)
        .join(Meeting, AgendaItem.meeting_id == Meeting.id)
        .where(
            AgendaItem.review_of_decision_id == decision.id,
            AgendaItem.status.in_(("pending", "current")),
            Meeting.status != "closed",
        )
    )


def propose_correction(actor, decision_id):
    """Put "Corriger la décision n° N" on the coming Friday's agenda (a facilitator, from the
    decision's page); the console proposes to supersede N when it records that point's
    decision. The point is an agenda item with `review_of_decision_id`, like a review."""
    require(
        permissions.can_correct_decision(actor),
        _l("Seul·es les facilitateur·rices mettent une correction à l’ordre du jour."),
    )
    decision = db.session.get(Decision, decision_id) if decision_id is not None else None
    if decision is None:
        raise NotFound(_l("Cette décision n’existe pas."))
    number = decision.number
    if decision.meeting.status != "closed":
        raise Conflict(
            _l(
                "La décision n° %(n)s est d’un vendredi encore ouvert : elle se corrige sur "
                "la console.",
                n=number,
            ),
            code="not_closed",
        )
    newer = superseder_of(decision)
    if newer is not None:
        raise Conflict(
            _l(
                "La décision n° %(n)s est déjà remplacée par la décision n° %(by)s.",
                n=number,
                by=newer.number,
            ),
            code="already_superseded",
        )
    point = open_point(decision)
    if point is not None:
        raise Conflict(
            _l(
                "« %(title)s » est déjà à l’ordre du jour du %(date)s.",
                title=point.title,
                date=long_date(point.meeting.scheduled_for),
            ),
            code="already_on_agenda",
        )
    day = meetings.coming_day()
    meeting = meetings.ensure_meeting(day)  # the first change of that Friday makes its row
    with change() as c:
        item = AgendaItem(
            meeting_id=meeting.id,
            position=next_position(meeting.id),
            kind="review",
            review_of_decision_id=decision.id,
            timebox_minutes=10,
            title=french(lambda: _("Corriger la décision n° %(n)s", n=number)),
        )
        db.session.add(item)
        agenda.bump_revision(meeting.id, agenda=True)
        c.trace(
            actor,
            "decision_correction_proposed",
            decision,
            meeting=meeting,
            number=number,
            date=day.isoformat(),
            title=item.title,
        )
        agenda.publish_live(c, meeting.id)
    return item


def supersede_prefill(item):
    """The number the console's decision form proposes to replace on the point `item`: the
    decision the point corrects or reviews (followed through the Fridays it was carried
    over), if it can still be replaced; else None."""
    seen = set()
    while item is not None and item.id not in seen:
        seen.add(item.id)
        if item.review_of_decision_id:
            decision = db.session.get(Decision, item.review_of_decision_id)
            if (
                decision is None
                or decision.meeting.status != "closed"
                or superseder_of(decision) is not None
            ):
                return None
            return decision.number
        item = item.carried_from
    return None
