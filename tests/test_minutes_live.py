"""The scribe's summary live, over the socket: `write_summary` and its ack, a stale revision
refused with the other text, the console and members' phones receiving the "summary" region,
the projector and guests' phones never receiving it; `validate_minutes` over the socket."""

import re
from types import SimpleNamespace

import pytest

from meeting.extensions import db
from meeting.live import services as agenda
from meeting.models import Meeting, Trace

SUMMARY = "Le repas avance, **RÉSUMÉ-7X**."


def plain(text):
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.fixture
def w(client_as, socket_for, live_friday):
    """A live Friday: Inès (the scribe of the day) on the console, Camille's projector, Théo's
    phone, Lou (the timekeeper) on the console too, Ana's guest phone; all joined."""
    camille_http, camille = client_as("facilitator", name="Camille")
    ines_http, ines = client_as(name="Inès")
    theo_http, theo = client_as(name="Théo")
    lou_http, lou = client_as(name="Lou")
    friday = live_friday(camille, ["Jardin"], author=theo, started=False)
    mid = friday.meeting.id
    agenda.assign_role(camille, mid, "scribe", ines.id)
    agenda.assign_role(camille, mid, "timekeeper", lou.id)
    agenda.start_live(camille, mid)
    db.session.refresh(friday.meeting)
    ana_http = friday.guest("Ana")
    s = SimpleNamespace(
        meeting=friday.meeting,
        camille=camille,
        ines=ines,
        console=socket_for(ines_http),
        timekeeper=socket_for(lou_http),
        screen=socket_for(camille_http),
        phone=socket_for(theo_http),
        guest=socket_for(ana_http),
        ines_http=ines_http,
        lou_http=lou_http,
    )
    s.joined = {}
    for name, view in (
        ("console", "console"),
        ("timekeeper", "console"),
        ("screen", "screen"),
        ("phone", "phone"),
        ("guest", "phone"),
    ):
        ack = getattr(s, name).command("join_live", {"meeting_id": mid, "view": view})
        assert ack["ok"], ack
        s.joined[name] = ack
    for name in ("console", "timekeeper", "screen", "phone", "guest"):
        getattr(s, name).facts()
    return s


def write(sock, w, text, revision):
    return sock.command(
        "write_summary",
        {"meeting_id": w.meeting.id, "summary": text, "summary_revision": revision},
    )


def summary_facts(sock):
    return [
        f["args"][0]
        for f in sock.facts("live_updated")
        if "summary" in f["args"][0].get("regions", {})
    ]


def test_join_answers_carry_the_summary_region_for_members_only(w):
    assert "summary" in w.joined["console"]["regions"]
    assert "summary" in w.joined["phone"]["regions"]
    assert "summary" not in w.joined["screen"]["regions"]
    assert w.joined["guest"]["view"] == "guest"
    assert "summary" not in w.joined["guest"]["regions"]
    console = w.joined["console"]["regions"]["summary"]
    assert 'data-command="write_summary"' in console and "data-needs-record" in console
    assert 'data-command="write_summary"' not in w.joined["phone"]["regions"]["summary"]


def test_write_summary_reaches_the_console_and_members_phones_never_guests(w):
    ack = write(w.console, w, SUMMARY, 0)
    assert ack == {"ok": True, "summary_revision": 1}
    for sock in (w.console, w.timekeeper, w.phone):
        (fact,) = summary_facts(sock)
        assert set(fact["regions"]) == {"summary"}
        html = plain(fact["regions"]["summary"])
        assert "<strong>RÉSUMÉ-7X</strong>" in html
        assert "Version 1, enregistrée par Inès." in html
    # the guest's phone and the projector receive nothing of it
    assert w.guest.facts("live_updated") == []
    assert w.screen.facts("live_updated") == []
    # a later change of the meeting reaches the guest without the summary
    agenda.control_timer(w.camille, w.meeting.id, "pause")
    (fact,) = w.guest.facts("live_updated")
    assert "summary" not in fact["args"][0]["regions"]
    assert "RÉSUMÉ-7X" not in str(fact)
    trace = db.session.query(Trace).filter_by(verb="minutes_summary_written").one()
    assert trace.actor_id == w.ines.id and trace.data["revision"] == 1


