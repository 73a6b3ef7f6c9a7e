"""Pages of "ce que vous avez manqué": the section itself is on home (`prep.home` reads
`services.missed_for`); this blueprint takes its "Marquer comme lu" form post."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import login_required

from .. import commands
from ..errors import ServiceError
from ..i18n import _
from . import wording

bp = Blueprint("catchup", __name__)


@bp.app_template_global()
def catchup_since(missed):
    """Since when the section counts (template global, for `catchup/_missed.html`)."""
    return wording.since_sentence(missed)


@bp.app_template_global()
def catchup_days(missed):
    """'Vous avez manqué 3 vendredis : 13, 20 et 27 novembre.' (template global)."""
    return wording.missed_days_sentence(missed, missed.today)


@bp.route("/ce-que-vous-avez-manque/lu", methods=["POST"])
@login_required
def mark_read():
    try:
        commands.run_form("mark_caught_up", request.form)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("prep.home", _anchor="manque"), code=303)
    flash(
        _(
            "C’est noté : ce que vous avez manqué est marqué comme lu. Ce qui arrivera "
            "ensuite s’affichera ici."
        ),
        "success",
    )
    return redirect(url_for("prep.home"), code=303)
