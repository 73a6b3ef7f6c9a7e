"""The decisions register `/decisions/` and each decision's permalink, as a member reads them
after Friday: texts, filters, pages, states, supersession both ways, who may read them."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest

from meeting.decisions import services as decisions
from meeting.extensions import db
from meeting.live import services as agenda
from meeting.meetings import dates
from meeting.models import Decision
from meeting.models.base import utcnow
from tests.conftest import rewrite_archive

NBSP = "\u00a0"


def text_of(response):
    return response.get_data(as_text=True)


def numbers_on(page):
    """The decision numbers listed on a register page, in order."""
    return [
        int(n)
        for n in re.findall(r'<article class="register-decision[^"]*" id="decision-(\d+)"', page)
    ]


@pytest.fixture
def register(live_friday, make_member):
    """Two Fridays five weeks apart (different months), closed: the first decided two things
    on « Jardin » (consent with an objection lifted, with an action for Inès) and « Budget »
    (vote), the second one thing on « Toiture » (information)."""
    camille = make_member(role="facilitator", name="Camille")
    ines = make_member(name="Inès")
    marc = make_member(name="Marc")
    first_day = dates.next_meeting_date()
    first = live_friday(camille, ["Jardin", "Budget"], day=first_day, author=ines)
    mid = first.meeting.id
    agenda.set_attendance(camille, mid, ines.id, "present")
    db.session.refresh(first.meeting)
    agenda.advance(camille, mid, first.meeting.live_revision)
    round_ = agenda.start_round(camille, mid, "consent", "On sème samedi ?")
    agenda.answer_round(ines, round_.id, "object", "Il gèlera.")
    agenda.close_round(camille, round_.id)
    garden = decisions.record_decision(
        camille,
        mid,
        "On sème **dimanche**.",
        "consent",
        objections="Le gel de samedi",
        objections_lifted="On attend dimanche",
        round_id=round_.id,
    )
    due = dates.today_in_place() + timedelta(days=5)
    decisions.add_action(camille, mid, "Acheter des graines", ines.id, due.isoformat(), garden.id)
    db.session.refresh(first.meeting)
    agenda.advance(camille, mid, first.meeting.live_revision)
    budget = decisions.record_decision(camille, mid, "Budget de 300 € voté.", "vote")
    agenda.close_live(camille, mid)
    second_day = first_day + timedelta(days=35)
    second = live_friday(camille, ["Toiture"], day=second_day, author=ines)
    db.session.refresh(second.meeting)
    agenda.advance(camille, second.meeting.id, second.meeting.live_revision)
    roof = decisions.record_decision(camille, second.meeting.id, "On répare.", "information")
    agenda.close_live(camille, second.meeting.id)
    return SimpleNamespace(
        camille=camille,
        ines=ines,
        marc=marc,
        garden=garden,
        budget=budget,
        roof=roof,
        first_day=first_day,
        second_day=second_day,
        due=due,
    )


@pytest.fixture
def member_client(app, register):
    from tests.conftest import sign_in

    client = app.test_client()
    sign_in(client, register.marc)
    return client


def test_register_lists_every_decision_newest_first_with_its_texts(member_client, register):
    page = text_of(member_client.get("/decisions/"))
    assert numbers_on(page) == [
        register.roof.number,
        register.budget.number,
        register.garden.number,
    ]
    assert "3 décisions" in page
    assert f'href="/decisions/{register.garden.number}"' in page
    assert f"Décision n° {register.garden.number}" in page
    assert "On sème <strong>dimanche</strong>." in page  # Markdown rendered
    assert "par consentement" in page and "par vote" in page and "pour information" in page
    assert "Le gel de samedi" in page and "On attend dimanche" in page
    assert "Jardin" in page and "Budget" in page and "Toiture" in page
    first_long = register.first_day.strftime("%Y-%m-%d")
    assert f'<time datetime="{first_long}">Vendredi' in page
    assert "Acheter des graines" in page and "Inès" in page
    assert f"Tour{NBSP}: 1 réponse" in page and "Objection 1" in page
    assert page.count("en vigueur") >= 3


def test_register_counts_one_decision_in_the_singular(member_client, register):
    page = text_of(member_client.get("/decisions/?mode=information"))
    assert numbers_on(page) == [register.roof.number]
    assert re.search(r'class="register-count"[^>]*>1 décision<', page)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mode=consent", ["garden"]),
        ("mode=vote", ["budget"]),
        ("personne={ines}", ["garden"]),  # she owns its action
        ("personne={camille}", ["roof", "budget", "garden"]),  # she recorded them
        ("mode=vote&personne={ines}", []),
        ("etat=en-vigueur", ["roof", "budget", "garden"]),
        ("etat=remplacee", []),
        ("vendredi={first_day}", ["budget", "garden"]),
        ("vendredi={second_day}&mode=information", ["roof"]),
    ],
)
def test_register_filters(member_client, register, query, expected):
    url = "/decisions/?" + query.format(
        ines=register.ines.id,
        camille=register.camille.id,
        first_day=register.first_day.isoformat(),
        second_day=register.second_day.isoformat(),
    )
    page = text_of(member_client.get(url))
    assert numbers_on(page) == [getattr(register, name).number for name in expected]
    assert "Filtre ignoré" not in page


def test_register_filters_by_year_and_month_and_keeps_them(member_client, register):
    first, second = register.first_day, register.second_day
    page = text_of(member_client.get(f"/decisions/?annee={first.year}&mois={first.month}"))
    assert numbers_on(page) == [register.budget.number, register.garden.number]
    assert f'value="{first.year}"' in page  # shown values kept
    assert f'<option value="{first.month}" selected>' in page
    page = text_of(member_client.get(f"/decisions/?mois={second.month}"))
    assert numbers_on(page) == [register.roof.number]
    page = text_of(member_client.get(f"/decisions/?annee={first.year}"))
    expected = [d for d in (register.roof, register.budget, register.garden)]
    expected = [d.number for d in expected if d.meeting.scheduled_for.year == first.year]
    assert numbers_on(page) == expected
    page = text_of(member_client.get(f"/decisions/?annee={first.year - 1}"))
    assert numbers_on(page) == [] and "Aucune décision ne correspond." in page


def test_bad_filter_values_are_ignored_with_a_french_notice(member_client, register):
    response = member_client.get(
        "/decisions/?annee=deux-mille&mois=13&mode=tirage&personne=999999&etat=perdu"
        "&vendredi=2026-02-31&page=abc"
    )
    assert response.status_code == 200
    page = text_of(response)
    assert len(numbers_on(page)) == 3  # every filter ignored
    for notice in (
        "« deux-mille » n’est pas une année",
        "« 13 » n’est pas un mois",
        "mode de décision « tirage » inconnu",
        "personne « 999999 » inconnue",
        "état « perdu » inconnu",
        "« 2026-02-31 » n’est pas une date",
        "Page « abc » ignorée",
    ):
        assert notice.replace(" ", NBSP) in page.replace(" ", NBSP) or notice in page, notice


def test_supersession_shows_on_both_decisions_and_in_the_state_filter(member_client, register):
    correction = Decision(
        number=register.roof.number + 1,
        meeting_id=register.roof.meeting_id,
        item_id=register.roof.item_id,
        statement="On répare **et** on isole.",
        mode="information",
        supersedes_id=register.roof.id,
        decided_by_id=register.camille.id,
        decided_at=utcnow(),
    )
    db.session.add(correction)
    db.session.commit()
    old = text_of(member_client.get(f"/decisions/{register.roof.number}"))
    assert f"remplacée par la décision n° {correction.number}" in old
    assert f'href="/decisions/{correction.number}"' in old
    new = text_of(member_client.get(f"/decisions/{correction.number}"))
    assert f"remplace la décision n° {register.roof.number}" in new
    assert f'href="/decisions/{register.roof.number}"' in new
    assert numbers_on(text_of(member_client.get("/decisions/?etat=remplacee"))) == [
        register.roof.number
    ]
    in_force = numbers_on(text_of(member_client.get("/decisions/?etat=en-vigueur")))
    assert register.roof.number not in in_force and correction.number in in_force


def test_a_decision_due_for_review_shows_a_revoir(member_client, register):
    for decision, day in ((register.budget, 0), (register.garden, 30)):
        rewrite_archive(
            "UPDATE decision SET review_on = :day WHERE id = :id",
            day=dates.today_in_place() + timedelta(days=day),
            id=decision.id,
        )
    page = text_of(member_client.get("/decisions/?etat=a-revoir"))
    assert numbers_on(page) == [register.budget.number]
    assert "à revoir" in page and "À revoir le" in page
    garden = text_of(member_client.get(f"/decisions/{register.garden.number}"))
    assert "en vigueur" in garden  # its review date is not yet due
    assert "À revoir le" in garden


def test_permalink_shows_the_decision_who_was_present_and_its_friday(member_client, register):
    response = member_client.get(f"/decisions/{register.garden.number}")
    assert response.status_code == 200
    page = text_of(response)
    assert f'<h1 id="decision-{register.garden.number}-title">' in page
    assert "On sème <strong>dimanche</strong>." in page
    assert "Le gel de samedi" in page and "On attend dimanche" in page
    assert "Il gèlera." in page  # the objection raised in the round
    assert "Acheter des graines" in page
    present = ", ".join(decisions.present_names(register.garden))
    assert "Inès" in present and present in page
    day = register.first_day.isoformat()
    assert f'href="/vendredi/{day}/"' in page
    assert f'href="/decisions/?vendredi={day}"' in page


def test_unknown_number_is_the_french_404_page(member_client, register):
    response = member_client.get("/decisions/9999")
    assert response.status_code == 404
    assert "Aucune décision ne porte le numéro 9999" in text_of(response)


def test_anonymous_is_sent_to_sign_in_and_a_guest_has_no_access(app, register, live_friday):
    anonymous = app.test_client()
    for url in ("/decisions/", f"/decisions/{register.garden.number}"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    friday = live_friday(register.camille, ["Cuisine"], day=register.second_day + timedelta(7))
    guest = friday.guest("Ana")
    for url in ("/decisions/", f"/decisions/{register.garden.number}"):
        response = guest.get(url)
        assert response.status_code in (302, 403)
        assert "On sème" not in text_of(response)


def test_register_pages_twenty_five_decisions_at_a_time(member_client, register, live_friday):
    friday = live_friday(register.camille, ["Long"], day=register.second_day + timedelta(7))
    db.session.refresh(friday.meeting)
    agenda.advance(register.camille, friday.meeting.id, friday.meeting.live_revision)
    for n in range(25):
        decisions.record_decision(register.camille, friday.meeting.id, f"Point {n}.", "vote")
    first = text_of(member_client.get("/decisions/"))
    assert len(numbers_on(first)) == 25 and "28 décisions" in first
    assert "Page 1 sur 2" in first and 'href="/decisions/?page=2"' in first
    second = text_of(member_client.get("/decisions/?page=2"))
    assert numbers_on(second) == [
        register.roof.number,
        register.budget.number,
        register.garden.number,
    ]
    assert "Page 2 sur 2" in second and "Page précédente" in second
    kept = text_of(member_client.get("/decisions/?mode=vote&page=2"))
    assert numbers_on(kept) == [register.budget.number]
    too_far = text_of(member_client.get("/decisions/?page=9"))
    assert "La page 9 n’existe pas" in too_far and "Page 2 sur 2" in too_far


def test_links_lead_to_the_register(member_client, register):
    home = text_of(member_client.get("/"))
    assert 'href="/decisions/"' in home and "Registre des décisions" in home
    traces = text_of(member_client.get("/traces/"))
    assert f'href="/decisions/{register.garden.number}"' in traces
    document = text_of(member_client.get(f"/vendredi/{register.first_day.isoformat()}/"))
    assert f'href="/decisions/?vendredi={register.first_day.isoformat()}"' in document
    assert "Les décisions de ce vendredi" in document
