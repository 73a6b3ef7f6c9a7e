"""The facilitator's console at the table, in a real browser: a phone that follows is proposed
as present, "Tout le monde est là", a refusal beside its button, starting asks first, and the
decision form filled from the round's objections and how they were lifted."""

import os
import re

from playwright.sync_api import expect

from meeting.extensions import db
from meeting.live import services as agenda
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.prep import services as prep
from tests.browser.conftest import assert_accessible

LAPTOP = {"viewport": {"width": 1366, "height": 768}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SHOTS = os.environ.get("SHOTS_DIR")  # e.g. /tmp/shots/console-friction


def shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_the_console_at_the_table(live_server, signed_in_page, make_member):
    camille = make_member(role="facilitator", name="Camille")
    ines, _marc, theo = (make_member(name=n) for n in ("Inès", "Marc", "Théo"))
    meeting = meetings.ensure_meeting(dates.next_meeting_date())
    day = meeting.scheduled_for.isoformat()
    entry = prep.add_entry(theo, meeting.id, "topic", "Chauffage", "On a froid.")
    agenda.add_entries(camille, meeting.id, [entry.id])
    console_url = f"{live_server.url}/vendredi/{day}/animation"

    console = signed_in_page(camille, **LAPTOP)
    console.goto(console_url)
    expect(console.locator("body")).to_have_attribute("data-live", "connected", timeout=15_000)
    expect(console.locator("form.followers-form")).to_have_count(0)

    # Inès opens the phone page while the console is open: proposed there without a reload
    phone = signed_in_page(ines, **PHONE)
    phone.goto(f"{live_server.url}/vendredi/{day}/direct")
    expect(phone.locator("body")).to_have_attribute("data-live", "connected", timeout=15_000)
    followers = console.locator("form.followers-form")
    expect(followers).to_contain_text("Suit sur son téléphone : Inès", timeout=10_000)
    shot(console, "1-console-preparing-follower-proposed")
    with console.expect_navigation():
        followers.get_by_role("button").click()
    ines_present = console.get_by_role("button", name="Présent·e — Inès")
    expect(ines_present).to_have_attribute("aria-pressed", "true")
    expect(console.locator("form.followers-form")).to_have_count(0)
    expect(console.get_by_role("button", name="Présent·e — Marc")).to_have_attribute(
        "aria-pressed", "false"
    )
    with console.expect_navigation():
        console.get_by_role("button", name="Excusé·e — Marc").click()
    with console.expect_navigation():
        console.get_by_role("button", name="Tout le monde est là").click()
    expect(console.get_by_role("button", name="Présent·e — Théo")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(console.get_by_role("button", name="Excusé·e — Marc")).to_have_attribute(
        "aria-pressed", "true"
    )
    # a second time: nothing to do, said beside the button, not at the top of the page
    with console.expect_navigation():
        console.get_by_role("button", name="Tout le monde est là").click()
    refusal = console.locator("form.everyone-form .form-error")
    expect(refusal).to_contain_text("rien à changer")
    assert (
        refusal.bounding_box()["y"]
        > console.get_by_role("heading", name="Présences").first.bounding_box()["y"]
    )
    assert_accessible(console)
    shot(console, "2-console-refusal-beside-button")

    asked = []
    console.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    with console.expect_navigation():
        console.get_by_role("button", name="Commencer la réunion").click()
    assert asked and asked[0].replace("\u202f", " ").startswith("Commencer la réunion ?")
    expect(console.locator("body")).to_have_attribute("data-live", "connected", timeout=15_000)

    db.session.rollback()  # read what the server committed
    meeting = meetings.get_meeting(meeting.id)
    assert meeting.status == "live"
    agenda.advance(camille, meeting.id, meeting.live_revision)
    round_ = agenda.start_round(camille, meeting.id, "consent", "Appeler un chauffagiste")
    agenda.answer_round(theo, round_.id, "object", "Trop cher")
    agenda.answer_round(ines, round_.id, "abstain")
    agenda.answer_round(theo, round_.id, "for")
    agenda.close_round(camille, round_.id)
    # the fact swaps the decision form in: it names the round and takes its objections
    form = console.locator('form[data-command="record_decision"]')
    expect(form).to_contain_text("D’après le tour : « Appeler un chauffagiste »")
    expect(form.get_by_label("Objections soulevées (facultatif)")).to_have_value(
        re.compile(r"^Théo\s:\sTrop cher$")
    )
    expect(form.get_by_label("Comment elles ont été levées")).to_have_value(
        re.compile(r"^Théo\s:\srépond maintenant «\spour\s»$")
    )
    form.get_by_label("Décision (Markdown)").fill("On appelle le chauffagiste.")
    form.scroll_into_view_if_needed()
    shot(console, "3-console-decision-prefilled")
    assert_accessible(console)
    small = signed_in_page(camille, **PHONE)
    small.goto(console_url)
    shot(small, "4-console-phone-size")
