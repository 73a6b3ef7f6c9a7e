"""The place's economy in the small demo (`flask demo`, after the calendar's): this year's
budget from the seed (28 596 € a year), a treasurer, a dozen gifts over the months (some
anonymous, two announced and not yet arrived, one earmarked), a catalogue of ten goods and
services with their uses and the contributions chosen, a few expenses, contributions in kind
on the needs met of the demo Fridays, and a year of Fridays for the pictures (`demo_year`).

Everything goes through the economy's services (real checks, real traces), each step dated on
its own day of the year; only the values of needs already met are written on their rows.
Dates are relative to today, so the demo reads right whatever day it is loaded.
"""

import random
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select, table, update

from . import demo_year
from .economy.budget import expenses as budget_expenses
from .economy.budget import lines as budget_lines
from .economy.budget.seed import SEED_LINES, form_line
from .economy.catalogue import services as catalogue
from .economy.catalogue import uses as catalogue_uses
from .economy.gifts import services as gifts
from .extensions import db
from .meetings import dates
from .members import services as members_service
from .models import BudgetYear, Entry, Member
from .models.base import utcnow
from .pipeline import change

# What each service's step leaves, to date on its own day: table -> columns. (Not its traces:
# the trace feed keeps the order it was written in, the demo's story coming before these.)
DATED = {
    "gift": ("created_at", "updated_at"),
    "catalogue_item": ("created_at", "updated_at"),
    "catalogue_use": ("created_at",),
    "expense": ("created_at",),
    "budget_year": ("created_at", "updated_at"),
    "budget_line": ("created_at",),
}

# (amount, donor: a member's first name / an outside name / None for anonymous, method,
#  fraction of the year gone by, earmarked line label or None)
GIFTS = [
    ("2500", "Pierre-Alain", "transfer", 0.04, None),
    ("50", None, "cash", 0.09, None),
    ("300", "Association Battant Solidaire", "cheque", 0.17, None),
    ("120", "Inès", "card", 0.26, None),
    ("3000", "Marguerite Voisin", "transfer", 0.35, "Réparations et entretien"),
    ("80", None, "cash", 0.44, None),
    ("250", "Jeanne", "transfer", 0.55, None),
    ("40", None, "cash", 0.63, None),
    ("600", "Lucie", "cheque", 0.74, None),
]
# Announced by members: the first arrives (confirmed), the last two wait for their money.
PLEDGES = [
    ("1000", "Sophie", 0.83, True),
    ("200", "Théo", None, False),
    ("500", "Fatou", None, False),
]

# (title, offered by: a member's first name or None for the place, category, unit, house
#  minutes, description, contributions people chose)
CATALOGUE = [
    ("Salle pour un après-midi", None, "Lieux", "half_day", 240,
     ("La grande salle du rez-de-chaussée, ses tables et ses chaises, pour une réunion, un "
     "atelier ou une fête de famille."), ("30", "40", "50", "60")),
    ("La cuisine", None, "Lieux", "half_day", 240,
     ("La cuisine équipée (four, plaques, vaisselle pour quarante) ; chacun·e apporte ses "
     "denrées et laisse propre."), ("15", "20", "25")),
    ("Une parcelle au Jardin du Ravelin", None, "Jardin", "unit", 0,
     "Une parcelle de dix mètres carrés pour la saison, avec l’eau et les outils partagés.",
     ("25", "30", "40")),
    ("Facilitation de réunion", "Camille", "Accompagnement", "session", 120,
     ("Préparer et animer une réunion ou un atelier participatif (gouvernance partagée, "
     "prise de décision par consentement)."), ("60", "80", "100")),
    ("Atelier numérique", "Théo", "Numérique", "session", 120,
     "Prendre en main son ordinateur ou son téléphone, ses démarches en ligne, ses photos.",
     ("10", "15", "20")),
    ("Accompagnement d’entrepreneurs", "Mathieu", "Entrepreneurs", "hour", 60,
     ("Un regard extérieur sur un projet d’activité : modèle économique, statuts, premiers "
     "clients."), ("30", "40", "50")),
    ("Séance d’hypnose", "Nadia", "Bien-être", "session", 60,
     "Une séance d’hypnose ericksonienne dans la petite salle du premier étage.",
     ("25", "35", "45")),
    ("Accompagnement éducatif", "Inès", "Éducation", "hour", 60,
     "Aide aux devoirs et méthodologie pour collégien·nes et lycéen·nes.", ("10", "15", "20")),
    ("Panier de maraîchage", "Fatou", "Jardin", "unit", 0,
     ("Un panier de légumes de saison du Jardin du Ravelin, cultivés sans produits de "
     "synthèse."), ("8", "10", "12,50")),
    ("Conseil en paysages régénératifs", "Lucie", "Jardin", "hour", 0,
     "Concevoir un jardin, une haie ou une cour qui nourrit le sol et la biodiversité.",
     ("40", "50", "60")),
]  # fmt: skip
FOR_WHOM = ["Atelier couture", "Association des parents", "Réunion de copropriété",
            "Anniversaire", "Collectif vélo", None, None, None]  # fmt: skip
