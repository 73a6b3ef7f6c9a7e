"""Real time: the `/live` namespace, server-chosen rooms, commands in, facts out.

Clients send imperative commands (`sync_traces`) and receive past-tense facts (`trace_added`).
Every command is declared once with `command(...)` in a feature's `events.py`; one dispatcher
checks it (known name, object payload, size, signed in, permission, typed fields), calls the
feature's service, and answers with an ack `{"ok": true, …}` or
`{"ok": false, "error": code, "message": French text}`. Facts are published only after the
database commit (see `pipeline.change`).
"""

import json
import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import current_app, has_request_context, request, session
from flask_babel import force_locale
from flask_login import current_user
from flask_socketio import join_room

from .extensions import db, socketio
from .i18n import _l
from .errors import ServiceError

log = logging.getLogger(__name__)

NAMESPACE = "/live"
PUBLIC = "public"
MEMBERS = "members"
TRACES = "traces"  # pages that show the trace feed live (joined by `sync_traces`)


def member_room(member_id):
    return f"member:{member_id}"


def session_room(session_id):
    return f"session:{session_id}"


def document_room(meeting_id):
    """The shared document of a Friday: signed-in members only (it holds billets d'humeur)."""
    return f"document:{meeting_id}"


# The views of a live Friday. A member's phone and a guest's phone are two audiences: what a
# guest receives never holds a billet, an e-mail address, the member list or a console form.
LIVE_VIEWS = ("console", "screen", "phone", "guest")


def live_room(meeting_id, view):
    """One view of a live Friday (`console`, `screen`, `phone` for members, `guest`)."""
    if view not in LIVE_VIEWS:
        raise ValueError(view)
    return f"live:{meeting_id}:{view}"


def meeting_rooms(meeting_id):
    """Every room of a Friday (for facts every page of it may see, such as its phase)."""
    return [document_room(meeting_id)] + [live_room(meeting_id, v) for v in LIVE_VIEWS]


# -- declaring commands --------------------------------------------------------------------


@dataclass
class Command:
    """A socket command: its handler, who may send it, and the fields it takes."""

    name: str
    handler: object
    allowed: object  # predicate(actor) -> bool, from meeting.permissions
    fields: dict = field(default_factory=dict)  # name -> (type or tuple of types, required)
    signed_in: bool = True


COMMANDS: dict[str, Command] = {}


def command(name, allowed, fields=None, signed_in=True):
    """Declare the socket command `name`, handled by the decorated function(actor, **fields)."""

    def decorate(handler):
        COMMANDS[name] = Command(name, handler, allowed, fields or {}, signed_in)
        return handler

    return decorate


def _refuse(code, message, **extra):
    return {"ok": False, "error": code, "message": str(message), **extra}


_TYPE_NAMES = {
    int: _l("un nombre entier"), str: _l("un texte"), bool: _l("oui ou non"), list: _l("une liste"),
}


def _check_fields(spec, data):
    """Return the typed arguments for a command, or raise ServiceError naming the bad field."""
    unknown = set(data) - set(spec) - {"op_id"}
    if unknown:
        raise ServiceError(
            _l("Champ inattendu : %(name)s.", name=min(unknown)), code="invalid_field"
        )
    args = {}
    for name, (kind, required) in spec.items():
        if name not in data or data[name] is None:
            if required:
                raise ServiceError(
                    _l("Le champ « %(name)s » est obligatoire.", name=name), code="missing_field"
                )
            continue
        value = data[name]
        # bool is an int in Python: refuse True where a number is expected.
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            expected = _TYPE_NAMES.get(kind if isinstance(kind, type) else kind[0], _l("autre chose"))
            raise ServiceError(
                _l("Le champ « %(name)s » doit être %(type)s.", name=name, type=expected),
                code="invalid_field",
            )
        args[name] = value
    return args


def current_actor():
    """The signed-in member, else the guest of a live meeting (joined with its code), else None."""
    if current_user.is_authenticated:
        return current_user._get_current_object()
    from .live.guests import current_guest

    return current_guest()


def dispatch(event, data):
    """Check and run one command; always return an ack, never raise."""
    try:
        cmd = COMMANDS.get(event)
        if cmd is None:
            return _refuse("unknown_command", _l("Commande inconnue."))
        if data is None:
            data = {}
        if not isinstance(data, dict):
            return _refuse("malformed", _l("Les données de la commande sont mal formées."))
        size = len(json.dumps(data, ensure_ascii=False).encode())
        if size > current_app.config["LIVE_MAX_PAYLOAD"]:
            return _refuse("payload_too_large", _l("Le contenu envoyé est trop volumineux."))
        actor = current_actor()
        if cmd.signed_in and not getattr(actor, "is_authenticated", False):
            if actor is not None:  # a guest of the live meeting
                return _refuse("forbidden", _l("Cette action est réservée aux membres."))
            return _refuse("not_signed_in", _l("Connectez-vous pour faire cela."))
        if not cmd.allowed(actor):
            return _refuse("forbidden", _l("Vous n’avez pas le droit de faire cela."))
        args = _check_fields(cmd.fields, data)
        result = cmd.handler(actor, **args) or {}
        return {"ok": True, **result}
    except ServiceError as error:
        db.session.rollback()
        return _refuse(error.code, error.message, **error.details)
    except Exception:
        log.exception("socket command %s failed", event)
        db.session.rollback()
        return _refuse("server_error", _l("Une erreur inattendue est survenue. Rien n’a été enregistré."))
    finally:
        db.session.remove()


