"""After the commit of every step of a proposal's history: its proposer is told.

- by e-mail, in French (the member's address, or `outside_email`), unless they stopped the
  e-mails; `mailed_at` is set in its own change once the SMTP server took it (so once); a
  refusal is logged and leaves it unset;
- in the app, for a member, when someone else moved it (a notification);
- live on "Mes propositions" (`proposal_changed` with the row, to `member:<id>` only).
"""

import logging

from flask import render_template, url_for
from sqlalchemy import update

from .. import realtime
from ..extensions import db
from ..i18n import _, long_date, long_datetime, short_time
from ..labels import PROPOSAL_STATUS_LABELS
from ..mail import mail_enabled, send_mail
from ..models import ProposalStatusChange
from ..models.base import utcnow
from ..notifications import services as notifications
from ..pipeline import change
from . import timeline, tracking

log = logging.getLogger(__name__)


def recipient(proposal):
    """(address, name) the proposer is written to, or None."""
    if proposal.proposer_id is None:
        return (proposal.outside_email, proposal.outside_name) if proposal.outside_email else None
    member = proposal.proposer
    if member is None or not member.is_active or member.is_system or not member.email:
        return None
    return member.email, member.display_name


def follow_url(proposal):
    """Where the proposer follows it: the status link, or the member's own page."""
    if proposal.proposer_id is None:
        return tracking.status_url(proposal)
    return url_for("proposals.show", proposal_id=proposal.id, _external=True)


def _event_lines(event):
    when = _(
        "le %(date)s de %(start)s à %(end)s",
        date=long_date(event["starts_at"].date()),
        start=short_time(event["starts_at"].time()),
        end=short_time(event["ends_at"].time()),
    )
    lines = [
        _("Événement : « %(title)s », %(when)s.", title=event["title"], when=when),
        _("Lieu : %(place)s.", place=event["place"]),
    ]
    if event["cancelled"]:
        lines.append(_("Cet événement est annulé."))
    if event["url"]:
        lines.append(event["url"])
    return lines


def step_mail(change_row, name):
    """(subject, body) of the e-mail about one step (in a render context)."""
    proposal = change_row.proposal
    member_reader = proposal.proposer_id is not None
    step = timeline.step_of(change_row, proposal, member_reader, external=True)
    title = proposal.title
    status = str(PROPOSAL_STATUS_LABELS[step.to_status])
    lines = [_("Bonjour %(name)s,", name=name), ""]
    if step.from_status is None:
        subject = _("Votre proposition « %(title)s » est bien reçue", title=title)
        lines.append(
            _(
                "Votre proposition « %(title)s » est reçue : elle est dans le document de "
                "préparation du %(date)s.",
                title=title,
                date=long_date(proposal.meeting.scheduled_for),
            )
        )
    elif step.kept:
        subject = _("Du nouveau pour « %(title)s »", title=title)
        lines.append(_("Du nouveau pour votre proposition « %(title)s ».", title=title))
    else:
        subject = _("« %(title)s » : %(status)s", title=title, status=status)
        lines.append(
            _(
                "Votre proposition « %(title)s » est maintenant : %(status)s.",
                title=title,
                status=status,
            )
        )
    lines.append(_("(%(when)s)", when=long_datetime(step.created_at)))
    if proposal.agenda_meeting is not None and proposal.status == "on_agenda":
        lines += [
            "",
            _(
                "Elle est à l’ordre du jour du %(date)s.",
                date=long_date(proposal.agenda_meeting.scheduled_for),
            ),
        ]
    if step.reason:
        lines += ["", _("Pourquoi :"), *("    " + line for line in step.reason.splitlines())]
    if step.decision:
        lines += ["", _("Décision n° %(n)s :", n=step.decision["number"])]
        lines += ["    " + line for line in step.decision["statement"].strip().splitlines()]
        if step.decision["url"]:
            lines.append(step.decision["url"])
    if step.event:
        lines += ["", *_event_lines(step.event)]
    lines += ["", _("Suivre votre proposition :"), follow_url(proposal), ""]
    lines.append(
        _(
            "Pour ne plus recevoir ces e-mails, ouvrez ce lien et choisissez « Ne plus recevoir "
            "d’e-mails »."
        )
    )
    lines += ["", "— " + _("Vendredi, Le 97")]
    return subject, "\n".join(lines) + "\n"


def send_step_mail(change_id):
    """E-mail the proposer about one step, once. Returns True when the SMTP server took it."""
    row = db.session.get(ProposalStatusChange, change_id)
    if row is None or row.mailed_at is not None or not mail_enabled():
        return False
    proposal = row.proposal
    if proposal.emails_stopped_at is not None:
        return False
    to = recipient(proposal)
    if to is None:
        return False
    with realtime.fragment_context():
        subject, body = step_mail(row, to[1])
    db.session.rollback()  # no transaction stays open during the SMTP exchange
    if not send_mail(to[0], subject, body):
        log.warning("proposal step %s: mail not accepted by the server", change_id)
        return False
    with change():
        db.session.execute(
            update(ProposalStatusChange)
            .where(ProposalStatusChange.id == change_id, ProposalStatusChange.mailed_at.is_(None))
            .values(mailed_at=utcnow())
        )
    return True


def render_card(proposal):
    """One row of "Mes propositions" (for its owner: a member reader)."""
    events = {proposal.id: timeline.current_event(proposal, True)}
    return render_template("proposals/_card.html", p=proposal, events=events)


def render_cards(proposals):
    events = {p.id: timeline.current_event(p, True) for p in proposals}
    return "".join(render_template("proposals/_card.html", p=p, events=events) for p in proposals)


def proposal_fact(proposal_id):
    from ..models import EventProposal

    proposal = db.session.get(EventProposal, proposal_id)
    return {
        "proposal_id": proposal.id,
        "status": proposal.status,
        "status_label": str(PROPOSAL_STATUS_LABELS[proposal.status]),
        "html": render_card(proposal),
    }


def tell_proposer(change_id):
    """The hook of every step (`on_status_changed`): notification, live row, e-mail."""
    row = db.session.get(ProposalStatusChange, change_id)
    if row is None:
        return
    proposal = row.proposal
    member_id = proposal.proposer_id
    if member_id is not None:
        if row.actor_id != member_id:
            notifications.notify(
                None,
                member_id,
                "proposal_step",
                proposal_id=proposal.id,
                event_id=row.event_id,
                data={
                    "change_id": row.id,
                    "from_status": row.from_status,
                    "to_status": row.to_status,
                },
            )
        try:
            with realtime.fragment_context():
                realtime.publish(
                    "proposal_changed", proposal_fact(proposal.id), realtime.member_room(member_id)
                )
        except Exception:
            log.exception("proposal_changed for proposal %s not sent", proposal.id)
    send_step_mail(change_id)
