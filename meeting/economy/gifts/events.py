"""Les dons: commands (see `meeting.commands`), through the HTML forms of `/budget/dons/`.

No socket door: the pages of gifts are read again when loaded, and no room may carry an
individual amount (the year's totals are told through `economy.facts`)."""

from ... import permissions
from ...commands import command
from . import receipts, services

TEXT = (str, False)


@command(
    "record_gift",
    allowed=permissions.can_keep_accounts,
    fields={
        "amount": (str, True),
        "received_on": (str, True),
        "member_id": (int, False),
        "donor_name": TEXT,
        "donor_email": TEXT,
        "donor_address": TEXT,
        "anonymous": (bool, False),
        "line_id": (int, False),
        "method": TEXT,
        "note": TEXT,
    },
    doors=("form",),
)
def record_gift(actor, amount, received_on, member_id=None, anonymous=False, **values):
    """Sent by the treasurer's form "Enregistrer un don" (`/budget/dons/`)."""
    gift = services.record_gift(
        actor,
        amount,
        received_on,
        donor_member_id=member_id,
        anonymous=anonymous,
        **values,
    )
    return {"gift_id": gift.id}


@command(
    "pledge_gift",
    allowed=permissions.can_pledge_gift,
    fields={
        "amount": (str, True),
        "expected_on": TEXT,
        "line_id": (int, False),
        "note": TEXT,
        "donor_address": TEXT,
    },
    doors=("form",),
)
def pledge_gift(actor, amount, **values):
    """Sent by a member's form "Annoncer un don" (`/budget/dons/annoncer`)."""
    gift = services.pledge_gift(actor, amount, **values)
    return {"gift_id": gift.id}


@command(
    "confirm_gift",
    allowed=permissions.can_keep_accounts,
    fields={
        "gift_id": (int, True),
        "received_on": (str, True),
        "amount": TEXT,
        "method": TEXT,
    },
    doors=("form",),
)
def confirm_gift(actor, gift_id, received_on, amount=None, method=None):
    """Sent by the treasurer's "Confirmer la réception" beside a pledge."""
    gift = services.confirm_gift(actor, gift_id, received_on, amount=amount, method=method)
    return {"gift_id": gift.id}


@command(
    "cancel_gift",
    allowed=permissions.is_member,
    fields={"gift_id": (int, True), "reason": TEXT},
    doors=("form",),
)
def cancel_gift(actor, gift_id, reason=None):
    """Sent by "Annuler" (the treasurer, any gift; a donor, their own pledge)."""
    gift = services.cancel_gift(actor, gift_id, reason)
    return {"gift_id": gift.id}


@command(
    "issue_receipt",
    allowed=permissions.is_member,
    fields={"gift_id": (int, True), "donor_address": TEXT},
    doors=("form",),
)
def issue_receipt(actor, gift_id, donor_address=None):
    """Sent by "Obtenir le reçu" on the receipt page (the donor or the treasurer)."""
    gift = receipts.issue_receipt(actor, gift_id, donor_address)
    return {"gift_id": gift.id, "receipt_number": gift.receipt_number}
