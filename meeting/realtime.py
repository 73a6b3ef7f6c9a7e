"""Real time: the `/live` namespace, server-chosen rooms, commands in, facts out.

Clients send imperative commands (`sync_traces`) and receive past-tense facts (`trace_added`).
Commands are declared once in the registry (`meeting.commands`), which HTML form posts read
too; `commands.dispatch` checks a socket command and answers with an ack `{"ok": true, …}` or
`{"ok": false, "error": code, "message": French text}`. Facts are published only after the
database commit (see `pipeline.change`).
"""

import json
import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, session
from flask_babel import force_locale
from flask_login import current_user
from flask_socketio import join_room
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Request

from .commands import dispatch, refusal
from .extensions import db, socketio
from .i18n import _l
from .ops import security

log = logging.getLogger(__name__)

NAMESPACE = "/live"
PUBLIC = "public"
MEMBERS = "members"
TRACES = "traces"  # pages that show the trace feed live (joined by `sync_traces`)


class Utf8Json:
    """The JSON of Socket.IO packets, in UTF-8 rather than `\\u` escapes: French text (é, ’,
    « », non-breaking spaces) is 2–3 bytes a character on the wire instead of 6, so a phone's
    fact is about a tenth smaller. Packets are text frames, UTF-8 by the protocol."""

    @staticmethod
    def dumps(obj, **kwargs):
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(obj, **kwargs)

    @staticmethod
    def loads(text, **kwargs):
        return json.loads(text, **kwargs)


def member_room(member_id):
    return f"member:{member_id}"


def session_room(session_id):
    return f"session:{session_id}"


def document_room(meeting_id):
    """The shared document of a Friday: signed-in members only (it holds billets d'humeur)."""
    return f"document:{meeting_id}"


def document_day_room(day):
    """The document of a Friday that has no row yet (`day` in ISO form): its pages wait there
    for the first change, which creates the row (`meeting_created`)."""
    return document_room(f"day:{day}")


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


# -- pages arriving all at once -----------------------------------------------------------------

# When the room's Wi-Fi blinks, every phone comes back in the same second: each connection and
# its join is a few milliseconds of the one core a process has. Taken all at once, they pushed
# the facilitator's next command behind hundreds of them (p99 1.2 s at 500 phones under gevent,
# bench/live_session.py). Two arrivals are handled at a time; the others wait without using the
# processor, and a command from a page already there goes between them (p99 0.3-0.5 s over
# four runs; every phone is current again in 1.7-2.1 s, as before the gate).
ARRIVALS_AT_ONCE = 2
ARRIVING = frozenset({"join_live", "join_document"})  # what a page sends as it (re)connects
ARRIVAL_WAIT_SECONDS = 10.0  # past it, an arrival goes ahead anyway: never refused for this
_arrivals = None
_arrivals_lock = threading.Lock()


@contextmanager
def arrival():
    """Around what a page's (re)connection costs: its connect and its join."""
    global _arrivals
    if _arrivals is None:
        with _arrivals_lock:  # made on first use: after gevent has patched `threading`
            if _arrivals is None:
                _arrivals = threading.BoundedSemaphore(ARRIVALS_AT_ONCE)
    taken = _arrivals.acquire(timeout=ARRIVAL_WAIT_SECONDS)
    try:
        yield
    finally:
        if taken:
            _arrivals.release()


# -- publishing facts ----------------------------------------------------------------------


def join_then_read(room):
    """Put the current page in `room`, then end any read begun before (the member read at the
    event's start): what the handler reads next sees every change committed until the page
    joined, and every later one reaches it as a fact in the room. Nothing falls between."""
    from .pipeline import read_from_now

    join_room(room)
    read_from_now()


def publish(event, data, room):
    """Send a past-tense fact to one room or a list of rooms (across processes when a message
    queue is set)."""
    socketio.emit(event, data, namespace=NAMESPACE, to=room)


def nobody_in(room):
    """True when no page at all can receive a fact sent to `room` (or to every room of a list):
    one process (no message queue: another process's pages are out of sight) and none of its
    pages in those rooms. Facts built after the commit are then not built (a trace's sentence
    and fragment when no page shows the trace feed)."""
    if current_app.config.get("SOCKETIO_MESSAGE_QUEUE"):
        return False
    server = socketio.server
    if server is None:
        return False
    rooms = [room] if isinstance(room, str) else list(room)
    return next(iter(server.manager.get_participants(NAMESPACE, rooms)), None) is None


def publish_change(change):
    """Publish the traces and facts of a committed change."""
    if not change.traces and not change.facts:
        return
    # One fragment goes to every reader: its links point at the place's public address and it
    # is in the place's language (French), not the language the sender happened to choose.
    with fragment_context():
        _publish_all(change)


