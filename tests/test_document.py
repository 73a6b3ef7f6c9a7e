"""Before Friday: the shared document of a Friday (services and pages).

Billets d'humeur, besoins, propositions d'événement and points à discuter; revisions and the
merge view; needs; phases of the meeting; privacy of billets; event proposals; operation ids.
The live side (socket commands, facts, presence) is in test_document_live.py.
"""

import html
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, inspect, select, text

from meeting.errors import Conflict, Forbidden, ServiceError
from meeting.extensions import db
from meeting.i18n import french, french_spacing, long_date
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.models import (
    ClientOperation,
    Entry,
    EntryRevision,
    EventProposal,
    Meeting,
    ProposalStatusChange,
    Trace,
)
from meeting.prep import services as prep
from meeting.proposals import services as proposals
from meeting.traces.sentences import sentence
from tests.conftest import post_form, sign_in

# -- helpers -----------------------------------------------------------------------------------


def fr(message):
    """A French message as people read it: no-break spaces before « : » and inside « »."""
    return french_spacing(message)


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def snapshot():
    """How many rows of each thing the document stores (to prove nothing changed)."""
    return {
        model.__name__: count(model)
        for model in (
            Meeting,
            Entry,
            EntryRevision,
            EventProposal,
            ProposalStatusChange,
            ClientOperation,
            Trace,
        )
    }


def page_of(response):
    return response.get_data(as_text=True)


def alerts(page):
    """The texts of the page's error messages (role="alert", or beside their field), unescaped."""
    found = re.findall(r'role="alert"[^>]*>(.*?)</p>', page, re.DOTALL)
    found += re.findall(r'class="field-error"[^>]*>(.*?)</span>', page, re.DOTALL)
    # A message shown in a summary and beside its field counts once.
    return list(dict.fromkeys(html.unescape(m.strip()) for m in found if m.strip()))


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


def start_tags(fragment):
    """The (tag, attributes) of every element of an HTML fragment, as a browser parses them."""
    parser = _Tags()
    parser.feed(fragment)
    return parser.found


def section(page, kind):
    """The HTML of one section of the document."""
    start = page.index(f'<section id="section-{kind}"')
    return page[start : page.index("</section>", start)]


def article(page, entry_id):
    start = page.index(f'id="entree-{entry_id}"')
    return page[start : page.index("</article>", start)]


def coming_friday():
    """Computed here, independently of the app: today in Paris, or the next Friday."""
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    return today + timedelta(days=(4 - today.weekday()) % 7)


def url(meeting, rest=""):
    return f"/vendredi/{meeting.scheduled_for.isoformat()}/{rest}"


def reload(model, row_id):
    db.session.rollback()
    return db.session.get(model, row_id)


@pytest.fixture
def friday(app):
    """The coming Friday's meeting, as the home page creates it."""
    return meetings.ensure_meeting(dates.next_meeting_date())


@pytest.fixture
def people(make_member):
    """Inès and Théo (members), Camille (facilitator)."""
    return (
        make_member(name="Inès"),
        make_member(name="Théo"),
        make_member(role="facilitator", name="Camille"),
    )


def signed_in(app, member):
    client = app.test_client()
    sign_in(client, member)
    return client


def wished(days=10, at="18:30"):
    return [((coming_friday() + timedelta(days=days)).isoformat(), at)]


def proposal_form(**changes):
    day = (coming_friday() + timedelta(days=15)).isoformat()
    form = {
        "title": "Apéro politique",
        "description": "On parle des **municipales**.",
        "date_1": day,
        "time_1": "18:30",
        "date_2": "",
        "time_2": "",
        "date_3": "",
        "time_3": "",
        "duration_minutes": "120",
        "place": "garden",
        "place_detail": "",
        "expected_attendance": "30",
        "material_needs": "Deux tables, des verres",
    }
    form.update(changes)
    return form


# -- the Friday and the home page ----------------------------------------------------------


def test_home_shows_the_coming_friday_without_writing_and_the_first_entry_creates_it(client_as):
    client, _member = client_as()
    assert count(Meeting) == 0
    page = page_of(client.get("/"))
    assert f'href="/vendredi/{coming_friday().isoformat()}/"' in page
    assert "Ouvrir le document du vendredi" in page
    assert "de 12\u00a0h à 14\u00a0h" in page
    document = page_of(client.get(f"/vendredi/{coming_friday().isoformat()}/"))
    assert "Billets d’humeur" in document
    # reading the home page and the document never writes
    assert count(Meeting) == 0 and count(Trace) == 0
    response = post_form(
        client,
        f"/vendredi/{coming_friday().isoformat()}/entrees",
        {"kind": "mood", "body": "Contente d’être là."},
    )
    assert response.status_code == 302
    meeting = db.session.scalar(select(Meeting))
    assert meeting.scheduled_for == coming_friday() and meeting.scheduled_for.weekday() == 4
    assert (meeting.starts_at.isoformat(), meeting.ends_at.isoformat()) == ("12:00:00", "14:00:00")
    assert meeting.status == "preparing"
    client.get("/")
    assert count(Meeting) == 1  # created once, by the first change
    trace = db.session.scalar(select(Trace).where(Trace.verb == "meeting_scheduled"))
    assert trace.meeting_id == meeting.id


def test_home_counts_entries_of_each_kind_and_lists_waiting_proposals(client_as, friday, people):
    client, _member = client_as()
    ines, theo, _camille = people
    prep.add_entry(ines, friday.id, "mood", None, "Contente d’être là.")
    prep.add_entry(theo, friday.id, "mood", None, "Fatigué.")
    prep.add_entry(ines, friday.id, "need", "Savon", "Du savon noir pour la cuisine.")
    proposals.propose_event(
        theo, friday.id, "Projection Les Doléances", "Un film.", wished(), "120", "house"
    )
    page = page_of(client.get("/"))
    assert "2 billets d’humeur" in page
    assert "<li>1 besoin</li>" in page
    assert "1 proposition d’événement" in page
    assert re.search(r"<li>0 points? à discuter</li>", page)
    waiting = page[page.index('id="proposals-title"') :]
    assert "Projection Les Doléances</a> — proposée" in waiting


