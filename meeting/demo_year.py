"""A year of Fridays for the pictures of the life of the place (`/vie-du-lieu/`), behind the
small demo's three closed Fridays: closed meetings with attendance and the day's roles, a
check-in and two or three points, a few decisions and their actions (most done), a need met
most weeks (often with its value: a contribution in kind), and the anonymous "météo" of the
group (counts only; at least five on most Fridays).

Light rows written straight through the models in one change (no trace: the history is
scenery, not a story the feed tells). Decisions are numbered in the order they were taken: the
demo's own decisions, taken later, are renumbered after them (and so are their traces).
"""

from datetime import datetime, time, timedelta
from itertools import count
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select, update

from .demo_archive.run import fill
from .demo_archive.vocabulary import NEEDS, THEMES
from .extensions import db
from .meetings import dates
from .models import (
    Action,
    AgendaItem,
    Attendance,
    Decision,
    Entry,
    EntryRevision,
    Meeting,
    MeetingRole,
    Trace,
    WeatherGiven,
    WeatherTally,
)
from .models.base import utcnow
from .models.economy import WEATHERS
from .pipeline import change

CHECKIN = "Tour d’inclusion : la météo de chacun·e et les billets d’humeur"
# Needs met by bringing something: an estimated value (cents); time given has none.
IN_KIND = {
    "Du savon": (450, 600, 800),
    "Liquide vaisselle": (350, 450, 520),
    "De l’huile": (900, 1200, 1500),
    "Des chaises": (4000, 6000),
    "Une rallonge": (1500, 2500),
    "Du café": (800, 1200),
    "Des ampoules": (600, 900),
    "Du papier toilette": (500, 700),
    "Des sacs de terreau": (2400, 3200),
    "De la vaisselle": (2000, 3500),
}
# The group's weather through the year: sunnier in summer, greyer in winter (weights).
SEASONS = {
    "winter": (2, 3, 4, 2, 1),
    "spring": (4, 4, 2, 1, 0),
    "summer": (6, 3, 1, 0, 0),
    "autumn": (3, 4, 3, 2, 1),
}
TEMP_NUMBER = 2_000_000  # history decisions, until the demo's own are moved after them


def add_year_of_fridays(members, rng, weeks=52):
    """The Fridays of the past `weeks` weeks that the demo did not write (its last three are
    given their weather only). Returns how many Fridays were added."""
    coming = dates.next_meeting_date()
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    starts, ends = dates.meeting_hours()
    existing = {m.scheduled_for: m for m in db.session.scalars(select(Meeting))}
    now = utcnow()

    def utc(day, hour, minute=0):
        local = datetime.combine(day, time(hour, minute), zone)
        return min(local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None), now)

    people = [m for m in members if not m.is_system]
    added = []
    numbers = count(TEMP_NUMBER)
    with change():
        for weeks_ago in range(weeks, 0, -1):
            day = coming - timedelta(days=7 * weeks_ago)
            if day in existing:
                meeting = existing[day]
                if meeting.status == "closed":
                    givers = rng.sample(people, rng.randint(6, min(10, len(people))))
                    _weather(meeting.id, givers, day, rng)
                continue
            meeting = Meeting(
                scheduled_for=day,
                starts_at=starts,
                ends_at=ends,
                status="closed",
                created_at=utc(day - timedelta(days=6), 8),
                started_at=utc(day, 12, rng.randint(0, 8)),
                closed_at=utc(day, 13, rng.randint(35, 55)),
                live_revision=rng.randint(20, 60),
                agenda_revision=rng.randint(2, 5),
            )
            db.session.add(meeting)
            db.session.flush()
            added.append(_friday(meeting, people, rng, utc, numbers))
        _renumber(sum(added))
    return len(added)


