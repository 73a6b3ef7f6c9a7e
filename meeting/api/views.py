"""The JSON API's blueprint, registered by the app factory in one line: `/api/v1/…` (reads
and commands, in JSON whatever happens), its OpenAPI document `/api/openapi.json`, and the
members' page of personal tokens `/profil/jetons` (HTML, like any page).

Endpoints read `api.v1.<noun>.<view>`, `api.document.openapi`, `api.tokens.<view>`.
"""

from flask import Blueprint

from ..extensions import csrf
from . import archive, auth, calendar, meetings, proposals, responses, schema, token_views, writes

bp = Blueprint("api", __name__)

v1 = Blueprint("v1", __name__, url_prefix=schema.V1)
for child in (meetings.bp, archive.bp, calendar.bp, proposals.bp, writes.bp):
    v1.register_blueprint(child)
# Writes check their own CSRF token, and only for the browser's session (see auth.py).
csrf.exempt(writes.bp)
responses.install(v1)
v1.before_request(auth.authenticate)

document = Blueprint("document", __name__)
responses.install(document)


@document.get(responses.PREFIX + "/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API (public: it says what exists, never any data)."""
    return responses.json_response(schema.document())


bp.register_blueprint(v1)
bp.register_blueprint(document)
bp.register_blueprint(token_views.bp)
responses.install_fallback(bp)
