"""Pages of the actions feature: "Mes actions" `/actions/`, everyone's `/actions/?qui=tous`, and
the owner's buttons as plain form posts (`/actions/<id>`, op `complete_action` or
`reopen_action`). The daily reminder command lives in `cli.py`, on this blueprint."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import commands
from ..errors import ServiceError
from ..extensions import login_manager
from ..i18n import _
from . import services
from .cli import remind_actions_command

bp = Blueprint("actions", __name__, url_prefix="/actions", cli_group=None)
bp.cli.add_command(remind_actions_command)

EVERYONE = "tous"  # /actions/?qui=tous
FORM_COMMANDS = ("complete_action", "reopen_action")


def _members_only():
    """Members go on; a guest of the live Friday is refused (403); others sign in first."""
    if current_user.is_authenticated:
        return None
    if commands.current_actor() is not None:  # a guest, who has no actions page
        abort(403)
    return login_manager.unauthorized()


@bp.route("/")
def mine():
    refused = _members_only()
    if refused is not None:
        return refused
    everyone = request.args.get("qui") == EVERYONE
    all_done = not everyone and request.args.get("faites") == "toutes"
    lists = (
        services.everyone_actions(current_user)
        if everyone
        else services.my_actions(current_user, all_done=all_done)
    )
    return render_template(
        "actions/mine.html",
        lists=lists,
        everyone=everyone,
        lists_html=services.render_lists(lists, current_user, all_done=all_done),
        count=services.count_text(lists.open_count),
    )


@bp.route("/<int:action_id>", methods=["POST"])
def change(action_id):
    """The owner's button without JavaScript: run the command, then back to the list with a
    French message (a refusal changes nothing)."""
    refused = _members_only()
    if refused is not None:
        return refused
    name = request.form.get("op")
    back = url_for(
        "actions.mine",
        qui=EVERYONE if request.form.get("qui") == EVERYONE else None,
        _anchor=f"action-{action_id}",
    )
    try:
        if name not in FORM_COMMANDS:
            commands.form_command(name)  # says why in French ("Action inconnue.")
            abort(400)
        commands.run_form(name, request.form, action_id=action_id)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(back, code=303)
    action = services.get_action(action_id)
    if name == "complete_action":
        flash(_("« %(label)s » est marquée faite.", label=action.label), "success")
    else:
        flash(_("« %(label)s » est de nouveau à faire.", label=action.label), "success")
    return redirect(back, code=303)


# -- the words of a row, for `actions/_row.html` (pages and facts) ------------------------------


@bp.app_template_global("action_due")
def action_due(action):
    return services.due_text(action)


@bp.app_template_global("action_when")
def action_when(action, today=None):
    return services.when_text(action, today)


@bp.app_template_global("action_sort")
def action_sort(action):
    return services.sort_key(action)
