"""The JSON API `/api/v1/`: what each audience receives, every refusal (in French, with its
status, nothing stored), a write through the API door leaving the same trace and live fact as
the socket door, the personal tokens' journey, and the API door's permission matrix (every
command the API exposes, for every visitor, answering as the socket and form doors do)."""

import json
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from meeting import place
from meeting.api import tokens
from meeting.api.models import ApiToken
from meeting.calendar import services as calendar
from meeting.commands import COMMANDS, exposed, form_values
from meeting.decisions import services as decisions
from meeting.extensions import db
from meeting.live import services as agenda
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.models import Entry, Trace
from meeting.models.base import utcnow
from meeting.prep import services as prep
from meeting.proposals import outside
from meeting.proposals import services as proposals
from tests.conftest import csrf_token, post_form, sign_in
from tests.test_permissions import (
    DONE,
    FORM_COMMANDS,
    LIVE,
    LIVE_COMMANDS,
    PAGE_REFUSED,
    ROLES,
    SIGN_IN,
    SOCKET_COMMANDS,
    command_expected,
    expected_for,
    fill,
    state,
    visitor,  # noqa: F401  (the permission matrix's worlds, for the API door's matrix)
)

WISHED = (date.today() + timedelta(days=30)).isoformat()
OUTSIDE_EMAIL = "dehors.secret@exemple.org"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def plain(text):
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def counts():
    """What a refused request must leave as it was: traces, entries, tokens."""
    db.session.rollback()
    return tuple(
        db.session.scalar(select(func.count(model.id))) for model in (Trace, Entry, ApiToken)
    )


@pytest.fixture
def call(app):
    """`call(method, path, token=…, body=…, raw=…, headers=…, client=…)`: one API request."""

    def do(method, path, token=None, body=None, raw=None, headers=None, client=None):
        client = client or app.test_client()
        sent = dict(headers or {})
        if token is not None:
            sent.update(bearer(token))
        if raw is not None:
            return client.open(
                path, method=method, data=raw, headers=sent, content_type="application/json"
            )
        return client.open(path, method=method, json=body, headers=sent)

    return do


@pytest.fixture
def token_for(app):
    def make(member, label="Script de test"):
        _row, token = tokens.create_token(member, label)
        return token

    return make


@pytest.fixture
def world(app, make_member, live_friday, token_for):
    """Le 97 on a Friday morning: Camille facilitates, Inès and Théo are members; the coming
    Friday's document holds a billet of Inès, a need and a point of Théo, a proposal of Théo
    and one from outside; a closed Friday decided something naming Inès, with an action for
    her; the calendar has a public event and a members-only one."""
    camille = make_member(role="facilitator", name="Camille")
    ines = make_member(name="Inès")
    theo = make_member(name="Théo")
    closed = live_friday(camille, ["Jardin"], day=dates.next_meeting_date(), author=theo)
    mid = closed.meeting.id
    agenda.set_attendance(camille, mid, ines.id, "present")
    db.session.refresh(closed.meeting)
    agenda.advance(camille, mid, closed.meeting.live_revision)
    decision = decisions.record_decision(camille, mid, "Inès arrose le jardin.", "information")
    due = (dates.today_in_place() + timedelta(days=5)).isoformat()
    action = decisions.add_action(camille, mid, "Arroser le jardin", ines.id, due, decision.id)
    agenda.close_live(camille, mid)
    coming = meetings.ensure_meeting(meetings.coming_day())
    mood = prep.add_entry(ines, coming.id, "mood", None, "Fatiguée mais contente.")
    need = prep.add_entry(theo, coming.id, "need", "Savon", "Du savon noir")
    topic = prep.add_entry(theo, coming.id, "topic", "Chauffage", "On en parle ?")
    proposal = proposals.propose_event(
        theo, coming.id, "Fête", "Une fête", [(WISHED, "18:00")], "60", "house"
    )
    outside_proposal, _status_token = outside.propose_from_outside(
        {
            "name": "Paule Dehors",
            "email": OUTSIDE_EMAIL,
            "title": "Atelier vélo",
            "description": "Réparer ensemble",
            "date_1": WISHED,
            "time_1": "14:00",
            "duration_minutes": "120",
            "place": "garden",
        }
    )

    def event(title, visibility, days):
        return calendar.create_event(
            camille,
            {
                "title": title,
                "start_date": (date.today() + timedelta(days=days)).isoformat(),
                "start_time": "18:30",
                "end_time": "20:00",
                "place": "house",
                "visibility": visibility,
            },
        )

    return SimpleNamespace(
        camille=camille,
        ines=ines,
        theo=theo,
        closed=closed.meeting,
        coming=coming,
        day=coming.scheduled_for.isoformat(),
        closed_day=closed.meeting.scheduled_for.isoformat(),
        decision=decision,
        action=action,
        mood=mood,
        need=need,
        topic=topic,
        proposal=proposal,
        outside_proposal=outside_proposal,
        public_event=event("Concert public", "public", 20),
        members_event=event("Réunion interne", "members", 21),
        tokens={m.display_name: token_for(m) for m in (camille, ines, theo)},
    )


