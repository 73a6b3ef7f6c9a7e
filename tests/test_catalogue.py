"""The catalogue of goods and services (issue 11, item 4): offers, the "contribution
consciente" reference, uses with the contribution each member chose, and who sees which
amount (the member, the treasurer; never another member, an anonymous visitor, a page of the
catalogue, the trace feed or a socket fact)."""

import html
import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from meeting.economy import summary
from meeting.economy.catalogue import services as catalogue
from meeting.economy.catalogue import uses
from meeting.errors import Conflict, FieldErrors, Forbidden, NotFound, ServiceError
from meeting.extensions import db
from meeting.meetings import dates
from meeting.models import BudgetLine, BudgetYear, CatalogueItem, CatalogueUse, Trace
from meeting.models.base import utcnow
from meeting.traces.services import list_traces
from tests.conftest import post_form, sign_in

DISTINCT = "23,45"  # a contribution nobody else may ever read


def text_of(response):
    return (
        html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ").replace("\u202f", " ")
    )


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def today():
    return dates.today_in_place()


def set_budget(year=None, closed=False):
    """The seed's fixed charges: 820 + 150 + 280 + 133 € a month (16 596 € a year)."""
    budget = BudgetYear(year=year or today().year, closed_at=utcnow() if closed else None)
    for position, (label, cents) in enumerate(
        (("Loyer et charges", 82000), ("Électricité", 15000), ("Gaz", 28000), ("Assurance", 13300))
    ):
        budget.lines.append(
            BudgetLine(
                position=position,
                label=label,
                category="charges",
                period="month",
                amount_cents=cents,
            )
        )
    db.session.add(budget)
    db.session.commit()
    return budget


@pytest.fixture
def people(make_member):
    ines = make_member(name="Inès")
    theo = make_member(name="Théo")
    camille = make_member(name="Camille", role="facilitator")
    tresor = make_member(name="Trésorière Ada")
    tresor.is_treasurer = True
    db.session.commit()
    return ines, theo, camille, tresor


@pytest.fixture
def room(people):
    """Inès offers "Salle du bas" (4 h of the house an afternoon)."""
    ines = people[0]
    return catalogue.create_item(
        ines,
        title="Salle du bas",
        description="Une **grande** salle au rez-de-chaussée.",
        category="Lieux et salles",
        unit="half_day",
        house_minutes="240",
    )


def signed_in(app, member):
    client = app.test_client()
    sign_in(client, member)
    return client


# -- offers ------------------------------------------------------------------------------------


def test_a_member_offers_something_in_their_name(people, room):
    ines = people[0]
    assert (room.offered_by_id, room.created_by_id, room.house_minutes) == (ines.id, ines.id, 240)
    trace = db.session.scalar(select(Trace).where(Trace.verb == "catalogue_item_added"))
    assert trace.data == {"item_id": room.id, "title": "Salle du bas"}


def test_an_offer_is_refused_field_by_field_and_nothing_is_stored(people):
    ines = people[0]
    before = count(CatalogueItem)
    with pytest.raises(FieldErrors) as refused:
        catalogue.create_item(
            ines, title="  ", unit="week", house_minutes="2000", offered_by_id="place"
        )
    fields = refused.value.details["fields"]
    assert set(fields) == {"title", "unit", "house_minutes", "offered_by_id"}
    assert "Entre 0 et 1440 minutes" in fields["house_minutes"]
    assert "au nom du lieu" in fields["offered_by_id"]
    with pytest.raises(FieldErrors) as refused:
        catalogue.create_item(ines, title="x" * 121, unit="hour", house_minutes="beaucoup")
    assert set(refused.value.details["fields"]) == {"title", "house_minutes"}
    assert count(CatalogueItem) == before


def test_facilitators_and_the_treasurer_offer_in_the_place_s_name(people):
    _ines, _theo, camille, tresor = people
    kitchen = catalogue.create_item(camille, title="Cuisine", unit="hour", offered_by_id="place")
    garden = catalogue.create_item(tresor, title="Parcelle", unit="day", offered_by_id="place")
    assert kitchen.offered_by_id is None and garden.offered_by_id is None


