"""The /live namespace: connection, rooms, commands and their refusals, closing on sign-out."""

import pytest

from meeting.extensions import db
from meeting.members import services
from meeting.models import Trace
from tests.conftest import post_form


@pytest.fixture
def member_socket(client_as, socket_for):
    """Factory: (live client, http client, member) for a new signed-in member of `role`."""

    def make(role="member", **kw):
        http, member = client_as(role, **kw)
        return socket_for(http), http, member

    return make


def test_anonymous_connection_is_accepted_but_receives_no_member_facts(socket_for, member_socket):
    anonymous = socket_for()
    assert anonymous.connected
    assert anonymous.command("sync_traces", {"after": 0})["error"] == "not_signed_in"
    live, http, member = member_socket(name="Inès")
    elsewhere, _http, _other = member_socket(name="Théo")  # a page that shows no trace feed
    assert live.command("sync_traces", {"after": 0})["ok"]  # the trace page's first command
    post_form(http, "/profil", {"display_name": "Inès Benali", "email": member.email})
    assert elsewhere.facts("trace_added") == []
    assert [f["args"][0]["summary"] for f in live.facts("trace_added")] == [
        "Inès Benali a changé de nom."
    ]
    assert anonymous.facts("trace_added") == []


def test_trace_fact_carries_the_page_fragment(member_socket):
    live, http, member = member_socket(name="Théo")
    live.command("sync_traces", {"after": 0})
    post_form(http, "/profil", {"display_name": "Théo G.", "email": member.email})
    (fact,) = live.facts("trace_added")
    data = fact["args"][0]
    trace = db.session.scalar(db.select(Trace).order_by(Trace.id.desc()))
    assert data["seq"] == trace.id and data["verb"] == "profile_updated"
    assert f'id="trace-{trace.id}"' in data["html"]
    assert "Théo G. a changé de nom." in data["html"]


def test_sync_traces_returns_what_was_missed_in_order(member_socket, make_member):
    live, _http, _member = member_socket()
    admin = make_member(role="admin", name="Claire")
    first = db.session.scalar(db.select(db.func.max(Trace.id))) or 0
    services.invite(admin)
    services.invite(admin, role="facilitator")
    ack = live.command("sync_traces", {"after": first})
    assert ack["ok"] is True
    assert [t["verb"] for t in ack["traces"]] == ["member_invited", "member_invited"]
    assert ack["traces"][0]["seq"] < ack["traces"][1]["seq"]
    ack = live.command("sync_traces", {"after": ack["traces"][-1]["seq"]})
    assert ack == {"ok": True, "traces": []}


def test_sync_traces_applies_the_page_filters(member_socket, make_member):
    live, _http, member = member_socket()
    admin = make_member(role="admin")
    services.invite(admin)
    services.update_profile(member, "Nouveau nom", member.email)
    ack = live.command("sync_traces", {"after": 0, "person": member.id})
    assert {t["actor_id"] for t in ack["traces"]} == {member.id}
    ack = live.command("sync_traces", {"after": 0, "type": "member_invited"})
    assert {t["verb"] for t in ack["traces"]} == {"member_invited"}
    ack = live.command("sync_traces", {"after": 0, "type": "n_importe_quoi"})
    assert ack["ok"] is False and ack["message"] == "Ce type de trace n’existe pas."


@pytest.mark.parametrize(
    ("payload", "error", "message"),
    [
        ({}, "missing_field", "Le champ « Dernière trace vue » est obligatoire."),
        (
            {"after": "12"},
            "invalid_field",
            "Le champ « Dernière trace vue » doit être un nombre entier.",
        ),
        (
            {"after": True},
            "invalid_field",
            "Le champ « Dernière trace vue » doit être un nombre entier.",
        ),
        ({"after": 1, "pirate": 1}, "invalid_field", "Champ inattendu : pirate."),
        (["after", 1], "malformed", "Les données de la commande sont mal formées."),
        ("after=1", "malformed", "Les données de la commande sont mal formées."),
    ],
)
def test_malformed_commands_are_refused_in_french(member_socket, payload, error, message):
    live, _http, _member = member_socket()
    ack = live.command("sync_traces", payload)
    # A refused field is named, for the page to mark it (an unknown field or bad data: none).
    assert ack.pop("field", None) == ("after" if "Dernière trace vue" in message else None)
    assert ack == {
        "ok": False,
        "error": error,
        "message": message.replace(" :", "\u00a0:")
        .replace("« ", "«\u00a0")
        .replace(" »", "\u00a0»"),
    }


def test_unknown_command_is_refused_without_effect(member_socket):
    live, _http, _member = member_socket()
    before = db.session.scalar(db.select(db.func.count(Trace.id)))
    ack = live.command("drop_database", {"really": True})
    assert ack == {"ok": False, "error": "unknown_command", "message": "Commande inconnue."}
    assert db.session.scalar(db.select(db.func.count(Trace.id))) == before
    assert live.connected


def test_oversized_payload_is_refused_with_a_clear_message(member_socket, app):
    live, _http, _member = member_socket()
    ack = live.command(
        "sync_traces", {"after": 0, "type": "x" * (app.config["LIVE_MAX_PAYLOAD"] + 1)}
    )
    assert ack["ok"] is False and ack["error"] == "payload_too_large"
    assert ack["message"] == "Le contenu envoyé est trop volumineux."


def test_commands_without_a_session_are_refused(socket_for):
    anonymous = socket_for()
    ack = anonymous.command("sync_traces", {"after": 0})
    assert ack == {
        "ok": False,
        "error": "not_signed_in",
        "message": "Connectez-vous pour faire cela.",
    }


def test_sign_out_closes_that_sessions_live_connections(member_socket, socket_for):
    live, http, _member = member_socket()
    second_tab = socket_for(http)
    other_live, _other_http, _other = member_socket()
    assert live.connected and second_tab.connected
    post_form(http, "/deconnexion")
    assert not live.connected and not second_tab.connected
    assert other_live.connected  # another person's connection is untouched


def test_deactivation_closes_the_members_connections_and_refuses_their_commands(
    member_socket, make_member, socket_for
):
    live, http, member = member_socket()
    admin = make_member(role="admin")
    services.deactivate(admin, member.id)
    assert not live.connected
    # The old session cannot open a connection any more (its session row is revoked).
    late = socket_for(http)
    assert not late.connected
    assert http.get("/profil").status_code == 302
