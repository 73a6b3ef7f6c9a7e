"""The command registry: every change a person can ask for, declared once, read by every door.

A command is a name (imperative: `advance_item`), typed fields, a permission predicate from
`meeting.permissions`, the handler that calls one service, and the doors that expose it:

- "socket": the `/live` namespace; `dispatch` answers with an ack `{"ok": true, …}` or
  `{"ok": false, "error": code, "message": French text}`;
- "form": HTML form posts; the view names the command (the form's hidden `op` field) and calls
  `run_form`, which returns the handler's result or raises `ServiceError`;
- "api": the JSON API (`POST /api/v1/commands/<name>`, `meeting/api/writes.py`); the view
  calls `run_api` with the request's JSON body, which returns the handler's result or raises
  `ServiceError`; its OpenAPI document reads each command's fields through `json_schema`.

Feature `events.py` modules declare their commands with `@command(...)`; the app factory
imports them (see `realtime.register`). A command refused at a door changes nothing. A database
fault that passes (a lock held too long, a full disk, a restart: `meeting.faults`) is refused
at every door as `busy` with `retry_after` (503 and `Retry-After` over HTTP), rolled back.
"""

import json
import logging
import types
from dataclasses import dataclass, field
from typing import get_args, get_origin

from flask import current_app
from flask_login import current_user

from . import cleaning, faults, limits
from .errors import Forbidden, NotFound, ServiceError
from .extensions import db
from .i18n import _l
from .labels import field_label
from .ops import security

log = logging.getLogger(__name__)

DOORS = frozenset({"socket", "form", "api"})


@dataclass(frozen=True)
class Command:
    """One command: its handler, who may send it, the fields it takes, the doors that expose it.

    `fields` maps a name to `(kind, required)`; `kind` is a type (`int`, `str`, `bool`, `list`),
    a tuple of types, or a typed list (`list[int]`, `list[str]`)."""

    name: str
    handler: object  # handler(actor, **fields) -> dict | None
    allowed: object  # predicate(actor) -> bool, from meeting.permissions
    fields: dict = field(default_factory=dict)
    signed_in: bool = True
    doors: frozenset = frozenset({"socket"})


COMMANDS: dict[str, Command] = {}


def command(name, allowed, fields=None, signed_in=True, doors=("socket",)):
    """Declare the command `name`, handled by the decorated function(actor, **fields) and
    exposed through `doors` (a subset of `DOORS`)."""
    doors = frozenset(doors)
    if not doors or not doors <= DOORS:
        raise ValueError(f"command {name}: doors must be a non-empty subset of {sorted(DOORS)}")

    def decorate(handler):
        known = COMMANDS.get(name)
        if known is not None and _where(known.handler) != _where(handler):
            raise ValueError(f"command {name} is declared twice")
        COMMANDS[name] = Command(name, handler, allowed, dict(fields or {}), signed_in, doors)
        return handler

    return decorate


def _where(handler):
    return handler.__module__, handler.__qualname__


def exposed(door):
    """The commands a door exposes, by name."""
    return {name: cmd for name, cmd in COMMANDS.items() if door in cmd.doors}


def refusal(code, message, **extra):
    """An ack that says no (a refusal of trust also goes to the security log)."""
    security.refused_code(code, "socket")
    return {"ok": False, "error": code, "message": str(message), **extra}


def current_actor():
    """The signed-in member, else the guest of a live meeting (joined with its code), else None."""
    if current_user.is_authenticated:
        return current_user._get_current_object()
    from .live.guests import current_guest

    return current_guest()


# -- typed fields -----------------------------------------------------------------------------

_TYPE_NAMES = {
    int: _l("un nombre entier"),
    str: _l("un texte"),
    bool: _l("oui ou non"),
    list: _l("une liste"),
}
_LIST_NAMES = {int: _l("une liste de nombres entiers"), str: _l("une liste de textes")}


def _is_list(kind):
    return kind is list or get_origin(kind) is list


def _item_kind(kind):
    """The declared type of a typed list's items (None for a plain `list`)."""
    args = get_args(kind) if isinstance(kind, types.GenericAlias) else ()
    return args[0] if args else None


