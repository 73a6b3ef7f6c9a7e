"""The calendar's pages: `/agenda/` (month, week, list), an event's page, its forms."""

from datetime import datetime, timedelta

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from .. import cleaning, permissions
from ..commands import current_actor, run_form
from ..errors import ServiceError, field_errors
from ..labels import PLACE_LABELS
from ..meetings import dates
from ..models import PLACES
from ..proposals import services as proposals
from . import grid, read, services
from .validation import event_form_values, event_prefill

bp = Blueprint("calendar", __name__)

# The event form's fields in the order the page shows them (the error summary follows it).
FORM_FIELDS = services.EVENT_FIELD_NAMES
NEXT_DATES = 10


def optional_url(endpoint, **values):
    """A link to another feature's page, or None while that page does not exist."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _reader_is_member():
    return permissions.is_member(current_actor())


@bp.route("/agenda/")
def index():
    """The place's calendar: month grid (default), week or list, for this reader's audience."""
    view = request.args.get("vue", "mois")
    if view not in grid.VIEWS:
        view = "mois"
    today = dates.today_in_place()
    day = grid.parse_day(request.args.get("date"), today)
    span = grid.fill(grid.span_for(view, day), _reader_is_member())
    return render_template(
        "calendar/index.html",
        span=span,
        today=today,
        can_manage=permissions.can_manage_calendar(current_actor()),
        subscribe_url=optional_url("calendar_feeds.subscribe"),
    )


@bp.route("/agenda/<int:event_id>")
def show(event_id):
    actor = current_actor()
    event = services.get_event(actor, event_id)
    return render_template("calendar/show.html", **_show_context(actor, event))


def _show_context(actor, event, error=None):
    now = services.now_in_place()
    next_dates = []
    if event.rrule:
        next_dates = read.series_starts(event, now, now + timedelta(days=3 * 366))[:NEXT_DATES]
    decision = event.decision
    return {
        "event": event,
        "next_dates": next_dates,
        "skipped": [e.occurrence_start for e in event.exceptions],
        "duration": event.ends_at - event.starts_at,
        "proposal_visible": event.proposal is not None
        and permissions.can_view_proposal(actor, event.proposal),
        "decision_url": url_for("decisions.show", number=decision.number)
        if decision is not None and permissions.can_read_archive(actor)
        else None,
        "can_manage": permissions.can_manage_calendar(actor),
        "ics_url": optional_url("calendar_feeds.event_ics", event_id=event.id),
        "subscribe_url": optional_url("calendar_feeds.subscribe"),
        "error": error.message if error is not None else None,
        "past": event.ends_at <= now and not event.rrule,
    }


def _require_manager():
    if not permissions.can_manage_calendar(current_user):
        abort(403)


def _form_context(form, error=None, event=None, proposal=None):
    errors = field_errors(error) if error is not None else {}
    overlap = error is not None and error.code == "overlap"
    return {
        "form": form,
        "event": event,
        "proposal": proposal,
        "error": error.message if error is not None and not overlap else None,
        "overlap": error.message if overlap else None,
        "errors": errors,
        "error_list": [(name, errors[name]) for name in FORM_FIELDS if name in errors],
        "places": PLACES,
        "place_labels": PLACE_LABELS,
        "today": dates.today_in_place(),
    }


@bp.route("/agenda/nouveau", methods=["GET", "POST"])
@login_required
def new():
    """A facilitator adds an event (prefilled from an accepted proposal: `?proposition=N`)."""
    _require_manager()
    proposal = None
    proposal_id = request.values.get("proposal_id") or request.args.get("proposition")
    if proposal_id and str(proposal_id).isascii() and str(proposal_id).isdigit():
        number = cleaning.check_int("proposal_id", int(proposal_id))  # 400 past 32 bits
        proposal = proposals.get_proposal(current_user, number)
    if request.method == "GET":
        form = (
            event_prefill(proposal)
            if proposal is not None
            else {"place": "house", "visibility": "public"}
        )
        return render_template("calendar/form.html", **_form_context(form, proposal=proposal))
    try:
        result = run_form("create_event", request.form, proposal_id=getattr(proposal, "id", None))
    except ServiceError as exc:
        return render_template(
            "calendar/form.html", **_form_context(request.form, exc, proposal=proposal)
        ), exc.status
    return redirect(url_for("calendar.show", event_id=result["event_id"]))


@bp.route("/agenda/<int:event_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(event_id):
    _require_manager()
    event = services.get_event(current_user, event_id)
    if request.method == "GET":
        form = {**event_form_values(event), "revision": services.revision_of(event)}
        return render_template("calendar/form.html", **_form_context(form, event=event))
    try:
        run_form("edit_event", request.form, event_id=event.id)
    except ServiceError as exc:
        form = request.form
        if exc.code == "stale":  # shown the current version, their typing kept beside it
            form = {**request.form.to_dict(), "revision": request.form.get("revision", "")}
        return render_template(
            "calendar/form.html", **_form_context(form, exc, event=event)
        ), exc.status
    return redirect(url_for("calendar.show", event_id=event.id))


@bp.route("/agenda/<int:event_id>/annuler", methods=["GET", "POST"])
@login_required
def cancel(event_id):
    _require_manager()
    event = services.get_event(current_user, event_id)
    if request.method == "GET":
        return render_template("calendar/cancel.html", event=event, errors={}, error=None, form={})
    try:
        run_form("cancel_event", request.form, event_id=event.id)
    except ServiceError as exc:
        return render_template(
            "calendar/cancel.html",
            event=event,
            errors=field_errors(exc),
            error=exc.message,
            form=request.form,
        ), exc.status
    return redirect(url_for("calendar.show", event_id=event.id))


@bp.route("/agenda/<int:event_id>/sauter", methods=["POST"])
@login_required
def skip(event_id):
    """A facilitator skips one date of a series (from the event page's list of next dates)."""
    _require_manager()
    event = services.get_event(current_user, event_id)
    try:
        run_form("skip_occurrence", request.form, event_id=event.id)
    except ServiceError as exc:
        return render_template(
            "calendar/show.html", **_show_context(current_user, event, exc)
        ), exc.status
    return redirect(url_for("calendar.show", event_id=event.id))


@bp.app_template_filter("wall_iso")
def wall_iso(moment):
    """'2026-12-05T10:00' of a wall time (for `<time datetime>` and forms: no zone)."""
    return moment.strftime("%Y-%m-%dT%H:%M") if isinstance(moment, datetime) else moment.isoformat()


@bp.app_context_processor
def calendar_wording():
    """The calendar's ways of saying a place and a wall time, for its templates."""
    from . import wording

    return {
        "cal": wording,
    }
