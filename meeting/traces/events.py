"""Socket commands of the trace feed."""

from flask_socketio import join_room

from .. import permissions
from ..commands import command
from ..realtime import TRACES
from . import services


@command(
    "sync_traces",
    allowed=permissions.can_view_traces,
    fields={"after": (int, True), "type": (str, False), "person": ((int, str), False)},
)
def sync_traces(actor, after, type=None, person=None):
    """Sent by a trace page on (re)connect: joins the `traces` room (new traces arrive as
    `trace_added`) and answers with the traces after `after`, oldest first. Broadcasts nothing.
    """
    kind, actor_id = services.clean_filters(type, person)
    join_room(TRACES)
    traces = services.list_traces(
        kind, actor_id, after=max(after, 0), limit=services.CATCH_UP_LIMIT
    )
    return {"traces": services.trace_facts(traces)}