def test_home_lists_open_needs_of_every_friday_but_not_met_or_dropped_ones(
    client_as, friday, people
):
    client, _member = client_as()
    ines, theo, _camille = people
    past = Meeting(
        scheduled_for=friday.scheduled_for - timedelta(days=14),
        starts_at=friday.starts_at,
        ends_at=friday.ends_at,
    )
    db.session.add(past)
    db.session.commit()
    old = prep.add_entry(ines, past.id, "need", "Huile", "Huile d’olive")
    meetings.close_meeting(people[2], past.id)
    new = prep.add_entry(ines, friday.id, "need", "Coup de main au jardin", "Samedi matin")
    claimed = prep.add_entry(ines, friday.id, "need", "Chaises", "Six chaises")
    prep.claim_need(theo, claimed.id, "j’en ai chez moi")
    met = prep.add_entry(ines, friday.id, "need", "Nappe", "Une nappe")
    prep.resolve_need(ines, met.id, "met")
    dropped = prep.add_entry(ines, friday.id, "need", "Piano", "Un piano")
    prep.resolve_need(ines, dropped.id, "dropped")
    page = page_of(client.get("/"))
    needs = page[page.index('id="needs-title"') : page.index('id="proposals-title"')]
    assert needs.index("Huile") < needs.index("Coup de main au jardin")  # oldest Friday first
    assert f"/vendredi/{past.scheduled_for.isoformat()}/#entree-{old.id}" in needs
    assert f"#entree-{new.id}" in needs
    assert "Chaises</a>\n      — pris en charge (Théo s’en occupe)" in needs
    assert "Nappe" not in needs and "Piano" not in needs


def test_anonymous_home_shows_nothing_of_the_document(client, friday, people):
    prep.add_entry(people[0], friday.id, "mood", None, "Un secret de billet")
    prep.add_entry(people[0], friday.id, "need", "Savon", "Du savon")
    page = page_of(client.get("/"))
    assert "Un secret de billet" not in page and "Savon" not in page
    assert "Se connecter" in page and "/vendredi/" not in page


# -- the document ----------------------------------------------------------------------------


def test_document_has_four_sections_in_order(client_as, friday):
    client, _member = client_as()
    response = client.get(url(friday))
    assert response.status_code == 200
    titles = re.findall(r'<h2 id="section-(\w+)-title">([^<]+)</h2>', page_of(response))
    assert titles == [
        ("mood", "Billets d’humeur"),
        ("need", "Besoins"),
        ("proposal", "Propositions d’événement"),
        ("topic", "Points à discuter"),
    ]


@pytest.mark.parametrize(
    ("kind", "title", "shown_title"),
    [
        ("mood", "", "Billet d’Inès"),
        ("need", "Savon noir", "Savon noir"),
        ("topic", "Le ménage", "Le ménage"),
    ],
)
def test_member_adds_an_entry_of_each_kind_from_the_form(
    app, friday, people, kind, title, shown_title
):
    client = signed_in(app, people[0])
    response = post_form(
        client,
        url(friday, "entrees"),
        {"kind": kind, "title": title, "body": "Un texte *important*."},
    )
    entry = db.session.scalar(select(Entry))
    assert response.status_code == 302
    assert response.headers["Location"] == url(friday) + f"#entree-{entry.id}"
    assert (entry.kind, entry.title, entry.body, entry.author_id, entry.revision) == (
        kind,
        title or None,
        "Un texte *important*.",
        people[0].id,
        1,
    )
    assert entry.need_status == ("open" if kind == "need" else None)
    assert not entry.added_during_meeting
    assert count(EntryRevision, EntryRevision.entry_id == entry.id) == 1
    shown = section(page_of(client.get(url(friday))), kind)
    assert shown_title in article(shown, entry.id)
    assert "Un texte <em>important</em>." in article(shown, entry.id)


def test_preview_renders_markdown_without_storing_anything(app, friday, people):
    client = signed_in(app, people[0])
    before = snapshot()
    response = post_form(
        client,
        url(friday, "entrees"),
        {
            "kind": "topic",
            "title": "Compost",
            "body": "**Gras** et [lien](https://le97.example)",
            "op_id": "op-preview-1234",
            "action": "preview",
        },
    )
    page = page_of(response)
    assert response.status_code == 200
    preview = page[page.index('id="entry-preview"') : page.index('class="form-buttons"')]
    assert " hidden" not in preview.split(">", 1)[0]
    assert "<strong>Gras</strong>" in preview
    assert 'href="https://le97.example"' in preview
    # The form keeps what was typed, and the same operation id.
    assert "**Gras** et [lien](https://le97.example)</textarea>" in page
    assert 'value="Compost"' in page and 'value="op-preview-1234"' in page
    assert 'id="kind-topic" name="kind" value="topic" checked' in page
    assert snapshot() == before


LONG = "é" * (prep.MAX_BODY + 1)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"kind": "mood", "body": "   \n  "},
            "Le texte est vide : écrivez quelque chose avant d’envoyer.",
        ),
        (
            {"kind": "topic", "body": LONG},
            "Le texte est trop long (20\u202f000 caractères au plus).",
        ),
        ({"kind": "poeme", "body": "Un alexandrin"}, "Ce type de contribution n’existe pas."),
        ({"body": "Sans type"}, "Ce type de contribution n’existe pas."),
        (
            {"kind": "proposal", "body": "Un concert"},
            "Pour proposer un événement, utilisez le formulaire « Proposer un événement ».",
        ),
        (
            {"kind": "topic", "title": "T" * 201, "body": "Un texte"},
            "Le titre ne doit pas dépasser 200 caractères.",
        ),
    ],
    ids=["empty", "too-long", "unknown-kind", "no-kind", "proposal-kind", "long-title"],
)
def test_bad_entry_is_refused_in_french_and_nothing_is_stored(app, friday, people, data, message):
    client = signed_in(app, people[0])
    before = snapshot()
    response = post_form(client, url(friday, "entrees"), data)
    page = page_of(response)
    assert response.status_code == 400
    assert alerts(page) == [fr(message)]
    assert snapshot() == before
    if data["body"].strip() and len(data["body"]) < 100:  # what was typed is not lost
        assert f">{data['body']}</textarea>" in page


def test_a_body_of_exactly_twenty_thousand_characters_is_accepted(friday, people):
    entry = prep.add_entry(people[0], friday.id, "topic", None, "x" * prep.MAX_BODY)
    assert len(entry.body) == prep.MAX_BODY