def _is_a(value, kind):
    """isinstance, except that True is no number (bool is an int in Python)."""
    if (
        isinstance(value, bool)
        and kind is not bool
        and not (isinstance(kind, tuple) and bool in kind)
    ):
        return False
    return isinstance(value, kind)


def _type_name(kind):
    if _is_list(kind):
        return _LIST_NAMES.get(_item_kind(kind), _TYPE_NAMES[list])
    return _TYPE_NAMES.get(kind if isinstance(kind, type) else kind[0], _l("autre chose"))


def _wrong_type(name, kind):
    return ServiceError(
        _l(
            "Le champ « %(name)s » doit être %(type)s.",
            name=field_label(name),
            type=_type_name(kind),
        ),
        code="invalid_field",
        field=name,
    )


def check_fields(spec, data):
    """Return the typed arguments for a command, or raise ServiceError naming the bad field."""
    unknown = set(data) - set(spec) - {"op_id"}
    if unknown:
        raise ServiceError(
            _l("Champ inattendu : %(name)s.", name=cleaning.shown_name(min(unknown, key=str))),
            code="invalid_field",
        )
    args = {}
    for name, (kind, required) in spec.items():
        if name not in data or data[name] is None:
            if required:
                raise ServiceError(
                    _l("Le champ « %(name)s » est obligatoire.", name=field_label(name)),
                    code="missing_field",
                    field=name,
                )
            continue
        value = data[name]
        if _is_list(kind):
            item = _item_kind(kind)
            if not isinstance(value, list) or (
                item is not None and not all(_is_a(v, item) for v in value)
            ):
                raise _wrong_type(name, kind)
        elif not _is_a(value, kind):
            raise _wrong_type(name, kind)
        # Texts in NFC and LF, no control character, numbers within 32 bits (`meeting.cleaning`).
        args[name] = cleaning.clean_value(name, value)
    return args


_TRUE = {"1", "on", "true", "yes", "oui"}
_FALSE = {"0", "off", "false", "no", "non"}


