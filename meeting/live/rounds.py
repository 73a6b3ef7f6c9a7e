"""Consent rounds and votes: opened on the current point, answered from phones, closed."""

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict, NotFound, ServiceError
from ..extensions import db
from ..i18n import _l
from ..models import (
    CONSENT_ANSWERS,
    ROUND_KINDS,
    Round,
    RoundAnswer,
)
from ..models.base import utcnow
from ..pipeline import change
from .guests import attendance_of
from .rules import bump_revision, require_console, require_live, require_participant
from .state import (
    current_item,
    get_meeting,
    open_round,
    publish_live,
    publish_live_soon,
    round_results,
)

# Opening or closing a round also changes the console's decision form (it names the round and
# takes its objections), which lives in the "decisions" region.
ROUND_AND_DECISION_FORM = ("round", "decisions")


def start_round(actor, meeting_id, kind, question, options=None):
    """Open a consent round or a vote on the current point (one round at a time)."""
    meeting = get_meeting(meeting_id)
    require_console(actor, meeting)
    require_live(meeting)
    item = current_item(meeting_id)
    if item is None:
        raise Conflict(_l("Aucun point n’est en cours."), code="no_current_item")
    if kind not in ROUND_KINDS:
        raise ServiceError(_l("Type de tour inconnu."), code="invalid_field")
    question = (question or "").strip()
    if not question:
        raise ServiceError(_l("Écrivez la proposition soumise au tour."), code="missing_question")
    if len(question) > 2000:
        raise ServiceError(
            _l("La proposition est trop longue (2000 caractères au plus)."), code="invalid_field"
        )
    cleaned = []
    if kind == "vote":
        cleaned = [o.strip() for o in (options or []) if o and o.strip()]
        if len(cleaned) < 2 or len(set(cleaned)) != len(cleaned):
            raise ServiceError(
                _l("Un vote demande au moins deux choix différents."), code="invalid_options"
            )
        if any(len(o) > 80 for o in cleaned) or len(cleaned) > 10:
            raise ServiceError(_l("Dix choix de 80 caractères au plus."), code="invalid_options")
    if open_round(meeting_id) is not None:
        raise Conflict(_l("Un tour est déjà ouvert : fermez-le d’abord."), code="round_open")
    with change() as c:
        round_ = Round(
            meeting_id=meeting_id,
            item_id=item.id,
            kind=kind,
            question=question,
            options=cleaned,
            opened_by_id=actor.id,
        )
        db.session.add(round_)
        bump_revision(meeting_id)
        c.trace(actor, "round_opened", round_, meeting=meeting, kind=kind, title=item.title)
        # the console's decision form names the round it follows
        publish_live(c, meeting_id, regions=ROUND_AND_DECISION_FORM)
    return round_


def get_round(round_id):
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise NotFound(_l("Ce tour n’existe pas."))
    return round_


def answer_round(actor, round_id, answer, reason=None):
    """Answer the open round; a second answer replaces the first (never counted twice)."""
    round_ = get_round(round_id)
    meeting = get_meeting(round_.meeting_id)
    require_participant(actor, meeting)
    if round_.closed_at is not None:
        raise Conflict(_l("Ce tour est fermé."), code="round_closed")
    choices = CONSENT_ANSWERS if round_.kind == "consent" else round_.options
    if answer not in choices:
        raise ServiceError(
            _l("Cette réponse n’est pas possible pour ce tour."),
            code="invalid_answer",
            field="answer",
        )
    reason = (reason or "").strip() or None
    if answer == "object" and not reason:
        raise ServiceError(
            _l("Une objection s’accompagne d’une raison : écrivez-la."),
            code="missing_reason",
            field="reason",
        )
    if reason and len(reason) > 2000:
        raise ServiceError(
            _l("La raison est trop longue (2000 caractères au plus)."),
            code="invalid_field",
            field="reason",
        )
    for _attempt in range(2):
        try:
            with change():
                who = attendance_of(actor, meeting.id)
                row = db.session.scalar(
                    select(RoundAnswer).where(
                        RoundAnswer.round_id == round_id, RoundAnswer.attendance_id == who.id
                    )
                )
                if row is None:
                    db.session.add(
                        RoundAnswer(
                            round_id=round_id,
                            attendance_id=who.id,
                            answer=answer,
                            reason=reason,
                            objection=reason if answer == "object" else None,
                        )
                    )
                else:
                    row.answer, row.reason, row.answered_at = answer, reason, utcnow()
                    if answer == "object":  # an objection lifted later stays known
                        row.objection = reason
                bump_revision(meeting.id)
            publish_live_soon(meeting.id, ("round",))
            return answer
        except IntegrityError:  # the same person's two answers at the same instant
            db.session.rollback()
    raise Conflict(_l("Réponse déjà en cours d’enregistrement."), code="stale")


def close_round(actor, round_id):
    round_ = get_round(round_id)
    meeting = get_meeting(round_.meeting_id)
    require_console(actor, meeting)
    if round_.closed_at is not None:
        raise Conflict(_l("Ce tour est déjà fermé."), code="round_closed")
    with change() as c:
        db.session.execute(
            update(Round)
            .where(Round.id == round_id, Round.closed_at.is_(None))
            .values(closed_at=utcnow())
        )
        bump_revision(meeting.id)
        results = round_results(round_)
        c.trace(actor, "round_closed", round_, meeting=meeting, total=results["total"])
        # the console's decision form is prefilled from the round's final answers
        publish_live(c, meeting.id, regions=ROUND_AND_DECISION_FORM)
    return round_


def close_open_rounds(meeting_id, now):
    """Inside the closing change: a round still open when the meeting closes is closed."""
    db.session.execute(
        update(Round)
        .where(Round.meeting_id == meeting_id, Round.closed_at.is_(None))
        .values(closed_at=now)
    )
