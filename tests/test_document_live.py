"""The live shared document: every socket command of meeting/prep/events.py, round trip and
room isolation, the state a (re)joining page receives, presence, malformed payloads.

The room: Inès and Théo are on the coming Friday's document, Lou on the next Friday's, Max is
connected (signed in) but on no document. Inès sends; Théo must hear it; Lou and Max must not.
"""

import re
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from meeting.extensions import db
from meeting.i18n import french_spacing
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.models import ClientOperation, Entry, EntryRevision, Trace
from meeting.prep import presence
from meeting.prep import services as prep
from tests.conftest import post_form, sign_in

DOCUMENT_FACTS = {
    "entry_added",
    "entry_edited",
    "entry_deleted",
    "need_claimed",
    "need_released",
    "need_resolved",
    "presence_changed",
    "meeting_status_changed",
}


def fr(message):
    return french_spacing(message)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def stored():
    return {m.__name__: count(m) for m in (Entry, EntryRevision, ClientOperation, Trace)}


class Person:
    """A signed-in member with a page's socket, keeping every fact it received."""

    def __init__(self, member, http, live):
        self.member, self.http, self.live = member, http, live
        self.inbox = []

    def command(self, name, data=None):
        return self.live.command(name, data)

    def received(self, name=None):
        self.inbox += self.live.facts()
        return [f["args"][0] for f in self.inbox if name is None or f["name"] == name]

    def wait_for(self, name, check=lambda data: True, timeout=3.0):
        """The facts `name` matching `check`, polling every 50 ms until one came or time is up."""
        deadline = time.monotonic() + timeout
        while True:
            found = [data for data in self.received(name) if check(data)]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def forget(self):
        self.received()
        self.inbox.clear()

    def document_facts(self):
        self.received()
        return [(f["name"], f["args"][0]) for f in self.inbox if f["name"] in DOCUMENT_FACTS]


def people_of(fact):
    return {p["name"]: p["typing"] for p in fact["people"]}


def make_room(app, make_member, socket_for):
    """Inès and Théo on the coming Friday's document, Lou on the next one's, Max on none."""

    def person(name, role="member"):
        member = make_member(name=name, role=role)
        http = app.test_client()
        sign_in(http, member)
        return Person(member, http, socket_for(http))

    r = SimpleNamespace()
    r.meeting = meetings.ensure_meeting(dates.next_meeting_date())
    r.other = meetings.ensure_meeting(r.meeting.scheduled_for + timedelta(days=7))
    r.m1, r.m2 = r.meeting.id, r.other.id
    r.ines, r.theo, r.lou = person("Inès"), person("Théo"), person("Lou")
    for who, meeting_id in ((r.ines, r.m1), (r.theo, r.m1), (r.lou, r.m2)):
        assert who.command("join_document", {"meeting_id": meeting_id})["ok"]
    r.max, r.camille = person("Max"), person("Camille", role="facilitator")
    r.everyone = (r.ines, r.theo, r.lou, r.max, r.camille)
    return r


@pytest.fixture
def room(app, make_member, socket_for):
    """The room, once the arrivals were announced (~0.3 s later): every test starts in silence."""
    r = make_room(app, make_member, socket_for)
    assert r.theo.wait_for("presence_changed", lambda f: set(people_of(f)) == {"Inès", "Théo"})
    assert r.lou.wait_for("presence_changed", lambda f: set(people_of(f)) == {"Lou"})
    for who in r.everyone:
        who.forget()
    return r


def heard_nothing_of(meeting_id, *people):
    """None of `people` received a fact about the document of `meeting_id`.

    (`trace_added` goes to every signed-in member by design: it feeds the trace page.)
    """
    for who in people:
        facts = who.document_facts()
        assert not [(name, data) for name, data in facts if data.get("meeting_id") == meeting_id], (
            f"{who.member.display_name} heard {facts}"
        )


def single(facts):
    assert len(facts) == 1, facts
    return facts[0]


@pytest.fixture
def quick_typing(monkeypatch):
    """Make "is writing" last 1 s instead of 6 (its end is announced by a delayed broadcast)."""
    monkeypatch.setattr(presence, "TYPING_SECONDS", 1.0)


# -- join_document -----------------------------------------------------------------------------


