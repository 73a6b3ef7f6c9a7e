"""A whole short meeting through the services (the live console's path)."""

from datetime import timedelta

import pytest

from meeting.decisions import services as decisions
from meeting.decisions.services import present_names
from meeting.errors import Conflict, ServiceError
from meeting.extensions import db
from meeting.live import services as agenda
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.models import AgendaItem, Decision
from meeting.prep import services as prep


def test_a_short_meeting_from_check_in_to_close(app, make_member):
    facilitator = make_member(role="facilitator", name="Camille")
    member = make_member(name="Théo")
    meeting = meetings.ensure_meeting(dates.next_meeting_date())
    topic = prep.add_entry(member, meeting.id, "topic", "Chauffage", "Le chauffage fait du bruit")
    need = prep.add_entry(member, meeting.id, "need", "Savon", "Plus de savon")
    agenda.prepare_agenda(facilitator, meeting.id)
    assert agenda.add_entries(facilitator, meeting.id, [topic.id, need.id]) == 2
    items = agenda.agenda_items(meeting.id)
    assert [i.kind for i in items] == ["checkin", "topic", "need"]
    agenda.start_live(facilitator, meeting.id)
    db.session.refresh(meeting)
    assert meeting.status == "live" and len(meeting.join_code) == 6
    assert agenda.current_item(meeting.id).kind == "checkin"
    agenda.advance(facilitator, meeting.id, meeting.live_revision)
    db.session.refresh(meeting)
    # a second press from the same revision is refused: one step, not two
    with pytest.raises(Conflict):
        agenda.advance(facilitator, meeting.id, meeting.live_revision - 1)
    assert agenda.current_item(meeting.id).title == "Chauffage"
    guest = agenda.join_as_guest(meeting.join_code.lower(), "Ana")
    round_ = agenda.start_round(facilitator, meeting.id, "consent", "Appeler un chauffagiste")
    agenda.answer_round(member, round_.id, "object", "Trop cher")
    agenda.answer_round(member, round_.id, "for")
    from meeting.live.guests import Guest

    agenda.answer_round(Guest(guest.id, meeting.id, "Ana"), round_.id, "for")
    results = agenda.round_results(round_)
    assert results["counts"]["for"] == {"members": 1, "guests": 1} and results["total"] == 2
    agenda.close_round(facilitator, round_.id)
    with pytest.raises(ServiceError):
        decisions.record_decision(facilitator, meeting.id, "  ", "consent")
    decision = decisions.record_decision(
        facilitator,
        meeting.id,
        "On appelle un chauffagiste.",
        "consent",
        objections="Trop cher",
        objections_lifted="Devis d’abord",
        review_on=None,
    )
    assert decision.number == 1 and "Théo" in present_names(decision)
    with pytest.raises(ServiceError):
        decisions.add_action(
            facilitator,
            meeting.id,
            "Appeler",
            member.id,
            (dates.today_in_place() - timedelta(days=1)).isoformat(),
        )
    decisions.add_action(
        facilitator,
        meeting.id,
        "Appeler le chauffagiste",
        member.id,
        (dates.today_in_place() + timedelta(days=3)).isoformat(),
    )
    db.session.refresh(meeting)
    agenda.advance(facilitator, meeting.id, meeting.live_revision)
    agenda.postpone(facilitator, meeting.id, agenda.current_item(meeting.id).id)
    agenda.close_live(facilitator, meeting.id)
    following = meetings.find_meeting(meeting.scheduled_for + timedelta(days=7))
    carried = db.session.scalars(
        db.select(AgendaItem).where(AgendaItem.meeting_id == following.id)
    ).all()
    assert [(i.kind, i.title) for i in carried] == [("carried", "Savon")]
    assert db.session.scalar(db.select(db.func.count(Decision.id))) == 1


def test_console_screen_phone_and_join_pages_render(app, client_as, make_member):
    from tests.conftest import post_form

    client, facilitator = client_as("facilitator", name="Camille")
    meeting = meetings.ensure_meeting(dates.next_meeting_date())
    day = meeting.scheduled_for.isoformat()
    entry = prep.add_entry(facilitator, meeting.id, "topic", "Chauffage", "Bruit")
    page = client.get(f"/vendredi/{day}/animation")
    assert page.status_code == 200 and "Avant de commencer" in page.get_data(as_text=True)
    assert (
        post_form(
            client, f"/vendredi/{day}/animation", {"op": "add_entries", "entry_id": str(entry.id)}
        ).status_code
        == 303
    )
    assert post_form(client, f"/vendredi/{day}/animation", {"op": "start"}).status_code == 303
    text = client.get(f"/vendredi/{day}/animation").get_data(as_text=True)
    assert "Tour d’inclusion" in text and "Suivant" in text
    screen = client.get(f"/vendredi/{day}/ecran").get_data(as_text=True)
    db.session.refresh(meeting)
    assert meeting.join_code in screen and "data:image/svg+xml" in screen
    assert client.get(f"/vendredi/{day}/direct").status_code == 200
    guest = app.test_client()
    response = post_form(guest, "/rejoindre", {"code": meeting.join_code, "first_name": "Ana"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/direct")
    text = guest.get(f"/vendredi/{day}/direct").get_data(as_text=True)
    assert "Bienvenue Ana" in text
    assert guest.get(f"/vendredi/{day}/animation").status_code == 302
    bad = post_form(app.test_client(), "/rejoindre", {"code": "ZZZZZZ", "first_name": "Bob"})
    assert bad.status_code == 400 and "Ce code ne correspond" in bad.get_data(as_text=True)
