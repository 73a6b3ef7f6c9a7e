"""Event proposal services: propose, withdraw, read. The whole lifecycle (agenda, decision,
calendar, notifications) builds on `ALLOWED_TRANSITIONS` and `ProposalStatusChange`."""

from datetime import date, time

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import permissions
from ..extensions import db
from ..i18n import _, _l
from ..live import meeting_room
from ..models import PLACES, EventProposal, ProposalStatusChange
from ..models.base import utcnow
from ..pipeline import Conflict, NotFound, ServiceError, change, require
from ..prep import services as prep

MAX_WISHED = 3
MAX_MATERIAL = 2000

PLACE_LABELS = {
    "house": _l("La maison, 97 rue Battant"),
    "garden": _l("Le Jardin du Ravelin"),
    "elsewhere": _l("Ailleurs"),
}
STATUS_LABELS = {
    "submitted": _l("proposée"),
    "on_agenda": _l("à l’ordre du jour"),
    "accepted": _l("acceptée"),
    "scheduled": _l("programmée"),
    "held": _l("a eu lieu"),
    "to_rework": _l("à retravailler"),
    "declined": _l("déclinée"),
    "withdrawn": _l("retirée"),
}
# The lifecycle (ARCHITECTURE §2); each change is a ProposalStatusChange row.
ALLOWED_TRANSITIONS = {
    "submitted": {"on_agenda", "to_rework", "declined", "withdrawn"},
    "on_agenda": {"accepted", "to_rework", "declined", "withdrawn", "submitted"},
    "accepted": {"scheduled", "withdrawn"},
    "scheduled": {"held", "withdrawn"},
    "to_rework": {"submitted", "withdrawn"},
    "held": set(),
    "declined": set(),
    "withdrawn": set(),
}


def _int_field(value, label, low, high, required):
    if value in (None, ""):
        if required:
            raise ServiceError(_l("Indiquez %(label)s.", label=label), code="missing_field")
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ServiceError(_l("%(label)s doit être un nombre entier.", label=label.capitalize()),
                           code="invalid_field") from None
    if not low <= number <= high:
        raise ServiceError(_l("%(label)s doit être entre %(low)s et %(high)s.",
                              label=label.capitalize(), low=low, high=high), code="invalid_field")
    return number


def clean_wished_dates(wished, today):
    """One to three (date, time) pairs, in the future; returned as ISO strings."""
    cleaned = []
    for raw_date, raw_time in wished:
        raw_date, raw_time = (raw_date or "").strip(), (raw_time or "").strip()
        if not raw_date and not raw_time:
            continue
        try:
            day = date.fromisoformat(raw_date)
        except ValueError:
            raise ServiceError(_l("« %(value)s » n’est pas une date valide.", value=raw_date),
                               code="invalid_date") from None
        if day < today:
            raise ServiceError(_l("La date souhaitée doit être à venir."), code="past_date")
        at = None
        if raw_time:
            try:
                at = time.fromisoformat(raw_time)
            except ValueError:
                raise ServiceError(_l("« %(value)s » n’est pas une heure valide (HH:MM).",
                                      value=raw_time), code="invalid_time") from None
        cleaned.append({"date": day.isoformat(), "time": at.strftime("%H:%M") if at else None})
    if not cleaned:
        raise ServiceError(_l("Indiquez au moins une date souhaitée."), code="missing_date")
    if len(cleaned) > MAX_WISHED:
        raise ServiceError(_l("Trois dates souhaitées au plus."), code="too_many_dates")
    return cleaned


