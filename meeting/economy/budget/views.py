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

from flask import Blueprint, abort

bp = Blueprint("budget", __name__, url_prefix="/budget")


@bp.route("/", methods=["GET"])
def index():
    abort(404)  # to be built


@bp.route("/public", methods=["GET"])
def public():
    abort(404)  # to be built


@bp.route("/public.json", methods=["GET"])
def public_json():
    abort(404)  # to be built


@bp.route("/<int:year>/lignes", methods=["GET", "POST"])
def edit_year(year):
    abort(404)  # to be built


@bp.route("/<int:year>/depenses", methods=["GET", "POST"])
def expenses(year):
    abort(404)  # to be built


@bp.route("/<int:year>/clore", methods=["POST"])
def close_year(year):
    abort(404)  # to be built


@bp.route("/<int:year>/grand-livre.csv", methods=["GET"])
def ledger_csv(year):
    abort(404)  # to be built


@bp.route("/reglages", methods=["GET", "POST"])
def settings():
    abort(404)  # to be built
