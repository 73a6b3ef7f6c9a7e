"""Input cleaned at the edge (`meeting/cleaning.py`), as a fuzzer found it wanting: NUL, ESC,
the bidi override U+202E and a lone surrogate refused in French beside their field at every
door (socket, form, API); texts stored in NFC with LF line breaks; a newline kept in a long
text and refused in a title; ids past the database's 32-bit integers refused at every door and
a 404 in a URL, with no ERROR record; dates of year 9999 and 1900 refused; an operation id
bound to the command and the subject it was first sent for."""

import logging
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from meeting.api import tokens
from meeting.extensions import db
from meeting.live import services as agenda
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.models import Action, Decision, Entry, EventProposal, Meeting, Trace
from meeting.prep import services as prep
from tests.conftest import post_form, sign_in

NUL, ESC, RLO, LONE = "\x00", "\x1b", "\u202e", "\ud800"
INVISIBLE = "contient des caractères invisibles non admis : retirez-les."
FORBIDDEN = "contient un caractère interdit."
ONE_LINE = "tient sur une ligne"
TOO_BIG = "est un nombre trop grand."
OUT_OF_WINDOW = "La date doit être comprise entre le 1 janvier 2000 et le"
DECOMPOSED, COMPOSED = "Cafe\u0301 du jardin", "Café du jardin"
WISHED = (date.today() + timedelta(days=30)).isoformat()


@pytest.fixture
def config_overrides():
    # The burst test sends more bad commands than one sender's burst allows.
    return {"SOCKET_COMMAND_BURST": 1000}


def plain(text):
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def count(model):
    db.session.rollback()
    return db.session.scalar(select(func.count(model.id)))


@pytest.fixture
def world(app, make_member, live_friday, socket_for):
    """A live Friday (Camille facilitates, on its first point after the check-in) and the
    Friday after it, in preparation; Théo writes on it. Each has a signed-in HTTP client, a
    socket and an API token."""
    camille = make_member(role="facilitator", name="Camille")
    theo = make_member(name="Théo")
    friday = live_friday(camille, ["Jardin"], author=theo)
    agenda.advance(camille, friday.meeting.id, friday.meeting.live_revision)
    later = meetings.ensure_meeting(friday.meeting.scheduled_for + timedelta(days=7))
    http = {}
    for name, member in (("camille", camille), ("theo", theo)):
        http[name] = app.test_client()
        sign_in(http[name], member)
    ns = type("World", (), {})()
    ns.camille, ns.theo, ns.friday, ns.later, ns.http = camille, theo, friday, later, http
    ns.live_day = friday.meeting.scheduled_for.isoformat()
    ns.later_day = later.scheduled_for.isoformat()
    ns.sockets = {name: socket_for(client) for name, client in http.items()}
    ns.tokens = {
        name: tokens.create_token(member, "Fuzzer")[1]
        for name, member in (("camille", camille), ("theo", theo))
    }
    ns.later_id, ns.live_id = later.id, friday.meeting.id
    return ns


def api(app, world, who, name, body):
    response = app.test_client().post(
        f"/api/v1/commands/{name}",
        json=body,
        headers={"Authorization": f"Bearer {world.tokens[who]}"},
    )
    return response.status_code, response.get_json()


def assert_refused(answer, field, words):
    """A refusal (an ack or an API body) naming `field` in French."""
    assert answer["ok"] is False, answer
    assert answer["error"] == "invalid_field", answer
    assert answer.get("field") == field, answer
    assert words in plain(answer["message"]), answer


# -- texts: the shared document -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("char", "words"), [(NUL, INVISIBLE), (ESC, INVISIBLE), (RLO, INVISIBLE), (LONE, FORBIDDEN)]
)
@pytest.mark.parametrize(("field", "label"), [("title", "« Titre »"), ("body", "« Texte »")])
def test_add_entry_refuses_each_bad_character_over_socket_and_api(
    world, app, char, words, field, label
):
    before = count(Entry)
    sent = {"meeting_id": world.later_id, "kind": "topic", "title": "Four", "body": "Du pain."}
    sent[field] = f"Four{char}à pain"
    ack = world.sockets["theo"].command("add_entry", sent)
    assert_refused(ack, field, words)
    assert label in plain(ack["message"])
    status, body = api(app, world, "theo", "add_entry", sent)
    assert status == 400
    assert_refused(body, field, words)
    assert label in plain(body["message"])
    assert count(Entry) == before


