"""What meetings decided, and who does what by when: the lasting traces of Friday."""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .meetings import Meeting
from .members import Member

DECISION_MODES = ("consent", "vote", "information")
ACTION_STATUSES = ("open", "done")


class Decision(db.Model):
    """A numbered decision of a meeting on an item; immutable once its meeting is closed (a
    correction is a new decision that `supersedes` it)."""

    __tablename__ = "decision"
    __table_args__ = (CheckConstraint("mode IN ('consent', 'vote', 'information')", name="mode"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id"))
    statement: Mapped[str] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(20))
    objections: Mapped[str | None] = mapped_column(Text)  # raised, in the scribe's words
    objections_lifted: Mapped[str | None] = mapped_column(Text)  # how they were lifted
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id"))
    result: Mapped[dict] = mapped_column(JSON, default=dict)  # counts of the round, if any
    # Who was present when it was decided: ids of `attendance` rows (members and guests of
    # that meeting), never names; read them with `decisions.services.present_names`.
    present: Mapped[list] = mapped_column(JSON, default=list)
    review_on: Mapped[date | None]
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    item: Mapped["AgendaItem | None"] = relationship(foreign_keys=[item_id])  # noqa: F821
    decided_by: Mapped[Member | None] = relationship()
    actions: Mapped[list["Action"]] = relationship(back_populates="decision")


class Action(db.Model):
    """ "Qui fait quoi pour quand": a verb-first label, one owner, a due date."""

    __tablename__ = "action"
    __table_args__ = (CheckConstraint("status IN ('open', 'done')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id"))
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))

    owner: Mapped[Member] = relationship(foreign_keys=[owner_id])
    decision: Mapped[Decision | None] = relationship(back_populates="actions")
    item: Mapped["AgendaItem | None"] = relationship()  # noqa: F821


class ActionReminder(db.Model):
    """A reminder e-mail sent for an action and its due date: one per (action, due date), so
    the daily command is safe to run twice, and a new due date gets its own reminder."""

    __tablename__ = "action_reminder"
    __table_args__ = (UniqueConstraint("action_id", "due_on", name="uq_action_reminder_due"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"))
    due_on: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