def test_join_document_answers_the_whole_document_and_announces_the_newcomer(
    room, make_member, app, socket_for
):
    mood = prep.add_entry(room.ines.member, room.m1, "mood", None, "Heureuse d’être là")
    topic = prep.add_entry(room.ines.member, room.m1, "topic", "Le four", "Réparer le four")
    prep.edit_entry(room.ines.member, topic.id, 1, "Le four", "Réparer le four à pain")
    need = prep.add_entry(room.theo.member, room.m1, "need", "Savon", "Savon noir")
    prep.add_entry(room.lou.member, room.m2, "topic", "Ailleurs", "Un autre vendredi")
    room.theo.forget()
    zoe_member = make_member(name="Zoé")
    http = app.test_client()
    sign_in(http, zoe_member)
    zoe = socket_for(http)
    ack = zoe.command("join_document", {"meeting_id": room.m1})
    assert ack["ok"] is True and ack["meeting_id"] == room.m1 and ack["status"] == "preparing"
    # Every entry, in the document's order (billets, besoins, propositions, points), with its
    # revision and the fragment the page shows.
    assert [(e["entry_id"], e["kind"], e["revision"]) for e in ack["entries"]] == [
        (mood.id, "mood", 1),
        (need.id, "need", 1),
        (topic.id, "topic", 2),
    ]
    html = {e["entry_id"]: e["html"] for e in ack["entries"]}
    assert f'id="entree-{topic.id}"' in html[topic.id]
    assert "Réparer le four à pain" in html[topic.id] and 'data-revision="2"' in html[topic.id]
    assert "Heureuse d’être là" in html[mood.id] and "Je m’en occupe" in html[need.id]
    assert "Un autre vendredi" not in str(ack)
    assert ack["people"] == [
        {"member_id": room.ines.member.id, "name": "Inès", "typing": False},
        {"member_id": room.theo.member.id, "name": "Théo", "typing": False},
        {"member_id": zoe_member.id, "name": "Zoé", "typing": False},
    ]
    # Théo, on the same page, sees Zoé arrive.
    fact = room.theo.wait_for("presence_changed", lambda f: "Zoé" in people_of(f))[0]
    assert fact["meeting_id"] == room.m1
    assert people_of(fact) == {"Inès": False, "Théo": False, "Zoé": False}
    assert "Sur la page" in fact["html"] and "Zoé" in fact["html"]
    heard_nothing_of(room.m1, room.lou, room.max)


def test_a_page_that_reconnects_gets_everything_it_missed(room, socket_for):
    kept = prep.add_entry(room.theo.member, room.m1, "topic", "Compost", "Le bac est plein")
    gone = prep.add_entry(room.theo.member, room.m1, "need", "Huile", "Huile d’olive")
    room.ines.live.disconnect()  # Inès's phone sleeps…
    prep.edit_entry(room.theo.member, kept.id, 1, "Compost", "Le bac est plein, on le vide")
    prep.delete_entry(room.theo.member, gone.id)
    new = prep.add_entry(room.theo.member, room.m1, "mood", None, "Écrit pendant son absence")
    again = socket_for(room.ines.http)  # …and wakes up: the page joins again.
    ack = again.command("join_document", {"meeting_id": room.m1})
    assert [(e["entry_id"], e["revision"]) for e in ack["entries"]] == [(new.id, 1), (kept.id, 2)]
    assert "on le vide" in ack["entries"][1]["html"]
    assert "Écrit pendant son absence" in ack["entries"][0]["html"]


def test_join_document_of_a_meeting_that_does_not_exist(room):
    ack = room.max.command("join_document", {"meeting_id": 9999})
    assert ack == {"ok": False, "error": "not_found", "message": "Cette réunion n’existe pas."}
    assert presence.snapshot(9999) == []


# -- entries -----------------------------------------------------------------------------------


