"""Socket and form commands of the minutes feature (the one command registry).

`write_summary` is sent by the console's "summary" region (the scribe of the day, who runs the
console) and posted by the minutes page of a closed Friday; `validate_minutes` is posted by
the minutes page (and may be sent over the socket). Both re-check the day's roles in the
services (`permissions.can_write_summary`, `can_validate_minutes`).
"""

from .. import permissions
from ..commands import command
from . import summary as scribe

BOTH = ("socket", "form")


@command(
    "write_summary",
    allowed=permissions.is_member,
    fields={"meeting_id": (int, True), "summary": (str, True), "summary_revision": (int, True)},
    doors=BOTH,
)
def write_summary(actor, meeting_id, summary, summary_revision):
    """Sent by the console's summary form (and posted by the minutes page); refused when the
    revision is stale, with the saved text and revision. Broadcasts `live_updated` (region
    "summary") to the console and members' phones, never to the screen or guests."""
    revision = scribe.write_summary(actor, meeting_id, summary, summary_revision)
    return {"summary_revision": revision}


@command(
    "validate_minutes",
    allowed=permissions.is_member,
    fields={"meeting_id": (int, True)},
    doors=BOTH,
)
def validate_minutes(actor, meeting_id):
    """Posted by the minutes page of a closed Friday; broadcasts `live_updated` (region
    "summary": the form gives way), then e-mails the minutes to members after the commit."""
    meeting = scribe.validate_minutes(actor, meeting_id)
    return {"validated_at": meeting.minutes_validated_at.isoformat() + "Z"}
