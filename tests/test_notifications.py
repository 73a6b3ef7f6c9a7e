"""Signed-in proposers told in the app: a notification when someone else moves their proposal,
`/notifications` (newest first, "Tout marquer comme lu"), the unread count, and the live row of
"Mes propositions", sent to the proposer's own room only."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from meeting.extensions import db
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.models import EventProposal, Notification
from meeting.notifications import services as notifications
from meeting.pipeline import change
from meeting.proposals import services as proposals
from tests.conftest import post_form

WISHED = (date.today() + timedelta(days=30)).isoformat()


@pytest.fixture
def proposal_of(app):
    def make(member, title="Concert au jardin"):
        meeting = meetings.ensure_meeting(dates.next_meeting_date())
        return proposals.propose_event(
            member, meeting.id, title, "Un concert.", [(WISHED, "20:00")], "90", "garden"
        )

    return make


def move(actor, proposal_id, to_status, reason=None):
    proposal = db.session.get(EventProposal, proposal_id)
    with change() as c:
        proposals.move_status(c, actor, proposal, to_status, reason=reason)
    db.session.expire_all()


def test_someone_else_moving_it_notifies_the_proposer(client_as, make_member, proposal_of):
    ines_client, ines = client_as(name="Inès")
    camille = make_member(role="facilitator", name="Camille")
    proposal = proposal_of(ines)
    assert notifications.unread_count(ines) == 0
    move(camille, proposal.id, "on_agenda")
    move(camille, proposal.id, "accepted", reason="Oui !")
    assert notifications.unread_count(ines) == 2
    assert notifications.unread_count(camille) == 0
    page = ines_client.get("/notifications").get_data(as_text=True)
    assert "2 notifications non lues" in page
    newest = page.index("est maintenant acceptée")
    assert newest < page.index("est maintenant à l’ordre du jour")  # newest first
    assert "Tout marquer comme lu" in page
    response = post_form(ines_client, "/notifications/lu")
    assert response.status_code == 302
    db.session.expire_all()
    assert notifications.unread_count(ines) == 0
    assert "Tout est lu." in ines_client.get("/notifications").get_data(as_text=True)


def test_own_moves_notify_nobody(make_member, proposal_of):
    ines = make_member(name="Inès")
    proposal = proposal_of(ines)
    move(ines, proposal.id, "withdrawn")
    assert db.session.scalar(select(func.count(Notification.id))) == 0


def test_notifications_are_for_their_member_only(client_as, make_member, proposal_of):
    _ines_client, ines = client_as(name="Inès")
    marc_client, _marc = client_as(name="Marc")
    proposal = proposal_of(ines)
    move(make_member(role="facilitator"), proposal.id, "on_agenda")
    page = marc_client.get("/notifications").get_data(as_text=True)
    assert "Concert au jardin" not in page and "Aucune notification" in page
    # Marc's "Tout marquer comme lu" leaves Inès's unread.
    post_form(marc_client, "/notifications/lu")
    db.session.expire_all()
    assert notifications.unread_count(ines) == 1


def test_anonymous_visitor_is_sent_to_sign_in(client):
    assert client.get("/notifications").status_code == 302
    assert notifications.unread_count(None) == 0


def test_live_row_and_count_reach_the_proposer_only(
    app, client_as, make_member, proposal_of, socket_for, client
):
    ines_client, ines = client_as(name="Inès")
    marc_client, _marc = client_as(name="Marc")
    proposal = proposal_of(ines)
    ines_socket = socket_for(ines_client)
    marc_socket = socket_for(marc_client)
    anonymous_socket = socket_for(client)
    for sock in (ines_socket, marc_socket, anonymous_socket):
        sock.facts()
    move(make_member(role="facilitator"), proposal.id, "on_agenda")
    received = ines_socket.facts()
    changed = [f for f in received if f["name"] == "proposal_changed"]
    assert len(changed) == 1
    fact = changed[0]["args"][0]
    assert fact["proposal_id"] == proposal.id and fact["status"] == "on_agenda"
    assert f'id="proposition-{proposal.id}"' in fact["html"]
    assert "à l’ordre du jour" in fact["html"]
    counts = [f for f in received if f["name"] == "notifications_changed"]
    assert counts and counts[-1]["args"][0]["unread"] == 1
    for other in (marc_socket, anonymous_socket):
        received = other.facts()
        assert not [
            f for f in received if f["name"] in ("proposal_changed", "notifications_changed")
        ]
        assert "Concert au jardin" not in str([f for f in received if f["name"] != "trace_added"])


def test_mark_read_round_trip_over_the_socket(client_as, make_member, proposal_of, socket_for):
    ines_client, ines = client_as(name="Inès")
    proposal = proposal_of(ines)
    move(make_member(role="facilitator"), proposal.id, "on_agenda")
    sock = socket_for(ines_client)
    sock.facts()
    ack = sock.command("mark_notifications_read", {})
    assert ack["ok"] is True and ack["marked"] == 1 and ack["unread"] == 0
    assert sock.facts("notifications_changed")[-1]["args"][0]["unread"] == 0
    db.session.expire_all()
    assert notifications.unread_count(ines) == 0


def test_sync_proposals_answers_the_members_rows(client_as, proposal_of, socket_for, client):
    ines_client, ines = client_as(name="Inès")
    proposal = proposal_of(ines)
    ack = socket_for(ines_client).command("sync_proposals", {})
    assert ack["ok"] and f'id="proposition-{proposal.id}"' in ack["html"]
    marc_client, _marc = client_as(name="Marc")
    ack = socket_for(marc_client).command("sync_proposals", {})
    assert ack["ok"] and ack["html"] == ""
    assert socket_for(client).command("sync_proposals", {})["error"] == "not_signed_in"


def test_mine_and_show_tell_the_friday_and_the_timeline(client_as, make_member, proposal_of):
    ines_client, ines = client_as(name="Inès")
    camille = make_member(role="facilitator", name="Camille")
    proposal = proposal_of(ines)
    meeting = meetings.ensure_meeting(dates.next_meeting_date())
    proposal = db.session.get(EventProposal, proposal.id)
    with change() as c:
        proposals.put_on_agenda(c, camille, proposal, meeting)
    page = ines_client.get("/propositions/").get_data(as_text=True)
    assert "À l’ordre du jour du" in page and 'src="/static/js/proposals.js"' in page
    show = ines_client.get(f"/propositions/{proposal.id}").get_data(as_text=True)
    assert "proposée → <strong" in show and "par l’animation" in show
    assert "Camille" not in show.split("Historique du statut", 1)[1]
    assert "Ne plus recevoir d’e-mails" in show and "Retirer ma proposition" in show


def test_member_stops_emails_and_resubmits_from_their_page(client_as, make_member, proposal_of):
    ines_client, ines = client_as(name="Inès")
    marc_client, _marc = client_as(name="Marc")
    proposal = proposal_of(ines)
    assert post_form(marc_client, f"/propositions/{proposal.id}/courriels", {}).status_code == 403
    post_form(ines_client, f"/propositions/{proposal.id}/courriels", {"receive": "0"})
    db.session.expire_all()
    assert db.session.get(EventProposal, proposal.id).emails_stopped_at is not None
    move(make_member(role="facilitator"), proposal.id, "to_rework", reason="Quelle heure ?")
    values = {
        "title": "Concert au jardin, en plein air",
        "description": "Un concert, dehors.",
        "date_1": WISHED,
        "time_1": "18:00",
        "duration_minutes": "60",
        "place": "garden",
    }
    refused = post_form(marc_client, f"/propositions/{proposal.id}/renvoyer", values)
    assert refused.status_code == 403
    bad = post_form(ines_client, f"/propositions/{proposal.id}/renvoyer", {**values, "date_1": ""})
    assert bad.status_code == 400
    assert "Indiquez la date de cette heure souhaitée." in bad.get_data(as_text=True)
    bad = post_form(
        ines_client, f"/propositions/{proposal.id}/renvoyer", {**values, "date_1": "", "time_1": ""}
    )
    assert "Indiquez au moins une date souhaitée." in bad.get_data(as_text=True)
    ok = post_form(ines_client, f"/propositions/{proposal.id}/renvoyer", values)
    assert ok.status_code == 302
    db.session.expire_all()
    proposal = db.session.get(EventProposal, proposal.id)
    assert proposal.status == "submitted" and proposal.title == "Concert au jardin, en plein air"
