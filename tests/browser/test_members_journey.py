"""An admin invites someone, who joins from a phone; the admin promotes, then deactivates them,
and the newcomer's old session is refused. In French, on small screens, accessible."""

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in_through_form

THIRTY_DAYS = 30 * 24 * 3600
PHONE = {"width": 360, "height": 740}
NARROWEST = {"width": 320, "height": 640}


def coming_friday():
    """The coming Friday at the place (today on a Friday), computed apart from the app."""
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    return today + timedelta(days=(4 - today.weekday()) % 7)


def assert_no_horizontal_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], (
        f"{page.url} scrolls sideways at {page.viewport_size['width']} px ({width} px wide)"
    )


def session_cookie(context):
    return next(c for c in context.cookies() if c["name"] == "vendredi_session")


def test_admin_invites_promotes_and_deactivates_a_newcomer(live_server, make_member, open_page):
    admin = make_member(role="admin", name="Dominique")

    # The admin signs in on the narrowest phone, ticking "Rester connecté·e".
    admin_page = open_page(viewport=NARROWEST)
    admin_page.goto(live_server.url + "/connexion")
    assert_no_horizontal_scroll(admin_page)
    sign_in_through_form(admin_page, live_server, admin, remember=True)
    expires = session_cookie(admin_page.context)["expires"]
    assert abs(expires - (time.time() + THIRTY_DAYS)) < 3600, "session should last 30 days"

    admin_page.get_by_role("link", name="Membres").click()
    expect(admin_page.get_by_role("heading", name="Membres du 97")).to_be_visible()
    assert_accessible(admin_page)
    assert_no_horizontal_scroll(admin_page)

    # An invitation link, no e-mail.
    admin_page.get_by_role("button", name="Créer l’invitation").click()
    link_field = admin_page.get_by_label("Lien d’invitation")
    expect(link_field).to_be_visible()
    assert_accessible(admin_page)
    assert_no_horizontal_scroll(admin_page)
    link = link_field.input_value()
    assert link.startswith(live_server.url + "/invitation/")

    # The newcomer opens it on their phone, in a fresh browser.
    newcomer = open_page(viewport=PHONE)
    newcomer.goto(link)
    expect(newcomer.get_by_role("heading", name="Rejoindre Le 97 sur Vendredi")).to_be_visible()
    expect(newcomer.get_by_text("Dominique vous invite.")).to_be_visible()
    assert_accessible(newcomer)
    assert_no_horizontal_scroll(newcomer)
    newcomer.get_by_label("Votre prénom ou nom affiché").fill("Noé")
    newcomer.get_by_label("Adresse e-mail").fill("noe@le97.example")
    password = newcomer.get_by_label("Mot de passe (8 caractères au moins)")
    submit = newcomer.get_by_role("button", name="Créer mon compte")

    # Too short: the browser holds the form back, and the server answers in French if it
    # gets it anyway (a browser without form validation).
    password.fill("court")
    submit.click()
    assert password.evaluate("el => el.validity.tooShort")
    expect(newcomer.get_by_role("alert")).to_have_count(0)  # nothing was sent
    newcomer.locator("form.stack").evaluate("form => { form.noValidate = true; }")
    with newcomer.expect_navigation():
        submit.click()
    error = newcomer.get_by_role("alert")
    expect(error).to_have_text("Le mot de passe doit compter au moins 8 caractères.")
    expect(newcomer.get_by_label("Votre prénom ou nom affiché")).to_have_value("Noé")
    assert_accessible(newcomer)
    assert_no_horizontal_scroll(newcomer)

    # Then a good one: signed in, on the home page, in French.
    newcomer.get_by_label("Mot de passe (8 caractères au moins)").fill("un-bon-mot-de-passe")
    with newcomer.expect_navigation():
        newcomer.get_by_role("button", name="Créer mon compte").click()
    assert newcomer.url == live_server.url + "/"
    expect(newcomer.get_by_text("Bienvenue au 97, Noé !")).to_be_visible()
    expect(newcomer.get_by_role("heading", name="Prochain repas du vendredi")).to_be_visible()
    long_date = format_date(coming_friday(), "full", locale="fr_FR")  # "vendredi 27 novembre 2026"
    assert re.fullmatch(r"vendredi \d{1,2} \w+ \d{4}", long_date)
    expect(newcomer.locator(".lead")).to_contain_text(re.compile(long_date, re.IGNORECASE))
    expect(newcomer.locator("html")).to_have_attribute("lang", "fr")
    expect(newcomer.get_by_role("link", name="Noé")).to_be_visible()
    assert session_cookie(newcomer.context)["expires"] == -1, "not remembered: browser session"
    assert_accessible(newcomer)
    assert_no_horizontal_scroll(newcomer)

    # The admin reloads the members page and makes Noé a facilitator.
    admin_page.reload()
    assert_accessible(admin_page)
    assert_no_horizontal_scroll(admin_page)
    row = admin_page.locator("tr", has_text="noe@le97.example")
    row.get_by_label("Rôle de Noé").select_option(label="facilitateur·rice")
    with admin_page.expect_navigation():
        row.get_by_role("button", name="Changer le rôle de Noé").click()
    expect(admin_page.get_by_text("Noé est maintenant facilitateur·rice.")).to_be_visible()
    expect(row.get_by_label("Rôle de Noé")).to_have_value("facilitator")
    assert_accessible(admin_page)
    assert_no_horizontal_scroll(admin_page)

    newcomer.get_by_role("link", name="Noé").click()
    expect(newcomer.get_by_text("Votre rôle : facilitateur·rice.")).to_be_visible()
    assert_accessible(newcomer)

    # Then deactivates the account: Noé's old session is refused from the next page load.
    with admin_page.expect_navigation():
        row.get_by_role("button", name="Désactiver Noé").click()
    expect(admin_page.get_by_text("Le compte de Noé est désactivé.")).to_be_visible()
    expect(row).to_contain_text("désactivé depuis le")
    assert_accessible(admin_page)
    assert_no_horizontal_scroll(admin_page)

    # Noé's open page is told its session ended and reloads by itself onto the sign-in page…
    expect(newcomer).to_have_url(re.compile(r"/connexion\?next=%2Fprofil$"))
    expect(newcomer.get_by_role("heading", name="Se connecter")).to_be_visible()
    assert_accessible(newcomer)
    # …and any further page load is refused by the server too.
    newcomer.goto(live_server.url + "/profil")
    expect(newcomer.get_by_role("heading", name="Se connecter")).to_be_visible()
    expect(newcomer.get_by_text("Connectez-vous pour voir cette page.")).to_be_visible()
    expect(newcomer.get_by_role("link", name="Noé")).to_have_count(0)
    assert_accessible(newcomer)
    assert_no_horizontal_scroll(newcomer)
