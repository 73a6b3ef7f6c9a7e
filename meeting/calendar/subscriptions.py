"""Subscribing to the place's calendar: the `https://` and `webcal://` addresses of the public
feed and of a member's personal feed (shown once, when it is made), for the subscribe page and
the profile page."""

from flask import request

from ..feeds import tokens

SCOPE = "calendar"


def as_webcal(address):
    """The same feed for calendar apps that subscribe on a click (`webcal://`)."""
    for scheme in ("https://", "http://"):
        if address.startswith(scheme):
            return "webcal://" + address[len(scheme) :]
    return address


def addresses(token=None):
    """{"https": …, "webcal": …} of the public feed, or of the personal feed of `token`."""
    https = tokens.feed_addresses(token, scope=SCOPE)["calendar"]
    return {"https": https, "webcal": as_webcal(https)}


def personal_context(member):
    """What a page shows of the member's personal calendar address: the active token row
    (`calendar_feed`) and, just after it was made in this browser, its addresses, read once
    (`new_calendar_feed`)."""
    new_token = tokens.take_new_token(SCOPE) if request.method == "GET" else None
    return {
        "calendar_feed": tokens.active_token(member, SCOPE),
        "new_calendar_feed": addresses(new_token) if new_token else None,
    }
