"""Pages of the feeds feature."""

from flask import Blueprint

bp = Blueprint("feeds", __name__)
