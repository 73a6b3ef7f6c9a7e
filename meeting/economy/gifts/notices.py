"""After a pledge is confirmed: the donor (a member with an e-mail address) is thanked by mail.

Runs after the commit (`c.after_commit`), once per confirmation (the confirmation itself is a
compare-and-set, so it happens once). A mail the server refuses is logged, never retried: the
gift stays received and the donor sees it on "Mes dons".

(No in-app notification yet: `Notification` only speaks of proposals; see the report.)
"""

import logging

from flask import url_for

from ... import realtime
from ...extensions import db
from ...i18n import _, long_date
from ...mail import mail_enabled, send_mail
from ...models import Gift
from ..money import format_money

log = logging.getLogger(__name__)


def thanks_mail(gift):
    """(subject, body) of the mail telling a donor their gift arrived, in the current locale."""
    amount = format_money(gift.amount_cents)
    subject = _("Votre don de %(amount)s est bien arrivé", amount=amount)
    lines = [
        _("Bonjour %(name)s,", name=gift.donor.display_name),
        "",
        _("Votre don de %(amount)s est bien arrivé. Merci !", amount=amount),
        _("Reçu le %(date)s.", date=long_date(gift.received_on)),
        "",
        _("Vos dons :"),
        url_for("gifts.mine", _external=True),
        "",
        "— " + _("Vendredi, Le 97"),
    ]
    return subject, "\n".join(lines) + "\n"


def tell_donor(gift_id):
    """E-mail the member whose pledge was confirmed. Returns True when the server took it."""
    gift = db.session.get(Gift, gift_id)
    if gift is None or gift.status != "received" or gift.donor is None:
        return False
    email = gift.donor.email
    if not email or not mail_enabled() or not gift.donor.is_active:
        return False
    with realtime.fragment_context():
        subject, body = thanks_mail(gift)
    db.session.rollback()  # no transaction stays open during the SMTP exchange
    if not send_mail(email, subject, body):
        log.warning("gift %s: thanks not accepted by the mail server", gift_id)
        return False
    return True
