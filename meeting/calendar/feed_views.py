"""What leaves the app for calendars and the place's website: iCal feeds, the widget, JSON."""

from flask import Blueprint

bp = Blueprint("calendar_feeds", __name__)
