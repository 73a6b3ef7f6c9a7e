"""A member follows her proposal on "Mes propositions" on her phone: each step the Friday takes
(on the agenda, carried to the next Friday, accepted) changes her card without a reload, and
the menu counts her unread notifications once the page is reloaded."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from meeting.extensions import db
from meeting.i18n import long_date
from meeting.live import services as agenda
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.pipeline import change
from meeting.proposals import services as proposals
from tests.browser.conftest import assert_accessible

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_my_proposal_moves_on_my_phone_without_a_reload(live_server, signed_in_page, make_member):
    camille = make_member(role="facilitator", name="Camille")
    lucie = make_member(name="Lucie")
    meeting = meetings.ensure_meeting(dates.next_meeting_date())
    proposal = proposals.propose_event(
        lucie,
        meeting.id,
        "Soirée jeux",
        "Chacun apporte un jeu.",
        [((meeting.scheduled_for + timedelta(days=8)).isoformat(), "19:00")],
        180,
        "house",
    )
    page = signed_in_page(lucie, **PHONE)
    page.goto(f"{live_server.url}/propositions/")
    expect(page.locator("#proposals")).to_have_attribute("data-synced", "true", timeout=15_000)
    card = page.locator(f"#proposition-{proposal.id}")
    expect(card).to_contain_text("proposée")

    agenda.add_entries(camille, meeting.id, [proposal.entry_id])
    expect(card).to_contain_text("à l’ordre du jour", timeout=10_000)
    friday = re.compile(r"À l’ordre du jour du vendredi")
    expect(card).to_contain_text(friday)

    meetings.start_meeting(camille, meeting.id)
    meetings.close_meeting(camille, meeting.id)  # not reached: carried to the next Friday
    next_day = meeting.scheduled_for + timedelta(days=7)
    expect(card).to_contain_text(long_date(next_day), timeout=10_000)
    db.session.rollback()
    proposal = proposals.get_proposal(lucie, proposal.id)
    assert proposal.agenda_meeting.scheduled_for == next_day

    with change() as c:
        proposals.move_status(c, camille, proposal, "accepted", reason="Oui, un vendredi sur deux.")
    expect(card).to_contain_text("acceptée", timeout=10_000)
    page.reload()
    # on the agenda, carried, accepted: three steps someone else made, three notifications
    expect(page.get_by_role("link", name=re.compile(r"^Notifications"))).to_contain_text("3")
    assert_accessible(page)
