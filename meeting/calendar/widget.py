"""The place's coming events for its own website: the rows of `/agenda/prochains.json` and of
the embeddable `/agenda/widget` (public events only, upcoming, not cancelled).

Both are public data, the same for everyone, written in French (the place's website is), so
they can be cached by anyone for a few minutes.
"""

from dataclasses import dataclass
from datetime import datetime

from ..errors import ServiceError
from ..i18n import _, long_date, short_time
from . import read
from .ical import event_url, place_text, place_zone

DEFAULT_COUNT = 10
MAX_COUNT = 50
# Public and the same for everyone: shared caches may keep it five minutes.
CACHE_CONTROL = "public, max-age=300"


def parse_count(value):
    """`?n=`: how many events (1–50, 10 when absent); anything else is refused in French."""
    if value is None or value == "":
        return DEFAULT_COUNT
    text = str(value).strip()
    if not text.isdigit() or len(text) > 3 or not 1 <= int(text) <= MAX_COUNT:
        raise ServiceError(
            _(
                "Le paramètre « n » doit être un nombre entier de %(low)s à %(high)s "
                "(%(default)s par défaut).",
                low=1,
                high=MAX_COUNT,
                default=DEFAULT_COUNT,
            ),
            code="bad_count",
            field="n",
        )
    return int(text)


def now_in_place():
    """The place's wall time now (naive, like `Event.starts_at`)."""
    return datetime.now(place_zone()).replace(tzinfo=None)


@dataclass(frozen=True)
class Upcoming:
    """One coming occurrence as the place's website shows it."""

    title: str
    starts_at: datetime  # aware, Europe/Paris
    ends_at: datetime
    place: str
    place_label: str
    url: str | None
    event_id: int
    recurring: bool

    @property
    def same_day(self):
        return self.starts_at.date() == self.ends_at.date()

    def when(self):
        """'samedi 12 décembre 2026, 18 h 30 – 20 h' (or over two days)."""
        start_day, end_day = long_date(self.starts_at.date()), long_date(self.ends_at.date())
        start, end = short_time(self.starts_at.time()), short_time(self.ends_at.time())
        if self.same_day:
            return _("%(day)s, %(start)s – %(end)s", day=start_day, start=start, end=end)
        return _(
            "du %(start_day)s à %(start)s au %(end_day)s à %(end)s",
            start_day=start_day,
            start=start,
            end_day=end_day,
            end=end,
        )

    def as_json(self):
        return {
            "id": self.event_id,
            "title": self.title,
            "start": self.starts_at.isoformat(),
            "end": self.ends_at.isoformat(),
            "place": self.place,
            "place_label": self.place_label,
            "url": self.url,
            "recurring": self.recurring,
        }


def upcoming(count=DEFAULT_COUNT, now=None):
    """The next `count` public, confirmed occurrences from now (those under way included)."""
    zone = place_zone()
    found = []
    for occurrence in read.upcoming(now or now_in_place(), include_members=False, limit=count):
        event = occurrence.event
        if event.visibility != "public" or event.status != "confirmed":
            continue  # read.upcoming already leaves them out; a second lock on the door
        found.append(
            Upcoming(
                title=event.title,
                starts_at=occurrence.starts_at.replace(tzinfo=zone),
                ends_at=occurrence.ends_at.replace(tzinfo=zone),
                place=event.place,
                place_label=place_text(event),
                url=event_url(event),
                event_id=event.id,
                recurring=bool(event.rrule),
            )
        )
    return found
