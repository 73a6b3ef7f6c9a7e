"""The validated minutes by e-mail: once, after the validation's commit, in plain French text,
to every active member with an address (`minutes_mailed_at` says it was sent)."""

import logging

from flask import render_template, url_for
from sqlalchemy import select, update

from .. import realtime
from ..extensions import db
from ..i18n import _, long_date
from ..mail import mail_enabled, send_mail
from ..models import Meeting, Member
from ..models.base import utcnow
from ..pipeline import change
from .markdown import minutes_markdown
from .services import compose

log = logging.getLogger(__name__)


def recipients():
    """The addresses of every active member who has one."""
    return db.session.scalars(
        select(Member.email)
        .where(Member.deactivated_at.is_(None), Member.email.is_not(None), Member.email != "")
        .order_by(Member.id)
    ).all()


def minutes_mail(meeting):
    """(subject, body) of the e-mail of a validated Friday's minutes, in the place's language
    and with its public links."""
    with realtime.fragment_context():
        minutes = compose(meeting, public=False)
        subject = _("Compte rendu du %(date)s", date=long_date(meeting.scheduled_for))
        body = render_template(
            "minutes/mail.txt",
            m=minutes,
            text=minutes_markdown(minutes),
            url=url_for("minutes.show", day=meeting.scheduled_for.isoformat(), _external=True),
        )
    return subject, body


def mail_minutes(meeting_id):
    """After-commit work of `validate_minutes`: send the minutes to every member, then record
    `minutes_mailed_at` in its own small change. A Friday already mailed is never sent again.
    Returns how many messages the SMTP server accepted."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.minutes_validated_at is None:
        return 0
    if meeting.minutes_mailed_at is not None or not mail_enabled():
        return 0
    subject, body = minutes_mail(meeting)
    addresses = recipients()
    db.session.rollback()  # no database transaction stays open during the SMTP exchanges
    sent = sum(1 for address in addresses if send_mail(address, subject, body))
    if sent < len(addresses):
        log.warning("minutes of meeting %s: %s of %s mails sent", meeting_id, sent, len(addresses))
    if sent:
        with change():
            db.session.execute(
                update(Meeting)
                .where(Meeting.id == meeting_id, Meeting.minutes_mailed_at.is_(None))
                .values(minutes_mailed_at=utcnow())
            )
    return sent
