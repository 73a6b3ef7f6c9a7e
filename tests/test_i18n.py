"""French first, English when chosen: the catalogue, the language switch, dates in Europe/Paris,
French typography, and every visible string of the main pages translated."""

import re
from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser

import pytest
from babel.dates import get_month_names
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask_babel import force_locale

from meeting.extensions import db
from meeting.i18n import (
    NBSP,
    NNBSP,
    french_spacing,
    long_date,
    long_datetime,
    short_time,
    typo_filter,
)
from meeting.models import Invitation
from meeting.models.base import utcnow
from tests.conftest import ROOT, TEST_PASSWORD, post_form

CATALOGUE = ROOT / "meeting" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[#0 +-]*\d*(?:\.\d+)?[a-z]")


def page_lang(page):
    return re.search(r'<html lang="(\w+)"', page).group(1)


def title(page):
    return re.search(r"<title>(.*?)</title>", page, re.DOTALL).group(1).strip()


class _VisibleText(HTMLParser):
    """Text a person can see or hear: element text and labelling attributes, not scripts."""

    SPOKEN_ATTRIBUTES = frozenset({"aria-label", "title", "placeholder", "alt"})

    def __init__(self):
        super().__init__()
        self.parts, self.in_script = [], 0

    def handle_starttag(self, tag, attrs):
        self.in_script += tag in ("script", "style")
        self.parts += [v for k, v in attrs if k in self.SPOKEN_ATTRIBUTES and v]

    def handle_endtag(self, tag):
        self.in_script -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.in_script and data.strip():
            self.parts.append(data.strip())


def visible_text(page):
    parser = _VisibleText()
    parser.feed(page)
    return "\n".join(parser.parts)


def has_phrase(text, phrase):
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


def choose(client, lang, next_url="/connexion"):
    response = post_form(client, "/langue", {"lang": lang, "next": next_url})
    assert response.status_code == 302 and response.headers["Location"] == next_url
    return response


# -- the catalogue ---------------------------------------------------------------------------


def test_every_message_of_the_source_is_in_the_english_catalogue_and_translated():
    with open(CATALOGUE, "rb") as handle:
        catalogue = read_po(handle, locale="en")
    with open(ROOT / "babel.cfg") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    in_source = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords
        )
    }
    assert {
        "Adresse e-mail ou mot de passe incorrect.",
        "Prochain repas du vendredi",
        "Commande inconnue.",
        "coopérateur·rice",
    } <= in_source  # Python, Jinja, _l
    translated = {m.id[0] if m.pluralizable else m.id for m in catalogue if m.id}
    missing = sorted(in_source - translated)
    assert not missing, f"run `make extract-messages` and translate: {missing}"
    for message in catalogue:
        if not message.id:
            continue
        # Plural messages hold (singular, plural) pairs; English has the same two forms.
        french = message.id if message.pluralizable else (message.id,)
        english = message.string if message.pluralizable else (message.string,)
        assert all(english), f"untranslated: {message.id!r}"
        assert "fuzzy" not in message.flags, f"fuzzy: {message.id!r}"
        for source, translation in zip(french, english, strict=True):
            assert sorted(PLACEHOLDER.findall(source)) == sorted(
                PLACEHOLDER.findall(translation)
            ), f"placeholders differ: {source!r}"


# -- choosing the language -------------------------------------------------------------------


def test_french_is_the_default_even_for_an_english_browser(client, make_member):
    make_member()
    page = client.get("/connexion", headers={"Accept-Language": "en-US,en;q=0.9"})
    text = page.get_data(as_text=True)
    assert page_lang(text) == "fr"
    assert title(text) == "Connexion · Le 97"
    assert "Se connecter" in text and "Sign in" not in text


def test_choosing_english_then_french_switches_the_pages(client, make_member):
    make_member()
    choose(client, "en")
    page = client.get("/connexion").get_data(as_text=True)
    assert page_lang(page) == "en"
    assert title(page) == "Sign in · Le 97"
    assert "No account yet?" in page and "Se connecter" not in page
    assert 'value="fr"' in page  # the footer now offers French

    choose(client, "fr")
    page = client.get("/connexion").get_data(as_text=True)
    assert page_lang(page) == "fr"
    assert title(page) == "Connexion · Le 97"


def test_an_unknown_language_keeps_the_page_in_french(client, make_member):
    make_member()
    choose(client, "de")
    assert page_lang(client.get("/connexion").get_data(as_text=True)) == "fr"


