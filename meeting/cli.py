"""Flask commands: `create-admin`, `demo`."""

import random
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from typing import ClassVar

import click
from flask import current_app
from sqlalchemy import event, select, update

from .demo_archive.vocabulary import PEOPLE as ARCHIVE_PEOPLE
from .errors import ServiceError
from .extensions import db
from .models import Member
from .models.base import utcnow

DEMO_PASSWORD = "vendredi"

# (display name, e-mail local part, role): the small demo's people are the first twelve of the
# ten-year archive's (one list).
DEMO_PEOPLE = ARCHIVE_PEOPLE[:12]


def register(app):
    from .calendar.cli import mark_held_command

    app.cli.add_command(create_admin_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(mark_held_command)


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
@click.option(
    "--if-empty", is_flag=True, help="Ne rien faire si la base contient déjà des membres."
)
@click.option(
    "--years",
    type=click.IntRange(1, 30),
    default=None,
    help="Charger plutôt une archive de N années de vendredis (52 par an), d’un coup.",
)
@click.option("--seed", type=int, default=97, show_default=True, help="Graine de l’archive.")
def demo_command(if_empty, years, seed):
    """Fill an empty database with a believable Le 97 (demo data only)."""
    if db.session.scalar(select(Member.id).limit(1)) is not None:
        if if_empty:
            click.echo("La base contient déjà des données : démonstration non chargée.")
            return
        raise click.ClickException(
            "La base n’est pas vide : la démonstration n’est chargée que dans une base vide."
        )
    if years is not None:
        _load_archive(years, seed)
        return
    base_url = current_app.config.get("PUBLIC_URL") or "http://127.0.0.1:5000/"
    with current_app.test_request_context("/", base_url=base_url):
        load_demo()
    click.echo("Démonstration chargée : admin@le97.example / vendredi")


def _load_archive(years, seed):
    """`demo --years N`: N years of Fridays written in bulk (meeting/demo_archive)."""
    from .demo_archive import generate_archive

    try:
        report = generate_archive(fridays=52 * years, seed=seed)
    except ServiceError as exc:
        raise click.ClickException(str(exc.message)) from None
    rows = report["rows"]
    seconds = f"{report['seconds']:.1f}".replace(".", ",")
    click.echo(
        f"Archive chargée en {seconds} s : {report['fridays']} vendredis, "
        f"{rows['entry']} contributions, {rows['decision']} décisions, {rows['action']} "
        f"actions, {rows['event_proposal']} propositions d’événement, {rows['member']} "
        f"membres, {rows['trace']} traces."
    )
    click.echo("Connexion : admin@le97.example / vendredi")


# What lets one connection past the archive's triggers, and what seals it again.
_ARCHIVE_SEAL = {
    "postgresql": ("SET vendredi.archive_unsealed = 'on'", "RESET vendredi.archive_unsealed"),
    "sqlite": (
        "ATTACH DATABASE ':memory:' AS vendredi_archive_unsealed",
        "DETACH DATABASE vendredi_archive_unsealed",
    ),
}


@contextmanager
def _archive_unsealed():
    """The demo backdates and renumbers what its story wrote: let the connections it checks out
    meanwhile past the append-only archive's triggers (migration 5b8c9d0e1f2a), and seal each
    again as it goes back to the pool."""
    engine = db.engine
    unseal_sql, seal_sql = _ARCHIVE_SEAL[engine.dialect.name]

    def execute(dbapi_connection, statement):
        cursor = dbapi_connection.cursor()
        cursor.execute(statement)
        cursor.close()
        if engine.dialect.name == "postgresql":
            dbapi_connection.commit()  # a session setting outlives only a committed transaction

    def unseal(dbapi_connection, record, _proxy):
        execute(dbapi_connection, unseal_sql)
        record.info["archive_unsealed"] = True

    def seal(dbapi_connection, record):
        if not record.info.pop("archive_unsealed", False) or dbapi_connection is None:
            return
        dbapi_connection.rollback()
        execute(dbapi_connection, seal_sql)

    db.session.commit()  # the connection in hand goes back, to come out unsealed
    event.listen(engine, "checkout", unseal)
    event.listen(engine, "checkin", seal)
    try:
        yield
        db.session.commit()
    finally:
        db.session.rollback()  # every connection is back in the pool, sealed
        event.remove(engine, "checkout", unseal)
        event.remove(engine, "checkin", seal)


@contextmanager
def _no_meeting_start_backups():
    """The demo's story starts a few Fridays in a second: no backup for each (BACKUP_ON_START)."""
    saved = current_app.config.get("BACKUP_ON_START")
    current_app.config["BACKUP_ON_START"] = False
    try:
        yield
    finally:
        current_app.config["BACKUP_ON_START"] = saved


@_no_meeting_start_backups()
@_archive_unsealed()
def load_demo(seed=97):
    """Fill an empty database with a believable Le 97, through the services (real traces):
    a dozen members, three past Fridays (closed) and the coming one being prepared."""
    from .members import services

    rng = random.Random(seed)
    clock = _DemoClock(utcnow() - timedelta(days=60), rng)
    name, local, _role = DEMO_PEOPLE[0]
    with clock.step(hours=2):
        admin = services.create_admin(name, f"{local}@le97.example", DEMO_PASSWORD)
    members = [admin]
    for name, local, role in DEMO_PEOPLE[1:]:
        with clock.step(hours=5):
            _invitation, link, _mailed = services.invite(admin, f"{local}@le97.example", "member")
        with clock.step(hours=3):
            token = link.rsplit("/", 1)[-1]
            member = services.accept_invitation(
                token, name.split()[0], f"{local}@le97.example", DEMO_PASSWORD
            )
            if role != "member":
                services.change_role(admin, member.id, role)
        members.append(member)
    for member, (name, _local, _role) in zip(members[1:], DEMO_PEOPLE[1:], strict=True):
        if rng.random() < 0.6:
            with clock.step(hours=2):
                services.update_profile(member, name, member.email)
    _demo_fridays(members, clock, rng)
    _demo_meeting_hours()
    from . import demo_calendar, demo_economy

    demo_calendar.settle_status_times()
    demo_economy.load_demo_economy(members)
    return members


def _demo_meeting_hours():
    """The demo's closed Fridays were opened and closed as it loaded: give them the hours of
    the table they were held at (12:00–13:55 in Paris), so their minutes read like a Friday."""
    from zoneinfo import ZoneInfo

    from .models import Meeting

    place = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])

    def utc(day, hour):  # naive UTC, as the database keeps times
        return datetime.combine(day, hour, place).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)

    for meeting in db.session.scalars(select(Meeting).where(Meeting.status == "closed")):
        meeting.started_at = utc(meeting.scheduled_for, meeting.starts_at)
        meeting.closed_at = utc(meeting.scheduled_for, meeting.ends_at) - timedelta(minutes=5)
    db.session.commit()


