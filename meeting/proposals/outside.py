"""Proposing an event without an account: the public form `/proposer`.

The proposal lands in the coming Friday's document like a member's; its entry's author is the
place's own system member ("Formulaire public": deactivated, never listed), and the
proposer's name and e-mail stay on the proposal (`outside_name`, `outside_email`), never in a
trace. The proposer receives the private status link on the thank-you page and by e-mail.
"""

import re

from sqlalchemy import select

from .. import realtime
from ..errors import FieldErrors, ServiceError
from ..extensions import db
from ..i18n import _, _l
from ..meetings import dates
from ..meetings import services as meetings
from ..models import PLACES, EventProposal, Member, ProposalStatusChange
from ..models.base import utcnow
from ..pipeline import change
from ..prep import services as prep
from . import services, tracking

SYSTEM_NAME = "Formulaire public"
MAX_NAME = 80
MAX_EMAIL = 254
MAX_PLACE_DETAIL = 200
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Control characters break a mail header or an iCal line; line breaks and tabs are allowed in
# the long texts only.
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
TEXT_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def system_member():
    """Inside an open change: the place's own author of outside proposals, created once."""
    member = db.session.scalar(
        select(Member).where(Member.is_system.is_(True)).order_by(Member.id).limit(1)
    )
    if member is None:
        member = Member(
            display_name=SYSTEM_NAME, email=None, role="member", is_system=True,
            deactivated_at=utcnow(),
        )  # fmt: skip
        db.session.add(member)
        db.session.flush()
    return member


def _no_controls(value, field, pattern=CONTROL_RE):
    if value and pattern.search(value):
        raise ServiceError(
            _l("Ce texte contient des caractères invisibles non admis : retirez-les."),
            code="control_characters",
            field=field,
        )
    return value


def clean_outside_name(name):
    name = " ".join(_no_controls(name or "", "name").split())
    if not name:
        raise ServiceError(_l("Indiquez votre nom."), code="missing_field", field="name")
    if len(name) > MAX_NAME:
        raise ServiceError(
            _l("Le nom ne doit pas dépasser %(n)s caractères.", n=MAX_NAME),
            code="invalid_field",
            field="name",
        )
    return name


def clean_outside_email(email):
    email = (email or "").strip()
    _no_controls(email, "email")
    if not email:
        raise ServiceError(
            _l("Indiquez votre adresse e-mail : le lien de suivi vous y sera envoyé."),
            code="missing_field",
            field="email",
        )
    if len(email) > MAX_EMAIL or not EMAIL_RE.match(email):
        raise ServiceError(
            _l("Cette adresse e-mail n’est pas valide (exemple : prenom@exemple.fr)."),
            code="invalid_email",
            field="email",
        )
    return email


def _number(value, label, low, high, required, field):
    return services.int_field(value, label, low, high, required, field)


def _wished(wished, problems):
    """The wished moments, each checked with the proposals service's own rule."""
    cleaned = []
    for n, pair in enumerate(wished, start=1):
        raw_date, raw_time = ((pair[0] or "").strip(), (pair[1] or "").strip())
        if not raw_date and not raw_time:
            continue
        if not raw_date:
            problems[f"date_{n}"] = str(_("Indiquez la date de cette heure souhaitée."))
            continue
        try:
            cleaned += services.clean_wished_dates([(raw_date, raw_time)], dates.today_in_place())
        except ServiceError as exc:
            where = "time" if str(exc.details.get("field", "")).startswith("time") else "date"
            problems[f"{where}_{n}"] = exc.message
    if not cleaned and not any(k.startswith(("date_", "time_")) for k in problems):
        problems["date_1"] = str(_("Indiquez au moins une date souhaitée."))
    return cleaned


