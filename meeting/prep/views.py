"""Home and the shared document of a Friday (every action also works as a plain form post)."""

import secrets

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import commands, permissions
from ..errors import ServiceError, field_errors
from ..i18n import _
from ..labels import KIND_LABELS, MEETING_STATUS_LABELS
from ..live import services as live
from ..meetings import dates
from ..meetings import services as meetings
from ..members.services import has_members
from ..safe_redirect import safe_target
from ..traces.services import list_traces
from . import merge, presence, services

bp = Blueprint("prep", __name__)


@bp.app_template_global("entry_author")
def entry_author(entry):
    """Who wrote an entry, as pages show it: a proposal from the public form names the person
    who sent it ("hors coopérative"), not the place's own author of outside proposals."""
    proposal = getattr(entry, "proposal", None) if entry.kind == "proposal" else None
    if proposal is not None and proposal.outside_name:
        return _("%(name)s (hors coopérative)", name=proposal.outside_name)
    return entry.author.display_name


@bp.route("/")
def home():
    from ..catchup.services import missed_for  # the catchup feature's public read

    if not has_members():
        return redirect(url_for("members.first_run"))
    context = {"traces": [], "meeting": None, "live_meeting": None, "missed": None}
    day = meetings.coming_day()  # once today's Friday is closed, the one after it
    if permissions.can_read_document(current_user):
        meeting = meetings.for_day(day)
        context.update(
            meeting=meeting,
            live_meeting=live.live_meeting(),
            counts=services.counts_by_kind(meeting),
            needs=services.open_needs(),
            proposals=services.waiting_proposals(),
            traces=list_traces(limit=8),
            missed=missed_for(current_user),  # "ce que vous avez manqué": members only
        )
    start, end = dates.meeting_hours()
    return render_template("prep/home.html", day=day, start=start, end=end, **context)


def _meeting_for(day_text):
    """The Friday of the URL, read only (shown before its row exists)."""
    return meetings.for_day(dates.parse_meeting_date(day_text))


def _saved_meeting_for(day_text):
    """The Friday of the URL for a change: the first change creates its row."""
    return meetings.ensure_meeting(dates.parse_meeting_date(day_text))


def _render_document(meeting, status=200, **extra):
    grouped = services.document_entries(meeting)
    context = {
        "meeting": meeting,
        "grouped": grouped,
        "sections": services.SECTIONS,
        "kind_labels": KIND_LABELS,
        "status_labels": MEETING_STATUS_LABELS,
        "next_day": dates.next_meeting_after(meeting),
        "people": presence.snapshot(meeting.id),
        "carried": services.carried_over(meeting),
        "form": {},
        "op_id": secrets.token_hex(12),
    }
    context.update(extra)
    return render_template("prep/document.html", **context), status


@bp.route("/vendredi/<day>/")
@login_required
def document(day):
    if not permissions.can_read_document(current_user):
        abort(403)
    return _render_document(_meeting_for(day))


@bp.route("/vendredi/<day>/entrees", methods=["POST"])
@login_required
def add_entry(day):
    from ..life.weather import clean_weather

    form = request.form
    if form.get("kind") == "mood" and form.get("action") != "preview":
        try:
            clean_weather(form.get("weather"))  # refused before the Friday's row is made
        except ServiceError as exc:
            return _render_document(
                _meeting_for(day),
                exc.status,
                form=form,
                form_error=exc.message,
                errors=field_errors(exc),
                op_id=form.get("op_id") or secrets.token_hex(12),
            )
    meeting = _saved_meeting_for(day)
    if form.get("action") == "preview":
        try:
            html = services.preview(current_user, form.get("body"))
        except ServiceError as exc:
            return _render_document(meeting, 400, form=form, form_error=exc.message)
        return _render_document(meeting, form=form, preview_html=html, op_id=form.get("op_id"))
    try:
        ack = commands.run_form("add_entry", form, meeting_id=meeting.id)
    except ServiceError as exc:
        return _render_document(
            meeting,
            exc.status,
            form=form,
            form_error=exc.message,
            errors=field_errors(exc),
            op_id=form.get("op_id") or secrets.token_hex(12),
        )
    # Without JavaScript the anchor scrolls to the new entry, which :target highlights.
    return redirect(url_for("prep.document", day=day, _anchor=f"entree-{ack['entry_id']}"))


def _entry_of(meeting, entry_id):
    entry = services.get_entry(entry_id)
    if entry.meeting_id != meeting.id:
        abort(404)
    return entry


