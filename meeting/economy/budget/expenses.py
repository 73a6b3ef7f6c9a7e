"""What went out: expenses recorded by the treasurer on a day of the year, against one of
its lines or none; the year's list."""

from datetime import date

from sqlalchemy import select

from ... import cleaning, permissions
from ...errors import FieldErrors, ServiceError, require
from ...extensions import db
from ...i18n import _l
from ...meetings.dates import today_in_place
from ...models import BudgetLine, BudgetYear, Expense
from ...pipeline import change
from .. import facts
from ..money import parse_amount
from ..summary import budget_year
from .lines import clean_text
from .years import check_year, year_closed_error, year_row

MAX_EXPENSE_LABEL = 200

# -- expenses --------------------------------------------------------------------------------


def parse_day(text, field):
    """A date typed in a form (AAAA-MM-JJ, or JJ/MM/AAAA) or a `date`."""
    if isinstance(text, date):
        return text
    value = clean_text(text)
    if not value:
        raise ServiceError(_l("Indiquez la date (JJ/MM/AAAA)."), code="missing_field", field=field)
    try:
        if "/" in value:
            day, month, year = (int(part) for part in value.split("/"))
            return cleaning.check_day(date(year, month, day), field)
        return cleaning.check_day(date.fromisoformat(value), field)
    except ValueError:
        raise ServiceError(
            _l("Cette date n’est pas valide : écrivez-la JJ/MM/AAAA, par exemple 05/03/2026."),
            code="invalid_date",
            field=field,
        ) from None


def record_expense(actor, year, spent_on, amount, label, line_id=None):
    """The treasurer records money gone out on a day of `year` (not in the future, not in a
    closed year), against one of the year's lines or none."""
    require(permissions.can_keep_accounts(actor))
    check_year(year)
    errors = {}
    day = None
    try:
        day = parse_day(spent_on, "spent_on")
        if day.year != year:
            errors["spent_on"] = _l(
                "Cette date n’est pas en %(year)s : enregistrez la dépense dans son année.",
                year=year,
            )
        elif day > today_in_place():
            errors["spent_on"] = _l(
                "Cette date est dans le futur : une dépense s’enregistre une fois faite."
            )
    except ServiceError as error:
        errors["spent_on"] = error.message
    try:
        cents = parse_amount(amount, field="amount")
    except ServiceError as error:
        errors["amount"] = error.message
    label = " ".join(clean_text(label).split())
    if not label:
        errors["label"] = _l("Dites ce qui a été payé (ex. « Entretien de la chaudière »).")
    elif len(label) > MAX_EXPENSE_LABEL:
        errors["label"] = _l(
            "Le libellé est trop long (%(max)s caractères au plus).", max=MAX_EXPENSE_LABEL
        )
    row = budget_year(year)
    line = None
    if line_id is not None:
        line = db.session.get(BudgetLine, line_id)
        if line is None or row is None or line.budget_year_id != row.id:
            errors["line_id"] = _l("Choisissez une ligne du budget de %(year)s.", year=year)
    if errors:
        raise FieldErrors(errors)
    if row is not None and row.is_closed:
        raise year_closed_error(year, "spent_on")
    with change() as c:
        row = year_row(year)
        expense = Expense(
            budget_year_id=row.id,
            line_id=line.id if line is not None else None,
            spent_on=day,
            amount_cents=cents,
            label=label,
            recorded_by_id=actor.id,
        )
        db.session.add(expense)
        db.session.flush()
        c.trace(
            actor,
            "expense_recorded",
            expense,
            year=year,
            expense_id=expense.id,
            amount_cents=cents,
            label=label,
        )
        facts.figures_changed(c)
    return expense


def year_expenses(year):
    """The year's expenses, newest day first (the treasurer's list)."""
    return db.session.scalars(
        select(Expense)
        .join(BudgetYear, Expense.budget_year_id == BudgetYear.id)
        .where(BudgetYear.year == year)
        .order_by(Expense.spent_on.desc(), Expense.id.desc())
    ).all()
