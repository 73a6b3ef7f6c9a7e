"""The web app manifest, the service worker and the page it shows offline, all at the app's
root (`{prefix}/manifest.webmanifest`, `{prefix}/sw.js`, `{prefix}/hors-ligne`): the worker's
scope is then the whole app, under a sub-path too, and every URL they name is relative."""

import hashlib
import json
from importlib import metadata
from pathlib import Path

from flask import Blueprint, current_app, render_template, url_for
from flask_babel import get_locale

from .. import place
from ..config import ROOT
from ..i18n import _
from . import offline

bp = Blueprint("pwa", __name__)
bp.after_app_request(offline.mark_response)
bp.add_app_template_global(offline.saved_copy, "saved_copy")
bp.add_app_template_global(offline.audience, "pwa_audience")
bp.add_app_template_global(offline.offline_kind, "pwa_offline_kind")

# The colours of static/css/main.css: the header's ink, the page's paper.
THEME_COLOR = "#1d1b16"
BACKGROUND_COLOR = "#fbf8f1"
# What the three offline pages need, relative to the worker (so, to the app's root). Other
# files under static/ are kept the first time they are fetched; nothing else ever is.
PRECACHE = (
    "static/css/main.css",
    "static/css/print.css",
    "static/css/screen.css",
    "static/favicon.svg",
    "static/icons/icon.svg",
    "static/vendor/socket.io.min.js",
    "static/js/live.js",
    "static/js/pwa.js",
    "static/js/document.js",
    "static/js/live_meeting.js",
)
OFFLINE_PAGE = "hors-ligne"
WORKER_TEMPLATE = ROOT / "templates" / "pwa" / "sw.js"


@bp.route("/manifest.webmanifest")
def manifest():
    name = place.setting("association_name").strip() or _("Le 97")
    data = {
        "id": "./",
        "name": _("Vendredi · %(place)s", place=name),
        "short_name": _("Vendredi"),
        "description": _(
            "La réunion du vendredi midi : la préparer, la suivre en direct sur son téléphone, "
            "en garder les décisions."
        ),
        "lang": str(get_locale() or "fr"),
        "dir": "ltr",
        "start_url": "./",
        "scope": "./",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            {"src": "static/icons/icon.svg", "sizes": "any", "type": "image/svg+xml"},
            {"src": "static/icons/icon-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": "static/icons/icon-512.png", "sizes": "512x512", "type": "image/png"},
            {
                "src": "static/icons/maskable-192.png",
                "sizes": "192x192",
                "type": "image/png",
                "purpose": "maskable",
            },
            {
                "src": "static/icons/maskable-512.png",
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = current_app.response_class(
        json.dumps(data, ensure_ascii=False, indent=1), mimetype="application/manifest+json"
    )
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/sw.js")
def service_worker():
    body = render_template(
        "pwa/sw.js", version=worker_version(), precache=PRECACHE, offline_page=OFFLINE_PAGE
    )
    response = current_app.response_class(body, mimetype="text/javascript")
    # Browsers check the worker at every visit: a new version replaces it at once.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/hors-ligne")
def offline_page():
    """What the worker shows for a page it has no copy of (kept when it is installed): it
    names no one, so it is the same for every reader."""
    texts = {
        "title": _("Hors ligne"),
        "lead": _(
            "Cette page n’est pas enregistrée sur cet appareil : elle s’affichera au retour du "
            "réseau."
        ),
        "kept": _(
            "Se lisent hors ligne, tant que vous restez connecté·e : le dernier document du "
            "vendredi, la page « En direct » et l’écran que vous avez ouverts sur cet appareil."
        ),
        "copies": _("Enregistré sur cet appareil"),
        "document": _("le document du vendredi"),
        "phone": _("la page « En direct »"),
        "screen": _("l’écran"),
        "home": _("Revenir à l’accueil"),
        "brand": _("Vendredi"),
        "place": _("Le 97"),
    }
    return render_template("pwa/offline.html", texts=texts, home=url_for("prep.home"))


_versions = {}


def worker_version():
    """A hash of the app's version, the worker's source and every static file: any change
    makes a new worker, which replaces the old one and its cache of static files."""
    static = Path(current_app.static_folder)
    files = [WORKER_TEMPLATE] + sorted(p for p in static.rglob("*") if p.is_file())
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    if stamp not in _versions:
        digest = hashlib.sha256(_app_version().encode())
        for path in files:
            name = path.name if path == WORKER_TEMPLATE else path.relative_to(static).as_posix()
            digest.update(name.encode())
            digest.update(path.read_bytes())
        _versions.clear()
        _versions[stamp] = digest.hexdigest()[:16]
    return _versions[stamp]


def _app_version():
    try:
        return metadata.version("vendredi")
    except metadata.PackageNotFoundError:
        return "0"
