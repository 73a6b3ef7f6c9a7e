"""The decisions register `/decisions/` and each decision's permalink `/decisions/<number>`."""

from babel.dates import get_month_names
from flask import Blueprint, abort, render_template, request
from flask_babel import get_locale
from flask_login import current_user, login_required

from .. import permissions
from ..i18n import _
from . import register, services

bp = Blueprint("decisions", __name__, url_prefix="/decisions")


def _members_only():
    # Decisions name who was present and who does what: members only (guests have no access).
    if not permissions.is_member(current_user):
        abort(403)


def _query_of(filters):
    """The kept filters as URL values, for the pagination links."""
    return {
        key: value.isoformat() if hasattr(value, "isoformat") else value
        for key, value in filters.items()
    }


@bp.route("/")
@login_required
def index():
    _members_only()
    filters, notices = register.clean_register_filters(request.args)
    raw_page = request.args.get("page", "1").strip() or "1"
    try:
        asked = int(raw_page)
    except ValueError:
        asked = 1
        notices.append(_("Page « %(value)s » ignorée : voici la première.", value=raw_page[:40]))
    page = register.register_page(filters, asked)
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
        people=register.register_people(),
        states=register.STATES,
        months=get_month_names("wide", locale=str(get_locale() or "fr")),
        query=_query_of(filters),
    )


@bp.route("/<int:number>")
@login_required
def show(number):
    _members_only()
    page = register.decision_by_number(number)
    decision = page.decisions[0]
    return render_template(
        "decisions/show.html",
        page=page,
        decision=decision,
        present=services.present_names(decision),
    )
