"""Receipts for gifts ("reçu au titre des dons à certains organismes d’intérêt général",
Cerfa n° 11580, articles 200, 238 bis et 978 du code général des impôts), when the place says
it issues them (`place.setting("receipts") == "on"`).

A receipt is numbered once, the first time it is issued: "2026-001" (the year it is issued,
then its rank in that year), stored on the gift (`receipt_number`, `receipt_issued_at`) with a
compare-and-set, so two clicks give one number; traced `gift_receipt_issued` (the gift's id
only). Reading a receipt never writes: issuing is a form post (`issue_receipt`).
"""

import re

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ... import permissions, place
from ...errors import Conflict, NotFound, ServiceError, require
from ...extensions import db
from ...i18n import _l
from ...models import Gift
from ...models.base import utcnow
from ...pipeline import change
from .. import summary
from . import checks, read

# The Cerfa's "mode de versement" boxes, for the gift's method.
METHOD_BOXES = {
    "cash": "cash",
    "cheque": "cheque",
    "transfer": "transfer",
    "card": "transfer",
    "other": None,
}
ATTEMPTS = 5  # numbering: another receipt may take the same number at the same moment


def receipts_enabled():
    return place.setting("receipts") == "on"


def _french_words(n):
    """`n` in French words (num2words is imported only when a receipt needs it)."""
    from num2words import num2words

    return num2words(n, lang="fr")


def _euro_words(n):
    words = _french_words(n)
    if n == 1:
        return f"{words} euro"
    # "un million d’euros", "deux milliards d’euros"; else "cinquante euros"
    if re.search(r"(millions?|milliards?)$", words):
        return f"{words} d’euros"
    return f"{words} euros"


def amount_in_words(cents):
    """The amount in full French words, as the receipt writes it: 'cinquante euros',
    'mille trois cent quatre-vingt-trois euros et cinquante centimes' (always French: the
    Cerfa is a French form)."""
    euros, rest = divmod(int(cents), 100)
    parts = []
    if euros:
        parts.append(_euro_words(euros))
    if rest:
        cents_words = _french_words(rest)
        parts.append(f"{cents_words} centime" if rest == 1 else f"{cents_words} centimes")
    return " et ".join(parts) if parts else "zéro euro"


def refusal(gift):
    """Why this gift has no receipt for this reader (a ServiceError to raise), or None."""
    if not receipts_enabled():
        return NotFound(_l("Le lieu ne délivre pas de reçus fiscaux."), code="receipts_off")
    if gift.status != "received":
        return Conflict(
            _l("Le reçu se délivre une fois le don reçu par le lieu."), code="not_received"
        )
    if gift.anonymous or (gift.donor is None and not gift.donor_name):
        return Conflict(
            _l("Un don anonyme ne donne pas de reçu : le reçu nomme son donateur."),
            code="anonymous_gift",
        )
    return None


def get_receipt_gift(actor, gift_id):
    """The gift whose receipt this reader may see (its donor or the treasurer), or a refusal:
    404 for anyone else, 404 when the place issues no receipts, 409 for a gift not received or
    anonymous."""
    gift = read.get_gift(actor, gift_id)
    problem = refusal(gift)
    if problem is not None:
        raise problem
    return gift


def _next_number(year):
    prefix = f"{year}-"
    ranks = [
        int(number[len(prefix) :])
        for number in db.session.scalars(
            select(Gift.receipt_number).where(Gift.receipt_number.like(f"{prefix}%"))
        )
        if number[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(ranks, default=0) + 1:03d}"


def issue_receipt(actor, gift_id, donor_address=None):
    """Number the gift's receipt the first time it is issued (its donor or the treasurer);
    later calls return it unchanged. The donor's postal address is asked for when the gift has
    none (the Cerfa names it)."""
    require(permissions.is_member(actor))
    gift = get_receipt_gift(actor, gift_id)
    if gift.receipt_number:
        return gift
    address = checks.clean_text(donor_address, "donor_address", checks.MAX_ADDRESS, multiline=True)
    if not gift.donor_address and not address:
        raise ServiceError(
            _l("Indiquez l’adresse postale du donateur : le reçu la mentionne."),
            code="missing_field",
            field="donor_address",
        )
    for _attempt in range(ATTEMPTS):
        try:
            with change() as c:
                now = utcnow()
                number = _next_number(summary.local_date(now).year)
                values = {"receipt_number": number, "receipt_issued_at": now, "updated_at": now}
                if not gift.donor_address:
                    values["donor_address"] = address
                done = db.session.execute(
                    update(Gift)
                    .where(
                        Gift.id == gift.id,
                        Gift.receipt_number.is_(None),
                        Gift.status == "received",
                    )
                    .values(**values)
                    .execution_options(synchronize_session=False)
                ).rowcount
                if done:
                    c.trace(actor, "gift_receipt_issued", gift, gift_id=gift.id)
            break
        except IntegrityError:  # that number was just taken by another receipt: the next one
            db.session.rollback()
    db.session.refresh(gift)
    if not gift.receipt_number:
        raise Conflict(_l("Le reçu n’a pas pu être numéroté : réessayez."), code="retry")
    return gift


def issued_day(gift):
    """The place's day the receipt was issued (None before)."""
    return summary.local_date(gift.receipt_issued_at) if gift.receipt_issued_at else None


def beneficiary():
    """The association named on every receipt, from the place's settings."""
    address = place.setting("association_address")
    city = re.search(r"\d{5}\s+(.+)$", address or "")
    return {
        "name": place.setting("association_name"),
        "address": address,
        "object": place.setting("association_object"),
        "quality": place.setting("association_quality"),
        "city": city.group(1).strip() if city else address,
    }


def donor_fields(gift):
    """The donor as the receipt names them."""
    return {
        "name": read.donor_label(gift),
        "address": gift.donor_address or "",
    }
