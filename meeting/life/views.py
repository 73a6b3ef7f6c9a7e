"""La vie du lieu: pages (`/vie-du-lieu/…`).

Endpoints (fixed: other features link to them):
- `life.index` GET `/vie-du-lieu/`: archive readers: the charts and their tables
- `life.chart_svg` GET `/vie-du-lieu/<name>.svg`: one chart as SVG
- `life.chart_csv` GET `/vie-du-lieu/<name>.csv`: one chart's data as CSV
"""

from flask import Blueprint, abort

bp = Blueprint("life", __name__, url_prefix="/vie-du-lieu")


@bp.route("/", methods=["GET"])
def index():
    abort(404)  # to be built


@bp.route("/<name>.svg", methods=["GET"])
def chart_svg(name):
    abort(404)  # to be built


@bp.route("/<name>.csv", methods=["GET"])
def chart_csv(name):
    abort(404)  # to be built
