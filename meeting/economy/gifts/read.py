"""Reading gifts: one gift for the treasurer or its donor (a 404 for anyone else), the
treasurer's lists, a member's own gifts, what the forms offer (the year's lines, the members)."""

from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from ... import permissions
from ...errors import NotFound, require
from ...extensions import db
from ...i18n import _l
from ...models import Gift, Member
from ...models.economy import GIFT_STATUSES
from .. import summary


def get_gift(actor, gift_id):
    """The gift, for the treasurer or its donor; anyone else gets the same 404 as for a gift
    that does not exist (nothing tells them it does)."""
    gift = db.session.get(Gift, gift_id) if isinstance(gift_id, int) else None
    if gift is None or not permissions.can_view_gift(actor, gift):
        raise NotFound(_l("Ce don n’existe pas, ou il ne vous concerne pas."), code="not_found")
    return gift


def gift_day(gift):
    """The day a gift belongs to: when it arrived, else when it is expected, else when it was
    announced."""
    return gift.received_on or gift.expected_on or summary.local_date(gift.created_at)


def donor_label(gift):
    """Who gave, for the treasurer and the donor (never for anyone else)."""
    if gift.donor is not None:
        return gift.donor.display_name
    if gift.donor_name:
        return gift.donor_name
    return str(_l("Anonyme"))


def year_gifts(actor, year, status=None):
    """Every gift of `year` (received that year, or announced that year when not received),
    newest first, optionally of one status: the treasurer's list."""
    require(permissions.can_keep_accounts(actor))
    start, end = summary.year_bounds_utc(year)
    first, after = date(year, 1, 1), date(year + 1, 1, 1)
    query = (
        select(Gift)
        .options(selectinload(Gift.donor), selectinload(Gift.line))
        .where(
            or_(
                and_(Gift.received_on >= first, Gift.received_on < after),
                and_(Gift.received_on.is_(None), Gift.created_at >= start, Gift.created_at < end),
            )
        )
    )
    if status in GIFT_STATUSES:
        query = query.where(Gift.status == status)
    gifts = db.session.scalars(query).all()
    return sorted(gifts, key=lambda g: (gift_day(g), g.id), reverse=True)


def pending_pledges(actor):
    """Every pledge awaiting its money (whatever the year), oldest first."""
    require(permissions.can_keep_accounts(actor))
    return db.session.scalars(
        select(Gift)
        .options(selectinload(Gift.donor), selectinload(Gift.line))
        .where(Gift.status == "pledged")
        .order_by(Gift.created_at, Gift.id)
    ).all()


def my_gifts(actor):
    """The member's own gifts, newest first."""
    require(permissions.is_member(actor))
    gifts = db.session.scalars(
        select(Gift).options(selectinload(Gift.line)).where(Gift.donor_member_id == actor.id)
    ).all()
    return sorted(gifts, key=lambda g: (gift_day(g), g.id), reverse=True)


def year_lines(year):
    """The lines of the year's budget a gift may be earmarked for (none without a budget)."""
    budget = summary.budget_year(year)
    return list(budget.lines) if budget is not None else []


def donor_choices():
    """The members a treasurer may name as donor (active, not the place's system member)."""
    return db.session.scalars(
        select(Member)
        .where(Member.is_system.is_(False), Member.deactivated_at.is_(None))
        .order_by(Member.display_name)
    ).all()
