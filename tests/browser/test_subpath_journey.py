"""The place served under `/vendredi/` behind a real nginx (Debian's, started on a free port).

Everything a person does goes through the proxy: sign in, open the coming Friday's document,
add an entry with the live form (a socket command), follow the new entry's links on another
member's page (they arrived live), run the console, open the projector, advance a point, then
follow the join URL of the updated screen as a guest at the door and land on the phone page.
Links made for sockets and in the background must keep the prefix; the language switch too.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from meeting.meetings import services as meetings
from tests.browser.conftest import assert_accessible, sign_in_through_form
from tests.browser.test_live_meeting_journey import post_console

# The PostgreSQL pass runs the non-browser suite and this journey (scripts/test-services).
pytestmark = pytest.mark.production_path

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}


@pytest.fixture
def config_overrides():
    return {"PROXY_COUNT": 1}  # nginx, and only nginx, is trusted for X-Forwarded-*


def coming_friday():
    """The coming Friday at the place (today on a Friday), computed apart from the app."""
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    return today + timedelta(days=(4 - today.weekday()) % 7)


def document_joined(page):
    expect(page.locator("body")).to_have_attribute("data-live", "connected", timeout=15_000)
    page.wait_for_function("() => window.Vendredi && Vendredi.live.socket.connected")


def live_joined(page):
    """The live page's socket is up and in its view's room (a command answered after it)."""
    expect(page.locator("body")).to_have_attribute("data-live", "connected", timeout=15_000)
    page.wait_for_function(
        """() => { const live = document.getElementById("live");
                   return Vendredi.live.command("join_live",
                       {meeting_id: +live.dataset.meetingId, view: live.dataset.view})
                     .then(ack => ack.ok); }"""
    )


def test_a_friday_under_a_sub_path_behind_nginx(
    nginx_proxy, make_member, signed_in_page, open_page
):
    proxy = nginx_proxy
    base = proxy.url  # http://127.0.0.1:<port>/vendredi
    day = coming_friday().isoformat()
    document_url = f"{base}/vendredi/{day}/"
    alice = make_member(name="Alice")
    camille = make_member(role="facilitator", name="Camille")
    # The Friday has its row (a page opened before it has one joins no room yet).
    meetings.ensure_meeting(coming_friday())

    def signed_in(member, **context_args):
        page = open_page(**context_args)
        return sign_in_through_form(page, proxy, member)

    # -- the document: an entry added live, its links followed on another page -----------------
    page_a = signed_in(alice, **PHONE)
    assert page_a.url == base + "/"
    with page_a.expect_navigation():
        page_a.get_by_role("link", name=re.compile("^Ouvrir le document du")).click()
    assert page_a.url == document_url
    document_joined(page_a)
    page_c = signed_in(camille, **DESKTOP)
    page_c.goto(document_url)
    document_joined(page_c)
    assert_accessible(page_c)
    for page in (page_a, page_c):
        page.evaluate("window.__marker = 1")  # gone if the page ever reloads

    page_a.get_by_label("un point à discuter").check()
    page_a.get_by_label("Titre (facultatif)").fill("Horaires du ménage")
    page_a.get_by_label(re.compile(r"^Texte")).fill("Qui peut passer **samedi matin** ?")
    page_a.get_by_role("button", name="Ajouter au document", exact=True).click()
    entry = page_c.locator("article.entry", has_text="Horaires du ménage")
    expect(entry).to_be_visible()
    expect(entry.locator(".entry-body strong")).to_have_text("samedi matin")
    expect(page_a.locator("article.entry", has_text="Horaires du ménage")).to_be_visible()
    for page in (page_a, page_c):
        assert page.evaluate("window.__marker") == 1, f"{page.url} reloaded: not a live add"

    hrefs = entry.locator("a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    actions = entry.locator("form[action]").evaluate_all(
        "forms => forms.map(f => f.getAttribute('action'))"
    )
    assert len(hrefs) >= 2, hrefs  # "Modifier" and "Historique" for a facilitator
    for link in hrefs + actions:
        assert link.startswith(f"/vendredi/vendredi/{day}/"), link
    for link in hrefs:
        response = page_c.request.get(proxy.origin + link)
        assert response.status == 200, (link, response.status)
    with page_c.expect_navigation():
        entry.get_by_role("link", name="Historique").click()
    assert re.fullmatch(rf"{re.escape(document_url)}entrees/\d+/historique", page_c.url), page_c.url
    expect(page_c.get_by_role("heading", level=1)).to_have_text("Historique : Horaires du ménage")
    assert_accessible(page_c)

    # -- the console prepares and starts the meeting; the projector follows -----------------
    console = page_c
    console.goto(f"{base}/vendredi/{day}/animation")
    expect(console.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Animation\s:\s"))
    post_console(console, "Ajouter le tour d’inclusion et les décisions à revoir")
    console.get_by_label("Point à discuter : Horaires du ménage (Alice)").check()
    post_console(console, "Mettre à l’ordre du jour")
    screen = signed_in(camille, **PROJECTOR)
    screen.goto(f"{base}/vendredi/{day}/ecran")
    expect(screen.locator(".current-title")).to_have_text("La réunion n’a pas encore commencé.")
    live_joined(screen)
    screen.evaluate("window.__marker = 1")
    post_console(console, "Commencer la réunion")
    expect(screen.locator(".current-title")).to_have_text(re.compile("^Tour d’inclusion"))
    code = screen.locator(".join-code strong").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{6}", code), code

    # -- "Suivant" from the console (a socket command): the screen follows live --------------
    live_joined(console)
    for region in ("current", "status"):
        screen.evaluate(f"document.querySelector('[data-region={region}]').dataset.seen = 1")
    console.bring_to_front()
    console.get_by_role("button", name="Suivant →").click()
    expect(screen.locator(".current-title")).to_have_text("Horaires du ménage")
    expect(screen.locator("[data-region=current][data-seen]")).to_have_count(0)  # swapped live
    # Moving on does not touch the screen's status (its join URL); the projector's link drops
    # and comes back, and its `join_live` answer, rendered in the socket handler, swaps it in.
    screen.evaluate("Vendredi.live.socket.disconnect()")
    expect(screen.locator("body")).to_have_attribute("data-live", "disconnected")
    screen.evaluate("Vendredi.live.socket.connect()")
    expect(screen.locator("[data-region=status][data-seen]")).to_have_count(0, timeout=15_000)
    expect(screen.locator(".current-title")).to_have_text("Horaires du ménage")
    assert screen.evaluate("window.__marker") == 1, "the screen reloaded"
    join_text = screen.locator(".join-code").inner_text().replace("\xa0", " ")
    shown = re.search(r"téléphone\s*:\s*(\S+), code", join_text)
    assert shown, join_text
    join_url = shown.group(1)
    assert join_url == f"{base}/rejoindre", join_url
    expect(screen.get_by_role("img", name=f"QR code vers {join_url}")).to_be_visible()
    assert screen.locator(".join-code strong").inner_text() == code
    assert_accessible(screen)

    # -- a guest at the door follows the join URL of the updated screen -----------------------
    guest = open_page(**PHONE)
    guest.goto(join_url)
    expect(guest.get_by_role("heading", level=1)).to_have_text("Rejoindre la réunion en cours")
    assert_accessible(guest)
    guest.get_by_label("Code affiché à l’écran").fill(code.lower())
    guest.get_by_label("Votre prénom").fill("Zoé")
    with guest.expect_navigation():
        guest.get_by_role("button", name="Rejoindre").click()
    assert guest.url == f"{base}/vendredi/{day}/direct"
    expect(guest.get_by_text("Bienvenue Zoé ! Vous suivez la réunion en invité·e.")).to_be_visible()
    expect(guest.locator(".current-title")).to_have_text("Horaires du ménage")
    live_joined(guest)
    assert_accessible(guest)

    # -- the language switch keeps the page, under the prefix ---------------------------------
    page_a.bring_to_front()
    with page_a.expect_navigation():
        page_a.get_by_role("button", name="English").click()
    assert page_a.url == document_url
    expect(page_a.locator("html")).to_have_attribute("lang", "en")
    with page_a.expect_navigation():
        page_a.get_by_role("button", name="Français").click()
    assert page_a.url == document_url
    expect(page_a.locator("html")).to_have_attribute("lang", "fr")
