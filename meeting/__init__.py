"""Vendredi: the weekly-meeting tool of a cooperative. `create_app()` builds one app."""

import logging
import os
from pathlib import Path

from flask import Flask, render_template, request, session
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from . import cleaning, i18n, markdown, storage  # noqa: F401  (storage registers the SQLite engine settings)
from .config import ROOT, check, from_environment
from .economy import money
from .extensions import babel, csrf, db, limiter, login_manager, migrate, socketio
from .ops import message_queue, proxies
from .realtime import Utf8Json

log = logging.getLogger(__name__)


def create_app(overrides=None):
    """Build the app: configuration, extensions, blueprints, then socket handlers."""
    instance_path = os.environ.get("INSTANCE_PATH") or str(ROOT / "instance")
    if overrides and overrides.get("INSTANCE_PATH"):
        instance_path = overrides["INSTANCE_PATH"]
    app = Flask(
        __name__,
        instance_path=instance_path,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    cleaning.install(app)  # `<int:…>` routes within the database's integers (404 past them)
    app.config.update(from_environment(instance_path))
    if overrides:
        app.config.update(overrides)
        if overrides.get("SECRET_KEY"):
            app.config["SECRET_KEY_SET"] = True
    check(app.config)
    if app.config["PROXY_COUNT"]:
        app.wsgi_app = proxies.proxy_fix(app.wsgi_app, app.config["PROXY_COUNT"])

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.install(app)
    markdown.install(app)
    money.install(app)
    csrf.init_app(app)
    limiter.init_app(app)
    _init_login(app)
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
        # Always given (None: this process alone), so that no app inherits another's manager.
        client_manager=message_queue.manager_for(app),
        # Engine-level ceiling; commands above LIVE_MAX_PAYLOAD get a French refusal.
        max_http_buffer_size=max(1_000_000, 2 * app.config["LIVE_MAX_PAYLOAD"]),
        cors_allowed_origins=app.config.get("SOCKETIO_ALLOWED_ORIGINS"),
        logger=False,
        engineio_logger=False,
        json=Utf8Json,
        # One page's commands are handled one after another, in the order it sent them (a
        # burst from a phone's offline outbox, a facilitator reordering): never two of the same
        # connection at once. Pages still run side by side, each on its own connection.
        async_handlers=False,
    )
    # Outermost: X-Forwarded-* only from trusted proxies, before Socket.IO or ProxyFix read it.
    proxies.wrap(app)

    from .actions.views import bp as actions_bp
    from .api.views import bp as api_bp
    from .calendar.feed_views import bp as calendar_feeds_bp
    from .calendar.views import bp as calendar_bp
    from .catchup.views import bp as catchup_bp
    from .decisions.views import bp as decisions_bp
    from .economy.budget.views import bp as budget_bp
    from .economy.catalogue.views import bp as catalogue_bp
    from .economy.gifts.views import bp as gifts_bp
    from .feeds.views import bp as feeds_bp
    from .life.views import bp as life_bp
    from .live.views import bp as agenda_bp
    from .members.views import bp as members_bp
    from .minutes.views import bp as minutes_bp
    from .notifications.views import bp as notifications_bp
    from .prep.views import bp as prep_bp
    from .privacy.views import bp as privacy_bp
    from .proposals.views import bp as proposals_bp
    from .pwa.views import bp as pwa_bp
    from .search.views import bp as search_bp
    from .traces.views import bp as traces_bp

    app.register_blueprint(prep_bp)
    app.register_blueprint(proposals_bp)
    app.register_blueprint(agenda_bp)
    app.register_blueprint(members_bp)
    app.register_blueprint(traces_bp)
    app.register_blueprint(decisions_bp)
    app.register_blueprint(minutes_bp)
    app.register_blueprint(actions_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(catchup_bp)
    app.register_blueprint(calendar_bp)
    app.register_blueprint(calendar_feeds_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(budget_bp)
    app.register_blueprint(gifts_bp)
    app.register_blueprint(catalogue_bp)
    app.register_blueprint(life_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(pwa_bp)
    app.register_blueprint(privacy_bp)

    from . import realtime

    realtime.register(app)

    from . import cli, ops

    cli.register(app)
    ops.install(app)
    _init_pages(app)
    return app


def _init_login(app):
    from urllib.parse import urlencode

    from flask import flash, redirect, url_for

    from .i18n import _l
    from .members import sessions

    login_manager.init_app(app)
    login_manager.login_view = "members.sign_in"
    login_manager.login_message = _l("Connectez-vous pour voir cette page.")
    login_manager.login_message_category = "info"

    # A cookie is accepted only while the session it names is open and its member active
    # (members/sessions.py): a copy kept after sign-out is worth nothing.
    login_manager.user_loader(sessions.load_member)
    app.after_request(sessions.touch)

    @login_manager.unauthorized_handler
    def sign_in_first():
        """To the sign-in page, then back to this page: `next` is the path inside the app
        (without the sub-path prefix), as every `next` is (meeting/safe_redirect.py)."""
        flash(str(login_manager.login_message), login_manager.login_message_category)
        back = request.path
        if request.query_string:
            back += "?" + request.query_string.decode("latin-1")
        return redirect(url_for(login_manager.login_view) + "?" + urlencode({"next": back}))


def _init_pages(app):
    from . import faults
    from .errors import ServiceError
    from .i18n import _
    from .ops import health, security

    messages = {
        400: lambda: _("La demande est incomplète ou mal formée."),
        403: lambda: _("Vous n’avez pas le droit de voir cette page."),
        404: lambda: _("Cette page n’existe pas, ou plus."),
        405: lambda: _("Cette action n’est pas possible ici."),
        410: lambda: _("Ce lien n’est plus valable."),
        413: lambda: _("Le contenu envoyé est trop volumineux."),
        429: lambda: _("Trop de tentatives. Patientez un moment, puis réessayez."),
        500: lambda: _("Une erreur inattendue est survenue. Rien n’a été enregistré."),
    }

    def render_error(status, message=None, code=None, retry_after=None):
        message = message or messages.get(status, messages[500])()
        if request.accept_mimetypes.best == "application/json":
            # The code a page acts on (`busy`: try again), as the API and the socket say it.
            body = {"ok": False, "error": code or str(status), "message": str(message)}
            if retry_after is not None:
                body["retry_after"] = retry_after
            return body, status
        try:
            return render_template("errors/error.html", status=status, message=message), status
        except Exception as error:
            # The layout reads the signed-in member and the session: when what failed is the
            # database itself, the page that says so must not need it (never Werkzeug's bare
            # page, never a traceback). A fault that passes was logged once already.
            if faults.classify(error) is None:
                log.exception("error page %s could not be rendered with the layout", status)
            db.session.rollback()
            # Straight from the Jinja environment: no context processor (they read the member).
            page = app.jinja_env.get_template("errors/bare.html")
            return page.render(status=status, message=message), status

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        security.refused("csrf", security.http_door(), detail=_csrf_reason(error))
        return render_error(
            400,
            _("Le formulaire a expiré ou n’est pas valide. Rechargez la page et recommencez."),
        )

    @app.errorhandler(ServiceError)
    def service_error(error):
        db.session.rollback()
        security.refused_error(error, security.http_door())
        return render_error(
            error.status,
            error.message,
            code=error.code,
            retry_after=error.details.get("retry_after"),
        )

    @app.errorhandler(HTTPException)
    def http_error(error):
        security.refused_status(error.code, security.http_door())
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected_error(error):
        fault = faults.fault_for(error)  # the database busy, full or restarting: 503, réessayez
        if fault is not None:
            return service_error(fault)
        log.exception("unexpected error")
        health.explain(error)
        db.session.rollback()
        return render_error(500)

    from . import labels, permissions

    # Block tags leave no blank lines behind: fragments travel to every page of a room, and a
    # phone's agenda was a third indentation.
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(
        need_label=lambda status: labels.NEED_LABELS.get(status, status or ""),
        proposal_status_label=lambda status: labels.PROPOSAL_STATUS_LABELS.get(status, status),
        place_label=lambda place: labels.PLACE_LABELS.get(place, place),
        kind_label=lambda kind: labels.KIND_LABELS.get(kind, kind),
        labels=labels,
        # The named predicates, so that no rule is written a second time in a template.
        can=permissions,
    )

    # Browsers and feed readers ask for /favicon.ico whatever the page's <link rel="icon">
    # says: send them to the SVG (a redirect rule of the static endpoint; relative, so that it
    # stays under the sub-path).
    app.add_url_rule("/favicon.ico", endpoint="static", redirect_to="static/favicon.svg")

    @app.context_processor
    def layout_context():
        return {"languages": app.config["LANGUAGES"]}

    # Every page's policy: scripts and styles from the app's own files only (no inline script,
    # no `on…=` attribute in templates), no plugin, framed by no one, forms posted to the app.
    csp = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'self'"
    )

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        # A page made to be shown in another site's frame (the calendar widget) or a picture
        # (the SVG charts) brings its own policy; every other page may be framed by no one.
        if "Content-Security-Policy" not in response.headers:
            response.headers["X-Frame-Options"] = "DENY"
            response.headers["Content-Security-Policy"] = csp
        if app.config.get("HTTPS"):
            # A year; no includeSubDomains (other sites of the domain are not ours to decide).
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if _personal(response):
            # What a member or a guest reads stays on no disk and in no shared cache (the
            # offline copies of meeting/pwa go to the Cache API, which no-store leaves alone).
            response.headers["Cache-Control"] = "no-store"
        if response.status_code in security.STATUS_KINDS and not security.logged():
            # A refusal answered by a blueprint's own handler (the API's JSON) or by a view.
            security.refused_status(response.status_code, security.http_door())
        return response


def _personal(response):
    """True when the response shows what only its reader may see, and no view said otherwise:
    a page, a file or JSON for a signed-in member or a guest of the live Friday (their session
    says so, read without the database), the API, and anything a view marked `private` (a
    personal feed's address). Static files, the service worker and what views mark public or
    `no-cache` themselves keep their caching; so do public pages for anonymous visitors."""
    from .live.guests import GUEST_KEY

    if request.endpoint == "static":
        return False
    given = response.headers.get("Cache-Control")
    if given is not None:
        return "private" in given
    if request.path == "/api" or request.path.startswith("/api/"):
        return True
    # `_user_id`: where Flask-Login keeps the signed-in member's id.
    return "_user_id" in session or GUEST_KEY in session


def _csrf_reason(error):
    """Which check failed (Flask-WTF's words: the token missing, not valid, the Referrer…),
    never the token itself."""
    return str(getattr(error, "description", "") or "")[:80]