def _publish_all(change):
    from .traces.services import is_shared, trace_fact

    # The change's own facts first (what the open pages are waiting for), then its traces, only
    # to the pages that show the feed. The change is committed: a fact that fails to render is
    # logged and its pages are told to resync; it never becomes an error for the sender.
    for event, data, room in change.facts:
        if callable(data) and nobody_in(room):
            continue  # no page could receive it: it is not built at all
        try:
            publish(event, data() if callable(data) else data, room)
        except Exception:
            log.exception("fact %s for %s failed after the commit; its pages resync", event, room)
            try:
                publish("resync", {"reason": "render_failed"}, room)
            except Exception:
                log.exception("resync to %s failed", room)
    traces_heard = not nobody_in(TRACES)
    for trace, *_ in change.traces:
        if not is_shared(trace) or not traces_heard:
            continue
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
    origin = request_origin()  # the page or socket that caused it: where its links point
    socketio.start_background_task(_publish_later, app, socketio.server, key, build, delay, origin)


def _publish_later(app, server, key, build, delay, origin=None):
    global _soon_running
    try:
        socketio.sleep(delay)
        with _soon_lock:
            _soon_keys.discard(key)  # a change from now on schedules its own fact
        with render_context(app, origin):
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


# -- the render context: where the links of fragments and e-mails point -------------------------

# Links in a fragment or an e-mail must lead where people reach the place: behind nginx under
# `/vendredi/`, over HTTPS. A page request knows that once ProxyFix has read the proxy's
# headers. A socket event does not: Flask-SocketIO's middleware answers before ProxyFix, and its
# request context is built from the socket's handshake as the proxy sent it. Background work
# has no request at all. So every fragment and e-mail link is built from one origin, in this
# order: PUBLIC_URL when set; else the origin of the request that caused the work (a page as
# ProxyFix saw it, or a socket's handshake read with the same PROXY_COUNT trust rule); else a
# plain local `/`.

_ORIGIN_KEY = "vendredi.origin"  # cached in the WSGI environ (a socket's lives as long as it)


@dataclass(frozen=True)
class Origin:
    """Where the place is reached: scheme, host (with its port) and sub-path prefix ('' at /)."""

    scheme: str
    host: str
    prefix: str = ""

    @property
    def base_url(self):
        return f"{self.scheme}://{self.host}{self.prefix}/"