# -- what each audience receives --------------------------------------------------------------


def test_nobody_reads_only_the_public_calendar(world, call):
    events = call("GET", "/api/v1/events").get_json()
    assert events["ok"] is True
    assert [e["title"] for e in events["items"]] == ["Concert public"]
    assert call("GET", f"/api/v1/events/{world.public_event.id}").status_code == 200
    # a members-only event is not revealed: the same 404 as a missing one
    hidden = call("GET", f"/api/v1/events/{world.members_event.id}")
    assert hidden.status_code == 404 and hidden.get_json()["error"] == "not_found"
    for path in (
        "/api/v1/meetings",
        f"/api/v1/meetings/{world.day}",
        f"/api/v1/meetings/{world.day}/entries",
        f"/api/v1/entries/{world.mood.id}",
        f"/api/v1/meetings/{world.day}/agenda",
        "/api/v1/decisions",
        f"/api/v1/decisions/{world.decision.number}",
        "/api/v1/actions",
        "/api/v1/proposals",
        f"/api/v1/proposals/{world.proposal.id}",
        "/api/v1/me",
    ):
        response = call("GET", path)
        assert response.status_code == 401, path
        assert response.content_type == "application/json"
        body = response.get_json()
        assert body == {
            "ok": False,
            "error": "not_signed_in",
            "message": "Connectez-vous, ou envoyez un jeton d’API, pour lire ceci.",
        }
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_published_archive_is_read_without_names(world, call, make_member):
    place.set_publication(make_member(role="admin"), "public")
    page = call("GET", "/api/v1/decisions").get_json()
    (decision,) = page["items"]
    assert decision["statement"] == "Une personne arrose le jardin."  # the register's redactor
    assert "Inès" not in json.dumps(page, ensure_ascii=False)
    assert decision["actions"][0]["owner"] is None
    one = call("GET", f"/api/v1/decisions/{world.decision.number}").get_json()["decision"]
    assert one["present"] is None and one["present_count"] >= 1
    # the closed Friday is public with its minutes; the coming one, and every document, is not
    fridays = call("GET", "/api/v1/meetings").get_json()["items"]
    assert [f["date"] for f in fridays] == [world.closed_day]
    assert fridays[0]["minutes_url"] and fridays[0]["document_url"] is None
    assert call("GET", f"/api/v1/meetings/{world.day}").status_code == 401
    assert call("GET", f"/api/v1/meetings/{world.closed_day}/entries").status_code == 401


def test_a_member_reads_the_document_with_names_but_never_what_is_someone_elses(world, call):
    theo = world.tokens["Théo"]
    entries = call("GET", f"/api/v1/meetings/{world.day}/entries", theo).get_json()["items"]
    by_id = {e["id"]: e for e in entries}
    assert by_id[world.mood.id]["author"] == {"id": world.ines.id, "name": "Inès"}
    assert by_id[world.mood.id]["body"] == "Fatiguée mais contente."  # members read billets
    assert by_id[world.need.id]["need"]["status"] == "open"
    assert [e["kind"] for e in entries] == sorted(
        (e["kind"] for e in entries), key=["mood", "need", "proposal", "topic"].index
    )
    outside_entry = by_id[world.outside_proposal.entry_id]
    assert outside_entry["author"] == {"id": None, "name": "Paule Dehors (hors coopérative)"}
    one = call("GET", f"/api/v1/proposals/{world.outside_proposal.id}", theo).get_json()
    assert one["proposal"]["proposer"]["id"] is None
    # nobody's e-mail but one's own, nobody's in-kind value, nobody's tokens
    everything = "".join(
        call("GET", path, theo).get_data(as_text=True)
        for path in (
            f"/api/v1/meetings/{world.day}/entries",
            f"/api/v1/proposals/{world.outside_proposal.id}",
            "/api/v1/proposals",
            "/api/v1/actions?view=everyone",
            f"/api/v1/decisions/{world.decision.number}",
        )
    )
    assert OUTSIDE_EMAIL not in everything and world.ines.email not in everything
    assert "in_kind" not in everything and "token" not in everything
    me = call("GET", "/api/v1/me", theo).get_json()["me"]
    assert (me["id"], me["email"], me["by_token"]) == (world.theo.id, world.theo.email, True)
    # "Mes propositions" are one's own
    mine = call("GET", "/api/v1/proposals", theo).get_json()["items"]
    assert [p["id"] for p in mine] == [world.proposal.id] and mine[0]["mine"] is True
    assert call("GET", "/api/v1/proposals", world.tokens["Inès"]).get_json()["items"] == []
    # members read every event, and the register with names
    titles = [e["title"] for e in call("GET", "/api/v1/events", theo).get_json()["items"]]
    assert sorted(titles) == ["Concert public", "Réunion interne"]
    decision = call("GET", "/api/v1/decisions", theo).get_json()["items"][0]
    assert decision["statement"] == "Inès arrose le jardin."
    assert decision["actions"][0]["owner"] == {"id": world.ines.id, "name": "Inès"}


