"""The rows of the archive as the services would have written them, held in memory until they
are inserted: ids given in order, traces kept with their moment (numbered once all are known,
so that a trace's `seq` follows time), times stored as naive UTC from Paris hours."""

import random
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date

from .vocabulary import PEOPLE

# Insertion order: a row's foreign keys point to rows of tables inserted before it
# (`agenda_item.review_of_decision_id` is set once the decisions are in).
TABLES = (
    "member",
    "meeting",
    "entry",
    "entry_revision",
    "event_proposal",
    "agenda_item",
    "meeting_role",
    "attendance",
    "round",
    "round_answer",
    "decision",
    "action",
    "proposal_status_change",
    "trace",
)

SUBJECT_TYPES = {  # what `pipeline.Change.trace` writes: the subject's class name, lowered
    "member": "member",
    "meeting": "meeting",
    "entry": "entry",
    "event_proposal": "eventproposal",
    "agenda_item": "agendaitem",
    "round": "round",
    "decision": "decision",
    "action": "action",
}


class Rows:
    """Every row of the archive, by table, with the next id of each table."""

    def __init__(self, seed, first_ids, now, zone):
        self.rng = random.Random(seed)
        self.tables = defaultdict(list)
        self.next_ids = dict(first_ids)
        self.now = now  # naive UTC: nothing is written after it
        self.zone = ZoneInfo(zone)
        self.traces = []

    def add(self, table, **values):
        """Append a row to `table` with the next id; return the id."""
        row_id = self.next_ids.get(table, 1)
        self.next_ids[table] = row_id + 1
        self.tables[table].append({"id": row_id, **values})
        return row_id

    def trace(self, at, actor_id, verb, table, subject_id, meeting_id=None, **data):
        """A trace of `verb` on a row of `table`, as `Change.trace` writes it (ids and the
        place's content only, never a name)."""
        self.traces.append(
            {
                "created_at": at,
                "actor_id": actor_id,
                "meeting_id": meeting_id,
                "verb": verb,
                "subject_type": SUBJECT_TYPES[table],
                "subject_id": subject_id,
                "data": data,
            }
        )

    def number_traces(self):
        """Give the traces their ids in the order they happened (their `seq`)."""
        self.traces.sort(key=lambda t: t["created_at"])
        for trace in self.traces:
            self.add("trace", **trace)

    def paris(self, day, hour, minute=0, second=0):
        """Paris wall-clock time of `day` as the naive UTC moment the database keeps."""
        local = datetime.combine(day, time(hour, minute, second), tzinfo=self.zone)
        return local.astimezone(UTC).replace(tzinfo=None)

    def between(self, start, end):
        """A moment between `start` and `end` (naive UTC), never after now."""
        span = max(0.0, (end - start).total_seconds())
        return min(start + timedelta(seconds=self.rng.uniform(0, span)), self.now)

    def counts(self):
        return {table: len(self.tables[table]) for table in TABLES}


def french_day(day):
    """'samedi 12 décembre 2026': content written by the scribe, always in French."""
    return format_date(day, "EEEE d MMMM y", locale="fr_FR")


class Person:
    """A member of the archive: when they joined and left, how often they come."""

    def __init__(self, member_id, name, role, joined, left, assiduity):
        self.id, self.name, self.role = member_id, name, role
        self.first_name = name.split()[0]
        self.joined, self.left, self.assiduity = joined, left, assiduity

    def active(self, week):
        return self.joined <= week and (self.left is None or week < self.left)

    @property
    def runs_meetings(self):
        return self.role in ("facilitator", "admin")


def add_members(rows, fridays, first_day, password_hash):
    """Forty members over the years: most there from the start, some joining later, a few
    leaving (their accounts deactivated); the twelve of the small demo stay throughout."""
    rng = rows.rng
    leavers = set(rng.sample(range(12, len(PEOPLE)), 7)) if fridays >= 60 else set()
    people = []
    for index, (name, local, role) in enumerate(PEOPLE):
        joined = (
            0 if index < 28 else rng.randint(fridays // 10, max(fridays // 10, fridays * 6 // 7))
        )
        left = None
        if index in leavers:
            left = rng.randint(min(joined + 30, fridays - 5), fridays - 5)
        joined_at = rows.paris(first_day + timedelta(days=7 * joined - 10), 19, rng.randint(0, 59))
        member_id = rows.add(
            "member",
            display_name=name,
            email=f"{local}@le97.example",
            password_hash=password_hash,
            role=role,
            created_at=joined_at,
            deactivated_at=(
                rows.paris(first_day + timedelta(days=7 * left - 3), 10) if left else None
            ),
            last_sign_in_at=None,
            caught_up_at=None,
        )
        data = {"first": True} if index == 0 else {}
        rows.trace(joined_at, member_id, "member_joined", "member", member_id, **data)
        people.append(Person(member_id, name, role, joined, left, rng.uniform(0.25, 1.0)))
    return people
