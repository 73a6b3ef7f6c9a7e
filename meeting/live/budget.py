"""The "Où en est-on ?" point of a Friday: while it is the current point, the projector, the
phones (members and guests) and the console show the year's gauge, what came in this month and
the needs still open.

Totals only, read from `economy.summary.year_summary` (never a gift, a donor or a single
contribution): a guest is an anonymous reader, and the panel goes to every view alike. When the
year's figures change during the meeting (a gift confirmed, a use recorded…), the listener
registered with `economy.facts.on_figures_changed` (in `live/events.py`) sends the panel again.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import format_date, format_percent

from ..economy import summary as economy
from ..meetings import dates
from ..prep import services as prep

PANEL = "budget"
REGION = "budget_panel"
TIMEBOX = 5
# The needs listed, then "et N autres": few on the projector so that the 16:9 frame never
# overflows (like state.SCREEN_LIMITS), more on the phones and the console.
NEEDS_SHOWN = {"screen": 5, "phone": 10, "console": 10}


@dataclass
class BudgetPanel:
    """The figures of the panel, in integer cents, and the titles of the needs still open."""

    year: int
    month_label: str
    has_budget: bool
    need_cents: int
    came_in_cents: int
    missing_cents: int
    percent: int
    gauge_percent: int
    month_gifts_cents: int
    month_uses_cents: int
    month_in_kind_cents: int
    needs: list = field(default_factory=list)

    @property
    def percent_label(self):
        """'43 %' in French, '43%' in English (Babel; a whole percentage, no float)."""
        return format_percent(Decimal(self.percent) / 100)

    @property
    def month_came_in_cents(self):
        return self.month_gifts_cents + self.month_uses_cents + self.month_in_kind_cents

    def needs_for(self, view):
        """The titles `view` lists, and how many it leaves out."""
        limit = NEEDS_SHOWN.get(view, NEEDS_SHOWN["phone"])
        return self.needs[:limit], max(0, len(self.needs) - limit)


def is_budget_point(item):
    return item is not None and item.panel == PANEL


def waiting_budget_point(items):
    """The budget point of an agenda that is still to come or under way, if any."""
    return next(
        (i for i in items if is_budget_point(i) and i.status in ("pending", "current")), None
    )


def panel_for(current):
    """The panel's figures when the current point is "Où en est-on ?", else None. The year and
    the month are today's in Europe/Paris."""
    if not is_budget_point(current):
        return None
    today = dates.today_in_place()
    year = economy.year_summary(today.year)
    month = year.months[today.month - 1]
    return BudgetPanel(
        year=today.year,
        month_label=format_date(date(today.year, today.month, 1), "LLLL"),
        has_budget=year.has_budget,
        need_cents=year.need_cents,
        came_in_cents=year.came_in_cents,
        missing_cents=year.missing_cents,
        percent=year.percent,
        gauge_percent=year.gauge_percent,
        month_gifts_cents=month.gifts_cents,
        month_uses_cents=month.uses_cents,
        month_in_kind_cents=month.in_kind_cents,
        needs=[prep.short_title(entry) for entry in prep.open_needs()],
    )
