"""Pages of the catchup feature."""

from flask import Blueprint

bp = Blueprint("catchup", __name__)
