"""Read routes of the Fridays: the Fridays themselves, their shared document's entries and
their agenda; and who is calling (`/me`).

Who reads what, by the features' own predicates: a Friday's document (entries, billets
d'humeur included) is for members (`can_read_document`); its agenda for whoever may follow it
live (`can_follow_live`: members, and that Friday's guests); the Fridays themselves for members,
and, when the place publishes its archive (`can_read_archive`), the closed ones for anyone, as
their public minutes are.
"""

from datetime import date

from flask import Blueprint, url_for
from sqlalchemy import select

from .. import markdown, permissions
from ..i18n import _l
from ..labels import (
    ITEM_KIND_LABELS,
    ITEM_STATUS_LABELS,
    KIND_LABELS,
    MEETING_STATUS_LABELS,
    NEED_LABELS,
)
from ..live import services as live
from ..meetings import services as meetings
from ..models import ENTRY_KINDS, MEETING_STATUSES, Meeting
from ..prep import services as prep
from ..prep.views import entry_author
from . import reads
from .reads import (
    BOOLEAN,
    DATE,
    DATETIME,
    INTEGER,
    LABELLED,
    PERSON,
    STRING,
    nullable,
    obj,
    one_of,
    operation,
    page_of,
    require_reader,
)

bp = Blueprint("meetings", __name__)

DAY = {
    "day": {
        "type": "string",
        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        "description": _l("La date du vendredi, AAAA-MM-JJ."),
    }
}


def _label(labels, key):
    return str(labels.get(key, key)) if key is not None else None


# -- the Fridays -------------------------------------------------------------------------------

MEETING = obj(
    id=nullable(INTEGER),  # null: a coming Friday nobody has written for yet (no row)
    date=DATE,
    status={"enum": list(MEETING_STATUSES)},
    status_label=LABELLED,
    starts_at=DATETIME,
    ends_at=DATETIME,
    document_url=nullable(STRING),
    minutes_url=nullable(STRING),
)
MEETING_DETAIL = obj(
    **MEETING["properties"],
    # Members only (null otherwise): what the console's commands are checked against, and the
    # document's counts by kind.
    agenda_revision=nullable(INTEGER),
    live_revision=nullable(INTEGER),
    counts=nullable(obj(**{kind: INTEGER for kind in ENTRY_KINDS})),
)


def meeting_json(meeting, actor, detail=False):
    member = permissions.is_member(actor)
    day = meeting.scheduled_for.isoformat()
    public_minutes = meeting.status == "closed" and permissions.can_read_archive(actor)
    data = {
        "id": meeting.id,
        "date": day,
        "status": meeting.status,
        "status_label": _label(MEETING_STATUS_LABELS, meeting.status),
        "starts_at": reads.on_day(meeting.scheduled_for, meeting.starts_at),
        "ends_at": reads.on_day(meeting.scheduled_for, meeting.ends_at),
        "document_url": url_for("prep.document", day=day) if member else None,
        "minutes_url": url_for("minutes.show", day=day) if public_minutes else None,
    }
    if detail:
        data.update(
            agenda_revision=meeting.agenda_revision if member else None,
            live_revision=meeting.live_revision if member else None,
            counts=prep.counts_by_kind(meeting) if member else None,
        )
    return data


def _may_see_meeting(actor, meeting):
    """Members see every Friday; others a closed one when the place publishes its archive."""
    if permissions.is_member(actor):
        return True
    return meeting.status == "closed" and permissions.can_read_archive(actor)


@bp.get("/meetings")
@operation(
    _l("Les vendredis, du plus récent au plus ancien"),
    page_of(MEETING),
    public=True,
    paged=True,
)
def list_meetings():
    actor = reads.reader()
    require_reader(permissions.can_read_archive(actor))
    limit = reads.limit_param()
    after = reads.cursor_param(str)
    query = select(Meeting).order_by(Meeting.scheduled_for.desc())
    if not permissions.is_member(actor):
        query = query.where(Meeting.status == "closed")
    if after is not None:
        try:
            query = query.where(Meeting.scheduled_for < date.fromisoformat(after))
        except ValueError:
            raise reads.bad_cursor() from None
    rows = reads.db_rows(query, limit)
    following = reads.encode_cursor(rows[-1].scheduled_for.isoformat()) if rows.more else None
    return reads.listing([meeting_json(m, actor) for m in rows], following)


