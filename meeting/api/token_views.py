"""The page where a member makes and revokes their personal API tokens: `/profil/jetons`
(linked from the profile). A new token is shown once, on the page its form post leads to."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import commands
from ..errors import ServiceError, field_errors
from ..i18n import _
from . import tokens

bp = Blueprint("tokens", __name__)
PAGE = "/profil/jetons"


def _page(form=None, error=None, status=200):
    return (
        render_template(
            "api/tokens.html",
            tokens=tokens.active_tokens(current_user),
            new_token=tokens.take_new_token() if error is None else None,
            form=form or {},
            error=error.message if error is not None else None,
            errors=field_errors(error) if error is not None else {},
            max_label=tokens.MAX_LABEL,
        ),
        status,
    )


@bp.get(PAGE)
@login_required
def index():
    return _page()


@bp.post(PAGE)
@login_required
def create():
    try:
        made = commands.run_form("create_api_token", request.form)
    except ServiceError as exc:
        return _page(request.form, exc, exc.status)
    row = made["row"]
    # Shown once, on the page this redirects to (a reload does not make another one).
    tokens.remember_new_token(row, made["token"])
    flash(
        _("Votre jeton « %(label)s » est prêt : copiez-le maintenant.", label=row.label), "success"
    )
    return redirect(url_for(".index"))


@bp.post(PAGE + "/<int(max=2147483647):token_id>/revoquer")
@login_required
def revoke(token_id):
    # Another's, or none: the French 404.
    row = commands.run_form("revoke_api_token", request.form, token_id=token_id)["row"]
    flash(_("Le jeton « %(label)s » est révoqué : il ne marche plus.", label=row.label), "success")
    return redirect(url_for(".index"))
