"""Event proposal services: propose, withdraw, read. The whole lifecycle (agenda, decision,
calendar, notifications) builds on `ALLOWED_TRANSITIONS` and `ProposalStatusChange`; the moves
themselves are in `lifecycle.py`, re-exported here (`services.move_status`…)."""

import re
from datetime import date, time

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import cleaning, permissions, realtime
from ..errors import Conflict, FieldErrors, NotFound, ServiceError, require
from ..extensions import db
from ..i18n import _, _l
from ..labels import PROPOSAL_STATUS_LABELS
from ..meetings import dates
from ..meetings import services as meetings
from ..models import PLACES, EventProposal, ProposalStatusChange
from ..pipeline import already_applied, change, clean_op_id
from ..prep import services as prep
from .lifecycle import (  # noqa: F401 (the public names of the lifecycle, used from here)
    ALLOWED_TRANSITIONS,
    DECISION_OUTCOMES,
    STATUS_HOOKS,
    can_move,
    decide,
    move_status,
    move_to_friday,
    note_step,
    on_status_changed,
    put_on_agenda,
    take_off_agenda,
    transition_refusal,
)

MAX_WISHED = 3
MAX_MATERIAL = 2000
MAX_PLACE_DETAIL = 200


def int_field(value, label, low, high, required, field=None):
    """A whole number of a form field between `low` and `high` (None when empty and not
    `required`), or a French refusal naming `label`."""
    if value in (None, ""):
        if required:
            raise ServiceError(
                _l("Indiquez %(label)s.", label=label), code="missing_field", field=field
            )
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ServiceError(
            _l("%(label)s doit être un nombre entier.", label=label.capitalize()),
            code="invalid_field",
            field=field,
        ) from None
    if not low <= number <= high:
        raise ServiceError(
            _l(
                "%(label)s doit être entre %(low)s et %(high)s.",
                label=label.capitalize(),
                low=low,
                high=high,
            ),
            code="invalid_field",
            field=field,
        )
    return number


def _wished_problems(wished, today):
    """The cleaned (date, time) pairs and {form field: refusal} for the ones that are wrong
    (fields `date_<n>` / `time_<n>`, counted from 1 as the form shows them)."""
    cleaned, problems = [], {}
    for n, (raw_date, raw_time) in enumerate(wished, start=1):
        raw_date, raw_time = (raw_date or "").strip(), (raw_time or "").strip()
        if not raw_date and not raw_time:
            continue
        if not raw_date:
            problems[f"date_{n}"] = ServiceError(
                _l("Indiquez la date de cette heure souhaitée."),
                code="missing_date",
                field=f"date_{n}",
            )
            continue
        day = at = None
        try:
            day = date.fromisoformat(raw_date)
        except ValueError:
            problems[f"date_{n}"] = ServiceError(
                _l("« %(value)s » n’est pas une date valide.", value=raw_date),
                code="invalid_date",
                field=f"date_{n}",
            )
        if day is not None and day < today:
            problems[f"date_{n}"] = ServiceError(
                _l("La date souhaitée doit être à venir."), code="past_date", field=f"date_{n}"
            )
        elif day is not None and not cleaning.in_window(day):
            problems[f"date_{n}"] = cleaning.day_window_error(f"date_{n}")
            day = None
        if raw_time:
            try:
                at = time.fromisoformat(raw_time)
            except ValueError:
                problems[f"time_{n}"] = ServiceError(
                    _l("« %(value)s » n’est pas une heure valide (HH:MM).", value=raw_time),
                    code="invalid_time",
                    field=f"time_{n}",
                )
        if day is not None:
            cleaned.append({"date": day.isoformat(), "time": at.strftime("%H:%M") if at else None})
    if not cleaned and not problems:
        problems["date_1"] = ServiceError(
            _l("Indiquez au moins une date souhaitée."), code="missing_date", field="date_1"
        )
    if len(cleaned) > MAX_WISHED:
        problems.setdefault(
            "date_1",
            ServiceError(
                _l("Trois dates souhaitées au plus."), code="too_many_dates", field="date_1"
            ),
        )
    return cleaned, problems