def test_only_who_offers_it_facilitators_and_the_treasurer_edit_an_offer(people, room):
    ines, theo, camille, tresor = people
    with pytest.raises(Forbidden):
        catalogue.edit_item(theo, room.id, title="À moi", unit="hour")
    catalogue.edit_item(camille, room.id, title="Salle du bas (rénovée)", unit="half_day")
    catalogue.edit_item(tresor, room.id, title="Salle du bas", unit="half_day", house_minutes="180")
    db.session.refresh(room)
    assert (room.title, room.house_minutes, room.offered_by_id) == ("Salle du bas", 180, ines.id)
    with pytest.raises(FieldErrors):  # a facilitator cannot hand it to someone else
        catalogue.edit_item(camille, room.id, title="Salle", unit="hour", offered_by_id=theo.id)


def test_the_catalogue_groups_offers_and_hides_withdrawn_ones(people, room):
    ines, _theo, camille, _tresor = people
    catalogue.create_item(camille, title="Cuisine", unit="hour", category="lieux et salles ")
    catalogue.create_item(ines, title="Hypnose", unit="session")
    groups = catalogue.catalogue()
    assert [(c, [i.title for i in items]) for c, items in groups] == [
        ("Lieux et salles", ["Cuisine", "Salle du bas"]),
        (None, ["Hypnose"]),
    ]
    catalogue.set_active(ines, room.id, False)
    assert [i.title for _c, items in catalogue.catalogue() for i in items] == ["Cuisine", "Hypnose"]
    assert [i.title for i in catalogue.withdrawn_items_of(ines)] == ["Salle du bas"]


# -- the reference of the "contribution consciente" -------------------------------------------


def test_the_reference_is_an_hour_of_fixed_charges_times_the_time_in_the_house(people, room):
    assert catalogue.hour_of_house() is None  # no budget yet: no reference
    assert catalogue.item_reference(room, None) is None
    set_budget()
    hour = catalogue.hour_of_house()
    assert hour == (1_659_600 + 1040) // 2080 == 798  # 16 596 € over 40 h × 52 weeks
    assert catalogue.item_reference(room, hour) == 798 * 4
    room.house_minutes = 50
    assert catalogue.item_reference(room, hour) == (798 * 50 + 30) // 60 == 665
    room.house_minutes = 0
    assert catalogue.item_reference(room, hour) is None


def test_the_pages_show_the_reference_as_information_never_a_price(app, client, people, room):
    page = text_of(client.get("/catalogue/"))
    assert "Pas encore de repère : le budget de l’année n’est pas établi." in page
    set_budget()
    page = text_of(client.get("/catalogue/"))
    assert (
        "Pour repère : une heure de la maison coûte 7,98 € de charges fixes ; votre "
        "contribution est libre." in page
    )
    page = text_of(client.get(f"/catalogue/{room.id}"))
    assert "la demi-journée occupe la maison 4 h, soit 31,92 € de charges fixes" in page
    assert "prix" not in page.lower()


# -- who offers it, as each audience reads it ---------------------------------------------------


def test_a_member_s_name_is_for_members_anyone_else_reads_a_cooperator(app, client, people, room):
    camille = people[2]
    catalogue.create_item(camille, title="Cuisine", unit="hour", offered_by_id="place")
    anonymous = text_of(client.get("/catalogue/"))
    assert "Salle du bas" in anonymous and "salle au rez-de-chaussée" in anonymous
    assert "Proposé par un·e coopérateur·rice" in anonymous and "Inès" not in anonymous
    assert "Proposé par Le 97" in anonymous
    assert "Inès" not in text_of(client.get(f"/catalogue/{room.id}"))
    member = text_of(signed_in(app, people[1]).get("/catalogue/"))
    assert "Proposé par Inès" in member and "Proposer quelque chose" in member
    assert "<strong>grande</strong>" in signed_in(app, people[1]).get(
        f"/catalogue/{room.id}"
    ).get_data(as_text=True)


