"""Refused actions, one line each, on the logger `vendredi.security`: who was refused what, at
which door, so that a self-hoster can see someone probing the place (`journalctl -u vendredi
| grep vendredi.security`).

A line reads
`refused kind=permission door=socket member=12 address=203.0.113.5 command=advance_item
code=forbidden`:

- `kind`: `permission`, `not_signed_in`, `rate_limited`, `bad_token`, `csrf`, `origin`;
- `door`: `http` (a page), `form`, `socket`, `api`, `feed`;
- who: the member's id (the one the session or the API token names) and the client's address,
  as the trusted proxies tell it (`meeting/ops/proxies.py`), a socket's too;
- where: the command's name, or the method and the route (its pattern, `/lien/<token>`: never
  the address itself, which may hold a token, nor its query string).

Never a token, a password, a cookie or an e-mail address: nothing the request sent is written
but its method, the name of its route or command, and an `Origin` header refused.

The doors call `refused(…)` where they say no (`meeting/commands.py`, the error pages, the API's
and the feeds' token checks, the socket's origin check); a request writes one line at most, and
a sender at most `BURST` lines a minute of each kind (the next one says `left_out=N`).
Lines are warnings: they show at the default LOG_LEVEL.
"""

import functools
import logging
import threading
import time

from flask import current_app, g, has_app_context, has_request_context, request, session
from flask_login import user_unauthorized

from ..errors import ServiceError

log = logging.getLogger("vendredi.security")

KINDS = frozenset({"permission", "not_signed_in", "rate_limited", "bad_token", "csrf", "origin"})
DOORS = frozenset({"http", "form", "socket", "api", "feed"})

# The refusal codes (ServiceError codes, socket acks) that are refusals of trust, by kind.
# Others (a field missing, a stale revision, a used or expired link) are a person's slips.
CODE_KINDS = {
    "forbidden": "permission",
    "not_signed_in": "not_signed_in",
    "rate_limited": "rate_limited",
    "bad_token": "bad_token",
    "bad_feed_token": "bad_token",
    "csrf_failed": "csrf",
}
# The same for an HTTP status, when no code says more.
STATUS_KINDS = {401: "not_signed_in", 403: "permission", 429: "rate_limited"}

_LOGGED = "vendredi_security_logged"  # on `g`: this request already wrote its line
_MAX_VALUE = 200
# A flood (a script hammering a socket) must not flood the log: per kind, door and sender, at
# most BURST lines per WINDOW_SECONDS; the first line after that says how many were left out.
BURST = 10
WINDOW_SECONDS = 60.0
_MAX_SENDERS = 10_000  # then the counts start again (memory stays bounded)


def refused(kind, door, code=None, member_id=None, detail=None, command=None):
    """Write one line for a refused action (at most one per request or socket event)."""
    if kind not in KINDS or door not in DOORS:
        raise ValueError(f"security event {kind!r} at door {door!r}")
    fields = [("kind", kind), ("door", door)]
    if has_request_context():
        if g.get(_LOGGED):
            return
        g.setdefault(_LOGGED, True)
        member_id = member_id if member_id is not None else _member_id()
        fields += [("member", member_id), ("guest", _guest_id()), ("address", client_address())]
        fields += _where(command)
    else:
        fields += [("member", member_id), ("command", command)]
    fields += [("code", code), ("detail", detail)]
    sender = dict(fields)
    allowed, left_out = _throttle().allow(
        (kind, door, sender.get("member"), sender.get("guest"), sender.get("address"))
    )
    if not allowed:
        return
    fields.append(("left_out", left_out))
    log.warning(
        "refused %s", " ".join(f"{name}={_clean(value)}" for name, value in fields if value)
    )