@pytest.mark.parametrize("char", [NUL, ESC, RLO])
def test_add_entry_refuses_each_bad_character_from_the_form(world, char):
    before = count(Entry)
    response = post_form(
        world.http["theo"],
        f"/vendredi/{world.later_day}/entrees",
        {"kind": "topic", "title": f"Four{char}à pain", "body": "Du pain."},
    )
    page = plain(response.get_data(as_text=True))
    assert response.status_code == 400
    assert f"Le champ « Titre » {INVISIBLE}" in page
    assert 'id="error-title"' in page or "aria-describedby" in page
    assert count(Entry) == before


def stored_entries(meeting_id):
    db.session.rollback()
    return db.session.scalars(
        select(Entry).where(Entry.meeting_id == meeting_id).order_by(Entry.id)
    ).all()


def test_texts_are_stored_in_nfc_with_lf_and_a_newline_kept_in_the_body(world, app):
    body = "Ligne un\r\nLigne deux\tet un tab\rLigne trois"
    kept = "Ligne un\nLigne deux\tet un tab\nLigne trois"
    sent = {"meeting_id": world.later_id, "kind": "topic", "title": DECOMPOSED, "body": body}
    assert world.sockets["theo"].command("add_entry", sent)["ok"] is True
    assert api(app, world, "theo", "add_entry", sent)[0] == 200
    response = post_form(
        world.http["theo"],
        f"/vendredi/{world.later_day}/entrees",
        {"kind": "topic", "title": DECOMPOSED, "body": body},
    )
    assert response.status_code == 302
    entries = stored_entries(world.later_id)
    assert [(e.title, e.body) for e in entries] == [(COMPOSED, kept)] * 3
    assert len(entries[0].title) == len(COMPOSED)  # one "é", not "e" and an accent
    traces = db.session.scalars(select(Trace).where(Trace.verb == "entry_added")).all()
    assert COMPOSED in {t.data.get("title") for t in traces}


@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\t"])
def test_a_line_break_in_a_title_is_refused(world, app, line_break):
    before = count(Entry)
    sent = {"meeting_id": world.later_id, "kind": "topic", "title": f"Four{line_break}à pain"}
    sent["body"] = "Du pain."
    assert_refused(world.sockets["theo"].command("add_entry", sent), "title", ONE_LINE)
    assert_refused(api(app, world, "theo", "add_entry", sent)[1], "title", ONE_LINE)
    assert count(Entry) == before


def test_an_unknown_field_with_a_lone_surrogate_is_named_printably(world, app):
    sent = {"meeting_id": world.later_id, "kind": "topic", "body": "Du pain.", LONE: "x"}
    ack = world.sockets["theo"].command("add_entry", sent)
    assert ack["ok"] is False and ack["error"] == "invalid_field"
    assert ack["message"].encode("utf-8")  # shown, never a server_error
    status, body = api(app, world, "theo", "add_entry", sent)
    assert status == 400 and body["error"] == "invalid_field"


# -- texts: proposals ---------------------------------------------------------------------------


def proposal_form(**changes):
    return {
        "title": "Atelier vélo",
        "description": "Réparer ensemble.",
        "date_1": WISHED,
        "time_1": "18:00",
        "duration_minutes": "120",
        "place": "house",
        **changes,
    }


@pytest.mark.parametrize(
    ("field", "char", "words"),
    [
        ("title", ESC, INVISIBLE),
        ("title", RLO, INVISIBLE),
        ("description", NUL, INVISIBLE),
        ("description", LONE, FORBIDDEN),
        ("title", "\n", ONE_LINE),
    ],
)
def test_propose_event_refuses_bad_characters_through_the_api(world, app, field, char, words):
    before = count(EventProposal)
    body = {"meeting_id": world.later_id, **proposal_form(**{field: f"Vélo{char}libre"})}
    body["duration_minutes"] = 120
    status, answer = api(app, world, "theo", "propose_event", body)
    assert status == 400
    assert_refused(answer, field, words)
    assert count(EventProposal) == before


