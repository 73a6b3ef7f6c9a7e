"""Before Friday: meetings and their shared document (entries, history, needs).

Every change goes permission → validation → change + trace → commit → publish; facts go to
the meeting's room (`meeting:<id>`) with the fragment rendered by `prep/_entry.html`.
"""

from flask import render_template
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import permissions, realtime
from ..errors import Conflict, NotFound, ServiceError, require
from ..extensions import db
from ..i18n import _l
from ..labels import NEED_LABELS
from ..meetings import services as meetings
from ..models import AgendaItem, Entry, EntryRevision, EventProposal, Meeting
from ..models.base import utcnow
from ..pipeline import already_applied, change, clean_op_id

MAX_BODY = 20_000
MAX_TITLE = 200
MAX_NOTE = 200
WRITABLE_KINDS = ("mood", "need", "topic")  # proposals have their own form

SECTIONS = (
    ("mood", _l("Billets d’humeur")),
    ("need", _l("Besoins")),
    ("proposal", _l("Propositions d’événement")),
    ("topic", _l("Points à discuter")),
)
# The need lifecycle: (from, to) pairs a service may apply.
NEED_TRANSITIONS = {
    ("open", "claimed"),
    ("claimed", "open"),
    ("open", "met"),
    ("claimed", "met"),
    ("open", "dropped"),
    ("claimed", "dropped"),
}


# -- reading the document --------------------------------------------------------------------


def document_entries(meeting):
    """The entries of a meeting grouped by section, oldest first."""
    entries = db.session.scalars(
        select(Entry)
        .where(Entry.meeting_id == meeting.id)
        .options(
            selectinload(Entry.author), selectinload(Entry.claimed_by), selectinload(Entry.proposal)
        )
        .order_by(Entry.id)
    ).all()
    grouped = {kind: [] for kind, _label in SECTIONS}
    for entry in entries:
        grouped[entry.kind].append(entry)
    return grouped


def counts_by_kind(meeting):
    rows = db.session.execute(
        select(Entry.kind, func.count(Entry.id))
        .where(Entry.meeting_id == meeting.id)
        .group_by(Entry.kind)
    ).all()
    counts = {kind: 0 for kind, _label in SECTIONS}
    counts.update(dict(rows))
    return counts


def open_needs():
    """Needs still open or taken on, of every Friday, oldest Friday first."""
    return db.session.scalars(
        select(Entry)
        .join(Meeting)
        .where(Entry.kind == "need", Entry.need_status.in_(("open", "claimed")))
        .options(
            selectinload(Entry.author), selectinload(Entry.claimed_by), selectinload(Entry.meeting)
        )
        .order_by(Meeting.scheduled_for, Entry.id)
    ).all()


def waiting_proposals():
    return db.session.scalars(
        select(EventProposal)
        .where(EventProposal.status.in_(("submitted", "on_agenda")))
        .options(selectinload(EventProposal.entry), selectinload(EventProposal.meeting))
        .order_by(EventProposal.created_at)
    ).all()


def carried_over(meeting):
    """The points carried to this Friday's agenda when an earlier Friday closed, in agenda
    order, each as (the Friday it comes from, its title): read only, for the document."""
    if meeting.id is None:
        return []
    items = db.session.scalars(
        select(AgendaItem)
        .where(AgendaItem.meeting_id == meeting.id, AgendaItem.carried_from_id.is_not(None))
        .options(selectinload(AgendaItem.carried_from).selectinload(AgendaItem.meeting))
        .order_by(AgendaItem.position, AgendaItem.id)
    ).all()
    return [(item.carried_from.meeting.scheduled_for, item.title) for item in items]


def get_entry(entry_id):
    entry = db.session.get(Entry, entry_id)
    if entry is None:
        raise NotFound(_l("Cette contribution n’existe pas ou a été retirée."))
    return entry


def entry_history(actor, entry_id):
    require(permissions.can_read_document(actor))
    entry = get_entry(entry_id)
    return entry, list(entry.revisions)


def render_entry(entry, viewer=None):
    return render_template("prep/_entry.html", entry=entry, viewer=viewer, meeting=entry.meeting)


def entry_fact(entry_id):
    """The data and fragment of an entry, as sent with `entry_added` / `entry_edited`."""
    entry = get_entry(entry_id)
    return {
        "meeting_id": entry.meeting_id,
        "entry_id": entry.id,
        "kind": entry.kind,
        "revision": entry.revision,
        "author_id": entry.author_id,
        "need_status": entry.need_status,
        "html": render_entry(entry),
    }


