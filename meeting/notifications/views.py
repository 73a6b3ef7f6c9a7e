"""`/notifications`: what a member was told, read and marked as read."""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..commands import run_form
from . import services

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def unread_notifications():
    """`unread_notifications()` in every template (the nav's count): 0 for a visitor."""
    return {"unread_notifications": lambda: services.unread_count(current_user)}


@bp.route("/notifications")
@login_required
def index():
    notifications = services.for_member(current_user)
    return render_template(
        "notifications/index.html",
        notifications=notifications,
        unread=sum(1 for n in notifications if n.read_at is None),
        sentence=services.sentence,
    )


@bp.route("/notifications/lu", methods=["POST"])
@login_required
def mark_read():
    run_form("mark_notifications_read", request.form)
    return redirect(url_for("notifications.index"))
