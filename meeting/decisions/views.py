"""The decisions register `/decisions/`, each decision's permalink `/decisions/<number>`, and
the facilitators' "Corriger par une nouvelle décision" on a closed Friday's decision.

Who reads: `permissions.can_read_archive` (members; anyone when the place publishes its
decisions). A reader who is not a member reads no one's name: counts instead of who was
present, actions without their owner, no filter by person."""

import re
from datetime import date

from babel.dates import get_month_names
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
from flask_babel import get_locale
from markupsafe import Markup, escape

from .. import commands, permissions
from ..commands import current_actor
from ..errors import ServiceError
from ..i18n import _, long_date
from . import corrections, proposal_step, register, services

bp = Blueprint("decisions", __name__, url_prefix="/decisions")


def _refused(actor):
    """None when `actor` may read the archive; else sign in when anonymous, 403 for the others
    (a guest of a live Friday while decisions are for members only)."""
    if permissions.can_read_archive(actor):
        return None
    if actor is None:
        return current_app.login_manager.unauthorized()
    abort(403)


def _query_of(filters):
    """The kept filters as URL values, for the pagination links."""
    return {
        key: value.isoformat() if hasattr(value, "isoformat") else value
        for key, value in filters.items()
    }


@bp.route("/")
def index():
    actor = current_actor()
    if (refused := _refused(actor)) is not None:
        return refused
    people = permissions.is_member(actor)
    filters, notices = register.clean_register_filters(request.args, people=people)
    raw_page = request.args.get("page", "1").strip() or "1"
    try:
        asked = int(raw_page)
    except ValueError:
        asked = 1
        notices.append(_("Page « %(value)s » ignorée : voici la première.", value=raw_page[:40]))
    page = register.register_page(filters, asked, people=people)
    if asked != page.page and raw_page.lstrip("-").isdigit():
        notices.append(
            _(
                "La page %(asked)s n’existe pas : voici la page %(page)s.",
                asked=asked,
                page=page.page,
            )
        )
    return render_template(
        "decisions/index.html",
        page=page,
        filters=filters,
        notices=notices,
        people=register.register_people() if people else [],
        states=register.STATES,
        months=get_month_names("wide", locale=str(get_locale() or "fr")),
        query=_query_of(filters),
    )


@bp.route("/<int:number>")
def show(number):
    actor = current_actor()
    if (refused := _refused(actor)) is not None:
        return refused
    people = permissions.is_member(actor)
    page = register.decision_by_number(number, people=people)
    decision = page.decisions[0]
    present, guests = services.attendance_counts(decision)
    return render_template(
        "decisions/show.html",
        page=page,
        decision=decision,
        present=services.present_names(decision) if people else [],
        present_count=present,
        guest_count=guests,
        can_correct=(
            permissions.can_correct_decision(actor)
            and decision.meeting.status == "closed"
            and decision.id not in page.superseded_by
        ),
        open_point=corrections.open_point(decision) if people else None,
    )


@bp.route("/<int:number>/corriger", methods=["POST"])
def correct(number):
    """A facilitator puts "Corriger la décision n° N" on the coming Friday's agenda."""
    actor = current_actor()
    if actor is None:
        return current_app.login_manager.unauthorized()
    if not permissions.can_correct_decision(actor):
        abort(403)
    decision = register.decision_by_number(number).decisions[0]  # the French 404
    try:
        result = commands.run_form("propose_correction", request.form, decision_id=decision.id)
    except ServiceError as exc:
        if exc.status in (401, 403, 404):
            raise
        flash(exc.message, "error")
    else:
        flash(
            _(
                "« Corriger la décision n° %(n)s » est à l’ordre du jour du %(date)s.",
                n=number,
                date=long_date(date.fromisoformat(result["day"])),
            ),
            "success",
        )
    return redirect(url_for("decisions.show", number=number)), 303


_DECISION_NUMBER = re.compile(
    r"(décision n°[\s\u00a0\u202f]?|decision no\.\s?)(\d+)", re.IGNORECASE
)


@bp.app_template_filter("decision_links")
def decision_links(text):
    """A refusal's text with each "décision n° N" a link to that decision's page (the
    message of "déjà remplacée par la décision n° X", beside the console's field)."""
    escaped = str(escape(text))
    return Markup(
        _DECISION_NUMBER.sub(
            lambda m: (
                f'<a href="{url_for("decisions.show", number=int(m.group(2)))}">'
                f"{m.group(1)}{m.group(2)}</a>"
            ),
            escaped,
        )
    )


@bp.app_template_global("supersede_prefill")
def supersede_prefill(item):
    """For the console's decision form: the decision number its point corrects or reviews."""
    return corrections.supersede_prefill(item) if item is not None else None


@bp.app_template_global("proposal_event_prefill")
def proposal_event_prefill(item):
    """For the console's decision form: the event of the proposal the point comes from, as the
    form's `event_…` values (the proposal's first wished date, its duration and place)."""
    return proposal_step.prefill(item) if item is not None else {}
