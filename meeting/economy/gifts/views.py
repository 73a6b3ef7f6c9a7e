"""Les dons: pages (`/budget/dons/…`)."""

from flask import Blueprint

bp = Blueprint("gifts", __name__, url_prefix="/budget/dons")
