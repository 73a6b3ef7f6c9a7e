"""Meeting days in the place's time zone (Europe/Paris): today, the coming Friday, URL dates."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from .. import cleaning
from ..errors import NotFound
from ..i18n import _l, long_date


def meeting_hours():
    """The configured start and end of the meeting (12:00–14:00 unless set otherwise)."""
    config = current_app.config

    def parse(value, default):
        try:
            return time.fromisoformat(value)
        except (TypeError, ValueError):
            return default

    return parse(config["MEETING_START"], time(12, 0)), parse(config["MEETING_END"], time(14, 0))


def meeting_weekday():
    return current_app.config["MEETING_WEEKDAY"] % 7


def today_in_place():
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def next_meeting_date(today=None):
    """The coming meeting day (today when it is the day)."""
    today = today or today_in_place()
    return today + timedelta(days=(meeting_weekday() - today.weekday()) % 7)


def next_meeting_after(meeting):
    return meeting.scheduled_for + timedelta(days=7)


def parse_meeting_date(text):
    """Read a `YYYY-MM-DD` from a URL; refuse in French what is not a meeting day."""
    try:
        day = date.fromisoformat(text)
    except (TypeError, ValueError):
        raise NotFound(_l("Cette date n’est pas valide (attendu : AAAA-MM-JJ).")) from None
    if not cleaning.in_window(day):
        raise NotFound(cleaning.day_window_error().message, code="date_out_of_range")
    if day.weekday() != meeting_weekday():
        raise NotFound(
            _l(
                "Le %(date)s n’est pas un jour de réunion : les réunions ont lieu le vendredi.",
                date=long_date(day),
            ),
            code="not_meeting_day",
        )
    return day