def test_actions_mine_and_everyones(world, call):
    mine = call("GET", "/api/v1/actions", world.tokens["Inès"]).get_json()
    assert [a["label"] for a in mine["items"]] == ["Arroser le jardin"]
    assert mine["items"][0]["mine"] is True and mine["open_count"] == 1
    assert call("GET", "/api/v1/actions", world.tokens["Théo"]).get_json()["items"] == []
    everyone = call("GET", "/api/v1/actions?view=everyone", world.tokens["Théo"]).get_json()
    assert [a["mine"] for a in everyone["items"]] == [False]


def test_a_guest_reads_the_agenda_of_their_friday_only(world, app, live_friday, call):
    friday = live_friday(world.camille, ["Toiture"], day=world.coming.scheduled_for)
    guest = friday.guest("Bob")
    agenda_page = call("GET", f"/api/v1/meetings/{world.day}/agenda", client=guest).get_json()
    assert [i["title"] for i in agenda_page["items"]][-1] == "Toiture"
    assert agenda_page["meeting"]["status"] == "live"
    assert call("GET", f"/api/v1/meetings/{world.closed_day}/agenda", client=guest).status_code == (
        401
    )
    assert call("GET", "/api/v1/decisions", client=guest).status_code == 401
    assert call("GET", f"/api/v1/meetings/{world.day}/entries", client=guest).status_code == 401


def test_lists_paginate_with_a_cursor(world, call, live_friday):
    for n in range(4):
        prep.add_entry(world.theo, world.coming.id, "topic", f"Point {n}", "…")
    token = world.tokens["Théo"]
    seen, cursor, pages = [], None, 0
    while True:
        query = f"?limit=3&cursor={cursor}" if cursor else "?limit=3"
        page = call("GET", f"/api/v1/meetings/{world.day}/entries{query}", token).get_json()
        assert len(page["items"]) <= 3
        seen += [e["id"] for e in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and len(seen) == len(set(seen)) == 9
    # decisions: keyset on their numbers
    second = live_friday(world.camille, ["Un", "Deux"], day=world.coming.scheduled_for)
    agenda.advance(world.camille, second.meeting.id, second.meeting.live_revision)
    for n in range(3):
        decisions.record_decision(world.camille, second.meeting.id, f"Décision {n}.", "vote")
    first = call("GET", "/api/v1/decisions?limit=2", token).get_json()
    rest = call("GET", f"/api/v1/decisions?limit=2&cursor={first['next_cursor']}", token)
    numbers = [d["number"] for d in first["items"] + rest.get_json()["items"]]
    assert numbers == sorted(numbers, reverse=True) and len(numbers) == 4


# -- refusals: JSON, the right status, French, nothing stored -------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=101", "Le paramètre « limit » doit être un nombre entier de 1 à 100."),
        ("limit=0", "Le paramètre « limit » doit être un nombre entier de 1 à 100."),
        ("limit=beaucoup", "Le paramètre « limit » doit être un nombre entier de 1 à 100."),
        (
            "cursor=pas-un-curseur",
            "Ce curseur n’est pas valable : reprenez la liste depuis le début.",
        ),
        (
            "kind=poeme",
            "Le paramètre « kind » vaut l’une de ces valeurs : mood, need, proposal, topic.",
        ),
    ],
)
def test_a_bad_page_or_filter_is_refused(world, call, query, message):
    response = call("GET", f"/api/v1/meetings/{world.day}/entries?{query}", world.tokens["Théo"])
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "invalid_parameter" and plain(body["message"]) == message


