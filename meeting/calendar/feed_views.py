"""What leaves the app for calendars and the place's website: iCal feeds, the widget, JSON.

Who reads what:
- `/agenda.ics`: anyone; public events, confirmed and cancelled (STATUS:CANCELLED, so that
  subscribed calendars remove them), never a members-only one;
- `/agenda/personnel.ics?jeton=…`: a member's calendar app, with their revocable calendar
  address; members-only events too. A bad address is a 403 whose body is a short French text
  (what a calendar app shows), never a feed;
- `/agenda/<id>.ics`: one event; a members-only one for a signed-in member only (404 otherwise,
  its title never shown);
- `/agenda/prochains.json` and `/agenda/widget`: the place's website; public, upcoming,
  confirmed occurrences, in French, cacheable five minutes. The widget may be framed by any
  site (no `X-Frame-Options`, `frame-ancestors *`); every other page keeps `DENY`.
"""

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_login import current_user, login_required

from .. import commands, permissions
from ..errors import ServiceError
from ..extensions import db
from ..feeds import tokens
from ..i18n import _
from ..models import Event
from ..ops import security
from ..realtime import request_links
from . import (
    feed_commands,  # noqa: F401  (declares the form commands of this blueprint)
    ical,
    subscriptions,
)
from . import widget as upcoming_events

bp = Blueprint("calendar_feeds", __name__)

# The widget is made to be framed by the place's website: its own policy (the app's then sends
# neither `X-Frame-Options: DENY` nor `frame-ancestors 'none'`).
WIDGET_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors *; "
    "base-uri 'none'; form-action 'none'"
)


def _frameable(response):
    response.headers["Content-Security-Policy"] = WIDGET_CSP
    return response


def _refusal(message, status=403):
    response = Response(
        str(message) + "\n", status=status, content_type="text/plain; charset=utf-8"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _calendar_response(body, filename, public, download=False):
    response = Response(body, content_type=ical.CONTENT_TYPE)
    disposition = "attachment" if download else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    # Calendar apps poll: a conditional request is answered 304. What a session or a personal
    # address reads is stored by no cache at all.
    response.headers["Cache-Control"] = "public, max-age=300" if public else "no-store"
    if not public:
        response.vary.add("Cookie")
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/agenda.ics")
def public_ics():
    """The place's public calendar (a feed to subscribe to)."""
    return _calendar_response(ical.public_feed(), "le97-agenda.ics", public=True)


@bp.route("/agenda/personnel.ics")
def member_ics():
    """A member's personal calendar: public and members-only events, with their address."""
    try:
        row, _member = tokens.reader_for(request.args.get(tokens.TOKEN_PARAM), scope="calendar")
    except ServiceError as exc:
        security.refused("bad_token", "feed", code=exc.code)
        return _refusal(exc.message)
    body = ical.member_feed()
    tokens.note_use(row)
    return _calendar_response(body, "le97-agenda-membres.ics", public=False)


@bp.route("/agenda/<int:event_id>.ics")
def event_ics(event_id):
    """One event, to add to one's calendar."""
    event = db.session.get(Event, event_id)
    member = permissions.is_member(current_user)
    if event is None or (event.visibility != "public" and not member):
        abort(404)
    return _calendar_response(
        ical.single_event(event),
        ical.filename_for(event),
        public=event.visibility == "public",
        download=True,
    )


@bp.route("/agenda/abonnement")
def subscribe():
    """How to follow the place's calendar in one's calendar app (and one's personal one)."""
    context = {"public_feed": subscriptions.addresses()}
    if permissions.is_member(current_user):
        context.update(subscriptions.personal_context(current_user))
    return render_template("calendar/subscribe.html", **context)


# -- the place's website -----------------------------------------------------------------------


def _count_or_refusal(as_json):
    try:
        return upcoming_events.parse_count(request.args.get("n")), None
    except ServiceError as exc:
        if as_json:
            body = {"ok": False, "error": exc.code, "field": "n", "message": exc.message}
            response = _public(Response(status=400, content_type="application/json"), body)
        else:
            response = Response(
                render_template("calendar/widget_error.html", message=exc.message), status=400
            )
        response.headers["Cache-Control"] = "no-store"
        return None, response


def _public(response, body=None):
    if body is not None:
        response.set_data(json.dumps(body, ensure_ascii=False))
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = upcoming_events.CACHE_CONTROL
    return response


@bp.route("/agenda/prochains.json")
def upcoming_json():
    """The coming public events, for the place's website (any origin may read them)."""
    with force_locale("fr"):
        count, refusal = _count_or_refusal(as_json=True)
        if refusal is not None:
            return refusal
        with request_links():
            events = [row.as_json() for row in upcoming_events.upcoming(count)]
    body = {"events": events, "calendar": ical.page_url("calendar.index")}
    response = _public(Response(content_type="application/json"), body)
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/agenda/widget")
def widget():
    """« Les prochains évènements », to embed in the place's website: a page for an iframe, or
    with `?fragment=1` the list alone, for a server-side include. No script."""
    with force_locale("fr"):
        count, refusal = _count_or_refusal(as_json=False)
        if refusal is not None:
            return _frameable(refusal)
        fragment = request.args.get("fragment") in ("1", "oui", "true")
        with request_links():
            html = render_template(
                "calendar/widget_fragment.html" if fragment else "calendar/widget.html",
                events=upcoming_events.upcoming(count),
                stylesheet=url_for("static", filename="css/widget.css", _external=True),
                calendar_page=ical.page_url("calendar.index"),
            )
    response = _frameable(_public(Response(html, content_type="text/html; charset=utf-8")))
    response.add_etag()
    return response.make_conditional(request)


# -- the personal calendar address (forms of the profile and subscribe pages) -----------------

# Where a form sends the member back: a name, never an address from the form.
_BACK = {
    "abonnement": ("calendar_feeds.subscribe", "personnel"),
    "profil": ("members.profile", "agenda"),
}


def _back():
    endpoint, anchor = _BACK.get(request.form.get("retour"), _BACK["profil"])
    return redirect(url_for(endpoint, _anchor=anchor))


@bp.route("/profil/agenda", methods=["POST"])
@login_required
def create_calendar_token():
    result = commands.run_form("create_calendar_token", request.form)
    # Shown once, on the page this redirects to (a reload does not make another one).
    tokens.remember_new_token(result["token"], scope="calendar")
    flash(_("Votre agenda personnel est prêt : copiez son adresse maintenant."), "success")
    return _back()


@bp.route("/profil/agenda/revoquer", methods=["POST"])
@login_required
def revoke_calendar_token():
    result = commands.run_form("revoke_calendar_token", request.form)
    if result["revoked"]:
        flash(_("Votre agenda personnel est révoqué : son adresse ne marche plus."), "success")
    else:
        flash(_("Vous n’aviez pas d’agenda personnel actif."), "info")
    return _back()
