"""Fridays and the shared document prepared for each: entries, their history, needs."""

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .members import Member

MEETING_STATUSES = ("preparing", "live", "closed")
ENTRY_KINDS = ("mood", "need", "proposal", "topic")
NEED_STATUSES = ("open", "claimed", "met", "dropped")


class Meeting(db.Model):
    """One Friday: its date and hours (Europe/Paris) and its phase."""

    __tablename__ = "meeting"
    __table_args__ = (CheckConstraint("status IN ('preparing', 'live', 'closed')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheduled_for: Mapped[date] = mapped_column(unique=True)
    starts_at: Mapped[time]
    ends_at: Mapped[time]
    status: Mapped[str] = mapped_column(String(20), default="preparing")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # Live state: every change of it bumps `live_revision` (compare-and-set, so two
    # facilitators pressing "next" at once move one step); reordering checks
    # `agenda_revision`. The join code lets guests follow while the meeting is live.
    live_revision: Mapped[int] = mapped_column(default=0, server_default="0")
    agenda_revision: Mapped[int] = mapped_column(default=0, server_default="0")
    join_code: Mapped[str | None] = mapped_column(String(12), unique=True)
    speaker_attendance_id: Mapped[int | None]
    # The minutes: the scribe's summary, written during the meeting (compare-and-set on
    # `summary_revision`), then validated once the Friday is closed and mailed to members.
    summary: Mapped[str | None] = mapped_column(Text)
    summary_revision: Mapped[int] = mapped_column(default=0, server_default="0")
    summary_updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    minutes_validated_at: Mapped[datetime | None]
    minutes_validated_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    minutes_mailed_at: Mapped[datetime | None]

    entries: Mapped[list["Entry"]] = relationship(
        back_populates="meeting", order_by="Entry.id", cascade="all, delete-orphan"
    )

    @property
    def is_open(self):
        """Entries can be added and edited (preparing or live)."""
        return self.status != "closed"

    def __repr__(self):
        return f"<Meeting {self.scheduled_for} {self.status}>"


class Entry(db.Model):
    """One item of a Friday's shared document: a mood note, a need, a proposal or a topic."""

    __tablename__ = "entry"
    __table_args__ = (
        CheckConstraint("kind IN ('mood', 'need', 'proposal', 'topic')", name="kind"),
        CheckConstraint(
            "need_status IS NULL OR need_status IN ('open', 'claimed', 'met', 'dropped')",
            name="need_status",
        ),
        Index("ix_entry_meeting_kind", "meeting_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    added_during_meeting: Mapped[bool] = mapped_column(default=False)
    # Need state (kind == "need" only).
    need_status: Mapped[str | None] = mapped_column(String(20))
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    claim_note: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    # A met need may carry the estimated value of what was brought (a contribution in kind
    # to the budget), and who brought it; seen by that member and the treasurer only.
    in_kind_cents: Mapped[int | None]
    in_kind_member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="entries")
    author: Mapped[Member] = relationship(foreign_keys=[author_id])
    updated_by: Mapped[Member | None] = relationship(foreign_keys=[updated_by_id])
    claimed_by: Mapped[Member | None] = relationship(foreign_keys=[claimed_by_id])
    in_kind_member: Mapped[Member | None] = relationship(foreign_keys=[in_kind_member_id])
    revisions: Mapped[list["EntryRevision"]] = relationship(
        back_populates="entry",
        order_by="EntryRevision.revision.desc()",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    proposal: Mapped["EventProposal | None"] = relationship(  # noqa: F821
        back_populates="entry", uselist=False, cascade="all, delete-orphan", passive_deletes=True
    )


class EntryRevision(db.Model):
    """One saved version of an entry: who wrote it and when."""

    __tablename__ = "entry_revision"
    __table_args__ = (UniqueConstraint("entry_id", "revision", name="uq_entry_revision_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"))
    revision: Mapped[int]
    title: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    entry: Mapped[Entry] = relationship(back_populates="revisions")
    author: Mapped[Member] = relationship()


class ClientOperation(db.Model):
    """A command a client sent with its own operation id, so that a resent one applies once."""

    __tablename__ = "client_operation"
    __table_args__ = (UniqueConstraint("member_id", "op_id", name="uq_client_operation_op"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    op_id: Mapped[str] = mapped_column(String(64))
    command: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
