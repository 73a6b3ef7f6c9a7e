"""The place's economy: the year's budget, gifts, the catalogue of goods and services and its
uses, and the anonymous "météo" of a Friday.

Money is always integer cents (`*_cents`), never a float. Dates are the place's calendar days
(Europe/Paris); moments are UTC like the rest of the schema.
"""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .meetings import Meeting
from .members import Member

BUDGET_CATEGORIES = ("charges", "upkeep", "conciergerie", "other")
BUDGET_PERIODS = ("month", "year")
GIFT_STATUSES = ("pledged", "received", "cancelled")
GIFT_METHODS = ("transfer", "cheque", "cash", "card", "other")
CATALOGUE_UNITS = ("hour", "half_day", "day", "session", "unit")
WEATHERS = ("sun", "sunny_spells", "clouds", "rain", "storm")


class BudgetYear(db.Model):
    """One year of the place's budget; once closed, nothing dated in it can be recorded."""

    __tablename__ = "budget_year"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    note: Mapped[str | None] = mapped_column(Text)
    # Every change of the lines bumps it (compare-and-set: two treasurers editing at once).
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))

    lines: Mapped[list["BudgetLine"]] = relationship(
        back_populates="budget_year",
        order_by="BudgetLine.position",
        cascade="all, delete-orphan",
    )

    @property
    def is_closed(self):
        return self.closed_at is not None


class BudgetLine(db.Model):
    """A planned line of the year: an amount per month (rent, electricity…) or per year."""

    __tablename__ = "budget_line"
    __table_args__ = (
        CheckConstraint(
            "category IN ('charges', 'upkeep', 'conciergerie', 'other')", name="category"
        ),
        CheckConstraint("period IN ('month', 'year')", name="period"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_year_id: Mapped[int] = mapped_column(ForeignKey("budget_year.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(20), default="other")
    period: Mapped[str] = mapped_column(String(10), default="year")
    amount_cents: Mapped[int]
    # What this line pays for, in plain French ("à quoi serviront les dons"): public.
    explanation: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    budget_year: Mapped[BudgetYear] = relationship(back_populates="lines")

    @property
    def planned_cents(self):
        """The line over the whole year."""
        return self.amount_cents * 12 if self.period == "month" else self.amount_cents


class Expense(db.Model):
    """Money gone out, on a day, against a line of the year's budget (or none)."""

    __tablename__ = "expense"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_year_id: Mapped[int] = mapped_column(ForeignKey("budget_year.id"), index=True)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("budget_line.id", ondelete="SET NULL"))
    spent_on: Mapped[date]
    amount_cents: Mapped[int]
    label: Mapped[str] = mapped_column(String(200))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    line: Mapped[BudgetLine | None] = relationship()


class Gift(db.Model):
    """A gift to the place: announced by its donor (`pledged`), then `received` when the
    treasurer confirms it arrived (or recorded received at once); never public one by one."""

    __tablename__ = "gift"
    __table_args__ = (
        CheckConstraint("status IN ('pledged', 'received', 'cancelled')", name="status"),
        CheckConstraint(
            "method IS NULL OR method IN ('transfer', 'cheque', 'cash', 'card', 'other')",
            name="method",
        ),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("status != 'received' OR received_on IS NOT NULL", name="received_dated"),
        Index("ix_gift_status_received_on", "status", "received_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="pledged")
    amount_cents: Mapped[int]
    # The day the money arrived (received gifts); a pledge may say when it is expected.
    received_on: Mapped[date | None]
    expected_on: Mapped[date | None]
    # Who gave: a member, a named person outside, or nobody known (anonymous).
    donor_member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)
    donor_name: Mapped[str | None] = mapped_column(String(120))
    donor_email: Mapped[str | None] = mapped_column(String(254))
    donor_address: Mapped[str | None] = mapped_column(Text)  # for a receipt
    anonymous: Mapped[bool] = mapped_column(default=False)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("budget_line.id", ondelete="SET NULL"))
    method: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(200))
    # The receipt ("reçu au titre des dons"), numbered once, the first time it is issued.
    receipt_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    receipt_issued_at: Mapped[datetime | None]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    donor: Mapped[Member | None] = relationship(foreign_keys=[donor_member_id])
    line: Mapped[BudgetLine | None] = relationship()


class CatalogueItem(db.Model):
    """A good or service the place or one of its members offers; using it funds the place."""

    __tablename__ = "catalogue_item"
    __table_args__ = (
        CheckConstraint("unit IN ('hour', 'half_day', 'day', 'session', 'unit')", name="unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(60))
    # Who offers it: a member, or the place itself (None).
    offered_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    unit: Mapped[str] = mapped_column(String(20), default="hour")
    # How long one unit occupies the house, for the "contribution consciente" reference (the
    # fixed charges of that time); 0 for what does not use the house.
    house_minutes: Mapped[int] = mapped_column(default=0, server_default="0")
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    offered_by: Mapped[Member | None] = relationship(foreign_keys=[offered_by_id])


class CatalogueUse(db.Model):
    """A use of the catalogue (what, when, for whom) and the contribution its user chose.
    Seen by that member and the treasurer only."""

    __tablename__ = "catalogue_use"
    __table_args__ = (
        CheckConstraint("contribution_cents > 0", name="contribution_positive"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_catalogue_use_used_on", "used_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalogue_item.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    used_on: Mapped[date]
    for_whom: Mapped[str | None] = mapped_column(String(120))
    quantity: Mapped[int] = mapped_column(default=1)
    contribution_cents: Mapped[int]
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]

    item: Mapped[CatalogueItem] = relationship()
    member: Mapped[Member] = relationship()


class WeatherTally(db.Model):
    """How many billets d'humeur of a Friday carried each weather: counts only, never who."""

    __tablename__ = "weather_tally"
    __table_args__ = (
        CheckConstraint(
            "weather IN ('sun', 'sunny_spells', 'clouds', 'rain', 'storm')", name="weather"
        ),
        CheckConstraint("count >= 0", name="count_positive"),
    )

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), primary_key=True)
    weather: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)

    meeting: Mapped[Meeting] = relationship()


class WeatherGiven(db.Model):
    """That a member gave a weather for a Friday (once), without which one."""

    __tablename__ = "weather_given"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id", name="uq_weather_given_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
