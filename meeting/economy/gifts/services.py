"""Gifts to the place: the treasurer records one received, a member announces one (a pledge)
that the treasurer confirms when the money arrives; either may cancel (a donor, their own
pledge only). Seen one by one only by the treasurer and the donor (`can_view_gift`).

Every change is traced with the gift's id only (never an amount or a name: the verbs are kept
out of the shared feed, `traces.services.ACCOUNT_VERBS`) and tells who shows the year's
figures (`economy.facts.figures_changed`). The donor of a confirmed pledge is e-mailed after
the commit (`notices.tell_donor`).
"""

from sqlalchemy import update

from ... import permissions
from ...errors import Conflict, ServiceError, require
from ...extensions import db
from ...i18n import _l
from ...meetings import dates
from ...models import BudgetYear, Gift, Member
from ...models.base import utcnow
from ...pipeline import change
from .. import facts, money
from . import notices
from .checks import (
    MAX_ADDRESS,
    MAX_NAME,
    MAX_NOTE,
    MAX_PLEDGE_DAYS,
    MAX_REASON,
    Checks,
    clean_email,
    clean_line,
    clean_method,
    clean_text,
    ensure_year_open,
    parse_day,
    received_day,
    refuse,
    stripped,
)
from .read import get_gift

# -- changing ----------------------------------------------------------------------------------


def _clean_donor(check, donor_member_id, donor_name, anonymous):
    """(member, name) of a gift the treasurer records: a member, a named person, or nobody."""
    name = check(clean_text, donor_name, "donor_name", MAX_NAME)
    member = None
    if donor_member_id not in (None, ""):
        member = (
            db.session.get(Member, donor_member_id) if isinstance(donor_member_id, int) else None
        )
        if member is None or member.is_system:
            check(refuse, _l("Cette personne n’est pas membre du lieu."), "member_id")
            member = None
    if anonymous and (member is not None or name):
        check(
            refuse,
            _l("Un don anonyme ne porte pas de nom : décochez « Don anonyme » ou effacez le nom."),
            "anonymous",
        )
    elif member is not None and name:
        check(
            refuse,
            _l("Choisissez un membre ou écrivez un nom, pas les deux."),
            "donor_name",
        )
    elif not anonymous and member is None and not name and "member_id" not in check.problems:
        check(
            refuse,
            _l("Choisissez un membre, écrivez le nom du donateur ou cochez « Don anonyme »."),
            "donor_name",
        )
    return member, name


def record_gift(
    actor,
    amount,
    received_on,
    donor_member_id=None,
    donor_name=None,
    donor_email=None,
    donor_address=None,
    anonymous=False,
    line_id=None,
    method=None,
    note=None,
):
    """The treasurer records a gift that has arrived (received at once)."""
    require(permissions.can_keep_accounts(actor))
    check = Checks()
    cents = check(money.parse_amount, amount, field="amount")
    day = check(received_day, received_on)
    member, name = _clean_donor(check, donor_member_id, donor_name, bool(anonymous))
    email = check(clean_email, donor_email)
    address = check(clean_text, donor_address, "donor_address", MAX_ADDRESS, multiline=True)
    if anonymous and (email or address):
        check(
            refuse,
            _l("Un don anonyme n’a ni adresse e-mail ni adresse postale."),
            "donor_email" if email else "donor_address",
        )
    if member is not None and email:
        check(
            refuse,
            _l("Le membre a déjà son adresse e-mail : laissez ce champ vide."),
            "donor_email",
        )
    line = check(clean_line, line_id, day.year) if day is not None else None
    method = check(clean_method, method)
    note = check(clean_text, note, "note", MAX_NOTE)
    check.refuse_if_any()
    with change() as c:
        now = utcnow()
        gift = Gift(
            status="received",
            amount_cents=cents,
            received_on=day,
            donor_member_id=member.id if member is not None else None,
            donor_name=name if member is None else None,
            donor_email=email,
            donor_address=address,
            anonymous=bool(anonymous),
            line_id=line.id if line is not None else None,
            method=method,
            note=note,
            recorded_by_id=actor.id,
            confirmed_by_id=actor.id,
            confirmed_at=now,
            created_at=now,
            updated_at=now,
        )
        db.session.add(gift)
        db.session.flush()
        c.trace(actor, "gift_recorded", gift, gift_id=gift.id)
        facts.figures_changed(c)
    return gift


