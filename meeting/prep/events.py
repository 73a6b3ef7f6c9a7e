"""Socket commands of the shared document. Facts go to the room `document:<id>` (members only)."""

from flask import request
from flask_socketio import leave_room

from .. import permissions
from ..commands import command
from ..errors import ServiceError
from ..i18n import _l
from ..labels import field_label
from ..meetings import dates
from ..meetings import services as meetings
from ..realtime import document_day_room, document_room, join_then_read
from . import presence, services


@command(
    "join_document",
    allowed=permissions.can_read_document,
    fields={"meeting_id": (int, False), "day": (str, False)},
)
def join_document(actor, meeting_id=None, day=None):
    """Sent by a document page on every (re)connection; joins `document:<id>` (or, for a Friday
    that has no row yet, the room of its day, told `meeting_created` by the first change) and
    answers with the document exactly as it is now and who is here. Broadcasts
    `presence_changed`."""
    # Join first, then read: a change landing in between reaches this page either way (as a
    # fact in the room, or in what is read).
    if meeting_id is None:
        _day_key(day)  # one of the two is needed
        day_room = document_day_room(dates.parse_meeting_date(day).isoformat())
        join_then_read(day_room)  # a row created from now on is told here (`meeting_created`)
        meeting = meetings.for_day(dates.parse_meeting_date(day))
        meeting_id = meeting.id
        if meeting_id is not None:
            leave_room(day_room)  # it has a row already: the page joins its document's room
    presence.leave(request.sid)  # a page shows one document at a time
    if meeting_id is None:  # nobody wrote for this Friday yet: nothing is stored
        key = f"day:{meeting.scheduled_for.isoformat()}"
        presence.join(key, request.sid, actor)
        return {
            "meeting_id": None,
            "day": meeting.scheduled_for.isoformat(),
            "status": meeting.status,
            "entries": [],
            "people": presence.snapshot(key),
        }
    room = document_room(meeting_id)
    join_then_read(room)
    try:
        state = services.document_state(actor, meeting_id)
    except ServiceError:
        leave_room(room)  # refused: the page gets nothing of this document
        raise
    presence.join(meeting_id, request.sid, actor)
    return {**state, "people": presence.snapshot(meeting_id)}


@command(
    "add_entry",
    allowed=permissions.can_write_document,
    fields={
        "meeting_id": (int, False),
        "day": (str, False),
        "kind": (str, True),
        "title": (str, False),
        "body": (str, True),
        "op_id": (str, False),
        "weather": (str, False),
    },
    doors=("socket", "form", "api"),
)
def add_entry(actor, kind, body, meeting_id=None, day=None, title=None, op_id=None, weather=None):
    """Sent by the add form of a document page (with `day` when the Friday has no row yet: the
    first entry creates it; a billet d'humeur may carry a `weather`, counted anonymously and
    never echoed); broadcasts `entry_added` to the document's room."""
    from ..life.weather import clean_weather

    if kind == "mood":
        clean_weather(weather)  # a bad value creates nothing, not even the Friday's row
    if meeting_id is None:
        meeting_id = meetings.ensure_meeting(dates.parse_meeting_date(day)).id
    entry = services.add_entry(actor, meeting_id, kind, title, body, op_id=op_id, weather=weather)
    sid = getattr(request, "sid", None)  # a form post has no socket
    if sid is not None:
        presence.set_typing(meeting_id, sid, False)
    return {"entry_id": entry.id, "revision": entry.revision, "meeting_id": meeting_id}


@command(
    "edit_entry",
    allowed=permissions.can_write_document,
    fields={
        "entry_id": (int, True),
        "revision": (int, True),
        "title": (str, False),
        "body": (str, True),
        "op_id": (str, False),
    },
    doors=("socket", "form", "api"),
)
def edit_entry(actor, entry_id, revision, body, title=None, op_id=None):
    """Sent by an entry's edit form; broadcasts `entry_edited`, or answers `stale` with the
    current text so that the author can merge."""
    entry = services.edit_entry(actor, entry_id, revision, title, body, op_id=op_id)
    return {"entry_id": entry.id, "revision": entry.revision}


@command(
    "delete_entry",
    allowed=permissions.can_write_document,
    fields={"entry_id": (int, True)},
    doors=("socket", "form", "api"),
)
def delete_entry(actor, entry_id):
    """Sent by an entry's author; broadcasts `entry_deleted`."""
    services.delete_entry(actor, entry_id)
    return {"entry_id": entry_id}


@command(
    "claim_need",
    allowed=permissions.is_member,
    fields={"entry_id": (int, True), "note": (str, False)},
    doors=("socket", "form", "api"),
)
def claim_need(actor, entry_id, note=None):
    """Sent by "Je m'en occupe"; broadcasts `need_claimed`."""
    entry = services.claim_need(actor, entry_id, note)
    return {"entry_id": entry.id, "need_status": entry.need_status}


@command(
    "release_need",
    allowed=permissions.is_member,
    fields={"entry_id": (int, True)},
    doors=("socket", "form", "api"),
)
def release_need(actor, entry_id):
    """Sent by whoever took a need on; broadcasts `need_released`."""
    entry = services.release_need(actor, entry_id)
    return {"entry_id": entry.id, "need_status": entry.need_status}


@command(
    "resolve_need",
    allowed=permissions.is_member,
    fields={"entry_id": (int, True), "outcome": (str, True), "value": (str, False)},
    doors=("socket", "form", "api"),
)
def resolve_need(actor, entry_id, outcome, value=None):
    """Sent by "Satisfait" (with an optional estimated value) / "Abandonner"; broadcasts
    `need_resolved` (which never holds the value) to the document's room."""
    entry = services.resolve_need(actor, entry_id, outcome, value)
    return {"entry_id": entry.id, "need_status": entry.need_status}


@command("preview_markdown", allowed=permissions.can_write_document, fields={"body": (str, True)})
def preview_markdown(actor, body):
    """Sent by the preview tab of a form; answers with the rendered HTML. Broadcasts nothing."""
    return {"html": str(services.preview(actor, body))}


@command(
    "set_typing",
    allowed=permissions.can_write_document,
    fields={"meeting_id": (int, False), "day": (str, False), "typing": (bool, True)},
)
def set_typing(actor, typing, meeting_id=None, day=None):
    """Sent while someone writes (at most every few seconds; with `day` before the Friday has
    a row); broadcasts `presence_changed`."""
    key = meeting_id if meeting_id is not None else _day_key(day)
    return {"present": presence.set_typing(key, request.sid, typing)}


def _day_key(day):
    if day is None:
        raise ServiceError(
            _l("Le champ « %(name)s » est obligatoire.", name=field_label("meeting_id")),
            code="missing_field",
            field="meeting_id",
        )
    return f"day:{dates.parse_meeting_date(day).isoformat()}"
