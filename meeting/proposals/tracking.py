"""The private status link of a proposal made from outside: `/propositions/suivi/<token>`.

The token is derived from the place's secret key and the proposal (HMAC-SHA256, 256 bits, the
shape of `secrets.token_urlsafe(32)`); only its sha256 is stored (`status_token_hash`) and a
token is found by that hash alone. It is derived rather than random because every e-mail
about the proposal carries the link again, and the database keeps no copy of it: a stolen
database gives no link. Changing SECRET_KEY makes the old links unknown (404).
"""

import base64
import hashlib
import hmac
import re

from flask import current_app, url_for
from sqlalchemy import select

from ..errors import NotFound
from ..extensions import db
from ..i18n import _l
from ..models import EventProposal

# 32 bytes in URL-safe base64 without padding: 43 characters.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def _unknown():
    # One message for a tampered, unknown or malformed link: nothing says which.
    return NotFound(_l("Ce lien de suivi n’est pas valable. Vérifiez l’adresse reçue par e-mail."))


def token_for(proposal):
    """The status token of a proposal (the same every time it is asked)."""
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    stamp = proposal.created_at.replace(tzinfo=None).isoformat()
    message = f"vendredi-proposal-status\0{proposal.id}\0{stamp}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def find_by_token(token):
    """The proposal of a status token, or NotFound (French) for any other text."""
    if not isinstance(token, str) or not TOKEN_RE.match(token):
        raise _unknown()
    proposal = db.session.scalar(
        select(EventProposal).where(EventProposal.status_token_hash == hash_token(token))
    )
    if proposal is None or proposal.outside_email is None:
        raise _unknown()
    return proposal


def status_url(proposal, external=True):
    """The status page's address (absolute by default: for e-mails and the thank-you page)."""
    return url_for("proposals.track", token=token_for(proposal), _external=external)