@pytest.mark.parametrize("char", [NUL, ESC, RLO])
def test_the_member_and_the_public_proposal_forms_refuse_bad_characters(world, client, char):
    before = count(EventProposal)
    member = post_form(
        world.http["theo"],
        f"/vendredi/{world.later_day}/proposer",
        proposal_form(title=f"Vélo{char}libre"),
    )
    assert member.status_code == 400
    assert f"Le champ « Titre » {INVISIBLE}" in plain(member.get_data(as_text=True))
    outside = post_form(
        client,
        "/proposer",
        {"name": f"Zoé{char}", "email": "zoe@exemple.org", **proposal_form()},
    )
    page = plain(outside.get_data(as_text=True))
    assert outside.status_code == 400
    assert f"Le champ « Nom » {INVISIBLE}" in page
    assert 'aria-describedby="error-name"' in page
    assert count(EventProposal) == before


def test_a_proposal_is_stored_in_nfc_with_its_multi_line_description(world, app):
    body = {
        "meeting_id": world.later_id,
        **proposal_form(title=DECOMPOSED, description="Un\r\nDeux"),
        "duration_minutes": 120,
        "material_needs": "Pompe\nClés",
    }
    status, answer = api(app, world, "theo", "propose_event", body)
    assert status == 200, answer
    db.session.rollback()
    proposal = db.session.scalar(select(EventProposal))
    assert (proposal.entry.title, proposal.entry.body) == (COMPOSED, "Un\nDeux")
    assert proposal.material_needs == "Pompe\nClés"


# -- texts: a decision ---------------------------------------------------------------------------


def decision_body(world, statement):
    return {"meeting_id": world.live_id, "statement": statement, "mode": "information"}


@pytest.mark.parametrize(
    ("char", "words"), [(NUL, INVISIBLE), (ESC, INVISIBLE), (RLO, INVISIBLE), (LONE, FORBIDDEN)]
)
def test_a_decision_statement_with_a_bad_character_is_refused_over_socket_and_api(
    world, app, char, words
):
    sent = decision_body(world, f"On repeint{char} le portail.")
    ack = world.sockets["camille"].command("record_decision", sent)
    assert_refused(ack, "statement", words)
    assert "« Décision »" in plain(ack["message"])
    status, body = api(app, world, "camille", "record_decision", sent)
    assert status == 400
    assert_refused(body, "statement", words)
    assert count(Decision) == 0


@pytest.mark.parametrize("char", [NUL, ESC, RLO])
def test_a_decision_from_the_console_form_with_a_bad_character_is_refused(world, char):
    url = f"/vendredi/{world.live_day}/animation"
    response = post_form(
        world.http["camille"],
        url,
        {"op": "record_decision", "statement": f"On repeint{char}.", "mode": "information"},
    )
    assert response.status_code == 303
    page = plain(world.http["camille"].get(url).get_data(as_text=True))
    assert f"Le champ « Décision » {INVISIBLE}" in page
    assert count(Decision) == 0


def test_a_decision_keeps_its_lines_and_is_stored_in_nfc(world):
    ack = world.sockets["camille"].command(
        "record_decision", decision_body(world, f"{DECOMPOSED} :\r\n- le samedi")
    )
    assert ack["ok"] is True, ack
    db.session.rollback()
    assert db.session.get(Decision, ack["decision_id"]).statement == f"{COMPOSED} :\n- le samedi"


# -- integers and ids ----------------------------------------------------------------------------