def test_add_entry_round_trip(room):
    before = stored()
    ack = room.ines.command(
        "add_entry",
        {
            "meeting_id": room.m1,
            "kind": "need",
            "title": "Savon",
            "body": "Du **savon noir**",
            "op_id": "op-add-000001",
        },
    )
    entry = db.session.scalar(select(Entry))
    assert ack == {"ok": True, "entry_id": entry.id, "revision": 1, "meeting_id": room.m1}
    assert (entry.kind, entry.title, entry.body, entry.need_status) == (
        "need",
        "Savon",
        "Du **savon noir**",
        "open",
    )
    assert stored()["Entry"] == before["Entry"] + 1
    fact = single(room.theo.received("entry_added"))
    assert {
        k: fact[k]
        for k in ("meeting_id", "entry_id", "kind", "revision", "author_id", "need_status")
    } == {
        "meeting_id": room.m1,
        "entry_id": entry.id,
        "kind": "need",
        "revision": 1,
        "author_id": room.ines.member.id,
        "need_status": "open",
    }
    assert f'id="entree-{entry.id}"' in fact["html"]
    assert "Du <strong>savon noir</strong>" in fact["html"] and "par Inès" in fact["html"]
    assert single(room.ines.received("entry_added"))["entry_id"] == entry.id  # the sender too
    heard_nothing_of(room.m1, room.lou, room.max)


def test_facts_do_not_hand_the_senders_csrf_token_to_the_others(room, friday_url):
    """Inès's form token, broadcast in a fragment, would let Théo forge a post as Inès."""
    room.ines.http.get(friday_url)  # her page, as a browser opens it before connecting
    room.ines.command("add_entry", {"meeting_id": room.m1, "kind": "need", "body": "Savon"})
    post_form(room.ines.http, friday_url + "entrees", {"kind": "need", "body": "Huile"})
    facts = room.theo.received("entry_added")
    assert len(facts) == 2
    for fact in facts:
        tokens = re.findall(r'name="csrf_token" value="([^"]*)"', fact["html"])
        assert tokens and set(tokens) == {""}
    # The page itself (for its reader) does carry its reader's token.
    page = room.ines.http.get(friday_url).get_data(as_text=True)
    assert re.search(r'name="csrf_token" value="[^"]+"', page)


@pytest.fixture
def friday_url(room):
    return f"/vendredi/{room.meeting.scheduled_for.isoformat()}/"


def test_facts_of_another_friday_stay_there(room):
    room.lou.command("add_entry", {"meeting_id": room.m2, "kind": "topic", "body": "Chez Lou"})
    assert single(room.lou.received("entry_added"))["meeting_id"] == room.m2
    heard_nothing_of(room.m2, room.ines, room.theo, room.max)


def test_edit_entry_round_trip(room):
    entry = prep.add_entry(room.ines.member, room.m1, "topic", "Compost", "Le bac est plein")
    room.theo.forget()
    ack = room.ines.command(
        "edit_entry",
        {"entry_id": entry.id, "revision": 1, "title": "Compost", "body": "Le bac *déborde*"},
    )
    assert ack == {"ok": True, "entry_id": entry.id, "revision": 2}
    fact = single(room.theo.received("entry_edited"))
    assert (fact["entry_id"], fact["revision"], fact["meeting_id"]) == (entry.id, 2, room.m1)
    assert "Le bac <em>déborde</em>" in fact["html"] and 'data-revision="2"' in fact["html"]
    assert "modifié (2 versions)" in fact["html"]
    heard_nothing_of(room.m1, room.lou, room.max)


def test_a_stale_edit_answers_with_the_current_text_and_changes_nothing(room):
    entry = prep.add_entry(room.ines.member, room.m1, "topic", "Compost", "Le bac est plein")
    prep.edit_entry(room.camille.member, entry.id, 1, "Compost", "Le bac est vidé samedi")
    room.theo.forget()
    before = stored()
    ack = room.ines.command(
        "edit_entry",
        {"entry_id": entry.id, "revision": 1, "title": "Compost", "body": "Le bac déborde"},
    )
    assert ack == {
        "ok": False,
        "error": "stale",
        "message": "Quelqu’un a modifié ce texte pendant que vous écriviez. Comparez les deux "
        "versions et fusionnez-les avant d’enregistrer.",
        "current": {
            "entry_id": entry.id,
            "revision": 2,
            "title": "Compost",
            "body": "Le bac est vidé samedi",
            "updated_by": "Camille",
        },
    }
    assert stored() == before
    assert db.session.get(Entry, entry.id).body == "Le bac est vidé samedi"
    assert room.theo.document_facts() == []


