"""Contributions in kind (issue 11, item 3): "Satisfait" on a need may carry the estimated value
of what was brought. It is stored on the need, counts in the year's figures, and is read only by
who brought it ("Mes contributions") and the treasurer: never in the document, the need's
trace, the fact every reader of the document receives, or another member's pages."""

import html
import json
import re

import pytest
from sqlalchemy import func, select

from meeting.economy import summary
from meeting.errors import ServiceError
from meeting.extensions import db
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.models import BudgetYear, Entry, Trace
from meeting.models.base import utcnow
from meeting.prep import services as prep
from meeting.traces.services import list_traces
from tests.conftest import post_form, sign_in

DISTINCT = "23,45"


def text_of(response):
    return (
        html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ").replace("\u202f", " ")
    )


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def people(make_member):
    ines = make_member(name="Inès")  # asks for the need
    theo = make_member(name="Théo")  # brings it
    lou = make_member(name="Lou")  # another member
    tresor = make_member(name="Ada")
    tresor.is_treasurer = True
    db.session.commit()
    return ines, theo, lou, tresor


@pytest.fixture
def friday(app):
    return meetings.ensure_meeting(dates.next_meeting_date())


@pytest.fixture
def need(friday, people):
    return prep.add_entry(people[0], friday.id, "need", "Savon", "Du savon noir")


def reload(entry):
    db.session.expire_all()
    return db.session.get(Entry, entry.id)


def signed_in(app, member):
    client = app.test_client()
    sign_in(client, member)
    return client


def doc_url(friday, entry=None):
    return f"/vendredi/{friday.scheduled_for.isoformat()}/" + (
        f"entrees/{entry.id}/besoin" if entry is not None else ""
    )


# -- the service ----------------------------------------------------------------------------------


def test_a_met_need_carries_its_value_credited_to_who_took_it_on(people, need):
    ines, theo, _lou, _tresor = people
    prep.claim_need(theo, need.id, "j’en apporte deux")
    prep.resolve_need(ines, need.id, "met", "12,50 €")
    entry = reload(need)
    assert (entry.need_status, entry.in_kind_cents, entry.in_kind_member_id) == (
        "met",
        1250,
        theo.id,
    )
    traces = {t.verb: t.data for t in db.session.scalars(select(Trace))}
    assert traces["need_value_recorded"] == {"entry_id": need.id}
    assert traces["need_resolved"] == {"status": "met", "title": "Savon"}  # no value
    assert not [t for t in list_traces(limit=50) if t.verb == "need_value_recorded"]


def test_without_anyone_taking_it_on_the_value_is_who_marks_it_met(people, need):
    ines = people[0]
    prep.resolve_need(ines, need.id, "met", "1 383")
    entry = reload(need)
    assert (entry.in_kind_cents, entry.in_kind_member_id) == (138300, ines.id)


def test_no_value_no_contribution_and_a_dropped_need_carries_none(people, friday, need):
    ines = people[0]
    prep.resolve_need(ines, need.id, "met")
    other = prep.add_entry(ines, friday.id, "need", "Huile", "De l’huile")
    prep.resolve_need(ines, other.id, "dropped", "5")
    assert reload(need).in_kind_cents is None and reload(other).in_kind_cents is None
    assert count_verb("need_value_recorded") == 0


def count_verb(verb):
    return db.session.scalar(select(func.count()).select_from(Trace).where(Trace.verb == verb))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("beaucoup", "Montant illisible"),
        ("0", "supérieur à zéro"),
        ("-3", "doit être positif"),
        ("12,345", "Montant illisible"),
        ("2000000", "dépasse"),
    ],
)
def test_a_bad_value_is_refused_and_the_need_stays_as_it_was(people, need, value, message):
    theo = people[1]
    prep.claim_need(theo, need.id)
    before = count(Trace)
    with pytest.raises(ServiceError) as refused:
        prep.resolve_need(theo, need.id, "met", value)
    assert refused.value.details["field"] == "value"
    assert message in refused.value.message
    entry = reload(need)
    assert (entry.need_status, entry.in_kind_cents) == ("claimed", None)
    assert count(Trace) == before


def test_a_value_is_refused_when_this_year_is_closed(people, need):
    db.session.add(BudgetYear(year=dates.today_in_place().year, closed_at=utcnow()))
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        prep.resolve_need(people[0], need.id, "met", "5")
    assert refused.value.code == "year_closed" and refused.value.details["field"] == "value"
    assert reload(need).need_status == "open"


