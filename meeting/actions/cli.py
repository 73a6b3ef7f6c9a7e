"""`flask remind-actions`: the daily reminder e-mails of actions due soon (cron, systemd timer)."""

import click
from flask import current_app

from ..i18n import _, ngettext
from ..mail import mail_enabled
from ..realtime import public_origin, render_context
from . import reminders


@click.command("remind-actions")
@click.option(
    "--days",
    default=reminders.DEFAULT_DAYS,
    show_default=True,
    type=click.IntRange(0, 60),
    help="Rappeler les actions à faire d’ici ce nombre de jours (0 : aujourd’hui seulement).",
)
def remind_actions_command(days):
    """Send one reminder e-mail per open action due within DAYS days (safe to run twice)."""
    app = current_app._get_current_object()
    with render_context(app):
        if not mail_enabled():
            raise click.ClickException(
                _("L’envoi d’e-mails n’est pas configuré (MAIL_SERVER) : aucun rappel envoyé.")
            )
        if public_origin(app) is None:
            click.echo(
                _(
                    "Attention : PUBLIC_URL n’est pas défini, les liens des e-mails pointent "
                    "vers %(url)s.",
                    url="http://localhost/",
                ),
                err=True,
            )
        sent, failed = reminders.send_reminders(days)
        click.echo(ngettext("%(num)s rappel envoyé.", "%(num)s rappels envoyés.", sent))
        if failed:
            click.echo(
                ngettext(
                    "%(num)s rappel refusé par le serveur de courrier : nouvel essai au "
                    "prochain passage.",
                    "%(num)s rappels refusés par le serveur de courrier : nouvel essai au "
                    "prochain passage.",
                    failed,
                ),
                err=True,
            )
            raise SystemExit(1)
