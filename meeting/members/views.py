"""Sign-in, sign-out, first run, invitations, profile and the admin page of members."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from .. import cleaning, commands, limits, permissions, place
from ..calendar import subscriptions as calendar_subscriptions
from ..errors import ServiceError, field_errors
from ..extensions import limiter
from ..feeds import tokens as feed_tokens
from ..i18n import _, ngettext
from ..mail import mail_enabled
from ..models import ROLES
from ..ops import security
from ..safe_redirect import app_path, safe_target
from . import services, sessions

bp = Blueprint("members", __name__)


def _start_session(member, remember):
    """Sign in with a fresh session (new id, so a planted cookie is worth nothing) and its row
    on the server (so that signing out ends it for good, copies of the cookie included)."""
    sid = sessions.start(member, remember, sessions.request_user_agent())
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session[sessions.SESSION_KEY] = sid
    session.permanent = bool(remember)
    login_user(member, remember=False)


def _admin_required():
    if not permissions.can_manage_members(current_user):
        abort(403)


def _refused(response):
    """Only sign-ins that fail count against the address: the members at Friday's table sign
    in together behind the house's one address (a guesser is stopped all the same)."""
    return response.status_code != 302


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["SIGNIN_RATE_LIMIT"], methods=["POST"], deduct_when=_refused
)
def sign_in():
    if not services.has_members():
        return redirect(url_for("members.first_run"))
    # `next` is a path inside the app; the form carries it on, the redirect adds the prefix.
    next_path = app_path(request.values.get("next"))
    next_url = safe_target(next_path)
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url)
    error, status, headers = None, 200, {}
    if request.method == "POST":
        email = request.form.get("email")
        # Too many wrong passwords for this account (from anywhere): no password is checked
        # until the oldest leaves the window; the e-mail link still signs its owner in.
        wait = limits.sign_in_wait(email)
        if wait:
            error = limits.sign_in_locked_message(wait, mail_enabled())
            status, headers = 429, {"Retry-After": str(wait)}
        else:
            try:
                member = services.authenticate(email, request.form.get("password"))
            except ServiceError as exc:
                if exc.code == "bad_credentials":
                    limits.sign_in_failed(email)
                error, status = exc.message, 400
            else:
                _start_session(member, request.form.get("remember") == "on")
                services.note_sign_in(member)
                flash(_("Bonjour %(name)s !", name=member.display_name), "success")
                return redirect(next_url)
    page = render_template(
        "members/sign_in.html",
        error=error,
        next_url=next_path or "",
        email=request.form.get("email", ""),
        mail_enabled=mail_enabled(),
    )
    return page, status, headers


@bp.route("/connexion/lien", methods=["POST"])
@limiter.limit(lambda: current_app.config["MAGIC_LINK_RATE_LIMIT"])
def request_magic_link():
    if not mail_enabled():
        abort(404)
    services.request_magic_link(request.form.get("email"), app_path(request.form.get("next")))
    # The same answer whether or not the address is known.
    return render_template("members/magic_link_sent.html")


@bp.route("/connexion/lien/<token>", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["SIGNIN_RATE_LIMIT"], methods=["POST"], deduct_when=_refused
)
def magic_link(token):
    # GET only shows a button: mail scanners that open links must not spend them.
    try:
        if request.method == "POST":
            member = services.use_login_token(token)
            _start_session(member, request.form.get("remember") == "on")
            flash(_("Bonjour %(name)s !", name=member.display_name), "success")
            # The page the link was asked from (the form posts to the link, `?next=` included).
            return redirect(safe_target(request.values.get("next")))
        row = services.find_login_token(token)
    except ServiceError as exc:
        security.refused_error(exc, security.http_door())  # an unknown link, not a used one
        return render_template("members/link_invalid.html", message=exc.message), exc.status
    return render_template("members/magic_link.html", member=row.member)


@bp.route("/deconnexion", methods=["GET", "POST"])
def sign_out():
    if request.method == "GET":
        if not current_user.is_authenticated:
            return redirect(url_for("members.sign_in"))
        return render_template("members/sign_out.html")
    sid = sessions.current_sid()
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    # The row is revoked (a copy of the cookie is refused from now on) and the sockets of this
    # browser session are closed.
    sessions.end(sid)
    flash(_("Vous êtes déconnecté·e. À vendredi !"), "info")
    response = redirect(url_for("members.sign_in"))
    # The pages this browser kept for reading offline, drafts and outboxes were this member's
    # (meeting/pwa): the next person on this phone finds none of them.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/installation", methods=["GET", "POST"])
