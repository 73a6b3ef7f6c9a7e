"""How the calendar says a place and a moment: "au Jardin du Ravelin", "samedi 5 décembre",
"10 h 00 – 12 h 00". Event times are Europe/Paris wall times: they are formatted as they are,
never converted (the app's date filters convert UTC datetimes)."""

from flask_babel import format_date, get_locale

from ..i18n import NBSP, _, long_date


def _french():
    return str(get_locale() or "fr").startswith("fr")


def place_phrase(place, detail=None):
    """'au 97 rue Battant', 'au Jardin du Ravelin', or the place's detail for elsewhere."""
    if place == "house":
        return _("au 97 rue Battant")
    if place == "garden":
        return _("au Jardin du Ravelin")
    return detail or _("ailleurs")


def wall_time(moment):
    """'18 h 30' / '10 h 00' in French, '18:30' in English (24 h), of a wall time."""
    if _french():
        return f"{moment.hour}{NBSP}h{NBSP}{moment.minute:02d}"
    return f"{moment.hour:02d}:{moment.minute:02d}"


def clock(moment):
    """'18:30', for grids and lists."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


def day_phrase(moment, year=True):
    """'samedi 12 décembre 2026' (or without the year) of a wall datetime or a date."""
    day = moment.date() if hasattr(moment, "date") else moment
    return long_date(day) if year else format_date(day, "EEEE d MMMM")


def time_range(starts_at, ends_at):
    """'10 h 00 – 12 h 00' (the end's day added when it ends another day)."""
    end = wall_time(ends_at)
    if ends_at.date() != starts_at.date():
        end = _("%(day)s à %(time)s", day=day_phrase(ends_at, year=False), time=end)
    return f"{wall_time(starts_at)} – {end}"


def scheduled_reason(event):
    """'Programmée le samedi 12 décembre 2026 à 18 h 30, au 97 rue Battant.'"""
    return _(
        "Programmée le %(day)s à %(time)s, %(place)s.",
        day=day_phrase(event.starts_at),
        time=wall_time(event.starts_at),
        place=place_phrase(event.place, event.place_detail),
    )


def moved_reason(event):
    """'Déplacé au samedi 12 décembre 2026 à 19 h 30, au 97 rue Battant.'"""
    return _(
        "Déplacé au %(day)s à %(time)s, %(place)s.",
        day=day_phrase(event.starts_at),
        time=wall_time(event.starts_at),
        place=place_phrase(event.place, event.place_detail),
    )


def weekday_name(day, short=False):
    """'lundi' (or 'lun.')."""
    return format_date(day, "EEE" if short else "EEEE")


def month_title(day):
    """'décembre 2026'."""
    return format_date(day, "LLLL y")


def short_day(day):
    """'5 déc.' (a week's or a list's heading without the weekday)."""
    return format_date(day, "d MMM")