def clean_wished_dates(wished, today):
    """One to three (date, time) pairs, in the future; returned as ISO strings."""
    cleaned, problems = _wished_problems(wished, today)
    if problems:
        raise next(iter(problems.values()))
    return cleaned


def _refuse(problems):
    """Raise what was wrong with the form: one field's refusal as it is (its own message and
    code), several at once as FieldErrors (each message beside its field)."""
    if len(problems) == 1:
        raise next(iter(problems.values()))
    raise FieldErrors({name: error.message for name, error in problems.items()})


# Control characters break a mail header or an iCal line; line breaks and tabs are allowed in
# the long texts only.
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
TEXT_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def no_controls(value, field, pattern=CONTROL_RE):
    """`value`, or a French refusal when it holds invisible control characters."""
    if value and pattern.search(value):
        raise ServiceError(
            _l("Ce texte contient des caractères invisibles non admis : retirez-les."),
            code="control_characters",
            field=field,
        )
    return value


def proposal_field_problems(
    title,
    description,
    wished,
    duration_minutes,
    place,
    place_detail=None,
    expected_attendance=None,
    material_needs=None,
):
    """The fields of a proposal form (a member's or the public one), cleaned, and {field:
    refusal} for every one that is wrong: each is checked, so a form shows all its problems
    at once. `wished` is [(date, time)…] as typed (fields `date_<n>` / `time_<n>`)."""
    problems = {}

    def check(field, clean, *args):
        try:
            return clean(*args)
        except ServiceError as exc:
            exc.details.setdefault("field", field)
            problems[field] = exc
            return None

    raw_title = title or ""
    check("title", no_controls, raw_title, "title")
    title = check("title", prep.clean_title, raw_title) if "title" not in problems else None
    if not title and "title" not in problems:
        problems["title"] = ServiceError(
            _l("Donnez un titre à l’événement."), code="missing_title", field="title"
        )
    raw_description = description or ""
    check("description", no_controls, raw_description, "description", TEXT_CONTROL_RE)
    description = (
        check("description", prep.clean_body, raw_description)
        if "description" not in problems
        else None
    )
    wished, wished_problems = _wished_problems(wished, dates.today_in_place())
    problems.update(wished_problems)
    duration = check(
        "duration_minutes",
        int_field,
        duration_minutes,
        _("la durée (en minutes)"),
        15,
        24 * 60,
        True,
        "duration_minutes",
    )
    if place not in PLACES:
        problems["place"] = ServiceError(
            _l("Choisissez un lieu : la maison, le Jardin du Ravelin ou ailleurs."),
            code="invalid_place",
            field="place",
        )
    raw_detail = place_detail or ""
    check("place_detail", no_controls, raw_detail, "place_detail")
    place_detail = " ".join(raw_detail.split()) or None
    if place == "elsewhere" and not place_detail:
        problems.setdefault(
            "place_detail",
            ServiceError(
                _l("Précisez où aura lieu l’événement."),
                code="missing_place",
                field="place_detail",
            ),
        )
    if place_detail and len(place_detail) > MAX_PLACE_DETAIL:
        problems.setdefault(
            "place_detail",
            ServiceError(
                _l("Le lieu ne doit pas dépasser %(n)s caractères.", n=MAX_PLACE_DETAIL),
                code="invalid_place",
                field="place_detail",
            ),
        )
    attendance = check(
        "expected_attendance",
        int_field,
        expected_attendance,
        _("le nombre de personnes attendues"),
        1,
        1000,
        False,
        "expected_attendance",
    )
    material = (material_needs or "").strip() or None
    check("material_needs", no_controls, material, "material_needs", TEXT_CONTROL_RE)
    if material and len(material) > MAX_MATERIAL:
        problems.setdefault(
            "material_needs",
            ServiceError(
                _l(
                    "Les besoins matériels ne doivent pas dépasser %(n)s caractères.",
                    n=MAX_MATERIAL,
                ),
                code="invalid_field",
                field="material_needs",
            ),
        )
    fields = {
        "title": title,
        "description": description,
        "wished_dates": wished,
        "duration_minutes": duration,
        "place": place,
        "place_detail": place_detail,
        "expected_attendance": attendance,
        "material_needs": material,
    }
    return fields, problems