def first_run():
    if services.has_members():
        return redirect(url_for("members.sign_in"))
    error = None
    if request.method == "POST":
        try:
            member = services.create_admin(
                cleaning.form_text(request.form, "display_name"),
                cleaning.form_text(request.form, "email"),
                request.form.get("password"),
                first_run=True,
            )
        except ServiceError as exc:
            error = exc.message
        else:
            _start_session(member, remember=False)
            flash(_("Bienvenue ! Invitez maintenant les coopérateur·rices."), "success")
            return redirect(url_for("members.admin"))
    return render_template("members/first_run.html", error=error, form=request.form), (
        400 if error else 200
    )


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNIN_RATE_LIMIT"], methods=["POST"])
def accept_invitation(token):
    try:
        invitation = services.find_invitation(token)
    except ServiceError as exc:
        security.refused_error(exc, security.http_door())  # an unknown link, not a used one
        return render_template("members/link_invalid.html", message=exc.message), exc.status
    error = None
    if request.method == "POST":
        try:
            member = services.accept_invitation(
                token,
                cleaning.form_text(request.form, "display_name"),
                cleaning.form_text(request.form, "email"),
                request.form.get("password"),
            )
        except ServiceError as exc:
            if exc.status == 410:
                return render_template("members/link_invalid.html", message=exc.message), 410
            error = exc.message
        else:
            _start_session(member, request.form.get("remember") == "on")
            flash(_("Bienvenue au 97, %(name)s !", name=member.display_name), "success")
            return redirect(url_for("prep.home"))
    return render_template(
        "members/invitation.html",
        invitation=invitation,
        error=error,
        form=request.form,
    ), (400 if error else 200)


@bp.route("/profil", methods=["GET", "POST"])
@login_required
def profile():
    error = None
    if request.method == "POST":
        try:
            services.update_profile(
                current_user,
                cleaning.form_text(request.form, "display_name"),
                cleaning.form_text(request.form, "email"),
            )
        except ServiceError as exc:
            error = exc.message
        else:
            flash(_("Votre profil est enregistré."), "success")
            return redirect(url_for("members.profile"))
    return render_template(
        "members/profile.html", error=error, form=request.form, **_profile_context()
    ), (400 if error else 200)


@bp.route("/profil/mot-de-passe", methods=["POST"])
@login_required
def change_password():
    try:
        # Every other browser of this member is signed out; this one stays signed in.
        services.change_password(
            current_user,
            request.form.get("current_password"),
            request.form.get("new_password"),
            keep_sid=sessions.current_sid(),
        )
    except ServiceError as exc:
        return render_template(
            "members/profile.html",
            password_error=exc.message,
            form={},
            **_profile_context(),
        ), 400
    flash(_("Votre mot de passe est changé."), "success")
    return redirect(url_for("members.profile"))


@bp.route("/profil/appareils/deconnecter", methods=["POST"])
@login_required
def end_other_sessions():
    """« Se déconnecter des autres appareils »: every session of this member but this one."""
    result = commands.run_form("end_other_sessions", request.form)
    ended = result["ended"]
    if ended:
        flash(
            ngettext(
                "%(num)s autre appareil est déconnecté.",
                "%(num)s autres appareils sont déconnectés.",
                ended,
            ),
            "success",
        )
    else:
        flash(_("Aucun autre appareil n’était connecté."), "info")
    return redirect(url_for("members.profile", _anchor="appareils"))


# -- profile: the personal feed (its forms post to the feeds feature) ---------------------------


