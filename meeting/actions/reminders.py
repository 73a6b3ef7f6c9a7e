"""Reminder e-mails a few days before an action's due date (`flask remind-actions`, daily).

One reminder per action and due date (`ActionReminder`, unique on both): running the command
twice sends nothing more, and an action whose due date changed gets a reminder for the new
date. A reminder row is written before its mail goes (so that two runs at once never send it
twice) and removed when the mail server did not take the mail: it is tried again next run.
"""

import logging
from datetime import timedelta

from flask import url_for
from sqlalchemy import and_, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..i18n import _, long_date, ngettext
from ..mail import send_mail
from ..meetings import dates
from ..models import Action, ActionReminder, Member
from ..pipeline import change

log = logging.getLogger(__name__)

DEFAULT_DAYS = 3


def due_for_reminder(days=DEFAULT_DAYS, today=None):
    """Open actions due from today to `days` days from now whose owner is active, has an
    e-mail address and has not been reminded of this due date yet, soonest first."""
    today = today or dates.today_in_place()
    reminded = exists().where(
        and_(ActionReminder.action_id == Action.id, ActionReminder.due_on == Action.due_on)
    )
    return db.session.scalars(
        select(Action)
        .join(Member, Member.id == Action.owner_id)
        .options(joinedload(Action.owner), joinedload(Action.decision))
        .where(
            Action.status == "open",
            Action.due_on >= today,
            Action.due_on <= today + timedelta(days=days),
            Member.deactivated_at.is_(None),
            Member.email.is_not(None),
            Member.email != "",
            ~reminded,
        )
        .order_by(Action.due_on, Action.id)
    ).all()


def _when(action, today):
    days = (action.due_on - today).days
    if days == 0:
        return _("aujourd’hui")
    if days == 1:
        return _("demain")
    return ngettext("dans %(num)s jour", "dans %(num)s jours", days)


def reminder_mail(action, today=None):
    """The subject and plain-text French body of one reminder (in a render context: the link
    points at the place's public address)."""
    today = today or dates.today_in_place()
    due = long_date(action.due_on)
    subject = _("Rappel : « %(label)s », pour le %(date)s", label=action.label, date=due)
    lines = [
        _("Bonjour %(name)s,", name=action.owner.display_name),
        "",
        _(
            "Petit rappel : vous vous êtes engagé·e à faire ceci pour le %(date)s (%(when)s) :",
            date=due,
            when=_when(action, today),
        ),
        "",
        "    " + action.label,
        "",
    ]
    decision = action.decision
    if decision is not None:
        lines += [
            _("C’est la suite de la décision n° %(n)s :", n=decision.number),
            "",
            *("    " + line for line in decision.statement.strip().splitlines()),
            "",
            url_for("decisions.show", number=decision.number, _external=True),
            "",
        ]
    lines += [
        _("Quand c’est fait, marquez-la faite sur la page « Mes actions » :"),
        url_for("actions.mine", _external=True),
        "",
        _("Si vous ne pouvez plus la faire, dites-le vendredi : quelqu’un pourra la reprendre."),
        "",
        "— " + _("Vendredi, Le 97"),
    ]
    return subject, "\n".join(lines) + "\n"


def _claim(action):
    """The reminder row of this action and due date, written now; None if it already exists
    (another run took it)."""
    try:
        with change():
            row = ActionReminder(action_id=action.id, due_on=action.due_on)
            db.session.add(row)
        return row
    except IntegrityError:
        db.session.rollback()
        return None


def _release(row):
    with change():
        db.session.execute(
            ActionReminder.__table__.delete().where(ActionReminder.__table__.c.id == row.id)
        )


def send_reminders(days=DEFAULT_DAYS, today=None):
    """Send the reminders due; return (sent, not accepted by the mail server)."""
    today = today or dates.today_in_place()
    sent = failed = 0
    for action in due_for_reminder(days, today):
        # Read everything the mail needs before the write: the mail goes outside any
        # transaction (network I/O never holds the database).
        to = action.owner.email
        subject, body = reminder_mail(action, today)
        row = _claim(action)
        if row is None:
            continue
        if send_mail(to, subject, body):
            sent += 1
        else:
            log.warning("reminder of action %s not accepted by the mail server", action.id)
            _release(row)
            failed += 1
    return sent, failed
