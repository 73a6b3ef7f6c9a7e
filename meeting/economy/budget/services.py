"""The year's budget: its lines (`lines.py`: set at once by the treasurer, compare-and-set on
the year's revision), what went out (`expenses.py`), and the years (`years.py`: a finished
year closed, after which nothing dated in it can be recorded: `ensure_year_open`, called by the
gifts and the catalogue too).

Every change: permission → validation (French messages beside the fields, nothing written) →
`change()` with its trace → `economy.facts.figures_changed(c)` so that whoever shows the
year's figures live is told after the commit. This module only re-exports them.
"""

from ..summary import budget_year
from .expenses import MAX_EXPENSE_LABEL, parse_day, record_expense, year_expenses
from .lines import MAX_LINES, clean_lines, is_empty_line, set_lines, stale_lines
from .years import (
    FIRST_YEAR,
    close_year,
    ensure_year_open,
    this_year,
    year_closed_error,
    year_is_known,
)

__all__ = [
    "FIRST_YEAR",
    "MAX_EXPENSE_LABEL",
    "MAX_LINES",
    "budget_year",
    "clean_lines",
    "close_year",
    "ensure_year_open",
    "is_empty_line",
    "parse_day",
    "record_expense",
    "set_lines",
    "stale_lines",
    "this_year",
    "year_closed_error",
    "year_expenses",
    "year_is_known",
]