def test_values_count_in_the_year_s_figures(people, friday, need):
    ines, theo, _lou, _tresor = people
    prep.claim_need(theo, need.id)
    prep.resolve_need(theo, need.id, "met", "23,45")
    other = prep.add_entry(ines, friday.id, "need", "Huile", "De l’huile")
    prep.resolve_need(ines, other.id, "met", "6,55")
    figures = summary.year_summary(dates.today_in_place().year)
    assert (figures.in_kind_cents, figures.in_kind_count) == (3000, 2)


# -- the socket: the room hears the need met, never its value -------------------------------------


def test_the_need_resolved_fact_holds_no_value(app, people, friday, need, socket_for):
    _ines, theo, lou, _tresor = people
    theo_live, lou_live = socket_for(signed_in(app, theo)), socket_for(signed_in(app, lou))
    for live in (theo_live, lou_live):
        assert live.command("join_document", {"meeting_id": friday.id})["ok"]
    assert lou_live.command("sync_traces", {"after": 0})["ok"]  # Lou reads the trace feed too
    prep.claim_need(theo, need.id)
    refused = theo_live.command(
        "resolve_need", {"entry_id": need.id, "outcome": "met", "value": "vingt euros"}
    )
    assert refused["ok"] is False and refused["field"] == "value"
    assert "Montant illisible" in refused["message"]
    assert reload(need).need_status == "claimed"
    lou_live.facts()
    ack = theo_live.command(
        "resolve_need", {"entry_id": need.id, "outcome": "met", "value": "23,45"}
    )
    assert ack == {"ok": True, "entry_id": need.id, "need_status": "met"}
    heard = lou_live.facts()
    resolved = [f["args"][0] for f in heard if f["name"] == "need_resolved"]
    assert len(resolved) == 1 and "satisfait" in resolved[0]["html"]
    assert [f["args"][0]["verb"] for f in heard if f["name"] == "trace_added"] == ["need_resolved"]
    heard = json.dumps(heard, ensure_ascii=False)
    assert DISTINCT not in heard and "2345" not in heard
    assert reload(need).in_kind_cents == 2345


# -- pages ----------------------------------------------------------------------------------------


def test_the_need_form_offers_the_value_beside_satisfait(app, people, friday, need):
    page = signed_in(app, people[0]).get(doc_url(friday)).get_data(as_text=True)
    block = page[page.index(f'id="entree-{need.id}"') :]
    block = block[: block.index("</article>")]
    assert "Valeur estimée de ce que vous apportez (facultatif)" in html.unescape(block)
    assert re.search(rf'<label for="value-{need.id}">', block)
    assert re.search(rf'id="value-{need.id}" name="value"', block)
    assert "ex. 12,50 €" in html.unescape(block)


def test_a_bad_value_posted_comes_back_beside_its_field_with_what_was_typed(
    app, people, friday, need
):
    theo = people[1]
    prep.claim_need(theo, need.id)
    response = post_form(
        signed_in(app, theo), doc_url(friday, need), {"action": "met", "value": "un peu"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(
        rf'id="value-{need.id}"[^>]*value="un peu"[^>]*aria-describedby="value-hint-{need.id} '
        r'error-value" aria-invalid="true"',
        page,
    )
    assert 'class="field-error" id="error-value">Montant illisible' in html.unescape(page)
    assert reload(need).need_status == "claimed"


def test_the_value_is_read_by_its_person_and_the_treasurer_only(app, client, people, friday, need):
    ines, theo, lou, tresor = people
    prep.claim_need(theo, need.id)
    theo_http = signed_in(app, theo)
    response = post_form(theo_http, doc_url(friday, need), {"action": "met", "value": "23,45"})
    assert response.status_code == 302
    assert reload(need).in_kind_cents == 2345
    mine = text_of(theo_http.get("/catalogue/mes-contributions"))
    assert "Mes apports en nature" in mine and f"{DISTINCT} €" in mine and "Savon" in mine
    every = text_of(signed_in(app, tresor).get("/catalogue/utilisations"))
    assert f"{DISTINCT} €" in every and "Théo" in every
    # Never in the document (not even Théo's own), nor any page of the others.
    for reader in (theo_http, signed_in(app, ines), signed_in(app, lou)):
        assert DISTINCT not in text_of(reader.get(doc_url(friday)))
        assert DISTINCT not in text_of(reader.get("/"))
    for reader in (signed_in(app, ines), signed_in(app, lou), client):
        assert DISTINCT not in text_of(
            reader.get("/catalogue/mes-contributions", follow_redirects=True)
        )
        assert DISTINCT not in text_of(reader.get("/traces/", follow_redirects=True))
