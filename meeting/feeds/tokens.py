"""Personal feed tokens: a secret address through which a member's feed reader follows the
decisions and the minutes while the place keeps them for members only.

Only the sha256 of a token is stored (`FeedToken.token_hash`, unique): the token itself is shown
once, when it is made, and a lookup by hash finds it again (the secret never meets a
comparison that could leak it by timing). A token has a scope: "archive" (the Atom feeds of
decisions and minutes) or "calendar" (the personal iCal feed, members-only events included); a
token opens only its own scope. A member has at most one active token per scope: making a new
one revokes the old one of that scope. A revoked or unknown token, a token of another scope, or
the token of a deactivated member, opens nothing.
"""

import hashlib
import logging
import secrets
from datetime import timedelta

from flask import session, url_for
from sqlalchemy import select, update

from .. import permissions
from ..errors import Forbidden, require
from ..extensions import db
from ..i18n import _l
from ..models import FeedToken, Member
from ..models.base import utcnow
from ..pipeline import change

log = logging.getLogger(__name__)

# The query parameter of a personal feed address: `/decisions.atom?jeton=…`.
TOKEN_PARAM = "jeton"
# secrets.token_urlsafe(32) is 43 characters; anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 128
# What a token opens; every function takes `scope="archive"` so the Atom feeds' callers are
# unchanged.
SCOPES = ("archive", "calendar")
# Reading a feed stays a cheap read: when it was last used is written at most once an hour.
USE_GRANULARITY = timedelta(hours=1)

BAD_TOKEN = _l(
    "Cette adresse de flux n’est pas (ou plus) valable. Créez-en une nouvelle sur la page "
    "« Mon profil »."
)


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _scope(scope):
    if scope not in SCOPES:  # a programming error, not a reader's
        raise ValueError(f"unknown feed token scope {scope!r}")
    return scope


def active_token(member, scope="archive"):
    """The member's active feed token row of this scope (None when they have none)."""
    if getattr(member, "id", None) is None:
        return None
    return db.session.scalar(
        select(FeedToken)
        .where(
            FeedToken.member_id == member.id,
            FeedToken.scope == _scope(scope),
            FeedToken.revoked_at.is_(None),
        )
        .order_by(FeedToken.created_at.desc(), FeedToken.id.desc())
        .limit(1)
    )


def _revoke_all(member_id, now, scope):
    return db.session.execute(
        update(FeedToken)
        .where(
            FeedToken.member_id == member_id,
            FeedToken.scope == scope,
            FeedToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    ).rowcount


def create_token(actor, scope="archive"):
    """Make the actor's personal feed token of this scope (revoking the one they had in that
    scope); return it, once."""
    require(permissions.is_member(actor))
    scope = _scope(scope)
    token = secrets.token_urlsafe(32)
    with change() as c:
        now = utcnow()
        replaced = _revoke_all(actor.id, now, scope)
        row = FeedToken(
            token_hash=hash_token(token), member_id=actor.id, scope=scope, created_at=now
        )
        db.session.add(row)
        # Never the token, nor its hash: the trace says that it happened, and whose it is.
        c.trace(
            actor,
            "feed_token_created",
            row,
            member_id=actor.id,
            replaced=bool(replaced),
            scope=scope,
        )
    return token


def revoke_token(actor, scope="archive"):
    """End the actor's personal feed address of this scope for good; False when they had
    none."""
    require(permissions.is_member(actor))
    scope = _scope(scope)
    row = active_token(actor, scope)
    if row is None:
        return False
    with change() as c:
        _revoke_all(actor.id, utcnow(), scope)
        c.trace(actor, "feed_token_revoked", row, member_id=actor.id, scope=scope)
    return True


def reader_for(token, scope="archive"):
    """The (token row, member) a feed address of this scope opens, or Forbidden with a French
    message: unknown, tampered, revoked, of another scope, or the member's account is
    deactivated."""
    scope = _scope(scope)
    if not isinstance(token, str) or not token.strip() or len(token) > MAX_TOKEN_LENGTH:
        raise Forbidden(BAD_TOKEN, code="bad_feed_token")
    row = db.session.scalar(
        select(FeedToken).where(FeedToken.token_hash == hash_token(token.strip()))
    )
    # Rows written before scopes existed read as "archive" (the column's server default).
    if row is None or row.revoked_at is not None or (row.scope or "archive") != scope:
        raise Forbidden(BAD_TOKEN, code="bad_feed_token")
    member = db.session.get(Member, row.member_id)
    if member is None or not member.is_active:
        raise Forbidden(BAD_TOKEN, code="bad_feed_token")
    return row, member


def note_use(row):
    """Remember that a token was just used, at most once an hour (compare-and-set, not traced:
    bookkeeping, not a change someone asked for). Never fails the read that called it."""
    now = utcnow()
    cutoff = now - USE_GRANULARITY
    if row.last_used_at is not None and row.last_used_at >= cutoff:
        return
    try:
        with change():
            db.session.execute(
                update(FeedToken)
                .where(
                    FeedToken.id == row.id,
                    FeedToken.last_used_at.is_(None) | (FeedToken.last_used_at < cutoff),
                )
                .values(last_used_at=now)
            )
    except Exception:  # a busy database must not cost the reader their feed
        log.exception("the last use of feed token %s could not be written", row.id)
        db.session.rollback()


# Carries a new token from the form post that made it to the page that shows it, once (one key
# per scope: the archive's keeps its old name).
_NEW_TOKEN_KEYS = {"archive": "new_feed_token", "calendar": "new_calendar_token"}


def remember_new_token(token, scope="archive"):
    """Keep a just-made token for the next page of this browser (the profile shows it once)."""
    session[_NEW_TOKEN_KEYS[_scope(scope)]] = token


def take_new_token(scope="archive"):
    """The token just made in this browser, if any; it is forgotten as it is read."""
    return session.pop(_NEW_TOKEN_KEYS[_scope(scope)], None)


def feed_addresses(token=None, scope="archive"):
    """The absolute addresses of the feeds of this scope (with `token` when given), at the
    place's public address (PUBLIC_URL, else the request's, sub-path included): `decisions` and
    `minutes` for the archive, `calendar` (the public or personal iCal feed) for the calendar."""
    from ..realtime import request_links

    params = {TOKEN_PARAM: token} if token else {}
    with request_links():
        if _scope(scope) == "calendar":
            endpoint = "calendar_feeds.member_ics" if token else "calendar_feeds.public_ics"
            return {"calendar": url_for(endpoint, _external=True, **params)}
        return {
            "decisions": url_for("feeds.decisions_atom", _external=True, **params),
            "minutes": url_for("feeds.minutes_atom", _external=True, **params),
        }
