"""The agenda of a Friday: building it from the document, ordering, timeboxes, postponing,
and carrying what is unfinished to the next Friday."""

from sqlalchemy import or_, select, update
from sqlalchemy.orm import selectinload

from .. import permissions
from ..errors import Conflict, ServiceError, require
from ..extensions import db
from ..i18n import _, _l, french
from ..labels import ITEM_STATUS_LABELS
from ..models import (
    AgendaItem,
    Decision,
    Entry,
    EventProposal,
    Meeting,
)
from ..models.base import utcnow
from ..pipeline import change
from ..prep import services as prep
from ..proposals import services as proposals
from . import budget
from .rules import (
    DEFAULT_TIMEBOX,
    bump_revision,
    clean_timebox,
    get_item,
    make_current,
    next_position,
    pause_timer,
    require_console,
    require_not_closed,
)
from .state import MOVED, agenda_items, get_meeting, publish_live

ENTRY_TO_ITEM = {"topic": "topic", "need": "need", "proposal": "proposal"}


def candidates(meeting_id):
    """Document entries (points, needs, proposals) not yet on the agenda, and the proposals of
    earlier Fridays still waiting for one (sent back after "à retravailler", taken off an
    agenda): a proposal waits for a Friday wherever it was first written."""
    on_agenda = select(AgendaItem.source_entry_id).where(
        AgendaItem.meeting_id == meeting_id, AgendaItem.source_entry_id.is_not(None)
    )
    day = select(Meeting.scheduled_for).where(Meeting.id == meeting_id).scalar_subquery()
    waiting = (
        select(EventProposal.entry_id)
        .join(Meeting, Meeting.id == EventProposal.meeting_id)
        .where(
            EventProposal.status == "submitted",
            EventProposal.meeting_id != meeting_id,
            Meeting.scheduled_for < day,
        )
    )
    return db.session.scalars(
        select(Entry)
        .where(
            or_(Entry.meeting_id == meeting_id, Entry.id.in_(waiting)),
            Entry.kind.in_(tuple(ENTRY_TO_ITEM)),
            Entry.id.not_in(on_agenda),
        )
        .options(selectinload(Entry.author), selectinload(Entry.proposal))
        .order_by(Entry.kind, Entry.id)
    ).all()


def prepare_agenda(actor, meeting_id):
    """Put the check-in round first and the decisions due for review on the agenda (once)."""
    meeting = get_meeting(meeting_id)
    require_console(actor, meeting)
    require_not_closed(meeting)
    with change() as c:
        added = ensure_standing_items(meeting)
        if added:
            bump_revision(meeting_id, agenda=True)
            c.trace(
                actor,
                "agenda_prepared",
                meeting,
                meeting=meeting,
                date=meeting.scheduled_for.isoformat(),
            )
            publish_live(c, meeting_id)
    return added


def ensure_standing_items(meeting):
    items = agenda_items(meeting.id)
    added = 0
    if not any(i.kind == "checkin" for i in items):
        db.session.execute(
            update(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id)
            .values(position=AgendaItem.position + 1)
        )
        db.session.add(
            AgendaItem(
                meeting_id=meeting.id,
                position=0,
                kind="checkin",
                timebox_minutes=10,
                title=french(
                    lambda: _("Tour d’inclusion : la météo de chacun·e et les billets d’humeur")
                ),
            )
        )
        added += 1
    reviewed = {i.review_of_decision_id for i in items if i.review_of_decision_id}
    due = db.session.scalars(
        select(Decision).where(
            Decision.review_on.is_not(None),
            Decision.review_on <= meeting.scheduled_for,
            Decision.meeting_id != meeting.id,
        )
    ).all()
    already = set(
        db.session.scalars(
            select(AgendaItem.review_of_decision_id).where(
                AgendaItem.review_of_decision_id.is_not(None)
            )
        ).all()
    )
    for decision in due:
        if decision.id in reviewed or decision.id in already:
            continue
        db.session.add(
            AgendaItem(
                meeting_id=meeting.id,
                position=next_position(meeting.id),
                kind="review",
                review_of_decision_id=decision.id,
                timebox_minutes=10,
                title=french(lambda d=decision: _("Revoir la décision n° %(n)s", n=d.number)),
            )
        )
        db.session.flush()
        added += 1
    return added