def clean_proposal_fields(values):
    """The fields of a proposal form (title, description, date_n/time_n, duration_minutes,
    place, place_detail, expected_attendance, material_needs), cleaned; every problem at once
    as FieldErrors (each message beside its field)."""
    problems = {}

    def check(field, clean, *args):
        try:
            return clean(*args)
        except ServiceError as exc:
            problems[field] = exc.message
            return None

    raw_title = values.get("title") or ""
    check("title", _no_controls, raw_title, "title")
    title = check("title", prep.clean_title, raw_title) if "title" not in problems else None
    if not title and "title" not in problems:
        problems["title"] = str(_("Donnez un titre à l’événement."))
    raw_description = values.get("description") or ""
    check("description", _no_controls, raw_description, "description", TEXT_CONTROL_RE)
    description = (
        check("description", prep.clean_body, raw_description)
        if "description" not in problems
        else None
    )
    wished = _wished(
        [(values.get(f"date_{i}"), values.get(f"time_{i}")) for i in range(1, 4)], problems
    )
    duration = check(
        "duration_minutes", _number, values.get("duration_minutes"),
        _("la durée (en minutes)"), 15, 24 * 60, True, "duration_minutes",
    )  # fmt: skip
    place = values.get("place")
    if place not in PLACES:
        problems["place"] = str(
            _("Choisissez un lieu : la maison, le Jardin du Ravelin ou ailleurs.")
        )
    raw_detail = values.get("place_detail") or ""
    check("place_detail", _no_controls, raw_detail, "place_detail")
    place_detail = " ".join(raw_detail.split()) or None
    if place == "elsewhere" and not place_detail:
        problems.setdefault("place_detail", str(_("Précisez où aura lieu l’événement.")))
    if place_detail and len(place_detail) > MAX_PLACE_DETAIL:
        problems.setdefault(
            "place_detail",
            str(_("Le lieu ne doit pas dépasser %(n)s caractères.", n=MAX_PLACE_DETAIL)),
        )
    attendance = check(
        "expected_attendance", _number, values.get("expected_attendance"),
        _("le nombre de personnes attendues"), 1, 1000, False, "expected_attendance",
    )  # fmt: skip
    material = (values.get("material_needs") or "").strip() or None
    check("material_needs", _no_controls, material, "material_needs", TEXT_CONTROL_RE)
    if material and len(material) > services.MAX_MATERIAL:
        problems.setdefault(
            "material_needs",
            str(
                _(
                    "Les besoins matériels ne doivent pas dépasser %(n)s caractères.",
                    n=services.MAX_MATERIAL,
                )
            ),
        )
    if problems:
        raise FieldErrors(problems)
    return {
        "title": title,
        "description": description,
        "wished_dates": wished,
        "duration_minutes": duration,
        "place": place,
        "place_detail": place_detail,
        "expected_attendance": attendance,
        "material_needs": material,
    }


def refuse_robot():
    return ServiceError(
        _l(
            "Votre envoi a été refusé : un champ réservé aux robots a été rempli. Si vous "
            "êtes une personne, rechargez la page et envoyez le formulaire sans le remplir."
        ),
        code="honeypot",
    )


def propose_from_outside(values, honeypot=None):
    """Record a proposal from someone without an account, in the coming Friday's document.
    Returns (proposal, status token). Nothing is stored when anything is refused."""
    if honeypot:
        raise refuse_robot()
    problems = {}
    for field, clean in (("name", clean_outside_name), ("email", clean_outside_email)):
        try:
            values = {**values, field: clean(values.get(field))}
        except ServiceError as exc:
            problems[field] = exc.message
    try:
        fields = clean_proposal_fields(values)
    except FieldErrors as exc:
        problems.update(exc.details["fields"])
    if problems:
        raise FieldErrors(problems)
    meeting = meetings.ensure_meeting(meetings.coming_day())
    prep.ensure_open(meeting)
    with change() as c:
        author = system_member()
        entry = prep.insert_entry(
            author, meeting, "proposal", fields["title"], fields["description"]
        )
        proposal = EventProposal(
            entry_id=entry.id,
            meeting_id=meeting.id,
            proposer_id=None,
            outside_name=values["name"],
            outside_email=values["email"],
            wished_dates=fields["wished_dates"],
            duration_minutes=fields["duration_minutes"],
            place=fields["place"],
            place_detail=fields["place_detail"],
            expected_attendance=fields["expected_attendance"],
            material_needs=fields["material_needs"],
            status="submitted",
            created_at=utcnow(),
        )
        db.session.add(proposal)
        db.session.flush()
        token = tracking.token_for(proposal)
        proposal.status_token_hash = tracking.hash_token(token)
        step = ProposalStatusChange(
            proposal_id=proposal.id, from_status=None, to_status="submitted", actor_id=author.id
        )
        db.session.add(step)
        db.session.flush()
        # The trace names the system author, never the proposer (their name is on the row).
        c.trace(author, "entry_added", entry, meeting=meeting, **prep.entry_trace_data(entry))
        c.publish(
            "entry_added",
            lambda: prep.entry_fact(entry.id),
            room=realtime.document_room(meeting.id),
        )
        from .notices import send_step_mail

        c.after_commit(send_step_mail, step.id)
    return proposal, token
