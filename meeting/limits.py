"""Limits on how much one sender may ask at once, at every door (issue 14, item 3).

Flask-Limiter limits a few routes per address (`@limiter.limit` on sign-in, the magic link, the
join code, the public proposal form). This module adds what a decorator on a route cannot do:

- **socket commands** (`socket_command_wait`, read by `commands.dispatch` before anything
  else): a signed-in member's pages together, else the address (guests, anonymous), may send
  `SOCKET_COMMAND_BURST` commands at once, then `SOCKET_COMMAND_RATE` per second;
- **creating commands** through a form or the API (`CREATING_COMMANDS`, `check_creating`, read
  by `commands.run_form` and `commands.run_api`): `FORM_CREATE_RATE_LIMIT` per member;
- **failed sign-ins per account** (`sign_in_wait`, `sign_in_failed`): `SIGNIN_ACCOUNT_RATE_LIMIT`
  wrong passwords per e-mail address (normalised, then hashed: no address is stored), whatever
  the addresses they come from; a success counts nothing and the e-mail link stays open.

Every limit is a moving window of the `limits` library (the one Flask-Limiter uses), kept on
the same storage (`RATELIMIT_STORAGE_URI`): shared by the processes when it is Redis. When that
storage does not answer, the limits go on in this process's memory (one warning per outage) and
Redis is tried again every `RECHECK_SECONDS`. Flask-Limiter's own in-memory fallback does not
cover direct use of its storage (it switches only inside its request hooks), hence ours.
`RATELIMIT_ENABLED=0` turns these limits off with Flask-Limiter's.
"""

import hashlib
import logging
import math
import threading
import time

from flask import after_this_request, current_app, has_request_context, session
from limits import RateLimitItemPerSecond, parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from .errors import ServiceError
from .i18n import _l
from .ops import security

log = logging.getLogger(__name__)

# Commands that create something (an entry, a proposal, a decision, an action, a gift, an
# offer, a token…): their form and API doors share one limit per member. A command whose name
# says it creates (`add_`, `create_`, `propose_`, `record_`, `pledge_`, `issue_`, `open_`…) is
# listed here; tests/test_limits.py checks that no such name is missing.
CREATING_COMMANDS = frozenset(
    {
        "add_action",
        "add_agenda_entries",
        "add_agenda_item",
        "add_budget_point",
        "add_catalogue_item",
        "add_entry",
        "create_api_token",
        "create_calendar_token",
        "create_event",
        "create_feed_token",
        "issue_receipt",
        "open_round",
        "pledge_gift",
        "propose_correction",
        "propose_event",
        "record_catalogue_use",
        "record_decision",
        "record_expense",
        "record_gift",
    }
)
# The name beginnings that say a command creates (for the test above).
CREATING_PREFIXES = ("add_", "create_", "propose_", "record_", "pledge_", "issue_", "open_")

RECHECK_SECONDS = 30  # the shared storage away: how often to try it again
_EXTENSION = "vendredi.limits"
_lock = threading.Lock()


class RateLimited(ServiceError):
    """Too many at once: a 429 that says in how many seconds to try again (`retry_after`)."""

    code = "rate_limited"
    status = 429

    def __init__(self, seconds, message=None):
        message = message or _l(
            "Trop d’actions d’un coup. Réessayez dans %(seconds)s s.", seconds=seconds
        )
        super().__init__(message, retry_after=seconds)
        self.retry_after = seconds


class _Windows:
    """One app's moving windows: on the rate-limit storage, else in this process's memory."""

    def __init__(self, config):
        uri = str(config.get("RATELIMIT_STORAGE_URI") or "memory://")
        self.memory = None
        self.shared = None
        if uri.startswith("memory://"):
            self.memory = MovingWindowRateLimiter(MemoryStorage())
        else:
            options = dict(config.get("RATELIMIT_STORAGE_OPTIONS") or {})
            storage = storage_from_string(uri, wrap_exceptions=True, **options)
            self.shared = MovingWindowRateLimiter(storage)
        self.down_since = None  # when the shared storage last failed to answer

    def _in_memory(self):
        with _lock:
            if self.memory is None:
                self.memory = MovingWindowRateLimiter(MemoryStorage())
            return self.memory

    def run(self, step):
        """`step(strategy)` on the shared storage, or in memory while it does not answer."""
        if self.shared is None:
            return step(self.memory)
        if self.down_since is not None and time.monotonic() - self.down_since < RECHECK_SECONDS:
            return step(self._in_memory())
        try:
            result = step(self.shared)
        except StorageError as error:
            if self.down_since is None:
                log.warning(
                    "rate limit storage unreachable (%s): limits kept in this process's "
                    "memory until it answers again",
                    error.storage_error,
                )
            self.down_since = time.monotonic()
            return step(self._in_memory())
        if self.down_since is not None:
            log.warning("rate limit storage answers again: limits shared again")
            self.down_since = None
        return result