def test_services_refuse_bad_input_with_codes(friday, people):
    with pytest.raises(ServiceError) as refused:
        prep.add_entry(people[0], friday.id, "mood", None, "")
    assert refused.value.code == "empty_body"
    with pytest.raises(ServiceError) as refused:
        prep.add_entry(people[0], friday.id, "proposal", None, "Un concert")
    assert refused.value.code == "use_proposal_form"
    with pytest.raises(Forbidden):
        prep.add_entry(None, friday.id, "mood", None, "Anonyme")
    assert count(Entry) == 0


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "/vendredi/2030-01-05/",
            "Le samedi 5 janvier 2030 n’est pas un jour de réunion : les réunions ont lieu le vendredi.",
        ),
        (
            "/vendredi/2030-01-05/entrees",
            "Le samedi 5 janvier 2030 n’est pas un jour de réunion : les réunions ont lieu le vendredi.",
        ),
        ("/vendredi/demain/", "Cette date n’est pas valide (attendu : AAAA-MM-JJ)."),
        (
            "/vendredi/2020-01-03/",
            "Aucune réunion n’a été préparée pour le vendredi 3 janvier 2020.",
        ),
    ],
    ids=["saturday", "saturday-post", "not-a-date", "past-friday"],
)
def test_a_day_without_a_meeting_is_a_french_404(client_as, path, message):
    client, _member = client_as()
    if path.endswith("entrees"):
        response = post_form(client, path, {"kind": "mood", "body": "Bonjour"})
    else:
        response = client.get(path)
    assert response.status_code == 404
    assert alerts(page_of(response)) == [fr(message)]
    assert count(Meeting) == 0 and count(Entry) == 0


def test_a_past_friday_with_a_meeting_stays_readable(client_as, friday, people):
    client, _member = client_as()
    past = Meeting(
        scheduled_for=friday.scheduled_for - timedelta(days=7),
        starts_at=friday.starts_at,
        ends_at=friday.ends_at,
    )
    db.session.add(past)
    db.session.commit()
    prep.add_entry(people[0], past.id, "topic", "Le four", "Réparer le four")
    response = client.get(url(past))
    assert response.status_code == 200 and "Le four" in page_of(response)


def test_a_member_can_neither_edit_nor_delete_someone_elses_entry(app, friday, people):
    ines, theo, _camille = people
    entry = prep.add_entry(ines, friday.id, "topic", "Le ménage", "Qui fait le ménage ?")
    client = signed_in(app, theo)
    before = snapshot()
    page = page_of(client.get(url(friday)))
    assert "Modifier" not in article(page, entry.id) and "Retirer" not in article(page, entry.id)
    assert client.get(url(friday, f"entrees/{entry.id}/modifier")).status_code == 403
    response = post_form(
        client,
        url(friday, f"entrees/{entry.id}/modifier"),
        {"revision": "1", "title": "Piraté", "body": "Piraté"},
    )
    assert response.status_code == 403
    assert alerts(page_of(response)) == ["Vous n’avez pas le droit de voir cette page."]
    response = post_form(client, url(friday, f"entrees/{entry.id}/supprimer"))
    assert response.status_code == 403
    assert alerts(page_of(response)) == ["Vous ne pouvez retirer que vos propres contributions."]
    assert snapshot() == before
    entry = reload(Entry, entry.id)
    assert (entry.title, entry.body, entry.revision) == ("Le ménage", "Qui fait le ménage ?", 1)
    with pytest.raises(Forbidden) as refused:
        prep.edit_entry(theo, entry.id, 1, None, "Piraté")
    assert refused.value.message == "Vous ne pouvez modifier que vos propres contributions."


def test_a_facilitator_edits_anyones_entry_and_the_change_is_traced(app, friday, people):
    ines, _theo, camille = people
    topic = prep.add_entry(ines, friday.id, "topic", "Le ménage", "Qui fait le ménage ?")
    mood = prep.add_entry(ines, friday.id, "mood", None, "Un peu lasse.")
    client = signed_in(app, camille)
    page = page_of(client.get(url(friday, f"entrees/{topic.id}/modifier")))
    assert "Qui fait le ménage ?</textarea>" in page
    response = post_form(
        client,
        url(friday, f"entrees/{topic.id}/modifier"),
        {"revision": "1", "title": "Le ménage", "body": "Tableau de ménage."},
    )
    assert response.status_code == 302
    topic = reload(Entry, topic.id)
    assert (topic.body, topic.revision, topic.updated_by_id) == (
        "Tableau de ménage.",
        2,
        camille.id,
    )
    assert topic.author_id == ines.id  # still Inès's entry
    prep.edit_entry(camille, mood.id, 1, None, "Un peu lasse, mais là.")
    summaries = [
        sentence(t)
        for t in db.session.scalars(
            select(Trace).where(Trace.verb == "entry_edited").order_by(Trace.id)
        ).all()
    ]
    assert summaries == [
        fr("Camille a modifié « Le ménage » d’Inès."),
        fr("Camille a modifié le billet d’humeur d’Inès."),
    ]
    # …but removing stays the author's own decision.
    response = post_form(client, url(friday, f"entrees/{mood.id}/supprimer"))
    assert response.status_code == 403 and count(Entry) == 2


def test_an_author_edits_and_the_history_lists_every_revision(app, friday, people):
    ines, _theo, camille = people
    entry = prep.add_entry(ines, friday.id, "topic", "Compost", "Premier jet")
    client = signed_in(app, ines)
    response = post_form(
        client,
        url(friday, f"entrees/{entry.id}/modifier"),
        {"revision": "1", "title": "Compost", "body": "Deuxième jet"},
    )
    assert response.status_code == 302
    prep.edit_entry(camille, entry.id, 2, "Compost", "Troisième jet")
    page = page_of(client.get(url(friday)))
    assert ">modifié (3 versions)</a>" in article(page, entry.id)
    response = client.get(url(friday, f"entrees/{entry.id}/historique"))
    assert response.status_code == 200
    history = page_of(response)
    versions = re.findall(r"<h2>Version (\d) — ([^,]+), <time datetime=\"([^\"]+)\">", history)
    assert [(n, who) for n, who, _at in versions] == [
        ("3", "Camille"),
        ("2", "Inès"),
        ("1", "Inès"),
    ]
    revisions = db.session.scalars(
        select(EntryRevision)
        .where(EntryRevision.entry_id == entry.id)
        .order_by(EntryRevision.revision.desc())
    ).all()
    assert [at for *_rest, at in versions] == [
        r.created_at.replace(microsecond=0).isoformat() + "Z" for r in revisions
    ]
    assert (
        history.index("Troisième jet")
        < history.index("Deuxième jet")
        < history.index("Premier jet")
    )


