"""Proposing an event (from a Friday's document, or from outside with the public form) and
following one's proposals (their page, or the private status link)."""

import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from .. import cleaning, commands, permissions
from ..errors import ServiceError, field_errors
from ..extensions import db, limiter
from ..labels import PLACE_LABELS, PROPOSAL_STATUS_LABELS
from ..meetings import dates
from ..meetings import services as meetings
from ..models import PLACES
from . import outside, proposer, services, timeline

bp = Blueprint("proposals", __name__)


# The proposal form's fields in the order the page shows them (the error summary follows it).
FORM_FIELDS = (
    "title",
    "description",
    "date_1",
    "time_1",
    "date_2",
    "time_2",
    "date_3",
    "time_3",
    "duration_minutes",
    "place",
    "place_detail",
    "expected_attendance",
    "material_needs",
)


def _form_context(meeting, form, error=None):
    errors = field_errors(error) if error is not None else {}
    return {
        "meeting": meeting,
        "form": form,
        "error": error.message if error is not None else None,
        "errors": errors,
        "error_list": [(name, errors[name]) for name in FORM_FIELDS if name in errors],
        "places": PLACES,
        "place_labels": PLACE_LABELS,
        "op_id": form.get("op_id") or secrets.token_hex(12),
        "today": dates.today_in_place(),
    }


@bp.route("/vendredi/<day>/proposer", methods=["GET", "POST"])
@login_required
def propose(day):
    meeting = meetings.for_day(dates.parse_meeting_date(day))
    if not permissions.can_propose_event(current_user):
        abort(403)
    if request.method == "GET":
        return render_template("proposals/form.html", **_form_context(meeting, {}))
    meeting = meetings.ensure_meeting(meeting.scheduled_for)  # the first change makes it
    form = request.form
    try:
        made = commands.run_form("propose_event", form, meeting_id=meeting.id)
    except ServiceError as exc:
        return render_template(
            "proposals/form.html", **_form_context(meeting, form, exc)
        ), exc.status
    return redirect(url_for("prep.document", day=day, _anchor=f"entree-{made['entry_id']}"))


@bp.route("/propositions/")
@login_required
def mine():
    proposals = services.my_proposals(current_user)
    return render_template(
        "proposals/mine.html",
        proposals=proposals,
        events={p.id: timeline.current_event(p, True) for p in proposals},
        status_labels=PROPOSAL_STATUS_LABELS,
        place_labels=PLACE_LABELS,
        member_id=current_user.id,
    )


@bp.route("/propositions/<int:proposal_id>")
@login_required
def show(proposal_id):
    proposal = services.get_proposal(current_user, proposal_id)
    context = _follow_context(proposal, True)
    mine = permissions.can_withdraw_proposal(current_user, proposal)
    context.update(
        can_withdraw=mine and context["can_withdraw"],
        can_resubmit=mine and context["can_resubmit"],
        is_mine=mine,
    )
    return render_template("proposals/show.html", **context)


@bp.route("/propositions/<int:proposal_id>/retirer", methods=["POST"])
@login_required
def withdraw(proposal_id):
    commands.run_form("withdraw_proposal", request.form, proposal_id=proposal_id)
    return redirect(url_for("proposals.show", proposal_id=proposal_id))


# -- members: their proposal's actions (besides withdrawing) -----------------------------------

PROPOSAL_FIELDS = FORM_FIELDS
OUTSIDE_FIELDS = ("name", "email", *FORM_FIELDS)


def _values(form, names=OUTSIDE_FIELDS):
    """The posted fields, cleaned at the edge as the command registry's (`meeting.cleaning`)."""
    return cleaning.clean_values({name: form.get(name) for name in names})


def _error_context(error, order):
    errors = field_errors(error) if error is not None else {}
    return {
        "error": error.message if error is not None else None,
        "errors": errors,
        "error_list": [(name, errors[name]) for name in order if name in errors],
        "places": PLACES,
        "place_labels": PLACE_LABELS,
        "today": dates.today_in_place(),
    }


