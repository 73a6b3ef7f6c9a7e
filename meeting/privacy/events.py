"""Commands of a member's rights over their data (the one command registry; form posts only)."""

from .. import permissions
from ..commands import command
from . import erasure, export


@command("request_data_export", allowed=permissions.is_member, doors=("form",))
def request_data_export(actor):
    """Posted by the profile page (« Télécharger mes données »): a download link for the member's
    own data, signed, bound to this browser session, valid a few minutes (nothing is written)."""
    return {"url": export.request_link(actor), "minutes": export.link_minutes()}


@command(
    "erase_my_account",
    allowed=permissions.is_member,
    fields={"confirmation": (str, True)},
    doors=("form",),
)
def erase_my_account(actor, confirmation):
    """Posted by `/profil/effacer` once the member typed the word: their billets and personal
    data are deleted, their name in the archive becomes a pseudonym, every session of theirs
    ends and its sockets close (traced `member_erased`)."""
    member = erasure.erase(actor, actor.id, confirmation)
    return {"member_id": member.id}


@command(
    "erase_member",
    allowed=permissions.can_manage_members,
    fields={"member_id": (int, True), "confirmation": (str, True)},
    doors=("form",),
)
def erase_member(actor, member_id, confirmation):
    """Posted by an admin from `/admin/membres/<id>/effacer`: the same erasure, for another
    member (traced `member_erased`)."""
    member = erasure.erase(actor, member_id, confirmation)
    return {"member_id": member.id, "pseudonym": member.display_name}
