"""Le budget de l’année: pages (`/budget/…`).

Endpoints (fixed: other features link to them):
- `budget.index` GET `/budget/`: members: the year's gauge, breakdown, month by month; treasurer's forms
- `budget.public` GET `/budget/public`: anyone: totals only, the gauge, the breakdown, « Faire un don »
- `budget.public_json` GET `/budget/public.json`: anyone: the public totals as JSON (the place's website)
- `budget.edit_year` GET,POST `/budget/<int:year>/lignes`: treasurer: the year's lines
- `budget.expenses` GET,POST `/budget/<int:year>/depenses`: treasurer: what went out
- `budget.close_year` POST `/budget/<int:year>/clore`: treasurer: close the year
- `budget.ledger_csv` GET `/budget/<int:year>/grand-livre.csv`: treasurer: the year's ledger, CSV
- `budget.settings` GET,POST `/budget/reglages`: treasurer: donation link, receipts, association, hours
"""

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_login import current_user, login_required

from ... import permissions
from ...commands import run_form
from ...errors import ServiceError, field_errors
from ...extensions import db
from ...i18n import _, capfirst
from ...labels import BUDGET_CATEGORY_LABELS, BUDGET_PERIOD_LABELS
from ...meetings.dates import today_in_place
from ...models import Expense
from ...models.economy import BUDGET_CATEGORIES, BUDGET_PERIODS
from ..money import format_money
from ..summary import asked_year, budget_year, year_summary
from . import ledger, seed, services
from . import public as public_figures
from . import settings as budget_settings

bp = Blueprint("budget", __name__, url_prefix="/budget")

EXTRA_ROWS = 5  # empty rows offered under the lines, and added by "Ajouter des lignes"
MAX_FORM_ROWS = services.MAX_LINES + 2 * EXTRA_ROWS
LINE_FORM_FIELDS = ("label", "category", "period", "amount", "explanation")


def _require_treasurer():
    if not permissions.can_keep_accounts(current_user):
        abort(403)


def _known_year(year):
    if not services.year_is_known(year):
        abort(404)


def _chosen_year():
    """`?annee=2025`, else this year (any four-digit year: one without figures is empty)."""
    return asked_year(request.args.get("annee"), 1900, 2999) or today_in_place().year


def month_names():
    return [capfirst(format_date(date(2000, month, 1), "LLLL")) for month in range(1, 13)]


def _year_context(year):
    summary = year_summary(year)
    return {
        "year": year,
        "summary": summary,
        "breakdown": public_figures.breakdown(summary),
        "about_need": public_figures.about_cents(summary.need_cents),
        "gauge_text": public_figures.gauge_text(summary) if summary.need_cents else "",
        "donation": public_figures.donation(),
    }


# -- members' and public pages -----------------------------------------------------------------


def _render_index(year, status=200, **extra):
    context = _year_context(year)
    summary = context["summary"]
    this_year = today_in_place().year
    context.update(
        months=month_names(),
        is_treasurer=permissions.can_keep_accounts(current_user),
        this_year=this_year,
        can_edit=services.year_is_known(year) and not getattr(summary.budget, "is_closed", False),
        can_close=services.year_is_known(year)
        and year < this_year
        and not getattr(summary.budget, "is_closed", False),
        close_errors={},
        close_error=None,
    )
    context.update(extra)
    return render_template("economy/budget/index.html", **context), status


@bp.route("/", methods=["GET"])
@login_required
def index():
    """Members: the year's figures (totals only); the treasurer also gets their tools."""
    if not permissions.can_read_budget(current_user):
        abort(403)
    return _render_index(_chosen_year())


@bp.route("/public", methods=["GET"])
def public():
    """Anyone: the year's totals, the gauge, the breakdown and « Faire un don »."""
    return render_template("economy/budget/public.html", **_year_context(_chosen_year()))


@bp.route("/public.json", methods=["GET"])
def public_json():
    """The public totals as JSON, for the place's website (any origin may read them)."""
    response = jsonify(public_figures.public_figures(year_summary(_chosen_year())))
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# -- the lines -------------------------------------------------------------------------------


def _lines_from_form(form):
    """The rows of the lines form, in order (a blank or removed row stays, so that errors
    keep their row's number)."""
    try:
        rows = int(form.get("rows", "0"))
    except ValueError:
        rows = 0
    lines = []
    for n in range(1, max(0, min(rows, MAX_FORM_ROWS)) + 1):
        line = {name: form.get(f"{name}_{n}", "") for name in LINE_FORM_FIELDS}
        line["id"] = form.get(f"line_id_{n}", "")
        if form.get(f"remove_{n}"):
            line["removed"] = True
        lines.append(line)
    return lines


def _with_blank_rows(lines, extra=EXTRA_ROWS):
    blank = {"id": "", "label": "", "category": "charges", "period": "month", "amount": ""}
    rows = list(lines) + [dict(blank, explanation="") for _n in range(extra)]
    return rows[: max(MAX_FORM_ROWS, len(lines))]


def _render_lines(year, lines, revision, status=200, error=None, **extra):
    errors = field_errors(error) if error is not None else {}
    order = [f"{name}_{n}" for n in range(1, len(lines) + 1) for name in LINE_FORM_FIELDS]
    return render_template(
        "economy/budget/lines.html",
        year=year,
        lines=lines,
        revision=revision,
        errors=errors,
        error=error.message if error is not None else None,
        error_list=[(name, errors[name]) for name in ["lines", *order] if name in errors],
        categories=BUDGET_CATEGORIES,
        category_labels=BUDGET_CATEGORY_LABELS,
        periods=BUDGET_PERIODS,
        period_labels=BUDGET_PERIOD_LABELS,
        max_lines=services.MAX_LINES,
        **{"source": None, "source_year": None, "saved_lines": None, **extra},
    ), status


