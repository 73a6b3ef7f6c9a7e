"""Flask commands: `create-admin`, `demo`."""

import random
from datetime import timedelta

import click
from flask import current_app
from sqlalchemy import select, update

from .extensions import db
from .models import Member, Trace
from .models.base import utcnow
from .pipeline import ServiceError

DEMO_PASSWORD = "vendredi"

# (display name, e-mail local part, role)
DEMO_PEOPLE = [
    ("Claire Morel", "admin", "admin"),
    ("Camille Vernier", "camille", "facilitator"),
    ("Mathieu Roussel", "mathieu", "facilitator"),
    ("Inès Benali", "ines", "member"),
    ("Lucie Faivre", "lucie", "member"),
    ("Théo Girardot", "theo", "member"),
    ("Nadia Cheikh", "nadia", "member"),
    ("Pierre-Alain Jacquot", "pierre-alain", "member"),
    ("Sophie Marchand", "sophie", "member"),
    ("Hugo Perrin", "hugo", "member"),
    ("Fatou Diallo", "fatou", "member"),
    ("Jeanne Bourgeois", "jeanne", "member"),
]


def register(app):
    app.cli.add_command(create_admin_command)
    app.cli.add_command(demo_command)


@click.command("create-admin")
@click.option("--name", prompt="Nom affiché", help="Nom affiché de l’administrateur·rice")
@click.option("--email", prompt="Adresse e-mail")
@click.option("--password", prompt="Mot de passe", hide_input=True, confirmation_prompt=True)
def create_admin_command(name, email, password):
    """Create an admin account (the first one, or another)."""
    from .members.services import create_admin

    try:
        member = create_admin(name, email, password)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Compte d’administration créé : {member.display_name} <{member.email}>")


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Ne rien faire si la base contient déjà des membres.")
def demo_command(if_empty):
    """Fill an empty database with a believable Le 97 (demo data only)."""
    if db.session.scalar(select(Member.id).limit(1)) is not None:
        if if_empty:
            click.echo("La base contient déjà des données : démonstration non chargée.")
            return
        raise click.ClickException("La base n’est pas vide : la démonstration n’est chargée que dans une base vide.")
    base_url = current_app.config.get("PUBLIC_URL") or "http://127.0.0.1:5000/"
    with current_app.test_request_context("/", base_url=base_url):
        load_demo()
    click.echo("Démonstration chargée : admin@le97.example / vendredi")


def load_demo(seed=97):
    """Create the demo members through the services, then spread their traces over 3 weeks."""
    from .members import services

    rng = random.Random(seed)
    name, local, _role = DEMO_PEOPLE[0]
    admin = services.create_admin(name, f"{local}@le97.example", DEMO_PASSWORD)
    members = [admin]
    for name, local, role in DEMO_PEOPLE[1:]:
        _invitation, link, _mailed = services.invite(admin, f"{local}@le97.example", "member")
        token = link.rsplit("/", 1)[-1]
        member = services.accept_invitation(token, name.split()[0], f"{local}@le97.example",
                                            DEMO_PASSWORD)
        members.append(member)
        if role != "member":
            services.change_role(admin, member.id, role)
    # Some people completed their name afterwards, as people do.
    for member, (name, _local, _role) in zip(members[1:], DEMO_PEOPLE[1:], strict=True):
        if rng.random() < 0.6:
            services.update_profile(member, name, member.email)
    _spread_traces_over(days=21, rng=rng)
    return members


def _spread_traces_over(days, rng):
    """Backdate the demo traces (in order) over the last `days` days, at believable hours."""
    ids = db.session.scalars(select(Trace.id).order_by(Trace.id)).all()
    now = utcnow()
    start = now - timedelta(days=days)
    step = (now - start) / max(len(ids), 1)
    previous = start
    for index, trace_id in enumerate(ids):
        moment = start + step * index
        moment = moment.replace(hour=rng.randint(7, 19), minute=rng.randint(0, 59))
        # Keep time in the order of the sequence numbers.
        moment = max(moment, previous + timedelta(minutes=rng.randint(3, 40)))
        moment = min(moment, now - timedelta(minutes=5 * (len(ids) - index)))
        previous = moment
        db.session.execute(update(Trace).where(Trace.id == trace_id).values(created_at=moment))
    db.session.commit()
    current_app.logger.info("demo: %s traces", len(ids))
