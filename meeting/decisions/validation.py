"""The checks a decision's fields go through, whichever service records or edits it: every
field's refusal at once, beside it, before anything is written."""

from datetime import date

from .. import cleaning
from ..errors import FieldErrors, ServiceError
from ..i18n import _, _l
from ..meetings import dates
from ..models import DECISION_MODES

MAX_STATEMENT = 5000
MAX_OBJECTIONS = 5000


class Refusals:
    """The refusals of one form, by field: every field's message is shown at once, beside it."""

    def __init__(self):
        self.errors = {}  # field name -> ServiceError

    def check(self, name, clean, *args, **kwargs):
        """`clean(*args)`, or None with its refusal kept for the field `name`."""
        try:
            return clean(*args, **kwargs)
        except ServiceError as error:
            self.errors.setdefault(name, error)
            return None

    def add(self, name, message, code, **details):
        self.errors.setdefault(name, ServiceError(message, code=code, **details))

    def raise_any(self):
        if len(self.errors) == 1:
            ((name, error),) = self.errors.items()
            details = {k: v for k, v in error.details.items() if k != "field"}
            raise ServiceError(error.message, code=error.code, field=name, **details)
        if self.errors:
            raise FieldErrors({name: error.message for name, error in self.errors.items()})


def clean_text(value, limit, label):
    value = (value or "").strip() or None
    if value and len(value) > limit:
        raise ServiceError(
            _l("%(label)s : %(n)s caractères au plus.", label=label, n=limit), code="invalid_field"
        )
    return value


def clean_date(value, label, allow_past=False):
    if value in (None, ""):
        return None
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            raise ServiceError(
                _l("« %(value)s » n’est pas une date valide.", value=value), code="invalid_date"
            ) from None
    if not allow_past and day < dates.today_in_place():
        raise ServiceError(
            _l("%(label)s ne peut pas être dans le passé.", label=label), code="past_date"
        )
    if not isinstance(value, date):  # read from input: within the years `cleaning` allows
        cleaning.check_day(day)
    return day


def check_content(refusals, statement, mode, objections, objections_lifted, review_on, kept=None):
    """The cleaned (statement, objections, objections_lifted, review_on) of a decision taken
    by `mode`, each refusal kept in `refusals`. `kept` is the review date it has now (an edit
    may leave a date that has since passed)."""
    statement = (statement or "").strip()
    if not statement:
        refusals.add(
            "statement", _l("Écrivez la décision avant de l’enregistrer."), "empty_statement"
        )
    elif len(statement) > MAX_STATEMENT:
        refusals.add(
            "statement",
            _l("La décision est trop longue (%(n)s caractères au plus).", n=MAX_STATEMENT),
            "invalid_field",
        )
    if mode not in DECISION_MODES:
        refusals.add("mode", _l("Mode de décision inconnu."), "invalid_field")
    objections = refusals.check(
        "objections", clean_text, objections, MAX_OBJECTIONS, _("Objections")
    )
    objections_lifted = refusals.check(
        "objections_lifted",
        clean_text,
        objections_lifted,
        MAX_OBJECTIONS,
        _("Levée des objections"),
    )
    if objections and not objections_lifted and mode == "consent":
        refusals.add(
            "objections_lifted",
            _l(
                "Une décision par consentement avec des objections dit comment "
                "elles ont été levées."
            ),
            "objections_not_lifted",
        )
    past_ok = kept is not None and str(review_on or "") == kept.isoformat()
    review_on = refusals.check(
        "review_on", clean_date, review_on, _("La date de révision"), allow_past=past_ok
    )
    return statement, objections, objections_lifted, review_on
