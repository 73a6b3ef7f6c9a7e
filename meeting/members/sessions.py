"""Sessions that end: every signed-in browser has a row (`MemberSession`), named in its signed
cookie by a random `sid` of which only the sha256 is stored. A cookie is accepted only while its
row is open, so a copy kept after sign-out, a password change or a deactivation is worth
nothing, over HTTP and to open a socket.

Sign-in opens a row (`start`), sign-out revokes it (`end`); `end_all` revokes every session of a
member (all of them, or all but the one in hand) and closes their sockets after the commit.
"""

import hashlib
import logging
import secrets
from datetime import timedelta

from flask import current_app, g, has_request_context, request, session
from sqlalchemy import delete, or_, select, update

from .. import faults
from ..extensions import db
from ..i18n import _
from ..models import Member, MemberSession
from ..models.base import utcnow
from ..pipeline import change
from ..realtime import close_connections, session_room

log = logging.getLogger(__name__)

SESSION_KEY = "sid"  # where the signed cookie keeps this browser's session key
# How stale `last_seen_at` may get before a request writes it again (not on every request).
TOUCH_EVERY = timedelta(minutes=5)
_SEEN = "vendredi.session_seen"  # g: (row id, last_seen_at) of this request's session


def lifetime():
    """How long a session not seen stays open: the 30 days of "rester connecté·e"
    (PERMANENT_SESSION_LIFETIME); after that even a kept cookie is refused."""
    return current_app.permanent_session_lifetime


def sid_hash(sid):
    return hashlib.sha256(sid.encode()).hexdigest()


def room_for(sid):
    """The socket room of one browser session (named by the key's hash, never the key)."""
    return session_room(sid_hash(sid))


def current_sid():
    """This browser's session key, or None."""
    sid = session.get(SESSION_KEY) if has_request_context() else None
    return sid if isinstance(sid, str) and sid else None


# -- opening, accepting, ending ------------------------------------------------------------------


def start(member, remember=False, user_agent=""):
    """Open a session row for `member` on this browser and return its new key (to put in the
    fresh cookie session)."""
    sid = secrets.token_urlsafe(32)
    with change():
        # This member's ended sessions go (the profile lists only the open ones).
        db.session.execute(
            delete(MemberSession)
            .where(
                MemberSession.member_id == member.id,
                or_(
                    MemberSession.revoked_at.is_not(None),
                    MemberSession.last_seen_at < utcnow() - lifetime(),
                ),
            )
            .execution_options(synchronize_session=False)
        )
        db.session.add(
            MemberSession(
                member_id=member.id,
                sid_hash=sid_hash(sid),
                user_agent=summarize_user_agent(user_agent),
                remember=bool(remember),
            )
        )
    return sid


def load_member(member_id):
    """Flask-Login's loader: the active member whose open session this cookie names, else None
    (one query, on every request and socket event). A cookie naming no open session loses its
    member, so the browser's next cookie is anonymous."""
    try:
        member_id = int(member_id)
    except (TypeError, ValueError):
        return None
    sid = current_sid()
    found = None
    if sid is not None:
        found = db.session.execute(
            select(Member, MemberSession.id, MemberSession.last_seen_at)
            .join(MemberSession, MemberSession.member_id == Member.id)
            .where(
                Member.id == member_id,
                Member.deactivated_at.is_(None),
                MemberSession.sid_hash == sid_hash(sid),
                MemberSession.revoked_at.is_(None),
                MemberSession.last_seen_at >= utcnow() - lifetime(),
            )
        ).first()
    if found is None:
        # Signed out elsewhere, deactivated, unseen for too long, or from before sessions had
        # rows.
        session.pop("_user_id", None)
        session.pop("_fresh", None)
        session.pop(SESSION_KEY, None)
        return None
    member, row_id, last_seen_at = found
    g.setdefault(_SEEN, (row_id, last_seen_at))
    return member


def touch(response):
    """After a request of a signed-in browser: note that its session was seen, at most every
    `TOUCH_EVERY` (a failure is logged and never changes the answer)."""
    seen = g.pop(_SEEN, None)
    if seen is None or utcnow() - seen[1] < TOUCH_EVERY:
        return response
    try:
        with change():
            db.session.execute(
                update(MemberSession)
                .where(MemberSession.id == seen[0], MemberSession.revoked_at.is_(None))
                .values(last_seen_at=utcnow())
                .execution_options(synchronize_session=False)
            )
    except Exception as error:
        db.session.rollback()
        kind = faults.classify(error)
        if kind is None:
            log.exception("noting when a session was last seen failed")
        else:  # a busy database: a later request writes it
            log.warning("a session's last visit not noted: the database is %s", kind)
    return response


def end(sid):
    """End this browser's session (sign-out): its row is revoked, its sockets closed."""
    if not sid:
        return
    with change() as c:
        db.session.execute(
            update(MemberSession)
            .where(MemberSession.sid_hash == sid_hash(sid), MemberSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        c.after_commit(close_connections, room_for(sid))


def end_all(member_id, keep_sid=None, during=None):
    """End every open session of a member (but the one of `keep_sid`, the browser in hand):
    their rows are revoked and, after the commit, their sockets closed. Inside another service's
    change, pass it as `during`. Returns how many sessions ended."""
    if during is None:
        with change() as c:
            return end_all(member_id, keep_sid, during=c)
    query = select(MemberSession.id, MemberSession.sid_hash).where(
        MemberSession.member_id == member_id, MemberSession.revoked_at.is_(None)
    )
    if keep_sid:
        query = query.where(MemberSession.sid_hash != sid_hash(keep_sid))
    rows = db.session.execute(query).all()
    if rows:
        db.session.execute(
            update(MemberSession)
            .where(MemberSession.id.in_([row.id for row in rows]))
            .values(revoked_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    for row in rows:
        during.after_commit(close_connections, session_room(row.sid_hash))
    return len(rows)


# -- what the profile page shows ------------------------------------------------------------------


def open_sessions(member):
    """The member's open sessions, the most recently seen first (those not seen for longer than
    a cookie lives are gone already: their browser forgot them)."""
    oldest = utcnow() - current_app.permanent_session_lifetime - TOUCH_EVERY
    return db.session.scalars(
        select(MemberSession)
        .where(
            MemberSession.member_id == member.id,
            MemberSession.revoked_at.is_(None),
            MemberSession.last_seen_at >= oldest,
        )
        .order_by(MemberSession.last_seen_at.desc(), MemberSession.id.desc())
    ).all()


def is_current(row):
    """True when `row` is the session of this request's browser."""
    sid = current_sid()
    return sid is not None and row.sid_hash == sid_hash(sid)


def device_label(row):
    """'Firefox sur Linux', from what the browser said when it signed in."""
    browser, _sep, system = (row.user_agent or "").partition("/")
    if browser and system:
        return _("%(browser)s sur %(system)s", browser=browser, system=system)
    if browser or system:
        return browser or system
    return _("Appareil inconnu")


# Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari", Android says "Linux".
_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("CriOS/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def summarize_user_agent(user_agent):
    """'Firefox/Linux' from a User-Agent header: the browser and the system, nothing more (the
    full header would be a fingerprint)."""
    text = str(user_agent or "")[:512]
    browser = next((name for marker, name in _BROWSERS if marker in text), "")
    system = next((name for marker, name in _SYSTEMS if marker in text), "")
    return f"{browser}/{system}" if browser or system else ""


def request_user_agent():
    """This request's User-Agent header (empty without a request)."""
    return request.headers.get("User-Agent", "") if has_request_context() else ""
