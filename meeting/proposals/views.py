"""Proposing an event from a Friday's document, and following one's proposals."""

import secrets

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import permissions
from ..errors import ServiceError, field_errors
from ..labels import PLACE_LABELS, PROPOSAL_STATUS_LABELS
from ..meetings import dates
from ..meetings import services as meetings
from ..models import PLACES
from . import services

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
    wished = [(form.get(f"date_{i}"), form.get(f"time_{i}")) for i in range(1, 4)]
    try:
        proposal = services.propose_event(
            current_user,
            meeting.id,
            form.get("title"),
            form.get("description"),
            wished,
            form.get("duration_minutes"),
            form.get("place"),
            form.get("place_detail"),
            form.get("expected_attendance"),
            form.get("material_needs"),
            op_id=form.get("op_id") or None,
        )
    except ServiceError as exc:
        return render_template(
            "proposals/form.html", **_form_context(meeting, form, exc)
        ), exc.status
    return redirect(url_for("prep.document", day=day, _anchor=f"entree-{proposal.entry_id}"))


@bp.route("/propositions/")
@login_required
def mine():
    return render_template(
        "proposals/mine.html",
        proposals=services.my_proposals(current_user),
        status_labels=PROPOSAL_STATUS_LABELS,
        place_labels=PLACE_LABELS,
    )


@bp.route("/propositions/<int:proposal_id>")
@login_required
def show(proposal_id):
    proposal = services.get_proposal(current_user, proposal_id)
    return render_template(
        "proposals/show.html",
        proposal=proposal,
        status_labels=PROPOSAL_STATUS_LABELS,
        place_labels=PLACE_LABELS,
        can_withdraw=permissions.can_withdraw_proposal(current_user, proposal)
        and "withdrawn" in services.ALLOWED_TRANSITIONS[proposal.status],
    )


@bp.route("/propositions/<int:proposal_id>/retirer", methods=["POST"])
@login_required
def withdraw(proposal_id):
    services.withdraw_proposal(current_user, proposal_id, request.form.get("reason"))
    return redirect(url_for("proposals.show", proposal_id=proposal_id))