def add_entries(actor, meeting_id, entry_ids):
    """Put chosen document entries on the agenda; proposals become `on_agenda`."""
    meeting = get_meeting(meeting_id)
    require_console(actor, meeting)
    require_not_closed(meeting)
    if not entry_ids:
        raise ServiceError(
            _l("Choisissez au moins une contribution du document."), code="nothing_chosen"
        )
    entries = [prep.get_entry(i) for i in entry_ids]
    offered = {c.id for c in candidates(meeting_id)}
    for entry in entries:
        waiting = entry.id in offered and entry.kind == "proposal"  # from an earlier Friday
        if (entry.meeting_id != meeting_id and not waiting) or entry.kind not in ENTRY_TO_ITEM:
            raise ServiceError(
                _l(
                    "Seuls les points, besoins et propositions de ce vendredi "
                    "vont à l’ordre du jour."
                ),
                code="invalid_entry",
            )
    entries = [e for e in entries if e.id in offered]
    with change() as c:
        ensure_standing_items(meeting)
        for entry in entries:
            item = AgendaItem(
                meeting_id=meeting_id,
                position=next_position(meeting_id),
                kind=ENTRY_TO_ITEM[entry.kind],
                title=prep.short_title(entry),
                source_entry_id=entry.id,
                timebox_minutes=15 if entry.kind == "proposal" else 10,
            )
            if entry.proposal is not None:
                item.source_proposal_id = entry.proposal.id
                proposals.put_on_agenda(c, actor, entry.proposal, meeting)
            db.session.add(item)
            db.session.flush()
        bump_revision(meeting_id, agenda=True)
        c.trace(
            actor,
            "agenda_items_added",
            meeting,
            meeting=meeting,
            n=len(entries),
            date=meeting.scheduled_for.isoformat(),
        )
        publish_live(c, meeting_id)
    return len(entries)


def add_item(actor, meeting_id, title, timebox_minutes=DEFAULT_TIMEBOX):
    """Add a point that is not in the document."""
    meeting = get_meeting(meeting_id)
    require_console(actor, meeting)
    require_not_closed(meeting)
    title = prep.clean_title(title)
    if not title:
        raise ServiceError(_l("Donnez un titre au point."), code="missing_title")
    minutes = clean_timebox(timebox_minutes)
    with change() as c:
        ensure_standing_items(meeting)
        item = AgendaItem(
            meeting_id=meeting_id,
            position=next_position(meeting_id),
            kind="other",
            title=title,
            timebox_minutes=minutes,
        )
        db.session.add(item)
        bump_revision(meeting_id, agenda=True)
        c.trace(actor, "agenda_item_added", item, meeting=meeting, title=title)
        publish_live(c, meeting_id)
    return item


def add_budget_point(actor, meeting_id):
    """Put "Où en est-on ?" (the year's budget, on the projector) on the agenda, once: refused
    while the agenda already has one to come or under way."""
    meeting = get_meeting(meeting_id)
    require_console(actor, meeting)
    require_not_closed(meeting)
    if budget.waiting_budget_point(agenda_items(meeting_id)) is not None:
        raise Conflict(
            _l("« Où en est-on ? » est déjà à l’ordre du jour de ce vendredi."),
            code="already_on_agenda",
        )
    seen = meeting.agenda_revision  # two consoles pressing at once add it once
    title = french(lambda: _("Où en est-on ?"))
    with change() as c:
        bump_revision(meeting_id, seen=seen, agenda=True)
        ensure_standing_items(meeting)
        item = AgendaItem(
            meeting_id=meeting_id,
            position=next_position(meeting_id),
            kind="other",
            title=title,
            panel=budget.PANEL,
            timebox_minutes=budget.TIMEBOX,
        )
        db.session.add(item)
        c.trace(actor, "agenda_item_added", item, meeting=meeting, title=title, panel=budget.PANEL)
        publish_live(c, meeting_id)
    return item


def set_timebox(actor, item_id, minutes):
    item = get_item(item_id)
    meeting = get_meeting(item.meeting_id)
    require(permissions.can_keep_time(actor, meeting))
    require_not_closed(meeting)
    minutes = clean_timebox(minutes)
    with change() as c:
        db.session.execute(
            update(AgendaItem).where(AgendaItem.id == item_id).values(timebox_minutes=minutes)
        )
        bump_revision(meeting.id)
        c.trace(actor, "timebox_set", item, meeting=meeting, minutes=minutes, title=item.title)
        publish_live(c, meeting.id)


def reorder(actor, meeting_id, agenda_revision, order):
    """Put the agenda in the given order (ids), only if it has not changed meanwhile."""
    meeting = get_meeting(meeting_id)
    require_console(actor, meeting)
    require_not_closed(meeting)
    items = agenda_items(meeting_id)
    ids = [i.id for i in items]
    if sorted(order) != sorted(ids) or len(set(order)) != len(order):
        raise ServiceError(
            _l("L’ordre envoyé ne correspond pas aux points de l’ordre du jour."),
            code="invalid_order",
        )
    with change() as c:
        bump_revision(meeting_id, seen=agenda_revision, agenda=True)
        for position, item_id in enumerate(order):
            db.session.execute(
                update(AgendaItem).where(AgendaItem.id == item_id).values(position=position)
            )
        c.trace(actor, "agenda_reordered", meeting, meeting=meeting)
        publish_live(c, meeting_id)