@pytest.mark.parametrize("number", [2**31, 2**70])
def test_ids_past_the_database_integers_are_refused_at_every_door(world, app, caplog, number):
    caplog.set_level(logging.INFO)
    before = (count(Entry), count(Decision))
    sent = {"meeting_id": number, "kind": "topic", "title": "Four", "body": "Du pain."}
    ack = world.sockets["theo"].command("add_entry", sent)
    assert_refused(ack, "meeting_id", TOO_BIG)
    assert "« Réunion »" in plain(ack["message"])
    edit = world.sockets["theo"].command(
        "edit_entry", {"entry_id": number, "revision": 1, "body": "x"}
    )
    assert_refused(edit, "entry_id", TOO_BIG)
    status, body = api(app, world, "theo", "add_entry", sent)
    assert status == 400
    assert_refused(body, "meeting_id", TOO_BIG)
    # A form field (the consent round a decision closes), typed in the console's page.
    url = f"/vendredi/{world.live_day}/animation"
    response = post_form(
        world.http["camille"],
        url,
        {
            "op": "record_decision",
            "statement": "On repeint.",
            "mode": "information",
            "round_id": str(number),
        },
    )
    assert response.status_code == 303
    page = plain(world.http["camille"].get(url).get_data(as_text=True))
    assert f"Le champ « Tour » {TOO_BIG}" in page
    assert (count(Entry), count(Decision)) == before
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert [r for r in caplog.records if r.exc_info] == []


@pytest.mark.parametrize(
    "path",
    [
        "/decisions/99999999999999999999",
        f"/decisions/{2**31}",
        f"/propositions/{2**31}",
        f"/propositions/{2**70}",
        f"/api/v1/decisions/{2**31}",
    ],
)
def test_ids_past_the_database_integers_in_a_url_are_a_404(world, caplog, path):
    caplog.set_level(logging.INFO)
    response = world.http["theo"].get(path)
    assert response.status_code == 404
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_the_largest_id_still_reaches_its_page(world):
    response = world.http["theo"].get(f"/propositions/{2**31 - 1}")
    assert response.status_code == 404  # read, not found (the converter let it through)
    assert "Cette proposition n’existe pas." in plain(response.get_data(as_text=True))


def test_a_thousand_bad_commands_write_no_traceback(world, caplog):
    caplog.set_level(logging.INFO)
    bad = [
        {"meeting_id": 2**70, "kind": "topic", "body": "x"},
        {"meeting_id": world.later_id, "kind": "topic", "body": f"x{LONE}"},
        {"meeting_id": world.later_id, "kind": "topic", "body": f"x{NUL}"},
        {"meeting_id": -(2**40), "kind": "topic", "body": "x"},
    ]
    acks = [world.sockets["theo"].command("add_entry", bad[n % 4]) for n in range(200)]
    assert {a["error"] for a in acks} == {"invalid_field"}
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []
    assert count(Entry) == 1  # the live Friday's point only


# -- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "1900-01-05"])
def test_dates_out_of_the_window_are_refused(world, app, day):
    before = (count(EventProposal), count(Action))
    body = {"meeting_id": world.later_id, **proposal_form(date_1=day), "duration_minutes": 120}
    status, answer = api(app, world, "theo", "propose_event", body)
    assert status == 400
    fields = answer.get("fields") or {answer.get("field"): answer["message"]}
    expected = OUT_OF_WINDOW if day.startswith("9999") else "doit être à venir"
    assert expected in plain(fields["date_1"])
    form = post_form(
        world.http["theo"], f"/vendredi/{world.later_day}/proposer", proposal_form(date_1=day)
    )
    assert form.status_code == 400 and expected in plain(form.get_data(as_text=True))
    # An action's due date, over the socket of the console.
    ack = world.sockets["camille"].command(
        "add_action",
        {"meeting_id": world.live_id, "label": "Appeler", "owner_id": world.theo.id, "due_on": day},
    )
    assert ack["ok"] is False
    expected_due = OUT_OF_WINDOW if day.startswith("9999") else "ne peut pas être dans le passé"
    assert expected_due in plain(ack["message"])
    assert (count(EventProposal), count(Action)) == before


