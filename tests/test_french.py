"""French done right: élision in generated phrases ("Billet d’Inès", "Billet de Marc"), "1er"
for the first day of a month, real plurals, field names said in French in refusals, a favicon
on every page, and a server error page styled like the others, in French, without traceback."""

import re
from datetime import date, datetime

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from flask_babel import force_locale

from meeting.extensions import db
from meeting.i18n import NBSP, _, de, iso, iso_date_long, long_date, long_datetime
from meeting.prep import services as prep
from tests.conftest import ROOT, sign_in

# -- élision ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("Inès", "d’Inès"),
        ("Marc", "de Marc"),
        ("Émile", "d’Émile"),
        ("Yves", "d’Yves"),
        ("Hélène", "d’Hélène"),  # mute h, on the list
        ("Hugues", "de Hugues"),  # any other h keeps "de"
        ("Œdipe", "d’Œdipe"),
        ("12 personnes", "de 12 personnes"),
        ("« Atelier »", "de « Atelier »"),
    ],
)
def test_de_elides_before_a_vowel_or_a_mute_h(name, said):
    assert de(name) == said


def test_generated_phrases_elide_in_french_only(app):
    with app.test_request_context("/"):
        assert _("Billet de %(name)s", name="Inès") == "Billet d’Inès"
        assert _("Billet de %(name)s", name="Marc") == "Billet de Marc"
        assert _("Rôle de %(name)s", name="Aurélie") == "Rôle d’Aurélie"
        # "de" followed by something else than the name is left alone.
        assert _("de %(start)s à %(end)s", start="11 h", end="12 h") == "de 11 h à 12 h"
        with force_locale("en"):
            assert "d’" not in _("Billet de %(name)s", name="Inès")


def test_the_document_names_a_mood_note_with_elision(client_as, make_member):
    from meeting.meetings import dates
    from meeting.meetings import services as meetings

    client, _reader = client_as("member", name="Lucie")
    meeting = meetings.ensure_meeting(dates.next_meeting_date())
    for name in ("Inès", "Marc"):
        prep.add_entry(make_member(name=name), meeting.id, "mood", "", "Bonjour à tous.")
    page = client.get(f"/vendredi/{meeting.scheduled_for.isoformat()}/").get_data(as_text=True)
    assert ">Billet d’Inès</h3>" in page
    assert ">Billet de Marc</h3>" in page
    assert "Billet de Inès" not in page


def test_trace_sentences_elide_the_names_they_cite(app, make_member):
    from meeting.members import services as members
    from meeting.models import Trace
    from meeting.traces.sentences import sentence

    admin = make_member(role="admin", name="Aurélie")
    ines = make_member(name="Inès")
    members.deactivate(admin, ines.id)
    trace = db.session.query(Trace).filter_by(verb="member_deactivated").one()
    assert sentence(trace) == "Aurélie a désactivé le compte d’Inès."


# -- "1er" -----------------------------------------------------------------------------------


def test_the_first_day_of_a_month_is_written_1er(app):
    with app.test_request_context("/"):
        assert long_date(date(2026, 12, 1)) == "mardi 1er décembre 2026"
        assert long_date(date(2026, 12, 11)) == "vendredi 11 décembre 2026"
        assert long_date(date(2026, 12, 21)) == "lundi 21 décembre 2026"
        assert iso_date_long("2027-01-01") == "vendredi 1er janvier 2027"
        assert long_datetime(datetime(2026, 12, 1, 11, 15)) == (
            f"mardi 1er décembre 2026 à 12{NBSP}h{NBSP}15"
        )
        with force_locale("en"):
            assert "1er" not in long_date(date(2026, 12, 1))
            assert "December 1," in long_date(date(2026, 12, 1))


def test_a_friday_on_the_first_reads_1er_on_its_document(client_as):
    client, _member = client_as("member")
    page = client.get("/vendredi/2027-01-01/").get_data(as_text=True)
    assert "Vendredi 1er janvier 2027" in page
    assert "1 janvier" not in page


# -- valid datetimes -------------------------------------------------------------------------


def test_time_elements_carry_whole_seconds_in_utc(app):
    assert iso(datetime(2026, 12, 4, 11, 15, 3, 123456)) == "2026-12-04T11:15:03Z"
    assert iso(date(2026, 12, 4)) == "2026-12-04"
    assert iso(None) == ""


# -- real plurals ----------------------------------------------------------------------------


def _sentence_of(member, verb, **data):
    from meeting.models import Trace
    from meeting.pipeline import change
    from meeting.traces.sentences import sentence

    with change() as c:
        c.trace(member, verb, None, **data)
    return sentence(db.session.query(Trace).order_by(Trace.id.desc()).first())