def public_origin(app=None):
    """The origin written in PUBLIC_URL (`https://le97.example/vendredi`), or None."""
    app = app or current_app
    url = (app.config.get("PUBLIC_URL") or "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        log.warning("PUBLIC_URL %r is not an http(s) address: ignored", url)
        return None
    return Origin(parts.scheme, parts.netloc, parts.path.rstrip("/"))


def _as_proxy_fix_sees_it(environ, proxies):
    """A copy of `environ` as ProxyFix makes it behind `proxies` trusted proxies."""
    seen = {}

    def capture(fixed, _start_response):
        seen.update(fixed)
        return []

    ProxyFix(capture, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=proxies)(
        dict(environ), None
    )
    return seen


def request_origin():
    """The origin of the current request (a page, or a socket's handshake), or None outside one."""
    if not has_request_context():
        return None
    environ = request.environ
    origin = environ.get(_ORIGIN_KEY)
    if origin is None:
        proxies = current_app.config.get("PROXY_COUNT") or 0
        if proxies and "werkzeug.proxy_fix.orig" not in environ:
            # A socket event: its environ is the handshake's, which ProxyFix never saw.
            seen = Request(_as_proxy_fix_sees_it(environ, proxies), shallow=True)
        else:
            seen = request
        origin = Origin(seen.scheme, seen.host, seen.root_path.rstrip("/"))
        environ[_ORIGIN_KEY] = origin
    return origin


def place_origin(fallback=None):
    """PUBLIC_URL, else the current request's origin, else `fallback` (captured earlier)."""
    return public_origin() or request_origin() or fallback


def _url_holder():
    """The context object whose `url_adapter` `url_for` reads in a request (Flask 3.1; 3.2 has
    it on the app context)."""
    from flask import globals as flask_globals

    for name in ("_cv_request", "_cv_app"):
        var = getattr(flask_globals, name, None)
        holder = var.get(None) if var is not None else None
        if holder is not None and hasattr(holder, "url_adapter"):
            return holder
    return None


@contextmanager
def request_links():
    """Inside a request (a socket event above all): `url_for` builds the place's links, at its
    public origin, with its sub-path prefix and scheme. Outside a request: nothing changes."""
    holder = _url_holder() if has_request_context() else None
    try:
        origin = place_origin() if holder is not None else None
    except Exception:  # links as the request sees them, rather than no answer at all
        log.exception("the origin of this request could not be read")
        origin = None
    if origin is None:
        yield
        return
    saved = holder.url_adapter
    holder.url_adapter = current_app.url_map.bind(
        origin.host, script_name=origin.prefix or "/", url_scheme=origin.scheme
    )
    try:
        yield
    finally:
        holder.url_adapter = saved


@contextmanager
def render_context(app=None, origin=None):
    """Render fragments and e-mails outside a page request: a request context at the place's
    public base URL (PUBLIC_URL, else `origin`, captured from the request that caused the work,
    else a plain local `/`), in the place's language."""
    app = app or current_app._get_current_object()
    origin = public_origin(app) or origin
    base_url = origin.base_url if origin else None
    with (
        app.test_request_context("/", base_url=base_url),
        force_locale(app.config["BABEL_DEFAULT_LOCALE"]),
    ):
        yield


@contextmanager
def fragment_context(app=None):
    """Where a fact's fragments are rendered, in a request or not: the place's origin and
    language."""
    if has_request_context():
        with request_links(), force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            yield
    else:
        with render_context(app):
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
    from .actions import events as _actions_events  # noqa: F401
    from .api import events as _api_events  # noqa: F401
    from .calendar import events as _calendar_events  # noqa: F401
    from .catchup import events as _catchup_events  # noqa: F401
    from .decisions import events as _decisions_events  # noqa: F401
    from .economy.budget import events as _budget_events  # noqa: F401
    from .economy.catalogue import events as _catalogue_events  # noqa: F401
    from .economy.gifts import events as _gifts_events  # noqa: F401
    from .feeds import events as _feeds_events  # noqa: F401
    from .life import events as _life_events  # noqa: F401
    from .live import events as _agenda_events  # noqa: F401
    from .live import snapshots
    from .members import events as _members_events  # noqa: F401
    from .minutes import events as _minutes_events  # noqa: F401
    from .notifications import events as _notifications_events  # noqa: F401
    from .prep import events as _prep_events  # noqa: F401
    from .prep import presence
    from .proposals import events as _proposals_events  # noqa: F401
    from .search import events as _search_events  # noqa: F401
    from .traces import events as _traces_events  # noqa: F401

    presence.reset()
    reset_soon()
    snapshots.reset()
    # The same-origin check is python-engineio's; a handshake it refuses goes to the security log.
    security.watch_origin_refusals(app)

    def sent_by_the_page():
        """python-socketio runs the connect and disconnect handlers for an ordinary event a
        page names "connect" or "disconnect" too: then the connection is fully open, where a
        real one is still connecting or already closing."""
        return socketio.server.manager.is_connected(request.sid, NAMESPACE)

    @socketio.on("connect", namespace=NAMESPACE)
    def on_connect(auth=None):
        """A browser page connects: the server picks its rooms from the Flask session. A
        cookie that names a member whose session has ended (signed out, deactivated, password
        changed elsewhere) is refused: the page signs in again over HTTP."""
        from .members import sessions

        if sent_by_the_page():
            return refusal("unknown_command", _l("Commande inconnue."))
        with arrival():
            try:
                named_member = "_user_id" in session  # read first: a refused cookie loses it
                if not current_user.is_authenticated and named_member:
                    security.refused_code("not_signed_in", "socket")
                    return False
                join_room(PUBLIC)
                if current_user.is_authenticated:
                    join_room(MEMBERS)
                    join_room(member_room(current_user.id))
                    sid = sessions.current_sid()
                    if sid:
                        join_room(sessions.room_for(sid))
                return True
            finally:
                db.session.remove()

    @socketio.on("disconnect", namespace=NAMESPACE)
    def on_disconnect(*_reason):
        """A page closed or lost its link: it leaves the presence lists it was on."""
        if sent_by_the_page():
            return refusal("unknown_command", _l("Commande inconnue."))
        presence.leave(request.sid)

    @socketio.on("*", namespace=NAMESPACE)
    def on_command(event, data=None, *more):
        """Any command from any page: checked and run by `dispatch`, answered by an ack."""
        if more:  # a command is one object: several arguments are refused as malformed
            data = [data, *more]
        with request_links():  # the socket's request never passed ProxyFix
            if event in ARRIVING:  # a room of phones coming back together: a few at a time
                with arrival():
                    return dispatch(event, data)
            return dispatch(event, data)

    @socketio.on_error(NAMESPACE)
    def on_error(error):
        log.exception("socket error on %s", request.event if has_request_context() else "?")
        db.session.remove()
        return refusal("server_error", _l("Une erreur inattendue est survenue."))