def entry_state(entry):
    """What a client needs to merge a stale edit: the current text and revision."""
    return {
        "entry_id": entry.id,
        "revision": entry.revision,
        "title": entry.title or "",
        "body": entry.body,
        "updated_by": entry.updated_by.display_name
        if entry.updated_by
        else entry.author.display_name,
    }


def document_state(actor, meeting_id):
    """Everything a page needs to show a document exactly as it is now."""
    require(permissions.can_read_document(actor))
    meeting = meetings.get_meeting(meeting_id)
    grouped = document_entries(meeting)
    return {
        "meeting_id": meeting.id,
        "status": meeting.status,
        "entries": [
            {"entry_id": e.id, "kind": e.kind, "revision": e.revision, "html": render_entry(e)}
            for kind, _label in SECTIONS
            for e in grouped[kind]
        ],
    }


# -- validation ------------------------------------------------------------------------------


def clean_kind(kind):
    if kind == "proposal":
        raise ServiceError(
            _l("Pour proposer un événement, utilisez le formulaire « Proposer un événement »."),
            code="use_proposal_form",
        )
    if kind not in WRITABLE_KINDS:
        raise ServiceError(_l("Ce type de contribution n’existe pas."), code="invalid_kind")
    return kind


def clean_title(title):
    title = " ".join((title or "").split())
    if len(title) > MAX_TITLE:
        raise ServiceError(
            _l("Le titre ne doit pas dépasser %(n)s caractères.", n=MAX_TITLE),
            code="title_too_long",
            field="title",
        )
    return title or None


def clean_body(body):
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise ServiceError(
            _l("Le texte est vide : écrivez quelque chose avant d’envoyer."),
            code="empty_body",
            field="body",
        )
    if len(body) > MAX_BODY:
        raise ServiceError(
            _l(
                "Le texte est trop long (%(n)s caractères au plus).",
                n=f"{MAX_BODY:,}".replace(",", "\u202f"),
            ),
            code="body_too_long",
            field="body",
        )
    return body


def ensure_open(meeting):
    """Refuse a change to the document of a closed Friday (also used by proposals)."""
    if not meeting.is_open:
        raise Conflict(
            _l("Ce vendredi est clos : son document ne peut plus être modifié."),
            code="meeting_closed",
        )


def short_title(entry):
    """A title for traces and lists: the title, or the start of the text."""
    if entry.title:
        return entry.title
    text = " ".join(entry.body.split())
    return text if len(text) <= 60 else text[:59].rstrip() + "…"


# -- entries ---------------------------------------------------------------------------------


def entry_trace_data(entry):
    """What a trace keeps of an entry: its kind and, except for a billet d'humeur (private to
    members), its title. Never a name: people are ids (`traces.sentences`)."""
    data = {"kind": entry.kind}
    if entry.kind != "mood":
        data["title"] = short_title(entry)
    return data


def add_entry(actor, meeting_id, kind, title, body, op_id=None, weather=None):
    """Add an entry to a Friday's document; a resent operation id returns the first entry.
    A billet d'humeur may carry a `weather`, counted apart (`life.weather`), never on it."""
    from ..life import weather as life_weather  # the life feature's public functions

    require(permissions.can_write_document(actor))
    meeting = meetings.get_meeting(meeting_id)
    ensure_open(meeting)
    kind = clean_kind(kind)
    title, body = clean_title(title), clean_body(body)
    op_id = clean_op_id(op_id)
    done = already_applied(actor, op_id, "add_entry", subject=in_meeting(meeting))
    if done is not None:
        return get_entry(done.subject_id)
    weather = life_weather.check_weather(actor, meeting, kind, weather)
    try:
        with change() as c:
            entry = insert_entry(actor, meeting, kind, title, body)
            if weather is not None:
                life_weather.give_weather(actor, meeting, weather)
            c.record_operation(actor, op_id, "add_entry", entry)
            c.trace(actor, "entry_added", entry, meeting=meeting, **entry_trace_data(entry))
            c.publish(
                "entry_added", lambda: entry_fact(entry.id), room=realtime.document_room(meeting.id)
            )
    except IntegrityError:
        # The same operation id arrived twice at the same instant: the other one won.
        db.session.rollback()
        done = already_applied(actor, op_id, "add_entry", subject=in_meeting(meeting))
        if done is None:
            if weather is not None and life_weather.has_given(actor, meeting):
                # Two billets with a weather at the same instant: the other one counted.
                raise life_weather.already_given_error() from None
            raise
        return get_entry(done.subject_id)
    return entry


