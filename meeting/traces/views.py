"""The live trace feed page `/traces/`."""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from .. import permissions
from ..errors import ServiceError
from . import services

bp = Blueprint("traces", __name__, url_prefix="/traces")


@bp.route("/")
@login_required
def index():
    if not permissions.can_view_traces(current_user):
        abort(403)
    try:
        kind, actor_id = services.clean_filters(request.args.get("type"), request.args.get("personne"))
        before = request.args.get("avant", type=int)
    except ServiceError as exc:
        return render_template("errors/error.html", status=400, message=exc.message), 400
    traces = services.list_traces(kind, actor_id, before=before)
    return render_template(
        "traces/index.html", traces=traces, kinds=services.KINDS, people=services.people(),
        kind=kind, actor_id=actor_id, page_size=services.PAGE_SIZE,
    )