@bp.get("/meetings/<day>")
@operation(
    _l("Un vendredi (un vendredi à venir sans encore de contribution n’a pas d’id)"),
    one_of("meeting", MEETING_DETAIL),
    paths=DAY,
    public=True,
)
def show_meeting(day):
    actor = reads.reader()
    require_reader(permissions.can_read_archive(actor))
    meeting = meetings.for_day(reads.meeting_day(day))
    require_reader(_may_see_meeting(actor, meeting))
    return reads.single("meeting", meeting_json(meeting, actor, detail=True))


# -- the shared document -----------------------------------------------------------------------

ENTRY = obj(
    id=INTEGER,
    meeting_id=INTEGER,
    date=DATE,
    kind={"enum": list(ENTRY_KINDS)},
    kind_label=LABELLED,
    title=nullable(STRING),
    body=STRING,  # Markdown, as written
    body_html=STRING,  # rendered and cleaned, as the document shows it
    revision=INTEGER,  # what an edit (`edit_entry`) starts from
    author=PERSON,
    created_at=DATETIME,
    updated_at=DATETIME,
    added_during_meeting=BOOLEAN,
    need=nullable(
        obj(
            status=STRING,
            status_label=LABELLED,
            claimed_by=nullable(PERSON),
            claim_note=nullable(STRING),
        )
    ),
    proposal_id=nullable(INTEGER),
    url=STRING,
)


def _person(member):
    if member is None:
        return None
    return {"id": member.id, "name": member.display_name}


def entry_json(entry):
    day = entry.meeting.scheduled_for.isoformat()
    proposal = entry.proposal if entry.kind == "proposal" else None
    need = None
    if entry.kind == "need":
        need = {
            "status": entry.need_status,
            "status_label": _label(NEED_LABELS, entry.need_status),
            "claimed_by": _person(entry.claimed_by),
            "claim_note": entry.claim_note,
        }
    return {
        "id": entry.id,
        "meeting_id": entry.meeting_id,
        "date": day,
        "kind": entry.kind,
        "kind_label": _label(KIND_LABELS, entry.kind),
        "title": entry.title,
        "body": entry.body,
        "body_html": str(markdown.render(entry.body)),
        "revision": entry.revision,
        # Someone outside the cooperative (the public proposal form) has no member id.
        "author": {
            "id": None if entry.author.is_system else entry.author_id,
            "name": str(entry_author(entry)),
        },
        "created_at": reads.utc(entry.created_at),
        "updated_at": reads.utc(entry.updated_at),
        "added_during_meeting": bool(entry.added_during_meeting),
        "need": need,
        "proposal_id": proposal.id if proposal is not None else None,
        "url": url_for("prep.document", day=day, _anchor=f"entree-{entry.id}"),
    }


@bp.get("/meetings/<day>/entries")
@operation(
    _l("Le document partagé d’un vendredi, section par section (membres)"),
    page_of(ENTRY),
    parameters=(
        {
            "name": "kind",
            "in": "query",
            "required": False,
            "description": _l("Une seule section : mood, need, proposal ou topic."),
            "schema": {"enum": list(ENTRY_KINDS)},
        },
    ),
    paths=DAY,
    paged=True,
)
def list_entries(day):
    actor = reads.reader()
    require_reader(permissions.can_read_document(actor))
    kind = reads.choice_param("kind", ENTRY_KINDS)
    meeting = meetings.for_day(reads.meeting_day(day))
    grouped = prep.document_entries(meeting) if meeting.id is not None else {}
    entries = [
        entry
        for section, _label_text in prep.SECTIONS
        if kind in (None, section)
        for entry in grouped.get(section, [])
    ]
    chunk, following = reads.page(entries)
    return reads.listing([entry_json(e) for e in chunk], following)


