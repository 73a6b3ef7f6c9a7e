"""Socket and form commands of the actions feature (the one command registry).

Facts go to the `actions` room (members on an actions page, joined by `sync_actions`)."""

from flask_socketio import join_room

from .. import permissions
from ..commands import command
from ..errors import ServiceError
from ..i18n import _l
from . import services


@command(
    "sync_actions",
    allowed=permissions.can_view_actions,
    fields={"view": (str, True)},
)
def sync_actions(actor, view):
    """Sent by an actions page on every (re)connection: joins the `actions` room (changes
    arrive as `action_changed`) and answers with the page's lists as they are now (`html`),
    so that a page that missed facts catches up. Broadcasts nothing."""
    if view not in services.VIEWS:
        raise ServiceError(
            _l("Cette liste d’actions n’existe pas."), code="invalid_field", field="view"
        )
    # Join first, then read: a change landing in between reaches the page either way.
    join_room(services.ACTIONS)
    lists = services.my_actions(actor) if view == "mine" else services.everyone_actions(actor)
    return {
        "html": services.render_lists(lists, actor),
        "count": services.count_text(lists.open_count),
    }


@command(
    "complete_action",
    allowed=permissions.can_view_actions,
    fields={"action_id": (int, True)},
    doors=("socket", "form", "api"),
)
def complete_action(actor, action_id):
    """Sent by the owner's button "Marquer faite" (actions pages); broadcasts `action_changed`
    to the `actions` room. The ack carries the same fact, for the page that sent it."""
    services.complete_action(actor, action_id)
    return {"fact": services.action_fact(action_id)}


@command(
    "reopen_action",
    allowed=permissions.can_view_actions,
    fields={"action_id": (int, True)},
    doors=("socket", "form", "api"),
)
def reopen_action(actor, action_id):
    """Sent by the owner's button "Rouvrir"; broadcasts `action_changed` to the `actions` room.
    The ack carries the same fact."""
    services.reopen_action(actor, action_id)
    return {"fact": services.action_fact(action_id)}
