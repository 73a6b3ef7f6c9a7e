"""Socket and form commands of notifications, and the live side of "Mes propositions".

Facts go to the member's own room `member:<id>` (joined on connect): `notifications_changed`
(the unread count) and `proposal_changed` (a row of "Mes propositions"). Importing this module
(realtime.register does) hangs the proposer's e-mail, notification and live row on every step
of a proposal's history (`proposals.services.on_status_changed`)."""

from .. import permissions
from ..commands import command
from ..proposals import notices
from ..proposals import services as proposals
from . import services

if notices.tell_proposer not in proposals.STATUS_HOOKS:
    proposals.on_status_changed(notices.tell_proposer)


@command("mark_notifications_read", allowed=permissions.is_member, doors=("socket", "form"))
def mark_notifications_read(actor):
    """Sent by "Tout marquer comme lu" on `/notifications`; tells the member's own room
    `notifications_changed`. Answers how many were unread."""
    return {"marked": services.mark_all_read(actor), **services.count_fact(actor.id)}


@command("sync_proposals", allowed=permissions.is_member)
def sync_proposals(actor):
    """Sent by "Mes propositions" on every (re)connection: answers the rows as they are now
    (`html`), so a page that missed `proposal_changed` facts catches up. Broadcasts nothing."""
    return {"html": notices.render_cards(proposals.my_proposals(actor))}
