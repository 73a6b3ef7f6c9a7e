"""Friday live: the agenda of a meeting, roles of the day, attendance, raised hands, rounds.

Everything the live meeting shows is stored here, so that a server restart in the middle of a
Friday resumes exactly where it was.
"""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .meetings import Entry, Meeting
from .members import Member

ITEM_KINDS = ("checkin", "carried", "review", "topic", "proposal", "need", "other")
ITEM_STATUSES = ("pending", "current", "done", "postponed")
DAY_ROLES = ("facilitator", "scribe", "timekeeper")
ROUND_KINDS = ("consent", "vote")
CONSENT_ANSWERS = ("for", "abstain", "object")


class AgendaItem(db.Model):
    """A point of one meeting's agenda, with its timebox and its own timer."""

    __tablename__ = "agenda_item"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('checkin', 'carried', 'review', 'topic', 'proposal', 'need', 'other')",
            name="kind",
        ),
        CheckConstraint("status IN ('pending', 'current', 'done', 'postponed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="other")
    source_entry_id: Mapped[int | None] = mapped_column(ForeignKey("entry.id", ondelete="SET NULL"))
    source_proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_proposal.id", ondelete="SET NULL")
    )
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    # Added after the decision table exists (agenda items and decisions refer to each other).
    review_of_decision_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            "decision.id", use_alter=True, name="fk_agenda_item_review_of_decision_id_decision"
        ),
        index=True,
    )
    timebox_minutes: Mapped[int] = mapped_column(default=10)
    # A point that shows a panel on the projector and phones: "budget" ("Où en est-on ?").
    panel: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    # The item's timer: running since `timer_started_at` (None when paused), plus what ran
    # before, plus minutes added by the facilitator.
    timer_started_at: Mapped[datetime | None]
    elapsed_seconds: Mapped[int] = mapped_column(default=0)
    extra_minutes: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    source_entry: Mapped[Entry | None] = relationship()
    source_proposal: Mapped["EventProposal | None"] = relationship()  # noqa: F821
    carried_from: Mapped["AgendaItem | None"] = relationship(remote_side=[id])


class MeetingRole(db.Model):
    """Who holds a role for one Friday: facilitator, scribe (secrétaire), timekeeper."""

    __tablename__ = "meeting_role"
    __table_args__ = (
        UniqueConstraint("meeting_id", "role", name="uq_meeting_role_role"),
        CheckConstraint("role IN ('facilitator', 'scribe', 'timekeeper')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    role: Mapped[str] = mapped_column(String(20))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))

    member: Mapped[Member] = relationship()


class Attendance(db.Model):
    """Someone at a meeting: a member (present or excused) or a named guest who joined."""

    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("meeting_id", "member_id", name="uq_attendance_member"),
        CheckConstraint("status IN ('present', 'excused')", name="status"),
        CheckConstraint("(member_id IS NULL) != (guest_name IS NULL)", name="member_or_guest"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    guest_name: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20), default="present")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[Member | None] = relationship()

    @property
    def name(self):
        return self.member.display_name if self.member else self.guest_name

    @property
    def is_guest(self):
        return self.member_id is None


class HandRaise(db.Model):
    """A raised hand in the speaker queue (lowered when withdrawn or given the floor)."""

    __tablename__ = "hand_raise"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    attendance_id: Mapped[int] = mapped_column(ForeignKey("attendance.id"))
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    lowered_at: Mapped[datetime | None]
    given_floor_at: Mapped[datetime | None]

    attendance: Mapped[Attendance] = relationship()


class Round(db.Model):
    """A consent round or a vote on the current item; answers are counted live."""

    __tablename__ = "round"
    __table_args__ = (CheckConstraint("kind IN ('consent', 'vote')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"))
    kind: Mapped[str] = mapped_column(String(20))
    question: Mapped[str] = mapped_column(Text)
    options: Mapped[list] = mapped_column(JSON, default=list)  # vote options
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    item: Mapped[AgendaItem] = relationship()
    answers: Mapped[list["RoundAnswer"]] = relationship(
        back_populates="round", order_by="RoundAnswer.id", cascade="all, delete-orphan"
    )


class RoundAnswer(db.Model):
    """One person's answer to a round; a second answer replaces the first."""

    __tablename__ = "round_answer"
    __table_args__ = (UniqueConstraint("round_id", "attendance_id", name="uq_round_answer_voter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    attendance_id: Mapped[int] = mapped_column(ForeignKey("attendance.id"))
    answer: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str | None] = mapped_column(Text)
    # The reason of this person's objection, kept when they answer again: the decision says
    # who objected and how the objection was lifted (their answer after it).
    objection: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    round: Mapped[Round] = relationship(back_populates="answers")

    @property
    def objection_lifted(self):
        """They objected in this round, then answered something else."""
        return self.objection is not None and self.answer != "object"

    attendance: Mapped[Attendance] = relationship()
