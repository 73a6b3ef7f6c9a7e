"""Socket and form commands of "ce que vous avez manqué" (the one command registry)."""

from .. import permissions
from ..commands import command
from . import services


@command(
    "mark_caught_up",
    allowed=permissions.is_member,
    fields={"seen_until": (str, True)},
    doors=("socket", "form"),
)
def mark_caught_up(actor, seen_until):
    """Sent by "Marquer comme lu" on home (a form post, or the socket), with the time of the
    newest item the page showed; broadcasts `caught_up` to the member's own room."""
    caught_up_at = services.mark_caught_up(actor, seen_until)
    return {"caught_up_at": caught_up_at.isoformat() if caught_up_at else None}