def test_a_cursor_is_read_only_as_the_list_wrote_it(world, call):
    from meeting.api.reads import encode_cursor

    token = world.tokens["Théo"]
    for path, cursor in (
        ("/api/v1/decisions", encode_cursor(10**30)),  # beyond any number (never a 500)
        ("/api/v1/decisions", encode_cursor("12")),  # a number's cursor is a number
        ("/api/v1/meetings", encode_cursor("hier")),  # a Friday's is a date
        ("/api/v1/actions", encode_cursor(-1)),
    ):
        response = call("GET", f"{path}?cursor={cursor}", token)
        assert response.status_code == 400, path
        assert response.get_json()["error"] == "invalid_parameter"


def test_events_span_is_bounded(world, call):
    assert call("GET", "/api/v1/events?from=2026-01-01&to=2028-01-01").status_code == 400
    assert call("GET", "/api/v1/events?from=2026-02-01&to=2026-01-01").status_code == 400
    assert call("GET", "/api/v1/events?from=hier").status_code == 400


def add_topic(day, body="Un point par l’API"):
    return {"day": day, "kind": "topic", "title": "Par l’API", "body": body}


@pytest.mark.parametrize(
    ("raw", "status", "code", "message"),
    [
        (
            b'{"kind": "topic",',
            400,
            "malformed",
            "Le corps de la requête n’est pas du JSON valable.",
        ),
        (b"[1, 2]", 400, "malformed", "Les données de la commande sont mal formées."),
        (b"\xff\xfe\x00", 400, "malformed", "Le corps de la requête n’est pas du JSON valable."),
        (b"[" * 100_001, 413, "payload_too_large", "Le contenu envoyé est trop volumineux."),
    ],
)
def test_a_malformed_body_is_refused(world, call, raw, status, code, message):
    before = counts()
    response = call("POST", "/api/v1/commands/add_entry", world.tokens["Théo"], raw=raw)
    assert response.status_code == status
    body = response.get_json()
    assert (body["ok"], body["error"], plain(body["message"])) == (False, code, message)
    assert counts() == before


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        ({"kind": 3}, "invalid_field", "Le champ « Type » doit être un texte."),
        ({"body": None}, "missing_field", "Le champ « Texte » est obligatoire."),
        ({"meeting_id": "12"}, "invalid_field", "Le champ « Réunion » doit être un nombre entier."),
        ({"meeting_id": True}, "invalid_field", "Le champ « Réunion » doit être un nombre entier."),
        ({"meeting_id": 2**40}, "invalid_field", "Le champ « Réunion » est un nombre trop grand."),
        (
            {"body": "a\x00b"},
            "invalid_field",
            "Le champ « Texte » contient des caractères invisibles non admis : retirez-les.",
        ),
        ({"colour": "rouge"}, "invalid_field", "Champ inattendu : colour."),
        ({"kind": "poeme"}, "invalid_kind", "Ce type de contribution n’existe pas."),
    ],
)
def test_wrong_fields_are_refused_with_400_in_french(world, call, change, code, message):
    before = counts()
    payload = {**add_topic(world.day), **change}
    response = call("POST", "/api/v1/commands/add_entry", world.tokens["Théo"], payload)
    assert response.status_code == 400, response.get_json()
    body = response.get_json()
    assert (body["error"], plain(body["message"])) == (code, message)
    assert counts() == before


def test_a_whole_number_written_with_a_point_is_an_integer(world, call):
    token = world.tokens["Théo"]
    edit = {"entry_id": float(world.topic.id), "revision": 1.0, "body": "Corrigé"}
    assert call("POST", "/api/v1/commands/edit_entry", token, edit).status_code == 200
    half = {"entry_id": world.topic.id + 0.5, "revision": 2, "body": "Encore"}
    response = call("POST", "/api/v1/commands/edit_entry", token, half)
    assert response.status_code == 400 and response.get_json()["field"] == "entry_id"


def test_op_id_is_refused_where_the_command_takes_none(world, call):
    before = counts()
    response = call(
        "POST",
        "/api/v1/commands/delete_entry",
        world.tokens["Théo"],
        {"entry_id": world.topic.id, "op_id": "abcdefgh12"},
    )
    assert response.status_code == 400
    assert plain(response.get_json()["message"]) == "Champ inattendu : op_id."
    assert counts() == before


