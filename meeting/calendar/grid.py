"""The spans the calendar's views show (a month Monday-first, a week, a list of coming dates)
and their occurrences grouped by day."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from .. import cleaning
from . import read

VIEWS = {"mois": "month", "semaine": "week", "liste": "list"}
LIST_DAYS = 92  # the list view shows about three months from its date
MAX_DAYS_SPANNED = 31


@dataclass
class Span:
    view: str  # "mois" | "semaine" | "liste"
    day: date  # the date asked for
    start: date
    end: date  # exclusive
    previous: date
    following: date
    days: list = field(default_factory=list)  # [(date, [Occurrence])]

    @property
    def last(self):
        return self.end - timedelta(days=1)

    @property
    def weeks(self):
        """The month grid's rows of seven (day, occurrences) cells."""
        return [self.days[i : i + 7] for i in range(0, len(self.days), 7)]


def parse_day(text, today):
    """The day a calendar page asks for; today when it is unreadable or out of the years
    `cleaning` allows (a month of year 9999 has no next month to link to)."""
    try:
        day = date.fromisoformat(text) if text else today
    except ValueError:
        return today
    return day if cleaning.in_window(day) else today


def _add_months(day, months):
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def span_for(view, day):
    """The span a view shows around `day`, with its previous and next dates."""
    if view == "semaine":
        start = day - timedelta(days=day.weekday())
        return Span(
            view,
            day,
            start,
            start + timedelta(days=7),
            start - timedelta(days=7),
            start + timedelta(days=7),
        )
    if view == "liste":
        return Span(
            view,
            day,
            day,
            day + timedelta(days=LIST_DAYS),
            day - timedelta(days=LIST_DAYS),
            day + timedelta(days=LIST_DAYS),
        )
    first = day.replace(day=1)
    start = first - timedelta(days=first.weekday())
    after = _add_months(first, 1)
    end = after + timedelta(days=(7 - after.weekday()) % 7)
    return Span("mois", day, start, end, _add_months(first, -1), after)


def fill(span, include_members):
    """Read the span's occurrences for this audience (cancelled ones included, marked) and
    group them by the days they cover."""
    start, end = datetime.combine(span.start, time()), datetime.combine(span.end, time())
    by_day = defaultdict(list)
    for occurrence in read.between(start, end, include_members):
        last = (occurrence.ends_at - timedelta(microseconds=1)).date()
        day = max(occurrence.starts_at.date(), span.start)
        for _ in range(MAX_DAYS_SPANNED):
            if day > last or day >= span.end:
                break
            by_day[day].append(occurrence)
            day += timedelta(days=1)
    if span.view == "liste":
        span.days = sorted(by_day.items())
    else:
        total = (span.end - span.start).days
        days = [span.start + timedelta(days=n) for n in range(total)]
        span.days = [(d, by_day.get(d, [])) for d in days]
    return span
