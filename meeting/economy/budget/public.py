"""What anyone may read of the year's budget: totals only, never who gave what, and the
breakdown "À quoi serviront les dons" built from the lines (their categories, amounts and
explanations are the place's, public by design).

One read for the public page, its JSON (the place's website reads it) and the members' page.
"""

from ... import place
from ...i18n import _
from ...labels import BUDGET_CATEGORY_LABELS, BUDGET_PERIOD_LABELS
from ...models.economy import BUDGET_CATEGORIES
from ..money import format_money, format_money_short, percent


def about_cents(cents):
    """A round figure to say in plain French: to the thousand euros from 10 000 €, to the
    hundred from 1 000 €, else to the euro (integer arithmetic)."""
    step = 1000_00 if cents >= 10_000_00 else 100_00 if cents >= 1000_00 else 100
    return (cents + step // 2) // step * step


def breakdown(summary):
    """The categories of the year's lines with what they plan, biggest first:
    [{category, label, cents, about_cents, share, lines: [...]}]."""
    parts = []
    for category in BUDGET_CATEGORIES:
        lines = [line for line in summary.lines if line.category == category]
        if not lines:
            continue
        cents = sum(line.planned_cents for line in lines)
        parts.append(
            {
                "category": category,
                "label": str(BUDGET_CATEGORY_LABELS[category]),
                "cents": cents,
                "about_cents": about_cents(cents),
                "share": percent(cents, summary.need_cents),
                "lines": [
                    {
                        "label": line.label,
                        "period": line.period,
                        "period_label": str(BUDGET_PERIOD_LABELS[line.period]),
                        "amount_cents": line.amount_cents,
                        "planned_cents": line.planned_cents,
                        "explanation": line.explanation or "",
                    }
                    for line in lines
                ],
            }
        )
    parts.sort(key=lambda part: -part["cents"])
    return parts


def donation():
    """Where "Faire un don" leads: the place's page and/or its bank details ({} when none)."""
    url, details = place.setting("donation_url").strip(), place.setting("donation_details").strip()
    return {"url": url, "details": details} if url or details else {}


def _money(cents):
    return {"cents": cents, "formatted": format_money(cents), "short": format_money_short(cents)}


def gauge_text(summary):
    """'12 480 € sur 29 000 € (43 %)'."""
    return _(
        "%(came_in)s sur %(need)s (%(percent)s\u00a0%%)",
        came_in=format_money_short(summary.came_in_cents),
        need=format_money_short(summary.need_cents),
        percent=summary.percent,
    )


def public_figures(summary):
    """The public totals of a year as JSON-ready data (cents and their French writing)."""
    return {
        "year": summary.year,
        "currency": "EUR",
        "has_budget": summary.has_budget,
        "need": _money(summary.need_cents),
        "came_in": _money(summary.came_in_cents),
        "gifts": _money(summary.gifts_cents),
        "contributions": _money(summary.uses_cents),
        "in_kind": _money(summary.in_kind_cents),
        "missing": _money(summary.missing_cents),
        "percent": summary.percent,
        "gauge": gauge_text(summary) if summary.need_cents else "",
        "breakdown": [
            {
                "category": part["category"],
                "label": part["label"],
                **_money(part["cents"]),
                "about": format_money_short(part["about_cents"]),
                "share": part["share"],
                "lines": [
                    {
                        "label": line["label"],
                        "period": line["period"],
                        "amount": _money(line["amount_cents"]),
                        "planned": _money(line["planned_cents"]),
                        "explanation": line["explanation"],
                    }
                    for line in part["lines"]
                ],
            }
            for part in breakdown(summary)
        ],
        "donation": donation(),
    }
