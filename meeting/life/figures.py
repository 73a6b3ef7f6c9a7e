"""The figures behind the pictures of the life of the place, for a range of months.

Counts only, never who: attendance per closed Friday (members and guests present), decisions
per month (by their Friday), actions done per month, needs met per month (by the day they were
met, in Europe/Paris), the year's budget (totals from `economy.summary`) and the weather of
closed Fridays that at least `weather.MIN_WEATHER` people gave. Each read is one query
grouped by Friday or by day, then put in months here (the same on SQLite and PostgreSQL).
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, func, select

from ..economy.summary import year_summary
from ..errors import ServiceError
from ..extensions import db
from ..i18n import _l
from ..meetings.dates import today_in_place
from ..models import Action, Attendance, Decision, Entry, Meeting, WeatherTally
from ..models.economy import WEATHERS
from .weather import MIN_WEATHER

MAX_MONTHS = 120  # ten years: more than the archive holds, small enough to stay quick
DEFAULT_MONTHS = 12
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def add_months(first_day, n):
    """The first day of the month `n` months after (or before) `first_day`'s month."""
    index = first_day.year * 12 + first_day.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Span:
    """A range of whole months, from `first`'s month to `last`'s month (first days)."""

    first: date
    last: date

    @property
    def after(self):
        """The first day after the range."""
        return add_months(self.last, 1)

    @property
    def months(self):
        return [add_months(self.first, n) for n in range(self.count)]

    @property
    def count(self):
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1

    def query(self):
        """The range as the page's URL says it: `?de=2026-01&a=2026-12`."""
        return {"de": f"{self.first:%Y-%m}", "a": f"{self.last:%Y-%m}"}


def default_span(today=None):
    """The last twelve months, this one included (Europe/Paris)."""
    this_month = (today or today_in_place()).replace(day=1)
    return Span(add_months(this_month, 1 - DEFAULT_MONTHS), this_month)


def _month(text, name):
    match = _MONTH.fullmatch((text or "").strip())
    if match is None or not 1 <= int(match[2]) <= 12 or not 1900 <= int(match[1]) <= 9999:
        raise ServiceError(
            _l("Mois illisible : écrivez-le AAAA-MM, par exemple « 2026-01 »."),
            code="invalid_month",
            field=name,
        )
    return date(int(match[1]), int(match[2]), 1)


def parse_span(start=None, end=None, today=None):
    """The range asked by `?de=AAAA-MM&a=AAAA-MM` (either may be left out: twelve months up
    to this one by default); a French refusal naming the field otherwise."""
    start, end = (start or "").strip(), (end or "").strip()
    if not start and not end:
        return default_span(today)
    this_month = (today or today_in_place()).replace(day=1)
    first = _month(start, "de") if start else None
    last = _month(end, "a") if end else None
    if first is None:
        first = add_months(last, 1 - DEFAULT_MONTHS)
    if last is None:
        last = max(first, min(this_month, add_months(first, DEFAULT_MONTHS - 1)))
    if first > last:
        raise ServiceError(
            _l("Le mois de début doit venir avant le mois de fin."), code="invalid_range", field="a"
        )
    span = Span(first, last)
    if span.count > MAX_MONTHS:
        raise ServiceError(
            _l("Choisissez au plus %(n)s mois à la fois.", n=MAX_MONTHS),
            code="invalid_range",
            field="a",
        )
    return span


def _zone():
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Paris"))


def _utc(day):
    """The naive UTC moment (like the schema) where the place's `day` starts."""
    return datetime.combine(day, time(0), _zone()).astimezone(UTC).replace(tzinfo=None)


def _local_month(moment):
    local = moment.replace(tzinfo=UTC).astimezone(_zone())
    return date(local.year, local.month, 1)


def _by_month(span, pairs):
    """[(month, count)] for every month of `span`, from (month, count) pairs."""
    counts = dict.fromkeys(span.months, 0)
    for month, n in pairs:
        if month in counts:
            counts[month] += n
    return list(counts.items())


# -- the figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FridayAttendance:
    day: date
    members: int
    guests: int

    @property
    def total(self):
        return self.members + self.guests