def test_a_stale_edit_shows_both_texts_to_merge_and_overwrites_nothing(app, friday, people):
    ines, _theo, camille = people
    entry = prep.add_entry(ines, friday.id, "topic", "Compost", "Le bac est plein.")
    client = signed_in(app, ines)
    edit_page = page_of(client.get(url(friday, f"entrees/{entry.id}/modifier")))
    assert 'name="revision" value="1"' in edit_page
    prep.edit_entry(camille, entry.id, 1, "Compost", "Le bac est plein, on le vide samedi.")
    before = snapshot()
    response = post_form(
        client,
        url(friday, f"entrees/{entry.id}/modifier"),
        {"revision": "1", "title": "Compost", "body": "Le bac déborde !"},
    )
    page = page_of(response)
    assert response.status_code == 409
    assert fr(
        "Quelqu’un a modifié ce texte pendant que vous écriviez. Comparez les deux versions "
        "et fusionnez-les avant d’enregistrer."
    ) in alerts(page)
    assert "Deux versions à fusionner" in page
    mine = page[page.index('class="merge-mine"') : page.index('class="merge-theirs"')]
    theirs = page[page.index('class="merge-theirs"') :]
    assert "Le bac déborde !</textarea>" in mine
    assert "Le bac est plein, on le vide samedi.</textarea>" in theirs
    assert "par Camille" in theirs
    assert 'name="revision" value="2"' in mine  # the merge is saved on top of what it saw
    assert snapshot() == before
    assert reload(Entry, entry.id).body == "Le bac est plein, on le vide samedi."
    # Saving the merge works.
    response = post_form(
        client,
        url(friday, f"entrees/{entry.id}/modifier"),
        {"revision": "2", "title": "Compost", "body": "Le bac déborde ; on le vide samedi."},
    )
    assert response.status_code == 302
    entry = reload(Entry, entry.id)
    assert (entry.revision, entry.body) == (3, "Le bac déborde ; on le vide samedi.")


def test_a_stale_edit_through_the_service_carries_the_current_text(friday, people):
    ines, _theo, camille = people
    entry = prep.add_entry(ines, friday.id, "need", "Savon", "Savon noir")
    prep.edit_entry(camille, entry.id, 1, "Savon", "Savon noir, 2 litres")
    with pytest.raises(Conflict) as refused:
        prep.edit_entry(ines, entry.id, 1, "Savon", "Savon de Marseille")
    assert refused.value.code == "stale" and refused.value.status == 409
    assert refused.value.details["current"] == {
        "entry_id": entry.id,
        "revision": 2,
        "title": "Savon",
        "body": "Savon noir, 2 litres",
        "updated_by": "Camille",
    }
    assert count(EntryRevision) == 2


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert('billet')</script>",
        "[cliquez ici](javascript:alert('billet'))",
        "<a href=\"javascript:alert('billet')\">cliquez ici</a>",
        "[cliquez ici](JaVaScRiPt:alert('billet'))",
        "<img src=x onerror=\"alert('billet')\">",
    ],
)
def test_scripts_and_javascript_links_are_inert_in_the_document(app, friday, people, body):
    client = signed_in(app, people[0])
    post_form(client, url(friday, "entrees"), {"kind": "topic", "title": "Piège", "body": body})
    entry = db.session.scalar(select(Entry))
    assert entry.body == body  # stored as written…
    for address in (url(friday), url(friday, f"entrees/{entry.id}/historique")):
        page = page_of(client.get(address))
        start = page.index(
            f'id="entree-{entry.id}"' if address == url(friday) else 'class="history"'
        )
        shown = page[start : page.index("</article>" if address == url(friday) else "</ol>", start)]
        # …and shown inert: no script element, no event handler, no javascript: link.
        for tag, attrs in start_tags(shown):
            assert tag != "script"
            assert not [name for name, _value in attrs if name.startswith("on")]
            assert not any(
                re.sub(r"\s", "", value or "").lower().startswith("javascript:")
                for _name, value in attrs
            )
        assert "alert(" in html.unescape(shown)  # the words are still there, as text


HOSTILE = "<script>alert('titre')</script>"


def script_elements(page):
    """Inline script elements of a page (the page's own scripts are files: `src=`)."""
    return [
        attrs for tag, attrs in start_tags(page) if tag == "script" and "src" not in dict(attrs)
    ]


def test_titles_notes_and_proposal_fields_are_shown_as_text_everywhere(app, friday, people):
    ines, theo, _camille = people
    need = prep.add_entry(ines, friday.id, "need", HOSTILE, "Du savon")
    prep.claim_need(theo, need.id, HOSTILE)
    proposals.propose_event(
        ines,
        friday.id,
        HOSTILE,
        "Un film",
        wished(),
        "60",
        "elsewhere",
        place_detail=HOSTILE,
        material_needs=HOSTILE,
    )
    client = signed_in(app, ines)
    proposal_id = db.session.scalar(select(EventProposal.id))
    for address in (
        "/",
        url(friday),
        url(friday, f"entrees/{need.id}/historique"),
        "/traces/",
        "/propositions/",
        f"/propositions/{proposal_id}",
    ):
        page = page_of(client.get(address))
        assert script_elements(page) == [], address
        assert "&lt;script&gt;alert(" in page, address


# -- phases ------------------------------------------------------------------------------------


def test_entries_added_while_the_meeting_is_live_are_marked(app, friday, people):
    ines, _theo, camille = people
    before = prep.add_entry(ines, friday.id, "topic", "Avant", "Écrit avant midi")
    facilitator = signed_in(app, camille)
    response = post_form(facilitator, url(friday, "commencer"))
    assert response.status_code == 302
    assert reload(Meeting, friday.id).status == "live"
    assert (
        sentence(db.session.scalar(select(Trace).where(Trace.verb == "meeting_started")))
        == f"Camille a ouvert la réunion du {french(lambda: long_date(friday.scheduled_for))}."
    )
    client = signed_in(app, ines)
    post_form(
        client,
        url(friday, "entrees"),
        {"kind": "topic", "title": "Pendant", "body": "Écrit pendant"},
    )
    during = db.session.scalar(select(Entry).where(Entry.title == "Pendant"))
    assert during.added_during_meeting and not reload(Entry, before.id).added_during_meeting
    page = page_of(client.get(url(friday)))
    assert "ajouté pendant la réunion" in article(page, during.id)
    assert "ajouté pendant la réunion" not in article(page, before.id)
    assert "La réunion est en cours" in page
    assert 'id="add-entry"' in page  # the document stays open