def _windows():
    app = current_app._get_current_object()
    windows = app.extensions.get(_EXTENSION)
    if windows is None:
        with _lock:
            windows = app.extensions.get(_EXTENSION)
            if windows is None:
                windows = app.extensions[_EXTENSION] = _Windows(app.config)
    return windows


def _enabled():
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _wait(strategy, items, key):
    """Seconds until every item allows one more for `key` (0: allowed now)."""
    wait = 0
    for item in items:
        if not strategy.test(item, key):
            reset = strategy.get_window_stats(item, key).reset_time
            wait = max(wait, max(1, math.ceil(reset - time.time())))
    return wait


def _take(items, key):
    """Count one for `key` in every item if all allow it; else the seconds to wait."""

    def step(strategy):
        wait = _wait(strategy, items, key)
        if wait:
            return wait
        for item in items:
            if not strategy.hit(item, key):  # taken meanwhile by another page
                return _wait(strategy, [item], key) or 1
        return 0

    return _windows().run(step)


def _sender_key():
    """Who sends, read without the database: the signed-in member (every page of theirs
    together), else the guest who joined with the code (their attendance: the phones of a room
    share one address behind the place's box), else the client's address (an anonymous page)."""
    member_id = session.get("_user_id")  # where Flask-Login keeps the signed-in member's id
    if member_id:
        return f"member:{member_id}"
    from .live.guests import GUEST_KEY  # here: the live package imports the registry

    guest = session.get(GUEST_KEY)
    if isinstance(guest, dict) and guest.get("attendance_id"):
        return f"guest:{guest['attendance_id']}"
    return f"address:{security.client_address()}"


def _actor_key(actor):
    if getattr(actor, "is_authenticated", False):
        return f"member:{actor.id}"
    return f"address:{security.client_address()}"


# -- socket commands ---------------------------------------------------------------------------


def socket_item(config):
    """The socket commands' window: a burst of B, then R per second (B within any B/R s)."""
    burst = max(1, int(config["SOCKET_COMMAND_BURST"]))
    rate = max(1, int(config["SOCKET_COMMAND_RATE"]))
    return RateLimitItemPerSecond(burst, max(1, math.ceil(burst / rate)))


def socket_command_wait():
    """Count one socket command of this sender; the seconds to wait when it is one too many,
    else 0."""
    if not _enabled():
        return 0
    return _take([socket_item(current_app.config)], "vendredi/socket/" + _sender_key())


# -- creating forms and API calls ----------------------------------------------------------------


def check_creating(name, actor):
    """Count one creating command (`CREATING_COMMANDS`) of this actor through a form or the
    API; raise RateLimited (429, with a `Retry-After` header on the response) when it is one
    too many. Other commands pass uncounted."""
    if name not in CREATING_COMMANDS or not _enabled():
        return
    items = parse_many(current_app.config["FORM_CREATE_RATE_LIMIT"])
    wait = _take(items, "vendredi/create/" + _actor_key(actor))
    if wait:
        retry_after_header(wait)
        raise RateLimited(wait)


def retry_after_header(seconds):
    """Put `Retry-After: seconds` on this request's response if it says 429."""
    if not has_request_context():
        return

    @after_this_request
    def add_header(response):
        if response.status_code == 429:
            response.headers["Retry-After"] = str(int(seconds))
        return response


# -- failed sign-ins, per account --------------------------------------------------------------


def _account_key(email):
    normalised = (email or "").strip().lower()
    return "vendredi/signin/" + hashlib.sha256(normalised.encode()).hexdigest()


def sign_in_wait(email):
    """Seconds before this account may try a password again (0: now)."""
    if not _enabled():
        return 0
    items = parse_many(current_app.config["SIGNIN_ACCOUNT_RATE_LIMIT"])
    key = _account_key(email)
    return _windows().run(lambda strategy: _wait(strategy, items, key))


def sign_in_failed(email):
    """Count one wrong password for this account."""
    if not _enabled():
        return
    items = parse_many(current_app.config["SIGNIN_ACCOUNT_RATE_LIMIT"])
    key = _account_key(email)

    def step(strategy):
        for item in items:
            strategy.hit(item, key)

    _windows().run(step)


def sign_in_locked_message(seconds, mail_link):
    """The French refusal of a locked account: when to try again, and the e-mail link."""
    if seconds < 60:
        when = _l("%(seconds)s s", seconds=seconds)
    else:
        when = _l("%(minutes)s min", minutes=math.ceil(seconds / 60))
    if mail_link:
        return _l(
            "Trop de mots de passe erronés pour ce compte. Réessayez dans %(when)s, ou "
            "recevez un lien de connexion par e-mail ci-dessous.",
            when=when,
        )
    return _l(
        "Trop de mots de passe erronés pour ce compte. Réessayez dans %(when)s, ou "
        "adressez-vous à la conciergerie.",
        when=when,
    )
