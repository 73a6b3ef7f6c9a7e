"""The self-hoster's commands: `flask --app wsgi send-test-mail ADDRESS`, `flask --app wsgi
backup` and `flask --app wsgi restore PATH` (the work is in `backup.py`)."""

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..i18n import _, ngettext
from ..mail import mail_enabled, send_mail
from . import backup


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


@click.command("backup")
@with_appcontext
def backup_command():
    """Sauvegarde la base (copie cohérente, même service en marche) dans BACKUP_DIR."""
    try:
        done = backup.make_backup()
    except backup.BackupError as error:
        click.echo(str(error), err=True)
        sys.exit(error.status)
    click.echo(
        _(
            "Sauvegarde écrite dans %(path)s (%(size)s).",
            path=done.path,
            size=backup.human_size(done.size),
        )
    )
    if done.removed:
        click.echo(
            ngettext(
                "%(num)d sauvegarde plus ancienne supprimée (BACKUP_KEEP=%(keep)d).",
                "%(num)d sauvegardes plus anciennes supprimées (BACKUP_KEEP=%(keep)d).",
                len(done.removed),
                keep=current_app.config.get("BACKUP_KEEP") or 14,
            )
        )


def confirmed(question):
    """A French yes/no question: « o » or « oui » (or y, yes) says yes, anything else no."""
    answer = click.prompt(question, default="", show_default=False, prompt_suffix=" ")
    return answer.strip().lower() in {"o", "oui", "y", "yes"}


@click.command("restore")
@click.argument("path")
@click.option("--yes", is_flag=True, help="Ne pas demander de confirmation.")
@with_appcontext
def restore_command(path, yes):
    """Remet la sauvegarde PATH à la place de la base (arrêtez le service avant)."""
    try:
        where, manifest, _copy = backup.check_backup(path)
        target = backup.restore_target()
    except backup.BackupError as error:
        click.echo(str(error), err=True)
        sys.exit(error.status)
    click.echo(
        _(
            "Sauvegarde du %(when)s (%(kind)s, migration %(migration)s) : %(path)s",
            when=manifest.get("created_at_local") or manifest.get("created_at"),
            kind=manifest["database"],
            migration=manifest.get("migration") or "?",
            path=where,
        )
    )
    click.echo(
        _(
            "Arrêtez d’abord le service (sudo systemctl stop vendredi, ou « vendredi@* » avec "
            "plusieurs processus) : sinon il continue d’écrire dans l’ancienne base."
        )
    )
    if not yes and not confirmed(
        _("Remplacer la base %(target)s par cette sauvegarde ? [o/N]", target=target)
    ):
        click.echo(_("Restauration annulée : rien n’a changé."), err=True)
        sys.exit(1)
    try:
        _manifest, steps = backup.restore(where)
    except backup.BackupError as error:
        click.echo(str(error), err=True)
        sys.exit(error.status)
    click.echo(_("Base %(target)s restaurée.", target=target))
    for line in steps:
        click.echo(line)


def register(app):
    app.cli.add_command(send_test_mail_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