@bp.get("/entries/<int(max=2147483647):entry_id>")
@operation(_l("Une contribution du document partagé (membres)"), one_of("entry", ENTRY))
def show_entry(entry_id):
    require_reader(permissions.can_read_document(reads.reader()))
    return reads.single("entry", entry_json(prep.get_entry(entry_id)))


# -- the agenda --------------------------------------------------------------------------------

AGENDA_ITEM = obj(
    id=INTEGER,
    position=INTEGER,
    title=STRING,
    kind=STRING,
    kind_label=LABELLED,
    status=STRING,
    status_label=LABELLED,
    timebox_minutes=INTEGER,
    source_entry_id=nullable(INTEGER),
    source_proposal_id=nullable(INTEGER),
    carried_from_id=nullable(INTEGER),
    started_at=nullable(DATETIME),
    ended_at=nullable(DATETIME),
)
AGENDA_MEETING = obj(
    id=nullable(INTEGER),
    date=DATE,
    status={"enum": list(MEETING_STATUSES)},
    agenda_revision=INTEGER,  # what `move_item` and `reorder_agenda` are checked against
    live_revision=INTEGER,  # what `advance_item` is checked against
)


def agenda_item_json(item):
    return {
        "id": item.id,
        "position": item.position,
        "title": item.title,
        "kind": item.kind,
        "kind_label": _label(ITEM_KIND_LABELS, item.kind),
        "status": item.status,
        "status_label": _label(ITEM_STATUS_LABELS, item.status),
        "timebox_minutes": item.timebox_minutes,
        "source_entry_id": item.source_entry_id,
        "source_proposal_id": item.source_proposal_id,
        "carried_from_id": item.carried_from_id,
        "started_at": reads.utc(item.started_at),
        "ended_at": reads.utc(item.ended_at),
    }


@bp.get("/meetings/<day>/agenda")
@operation(
    _l("L’ordre du jour d’un vendredi, dans l’ordre (membres, et les invité·es de ce vendredi)"),
    page_of(AGENDA_ITEM, meeting=AGENDA_MEETING),
    paths=DAY,
    public=True,
    paged=True,
)
def list_agenda(day):
    actor = reads.reader()
    meeting = None
    if permissions.can_follow_live(actor):  # a guest's Friday is checked once it is known
        meeting = meetings.for_day(reads.meeting_day(day))
    require_reader(meeting is not None and permissions.can_follow_live(actor, meeting))
    items = live.agenda_items(meeting.id) if meeting.id is not None else []
    chunk, following = reads.page(items)
    return reads.listing(
        [agenda_item_json(i) for i in chunk],
        following,
        meeting={
            "id": meeting.id,
            "date": meeting.scheduled_for.isoformat(),
            "status": meeting.status,
            "agenda_revision": meeting.agenda_revision,
            "live_revision": meeting.live_revision,
        },
    )


# -- who is calling ----------------------------------------------------------------------------

ME = obj(
    id=INTEGER,
    display_name=STRING,
    email=nullable(STRING),
    role=STRING,
    is_treasurer=BOOLEAN,
    by_token=BOOLEAN,  # authenticated by a personal token (else by the browser's session)
)


@bp.get("/me")
@operation(_l("Qui appelle : le ou la membre du jeton ou de la session"), one_of("me", ME))
def me():
    from .auth import by_token

    actor = reads.reader()
    require_reader(permissions.is_member(actor))
    return reads.single(
        "me",
        {
            "id": actor.id,
            "display_name": actor.display_name,
            "email": actor.email,
            "role": actor.role,
            "is_treasurer": bool(actor.is_treasurer),
            "by_token": by_token(),
        },
    )