def test_unknown_commands_and_commands_of_other_doors_are_404(world, call):
    token = world.tokens["Camille"]
    unknown = call("POST", "/api/v1/commands/pirate", token, {})
    assert (unknown.status_code, unknown.get_json()["error"]) == (404, "unknown_command")
    other = call("POST", "/api/v1/commands/join_live", token, {"meeting_id": world.coming.id})
    assert (other.status_code, other.get_json()["error"]) == (404, "wrong_door")
    assert plain(other.get_json()["message"]) == (
        "Cette action ne se fait pas par l’API : utilisez la page qui la propose."
    )
    nowhere = call("GET", "/api/v1/nulle-part", token)
    assert (nowhere.status_code, nowhere.content_type) == (404, "application/json")
    wrong_method = call("GET", "/api/v1/commands/add_entry", token)
    assert wrong_method.status_code == 405 and "POST" in wrong_method.headers["Allow"]
    assert wrong_method.get_json()["error"] == "method_not_allowed"


def test_a_write_without_a_caller_or_with_a_bad_token_is_401(world, call, make_member):
    before = counts()
    nobody = call("POST", "/api/v1/commands/add_entry", body=add_topic(world.day))
    assert (nobody.status_code, nobody.get_json()["error"]) == (401, "not_signed_in")
    forged = call("POST", "/api/v1/commands/add_entry", "vdr_invente", add_topic(world.day))
    assert (forged.status_code, forged.get_json()["error"]) == (401, "bad_token")
    assert plain(forged.get_json()["message"]).startswith("Ce jeton d’API n’est pas (ou plus)")
    basic = call("GET", "/api/v1/me", headers={"Authorization": "Basic dGhlbzptb3RkZXBhc3Nl"})
    assert basic.status_code == 401
    assert counts() == before
    # revoked, or its member deactivated: nothing opens
    row = db.session.scalar(select(ApiToken).where(ApiToken.member_id == world.ines.id))
    tokens.revoke_token(world.ines, row.id)
    leaver = make_member(name="Partie")
    leaver_token = tokens.create_token(leaver, "Vieux script")[1]
    leaver.deactivated_at = utcnow()
    db.session.commit()
    before = counts()
    for token in (world.tokens["Inès"], leaver_token):
        response = call("POST", "/api/v1/commands/add_entry", token, add_topic(world.day))
        assert (response.status_code, response.get_json()["error"]) == (401, "bad_token")
        assert call("GET", "/api/v1/events", token).status_code == 401  # even a public read
    assert counts() == before


def test_a_token_wins_over_the_session_that_comes_with_it(world, app, call):
    client = app.test_client()
    sign_in(client, world.camille)
    me = call("GET", "/api/v1/me", world.tokens["Théo"], client=client).get_json()["me"]
    assert me["id"] == world.theo.id
    assert call("GET", "/api/v1/me", "vdr_invente", client=client).status_code == 401


def test_a_write_the_role_does_not_allow_is_403(world, call):
    before = counts()
    response = call(
        "POST",
        "/api/v1/commands/edit_entry",
        world.tokens["Inès"],
        {"entry_id": world.topic.id, "revision": 1, "body": "Réécrit par Inès"},
    )
    assert response.status_code == 403
    assert response.get_json() == {
        "ok": False,
        "error": "forbidden",
        "message": "Vous ne pouvez modifier que vos propres contributions.",
    }
    agenda_point = call(
        "POST",
        "/api/v1/commands/add_agenda_item",
        world.tokens["Inès"],
        {"meeting_id": world.coming.id, "title": "Mon point"},
    )
    assert agenda_point.status_code == 403
    assert counts() == before


def test_a_stale_edit_is_409_with_the_current_text(world, call):
    response = call(
        "POST",
        "/api/v1/commands/edit_entry",
        world.tokens["Théo"],
        {"entry_id": world.topic.id, "revision": 7, "body": "Trop tard"},
    )
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"] == "stale" and body["current"]["body"] == "On en parle ?"


