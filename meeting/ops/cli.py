"""The self-hoster's commands: `flask --app wsgi send-test-mail ADDRESS`."""

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..i18n import _
from ..mail import mail_enabled, send_mail


@click.command("send-test-mail")
@click.argument("address")
@with_appcontext
def send_test_mail_command(address):
    """Envoie un courriel d’essai à ADDRESS avec les réglages MAIL_* (vérifier l’envoi)."""
    config = current_app.config
    if not mail_enabled():
        click.echo(
            "MAIL_SERVER n’est pas réglé : Vendredi n’envoie aucun courriel. "
            "Réglez MAIL_SERVER (et MAIL_PORT, MAIL_USERNAME…) puis recommencez.",
            err=True,
        )
        sys.exit(1)
    where = f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}"
    sent = send_mail(
        address,
        _("Courriel d’essai de Vendredi"),
        _(
            "Bonjour,\n\nCe courriel d’essai montre que Vendredi sait envoyer des courriels "
            "(serveur %(server)s, expéditeur %(sender)s).\n\nVous n’avez rien à faire.",
            server=where,
            sender=config["MAIL_DEFAULT_SENDER"],
        ),
    )
    if not sent:
        click.echo(
            f"Le serveur {where} n’a pas accepté le courriel (la raison est dans le journal ci-dessus).",
            err=True,
        )
        sys.exit(1)
    click.echo(f"Courriel d’essai envoyé à {address} par {where}.")


def register(app):
    app.cli.add_command(send_test_mail_command)
