"""One Friday of the archive: attendance and roles, the week's document, the agenda and how
the meeting went, then closing (unfinished points carried to the next Friday)."""

from dataclasses import dataclass, field
from datetime import timedelta

from .outcomes import Outcomes
from .vocabulary import CLAIM_NOTES, EVENTS, GUESTS, MATERIAL, MOODS, NEEDS, THEMES

CHECKIN_TITLE = "Tour d’inclusion : la météo de chacun·e et les billets d’humeur"
PLACE_DETAILS = ["Rue Battant", "Place Bacchus", "Quai de Strasbourg"]


@dataclass
class Item:
    """An agenda item being built (its row is written once its fate is known)."""

    kind: str
    title: str
    timebox: int
    theme: str | None = None
    entry_id: int | None = None
    proposal: dict | None = None  # the proposal's row, when the item discusses one
    carried_from_id: int | None = None
    review_of: dict | None = None  # the reviewed decision (see Outcomes.decisions)
    created_at: object = None
    id: int = 0
    position: int = 0
    status: str = "pending"
    start: object = None
    end: object = None
    decisions: list = field(default_factory=list)


@dataclass
class Day:
    """What the rest of the Friday needs to know about its meeting."""

    week: int
    day: object
    meeting_id: int
    facilitator: object
    scribe: object
    present: list  # Person
    attendance_ids: list  # ids of the present attendance rows (members and guests)
    attendance_of: dict  # member id -> attendance id
    guests: dict  # attendance id -> guest name