def test_a_session_writes_with_the_pages_csrf_token_a_token_without_one(world, app, call):
    client = app.test_client()
    sign_in(client, world.theo)
    me = call("GET", "/api/v1/me", client=client).get_json()["me"]  # a read needs no token
    assert (me["id"], me["by_token"]) == (world.theo.id, False)
    before = counts()
    refused = call("POST", "/api/v1/commands/add_entry", body=add_topic(world.day), client=client)
    assert refused.status_code == 400 and refused.get_json()["error"] == "csrf_failed"
    assert "X-CSRFToken" in refused.get_json()["message"]
    assert counts() == before
    done = call(
        "POST",
        "/api/v1/commands/add_entry",
        body=add_topic(world.day),
        client=client,
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert done.status_code == 200 and done.get_json()["ok"] is True
    by_token = call(
        "POST", "/api/v1/commands/add_entry", world.tokens["Théo"], add_topic(world.day)
    )
    assert by_token.status_code == 200
    assert by_token.headers.get("Set-Cookie") is None  # a token's request opens no session


# -- the same path as the socket: trace, live fact ---------------------------------------------


def _trace(verb):
    db.session.rollback()
    return db.session.scalars(
        select(Trace).where(Trace.verb == verb).order_by(Trace.id.desc())
    ).first()


def test_an_entry_added_through_the_api_is_traced_and_published_as_through_the_socket(
    world, app, call, socket_for
):
    reader = app.test_client()
    sign_in(reader, world.ines)
    page = socket_for(reader)
    assert page.command("join_document", {"meeting_id": world.coming.id})["ok"]
    page.facts()
    writer = app.test_client()
    sign_in(writer, world.theo)
    by_socket = socket_for(writer).command(
        "add_entry", {"meeting_id": world.coming.id, "kind": "topic", "body": "Par la socket"}
    )
    assert by_socket["ok"] is True
    socket_trace = _trace("entry_added")
    (socket_fact,) = page.facts("entry_added")
    response = call(
        "POST",
        "/api/v1/commands/add_entry",
        world.tokens["Théo"],
        {"meeting_id": world.coming.id, "kind": "topic", "body": "Par l’API"},
    )
    assert response.status_code == 200
    answer = response.get_json()
    assert set(answer) == set(by_socket) and answer["ok"] is True  # the same ack
    api_trace = _trace("entry_added")
    assert api_trace.id != socket_trace.id
    assert (api_trace.actor_id, api_trace.meeting_id, api_trace.subject_type) == (
        socket_trace.actor_id,
        socket_trace.meeting_id,
        socket_trace.subject_type,
    )
    assert set(api_trace.data) == set(socket_trace.data)
    assert api_trace.subject_id == answer["entry_id"]
    (api_fact,) = page.facts("entry_added")
    socket_data, api_data = socket_fact["args"][0], api_fact["args"][0]
    assert set(api_data) == set(socket_data)
    assert api_data["entry_id"] == answer["entry_id"] and "Par l’API" in api_data["html"]


def test_an_agenda_move_through_the_api_reaches_the_live_pages(
    world, app, call, socket_for, live_friday
):
    friday = live_friday(world.camille, ["Toiture", "Vélos"], day=world.coming.scheduled_for)
    console = app.test_client()
    sign_in(console, world.camille)
    screen = socket_for(console)
    assert screen.command("join_live", {"meeting_id": friday.meeting.id, "view": "screen"})["ok"]
    screen.facts()
    token = world.tokens["Camille"]
    agenda_page = call("GET", f"/api/v1/meetings/{world.day}/agenda", token).get_json()
    last = agenda_page["items"][-1]
    response = call(
        "POST",
        "/api/v1/commands/move_item",
        token,
        {
            "item_id": last["id"],
            "direction": "up",
            "agenda_revision": agenda_page["meeting"]["agenda_revision"],
        },
    )
    assert response.status_code == 200, response.get_json()
    assert _trace("agenda_reordered") is not None
    assert screen.facts("live_updated"), "the projector was told"
    moved = call("GET", f"/api/v1/meetings/{world.day}/agenda", token).get_json()
    assert [i["id"] for i in moved["items"]].index(last["id"]) == len(moved["items"]) - 2
    # the same revision again is stale now
    again = call(
        "POST",
        "/api/v1/commands/move_item",
        token,
        {
            "item_id": last["id"],
            "direction": "up",
            "agenda_revision": agenda_page["meeting"]["agenda_revision"],
        },
    )
    assert again.status_code == 409


# -- personal tokens: the member's page -------------------------------------------------------


def test_a_member_makes_uses_and_revokes_a_token_over_http(app, client_as, call):
    client, member = client_as("member", name="Zoé")
    assert "/profil/jetons" in client.get("/profil").get_data(as_text=True)
    page = client.get("/profil/jetons").get_data(as_text=True)
    assert "Vous n’avez aucun jeton actif." in page
    refused = post_form(client, "/profil/jetons", {"label": "  "})
    assert refused.status_code == 400
    assert "Donnez un nom à ce jeton" in refused.get_data(as_text=True)
    made = post_form(client, "/profil/jetons", {"label": "Script du jardin"})
    assert made.status_code == 302 and made.headers["Location"].endswith("/profil/jetons")
    shown = client.get("/profil/jetons").get_data(as_text=True)
    token = shown.split('id="new-token" class="copy-field" readonly value="')[1].split('"')[0]
    assert token.startswith("vdr_") and "Script du jardin" in shown
    assert token not in client.get("/profil/jetons").get_data(as_text=True)  # shown once
    row = db.session.scalar(select(ApiToken).where(ApiToken.member_id == member.id))
    assert row.token_hash == tokens.hash_token(token) and token not in json.dumps(
        [row.label, row.token_hash]
    )
    assert call("GET", "/api/v1/me", token).get_json()["me"]["display_name"] == "Zoé"
    db.session.rollback()
    assert db.session.get(ApiToken, row.id).last_used_at is not None
    created = _trace("api_token_created")
    assert created.actor_id == member.id and token not in json.dumps(created.data)
    # someone else cannot revoke it
    other, _other_member = client_as("member", name="Yann")
    assert post_form(other, f"/profil/jetons/{row.id}/revoquer").status_code == 404
    assert call("GET", "/api/v1/me", token).status_code == 200
    revoked = post_form(client, f"/profil/jetons/{row.id}/revoquer")
    assert revoked.status_code == 302
    assert "Vous n’avez aucun jeton actif." in client.get("/profil/jetons").get_data(as_text=True)
    assert call("GET", "/api/v1/me", token).status_code == 401
    assert _trace("api_token_revoked").actor_id == member.id
    assert post_form(client, f"/profil/jetons/{row.id}/revoquer").status_code == 404


def test_the_token_page_is_for_members(client):
    response = client.get("/profil/jetons")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


# -- the API door's permission matrix ---------------------------------------------------------

# What the API door adds to the form door's data: the ids its page takes from the URL.
FROM_THE_URL = {
    "propose_correction": {"decision_id": 999999},
    "edit_event": {"event_id": "{event}"},
    "cancel_event": {"event_id": "{event}"},
    "skip_occurrence": {"event_id": "{series}"},
    "withdraw_proposal": {"proposal_id": "{proposal}"},
}
SOCKET_CODES = {True: 200, "not_signed_in": 401, "forbidden": 403, "not_found": 404}
FORM_STATUS = {DONE: 200, SIGN_IN: 401, PAGE_REFUSED: 403}


def api_case(name, role):
    """(payload with placeholders, live world?, what the door answers: an HTTP status, or
    "refused" for a French refusal the form door shows)."""
    if name in SOCKET_COMMANDS:
        payload, expected = SOCKET_COMMANDS[name]
        answer = command_expected(expected, role)
        return payload, name in LIVE_COMMANDS, answer
    path, data, expected = FORM_COMMANDS[name]
    answer = expected_for(expected, role)
    if role == "guest" and answer == SIGN_IN:
        # A page sends a guest to sign in; the registry refuses them as not a member (the
        # socket door's answer).
        answer = "forbidden"
    return data, LIVE in path, answer


# Every command the API door exposes (`test_the_matrix_lists_every_api_command` keeps it true).
API_COMMANDS = (
    *("add_entry", "edit_entry", "delete_entry", "claim_need", "release_need", "resolve_need"),
    *("prepare_agenda", "add_agenda_entries", "add_agenda_item", "remove_item", "move_item"),
    *("reorder_agenda", "set_timebox", "advance_item", "postpone_item"),
    *("record_decision", "edit_decision", "propose_correction"),
    *("add_action", "complete_action", "reopen_action"),
    *("create_event", "edit_event", "cancel_event", "skip_occurrence"),
    *("propose_event", "withdraw_proposal"),
)
API_CASES = [(name, role) for name in API_COMMANDS for role in ROLES]


def test_the_matrix_lists_every_api_command(app):  # the app declares the commands
    assert set(exposed("api")) == set(API_COMMANDS), "list it in API_COMMANDS"
    assert set(API_COMMANDS) <= set(SOCKET_COMMANDS) | set(FORM_COMMANDS)


@pytest.mark.parametrize(("name", "role"), API_CASES, ids=[f"{n}-{r}" for n, r in API_CASES])
def test_the_api_door_answers_as_the_other_doors(visitor, call, name, role):  # noqa: F811
    payload, live, answer = api_case(name, role)
    client, places = visitor(role, live=live)
    places = {k: v for k, v in places.items() if k != "join_code"}
    ids = {f"{{{key}}}": value for key, value in places.items()}
    if name in SOCKET_COMMANDS:
        body = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in payload.items()}
    else:
        typed = form_values(COMMANDS[name].fields, fill(payload, places))
        from_url = {k: ids.get(v, v) for k, v in FROM_THE_URL.get(name, {}).items()}
        body = {**typed, **from_url}
        if "meeting_id" in COMMANDS[name].fields:
            body["meeting_id"] = places["live_meeting" if live else "meeting"]
        body = {k: v for k, v in body.items() if k in COMMANDS[name].fields}
    headers = {"X-CSRFToken": csrf_token(client)} if role != "anonymous" else {}
    before = state()
    response = call("POST", f"/api/v1/commands/{name}", body=body, headers=headers, client=client)
    result = response.get_json()
    assert response.content_type == "application/json"
    if name in SOCKET_COMMANDS:  # the same answer as the socket's ack
        if answer is True:
            assert response.status_code == 200 and result["ok"] is True, result
        else:
            assert (result["ok"], result["error"]) == (False, answer), result
            assert response.status_code == SOCKET_CODES.get(answer, response.status_code)
            assert state() == before
        return
    if answer == "forbidden":
        assert response.status_code == 403, result
        assert result["message"] == "Cette action est réservée aux membres."
    elif answer in FORM_STATUS:
        assert response.status_code == FORM_STATUS[answer], result
    else:  # the form door shows a French refusal: the API door refuses too
        assert response.status_code in (400, 403, 404, 409) and result["message"], result
    if response.status_code == 200:
        assert state() != before
    else:
        assert result["ok"] is False and state() == before