def _from_text(name, kind, text):
    """One form value (a string) as the declared type."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if bool in kinds:
        word = text.strip().lower()
        if word in _TRUE | _FALSE:
            return word in _TRUE
    if int in kinds:
        try:
            return int(text.strip())
        except ValueError:
            pass
    if str in kinds:
        return text
    raise _wrong_type(name, kind)


def form_values(spec, form):
    """Read a posted form as a command's fields: numbers parsed, lists from repeated fields or
    one value per line, yes/no from "1"/"0"/"on". An empty optional field counts as absent; an
    empty or missing required text is "" so that the service says what is missing in its own words.
    Fields the command does not take (the CSRF token, `op`) are left out."""
    values = {}
    for name, (kind, required) in spec.items():
        texts = (
            form.getlist(name)
            if hasattr(form, "getlist")
            else ([form[name]] if name in form else [])
        )
        texts = [t if isinstance(t, str) else str(t) for t in texts]
        if _is_list(kind):
            if len(texts) == 1:
                texts = texts[0].splitlines()
            items = [t.strip() for t in texts if t.strip()]
            if not items:
                continue
            if _item_kind(kind) is int:
                try:
                    items = [int(t) for t in items]
                except ValueError:
                    raise _wrong_type(name, kind) from None
            values[name] = items
            continue
        if not texts:
            if required and kind is str:
                # A radio left unticked is a person's omission, not a program's: the service
                # names it in French ("Ce type de contribution n’existe pas.").
                values[name] = ""
            continue
        text = texts[0]
        if text.strip() == "" and not (required and kind is str):
            continue
        values[name] = _from_text(name, kind, text)
    return values


# -- the doors --------------------------------------------------------------------------------


def _check_actor(cmd, actor):
    """Raise unless this actor may send this command."""
    if cmd.signed_in and not getattr(actor, "is_authenticated", False):
        if actor is not None:  # a guest of the live meeting
            raise Forbidden(_l("Cette action est réservée aux membres."))
        raise ServiceError(_l("Connectez-vous pour faire cela."), code="not_signed_in", status=401)
    if not cmd.allowed(actor):
        raise Forbidden()


def dispatch(event, data):
    """Check and run one socket command; always return an ack, never raise."""
    try:
        # Before anything else (no database work): one sender's burst, then its steady rate.
        wait = limits.socket_command_wait()
        if wait:
            return refusal(
                "rate_limited",
                _l("Trop d’actions d’un coup. Réessayez dans %(seconds)s s.", seconds=wait),
                retry_after=wait,
            )
        cmd = COMMANDS.get(event)
        if cmd is None:
            return refusal("unknown_command", _l("Commande inconnue."))
        if "socket" not in cmd.doors:
            return refusal(
                "wrong_door",
                _l(
                    "Cette action ne s’envoie pas par la connexion en direct : utilisez le "
                    "formulaire de la page."
                ),
            )
        if data is None:
            data = {}
        if not isinstance(data, dict):
            return refusal("malformed", _l("Les données de la commande sont mal formées."))
        # A lone surrogate (JSON can carry one) is measured here, refused by `check_fields`.
        size = len(json.dumps(data, ensure_ascii=False).encode(errors="surrogatepass"))
        if size > current_app.config["LIVE_MAX_PAYLOAD"]:
            return refusal("payload_too_large", _l("Le contenu envoyé est trop volumineux."))
        actor = current_actor()
        _check_actor(cmd, actor)
        args = check_fields(cmd.fields, data)
        result = cmd.handler(actor, **args) or {}
        return {"ok": True, **result}
    except ServiceError as error:
        db.session.rollback()
        return refusal(error.code, error.message, **error.details)
    except Exception as error:
        # A database fault that passes (a lock held too long, a full disk, a restart) says
        # « réessayez » with `retry_after`: a page keeps its queued write (meeting/faults.py).
        fault = faults.fault_for(error)
        if fault is None:
            log.exception("socket command %s failed", event)
        db.session.rollback()
        if fault is not None:
            return refusal(fault.code, fault.message, **fault.details)
        return refusal(
            "server_error", _l("Une erreur inattendue est survenue. Rien n’a été enregistré.")
        )
    finally:
        db.session.remove()


def form_command(name):
    """The command a form names, or ServiceError if no command of that name takes form posts."""
    cmd = COMMANDS.get(name) if isinstance(name, str) else None
    if cmd is None:
        raise ServiceError(_l("Action inconnue."), code="unknown_command")
    if "form" not in cmd.doors:
        raise ServiceError(_l("Cette action ne se fait pas par un formulaire."), code="wrong_door")
    return cmd


@security.logs_refusals("form")
@faults.answered  # 503 « réessayez » for a database fault that passes
def run_form(name, form, **given):
    """Run the command `name` from a posted form; `given` are fields the page knows itself
    (the meeting of the URL's Friday) and win over the form's. Return the handler's result or
    raise ServiceError (nothing changed)."""
    cmd = form_command(name)
    actor = current_actor()
    _check_actor(cmd, actor)
    limits.check_creating(name, actor)  # 429 with Retry-After past the member's limit
    values = form_values(cmd.fields, form)
    values.update({k: v for k, v in given.items() if k in cmd.fields and v is not None})
    args = check_fields(cmd.fields, values)
    try:
        return cmd.handler(actor, **args) or {}
    except ServiceError:
        db.session.rollback()
        raise


# -- the JSON API door ------------------------------------------------------------------------

# The numbers every door takes: the database's integer columns hold 32 bits, and no id,
# revision or count of ours is larger (`meeting.cleaning` refuses a larger one at the door).
API_INT_MIN, API_INT_MAX = cleaning.API_INT_MIN, cleaning.API_INT_MAX
_INT_SCHEMA = {"type": "integer", "minimum": API_INT_MIN, "maximum": API_INT_MAX}


def _one_schema(name, kind):
    """The JSON Schema of one type: a text's pattern says what `cleaning.clean_text` refuses
    in that field (no NUL or other control character, no bidi override; one line or several)."""
    if kind is str:
        return {"type": "string", "pattern": cleaning.text_pattern(name)}
    return {int: _INT_SCHEMA, bool: {"type": "boolean"}}[kind]


def _kind_schema(name, kind):
    """The JSON Schema of one declared kind (a type, a tuple of types or a typed list)."""
    if _is_list(kind):
        item = _item_kind(kind)
        return {"type": "array", **({"items": _one_schema(name, item)} if item else {})}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    merged = {}
    for one in kinds:
        merged.update({k: v for k, v in _one_schema(name, one).items() if k != "type"})
    types_ = [_one_schema(name, one)["type"] for one in kinds]
    return {"type": types_[0] if len(types_) == 1 else types_, **merged}


def json_schema(spec):
    """The JSON Schema (2020-12) of a command's fields at the API door, read from the same
    declaration as `json_values` and `check_fields`: an object of the declared fields and no
    other, the required ones never null, the others null or absent when not given."""
    properties, required = {}, []
    for name, (kind, is_required) in spec.items():
        schema = _kind_schema(name, kind)
        if not is_required:
            types_ = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            schema = {**schema, "type": [*types_, "null"]}
        properties[name] = {"title": str(field_label(name)), **schema}
        if is_required:
            required.append(name)
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def json_values(spec, body):
    """Read a JSON request body (bytes) as a command's fields: an object (an empty body is no
    field at all) whose numbers fit in 32 bits (`3.0` is the integer 3, as JSON Schema says)
    and whose texts hold no NUL; `op_id` only for a command that takes it (the socket door lets
    pages send it with every command). Types, required and unknown fields, texts and numbers
    that cannot be stored (`meeting.cleaning`) are `check_fields`'s to say, as at every door."""
    if len(body) > current_app.config["LIVE_MAX_PAYLOAD"]:
        raise ServiceError(
            _l("Le contenu envoyé est trop volumineux."), code="payload_too_large", status=413
        )
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise ServiceError(
            _l("Le corps de la requête n’est pas du JSON valable."), code="malformed"
        ) from None
    if not isinstance(data, dict):
        raise ServiceError(_l("Les données de la commande sont mal formées."), code="malformed")
    if "op_id" in data and "op_id" not in spec:
        raise ServiceError(_l("Champ inattendu : %(name)s.", name="op_id"), code="invalid_field")
    for name in sorted(set(data) & set(spec)):
        data[name] = _whole_numbers(spec[name][0], data[name])
    return data


