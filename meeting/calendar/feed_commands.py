"""Form commands of the calendar feeds (the one command registry): a member's personal
calendar address, made or revoked from the profile page or the subscribe page. Imported by
`feed_views`, so they are declared whenever the app is."""

from .. import permissions
from ..commands import command
from ..feeds import tokens


@command("create_calendar_token", allowed=permissions.is_member, doors=("form",))
def create_calendar_token(actor):
    """Posted by the profile or subscribe page: a new personal calendar address (the old one
    stops working); the token is in the answer, to be shown once (traced `feed_token_created`,
    scope "calendar")."""
    return {"token": tokens.create_token(actor, scope="calendar")}


@command("revoke_calendar_token", allowed=permissions.is_member, doors=("form",))
def revoke_calendar_token(actor):
    """Posted by the profile or subscribe page: the personal calendar address stops working
    (traced `feed_token_revoked`, scope "calendar"; nothing to do when there is none)."""
    return {"revoked": tokens.revoke_token(actor, scope="calendar")}