# -- proposals through the API -------------------------------------------------------------------


def test_a_member_proposes_an_event_through_the_api_and_withdraws_it(world, app, call, socket_for):
    reader = app.test_client()
    sign_in(reader, world.ines)
    page = socket_for(reader)
    assert page.command("join_document", {"meeting_id": world.coming.id})["ok"]
    page.facts()

    # Every problem of the form at once, at its field, and nothing stored.
    before = counts()
    refused = call(
        "POST",
        "/api/v1/commands/propose_event",
        world.tokens["Inès"],
        {"meeting_id": world.coming.id, "title": "", "duration_minutes": "longtemps"},
    )
    assert refused.status_code == 400
    body = refused.get_json()
    assert body["ok"] is False and set(body["fields"]) >= {"title", "duration_minutes", "place"}
    assert plain(body["fields"]["title"]) == "Donnez un titre à l’événement."
    assert counts() == before

    made = call(
        "POST",
        "/api/v1/commands/propose_event",
        world.tokens["Inès"],
        {
            "meeting_id": world.coming.id,
            "title": "Soupe partagée",
            "description": "Chacun·e apporte un légume.",
            "date_1": WISHED,
            "time_1": "19:00",
            "duration_minutes": 120,  # a number, or the form's text: the same
            "place": "garden",
        },
    )
    assert made.status_code == 200, made.get_json()
    answer = made.get_json()
    trace = _trace("entry_added")  # the proposal is an entry of the document, kind "proposal"
    assert (trace.actor_id, trace.subject_id) == (world.ines.id, answer["entry_id"])
    # The document's other pages see the new proposal, as after the form.
    facts = page.facts("entry_added")
    assert any("Soupe partagée" in f["args"][0]["html"] for f in facts), facts
    # It is the proposer's own, in her list.
    mine = call("GET", "/api/v1/proposals", world.tokens["Inès"]).get_json()
    assert answer["proposal_id"] in [p["id"] for p in mine["items"]]

    # Someone else cannot withdraw it; she can.
    other = call(
        "POST",
        "/api/v1/commands/withdraw_proposal",
        world.tokens["Théo"],
        {"proposal_id": answer["proposal_id"]},
    )
    assert other.status_code == 403
    assert plain(other.get_json()["message"]) == (
        "Seule la personne qui a proposé l’événement peut le retirer."
    )
    gone = call(
        "POST",
        "/api/v1/commands/withdraw_proposal",
        world.tokens["Inès"],
        {"proposal_id": answer["proposal_id"], "reason": "Trop de monde ce soir-là."},
    )
    assert gone.status_code == 200 and gone.get_json()["status"] == "withdrawn"
    assert _trace("proposal_withdrawn").actor_id == world.ines.id