def test_closing_makes_the_document_read_only_and_links_to_next_friday(app, friday, people):
    ines, _theo, camille = people
    entry = prep.add_entry(ines, friday.id, "topic", "Le four", "Réparer le four")
    need = prep.add_entry(ines, friday.id, "need", "Savon", "Savon noir")
    facilitator = signed_in(app, camille)
    post_form(facilitator, url(friday, "commencer"))
    assert post_form(facilitator, url(friday, "clore")).status_code == 302
    assert reload(Meeting, friday.id).status == "closed"
    client = signed_in(app, ines)
    page = page_of(client.get(url(friday)))
    next_day = (friday.scheduled_for + timedelta(days=7)).isoformat()
    assert 'id="add-entry"' not in page
    assert f'href="/vendredi/{next_day}/"' in page
    assert fr("Ce vendredi est clos : le document se lit mais ne se modifie plus.") in page
    assert "Modifier" not in article(page, entry.id) and "Retirer" not in article(page, entry.id)
    assert "Commencer la réunion" not in page
    before = snapshot()
    closed = fr("Ce vendredi est clos : son document ne peut plus être modifié.")
    response = client.get(url(friday, f"entrees/{entry.id}/modifier"))
    assert response.status_code == 409 and alerts(page_of(response)) == [closed]
    response = post_form(
        client,
        url(friday, f"entrees/{entry.id}/modifier"),
        {"revision": "1", "title": "Le four", "body": "Changé après coup"},
    )
    assert response.status_code == 409 and closed in alerts(page_of(response))
    response = post_form(client, url(friday, f"entrees/{need.id}/supprimer"))
    assert response.status_code == 409 and alerts(page_of(response)) == [closed]
    response = post_form(client, url(friday, "entrees"), {"kind": "topic", "body": "Trop tard"})
    assert response.status_code == 409
    assert alerts(page_of(response)) == [closed]
    assert ">Trop tard</textarea>" in page_of(response)  # what was typed is not lost
    assert snapshot() == before
    assert reload(Entry, entry.id).body == "Réparer le four"
    # The link leads to next Friday's document, open for writing.
    response = client.get(f"/vendredi/{next_day}/")
    assert response.status_code == 200 and 'id="add-entry"' in page_of(response)


def test_members_cannot_start_or_close_the_meeting(app, friday, people):
    client = signed_in(app, people[0])
    page = page_of(client.get(url(friday)))
    assert "Commencer la réunion" not in page and "Clore la réunion" not in page
    for action in ("commencer", "clore"):
        response = post_form(client, url(friday, action))
        assert response.status_code == 403
        assert alerts(page_of(response)) == [
            "Seul·es les facilitateur·rices ouvrent et closent la réunion."
        ]
    assert reload(Meeting, friday.id).status == "preparing"
    assert count(Trace, Trace.verb.in_(("meeting_started", "meeting_closed"))) == 0


def test_a_meeting_moves_forward_only_and_says_why_in_plain_french(friday, people):
    camille = people[2]
    meetings.start_meeting(camille, friday.id)
    with pytest.raises(Conflict) as refused:
        meetings.start_meeting(camille, friday.id)
    assert (refused.value.code, refused.value.message) == (
        "bad_transition",
        "La réunion est déjà en cours.",
    )
    meetings.close_meeting(camille, friday.id)
    for again in (meetings.start_meeting, meetings.close_meeting):
        with pytest.raises(Conflict) as refused:
            again(camille, friday.id)
        assert (refused.value.code, refused.value.message) == (
            "bad_transition",
            "La réunion est déjà close.",
        )
    assert reload(Meeting, friday.id).status == "closed"
    assert count(Trace, Trace.verb == "meeting_started") == 1
    assert count(Trace, Trace.verb == "meeting_closed") == 1


# -- needs -------------------------------------------------------------------------------------


@pytest.fixture
def need(friday, people):
    return prep.add_entry(people[0], friday.id, "need", "Huile", "Deux litres d’huile d’olive")


def need_action(client, friday, need, **data):
    return post_form(client, url(friday, f"entrees/{need.id}/besoin"), data)


def test_taking_a_need_on_with_a_note(app, friday, people, need):
    theo = people[1]
    client = signed_in(app, theo)
    response = need_action(client, friday, need, action="claim", note="j’apporte 2 litres")
    assert response.status_code == 302
    assert response.headers["Location"] == url(friday) + f"#entree-{need.id}"
    need = reload(Entry, need.id)
    assert (need.need_status, need.claimed_by_id, need.claim_note) == (
        "claimed",
        theo.id,
        "j’apporte 2 litres",
    )
    shown = article(page_of(client.get(url(friday))), need.id)
    assert "pris en charge" in shown and "Théo s’en occupe (j’apporte 2 litres)" in shown
    assert "Je m’en occupe" not in shown  # no second claim button
    assert sentence(db.session.scalar(select(Trace).where(Trace.verb == "need_claimed"))) == fr(
        "Théo s’occupe du besoin « Huile »."
    )


def test_a_need_already_taken_on_by_someone_else_cannot_be_claimed(app, friday, people, need):
    _ines, theo, camille = people
    prep.claim_need(theo, need.id, "j’apporte 2 litres")
    before = snapshot()
    client = signed_in(app, camille)
    response = need_action(client, friday, need, action="claim", note="moi aussi")
    assert response.status_code == 409
    assert alerts(page_of(response)) == ["Théo s’en occupe déjà."]
    with pytest.raises(Conflict) as refused:
        prep.claim_need(theo, need.id)
    assert refused.value.message == "Vous vous en occupez déjà."
    assert snapshot() == before
    need = reload(Entry, need.id)
    assert (need.claimed_by_id, need.claim_note) == (theo.id, "j’apporte 2 litres")


