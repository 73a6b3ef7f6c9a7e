"""The pictures of the life of the place: each chart's figures in French words, its series,
its data table and its CSV (the SVG is drawn by `life.svg`).

`build(name, span)` gives a `Chart` (what the page, the SVG and the CSV all show);
`svg.render_svg(chart)` and `render_csv(chart)` write it out. Counts only, never a name.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from flask_babel import get_locale

from ..economy.money import csv_amount, format_money
from ..errors import NotFound
from ..i18n import _, _l, ngettext
from ..labels import WEATHER_LABELS
from ..meetings.dates import today_in_place
from ..models.economy import WEATHERS
from ..spreadsheet import csv_date, csv_text
from . import figures
from .weather import MIN_WEATHER

# Colours with at least 4.5:1 against white (text and thin lines stay readable).
BLUE, ORANGE, PURPLE, GREEN, AMBER, GREY = (
    "#1d4ed8",
    "#c2410c",
    "#6b21a8",
    "#047857",
    "#a16207",
    "#4b5563",
)
WEATHER_COLOURS = {
    "sun": "#c2410c",
    "sunny_spells": "#a16207",
    "clouds": "#4b5563",
    "rain": "#1d4ed8",
    "storm": "#581c87",
}

TITLES = {
    "presence": _l("Présence le vendredi"),
    "decisions": _l("Décisions par mois"),
    "actions": _l("Actions faites par mois"),
    "besoins": _l("Besoins satisfaits par mois"),
    "budget": _l("Le budget de l’année"),
    "meteo": _l("La météo du groupe"),
}
NAMES = tuple(TITLES)


def locale_name():
    return str(get_locale() or "fr")


def number(n):
    """A count the French way ("1 234", narrow no-break space)."""
    return format_decimal(n, locale=locale_name())


def month_long(month):
    return format_date(month, "LLLL y", locale=locale_name())


def month_short(month):
    return format_date(month, "LLL yy", locale=locale_name())


def day_medium(day):
    return format_date(day, "medium", locale=locale_name())


def day_short(day):
    return format_date(day, "dd/MM/yy", locale=locale_name())


@dataclass
class Series:
    label: str
    values: list  # numbers (counts or integer cents); None where nothing is known yet
    colour: str
    dashed: bool = False


@dataclass
class Chart:
    """One picture: what it shows in words, its series, its table and its CSV."""

    name: str
    title: str
    span: figures.Span
    summary: str  # one sentence ("42 personnes en moyenne le vendredi")
    empty: bool
    empty_message: str
    kind: str  # "bar", "stacked" or "line"
    x_labels: list = field(default_factory=list)
    series: list = field(default_factory=list)
    money: bool = False
    # The data table: a header for the row headers' column, then one per value column.
    headers: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # (row header, [cells]) as shown
    csv_headers: list = field(default_factory=list)
    csv_rows: list = field(default_factory=list)

    @property
    def period(self):
        if self.name == "budget":
            return str(self.span.last.year)
        return _(
            "De %(first)s à %(last)s",
            first=month_long(self.span.first),
            last=month_long(self.span.last),
        )

    @property
    def alt(self):
        """What the picture shows, for the `alt` of its image."""
        return f"{self.title} ({self.period}) : {self.summary}"

    @property
    def description(self):
        """The SVG's `<desc>`."""
        if self.empty:
            return f"{self.period}. {self.empty_message}"
        return f"{self.period}. {self.summary}"


# -- the six charts ------------------------------------------------------------------------


def _monthly(name, span, pairs, colour, label, summary, empty_message):
    counts = [n for _month, n in pairs]
    return Chart(
        name=name,
        title=str(TITLES[name]),
        span=span,
        summary=summary(sum(counts)),
        empty=not any(counts),
        empty_message=empty_message,
        kind="bar",
        x_labels=[month_short(m) for m, _n in pairs],
        series=[Series(label, counts, colour)],
        headers=[_("Mois"), label],
        rows=[(month_long(m), [number(n)]) for m, n in pairs],
        csv_headers=[_("Mois"), label],
        csv_rows=[[month_long(m), n] for m, n in pairs],
    )


