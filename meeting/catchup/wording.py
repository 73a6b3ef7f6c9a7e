"""How "ce que vous avez manqué" says it: the missed Fridays as a French list, with plurals."""

from babel.dates import format_date
from babel.lists import format_list
from flask_babel import get_locale

from ..i18n import _, long_date, ngettext
from ..meetings import dates


def _locale():
    return str(get_locale() or "fr")


def _day_number(day, locale):
    if day.day == 1 and locale.startswith("fr"):
        return "1er"
    return str(day.day)


def _day_month(day, locale, with_year):
    number = _day_number(day, locale)
    pattern = "MMMM y" if with_year else "MMMM"
    month = format_date(day, pattern, locale=locale)
    if locale.startswith("fr"):
        return f"{number} {month}"
    return format_date(day, "d MMMM y" if with_year else "d MMMM", locale=locale)


def days_list(days, today=None):
    """'13, 20 et 27 novembre'; '30 octobre, 6 et 13 novembre'; the year after each month when
    the days are not all of this year. Babel's list patterns give "et" / "and"."""
    if not days:
        return ""
    locale = _locale()
    today = today or dates.today_in_place()
    with_year = any(day.year != today.year for day in days)
    items = []
    for index, day in enumerate(days):
        following = days[index + 1] if index + 1 < len(days) else None
        ends_group = following is None or (following.year, following.month) != (
            day.year,
            day.month,
        )
        if ends_group:
            items.append(_day_month(day, locale, with_year))
        else:
            items.append(_day_number(day, locale))
    return format_list(items, locale=locale)


def missed_days_sentence(missed, today=None):
    """'Vous avez manqué 3 vendredis : 13, 20 et 27 novembre.' (or a range beyond the list)."""
    total = missed.days_total
    if not total:
        return ""
    if total > len(missed.days):
        return _(
            "Vous avez manqué %(num)s vendredis, du %(first)s au %(last)s.",
            num=total,
            first=long_date(missed.first_day),
            last=long_date(missed.last_missed_day),
        )
    return ngettext(
        "Vous avez manqué le vendredi %(days)s.",
        "Vous avez manqué %(num)s vendredis : %(days)s.",
        total,
        days=days_list(missed.days, today),
    )


def since_sentence(missed):
    """Since when: the last Friday attended, or the member's arrival; and what was marked read."""
    if missed.since == "attended":
        text = _(
            "Depuis le %(date)s, le dernier repas auquel vous avez participé.",
            date=long_date(missed.last_day),
        )
    else:
        text = _("Depuis votre arrivée, le %(date)s.", date=long_date(missed.joined_at))
    if missed.read_at is not None:
        text += " " + _(
            "Ce que vous avez marqué comme lu le %(date)s n’y est plus.",
            date=long_date(missed.read_at),
        )
    return text