def test_delete_entry_round_trip(room):
    entry = prep.add_entry(room.ines.member, room.m1, "mood", None, "Un billet à retirer")
    entry_id = entry.id
    room.theo.forget()
    ack = room.ines.command("delete_entry", {"entry_id": entry_id})
    assert ack == {"ok": True, "entry_id": entry_id}
    db.session.rollback()
    assert db.session.get(Entry, entry_id) is None
    assert single(room.theo.received("entry_deleted")) == {
        "meeting_id": room.m1,
        "entry_id": entry_id,
        "kind": "mood",
    }
    heard_nothing_of(room.m1, room.lou, room.max)


def test_entry_commands_refuse_someone_elses_entry(room):
    entry = prep.add_entry(room.theo.member, room.m1, "topic", "Le four", "Réparer le four")
    room.theo.forget()
    before = stored()
    ack = room.ines.command("edit_entry", {"entry_id": entry.id, "revision": 1, "body": "Piraté"})
    assert ack == {
        "ok": False,
        "error": "forbidden",
        "message": "Vous ne pouvez modifier que vos propres contributions.",
    }
    ack = room.ines.command("delete_entry", {"entry_id": entry.id})
    assert ack == {
        "ok": False,
        "error": "forbidden",
        "message": "Vous ne pouvez retirer que vos propres contributions.",
    }
    # A facilitator may edit it (the change is traced), not remove it.
    assert room.camille.command(
        "edit_entry",
        {"entry_id": entry.id, "revision": 1, "title": "Le four", "body": "Four réparé"},
    )["ok"]
    assert room.camille.command("delete_entry", {"entry_id": entry.id})["error"] == "forbidden"
    assert stored()["Entry"] == before["Entry"]
    assert [name for name, _data in room.theo.document_facts()] == ["entry_edited"]


@pytest.mark.parametrize(
    ("payload", "error", "message"),
    [
        (
            {"kind": "mood", "body": "  "},
            "empty_body",
            "Le texte est vide : écrivez quelque chose avant d’envoyer.",
        ),
        (
            {"kind": "mood", "body": "x" * 20_001},
            "body_too_long",
            "Le texte est trop long (20\u202f000 caractères au plus).",
        ),
        (
            {"kind": "poeme", "body": "Un vers"},
            "invalid_kind",
            "Ce type de contribution n’existe pas.",
        ),
        (
            {"kind": "proposal", "body": "Un concert"},
            "use_proposal_form",
            "Pour proposer un événement, utilisez le formulaire « Proposer un événement ».",
        ),
        (
            {"kind": "mood", "body": "Re", "op_id": "court"},
            "invalid_field",
            "Identifiant d’opération invalide.",
        ),
    ],
    ids=["empty", "too-long", "unknown-kind", "proposal", "bad-op-id"],
)
def test_add_entry_refuses_bad_input_in_french_without_effect(room, payload, error, message):
    before = stored()
    ack = room.ines.command("add_entry", {"meeting_id": room.m1, **payload})
    # A refusal about the text names its field, so that the page shows it beside the field.
    field = ack.pop("field", None)
    assert field == ("body" if error in ("empty_body", "body_too_long") else None)
    assert ack == {"ok": False, "error": error, "message": fr(message)}
    assert stored() == before
    assert room.theo.document_facts() == []


def test_add_entry_to_a_closed_friday_is_refused(room):
    meetings.close_meeting(room.camille.member, room.m1)
    room.theo.forget()
    ack = room.ines.command("add_entry", {"meeting_id": room.m1, "kind": "topic", "body": "Tard"})
    assert ack == {
        "ok": False,
        "error": "meeting_closed",
        "message": fr("Ce vendredi est clos : son document ne peut plus être modifié."),
    }
    assert count(Entry) == 0 and room.theo.document_facts() == []


# -- needs -------------------------------------------------------------------------------------


@pytest.fixture
def need(room):
    entry = prep.add_entry(room.theo.member, room.m1, "need", "Huile", "Deux litres d’huile")
    for who in room.everyone:
        who.forget()
    return entry


