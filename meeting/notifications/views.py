"""`/notifications`: what a member was told, read and marked as read."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)