class _DemoClock:
    """Moves time forward as the demo story unfolds, and backdates what each step created."""

    TABLES: ClassVar[dict] = {
        "trace": ("created_at",),
        "meeting": ("created_at",),
        "entry": ("created_at", "updated_at"),
        "entry_revision": ("created_at",),
        "event_proposal": ("created_at", "status_changed_at"),
        "proposal_status_change": ("created_at",),
        "member": ("created_at",),
        "invitation": ("created_at",),
        "agenda_item": ("created_at",),
        "decision": ("decided_at",),
        "action": ("created_at",),
        "round": ("opened_at",),
        "round_answer": ("answered_at",),
        "hand_raise": ("raised_at",),
        "attendance": ("created_at",),
        "event": ("created_at", "updated_at"),
        "event_exception": ("created_at",),
        "notification": ("created_at",),
    }

    def __init__(self, start, rng):
        self.now, self.rng = start, rng

    def step(self, hours=1, at=None):
        return _DemoStep(self, hours, at)


class _DemoStep:
    def __init__(self, clock, hours, at):
        self.clock, self.hours, self.at = clock, hours, at

    def __enter__(self):
        from sqlalchemy import func, table

        self.before = {
            name: db.session.scalar(select(func.max(table(name, db.column("id")).c.id))) or 0
            for name in _DemoClock.TABLES
        }
        return self

    def __exit__(self, *exc):
        if exc[0] is not None:
            return False
        from sqlalchemy import table

        clock = self.clock
        if self.at is not None:
            clock.now = max(clock.now, self.at)
        else:
            clock.now += timedelta(hours=self.hours * clock.rng.uniform(0.5, 1.5))
        moment = min(clock.now, utcnow() - timedelta(minutes=5))
        for name, columns in _DemoClock.TABLES.items():
            t = table(name, db.column("id"), *[db.column(c) for c in columns])
            db.session.execute(
                update(t).where(t.c.id > self.before[name]).values({c: moment for c in columns})
            )
        db.session.commit()
        return False