def in_meeting(meeting):
    """Whether an entry (its id) is in `meeting`: an operation id sent again to add an entry is
    the same operation only on the same Friday (`pipeline.already_applied`)."""
    return lambda entry_id: get_entry(entry_id).meeting_id == meeting.id


def insert_entry(actor, meeting, kind, title, body):
    """Create an entry and its first revision (inside an open change)."""
    now = utcnow()
    entry = Entry(
        meeting_id=meeting.id,
        kind=kind,
        title=title,
        body=body,
        author_id=actor.id,
        revision=1,
        created_at=now,
        updated_at=now,
        updated_by_id=actor.id,
        added_during_meeting=meeting.status == "live",
        need_status="open" if kind == "need" else None,
    )
    db.session.add(entry)
    db.session.flush()
    db.session.add(
        EntryRevision(
            entry_id=entry.id,
            revision=1,
            title=title,
            body=body,
            author_id=actor.id,
            created_at=now,
        )
    )
    return entry


def insert_revision(actor, entry_id, revision, title, body):
    """Inside an open change: the entry's next version, written only over `revision` (compare-
    and-set); False when someone saved another version first."""
    now = utcnow()
    changed = db.session.execute(
        update(Entry)
        .where(Entry.id == entry_id, Entry.revision == revision)
        .values(
            revision=revision + 1,
            title=title,
            body=body,
            updated_at=now,
            updated_by_id=actor.id,
        )
    ).rowcount
    if changed != 1:
        return False
    db.session.add(
        EntryRevision(
            entry_id=entry_id,
            revision=revision + 1,
            title=title,
            body=body,
            author_id=actor.id,
            created_at=now,
        )
    )
    return True


def stale_edit(entry):
    return Conflict(
        _l(
            "Quelqu’un a modifié ce texte pendant que vous écriviez. Comparez les deux versions "
            "et fusionnez-les avant d’enregistrer."
        ),
        code="stale",
        current=entry_state(entry),
    )


class _StaleDuringWrite(Exception):
    """Another edit won the compare-and-set between our check and our write."""


def edit_entry(actor, entry_id, revision, title, body, op_id=None):
    """Save a new version of an entry, only if it was edited from the current revision."""
    try:
        return _edit_entry(actor, entry_id, revision, title, body, op_id)
    except _StaleDuringWrite:
        raise stale_edit(get_entry(entry_id)) from None


def _edit_entry(actor, entry_id, revision, title, body, op_id):
    entry = get_entry(entry_id)
    require(
        permissions.can_edit_entry(actor, entry),
        _l("Vous ne pouvez modifier que vos propres contributions."),
    )
    ensure_open(entry.meeting)
    title, body = clean_title(title), clean_body(body)
    op_id = clean_op_id(op_id)
    if already_applied(actor, op_id, "edit_entry", subject=entry_id) is not None:
        return entry
    if revision != entry.revision:
        raise stale_edit(entry)
    if title == entry.title and body == entry.body:
        return entry
    with change() as c:
        if not insert_revision(actor, entry_id, revision, title, body):
            raise _StaleDuringWrite()
        entry = get_entry(entry_id)  # read under the write lock, after the update
        c.record_operation(actor, op_id, "edit_entry", entry)
        c.trace(
            actor,
            "entry_edited",
            entry,
            meeting=entry.meeting,
            revision=revision + 1,
            author_id=entry.author_id,
            **entry_trace_data(entry),
        )
        c.publish(
            "entry_edited",
            lambda: entry_fact(entry_id),
            room=realtime.document_room(entry.meeting_id),
        )
    return entry


def delete_entry(actor, entry_id):
    """Remove one's own entry for good (its history too); a billet d'humeur at any time."""
    entry = get_entry(entry_id)
    require(
        permissions.can_delete_entry(actor, entry),
        _l("Vous ne pouvez retirer que vos propres contributions."),
    )
    if entry.kind != "mood":  # a billet is its author's to remove, even once Friday is closed
        ensure_open(entry.meeting)
    if entry.kind == "proposal":
        raise Conflict(
            _l("Une proposition d’événement se retire depuis sa page « Mes propositions »."),
            code="use_withdraw",
        )
    kind, meeting, data = entry.kind, entry.meeting, entry_trace_data(entry)
    with change() as c:
        entry = get_entry(entry_id)
        db.session.delete(entry)
        c.trace(actor, "entry_deleted", None, meeting=meeting, entry_id=entry_id, **data)
        c.publish(
            "entry_deleted",
            {"meeting_id": meeting.id, "entry_id": entry_id, "kind": kind},
            room=realtime.document_room(meeting.id),
        )


