"""Moving to the next point sends the phones and the console only the points that changed.

A phone's fact goes to every phone of the room: with a long agenda, the whole list in every
"Suivant" was most of its bytes. When only some points' statuses change (next, previous,
postponing), the views that list every point get those points alone (`agenda_items`) and the
estimated end (`agenda_end`), for a list at the fact's `agenda_revision`; the projector, whose
short list shifts, still gets its region.
"""

import json
import re

import pytest

from meeting.extensions import db
from meeting.live import budget, state
from meeting.live import services as agenda
from meeting.live.items import add_budget_point
from meeting.models import Meeting
from meeting.realtime import render_context

TOPICS = [f"Sujet numéro {n} : le chauffage de la salle du bas" for n in range(1, 20)]


@pytest.fixture
def friday(client_as, socket_for, live_friday):
    """A live Friday of 20 points (check-in current) with a console, a screen, a member's phone
    and a guest's phone joined."""
    console_http, camille = client_as("facilitator", name="Camille")
    phone_http, _theo = client_as(name="Théo")
    f = live_friday(camille, topics=TOPICS)
    f.console = socket_for(console_http)
    f.screen = socket_for(console_http)
    f.phone = socket_for(phone_http)
    f.guest_sock = socket_for(f.guest("Ana"))
    for sock, view in (
        (f.console, "console"),
        (f.screen, "screen"),
        (f.phone, "phone"),
        (f.guest_sock, "phone"),
    ):
        assert sock.command("join_live", {"meeting_id": f.meeting.id, "view": view})["ok"]
    for sock in (f.console, f.screen, f.phone, f.guest_sock):
        sock.facts()
    return f


def revision(f):
    db.session.rollback()
    return db.session.get(Meeting, f.meeting.id).live_revision


def last_fact(sock):
    facts = sock.facts("live_updated")
    assert facts, "no live_updated fact"
    return facts[-1]["args"][0]


def items_of(html):
    """The <li> of each point in a rendered agenda region, by id, whitespace folded."""
    found = re.findall(
        r'(<li class="agenda-item[^"]*" data-item-id="(\d+)".*?</li>)', html, re.DOTALL
    )
    return {item_id: " ".join(li.split()) for li, item_id in found}


def fresh_agenda(f, view):
    db.session.rollback()
    with render_context():
        return state.live_fact(f.meeting.id, regions=("agenda",), view=view)["regions"]["agenda"]


def test_next_sends_the_two_points_alone_to_the_lists_and_the_region_to_the_screen(friday):
    f = friday
    checkin, first = f.items[0], f.items[1]
    ack = f.console.command(
        "advance_item", {"meeting_id": f.meeting.id, "live_revision": revision(f)}
    )
    assert ack["ok"] is True, ack
    phone, guest, console, screen = (
        last_fact(s) for s in (f.phone, f.guest_sock, f.console, f.screen)
    )
    for fact in (phone, guest, console):
        assert "agenda" not in fact["regions"]
        assert set(fact["agenda_items"]) == {str(checkin.id), str(first.id)}
        assert "Fin estimée" in fact["agenda_end"].replace("\u00a0", " ")
        assert "current" in fact["regions"]  # the point itself still comes whole
    assert "agenda" in screen["regions"] and "agenda_items" not in screen
    # the points are what a whole rendering of the list holds now, for that view
    for view, fact in (("phone", phone), ("console", console)):
        whole = items_of(fresh_agenda(f, view))
        for item_id, html in fact["agenda_items"].items():
            assert " ".join(html.split()) == whole[item_id], (view, item_id)
    assert "status-done" in phone["agenda_items"][str(checkin.id)]
    assert "status-current" in phone["agenda_items"][str(first.id)]
    # a guest gets the member phone's points, which hold no form of the console
    assert guest["agenda_items"] == phone["agenda_items"]
    assert "<form" not in "".join(guest["agenda_items"].values())
    # small enough for a room of phones, with twenty points
    assert len(json.dumps(phone, ensure_ascii=False).encode()) < 5000
    assert len(json.dumps(console, ensure_ascii=False).encode()) < 20000


def test_previous_and_postponing_send_their_points_alone(friday):
    f = friday
    checkin, first, second = f.items[0], f.items[1], f.items[2]
    agenda.advance(f.facilitator, f.meeting.id, revision(f))
    f.phone.facts()
    f.console.command(
        "advance_item",
        {"meeting_id": f.meeting.id, "live_revision": revision(f), "direction": "previous"},
    )
    assert set(last_fact(f.phone)["agenda_items"]) == {str(checkin.id), str(first.id)}
    agenda.advance(f.facilitator, f.meeting.id, revision(f))
    f.phone.facts()
    ack = f.console.command("postpone_item", {"meeting_id": f.meeting.id, "item_id": first.id})
    assert ack["ok"] is True, ack
    fact = last_fact(f.phone)
    assert set(fact["agenda_items"]) == {str(first.id), str(second.id)}
    assert "reporté au vendredi suivant" in fact["agenda_items"][str(first.id)]


def test_the_console_arrows_of_a_sent_point_are_those_of_its_place(friday):
    f = friday
    f.console.command("advance_item", {"meeting_id": f.meeting.id, "live_revision": revision(f)})
    points = last_fact(f.console)["agenda_items"]
    first_up = re.search(r'value="up"[^>]*>', points[str(f.items[0].id)]).group(0)
    second_up = re.search(r'value="up"[^>]*>', points[str(f.items[1].id)]).group(0)
    assert "disabled" in first_up and "disabled" not in second_up


def test_changes_to_the_list_itself_still_send_the_whole_list(friday):
    f = friday
    db.session.rollback()
    meeting = db.session.get(Meeting, f.meeting.id)
    order = [i.id for i in reversed(agenda.agenda_items(f.meeting.id))]
    ack = f.console.command(
        "reorder_agenda",
        {"meeting_id": f.meeting.id, "agenda_revision": meeting.agenda_revision, "order": order},
    )
    assert ack["ok"] is True, ack
    fact = last_fact(f.phone)
    assert "agenda" in fact["regions"] and "agenda_items" not in fact


def test_leaving_the_budget_point_sends_the_whole_list(friday):
    """Its console form ("Ajouter « Où en est-on ? »") comes back once the point is done."""
    f = friday
    add_budget_point(f.facilitator, f.meeting.id)
    db.session.rollback()
    items = agenda.agenda_items(f.meeting.id)
    point = next(i for i in items if budget.is_budget_point(i))
    # right after the check-in, then the console moves onto it and past it
    order = [items[0].id, point.id] + [i.id for i in items[1:] if i.id != point.id]
    meeting = db.session.get(Meeting, f.meeting.id)
    agenda.reorder(f.facilitator, f.meeting.id, meeting.agenda_revision, order)
    agenda.advance(f.facilitator, f.meeting.id, revision(f))
    assert agenda.current_item(f.meeting.id).id == point.id
    f.console.facts()
    ack = f.console.command(
        "advance_item", {"meeting_id": f.meeting.id, "live_revision": revision(f)}
    )
    assert ack["ok"] is True, ack
    fact = last_fact(f.console)
    assert "agenda" in fact["regions"] and "agenda_items" not in fact
    assert "Où en est-on" in fact["regions"]["agenda"]