def _demo_fridays(members, clock, rng):
    """Three past Fridays, closed, and the coming one with its document well under way."""
    from . import demo_calendar
    from .meetings import dates
    from .meetings import services as meetings
    from .prep import services as prep
    from .proposals import services as proposals

    by_name = {m.display_name.split()[0]: m for m in members}
    camille, mathieu = by_name["Camille"], by_name["Mathieu"]
    coming = dates.next_meeting_date()

    def meeting_on(day):
        meeting = meetings.meeting_row(day)
        db.session.commit()
        return meeting

    pace = 10

    def write(author, meeting, kind, body, title=None):
        with clock.step(hours=rng.uniform(0.3, 2) * pace):
            return prep.add_entry(author, meeting.id, kind, title, body)

    past_moods = [
        "Contente de retrouver tout le monde après deux semaines à Lyon.",
        "Un peu fatigué, mais la soirée jeux de mardi m’a fait du bien.",
        "Je me sens bien au 97 en ce moment : la cuisine est enfin rangée !",
    ]
    for weeks_ago in (3, 2, 1):
        day = coming - timedelta(days=7 * weeks_ago)
        with clock.step(hours=1, at=datetime.combine(day - timedelta(days=6), time(8, 0))):
            meeting = meeting_on(day)
        for author in rng.sample(members, 3):
            write(author, meeting, "mood", rng.choice(past_moods))
        need = write(
            by_name["Lucie"],
            meeting,
            "need",
            "Plus de liquide vaisselle à la cuisine.",
            "Liquide vaisselle",
        )
        with clock.step(hours=4):
            prep.claim_need(by_name["Hugo"], need.id, "j’en prends au marché")
        with clock.step(hours=30):
            prep.resolve_need(by_name["Hugo"], need.id, "met")
        write(
            by_name["Théo"],
            meeting,
            "topic",
            "Qui ouvre la maison le samedi matin ?",
            "Permanences du samedi",
        )
        # 12:00 and 13:55 in Paris (UTC+1 in winter).
        if weeks_ago == 3:
            demo_calendar.held_soup_party(meeting, camille, by_name, clock)
        if weeks_ago == 1:
            plans = demo_calendar.last_friday_proposals(meeting, by_name, clock)
            _demo_live_meeting(meeting, members, by_name, clock, coming, plans)
            continue
        with clock.step(hours=0, at=datetime.combine(day, time(11, 0))):
            meetings.start_meeting(camille, meeting.id)
        with clock.step(hours=0, at=datetime.combine(day, time(12, 55))):
            meetings.close_meeting(mathieu, meeting.id)

    with clock.step(hours=1, at=datetime.combine(coming - timedelta(days=6), time(8, 0))):
        meeting = meetings.ensure_meeting(dates.next_meeting_date())
    hours_left = (utcnow() - clock.now).total_seconds() / 3600
    pace = max(0.2, hours_left / 12)  # spread the coming Friday's writing over the days left
    write(
        by_name["Inès"],
        meeting,
        "mood",
        "Heureuse de l’atelier couture de samedi : **douze personnes**, dont trois voisines "
        "qui n’étaient jamais entrées au 97.",
    )
    write(
        by_name["Pierre-Alain"],
        meeting,
        "mood",
        "Je trouve qu’on parle beaucoup d’argent ces temps-ci ; j’aimerais qu’on garde du "
        "temps pour les projets.",
    )
    soap = write(
        by_name["Nadia"],
        meeting,
        "need",
        "Il n’y a plus de savon dans les toilettes du rez-de-chaussée.",
        "Du savon",
    )
    write(
        by_name["Sophie"],
        meeting,
        "need",
        "L’huile d’olive de la cuisine est presque finie (pour les repas du vendredi).",
        "De l’huile",
    )
    garden = write(
        by_name["Fatou"],
        meeting,
        "need",
        "Un coup de main samedi 10 h pour **pailler les buttes** du Jardin du "
        "Ravelin avant le gel. Apportez des gants !",
        "Un coup de main au jardin",
    )
    with clock.step(hours=pace):
        prep.claim_need(by_name["Théo"], garden.id, "je viens avec ma brouette")
    write(
        by_name["Jeanne"],
        meeting,
        "topic",
        "Le chauffage du premier étage fait un bruit étrange. Qui connaît un·e chauffagiste ?",
        "Chauffage du premier étage",
    )
    wished = [(coming + timedelta(days=14), "19:00"), (coming + timedelta(days=21), "19:00")]
    for author, title, body, place, wished_dates, minutes, people, material in [
        (
            mathieu,
            "Apéro politique : les municipales à Battant",
            (
                "Un apéro ouvert pour parler des municipales, **sans parti ni tribune** : chacun "
                "vient avec une question sur le quartier."
            ),
            "house",
            wished,
            120,
            30,
            "Chaises du grenier, de quoi grignoter",
        ),
        (
            by_name["Fatou"],
            "Troc de graines au Jardin du Ravelin",
            "Chacun·e apporte ses graines de l’an dernier ; on échange et on prépare les semis.",
            "garden",
            [(coming + timedelta(days=29), "10:00"), (coming + timedelta(days=36), "10:00")],
            180,
            12,
            "Graines, terreau, outils",
        ),
    ]:
        with clock.step(hours=rng.uniform(0.5, 1.5) * pace):
            proposals.propose_event(
                author,
                meeting.id,
                title,
                body,
                [(d.isoformat(), t) for d, t in wished_dates],
                minutes,
                place,
                None,
                people,
                material,
            )
    # The coming Friday's agenda is prepared, its roles suggested and given.
    from .live import services as agenda

    with clock.step(hours=pace):
        agenda.prepare_agenda(camille, meeting.id)
        chosen = [e.id for e in agenda.candidates(meeting.id) if e.kind in ("topic", "proposal")]
        agenda.add_entries(camille, meeting.id, chosen + [soap.id])
        for role, person in agenda.rotation_suggestions(meeting.id).items():
            agenda.assign_role(camille, meeting.id, role, person.id)
    demo_calendar.coming_friday_proposals(meeting, by_name, clock, coming)
    demo_calendar.calendar_series(camille, coming, clock)


