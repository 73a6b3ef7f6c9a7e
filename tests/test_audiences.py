"""Who receives which fact: every audience of a whole recorded Friday, listened to at once.

Rooms are chosen by the server (realtime.py): the document of a Friday (members), each live
view (console, projector screen, member phone, guest phone), the trace feed, personal rooms.
Each page below joins as the real page does; then a whole Friday is run, from billets written
before it to its close, and the test reads everything each socket received.
"""

import json
import time
from datetime import timedelta

import pytest

from meeting.extensions import db
from meeting.live import services as agenda
from meeting.meetings import dates
from meeting.models import Meeting
from meeting.prep import services as prep

BILLET = "Je me sens ÉPUISÉE-7Q cette semaine."
LATE_BILLET = "Billet tardif CONFIDENTIEL-3K."
CONSOLE_MARKERS = (
    'data-command="advance_item"',
    'name="owner_id"',
    'data-command="record_decision"',
    'data-command="open_round"',
)


def wait_quiet(seconds=0.6):
    """Let coalesced facts (round answers, presence) go out; polled by the callers' checks."""
    from meeting.realtime import wait_for_soon_facts

    time.sleep(0.05)
    wait_for_soon_facts(seconds + 5)


@pytest.fixture
def friday(app, client_as, socket_for, make_member, live_friday):
    """Every audience of one Friday, each joined as its page joins."""
    camille_http, camille = client_as("facilitator", name="Camille")
    theo_http, theo = client_as(name="Théo")
    ines_http, ines = client_as(name="Inès")
    zoe_http, zoe = client_as(name="Zoé Sentinelle")  # on no page of the Friday
    feed_http, _lucie = client_as(name="Lucie")
    # Not started, its document empty: the whole Friday is run by the tests.
    this = live_friday(camille, topics=(), started=False)
    meeting = this.meeting
    day = meeting.scheduled_for + timedelta(days=7)
    other = live_friday(camille, topics=(), started=False, day=day).meeting
    s = {
        "document": socket_for(ines_http),
        "console": socket_for(camille_http),
        "screen": socket_for(camille_http),
        "phone": socket_for(theo_http),
        "idle": socket_for(zoe_http),
        "traces": socket_for(feed_http),
        "anonymous": socket_for(),
    }
    assert s["document"].command("join_document", {"meeting_id": meeting.id})["ok"]
    assert s["traces"].command("sync_traces", {"after": 0})["ok"]
    return {
        "app": app,
        "meeting": meeting,
        "join": this.guest,  # a phone at the door, once the meeting is started
        "other": other,
        "sockets": s,
        "camille": camille,
        "theo": theo,
        "ines": ines,
        "zoe": zoe,
    }


def received(sock):
    return [(f["name"], f["args"][0] if f["args"] else None) for f in sock.facts()]


def run_a_whole_friday(f):
    """Before Friday, the live meeting with a guest, and its close; returns what each heard."""
    app, meeting, s = f["app"], f["meeting"], f["sockets"]
    camille, theo, ines = f["camille"], f["theo"], f["ines"]
    heard = {name: [] for name in s}

    def collect():
        wait_quiet()
        for name, sock in s.items():
            heard[name].extend(received(sock))

    # before Friday: the shared document
    billet = prep.add_entry(theo, meeting.id, "mood", None, BILLET)
    need = prep.add_entry(ines, meeting.id, "need", "Savon", "Du savon noir pour les sols.")
    topic = prep.add_entry(theo, meeting.id, "topic", "Chauffage", "Qui appelle le chauffagiste ?")
    prep.edit_entry(theo, billet.id, billet.revision, None, BILLET + " Mais ça va.")
    prep.claim_need(theo, need.id, "j’en prends")
    agenda.add_entries(camille, meeting.id, [need.id, topic.id])
    agenda.assign_role(camille, meeting.id, "scribe", ines.id)
    collect()

    # Friday, live: the pages of the meeting join, a guest comes in at the door
    agenda.start_live(camille, meeting.id)
    db.session.refresh(meeting)
    for name, view in (("console", "console"), ("screen", "screen"), ("phone", "phone")):
        ack = s[name].command("join_live", {"meeting_id": meeting.id, "view": view})
        assert ack["ok"] and ack["view"] == view, ack
    guest_http = f["join"]("Ana")
    s["guest"] = guest = type(s["phone"])(app, guest_http)
    heard["guest"] = []
    for asked in ("console", "screen"):
        ack = guest.command("join_live", {"meeting_id": meeting.id, "view": asked})
        assert (ack["ok"], ack["error"]) == (False, "forbidden_view"), ack
        assert "réservée aux membres" in ack["message"]
    ack = guest.command("join_live", {"meeting_id": meeting.id, "view": "phone"})
    assert ack["ok"] and ack["view"] == "guest"
    heard["guest"].append(("join_live(ack)", ack))
    for sock in s.values():
        sock.facts()  # what came before the live part was collected above
    agenda.set_attendance(camille, meeting.id, ines.id, "present")
    assert guest.command("raise_hand", {"meeting_id": meeting.id})["ok"]
    hand = agenda.speaker_queue(meeting.id)[0]
    agenda.give_floor(camille, meeting.id, hand.id)
    prep.add_entry(theo, meeting.id, "mood", None, LATE_BILLET)  # a late billet from a phone
    live_revision = db.session.get(Meeting, meeting.id).live_revision
    agenda.advance(camille, meeting.id, live_revision)
    round_ = agenda.start_round(camille, meeting.id, "consent", "Appeler un chauffagiste")
    assert guest.command(
        "answer_round", {"round_id": round_.id, "answer": "object", "reason": "Trop cher"}
    )["ok"]
    assert s["phone"].command("answer_round", {"round_id": round_.id, "answer": "for"})["ok"]
    agenda.close_round(camille, round_.id)
    from meeting.decisions import services as decisions

    decisions.record_decision(
        camille,
        meeting.id,
        "On appelle **Chauffage Comtois**.",
        "consent",
        "Trop cher",
        "Devis comparé avec un second artisan",
    )
    decisions.add_action(
        camille,
        meeting.id,
        "Appeler le chauffagiste",
        theo.id,
        (dates.today_in_place() + timedelta(days=3)).isoformat(),
    )
    agenda.control_timer(camille, meeting.id, "pause")
    prep.resolve_need(theo, need.id, "met")
    agenda.close_live(camille, meeting.id)
    collect()
    guest.disconnect()
    return heard


