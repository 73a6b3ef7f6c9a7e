"""What a reader who may not see people (a visitor of a published register) reads instead of
their names: the decisions' texts with every known name of a person replaced.

The scribe's texts name people ("Inès : il gèlera", prefilled from the round); a published
register shows "Une personne : il gèlera". The names are those of the members and of the
guests of the decisions' Fridays, matched as whole words, longest first.
"""

import hashlib
import hmac
import re
import unicodedata
from itertools import pairwise

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..i18n import _
from ..models import Attendance, Member

# A name's words, as the redactor of erased names compares them ("Jean-Luc", "N’Diaye": one).
_WORD = re.compile(r"\w+(?:[’'\-]\w+)*")


def erased_name_key(name):
    """What is kept of an erased member's name (`member.erased_name_key`): its number of words
    and a digest keyed by the app's secret, so the name cannot be read back, only recognised
    where a text still cites it. None for a name without words."""
    words = _WORD.findall(unicodedata.normalize("NFC", name or ""))
    if not words:
        return None
    return f"{len(words)}:{_digest(' '.join(words))}"


def _digest(words):
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"erased-name:" + words.encode(), hashlib.sha256).hexdigest()[:64]


def erased_keys():
    """The keys of every erased member's name (`erased_name_key`)."""
    return set(
        db.session.scalars(
            select(Member.erased_name_key).where(Member.erased_name_key.is_not(None))
        ).all()
    )


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
    """`redactor(text)`: `text` without the names of people (None stays None): the names
    known, and the erased members' names recognised by their keys (`erased_name_key`)."""

    def __init__(self, names, erased_keys=()):
        self.pattern = (
            re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(?!\w)")
            if names
            else None
        )
        self.erased = set(erased_keys)
        self.erased_lengths = sorted({int(k.split(":", 1)[0]) for k in self.erased}, reverse=True)
        self.someone = _("une personne")

    def _someone_at(self, text, start):
        before = text[:start].rstrip(" \u00a0\u202f")
        # A sentence or a line starts with a capital: "Une personne : …".
        if not before or before[-1] in "\n.!?«(-—*>":
            return self.someone[:1].upper() + self.someone[1:]
        return self.someone

    def _replace(self, match):
        return self._someone_at(match.string, match.start())

    def erased_runs(self, text):
        """(start, end) of every run of words of NFC `text` whose key is an erased member's
        (longest first, left to right)."""
        words = list(_WORD.finditer(text))
        i = 0
        while i < len(words):
            for length in self.erased_lengths:
                run = words[i : i + length]
                if len(run) < length or any(
                    not text[a.end() : b.start()].isspace() for a, b in pairwise(run)
                ):
                    continue
                if f"{length}:{_digest(' '.join(w.group() for w in run))}" in self.erased:
                    yield run[0].start(), run[-1].end()
                    i += length
                    break
            else:
                i += 1

    def _without_erased(self, text):
        text = unicodedata.normalize("NFC", text)
        pieces, last = [], 0
        for start, end in self.erased_runs(text):
            pieces += [text[last:start], self._someone_at(text, start)]
            last = end
        return "".join([*pieces, text[last:]])

    def __call__(self, text):
        if text is None:
            return text
        text = str(text)
        if self.pattern is not None:
            text = self.pattern.sub(self._replace, text)
        if self.erased:
            text = self._without_erased(text)
        return text


def redactor_for(decisions):
    """A Redactor for the texts of `decisions` (their Fridays' guests and every member)."""
    return Redactor(_people({d.meeting_id for d in decisions}), erased_keys())


def keep(text):
    """The identity: what a member reads."""
    return text
