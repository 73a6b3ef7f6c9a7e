"""Decisions are immutable once their Friday is closed: edited in place while it is live,
replaced by a new decision afterwards (linked both ways), with the way there offered on the
decision's page; and the register as each audience receives it (published or members only)."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from meeting import place
from meeting.decisions import corrections
from meeting.decisions import services as decisions
from meeting.errors import Conflict, Forbidden, ServiceError
from meeting.extensions import db
from meeting.live import services as agenda
from meeting.meetings import dates
from meeting.models import AgendaItem, Decision, Trace
from meeting.pipeline import change
from meeting.proposals import services as proposals
from tests.conftest import post_form, sign_in

CLOSED_MESSAGE = (
    "Une décision d’un vendredi clos ne se modifie plus : une nouvelle décision peut la remplacer."
)


def plain(response_or_text):
    text = getattr(response_or_text, "get_data", None)
    text = text(as_text=True) if text else response_or_text
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def snapshot():
    """What a refused command must leave as it was."""
    db.session.rollback()
    return (
        db.session.scalar(select(func.count(Decision.id))),
        db.session.scalar(select(func.count(Trace.id))),
        db.session.scalar(select(func.count(AgendaItem.id))),
        tuple(db.session.scalars(select(Decision.statement).order_by(Decision.id))),
    )


def advance_to(actor, meeting, title=None, kind=None):
    """Advance the live Friday until the point titled `title` (or of `kind`) is current."""
    for _step in range(10):
        current = agenda.current_item(meeting.id)
        if current and (current.title == title or current.kind == kind):
            return current
        db.session.refresh(meeting)
        agenda.advance(actor, meeting.id, meeting.live_revision)
    raise AssertionError(f"no point {title or kind}")


@pytest.fixture
def world(live_friday, make_member):
    """A closed Friday: decision « Jardin » (consent; Inès and the guest Zoé objected, lifted)
    with three actions (Inès: done, overdue, open) and an event proposal it accepted; the
    Friday after it is live, on « Cuisine »."""
    camille = make_member(role="facilitator", name="Camille")
    ines = make_member(name="Inès")
    marc = make_member(name="Marc")
    first_day = dates.next_meeting_date()
    first = live_friday(camille, ["Jardin"], day=first_day, author=ines, guests=("Zoé",))
    mid = first.meeting.id
    agenda.set_attendance(camille, mid, ines.id, "present")
    advance_to(camille, first.meeting, "Jardin")
    round_ = agenda.start_round(camille, mid, "consent", "On sème samedi ?")
    agenda.answer_round(ines, round_.id, "object", "Il gèlera.")
    zoe = first.guests["Zoé"]
    post_form(
        zoe,
        f"/vendredi/{first_day.isoformat()}/direct",
        {"op": "answer_round", "round_id": round_.id, "answer": "object", "reason": "Trop tôt."},
    )
    agenda.close_round(camille, round_.id)
    garden = decisions.record_decision(
        camille,
        mid,
        "On sème **dimanche**, Inès apporte les graines.",
        "consent",
        objections="Inès : il gèlera\nZoé : trop tôt",
        objections_lifted="Inès et Zoé : d’accord pour dimanche",
        round_id=round_.id,
        review_on=(dates.today_in_place() + timedelta(days=90)).isoformat(),
    )
    soon = dates.today_in_place() + timedelta(days=5)
    done, late, _open = (
        decisions.add_action(camille, mid, label, ines.id, soon.isoformat(), garden.id)
        for label in ("Acheter des graines", "Bêcher le carré", "Arroser les semis")
    )
    done.status = "done"
    late.due_on = dates.today_in_place() - timedelta(days=2)
    proposal = proposals.propose_event(
        ines,
        mid,
        "Fête des semis",
        "Une fête",
        [((dates.today_in_place() + timedelta(days=40)).isoformat(), "18:00")],
        "60",
        "house",
    )
    db.session.commit()
    with change() as c:
        proposals.move_status(c, camille, proposal, "on_agenda")
        proposals.move_status(c, camille, proposal, "accepted", decision=garden)
    agenda.close_live(camille, mid)
    second = live_friday(camille, ["Cuisine"], day=first_day + timedelta(days=7), author=ines)
    advance_to(camille, second.meeting, "Cuisine")
    return SimpleNamespace(
        camille=camille,
        ines=ines,
        marc=marc,
        garden=garden,
        first_day=first_day,
        second=second.meeting,
        proposal=proposal,
    )


def record(world, statement="On sème lundi.", **kw):
    return decisions.record_decision(world.camille, world.second.id, statement, "information", **kw)


# -- superseding, the service ------------------------------------------------------------------


def test_a_new_decision_supersedes_one_of_a_closed_friday(world):
    new = record(world, supersedes_number=world.garden.number)
    assert new.supersedes_id == world.garden.id
    trace = db.session.scalar(
        select(Trace).where(Trace.verb == "decision_recorded").order_by(Trace.id.desc())
    )
    assert trace.data["supersedes_number"] == world.garden.number
    assert corrections.superseder_of(world.garden).id == new.id
    assert world.garden.statement.startswith("On sème **dimanche**")  # never changed


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("9999", "unknown_decision", "Aucune décision ne porte le numéro 9999."),
        ("douze", "invalid_field", "« douze » n’est pas un numéro de décision."),
        ("{next}", "supersedes_itself", "Une décision ne peut pas se remplacer elle-même."),
        ("{today}", "same_meeting", "est de ce vendredi : corrigez-la plutôt"),
    ],
)
def test_superseding_refusals_say_why_beside_the_field_and_write_nothing(
    world, value, code, message
):
    today = record(world, "Cuisine rangée le lundi.")
    value = value.format(next=today.number + 1, today=today.number)
    before = snapshot()
    with pytest.raises(ServiceError) as refused:
        record(world, supersedes_number=value)
    assert refused.value.code == code
    assert refused.value.details["field"] == "supersedes_number"
    assert message in plain(refused.value.message)
    assert snapshot() == before


def test_a_decision_is_superseded_once(world):
    first = record(world, supersedes_number=world.garden.number)
    before = snapshot()
    with pytest.raises(ServiceError) as refused:
        record(world, "Autre correction.", supersedes_number=str(world.garden.number))
    assert refused.value.code == "already_superseded"
    assert plain(refused.value.message) == (
        f"La décision n° {world.garden.number} est déjà remplacée par la décision "
        f"n° {first.number}."
    )
    assert refused.value.details["superseded_by"] == first.number
    assert snapshot() == before


# -- edit_decision ---------------------------------------------------------------------------


def test_a_decision_of_the_live_friday_is_edited_in_place_and_traced(world):
    today = record(world, "Cuisine rangée le lundi.")
    edited = corrections.edit_decision(
        world.camille, today.id, "Cuisine rangée le mardi.", review_on=None
    )
    assert edited.id == today.id and edited.statement == "Cuisine rangée le mardi."
    trace = db.session.scalar(select(Trace).where(Trace.verb == "decision_edited"))
    assert trace.data == {"number": today.number, "fields": ["statement"], "title": "Cuisine"}
    traces = db.session.scalar(select(func.count(Trace.id)))
    corrections.edit_decision(world.camille, today.id, "Cuisine rangée le mardi.")
    assert db.session.scalar(select(func.count(Trace.id))) == traces  # nothing changed


def test_editing_refusals_write_nothing(world):
    today = record(world, "Cuisine rangée le lundi.")
    before = snapshot()
    with pytest.raises(Conflict) as closed:
        corrections.edit_decision(world.camille, world.garden.id, "Autre chose.")
    assert plain(closed.value.message) == CLOSED_MESSAGE
    assert closed.value.code == "decision_closed"
    with pytest.raises(Forbidden):
        corrections.edit_decision(world.marc, today.id, "Par Marc.")
    with pytest.raises(ServiceError) as empty:
        corrections.edit_decision(world.camille, today.id, "  ")
    assert empty.value.details["field"] == "statement"
    assert snapshot() == before


# -- "Corriger par une nouvelle décision" -------------------------------------------------------


def test_a_facilitator_puts_the_correction_on_the_coming_agenda(world, app):
    agenda.close_live(world.camille, world.second.id)  # the coming Friday is the one after
    item = corrections.propose_correction(world.camille, world.garden.id)
    assert item.title == f"Corriger la décision n° {world.garden.number}"
    assert item.kind == "review" and item.review_of_decision_id == world.garden.id
    assert item.meeting.scheduled_for == world.second.scheduled_for + timedelta(days=7)
    trace = db.session.scalar(select(Trace).where(Trace.verb == "decision_correction_proposed"))
    assert trace.data["number"] == world.garden.number
    before = snapshot()
    with pytest.raises(Conflict) as twice:
        corrections.propose_correction(world.camille, world.garden.id)
    assert twice.value.code == "already_on_agenda"
    with pytest.raises(Forbidden):
        corrections.propose_correction(world.marc, world.garden.id)
    assert snapshot() == before


def test_the_correction_point_prefills_the_number_and_its_decision_supersedes(
    world, app, live_friday
):
    agenda.close_live(world.camille, world.second.id)
    item = corrections.propose_correction(world.camille, world.garden.id)
    coming = live_friday(world.camille, [], day=item.meeting.scheduled_for)
    current = advance_to(world.camille, coming.meeting, kind="review")
    assert corrections.supersede_prefill(current) == world.garden.number
    console = app.test_client()
    sign_in(console, world.camille)
    url = f"/vendredi/{coming.meeting.scheduled_for.isoformat()}/animation"
    page = plain(console.get(url))
    assert re.search(rf'name="supersedes_number"[^>]*value="{world.garden.number}"', page), (
        "the form proposes to replace the decision of the point"
    )
    response = post_form(
        console,
        url,
        {
            "op": "record_decision",
            "statement": "On sème lundi.",
            "mode": "information",
            "supersedes_number": str(world.garden.number),
        },
    )
    assert response.status_code == 303
    db.session.rollback()
    new = db.session.scalar(select(Decision).where(Decision.supersedes_id == world.garden.id))
    assert new is not None and new.item_id == current.id
    old = plain(console.get(f"/decisions/{world.garden.number}"))
    assert f"remplacée par la décision n° {new.number}" in old
    assert "Corriger par une nouvelle décision" not in old  # replaced: nothing more to offer
    assert f"remplace la décision n° {world.garden.number}" in plain(
        console.get(f"/decisions/{new.number}")
    )
    listed = plain(console.get("/decisions/"))
    assert f"remplacée par la décision n° {new.number}" in listed
    assert f"remplace la décision n° {world.garden.number}" in listed


def test_the_permalink_offers_the_correction_to_facilitators_only(world, app):
    facilitator = app.test_client()
    sign_in(facilitator, world.camille)
    page = plain(facilitator.get(f"/decisions/{world.garden.number}"))
    assert "Corriger par une nouvelle décision" in page
    assert f'action="/decisions/{world.garden.number}/corriger"' in page
    member = app.test_client()
    sign_in(member, world.marc)
    assert "Corriger par une nouvelle décision" not in plain(
        member.get(f"/decisions/{world.garden.number}")
    )
    before = snapshot()
    refused = post_form(member, f"/decisions/{world.garden.number}/corriger")
    assert refused.status_code == 403 and snapshot() == before
    response = post_form(facilitator, f"/decisions/{world.garden.number}/corriger")
    assert response.status_code == 303
    page = plain(facilitator.get(response.headers["Location"]))
    assert f"« Corriger la décision n° {world.garden.number} » est à l’ordre du jour" in page
    day = world.second.scheduled_for.isoformat()
    assert f'href="/vendredi/{day}/"' in page  # the coming Friday: the live one
    again = post_form(facilitator, f"/decisions/{world.garden.number}/corriger")
    assert again.status_code == 303
    assert "est déjà à l’ordre du jour" in plain(facilitator.get(again.headers["Location"]))


# -- the console's form door -------------------------------------------------------------------


def test_console_posts_refused_supersede_beside_the_field_with_a_link(world, app):
    first = record(world, supersedes_number=world.garden.number)
    console = app.test_client()
    sign_in(console, world.camille)
    url = f"/vendredi/{world.second.scheduled_for.isoformat()}/animation"
    before = snapshot()
    response = post_form(
        console,
        url,
        {
            "op": "record_decision",
            "statement": "Encore.",
            "mode": "information",
            "supersedes_number": str(world.garden.number),
        },
    )
    assert response.status_code == 303 and snapshot() == before
    page = console.get(url).get_data(as_text=True)
    error = re.search(r'<span class="field-error" id="error-supersedes_number">(.*?)</span>', page)
    assert error and "déjà remplacée" in error.group(1)
    assert f'<a href="/decisions/{first.number}">' in error.group(1)
    assert 'aria-describedby="error-supersedes_number"' in page
    assert "Encore." in page  # what was typed is kept


def test_console_edits_a_decision_of_the_day_and_refuses_a_closed_one(world, app):
    today = record(world, "Cuisine rangée le lundi.")
    console = app.test_client()
    sign_in(console, world.camille)
    url = f"/vendredi/{world.second.scheduled_for.isoformat()}/animation"
    page = plain(console.get(url))
    assert f"Corriger la décision n° {today.number}" in page
    response = post_form(
        console,
        url,
        {"op": "edit_decision", "decision_id": str(today.id), "statement": "Le mardi."},
    )
    assert response.status_code == 303
    db.session.rollback()
    assert db.session.get(Decision, today.id).statement == "Le mardi."
    before = snapshot()
    response = post_form(
        console,
        url,
        {"op": "edit_decision", "decision_id": str(world.garden.id), "statement": "Changé."},
    )
    assert CLOSED_MESSAGE in plain(console.get(response.headers["Location"]))
    assert snapshot() == before


# -- the socket door ---------------------------------------------------------------------------


def test_socket_edit_and_supersede_round_trips(world, app, socket_for):
    today = record(world, "Cuisine rangée le lundi.")
    http = app.test_client()
    sign_in(http, world.camille)
    console = socket_for(http)
    assert console.command("join_live", {"meeting_id": world.second.id, "view": "console"})["ok"]
    phone_http = app.test_client()
    sign_in(phone_http, world.marc)
    phone = socket_for(phone_http)
    assert phone.command("join_live", {"meeting_id": world.second.id, "view": "phone"})["ok"]
    console.facts()
    phone.facts()
    ack = console.command(
        "edit_decision", {"decision_id": today.id, "statement": "Cuisine rangée **mardi**."}
    )
    assert ack == {"ok": True, "decision_id": today.id, "number": today.number}
    phone_facts = phone.facts("live_updated")
    assert any("Cuisine rangée <strong>mardi</strong>." in str(f) for f in phone_facts)
    refused = console.command("edit_decision", {"decision_id": world.garden.id, "statement": "X"})
    assert refused["ok"] is False and refused["error"] == "decision_closed"
    assert plain(refused["message"]) == CLOSED_MESSAGE
    ack = console.command(
        "record_decision",
        {
            "meeting_id": world.second.id,
            "statement": "On sème lundi.",
            "mode": "information",
            "supersedes_number": world.garden.number,
        },
    )
    assert ack["ok"] is True
    again = console.command(
        "record_decision",
        {
            "meeting_id": world.second.id,
            "statement": "Encore.",
            "mode": "information",
            "supersedes_number": world.garden.number,
        },
    )
    assert again["ok"] is False and again["error"] == "already_superseded"
    assert again["field"] == "supersedes_number" and again["superseded_by"] == ack["number"]
    member_try = phone.command("edit_decision", {"decision_id": today.id, "statement": "Par Marc."})
    assert member_try["ok"] is False and member_try["error"] == "forbidden"


# -- what each audience receives -----------------------------------------------------------------

NAMES = ("Inès", "Zoé", "Camille", "Marc")


def test_a_member_reads_the_decision_in_full(world, app):
    member = app.test_client()
    sign_in(member, world.marc)
    page = plain(member.get(f"/decisions/{world.garden.number}"))
    assert "Inès" in page and "Zoé" in page
    assert "3 présent·es dont 1 invité·e" in page
    assert "Acheter des graines" in page and "faite" in page
    assert "Bêcher le carré" in page and "en retard" in page
    assert "Arroser les semis" in page and "à faire" in page
    assert "« Fête des semis »" in page and "devenue acceptée par cette décision" in page
    assert f'href="/propositions/{world.proposal.id}"' in page
    assert "À revoir le" in page and "Tour : 2 réponses" in page
    register = plain(member.get("/decisions/?etat=en-vigueur"))
    assert 'name="personne"' in register and "en retard" in register


@pytest.mark.parametrize("who", ["anonymous", "guest"])
def test_a_published_register_names_no_one(world, app, make_member, who):
    admin = make_member(role="admin", name="Admin")
    place.set_publication(admin, "public")
    reader = app.test_client()
    if who == "guest":
        joined = post_form(
            reader, "/rejoindre", {"code": world.second.join_code, "first_name": "Yanis"}
        )
        assert joined.status_code == 302
    for url in (
        f"/decisions/{world.garden.number}",
        "/decisions/",
        f"/decisions/?personne={world.ines.id}",
    ):
        response = reader.get(url)
        assert response.status_code == 200, url
        page = plain(response)
        assert "On sème <strong>dimanche</strong>" in page
        for name in NAMES:
            assert name not in page, (url, name)
        assert "Une personne : il gèlera" in page
        assert "Bêcher le carré" in page and "en retard" in page  # actions, without owner
        assert 'name="personne"' not in page
        assert "Filtre ignoré" not in page
    page = plain(reader.get(f"/decisions/{world.garden.number}"))
    assert "3 présent·es dont 1 invité·e" in page
    assert "Trop tôt." in page  # the reason of an objection, not who gave it
    assert "Corriger par une nouvelle décision" not in page
    assert f'href="/vendredi/{world.first_day.isoformat()}/"' not in page  # members only


def test_a_published_register_still_names_no_one_after_an_erasure(world, app, make_member):
    """The scribe's texts cite Inès by name ("Inès : il gèlera"); once her account is erased her
    name is no longer a member's, yet the public register and search still hide it (its key)."""
    from meeting.privacy import erasure

    admin = make_member(role="admin", name="Admin")
    place.set_publication(admin, "public")
    erasure.erase(admin, world.ines.id, "EFFACER")
    db.session.commit()
    reader = app.test_client()
    page = plain(reader.get(f"/decisions/{world.garden.number}"))
    assert "On sème <strong>dimanche</strong>" in page
    assert "Inès" not in page
    assert "Une personne : il gèlera" in page
    found = plain(reader.get("/recherche?q=In%C3%A8s+dimanche"))
    assert "Les noms de personnes ne sont pas cherchés dans les pages publiques." in found
    results = found.split('<ol class="search-results"', 1)[1]
    assert "Jardin" in results and "Inès" not in results
    member = app.test_client()
    sign_in(member, make_member(name="Lucie"))
    assert "Inès : il gèlera" in plain(member.get(f"/decisions/{world.garden.number}"))


def test_members_only_sends_anonymous_to_sign_in_and_refuses_a_guest(world, app):
    anonymous = app.test_client()
    guest = app.test_client()
    post_form(guest, "/rejoindre", {"code": world.second.join_code, "first_name": "Yanis"})
    for url in ("/decisions/", f"/decisions/{world.garden.number}"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/connexion" in response.headers["Location"]
        refused = guest.get(url)
        assert refused.status_code == 403
        assert "On sème" not in plain(refused)
        assert "Vous n’avez pas le droit de voir cette page" in plain(refused)
    assert anonymous.get("/decisions/9999").status_code == 302  # not even the 404
    refused = post_form(anonymous, f"/decisions/{world.garden.number}/corriger")
    assert refused.status_code == 302 and "/connexion" in refused.headers["Location"]
