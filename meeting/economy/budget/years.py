"""The years of the budget: which years can hold one, a year's row and its revision
(compare-and-set), and a year closed once finished, after which nothing dated in it is
recorded (`ensure_year_open`, called by the gifts and the catalogue too)."""

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ... import permissions
from ...errors import Conflict, NotFound, ServiceError, require
from ...extensions import db
from ...i18n import _l
from ...meetings.dates import today_in_place
from ...models import BudgetYear
from ...models.base import utcnow
from ...pipeline import change
from .. import facts
from ..summary import budget_year

FIRST_YEAR = 2000


def this_year():
    return today_in_place().year


def year_is_known(year):
    """A year a budget can be set for: from 2000 to next year."""
    return isinstance(year, int) and FIRST_YEAR <= year <= this_year() + 1


def check_year(year):
    if not year_is_known(year):
        raise NotFound(
            _l(
                "Le budget se tient pour les années %(first)s à %(last)s.",
                first=FIRST_YEAR,
                last=this_year() + 1,
            ),
            code="unknown_year",
        )


def year_closed_error(year, field=None):
    details = {"field": field} if field else {}
    return ServiceError(
        _l(
            "L’année %(year)s est close : on n’y enregistre plus rien (voyez avec la trésorerie).",
            year=year,
        ),
        code="year_closed",
        **details,
    )


def ensure_year_open(day, field=None):
    """Raise a French ServiceError (about `field`, when given) if `day` falls in a closed year
    of the budget. For every feature that records something dated (gifts, catalogue uses)."""
    year = day.year if hasattr(day, "year") else int(day)
    closed = db.session.scalar(
        select(BudgetYear.closed_at).where(
            BudgetYear.year == year, BudgetYear.closed_at.is_not(None)
        )
    )
    if closed is not None:
        raise year_closed_error(year, field)


def year_row(year):
    """Inside a change: the year's row, created when missing."""
    row = budget_year(year)
    if row is None:
        row = BudgetYear(year=year, revision=1)
        db.session.add(row)
        db.session.flush()
    return row


def bump_revision(row, seen):
    """Compare-and-set on the year's revision; False when someone changed the year first."""
    done = db.session.execute(
        update(BudgetYear)
        .where(BudgetYear.id == row.id, BudgetYear.revision == seen)
        .values(revision=seen + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if done == 1:
        db.session.expire(row, ["revision", "updated_at"])
    return done == 1


# -- closing a year --------------------------------------------------------------------------


def close_year(actor, year):
    """The treasurer closes a finished year: from then on nothing dated in it is recorded
    (gifts, uses, expenses, its lines)."""
    require(permissions.can_keep_accounts(actor))
    check_year(year)
    if year >= this_year():
        raise ServiceError(
            _l(
                "L’année %(year)s n’est pas finie : elle pourra être close à partir du 1er "
                "janvier %(next)s.",
                year=year,
                next=year + 1,
            ),
            code="year_not_over",
        )
    row = budget_year(year)
    if row is not None and row.is_closed:
        raise Conflict(_l("L’année %(year)s est déjà close.", year=year), code="year_closed")
    try:
        with change() as c:
            row = year_row(year)
            # Compare-and-set: closed once; the revision moves so an open lines form is stale.
            closed = db.session.execute(
                update(BudgetYear)
                .where(BudgetYear.id == row.id, BudgetYear.closed_at.is_(None))
                .values(closed_at=utcnow(), closed_by_id=actor.id, revision=BudgetYear.revision + 1)
                .execution_options(synchronize_session=False)
            ).rowcount
            if closed != 1:
                raise Conflict(
                    _l("L’année %(year)s est déjà close.", year=year), code="year_closed"
                )
            db.session.expire(row)
            c.trace(actor, "budget_year_closed", row, year=year)
            facts.figures_changed(c)
    except IntegrityError:
        raise Conflict(
            _l("L’année %(year)s vient d’être modifiée.", year=year), code="stale"
        ) from None
    return budget_year(year)
