"""The API's one write route: `POST /api/v1/commands/<name>`, a JSON object of the command's
fields, run through the command registry (`commands.run_api`) like the socket and the forms: the
same handler, permission predicate, validation, traces and facts published to live pages.

Answers `{"ok": true, …the handler's result}` (200), or a refusal: 400 for anything wrong
with the input (malformed JSON, an unknown field, a wrong type, a missing field, a value the
service refuses: one status for all of them, the `error` code says which), 401 (no caller, a
bad token), 403 (a role that may not), 404 (no such command in the API, or no such row), 409
(a conflict: a stale revision, a Friday not live…), 413 (too large), 429 (too many creating
commands at once: `retry_after` and `Retry-After`, meeting/limits.py), 503 (the database busy or
away: `retry_after` and `Retry-After`, meeting/faults.py). Nothing is stored when it
refuses.
"""

from flask import Blueprint, current_app, request

from .. import commands
from ..commands import exposed
from . import auth
from .responses import json_response

bp = Blueprint("commands", __name__)

WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 429, 503)


class CommandOperations:
    """What the OpenAPI document says of the write route: one path per command the API door
    exposes, its body's schema read from the command's fields (see `schema.py`)."""

    errors = WRITE_ERRORS

    def commands(self):
        return dict(sorted(exposed("api").items()))


@bp.post("/commands/<name>")
def run(name):
    commands.api_command(name)  # a name the API does not have: 404 before anything else
    auth.check_csrf()
    # A larger body is not read at all (413), whatever its Content-Length said.
    request.max_content_length = current_app.config["LIVE_MAX_PAYLOAD"]
    result = commands.run_api(name, request.get_data(cache=False))
    return json_response({"ok": True, **result})


run.openapi = CommandOperations()
