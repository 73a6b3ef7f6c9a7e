"""Le budget de l’année: commands (see `meeting.commands`). All are posted by the treasurer's
forms of `/budget/…` (door "form"); none broadcasts: whoever shows the year's figures live is
told through `economy.facts` after the commit."""

from ... import permissions
from ...commands import command
from . import services, settings


@command(
    "set_budget_lines",
    allowed=permissions.can_keep_accounts,
    fields={"year": (int, True), "lines": (list, True), "revision": (int, False)},
    doors=("form",),
)
def set_budget_lines(actor, year, lines, revision=None):
    """Posted by `/budget/<year>/lignes` (the view reads the rows `label_N`, `amount_N`… into
    `lines`); answers with the year's new revision (traced `budget_lines_set`)."""
    row = services.set_lines(actor, year, lines, revision)
    return {"year": row.year, "revision": row.revision, "count": len(row.lines)}


@command(
    "record_expense",
    allowed=permissions.can_keep_accounts,
    fields={
        "year": (int, True),
        "spent_on": (str, True),
        "amount": (str, True),
        "label": (str, True),
        "line_id": (int, False),
    },
    doors=("form",),
)
def record_expense(actor, year, spent_on, amount, label, line_id=None):
    """Posted by `/budget/<year>/depenses` (traced `expense_recorded`)."""
    expense = services.record_expense(actor, year, spent_on, amount, label, line_id)
    return {"expense_id": expense.id}


@command(
    "close_budget_year",
    allowed=permissions.can_keep_accounts,
    fields={"year": (int, True)},
    doors=("form",),
)
def close_budget_year(actor, year):
    """Posted by `/budget/<year>/clore` once confirmed (traced `budget_year_closed`)."""
    row = services.close_year(actor, year)
    return {"year": row.year}


@command(
    "set_budget_settings",
    allowed=permissions.can_keep_accounts,
    fields={key: (str, False) for key in settings.KEYS},
    doors=("form",),
)
def set_budget_settings(actor, **values):
    """Posted by `/budget/reglages`: every setting of the form at once (an empty field clears
    it); each change traced `setting_changed` with its key."""
    return {"changed": settings.save(actor, values)}