@pytest.mark.parametrize("day", ["9999-12-31", "1900-01-05"])
def test_an_event_out_of_the_window_is_refused(world, app, day):
    body = {
        "title": "Concert",
        "start_date": day,
        "start_time": "18:00",
        "end_time": "20:00",
        "place": "house",
        "visibility": "public",
    }
    status, answer = api(app, world, "camille", "create_event", body)
    assert status == 400
    fields = answer.get("fields") or {answer.get("field"): answer["message"]}
    assert OUT_OF_WINDOW in plain(fields["start_date"])


@pytest.mark.parametrize("day", ["9999-12-31", "1900-01-05"])
def test_a_meeting_out_of_the_window_is_a_404_and_the_calendar_shows_today(world, day):
    page = world.http["theo"].get(f"/vendredi/{day}/")
    assert page.status_code == 404
    assert OUT_OF_WINDOW in plain(page.get_data(as_text=True))
    response = post_form(
        world.http["theo"], f"/vendredi/{day}/entrees", {"kind": "topic", "body": "x"}
    )
    assert response.status_code == 404
    db.session.rollback()
    made = select(func.count(Meeting.id)).where(Meeting.scheduled_for == date.fromisoformat(day))
    assert db.session.scalar(made) == 0
    assert world.http["theo"].get(f"/agenda/?date={day}").status_code == 200


def test_a_date_ten_years_ahead_is_the_last_one_taken(world, app):
    last = dates.today_in_place()
    body = {"meeting_id": world.later_id, **proposal_form(), "duration_minutes": 120}
    far = last.replace(year=last.year + 11).isoformat()
    status, answer = api(app, world, "theo", "propose_event", {**body, "date_1": far})
    assert status == 400 and OUT_OF_WINDOW in plain(answer["message"])
    near = last.replace(year=last.year + 9).isoformat()
    status, answer = api(app, world, "theo", "propose_event", {**body, "date_1": near})
    assert status == 200, answer


# -- operation ids -------------------------------------------------------------------------------


def test_an_operation_id_reused_on_another_entry_is_refused(world):
    first, second = (
        prep.add_entry(world.theo, world.later_id, "topic", title, "Texte.")
        for title in ("Four", "Jardin")
    )
    first_id, second_id = first.id, second.id
    socket = world.sockets["theo"]
    op = "op-fuzzer-0001"
    ack = socket.command(
        "edit_entry", {"entry_id": first_id, "revision": 1, "body": "Nouveau.", "op_id": op}
    )
    assert ack["ok"] is True, ack
    again = socket.command(
        "edit_entry", {"entry_id": second_id, "revision": 1, "body": "Autre.", "op_id": op}
    )
    assert again["ok"] is False and again["error"] == "op_id_reused", again
    assert "déjà servi" in plain(again["message"])
    db.session.rollback()
    assert db.session.get(Entry, second_id).body == "Texte."
    # Resent for the same entry: applied once, answered ok.
    resent = socket.command(
        "edit_entry", {"entry_id": first_id, "revision": 1, "body": "Nouveau.", "op_id": op}
    )
    assert resent["ok"] is True
    db.session.rollback()
    assert db.session.get(Entry, first_id).revision == 2


def test_an_operation_id_reused_on_another_friday_is_refused(world, app):
    op = "op-fuzzer-0002"
    sent = {"kind": "topic", "title": "Four", "body": "Du pain.", "op_id": op}
    ack = world.sockets["theo"].command("add_entry", {**sent, "meeting_id": world.later_id})
    assert ack["ok"] is True
    resent = world.sockets["theo"].command("add_entry", {**sent, "meeting_id": world.later_id})
    assert resent["ok"] is True and resent["entry_id"] == ack["entry_id"]
    other = world.sockets["theo"].command("add_entry", {**sent, "meeting_id": world.live_id})
    assert other["ok"] is False and other["error"] == "op_id_reused", other
    status, body = api(
        app,
        world,
        "theo",
        "propose_event",
        {"meeting_id": world.live_id, **proposal_form(), "duration_minutes": 120, "op_id": op},
    )
    assert status == 409 and body["error"] == "op_id_reused"
    assert [e.title for e in stored_entries(world.live_id)] == ["Jardin"]
    assert [e.title for e in stored_entries(world.later_id)] == ["Four"]
