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
DEFAULTS = {"publication": "members"}


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