# -- uses: validation --------------------------------------------------------------------------


def record(member, item, **values):
    values.setdefault("used_on", today().isoformat())
    values.setdefault("contribution", "23,45 €")
    return uses.record_use(member, item.id, **values)


def test_a_use_takes_the_contribution_written_the_french_way(people, room):
    ines, theo, _camille, _tresor = people
    use = record(theo, room, contribution="1 383,50", quantity="2", for_whom=" mon  asso ")
    assert (use.contribution_cents, use.quantity, use.for_whom) == (138350, 2, "mon asso")
    assert record(ines, room, contribution="40").contribution_cents == 4000
    assert record(ines, room, contribution="12,5 €").contribution_cents == 1250


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"contribution": "0"}, "contribution", "supérieur à zéro"),
        ({"contribution": "-5"}, "contribution", "doit être positif"),
        ({"contribution": "douze euros"}, "contribution", "par exemple « 1 383,50 € »"),
        ({"contribution": ""}, "contribution", "Indiquez un montant"),
        ({"quantity": "0"}, "quantity", "entre 1 et 100"),
        ({"quantity": "101"}, "quantity", "entre 1 et 100"),
        ({"quantity": "deux"}, "quantity", "entre 1 et 100"),
        ({"used_on": "demain"}, "used_on", "Date illisible"),
        ({"used_on": ""}, "used_on", "Indiquez le jour"),
        ({"for_whom": "x" * 121}, "for_whom", "120 caractères"),
    ],
)
def test_a_use_is_refused_beside_its_field_and_nothing_is_stored(
    people, room, values, field, message
):
    before = (count(CatalogueUse), count(Trace))
    with pytest.raises(FieldErrors) as refused:
        record(people[1], room, **values)
    assert list(refused.value.details["fields"]) == [field]
    assert message in refused.value.details["fields"][field].replace("\u00a0", " ")
    assert (count(CatalogueUse), count(Trace)) == before


def test_a_use_in_the_future_is_refused(people, room):
    tomorrow = (today() + timedelta(days=1)).isoformat()
    with pytest.raises(FieldErrors) as refused:
        record(people[1], room, used_on=tomorrow)
    assert "dans le futur" in refused.value.details["fields"]["used_on"]
    assert count(CatalogueUse) == 0


def test_a_use_in_a_closed_year_is_refused(people, room):
    last_year = today().year - 1
    set_budget(last_year, closed=True)
    with pytest.raises(FieldErrors) as refused:
        record(people[1], room, used_on=date(last_year, 6, 5).isoformat())
    assert refused.value.details["fields"]["used_on"].startswith(f"L’année {last_year} est close")
    assert count(CatalogueUse) == 0


def test_a_withdrawn_offer_takes_no_new_use(people, room):
    catalogue.set_active(people[0], room.id, False)
    with pytest.raises(ServiceError) as refused:
        record(people[1], room)
    assert refused.value.code == "withdrawn"


# -- uses: figures, cancelling, traces ---------------------------------------------------------


def test_uses_feed_the_year_s_figures_and_a_cancelled_one_no_longer_counts(people, room):
    ines, theo, _camille, tresor = people
    first = record(theo, room, contribution="23,45")
    record(ines, room, contribution="10")
    figures = summary.year_summary(today().year)
    assert (figures.uses_cents, figures.uses_count) == (3345, 2)
    with pytest.raises(NotFound):  # another member is told it does not exist
        uses.cancel_use(ines, first.id)
    uses.cancel_use(theo, first.id)
    with pytest.raises(Conflict):
        uses.cancel_use(tresor, first.id)
    figures = summary.year_summary(today().year)
    assert (figures.uses_cents, figures.uses_count) == (1000, 1)
    assert uses.count_this_year(room.id) == 1


