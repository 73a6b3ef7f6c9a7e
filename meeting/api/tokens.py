"""Personal API tokens: a member makes one for a program (a script, a phone app), names it,
and revokes it when the program no longer needs it.

Only the sha256 of a token is stored (`ApiToken.token_hash`, unique): the token is shown once,
when it is made, and a lookup by hash finds it again (the secret never meets a comparison that
could leak it by timing). A revoked or unknown token, or the token of a deactivated member,
opens nothing. Making and revoking a token are traced (`api_token_created`,
`api_token_revoked`: ids only, never the token, its hash or its label).
"""

import hashlib
import logging
import secrets
from datetime import timedelta

from flask import session
from sqlalchemy import func, select, update

from .. import faults, permissions
from ..errors import NotFound, ServiceError, require
from ..extensions import db
from ..i18n import _l
from ..models import Member
from ..models.base import utcnow
from ..pipeline import change
from .models import ApiToken

log = logging.getLogger(__name__)

PREFIX = "vdr_"  # lets a person (or a secret scanner) recognise a Vendredi token
MAX_TOKEN_LENGTH = 128  # ours are 47 characters; anything much longer is not one of ours
MAX_LABEL = 80
MAX_ACTIVE = 20
# Using a token stays a cheap read: when it was last used is written at most once an hour.
USE_GRANULARITY = timedelta(hours=1)

BAD_TOKEN = _l(
    "Ce jeton d’API n’est pas (ou plus) valable. Créez-en un nouveau sur la page "
    "« Mes jetons d’API » de votre profil."
)


class BadToken(ServiceError):
    """An `Authorization` header that opens nothing: unknown, revoked, malformed."""

    code = "bad_token"
    status = 401

    def __init__(self, message=None, **kw):
        super().__init__(message or BAD_TOKEN, **kw)


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def clean_label(label):
    """The name a member gives a token: 1 to 80 printable characters."""
    label = (label or "").strip()
    if not label:
        raise ServiceError(
            _l("Donnez un nom à ce jeton (par exemple : « Script du jardin »)."),
            code="missing_field",
            field="label",
        )
    if len(label) > MAX_LABEL:
        raise ServiceError(
            _l("Le nom du jeton est trop long (%(n)s caractères au plus).", n=MAX_LABEL),
            code="invalid_field",
            field="label",
        )
    if not label.isprintable():
        raise ServiceError(
            _l("Le nom du jeton contient un caractère invisible : retirez-le."),
            code="invalid_field",
            field="label",
        )
    return label


def active_tokens(actor):
    """The actor's tokens that still work, newest first."""
    require(permissions.is_member(actor))
    return db.session.scalars(
        select(ApiToken)
        .where(ApiToken.member_id == actor.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()


def create_token(actor, label):
    """Make a new token for the actor, named `label`; return (its row, the token), the token
    once (it is never shown again)."""
    require(permissions.is_member(actor))
    label = clean_label(label)
    active = db.session.scalar(
        select(func.count(ApiToken.id)).where(
            ApiToken.member_id == actor.id, ApiToken.revoked_at.is_(None)
        )
    )
    if active >= MAX_ACTIVE:
        raise ServiceError(
            _l(
                "Vous avez déjà %(n)s jetons actifs : révoquez ceux qui ne servent plus avant "
                "d’en créer un autre.",
                n=MAX_ACTIVE,
            ),
            code="too_many_tokens",
        )
    token = PREFIX + secrets.token_urlsafe(32)
    with change() as c:
        row = ApiToken(token_hash=hash_token(token), member_id=actor.id, label=label)
        db.session.add(row)
        db.session.flush()
        # Never the token, its hash or its label: the trace says that it happened, and whose.
        c.trace(actor, "api_token_created", row, member_id=actor.id, token_id=row.id)
    return row, token


def revoke_token(actor, token_id):
    """End one of the actor's tokens for good (NotFound for anyone else's, or one already
    revoked)."""
    require(permissions.is_member(actor))
    row = db.session.get(ApiToken, token_id) if isinstance(token_id, int) else None
    if row is None or row.member_id != actor.id or row.revoked_at is not None:
        raise NotFound(_l("Ce jeton n’existe pas, ou il est déjà révoqué."))
    with change() as c:
        revoked = db.session.execute(
            update(ApiToken)
            .where(ApiToken.id == row.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        ).rowcount
        if not revoked:  # revoked at the same instant by another request
            raise NotFound(_l("Ce jeton n’existe pas, ou il est déjà révoqué."))
        c.trace(actor, "api_token_revoked", row, member_id=actor.id, token_id=row.id)
    return row


def bearer_token(header):
    """The token of an `Authorization: Bearer <token>` header, or BadToken."""
    scheme, _space, token = (header or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        raise BadToken()
    return token


def member_for(token):
    """(token row, member) that `token` opens, or BadToken: unknown, revoked, or the member's
    account is deactivated."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        raise BadToken()
    member = db.session.get(Member, row.member_id)
    if member is None or not member.is_active:
        raise BadToken()
    return row, member


def note_use(row):
    """Remember that a token was just used, at most once an hour (compare-and-set, not traced:
    bookkeeping, not a change someone asked for). Never fails the request that called it."""
    now = utcnow()
    cutoff = now - USE_GRANULARITY
    if row.last_used_at is not None and row.last_used_at >= cutoff:
        return
    try:
        with change():
            db.session.execute(
                update(ApiToken)
                .where(
                    ApiToken.id == row.id,
                    ApiToken.last_used_at.is_(None) | (ApiToken.last_used_at < cutoff),
                )
                .values(last_used_at=now)
            )
    except Exception as error:  # a busy database must not cost the program its answer
        db.session.rollback()
        kind = faults.classify(error)
        if kind is None:
            log.exception("the last use of API token %s could not be written", row.id)
        else:
            log.warning("the last use of API token %s not noted: the database is %s", row.id, kind)


# Carries a new token from the form post that made it to the page that shows it, once.
_NEW_TOKEN_KEY = "new_api_token"


def remember_new_token(row, token):
    """Keep a just-made token for the next page of this browser (shown once)."""
    session[_NEW_TOKEN_KEY] = {"id": row.id, "label": row.label, "token": token}


def take_new_token():
    """The token just made in this browser, if any ({id, label, token}); forgotten as read."""
    return session.pop(_NEW_TOKEN_KEY, None)
