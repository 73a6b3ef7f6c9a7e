"""Pages of the actions feature."""

from flask import Blueprint

bp = Blueprint("actions", __name__)
