"""Pages of the minutes feature: `/vendredi/<day>/compte-rendu` (the minutes of a closed
Friday, and its scribe's forms: the summary until validation, "Valider le compte rendu") and
`/vendredi/<day>/compte-rendu.md` (the same as a Markdown file)."""

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from .. import commands, permissions
from ..commands import current_actor
from ..errors import ServiceError, field_errors
from ..i18n import _
from ..meetings import services as meetings
from . import services
from .markdown import filename, minutes_markdown
from .summary import MAX_SUMMARY

bp = Blueprint("minutes", __name__)
bp.add_app_template_global(MAX_SUMMARY, "summary_max_length")
bp.add_app_template_global(services.outcome_label, "minutes_outcome")

# The forms of the minutes page, by their hidden `op` field.
PAGE_COMMANDS = ("write_summary", "validate_minutes")
DONE = {
    "write_summary": lambda: _("Résumé enregistré."),
    "validate_minutes": lambda: _(
        "Compte rendu validé : il part par e-mail aux membres qui ont une adresse."
    ),
}


def _read(day):
    """The minutes for the reader, or the page that says why not (sign-in, live Friday)."""
    try:
        return services.minutes_for(current_user, day), None
    except services.SignInRequired:
        return None, current_app.login_manager.unauthorized()
    except services.MinutesPending as pending:
        page = render_template(
            "minutes/pending.html", message=pending.message, day=day, member=_is_member()
        )
        return None, (page, pending.status)


def _is_member():
    return permissions.is_member(current_user)


@bp.route("/vendredi/<day>/compte-rendu", methods=["GET", "POST"])
def show(day):
    if request.method == "POST":
        return _post(day)
    minutes, refused = _read(day)
    if refused is not None:
        return refused
    return _render(minutes)


def _render(minutes, form=None, status=200):
    meeting = minutes.meeting
    member = current_user if _is_member() else None
    return (
        render_template(
            "minutes/show.html",
            m=minutes,
            form=form or {},
            may_write=member is not None
            and not minutes.validated
            and permissions.can_write_summary(member, meeting),
            may_validate=member is not None
            and not minutes.validated
            and permissions.can_validate_minutes(member, meeting),
        ),
        status,
    )


def _post(day):
    """A form of the minutes page: the summary, or the validation. Done: back to the page.
    Refused: the page again with the message beside the form and the typed text, or (a Friday
    whose minutes are not shown yet) the message on the page it leads to."""
    if not permissions.is_member(current_actor()):
        return current_app.login_manager.unauthorized()
    name = request.form.get("op")
    try:
        if name not in PAGE_COMMANDS:
            commands.form_command(name)  # says "Action inconnue." in French
            raise ServiceError(_("Cette action ne se fait pas sur cette page."), code="wrong_page")
        meeting = meetings.find_meeting(services.parse_day(day))
        if meeting is None:
            services.held_meeting(services.parse_day(day))  # the French "n'a pas eu lieu"
        commands.run_form(name, request.form, meeting_id=meeting.id)
    except ServiceError as exc:
        minutes = None
        if exc.code not in ("not_found", "no_minutes", "not_meeting_day"):
            try:
                minutes = services.minutes_for(current_user, day)
            except ServiceError:
                minutes = None
        if minutes is None:
            flash(exc.message, "error")
            return redirect(url_for("minutes.show", day=day)), 303
        form = {
            "op": name,
            "message": exc.message,
            "fields": field_errors(exc),
            "summary": request.form.get("summary"),
        }
        return _render(minutes, form, exc.status)
    flash(DONE[name](), "success")
    return redirect(url_for("minutes.show", day=day)), 303


@bp.route("/vendredi/<day>/compte-rendu.md")
def markdown(day):
    minutes, refused = _read(day)
    if refused is not None:
        return refused
    response = Response(minutes_markdown(minutes), content_type="text/markdown; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename(minutes)}"'
    return response
