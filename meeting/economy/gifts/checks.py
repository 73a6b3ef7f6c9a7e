"""The checks of a gift's fields, each refusing in French about its own field; `Checks`
collects them so that a form hears of every mistake at once."""

from datetime import date

from ... import cleaning
from ...errors import FieldErrors, ServiceError
from ...extensions import db
from ...i18n import _l
from ...meetings import dates
from ...models import BudgetLine, BudgetYear
from ...models.economy import GIFT_METHODS
from ..budget import services as budget

EARLIEST_YEAR = 2000
MAX_NAME = 120
MAX_NOTE = 200
MAX_ADDRESS = 500
MAX_REASON = 120
# A pledge may say when the money should come, up to this many days ahead.
MAX_PLEDGE_DAYS = 400


def stripped(value):
    return "" if value is None else str(value).strip()


def _has_control(text, allowed=""):
    return any((ord(ch) < 32 or ord(ch) == 127) and ch not in allowed for ch in text)


def clean_text(value, field, limit, multiline=False):
    """A short text: None when empty; refused when too long or holding control characters."""
    text = stripped(value)
    if multiline:
        text = text.replace("\r\n", "\n")
    if not text:
        return None
    if _has_control(text, "\n" if multiline else ""):
        raise ServiceError(
            _l("Ce texte contient des caractères invisibles : retapez-le."),
            code="invalid_field",
            field=field,
        )
    if len(text) > limit:
        raise ServiceError(
            _l("%(limit)s caractères au plus, s’il vous plaît.", limit=limit),
            code="too_long",
            field=field,
        )
    return text


def ensure_year_open(day, field):
    """Refuse a day of a closed year (its accounts stay as they were closed): the budget's
    own check."""
    budget.ensure_year_open(day, field)


def parse_day(value, field, required=True):
    """A `YYYY-MM-DD` (or a date) of a plausible year; None when empty and not required."""
    if isinstance(value, date):
        day = value
    else:
        text = stripped(value)
        if not text:
            if required:
                raise ServiceError(_l("Indiquez une date."), code="missing_field", field=field)
            return None
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ServiceError(
                _l("Cette date n’est pas valable (attendu : AAAA-MM-JJ)."),
                code="invalid_date",
                field=field,
            ) from None
    if day.year < EARLIEST_YEAR:
        raise ServiceError(_l("Cette date est trop ancienne."), code="invalid_date", field=field)
    return cleaning.check_day(day, field)


def received_day(value, field="received_on"):
    """The day money arrived: not in the future, not in a closed year."""
    day = parse_day(value, field)
    if day > dates.today_in_place():
        raise ServiceError(
            _l("Cette date est dans le futur : un don se date du jour où il est arrivé."),
            code="future_date",
            field=field,
        )
    ensure_year_open(day, field)
    return day


def clean_method(value, field="method"):
    method = stripped(value) or None
    if method is not None and method not in GIFT_METHODS:
        raise ServiceError(
            _l("Choisissez un mode de versement de la liste."), code="invalid_field", field=field
        )
    return method


def clean_line(line_id, year, field="line_id"):
    """The earmarked line: one of `year`'s budget lines, or None."""
    if line_id in (None, ""):
        return None
    line = db.session.get(BudgetLine, line_id) if isinstance(line_id, int) else None
    if line is None:
        raise ServiceError(
            _l("Cette ligne du budget n’existe pas."), code="invalid_field", field=field
        )
    line_year = db.session.get(BudgetYear, line.budget_year_id).year
    if line_year != year:
        raise ServiceError(
            _l(
                "Cette ligne est au budget de %(line_year)s : un don de %(year)s se flèche sur "
                "une ligne de %(year)s.",
                line_year=str(line_year),
                year=str(year),
            ),
            code="invalid_field",
            field=field,
        )
    return line


def clean_email(value, field="donor_email"):
    from ...members.services import EMAIL_RE

    email = stripped(value).lower()
    if not email:
        return None
    if len(email) > 254 or not EMAIL_RE.match(email):
        raise ServiceError(
            _l("Cette adresse e-mail n’est pas valide."), code="invalid_field", field=field
        )
    return email


class Checks:
    """Collect each field's refusal, then refuse them all at once (one stays as it was)."""

    def __init__(self):
        self.problems = {}
        self.errors = []

    def __call__(self, check, *args, **kwargs):
        try:
            return check(*args, **kwargs)
        except ServiceError as error:
            field = error.details.get("field")
            if field is None:
                raise
            self.problems.setdefault(field, error.message)
            self.errors.append(error)
            return None

    def refuse_if_any(self):
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.problems:
            raise FieldErrors(self.problems)


def refuse(message, field):
    """Refuse one field (for `Checks`)."""
    raise ServiceError(message, code="invalid_field", field=field)