def _whole_numbers(kind, value):
    """A JSON number without a fractional part is an integer (JSON Schema says `2.0` is one,
    Python reads it as a float): read it as `int` where the field takes integers."""

    def whole(v):
        if isinstance(v, float) and v.is_integer():
            return int(v)
        return v

    if _is_list(kind):
        if _item_kind(kind) is not int or not isinstance(value, list):
            return value
        return [whole(v) for v in value]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return whole(value) if int in kinds else value


def api_command(name):
    """The command the API names, or NotFound if no command of that name takes API calls."""
    cmd = COMMANDS.get(name) if isinstance(name, str) else None
    if cmd is None:
        raise NotFound(_l("Commande inconnue."), code="unknown_command")
    if "api" not in cmd.doors:
        raise NotFound(
            _l("Cette action ne se fait pas par l’API : utilisez la page qui la propose."),
            code="wrong_door",
        )
    return cmd


@security.logs_refusals("api")
@faults.answered  # 503 « réessayez » for a database fault that passes
def run_api(name, body):
    """Run the command `name` from the JSON body (bytes) of an API request: the same checks as
    the other doors (signed in, the permission predicate, typed fields, no unknown field), in
    that order. Return the handler's result or raise ServiceError (nothing changed)."""
    cmd = api_command(name)
    actor = current_actor()
    _check_actor(cmd, actor)
    limits.check_creating(name, actor)  # 429 with Retry-After past the member's limit
    args = check_fields(cmd.fields, json_values(cmd.fields, body))
    try:
        return cmd.handler(actor, **args) or {}
    except ServiceError:
        db.session.rollback()
        raise