def _profile_context():
    """What the profile page shows besides its forms: the member's personal feed (its state;
    its addresses just after it was made, read once, then gone)."""
    new_token = feed_tokens.take_new_token() if request.method == "GET" else None
    return {
        "role_label": services.role_label,
        "sessions": [
            {"row": row, "device": sessions.device_label(row), "current": sessions.is_current(row)}
            for row in sessions.open_sessions(current_user)
        ],
        "feed": feed_tokens.active_token(current_user),
        "new_feed": feed_tokens.feed_addresses(new_token) if new_token else None,
        "public_feeds": feed_tokens.feed_addresses() if place.archive_is_public() else None,
        # The personal calendar address (its section and forms belong to the calendar feeds).
        **calendar_subscriptions.personal_context(current_user),
    }


@bp.route("/langue", methods=["POST"])
def set_language():
    lang = request.form.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    # Back to the page the form was sent from (its path inside the app, `request.path`).
    return redirect(safe_target(request.form.get("next")))


# -- admin ---------------------------------------------------------------------------------


def _render_admin(status=200, **context):
    context.setdefault("publication", place.publication())
    return render_template(
        "members/admin.html",
        members=services.list_members(),
        invitations=services.pending_invitations(),
        roles=ROLES,
        role_label=services.role_label,
        mail_enabled=mail_enabled(),
        publications=place.PUBLICATIONS,
        **context,
    ), status


@bp.route("/admin/membres")
@login_required
def admin():
    _admin_required()
    return _render_admin()


@bp.route("/admin/membres/inviter", methods=["POST"])
@login_required
def invite():
    _admin_required()
    try:
        _invitation, link, mailed = services.invite(
            current_user, request.form.get("email") or None, request.form.get("role", "member")
        )
    except ServiceError as exc:
        return _render_admin(exc.status, invite_error=exc.message)
    return _render_admin(new_link=link, mailed=mailed)


def _member_action(action, member_id, success):
    _admin_required()
    try:
        member = action(member_id)
    except ServiceError as exc:
        return _render_admin(exc.status, action_error=exc.message)
    flash(success(member), "success")
    return redirect(url_for("members.admin"))


@bp.route("/admin/membres/<int:member_id>/role", methods=["POST"])
@login_required
def change_role(member_id):
    role = request.form.get("role")
    return _member_action(
        lambda mid: services.change_role(current_user, mid, role),
        member_id,
        lambda m: _(
            "%(name)s est maintenant %(role)s.",
            name=m.display_name,
            role=services.role_label(m.role),
        ),
    )


@bp.route("/admin/membres/<int:member_id>/tresorerie", methods=["POST"])
@login_required
def set_treasurer(member_id):
    """An admin marks a member as keeping the accounts (the budget, every gift), or no longer."""
    _admin_required()
    try:
        result = commands.run_form("set_treasurer", request.form, member_id=member_id)
    except ServiceError as exc:
        return _render_admin(exc.status, action_error=exc.message)
    member = services.get_member(result["member_id"])
    if result["treasurer"]:
        flash(
            _("%(name)s tient maintenant les comptes du lieu.", name=member.display_name), "success"
        )
    else:
        flash(_("%(name)s ne tient plus les comptes du lieu.", name=member.display_name), "success")
    return redirect(url_for("members.admin", _anchor=f"membre-{member.id}"))


@bp.route("/admin/membres/<int:member_id>/desactiver", methods=["POST"])
@login_required
def deactivate(member_id):
    return _member_action(
        lambda mid: services.deactivate(current_user, mid),
        member_id,
        lambda m: _("Le compte de %(name)s est désactivé.", name=m.display_name),
    )


@bp.route("/admin/membres/<int:member_id>/reactiver", methods=["POST"])
@login_required
def reactivate(member_id):
    return _member_action(
        lambda mid: services.reactivate(current_user, mid),
        member_id,
        lambda m: _("Le compte de %(name)s est réactivé.", name=m.display_name),
    )


@bp.route("/admin/publication", methods=["POST"])
@login_required
def set_publication():
    _admin_required()
    try:
        result = commands.run_form("set_publication", request.form)
    except ServiceError as exc:
        errors = field_errors(exc) or {"publication": exc.message}
        return _render_admin(
            exc.status, publication_errors=errors, publication=request.form.get("publication")
        )
    if result["publication"] == "public":
        flash(_("Les décisions et comptes rendus sont maintenant publics."), "success")
    else:
        flash(_("Les décisions et comptes rendus sont maintenant réservés aux membres."), "success")
    return redirect(url_for("members.admin", _anchor="publication"))
