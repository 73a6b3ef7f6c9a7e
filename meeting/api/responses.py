"""What the API answers: JSON, always — `{"ok": true, …}`, or a refusal
`{"ok": false, "error": code, "message": French text, …}` with the status that says why.

Refusals come from the services and the doors as `ServiceError` (its code, status and
details: `field`, `fields`, `current`…), from Werkzeug (a path or a method the API does not
have) or from an unexpected error (500, logged, nothing stored).
"""

import json
import logging
from datetime import date, datetime

from flask import current_app, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import RequestRedirect

from .. import faults
from ..errors import ServiceError
from ..extensions import db
from ..i18n import _

log = logging.getLogger(__name__)

PREFIX = "/api"  # every path of the API (the OpenAPI document and /api/v1/…)

# The app's own words for these statuses (the same sentences as its error pages).
_HTTP = {
    400: ("bad_request", lambda: _("La demande est incomplète ou mal formée.")),
    401: ("not_signed_in", lambda: _("Connectez-vous pour faire cela.")),
    403: ("forbidden", lambda: _("Vous n’avez pas le droit de faire cela.")),
    404: ("not_found", lambda: _("Cette page n’existe pas, ou plus.")),
    405: ("method_not_allowed", lambda: _("Cette action n’est pas possible ici.")),
    413: ("payload_too_large", lambda: _("Le contenu envoyé est trop volumineux.")),
    429: (
        "too_many_requests",
        lambda: _("Trop de tentatives. Patientez un moment, puis réessayez."),
    ),
    500: (
        "server_error",
        lambda: _("Une erreur inattendue est survenue. Rien n’a été enregistré."),
    ),
}


def _plain(value):
    """JSON for what services hand back: dates as ISO text, lazy French strings as text."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def json_response(body, status=200, headers=None):
    """A JSON answer in UTF-8 (French reads as French), never cached by anyone."""
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False, default=_plain),
        status=status,
        mimetype="application/json",
    )
    response.headers["Cache-Control"] = "no-store"
    response.vary.update(("Authorization", "Cookie"))
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def refusal(code, message, status, headers=None, **details):
    return json_response(
        {"ok": False, "error": code, "message": str(message), **details}, status, headers
    )


def _challenge(status):
    """A 401 tells the program how to authenticate (RFC 6750)."""
    return {"WWW-Authenticate": 'Bearer realm="Vendredi"'} if status == 401 else None


def service_refusal(error):
    db.session.rollback()
    return refusal(
        error.code, error.message, error.status, _challenge(error.status), **error.details
    )


def http_refusal(error):
    status = error.code or 500
    code, message = _HTTP.get(status, _HTTP[400 if status < 500 else 500])
    headers = dict(_challenge(status) or {})
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return refusal(code, message(), status, headers)


def unexpected_refusal(error):
    fault = faults.fault_for(error)  # the database busy, full or restarting: 503, réessayez
    if fault is not None:
        return service_refusal(fault)
    log.exception("unexpected error in the API")
    db.session.rollback()
    code, message = _HTTP[500]
    return refusal(code, message(), 500)


def install(bp):
    """Answer every refusal of `bp` (and of its children) in JSON."""
    bp.register_error_handler(ServiceError, service_refusal)
    bp.register_error_handler(HTTPException, http_refusal)
    bp.register_error_handler(Exception, unexpected_refusal)


def install_fallback(bp):
    """Answer in JSON every path under `/api/` that matches no route: a 404 or a 405 is found
    before any blueprint is chosen, so no blueprint's handler would see it."""

    @bp.before_app_request
    def unmatched_api_path():
        error = request.routing_exception
        if error is None or isinstance(error, RequestRedirect):
            return None
        if request.path != PREFIX and not request.path.startswith(PREFIX + "/"):
            return None
        return http_refusal(error)