def propose_event(actor, meeting_id, title, description, wished, duration_minutes, place,
                  place_detail=None, expected_attendance=None, material_needs=None, op_id=None):
    """Record an event proposal in a Friday's document, in status `submitted`."""
    require(permissions.can_propose_event(actor))
    meeting = prep.get_meeting(meeting_id)
    prep._ensure_open(meeting)
    title = prep.clean_title(title)
    if not title:
        raise ServiceError(_l("Donnez un titre à l’événement."), code="missing_title")
    description = prep.clean_body(description)
    wished = clean_wished_dates(wished, prep.today_in_place())
    duration = _int_field(duration_minutes, _("la durée (en minutes)"), 15, 24 * 60, True)
    if place not in PLACES:
        raise ServiceError(_l("Choisissez un lieu : la maison, le Jardin du Ravelin ou ailleurs."),
                           code="invalid_place")
    place_detail = " ".join((place_detail or "").split()) or None
    if place == "elsewhere" and not place_detail:
        raise ServiceError(_l("Précisez où aura lieu l’événement."), code="missing_place")
    if place_detail and len(place_detail) > 200:
        raise ServiceError(_l("Le lieu ne doit pas dépasser 200 caractères."), code="invalid_place")
    attendance = _int_field(expected_attendance, _("le nombre de personnes attendues"), 1, 1000,
                            False)
    material = (material_needs or "").strip() or None
    if material and len(material) > MAX_MATERIAL:
        raise ServiceError(_l("Les besoins matériels ne doivent pas dépasser %(n)s caractères.",
                              n=MAX_MATERIAL), code="invalid_field")
    op_id = prep.clean_op_id(op_id)
    done = prep._already_applied(actor, op_id)
    if done is not None:
        return prep.get_entry(done.subject_id).proposal
    try:
        with change() as c:
            entry = prep._insert_entry(actor, meeting, "proposal", title, description)
            proposal = EventProposal(
                entry_id=entry.id, meeting_id=meeting.id, proposer_id=actor.id,
                wished_dates=wished, duration_minutes=duration, place=place,
                place_detail=place_detail, expected_attendance=attendance,
                material_needs=material, status="submitted",
            )
            db.session.add(proposal)
            db.session.flush()
            db.session.add(ProposalStatusChange(proposal_id=proposal.id, from_status=None,
                                                to_status="submitted", actor_id=actor.id))
            prep._record_operation(actor, op_id, "propose_event", entry)
            c.trace(actor, "entry_added", entry, prep._added_summary(actor, entry),
                    meeting=meeting, kind="proposal")
            c.publish("entry_added", lambda: prep.entry_fact(entry.id),
                      room=meeting_room(meeting.id))
    except IntegrityError:
        db.session.rollback()
        done = prep._already_applied(actor, op_id)
        if done is None:
            raise
        return prep.get_entry(done.subject_id).proposal
    return proposal


def get_proposal(actor, proposal_id):
    proposal = db.session.get(EventProposal, proposal_id)
    if proposal is None:
        raise NotFound(_l("Cette proposition n’existe pas."))
    require(permissions.can_view_proposal(actor, proposal))
    return proposal


def my_proposals(actor):
    require(permissions.is_member(actor))
    return db.session.scalars(
        select(EventProposal).where(EventProposal.proposer_id == actor.id)
        .options(selectinload(EventProposal.entry), selectinload(EventProposal.meeting),
                 selectinload(EventProposal.changes))
        .order_by(EventProposal.created_at.desc())
    ).all()


def withdraw_proposal(actor, proposal_id, reason=None):
    """The proposer withdraws their proposal (kept, with its history, as `withdrawn`)."""
    proposal = get_proposal(actor, proposal_id)
    require(permissions.can_withdraw_proposal(actor, proposal),
            _l("Seule la personne qui a proposé l’événement peut le retirer."))
    from_status = proposal.status
    if "withdrawn" not in ALLOWED_TRANSITIONS[from_status]:
        raise Conflict(_l("Cette proposition est %(status)s : elle ne peut plus être retirée.",
                          status=STATUS_LABELS[from_status]), code="bad_transition")
    reason = (reason or "").strip() or None
    if reason and len(reason) > 2000:
        raise ServiceError(_l("La raison ne doit pas dépasser 2000 caractères."),
                           code="invalid_field")
    name, title, entry_id = actor.display_name, proposal.title, proposal.entry_id
    with change() as c:
        now = utcnow()
        changed = db.session.execute(
            update(EventProposal)
            .where(EventProposal.id == proposal_id, EventProposal.status == from_status)
            .values(status="withdrawn", status_changed_at=now, withdrawn_at=now)
        ).rowcount
        if changed != 1:
            raise Conflict(_l("Cette proposition vient de changer ; rechargez la page."),
                           code="stale")
        db.session.add(ProposalStatusChange(proposal_id=proposal_id, from_status=from_status,
                                            to_status="withdrawn", actor_id=actor.id,
                                            reason=reason))
        proposal = db.session.get(EventProposal, proposal_id)
        db.session.refresh(proposal)
        c.trace(actor, "proposal_withdrawn", proposal, prep.french(lambda: _(
            "%(name)s a retiré sa proposition « %(title)s ».", name=name, title=title)),
            meeting=proposal.meeting)
        c.publish("entry_edited", lambda: prep.entry_fact(entry_id),
                  room=meeting_room(proposal.meeting_id))
    return proposal
