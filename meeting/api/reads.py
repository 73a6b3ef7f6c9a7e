"""What every read route of the API shares: who may read (the features' own predicates), the
query's parameters, pagination, the JSON of times, and the declaration of the route's answer
for the OpenAPI document (`@operation(…)`, right under the route).

Lists paginate with `limit` (1 to 100, 50 by default) and `cursor`: each page gives
`next_cursor` (null on the last page), to send back as it is. A cursor is opaque (base64url
JSON); an unreadable one, or a limit out of bounds, is refused (400), never guessed.
"""

import base64
import binascii
import json
import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app, request

from .. import permissions
from ..commands import API_INT_MAX, current_actor
from ..errors import Forbidden, NotFound, ServiceError
from ..extensions import db
from ..i18n import _l
from ..meetings import dates
from .responses import json_response

DEFAULT_LIMIT = 50
MAX_LIMIT = 100

# -- JSON Schema, for the answers declared next to each route ---------------------------------

STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
TRUE = {"const": True}


def nullable(schema):
    """The same, or null."""
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return {**schema, "type": [*kinds, "null"]}


def obj(**properties):
    """An object with exactly these properties, all present (a null says "none")."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def array(items):
    return {"type": "array", "items": items}


PERSON = obj(id=nullable(INTEGER), name=STRING)  # id null: someone outside the cooperative
LABELLED = {"type": "string"}  # a French label of a status, a kind, a place


def one_of(name, schema):
    """The answer of a route that gives one thing: `{"ok": true, <name>: {…}}`."""
    return obj(ok=TRUE, **{name: schema})


def page_of(schema, **extra):
    """The answer of a list route: its items, the cursor of the next page, and `extra`."""
    return obj(ok=TRUE, **extra, items=array(schema), next_cursor=nullable(STRING))


# -- the OpenAPI declaration of a read route --------------------------------------------------

PAGE_PARAMETERS = (
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "description": _l("Nombre d’éléments par page (1 à 100, 50 par défaut)."),
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
    },
    {
        "name": "cursor",
        "in": "query",
        "required": False,
        "description": _l("Le `next_cursor` de la page précédente, tel quel."),
        "schema": {"type": "string"},
    },
)


class ReadOperation:
    """What the OpenAPI document says of one read route (see `schema.py`)."""

    def __init__(self, summary, response, parameters=(), paths=None, public=False, paged=False):
        self.summary = summary
        self.response = response
        self.parameters = [*parameters, *(PAGE_PARAMETERS if paged else ())]
        self.paths = paths or {}  # a path parameter's schema, when more than its converter's
        self.public = public  # anyone may call it (it answers what the public pages show)


def operation(summary, response, **options):
    """Declare the answer of the read route below it (its 200 body's JSON Schema) and its
    query parameters, for the OpenAPI document."""

    def decorate(view):
        view.openapi = ReadOperation(summary, response, **options)
        return view

    return decorate


# -- who may read ------------------------------------------------------------------------------


def reader():
    """The member calling (by token or session), a guest of the live Friday, or None."""
    return current_actor()


def require_reader(allowed):
    """Go on when the feature's predicate said yes; else 401 for whoever is not a member (a
    member signs in, or sends a token), 403 for a member."""
    if allowed:
        return
    if permissions.is_member(reader()):
        raise Forbidden()
    raise ServiceError(
        _l("Connectez-vous, ou envoyez un jeton d’API, pour lire ceci."),
        code="not_signed_in",
        status=401,
    )


# -- query parameters --------------------------------------------------------------------------


def bad_parameter(name, message):
    return ServiceError(message, code="invalid_parameter", field=name)


_INTEGER = re.compile(r"-?[0-9]{1,10}")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def int_param(name, default, low, high):
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    value = int(raw) if _INTEGER.fullmatch(raw) else None
    if value is None or not low <= value <= high:
        raise bad_parameter(
            name,
            _l(
                "Le paramètre « %(name)s » doit être un nombre entier de %(low)s à %(high)s.",
                name=name,
                low=low,
                high=high,
            ),
        )
    return value


def choice_param(name, choices, default=None):
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if raw not in choices:
        raise bad_parameter(
            name,
            _l(
                "Le paramètre « %(name)s » vaut l’une de ces valeurs : %(values)s.",
                name=name,
                values=", ".join(choices),
            ),
        )
    return raw


def date_param(name, default=None):
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        if not _DAY.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise bad_parameter(
            name, _l("Le paramètre « %(name)s » doit être une date AAAA-MM-JJ.", name=name)
        ) from None


def limit_param():
    return int_param("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)


def bad_cursor():
    return bad_parameter(
        "cursor", _l("Ce curseur n’est pas valable : reprenez la liste depuis le début.")
    )


def encode_cursor(value):
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def cursor_param(kind):
    """The decoded cursor of this request (None for the first page), of the JSON type `kind`."""
    raw = request.args.get("cursor")
    if raw is None or raw == "":
        return None
    if len(raw) > 200:
        raise bad_cursor()
    try:
        value = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (ValueError, binascii.Error):
        raise bad_cursor() from None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise bad_cursor()
    if isinstance(value, int) and not 0 <= value <= API_INT_MAX:  # an id, a number, a position
        raise bad_cursor()
    return value


def page(items, limit=None):
    """One page of a list read whole (a Friday's entries, someone's actions): by position, the
    cursor says where the next page starts."""
    limit = limit_param() if limit is None else limit
    start = cursor_param(int) or 0
    chunk = items[start : start + limit]
    following = start + limit if start + limit < len(items) else None
    return chunk, (encode_cursor(following) if following is not None else None)


class Rows(list):
    """One page of rows read from the database, and whether more follow."""

    more = False


def db_rows(query, limit):
    """The first `limit` rows of `query` (keyset pagination: the query starts after the
    cursor), reading one more to know whether another page follows."""
    rows = db.session.scalars(query.limit(limit + 1)).all()
    result = Rows(rows[:limit])
    result.more = len(rows) > limit
    return result


def listing(items, next_cursor, **extra):
    """The answer of a list route (see `page_of`)."""
    return json_response({"ok": True, **extra, "items": items, "next_cursor": next_cursor})


def single(name, data):
    """The answer of a route that gives one thing (see `one_of`)."""
    return json_response({"ok": True, name: data})


def meeting_day(text):
    """The Friday of a path (`AAAA-MM-JJ` exactly, as the document says), else the French 404
    of the pages."""
    if not _DAY.fullmatch(text):
        raise NotFound(_l("Cette date n’est pas valide (attendu : AAAA-MM-JJ)."))
    return dates.parse_meeting_date(text)


# -- times -----------------------------------------------------------------------------------


def utc(moment):
    """A stored time (naive UTC) as RFC 3339."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC, microsecond=0).isoformat().replace("+00:00", "Z")


def wall(moment):
    """A wall time of the place (naive Europe/Paris: events, meeting hours) as RFC 3339, with
    its offset."""
    if moment is None:
        return None
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return moment.replace(tzinfo=zone, microsecond=0).isoformat()


def on_day(day, hour):
    """A meeting's start or end (a day and an hour of the place) as RFC 3339."""
    return wall(datetime.combine(day, hour if isinstance(hour, time) else time(12)))


def iso_day(day):
    return day.isoformat() if day is not None else None
