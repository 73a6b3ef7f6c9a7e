"""What an event form may hold: the fields of the calendar's forms (and of the console's "create
the event" step), cleaned into an `Event`'s values or refused field by field, in French.

Times are Europe/Paris wall times (naive), as `Event.starts_at` / `ends_at` store them.
"""

import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from dateutil.rrule import rrulestr

from .. import cleaning
from ..errors import FieldErrors
from ..i18n import _l
from ..meetings import dates
from ..models import PLACES

# An event's form fields, in the order the forms show them (the console's decision step
# prefixes them `event_`); `clean_event_fields` reads these.
EVENT_FIELD_NAMES = (
    "title",
    "description",
    "start_date",
    "start_time",
    "end_date",
    "end_time",
    "place",
    "place_detail",
    "visibility",
    "repeat",
    "repeat_until",
)

MAX_TITLE = 200
MAX_PLACE_DETAIL = 200
MAX_DESCRIPTION = 5000
MAX_REASON = 2000
# A series is never longer than this (read.MAX_OCCURRENCES expands at most 500).
MAX_COUNT = 500
VISIBILITIES = ("public", "members")
REPEATS = ("", "weekly", "monthly")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DEFAULT_TIME = "18:00"


def control_characters(text, allowed=""):
    """The control characters (Unicode category Cc) of `text`, except those in `allowed`."""
    return [ch for ch in text if unicodedata.category(ch) == "Cc" and ch not in allowed]


def _text(values, name):
    value = values.get(name)
    return "" if value is None else str(value).strip()


def _clean_line(values, name, limit, problems, label_missing=None):
    """A one-line text: no control character at all, at most `limit` characters."""
    text = _text(values, name)
    if not text:
        if label_missing:
            problems[name] = label_missing
        return None
    if control_characters(text):
        problems[name] = _l(
            "Ce texte contient un caractère invisible interdit (retour à la ligne, tabulation…)."
        )
    elif len(text) > limit:
        problems[name] = _l("%(n)s caractères au plus.", n=limit)
    return text


def clean_reason(text):
    """A cancellation's reason (required, tabs and line breaks allowed), or FieldErrors."""
    text = ("" if text is None else str(text)).strip()
    if not text:
        raise FieldErrors({"reason": _l("Dites pourquoi l’événement est annulé.")})
    if control_characters(text, "\n\t\r"):
        raise FieldErrors({"reason": _l("Ce texte contient un caractère invisible interdit.")})
    if len(text) > MAX_REASON:
        raise FieldErrors({"reason": _l("%(n)s caractères au plus.", n=MAX_REASON)})
    return text.replace("\r\n", "\n")


def _parse_date(values, name, problems, required):
    text = _text(values, name)
    if not text:
        if required:
            problems[name] = _l("Indiquez une date.")
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        problems[name] = _l("Cette date n’est pas valable (attendu : AAAA-MM-JJ).")
        return None
    if not cleaning.in_window(day):
        problems[name] = cleaning.day_window_error().message
        return None
    return day


def _parse_time(values, name, problems):
    text = _text(values, name)
    if not text:
        problems[name] = _l("Indiquez une heure.")
        return None
    try:
        moment = time.fromisoformat(text)
    except ValueError:
        problems[name] = _l("Cette heure n’est pas valable (attendu : HH:MM).")
        return None
    return moment.replace(second=0, microsecond=0, tzinfo=None)


def monthly_byday(day):
    """The BYDAY of "the same weekday of the month": 1SA for a first Saturday, -1SA for a
    fifth one (a fifth Saturday is not in every month: the last one is)."""
    rank = (day.day - 1) // 7 + 1
    return f"{-1 if rank == 5 else rank}{WEEKDAYS[day.weekday()]}"


def build_rrule(repeat, starts_at, until=None):
    """The RRULE value of a repeat choice, counted up to `until` (a date, inclusive) with COUNT:
    a count needs no time zone, where an UNTIL beside a DTSTART;TZID must be written in UTC."""
    if not repeat:
        return None
    if repeat == "weekly":
        rule = f"FREQ=WEEKLY;BYDAY={WEEKDAYS[starts_at.weekday()]}"
    else:
        rule = f"FREQ=MONTHLY;BYDAY={monthly_byday(starts_at.date())}"
    if until is None:
        return rule
    last = datetime.combine(until, time(23, 59, 59))
    count = 0
    for moment in rrulestr(rule, dtstart=starts_at):
        if moment > last or count >= MAX_COUNT:
            break
        count += 1
    return f"{rule};COUNT={max(count, 1)}"


def describe_rrule(rule, starts_at):
    """(repeat, repeat_until ISO date or "") of a stored RRULE, for an edit form."""
    if not rule:
        return "", ""
    repeat = "weekly" if "FREQ=WEEKLY" in rule else "monthly"
    if "COUNT=" not in rule and "UNTIL=" not in rule:
        return repeat, ""
    starts = list(rrulestr(rule, dtstart=starts_at))
    return repeat, starts[-1].date().isoformat() if starts else ""


