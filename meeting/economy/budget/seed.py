"""What the lines form starts from when a year has no lines yet: the previous year's lines, or
— when there is none at all — the figures of the place's own presentation ("Le 97": 29 000 €
a year), offered as a starting point the treasurer checks before saving.

The seed's labels and explanations are the place's data, kept in French like the rest of its
record (the presentation's own words), not interface text.
"""

from sqlalchemy import select

from ...extensions import db
from ...models import BudgetYear
from ..money import amount_value

SEED_LINES = (
    {
        "label": "Loyer et charges locatives",
        "category": "charges",
        "period": "month",
        "amount_cents": 820_00,
        "explanation": "Le loyer de la maison du XVIe siècle, 97 rue Battant, et ses charges.",
    },
    {
        "label": "Électricité",
        "category": "charges",
        "period": "month",
        "amount_cents": 150_00,
        "explanation": "Pour que le lieu puisse ouvrir et accueillir ses activités.",
    },
    {
        "label": "Gaz",
        "category": "charges",
        "period": "month",
        "amount_cents": 280_00,
        "explanation": "Le chauffage de la maison.",
    },
    {
        "label": "Assurances",
        "category": "charges",
        "period": "month",
        "amount_cents": 133_00,
        "explanation": "Les assurances du lieu et de ses activités.",
    },
    {
        "label": "Réparations et entretien",
        "category": "upkeep",
        "period": "year",
        "amount_cents": 7000_00,
        "explanation": (
            "Entretien de la chaudière, maintenance des extincteurs et réparations diverses pour "
            "la sécurité et la durabilité du lieu ; achat de produits d’entretien (savons, "
            "détergents…) et de denrées de base (huile, moutarde…), en complément des apports "
            "des usagers."
        ),
    },
    {
        "label": "Conciergerie / facilitation",
        "category": "conciergerie",
        "period": "year",
        "amount_cents": 5000_00,
        "explanation": "Le financement des temps de conciergerie et de facilitation du tiers-lieu.",
    },
)


def form_line(line):
    """A line (a row or a dict of the seed) as the form shows it."""
    get = line.get if isinstance(line, dict) else (lambda name: getattr(line, name, None))
    return {
        "id": get("id") or "",
        "label": get("label") or "",
        "category": get("category") or "other",
        "period": get("period") or "year",
        "amount": amount_value(get("amount_cents")),
        "explanation": get("explanation") or "",
    }


def prefill(year):
    """(form lines, source, source year) for a year that has no lines: the closest earlier
    year's lines ("previous"), else the seed ("seed")."""
    earlier = db.session.scalars(
        select(BudgetYear).where(BudgetYear.year < year).order_by(BudgetYear.year.desc())
    ).all()
    for row in earlier:
        if row.lines:
            lines = [form_line(line) for line in row.lines]
            for line in lines:
                line["id"] = ""  # new rows of this year, not the old year's
            return lines, "previous", row.year
    return [form_line(line) for line in SEED_LINES], "seed", None