@bp.route("/<int:year>/lignes", methods=["GET", "POST"])
@login_required
def edit_year(year):
    """The treasurer sets the year's lines (prefilled: the year's, the previous year's or the
    seed's figures); rows are added and removed without a script."""
    _require_treasurer()
    _known_year(year)
    row = budget_year(year)
    if row is not None and row.is_closed:
        status = 409 if request.method == "POST" else 200
        return render_template("economy/budget/closed.html", year=year, row=row), status
    revision = row.revision if row is not None else 0
    if request.method == "GET":
        if row is not None and row.lines:
            lines, source, source_year = [seed.form_line(li) for li in row.lines], None, None
        else:
            lines, source, source_year = seed.prefill(year)
        return _render_lines(
            year, _with_blank_rows(lines), revision, source=source, source_year=source_year
        )
    typed = _lines_from_form(request.form)
    seen = request.form.get("revision", "")
    if "more_rows" in request.form:  # "Ajouter des lignes": nothing is saved
        return _render_lines(year, _with_blank_rows(typed), seen)
    try:
        run_form("set_budget_lines", request.form, year=year, lines=typed)
    except ServiceError as exc:
        extra = {}
        if exc.code == "stale":  # their typing kept, the saved lines shown beside it
            row = budget_year(year)
            extra["saved_lines"] = list(row.lines) if row is not None else []
            seen = row.revision if row is not None else 0
        return _render_lines(year, typed, seen, exc.status, exc, **extra)
    flash(_("Les lignes du budget %(year)s sont enregistrées.", year=year), "success")
    return redirect(url_for("budget.index", annee=year))


# -- expenses --------------------------------------------------------------------------------


def _render_expenses(year, form=None, status=200, error=None):
    row = budget_year(year)
    errors = field_errors(error) if error is not None else {}
    spent = services.year_expenses(year)
    return render_template(
        "economy/budget/expenses.html",
        year=year,
        row=row,
        lines=list(row.lines) if row is not None else [],
        expenses=spent,
        total=sum(e.amount_cents for e in spent),
        form=form or {"spent_on": min(today_in_place(), date(year, 12, 31)).isoformat()},
        errors=errors,
        error=error.message if error is not None else None,
        error_list=[
            (n, errors[n]) for n in ("spent_on", "amount", "label", "line_id") if n in errors
        ],
        closed=row is not None and row.is_closed,
        max_day=min(today_in_place(), date(year, 12, 31)),
    ), status


@bp.route("/<int:year>/depenses", methods=["GET", "POST"])
@login_required
def expenses(year):
    """The treasurer records what went out, and sees the year's expenses."""
    _require_treasurer()
    _known_year(year)
    if request.method == "GET":
        return _render_expenses(year)
    try:
        result = run_form("record_expense", request.form, year=year)
    except ServiceError as exc:
        return _render_expenses(year, request.form, exc.status, exc)
    expense = db.session.get(Expense, result["expense_id"])
    flash(
        _(
            "Dépense enregistrée : %(label)s, %(amount)s.",
            label=expense.label,
            amount=format_money(expense.amount_cents),
        ),
        "success",
    )
    return redirect(url_for("budget.expenses", year=year))


@bp.route("/<int:year>/clore", methods=["POST"])
@login_required
def close_year(year):
    """The treasurer closes a finished year, once they ticked the confirmation."""
    _require_treasurer()
    _known_year(year)
    if not request.form.get("confirm"):
        return _render_index(
            year,
            400,
            close_errors={
                "confirm": _("Cochez la case pour confirmer : une année close ne se rouvre pas.")
            },
        )
    try:
        run_form("close_budget_year", request.form, year=year)
    except ServiceError as exc:
        return _render_index(year, exc.status, close_error=exc.message)
    flash(_("L’année %(year)s est close.", year=year), "success")
    return redirect(url_for("budget.index", annee=year))


@bp.route("/<int:year>/grand-livre.csv", methods=["GET"])
@login_required
def ledger_csv(year):
    """The treasurer downloads the year's ledger for the accountant."""
    _require_treasurer()
    _known_year(year)
    return Response(
        ledger.ledger_csv(current_user, year),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="grand-livre-{year}.csv"',
            "Cache-Control": "no-store",
        },
    )


# -- settings --------------------------------------------------------------------------------


@bp.route("/reglages", methods=["GET", "POST"])
@login_required
def settings():
    """The treasurer's settings: « Faire un don », receipts, the association, opening hours."""
    _require_treasurer()
    if request.method == "GET":
        return render_template(
            "economy/budget/settings.html", form=budget_settings.current(), errors={}, error=None
        )
    try:
        result = run_form("set_budget_settings", request.form)
    except ServiceError as exc:
        errors = field_errors(exc)
        return render_template(
            "economy/budget/settings.html",
            form=request.form,
            errors=errors,
            error=exc.message,
            error_list=[(k, errors[k]) for k in budget_settings.KEYS if k in errors],
        ), exc.status
    if result["changed"]:
        flash(_("Les réglages sont enregistrés."), "success")
    else:
        flash(_("Rien n’a changé : les réglages étaient déjà ceux-là."), "info")
    return redirect(url_for("budget.settings"))
