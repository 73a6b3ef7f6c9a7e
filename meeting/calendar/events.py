"""Commands of the calendar, through the HTML forms of `/agenda/` (no socket room: calendar
pages are read again when loaded)."""

from .. import permissions
from ..commands import command
from . import services

EVENT_FIELDS = {name: (str, False) for name in services.EVENT_FIELD_NAMES}


@command(
    "create_event",
    allowed=permissions.can_manage_calendar,
    fields={**EVENT_FIELDS, "confirm_overlap": (bool, False), "proposal_id": (int, False)},
    doors=("form", "api"),
)
def create_event(actor, confirm_overlap=False, proposal_id=None, **values):
    """Sent by the form of `/agenda/nouveau`; answers with the new event's id."""
    event = services.create_event(actor, values, confirm_overlap, proposal_id)
    return {"event_id": event.id}


@command(
    "edit_event",
    allowed=permissions.can_manage_calendar,
    fields={
        **EVENT_FIELDS,
        "event_id": (int, True),
        "revision": (str, True),
        "confirm_overlap": (bool, False),
    },
    doors=("form", "api"),
)
def edit_event(actor, event_id, revision, confirm_overlap=False, **values):
    """Sent by the form of `/agenda/<id>/modifier`, with the version it was shown at."""
    event = services.edit_event(actor, event_id, values, revision, confirm_overlap)
    return {"event_id": event.id, "sequence": event.sequence}


@command(
    "cancel_event",
    allowed=permissions.can_manage_calendar,
    fields={"event_id": (int, True), "reason": (str, True)},
    doors=("form", "api"),
)
def cancel_event(actor, event_id, reason):
    """Sent by the form of `/agenda/<id>/annuler`."""
    event = services.cancel_event(actor, event_id, reason)
    return {"event_id": event.id}


@command(
    "skip_occurrence",
    allowed=permissions.can_manage_calendar,
    fields={"event_id": (int, True), "occurrence": (str, True)},
    doors=("form", "api"),
)
def skip_occurrence(actor, event_id, occurrence):
    """Sent by the form of `/agenda/<id>/sauter` (one date of a series)."""
    event = services.skip_occurrence(actor, event_id, occurrence)
    return {"event_id": event.id}
