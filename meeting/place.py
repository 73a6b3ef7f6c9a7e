"""The settings the place chooses in the app (not in the environment), e.g. publication.

`publication()` is `members` (the default: decisions and minutes for members only) or
`public` (the tiers-lieu's open documentation: the register, the decision pages, the minutes
and `/decisions.atom` readable by anyone). Billets d'humeur are never published either way.
"""

from sqlalchemy import select

from . import permissions
from .errors import ServiceError, require
from .extensions import db
from .i18n import _l
from .models import PlaceSetting
from .models.base import utcnow
from .pipeline import change

PUBLICATIONS = ("members", "public")
DEFAULTS = {
    "publication": "members",
    # The economy (issue "the place's economy"): where "Faire un don" leads (the place's own
    # donation page or bank details; Vendredi takes no payment), whether donors may download
    # a receipt, the association named on it, and the hours the house is open in a week (the
    # "contribution consciente" reference: what an hour of the house costs in fixed charges).
    "donation_url": "",
    "donation_details": "",
    "receipts": "off",
    "association_name": "Le 97",
    "association_address": "97 rue Battant, 25000 Besançon",
    "association_object": "Tiers-lieu coopératif : lieu de rencontres, d’activités et de "
    "partage ouvert à tous",
    "association_quality": "",
    "open_hours_per_week": "40",
}


def setting(key):
    """The place's value for `key`, or its default."""
    row = db.session.get(PlaceSetting, key)
    return row.value if row is not None else DEFAULTS[key]


def publication():
    return setting("publication")


def archive_is_public():
    """Decisions and minutes are readable without an account."""
    return publication() == "public"


def set_publication(actor, value):
    """Admins choose whether decisions and minutes are public or for members only (traced)."""
    require(permissions.is_admin(actor))
    if value not in PUBLICATIONS:
        raise ServiceError(
            _l("Choisissez « membres » ou « public »."), code="invalid_field", field="publication"
        )
    if publication() == value:
        return value
    with change() as c:
        row = db.session.scalar(select(PlaceSetting).where(PlaceSetting.key == "publication"))
        if row is None:
            row = PlaceSetting(key="publication", value=value)
            db.session.add(row)
        row.value = value
        row.updated_at = utcnow()
        row.updated_by_id = actor.id
        c.trace(actor, "publication_changed", None, publication=value)
    return value


def set_setting(actor, key, value, allowed=None):
    """Store one of the place's settings (its caller checked the value; `allowed` is the
    permission predicate, admins by default); traced, with the key only (never the value of a
    text someone typed)."""
    require((allowed or permissions.is_admin)(actor))
    if key not in DEFAULTS or key == "publication":
        raise ServiceError(_l("Réglage inconnu."), code="invalid_field", field="setting")
    value = "" if value is None else str(value)
    if setting(key) == value:
        return value
    with change() as c:
        row = db.session.get(PlaceSetting, key)
        if row is None:
            row = PlaceSetting(key=key, value=value)
            db.session.add(row)
        row.value = value
        row.updated_at = utcnow()
        row.updated_by_id = actor.id
        c.trace(actor, "setting_changed", None, key=key)
    return value
