"""Où en est-on ? The figures of one year, read from the rows, in integer cents.

The one read of the year's totals for every page that shows them: the members' budget page,
the public page, the Friday's "Où en est-on ?" panel, the life of the place. It holds totals
only (never who gave what), so any audience that may see the budget may see a summary.

What came in, month by month: gifts received (by the day they arrived), contributions for
catalogue uses (by the day of the use) and contributions in kind (met needs with a value, by
the day they were met, in Europe/Paris). What went out: expenses, by their day.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..models import BudgetYear, CatalogueUse, Entry, Expense, Gift
from ..models.economy import BUDGET_CATEGORIES
from .money import percent


@dataclass
class MonthFigures:
    month: int
    gifts_cents: int = 0
    uses_cents: int = 0
    in_kind_cents: int = 0
    spent_cents: int = 0

    @property
    def came_in_cents(self):
        return self.gifts_cents + self.uses_cents + self.in_kind_cents


@dataclass
class YearSummary:
    year: int
    budget: BudgetYear | None
    lines: list = field(default_factory=list)
    need_cents: int = 0
    gifts_cents: int = 0
    gifts_count: int = 0
    uses_cents: int = 0
    uses_count: int = 0
    in_kind_cents: int = 0
    in_kind_count: int = 0
    spent_cents: int = 0
    pledged_cents: int = 0
    months: list = field(default_factory=list)
    # The planned amount of each category over the year ("à quoi serviront les dons").
    by_category: dict = field(default_factory=dict)

    @property
    def came_in_cents(self):
        return self.gifts_cents + self.uses_cents + self.in_kind_cents

    @property
    def missing_cents(self):
        """What is still to gather to meet the year's need (0 once met)."""
        return max(self.need_cents - self.came_in_cents, 0)

    @property
    def percent(self):
        """How much of the need has come in, a whole percentage (may pass 100)."""
        return percent(self.came_in_cents, self.need_cents)

    @property
    def gauge_percent(self):
        """The same, capped at 100 for drawing a gauge."""
        return min(self.percent, 100)

    @property
    def has_budget(self):
        return self.budget is not None and bool(self.lines)

    @property
    def is_empty(self):
        return not self.has_budget and not self.came_in_cents and not self.spent_cents


def _zone():
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Paris"))


def year_bounds_utc(year):
    """The UTC moments (naive, like the schema) where the place's year starts and ends."""
    zone = _zone()

    def utc(day):
        return datetime.combine(day, time(0), zone).astimezone(UTC).replace(tzinfo=None)

    return utc(date(year, 1, 1)), utc(date(year + 1, 1, 1))


def local_date(moment):
    """The place's calendar day of a naive UTC moment."""
    return moment.replace(tzinfo=UTC).astimezone(_zone()).date()


def budget_year(year):
    """The year's budget row (with its lines), or None when nobody set it."""
    return db.session.scalar(select(BudgetYear).where(BudgetYear.year == year))


def year_summary(year):
    """Every figure of the year (see the module's doc)."""
    budget = budget_year(year)
    lines = list(budget.lines) if budget is not None else []
    summary = YearSummary(
        year=year,
        budget=budget,
        lines=lines,
        months=[MonthFigures(month) for month in range(1, 13)],
        by_category={category: 0 for category in BUDGET_CATEGORIES},
    )
    for line in lines:
        summary.need_cents += line.planned_cents
        summary.by_category[line.category] += line.planned_cents

    first, after = date(year, 1, 1), date(year + 1, 1, 1)
    for day, cents in db.session.execute(
        select(Gift.received_on, Gift.amount_cents).where(
            Gift.status == "received", Gift.received_on >= first, Gift.received_on < after
        )
    ):
        summary.months[day.month - 1].gifts_cents += cents
        summary.gifts_cents += cents
        summary.gifts_count += 1
    summary.pledged_cents = db.session.scalar(
        select(func.coalesce(func.sum(Gift.amount_cents), 0)).where(Gift.status == "pledged")
    )
    for day, cents in db.session.execute(
        select(CatalogueUse.used_on, CatalogueUse.contribution_cents).where(
            CatalogueUse.cancelled_at.is_(None),
            CatalogueUse.used_on >= first,
            CatalogueUse.used_on < after,
        )
    ):
        summary.months[day.month - 1].uses_cents += cents
        summary.uses_cents += cents
        summary.uses_count += 1
    start, end = year_bounds_utc(year)
    for moment, cents in db.session.execute(
        select(Entry.resolved_at, Entry.in_kind_cents).where(
            Entry.kind == "need",
            Entry.need_status == "met",
            Entry.in_kind_cents.is_not(None),
            Entry.resolved_at >= start,
            Entry.resolved_at < end,
        )
    ):
        summary.months[local_date(moment).month - 1].in_kind_cents += cents
        summary.in_kind_cents += cents
        summary.in_kind_count += 1
    for day, cents in db.session.execute(
        select(Expense.spent_on, Expense.amount_cents).where(
            Expense.spent_on >= first, Expense.spent_on < after
        )
    ):
        summary.months[day.month - 1].spent_cents += cents
        summary.spent_cents += cents
    return summary


def fixed_charges_cents(year):
    """The year's planned fixed charges (rent, energy, insurance: category `charges`)."""
    budget = budget_year(year)
    if budget is None:
        return 0
    return sum(line.planned_cents for line in budget.lines if line.category == "charges")


def hour_of_house_cents(year, open_hours_per_week):
    """What an hour of the house costs in fixed charges: the year's fixed charges over the
    hours it is open in a year (52 weeks), rounded to the cent (integers only); None without
    a budget or without opening hours."""
    charges = fixed_charges_cents(year)
    hours = int(open_hours_per_week or 0) * 52
    if not charges or hours <= 0:
        return None
    return (charges + hours // 2) // hours


def asked_year(text, earliest, latest):
    """The year a page was asked for (`?annee=2025`) when it is a whole number between
    `earliest` and `latest`, else None (each page says what it shows then)."""
    text = (text or "").strip()
    if not text.isdigit():
        return None
    year = int(text)
    return year if earliest <= year <= latest else None