def test_trace_sentences_use_real_plurals(app, make_member):
    camille = make_member(name="Camille")
    day = long_date(date(2026, 12, 4))
    items = "Camille a mis {} à l’ordre du jour du " + day + "."
    assert _sentence_of(camille, "agenda_items_added", n=1, date="2026-12-04") == items.format(
        "1 point"
    )
    assert _sentence_of(camille, "agenda_items_added", n=3, date="2026-12-04") == items.format(
        "3 points"
    )
    closed = "Tour fermé" + NBSP + ": {}."
    assert _sentence_of(camille, "round_closed", total=0) == closed.format("0 réponse")
    assert _sentence_of(camille, "round_closed", total=1) == closed.format("1 réponse")
    assert _sentence_of(camille, "round_closed", total=5) == closed.format("5 réponses")
    timebox = _sentence_of(camille, "timebox_set", minutes=1, title="Jardin")
    assert timebox.startswith("Camille a prévu 1 minute pour")
    with force_locale("en"):
        assert _sentence_of(camille, "round_closed", total=1) == "Round closed: 1 answer."
        assert _sentence_of(camille, "round_closed", total=2) == "Round closed: 2 answers."


def test_no_message_writes_a_plural_with_parentheses():
    with open(ROOT / "babel.cfg") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    messages = {
        text
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords
        )
        for text in (message if isinstance(message, tuple) else (message,))
        if text
    }
    lazy = [m for m in messages if re.search(r"\w\((s|e|es)\)", m)]
    assert not lazy, f"use ngettext: {sorted(lazy)}"


# -- field names in French -------------------------------------------------------------------


def test_every_command_field_has_a_french_label(app):  # the app declares the commands
    from meeting.commands import COMMANDS
    from meeting.labels import FIELD_LABELS

    fields = {name for cmd in COMMANDS.values() for name in cmd.fields}
    assert fields - set(FIELD_LABELS) == set(), "give the new field a label in FIELD_LABELS"


def test_a_missing_field_is_named_in_french_beside_it(app, live_friday, socket_for):
    friday = live_friday()
    http = app.test_client()
    sign_in(http, friday.facilitator)
    socket = socket_for(http)
    ack = socket.command("give_floor", {"meeting_id": friday.meeting.id})
    assert ack["ok"] is False and ack["error"] == "missing_field"
    assert ack["message"] == "Le champ «" + NBSP + "Main levée" + NBSP + "» est obligatoire."
    assert ack["field"] == "hand_id"  # the page shows it beside that control
    assert "hand_id" not in ack["message"]
    wrong = socket.command("join_live", {"meeting_id": "un", "view": "phone"})
    assert (
        wrong["message"] == "Le champ «" + NBSP + "Réunion" + NBSP + "» doit être un nombre entier."
    )


# -- favicon ---------------------------------------------------------------------------------


def test_every_page_links_a_favicon_that_is_served(client, make_member):
    make_member()  # the site is installed: /connexion is a page, not a redirect
    page = client.get("/connexion").get_data(as_text=True)
    href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)
    with client.get(href) as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert "#8a2b0e" in icon.get_data(as_text=True)
    legacy = client.get("/favicon.ico")  # asked by browsers whatever the page says
    assert legacy.status_code == 308 and legacy.headers["Location"].endswith(href)
    # Under a sub-path too (relative redirect).
    below = client.get("/favicon.ico", base_url="http://localhost/vendredi")
    assert below.headers["Location"].endswith("/vendredi/static/favicon.svg")


# -- the server error page -------------------------------------------------------------------


def _broken_route(app):
    def broken():
        raise RuntimeError("secret interne : la base a brûlé")

    app.add_url_rule("/essai/panne", "broken_probe", broken)


def _is_the_sites_page(page):
    return 'class="site-header"' in page and "css/main.css" in page and 'rel="icon"' in page


def test_a_server_error_is_a_styled_french_page_without_traceback(app, client_as):
    _broken_route(app)
    client, _member = client_as("member")
    response = client.get("/essai/panne")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and response.mimetype == "text/html"
    assert _is_the_sites_page(page)
    assert "<title>Erreur 500 · Le 97</title>" in page
    assert "Une erreur inattendue est survenue. Rien n’a été enregistré." in page
    assert "Revenir à l’accueil" in page
    assert "Traceback" not in page and "secret interne" not in page and "RuntimeError" not in page
    asked_json = client.get("/essai/panne", headers={"Accept": "application/json"})
    assert asked_json.status_code == 500
    assert asked_json.get_json()["message"].startswith("Une erreur inattendue")


def test_the_error_page_holds_when_the_database_is_what_failed(app, client_as, monkeypatch):
    from sqlalchemy.exc import OperationalError

    client, _member = client_as("member")

    def database_down(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    # Every page reads the signed-in member first: the error page must not need it.
    monkeypatch.setattr(db.session, "get", database_down)
    response = client.get("/profil")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert _is_the_sites_page(page)
    assert "Une erreur inattendue est survenue" in page
    assert "Traceback" not in page and "database is locked" not in page


def test_the_404_page_is_french_and_styled(client):
    response = client.get("/nulle-part")
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and _is_the_sites_page(page)
    assert "Cette page n’existe pas, ou plus." in page