class Throttle:
    """How many lines each sender wrote in its current window (one per app, so per process)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.windows = {}  # key -> [start, written, left out]

    def allow(self, key):
        """(write this line?, lines left out in the window before it)."""
        now = time.monotonic()
        with self.lock:
            window = self.windows.get(key)
            if window is None or now - window[0] >= WINDOW_SECONDS:
                if len(self.windows) >= _MAX_SENDERS:
                    self.windows.clear()
                self.windows[key] = [now, 1, 0]
                return True, window[2] if window else 0
            if window[1] < BURST:
                window[1] += 1
                return True, 0
            window[2] += 1
            return False, 0


def _throttle():
    if not has_app_context():
        return Throttle()  # outside an app: nothing to count against
    return current_app.extensions.setdefault("vendredi.security", Throttle())


def refused_code(code, door, detail=None):
    """`refused` for a refusal known by its code, when that code is one of trust (else nothing)."""
    kind = CODE_KINDS.get(code)
    if kind is not None:
        refused(kind, door, code=code, detail=detail)


def refused_error(error, door, detail=None, command=None):
    """`refused` for a ServiceError about to be answered, when it is a refusal of trust."""
    kind = CODE_KINDS.get(error.code) or (
        STATUS_KINDS.get(error.status) if error.status in (401, 403) else None
    )
    if kind is not None:
        refused(kind, door, code=error.code, detail=detail, command=command)


def refused_status(status, door, detail=None):
    """`refused` for an HTTP refusal (401, 403, 429) not written yet by a more precise door."""
    kind = STATUS_KINDS.get(status)
    if kind is not None:
        refused(kind, door, code=str(status), detail=detail)


def logs_refusals(door):
    """Decorate a door's `run(name, …)`: a ServiceError of trust it raises is written, then
    raised on as it was."""

    def decorate(run):
        @functools.wraps(run)
        def run_and_log(name, *args, **kwargs):
            try:
                return run(name, *args, **kwargs)
            except ServiceError as error:
                refused_error(error, door, command=name if isinstance(name, str) else None)
                raise

        return run_and_log

    return decorate


def logged():
    """True when this request has written its line already."""
    return has_request_context() and bool(g.get(_LOGGED))


def http_door():
    """The door of the current HTTP request, for a refusal its page or handler answers."""
    path = request.path
    if path == "/api" or path.startswith("/api/"):
        return "api"
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        return "form"
    return "http"


def client_address():
    """The client's address as the trusted proxies tell it. A socket event's request is built
    from its handshake, which never went through ProxyFix (Flask-SocketIO answers before it):
    read it here with the same trust (the untrusted proxies' headers are already gone)."""
    environ = request.environ
    proxies = current_app.config.get("PROXY_COUNT") or 0
    if proxies and "werkzeug.proxy_fix.orig" not in environ:
        from .proxies import proxy_fix

        seen = {}

        def capture(fixed, _start_response):
            seen.update(fixed)
            return []

        proxy_fix(capture, proxies)(dict(environ), None)
        return seen.get("REMOTE_ADDR")
    return request.remote_addr


def _member_id():
    """The member this request acts for, read without the database: the one Flask-Login
    loaded (a session or an API token), else the id the signed session names."""
    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        return getattr(user, "id", None)
    return session.get("_user_id")  # where Flask-Login keeps it


def _guest_id():
    from ..live.guests import GUEST_KEY

    guest = session.get(GUEST_KEY)
    return guest.get("attendance_id") if isinstance(guest, dict) else None


def _where(command=None):
    """The command's name (a socket event's, or the one a form or the API named), and for a
    page the method and the route's pattern."""
    event = getattr(request, "event", None)
    if isinstance(event, dict):  # a socket event (Flask-SocketIO's `request.event`)
        name = event.get("message")
        args = event.get("args") or ()
        if name == "*" and args:  # the catch-all handler: the event's name comes first
            name = args[0]
        return [("command", command or (name if isinstance(name, str) else None))]
    rule = request.url_rule.rule if request.url_rule is not None else request.path
    return [("method", request.method), ("route", rule), ("command", command)]


def _clean(value):
    """A value on one line, without a space or a line break that could forge another field."""
    text = "".join(ch if ch.isprintable() and not ch.isspace() else "_" for ch in str(value))
    return text[:_MAX_VALUE]


@user_unauthorized.connect
def _sign_in_required(_sender, **_extra):
    """A `login_required` view sent an anonymous visitor to the sign-in page. Reading (a
    bookmark, a session that ended) is ordinary; a write without a session is written down."""
    if has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS"):
        refused("not_signed_in", http_door(), code="sign_in_required")


# python-engineio refuses a handshake whose Origin is not the place's own (the protection
# against cross-site socket hijacking) with a 400 and these words, before any handler of ours.
_ORIGIN_REFUSED = b"Not an accepted origin."


class OriginRefusals:
    """The outermost WSGI layer: write down each socket handshake refused for its `Origin`.

    It only watches what the layers inside answer. By then the trusted-proxy layer has removed
    (from the same environ) the forwarded headers that no trusted proxy wrote, so the address
    read from it is the one the trust rule gives."""

    def __init__(self, app, wsgi_app, socket_path="socket.io"):
        self.app = app
        self.wsgi_app = wsgi_app
        self.prefix = "/" + socket_path.strip("/")

    def __call__(self, environ, start_response):
        origin = environ.get("HTTP_ORIGIN")
        if not origin or not (environ.get("PATH_INFO") or "").startswith(self.prefix):
            return self.wsgi_app(environ, start_response)
        seen = {}

        def watch(status, headers, exc_info=None):
            seen["status"] = status
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, watch)
        refused_here = str(seen.get("status", "")).startswith("400") and isinstance(body, list)
        if refused_here and any(_ORIGIN_REFUSED in c for c in body if isinstance(c, bytes)):
            try:
                with self.app.request_context(environ):
                    refused("origin", "socket", code="bad_origin", detail=origin)
            except Exception:  # the refusal stands, whether or not it could be written
                logging.getLogger(__name__).exception("origin refusal not logged")
        return body


def watch_origin_refusals(app):
    """Put `OriginRefusals` around everything the app serves (after the trusted-proxy layer)."""
    app.wsgi_app = OriginRefusals(app, app.wsgi_app)