# -- publishing facts ----------------------------------------------------------------------


def publish(event, data, room):
    """Send a past-tense fact to one room or a list of rooms (across processes when a message
    queue is set)."""
    socketio.emit(event, data, namespace=NAMESPACE, to=room)


def publish_change(change):
    """Publish the traces and facts of a committed change."""
    if not change.traces and not change.facts:
        return
    if not has_request_context():
        # CLI and background work: render fragments as for a plain request of the place.
        with render_context():
            return _publish_all(change)
    # One fragment goes to every reader: render it in the place's language (French), not in
    # the language the sender happened to choose.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        _publish_all(change)


def _publish_all(change):
    from .traces.services import trace_fact

    # The change's own facts first (what the open pages are waiting for), then its traces, only
    # to the pages that show the feed. The change is committed: a fact that fails to render is
    # logged and its pages are told to resync; it never becomes an error for the sender.
    for event, data, room in change.facts:
        try:
            publish(event, data() if callable(data) else data, room)
        except Exception:
            log.exception("fact %s for %s failed after the commit; its pages resync", event, room)
            try:
                publish("resync", {"reason": "render_failed"}, room)
            except Exception:
                log.exception("resync to %s failed", room)
    for trace, *_ in change.traces:
        try:
            publish("trace_added", trace_fact(trace), room=TRACES)
        except Exception:
            log.exception("trace %s could not be published", trace.id)


# -- "soon" facts: one coalescing emitter --------------------------------------------------------

# A burst of changes (every follower answering a round at once, people arriving on a page)
# would send one fact per change to every page: N² messages. `publish_soon` sends one fact per
# key and delay instead, built after the last commit of the burst.
_soon_lock = threading.Condition()
_soon_keys = set()
_soon_running = 0


def publish_soon(key, build, delay):
    """Call `build()` once, `delay` seconds from now, for every call with the same `key` in the
    meantime; `build` returns a list of (event, data, room) to publish. Runs with this app's
    server and render context (a test's or another app's pages never get it)."""
    global _soon_running
    with _soon_lock:
        if key in _soon_keys:
            return
        _soon_keys.add(key)
        _soon_running += 1
    app = current_app._get_current_object()
    socketio.start_background_task(_publish_later, app, socketio.server, key, build, delay)


def _publish_later(app, server, key, build, delay):
    global _soon_running
    try:
        socketio.sleep(delay)
        with _soon_lock:
            _soon_keys.discard(key)  # a change from now on schedules its own fact
        with render_context(app):
            try:
                for event, data, room in build():
                    server.emit(event, data, namespace=NAMESPACE, to=room)
            except Exception:
                log.exception("coalesced fact %s failed", key)
            finally:
                db.session.remove()
    finally:
        with _soon_lock:
            _soon_running -= 1
            _soon_lock.notify_all()


def wait_for_soon_facts(timeout=5.0):
    """Block until every coalesced fact scheduled so far has been sent (tests, shutdown)."""
    with _soon_lock:
        return _soon_lock.wait_for(lambda: _soon_running == 0, timeout)


def reset_soon():
    global _soon_running
    with _soon_lock:
        _soon_keys.clear()
        _soon_running = 0


@contextmanager
def render_context(app=None):
    """Render fragments outside a page request: the place's language, and (issue 7 item 5) the
    public base URL, sub-path prefix and scheme of the place."""
    app = app or current_app._get_current_object()
    with app.test_request_context("/"), force_locale(app.config["BABEL_DEFAULT_LOCALE"]):
        yield


def close_connections(room):
    """Tell every socket in `room` that it is closed, and disconnect those of this process."""
    publish("connection_closed", {"reason": "signed_out"}, room)
    server = socketio.server
    if server is None:
        return
    for sid, _eio_sid in list(server.manager.get_participants(NAMESPACE, room)):
        server.disconnect(sid, namespace=NAMESPACE)


# -- wiring --------------------------------------------------------------------------------


def register(app):
    """Register the namespace handlers on `socketio` for this app (called by create_app)."""
    from .live import events as _agenda_events  # noqa: F401
    from .members import events as _members_events  # noqa: F401
    from .prep import events as _prep_events  # noqa: F401
    from .prep import presence
    from .traces import events as _traces_events  # noqa: F401

    presence.reset()
    reset_soon()

    @socketio.on("connect", namespace=NAMESPACE)
    def on_connect(auth=None):
        """A browser page connects: the server picks its rooms from the Flask session."""
        try:
            join_room(PUBLIC)
            if current_user.is_authenticated:
                join_room(MEMBERS)
                join_room(member_room(current_user.id))
                if session.get("sid"):
                    join_room(session_room(session["sid"]))
            return True
        finally:
            db.session.remove()

    @socketio.on("disconnect", namespace=NAMESPACE)
    def on_disconnect(*_reason):
        """A page closed or lost its link: it leaves the presence lists it was on."""
        presence.leave(request.sid)

    @socketio.on("*", namespace=NAMESPACE)
    def on_command(event, data=None):
        """Any command from any page: checked and run by `dispatch`, answered by an ack."""
        return dispatch(event, data)

    @socketio.on_error(NAMESPACE)
    def on_error(error):
        log.exception("socket error on %s", request.event if has_request_context() else "?")
        db.session.remove()
        return _refuse("server_error", _l("Une erreur inattendue est survenue."))