def presence_chart(span):
    fridays = figures.attendance(span)
    total = sum(f.total for f in fridays)
    if fridays:
        average = (total + len(fridays) // 2) // len(fridays)  # rounded, integers only
        summary = ngettext(
            "%(num)s personne en moyenne le vendredi",
            "%(num)s personnes en moyenne le vendredi",
            average,
        ) + ngettext(" (%(num)s vendredi clos).", " (%(num)s vendredis clos).", len(fridays))
    else:
        summary = _("Aucun vendredi clos sur cette période.")
    members, guests = _("Membres"), _("Invité·es")
    return Chart(
        name="presence",
        title=str(TITLES["presence"]),
        span=span,
        summary=summary,
        empty=not fridays,
        empty_message=_("Aucun vendredi clos sur cette période."),
        kind="stacked",
        x_labels=[day_short(f.day) for f in fridays],
        series=[
            Series(members, [f.members for f in fridays], BLUE),
            Series(guests, [f.guests for f in fridays], ORANGE),
        ],
        headers=[_("Vendredi"), members, guests, _("Total")],
        rows=[
            (day_medium(f.day), [number(f.members), number(f.guests), number(f.total)])
            for f in fridays
        ],
        csv_headers=[_("Vendredi"), members, guests, _("Total")],
        csv_rows=[[csv_date(f.day), f.members, f.guests, f.total] for f in fridays],
    )


def decisions_chart(span):
    return _monthly(
        "decisions",
        span,
        figures.decisions_per_month(span),
        PURPLE,
        _("Décisions"),
        lambda n: ngettext(
            "%(num)s décision prise sur la période.", "%(num)s décisions prises sur la période.", n
        ),
        _("Aucune décision sur cette période."),
    )


def actions_chart(span):
    return _monthly(
        "actions",
        span,
        figures.actions_done_per_month(span),
        GREEN,
        _("Actions faites"),
        lambda n: ngettext(
            "%(num)s action faite sur la période.", "%(num)s actions faites sur la période.", n
        ),
        _("Aucune action faite sur cette période."),
    )


def needs_chart(span):
    return _monthly(
        "besoins",
        span,
        figures.needs_met_per_month(span),
        AMBER,
        _("Besoins satisfaits"),
        lambda n: ngettext(
            "%(num)s besoin satisfait sur la période.",
            "%(num)s besoins satisfaits sur la période.",
            n,
        ),
        _("Aucun besoin satisfait sur cette période."),
    )


def budget_chart(span):
    year = span.last.year
    data = figures.budget(year, today=today_in_place())
    if data.has_budget:
        summary = _(
            "En %(year)s, %(came)s sont entrés pour un besoin de %(need)s (%(percent)s).",
            year=year,
            came=format_money(data.came_in_cents),
            need=format_money(data.need_cents),
            percent=format_percent(Decimal(data.percent) / 100, locale=locale_name()),
        )
    elif data.came_in_cents:
        summary = _(
            "Le budget de %(year)s n’est pas encore établi ; %(came)s sont entrés.",
            year=year,
            came=format_money(data.came_in_cents),
        )
    else:
        summary = _("Rien d’inscrit au budget de %(year)s pour l’instant.", year=year)
    came, cumulated, need = _("Entrées du mois"), _("Entrées cumulées"), _("Besoin cumulé")
    series = [Series(cumulated, [m.cumulative_cents for m in data.months], GREEN)]
    if data.has_budget:
        series.append(
            Series(need, [m.need_cumulative_cents for m in data.months], GREY, dashed=True)
        )
    return Chart(
        name="budget",
        title=str(TITLES["budget"]),
        span=span,
        summary=summary,
        empty=data.is_empty,
        empty_message=_("Rien d’inscrit au budget de %(year)s pour l’instant.", year=year),
        kind="line",
        money=True,
        x_labels=[month_short(m.month) for m in data.months],
        series=series,
        headers=[_("Mois"), came, cumulated, need],
        rows=[
            (
                month_long(m.month),
                [
                    format_money(m.came_in_cents) if m.came_in_cents is not None else "—",
                    format_money(m.cumulative_cents) if m.cumulative_cents is not None else "—",
                    format_money(m.need_cumulative_cents),
                ],
            )
            for m in data.months
        ],
        csv_headers=[_("Mois"), came, cumulated, need],
        csv_rows=[
            [
                month_long(m.month),
                csv_amount(m.came_in_cents),
                csv_amount(m.cumulative_cents),
                csv_amount(m.need_cumulative_cents),
            ]
            for m in data.months
        ],
    )


def weather_chart(span):
    fridays = figures.weather(span)
    labels = [str(WEATHER_LABELS[w]) for w in WEATHERS]
    if fridays:
        totals = {w: sum(f.counts[w] for f in fridays) for w in WEATHERS}
        most = max(WEATHERS, key=lambda w: totals[w])  # ties: the sunnier one
        summary = ngettext(
            "La météo de %(num)s vendredi",
            "La météo de %(num)s vendredis",
            len(fridays),
        ) + _(" ; le temps le plus donné : %(weather)s.", weather=str(WEATHER_LABELS[most]).lower())
    else:
        summary = _("Pas de météo à montrer sur cette période.")
    empty_message = ngettext(
        "Pas de météo à montrer : elle n’apparaît que pour un vendredi clos où au moins "
        "%(num)s personne l’a donnée.",
        "Pas de météo à montrer : elle n’apparaît que pour un vendredi clos où au moins "
        "%(num)s personnes l’ont donnée.",
        MIN_WEATHER,
    )
    return Chart(
        name="meteo",
        title=str(TITLES["meteo"]),
        span=span,
        summary=summary,
        empty=not fridays,
        empty_message=empty_message,
        kind="stacked",
        x_labels=[day_short(f.day) for f in fridays],
        series=[
            Series(label, [f.counts[w] for f in fridays], WEATHER_COLOURS[w])
            for w, label in zip(WEATHERS, labels, strict=True)
        ],
        headers=[_("Vendredi"), *labels],
        rows=[(day_medium(f.day), [number(f.counts[w]) for w in WEATHERS]) for f in fridays],
        csv_headers=[_("Vendredi"), *labels],
        csv_rows=[[csv_date(f.day), *[f.counts[w] for w in WEATHERS]] for f in fridays],
    )


BUILDERS = {
    "presence": presence_chart,
    "decisions": decisions_chart,
    "actions": actions_chart,
    "besoins": needs_chart,
    "budget": budget_chart,
    "meteo": weather_chart,
}


def build(name, span):
    """The chart called `name` for `span`; a French 404 for a name that is not one."""
    builder = BUILDERS.get(name)
    if builder is None:
        raise NotFound(_l("Cette image de la vie du lieu n’existe pas."))
    return builder(span)


# -- CSV -------------------------------------------------------------------------------------


def render_csv(chart):
    """The chart's data for a French spreadsheet (`meeting.spreadsheet`)."""
    return csv_text(chart.csv_headers, chart.csv_rows)


def csv_filename(chart):
    span = chart.span
    if chart.name == "budget":
        return f"vie-du-lieu-{chart.name}-{span.last.year}.csv"
    return f"vie-du-lieu-{chart.name}-{span.first:%Y-%m}-{span.last:%Y-%m}.csv"


def all_charts(span):
    """The six charts of the page, in its order."""
    return [BUILDERS[name](span) for name in NAMES]
