"""French first: locale choice, French typography, and dates through Babel in Europe/Paris."""

import re
from datetime import UTC

from babel.dates import format_date as _babel_format_date
from babel.dates import get_date_format
from flask import current_app, g, request, session
from flask_babel import LazyString, get_locale, get_translations, to_user_timezone
from flask_babel import format_date as _format_date
from flask_babel import format_datetime as _format_datetime
from flask_babel import format_time as _format_time
from markupsafe import escape

NBSP = "\u00a0"  # espace insécable, before « : » and inside « »
NNBSP = "\u202f"  # espace fine insécable, before ; ! ?

_BEFORE_HIGH_PUNCT = re.compile(r"(?<=[^\s;:!?(\[«])[ \u00a0\u202f]?([;!?]+)(?=[\s»)\]]|$|<)")
_BEFORE_COLON = re.compile(r"(?<=[^\s:;!?(\[«])[ \u00a0\u202f]?:(?=[\s»)\]]|$|<)")
_OPEN_QUOTE = re.compile(r"«[ \u00a0\u202f]?")
_CLOSE_QUOTE = re.compile(r"[ \u00a0\u202f]?»")
_PUNCT = re.compile(r"[;:!?«»]")


def french_spacing(text):
    """Put the no-break spaces French typography wants before `: ; ! ?` and inside « »."""
    if not text or not _PUNCT.search(text):
        return text
    text = _BEFORE_HIGH_PUNCT.sub(NNBSP + r"\1", text)
    text = _BEFORE_COLON.sub(NBSP + ":", text)
    text = _OPEN_QUOTE.sub("«" + NBSP, text)
    text = _CLOSE_QUOTE.sub(NBSP + "»", text)
    return text


_BY_LOCALE = {}  # locale name -> (is French, translations): one domain, the same files


def _state():
    """(is French, translations) of the current locale, read with one lookup: a register page
    translates and typesets thousands of strings, and Flask-Babel's own path walks its context
    several times per string. The locale Flask-Babel chose (or `force_locale` set) is kept on
    `g._flask_babel`, so this follows it."""
    try:
        locale = g._flask_babel.babel_locale
    except (AttributeError, RuntimeError):
        try:
            locale = get_locale()  # chooses it (and keeps it on `g`) on the first call
        except RuntimeError:
            locale = None
    if locale is None:  # outside a request or an app: French, untranslated
        return True, get_translations()
    key = str(locale)
    state = _BY_LOCALE.get(key)
    if state is None:
        state = _BY_LOCALE[key] = (key.startswith("fr"), get_translations())
    return state


def _is_french():
    return _state()[0]


def _typeset(text):
    return french_spacing(text) if _is_french() else text


# -- élision ---------------------------------------------------------------------------------
# "de" becomes "d’" before a vowel ("le billet d’Inès") and before a mute h, which no rule can
# tell from an aspirated one ("d’Hélène" but "de Hugues"): a known list decides, and any other
# h keeps "de". Digits keep "de" too ("dépassé de 11 min": "onze" is never elided).
_VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüÿæœ")
MUTE_H = frozenset(
    {
        # first names (not Hugo, Henri or Hannah: both uses are heard, "de" never reads wrong)
        "hélène", "héléna", "héloïse", "hervé", "hector", "horace", "hortense", "hippolyte",
        "honoré", "honorine", "hubert", "hermine", "hadrien", "hilaire", "hyacinthe",
        # words a title may start with
        "habitant", "habitants", "habitante", "habitantes", "habitude", "habitudes", "herbe",
        "herbes", "heure", "heures", "histoire", "histoires", "hiver", "homme", "hommes",
        "hôpital", "hôte", "hôtes", "hôtel", "huile", "humeur", "humour", "harmonie",
        "hébergement", "hommage", "horaire", "horaires", "horizon", "hospitalité", "hygiène",
    }
)  # fmt: skip
_FIRST_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_DE_PLACEHOLDER = re.compile(r"(?<![\w’'])([Dd])e (%\((\w+)\)s)")