def _friday(meeting, people, rng, utc, numbers):
    """One closed Friday's rows; returns how many decisions it took."""
    day = meeting.scheduled_for
    present = rng.sample(people, rng.randint(min(6, len(people)), min(11, len(people))))
    excused = [m for m in people if m not in present][: rng.randint(0, 2)]
    rows = {}
    for member in present + excused:
        row = Attendance(
            meeting_id=meeting.id,
            member_id=member.id,
            status="present" if member in present else "excused",
            created_at=meeting.started_at,
        )
        db.session.add(row)
        rows[member.id] = row
    facilitator, scribe, timekeeper = rng.sample(present, 3)
    for role, member in (
        ("facilitator", facilitator),
        ("scribe", scribe),
        ("timekeeper", timekeeper),
    ):
        db.session.add(MeetingRole(meeting_id=meeting.id, role=role, member_id=member.id))
    db.session.flush()
    present_ids = [rows[m.id].id for m in present]
    minute = 12 * 60 + 5
    items = [("checkin", CHECKIN, None)]
    for theme in rng.sample(sorted(THEMES), rng.randint(2, 3)):
        items.append(("topic", rng.choice(THEMES[theme][0]), theme))
    decisions = 0
    for position, (kind, title, theme) in enumerate(items):
        length = 10 if kind == "checkin" else rng.randint(10, 25)
        start, minute = utc(day, minute // 60, minute % 60), minute + length
        end = utc(day, minute // 60, minute % 60)
        item = AgendaItem(
            meeting_id=meeting.id,
            position=position,
            title=title,
            kind=kind,
            timebox_minutes=10 if kind == "checkin" else 15,
            status="done",
            started_at=start,
            ended_at=end,
            elapsed_seconds=length * 60,
            created_at=utc(day, 11, 30),
        )
        db.session.add(item)
        db.session.flush()
        if theme is None or rng.random() < 0.35:
            continue
        _titles, _bodies, statements, actions = THEMES[theme]
        decision = Decision(
            number=next(numbers),
            meeting_id=meeting.id,
            item_id=item.id,
            statement=fill(rng, rng.choice(statements)),
            mode=rng.choices(("consent", "vote", "information"), (60, 15, 25))[0],
            result={},
            present=present_ids,
            decided_by_id=scribe.id,
            decided_at=end - timedelta(minutes=1),
        )
        db.session.add(decision)
        db.session.flush()
        decisions += 1
        for label in rng.sample(actions, rng.choice((1, 1, 2))):
            due = day + timedelta(days=rng.randint(5, 21))
            done = due < dates.today_in_place() and rng.random() < 0.85
            owner = rng.choice(present)
            db.session.add(
                Action(
                    meeting_id=meeting.id,
                    item_id=item.id,
                    decision_id=decision.id,
                    label=label,
                    owner_id=owner.id,
                    due_on=due,
                    status="done" if done else "open",
                    created_by_id=scribe.id,
                    created_at=end,
                    done_at=utc(due - timedelta(days=rng.randint(0, 4)), 18) if done else None,
                    done_by_id=owner.id if done else None,
                )
            )
    if rng.random() < 0.8:
        _need(meeting, people, rng, utc)
    if rng.random() < 0.12:
        givers = present[: rng.randint(2, 4)]  # too few: the picture shows no weather that day
    else:
        givers = present[: max(5, len(present) - rng.randint(0, 3))]
    _weather(meeting.id, givers, day, rng)
    return decisions


def _need(meeting, people, rng, utc):
    """A need of that Friday's document, taken on and met (a value when goods were brought)."""
    title, body = rng.choice(NEEDS)
    day = meeting.scheduled_for
    author, helper = rng.sample(people, 2)
    written = utc(day - timedelta(days=rng.randint(2, 5)), 9)
    met = rng.random() < 0.88
    values = IN_KIND.get(title)
    entry = Entry(
        meeting_id=meeting.id,
        kind="need",
        title=title,
        body=body,
        author_id=author.id,
        created_at=written,
        updated_at=written,
        need_status="met" if met else "dropped",
        claimed_by_id=helper.id if met else None,
        claimed_at=written + timedelta(hours=5) if met else None,
        resolved_at=utc(day + timedelta(days=rng.randint(0, 3)), 17),
        in_kind_cents=rng.choice(values) if met and values and rng.random() < 0.8 else None,
        in_kind_member_id=helper.id if met and values else None,
    )
    db.session.add(entry)
    db.session.flush()
    db.session.add(
        EntryRevision(
            entry_id=entry.id,
            revision=1,
            title=title,
            body=body,
            author_id=author.id,
            created_at=written,
        )
    )
    if entry.in_kind_cents is None:
        entry.in_kind_member_id = None


def _weather(meeting_id, givers, day, rng):
    """Counts of each weather given by `givers` (who gave one is kept, never which)."""
    season = ("winter", "spring", "summer", "autumn")[(day.month % 12) // 3]
    counts = dict.fromkeys(WEATHERS, 0)
    for _member in givers:
        counts[rng.choices(WEATHERS, SEASONS[season])[0]] += 1
    for weather, given in counts.items():
        if given:
            db.session.add(WeatherTally(meeting_id=meeting_id, weather=weather, count=given))
    for member in givers:
        db.session.add(WeatherGiven(meeting_id=meeting_id, member_id=member.id))


def _renumber(history):
    """Number the history's decisions 1…N in the order they were taken, and the demo's own
    (taken later) after them, their traces too."""
    if not history:
        return
    db.session.flush()
    table = Decision.__table__
    db.session.execute(
        update(table).where(table.c.number < TEMP_NUMBER).values(number=table.c.number + 1_000_000)
    )
    db.session.execute(
        update(table)
        .where(table.c.number >= 1_000_000, table.c.number < TEMP_NUMBER)
        .values(number=table.c.number - 1_000_000 + history)
    )
    ids = db.session.scalars(
        select(Decision.id).where(Decision.number >= TEMP_NUMBER).order_by(Decision.decided_at)
    ).all()
    for number, decision_id in enumerate(ids, start=1):
        db.session.execute(update(table).where(table.c.id == decision_id).values(number=number))
    for trace in db.session.scalars(select(Trace).where(Trace.verb.like("decision%"))):
        data = dict(trace.data or {})
        for key in ("number", "supersedes_number"):
            if isinstance(data.get(key), int):
                data[key] += history
        trace.data = data
    db.session.flush()
    db.session.expire_all()  # the rows' numbers changed under the ORM