def move_item(actor, item_id, direction, agenda_revision):
    """Move one item up or down (the keyboard alternative to drag and drop)."""
    item = get_item(item_id)
    meeting = get_meeting(item.meeting_id)
    require_console(actor, meeting)  # before saying anything about the agenda
    require_not_closed(meeting)
    ids = [i.id for i in agenda_items(item.meeting_id)]
    index = ids.index(item_id)
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down"):
        raise ServiceError(_l("Direction inconnue."), code="invalid_field")
    if not 0 <= target < len(ids):
        raise Conflict(_l("Ce point est déjà au bout de l’ordre du jour."), code="at_end")
    ids[index], ids[target] = ids[target], ids[index]
    reorder(actor, item.meeting_id, agenda_revision, ids)


def remove_item(actor, item_id):
    """Take a point that has not started off the agenda (its proposal goes back to waiting)."""
    item = get_item(item_id)
    meeting = get_meeting(item.meeting_id)
    require_console(actor, meeting)
    require_not_closed(meeting)
    if item.status != "pending":
        raise Conflict(
            _l("Seul un point à venir peut être retiré de l’ordre du jour."), code="not_pending"
        )
    title = item.title
    with change() as c:
        if item.source_proposal is not None:
            proposals.take_off_agenda(c, actor, item.source_proposal)
        db.session.delete(item)
        bump_revision(meeting.id, agenda=True)
        c.trace(actor, "agenda_item_removed", meeting, meeting=meeting, title=title)
        publish_live(c, meeting.id)


def postpone(actor, meeting_id, item_id):
    """Postpone a point to next Friday; if it was current, the next point starts."""
    meeting = get_meeting(meeting_id)
    require_console(actor, meeting)
    require_not_closed(meeting)
    item = get_item(item_id, meeting_id)
    if item.status not in ("pending", "current"):
        raise Conflict(
            _l("Ce point est déjà %(status)s.", status=ITEM_STATUS_LABELS[item.status]),
            code="bad_transition",
        )
    now = utcnow()
    was_current = item.status == "current"
    following = None
    with change() as c:
        bump_revision(meeting_id)
        item = get_item(item_id)
        pause_timer(item, now)
        item.status = "postponed"
        item.ended_at = now
        if was_current:
            following = next(
                (
                    i
                    for i in agenda_items(meeting_id)
                    if i.status == "pending" and i.position > item.position
                ),
                None,
            )
            if following is not None:
                make_current(following, now)
        c.trace(actor, "item_postponed", item, meeting=meeting, title=item.title)
        publish_live(
            c,
            meeting_id,
            regions=MOVED,
            items=(item.id, following.id if following is not None else None),
        )
    return item


def carry_unfinished(c, actor, meeting_id, next_meeting, now):
    """Inside the closing change `c`: every point not done goes to next Friday's agenda (a point
    decided on is done; each Friday opens with its own check-in), and a proposal still waiting
    for its decision goes with it (its proposer is told the new date). Returns how many."""
    carried = 0
    for item in agenda_items(meeting_id):
        if item.kind == "checkin":
            if item.status in ("pending", "current"):
                pause_timer(item, now)
                item.status = "done" if item.started_at else "postponed"
            continue
        if item.status == "current" and db.session.scalar(
            select(Decision.id).where(Decision.item_id == item.id).limit(1)
        ):
            pause_timer(item, now)  # decided on: done, not carried
            item.status, item.ended_at = "done", now
            continue
        if item.status in ("pending", "current", "postponed"):
            pause_timer(item, now)
            item.status = "postponed"
            item.ended_at = item.ended_at or now
            db.session.add(
                AgendaItem(
                    meeting_id=next_meeting.id,
                    position=next_position(next_meeting.id),
                    kind="carried",
                    title=item.title,
                    carried_from_id=item.id,
                    panel=item.panel,  # "Où en est-on ?" stays a budget point
                    source_entry_id=item.source_entry_id,
                    source_proposal_id=item.source_proposal_id,
                    timebox_minutes=item.timebox_minutes,
                )
            )
            db.session.flush()
            proposal = item.source_proposal
            if proposal is not None and proposal.status == "on_agenda":
                proposals.move_to_friday(c, actor, proposal, next_meeting)
            carried += 1
    return carried
