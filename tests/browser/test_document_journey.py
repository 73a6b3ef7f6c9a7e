"""The shared document of the coming Friday in real browsers: two phones write at once and a
third page sees both within a second; a need is taken on live; a stale edit leads to the merge
view and keeps both texts; a draft survives a reload; an entry written offline arrives once."""

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from sqlalchemy import func, select

from meeting.extensions import db
from meeting.models import Entry
from tests.browser.conftest import assert_accessible

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def coming_friday():
    """The coming Friday at the place (today on a Friday), computed apart from the app."""
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    return today + timedelta(days=(4 - today.weekday()) % 7)


def document_url(live_server):
    return f"{live_server.url}/vendredi/{coming_friday().isoformat()}/"


def wait_until_joined(page):
    """The page's live link is up (it then joins the document's room by itself)."""
    expect(page.locator("body")).to_have_attribute("data-live", "connected")
    page.wait_for_function("() => window.Vendredi && Vendredi.live.socket.connected")


def assert_no_horizontal_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], (
        f"{page.url} scrolls sideways at {page.viewport_size['width']} px ({width} px wide)"
    )


def checked(page):
    """Every page a test visits: accessible, and no sideways scroll on a phone."""
    assert_accessible(page)
    if page.viewport_size["width"] < 600:
        assert_no_horizontal_scroll(page)


def open_document(page, live_server):
    page.goto(document_url(live_server))
    wait_until_joined(page)
    checked(page)
    return page


def entry(page, text, kind=None):
    scope = page.locator(f"#section-{kind}" if kind else "#document")
    return scope.locator("article.entry", has_text=text)


def remaining(since, budget=10.0):
    """Milliseconds left of a `budget` of seconds counted from `since` (at least 1). The budget
    says "it arrives live, without a reload", not how fast: tests never time themselves (the
    speed is measured by bench/live_document.py and bench/live_session.py)."""
    return max(1, int((budget - (time.monotonic() - since)) * 1000))


def write_entry(page, kind_label, body, title=None):
    """Fill the add form without sending it."""
    page.get_by_label(kind_label).check()
    if title is not None:
        page.get_by_label("Titre (facultatif)").fill(title)
    page.get_by_label(re.compile(r"^Texte")).fill(body)


def send(page):
    page.get_by_role("button", name="Ajouter au document", exact=True).click()


def rows_with_body(body):
    db.session.rollback()  # see what the server committed
    return db.session.scalar(select(func.count(Entry.id)).where(Entry.body == body))