def test_the_claimer_gives_a_need_back_but_nobody_else_does(app, friday, people, need):
    ines, theo, _camille = people
    prep.claim_need(theo, need.id)
    response = need_action(signed_in(app, ines), friday, need, action="release")
    assert response.status_code == 403
    assert alerts(page_of(response)) == ["Seule la personne qui s’en occupe peut le rendre."]
    assert reload(Entry, need.id).need_status == "claimed"
    response = need_action(signed_in(app, theo), friday, need, action="release")
    assert response.status_code == 302
    need = reload(Entry, need.id)
    assert (need.need_status, need.claimed_by_id, need.claim_note) == ("open", None, None)
    assert sentence(db.session.scalar(select(Trace).where(Trace.verb == "need_released"))) == fr(
        "Théo ne s’occupe plus du besoin « Huile »."
    )


@pytest.mark.parametrize("who", ["claimer", "author", "facilitator"])
@pytest.mark.parametrize("outcome", ["met", "dropped"])
def test_a_need_is_met_or_dropped_by_its_claimer_author_or_a_facilitator(
    app, friday, people, need, who, outcome, make_member
):
    ines, theo, camille = people
    prep.claim_need(theo, need.id)
    actor = {"claimer": theo, "author": ines, "facilitator": camille}[who]
    response = need_action(signed_in(app, actor), friday, need, action=outcome)
    assert response.status_code == 302
    need = reload(Entry, need.id)
    assert need.need_status == outcome and need.resolved_at is not None
    expected = (
        f"{actor.display_name} a indiqué que le besoin « Huile » est satisfait."
        if outcome == "met"
        else f"{actor.display_name} a abandonné le besoin « Huile »."
    )
    assert sentence(db.session.scalar(select(Trace).where(Trace.verb == "need_resolved"))) == fr(
        expected
    )


def test_someone_else_cannot_close_a_need(app, friday, people, need, make_member):
    prep.claim_need(people[1], need.id)
    stranger = make_member(name="Lou")
    before = snapshot()
    response = need_action(signed_in(app, stranger), friday, need, action="met")
    assert response.status_code == 403
    assert alerts(page_of(response)) == [
        (
            "Seules la personne qui s’en occupe, celle qui l’a exprimé ou l’animation peuvent clore "
            "ce besoin."
        )
    ]
    assert snapshot() == before and reload(Entry, need.id).need_status == "claimed"


@pytest.mark.parametrize("first", ["met", "dropped"])
def test_a_met_or_dropped_need_moves_no_more(app, friday, people, need, first):
    ines, theo, camille = people
    prep.claim_need(theo, need.id)
    prep.resolve_need(theo, need.id, first)
    label = {"met": "satisfait", "dropped": "abandonné"}[first]
    before = snapshot()
    attempts = [
        lambda: prep.claim_need(camille, need.id),
        lambda: prep.release_need(theo, need.id),
        lambda: prep.resolve_need(ines, need.id, "met"),
        lambda: prep.resolve_need(ines, need.id, "dropped"),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict) as refused:
            attempt()
        assert refused.value.message == f"Ce besoin est déjà {label}."
    response = need_action(signed_in(app, camille), friday, need, action="claim")
    assert response.status_code == 409
    assert alerts(page_of(response)) == [f"Ce besoin est déjà {label}."]
    assert snapshot() == before and reload(Entry, need.id).need_status == first


def test_need_actions_refuse_what_is_not_a_need_or_not_an_outcome(app, friday, people, need):
    ines = people[0]
    topic = prep.add_entry(ines, friday.id, "topic", "Le four", "Réparer le four")
    with pytest.raises(ServiceError) as refused:
        prep.claim_need(ines, topic.id)
    assert refused.value.message == "Cette contribution n’est pas un besoin."
    with pytest.raises(ServiceError) as refused:
        prep.resolve_need(ines, need.id, "oublié")
    assert refused.value.message == fr("Issue inconnue : « satisfait » ou « abandonné » seulement.")
    with pytest.raises(ServiceError) as refused:
        prep.claim_need(ines, need.id, "n" * 201)
    assert refused.value.message == "La précision ne doit pas dépasser 200 caractères."
    response = need_action(signed_in(app, ines), friday, need, action="effacer")
    assert response.status_code == 400
    assert reload(Entry, need.id).need_status == "open"


# -- privacy of billets d'humeur -------------------------------------------------------------


SECRET = "Je traverse une période difficile avec le collectif"


def test_billets_are_for_signed_in_members_only(client, friday, people):
    prep.add_entry(people[0], friday.id, "mood", None, SECRET)
    response = client.get(url(friday))
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    for address in ("/", url(friday), "/traces/", url(friday, "entrees/1/historique")):
        assert SECRET not in page_of(client.get(address, follow_redirects=True))


def test_a_billets_traces_never_carry_its_text(app, friday, people):
    ines, _theo, camille = people
    mood = prep.add_entry(ines, friday.id, "mood", "Mon humeur", SECRET)
    prep.edit_entry(ines, mood.id, 1, "Mon humeur", SECRET + " (mais ça va)")
    prep.edit_entry(camille, mood.id, 2, "Mon humeur", SECRET + " (mais ça va mieux)")
    traces = db.session.scalars(
        select(Trace).where(Trace.subject_id == mood.id, Trace.subject_type == "entry")
    ).all()
    assert [sentence(t) for t in traces] == [
        "Inès a écrit un billet d’humeur.",
        "Inès a modifié son billet d’humeur.",
        "Camille a modifié le billet d’humeur d’Inès.",
    ]
    for trace in traces:
        assert "période difficile" not in str(trace.data) and "Mon humeur" not in str(trace.data)
    page = page_of(signed_in(app, camille).get("/traces/"))
    assert "Inès a écrit un billet d’humeur." in page and "période difficile" not in page


def all_stored_text():
    """Every value of every row of every table, as one string."""
    rows = []
    with db.engine.connect() as conn:
        for table in inspect(db.engine).get_table_names():
            rows += [repr(tuple(row)) for row in conn.execute(text(f'SELECT * FROM "{table}"'))]
    return "\n".join(rows)