def test_claim_need_round_trip(room, need):
    ack = room.ines.command("claim_need", {"entry_id": need.id, "note": "j’apporte 2 litres"})
    assert ack == {"ok": True, "entry_id": need.id, "need_status": "claimed"}
    fact = single(room.theo.received("need_claimed"))
    assert (fact["entry_id"], fact["need_status"], fact["meeting_id"]) == (
        need.id,
        "claimed",
        room.m1,
    )
    assert "Inès s’en occupe (j’apporte 2 litres)" in fact["html"]
    assert f'data-claimer="{room.ines.member.id}"' in fact["html"]
    heard_nothing_of(room.m1, room.lou, room.max)
    # A second claim, by someone else, is refused with the name of who took it.
    ack = room.max.command("claim_need", {"entry_id": need.id})
    assert ack == {"ok": False, "error": "already_claimed", "message": "Inès s’en occupe déjà."}
    assert room.theo.document_facts() == [("need_claimed", fact)]
    assert db.session.get(Entry, need.id).claimed_by_id == room.ines.member.id


def test_release_need_round_trip(room, need):
    prep.claim_need(room.ines.member, need.id)
    room.theo.forget()
    ack = room.max.command("release_need", {"entry_id": need.id})
    assert ack == {
        "ok": False,
        "error": "forbidden",
        "message": "Seule la personne qui s’en occupe peut le rendre.",
    }
    ack = room.ines.command("release_need", {"entry_id": need.id})
    assert ack == {"ok": True, "entry_id": need.id, "need_status": "open"}
    fact = single(room.theo.received("need_released"))
    assert fact["need_status"] == "open" and "Je m’en occupe" in fact["html"]
    assert "s’en occupe (" not in fact["html"] and 'data-claimer=""' in fact["html"]
    heard_nothing_of(room.m1, room.lou, room.max)


def test_resolve_need_round_trip(room, need):
    prep.claim_need(room.ines.member, need.id)
    room.theo.forget()
    ack = room.max.command("resolve_need", {"entry_id": need.id, "outcome": "met"})
    assert ack["ok"] is False and ack["error"] == "forbidden"
    ack = room.ines.command("resolve_need", {"entry_id": need.id, "outcome": "met"})
    assert ack == {"ok": True, "entry_id": need.id, "need_status": "met"}
    fact = single(room.theo.received("need_resolved"))
    assert fact["need_status"] == "met" and "satisfait" in fact["html"]
    assert "Je m’en occupe" not in fact["html"]
    heard_nothing_of(room.m1, room.lou, room.max)
    ack = room.theo.command("resolve_need", {"entry_id": need.id, "outcome": "dropped"})
    assert ack == {
        "ok": False,
        "error": "bad_transition",
        "message": "Ce besoin est déjà satisfait.",
    }
    ack = room.theo.command("resolve_need", {"entry_id": need.id, "outcome": "oublié"})
    assert ack["error"] == "invalid_field" and ack["message"] == fr(
        "Issue inconnue : « satisfait » ou « abandonné » seulement."
    )


# -- preview and presence ----------------------------------------------------------------------


def test_preview_markdown_answers_the_sender_only(room):
    before = stored()
    ack = room.ines.command("preview_markdown", {"body": "**Gras** <script>alert(1)</script>"})
    assert ack["ok"] is True
    assert ack["html"].startswith("<p><strong>Gras</strong> &lt;script&gt;")
    assert "<script" not in ack["html"]
    assert stored() == before
    for who in (room.ines, room.theo, room.lou, room.max):
        assert who.document_facts() == [] and who.received("trace_added") == []
    ack = room.ines.command("preview_markdown", {"body": "x" * 20_001})
    assert ack == {
        "ok": False,
        "error": "body_too_long",
        "message": "Le texte est trop long (20\u202f000 caractères au plus).",
    }


def test_set_typing_shows_who_is_writing(room, quick_typing):
    ack = room.ines.command("set_typing", {"meeting_id": room.m1, "typing": True})
    assert ack == {"ok": True, "present": True}
    fact = room.theo.wait_for("presence_changed", lambda f: people_of(f).get("Inès"))[0]
    assert fact["meeting_id"] == room.m1
    assert people_of(fact) == {"Inès": True, "Théo": False}
    assert "Inès <em>(écrit…)</em>" in fact["html"]
    heard_nothing_of(room.m1, room.lou, room.max)
    # Sending the entry ends "is writing" at once…
    room.theo.forget()
    room.ines.command("add_entry", {"meeting_id": room.m1, "kind": "topic", "body": "Fini"})
    fact = room.theo.wait_for(
        "presence_changed", lambda f: people_of(f) == {"Inès": False, "Théo": False}
    )
    assert fact and "écrit…" not in fact[0]["html"]


