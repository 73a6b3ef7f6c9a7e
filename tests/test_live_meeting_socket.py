"""Friday live over Socket.IO: every command of `meeting/agenda/events.py` makes a round trip
(ack, then `live_updated` with the views' fragments to the meeting's room, and to no other
room); guests join with the code and use the phone commands only; bad payloads are refused in
French with nothing changed.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import pytest

from meeting.decisions.services import present_names
from meeting.extensions import db
from meeting.live import services as agenda
from meeting.live.guests import Guest
from meeting.meetings import dates
from meeting.models import Decision, Meeting
from tests.conftest import post_form

CONSOLE_COMMANDS = (
    "advance_item",
    "control_timer",
    "postpone_item",
    "reorder_agenda",
    "move_item",
    "set_timebox",
    "give_floor",
    "open_round",
    "close_round",
    "record_decision",
    "add_action",
    "add_budget_point",
)
PHONE_COMMANDS = ("join_live", "raise_hand", "lower_hand", "answer_round")


def plain(text):
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def in_days(n):
    return (dates.today_in_place() + timedelta(days=n)).isoformat()


@pytest.fixture
def world(client_as, socket_for, live_friday):
    """A live Friday (check-in, "Chauffage", "Jardin") with its console, a member's phone and a
    guest's phone joined; the next Friday is live too with its own guest; one member's socket
    and one anonymous socket are connected but joined no meeting."""
    console_http, camille = client_as("facilitator", name="Camille")
    phone_http, theo = client_as(name="Théo")
    idle_http, _ines = client_as(name="Inès")
    friday = live_friday(camille, author=theo)
    meeting = friday.meeting
    next_friday = live_friday(camille, topics=(), day=meeting.scheduled_for + timedelta(days=7))
    other = next_friday.meeting

    w = SimpleNamespace(meeting=meeting, other=other, camille=camille, theo=theo)
    w.console = socket_for(console_http)
    w.screen = socket_for(console_http)
    w.phone = socket_for(phone_http)
    w.guest = socket_for(friday.guest("Ana"))
    w.other_guest = socket_for(next_friday.guest("Olga"))
    w.idle = socket_for(idle_http)  # a member, on another page: joined no meeting
    w.anonymous = socket_for()
    for sock, m, view in (
        (w.console, meeting, "console"),
        (w.screen, meeting, "screen"),
        (w.phone, meeting, "phone"),
        (w.guest, meeting, "phone"),
        (w.other_guest, other, "phone"),
    ):
        ack = sock.command("join_live", {"meeting_id": m.id, "view": view})
        assert ack["ok"] is True, ack
    items = agenda.agenda_items(meeting.id)
    w.checkin, w.chauffage, w.jardin = items
    (w.ana,) = [a for a in agenda.attendance(meeting.id) if a.guest_name == "Ana"]
    drain(w)
    return w


def drain(w):
    for sock in (w.console, w.screen, w.phone, w.guest, w.other_guest, w.idle, w.anonymous):
        sock.facts()


def live_revision(w):
    db.session.rollback()
    return db.session.get(Meeting, w.meeting.id).live_revision


def agenda_revision(w):
    db.session.rollback()
    return db.session.get(Meeting, w.meeting.id).agenda_revision


def guest_actor(w):
    return Guest(w.ana.id, w.meeting.id, "Ana")


# -- one round trip per command -------------------------------------------------------------------


@dataclass
class Case:
    sender: str  # "console", "phone" (Théo) or "guest" (Ana)
    data: dict
    view: str  # the view and region whose fragment must show the change
    region: str
    shows: str
    check: object = None  # check(w, ack): what the database now holds


def advance_item(w):
    def check(w, ack):
        assert ack["item_id"] == w.chauffage.id
        assert agenda.current_item(w.meeting.id).title == "Chauffage"

    return Case(
        "console",
        {"meeting_id": w.meeting.id, "live_revision": live_revision(w), "direction": "next"},
        "screen",
        "current",
        "Chauffage",
        check,
    )


def control_timer(w):
    def check(w, ack):
        assert agenda.timer_state(agenda.current_item(w.meeting.id))["running"] is False

    return Case(
        "console",
        {"meeting_id": w.meeting.id, "action": "pause"},
        "console",
        "current",
        "Lancer le minuteur",
        check,
    )


def postpone_item(w):
    def check(w, ack):
        assert db.session.get(type(w.jardin), w.jardin.id).status == "postponed"

    return Case(
        "console",
        {"meeting_id": w.meeting.id, "item_id": w.jardin.id},
        "phone",
        "agenda",
        "Point à discuter · 10 min · <strong>reporté au vendredi suivant</strong>",
        check,
    )


def reorder_agenda(w):
    order = [w.checkin.id, w.jardin.id, w.chauffage.id]

    def check(w, ack):
        assert [i.id for i in agenda.agenda_items(w.meeting.id)] == order

    return Case(
        "console",
        {"meeting_id": w.meeting.id, "agenda_revision": agenda_revision(w), "order": order},
        "console",
        "agenda",
        "Jardin",
        check,
    )


def move_item(w):
    def check(w, ack):
        assert [i.title for i in agenda.agenda_items(w.meeting.id)][1:] == ["Jardin", "Chauffage"]

    return Case(
        "console",
        {"item_id": w.jardin.id, "direction": "up", "agenda_revision": agenda_revision(w)},
        "console",
        "agenda",
        "Jardin",
        check,
    )


def set_timebox(w):
    def check(w, ack):
        assert db.session.get(type(w.jardin), w.jardin.id).timebox_minutes == 25

    return Case(
        "console",
        {"item_id": w.jardin.id, "minutes": 25},
        "phone",
        "agenda",
        "Point à discuter · 25 min",
        check,
    )


def raise_hand(w):
    def check(w, ack):
        (hand,) = agenda.speaker_queue(w.meeting.id)
        assert (hand.id, hand.attendance.name) == (ack["hand_id"], "Ana")

    return Case(
        "guest",
        {"meeting_id": w.meeting.id},
        "screen",
        "queue",
        'Ana <span class="hint">(invité·e)</span>',
        check,
    )


def lower_hand(w):
    agenda.raise_hand(w.theo, w.meeting.id)

    def check(w, ack):
        assert ack["lowered"] is True and agenda.speaker_queue(w.meeting.id) == []

    return Case(
        "phone", {"meeting_id": w.meeting.id}, "screen", "queue", "Aucune main levée.", check
    )


def give_floor(w):
    hand = agenda.raise_hand(guest_actor(w), w.meeting.id)

    def check(w, ack):
        assert db.session.get(Meeting, w.meeting.id).speaker_attendance_id == w.ana.id
        assert agenda.speaker_queue(w.meeting.id) == []

    return Case(
        "console",
        {"meeting_id": w.meeting.id, "hand_id": hand.id},
        "screen",
        "queue",
        "À la parole : <strong>Ana</strong>",
        check,
    )


def open_round(w):
    def check(w, ack):
        assert agenda.open_round(w.meeting.id).id == ack["round_id"]

    return Case(
        "console",
        {
            "meeting_id": w.meeting.id,
            "kind": "vote",
            "question": "Quel jour pour le ménage ?",
            "options": ["Samedi", "Dimanche"],
        },
        "phone",
        "round",
        "Quel jour pour le ménage ?",
        check,
    )


def answer_round(w):
    round_ = agenda.start_round(w.camille, w.meeting.id, "consent", "Appeler un chauffagiste")

    def check(w, ack):
        results = agenda.round_results(agenda.open_round(w.meeting.id))
        assert results["counts"]["object"] == {"members": 0, "guests": 1}

    return Case(
        "guest",
        {"round_id": round_.id, "answer": "object", "reason": "Trop cher", "op_id": "op-ana-0001"},
        "screen",
        "round",
        "<strong>Ana</strong> : Trop cher",
        check,
    )


def close_round(w):
    round_ = agenda.start_round(w.camille, w.meeting.id, "consent", "Appeler un chauffagiste")

    def check(w, ack):
        assert agenda.open_round(w.meeting.id) is None

    return Case("console", {"round_id": round_.id}, "screen", "round", "Tour fermé", check)


def record_decision(w):
    def check(w, ack):
        decision = db.session.get(Decision, ack["decision_id"])
        assert (decision.number, ack["number"], decision.mode) == (1, 1, "information")
        assert {"Camille", "Ana"} <= set(present_names(decision))

    return Case(
        "console",
        {"meeting_id": w.meeting.id, "statement": "On garde **le thé**.", "mode": "information"},
        "screen",
        "decisions",
        "<strong>le thé</strong>",
        check,
    )


def add_action(w):
    def check(w, ack):
        assert agenda.actions_of(w.meeting.id)[0].owner.display_name == "Théo"

    return Case(
        "console",
        {
            "meeting_id": w.meeting.id,
            "label": "Acheter du thé",
            "owner_id": w.theo.id,
            "due_on": in_days(3),
        },
        "phone",
        "decisions",
        "<strong>Acheter du thé</strong> — Théo",
        check,
    )


def add_budget_point(w):
    def check(w, ack):
        item = agenda.agenda_items(w.meeting.id)[-1]
        assert (ack["item_id"], item.panel, item.timebox_minutes) == (item.id, "budget", 5)

    return Case(
        "console", {"meeting_id": w.meeting.id}, "screen", "agenda", "Où en est-on ?", check
    )


def facts_within(client, name, seconds):
    """The facts `name` received now, or within `seconds` (polled, never a fixed sleep)."""
    import time

    found = client.facts(name)
    deadline = time.monotonic() + seconds
    while not found and time.monotonic() < deadline:
        time.sleep(0.05)
        found = client.facts(name)
    return found


CASES = {
    f.__name__: f
    for f in (
        advance_item,
        control_timer,
        postpone_item,
        reorder_agenda,
        move_item,
        set_timebox,
        raise_hand,
        lower_hand,
        give_floor,
        open_round,
        answer_round,
        close_round,
        record_decision,
        add_action,
        add_budget_point,
    )
}


def test_every_command_of_the_live_meeting_has_a_round_trip_here():
    from meeting.commands import exposed
    from meeting.live import events  # noqa: F401 (declares the commands)

    declared = {
        name
        for name, cmd in exposed("socket").items()
        if cmd.handler.__module__ == "meeting.live.events"
    }
    assert declared == set(CASES) | {"join_live"}
    assert declared == set(CONSOLE_COMMANDS) | set(PHONE_COMMANDS)


@pytest.mark.parametrize("name", list(CASES))
def test_round_trip(world, name):
    w = world
    case = CASES[name](w)
    drain(w)
    sender = getattr(w, case.sender)
    ack = sender.command(name, case.data)
    assert ack["ok"] is True, ack
    db.session.rollback()
    if case.check:
        case.check(w, ack)

    # every page of the meeting hears it once, with the fragments of its own view only (a
    # round's answers are coalesced into one fact a short moment later)
    views = {"console": "console", "screen": "screen", "phone": "phone", "guest": "phone"}
    for who, view in views.items():
        facts = facts_within(
            getattr(w, who), "live_updated", seconds=3 if name == "answer_round" else 0
        )
        assert len(facts) == 1, (who, facts)
        fact = facts[0]["args"][0]
        assert fact["meeting_id"] == w.meeting.id
        assert fact["live_revision"] == live_revision(w)
        assert fact["view"] == view
        shown = fact["regions"].get(case.region)
        if case.region == "agenda" and shown is None and who != "screen":
            # only some points changed status: the lists get those points alone
            shown = "".join(fact["agenda_items"].values())
        assert shown is not None, (who, case.region, sorted(fact["regions"]))
        assert set(fact["regions"]) <= set(agenda.REGIONS)
        if view == case.view:
            assert case.shows in plain(shown), shown
    # ... and no one else: not another Friday's room, not a page that joined none
    assert w.other_guest.facts() == []
    assert w.anonymous.facts() == []
    assert w.idle.facts("live_updated") == []


def test_reordered_agenda_reaches_the_console_in_its_new_order(world):
    w = world
    order = [w.checkin.id, w.jardin.id, w.chauffage.id]
    ack = w.console.command(
        "reorder_agenda",
        {"meeting_id": w.meeting.id, "order": order, "agenda_revision": agenda_revision(w)},
    )
    assert ack["ok"] is True
    (fact,) = w.screen.facts("live_updated")  # the console's own fact went to its room
    assert fact["args"][0]["view"] == "screen"
    html = w.console.facts("live_updated")[0]["args"][0]["regions"]["agenda"]
    assert re.findall(r'data-item-id="(\d+)"', html) == [str(i) for i in order]
    assert f'data-agenda-revision="{agenda_revision(w)}"' in html


def test_facts_carry_no_csrf_token_of_their_sender(world):
    """A fact goes to every page of the room, guests included: the sender's CSRF token must not
    travel with it (each page puts its own token into the forms it swaps in)."""
    w = world
    agenda.raise_hand(guest_actor(w), w.meeting.id)
    agenda.start_round(w.camille, w.meeting.id, "consent", "Appeler un chauffagiste")
    drain(w)
    ack = w.console.command(
        "advance_item", {"meeting_id": w.meeting.id, "live_revision": live_revision(w)}
    )
    assert ack["ok"] is True
    (fact,) = w.guest.facts("live_updated")
    html = "".join(fact["args"][0]["regions"].values())
    tokens = re.findall(r'name="csrf_token" value="([^"]*)"', html)
    assert tokens and set(tokens) == {""}


# -- joining ---------------------------------------------------------------------------------------


def test_join_live_answers_with_the_exact_current_state(world, client_as, socket_for):
    w = world
    agenda.advance(w.camille, w.meeting.id, live_revision(w))
    agenda.raise_hand(w.theo, w.meeting.id)
    round_ = agenda.start_round(w.camille, w.meeting.id, "consent", "Appeler un chauffagiste")
    drain(w)
    late_http, _late = client_as(name="Lucie")
    late = socket_for(late_http)
    ack = late.command("join_live", {"meeting_id": w.meeting.id, "view": "screen"})
    assert ack["ok"] is True
    db.session.rollback()
    meeting = db.session.get(Meeting, w.meeting.id)
    assert ack["current_item_id"] == w.chauffage.id
    assert (ack["live_revision"], ack["agenda_revision"], ack["status"]) == (
        meeting.live_revision,
        meeting.agenda_revision,
        "live",
    )
    assert ack["round_id"] == round_.id
    assert ack["timer"]["running"] is True and ack["timer"]["allowance"] == 600
    assert ack["view"] == "screen"
    assert set(ack["regions"]) == set(agenda.REGIONS)
    screen = {k: plain(v) for k, v in ack["regions"].items()}
    assert "Chauffage" in screen["current"]
    assert "Théo" in screen["queue"]
    assert "Appeler un chauffagiste" in screen["round"] and "Tour ouvert" in screen["round"]
    assert meeting.join_code in screen["status"]
    # it broadcasts nothing; from now on the late phone hears the meeting
    assert w.phone.facts("live_updated") == []
    agenda.lower_hand(w.theo, w.meeting.id)
    assert len(late.facts("live_updated")) == 1


def test_guests_join_their_meeting_only(world, app, socket_for):
    w = world
    ack = w.guest.command("join_live", {"meeting_id": w.other.id})
    assert (ack["ok"], ack["error"]) == (False, "forbidden")
    assert plain(ack["message"]) == "Cette réunion n’est pas la vôtre : rejoignez-la avec son code."
    for name, data in (
        ("raise_hand", {"meeting_id": w.other.id}),
        ("lower_hand", {"meeting_id": w.other.id}),
    ):
        ack = w.guest.command(name, data)
        assert (ack["ok"], ack["error"]) == (False, "forbidden"), name
    round_ = agenda.start_round(w.camille, w.other.id, "consent", "Ailleurs")
    ack = w.guest.command("answer_round", {"round_id": round_.id, "answer": "for"})
    assert (ack["ok"], ack["error"]) == (False, "forbidden")
    assert agenda.round_results(agenda.open_round(w.other.id))["total"] == 0
    # without joining with the code, no live meeting at all
    ack = w.anonymous.command("join_live", {"meeting_id": w.meeting.id})
    assert (ack["ok"], ack["error"]) == (False, "forbidden")
    ack = w.anonymous.command("raise_hand", {"meeting_id": w.meeting.id})
    assert (ack["ok"], ack["error"]) == (False, "forbidden")
    assert agenda.speaker_queue(w.meeting.id) == []
    assert w.anonymous.facts() == []


def test_a_guest_answers_and_changes_their_answer_counted_once(world):
    w = world
    round_ = agenda.start_round(w.camille, w.meeting.id, "consent", "Appeler un chauffagiste")
    sent = {
        "round_id": round_.id,
        "answer": "object",
        "reason": "Trop cher",
        "op_id": "op-ana-0001",
    }
    assert w.guest.command("answer_round", sent)["ok"] is True
    assert w.guest.command("answer_round", sent)["ok"] is True  # resent after a Wi-Fi drop
    assert w.guest.command("answer_round", {"round_id": round_.id, "answer": "for"})["ok"]
    ack = w.guest.command("answer_round", {"round_id": round_.id, "answer": "object"})
    assert (ack["ok"], ack["error"]) == (False, "missing_reason")
    assert plain(ack["message"]) == "Une objection s’accompagne d’une raison : écrivez-la."
    db.session.rollback()
    results = agenda.round_results(agenda.open_round(w.meeting.id))
    assert results["total"] == 1 and results["counts"]["for"] == {"members": 0, "guests": 1}
    assert w.guest.command("raise_hand", {"meeting_id": w.meeting.id})["ok"]
    assert w.guest.command("raise_hand", {"meeting_id": w.meeting.id})["ok"]
    assert [h.attendance.name for h in agenda.speaker_queue(w.meeting.id)] == ["Ana"]


def test_closing_ends_the_guests_pass_and_tells_the_room(world, client_as):
    w = world
    response = post_form(
        client_as("facilitator")[0],
        f"/vendredi/{w.meeting.scheduled_for.isoformat()}/animation",
        {"op": "close"},
    )
    assert response.status_code == 303
    (closed,) = w.guest.facts("meeting_status_changed")
    assert closed["args"][0] == {"meeting_id": w.meeting.id, "status": "closed", "label": "clos"}
    assert w.other_guest.facts() == []
    ack = w.guest.command("raise_hand", {"meeting_id": w.meeting.id})
    assert (ack["ok"], ack["error"]) == (False, "forbidden")
    ack = w.phone.command("raise_hand", {"meeting_id": w.meeting.id})
    assert (ack["ok"], ack["error"]) == (False, "not_live")
    assert plain(ack["message"]) == "La réunion n’a pas commencé (ou elle est close)."


# -- refusals ----------------------------------------------------------------------------------


def console_payload(w, name):
    """A well-formed payload for each console command (what the console would send)."""
    return {
        "advance_item": {"meeting_id": w.meeting.id, "live_revision": live_revision(w)},
        "control_timer": {"meeting_id": w.meeting.id, "action": "pause"},
        "postpone_item": {"meeting_id": w.meeting.id, "item_id": w.jardin.id},
        "reorder_agenda": {
            "meeting_id": w.meeting.id,
            "agenda_revision": agenda_revision(w),
            "order": [w.checkin.id, w.jardin.id, w.chauffage.id],
        },
        "move_item": {
            "item_id": w.checkin.id,
            "direction": "up",
            "agenda_revision": agenda_revision(w),
        },
        "set_timebox": {"item_id": w.jardin.id, "minutes": 25},
        "give_floor": {"meeting_id": w.meeting.id, "hand_id": w.hand.id},
        "open_round": {"meeting_id": w.meeting.id, "kind": "consent", "question": "Pirate ?"},
        "close_round": {"round_id": w.round.id},
        "record_decision": {
            "meeting_id": w.meeting.id,
            "statement": "Pirate.",
            "mode": "information",
        },
        "add_action": {
            "meeting_id": w.meeting.id,
            "label": "Pirater",
            "owner_id": w.theo.id,
            "due_on": in_days(3),
        },
        "add_budget_point": {"meeting_id": w.meeting.id},
    }[name]


@pytest.fixture
def armed(world):
    """The world with a raised hand and an open round, so that every console command has
    something to act on."""
    world.hand = agenda.raise_hand(guest_actor(world), world.meeting.id)
    world.round = agenda.start_round(world.camille, world.meeting.id, "consent", "Thé ou café ?")
    drain(world)
    return world


def snapshot(w):
    db.session.rollback()
    meeting = db.session.get(Meeting, w.meeting.id)
    return (
        meeting.live_revision,
        meeting.agenda_revision,
        [(i.id, i.status, i.timebox_minutes) for i in agenda.agenda_items(w.meeting.id)],
        agenda.open_round(w.meeting.id) is not None,
        len(agenda.speaker_queue(w.meeting.id)),
        len(agenda.decisions_of(w.meeting.id)),
        len(agenda.actions_of(w.meeting.id)),
    )


def test_a_guest_cannot_send_member_commands(armed):
    w = armed
    before = snapshot(w)
    for name in CONSOLE_COMMANDS:
        ack = w.guest.command(name, console_payload(w, name))
        assert ack == {
            "ok": False,
            "error": "forbidden",
            "message": "Cette action est réservée aux membres.",
        }, name
    assert snapshot(w) == before
    assert w.phone.facts("live_updated") == []


MEMBER_REFUSALS = {
    "control_timer": "Seuls l’animation et le ou la gardien·ne du temps règlent le minuteur.",
    "set_timebox": "Vous n’avez pas le droit de faire cela.",
    "record_decision": "Seuls l’animation et le ou la secrétaire consignent les décisions.",
    "add_action": "Seuls l’animation et le ou la secrétaire consignent les actions.",
}


def test_a_member_who_does_not_run_the_meeting_cannot_send_console_commands(armed):
    w = armed
    before = snapshot(w)
    for name in CONSOLE_COMMANDS:
        ack = w.phone.command(name, console_payload(w, name))
        assert (ack["ok"], ack["error"]) == (False, "forbidden"), (name, ack)
        assert plain(ack["message"]) == MEMBER_REFUSALS.get(
            name, "Seule l’animation de la réunion peut faire cela."
        ), name
    assert snapshot(w) == before
    assert w.guest.facts("live_updated") == []


def test_the_day_facilitator_runs_the_console_over_sockets(world):
    w = world
    agenda.assign_role(w.camille, w.meeting.id, "facilitator", w.theo.id)
    drain(w)
    ack = w.phone.command(
        "advance_item", {"meeting_id": w.meeting.id, "live_revision": live_revision(w)}
    )
    assert ack["ok"] is True
    assert len(w.guest.facts("live_updated")) == 1


REFUSED = [
    (
        "advance_item",
        {"live_revision": 1},
        "missing_field",
        "Le champ « Réunion » est obligatoire.",
    ),
    (
        "advance_item",
        {"meeting_id": "{m}", "live_revision": "3"},
        "invalid_field",
        "Le champ « Version de la réunion » doit être un nombre entier.",
    ),
    (
        "advance_item",
        {"meeting_id": "{m}", "live_revision": "{rev}", "direction": "sideways"},
        "invalid_field",
        "Direction inconnue.",
    ),
    (
        "advance_item",
        {"meeting_id": "{m}", "live_revision": "{stale}"},
        "stale",
        "La réunion vient d’avancer depuis un autre écran ; tout est à jour.",
    ),
    (
        "control_timer",
        {"meeting_id": "{m}", "action": "stop"},
        "invalid_field",
        "Action de minuteur inconnue.",
    ),
    (
        "reorder_agenda",
        {"meeting_id": "{m}", "agenda_revision": "{arev}", "order": ["a", "b"]},
        "invalid_order",
        "L’ordre envoyé ne correspond pas aux points de l’ordre du jour.",
    ),
    (
        "reorder_agenda",
        {"meeting_id": "{m}", "agenda_revision": "{arev}", "order": [1]},
        "invalid_order",
        "L’ordre envoyé ne correspond pas aux points de l’ordre du jour.",
    ),
    (
        "reorder_agenda",
        {"meeting_id": "{m}", "agenda_revision": "{stale_arev}", "order": "{order}"},
        "stale",
        "L’ordre du jour vient d’être modifié par quelqu’un d’autre ; il est à jour, recommencez.",
    ),
    (
        "set_timebox",
        {"item_id": "{jardin}", "minutes": True},
        "invalid_field",
        "Le champ « Minutes » doit être un nombre entier.",
    ),
    (
        "set_timebox",
        {"item_id": "{jardin}", "minutes": 0},
        "invalid_field",
        "La durée prévue doit être entre 1 et 180 minutes.",
    ),
    (
        "move_item",
        {"item_id": 999999, "direction": "up", "agenda_revision": 1},
        "not_found",
        "Ce point de l’ordre du jour n’existe pas.",
    ),
    (
        "open_round",
        {"meeting_id": "{m}", "kind": "vote", "question": "Quand ?", "options": [1, 2]},
        "invalid_options",
        "Un vote demande au moins deux choix différents.",
    ),
    (
        "open_round",
        {"meeting_id": "{m}", "kind": "sondage", "question": "Quand ?"},
        "invalid_field",
        "Type de tour inconnu.",
    ),
    ("answer_round", ["for"], "malformed", "Les données de la commande sont mal formées."),
    ("answer_round", {"round_id": 999999, "answer": "for"}, "not_found", "Ce tour n’existe pas."),
    (
        "record_decision",
        {"meeting_id": "{m}", "statement": "  ", "mode": "consent"},
        "empty_statement",
        "Écrivez la décision avant de l’enregistrer.",
    ),
    (
        "add_action",
        {
            "meeting_id": "{m}",
            "label": "Acheter du thé",
            "owner_id": "{theo}",
            "due_on": "{yesterday}",
        },
        "past_date",
        "L’échéance ne peut pas être dans le passé.",
    ),
    (
        "join_live",
        {"meeting_id": "{m}", "room": "meeting:1"},
        "invalid_field",
        "Champ inattendu : room.",
    ),
    ("join_live", {"meeting_id": 999999}, "not_found", "Cette réunion n’existe pas."),
]


def test_malformed_or_stale_commands_are_refused_in_french(world):
    """Each sent by the facilitator's console: refused with its French message, nothing
    changes, nobody hears anything."""
    w = world
    values = {
        "m": w.meeting.id,
        "rev": live_revision(w),
        "stale": live_revision(w) - 1,
        "arev": agenda_revision(w),
        "stale_arev": agenda_revision(w) - 1,
        "order": [w.checkin.id, w.jardin.id, w.chauffage.id],
        "jardin": w.jardin.id,
        "theo": w.theo.id,
        "yesterday": in_days(-1),
    }

    def fill(value):
        if isinstance(value, str) and re.fullmatch(r"\{\w+\}", value):
            return values[value[1:-1]]
        return value

    before = snapshot(w)
    for name, data, error, message in REFUSED:
        payload = {k: fill(v) for k, v in data.items()} if isinstance(data, dict) else data
        ack = w.console.command(name, payload)
        assert ack["ok"] is False, (name, payload, ack)
        assert (ack["error"], plain(ack["message"])) == (error, message), (name, payload)
    assert snapshot(w) == before
    assert w.phone.facts("live_updated") == [] and w.guest.facts() == []
