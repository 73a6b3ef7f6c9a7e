"""Contributions in kind: a met need ("j'apporte du savon") can carry the estimated value of
what was brought. The value counts in the year's figures (`summary.year_summary`); one by one
it is seen only by the person who brought it and by the treasurer (`can_view_in_kind`), never
in the document, the live pages, the minutes or search: the need's own trace and the fact
every reader of the document receives hold no value."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...meetings import dates
from ...models import Entry
from .. import facts, money, summary
from . import uses


def clean_value(text):
    """The cents of an optional estimated value written the French way ("12,50 €"), or None;
    a refusal names the field `value`."""
    return money.parse_amount(text, field="value", required=False)


def check_value_allowed():
    """Refuse a value when this year (the day a need is met) is closed, before any write."""
    uses.ensure_year_open(dates.today_in_place(), field="value")


def record_in_kind(c, actor, entry, cents):
    """Inside the change that marks `entry` met: store its estimated value (`cents`), credited
    to whoever took the need on, else to the person who marks it met; traced with the entry's
    id only and kept out of the shared feed (`traces.services.ACCOUNT_VERBS`)."""
    if cents is None:
        return
    entry.in_kind_cents = cents
    entry.in_kind_member_id = entry.claimed_by_id or actor.id
    facts.figures_changed(c)
    c.trace(actor, "need_value_recorded", entry, meeting=entry.meeting, entry_id=entry.id)


def _in_kind_query(year):
    start, end = summary.year_bounds_utc(year)
    return (
        select(Entry)
        .where(
            Entry.kind == "need",
            Entry.need_status == "met",
            Entry.in_kind_cents.is_not(None),
            Entry.resolved_at >= start,
            Entry.resolved_at < end,
        )
        .options(selectinload(Entry.meeting))
        .order_by(Entry.resolved_at, Entry.id)
    )


def contributions_of(member, year):
    """A member's own contributions in kind of `year` (met needs with their value)."""
    return db.session.scalars(
        _in_kind_query(year).where(Entry.in_kind_member_id == member.id)
    ).all()


def all_contributions(year):
    """Every contribution in kind of `year`, for the treasurer."""
    return db.session.scalars(
        _in_kind_query(year).options(selectinload(Entry.in_kind_member))
    ).all()
