"""The live meeting's pages: console (`animation`), projector (`ecran`), phones (`direct`),
and `/rejoindre` for guests. Every console and phone action also works as a plain form post:
its hidden `op` field names a command of the registry (`meeting.commands`), run with the
meeting of the URL's Friday."""

import json
from functools import lru_cache

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from .. import cleaning, commands, permissions
from ..commands import current_actor
from ..errors import ServiceError, field_errors
from ..extensions import limiter
from ..i18n import _
from ..meetings import dates
from ..meetings import services as meetings
from ..models import DAY_ROLES
from . import services
from .guests import closed_guest_meeting, remember_guest

bp = Blueprint("live", __name__)


def _meeting(day):
    """The Friday of the URL, read only (shown before its row exists)."""
    return meetings.for_day(dates.parse_meeting_date(day))


@bp.app_template_filter("qr_svg")
@lru_cache(maxsize=8)
def qr_data_uri(text):
    """segno: a dark-on-white QR code as an SVG data URI (no third-party request). A filter:
    the screen's live "status" fragment shows it as soon as the meeting starts."""
    return segno.make(text, error="m").svg_data_uri(scale=8, border=2, dark="#000", light="#fff")


@bp.route("/vendredi/<day>/animation", methods=["GET", "POST"])
def console(day):
    meeting = _meeting(day)
    actor = current_actor()
    if not permissions.is_member(actor):
        return current_app.login_manager.unauthorized()
    # The day's scribe and timekeeper use the console too; each action re-checks their role.
    if not (permissions.can_record(actor, meeting) or permissions.can_keep_time(actor, meeting)):
        abort(403)
    if request.method == "POST":
        try:
            name = _command_name(request.form)
            commands.form_command(name)  # an unknown name changes nothing, not even the row
            meeting = meetings.ensure_meeting(meeting.scheduled_for)  # the first change makes it
            commands.run_form(name, request.form, meeting_id=meeting.id)
        except ServiceError as exc:
            # Shown beside the form that was posted, with what was typed (the page reads it
            # once, after the redirect). What is too long for the session cookie is not cut:
            # the page is drawn again at once instead, with the refusal's status.
            form_error = {
                "form": _form_key(request.form),
                "message": exc.message,
                "fields": field_errors(exc),
                "values": {
                    key: request.form.getlist(key)
                    for key in request.form
                    if key not in ("csrf_token", "op")
                },
            }
            if len(json.dumps(form_error, ensure_ascii=False).encode()) > MAX_KEPT_ERROR:
                return _render_console(meeting, actor, form_error), exc.status
            session[CONSOLE_ERROR] = form_error
        return redirect(url_for("live.console", day=day)), 303
    return _render_console(meeting, actor, session.pop(CONSOLE_ERROR, None))


CONSOLE_ERROR = "console_error"  # session key: the refusal of the last console form posted
# The session is a signed cookie (4 KB in all): a refusal kept there stays well under it.
MAX_KEPT_ERROR = 2000


def _render_console(meeting, actor, form_error=None):
    context = services.live_context(meeting, viewer=actor, view="console", attendance_list=True)
    if form_error and form_error.get("form") not in _console_forms(context):
        # a refusal of a form this page does not draw (any more) goes to the top
        flash(form_error["message"], "error")
        form_error = None
    followers = services.unrecorded_followers(meeting.id) if meeting.status != "closed" else []
    return render_template(
        "live/console.html",
        view="console",
        candidates=services.candidates(meeting.id),
        suggestions=services.rotation_suggestions(meeting.id),
        day_roles=DAY_ROLES,
        form_error=form_error,
        followers=followers,
        **context,
    )


# The console's forms name a few commands by shorter words (pages already open post them).
FORM_NAMES = {
    "prepare": "prepare_agenda",
    "add_entries": "add_agenda_entries",
    "add_item": "add_agenda_item",
    "attendance": "set_attendance",
    "everyone_present": "mark_present",
    "followers_present": "mark_present",
    "start": "start_meeting",
    "close": "close_meeting",
}


