"""The append-only log of what people did: the place's stigmergy made visible."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .members import Member


class Trace(db.Model):
    """One past-tense fact: who did what to which thing. It stores a verb, ids and
    non-personal values (`data`), never a sentence or a name: `traces.sentences` renders it
    in the reader's language with today's names, so pseudonymising a person is one update.

    `id` is the sequence number (`seq`) clients use to catch up. Rows are never updated
    or deleted.
    """

    __tablename__ = "trace"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    verb: Mapped[str] = mapped_column(String(40), index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[Member | None] = relationship()

    @property
    def seq(self):
        return self.id
