"""Finding your way on Friday in real browsers.

1. A facilitator on a laptop goes from home to the console in one click ("Préparer
   l’animation"), then starts the meeting from the document: the confirmation is asked (refused
   once: nothing starts; then accepted) and she lands on the console of the live Friday.
2. A member on a phone reaches the phone page from home in one click on the "En direct"
   banner and sees the point being discussed; once the Friday is closed, home names the next one.
"""

from datetime import timedelta
from pathlib import Path

from playwright.sync_api import expect

from meeting.extensions import db
from meeting.live import services as agenda
from meeting.meetings import services as meetings
from tests.browser.conftest import assert_accessible

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
SHOTS = Path("/tmp/shots/wayfinding")


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page):
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_facilitator_goes_from_home_to_the_console_and_starts_from_the_document(
    live_server, signed_in_page, live_friday, make_member
):
    camille = make_member(role="facilitator", name="Camille")
    friday = live_friday(camille, topics=("Chauffage", "Jardin"), started=False)
    day = friday.meeting.scheduled_for.isoformat()
    page = signed_in_page(camille, **LAPTOP)
    page.goto(live_server.url + "/")
    assert_accessible(page)
    expect(page.get_by_text("En direct : suivre sur mon téléphone")).to_have_count(0)
    shot(page, "home-preparing-facilitator-laptop")

    # one click from home to the console
    with page.expect_navigation():
        page.get_by_role("link", name="Préparer l’animation").click()
    assert page.url.endswith(f"/vendredi/{day}/animation")
    assert_accessible(page)

    # from the document: "Commencer la réunion" asks first; refusing starts nothing
    page.goto(live_server.url + f"/vendredi/{day}/")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Commencer la réunion").click()
    page.wait_for_timeout(300)
    assert asked and asked[0].startswith("Commencer la réunion maintenant")
    assert page.url.endswith(f"/vendredi/{day}/")
    db.session.rollback()
    assert meetings.find_meeting(friday.meeting.scheduled_for).status == "preparing"

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_role("button", name="Commencer la réunion").click()
    assert page.url.endswith(f"/vendredi/{day}/animation")
    expect(page.locator(".phase").first).to_have_text("Réunion en cours")
    expect(page.get_by_role("button", name="Suivant →")).to_be_visible()
    assert_accessible(page)

    # home now says it is live, with the console and the projector for her
    page.goto(live_server.url + "/")
    banner = page.locator(".live-banner")
    expect(banner.get_by_role("link", name="Animer")).to_have_attribute(
        "href", f"/vendredi/{day}/animation"
    )
    expect(banner.get_by_role("link", name="Écran à projeter")).to_have_attribute(
        "href", f"/vendredi/{day}/ecran"
    )
    assert_accessible(page)
    shot(page, "home-live-facilitator-laptop")


def test_a_member_on_a_phone_reaches_the_live_page_from_home_in_one_click(
    live_server, signed_in_page, live_friday, make_member
):
    theo = make_member(name="Théo")
    friday = live_friday(topics=("Chauffage", "Jardin"), author=theo)
    camille = friday.facilitator
    meeting_id = friday.meeting.id
    agenda.advance(camille, meeting_id, meetings.get_meeting(meeting_id).live_revision)
    day = friday.meeting.scheduled_for.isoformat()

    page = signed_in_page(theo, **PHONE)
    page.goto(live_server.url + "/")
    banner = page.locator(".live-banner")
    expect(banner).to_be_visible()
    # a member: the way to follow, not the console nor the projector
    expect(banner.get_by_role("link")).to_have_count(1)
    assert_accessible(page)
    no_sideways_scroll(page)
    # the banner is seen without scrolling
    box = banner.bounding_box()
    assert box["y"] + box["height"] <= PHONE["viewport"]["height"], box
    shot(page, "home-live-member-phone")

    with page.expect_navigation():
        banner.get_by_role("link", name="En direct : suivre sur mon téléphone").click()
    assert page.url.endswith(f"/vendredi/{day}/direct")
    expect(page.locator(".current-title")).to_have_text("Chauffage")
    assert_accessible(page)
    no_sideways_scroll(page)

    # the document says it too
    page.goto(live_server.url + f"/vendredi/{day}/")
    expect(page.locator(".live-banner").get_by_role("link")).to_have_count(1)
    shot(page, "document-live-member-phone")

    # closed (the open document reloads for its new phase): home names the next Friday,
    # nothing live is left on it
    with page.expect_navigation():
        agenda.close_live(camille, meeting_id)
    next_iso = (friday.meeting.scheduled_for + timedelta(days=7)).isoformat()
    page.goto(live_server.url + "/")
    expect(page.locator(".live-banner")).to_have_count(0)
    expect(page.locator(f'a[href="/vendredi/{next_iso}/"]').first).to_be_visible()
    assert_accessible(page)
    shot(page, "home-closed-member-phone")
    page.set_viewport_size(LAPTOP["viewport"])
    shot(page, "home-closed-member-laptop")

    # the next Friday's document lists what was carried to it
    page.goto(live_server.url + f"/vendredi/{next_iso}/")
    expect(page.locator(".carried-over li")).to_have_count(2)
    expect(page.locator(".carried-over")).to_contain_text("Jardin")
    assert_accessible(page)
    shot(page, "next-document-carried-laptop")