def propose_event(
    actor,
    meeting_id,
    title,
    description,
    wished,
    duration_minutes,
    place,
    place_detail=None,
    expected_attendance=None,
    material_needs=None,
    op_id=None,
):
    """Record an event proposal in a Friday's document, in status `submitted`."""
    require(permissions.can_propose_event(actor))
    meeting = meetings.get_meeting(meeting_id)
    prep.ensure_open(meeting)
    fields, problems = proposal_field_problems(
        title,
        description,
        wished,
        duration_minutes,
        place,
        place_detail,
        expected_attendance,
        material_needs,
    )
    title, description, wished = fields["title"], fields["description"], fields["wished_dates"]
    duration, place_detail = fields["duration_minutes"], fields["place_detail"]
    attendance, material = fields["expected_attendance"], fields["material_needs"]
    if problems:
        _refuse(problems)
    op_id = clean_op_id(op_id)
    done = already_applied(actor, op_id, "propose_event", subject=prep.in_meeting(meeting))
    if done is not None:
        return prep.get_entry(done.subject_id).proposal
    try:
        with change() as c:
            entry = prep.insert_entry(actor, meeting, "proposal", title, description)
            proposal = EventProposal(
                entry_id=entry.id,
                meeting_id=meeting.id,
                proposer_id=actor.id,
                wished_dates=wished,
                duration_minutes=duration,
                place=place,
                place_detail=place_detail,
                expected_attendance=attendance,
                material_needs=material,
                status="submitted",
            )
            db.session.add(proposal)
            db.session.flush()
            db.session.add(
                ProposalStatusChange(
                    proposal_id=proposal.id,
                    from_status=None,
                    to_status="submitted",
                    actor_id=actor.id,
                )
            )
            c.record_operation(actor, op_id, "propose_event", entry)
            c.trace(actor, "entry_added", entry, meeting=meeting, **prep.entry_trace_data(entry))
            c.publish(
                "entry_added",
                lambda: prep.entry_fact(entry.id),
                room=realtime.document_room(meeting.id),
            )
    except IntegrityError:
        db.session.rollback()
        done = already_applied(actor, op_id, "propose_event", subject=prep.in_meeting(meeting))
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
        select(EventProposal)
        .where(EventProposal.proposer_id == actor.id)
        .options(
            selectinload(EventProposal.entry),
            selectinload(EventProposal.meeting),
            selectinload(EventProposal.changes),
        )
        .order_by(EventProposal.created_at.desc())
    ).all()


def withdraw_proposal(actor, proposal_id, reason=None):
    """The proposer withdraws their proposal (kept, with its history, as `withdrawn`)."""
    proposal = get_proposal(actor, proposal_id)
    require(
        permissions.can_withdraw_proposal(actor, proposal),
        _l("Seule la personne qui a proposé l’événement peut le retirer."),
    )
    from_status = proposal.status
    if "withdrawn" not in ALLOWED_TRANSITIONS[from_status]:
        if from_status == "held":  # "est a eu lieu" is no French
            raise Conflict(
                _l("L’événement a eu lieu : la proposition ne peut plus être retirée."),
                code="bad_transition",
            )
        raise Conflict(
            _l(
                "Cette proposition est %(status)s : elle ne peut plus être retirée.",
                status=PROPOSAL_STATUS_LABELS[from_status],
            ),
            code="bad_transition",
        )
    reason = (reason or "").strip() or None
    if reason and len(reason) > 2000:
        raise ServiceError(
            _l("La raison ne doit pas dépasser 2000 caractères."), code="invalid_field"
        )
    title, entry_id = proposal.title, proposal.entry_id
    with change() as c:
        move_status(c, actor, proposal, "withdrawn", reason=reason)
        c.trace(actor, "proposal_withdrawn", proposal, meeting=proposal.meeting, title=title)
        c.publish(
            "entry_edited",
            lambda: prep.entry_fact(entry_id),
            room=realtime.document_room(proposal.meeting_id),
        )
    return proposal
