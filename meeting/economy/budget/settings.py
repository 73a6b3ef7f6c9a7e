"""The treasurer's settings of the place's economy: where "Faire un don" leads, whether donors
may download a receipt, the association named on receipts, the hours the house is open in a
week (the "contribution consciente" reference). Stored through `place.set_setting`, every
value checked first, so a refused form writes nothing."""

from urllib.parse import urlsplit

from ... import permissions, place
from ...errors import FieldErrors, require
from ...i18n import _l

# key -> longest text accepted
TEXT_LIMITS = {
    "donation_url": 500,
    "donation_details": 200,
    "association_name": 120,
    "association_address": 300,
    "association_object": 500,
    "association_quality": 200,
}
KEYS = (*TEXT_LIMITS, "receipts", "open_hours_per_week")


def current():
    """The settings as the form shows them."""
    return {key: place.setting(key) for key in KEYS}


def _clean_url(value):
    if not value:
        return ""
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or any(ch.isspace() or not ch.isprintable() for ch in value)
    ):
        raise ValueError
    return value


def clean(values):
    """The values to store, keyed like `KEYS`; FieldErrors beside each refused field."""
    errors = {}
    cleaned = {}
    for key, limit in TEXT_LIMITS.items():
        text = str(values.get(key) or "").strip()
        if key != "donation_details" and key != "association_address":
            text = " ".join(text.split())
        if len(text) > limit:
            errors[key] = _l("Trop long : %(max)s caractères au plus.", max=limit)
        cleaned[key] = text
    try:
        cleaned["donation_url"] = _clean_url(cleaned["donation_url"])
    except ValueError:
        errors["donation_url"] = _l(
            "Indiquez une adresse web complète, commençant par https:// (par exemple "
            "https://le97.example/don)."
        )
    if not cleaned["association_name"]:
        errors["association_name"] = _l(
            "Indiquez le nom de l’association (il figure sur les reçus)."
        )
    receipts = str(values.get("receipts") or "off").strip().lower()
    cleaned["receipts"] = "on" if receipts in ("on", "1", "oui", "yes", "true") else "off"
    hours = str(values.get("open_hours_per_week") or "").strip()
    if not hours.isdigit() or not 1 <= int(hours) <= 168:
        errors["open_hours_per_week"] = _l(
            "Indiquez un nombre entier d’heures entre 1 et 168 (une semaine en compte 168)."
        )
    else:
        cleaned["open_hours_per_week"] = str(int(hours))
    if errors:
        raise FieldErrors(errors)
    return cleaned


def save(actor, values):
    """Store the treasurer's settings (each change traced `setting_changed` with its key);
    the keys that changed."""
    require(permissions.can_keep_accounts(actor))
    cleaned = clean(values)
    changed = []
    for key in KEYS:
        if place.setting(key) != cleaned[key]:
            place.set_setting(actor, key, cleaned[key], allowed=permissions.can_keep_accounts)
            changed.append(key)
    return changed
