"""The calendar's pages: `/agenda/` (month, week, list), an event's page, its forms."""

from flask import Blueprint

bp = Blueprint("calendar", __name__)
