"""Home: the coming Friday and the latest traces."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from .. import permissions
from ..members.services import has_members
from ..traces.services import list_traces
from . import services

bp = Blueprint("prep", __name__)


@bp.route("/")
def home():
    if not has_members():
        return redirect(url_for("members.first_run"))
    traces = list_traces(limit=8) if permissions.can_view_traces(current_user) else []
    return render_template(
        "prep/home.html", friday=services.next_friday(), start=services.MEETING_START,
        end=services.MEETING_END, traces=traces,
    )
