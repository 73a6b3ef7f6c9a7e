"""Which pages a phone may keep for reading offline, and for whom.

The service worker (`templates/pwa/sw.js`) keeps a copy only of a response that says so: the
app marks the three pages people read away from the network (the Friday document, the phone
page, the projector) with `X-Vendredi-Offline: <kind>`, and every HTML page with
`X-Vendredi-Audience: <key>`, an opaque key of the signed-in session (or the guest of a live
Friday, or `anonymous`). The worker keeps copies under the key of the page that made them and
drops every other key's copies as soon as a page for someone else comes by (a sign-out, another
member, a guest), so nobody ever reads a copy made for someone else. API answers, feeds,
exports and form posts carry no mark: they are never kept.
"""

import hashlib
import hmac
import logging

from flask import current_app, request, session
from flask_login import current_user

from ..i18n import _, iso, long_date, short_time
from ..live.guests import GUEST_KEY
from ..models.base import utcnow

log = logging.getLogger(__name__)

# endpoint -> the kind of copy (one copy of each kind is kept: the last one seen).
OFFLINE_PAGES = {"prep.document": "document", "live.phone": "phone", "live.screen": "screen"}
KIND_HEADER = "X-Vendredi-Offline"
AUDIENCE_HEADER = "X-Vendredi-Audience"
ANONYMOUS = "anonymous"


def audience():
    """The opaque key of whoever reads this page: one per signed-in session (a new sign-in is
    a new key), one per guest of a live Friday, else `anonymous`."""
    if current_user.is_authenticated:
        subject = f"member:{current_user.id}:{session.get('sid', '')}"
    else:
        guest = session.get(GUEST_KEY)
        if not isinstance(guest, dict) or not guest.get("attendance_id"):
            return ANONYMOUS
        subject = f"guest:{guest['attendance_id']}"
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, subject.encode(), hashlib.sha256).hexdigest()[:24]


def offline_kind():
    """The kind of copy this request's page may leave on the phone, or None."""
    return OFFLINE_PAGES.get(request.endpoint)


def mark_response(response):
    """After each request: say whose page this is, and whether it may be kept offline."""
    if request.method != "GET" or response.mimetype != "text/html":
        return response
    try:
        key = audience()
    except Exception:  # the error page of a database that is down: no key, nothing kept
        log.exception("no audience for the offline copy")
        return response
    response.headers[AUDIENCE_HEADER] = key
    kind = offline_kind()
    if kind and response.status_code == 200 and key != ANONYMOUS:
        response.headers[KIND_HEADER] = kind
    return response


def saved_copy():
    """The texts of the banner a page shows when the service worker gives back its copy
    (hidden otherwise), for the pages that may be kept; None for the others."""
    kind = offline_kind()
    if kind is None:
        return None
    now = utcnow()
    when = {"date": long_date(now), "time": short_time(now)}
    queued = {
        "document": lambda: _(
            "Ce que vous ajoutez au document attend le retour du réseau, puis part tout seul."
        ),
        "phone": lambda: _(
            "Votre main levée, vos réponses et vos billets attendent le retour du réseau, "
            "puis partent tout seuls."
        ),
        "screen": lambda: "",
    }[kind]()
    return {
        "kind": kind,
        "saved_at": iso(now),
        "offline": _(
            "Hors ligne : vous lisez la version enregistrée le %(date)s à %(time)s.", **when
        ),
        "queued": queued,
        "online": _(
            "De nouveau en ligne. Cette page est encore la version enregistrée le %(date)s "
            "à %(time)s.",
            **when,
        ),
        "reload": _("Recharger la page"),
    }
