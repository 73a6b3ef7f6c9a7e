"""La vie du lieu: pages (`/vie-du-lieu/…`)."""

from flask import Blueprint

bp = Blueprint("life", __name__, url_prefix="/vie-du-lieu")