class Fridays:
    """Builds the Fridays one after the other (what one leaves the next one needs)."""

    def __init__(self, rows, people, hours):
        self.rows, self.rng, self.people = rows, rows.rng, people
        self.starts_at, self.ends_at = hours
        self.outcomes = Outcomes(rows)
        self.carried = []  # Items the previous Friday carried to the next one
        self.next_meeting = None  # (id, day) of the row the last closing created

    # -- the meeting row and who is there ---------------------------------------------------

    def meeting(self, day, week):
        if self.next_meeting and self.next_meeting[1] == day:
            return self.next_meeting[0]  # created when the previous Friday closed
        created = self.rows.paris(day - timedelta(days=13), 9)
        meeting_id = self.meeting_row(day, created)
        self.rows.trace(created, None, "meeting_scheduled", "meeting", meeting_id, meeting_id,
                        date=day.isoformat())  # fmt: skip
        return meeting_id

    def meeting_row(self, day, created):
        return self.rows.add(
            "meeting", scheduled_for=day, starts_at=self.starts_at, ends_at=self.ends_at,
            status="preparing", created_at=created, started_at=None, closed_at=None,
            live_revision=0, agenda_revision=0, join_code=None, speaker_attendance_id=None,
            summary=None, summary_revision=0, summary_updated_by_id=None,
            minutes_validated_at=None, minutes_validated_by_id=None, minutes_mailed_at=None,
        )  # fmt: skip

    def weighted_sample(self, people, n):
        keyed = sorted(people, key=lambda p: self.rng.random() ** (1 / p.assiduity), reverse=True)
        return keyed[:n], keyed[n:]

    def attend(self, week, day, meeting_id):
        rows, rng = self.rows, self.rng
        active = [p for p in self.people if p.active(week)]
        present, others = self.weighted_sample(active, min(rng.randint(8, 25), len(active) - 1))
        excused = others[: rng.randint(0, min(4, len(others)))]
        runners = [p for p in present if p.runs_meetings]
        facilitator = rng.choice(runners) if runners and rng.random() < 0.8 else present[0]
        scribe, timekeeper = rng.sample([p for p in present if p is not facilitator], 2)
        opening = rows.paris(day, 11, 40)
        for role, person in (("facilitator", facilitator), ("scribe", scribe),
                             ("timekeeper", timekeeper)):  # fmt: skip
            rows.add("meeting_role", meeting_id=meeting_id, role=role, member_id=person.id)
            rows.trace(opening, facilitator.id, "role_assigned", "meeting", meeting_id,
                       meeting_id, member_id=person.id, role=role, date=day.isoformat())  # fmt: skip
        attendance_of, guests = {}, {}
        for person in excused:
            at = rows.between(rows.paris(day - timedelta(days=4), 9), rows.paris(day, 11))
            rows.add("attendance", meeting_id=meeting_id, member_id=person.id, guest_name=None,
                     status="excused", created_at=at)  # fmt: skip
            rows.trace(at, person.id, "attendance_set", "meeting", meeting_id, meeting_id,
                       member_id=person.id, status="excused", date=day.isoformat())  # fmt: skip
        marked = rows.paris(day, 12, rng.randint(0, 8))
        for person in present:
            attendance_of[person.id] = rows.add(
                "attendance", meeting_id=meeting_id, member_id=person.id, guest_name=None,
                status="present", created_at=marked,
            )  # fmt: skip
        rows.trace(marked, facilitator.id, "attendance_marked_present", "meeting", meeting_id,
                   meeting_id, member_ids=[p.id for p in present], count=len(present),
                   date=day.isoformat())  # fmt: skip
        for name in rng.sample(GUESTS, rng.choice((0, 0, 0, 1, 1, 2, 3))):
            joined = rows.paris(day, 12, rng.randint(2, 20))
            guest_id = rows.add("attendance", meeting_id=meeting_id, member_id=None,
                                guest_name=name, status="present", created_at=joined)  # fmt: skip
            guests[guest_id] = name
            rows.trace(joined, None, "guest_joined", "meeting", meeting_id, meeting_id,
                       attendance_id=guest_id)  # fmt: skip
        ids = list(attendance_of.values()) + list(guests)
        return Day(week, day, meeting_id, facilitator, scribe, present, ids, attendance_of, guests)

    # -- the week's document ----------------------------------------------------------------

    def entry(self, meeting_id, kind, title, body, author, at, during=False, **need):
        rows, rng = self.rows, self.rng
        entry_id = rows.add(
            "entry", meeting_id=meeting_id, kind=kind, title=title, body=body,
            author_id=author.id, revision=1, created_at=at, updated_at=at,
            updated_by_id=author.id, added_during_meeting=during,
            need_status="open" if kind == "need" else None, claimed_by_id=None,
            claim_note=None, claimed_at=None, resolved_at=None,
        )  # fmt: skip
        rows.add("entry_revision", entry_id=entry_id, revision=1, title=title, body=body,
                 author_id=author.id, created_at=at)  # fmt: skip
        data = {"kind": kind} if kind == "mood" else {"kind": kind, "title": title}
        rows.trace(at, author.id, "entry_added", "entry", entry_id, meeting_id, **data)
        row = rows.tables["entry"][-1]
        if rng.random() < 0.08:  # its author edited it once
            edited = rows.between(at, at + timedelta(hours=20))
            row.update(revision=2, body=body + "\n\nMise à jour : c’est toujours d’actualité.",
                       updated_at=edited)  # fmt: skip
            rows.add("entry_revision", entry_id=entry_id, revision=2, title=title,
                     body=row["body"], author_id=author.id, created_at=edited)  # fmt: skip
            rows.trace(edited, author.id, "entry_edited", "entry", entry_id, meeting_id,
                       author_id=author.id, **data)  # fmt: skip
        return row

    def document(self, week, day, meeting_id, until=None):
        """The entries written during the week before `day` (up to `until`, for the coming
        Friday); returns (topics, needs, proposals) as (row, theme) pairs and rows."""
        rows, rng = self.rows, self.rng
        writers = [p for p in self.people if p.active(week)]
        start = rows.paris(day - timedelta(days=6), 8)
        end = min(until or rows.paris(day, 11, 30), rows.now)
        scale = 1.0 if until is None else 0.4

        def moment():
            return rows.between(start, end)

        def author():
            return self.weighted_sample(writers, 1)[0][0]

        topics, needs, proposals = [], [], []
        for _ in range(round(rng.randint(5, 12) * scale)):
            body = " ".join(rng.sample(MOODS, rng.choice((1, 1, 2))))
            self.entry(meeting_id, "mood", None, body, author(), moment())
        for _ in range(round(rng.randint(4, 9) * scale)):
            title, body = rng.choice(NEEDS)
            needs.append(self.entry(meeting_id, "need", title, body, author(), moment()))
        for _ in range(round(rng.randint(6, 12) * scale)):
            theme = rng.choice(list(THEMES))
            titles, bodies, _decided, _actions = THEMES[theme]
            row = self.entry(meeting_id, "topic", rng.choice(titles), rng.choice(bodies),
                             author(), moment())  # fmt: skip
            topics.append((row, theme))
        for _ in range(round(rng.choice((2, 3, 3, 4, 4, 5, 6)) * scale)):
            proposals.append(self.proposal(meeting_id, day, author(), moment()))
        for need in needs:
            self.need_fate(need, day, until is not None, writers)
        return topics, needs, proposals

    def proposal(self, meeting_id, day, author, at):
        rng = self.rng
        title, description, place = rng.choice(EVENTS)
        entry = self.entry(meeting_id, "proposal", title, description, author, at)
        moments = sorted(
            {day + timedelta(days=rng.randint(8, 50)) for _ in range(rng.randint(1, 3))}
        )
        hour = rng.choice(("19:00", "20:00", "18:30", "10:00", "14:30"))
        self.rows.add(
            "event_proposal", entry_id=entry["id"], meeting_id=meeting_id, proposer_id=author.id,
            outside_name=None, outside_email=None, status_token_hash=None,
            wished_dates=[{"date": d.isoformat(), "time": hour} for d in moments],
            duration_minutes=rng.choice((90, 120, 150, 180)), place=place,
            place_detail=rng.choice(PLACE_DETAILS) if place == "elsewhere" else None,
            expected_attendance=rng.randint(8, 60), material_needs=rng.choice(MATERIAL),
            status="submitted", created_at=at, status_changed_at=at, withdrawn_at=None,
        )  # fmt: skip
        row = self.rows.tables["event_proposal"][-1]
        row["title"], row["author"], row["moments"] = title, author, moments
        self.outcomes.move(row, None, "submitted", author.id, at)
        return row

    def need_fate(self, need, day, coming, takers):
        rows, rng = self.rows, self.rng
        if coming and rng.random() < 0.6:
            return
        fate = rng.choices(("met", "dropped", "claimed", "open"), (65, 10, 15, 10))[0]
        if fate == "open":
            return
        limit = rows.paris(day, 11, 50)  # a closed Friday's needs no longer move
        at = rows.between(need["created_at"], min(need["created_at"] + timedelta(days=2), limit))
        if fate in ("met", "claimed"):
            taker = rng.choice(takers)
            need.update(need_status="claimed", claimed_by_id=taker.id, claimed_at=at,
                        claim_note=rng.choice(CLAIM_NOTES))  # fmt: skip
            rows.trace(at, taker.id, "need_claimed", "entry", need["id"], need["meeting_id"],
                       status="claimed", title=need["title"])  # fmt: skip
        if fate in ("met", "dropped"):
            done = rows.between(at, max(at, limit))
            actor = need["claimed_by_id"] or need["author_id"]
            need.update(need_status=fate, resolved_at=done)
            rows.trace(done, actor, "need_resolved", "entry", need["id"], need["meeting_id"],
                       status=fate, title=need["title"])  # fmt: skip
