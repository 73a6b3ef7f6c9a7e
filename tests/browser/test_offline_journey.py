"""Vendredi on a phone without the network (Debian's Chromium, a phone of 390 × 844).

Alice opens the coming Friday's document: the service worker takes the page and keeps a copy.
Her phone loses the network and she reloads: the document is there, marked as the version saved
at such a time. She writes a billet: it waits, visibly, in the page's outbox; back online it is
sent by the page's live link and stored once. She signs out: what the browser kept is cleared,
and offline her document is no longer shown, only the offline page that names no one.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from sqlalchemy import func, select

from meeting.extensions import db
from meeting.meetings import services as meetings
from meeting.models import Entry
from meeting.prep import services as prep
from tests.browser.conftest import assert_accessible

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SHOTS = "/tmp"


def coming_friday():
    """The coming Friday at the place (today on a Friday), computed apart from the app."""
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    return today + timedelta(days=(4 - today.weekday()) % 7)


def rows_with_body(body):
    db.session.rollback()  # see what the server committed
    return db.session.scalar(select(func.count(Entry.id)).where(Entry.body == body))


def joined(page):
    expect(page.locator("body")).to_have_attribute("data-live", "connected", timeout=15_000)
    page.wait_for_function("() => window.Vendredi && Vendredi.live.socket.connected")


def controlled(page):
    """The service worker answers this page's requests."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)


def copy_kept(page, url):
    """The worker holds a copy of `url` for the reader of this page."""
    page.wait_for_function(
        """async url => {
             for (const name of await caches.keys()) {
               if (name.startsWith("vendredi-pages-") && await (await caches.open(name)).match(url))
                 return true;
             }
             return false;
           }""",
        arg=url,
        timeout=15_000,
    )


def page_caches(page):
    return page.evaluate(
        "async () => (await caches.keys()).filter(name => name.startsWith('vendredi-pages-'))"
    )


def no_horizontal_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways ({width} px)"


def test_the_document_reads_offline_a_billet_waits_and_signing_out_forgets_it(
    live_server, make_member, signed_in_page
):
    alice = make_member(name="Alice")
    friday = meetings.ensure_meeting(coming_friday())
    prep.add_entry(alice, friday.id, "topic", "Chauffage", "Le **bruit** de la chaudière la nuit.")
    url = f"{live_server.url}/vendredi/{coming_friday().isoformat()}/"

    # Alice opens the document on her phone; the service worker takes it and keeps a copy.
    page = signed_in_page(alice, **PHONE)
    page.goto(url)
    joined(page)
    controlled(page)
    copy_kept(page, url)
    expect(page.locator("html")).to_have_attribute("data-page-source", "network")
    expect(page.locator("#copie-enregistree")).to_be_hidden()

    # No network: a reload shows the saved copy, and says so.
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-page-source", "copy")
    banner = page.locator("#copie-enregistree")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(
        re.compile(
            r"Hors ligne\s: vous lisez la version enregistrée le [^ ]+ \d+(er)? .+ \d{4} à \d+\sh"
        )
    )
    expect(page.locator("#hors-ligne")).to_be_hidden()  # one banner, the copy's
    expect(page.locator("article.entry", has_text="Chauffage")).to_be_visible()
    expect(page.locator("body")).not_to_have_attribute("data-live", "connected")
    page.screenshot(path=f"{SHOTS}/offline-document-390x844.png")
    assert_accessible(page)
    no_horizontal_scroll(page)

    # She writes a billet anyway: it waits in the outbox, shown as not yet sent.
    body = "Contente de la **fête** de samedi, même sans réseau."
    page.get_by_label("un billet d’humeur").check()
    page.get_by_label(re.compile(r"^Texte")).fill(body)
    page.get_by_role("button", name="Ajouter au document", exact=True).click()
    outbox = page.locator("#outbox")
    expect(outbox).to_be_visible()
    expect(outbox).to_contain_text("En attente d’envoi")
    expect(page.get_by_label(re.compile(r"^Texte"))).to_have_value("")
    page.screenshot(path=f"{SHOTS}/offline-document-queued-390x844.png", full_page=True)
    assert_accessible(page)
    assert rows_with_body(body) == 0

    # Back online: the page's own link sends it (its operation id: once), without a reload;
    # the page still says it is the saved copy, with a way to reload it.
    page.evaluate("window.__marker = 1")
    page.context.set_offline(False)
    joined(page)
    expect(outbox).to_be_hidden(timeout=15_000)
    expect(page.locator("article.entry", has_text="fête")).to_have_count(1)
    expect(banner).to_contain_text("De nouveau en ligne")
    expect(banner.get_by_role("button", name="Recharger la page")).to_be_visible()
    assert page.evaluate("window.__marker") == 1, "sent by the page, not by a reload"
    assert rows_with_body(body) == 1
    assert_accessible(page)

    # A reload (online) is the fresh page again, the billet stored once.
    banner.get_by_role("button", name="Recharger la page").click()
    joined(page)
    expect(page.locator("html")).to_have_attribute("data-page-source", "network")
    expect(page.locator("#copie-enregistree")).to_be_hidden()
    expect(page.locator("article.entry", has_text="fête")).to_have_count(1)
    assert rows_with_body(body) == 1

    # A draft left on the phone, then she signs out: the browser forgets what it kept.
    page.get_by_label(re.compile(r"^Texte")).fill("Un brouillon pas encore envoyé.")
    assert page.evaluate("localStorage.length") > 0
    copy_kept(page, url)
    with page.expect_navigation():
        page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/connexion$"))
    expect(page.locator(".flashes")).to_contain_text("Vous êtes déconnecté·e.")
    assert page_caches(page) == []
    assert page.evaluate("localStorage.length") == 0, "Clear-Site-Data: storage"

    # Offline again, her document's address shows the offline page: nothing of hers.
    controlled(page)  # the sign-in page registered the worker again
    page.wait_for_function(
        "async () => !!(await caches.match(new URL('hors-ligne', document.baseURI).href))",
        timeout=15_000,
    )
    page.context.set_offline(True)
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hors ligne")
    expect(page.locator("main")).to_contain_text("n’est pas enregistrée sur cet appareil")
    content = page.content()
    assert "Chauffage" not in content and "fête" not in content and "Alice" not in content
    expect(page.locator("#copies")).to_be_hidden()
    page.screenshot(path=f"{SHOTS}/offline-page-after-sign-out-390x844.png")
    assert_accessible(page)
    page.context.set_offline(False)
