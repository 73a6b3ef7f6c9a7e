"""The commands of the token page (`/profil/jetons`): declared in the registry like every other
change, posted as forms only (a token never makes or ends another token)."""

from .. import permissions
from ..commands import command
from . import tokens


@command(
    "create_api_token",
    allowed=permissions.is_member,
    fields={"label": (str, False)},
    doors=("form",),
)
def create_api_token(actor, label=None):
    """Posted by the token page: a new personal API token named `label`, in the answer once
    (traced `api_token_created`, ids only)."""
    row, token = tokens.create_token(actor, label)
    return {"row": row, "token": token}


@command(
    "revoke_api_token",
    allowed=permissions.is_member,
    fields={"token_id": (int, True)},
    doors=("form",),
)
def revoke_api_token(actor, token_id):
    """Posted by the token page: one of the actor's tokens stops working for good (traced
    `api_token_revoked`)."""
    return {"row": tokens.revoke_token(actor, token_id)}
