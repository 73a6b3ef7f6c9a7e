"""What a phone learns from the server's ack, and what it shows when the Friday is closed.

A refused answer names the field to correct (`field`), so that the phone puts the message
beside it; nothing is stored and nothing is published. The phone's late billet or point goes
through the document's own `add_entry` command. After the close, no page of the Friday shows
who had the floor, hand buttons or an answer form.
"""

import re

import pytest
from sqlalchemy import select

from meeting.extensions import db
from meeting.live import services as agenda
from meeting.meetings import services as meetings
from meeting.models import Entry, RoundAnswer


def plain(text):
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.fixture
def friday(live_friday, client_as, socket_for):
    """A live Friday with an open consent round; Théo's phone and Camille's screen joined."""
    camille_http, camille = client_as("facilitator", name="Camille")
    theo_http, theo = client_as(name="Théo")
    f = live_friday(camille, author=theo)
    f.camille, f.theo = camille, theo
    f.camille_http, f.theo_http = camille_http, theo_http
    f.phone = socket_for(theo_http)
    f.screen = socket_for(camille_http)
    for sock, view in ((f.phone, "phone"), (f.screen, "screen")):
        assert sock.command("join_live", {"meeting_id": f.meeting.id, "view": view})["ok"]
    f.round = agenda.start_round(camille, f.meeting.id, "consent", "Appeler un chauffagiste")
    db.session.commit()
    f.phone.facts()
    f.screen.facts()
    return f


def stored_answers(round_id):
    db.session.rollback()  # read what the server committed
    return db.session.scalars(select(RoundAnswer).where(RoundAnswer.round_id == round_id)).all()


def test_an_objection_without_reason_is_refused_at_the_reason_field_and_not_stored(friday):
    ack = friday.phone.command("answer_round", {"round_id": friday.round.id, "answer": "object"})
    assert ack["ok"] is False
    assert (ack["error"], ack["field"]) == ("missing_reason", "reason")
    assert plain(ack["message"]) == "Une objection s’accompagne d’une raison : écrivez-la."
    assert stored_answers(friday.round.id) == []
    # A blank reason is no reason.
    ack = friday.phone.command(
        "answer_round", {"round_id": friday.round.id, "answer": "object", "reason": "   "}
    )
    assert (ack["ok"], ack.get("field")) == (False, "reason")
    assert stored_answers(friday.round.id) == []


def test_a_reason_too_long_is_refused_at_the_reason_field(friday):
    ack = friday.phone.command(
        "answer_round",
        {"round_id": friday.round.id, "answer": "object", "reason": "x" * 2001},
    )
    assert (ack["ok"], ack["field"]) == (False, "reason")
    assert stored_answers(friday.round.id) == []


def test_an_answer_not_offered_is_refused_at_the_answer_field(friday):
    ack = friday.phone.command("answer_round", {"round_id": friday.round.id, "answer": "peut-être"})
    assert (ack["ok"], ack["error"], ack["field"]) == (False, "invalid_answer", "answer")
    assert stored_answers(friday.round.id) == []


def test_with_a_reason_the_objection_is_acked_then_stored_and_shown(friday):
    sent = {
        "round_id": friday.round.id,
        "answer": "object",
        "reason": "Trop cher cet hiver.",
        "op_id": "op-theo-1",
    }
    ack = friday.phone.command("answer_round", sent)
    assert ack["ok"] is True and "field" not in ack
    (row,) = stored_answers(friday.round.id)
    assert (row.answer, row.reason) == ("object", "Trop cher cet hiver.")
    results = agenda.round_results(friday.round)
    assert [(o["name"], o["reason"]) for o in results["objections"]] == [
        ("Théo", "Trop cher cet hiver.")
    ]


def test_the_phone_renders_its_answer_only_in_the_box_filled_after_the_ack(friday):
    page = friday.theo_http.get(f"/vendredi/{friday.meeting.scheduled_for.isoformat()}/direct")
    html = page.get_data(as_text=True)
    form = re.search(r'<form[^>]*data-command="answer_round".*?</form>', html, re.DOTALL).group(0)
    box = re.search(r"<p[^>]*data-my-answer-box[^>]*>", form).group(0)
    assert " hidden" in box  # nothing says an answer was sent before the ack
    assert re.search(r"<strong data-my-answer></strong>", form)
    assert 'name="reason"' in form


def test_the_late_entry_goes_through_the_document_command_and_adds_once(friday):
    page = friday.theo_http.get(f"/vendredi/{friday.meeting.scheduled_for.isoformat()}/direct")
    html = page.get_data(as_text=True)
    form = re.search(r'<form[^>]*id="late-entry".*?</form>', html, re.DOTALL).group(0)
    assert 'data-command="add_entry"' in form
    assert f'name="meeting_id" value="{friday.meeting.id}"' in form
    assert "Ajouté au document." in form  # the confirmation shown once acked
    sent = {
        "meeting_id": friday.meeting.id,
        "kind": "mood",
        "body": "Content d’être là.",
        "op_id": "op-late-0001",
    }
    first = friday.phone.command("add_entry", sent)
    assert first["ok"] is True, first
    again = friday.phone.command("add_entry", sent)  # resent after a Wi-Fi drop
    assert again["entry_id"] == first["entry_id"]
    db.session.rollback()
    bodies = db.session.scalars(
        select(Entry.body).where(Entry.meeting_id == friday.meeting.id, Entry.kind == "mood")
    ).all()
    assert bodies == ["Content d’être là."]


def test_an_empty_late_entry_is_refused_and_adds_nothing(friday):
    ack = friday.phone.command(
        "add_entry", {"meeting_id": friday.meeting.id, "kind": "topic", "body": "  "}
    )
    assert (ack["ok"], ack["error"]) == (False, "empty_body")
    assert ack["message"]
    db.session.rollback()
    assert (
        db.session.scalars(
            select(Entry).where(Entry.meeting_id == friday.meeting.id, Entry.kind == "topic")
        ).all()
        == friday.entries
    )


def live_pages(friday):
    day = friday.meeting.scheduled_for.isoformat()
    return {
        "phone": friday.theo_http.get(f"/vendredi/{day}/direct").get_data(as_text=True),
        "screen": friday.camille_http.get(f"/vendredi/{day}/ecran").get_data(as_text=True),
    }


def test_after_the_close_no_page_shows_the_floor_hands_or_an_answer_form(friday):
    hand = agenda.raise_hand(friday.theo, friday.meeting.id)
    agenda.give_floor(friday.camille, friday.meeting.id, hand.id)
    agenda.raise_hand(friday.camille, friday.meeting.id)
    db.session.commit()
    before = live_pages(friday)
    assert "À la parole" in before["phone"] and "À la parole" in before["screen"]
    assert "Lever la main" in before["phone"] or "Baisser la main" in before["phone"]
    assert 'data-command="answer_round"' in before["phone"]

    meetings.close_meeting(friday.camille, friday.meeting.id)
    facts = friday.phone.facts("live_updated")
    assert facts, "the close reaches the phones"
    regions = facts[-1]["args"][0]["regions"]
    for html in (regions["queue"], regions["round"]):
        assert "À la parole" not in html
        assert "Lever la main" not in html and "Baisser la main" not in html
        assert "answer_round" not in html
    after = live_pages(friday)
    for view, html in after.items():
        assert "À la parole" not in html, view
        assert "Lever la main" not in html and "Baisser la main" not in html, view
        assert 'data-command="answer_round"' not in html, view
        assert "queue-list" not in html, view
    assert "Tour fermé" in after["phone"]  # the last round's results stay to read
    assert 'id="late-entry"' not in after["phone"]
