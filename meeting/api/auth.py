"""Who calls the API, decided once per request before its view runs:

- a program with a personal token (`Authorization: Bearer vdr_…`): it acts as the token's
  member for this request only (nothing goes into a session) and sends no CSRF token, since no
  browser adds that header by itself; a token that opens nothing is refused (401), whatever
  cookie comes with it;
- else the browser's session (the member signed in, or the guest of the live Friday): a write
  then carries the page's CSRF token in the `X-CSRFToken` header (Flask-WTF's);
- else nobody: the public reads answer, everything else is refused (401).

The API's blueprints are exempt from Flask-WTF's automatic check (`csrf.exempt`) and make
their own here, so that only token-authenticated requests go without one.
"""

from flask import g, request
from flask_wtf.csrf import CSRFError

from ..commands import current_actor
from ..errors import ServiceError
from ..extensions import csrf
from ..i18n import _l
from ..ops import security
from . import tokens

TOKEN, SESSION = "token", "session"


def authenticate():
    """Before every API request: the token's member becomes the current user, or the session
    stays what it is. Raises `tokens.BadToken` (401) for a token that opens nothing."""
    header = request.headers.get("Authorization")
    if header is None:
        g.api_auth = SESSION
        return
    try:
        row, member = tokens.member_for(tokens.bearer_token(header))
    except tokens.BadToken:
        security.refused("bad_token", "api", code=tokens.BadToken.code)
        raise
    # Flask-Login's user of this request (what `login_user` would set, without the session).
    g._login_user = member
    g.api_auth = TOKEN
    tokens.note_use(row)


def by_token():
    return g.get("api_auth") == TOKEN


def check_csrf():
    """Before a write: a request that a browser session authenticates (a member or a guest)
    carries that session's CSRF token; a token's request and nobody's need none (nobody's is
    refused as not signed in by the command itself)."""
    if by_token() or current_actor() is None:
        return
    try:
        csrf.protect()
    except CSRFError:
        security.refused("csrf", "api", code="csrf_failed")
        raise ServiceError(
            _l(
                "Le jeton CSRF de la session manque ou n’est plus valable : envoyez celui de la "
                "page dans l’en-tête X-CSRFToken, ou utilisez un jeton d’API."
            ),
            code="csrf_failed",
        ) from None
