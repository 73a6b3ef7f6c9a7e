"""The live trace feed page `/traces/`."""

from flask import Blueprint, abort, g, render_template, request
from flask_login import current_user, login_required

from .. import permissions
from ..errors import ServiceError
from . import services
from .sentences import sentence, sentences_for

bp = Blueprint("traces", __name__, url_prefix="/traces")


@bp.route("/")
@login_required
def index():
    if not permissions.can_view_traces(current_user):
        abort(403)
    try:
        kind, actor_id = services.clean_filters(
            request.args.get("type"), request.args.get("personne")
        )
        before = request.args.get("avant", type=int)
    except ServiceError as exc:
        return render_template("errors/error.html", status=400, message=exc.message), 400
    traces = services.list_traces(kind, actor_id, before=before)
    return render_template(
        "traces/index.html",
        traces=traces,
        sentences=sentences_for(traces),
        kinds=services.KINDS,
        people=services.people(),
        kind=kind,
        actor_id=actor_id,
        page_size=services.PAGE_SIZE,
    )


@bp.app_template_global("trace_sentence")
def trace_sentence(trace, traces=None):
    """A trace's sentence for pages that list a few traces (`traces/_trace.html` outside the
    feed): with `traces`, the people of the whole list are loaded once per request."""
    if traces is None:
        return sentence(trace)
    cache = g.setdefault("trace_sentences", {})
    key = id(traces)
    if key not in cache:
        cache[key] = (traces, sentences_for(traces))  # keeps `traces` alive: its id stays unique
    return cache[key][1].get(trace.id) or sentence(trace)
