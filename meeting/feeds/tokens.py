"""Personal feed tokens: a secret address through which a member's feed reader follows the
decisions and the minutes while the place keeps them for members only.

Only the sha256 of a token is stored (`FeedToken.token_hash`, unique): the token itself is shown
once, when it is made, and a lookup by hash finds it again (the secret never meets a
comparison that could leak it by timing). A member has at most one active token: making a new
one revokes the old. A revoked or unknown token, or the token of a deactivated member, opens
nothing.
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
# Reading a feed stays a cheap read: when it was last used is written at most once an hour.
USE_GRANULARITY = timedelta(hours=1)

BAD_TOKEN = _l(
    "Cette adresse de flux n’est pas (ou plus) valable. Créez-en une nouvelle sur la page "
    "« Mon profil »."
)


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def active_token(member):
    """The member's active feed token row (None when they have none)."""
    if getattr(member, "id", None) is None:
        return None
    return db.session.scalar(
        select(FeedToken)
        .where(FeedToken.member_id == member.id, FeedToken.revoked_at.is_(None))
        .order_by(FeedToken.created_at.desc(), FeedToken.id.desc())
        .limit(1)
    )


def _revoke_all(member_id, now):
    return db.session.execute(
        update(FeedToken)
        .where(FeedToken.member_id == member_id, FeedToken.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount


def create_token(actor):
    """Make the actor's personal feed token (revoking the one they had); return it, once."""
    require(permissions.is_member(actor))
    token = secrets.token_urlsafe(32)
    with change() as c:
        now = utcnow()
        replaced = _revoke_all(actor.id, now)
        row = FeedToken(token_hash=hash_token(token), member_id=actor.id, created_at=now)
        db.session.add(row)
        # Never the token, nor its hash: the trace says that it happened, and whose it is.
        c.trace(actor, "feed_token_created", row, member_id=actor.id, replaced=bool(replaced))
    return token


def revoke_token(actor):
    """End the actor's personal feed address for good; False when they had none."""
    require(permissions.is_member(actor))
    row = active_token(actor)
    if row is None:
        return False
    with change() as c:
        _revoke_all(actor.id, utcnow())
        c.trace(actor, "feed_token_revoked", row, member_id=actor.id)
    return True


def reader_for(token):
    """The (token row, member) a feed address opens, or Forbidden with a French message:
    unknown, tampered, revoked, or the member's account is deactivated."""
    if not isinstance(token, str) or not token.strip() or len(token) > MAX_TOKEN_LENGTH:
        raise Forbidden(BAD_TOKEN, code="bad_feed_token")
    row = db.session.scalar(
        select(FeedToken).where(FeedToken.token_hash == hash_token(token.strip()))
    )
    if row is None or row.revoked_at is not None:
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


# Carries a new token from the form post that made it to the page that shows it, once.
_NEW_TOKEN_KEY = "new_feed_token"


def remember_new_token(token):
    """Keep a just-made token for the next page of this browser (the profile shows it once)."""
    session[_NEW_TOKEN_KEY] = token


def take_new_token():
    """The token just made in this browser, if any; it is forgotten as it is read."""
    return session.pop(_NEW_TOKEN_KEY, None)


def feed_addresses(token=None):
    """The absolute addresses of the feeds (with `token` when given), at the place's public
    address (PUBLIC_URL, else the request's, sub-path included)."""
    from ..realtime import request_links

    params = {TOKEN_PARAM: token} if token else {}
    with request_links():
        return {
            "decisions": url_for("feeds.decisions_atom", _external=True, **params),
            "minutes": url_for("feeds.minutes_atom", _external=True, **params),
        }
