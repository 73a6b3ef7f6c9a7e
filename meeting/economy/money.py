"""Money as integer cents: read the way people write it in French, shown the way Babel writes it.

`parse_amount("1 383,50 €")` → 138350; `format_money(138350)` → "1 383,50 €" (narrow no-break
space between thousands, no-break space before the sign) in French, "€1,383.50" in English.
No float ever holds an amount: sums are sums of integers.
"""

import re
from decimal import Decimal

from babel.numbers import format_currency, format_decimal
from flask_babel import get_locale

from ..errors import ServiceError
from ..i18n import _l

CURRENCY = "EUR"
# More than anyone gives or a line of this place's budget holds: an absurd amount.
MAX_AMOUNT_CENTS = 1_000_000_00
EXAMPLE = "1 383,50 €"

# Digits in groups of three separated by spaces (plain, no-break, narrow no-break) or none,
# then a decimal comma (or point) and one or two digits; "€" or "EUR" before or after.
_SPACES = "[ \u00a0\u202f]"
_AMOUNT = re.compile(
    rf"(?:€|eur(?:os?)?)?{_SPACES}*"
    rf"(?P<units>\d{{1,3}}(?:{_SPACES}\d{{3}})+|\d+)"
    rf"(?:[,.](?P<cents>\d{{1,2}}))?"
    rf"{_SPACES}*(?:€|eur(?:os?)?)?",
    re.IGNORECASE,
)


def _locale():
    return str(get_locale() or "fr")


def parse_amount(text, field="amount", required=True, maximum=MAX_AMOUNT_CENTS):
    """The cents of an amount written by a person ("12,50", "1 383 €", "40"); None when empty
    and not required. Refuses, in French and about `field`: a negative or zero amount, more
    than two decimals, anything else than a number, more than `maximum`."""
    value = (str(text) if text is not None else "").strip()
    if not value:
        if required:
            raise ServiceError(
                _l("Indiquez un montant, par exemple « %(example)s ».", example=EXAMPLE),
                code="missing_field",
                field=field,
            )
        return None
    if value.startswith(("-", "−")):
        raise ServiceError(
            _l("Le montant doit être positif (par exemple « %(example)s »).", example=EXAMPLE),
            code="invalid_amount",
            field=field,
        )
    match = _AMOUNT.fullmatch(value)
    if match is None:
        raise ServiceError(
            _l(
                "Montant illisible : écrivez-le en euros, par exemple « %(example)s ».",
                example=EXAMPLE,
            ),
            code="invalid_amount",
            field=field,
        )
    units = int(re.sub(_SPACES, "", match["units"]))
    cents_text = match["cents"] or "0"
    cents = int(cents_text) * (10 if len(cents_text) == 1 else 1)
    total = units * 100 + cents
    if total <= 0:
        raise ServiceError(
            _l("Le montant doit être supérieur à zéro."), code="invalid_amount", field=field
        )
    if total > maximum:
        raise ServiceError(
            _l("Ce montant dépasse %(max)s : vérifiez-le.", max=format_money(maximum)),
            code="invalid_amount",
            field=field,
        )
    return total


def format_money(cents, locale=None):
    """'1 383,00 €' in French (Babel), '€1,383.00' in English; '' for None."""
    if cents is None:
        return ""
    return format_currency(Decimal(cents) / 100, CURRENCY, locale=locale or _locale())


def format_money_short(cents, locale=None):
    """Whole euros for a gauge or a chart: '29 000 €'."""
    if cents is None:
        return ""
    return format_currency(
        Decimal(cents) / 100,
        CURRENCY,
        format="#,##0\u00a0¤" if (locale or _locale()).startswith("fr") else "¤#,##0",
        currency_digits=False,
        locale=locale or _locale(),
    )


def amount_value(cents):
    """The value an amount field shows again: '1383,50' (no currency, French comma)."""
    if cents is None:
        return ""
    return (
        format_decimal(Decimal(cents) / 100, format="0.00", locale="fr")
        if cents % 100
        else str(cents // 100)
    )


def csv_amount(cents):
    """An amount a French spreadsheet reads as a number: '1383,50' (no thousands separator)."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100},{cents % 100:02d}"


def percent(part, whole):
    """A whole percentage (integer arithmetic), 0 when there is no whole."""
    if not whole:
        return 0
    return (part * 100) // whole


def install(app):
    app.jinja_env.filters.update(
        money=format_money, money_short=format_money_short, amount_value=amount_value
    )