# (label, amount, fraction of the year, budget line)
EXPENSES = [
    ("Entretien annuel de la chaudière", "480", 0.12, "Réparations et entretien"),
    ("Vérification des extincteurs", "210", 0.30, "Réparations et entretien"),
    ("Produits d’entretien (savon, détergent)", "85,40", 0.22, "Réparations et entretien"),
    ("Produits d’entretien (savon, détergent)", "92,15", 0.58, "Réparations et entretien"),
    ("Huile, moutarde et café pour les vendredis", "46,80", 0.66, "Réparations et entretien"),
    ("Remplacement du thermostat de la chaudière", "325", 0.81, "Réparations et entretien"),
]
# The values of what was brought for the demo Fridays' needs met (cents), in order.
DEMO_IN_KIND = (450, 380, 520)


def load_demo_economy(members, seed=97):
    """Fill the economy of the small demo (see the module's doc); the second demo person,
    Camille, keeps the accounts."""
    rng = random.Random(seed)
    today = dates.today_in_place()
    year = today.year
    admin, treasurer = members[0], members[1]
    by_name = {m.display_name.split()[0]: m for m in members}
    _in_kind(by_name)  # before the year of Fridays, which brings its own values
    demo_year.add_year_of_fridays(members, rng)
    members_service.set_treasurer(admin, treasurer.id, True)
    treasurer = db.session.get(Member, treasurer.id)

    def day_at(fraction):
        return date(year, 1, 1) + timedelta(days=round(fraction * (today - date(year, 1, 1)).days))

    with dated(day_at(0.01)):
        budget_lines.set_lines(treasurer, year, [form_line(line) for line in SEED_LINES], 0)
    line_ids = {line.label: line.id for line in _budget(year).lines}
    for amount, donor, method, fraction, line in GIFTS:
        day = day_at(fraction)
        member = by_name.get(donor)
        with dated(day):
            gifts.record_gift(
                treasurer,
                amount,
                day.isoformat(),
                donor_member_id=member.id if member else None,
                donor_name=None if member or donor is None else donor,
                donor_address="12 rue de Vignier, 25000 Besançon" if donor and not member else None,
                anonymous=donor is None,
                line_id=line_ids.get(line),
                method=method,
            )
    for amount, first_name, fraction, arrived in PLEDGES:
        announced = (
            day_at(fraction - 0.03) if arrived else today - timedelta(days=rng.randint(2, 9))
        )
        with dated(announced):
            gift = gifts.pledge_gift(
                by_name[first_name], amount, (announced + timedelta(days=20)).isoformat()
            )
        if arrived:
            with dated(day_at(fraction)):
                gifts.confirm_gift(
                    treasurer, gift.id, day_at(fraction).isoformat(), method="transfer"
                )
    _catalogue(treasurer, by_name, members, rng, day_at)
    for label, amount, fraction, line in EXPENSES:
        day = day_at(fraction)
        with dated(day):
            budget_expenses.record_expense(
                treasurer, year, day.isoformat(), amount, label, line_ids.get(line)
            )


def _budget(year):
    return db.session.scalar(select(BudgetYear).where(BudgetYear.year == year))


def _catalogue(treasurer, by_name, members, rng, day_at):
    """Ten offers (the place's by the treasurer, the others by who offers them), then about
    forty uses over the year, each with the contribution its user chose."""
    made = []
    for title, offered_by, category, unit, minutes, description, chosen in CATALOGUE:
        with dated(day_at(0.02)):
            item = catalogue.create_item(
                by_name[offered_by] if offered_by else treasurer,
                title=title,
                description=description,
                category=category,
                unit=unit,
                house_minutes=str(minutes),
                offered_by_id=catalogue.PLACE if offered_by is None else "",
            )
        made.append((item, chosen, by_name.get(offered_by)))
    users = [m for m in members if not m.is_system]
    for n in range(40):
        item, chosen, offerer = made[rng.randrange(len(made))]
        user = rng.choice([m for m in users if m is not offerer])
        day = day_at(0.03 + 0.95 * n / 40)
        with dated(day):
            catalogue_uses.record_use(
                user,
                item.id,
                used_on=day.isoformat(),
                quantity=str(rng.choice((1, 1, 1, 2, 3))),
                contribution=rng.choice(chosen),
                for_whom=rng.choice(FOR_WHOM),
            )


def _in_kind(by_name):
    """The demo Fridays' needs met carry the value of what was brought."""
    met = db.session.scalars(
        select(Entry)
        .where(Entry.kind == "need", Entry.need_status == "met", Entry.in_kind_cents.is_(None))
        .order_by(Entry.resolved_at)
    ).all()
    with change():
        for entry, cents in zip(met[-len(DEMO_IN_KIND) :], DEMO_IN_KIND, strict=False):
            row = db.session.get(Entry, entry.id)
            row.in_kind_cents = cents
            row.in_kind_member_id = row.claimed_by_id or by_name["Hugo"].id


@contextmanager
def dated(day):
    """What the block's services write is dated `day` (10 h in the place, never later than
    now), as if the treasurer had recorded it that day."""
    before = {
        name: db.session.scalar(select(func.max(table(name, db.column("id")).c.id))) or 0
        for name in DATED
    }
    yield
    moment = min(datetime.combine(day, time(9, 0)), utcnow() - timedelta(minutes=5))
    for name, columns in DATED.items():
        t = table(name, db.column("id"), *[db.column(c) for c in columns])
        db.session.execute(
            update(t).where(t.c.id > before[name]).values({c: moment for c in columns})
        )
    db.session.commit()
