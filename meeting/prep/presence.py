"""Who is on a document page right now, and who is writing.

Presence is ephemeral and not a change of the domain: it is kept in this process's memory (not
in the database, not traced). With several processes behind a message queue, each process
announces the people connected to it; see the README's deployment notes.
"""

import threading
import time

from flask import render_template

from .. import realtime

TYPING_SECONDS = 6
BROADCAST_DELAY = 0.3  # coalesce bursts of joins into one fact

_lock = threading.Lock()
_rooms: dict[int, dict[str, dict]] = {}
_pending: set[int] = set()


def join(meeting_id, sid, member):
    with _lock:
        _rooms.setdefault(meeting_id, {})[sid] = {
            "member_id": member.id,
            "name": member.display_name,
            "typing_until": 0.0,
        }
    _schedule(meeting_id)


def leave(sid):
    """Forget a closed connection everywhere it was."""
    touched = []
    with _lock:
        for meeting_id, sids in _rooms.items():
            if sids.pop(sid, None) is not None:
                touched.append(meeting_id)
    for meeting_id in touched:
        _schedule(meeting_id)


def set_typing(meeting_id, sid, typing):
    now = time.monotonic()
    with _lock:
        seat = _rooms.get(meeting_id, {}).get(sid)
        if seat is None:
            return False
        was_typing = seat["typing_until"] > now
        seat["typing_until"] = now + TYPING_SECONDS if typing else 0.0
    if typing != was_typing:  # only a change is announced
        _schedule(meeting_id)
    if typing:  # announce the end of "is writing" even if the page says nothing more
        _schedule(meeting_id, delay=TYPING_SECONDS + 0.2)
    return True


def snapshot(meeting_id):
    """People on the page, one line per person, sorted by name."""
    now = time.monotonic()
    people = {}
    with _lock:
        for seat in _rooms.get(meeting_id, {}).values():
            person = people.setdefault(
                seat["member_id"],
                {"member_id": seat["member_id"], "name": seat["name"], "typing": False},
            )
            person["typing"] = person["typing"] or seat["typing_until"] > now
    return sorted(people.values(), key=lambda p: p["name"].lower())


def render(meeting_id):
    return render_template("prep/_presence.html", people=snapshot(meeting_id))


def fact(meeting_id):
    return {"meeting_id": meeting_id, "people": snapshot(meeting_id), "html": render(meeting_id)}


def _schedule(meeting_id, delay=BROADCAST_DELAY):
    realtime.publish_soon(
        ("presence", meeting_id, delay),
        lambda: [("presence_changed", fact(meeting_id), realtime.document_room(meeting_id))],
        delay,
    )


def reset():
    """Forget everything (tests start each app from scratch)."""
    with _lock:
        _rooms.clear()
        _pending.clear()