def _proposal_form(proposal):
    """A proposal's current fields as the form shows them (to edit it and send it again)."""
    form = {
        "title": proposal.title or "",
        "description": proposal.description or "",
        "duration_minutes": str(proposal.duration_minutes),
        "place": proposal.place,
        "place_detail": proposal.place_detail or "",
        "expected_attendance": str(proposal.expected_attendance or ""),
        "material_needs": proposal.material_needs or "",
    }
    for n, wish in enumerate(proposal.wished_dates or [], start=1):
        form[f"date_{n}"] = wish.get("date") or ""
        form[f"time_{n}"] = wish.get("time") or ""
    return form


def _follow_context(proposal, member_reader, form=None, error=None):
    return {
        "proposal": proposal,
        "steps": timeline.steps(proposal, member_reader),
        "event": timeline.current_event(proposal, member_reader),
        "status_labels": PROPOSAL_STATUS_LABELS,
        "can_withdraw": proposer.can_withdraw(proposal),
        "can_resubmit": proposer.can_resubmit(proposal),
        "form": form if form is not None else _proposal_form(proposal),
        **_error_context(error, PROPOSAL_FIELDS),
    }


@bp.route("/propositions/<int:proposal_id>/renvoyer", methods=["POST"])
@login_required
def resubmit(proposal_id):
    proposal = proposer.own_proposal(current_user, proposal_id)
    try:
        proposer.resubmit(current_user, proposal, _values(request.form, PROPOSAL_FIELDS))
    except ServiceError as exc:
        db.session.rollback()
        proposal = services.get_proposal(current_user, proposal_id)
        context = _follow_context(proposal, True, request.form, exc)
        context["is_mine"] = True
        return render_template("proposals/show.html", **context), exc.status
    return redirect(url_for("proposals.show", proposal_id=proposal_id))


@bp.route("/propositions/<int:proposal_id>/courriels", methods=["POST"])
@login_required
def emails(proposal_id):
    proposal = proposer.own_proposal(current_user, proposal_id)
    proposer.set_emails(current_user, proposal, request.form.get("receive") == "1")
    return redirect(url_for("proposals.show", proposal_id=proposal_id, _anchor="courriels"))


# -- without an account: the public form and the private status link ----------------------------


def _private(response):
    """A page reached by a secret link: never cached, never indexed."""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.route("/proposer", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PUBLIC_PROPOSAL_RATE_LIMIT"], methods=["POST"])
def propose_outside():
    meeting = meetings.coming_meeting()
    if request.method == "GET":
        return render_template(
            "proposals/outside_form.html", meeting=meeting, form={}, **_error_context(None, ())
        )
    form = request.form
    try:
        proposal, token = outside.propose_from_outside(_values(form), form.get("site_web"))
    except ServiceError as exc:
        db.session.rollback()
        context = _error_context(exc, OUTSIDE_FIELDS)
        return render_template(
            "proposals/outside_form.html", meeting=meeting, form=form, **context
        ), exc.status
    page = render_template(
        "proposals/thanks.html",
        proposal=proposal,
        status_link=url_for("proposals.track", token=token, _external=True),
    )
    return _private(page)


def _track_page(token, form=None, error=None, status=200):
    proposal, _actor = proposer.by_token(token)
    context = _follow_context(proposal, False, form, error)
    page = render_template("proposals/track.html", token=token, **context)
    return _private((page, status))


@bp.route("/propositions/suivi/<token>")
def track(token):
    return _track_page(token)


@bp.route("/propositions/suivi/<token>/retirer", methods=["POST"])
def track_withdraw(token):
    proposal, actor = proposer.by_token(token)
    try:
        proposer.withdraw(actor, proposal, cleaning.form_text(request.form, "reason"))
    except ServiceError as exc:
        db.session.rollback()
        return _track_page(token, error=exc, status=exc.status)
    return redirect(url_for("proposals.track", token=token))


@bp.route("/propositions/suivi/<token>/renvoyer", methods=["POST"])
def track_resubmit(token):
    proposal, actor = proposer.by_token(token)
    try:
        proposer.resubmit(actor, proposal, _values(request.form, PROPOSAL_FIELDS))
    except ServiceError as exc:
        db.session.rollback()
        return _track_page(token, request.form, exc, exc.status)
    return redirect(url_for("proposals.track", token=token))


@bp.route("/propositions/suivi/<token>/courriels", methods=["POST"])
def track_emails(token):
    proposal, actor = proposer.by_token(token)
    proposer.set_emails(actor, proposal, request.form.get("receive") == "1")
    return redirect(url_for("proposals.track", token=token, _anchor="courriels"))
