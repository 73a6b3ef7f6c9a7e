"""La météo du groupe: the optional weather a billet d'humeur carries (soleil, éclaircies,
nuages, pluie, orage), counted per Friday and never linked to a person.

What is stored: `WeatherTally(meeting, weather, count)` (how many gave each weather) and
`WeatherGiven(meeting, member)` (that someone gave one, so that nobody counts twice), never
which one: not on the entry, not in a trace, not in a fact or an ack. The counts of a Friday
are shown only once it is closed (so that nobody learns a weather by watching the counts move
when someone writes) and only when at least `MIN_WEATHER` people gave one.
"""

from sqlalchemy import exists, select
from sqlalchemy.dialects import postgresql, sqlite

from ..errors import ServiceError
from ..extensions import db
from ..i18n import _l
from ..labels import WEATHER_LABELS, WEATHER_SYMBOLS
from ..models import WeatherGiven, WeatherTally
from ..models.economy import WEATHERS

MIN_WEATHER = 5


def choices():
    """(value, symbol, label) of the five weathers, sunniest first, for the add form."""
    return [(w, WEATHER_SYMBOLS[w], WEATHER_LABELS[w]) for w in WEATHERS]


def clean_weather(value):
    """One of the five weathers, or None when nothing is said ("Ne rien dire": empty)."""
    value = (value or "").strip() if isinstance(value, str) else value
    if value in (None, ""):
        return None
    if value not in WEATHERS:
        raise ServiceError(
            _l(
                "Cette météo n’existe pas : choisissez soleil, éclaircies, nuages, pluie, orage "
                "ou « Ne rien dire »."
            ),
            code="invalid_weather",
            field="weather",
        )
    return value


def has_given(member, meeting):
    """Whether `member` already gave a weather for `meeting` (False before the row exists)."""
    if member is None or meeting is None or getattr(meeting, "id", None) is None:
        return False
    member_id = getattr(member, "id", None)
    if member_id is None:
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    WeatherGiven.meeting_id == meeting.id, WeatherGiven.member_id == member_id
                )
            )
        )
    )


def already_given_error():
    return ServiceError(
        _l("Vous avez déjà donné votre météo pour ce vendredi."),
        code="weather_already_given",
        field="weather",
    )


def check_weather(actor, meeting, kind, weather):
    """Before a change: the weather a new entry of `kind` carries (None for no weather, and
    for anything else than a billet d'humeur); refuses a bad value or a second weather."""
    if kind != "mood":
        return None
    weather = clean_weather(weather)
    if weather is not None and has_given(actor, meeting):
        raise already_given_error()
    return weather


def give_weather(actor, meeting, weather):
    """Inside the change that adds a billet: count `weather` for the Friday and note that
    `actor` gave one (the unique row refuses a second one, even at the same instant)."""
    weather = clean_weather(weather)
    if weather is None:
        return
    if has_given(actor, meeting):
        raise already_given_error()
    db.session.add(WeatherGiven(meeting_id=meeting.id, member_id=actor.id))
    db.session.flush()
    # One statement, insert or add one: two billets at the same instant both count.
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(WeatherTally).values(meeting_id=meeting.id, weather=weather, count=1)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[WeatherTally.meeting_id, WeatherTally.weather],
            set_={"count": WeatherTally.count + 1},
        )
    )


def tallies(meeting_ids):
    """{meeting id: {weather: count}} of the given Fridays (counts only)."""
    result = {}
    if not meeting_ids:
        return result
    for meeting_id, weather, count in db.session.execute(
        select(WeatherTally.meeting_id, WeatherTally.weather, WeatherTally.count).where(
            WeatherTally.meeting_id.in_(list(meeting_ids))
        )
    ):
        result.setdefault(meeting_id, {})[weather] = count
    return result


def shown_counts(meeting):
    """The weather of one closed Friday as it may be shown: {weather: count} in the order of
    `WEATHERS`, or None while it is open or when fewer than `MIN_WEATHER` people gave one."""
    if meeting is None or meeting.id is None or meeting.status != "closed":
        return None
    counts = tallies([meeting.id]).get(meeting.id, {})
    if sum(counts.values()) < MIN_WEATHER:
        return None
    return {w: counts.get(w, 0) for w in WEATHERS}
