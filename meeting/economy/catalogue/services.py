"""The catalogue of goods and services: what the place and its members offer (a room for an
afternoon, the kitchen, a plot in the Jardin du Ravelin, a facilitation, a workshop…).

Anyone may read it. Each offer shows the reference of the "contribution consciente": what the
time it occupies the house costs in fixed charges (`summary.hour_of_house_cents`), shown as
information, never as a price. A member's name is shown to members only; anyone else reads
"un·e coopérateur·rice" (the place's own offers are named after the place).
"""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ... import permissions, place
from ...errors import FieldErrors, NotFound, require
from ...extensions import db
from ...i18n import _l
from ...meetings import dates
from ...models import CatalogueItem
from ...models.base import utcnow
from ...models.economy import CATALOGUE_UNITS
from ...pipeline import change
from .. import summary

MAX_TITLE = 120
MAX_CATEGORY = 60
MAX_DESCRIPTION = 5000
MAX_HOUSE_MINUTES = 1440  # a whole day
PLACE = "place"  # the value of "offered by" for the place itself

# Offered to whoever adds an item (free text: the catalogue groups by what people write).
CATEGORY_SUGGESTIONS = (
    _l("Lieux et salles"),
    _l("Cuisine"),
    _l("Jardin du Ravelin"),
    _l("Facilitation et animation"),
    _l("Ateliers"),
    _l("Numérique"),
    _l("Entrepreneurs"),
    _l("Accompagnement"),
    _l("Maraîchage et paysages régénératifs"),
)


def get_item(item_id):
    item = db.session.get(CatalogueItem, item_id)
    if item is None:
        raise NotFound(_l("Cette offre n’existe pas dans le catalogue."))
    return item


def catalogue(include_withdrawn=False):
    """The offers grouped by category: [(category or None, [items])], categories in
    alphabetical order (the uncategorised last), items by title."""
    query = select(CatalogueItem).options(selectinload(CatalogueItem.offered_by))
    if not include_withdrawn:
        query = query.where(CatalogueItem.active.is_(True))
    groups = {}
    for item in db.session.scalars(query):
        key = " ".join((item.category or "").split()).casefold()
        groups.setdefault(key, []).append(item)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] == "", kv[0]))
    return [
        (items[0].category.strip() if key else None, sorted(items, key=_title_key))
        for key, items in ordered
    ]


def _title_key(item):
    return item.title.casefold()


def withdrawn_items_of(actor):
    """The withdrawn offers this reader may put back (theirs, or any for who manages all)."""
    if not permissions.is_member(actor):
        return []
    items = db.session.scalars(
        select(CatalogueItem).where(CatalogueItem.active.is_(False)).order_by(CatalogueItem.title)
    ).all()
    return [item for item in items if permissions.can_manage_catalogue_item(actor, item)]


def offered_by_label(item, viewer):
    """Who offers it, as this reader may see it: the place's name, a member's display name for
    members, "un·e coopérateur·rice" for anyone else."""
    if item.offered_by_id is None:
        return place.setting("association_name")
    if permissions.is_member(viewer) and item.offered_by is not None:
        return item.offered_by.display_name
    return str(_l("un·e coopérateur·rice"))


def hour_of_house(year=None):
    """What an hour of the house costs in fixed charges this year (cents), or None."""
    year = year or dates.today_in_place().year
    try:
        hours = int(place.setting("open_hours_per_week") or 0)
    except ValueError:
        hours = 0
    return summary.hour_of_house_cents(year, hours)


def item_reference(item, hour_cents):
    """The fixed charges of the time one unit occupies the house (cents, rounded, integers
    only), or None without a reference or when it does not use the house."""
    if hour_cents is None or not item.house_minutes:
        return None
    return (hour_cents * item.house_minutes + 30) // 60


def item_form_values(item):
    """What the edit form shows for an offer."""
    return {
        "title": item.title,
        "description": item.description or "",
        "category": item.category or "",
        "unit": item.unit,
        "house_minutes": str(item.house_minutes),
        "offered_by_id": PLACE if item.offered_by_id is None else str(item.offered_by_id),
    }


# -- validation ------------------------------------------------------------------------------


def _one_line(text):
    return " ".join(str(text or "").split())


