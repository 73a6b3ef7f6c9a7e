"""A proposal followed to the calendar, in a real browser: someone outside the cooperative
proposes an event on a phone and receives the status link by e-mail; on Friday the facilitator
puts it on the agenda, the meeting accepts it and creates the event in the same step; the
proposer's status page and e-mails show each step; the event is on `/agenda/`, in
`/agenda.ics` and in the widget, linked to its decision; moving it by an hour keeps its UID and
raises its SEQUENCE."""

import os
import re
from datetime import timedelta

import icalendar
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from meeting.extensions import db
from meeting.meetings import dates
from meeting.models import Decision, Event, EventProposal
from tests.browser.conftest import assert_accessible

LAPTOP = {"viewport": {"width": 1366, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SHOTS = os.environ.get("SHOTS_DIR")  # e.g. /tmp/shots/proposal-journey
TITLE = "Atelier réparation de vélos"


@pytest.fixture
def config_overrides(mail_config):
    return mail_config


def plain(text):
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def mails_to(mailbox, address, count):
    messages = [m for m in mailbox.wait_for(count, timeout=10) if m["To"] == address]
    assert len(messages) >= count, [m["Subject"] for m in mailbox.messages]
    return messages


def vevent(page, url, uid=None):
    response = page.request.get(url)
    assert response.status == 200
    calendar = icalendar.Calendar.from_ical(response.body())
    events = [c for c in calendar.walk("VEVENT") if str(c["SUMMARY"]) == TITLE]
    assert len(events) == 1
    if uid is not None:
        assert str(events[0]["UID"]) == uid
    return events[0]


def test_an_outside_proposal_travels_to_the_calendar(
    live_server, open_page, signed_in_page, make_member, smtp_server
):
    camille = make_member(role="facilitator", name="Camille")
    make_member(name="Inès")
    coming = dates.next_meeting_date()
    wished = coming + timedelta(days=15)
    address = "karim.benali@example.org"

    # -- an outsider proposes on a phone ---------------------------------------------------
    karim = open_page(**PHONE)
    karim.goto(f"{live_server.url}/proposer")
    assert_accessible(karim)
    karim.get_by_label("Votre nom").fill("Karim Benali")
    karim.get_by_label("Votre adresse e-mail").fill(address)
    karim.get_by_label("Titre de l’événement").fill(TITLE)
    karim.get_by_label("Description (Markdown)").fill(
        "Un atelier ouvert : régler ses freins, changer une chambre à air ; apportez un vélo."
    )
    karim.get_by_label("Date n° 1 (obligatoire)").fill(wished.isoformat())
    karim.get_by_label("Heure n° 1").fill("14:00")
    karim.get_by_label("Durée (en minutes)").fill("180")
    karim.get_by_label("Le Jardin du Ravelin").check()
    with karim.expect_navigation():
        karim.get_by_role("button", name="Envoyer la proposition").click()
    expect(karim.get_by_role("heading", level=1)).to_have_text("Merci, votre proposition est reçue")
    status_link = karim.locator(".status-link a").get_attribute("href")
    assert "/propositions/suivi/" in status_link
    shot(karim, "1-outsider-thanks")
    (received,) = mails_to(smtp_server, address, 1)
    assert status_link in smtp_server.body(received)

    # -- on Friday: on the agenda, then accepted with its event in the same step ---------------
    console = signed_in_page(camille, **LAPTOP)
    console.goto(f"{live_server.url}/vendredi/{coming.isoformat()}/animation")
    candidate = console.get_by_label(re.compile(re.escape(TITLE)))
    expect(console.locator("label", has_text=TITLE)).to_contain_text("Karim Benali")
    candidate.check()
    with console.expect_navigation():
        console.get_by_role("button", name="Mettre à l’ordre du jour").click()
    console.once("dialog", lambda dialog: dialog.accept())
    with console.expect_navigation():
        console.get_by_role("button", name="Commencer la réunion").click()
    expect(console.locator("body")).to_have_attribute("data-live", "connected", timeout=15_000)
    # the check-in first, then the proposal's point
    console.locator("[data-region=current]").get_by_role("button", name="Suivant →").click()
    expect(console.locator("[data-region=current]")).to_contain_text(TITLE, timeout=10_000)
    expect(console.locator("[data-region=current]")).to_contain_text("Karim Benali")
    form = console.locator('form[data-command="record_decision"]')
    expect(form.locator("legend", has_text=TITLE)).to_contain_text("Et la proposition")
    form.get_by_label("Décision (Markdown)").fill(
        "L’atelier vélo a lieu au Jardin du Ravelin ; Inès ouvre le portail."
    )
    form.get_by_role("radio", name="Acceptée").check()
    form.get_by_text("Si elle est acceptée : créer l’événement").click()
    form.get_by_label("Créer l’événement (avec « Acceptée »)").check()
    # prefilled from the proposal: its wished date, hour, duration and place
    expect(form.get_by_label("Titre de l’événement")).to_have_value(TITLE)
    expect(form.get_by_label("Début : le")).to_have_value(wished.isoformat())
    expect(form.get_by_label("à (heure)", exact=True)).to_have_value("14:00")
    expect(form.get_by_label("à (heure de fin)")).to_have_value("17:00")
    shot(console, "2-console-decision-with-event")
    assert_accessible(console)
    form.get_by_role("button", name="Enregistrer la décision").click()
    expect(console.locator("#region-decisions, [data-region=decisions]").first).to_contain_text(
        "L’atelier vélo a lieu", timeout=10_000
    )

    db.session.rollback()  # read what the server committed
    proposal = db.session.scalar(
        select(EventProposal).where(EventProposal.outside_name.is_not(None))
    )
    event = db.session.scalar(select(Event).where(Event.proposal_id == proposal.id))
    decision = db.session.scalar(select(Decision).where(Decision.id == event.decision_id))
    assert proposal.status == "scheduled" and decision.number == 1
    assert [c.to_status for c in proposal.changes] == [
        "submitted",
        "on_agenda",
        "accepted",
        "scheduled",
    ]
    uid = event.uid

    # -- the proposer sees each step, on the status page and in the e-mails ----------------------
    mails = mails_to(smtp_server, address, 4)
    bodies = [smtp_server.body(m) for m in mails]
    assert all(status_link in body for body in bodies)
    assert any("acceptée" in body and "L’atelier vélo a lieu" in body for body in bodies)
    assert any(f"/agenda/{event.id}" in body for body in bodies)
    karim.goto(status_link)
    steps = karim.locator(".proposal-timeline li, ol li")
    expect(karim.locator("main")).to_contain_text("acceptée")
    expect(karim.locator("main")).to_contain_text("programmée")
    expect(karim.locator("main")).to_contain_text("Décision n° 1")
    assert steps.count() >= 4
    assert "Camille" not in karim.locator("main").inner_text()  # no member named there
    assert_accessible(karim)
    shot(karim, "3-status-page-scheduled")

    # -- the calendar, the feed, the widget ------------------------------------------------------
    visitor = open_page(**PHONE)
    visitor.goto(f"{live_server.url}/agenda/?date={wished.isoformat()}")  # the month
    expect(visitor.locator("main")).to_contain_text(TITLE)
    assert_accessible(visitor)
    visitor.goto(f"{live_server.url}/agenda/?vue=liste&date={coming.isoformat()}")
    assert_accessible(visitor)
    visitor.get_by_role("link", name=TITLE).first.click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(visitor.locator("main")).to_contain_text("Décision n° 1")
    assert_accessible(visitor)
    shot(visitor, "4-event-page-phone")
    first = vevent(visitor, f"{live_server.url}/agenda.ics", uid)
    assert int(first["SEQUENCE"]) == 0
    assert str(first["URL"]).endswith(f"/agenda/{event.id}")
    assert first.decoded("DTSTART").strftime("%H:%M") == "14:00"
    visitor.goto(f"{live_server.url}/agenda/widget")
    expect(visitor.locator("body")).to_contain_text(TITLE)
    assert visitor.locator("script").count() == 0
    assert_accessible(visitor)
    visitor.goto(f"{live_server.url}/agenda/abonnement")
    subscribe = visitor.get_by_role("link", name="M’abonner (webcal)").first
    assert subscribe.get_attribute("href").startswith("webcal://")
    assert_accessible(visitor)

    # -- the facilitator moves it by an hour: same UID, SEQUENCE raised, the proposer told ----
    console.goto(f"{live_server.url}/agenda/{event.id}")
    expect(console.get_by_role("link", name="Décision n° 1")).to_be_visible()
    with console.expect_navigation():
        console.get_by_role("link", name="Modifier").click()
    console.get_by_label("Début").fill("15:00")
    console.get_by_label("Fin", exact=True).fill("18:00")
    with console.expect_navigation():
        console.get_by_role("button", name="Enregistrer").click()
    expect(console.locator("main")).to_contain_text("15 h 00")
    moved = vevent(visitor, f"{live_server.url}/agenda.ics", uid)
    assert int(moved["SEQUENCE"]) == 1
    assert moved.decoded("DTSTART").strftime("%H:%M") == "15:00"
    per_event = vevent(visitor, f"{live_server.url}/agenda/{event.id}.ics", uid)
    assert int(per_event["SEQUENCE"]) == 1
    mails = mails_to(smtp_server, address, 5)
    moved_mail = plain(smtp_server.body(mails[-1]))
    assert "15 h 00" in moved_mail, moved_mail
    karim.goto(status_link)
    expect(karim.locator("main")).to_contain_text("15 h 00")
