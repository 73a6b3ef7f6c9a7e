"""The Atom feeds `/decisions.atom` and `/comptes-rendus.atom`, and the forms of the profile
page that make or revoke a member's personal feed address.

Who reads them: anyone when the place publishes its decisions and minutes
(`permissions.can_read_archive`); otherwise a signed-in member's browser, or a feed reader with
the member's personal address (`?jeton=…`). A refusal is a 403 whose body is a short French
text (what a feed reader shows), never the feed; a bad token is refused whatever the setting.
"""

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask_login import current_user, login_required

from .. import commands, permissions, place
from ..errors import ServiceError
from ..i18n import _
from ..ops import security
from ..realtime import request_links
from . import atom, tokens

bp = Blueprint("feeds", __name__)


def _refusal(message):
    response = Response(str(message) + "\n", status=403, content_type="text/plain; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response


def _serve(build):
    token = request.args.get(tokens.TOKEN_PARAM)
    row = None
    if token is not None:
        try:
            row, _member = tokens.reader_for(token)
        except ServiceError as exc:
            security.refused("bad_token", "feed", code=exc.code)
            return _refusal(exc.message)
    elif not permissions.can_read_archive(current_user):
        security.refused("not_signed_in", "feed", code="archive_for_members")
        with request_links():
            sign_in = url_for("members.sign_in", _external=True)
        return _refusal(
            _(
                "Les décisions et comptes rendus du 97 sont réservés aux membres. Connectez-vous "
                "(%(url)s), ou abonnez-vous avec l’adresse de votre flux personnel, sur la page "
                "« Mon profil ».",
                url=sign_in,
            )
        )
    body = build(token=token)
    if row is not None:
        tokens.note_use(row)
    response = Response(body, content_type=atom.CONTENT_TYPE)
    # Readers poll: a conditional request is answered 304. What a session or a personal address
    # reads is stored by no cache at all.
    public = token is None and place.archive_is_public()
    response.headers["Cache-Control"] = "public, no-cache" if public else "no-store"
    response.vary.add("Cookie")
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/decisions.atom")
def decisions_atom():
    """The latest decisions of closed Fridays."""
    return _serve(atom.decisions_feed)


@bp.route("/comptes-rendus.atom")
def minutes_atom():
    """The latest validated minutes."""
    return _serve(atom.minutes_feed)


# -- the personal feed address (forms of the profile page) -------------------------------------


@bp.route("/profil/flux", methods=["POST"])
@login_required
def create_feed_token():
    result = commands.run_form("create_feed_token", request.form)
    # Shown once, on the page this redirects to (a reload does not make another one).
    tokens.remember_new_token(result["token"])
    flash(_("Votre flux personnel est prêt : copiez son adresse maintenant."), "success")
    return redirect(url_for("members.profile", _anchor="flux"))


@bp.route("/profil/flux/revoquer", methods=["POST"])
@login_required
def revoke_feed_token():
    result = commands.run_form("revoke_feed_token", request.form)
    if result["revoked"]:
        flash(_("Votre flux personnel est révoqué : son adresse ne marche plus."), "success")
    else:
        flash(_("Vous n’aviez pas de flux personnel actif."), "info")
    return redirect(url_for("members.profile", _anchor="flux"))