def test_two_phones_write_at_once_a_third_page_sees_both_and_a_stale_edit_is_merged(
    live_server, make_member, signed_in_page
):
    alice = make_member(name="Alice")
    bruno = make_member(role="facilitator", name="Bruno")
    camille = make_member(role="facilitator", name="Camille")

    # Camille, on a desktop, opens the coming Friday's document from the home page.
    page_c = signed_in_page(camille, **DESKTOP)
    with page_c.expect_navigation():
        page_c.get_by_role("link", name=re.compile("^Ouvrir le document du")).click()
    assert page_c.url == document_url(live_server)
    wait_until_joined(page_c)
    checked(page_c)
    expect(page_c.locator('[data-count="mood"]')).to_have_text("0")
    expect(page_c.locator('[data-count="need"]')).to_have_text("0")

    # Alice and Bruno open it on their phones; Camille sees them arrive.
    page_a = open_document(signed_in_page(alice, **PHONE), live_server)
    page_b = open_document(signed_in_page(bruno, **PHONE), live_server)
    presence = page_c.locator("#presence")
    expect(presence).to_contain_text("Alice")
    expect(presence).to_contain_text("Bruno")
    page_c.evaluate("window.__marker = 1")  # gone if the page ever reloads

    # Each writes an entry with Markdown, and both send at (nearly) the same time.
    write_entry(page_a, "un billet d’humeur", "*Contente* de revoir **tout le monde** vendredi.")
    write_entry(
        page_b, "un besoin", "Il en faut **2 litres** :\n\n- vaisselle\n- sol", title="Savon noir"
    )
    # Camille sees who is writing.
    expect(presence.locator(".person.is-typing")).to_have_text(["Alice (écrit…)", "Bruno (écrit…)"])
    sent = time.monotonic()
    send(page_a)
    send(page_b)

    # Camille sees both within a second of the sending, in their sections, without reload.
    mood = entry(page_c, "Contente de revoir", kind="mood")
    need = entry(page_c, "Savon noir", kind="need")
    expect(mood).to_be_visible(timeout=remaining(sent))
    expect(need).to_be_visible(timeout=remaining(sent))
    expect(page_c.locator('[data-count="mood"]')).to_have_text("1", timeout=remaining(sent))
    expect(page_c.locator('[data-count="need"]')).to_have_text("1", timeout=remaining(sent))
    expect(page_c.get_by_role("link", name="Besoins (1)")).to_be_visible()
    expect(page_c.get_by_role("link", name="Billets d’humeur (1)")).to_be_visible()
    expect(mood.locator("em")).to_have_text("Contente")
    expect(mood.locator("strong")).to_have_text("tout le monde")
    expect(mood.get_by_role("heading", name="Billet d’Alice")).to_be_visible()
    expect(need.locator(".entry-body strong")).to_have_text("2 litres")
    expect(need.locator(".entry-body li")).to_have_text(["vaisselle", "sol"])
    expect(need).to_contain_text("par Bruno")
    expect(entry(page_c, "Contente de revoir")).to_have_count(1)
    expect(entry(page_c, "Savon noir")).to_have_count(1)
    assert page_c.evaluate("window.__marker") == 1, "Camille's page reloaded"
    # Presence: Alice and Bruno (and Camille herself) are listed.
    expect(presence).to_contain_text(re.compile(r"Sur la page\s*:\s*Alice, Bruno, Camille"))
    expect(presence.locator(".person.is-typing")).to_have_count(0)  # sent: no longer writing
    checked(page_c)

    # The writers' own pages show both too, and their forms are empty again.
    for page in (page_a, page_b):
        expect(entry(page, "Contente de revoir", kind="mood")).to_have_count(1)
        expect(entry(page, "Savon noir", kind="need")).to_have_count(1)
        expect(page.get_by_label(re.compile(r"^Texte"))).to_have_value("")
        checked(page)
    # Only the author may remove; Alice may not edit Bruno's need, Bruno (facilitator) may.
    expect(
        entry(page_a, "Savon noir").get_by_role("button", name=re.compile("^Retirer"))
    ).to_have_count(0)
    expect(
        entry(page_a, "Savon noir").get_by_role("link", name=re.compile("^Modifier"))
    ).to_have_count(0)
    expect(
        entry(page_b, "Contente de revoir").get_by_role("link", name=re.compile("^Modifier"))
    ).to_be_visible()

    # Alice takes Bruno's need on: Bruno's page shows it live.
    need_a = entry(page_a, "Savon noir")
    need_a.get_by_label(re.compile("^Précision")).fill("j’apporte 2 litres")
    claimed = time.monotonic()
    need_a.get_by_role("button", name="Je m’en occupe").click()
    need_b = entry(page_b, "Savon noir")
    expect(need_b.locator(".need-status")).to_contain_text(
        "pris en charge", timeout=remaining(claimed)
    )
    expect(need_b.locator(".need-status")).to_contain_text("Alice s’en occupe (j’apporte 2 litres)")
    expect(need_b.get_by_role("button", name="Je m’en occupe")).to_have_count(0)
    expect(need_a.get_by_role("button", name="Je ne peux plus")).to_be_visible()
    expect(entry(page_c, "Savon noir").locator(".need-status")).to_contain_text("Alice s’en occupe")
    checked(page_b)

    # A conflicting edit: Alice and Bruno both open the edit page of Alice's billet.
    for page in (page_a, page_b):
        page.bring_to_front()
        with page.expect_navigation():
            entry(page, "Contente de revoir").get_by_role(
                "link", name=re.compile("^Modifier")
            ).click()
        expect(page.get_by_role("heading", name="Modifier : billet d’humeur")).to_be_visible()
        checked(page)
    alice_text = "*Contente* de revoir tout le monde. J’apporte le pain."
    bruno_text = "*Contente* de revoir **tout le monde** vendredi. Bruno fait la soupe."
    merged = "*Contente* de revoir tout le monde vendredi. J’apporte le pain, Bruno la soupe."

    # Both write at once; Alice saves first.
    page_b.get_by_label("Texte", exact=True).fill(bruno_text)
    page_a.bring_to_front()
    page_a.get_by_label("Texte", exact=True).fill(alice_text)
    with page_a.expect_navigation():
        page_a.get_by_role("button", name="Enregistrer").click()
    wait_until_joined(page_a)
    expect(entry(page_a, "J’apporte le pain.")).to_be_visible()
    checked(page_a)

    # Bruno's phone reloads the page before he saves: his unsaved text is still there.
    page_b.bring_to_front()
    page_b.reload()
    expect(page_b.get_by_label("Texte", exact=True)).to_have_value(bruno_text)
    checked(page_b)
    # He saves from the revision he started from: refused as stale, shown the merge view.
    with page_b.expect_navigation():
        page_b.get_by_role("button", name="Enregistrer").click()
    expect(page_b.get_by_role("heading", name="Deux versions à fusionner")).to_be_visible()
    mine = page_b.locator(".merge-mine")
    theirs = page_b.locator(".merge-theirs")
    expect(mine.get_by_role("heading", name="Votre version")).to_be_visible()
    expect(mine.get_by_label("Texte fusionné")).to_have_value(bruno_text)
    expect(
        theirs.get_by_role("heading", name=re.compile(r"^Version enregistrée \(n° 2, par Alice\)"))
    ).to_be_visible()
    saved = theirs.get_by_label("Texte de la version enregistrée")
    expect(saved).to_have_value(alice_text)
    expect(saved).not_to_be_editable()
    checked(page_b)

    mine.get_by_label("Texte fusionné").fill(merged)
    with page_b.expect_navigation():
        page_b.get_by_role("button", name="Enregistrer la fusion").click()
    wait_until_joined(page_b)
    merged_b = entry(page_b, "J’apporte le pain, Bruno la soupe.")
    expect(merged_b).to_be_visible()
    expect(merged_b.locator("em")).to_have_text("Contente")
    checked(page_b)
    for page in (page_a, page_b):  # saved: the edit drafts are forgotten
        page.wait_for_function(
            "() => !Object.keys(localStorage).some(k => k.startsWith('vendredi:edit:'))"
        )
    # The others see the merged text live; nothing of the stale versions is left on the page.
    expect(entry(page_c, "J’apporte le pain, Bruno la soupe.", kind="mood")).to_be_visible()
    expect(entry(page_a, "J’apporte le pain, Bruno la soupe.", kind="mood")).to_be_visible()
    expect(entry(page_c, "Contente de revoir", kind="mood")).to_have_count(1)

    # The history lists the three versions, newest first, with their authors.
    with page_b.expect_navigation():
        merged_b.get_by_role("link", name="modifié (3 versions)").click()
    expect(page_b.get_by_role("heading", name="Historique : Billet d’humeur")).to_be_visible()
    versions = page_b.locator("li.revision h2")
    expect(versions).to_have_count(3)
    expect(versions.nth(0)).to_contain_text("Version 3 — Bruno")
    expect(versions.nth(1)).to_contain_text("Version 2 — Alice")
    expect(versions.nth(2)).to_contain_text("Version 1 — Alice")
    expect(page_b.locator("#version-3")).to_contain_text("J’apporte le pain, Bruno la soupe.")
    expect(page_b.locator("#version-2")).to_contain_text("J’apporte le pain.")
    expect(page_b.locator("#version-1")).to_contain_text(
        "Contente de revoir tout le monde vendredi."
    )
    checked(page_b)