def clean_event_fields(values: Mapping, today=None, new=True) -> dict:
    """Clean an event form's values (title, description, start_date, start_time, end_date,
    end_time, place, place_detail, visibility, repeat, repeat_until) into an event's values:
    title, description, starts_at, ends_at (wall times), place, place_detail, visibility,
    rrule. Raise FieldErrors naming each refused field. `new`: a new event may not start in
    the past (an edit checks that itself, only when the start moves)."""
    problems = {}
    title = _clean_line(values, "title", MAX_TITLE, problems, _l("Donnez un titre à l’événement."))
    description = str(values.get("description") or "").replace("\r\n", "\n").strip()
    if control_characters(description, "\n\t"):
        problems["description"] = _l("Ce texte contient un caractère invisible interdit.")
    elif len(description) > MAX_DESCRIPTION:
        problems["description"] = _l("%(n)s caractères au plus.", n=MAX_DESCRIPTION)

    start_day = _parse_date(values, "start_date", problems, required=True)
    start_time = _parse_time(values, "start_time", problems)
    end_day = _parse_date(values, "end_date", problems, required=False) or start_day
    end_time = _parse_time(values, "end_time", problems)
    starts_at = ends_at = None
    if start_day and start_time:
        starts_at = datetime.combine(start_day, start_time)
        today = today or dates.today_in_place()
        if new and start_day < today:
            problems["start_date"] = _l("Cette date est passée.")
    if starts_at and end_day and end_time:
        ends_at = datetime.combine(end_day, end_time)
        if ends_at <= starts_at:
            problems["end_time"] = _l("La fin doit venir après le début.")
        elif ends_at - starts_at > timedelta(days=31):
            problems["end_date"] = _l("Un événement dure au plus 31 jours.")

    place = _text(values, "place")
    place_detail = None
    if place not in PLACES:
        problems["place"] = _l(
            "Ce lieu n’existe pas : choisissez la maison, le jardin ou ailleurs."
        )
    elif place == "elsewhere":
        place_detail = _clean_line(
            values,
            "place_detail",
            MAX_PLACE_DETAIL,
            problems,
            _l("Dites où, puisque c’est ailleurs."),
        )

    visibility = _text(values, "visibility") or "public"
    if visibility not in VISIBILITIES:
        problems["visibility"] = _l("Choisissez « public » ou « membres ».")

    repeat = _text(values, "repeat")
    until = None
    if repeat not in REPEATS:
        problems["repeat"] = _l("Cette répétition n’existe pas.")
    elif repeat:
        until = _parse_date(values, "repeat_until", problems, required=False)
        if until and start_day and until < start_day:
            problems["repeat_until"] = _l("La répétition ne peut pas s’arrêter avant le début.")
        if (
            ends_at
            and starts_at
            and ends_at - starts_at > timedelta(days=7 if repeat == "weekly" else 28)
        ):
            problems["end_date"] = _l("Un événement répété doit finir avant sa prochaine date.")
    elif _text(values, "repeat_until"):
        until = _parse_date(values, "repeat_until", problems, required=False)

    if problems:
        raise FieldErrors(problems)
    return {
        "title": title,
        "description": description or None,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": place,
        "place_detail": place_detail,
        "visibility": visibility,
        "rrule": build_rrule(repeat, starts_at, until),
    }


def event_form_values(event):
    """An event's values as its edit form shows them (strings)."""
    repeat, until = describe_rrule(event.rrule, event.starts_at)
    return {
        "title": event.title,
        "description": event.description or "",
        "start_date": event.starts_at.date().isoformat(),
        "start_time": event.starts_at.strftime("%H:%M"),
        "end_date": event.ends_at.date().isoformat(),
        "end_time": event.ends_at.strftime("%H:%M"),
        "place": event.place,
        "place_detail": event.place_detail or "",
        "visibility": event.visibility,
        "repeat": repeat,
        "repeat_until": until,
    }


def event_prefill(proposal) -> dict:
    """An event form's values (strings) from a proposal: its title, description, first wished
    date and time (18:00 when none), the end from its duration, its place; public."""
    wished = [w for w in (proposal.wished_dates or []) if w.get("date")]
    first = wished[0] if wished else {}
    start_date = first.get("date") or ""
    start_time = first.get("time") or DEFAULT_TIME
    end_date = end_time = ""
    try:
        starts_at = datetime.combine(date.fromisoformat(start_date), time.fromisoformat(start_time))
    except ValueError:
        starts_at = None
    if starts_at is not None:
        ends_at = starts_at + timedelta(minutes=proposal.duration_minutes or 120)
        end_date, end_time = ends_at.date().isoformat(), ends_at.strftime("%H:%M")
    elif start_time:
        end_time = ""
    return {
        "title": proposal.title or "",
        "description": proposal.description or "",
        "start_date": start_date,
        "start_time": start_time,
        "end_date": end_date,
        "end_time": end_time,
        "place": proposal.place,
        "place_detail": proposal.place_detail or "",
        "visibility": "public",
        "repeat": "",
        "repeat_until": "",
    }
