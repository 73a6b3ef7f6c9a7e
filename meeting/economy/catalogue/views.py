"""Le catalogue des biens et services: pages (`/catalogue/…`)."""

from flask import Blueprint

bp = Blueprint("catalogue", __name__, url_prefix="/catalogue")