def test_the_treasurer_cancels_any_use(people, room):
    use = record(people[1], room)
    uses.cancel_use(people[3], use.id)
    assert db.session.get(CatalogueUse, use.id).cancelled_at is not None


def test_use_traces_hold_ids_only_and_stay_out_of_the_shared_feed(people, room):
    theo = people[1]
    use = record(theo, room, for_whom="Mon association")
    uses.cancel_use(theo, use.id)
    traces = db.session.scalars(
        select(Trace).where(Trace.verb.like("catalogue_use_%")).order_by(Trace.id)
    ).all()
    assert [(t.verb, t.data) for t in traces] == [
        ("catalogue_use_recorded", {"use_id": use.id, "item_id": room.id}),
        ("catalogue_use_cancelled", {"use_id": use.id, "item_id": room.id}),
    ]
    assert not [t for t in list_traces(limit=50) if t.verb.startswith("catalogue_use")]


# -- pages: who sees which amount ---------------------------------------------------------------


def test_a_member_records_a_use_by_the_form_and_reads_it_on_their_page(app, people, room):
    ines, theo, _camille, tresor = people
    theo_http = signed_in(app, theo)
    page = text_of(theo_http.get(f"/catalogue/{room.id}/utiliser"))
    assert "La contribution que vous choisissez" in page
    response = post_form(
        theo_http,
        f"/catalogue/{room.id}/utiliser",
        {
            "used_on": today().isoformat(),
            "quantity": "1",
            "for_whom": "Atelier couture",
            "contribution": "23,45",
        },
    )
    assert response.status_code == 302 and "/catalogue/mes-contributions" in response.location
    mine = text_of(theo_http.get(response.location))
    assert "Merci ! Votre utilisation de « Salle du bas » est enregistrée" in mine
    assert f"{DISTINCT} €" in mine and "Atelier couture" in mine
    assert "Au total en" in mine and "/budget/dons/mes-dons" in mine
    # Nobody else reads it: another member's page, the offer's page, the catalogue, anonymous.
    for reader in (signed_in(app, ines), app.test_client()):
        for url in ("/catalogue/", f"/catalogue/{room.id}", "/catalogue/mes-contributions"):
            body = text_of(reader.get(url, follow_redirects=True))
            assert DISTINCT not in body and "Atelier couture" not in body, url
    shown = text_of(app.test_client().get(f"/catalogue/{room.id}"))
    assert "utilisée 1 fois en" in shown
    # The treasurer sees every use, with its member.
    every = text_of(signed_in(app, tresor).get("/catalogue/utilisations"))
    assert DISTINCT in every and "Théo" in every and "Atelier couture" in every