def test_a_draft_survives_a_reload_and_an_entry_written_offline_arrives_once(
    app, live_server, make_member, signed_in_page
):
    alice = make_member(name="Alice")
    bruno = make_member(name="Bruno")
    page_a = open_document(signed_in_page(alice, **PHONE), live_server)
    page_b = open_document(signed_in_page(bruno, **PHONE), live_server)
    expect(page_a.locator("#presence")).to_contain_text("Bruno")  # both are in the room
    expect(page_b.locator("#presence")).to_contain_text("Alice")

    # Bruno types a point to discuss, does not send it, and reloads: the draft is back.
    draft_title = "Horaires du ménage"
    draft_body = "Qui peut passer **samedi matin** ?"
    write_entry(page_b, "un point à discuter", draft_body, title=draft_title)
    page_b.reload()
    wait_until_joined(page_b)
    expect(page_b.get_by_label("Titre (facultatif)")).to_have_value(draft_title)
    expect(page_b.get_by_label(re.compile(r"^Texte"))).to_have_value(draft_body)
    expect(page_b.get_by_label("un point à discuter")).to_be_checked()
    expect(page_b.locator("#draft-status")).to_have_text(
        "Brouillon retrouvé : votre texte non envoyé a été restauré."
    )
    checked(page_b)
    sent = time.monotonic()
    send(page_b)
    expect(entry(page_a, draft_title, kind="topic")).to_be_visible(timeout=remaining(sent))
    expect(page_b.get_by_label("Titre (facultatif)")).to_have_value("")
    page_b.reload()
    wait_until_joined(page_b)
    expect(page_b.get_by_label(re.compile(r"^Texte"))).to_have_value("")  # the draft is gone
    expect(entry(page_b, draft_title)).to_have_count(1)
    checked(page_b)

    # Bruno's link drops.
    page_b.evaluate("window.__marker = 1")  # gone if the page ever reloads
    page_b.context.set_offline(True)
    page_b.evaluate("Vendredi.live.socket.io.engine.close()")
    banner = page_b.locator("#hors-ligne")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Hors ligne")

    # He writes a need anyway: it waits, visibly, in the outbox.
    offline_body = "Un coup de main pour **désherber** le jardin."
    write_entry(page_b, "un besoin", offline_body, title="Jardin")
    send(page_b)
    outbox = page_b.locator("#outbox")
    expect(outbox).to_be_visible()
    expect(outbox).to_contain_text("En attente d’envoi")
    expect(outbox.locator("li")).to_have_text(["Jardin"])
    expect(page_b.get_by_label(re.compile(r"^Texte"))).to_have_value("")
    checked(page_b)
    assert rows_with_body(offline_body) == 0
    expect(entry(page_a, "Jardin")).to_have_count(0)

    # Back online: sent once, on both pages, without reload.
    page_b.context.set_offline(False)
    expect(banner).to_be_hidden(timeout=10_000)
    expect(outbox).to_be_hidden()
    expect(entry(page_b, "Jardin", kind="need")).to_have_count(1)
    expect(entry(page_a, "Jardin", kind="need")).to_have_count(1)
    expect(entry(page_a, "Jardin").locator(".entry-body strong")).to_have_text("désherber")
    expect(page_a.locator('[data-count="need"]')).to_have_text("1")
    assert page_b.evaluate("window.__marker") == 1, "Bruno's page reloaded instead of sending"
    checked(page_b)

    # A reload proves it is stored once.
    page_b.reload()
    wait_until_joined(page_b)
    expect(entry(page_b, "Jardin")).to_have_count(1)
    expect(outbox).to_be_hidden()
    checked(page_b)
    assert rows_with_body(offline_body) == 1