def test_is_writing_ends_by_itself_when_the_page_goes_quiet(room, quick_typing):
    room.ines.command("set_typing", {"meeting_id": room.m1, "typing": True})
    assert room.theo.wait_for("presence_changed", lambda f: people_of(f).get("Inès"))
    room.theo.forget()
    quiet = room.theo.wait_for("presence_changed", lambda f: people_of(f).get("Inès") is False)
    assert quiet and "écrit…" not in quiet[0]["html"]


def test_set_typing_on_a_document_one_has_not_joined_announces_nothing(room):
    ack = room.max.command("set_typing", {"meeting_id": room.m1, "typing": True})
    assert ack == {"ok": True, "present": False}
    assert room.theo.wait_for("presence_changed", timeout=0.5) == []
    assert [p["name"] for p in presence.snapshot(room.m1)] == ["Inès", "Théo"]


def test_leaving_the_page_removes_the_person(room, socket_for):
    second_tab = socket_for(room.ines.http)
    assert second_tab.command("join_document", {"meeting_id": room.m1})["ok"]
    room.ines.live.disconnect()  # one of her two tabs: she is still here
    assert [p["name"] for p in presence.snapshot(room.m1)] == ["Inès", "Théo"]
    second_tab.disconnect()  # the last one: she has left
    assert [p["name"] for p in presence.snapshot(room.m1)] == ["Théo"]
    fact = room.theo.wait_for("presence_changed", lambda f: "Inès" not in people_of(f))
    assert fact and people_of(fact[0]) == {"Théo": False}
    assert "Inès" not in fact[0]["html"]
    heard_nothing_of(room.m1, room.lou, room.max)


def test_an_event_a_page_names_disconnect_or_connect_is_refused_not_run(room):
    # python-socketio would run the lifecycle handlers for such an event: the page would leave
    # the presence list while staying connected.
    for name in ("disconnect", "connect"):
        ack = room.ines.command(name, {"meeting_id": room.m1})
        assert ack == {"ok": False, "error": "unknown_command", "message": "Commande inconnue."}
    assert [p["name"] for p in presence.snapshot(room.m1)] == ["Inès", "Théo"]
    assert room.ines.command("join_document", {"meeting_id": room.m1})["ok"]


def test_someone_on_two_tabs_is_listed_once(room, socket_for):
    second_tab = socket_for(room.ines.http)
    ack = second_tab.command("join_document", {"meeting_id": room.m1})
    assert [p["name"] for p in ack["people"]] == ["Inès", "Théo"]


# -- malformed payloads --------------------------------------------------------------------


