"""The scribe's part of the minutes: the summary written during the meeting (live for the
others) and until validation, and the validation that freezes it and mails the minutes."""

from sqlalchemy import update

from .. import permissions
from ..errors import Conflict, ServiceError, require
from ..extensions import db
from ..i18n import _l, long_datetime
from ..live import services as live
from ..meetings import services as meetings
from ..models import Meeting, Member
from ..models.base import utcnow
from ..pipeline import change

MAX_SUMMARY = 20_000
SUMMARY_REGIONS = ("summary",)


def _clean_summary(text):
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > MAX_SUMMARY:
        raise ServiceError(
            _l(
                "Le résumé est trop long : %(max)s caractères au plus (il en a %(n)s). "
                "Rien n’a été enregistré.",
                max=f"{MAX_SUMMARY:,}".replace(",", "\u202f"),
                n=f"{len(text):,}".replace(",", "\u202f"),
            ),
            code="summary_too_long",
            field="summary",
        )
    return text or None


def _require_writable(meeting):
    if meeting.minutes_validated_at is not None:
        raise Conflict(
            _l("Le compte rendu est validé : le résumé ne se modifie plus."),
            code="minutes_validated",
        )
    if meeting.status not in ("live", "closed"):
        raise Conflict(
            _l("Le résumé s’écrit pendant la réunion, puis jusqu’à la validation du compte rendu."),
            code="not_live",
        )


def _stale(meeting):
    """A refusal that keeps both texts: the other one is on the page (and in the ack), what the
    writer typed stays in their form."""
    author = db.session.get(Member, meeting.summary_updated_by_id)
    return Conflict(
        _l(
            "%(name)s a enregistré une autre version du résumé pendant que vous écriviez. "
            "Votre texte n’est pas enregistré : il est gardé dans le formulaire, et le texte "
            "enregistré est affiché à côté. Enregistrez à nouveau pour le remplacer par le vôtre.",
            name=author.display_name if author else _l("Quelqu’un"),
        ),
        code="stale_summary",
        field="summary",
        summary_revision=meeting.summary_revision,
        current_summary=meeting.summary or "",
    )


def write_summary(actor, meeting_id, summary, summary_revision):
    """Save the scribe's summary of a Friday against the revision its text started from
    (compare-and-set: a stale revision is refused, both texts kept). Broadcasts the console's
    and members' phones' "summary" region. Returns the revision now saved."""
    meeting = meetings.get_meeting(meeting_id)
    require(
        permissions.can_write_summary(actor, meeting),
        _l("Seuls l’animation et le ou la secrétaire du jour écrivent le résumé."),
    )
    _require_writable(meeting)
    text = _clean_summary(summary)
    if text == (meeting.summary or None):
        return meeting.summary_revision  # nothing new (a resent save): applied once
    if summary_revision != meeting.summary_revision:
        raise _stale(meeting)
    with change() as c:
        changed = db.session.execute(
            update(Meeting)
            .where(
                Meeting.id == meeting.id,
                Meeting.summary_revision == summary_revision,
                Meeting.minutes_validated_at.is_(None),
                Meeting.status.in_(("live", "closed")),
            )
            .values(
                summary=text,
                summary_revision=Meeting.summary_revision + 1,
                summary_updated_by_id=actor.id,
            )
        ).rowcount
        if changed != 1:
            raise Conflict(
                _l("Le résumé vient de changer ; rechargez la page. Votre texte n’est pas perdu."),
                code="stale_summary",
                field="summary",
            )
        db.session.refresh(meeting)
        c.trace(
            actor,
            "minutes_summary_written",
            meeting,
            meeting=meeting,
            date=meeting.scheduled_for.isoformat(),
            revision=meeting.summary_revision,
            chars=len(text or ""),
        )
        live.publish_live(c, meeting.id, regions=SUMMARY_REGIONS)
    return meeting.summary_revision


def validate_minutes(actor, meeting_id):
    """Validate a closed Friday's minutes: the summary is frozen, then (after the commit) the
    minutes are e-mailed to every active member with an address, once."""
    from .mail import mail_minutes

    meeting = meetings.get_meeting(meeting_id)
    require(
        permissions.can_validate_minutes(actor, meeting),
        _l("Seul·es le ou la secrétaire de ce vendredi et l’animation valident le compte rendu."),
    )
    if meeting.minutes_validated_at is not None:
        raise Conflict(_already_validated(meeting), code="already_validated")
    if meeting.status != "closed":
        raise Conflict(
            _l("Le compte rendu se valide une fois la réunion close."), code="not_closed"
        )
    with change() as c:
        changed = db.session.execute(
            update(Meeting)
            .where(
                Meeting.id == meeting.id,
                Meeting.status == "closed",
                Meeting.minutes_validated_at.is_(None),
            )
            .values(minutes_validated_at=utcnow(), minutes_validated_by_id=actor.id)
        ).rowcount
        if changed != 1:  # validated at the same instant from another page
            raise Conflict(_l("Ce compte rendu vient d’être validé."), code="already_validated")
        db.session.refresh(meeting)
        c.trace(
            actor,
            "minutes_validated",
            meeting,
            meeting=meeting,
            date=meeting.scheduled_for.isoformat(),
        )
        live.publish_live(c, meeting.id, regions=SUMMARY_REGIONS)  # the form gives way
        c.after_commit(mail_minutes, meeting.id)
    return meeting


def _already_validated(meeting):
    db.session.refresh(meeting)
    who = db.session.get(Member, meeting.minutes_validated_by_id)
    return _l(
        "Ce compte rendu est déjà validé (par %(name)s, le %(when)s).",
        name=who.display_name if who else _l("quelqu’un"),
        when=long_datetime(meeting.minutes_validated_at),
    )