def _form_key(form):
    """Which of the console's forms was posted: its `op`, and the row it acts on when the
    page draws one form per role or per member."""
    op = form.get("op") or ""
    if op == "assign_role":
        return f"assign_role-{form.get('role', '')}"
    if op == "attendance":
        return f"attendance-{form.get('member_id', '')}"
    return op


def _console_forms(context):
    """The keys of the forms the console draws now (its own, not those of the live regions)."""
    status = context["meeting"].status
    # The scribe's summary (region "summary") is written live and until the minutes are
    # validated.
    summary = {"write_summary"} if context["meeting"].minutes_validated_at is None else set()
    if status == "closed":
        return summary
    keys = {"close", "everyone_present", "followers_present"}
    if context["budget_point"] is None:  # "Où en est-on ?" is offered until it is on the agenda
        keys.add("add_budget_point")
    if status == "live":
        keys |= summary
    keys |= {f"attendance-{m.id}" for m in context["members"]}
    if status == "preparing":
        keys |= {"prepare", "add_entries", "add_item", "start"}
        keys |= {f"assign_role-{role}" for role in DAY_ROLES}
    elif context["current"] is not None:
        keys |= {"record_decision", "add_action"}
    return keys


def _command_name(form):
    """The command a form post names in its hidden `op` field."""
    name = form.get("op")
    return FORM_NAMES.get(name, name)


@bp.route("/vendredi/<day>/ecran")
def screen(day):
    meeting = _meeting(day)
    actor = current_actor()
    if not permissions.is_member(actor):
        return current_app.login_manager.unauthorized()
    context = services.live_context(meeting, view="screen")
    return render_template("live/screen.html", view="screen", **context)


@bp.route("/vendredi/<day>/direct", methods=["GET", "POST"])
def phone(day):
    meeting = _meeting(day)
    actor = current_actor()
    if actor is None:
        closed = closed_guest_meeting()
        if closed is not None and closed.id == meeting.id:
            # A guest of this Friday reloading after the close: what was decided, not sign-in.
            if request.method == "POST":  # sent just as it closed: nothing is recorded
                flash(_("La réunion est close : rien n’a été enregistré."), "error")
                return redirect(url_for("live.phone", day=day)), 303
            context = services.live_context(meeting, view="phone")
            return render_template("live/closed.html", view="phone", **context)
        return current_app.login_manager.unauthorized()
    if not permissions.can_follow_live(actor, meeting):
        abort(403)
    if request.method == "POST":
        try:
            name = _command_name(request.form)
            commands.form_command(name)
            if meeting.id is None:  # a Friday nobody prepared: nothing to follow yet
                raise ServiceError(_("La réunion n’est pas en cours."), code="not_live")
            commands.run_form(name, request.form, meeting_id=meeting.id)
        except ServiceError as exc:
            flash(exc.message, "error")
        return redirect(url_for("live.phone", day=day)), 303
    context = services.live_context(meeting, viewer=actor, view="phone")
    return render_template("live/phone.html", view="phone", **context)


@bp.route("/rejoindre", methods=["GET", "POST"])
# Only refused codes (400) count: guests arriving together behind one Wi-Fi share an address;
# a guesser is stopped all the same.
@limiter.limit(
    lambda: current_app.config["JOIN_RATE_LIMIT"],
    methods=["POST"],
    deduct_when=lambda response: response.status_code == 400,
)
def join():
    error = None
    if request.method == "POST":
        try:
            row = services.join_as_guest(
                cleaning.form_text(request.form, "code"),
                cleaning.form_text(request.form, "first_name"),
            )
        except ServiceError as exc:
            error = exc.message
        else:
            remember_guest(row)
            meeting = row.meeting_id
            day = meetings.get_meeting(meeting).scheduled_for.isoformat()
            return redirect(url_for("live.phone", day=day))
    if current_user.is_authenticated and request.method == "GET":
        live = services.live_meeting()
        if live is not None:
            return redirect(url_for("live.phone", day=live.scheduled_for.isoformat()))
    return render_template("live/join.html", error=error, form=request.form), (
        400 if error else 200
    )
