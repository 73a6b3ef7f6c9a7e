"""Form commands of the feeds feature (the one command registry): the place's publication
setting (admin page) and a member's personal feed address (profile page)."""

from .. import permissions, place
from ..commands import command
from . import tokens


@command(
    "set_publication",
    allowed=permissions.is_admin,
    fields={"publication": (str, True)},
    doors=("form",),
)
def set_publication(actor, publication):
    """Posted by the admin page: decisions and minutes public, or for members only (traced
    `publication_changed`)."""
    return {"publication": place.set_publication(actor, publication)}


@command("create_feed_token", allowed=permissions.is_member, doors=("form",))
def create_feed_token(actor):
    """Posted by the profile page: a new personal feed address (the old one stops working);
    the token is in the answer, to be shown once (traced `feed_token_created`)."""
    return {"token": tokens.create_token(actor)}


@command("revoke_feed_token", allowed=permissions.is_member, doors=("form",))
def revoke_feed_token(actor):
    """Posted by the profile page: the personal feed address stops working (traced
    `feed_token_revoked`; nothing to do when there is none)."""
    return {"revoked": tokens.revoke_token(actor)}
