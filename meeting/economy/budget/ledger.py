"""The year's ledger ("grand livre") for the accountant of the fund that carries the place: a
CSV a French spreadsheet opens as it is (UTF-8 with a BOM, semicolons, decimal commas, dates
JJ/MM/AAAA). Treasurer only: it names donors and members.

The rows are read with the same conditions as `economy.summary.year_summary`, so its total of
receipts is the summary's `came_in_cents` and its total of spending the summary's
`spent_cents`, to the cent.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ... import permissions
from ...errors import require
from ...extensions import db
from ...i18n import _
from ...models import CatalogueUse, Entry, Expense, Gift
from ...spreadsheet import csv_date, csv_text, text_cell
from ..money import csv_amount
from ..summary import local_date, year_bounds_utc


@dataclass
class LedgerRow:
    day: date
    nature: str
    label: str
    line: str
    person: str
    received_cents: int = 0
    spent_cents: int = 0
    order: int = 0  # within a day: gifts, uses, in kind, expenses


def _gift_person(gift):
    if gift.anonymous:
        return _("Anonyme")
    if gift.donor is not None:
        return gift.donor.display_name
    return gift.donor_name or _("Anonyme")


def ledger_rows(year):
    """Every receipt and expense of the year, sorted by date."""
    first, after = date(year, 1, 1), date(year + 1, 1, 1)
    rows = []
    gifts = db.session.scalars(
        select(Gift)
        .options(selectinload(Gift.donor), selectinload(Gift.line))
        .where(Gift.status == "received", Gift.received_on >= first, Gift.received_on < after)
    )
    for gift in gifts:
        label = _("Don")
        if gift.receipt_number:
            label = _("Don (reçu n° %(number)s)", number=gift.receipt_number)
        rows.append(
            LedgerRow(
                gift.received_on,
                _("Don"),
                label,
                gift.line.label if gift.line is not None else "",
                _gift_person(gift),
                received_cents=gift.amount_cents,
                order=0,
            )
        )
    uses = db.session.scalars(
        select(CatalogueUse)
        .options(selectinload(CatalogueUse.item), selectinload(CatalogueUse.member))
        .where(
            CatalogueUse.cancelled_at.is_(None),
            CatalogueUse.used_on >= first,
            CatalogueUse.used_on < after,
        )
    )
    for use in uses:
        label = use.item.title
        if use.quantity and use.quantity != 1:
            label = f"{label} × {use.quantity}"
        if use.for_whom:
            label = _("%(what)s, pour %(whom)s", what=label, whom=use.for_whom)
        rows.append(
            LedgerRow(
                use.used_on,
                _("Contribution (catalogue)"),
                label,
                "",
                use.member.display_name,
                received_cents=use.contribution_cents,
                order=1,
            )
        )
    start, end = year_bounds_utc(year)
    needs = db.session.scalars(
        select(Entry)
        .options(selectinload(Entry.in_kind_member))
        .where(
            Entry.kind == "need",
            Entry.need_status == "met",
            Entry.in_kind_cents.is_not(None),
            Entry.resolved_at >= start,
            Entry.resolved_at < end,
        )
    )
    for entry in needs:
        rows.append(
            LedgerRow(
                local_date(entry.resolved_at),
                _("Apport en nature"),
                entry.title or " ".join(entry.body.split())[:120],
                "",
                entry.in_kind_member.display_name if entry.in_kind_member is not None else "",
                received_cents=entry.in_kind_cents,
                order=2,
            )
        )
    expenses = db.session.scalars(
        select(Expense)
        .options(selectinload(Expense.line))
        .where(Expense.spent_on >= first, Expense.spent_on < after)
    )
    for expense in expenses:
        rows.append(
            LedgerRow(
                expense.spent_on,
                _("Dépense"),
                expense.label,
                expense.line.label if expense.line is not None else "",
                "",
                spent_cents=expense.amount_cents,
                order=3,
            )
        )
    rows.sort(key=lambda row: (row.day, row.order, row.label))
    return rows


def ledger_csv(actor, year):
    """The CSV text of the year's ledger (BOM first), with a total row."""
    require(permissions.can_keep_accounts(actor))
    rows = ledger_rows(year)
    header = [
        _("Date"),
        _("Nature"),
        _("Libellé"),
        _("Ligne budgétaire"),
        _("Personne"),
        _("Recette"),
        _("Dépense"),
    ]
    body = [
        [
            csv_date(row.day),
            row.nature,
            text_cell(row.label),
            text_cell(row.line),
            text_cell(row.person),
            csv_amount(row.received_cents) if row.received_cents else "",
            csv_amount(row.spent_cents) if row.spent_cents else "",
        ]
        for row in rows
    ]
    total = [
        "",
        _("Total"),
        _("Total de l’année %(year)s", year=year),
        "",
        "",
        csv_amount(sum(row.received_cents for row in rows)),
        csv_amount(sum(row.spent_cents for row in rows)),
    ]
    return csv_text(header, [*body, total])