def test_the_chosen_language_survives_signing_in_and_out(client, make_member):
    member = make_member(name="Camille")
    choose(client, "en")
    post_form(
        client, "/connexion", {"email": member.email, "password": TEST_PASSWORD, "next": "/profil"}
    )
    page = client.get("/profil").get_data(as_text=True)
    assert page_lang(page) == "en" and "Hello Camille!" in page and "My profile" in page
    post_form(client, "/deconnexion")
    page = client.get("/connexion").get_data(as_text=True)
    assert page_lang(page) == "en" and "You are signed out. See you on Friday!" in page


# -- dates and times -------------------------------------------------------------------------


def test_dates_and_times_in_french_in_europe_paris(app):
    with app.test_request_context("/"):
        assert long_date(date(2026, 12, 4)) == "vendredi 4 décembre 2026"
        assert short_time(time(12, 15)) == f"12{NBSP}h{NBSP}15"
        assert short_time(time(12, 0)) == f"12{NBSP}h"
        # Naive datetimes are UTC: Paris is UTC+1 in December, UTC+2 in July.
        assert long_datetime(datetime(2026, 12, 4, 11, 15)) == (
            f"vendredi 4 décembre 2026 à 12{NBSP}h{NBSP}15"
        )
        assert long_datetime(datetime(2026, 7, 3, 10, 15)) == (
            f"vendredi 3 juillet 2026 à 12{NBSP}h{NBSP}15"
        )
        assert short_time(datetime(2026, 7, 3, 10, 0)) == f"12{NBSP}h"
        # Late on Friday in UTC is already Saturday in Paris: the date follows the time.
        assert long_datetime(datetime(2026, 12, 4, 23, 30)) == (
            f"samedi 5 décembre 2026 à 0{NBSP}h{NBSP}30"
        )


def test_dates_and_times_in_english(app):
    with app.test_request_context("/"), force_locale("en"):
        assert short_time(time(12, 15)) == "12:15"
        assert short_time(time(12, 0)) == "12:00"
        day = long_date(date(2026, 12, 4))
        assert "Friday" in day and "December" in day and "2026" in day
        moment = long_datetime(datetime(2026, 12, 4, 11, 15))
        assert "Friday" in moment and "December" in moment and moment.endswith(" at 12:15")
        assert "vendredi" not in moment + day and NBSP not in moment


# -- French typography -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "typeset"),
    [
        ("Pas encore de compte ? Oui !", f"Pas encore de compte{NNBSP}? Oui{NNBSP}!"),
        ("Vraiment?! Non; si.", f"Vraiment{NNBSP}?! Non{NNBSP}; si."),
        ("Hors ligne : la connexion", f"Hors ligne{NBSP}: la connexion"),
        ("Votre rôle: membre.", f"Votre rôle{NBSP}: membre."),
        ("« Me connecter »", f"«{NBSP}Me connecter{NBSP}»"),
        ("«Me connecter»", f"«{NBSP}Me connecter{NBSP}»"),
    ],
)
def test_french_spacing_puts_the_no_break_spaces(typed, typeset):
    assert french_spacing(typed) == typeset
    assert french_spacing(typeset) == typeset  # already correct text is left alone


@pytest.mark.parametrize(
    "text",
    [
        "Voir http://x.fr et https://le97.example/traces/?type=role_changed",
        "de 12:15 à 14:00",
        "Rien à corriger.",
        "",
    ],
)
def test_french_spacing_leaves_urls_times_and_plain_text_alone(text):
    assert french_spacing(text) == text


def test_typo_filter_keeps_html_entities_whole(app):
    with app.test_request_context("/"):
        assert (
            str(typo_filter("Tom & Jerry a rejoint Le 97.")) == "Tom &amp; Jerry a rejoint Le 97."
        )


