"""Event proposals: what someone wants to hold at the place, and every change of its status."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .meetings import Entry, Meeting
from .members import Member

PROPOSAL_STATUSES = (
    "submitted",
    "on_agenda",
    "accepted",
    "scheduled",
    "held",
    "to_rework",
    "declined",
    "withdrawn",
)
PLACES = ("house", "garden", "elsewhere")


class EventProposal(db.Model):
    """An event proposed at a Friday; its title and description are those of its entry."""

    __tablename__ = "event_proposal"
    __table_args__ = (
        CheckConstraint("place IN ('house', 'garden', 'elsewhere')", name="place"),
        CheckConstraint(
            "status IN ('submitted', 'on_agenda', 'accepted', 'scheduled', 'held', "
            "'to_rework', 'declined', 'withdrawn')",
            name="status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), unique=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    proposer_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    # A proposer without an account (later issue): name, e-mail and a secret status link.
    outside_name: Mapped[str | None] = mapped_column(String(80))
    outside_email: Mapped[str | None] = mapped_column(String(254))
    status_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # [{"date": "2026-12-12", "time": "18:30"}, …] — one to three wished moments.
    wished_dates: Mapped[list] = mapped_column(JSON, default=list)
    duration_minutes: Mapped[int]
    place: Mapped[str] = mapped_column(String(20))
    place_detail: Mapped[str | None] = mapped_column(String(200))
    expected_attendance: Mapped[int | None]
    material_needs: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    # The Friday whose agenda it is on (moves when its point is carried to the next Friday);
    # None until it is put on an agenda.
    agenda_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    # The proposer asked (from the status link or their page) to receive no more e-mails.
    emails_stopped_at: Mapped[datetime | None]

    entry: Mapped[Entry] = relationship(back_populates="proposal")
    meeting: Mapped[Meeting] = relationship(foreign_keys=[meeting_id])
    agenda_meeting: Mapped[Meeting | None] = relationship(foreign_keys=[agenda_meeting_id])
    proposer: Mapped[Member | None] = relationship()
    changes: Mapped[list["ProposalStatusChange"]] = relationship(
        back_populates="proposal",
        order_by="ProposalStatusChange.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def title(self):
        return self.entry.title

    @property
    def description(self):
        return self.entry.body


class ProposalStatusChange(db.Model):
    """One step of a proposal's lifecycle: from, to, who, when, why, and which decision."""

    __tablename__ = "proposal_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("event_proposal.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    # The Friday decision that moved it, when one did (accepted, declined, to rework…).
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"))
    # The calendar event this step is about (scheduled, moved, cancelled), when there is one.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the proposer's e-mail about this step was accepted by the SMTP server (once).
    mailed_at: Mapped[datetime | None]

    proposal: Mapped[EventProposal] = relationship(back_populates="changes")
    actor: Mapped[Member | None] = relationship()
    decision: Mapped["Decision | None"] = relationship()  # noqa: F821
