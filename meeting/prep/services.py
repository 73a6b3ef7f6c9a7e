"""Reading what the home page shows about the coming Friday."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

FRIDAY = 4
MEETING_START = time(12, 0)
MEETING_END = time(14, 0)


def today_in_place():
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def next_friday(today=None):
    """The coming Friday (today when it is Friday)."""
    today = today or today_in_place()
    return today + timedelta(days=(FRIDAY - today.weekday()) % 7)


def is_friday(day: date):
    return day.weekday() == FRIDAY
