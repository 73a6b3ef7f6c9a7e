"""French first: locale choice, French typography, and dates through Babel in Europe/Paris."""

import re

from babel.dates import format_date as _babel_format_date
from flask import current_app, request, session
from flask_babel import LazyString, get_locale, get_translations, to_user_timezone
from flask_babel import format_date as _format_date
from flask_babel import format_datetime as _format_datetime
from flask_babel import format_time as _format_time
from flask_babel import gettext as _babel_gettext
from markupsafe import escape

NBSP = "\u00a0"  # espace insécable, before « : » and inside « »
NNBSP = "\u202f"  # espace fine insécable, before ; ! ?

_BEFORE_HIGH_PUNCT = re.compile(r"(?<=[^\s;:!?(\[«])[ \u00a0\u202f]?([;!?]+)(?=[\s»)\]]|$|<)")
_BEFORE_COLON = re.compile(r"(?<=[^\s:;!?(\[«])[ \u00a0\u202f]?:(?=[\s»)\]]|$|<)")
_OPEN_QUOTE = re.compile(r"«[ \u00a0\u202f]?")
_CLOSE_QUOTE = re.compile(r"[ \u00a0\u202f]?»")


def french_spacing(text):
    """Put the no-break spaces French typography wants before `: ; ! ?` and inside « »."""
    if not text:
        return text
    text = _BEFORE_HIGH_PUNCT.sub(NNBSP + r"\1", text)
    text = _BEFORE_COLON.sub(NBSP + ":", text)
    text = _OPEN_QUOTE.sub("«" + NBSP, text)
    text = _CLOSE_QUOTE.sub(NBSP + "»", text)
    return text


def _is_french():
    try:
        return str(get_locale() or "fr").startswith("fr")
    except RuntimeError:
        return True


def _typeset(text):
    return french_spacing(text) if _is_french() else text


def gettext(string, **variables):
    """Translate `string`, with French typography when the page is in French."""
    return _typeset(_babel_gettext(string, **variables))


def ngettext(singular, plural, num, **variables):
    """Plural forms; French (the source language) keeps 0 in the singular: « 0 réponse »."""
    variables.setdefault("num", num)
    if _is_french() and 0 <= num < 2:
        num = 1
    return _typeset(get_translations().ungettext(singular, plural, num) % variables)


def lazy_gettext(string, **variables):
    return LazyString(gettext, string, **variables)


_ = gettext
_l = lazy_gettext


def french(text_factory):
    """Build a stored text (a generated title) in French, whatever the
    language of the page that caused it: the record of the place is kept in French."""
    from flask_babel import force_locale

    with force_locale("fr"):
        return text_factory()


def select_locale():
    """French unless the person chose English (link in the footer, kept in the session)."""
    chosen = session.get("lang") if request else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


# -- dates and times ------------------------------------------------------------------------


def long_date(value):
    """'vendredi 4 décembre 2026' (a `date`, or a UTC datetime shown in Europe/Paris)."""
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = to_user_timezone(value).date()
    return _babel_format_date(value, "full", locale=str(get_locale() or "fr"))


def short_time(value):
    """'12 h 15' in French running text, '12:15' in English."""
    if value is None:
        return ""
    if _is_french():
        # "12 h 15", and "12 h" on the hour.
        # Europe/Paris is a whole number of hours from UTC: the minute is the local one.
        minute = value.minute
        pattern = f"H'{NBSP}h{NBSP}'mm"
        if minute == 0:
            pattern = f"H'{NBSP}h'"
    else:
        pattern = "HH:mm"
    if hasattr(value, "date"):
        return _format_datetime(value, pattern)
    return _format_time(value, pattern)


def long_datetime(value):
    """'vendredi 4 décembre 2026 à 12 h 15' from a UTC datetime, in Europe/Paris."""
    if value is None:
        return ""
    return gettext("%(date)s à %(time)s", date=long_date(value), time=short_time(value))


def short_date(value):
    return _format_date(value, "short") if value is not None else ""


def iso(value):
    """ISO 8601 in UTC for `<time datetime>` attributes."""
    return value.isoformat() + "Z" if value is not None else ""


def iso_date_long(value):
    """'2026-12-12' (as stored in JSON) → 'samedi 12 décembre 2026'."""
    from datetime import date

    try:
        return long_date(date.fromisoformat(value))
    except (TypeError, ValueError):
        return value or ""


def iso_time_short(value):
    """'18:30' → '18 h 30'."""
    from datetime import time

    try:
        return short_time(time.fromisoformat(value))
    except (TypeError, ValueError):
        return value or ""


def duration(minutes):
    """90 → '1 h 30', 45 → '45 min', 120 → '2 h'."""
    if minutes is None:
        return ""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return gettext("%(n)s min", n=rest)
    if not rest:
        return gettext("%(h)s h", h=hours)
    return gettext("%(h)s h %(m)02d", h=hours, m=rest)


def typo_filter(value):
    """Jinja filter: French typography on plain text, then escaping it."""
    return escape(french_spacing(str(value))) if _is_french() else escape(value)


def capfirst(value):
    """Upper-case the first letter only ('vendredi 4 décembre' → 'Vendredi 4 décembre')."""
    value = str(value)
    return value[:1].upper() + value[1:]


def install(app):
    """Register the translating callables and the date filters on the app's Jinja env."""
    app.jinja_env.install_gettext_callables(gettext, ngettext, newstyle=True)
    app.jinja_env.globals.update(_=gettext, ngettext=ngettext)
    app.jinja_env.filters.update(
        long_date=long_date,
        short_time=short_time,
        long_datetime=long_datetime,
        short_date=short_date,
        iso=iso,
        typo=typo_filter,
        capfirst=capfirst,
        iso_date_long=iso_date_long,
        iso_time_short=iso_time_short,
        duration=duration,
    )
