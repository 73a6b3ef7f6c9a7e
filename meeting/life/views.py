"""La vie du lieu: pages (`/vie-du-lieu/…`).

Endpoints (fixed: other features link to them):
- `life.index` GET `/vie-du-lieu/`: archive readers: the charts and their tables
- `life.chart_svg` GET `/vie-du-lieu/<name>.svg`: one chart as SVG
- `life.chart_csv` GET `/vie-du-lieu/<name>.csv`: one chart's data as CSV

Who reads: `permissions.can_view_life` (members; anyone when the place publishes its
archive). Everything here is counts, never a name. `?de=AAAA-MM&a=AAAA-MM` chooses the months.
"""

from flask import Blueprint, Response, abort, current_app, render_template, request

from .. import permissions
from ..commands import current_actor
from ..errors import ServiceError, field_errors
from . import charts, figures, svg, weather

bp = Blueprint("life", __name__, url_prefix="/vie-du-lieu")

# pygal writes its style inside the SVG; the app's policy (style-src 'self') would drop it.
# The picture runs nothing and loads nothing.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"


@bp.app_template_filter("life_month")
def life_month(month):
    """'janvier 2026'."""
    return charts.month_long(month)


@bp.app_template_global("weather_choices")
def weather_choices():
    return weather.choices()


@bp.app_template_global("weather_already_given")
def weather_already_given(meeting, member):
    """For the add form of a Friday's document: hide the weather once given."""
    return weather.has_given(member, meeting)


def _refused():
    """None when the reader may see the pictures; else sign in when anonymous, 403 for the
    others (a guest of a live Friday while the archive is for members)."""
    actor = current_actor()
    if permissions.can_view_life(actor):
        return None
    if actor is None:
        return current_app.login_manager.unauthorized()
    abort(403)


def _span():
    return figures.parse_span(request.args.get("de"), request.args.get("a"))


@bp.route("/", methods=["GET"])
def index():
    refused = _refused()
    if refused is not None:
        return refused
    form = {"de": request.args.get("de", ""), "a": request.args.get("a", "")}
    try:
        span = _span()
    except ServiceError as exc:
        return render_template(
            "life/index.html",
            charts=[],
            span=None,
            form=form,
            errors=field_errors(exc),
            form_error=exc.message,
        ), 400
    return render_template(
        "life/index.html",
        charts=charts.all_charts(span),
        span=span,
        query=span.query(),
        form=span.query(),
        errors={},
        form_error=None,
    )


@bp.route("/<name>.svg", methods=["GET"])
def chart_svg(name):
    refused = _refused()
    if refused is not None:
        return refused
    chart = charts.build(name, _span())
    response = Response(svg.render_svg(chart), mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_CSP
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/<name>.csv", methods=["GET"])
def chart_csv(name):
    refused = _refused()
    if refused is not None:
        return refused
    chart = charts.build(name, _span())
    response = Response(charts.render_csv(chart), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{charts.csv_filename(chart)}"'
    response.headers["Cache-Control"] = "private, no-cache"
    return response