def text_of(value):
    """Every string a page received (fragments unescaped), joined: what a person could read."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(f"{k}\n{text_of(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "\n".join(text_of(v) for v in value)
    return json.dumps(value)


def events(facts):
    return {name for name, _data in facts}


def test_each_audience_receives_only_its_own_facts_in_a_whole_friday(friday):
    heard = run_a_whole_friday(friday)
    meeting = friday["meeting"]

    # the document's page: the document's facts and the Friday's phase, never a live view
    assert {
        "entry_added",
        "entry_edited",
        "need_claimed",
        "need_resolved",
        "meeting_status_changed",
    } <= events(heard["document"])
    assert "live_updated" not in events(heard["document"])
    # each live view gets its own fragments, only its own
    for name, view in (
        ("console", "console"),
        ("screen", "screen"),
        ("phone", "phone"),
        ("guest", "phone"),
    ):
        live = [data for event, data in heard[name] if event == "live_updated"]
        assert live, name
        assert {data["view"] for data in live} == {view}, name
        assert all(data["meeting_id"] == meeting.id for data in live)
        assert not events(heard[name]) & {
            "entry_added",
            "entry_edited",
            "entry_deleted",
            "need_claimed",
            "need_resolved",
            "presence_changed",
            "trace_added",
        }, name
    # the trace feed's page: traces only
    assert events(heard["traces"]) == {"trace_added"}
    # a member on another page, and an anonymous page: nothing of this Friday
    assert heard["idle"] == []
    assert heard["anonymous"] == []


def test_a_guest_never_receives_a_billet_an_email_the_member_list_or_a_console_form(friday):
    heard = run_a_whole_friday(friday)
    guest = text_of(heard["guest"])
    console = text_of(heard["console"])
    # what a guest received is the meeting: the point, the round, the decision…
    assert "Chauffage Comtois" in guest and "Trop cher" in guest
    # … and never a billet d'humeur, an e-mail address, the member list or a console form
    for secret in (
        BILLET[:20],
        LATE_BILLET[:20],
        "@le97.example",
        "Zoé Sentinelle",
        *CONSOLE_MARKERS,
    ):
        assert secret not in guest, secret
    # the sentinels are real: the console does carry its forms and the member list
    assert "Zoé Sentinelle" in console
    assert all(marker in console for marker in CONSOLE_MARKERS), console[:2000]
    # the projector shows no console form either, and no one's e-mail
    screen = text_of(heard["screen"])
    for secret in ("@le97.example", "Zoé Sentinelle", *CONSOLE_MARKERS):
        assert secret not in screen, secret
    # the billets went to the document's page
    document = text_of(heard["document"])
    assert BILLET[:20] in document


def test_pages_of_another_friday_hear_nothing_of_this_one(friday, socket_for, client_as):
    other_http, _member = client_as(name="Olga")
    other = socket_for(other_http)
    assert other.command("join_document", {"meeting_id": friday["other"].id})["ok"]
    other.facts()
    prep.add_entry(friday["theo"], friday["meeting"].id, "mood", None, BILLET)
    wait_quiet()
    assert other.facts("entry_added") == []
    assert len(friday["sockets"]["document"].facts("entry_added")) == 1


def test_a_page_can_not_choose_a_room(friday):
    """Rooms are the server's choice: an unknown view is refused, a member's phone that asks
    for the console without the role is refused, and neither is added to a room."""
    from meeting.models import Member

    meeting, s = friday["meeting"], friday["sockets"]
    agenda.start_live(friday["camille"], meeting.id)
    ack = s["phone"].command("join_live", {"meeting_id": meeting.id, "view": "console"})
    assert (ack["ok"], ack["error"]) == (False, "forbidden")
    ack = s["phone"].command("join_live", {"meeting_id": meeting.id, "view": "coulisses"})
    assert (ack["ok"], ack["error"]) == (False, "invalid_view")
    assert ack["message"] == "Cette vue n’existe pas."
    s["phone"].facts()
    agenda.control_timer(friday["camille"], meeting.id, "pause")
    assert s["phone"].facts("live_updated") == []
    assert db.session.get(Member, friday["theo"].id).role == "member"