def test_pages_and_messages_carry_french_no_break_spaces(client, make_member):
    member = make_member(name="Camille")
    response = post_form(client, "/connexion", {"email": member.email, "password": "mauvais"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Adresse e-mail ou mot de passe incorrect." in page
    assert f"Pas encore de compte{NNBSP}?" in page
    assert f"Hors ligne{NBSP}: la connexion est coupée" in page
    assert f"en retard{NNBSP}; la page" in page

    post_form(
        client, "/connexion", {"email": member.email, "password": TEST_PASSWORD, "next": "/profil"}
    )
    page = client.get("/profil").get_data(as_text=True)
    assert f"Bonjour Camille{NNBSP}!" in page  # the flash message
    assert f"Votre rôle{NBSP}: coopérateur·rice." in page


def test_english_pages_have_no_french_spacing(client, make_member):
    make_member()
    choose(client, "en")
    page = client.get("/connexion").get_data(as_text=True)
    assert "No account yet? Ask the stewards of Le 97 for an invitation." in page
    assert "Offline: the connection is down." in page
    assert NNBSP not in page


# -- every visible string of the main pages in English ---------------------------------------

# Visible French interface strings of each page (not people's data); each must be on the
# French page and gone from the English one.
FRENCH_ON = {
    "/": [
        "Accueil",
        "Prochain repas du vendredi",
        "au 97, rue Battant",
        "Dernières traces",
        "Toutes les traces",
        "Se déconnecter",
        "Aller au contenu",
        "Navigation principale",
        "Hors ligne",
        "la réunion du vendredi midi",
    ],
    "/connexion": [
        "Connexion",
        "Se connecter",
        "Adresse e-mail",
        "Mot de passe",
        "Rester connecté·e",
        "Pas encore de compte",
        "conciergerie",
    ],
    "/profil": [
        "Mon profil",
        "Votre rôle",
        "coopérateur·rice",
        "Nom affiché",
        "Enregistrer",
        "Mot de passe actuel",
        "Changer le mot de passe",
        "8 caractères au moins",
    ],
    "/traces/": [
        "Les traces du 97",
        "Chacun agit et laisse une trace",
        "Filtrer",
        "Tous les types",
        "Personne",
        "Tout le monde",
        "Arrivées",
        "Comptes désactivés",
        "Profils",
        "Aucune trace pour l’instant.",
    ],
    "/admin/membres": [
        "Membres du 97",
        "Inviter quelqu’un",
        "Adresse e-mail (facultative)",
        "Rôle",
        "Créer l’invitation",
        "Invitations en attente",
        "sans adresse",
        "expire le",
        "Comptes",
        "Nom",
        "État",
        "actif",
        "Désactiver",
        "Réactiver",
        "désactivé depuis le",
        "le rôle de",
        "Changer",
        "coopérateur·rice",
        "facilitateur·rice",
        "administrateur·rice",
    ],
}
ENGLISH_ON = {
    "/": ["Next Friday lunch", "Latest traces", "All traces", "Sign out"],
    "/connexion": ["Sign in", "Email address", "Stay signed in (30 days)"],
    "/profil": ["My profile", "Your role: member.", "Display name", "Change the password"],
    "/traces/": ["Traces of Le 97", "All types", "Everyone", "Deactivated accounts"],
    "/admin/membres": [
        "Members of Le 97",
        "Pending invitations",
        "Deactivate",
        "Reactivate",
        "facilitator",
        "administrator",
    ],
}


@pytest.fixture
def page_in(app, client_as, make_member):
    """Factory: `page_in("en", "/profil")` renders a page as the member (admin pages as an
    admin, with a facilitator, a deactivated account and a pending invitation to show)."""

    def render(lang, url):
        if url == "/connexion":
            make_member(name="Claire")
            client = app.test_client()
        elif url == "/admin/membres":
            client, admin = client_as("admin", name="Claire")
            make_member(role="facilitator", name="Inès")
            make_member(name="Théo", active=False)
            db.session.add(
                Invitation(
                    token_hash="0" * 64,
                    role="member",
                    created_by_id=admin.id,
                    expires_at=utcnow() + timedelta(days=14),
                )
            )
            db.session.commit()
        else:
            client, _member = client_as("member", name="Camille")
        choose(client, lang, url)
        response = client.get(url)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    return render


@pytest.mark.parametrize("url", list(FRENCH_ON))
def test_french_page_shows_the_french_strings(page_in, url):
    page = page_in("fr", url)
    assert page_lang(page) == "fr"
    text = visible_text(page)
    assert [p for p in FRENCH_ON[url] if not has_phrase(text, p)] == []


@pytest.mark.parametrize("url", list(FRENCH_ON))
def test_english_page_has_no_french_left(page_in, url):
    page = page_in("en", url)
    assert page_lang(page) == "en"
    text = visible_text(page)
    assert [p for p in FRENCH_ON[url] if has_phrase(text, p)] == []
    assert [p for p in ENGLISH_ON[url] if not has_phrase(text, p)] == []


MONTHS = list(get_month_names("wide", locale="en").values())


def test_english_home_page_keeps_the_capital_of_the_month(page_in):
    text = visible_text(page_in("en", "/"))
    assert any(re.search(rf"\b{month} \d", text) for month in MONTHS)
    assert [m for m in MONTHS if re.search(rf"\b{m.lower()} \d", text)] == []