MALFORMED = [
    ("join_document", {}, "missing_field", "Le champ « Réunion » est obligatoire."),
    (
        "join_document",
        {"meeting_id": "1"},
        "invalid_field",
        "Le champ « Réunion » doit être un nombre entier.",
    ),
    (
        "add_entry",
        {"meeting_id": "{m1}", "kind": "mood"},
        "missing_field",
        "Le champ « Texte » est obligatoire.",
    ),
    (
        "add_entry",
        {"meeting_id": "{m1}", "kind": 3, "body": "x"},
        "invalid_field",
        "Le champ « Type » doit être un texte.",
    ),
    (
        "add_entry",
        {"meeting_id": True, "kind": "mood", "body": "x"},
        "invalid_field",
        "Le champ « Réunion » doit être un nombre entier.",
    ),
    (
        "add_entry",
        {"meeting_id": "{m1}", "kind": "mood", "body": "x", "author_id": 1},
        "invalid_field",
        "Champ inattendu : author_id.",
    ),
    (
        "edit_entry",
        {"entry_id": "{entry}", "body": "x"},
        "missing_field",
        "Le champ « Version du texte » est obligatoire.",
    ),
    (
        "edit_entry",
        {"entry_id": "{entry}", "revision": "1", "body": "x"},
        "invalid_field",
        "Le champ « Version du texte » doit être un nombre entier.",
    ),
    ("delete_entry", {}, "missing_field", "Le champ « Contribution » est obligatoire."),
    (
        "delete_entry",
        {"entry_id": 1.5},
        "invalid_field",
        "Le champ « Contribution » doit être un nombre entier.",
    ),
    (
        "claim_need",
        {"entry_id": "{need}", "note": 12},
        "invalid_field",
        "Le champ « Précision » doit être un texte.",
    ),
    ("claim_need", {"note": "moi"}, "missing_field", "Le champ « Contribution » est obligatoire."),
    (
        "release_need",
        {"entry_id": "deux"},
        "invalid_field",
        "Le champ « Contribution » doit être un nombre entier.",
    ),
    (
        "resolve_need",
        {"entry_id": "{need}"},
        "missing_field",
        "Le champ « Issue du besoin » est obligatoire.",
    ),
    (
        "resolve_need",
        {"entry_id": "{need}", "outcome": True},
        "invalid_field",
        "Le champ « Issue du besoin » doit être un texte.",
    ),
    ("preview_markdown", {}, "missing_field", "Le champ « Texte » est obligatoire."),
    (
        "preview_markdown",
        {"body": ["**gras**"]},
        "invalid_field",
        "Le champ « Texte » doit être un texte.",
    ),
    (
        "set_typing",
        {"meeting_id": "{m1}", "typing": "oui"},
        "invalid_field",
        "Le champ « En train d’écrire » doit être oui ou non.",
    ),
    ("set_typing", {"typing": True}, "missing_field", "Le champ « Réunion » est obligatoire."),
    ("add_entry", "kind=mood&body=x", "malformed", "Les données de la commande sont mal formées."),
    ("claim_need", ["{need}"], "malformed", "Les données de la commande sont mal formées."),
]


def document_commands():
    from meeting.commands import COMMANDS

    return {
        name for name, cmd in COMMANDS.items() if cmd.handler.__module__ == "meeting.prep.events"
    }


def test_every_document_command_has_malformed_cases(app):  # the app registers the commands
    assert document_commands() == {name for name, *_ in MALFORMED}
    assert len(document_commands()) == 9


@pytest.mark.parametrize("name", sorted({name for name, *_ in MALFORMED}))
def test_malformed_payloads_are_refused_in_french_without_effect(
    app, make_member, socket_for, name
):
    r = make_room(app, make_member, socket_for)  # no need to wait for the arrivals here
    need = prep.add_entry(r.theo.member, r.m1, "need", "Huile", "Deux litres d’huile")
    r.theo.forget()
    ids = {"{m1}": r.m1, "{entry}": need.id, "{need}": need.id}
    before, people = stored(), presence.snapshot(r.m1)
    for command, payload, error, message in [case for case in MALFORMED if case[0] == name]:
        if isinstance(payload, dict):
            payload = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in payload.items()}
        ack = r.ines.command(command, payload)
        field = ack.pop("field", None)  # a refused field is named, for the page to mark it
        assert (
            field is None
            or field in (payload if isinstance(payload, dict) else {})
            or (error == "missing_field")
        ), (field, payload)
        assert ack == {"ok": False, "error": error, "message": fr(message)}, payload
    assert stored() == before
    assert db.session.get(Entry, need.id).need_status == "open"
    assert presence.snapshot(r.m1) == people  # nobody joined, nobody "is writing"
    assert [n for n, _data in r.theo.document_facts() if n != "presence_changed"] == []


def test_an_entry_written_while_a_page_joins_reaches_it_either_way(room, monkeypatch):
    """Join first, then read: an entry committed just after a joining page read the document
    arrives as a fact (before, the page joined the room after reading and missed it for good)."""
    from meeting.prep import events

    real = events.services.document_state

    def read_then_someone_writes(actor, meeting_id):
        state = real(actor, meeting_id)
        prep.add_entry(room.theo.member, room.m1, "need", "Savon noir", "Deux litres")
        return state

    monkeypatch.setattr(events.services, "document_state", read_then_someone_writes)
    room.max.forget()  # Max was on no document yet
    ack = room.max.command("join_document", {"meeting_id": room.m1})
    assert ack["ok"] and "Savon noir" not in str(ack["entries"])  # not in what was read…
    added = [f for name, f in room.max.document_facts() if name == "entry_added"]
    assert [(f["kind"], "Savon noir" in f["html"]) for f in added] == [("need", True)]  # …a fact
