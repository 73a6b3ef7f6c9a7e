"""The place's calendar: events (one-off or recurring, with skipped occurrences) and the
in-app notifications that tell a member what became of what they proposed."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .decisions import Decision
from .members import Member
from .proposals import EventProposal

EVENT_VISIBILITIES = ("public", "members")
EVENT_STATUSES = ("confirmed", "cancelled")


class Event(db.Model):
    """An event on the place's calendar.

    `starts_at` / `ends_at` are WALL TIMES in Europe/Paris (naive), not UTC like the rest of the
    schema: an event "at 18:30" stays at 18:30 across the daylight-saving changes, and a
    monthly series keeps its hour (iCal: DTSTART;TZID=Europe/Paris). `rrule` is an RFC 5545
    RRULE value without the "RRULE:" prefix (e.g. "FREQ=MONTHLY;BYDAY=1SA;COUNT=10"), None for
    a one-off event; skipped occurrences are `EventException` rows (iCal EXDATE). `uid` never
    changes; `sequence` rises when the time or the place changes (and on cancellation).
    """

    __tablename__ = "event"
    __table_args__ = (
        CheckConstraint("place IN ('house', 'garden', 'elsewhere')", name="place"),
        CheckConstraint("visibility IN ('public', 'members')", name="visibility"),
        CheckConstraint("status IN ('confirmed', 'cancelled')", name="status"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_event_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(255), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime]  # Europe/Paris wall time
    ends_at: Mapped[datetime]  # Europe/Paris wall time
    place: Mapped[str] = mapped_column(String(20))
    place_detail: Mapped[str | None] = mapped_column(String(200))
    visibility: Mapped[str] = mapped_column(String(20), default="public")
    status: Mapped[str] = mapped_column(String(20), default="confirmed")
    sequence: Mapped[int] = mapped_column(default=0)
    rrule: Mapped[str | None] = mapped_column(String(200))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("event_proposal.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    proposal: Mapped[EventProposal | None] = relationship()
    decision: Mapped[Decision | None] = relationship()
    created_by: Mapped[Member | None] = relationship()
    exceptions: Mapped[list["EventException"]] = relationship(
        back_populates="event",
        order_by="EventException.occurrence_start",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class EventException(db.Model):
    """One occurrence of a recurring event that does not take place (iCal EXDATE); its
    `occurrence_start` is the Europe/Paris wall time the series would have given it."""

    __tablename__ = "event_exception"
    __table_args__ = (
        UniqueConstraint("event_id", "occurrence_start", name="uq_event_exception_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    occurrence_start: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship(back_populates="exceptions")


class Notification(db.Model):
    """Something a member is told in the app (a status change of their proposal…): a kind and
    ids, never a ready-made sentence (it is written in the reader's language when read)."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_member_unread", "member_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_proposal.id", ondelete="CASCADE")
    )
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    member: Mapped[Member] = relationship()
    proposal: Mapped[EventProposal | None] = relationship()
    event: Mapped[Event | None] = relationship()