def test_a_stale_revision_is_refused_with_the_other_text_kept(w):
    assert write(w.console, w, SUMMARY, 0)["ok"]
    w.console.facts()
    w.phone.facts()
    ack = write(w.timekeeper, w, "Un autre texte", 0)
    assert ack["ok"] is False and ack["error"] == "forbidden"  # the timekeeper does not record
    facilitator = w.screen  # Camille's socket: she runs the console
    ack = write(facilitator, w, "Ma version à moi", 0)
    assert ack["ok"] is False and ack["error"] == "stale_summary"
    assert ack["field"] == "summary"
    assert "Inès a enregistré une autre version du résumé" in plain(ack["message"])
    assert ack["current_summary"] == SUMMARY and ack["summary_revision"] == 1
    db.session.rollback()
    assert db.session.get(Meeting, w.meeting.id).summary == SUMMARY
    assert summary_facts(w.phone) == []  # a refusal changes nothing, broadcasts nothing


def test_a_summary_too_long_is_refused_beside_the_field(w):
    ack = write(w.console, w, "x" * 20_001, 0)
    assert (ack["ok"], ack["error"], ack["field"]) == (False, "summary_too_long", "summary")
    assert "20 000 caractères au plus" in plain(ack["message"])
    assert summary_facts(w.phone) == []


def test_the_console_page_draws_the_form_for_the_scribe_and_the_text_for_the_timekeeper(w):
    write(w.console, w, SUMMARY, 0)
    day = w.meeting.scheduled_for.isoformat()
    scribe_page = plain(w.ines_http.get(f"/vendredi/{day}/animation").get_data(as_text=True))
    assert 'data-may-record="true"' in scribe_page
    assert re.search(r'id="summary-text-console"[^>]*>Le repas avance', scribe_page)
    timekeeper_page = plain(w.lou_http.get(f"/vendredi/{day}/animation").get_data(as_text=True))
    assert 'data-may-record="false"' in timekeeper_page
    assert "summary-form" not in timekeeper_page
    assert "<strong>RÉSUMÉ-7X</strong>" in timekeeper_page


def test_validate_minutes_over_the_socket_waits_for_the_close(w):
    ack = w.console.command("validate_minutes", {"meeting_id": w.meeting.id})
    assert (ack["ok"], ack["error"]) == (False, "not_closed")
    assert "une fois la réunion close" in ack["message"]
    agenda.close_live(w.camille, w.meeting.id)
    w.console.facts()
    ack = w.console.command("validate_minutes", {"meeting_id": w.meeting.id})
    assert ack["ok"] is True and ack["validated_at"].endswith("Z")
    ack = write(w.console, w, "Après validation", 0)
    assert (ack["ok"], ack["error"]) == (False, "minutes_validated")


def test_the_console_form_door_keeps_a_refused_text_beside_the_field(w):
    from tests.conftest import post_form

    assert write(w.console, w, SUMMARY, 0)["ok"]
    day = w.meeting.scheduled_for.isoformat()
    console = f"/vendredi/{day}/animation"
    response = post_form(
        w.ines_http,
        console,
        {"op": "write_summary", "summary": "Mon texte GARDÉ-2", "summary_revision": "0"},
    )
    assert response.status_code == 303
    page = plain(w.ines_http.get(console).get_data(as_text=True))
    assert 'id="error-summary"' in page and "autre version du résumé" in page
    assert ">Mon texte GARDÉ-2</textarea>" in page
    db.session.rollback()
    assert db.session.get(Meeting, w.meeting.id).summary == SUMMARY
    response = post_form(
        w.ines_http,
        console,
        {"op": "write_summary", "summary": "Mon texte GARDÉ-2", "summary_revision": "1"},
    )
    assert response.status_code == 303
    db.session.rollback()
    assert db.session.get(Meeting, w.meeting.id).summary == "Mon texte GARDÉ-2"
