"""What a reader who may not see people (a visitor of a published register) reads instead of
their names: the decisions' texts with every known name of a person replaced.

The scribe's texts name people ("Inès : il gèlera", prefilled from the round); a published
register shows "Une personne : il gèlera". The names are those of the members and of the
guests of the decisions' Fridays, matched as whole words, longest first.
"""

import re

from sqlalchemy import select

from ..extensions import db
from ..i18n import _
from ..models import Attendance, Member


def _people(meeting_ids):
    names = set(db.session.scalars(select(Member.display_name)).all())
    if meeting_ids:
        names.update(
            db.session.scalars(
                select(Attendance.guest_name).where(
                    Attendance.meeting_id.in_(meeting_ids), Attendance.guest_name.is_not(None)
                )
            ).all()
        )
    return sorted((n.strip() for n in names if n and n.strip()), key=len, reverse=True)


class Redactor:
    """`redactor(text)`: `text` without the names of people (None stays None)."""

    def __init__(self, names):
        self.pattern = (
            re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(?!\w)")
            if names
            else None
        )
        self.someone = _("une personne")

    def _replace(self, match):
        text = match.string
        start = match.start()
        before = text[:start].rstrip(" \u00a0\u202f")
        # A sentence or a line starts with a capital: "Une personne : …".
        if not before or before[-1] in "\n.!?«(-—*>":
            return self.someone[:1].upper() + self.someone[1:]
        return self.someone

    def __call__(self, text):
        if text is None or self.pattern is None:
            return text
        return self.pattern.sub(self._replace, str(text))


def redactor_for(decisions):
    """A Redactor for the texts of `decisions` (their Fridays' guests and every member)."""
    return Redactor(_people({d.meeting_id for d in decisions}))


def keep(text):
    """The identity: what a member reads."""
    return text