# -- needs -----------------------------------------------------------------------------------


def _need(entry_id):
    entry = get_entry(entry_id)
    if entry.kind != "need":
        raise ServiceError(_l("Cette contribution n’est pas un besoin."), code="not_a_need")
    return entry


def _move_need(actor, entry, to_status, verb, during=None, **values):
    """`during(c, entry)`, when given, runs inside the same change (a met need's value)."""
    from_status = entry.need_status
    if (from_status, to_status) not in NEED_TRANSITIONS:
        raise Conflict(
            _l("Ce besoin est déjà %(status)s.", status=NEED_LABELS[from_status]),
            code="bad_transition",
        )
    entry_id = entry.id
    with change() as c:
        changed = db.session.execute(
            update(Entry)
            .where(Entry.id == entry_id, Entry.need_status == from_status)
            .values(need_status=to_status, **values)
        ).rowcount
        if changed != 1:
            raise Conflict(_l("Ce besoin vient de changer ; la page est à jour."), code="stale")
        entry = get_entry(entry_id)
        db.session.refresh(entry)
        c.trace(
            actor, verb, entry, meeting=entry.meeting, status=to_status, title=short_title(entry)
        )
        if during is not None:
            during(c, entry)
        c.publish(verb, lambda: entry_fact(entry_id), room=realtime.document_room(entry.meeting_id))
    return entry


def claim_need(actor, entry_id, note=None):
    """Take a need on ("je m'en occupe", "j'apporte"); refused when someone already has."""
    entry = _need(entry_id)
    require(permissions.can_claim_need(actor, entry))
    note = " ".join((note or "").split()) or None
    if note and len(note) > MAX_NOTE:
        raise ServiceError(
            _l("La précision ne doit pas dépasser %(n)s caractères.", n=MAX_NOTE),
            code="note_too_long",
        )
    if entry.need_status == "claimed":
        who = entry.claimed_by.display_name if entry.claimed_by else "?"
        if entry.claimed_by_id == actor.id:
            raise Conflict(_l("Vous vous en occupez déjà."), code="already_claimed")
        raise Conflict(_l("%(name)s s’en occupe déjà.", name=who), code="already_claimed")
    return _move_need(
        actor,
        entry,
        "claimed",
        "need_claimed",
        claimed_by_id=actor.id,
        claim_note=note,
        claimed_at=utcnow(),
    )


def release_need(actor, entry_id):
    """Give a need back (whoever took it, or a facilitator)."""
    entry = _need(entry_id)
    require(
        permissions.can_release_need(actor, entry),
        _l("Seule la personne qui s’en occupe peut le rendre."),
    )
    return _move_need(
        actor, entry, "open", "need_released", claimed_by_id=None, claim_note=None, claimed_at=None
    )


def resolve_need(actor, entry_id, outcome, value=None):
    """Mark a need met or dropped (who took it, who asked, or a facilitator). A met need may
    carry the estimated value of what was brought (`value`, written the French way): a
    contribution in kind, seen only by who brought it and the treasurer (never in the
    need's trace or fact)."""
    from ..economy.catalogue import in_kind  # the economy's public functions

    entry = _need(entry_id)
    if outcome not in ("met", "dropped"):
        raise ServiceError(
            _l("Issue inconnue : « satisfait » ou « abandonné » seulement."), code="invalid_field"
        )
    require(
        permissions.can_resolve_need(actor, entry),
        _l(
            "Seules la personne qui s’en occupe, celle qui l’a exprimé ou l’animation "
            "peuvent clore ce besoin."
        ),
    )
    now = utcnow()
    # "Abandonner" sits in the same form as the value: a dropped need carries none.
    cents = in_kind.clean_value(value) if outcome == "met" else None
    if cents is not None:
        in_kind.check_value_allowed()
    return _move_need(
        actor,
        entry,
        outcome,
        "need_resolved",
        during=lambda c, moved: in_kind.record_in_kind(c, actor, moved, cents),
        resolved_at=now,
    )


def preview(actor, body):
    """Render Markdown exactly as the document will show it."""
    require(permissions.can_write_document(actor))
    from ..markdown import render

    if body and len(body) > MAX_BODY:
        raise ServiceError(
            _l(
                "Le texte est trop long (%(n)s caractères au plus).",
                n=f"{MAX_BODY:,}".replace(",", "\u202f"),
            ),
            code="body_too_long",
        )
    return render(body or "")