def test_deleting_a_billet_removes_it_and_its_revisions_for_good(app, friday, people):
    ines = people[0]
    mood = prep.add_entry(ines, friday.id, "mood", None, SECRET, op_id="op-mood-000001")
    prep.edit_entry(ines, mood.id, 1, None, SECRET + ", deuxième version")
    mood_id = mood.id
    assert SECRET in all_stored_text()
    client = signed_in(app, ines)
    response = post_form(client, url(friday, f"entrees/{mood_id}/supprimer"))
    assert response.status_code == 302 and response.headers["Location"] == url(friday)
    db.session.rollback()
    assert db.session.get(Entry, mood_id) is None
    assert count(EntryRevision, EntryRevision.entry_id == mood_id) == 0
    with db.engine.connect() as conn:
        assert (
            conn.scalar(
                text("SELECT count(*) FROM entry_revision WHERE entry_id = :id"), {"id": mood_id}
            )
            == 0
        )
        assert conn.scalar(text("SELECT count(*) FROM entry WHERE id = :id"), {"id": mood_id}) == 0
    assert SECRET not in all_stored_text() and "période difficile" not in all_stored_text()
    assert (
        sentence(db.session.scalar(select(Trace).where(Trace.verb == "entry_deleted")))
        == "Inès a retiré son billet d’humeur."
    )
    assert SECRET not in page_of(client.get(url(friday)))
    assert client.get(url(friday, f"entrees/{mood_id}/historique")).status_code == 404


def test_a_billet_can_be_removed_even_after_its_friday_is_closed(app, friday, people):
    ines, theo, camille = people
    mood = prep.add_entry(ines, friday.id, "mood", None, SECRET)
    topic = prep.add_entry(ines, friday.id, "topic", "Le four", "Réparer le four")
    meetings.close_meeting(camille, friday.id)
    client = signed_in(app, ines)
    page = page_of(client.get(url(friday)))
    assert "Retirer" in article(page, mood.id) and "Retirer" not in article(page, topic.id)
    assert "Retirer" not in article(page_of(signed_in(app, theo).get(url(friday))), mood.id)
    mood_id = mood.id
    assert post_form(client, url(friday, f"entrees/{mood_id}/supprimer")).status_code == 302
    assert reload(Entry, mood_id) is None and SECRET not in all_stored_text()
    # A point of a closed Friday stays: it belongs to the meeting's record.
    with pytest.raises(Conflict):
        prep.delete_entry(ines, topic.id)


def test_an_event_proposal_is_withdrawn_not_deleted(friday, people):
    proposal = proposals.propose_event(
        people[0], friday.id, "Atelier", "Maraîchage", wished(), "90", "garden"
    )
    with pytest.raises(Conflict) as refused:
        prep.delete_entry(people[0], proposal.entry_id)
    assert refused.value.message == fr(
        "Une proposition d’événement se retire depuis sa page « Mes propositions »."
    )
    assert count(EventProposal) == 1


# -- event proposals -------------------------------------------------------------------------


def test_the_proposal_form_records_a_submitted_proposal(app, friday, people):
    ines = people[0]
    client = signed_in(app, ines)
    form_page = page_of(client.get(url(friday, "proposer")))
    assert "Proposer un événement" in form_page and 'name="date_3"' in form_page
    assert f'href="{url(friday, "proposer")}"' in page_of(client.get(url(friday)))
    data = proposal_form(time_2="", date_2=(coming_friday() + timedelta(days=22)).isoformat())
    response = post_form(client, url(friday, "proposer"), data)
    assert response.status_code == 302
    proposal = db.session.scalar(select(EventProposal))
    assert response.headers["Location"] == url(friday) + f"#entree-{proposal.entry_id}"
    assert (proposal.title, proposal.description, proposal.status) == (
        "Apéro politique",
        "On parle des **municipales**.",
        "submitted",
    )
    assert proposal.wished_dates == [
        {"date": data["date_1"], "time": "18:30"},
        {"date": data["date_2"], "time": None},
    ]
    assert (
        proposal.duration_minutes,
        proposal.place,
        proposal.place_detail,
        proposal.expected_attendance,
        proposal.material_needs,
    ) == (120, "garden", None, 30, "Deux tables, des verres")
    assert (proposal.proposer_id, proposal.meeting_id) == (ines.id, friday.id)
    (change,) = db.session.scalars(select(ProposalStatusChange)).all()
    assert (change.proposal_id, change.from_status, change.to_status, change.actor_id) == (
        proposal.id,
        None,
        "submitted",
        ines.id,
    )
    entry = db.session.get(Entry, proposal.entry_id)
    assert (entry.kind, entry.meeting_id, entry.author_id) == ("proposal", friday.id, ines.id)
    # In the document's section…
    shown = section(page_of(client.get(url(friday))), "proposal")
    assert "Apéro politique" in shown and "proposée" in shown
    assert "<dd>Le Jardin du Ravelin</dd>" in shown and "<dt>Durée</dt><dd>2" in shown
    assert "à 18\u00a0h\u00a030</li>" in shown and "<dd>30</dd>" in shown
    # …and on "Mes propositions", with its status.
    mine = page_of(client.get("/propositions/"))
    assert "Mes propositions" in mine
    assert f'<a href="/propositions/{proposal.id}">Apéro politique</a>' in mine
    assert 'class="status status-submitted">proposée<' in mine
    show = page_of(client.get(f"/propositions/{proposal.id}"))
    assert "proposée" in show and "Retirer ma proposition" in show
    # Another member's "Mes propositions" does not list it.
    other = page_of(signed_in(app, people[1]).get("/propositions/"))
    assert "Apéro politique" not in other and "Vous n’avez encore rien proposé" in other
    assert sentence(db.session.scalar(select(Trace).where(Trace.verb == "entry_added"))) == fr(
        "Inès a proposé un événement : « Apéro politique »."
    )


def test_a_proposal_elsewhere_keeps_its_place_detail(friday, people):
    proposal = proposals.propose_event(
        people[0],
        friday.id,
        "Balade",
        "À vélo",
        wished(),
        "180",
        "elsewhere",
        place_detail="  Parc   de la Gare d’eau ",
    )
    assert (proposal.place, proposal.place_detail) == ("elsewhere", "Parc de la Gare d’eau")


