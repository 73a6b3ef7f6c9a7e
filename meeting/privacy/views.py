"""The privacy page (`/confidentialite`, public), the download of a member's data behind its
signed link, and the pages that confirm an erasure (the member's own, an admin's)."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, logout_user
from sqlalchemy import select

from .. import commands, permissions
from ..errors import ServiceError
from ..extensions import db
from ..i18n import _
from ..members import sessions
from ..models import Member
from ..ops import security
from . import erasure, export
from . import events as _events  # noqa: F401  (declares the commands these pages post)

bp = Blueprint("privacy", __name__)


def _admins():
    """The active admins' names, for members to know whom to ask (never shown to visitors)."""
    return db.session.scalars(
        select(Member.display_name)
        .where(Member.role == "admin", Member.deactivated_at.is_(None), Member.is_system.is_(False))
        .order_by(Member.display_name)
    ).all()


@bp.route("/confidentialite")
def policy():
    """What Vendredi keeps, why, for how long, who sees it, and the rights over it."""
    config = current_app.config
    return render_template(
        "privacy/policy.html",
        session_days=config["PERMANENT_SESSION_LIFETIME"].days,
        magic_link_minutes=config["MAGIC_LINK_MINUTES"],
        invitation_days=config["INVITATION_DAYS"],
        backup_keep=config["BACKUP_KEEP"],
        export_minutes=export.link_minutes(),
        admins=_admins() if permissions.is_member(current_user) else None,
    )


@bp.route("/profil/donnees", methods=["POST"])
@login_required
def request_export():
    """« Télécharger mes données »: off to the signed link, which the browser downloads."""
    result = commands.run_form("request_data_export", request.form)
    return redirect(result["url"], code=303)


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/profil/donnees/<token>")
def download(token):
    """The zip of the member's data, if this link is theirs, on this browser, and still valid."""
    try:
        member = export.check_link(token, current_user, sessions.current_sid())
    except ServiceError as exc:
        security.refused_error(exc, security.http_door())
        page = render_template("privacy/link_refused.html", message=exc.message)
        return _no_store(Response(page, status=exc.status))
    response = Response(export.archive(member), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{export.file_name(member)}"'
    return _no_store(response)


def _signed_out_after_erasure():
    """This browser forgets the erased member (their sessions already ended on the server)."""
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(
        _(
            "Votre compte est effacé. Vos billets et vos données personnelles ont été supprimés ; "
            "dans les archives du lieu, vous apparaissez désormais sous un pseudonyme."
        ),
        "success",
    )
    response = redirect(url_for("privacy.policy"))
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/profil/effacer", methods=["GET", "POST"])
@login_required
def erase_account():
    """The member erases their own account, once they typed the word."""
    error, status = None, 200
    if request.method == "POST":
        try:
            commands.run_form("erase_my_account", request.form)
        except ServiceError as exc:
            error, status = exc.message, exc.status
        else:
            return _signed_out_after_erasure()
    return render_template(
        "privacy/erase.html",
        member=current_user,
        own=True,
        error=error,
        word=erasure.CONFIRMATION_WORD,
        action=url_for("privacy.erase_account"),
    ), status


@bp.route("/admin/membres/<int:member_id>/effacer", methods=["GET", "POST"])
@login_required
def erase_member(member_id):
    """An admin erases another member's account, once they typed the word."""
    if not permissions.can_manage_members(current_user):
        abort(403)
    if member_id == current_user.id:
        return redirect(url_for("privacy.erase_account"))
    error, status, member = None, 200, None
    try:
        member = erasure.erasable(current_user, member_id)
    except ServiceError as exc:
        if exc.status == 404:
            abort(404)
        error, status = exc.message, exc.status
    if member is not None and request.method == "POST":
        try:
            result = commands.run_form("erase_member", request.form, member_id=member_id)
        except ServiceError as exc:
            error, status = exc.message, exc.status
        else:
            flash(
                _(
                    "Le compte est effacé : il apparaît désormais sous le nom « %(name)s ».",
                    name=result["pseudonym"],
                ),
                "success",
            )
            return redirect(url_for("members.admin", _anchor=f"membre-{member_id}"))
    return render_template(
        "privacy/erase.html",
        member=member,
        own=False,
        error=error,
        word=erasure.CONFIRMATION_WORD,
        action=url_for("privacy.erase_member", member_id=member_id),
    ), status
