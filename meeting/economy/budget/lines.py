"""The year's lines, set at once by the treasurer over the revision the form was shown at;
each bad field named by its row (`label_3`, `amount_3`) so the page shows it beside it."""

from sqlalchemy.exc import IntegrityError

from ... import permissions
from ...errors import Conflict, FieldErrors, ServiceError, require
from ...extensions import db
from ...i18n import _l
from ...models import BudgetLine, BudgetYear
from ...models.economy import BUDGET_CATEGORIES, BUDGET_PERIODS
from ...pipeline import change
from .. import facts
from ..money import parse_amount
from ..summary import budget_year
from .years import bump_revision, check_year, year_closed_error

MAX_LINES = 30
MAX_LABEL = 120
MAX_EXPLANATION = 1000
LINE_FIELDS = ("label", "category", "period", "amount", "explanation")

# -- the lines -------------------------------------------------------------------------------


def stale_lines(year):
    return Conflict(
        _l(
            "Les lignes de %(year)s viennent d’être modifiées par quelqu’un d’autre. Vos saisies "
            "sont gardées ci-dessous, à côté des lignes enregistrées : vérifiez-les, puis "
            "enregistrez à nouveau.",
            year=year,
        ),
        code="stale",
    )


def clean_text(value):
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


def is_empty_line(line):
    """A row of the form left blank (or marked removed): ignored."""
    if not isinstance(line, dict):
        return False
    if line.get("removed"):
        return True
    return not any(clean_text(line.get(name)) for name in ("label", "amount", "explanation"))


def clean_lines(lines):
    """The lines to store, as dicts (id, label, category, period, amount_cents, explanation),
    in order; FieldErrors names each bad field as `label_3` (the row's number in the form)."""
    if not isinstance(lines, list):
        raise ServiceError(_l("Les lignes du budget sont mal formées."), code="invalid_field")
    errors = {}
    cleaned = []
    for n, line in enumerate(lines, start=1):
        if not isinstance(line, dict):
            raise ServiceError(_l("Les lignes du budget sont mal formées."), code="invalid_field")
        if is_empty_line(line):
            continue
        label = " ".join(clean_text(line.get("label")).split())
        category = clean_text(line.get("category")) or "other"
        period = clean_text(line.get("period")) or "year"
        explanation = clean_text(line.get("explanation"))
        if not label:
            errors[f"label_{n}"] = _l("Donnez un intitulé à cette ligne (ex. « Électricité »).")
        elif len(label) > MAX_LABEL:
            errors[f"label_{n}"] = _l(
                "L’intitulé est trop long (%(max)s caractères au plus).", max=MAX_LABEL
            )
        if category not in BUDGET_CATEGORIES:
            errors[f"category_{n}"] = _l("Choisissez une catégorie de la liste.")
        if period not in BUDGET_PERIODS:
            errors[f"period_{n}"] = _l("Choisissez « par mois » ou « par an ».")
        if len(explanation) > MAX_EXPLANATION:
            errors[f"explanation_{n}"] = _l(
                "L’explication est trop longue (%(max)s caractères au plus).", max=MAX_EXPLANATION
            )
        try:
            amount = parse_amount(line.get("amount"), field=f"amount_{n}")
        except ServiceError as error:
            errors[f"amount_{n}"] = error.message
            amount = None
        line_id = line.get("id")
        if isinstance(line_id, str):
            line_id = int(line_id) if line_id.strip().isdigit() else None
        cleaned.append(
            {
                "id": line_id
                if isinstance(line_id, int) and not isinstance(line_id, bool)
                else None,
                "label": label,
                "category": category,
                "period": period,
                "amount_cents": amount,
                "explanation": explanation or None,
            }
        )
    if errors:
        raise FieldErrors(errors)
    if not cleaned:
        raise ServiceError(
            _l("Indiquez au moins une ligne : un intitulé et un montant."),
            code="missing_field",
            field="lines",
        )
    if len(cleaned) > MAX_LINES:
        raise ServiceError(
            _l("Un budget tient en %(max)s lignes au plus : regroupez-en.", max=MAX_LINES),
            code="too_many_lines",
            field="lines",
        )
    return cleaned


def set_lines(actor, year, lines, revision=None):
    """The treasurer sets the year's lines at once (creating the year when missing), over the
    revision the form was shown at (0 or None: the year did not exist yet)."""
    require(permissions.can_keep_accounts(actor))
    check_year(year)
    cleaned = clean_lines(lines)
    seen = int(revision or 0)
    row = budget_year(year)
    if row is not None and row.is_closed:
        raise year_closed_error(year)
    if (row.revision if row is not None else 0) != seen:
        raise stale_lines(year)
    try:
        with change() as c:
            if row is None:
                row = BudgetYear(year=year, revision=1)
                db.session.add(row)
                db.session.flush()
            elif not bump_revision(row, seen):
                raise stale_lines(year)
            existing = {line.id: line for line in row.lines}
            kept = []
            for position, values in enumerate(cleaned, start=1):
                line = existing.pop(values["id"], None)
                if line is None:
                    line = BudgetLine(budget_year=row)
                line.position = position
                line.label = values["label"]
                line.category = values["category"]
                line.period = values["period"]
                line.amount_cents = values["amount_cents"]
                line.explanation = values["explanation"]
                kept.append(line)
            row.lines[:] = kept  # the rows removed from the form go (delete-orphan)
            c.trace(actor, "budget_lines_set", row, year=year, count=len(kept))
            facts.figures_changed(c)
    except IntegrityError:  # the year was created by someone else at the same moment
        raise stale_lines(year) from None
    return budget_year(year)
