"""`flask mark-held`: proposals whose event is over become "a eu lieu" (run it daily, cron or a
systemd timer; running it twice changes nothing more)."""

import click
from flask import current_app

from ..i18n import ngettext
from ..realtime import render_context
from . import services


@click.command("mark-held")
def mark_held_command():
    """Move scheduled proposals whose one-off event has ended to "a eu lieu"."""
    app = current_app._get_current_object()
    # The proposers are told after the commit (e-mails with links): in the place's language,
    # with its public address.
    with render_context(app):
        moved = services.mark_held()
        click.echo(
            ngettext(
                "%(num)s proposition marquée « a eu lieu ».",
                "%(num)s propositions marquées « a eu lieu ».",
                moved,
            )
        )
