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
from ..i18n import _l
from ..meetings import services as meetings
from ..models import EventProposal, Member, ProposalStatusChange
from ..models.base import utcnow
from ..pipeline import change
from ..prep import services as prep
from . import services, tracking

SYSTEM_NAME = "Formulaire public"
MAX_NAME = 80
MAX_EMAIL = 254
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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


def clean_outside_name(name):
    name = " ".join(services.no_controls(name or "", "name").split())
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
    services.no_controls(email, "email")
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


def clean_proposal_fields(values):
    """The fields of a proposal form (title, description, date_n/time_n, duration_minutes,
    place, place_detail, expected_attendance, material_needs), cleaned by the proposals
    service's one check; every problem at once as FieldErrors (each message beside its
    field)."""
    fields, problems = services.proposal_field_problems(
        values.get("title"),
        values.get("description"),
        [(values.get(f"date_{i}"), values.get(f"time_{i}")) for i in range(1, 4)],
        values.get("duration_minutes"),
        values.get("place"),
        values.get("place_detail"),
        values.get("expected_attendance"),
        values.get("material_needs"),
    )
    if problems:
        raise FieldErrors({name: error.message for name, error in problems.items()})
    return fields


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