def _clean_minutes(value, problems):
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    try:
        minutes = int(str(value).strip()) if isinstance(value, str) else int(value)
    except ValueError:
        problems["house_minutes"] = _l("Indiquez un nombre de minutes, par exemple 180.")
        return None
    if not 0 <= minutes <= MAX_HOUSE_MINUTES:
        problems["house_minutes"] = _l(
            "Entre 0 et %(max)s minutes (une journée entière).", max=MAX_HOUSE_MINUTES
        )
        return None
    return minutes


def _clean_offered_by(actor, value, item, problems):
    """None for the place, else a member id. A member offers in their own name; the place's
    offers are for facilitators and the treasurer; editing keeps whoever offered it."""
    if value is None or value == "":
        if item is not None:
            return item.offered_by_id
        return actor.id
    if value == PLACE:
        if permissions.can_offer_as_place(actor) or (
            item is not None and item.offered_by_id is None
        ):
            return None
        problems["offered_by_id"] = _l(
            "Seules l’animation et la trésorerie proposent une offre au nom du lieu."
        )
        return None
    try:
        member_id = int(value)
    except (TypeError, ValueError):
        member_id = None
    allowed = {actor.id} | ({item.offered_by_id} if item is not None else set())
    if member_id not in allowed:
        problems["offered_by_id"] = _l("Proposez-la en votre nom ou au nom du lieu.")
        return None
    return member_id


def clean_item(actor, values, item=None):
    """The checked fields of an offer, or FieldErrors naming each field to correct."""
    problems = {}
    title = _one_line(values.get("title"))
    if not title:
        problems["title"] = _l("Donnez un titre à cette offre (ex. « Salle du rez-de-chaussée »).")
    elif len(title) > MAX_TITLE:
        problems["title"] = _l("Le titre ne doit pas dépasser %(n)s caractères.", n=MAX_TITLE)
    description = (values.get("description") or "").strip() or None
    if description and len(description) > MAX_DESCRIPTION:
        problems["description"] = _l(
            "La description ne doit pas dépasser %(n)s caractères.", n=MAX_DESCRIPTION
        )
    category = _one_line(values.get("category")) or None
    if category and len(category) > MAX_CATEGORY:
        problems["category"] = _l(
            "La catégorie ne doit pas dépasser %(n)s caractères.", n=MAX_CATEGORY
        )
    unit = values.get("unit") or (item.unit if item is not None else "")
    if unit not in CATALOGUE_UNITS:
        problems["unit"] = _l("Choisissez une unité dans la liste.")
    minutes = _clean_minutes(values.get("house_minutes"), problems)
    offered_by_id = _clean_offered_by(actor, values.get("offered_by_id"), item, problems)
    if problems:
        raise FieldErrors(problems)
    return {
        "title": title,
        "description": description,
        "category": category,
        "unit": unit,
        "house_minutes": minutes,
        "offered_by_id": offered_by_id,
    }


# -- changes ---------------------------------------------------------------------------------


def create_item(actor, **values):
    """A member adds an offer (in their name; the place's own for facilitators/treasurer)."""
    require(permissions.can_manage_catalogue_item(actor))
    clean = clean_item(actor, values)
    with change() as c:
        item = CatalogueItem(created_by_id=actor.id, **clean)
        db.session.add(item)
        db.session.flush()
        c.trace(actor, "catalogue_item_added", item, item_id=item.id, title=item.title)
    return item


def _managed_item(actor, item_id):
    item = get_item(item_id)
    require(
        permissions.can_manage_catalogue_item(actor, item),
        _l(
            "Seules la personne qui la propose, l’animation et la trésorerie modifient cette offre."
        ),
    )
    return item


def edit_item(actor, item_id, **values):
    """Who offers it (or facilitators, the treasurer) edits an offer."""
    item = _managed_item(actor, item_id)
    clean = clean_item(actor, values, item)
    with change() as c:
        for name, value in clean.items():
            setattr(item, name, value)
        item.updated_at = utcnow()
        c.trace(actor, "catalogue_item_edited", item, item_id=item.id, title=item.title)
    return item


def set_active(actor, item_id, active):
    """Withdraw an offer from the catalogue (its past uses stay counted), or put it back."""
    item = _managed_item(actor, item_id)
    if item.active == active:
        return item  # already so: nothing to change
    with change() as c:
        item.active = active
        item.updated_at = utcnow()
        verb = "catalogue_item_restored" if active else "catalogue_item_withdrawn"
        c.trace(actor, verb, item, item_id=item.id, title=item.title)
    return item
