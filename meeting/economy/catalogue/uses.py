"""Uses of the catalogue: what, when, for whom, and the contribution its user chose.

A use and its amount are seen by its member and by the treasurer only (`can_view_use`); its
traces hold ids only and are kept out of the shared feed (`traces.services.ACCOUNT_VERBS`);
an offer's page shows how many times it was used this year, never by whom or for how much.
"""

from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from ... import cleaning, permissions
from ...errors import Conflict, FieldErrors, NotFound, ServiceError, require
from ...extensions import db
from ...i18n import _l
from ...meetings import dates
from ...models import CatalogueUse
from ...models.base import utcnow
from ...pipeline import change
from .. import facts, money

MAX_FOR_WHOM = 120
MAX_NOTE = 200
MAX_QUANTITY = 100


def ensure_year_open(day, field="used_on"):
    """Refuse, about `field`, a day in a year whose budget the treasurer has closed (the
    budget's one check)."""
    from ..budget.services import ensure_year_open as budget_year_open

    budget_year_open(day, field)


def _clean_day(text, problems):
    if isinstance(text, date):
        day = text
    else:
        value = str(text or "").strip()
        if not value:
            problems["used_on"] = _l("Indiquez le jour de l’utilisation.")
            return None
        try:
            day = date.fromisoformat(value)
        except ValueError:
            problems["used_on"] = _l("Date illisible : choisissez un jour (ex. 2026-03-14).")
            return None
        if not cleaning.in_window(day):
            problems["used_on"] = cleaning.day_window_error().message
            return None
    if day > dates.today_in_place():
        problems["used_on"] = _l(
            "Cette date est dans le futur : on enregistre une utilisation une fois qu’elle a "
            "eu lieu."
        )
        return None
    return day


def _clean_quantity(value, problems):
    if value is None or (isinstance(value, str) and not value.strip()):
        return 1
    try:
        quantity = int(str(value).strip()) if isinstance(value, str) else int(value)
    except ValueError:
        quantity = None
    if quantity is None or not 1 <= quantity <= MAX_QUANTITY:
        problems["quantity"] = _l("Une quantité entre 1 et %(max)s.", max=MAX_QUANTITY)
        return None
    return quantity


def _clean_text(value, name, limit, problems):
    text = " ".join(str(value or "").split()) or None
    if text and len(text) > limit:
        problems[name] = _l("Pas plus de %(n)s caractères.", n=limit)
    return text


def clean_use(values):
    """The checked fields of a use, or FieldErrors naming each field to correct."""
    problems = {}
    used_on = _clean_day(values.get("used_on"), problems)
    if used_on is not None:
        try:
            ensure_year_open(used_on)
        except ServiceError as error:
            problems["used_on"] = error.message
    quantity = _clean_quantity(values.get("quantity"), problems)
    try:
        contribution = money.parse_amount(values.get("contribution"), field="contribution")
    except ServiceError as error:
        problems["contribution"] = error.message
        contribution = None
    for_whom = _clean_text(values.get("for_whom"), "for_whom", MAX_FOR_WHOM, problems)
    note = _clean_text(values.get("note"), "note", MAX_NOTE, problems)
    if problems:
        raise FieldErrors(problems)
    return {
        "used_on": used_on,
        "quantity": quantity,
        "contribution_cents": contribution,
        "for_whom": for_whom,
        "note": note,
    }


def record_use(actor, item_id, **values):
    """A member records a use of an offer and the contribution they chose."""
    from .services import get_item

    require(permissions.can_record_use(actor))
    item = get_item(item_id)
    if not item.active:
        raise ServiceError(
            _l("Cette offre a été retirée du catalogue."), code="withdrawn", status=409
        )
    clean = clean_use(values)
    with change() as c:
        use = CatalogueUse(item_id=item.id, member_id=actor.id, **clean)
        db.session.add(use)
        db.session.flush()
        facts.figures_changed(c)
        c.trace(actor, "catalogue_use_recorded", use, use_id=use.id, item_id=item.id)
    return use


def get_use(actor, use_id):
    """A use, for its member and the treasurer; anyone else is told it does not exist."""
    use = db.session.get(CatalogueUse, use_id)
    if use is None or not permissions.can_view_use(actor, use):
        raise NotFound(_l("Cette utilisation n’existe pas."))
    return use


def cancel_use(actor, use_id):
    """Its member (or the treasurer) cancels a use: it no longer counts."""
    use = get_use(actor, use_id)
    if use.cancelled_at is not None:
        raise Conflict(_l("Cette utilisation est déjà annulée."), code="already_cancelled")
    ensure_year_open(use.used_on, field="use_id")
    with change() as c:
        changed = db.session.execute(
            update(CatalogueUse)
            .where(CatalogueUse.id == use.id, CatalogueUse.cancelled_at.is_(None))
            .values(cancelled_at=utcnow())
        ).rowcount
        if changed != 1:
            raise Conflict(_l("Cette utilisation est déjà annulée."), code="already_cancelled")
        facts.figures_changed(c)
        c.trace(actor, "catalogue_use_cancelled", use, use_id=use.id, item_id=use.item_id)
    db.session.refresh(use)
    return use


# -- reads -----------------------------------------------------------------------------------


def _year_query(year):
    return (
        select(CatalogueUse)
        .where(
            CatalogueUse.used_on >= date(year, 1, 1), CatalogueUse.used_on < date(year + 1, 1, 1)
        )
        .options(selectinload(CatalogueUse.item))
        .order_by(CatalogueUse.used_on.desc(), CatalogueUse.id.desc())
    )


def uses_of(member, year):
    """A member's own uses of `year` (cancelled ones too, marked so)."""
    return db.session.scalars(_year_query(year).where(CatalogueUse.member_id == member.id)).all()


def all_uses(year):
    """Every use of `year`, for the treasurer."""
    return db.session.scalars(_year_query(year).options(selectinload(CatalogueUse.member))).all()


def total_cents(uses):
    """What the uses that count (not cancelled) brought, in cents."""
    return sum(use.contribution_cents for use in uses if use.cancelled_at is None)


def count_this_year(item_id, year=None):
    """How many times an offer was used this year (no amount, no names): for anyone."""
    year = year or dates.today_in_place().year
    return db.session.scalar(
        select(func.count(CatalogueUse.id)).where(
            CatalogueUse.item_id == item_id,
            CatalogueUse.cancelled_at.is_(None),
            CatalogueUse.used_on >= date(year, 1, 1),
            CatalogueUse.used_on < date(year + 1, 1, 1),
        )
    )