def pledge_gift(actor, amount, expected_on=None, line_id=None, note=None, donor_address=None):
    """A member announces a gift they will make (status pledged, donor: them)."""
    require(permissions.can_pledge_gift(actor))
    check = Checks()
    cents = check(money.parse_amount, amount, field="amount")
    expected = check(parse_day, expected_on, "expected_on", required=False)
    today = dates.today_in_place()
    if expected is not None:
        if (expected - today).days > MAX_PLEDGE_DAYS:
            check(refuse, _l("Si loin ? Annoncez votre don plus près de sa date."), "expected_on")
        else:
            check(ensure_year_open, expected, "expected_on")
    year = expected.year if expected is not None else today.year
    line = check(clean_line, line_id, year)
    note = check(clean_text, note, "note", MAX_NOTE)
    address = check(clean_text, donor_address, "donor_address", MAX_ADDRESS, multiline=True)
    check.refuse_if_any()
    with change() as c:
        now = utcnow()
        gift = Gift(
            status="pledged",
            amount_cents=cents,
            expected_on=expected,
            donor_member_id=actor.id,
            donor_address=address,
            anonymous=False,  # a member's gift is never anonymous to the treasurer
            line_id=line.id if line is not None else None,
            note=note,
            recorded_by_id=actor.id,
            created_at=now,
            updated_at=now,
        )
        db.session.add(gift)
        db.session.flush()
        c.trace(actor, "gift_pledged", gift, gift_id=gift.id)
        facts.figures_changed(c)
    return gift


def _not_pledged(gift):
    if gift.status == "received":
        return Conflict(_l("Ce don a déjà été confirmé : il est reçu."), code="already_confirmed")
    return Conflict(
        _l("Ce don a été annulé : il ne peut plus être confirmé."), code="gift_cancelled"
    )


def confirm_gift(actor, gift_id, received_on, amount=None, method=None):
    """The treasurer confirms that a pledge arrived (the amount may differ from the announced
    one). Compare-and-set on the status: a second confirmation is refused."""
    require(permissions.can_keep_accounts(actor))
    gift = get_gift(actor, gift_id)
    if gift.status != "pledged":
        raise _not_pledged(gift)
    check = Checks()
    day = check(received_day, received_on)
    cents = (
        check(money.parse_amount, amount, field="amount") if stripped(amount) else gift.amount_cents
    )
    method = check(clean_method, method)
    if day is not None and gift.line_id is not None:
        line_year = db.session.get(BudgetYear, gift.line.budget_year_id).year
        if line_year != day.year:
            check(
                refuse,
                _l(
                    "Ce don est fléché sur une ligne du budget %(year)s : sa date de réception "
                    "doit être en %(year)s.",
                    year=str(line_year),
                ),
                "received_on",
            )
    check.refuse_if_any()
    with change() as c:
        now = utcnow()
        done = db.session.execute(
            update(Gift)
            .where(Gift.id == gift.id, Gift.status == "pledged")
            .values(
                status="received",
                received_on=day,
                amount_cents=cents,
                method=method or gift.method,
                confirmed_by_id=actor.id,
                confirmed_at=now,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if not done:
            db.session.rollback()
            db.session.refresh(gift)
            raise _not_pledged(gift)
        c.trace(actor, "gift_confirmed", gift, gift_id=gift.id)
        facts.figures_changed(c)
        if gift.donor_member_id is not None:
            c.after_commit(notices.tell_donor, gift.id)
    db.session.refresh(gift)
    return gift


def cancel_gift(actor, gift_id, reason=None):
    """The treasurer cancels any gift (a mistake, a pledge that never came); a donor, their own
    pledge. A gift with a receipt, or of a closed year, stays."""
    gift = get_gift(actor, gift_id)
    treasurer = permissions.can_keep_accounts(actor)
    if gift.status == "cancelled":
        raise Conflict(_l("Ce don est déjà annulé."), code="gift_cancelled")
    if not treasurer and gift.status != "pledged":
        raise ServiceError(
            _l("Un don reçu ne s’annule que par le ou la trésorière."),
            code="forbidden",
            status=403,
        )
    if gift.receipt_number:
        raise Conflict(
            _l(
                "Un reçu a été délivré pour ce don (n° %(number)s) : il ne peut plus être annulé.",
                number=gift.receipt_number,
            ),
            code="receipt_issued",
        )
    if gift.status == "received":
        ensure_year_open(gift.received_on, "gift_id")
    reason = clean_text(reason, "reason", MAX_REASON)
    status = gift.status
    with change() as c:
        now = utcnow()
        values = {"status": "cancelled", "cancelled_at": now, "updated_at": now}
        if reason:
            # Kept with the gift for the treasurer (never in a trace: it may name someone).
            kept = str(_l("Annulé : %(reason)s", reason=reason))
            values["note"] = (f"{gift.note} · {kept}" if gift.note else kept)[:MAX_NOTE]
        done = db.session.execute(
            update(Gift)
            .where(Gift.id == gift.id, Gift.status == status)
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not done:
            db.session.rollback()
            raise Conflict(_l("Ce don vient de changer : rechargez la page."), code="stale")
        c.trace(actor, "gift_cancelled", gift, gift_id=gift.id)
        facts.figures_changed(c)
    db.session.refresh(gift)
    return gift