def elides(word):
    """Whether French elides "de", "que", "le" before `word` (a name or a title)."""
    match = _FIRST_WORD.match(str(word or "").strip())
    if not match:
        return False
    first = match.group(0).lower()
    if first[0] in _VOWELS:
        return True
    return first[0] == "h" and first in MUTE_H


def de(name):
    """'de Marc', 'd’Inès', 'd’Hélène', 'de Hugues': "de" and a name (or title), elided in
    French usage. Jinja filter `de`; gettext applies it itself to every "de %(x)s" of a
    French message, so that "Billet de %(name)s" reads "Billet d’Inès"."""
    name = str(name)
    return ("d’" if elides(name) else "de ") + name


def _elide(message, variables):
    """ "de %(name)s" → "d’%(name)s" in a French message where the value begins with a vowel
    or a mute h (the English catalogue says it its own way)."""
    if "e %(" not in message:
        return message

    def replace(match):
        value = variables.get(match.group(3))
        if isinstance(value, str | LazyString) and elides(value):
            return match.group(1) + "’" + match.group(2)
        return match.group(0)

    return _DE_PLACEHOLDER.sub(replace, message)


def _interpolate(message, variables, french=None):
    if not variables:
        return message
    if _is_french() if french is None else french:
        message = _elide(message, variables)
    return message % variables


def gettext(string, **variables):
    """Translate `string`, with French typography (and élision) when the page is in French."""
    french, translations = _state()
    message = _interpolate(translations.ugettext(string), variables, french)
    return french_spacing(message) if french else message


def ngettext(singular, plural, num, **variables):
    """Plural forms; French (the source language) keeps 0 in the singular: « 0 réponse »."""
    french, translations = _state()
    variables.setdefault("num", num)
    if french and 0 <= num < 2:
        num = 1
    message = _interpolate(translations.ungettext(singular, plural, num), variables, french)
    return french_spacing(message) if french else message


def lazy_ngettext(singular, plural, num, **variables):
    return LazyString(ngettext, singular, plural, num, **variables)


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


# Babel's French "full" date ("EEEE d MMMM y") with the day written "1er".
_FRENCH_FIRST_OF_MONTH = re.sub(
    r"(?<!d)d(?!d)", "'1er'", get_date_format("full", locale="fr").pattern
)


def long_date(value):
    """'vendredi 4 décembre 2026' (a `date`, or a UTC datetime shown in Europe/Paris)."""
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = to_user_timezone(value).date()
    locale = str(get_locale() or "fr")
    pattern = "full"
    if value.day == 1 and locale.startswith("fr"):
        # "mardi 1er décembre 2026": French writes the first day of a month as an ordinal.
        pattern = _FRENCH_FIRST_OF_MONTH
    return _babel_format_date(value, pattern, locale=locale)


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
    """A valid HTML datetime for `<time datetime>`: '2026-12-04T11:15:03Z' (UTC, whole seconds:
    HTML allows at most three decimals, Python writes six); a date stays '2026-12-04'."""
    if value is None:
        return ""
    if not hasattr(value, "hour"):
        return value.isoformat()
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat() + "Z"


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


_DATE_VALUE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME_VALUE = re.compile(r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?")


def date_value(value):
    """What a typed value may give back to an `<input type=date>`: a YYYY-MM-DD, else nothing
    (a refused "hier" is said beside the field, never put back where a date must be)."""
    value = str(value or "")
    return value if _DATE_VALUE.fullmatch(value) else ""


def time_value(value):
    """The same for an `<input type=time>`: HH:MM (24 h), else nothing."""
    value = str(value or "")
    return value if _TIME_VALUE.fullmatch(value) else ""


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
        date_value=date_value,
        time_value=time_value,
        iso_time_short=iso_time_short,
        duration=duration,
        de=de,
    )
    app.jinja_env.globals.update(de=de)