PAST = (coming_friday() - timedelta(days=10)).isoformat()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"date_1": "", "time_1": ""}, "Indiquez au moins une date souhaitée."),
        ({"date_1": PAST}, "La date souhaitée doit être à venir."),
        ({"date_1": "31/12/2030"}, "« 31/12/2030 » n’est pas une date valide."),
        ({"time_1": "18h"}, "« 18h » n’est pas une heure valide (HH:MM)."),
        ({"place": "elsewhere", "place_detail": "  "}, "Précisez où aura lieu l’événement."),
        ({"place": "lune"}, "Choisissez un lieu : la maison, le Jardin du Ravelin ou ailleurs."),
        ({"duration_minutes": "deux heures"}, "La durée (en minutes) doit être un nombre entier."),
        ({"duration_minutes": ""}, "Indiquez la durée (en minutes)."),
        ({"duration_minutes": "5"}, "La durée (en minutes) doit être entre 15 et 1440."),
        (
            {"expected_attendance": "beaucoup"},
            "Le nombre de personnes attendues doit être un nombre entier.",
        ),
        ({"title": "  "}, "Donnez un titre à l’événement."),
        ({"description": ""}, "Le texte est vide : écrivez quelque chose avant d’envoyer."),
    ],
    ids=[
        "no-date",
        "past-date",
        "bad-date",
        "bad-time",
        "elsewhere-without-detail",
        "unknown-place",
        "duration-not-a-number",
        "no-duration",
        "duration-too-short",
        "attendance-not-a-number",
        "no-title",
        "no-description",
    ],
)
def test_bad_proposals_are_refused_in_french_and_nothing_is_stored(
    app, friday, people, changes, message
):
    client = signed_in(app, people[0])
    before = snapshot()
    response = post_form(client, url(friday, "proposer"), proposal_form(**changes))
    page = page_of(response)
    assert response.status_code == 400
    assert alerts(page) == [fr(message)]
    assert snapshot() == before
    assert 'value="Apéro politique"' in page or changes.get("title")  # what was typed stays


def test_four_wished_dates_are_refused(friday, people):
    four = [((coming_friday() + timedelta(days=d)).isoformat(), "18:00") for d in (3, 4, 5, 6)]
    with pytest.raises(ServiceError) as refused:
        proposals.propose_event(people[0], friday.id, "Fête", "Une fête", four, "60", "house")
    assert refused.value.message == "Trois dates souhaitées au plus."
    assert count(EventProposal) == 0 and count(Entry) == 0


def test_the_proposer_withdraws_a_proposal_and_its_history_says_so(app, friday, people):
    ines = people[0]
    proposal = proposals.propose_event(
        ines, friday.id, "Atelier maraîchage", "Au jardin", wished(), "90", "garden"
    )
    client = signed_in(app, ines)
    response = post_form(
        client, f"/propositions/{proposal.id}/retirer", {"reason": "Finalement en mars"}
    )
    assert response.status_code == 302
    proposal = reload(EventProposal, proposal.id)
    assert proposal.status == "withdrawn" and proposal.withdrawn_at is not None
    changes = db.session.scalars(select(ProposalStatusChange).order_by(ProposalStatusChange.id))
    assert [(c.from_status, c.to_status, c.actor_id, c.reason) for c in changes] == [
        (None, "submitted", ines.id, None),
        ("submitted", "withdrawn", ines.id, "Finalement en mars"),
    ]
    show = page_of(client.get(f"/propositions/{proposal.id}"))
    assert "retirée</strong>" in show and "par vous" in show and "Finalement en mars" in show
    assert "Retirer ma proposition" not in show
    assert 'status-withdrawn">retirée<' in page_of(client.get("/propositions/"))
    home = page_of(client.get("/"))
    assert (
        "Atelier maraîchage"
        not in home[home.index('id="proposals-title"') : home.index('id="recent-title"')]
    )
    with pytest.raises(Conflict) as refused:
        proposals.withdraw_proposal(ines, proposal.id)
    assert refused.value.message == fr(
        "Cette proposition est retirée : elle ne peut plus être retirée."
    )


def test_someone_else_cannot_withdraw_a_proposal(app, friday, people):
    proposal = proposals.propose_event(
        people[0], friday.id, "Atelier", "Au jardin", wished(), "90", "garden"
    )
    before = snapshot()
    for actor in (people[1], people[2]):  # a member, a facilitator
        client = signed_in(app, actor)
        assert "Retirer ma proposition" not in page_of(client.get(f"/propositions/{proposal.id}"))
        response = post_form(client, f"/propositions/{proposal.id}/retirer")
        assert response.status_code == 403
        assert alerts(page_of(response)) == [
            "Seule la personne qui a proposé l’événement peut le retirer."
        ]
    assert snapshot() == before and reload(EventProposal, proposal.id).status == "submitted"


# -- operation ids ---------------------------------------------------------------------------


def test_the_same_operation_id_twice_adds_one_entry(friday, people):
    first = prep.add_entry(
        people[0], friday.id, "topic", "Le four", "Réparer", op_id="op-four-0001"
    )
    again = prep.add_entry(
        people[0], friday.id, "topic", "Le four", "Réparer", op_id="op-four-0001"
    )
    assert again.id == first.id
    assert count(Entry) == 1 and count(Trace, Trace.verb == "entry_added") == 1
    # Operation ids belong to their sender: the same id from someone else is another operation.
    other = prep.add_entry(
        people[1], friday.id, "topic", "Le four", "Réparer", op_id="op-four-0001"
    )
    assert other.id != first.id and count(Entry) == 2


def test_a_form_sent_twice_adds_one_entry(app, friday, people):
    client = signed_in(app, people[0])
    data = {"kind": "need", "title": "Savon", "body": "Savon noir", "op_id": "op-savon-000001"}
    first = post_form(client, url(friday, "entrees"), data)
    second = post_form(client, url(friday, "entrees"), data)
    assert first.headers["Location"] == second.headers["Location"]
    assert count(Entry) == 1 and count(EntryRevision) == 1


def test_the_same_operation_id_twice_on_the_socket_adds_one_entry(app, friday, people, socket_for):
    client = signed_in(app, people[0])
    watcher_http = signed_in(app, people[1])
    watcher = socket_for(watcher_http)
    assert watcher.command("join_document", {"meeting_id": friday.id})["ok"]
    live = socket_for(client)
    payload = {
        "meeting_id": friday.id,
        "kind": "topic",
        "title": "Le four",
        "body": "Écrit hors ligne",
        "op_id": "op-offline-0001",
    }
    first, second = live.command("add_entry", payload), live.command("add_entry", payload)
    assert first["ok"] and second["ok"] and first["entry_id"] == second["entry_id"]
    assert count(Entry) == 1 and count(Trace, Trace.verb == "entry_added") == 1
    assert len(watcher.facts("entry_added")) == 1


def test_a_bad_operation_id_is_refused(friday, people):
    with pytest.raises(ServiceError) as refused:
        prep.add_entry(people[0], friday.id, "topic", None, "Texte", op_id="court")
    assert refused.value.message == "Identifiant d’opération invalide."
    assert count(Entry) == 0
