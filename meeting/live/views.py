"""The live meeting's pages: console (`animation`), projector (`ecran`), phones (`direct`),
and `/rejoindre` for guests. Every console action also works as a plain form post."""

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
    url_for,
)
from flask_login import current_user

from .. import permissions
from ..decisions import services as decisions
from ..extensions import limiter
from ..i18n import _
from ..realtime import current_actor
from ..models import DAY_ROLES
from ..errors import ServiceError
from ..prep import services as prep
from . import services
from .guests import remember_guest
from ..meetings import dates
from ..meetings import services as meetings

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
            meeting = meetings.ensure_meeting(meeting.scheduled_for)  # the first change makes it
            _console_action(actor, meeting, request.form)
        except ServiceError as exc:
            flash(exc.message, "error")
            return redirect(url_for("live.console", day=day)), 303
        return redirect(url_for("live.console", day=day)), 303
    context = services.live_context(meeting, viewer=actor, view="console")
    return render_template(
        "live/console.html", view="console", candidates=services.candidates(meeting.id),
        suggestions=services.rotation_suggestions(meeting.id),
        day_roles=DAY_ROLES, **context,
    )


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ServiceError(_("Formulaire incomplet.")) from None


def _console_action(actor, meeting, form):
    """Run the console form's `op` through the same services as the socket commands."""
    op = form.get("op")
    mid = meeting.id
    if op == "prepare":
        services.prepare_agenda(actor, mid)
    elif op == "add_entries":
        services.add_entries(actor, mid, [_int(v) for v in form.getlist("entry_id")])
    elif op == "add_item":
        services.add_item(actor, mid, form.get("title"), form.get("timebox_minutes") or 10)
    elif op == "assign_role":
        services.assign_role(actor, mid, form.get("role"), _int(form.get("member_id")))
    elif op == "attendance":
        services.set_attendance(actor, mid, _int(form.get("member_id")),
                                form.get("status") or None)
    elif op == "start":
        services.start_live(actor, mid)
    elif op == "advance_item":
        services.advance(actor, mid, _int(form.get("live_revision")),
                         form.get("direction", "next"))
    elif op == "control_timer":
        services.control_timer(actor, mid, form.get("action"))
    elif op == "postpone_item":
        services.postpone(actor, mid, _int(form.get("item_id")))
    elif op == "move_item":
        services.move_item(actor, _int(form.get("item_id")), form.get("direction"),
                           _int(form.get("agenda_revision")))
    elif op == "set_timebox":
        services.set_timebox(actor, _int(form.get("item_id")), form.get("minutes"))
    elif op == "remove_item":
        services.remove_item(actor, _int(form.get("item_id")))
    elif op == "give_floor":
        services.give_floor(actor, mid, _int(form.get("hand_id")))
    elif op == "open_round":
        options = [o for o in (form.get("options") or "").splitlines() if o.strip()]
        services.start_round(actor, mid, form.get("kind"), form.get("question"), options)
    elif op == "close_round":
        services.close_round(actor, _int(form.get("round_id")))
    elif op == "record_decision":
        decisions.record_decision(actor, mid, form.get("statement"), form.get("mode"),
                                  form.get("objections"), form.get("objections_lifted"),
                                  form.get("review_on"))
    elif op == "add_action":
        decisions.add_action(actor, mid, form.get("label"), form.get("owner_id"),
                             form.get("due_on"))
    elif op == "close":
        services.close_live(actor, mid)
    else:
        raise ServiceError(_("Action inconnue."))


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
        return current_app.login_manager.unauthorized()
    if not permissions.can_follow_live(actor, meeting):
        abort(403)
    if request.method == "POST":
        try:
            _phone_action(actor, meeting, request.form)
        except ServiceError as exc:
            flash(exc.message, "error")
        return redirect(url_for("live.phone", day=day)), 303
    context = services.live_context(meeting, viewer=actor, view="phone")
    return render_template("live/phone.html", view="phone", **context)


def _phone_action(actor, meeting, form):
    op = form.get("op")
    if op == "raise_hand":
        services.raise_hand(actor, meeting.id)
    elif op == "lower_hand":
        services.lower_hand(actor, meeting.id)
    elif op == "answer_round":
        services.answer_round(actor, _int(form.get("round_id")), form.get("answer"),
                              form.get("reason"))
    elif op == "add_entry" and permissions.is_member(actor):
        prep.add_entry(actor, meeting.id, form.get("kind"), form.get("title"), form.get("body"),
                       op_id=form.get("op_id") or None)
    else:
        raise ServiceError(_("Action inconnue."))


@bp.route("/rejoindre", methods=["GET", "POST"])
# Only refused codes (400) count: guests arriving together behind one Wi-Fi share an address;
# a guesser is stopped all the same.
@limiter.limit(lambda: current_app.config["JOIN_RATE_LIMIT"], methods=["POST"],
               deduct_when=lambda response: response.status_code == 400)
def join():
    error = None
    if request.method == "POST":
        try:
            row = services.join_as_guest(request.form.get("code"), request.form.get("first_name"))
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
        400 if error else 200)
