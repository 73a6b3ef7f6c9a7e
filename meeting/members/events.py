"""Commands of the members feature (the one command registry). Accounts change through pages;
the treasurer flag goes through the admin page's form."""

from .. import permissions
from ..commands import command
from . import services, sessions


@command(
    "set_treasurer",
    allowed=permissions.can_manage_members,
    fields={"member_id": (int, True), "treasurer": (bool, True)},
    doors=("form",),
)
def set_treasurer(actor, member_id, treasurer):
    """Posted by the admin page of members: the member keeps the accounts, or no longer
    (traced `treasurer_changed`)."""
    member = services.set_treasurer(actor, member_id, treasurer)
    return {"member_id": member.id, "treasurer": member.is_treasurer}


@command("end_other_sessions", allowed=permissions.is_member, doors=("form",))
def end_other_sessions(actor):
    """Posted by the profile page (« Se déconnecter des autres appareils »): every session of
    the member but this browser's ends, and their sockets close (not traced)."""
    return {"ended": sessions.end_all(actor.id, keep_sid=sessions.current_sid())}