def attendance(span):
    """People present at each closed Friday of the range (members and guests), oldest first."""
    rows = db.session.execute(
        select(
            Meeting.scheduled_for,
            func.count(Attendance.member_id),
            func.count(Attendance.guest_name),
        )
        .outerjoin(
            Attendance, and_(Attendance.meeting_id == Meeting.id, Attendance.status == "present")
        )
        .where(
            Meeting.status == "closed",
            Meeting.scheduled_for >= span.first,
            Meeting.scheduled_for < span.after,
        )
        .group_by(Meeting.id, Meeting.scheduled_for)
        .order_by(Meeting.scheduled_for)
    )
    return [FridayAttendance(day, members, guests) for day, members, guests in rows]


def decisions_per_month(span):
    """[(month, decisions taken on the Fridays of that month)] for every month of the range."""
    rows = db.session.execute(
        select(Meeting.scheduled_for, func.count(Decision.id))
        .join(Meeting, Decision.meeting_id == Meeting.id)
        .where(Meeting.scheduled_for >= span.first, Meeting.scheduled_for < span.after)
        .group_by(Meeting.scheduled_for)
    )
    return _by_month(span, ((day.replace(day=1), n) for day, n in rows))


def _moments_per_month(span, moment_column, *conditions):
    """Rows counted by the local month of a UTC moment (grouped by the moment's day in SQL
    would need each engine's date functions; a range holds a few hundred rows at most)."""
    rows = db.session.scalars(
        select(moment_column).where(
            *conditions, moment_column >= _utc(span.first), moment_column < _utc(span.after)
        )
    )
    return _by_month(span, ((_local_month(moment), 1) for moment in rows))


def actions_done_per_month(span):
    """[(month, actions marked done that month)]."""
    return _moments_per_month(span, Action.done_at, Action.status == "done")


def needs_met_per_month(span):
    """[(month, needs met that month)]: entries of kind need, status met, by `resolved_at`."""
    return _moments_per_month(
        span, Entry.resolved_at, Entry.kind == "need", Entry.need_status == "met"
    )


@dataclass
class BudgetMonth:
    month: date
    came_in_cents: int | None  # None: a month still to come
    cumulative_cents: int | None
    need_cumulative_cents: int


@dataclass
class BudgetFigures:
    year: int
    need_cents: int
    came_in_cents: int
    percent: int
    has_budget: bool
    months: list = field(default_factory=list)

    @property
    def is_empty(self):
        return not self.has_budget and not self.came_in_cents


def budget(year, today=None):
    """The year's budget over its months: what came in (gifts, catalogue contributions,
    contributions in kind), cumulated, against the year's need spread a twelfth a month.
    Totals only (`economy.summary`), in integer cents."""
    summary = year_summary(year)
    today = today or today_in_place()
    figures = BudgetFigures(
        year=year,
        need_cents=summary.need_cents,
        came_in_cents=summary.came_in_cents,
        percent=summary.percent,
        has_budget=summary.has_budget,
    )
    running = 0
    for month in summary.months:
        first = date(year, month.month, 1)
        future = first > today
        if not future:
            running += month.came_in_cents
        figures.months.append(
            BudgetMonth(
                month=first,
                came_in_cents=None if future else month.came_in_cents,
                cumulative_cents=None if future else running,
                # Integer cents: the need reached by the end of that month.
                need_cumulative_cents=summary.need_cents * month.month // 12,
            )
        )
    return figures


@dataclass(frozen=True)
class FridayWeather:
    day: date
    counts: dict  # {weather: count}, every weather of WEATHERS

    @property
    def total(self):
        return sum(self.counts.values())


def weather(span):
    """The weather of each closed Friday of the range that at least `MIN_WEATHER` people
    gave (Fridays below it are left out: too few to stay anonymous)."""
    rows = db.session.execute(
        select(Meeting.scheduled_for, WeatherTally.weather, WeatherTally.count)
        .join(Meeting, WeatherTally.meeting_id == Meeting.id)
        .where(
            Meeting.status == "closed",
            Meeting.scheduled_for >= span.first,
            Meeting.scheduled_for < span.after,
        )
    )
    days = {}
    for day, value, count in rows:
        days.setdefault(day, dict.fromkeys(WEATHERS, 0))[value] = count
    return [
        FridayWeather(day, counts)
        for day, counts in sorted(days.items())
        if sum(counts.values()) >= MIN_WEATHER
    ]