@bp.route("/vendredi/<day>/entrees/<int:entry_id>/modifier", methods=["GET", "POST"])
@login_required
def edit_entry(day, entry_id):
    meeting = _meeting_for(day)
    entry = _entry_of(meeting, entry_id)
    if not permissions.can_edit_entry(current_user, entry):
        abort(403)
    context = {"meeting": meeting, "entry": entry, "kind_labels": KIND_LABELS}
    if request.method == "GET":
        if not meeting.is_open:
            return _closed(meeting)
        return render_template(
            "prep/edit.html",
            form={"title": entry.title or "", "body": entry.body, "revision": entry.revision},
            **context,
        )
    form = request.form
    try:
        revision = int(form.get("revision", ""))
    except ValueError:
        revision = -1
    try:
        commands.run_form("edit_entry", form, entry_id=entry_id, revision=revision)
    except ServiceError as exc:
        if exc.code == "stale":
            current = exc.details["current"]
            # What differs, marked word by word (the reader's text against the saved one).
            body_diff, changes = merge.word_diff(form.get("body", ""), current["body"])
            title_diff, title_changes = merge.word_diff(
                form.get("title", ""), current["title"] or ""
            )
            return render_template(
                "prep/edit.html",
                form=form,
                conflict=current,
                body_diff=body_diff,
                title_diff=title_diff if title_changes else None,
                changes=changes + title_changes,
                error=exc.message,
                **context,
            ), 409
        return render_template(
            "prep/edit.html", form=form, error=exc.message, **context
        ), exc.status
    return redirect(url_for("prep.document", day=day, _anchor=f"entree-{entry_id}"))


def _closed(meeting):
    return render_template(
        "errors/error.html",
        status=409,
        message=_("Ce vendredi est clos : son document ne peut plus être modifié."),
    ), 409


@bp.route("/vendredi/<day>/entrees/<int:entry_id>/supprimer", methods=["POST"])
@login_required
def delete_entry(day, entry_id):
    meeting = _meeting_for(day)
    _entry_of(meeting, entry_id)
    commands.run_form("delete_entry", request.form, entry_id=entry_id)
    return redirect(url_for("prep.document", day=day))


@bp.route("/vendredi/<day>/entrees/<int:entry_id>/historique")
@login_required
def entry_history(day, entry_id):
    meeting = _meeting_for(day)
    _entry_of(meeting, entry_id)
    entry, revisions = services.entry_history(current_user, entry_id)
    return render_template(
        "prep/history.html",
        meeting=meeting,
        entry=entry,
        revisions=revisions,
        kind_labels=KIND_LABELS,
    )


# The need form's buttons, each the command it posts.
NEED_COMMANDS = {
    "claim": "claim_need",
    "release": "release_need",
    "met": "resolve_need",
    "dropped": "resolve_need",
}


@bp.route("/vendredi/<day>/entrees/<int:entry_id>/besoin", methods=["POST"])
@login_required
def need_action(day, entry_id):
    meeting = _meeting_for(day)
    _entry_of(meeting, entry_id)
    action = request.form.get("action")
    name = NEED_COMMANDS.get(action)
    if name is None:
        abort(400)
    outcome = action if name == "resolve_need" else None
    try:
        commands.run_form(name, request.form, entry_id=entry_id, outcome=outcome)
    except ServiceError as exc:
        if not field_errors(exc):
            raise
        # A refused field (a met need's value): beside it, what was typed kept, nothing moved.
        return _render_document(
            meeting,
            exc.status,
            need_form={
                "entry_id": entry_id,
                "errors": field_errors(exc),
                "values": {"value": request.form.get("value", "")},
            },
        )
    return redirect(
        safe_target("/")  # home, under the sub-path prefix
        if request.form.get("next") == "/"
        else url_for("prep.document", day=day, _anchor=f"entree-{entry_id}")
    )


@bp.route("/vendredi/<day>/commencer", methods=["POST"])
@login_required
def start_meeting(day):
    meeting = _saved_meeting_for(day)
    commands.run_form("start_meeting", request.form, meeting_id=meeting.id)
    return redirect(url_for("live.console", day=day))  # who starts it runs it


@bp.route("/vendredi/<day>/clore", methods=["POST"])
@login_required
def close_meeting(day):
    meeting = _saved_meeting_for(day)
    commands.run_form("close_meeting", request.form, meeting_id=meeting.id)
    return redirect(url_for("prep.document", day=day))
