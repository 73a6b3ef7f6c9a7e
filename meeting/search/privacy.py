"""What a visitor who may not see people (the published archive) may search and read.

A published decision or summary is read without the names of people (the register does the
same, `decisions.public`); searching a name would still tell which texts mention that person,
so the words of people's names are left out of such a visitor's query.
"""

import unicodedata

from sqlalchemy import select

from ..decisions.public import Redactor, erased_keys
from ..extensions import db
from ..models import Attendance, Member
from .text import stem, words


def people_names():
    """Every member's display name and every guest's first name."""
    names = set(db.session.scalars(select(Member.display_name)))
    names.update(
        db.session.scalars(
            select(Attendance.guest_name).where(Attendance.guest_name.is_not(None)).distinct()
        )
    )
    return sorted((n.strip() for n in names if n and n.strip()), key=len, reverse=True)


def without_names(query, names):
    """`query` without the words of `names` (compared as stems), nor those of an erased
    member's name it cites (recognised by its key); whether some were left out."""
    erased = Redactor((), erased_keys())
    text = unicodedata.normalize("NFC", query.text)
    cited = [text[start:end] for start, end in erased.erased_runs(text)]
    name_stems = {s for name in (*names, *cited) for s in map(stem, words(name)) if s}
    return query.without(name_stems)


def redactor(names):
    """The texts of results with every name replaced by « une personne » (erased members'
    names too)."""
    return Redactor(names, erased_keys())
