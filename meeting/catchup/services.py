"""Ce que vous avez manqué: what a member missed since the last Friday they attended.

From attendance (a `present` row on a closed Friday), the last Friday the member attended;
since then (or since they joined, when they never attended one): the closed Fridays they
missed, the decisions of those Fridays, the actions given to them there, and the proposals
whose status changed. Only what was recorded after `Member.caught_up_at` is shown: marking it
read hides what is shown now, and what comes later shows again.

When is a thing "recorded"? A decision or an action is read from the register once its Friday
is closed, so it counts from its Friday's `closed_at` (a decision recorded while the Friday was
live, then closed after the member marked read, still shows); a proposal's move counts from its
`ProposalStatusChange.created_at`.

Home is hit often: `missed_for` reads a fixed number of statements (five at most, three when no
Friday was missed), each list capped, with its full count from the same statement (a window
`count() over ()`, SQLite ≥ 3.25 and PostgreSQL).
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from markupsafe import Markup
from sqlalchemy import and_, case, func, select, update

from .. import permissions
from ..errors import ServiceError, require
from ..extensions import db
from ..i18n import _l
from ..markdown import render
from ..meetings import dates
from ..models import (
    Action,
    Attendance,
    Decision,
    Entry,
    EventProposal,
    Meeting,
    Member,
    ProposalStatusChange,
)
from ..models.base import utcnow
from ..pipeline import change
from ..realtime import member_room

DECISIONS_SHOWN = 10
ACTIONS_SHOWN = 10
EVENTS_SHOWN = 10
DAYS_LISTED = 8  # beyond, the Fridays are said as a range ("du … au …")
EXCERPT = 160  # characters of a decision's statement
# The moves of a proposal a member who was away wants to know about.
EVENT_STATUSES = ("accepted", "scheduled", "held", "declined")


@dataclass
class Missed:
    """What one member missed; false when there is nothing to show."""

    since: str  # "attended" (since `last_day`) or "arrival" (since `joined_at`)
    last_day: object = None  # the date of the last Friday attended
    joined_at: datetime | None = None
    read_at: datetime | None = None  # marked read then, after the start above
    days: list = field(default_factory=list)  # dates of the missed Fridays (first ones)
    days_total: int = 0
    first_day: object = None
    last_missed_day: object = None
    decisions: list = field(default_factory=list)
    decisions_total: int = 0
    actions: list = field(default_factory=list)
    actions_total: int = 0
    events: list = field(default_factory=list)
    events_total: int = 0
    seen_until: datetime | None = None  # the newest shown item's time ("Marquer comme lu")
    today: object = None  # in the place's time zone: an open action due before is late

    def __bool__(self):
        return bool(self.days_total or self.actions_total or self.events_total)

    @property
    def more_decisions(self):
        return self.decisions_total - len(self.decisions)

    @property
    def more_actions(self):
        return self.actions_total - len(self.actions)

    @property
    def more_events(self):
        return self.events_total - len(self.events)


def excerpt(statement, limit=EXCERPT):
    """A decision's statement as plain text, cut at a word before `limit` characters."""
    text = " ".join(Markup(render(statement)).striptags().split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(" ,;:.") + "…"


def _last_attended(member):
    """(date, closed_at) of the last closed Friday the member was present at, or None."""
    return db.session.execute(
        select(Meeting.scheduled_for, Meeting.closed_at)
        .join(Attendance, Attendance.meeting_id == Meeting.id)
        .where(
            Attendance.member_id == member.id,
            Attendance.status == "present",
            Meeting.status == "closed",
        )
        .order_by(Meeting.scheduled_for.desc())
        .limit(1)
    ).first()


def missed_for(member):
    """What `member` missed, as a `Missed` (false when nothing is new), or None for someone
    who is not a member (anonymous visitors and guests never get it)."""
    if not permissions.is_member(member):
        return None
    read_at = member.caught_up_at
    last = _last_attended(member)
    if last is not None:
        missed = Missed("attended", last_day=last.scheduled_for)
        after_friday = Meeting.scheduled_for > last.scheduled_for
        # A proposal moved during that Friday was seen there.
        start = last.closed_at or datetime.combine(last.scheduled_for, datetime.max.time())
    else:
        missed = Missed("arrival", joined_at=member.created_at)
        after_friday = Meeting.closed_at > member.created_at
        start = member.created_at
    if read_at is not None and read_at > start:
        missed.read_at = read_at
        start = read_at
    friday = and_(Meeting.status == "closed", after_friday)
    if read_at is not None:
        friday = and_(friday, Meeting.closed_at > read_at)
    newest = []

    rows = db.session.execute(
        select(
            Meeting.scheduled_for,
            func.count().over(),
            func.max(Meeting.scheduled_for).over(),
            func.max(Meeting.closed_at).over(),
        )
        .where(friday)
        .order_by(Meeting.scheduled_for)
        .limit(DAYS_LISTED)
    ).all()
    if rows:
        missed.days = [row[0] for row in rows]
        missed.days_total = rows[0][1]
        missed.first_day, missed.last_missed_day = rows[0][0], rows[0][2]
        newest.append(rows[0][3])
        _decisions(missed, friday)
        _actions(missed, friday, member)
    _events(missed, start, newest)
    # A Friday closed without a time (an imported archive) still gets a mark: the time read.
    missed.seen_until = max((t for t in newest if t is not None), default=None)
    if missed.seen_until is None and missed:
        missed.seen_until = utcnow()
    missed.today = dates.today_in_place()
    return missed


def _decisions(missed, friday):
    rows = db.session.execute(
        select(
            Decision.number,
            Decision.statement,
            Decision.mode,
            Meeting.scheduled_for,
            func.count().over(),
        )
        .join(Meeting, Meeting.id == Decision.meeting_id)
        .where(friday)
        .order_by(Decision.number.desc())
        .limit(DECISIONS_SHOWN)
    ).all()
    missed.decisions = [
        {"number": r[0], "excerpt": excerpt(r[1]), "mode": r[2], "day": r[3]} for r in rows
    ]
    missed.decisions_total = rows[0][4] if rows else 0


def _actions(missed, friday, member):
    rows = db.session.execute(
        select(
            Action.label,
            Action.due_on,
            Action.status,
            Decision.number,
            Meeting.scheduled_for,
            func.count().over(),
        )
        .join(Meeting, Meeting.id == Action.meeting_id)
        .outerjoin(Decision, Decision.id == Action.decision_id)
        .where(friday, Action.owner_id == member.id)
        .order_by(case((Action.status == "open", 0), else_=1), Action.due_on, Action.id)
        .limit(ACTIONS_SHOWN)
    ).all()
    missed.actions = [
        {"label": r[0], "due_on": r[1], "status": r[2], "decision": r[3], "day": r[4]} for r in rows
    ]
    missed.actions_total = rows[0][5] if rows else 0


def _events(missed, start, newest):
    """Each proposal's latest move since `start`, when it became accepted, scheduled, held or
    declined (a proposal accepted then withdrawn meanwhile is not news)."""
    latest = (
        select(func.max(ProposalStatusChange.id).label("id"))
        .where(ProposalStatusChange.created_at > start)
        .group_by(ProposalStatusChange.proposal_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            EventProposal.id,
            Entry.title,
            ProposalStatusChange.to_status,
            ProposalStatusChange.created_at,
            func.count().over(),
            func.max(ProposalStatusChange.created_at).over(),
        )
        .join(latest, latest.c.id == ProposalStatusChange.id)
        .join(EventProposal, EventProposal.id == ProposalStatusChange.proposal_id)
        .join(Entry, Entry.id == EventProposal.entry_id)
        .where(ProposalStatusChange.to_status.in_(EVENT_STATUSES))
        .order_by(ProposalStatusChange.created_at.desc(), ProposalStatusChange.id.desc())
        .limit(EVENTS_SHOWN)
    ).all()
    missed.events = [{"proposal_id": r[0], "title": r[1], "status": r[2], "at": r[3]} for r in rows]
    if rows:
        missed.events_total = rows[0][4]
        newest.append(rows[0][5])


# -- marking it read ----------------------------------------------------------------------------


def clean_seen_until(value, now=None):
    """The moment the page's "Marquer comme lu" names (the newest item it showed), as a naive
    UTC datetime, never later than now; ServiceError for anything else."""
    now = now or utcnow()
    try:
        seen = datetime.fromisoformat((value or "").strip())
    except (TypeError, ValueError):
        raise ServiceError(
            _l("La page ne dit pas jusqu’où vous avez lu : rechargez l’accueil et réessayez."),
            code="invalid_field",
            field="seen_until",
        ) from None
    if seen.tzinfo is not None:
        seen = seen.astimezone(UTC).replace(tzinfo=None)
    return min(seen, now)


def mark_caught_up(actor, seen_until):
    """Mark "ce que vous avez manqué" read up to `seen_until` (the newest item the page showed,
    so that nothing recorded while the page was open is hidden unseen). It never goes back: an
    older page marked read after a newer one changes nothing. Traced `caught_up` (no content);
    broadcasts `caught_up` to the member's own room (their other pages)."""
    require(permissions.is_member(actor))
    seen = clean_seen_until(seen_until)
    with change() as c:
        db.session.execute(
            update(Member)
            .where(
                Member.id == actor.id,
                (Member.caught_up_at.is_(None)) | (Member.caught_up_at < seen),
            )
            .values(caught_up_at=seen)
        )
        c.trace(actor, "caught_up", actor)
        c.publish("caught_up", {"seen_until": seen.isoformat()}, member_room(actor.id))
    caught_up_at = db.session.scalar(select(Member.caught_up_at).where(Member.id == actor.id))
    return caught_up_at