def test_the_use_form_keeps_what_was_typed_beside_a_french_refusal(app, people, room):
    theo_http = signed_in(app, people[1])
    response = post_form(
        theo_http,
        f"/catalogue/{room.id}/utiliser",
        {
            "used_on": today().isoformat(),
            "quantity": "1",
            "for_whom": "Les voisins",
            "contribution": "douze",
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r'id="contribution"[^>]*value="douze"[^>]*aria-invalid="true"', page)
    assert 'value="Les voisins"' in page
    assert "Montant illisible" in html.unescape(page)
    assert count(CatalogueUse) == 0
    response = post_form(
        theo_http,
        f"/catalogue/{room.id}/utiliser",
        {"used_on": (today() + timedelta(days=3)).isoformat(), "contribution": "5"},
    )
    assert response.status_code == 400 and "dans le futur" in text_of(response)


def test_the_treasurer_s_list_is_the_treasurer_s(app, client, people, room):
    record(people[1], room)
    assert client.get("/catalogue/utilisations").status_code == 302
    for member in people[:3]:
        response = signed_in(app, member).get("/catalogue/utilisations")
        assert response.status_code == 403 and DISTINCT not in text_of(response)
    assert client.get("/catalogue/mes-contributions").status_code == 302


def test_cancelling_from_my_page(app, people, room):
    ines, theo, _camille, _tresor = people
    use = record(theo, room)
    response = post_form(signed_in(app, ines), f"/catalogue/utilisations/{use.id}/annuler")
    assert response.status_code == 404
    theo_http = signed_in(app, theo)
    response = post_form(theo_http, f"/catalogue/utilisations/{use.id}/annuler", {"next": "mine"})
    assert response.status_code == 302
    page = text_of(theo_http.get(response.location))
    assert "Utilisation annulée" in page and "annulée" in page
    assert "Total (hors annulées)" in page and "0,00 €" in page


def test_offers_are_added_edited_and_withdrawn_through_their_forms(app, client, people):
    ines, theo, _camille, _tresor = people
    assert client.get("/catalogue/nouveau").status_code == 302
    ines_http = signed_in(app, ines)
    response = post_form(
        ines_http, "/catalogue/nouveau", {"title": "", "unit": "hour", "house_minutes": "-3"}
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "Donnez un titre à cette offre" in page and "Entre 0 et 1440 minutes" in page
    assert 'value="-3"' in page
    response = post_form(
        ines_http,
        "/catalogue/nouveau",
        {
            "title": "Atelier numérique",
            "unit": "session",
            "house_minutes": "120",
            "category": "Numérique",
            "description": "Réparer son ordinateur.",
        },
    )
    assert response.status_code == 302
    item = db.session.scalar(
        select(CatalogueItem).where(CatalogueItem.title == "Atelier numérique")
    )
    assert item.offered_by_id == ines.id
    # No place option for a plain member; another member may not edit it.
    assert "offered-by-place" not in ines_http.get(f"/catalogue/{item.id}/modifier").get_data(
        as_text=True
    )
    assert signed_in(app, theo).get(f"/catalogue/{item.id}/modifier").status_code == 403
    response = post_form(
        ines_http,
        f"/catalogue/{item.id}/modifier",
        {
            "op": "edit",
            "title": "Atelier numérique libre",
            "unit": "session",
            "house_minutes": "90",
        },
    )
    assert response.status_code == 302
    response = post_form(ines_http, f"/catalogue/{item.id}/modifier", {"op": "withdraw"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (item.title, item.house_minutes, item.active) == ("Atelier numérique libre", 90, False)
    assert "Atelier numérique libre" not in text_of(client.get("/catalogue/"))
    assert signed_in(app, theo).get(f"/catalogue/{item.id}/utiliser").status_code == 409
    post_form(ines_http, f"/catalogue/{item.id}/modifier", {"op": "restore"})
    assert "Atelier numérique libre" in text_of(client.get("/catalogue/"))


# -- the socket door -----------------------------------------------------------------------------


def test_record_and_cancel_a_use_over_the_socket_tell_nobody_else(app, people, room, socket_for):
    ines, theo, _camille, _tresor = people
    theo_live, ines_live = socket_for(signed_in(app, theo)), socket_for(signed_in(app, ines))
    ines_live.facts()
    ack = theo_live.command(
        "record_catalogue_use",
        {"catalogue_item_id": room.id, "used_on": today().isoformat(), "contribution": "23,45"},
    )
    assert ack["ok"] is True and set(ack) == {"ok", "use_id"}
    assert db.session.get(CatalogueUse, ack["use_id"]).contribution_cents == 2345
    heard = json.dumps(ines_live.facts(), ensure_ascii=False)
    assert DISTINCT not in heard and "2345" not in heard
    refused = theo_live.command(
        "record_catalogue_use",
        {"catalogue_item_id": room.id, "used_on": today().isoformat(), "contribution": "0"},
    )
    assert refused["ok"] is False and set(refused["fields"]) == {"contribution"}
    assert ines_live.command("cancel_catalogue_use", {"use_id": ack["use_id"]})["error"] == (
        "not_found"
    )
    assert theo_live.command("cancel_catalogue_use", {"use_id": ack["use_id"]})["ok"] is True
    assert (
        socket_for(None).command("cancel_catalogue_use", {"use_id": ack["use_id"]})["error"]
        == "not_signed_in"
    )
