"""The minutes of a Friday, read only: composed from what the live session recorded (who was
there, the roles, what became of each point, decisions, actions, what was carried over and
where to) and the scribe's summary. Billets d'humeur are never read here.

`minutes_for(actor, day)` is what pages, the Markdown export and the e-mail use: it checks who
may read them (`permissions.can_read_archive`) and whether the Friday took place, and composes
them for that audience (a non-member reads no one's name).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import permissions
from ..errors import NotFound, ServiceError
from ..extensions import db
from ..i18n import _, _l, long_date
from ..labels import ITEM_STATUS_LABELS
from ..live import services as live
from ..meetings import dates
from ..meetings import services as meetings
from ..models import Action, AgendaItem, Decision, Meeting, Member


class MinutesPending(ServiceError):
    """The Friday is live: its minutes exist once it is closed."""

    code = "minutes_pending"
    status = 404


class SignInRequired(ServiceError):
    """The minutes are for members, and nobody is signed in."""

    code = "not_signed_in"
    status = 401


@dataclass
class Point:
    """One point of the agenda and what became of it."""

    item: AgendaItem
    decisions: list = field(default_factory=list)
    carried_to: object = None  # the date of the Friday it went on to (postponed)
    carried_from: object = None  # the date of the Friday it came from (carried over)

    @property
    def outcome(self):
        return self.item.status


@dataclass
class Minutes:
    """Everything the minutes of one Friday show, for one audience (`public`: no names)."""

    meeting: Meeting
    public: bool
    present: list  # Attendance rows of present members
    guests: list  # Attendance rows of present guests
    excused: list  # Attendance rows of excused members
    roles: dict  # role -> Member
    points: list  # Point, in agenda order
    decisions: list  # Decision, by number
    actions: list  # Action, in order of recording
    summary_author: Member | None
    validated_by: Member | None
    next_day: object

    @property
    def day(self):
        return self.meeting.scheduled_for

    @property
    def carried(self):
        """The points that went on to another Friday."""
        return [p for p in self.points if p.outcome == "postponed"]

    @property
    def validated(self):
        return self.meeting.minutes_validated_at is not None

    def decision_numbers(self, item):
        return [d.number for d in self.decisions if d.item_id == item.id]


def parse_day(day_text):
    """The Friday of a URL (`2026-12-04`), or NotFound in French."""
    return dates.parse_meeting_date(day_text)


def held_meeting(day):
    """The closed meeting of `day`; MinutesPending while it is live; NotFound (French) when it
    never took place or has not started."""
    meeting = meetings.find_meeting(day)
    if meeting is None or meeting.status == "preparing":
        raise NotFound(
            _l(
                "Pas de compte rendu : la réunion du %(date)s n’a pas eu lieu (ou pas encore).",
                date=long_date(day),
            ),
            code="no_minutes",
        )
    if meeting.status == "live":
        raise MinutesPending(
            _l(
                "La réunion du %(date)s est en cours : le compte rendu sera disponible à la "
                "clôture.",
                date=long_date(day),
            )
        )
    return meeting


def require_reader(actor):
    """Members read the minutes; anyone when the place publishes them; else sign in."""
    if not permissions.can_read_archive(actor):
        raise SignInRequired(_l("Connectez-vous pour lire ce compte rendu."))


def minutes_for(actor, day_text):
    """The minutes of the Friday of a URL (`2026-12-04`) as `actor` may read them: who may
    read first (SignInRequired), then the date (NotFound), then whether it took place."""
    require_reader(actor)
    meeting = held_meeting(parse_day(day_text))
    return compose(meeting, public=not permissions.is_member(actor))


def outcome_label(point):
    """What became of a point, as the minutes say it ("reporté au vendredi 11 décembre…")."""
    item = point.item
    if item.status == "postponed":
        if point.carried_to is not None:
            return _("reporté au %(date)s", date=long_date(point.carried_to))
        return _("non tenu") if item.kind == "checkin" else _("reporté")
    if item.status == "done":
        return _("traité")
    return str(ITEM_STATUS_LABELS[item.status])


def compose(meeting, public=False):
    """Read the minutes of a closed `meeting`; `public` leaves every person's name out."""
    people = live.attendance(meeting.id)
    items = live.agenda_items(meeting.id)
    decisions = db.session.scalars(
        select(Decision)
        .where(Decision.meeting_id == meeting.id)
        .options(selectinload(Decision.actions))
        .order_by(Decision.number)
    ).all()
    actions = db.session.scalars(
        select(Action)
        .where(Action.meeting_id == meeting.id)
        .options(selectinload(Action.owner), selectinload(Action.decision))
        .order_by(Action.id)
    ).all()
    return Minutes(
        meeting=meeting,
        public=public,
        present=[a for a in people if a.status == "present" and not a.is_guest],
        guests=[a for a in people if a.status == "present" and a.is_guest],
        excused=[a for a in people if a.status == "excused"],
        roles=live.day_roles(meeting.id),
        points=_points(items, decisions),
        decisions=decisions,
        actions=actions,
        summary_author=_member(meeting.summary_updated_by_id),
        validated_by=_member(meeting.minutes_validated_by_id),
        next_day=meeting.scheduled_for + timedelta(days=7),
    )


def _member(member_id):
    return db.session.get(Member, member_id) if member_id else None


def _points(items, decisions):
    """The agenda with the decisions taken on each point and, for a point carried over, the
    Friday it went on to (or came from)."""
    ids = [i.id for i in items]
    onward = {}
    if ids:
        rows = db.session.execute(
            select(AgendaItem.carried_from_id, Meeting.scheduled_for)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(AgendaItem.carried_from_id.in_(ids))
        ).all()
        onward = {from_id: day for from_id, day in rows}
    origin_ids = [i.carried_from_id for i in items if i.carried_from_id]
    origins = {}
    if origin_ids:
        rows = db.session.execute(
            select(AgendaItem.id, Meeting.scheduled_for)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(AgendaItem.id.in_(origin_ids))
        ).all()
        origins = dict(rows)
    by_item = {}
    for decision in decisions:
        by_item.setdefault(decision.item_id, []).append(decision)
    return [
        Point(
            item=item,
            decisions=by_item.get(item.id, []),
            carried_to=onward.get(item.id),
            carried_from=origins.get(item.carried_from_id),
        )
        for item in items
    ]