def _demo_live_meeting(meeting, members, by_name, clock, coming, plans):
    """Last Friday, run live: roles, attendance, agenda, a consent round with an objection
    lifted, decisions, actions, a postponed point, and what it made of five proposals."""
    from . import demo_calendar
    from .decisions import services as decisions
    from .live import services as agenda

    camille, mathieu, lucie = by_name["Camille"], by_name["Mathieu"], by_name["Lucie"]
    day = meeting.scheduled_for
    with clock.step(hours=0, at=datetime.combine(day, time(10, 30))):
        agenda.assign_role(camille, meeting.id, "facilitator", camille.id)
        agenda.assign_role(camille, meeting.id, "scribe", mathieu.id)
        agenda.assign_role(camille, meeting.id, "timekeeper", lucie.id)
        for member in members:
            status = "excused" if member.display_name.startswith(("Sophie", "Hugo")) else "present"
            agenda.set_attendance(camille, meeting.id, member.id, status)
        agenda.prepare_agenda(camille, meeting.id)
        chosen = sorted(agenda.candidates(meeting.id), key=lambda e: e.kind != "topic")
        agenda.add_entries(camille, meeting.id, [e.id for e in chosen if e.id not in plans])
        agenda.add_item(camille, meeting.id, "Bilan de la fête de quartier", 15)
        agenda.add_entries(camille, meeting.id, list(plans))
    with clock.step(hours=0, at=datetime.combine(day, time(11, 0))):
        agenda.start_live(camille, meeting.id)
    with clock.step(hours=0, at=datetime.combine(day, time(11, 12))):
        db.session.refresh(meeting)
        agenda.advance(camille, meeting.id, meeting.live_revision)  # to the first point
    items = agenda.agenda_items(meeting.id)
    with clock.step(hours=0, at=datetime.combine(day, time(11, 20))):
        round_ = agenda.start_round(
            camille,
            meeting.id,
            "consent",
            "Deux personnes assurent la permanence du samedi matin, "
            "à tour de rôle, inscrites sur le tableau de l’entrée.",
        )
        for member in members[:8]:
            if member.display_name.startswith(("Sophie", "Hugo")):
                continue
            if member.display_name.startswith("Pierre-Alain"):
                agenda.answer_round(
                    member, round_.id, "object", "Et si personne ne s’inscrit ? Il faut un plan B."
                )
            else:
                agenda.answer_round(member, round_.id, "for")
        agenda.close_round(camille, round_.id)
    with clock.step(hours=0, at=datetime.combine(day, time(11, 30))):
        decision = decisions.record_decision(
            mathieu,
            meeting.id,
            "Deux personnes assurent la **permanence du samedi matin** (10 h – 12 h), à tour de "
            "rôle, inscrites sur le tableau de l’entrée.",
            "consent",
            objections="Pierre-Alain : que faire si personne ne s’inscrit ?",
            objections_lifted="La conciergerie relance le jeudi ; sans inscrit·e, la maison "
            "reste fermée et on en reparle.",
            review_on=(coming + timedelta(days=28)).isoformat(),
        )
        decisions.add_action(
            mathieu,
            meeting.id,
            "Dessiner le tableau des permanences",
            by_name["Jeanne"].id,
            (coming + timedelta(days=1)).isoformat(),
            decision.id,
        )
    with clock.step(hours=0, at=datetime.combine(day, time(11, 45))):
        db.session.refresh(meeting)
        if any(i.status == "pending" for i in items[2:]):
            agenda.advance(camille, meeting.id, meeting.live_revision)
            decisions.record_decision(
                mathieu,
                meeting.id,
                "Hugo a rapporté du liquide vaisselle : besoin satisfait.",
                "information",
            )
            decisions.add_action(
                mathieu,
                meeting.id,
                "Racheter du liquide vaisselle en vrac",
                by_name["Hugo"].id,
                (coming + timedelta(days=3)).isoformat(),
            )
    demo_calendar.decide_last_friday(meeting, camille, mathieu, plans, clock, day)
    with clock.step(hours=0, at=datetime.combine(day, time(12, 50))):
        db.session.refresh(meeting)
        if any(i.status == "pending" for i in agenda.agenda_items(meeting.id)):
            agenda.advance(camille, meeting.id, meeting.live_revision)
            agenda.postpone(camille, meeting.id, agenda.current_item(meeting.id).id)
        agenda.close_live(camille, meeting.id)
