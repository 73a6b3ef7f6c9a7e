"""French full-text search `/recherche?q=`: the same cases on SQLite FTS5 and on PostgreSQL
(run this file plainly, then with TEST_DATABASE_URL): stemming and accents, the index kept
true by triggers whatever path changes a row, bad input, who finds what, the page."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text, update

from meeting import place
from meeting.decisions import services as decisions
from meeting.extensions import db
from meeting.live import services as agenda
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.models import Decision, Entry, Meeting, Member
from meeting.prep import services as prep
from meeting.proposals import services as proposals
from meeting.search import text as search_text
from meeting.search.models import SearchDocument
from meeting.search.service import search
from tests.conftest import rewrite_archive


def found(query, viewer, **kw):
    """(kind, title) of what `viewer` finds, best first."""
    return [(d.kind, d.title) for d in search(query, viewer=viewer, **kw).documents]


def kinds_found(query, viewer, **kw):
    return {kind for kind, _title in found(query, viewer, **kw)}


def page_of(response):
    assert response.status_code == 200, response.status_code
    # French spacing puts no-break spaces inside « » and before : ; the tests read plain ones.
    return response.get_data(as_text=True).replace("\u00a0", " ").replace("\u202f", " ")


@pytest.fixture
def archive(live_friday, make_member):
    """A closed Friday: points « Réunion de rentrée » and « Chauffage » (decided on, with an
    objection lifted), a need « Du savon », a billet d'humeur about a unicorn, an event
    proposal « Fête des événements », and the scribe's summary."""
    camille = make_member(role="facilitator", name="Camille")
    ines = make_member(name="Inès")
    marc = make_member(name="Marc")
    day = dates.next_meeting_date()
    friday = live_friday(
        camille,
        [
            ("Réunion de rentrée", "Préparer les réunions de septembre."),
            ("Chauffage", "La chaudière de l’atelier est en panne."),
        ],
        day=day,
        author=ines,
    )
    mid = friday.meeting.id
    need = prep.add_entry(ines, mid, "need", "Du savon", "Pour la cuisine, du savon noir.")
    mood = prep.add_entry(ines, mid, "mood", "Licorne", "Je me sens licorne, en secret.")
    proposal = proposals.propose_event(
        ines, mid, "Fête des événements", "Un grand événement au jardin.", [((day + timedelta(days=15)).isoformat(), "18:00")],
        "90", "garden",
    )  # fmt: skip
    for _step in range(2):  # check-in → « Réunion de rentrée » → « Chauffage »
        db.session.refresh(friday.meeting)
        agenda.advance(camille, mid, friday.meeting.live_revision)
    heating = decisions.record_decision(
        camille,
        mid,
        "On répare la **chaudière** avant l’hiver.",
        "consent",
        objections="Inès : le coût des réparations",
        objections_lifted="Le budget des événements le couvre",
    )
    # The scribe's summary, written as the minutes' compare-and-set does (Core UPDATE).
    db.session.execute(
        update(Meeting)
        .where(Meeting.id == mid, Meeting.summary_revision == 0)
        .values(summary="Nous avons décidé de réparer la chaudière.", summary_revision=1)
    )
    db.session.commit()
    agenda.close_live(camille, mid)
    return SimpleNamespace(
        camille=camille, ines=ines, marc=marc, day=day, meeting_id=mid, need=need, mood=mood,
        proposal=proposal, heating=heating,
    )  # fmt: skip


@pytest.fixture
def open_friday(live_friday, make_member):
    """A Friday still being prepared (its entries can be edited), with one point à discuter."""
    ines = make_member(name="Inès")
    day = dates.next_meeting_date() + timedelta(days=7)
    friday = live_friday(
        topics=[("Jardin", "Tailler la haie.")], started=False, day=day, author=ines
    )
    return SimpleNamespace(ines=ines, meeting_id=friday.meeting.id, topic=friday.entries[0])


# -- the words -------------------------------------------------------------------------------


def test_french_stems_fold_accents_and_drop_stopwords():
    stem = search_text.stem
    assert stem("réunions") == stem("Reunion") == "reunion"
    assert stem("événement") == stem("evenements") == stem("ÉVÉNEMENT") == "even"
    assert stem("décidé") == "decid" and stem("décision") == stem("décisions") == "decis"
    assert stem("le") == stem("du") == "" and stem("été") == "ete"  # as PostgreSQL's list
    assert search_text.index_terms("L’œuvre des réunions") == "oeuvr reunion"


def test_a_query_keeps_words_only_and_quotes_each_stem():
    q = search_text.Query('NEAR(chauffage "atelier") OR or title:* -- ; DROP TABLE entry')
    # Operators typed in capitals are dropped (every word is required anyway); "or" is French.
    assert q.words == ["chauffage", "atelier", "or", "title", "drop", "table", "entry"]
    assert q.fts5_match() == (
        '"chauffag" AND "ateli" AND "or" AND "titl" AND "drop" AND "tabl" AND "entry"'
    )
    assert "(" not in q.plain() and '"' not in q.plain() and "*" not in q.plain()
    assert not search_text.Query("le la du") and search_text.Query("le la du").dropped


# -- stemming and accents, on either engine -----------------------------------------------------


WORD_FORMS = [
    ("réunions", {("topic", "Réunion de rentrée"), ("point", "Réunion de rentrée")}),
    ("reunion", {("topic", "Réunion de rentrée"), ("point", "Réunion de rentrée")}),
    ("evenement", {("proposal", "Fête des événements"), ("decision", "Chauffage")}),
    ("CHAUDIÈRE", {("decision", "Chauffage"), ("minutes", None), ("topic", "Chauffage")}),
    ("savons noirs", {("need", "Du savon")}),
    ("chaudière atelier", {("topic", "Chauffage")}),  # every word required (AND)
    ("décidé", {("minutes", None)}),  # the summary's "décidé"; "décision" is another stem
]


def test_a_word_in_another_form_or_without_accents_is_found(archive):
    for query, expected in WORD_FORMS:  # one archive for all the cases
        got = {
            (kind, None if kind == "minutes" else title)
            for kind, title in found(query, archive.marc)
        }
        assert got == expected, query


def test_a_billet_d_humeur_is_never_found(archive):
    assert found("licorne", archive.marc) == []
    assert found("secret", archive.ines) == []  # not even by its author
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(SearchDocument)
            .where(
                SearchDocument.ref_id == archive.mood.id,
                SearchDocument.kind.in_(("need", "topic", "proposal")),
            )
        )
        == 0
    )


def test_a_superseded_decision_is_still_found(archive, client_as):
    newer = Decision(
        number=archive.heating.number + 1,
        meeting_id=archive.meeting_id,
        item_id=archive.heating.item_id,
        statement="On remplace la chaudière par une pompe à chaleur.",
        mode="consent",
        supersedes_id=archive.heating.id,
    )
    db.session.add(newer)
    db.session.commit()
    assert [t for k, t in found("chaudière", archive.marc) if k == "decision"] == ["Chauffage"] * 2
    http, _member = client_as()
    page = page_of(http.get("/recherche?q=chaudiere&type=decisions"))
    assert f'href="/decisions/{archive.heating.number}"' in page
    assert f'href="/decisions/{newer.number}"' in page
    assert "remplacée" in page


# -- the index follows every path that changes a row -----------------------------------------


def test_an_entry_edited_through_the_service_is_found_by_its_new_words(open_friday):
    ines, topic = open_friday.ines, open_friday.topic
    assert kinds_found("haie", ines) == {"topic"}
    prep.edit_entry(ines, topic.id, topic.revision, "Potager", "Semer les radis.")
    assert found("haie", ines) == [] and found("jardin", ines) == [("point", "Jardin")]
    assert found("radis", ines) == [("topic", "Potager")]


def test_a_raw_compare_and_set_update_is_indexed_too(open_friday, archive):
    topic = open_friday.topic
    changed = db.session.execute(
        update(Entry)
        .where(Entry.id == topic.id, Entry.revision == topic.revision)
        .values(revision=topic.revision + 1, body="Réparer la clôture.")
    ).rowcount
    db.session.commit()
    assert changed == 1
    assert found("clôtures", open_friday.ines) == [("topic", "Jardin")]
    assert found("haie", open_friday.ines) == []
    # A decision and a Friday's summary changed by Core statements, bypassing the ORM.
    # (the decision's Friday is closed: past the append-only archive's triggers)
    rewrite_archive(
        "UPDATE decision SET statement = 'On isole le grenier.' WHERE id = :id",
        id=archive.heating.id,
    )
    db.session.execute(
        update(Meeting).where(Meeting.id == archive.meeting_id).values(summary="Grenier isolé.")
    )
    db.session.commit()
    assert kinds_found("grenier", archive.marc) == {"decision", "minutes"}
    assert kinds_found("chaudière", archive.marc) == {"topic"}


def test_deleted_entries_and_entries_turned_into_billets_leave_the_index(open_friday):
    ines = open_friday.ines
    need = prep.add_entry(ines, open_friday.meeting_id, "need", "Une échelle", "Pour la haie.")
    assert kinds_found("échelle", ines) == {"need"}
    prep.delete_entry(ines, need.id)
    assert found("échelle", ines) == []
    db.session.execute(update(Entry).where(Entry.id == open_friday.topic.id).values(kind="mood"))
    db.session.commit()
    assert found("haie", ines) == []
    db.session.execute(update(Entry).where(Entry.id == open_friday.topic.id).values(kind="topic"))
    db.session.commit()
    assert kinds_found("haie", ines) == {"topic"}


def test_a_proposal_shows_its_current_status(archive):
    db.session.execute(
        text("UPDATE event_proposal SET status = 'accepted' WHERE id = :id"),
        {"id": archive.proposal.id},
    )
    db.session.commit()
    (doc,) = search("fête", viewer=archive.marc, kinds=["proposal"]).documents
    assert doc.status == "accepted" and doc.ref_id == archive.proposal.entry_id


def test_a_connection_without_the_search_function_cannot_write_a_watched_table(
    app, database_template, open_friday
):
    """The documented limit: the sqlite3 shell reads, but writes go through the app."""
    if database_template["kind"] != "sqlite":
        pytest.skip("the SQLite function of the triggers")
    import sqlite3

    from sqlalchemy import make_url

    raw = sqlite3.connect(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)
    try:
        assert raw.execute("SELECT count(*) FROM entry").fetchone()[0] >= 1
        with pytest.raises(sqlite3.OperationalError, match="vendredi_search_terms"):
            raw.execute("UPDATE entry SET body = 'x' WHERE id = ?", (open_friday.topic.id,))
    finally:
        raw.close()


def test_the_migration_indexes_the_rows_that_existed_before_it(app, archive):
    from flask_migrate import downgrade, upgrade

    marc_id = archive.marc.id
    db.session.remove()
    downgrade(revision="8a1b2c3d4e5f")
    upgrade()
    marc = db.session.get(Member, marc_id)  # read again after the migrations
    assert kinds_found("chaudière", marc) == {"decision", "minutes", "topic"}
    assert found("licorne", marc) == []


# -- bad input -------------------------------------------------------------------------------


HOSTILE = [
    'chaudière NEAR("atelier" panne)',
    '"chaudière',
    "chaudière*",
    "(chaudière) OR",
    "chaudière AND NOT ^",
    "title:chaudière",
    "chaudière'; DROP TABLE entry; --",
    "chaudière & !panne | <-> :*",
    "{chaudière} + - \\ % _ \x00",
]


def test_operators_quotes_and_sql_are_plain_words(archive, client_as):
    http, _member = client_as()
    for query in HOSTILE:
        # "Chauffage": its point à discuter (every word) or its decision (some words)
        assert {"topic", "decision"} & kinds_found(query, archive.marc), query
        page = page_of(http.get("/recherche", query_string={"q": query}))
        assert re.search(r"\d+ résultats? pour", page), query
        assert "Traceback" not in page and "syntax" not in page.lower()


def test_when_no_row_has_every_word_those_with_some_are_shown(archive, client_as):
    results = search("chaudière licorne", viewer=archive.marc)
    assert results.any_word and {d.kind for d in results.documents} == {
        "decision",
        "minutes",
        "topic",
    }
    http, _member = client_as()
    page = page_of(http.get("/recherche?q=chaudière+licorne"))
    assert "au moins un" in page and "3 résultats pour" in page and "Licorne" not in page


def test_empty_stopword_only_and_huge_queries_answer_calmly(archive, client_as):
    http, _member = client_as()
    assert "Saisissez un ou plusieurs mots." in page_of(http.get("/recherche?q="))
    assert "Saisissez un ou plusieurs mots." in page_of(http.get("/recherche?q=+%20+"))
    page = page_of(http.get("/recherche", query_string={"q": "le la du"}))
    assert "trop courants" in page and "résultats pour" not in page and "Aucun résultat" not in page
    huge = "chaudière " + "x" * 10_000
    page = page_of(http.get("/recherche", query_string={"q": huge}))
    assert "trop longue" in page and "200 premiers caractères" in page
    assert re.search(r"\d+ résultats? pour", page)
    page = page_of(http.get("/recherche?q=savon&annee=deux-mille&page=x&type=inconnu"))
    assert "Année « deux-mille » ignorée" in page and "1 résultat pour" in page


# -- who finds what --------------------------------------------------------------------------


def test_members_find_every_kind_except_billets(archive):
    assert kinds_found("chaudière", archive.marc) == {"decision", "minutes", "topic"}
    assert kinds_found("réunion", archive.marc) == {"topic", "point"}
    assert kinds_found("savon", archive.marc) == {"need"}
    assert kinds_found("fête", archive.marc) == {"proposal"}


def test_anonymous_visitors_are_sent_to_sign_in_unless_the_place_publishes(archive, client):
    response = client.get("/recherche?q=chaudière")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    assert search("chaudière", viewer=None).total == 0


def test_published_archive_lets_anyone_search_decisions_and_minutes_only(
    archive, client, make_member
):
    place.set_publication(make_member(role="admin"), "public")
    assert kinds_found("chaudière", None) == {"decision", "minutes"}
    for private in ("savon", "réunion", "fête", "licorne"):
        assert found(private, None) == [], private
    page = page_of(client.get("/recherche?q=chaudière+savon+fête"))
    assert "Aucun résultat" in page
    page = page_of(client.get("/recherche?q=chaudière&type=besoins&type=points"))
    assert "2 résultats pour" in page  # kinds it may not search are ignored
    assert "Du savon" not in page and "Besoins" not in page and "atelier" not in page
    assert 'value="decisions"' in page and 'value="besoins"' not in page
    # Without people's names, as the published register: not shown, not searchable.
    assert "Inès" not in page and "une personne : le <mark>coût</mark>" in page_of(
        client.get("/recherche?q=coût")
    )
    assert found("Inès", None) == [] and found("ines coût", None) == found("coût", None) != []
    page = page_of(client.get("/recherche?q=Inès"))
    assert "Les noms de personnes ne sont pas cherchés" in page and "Chauffage" not in page
    assert kinds_found("ines", archive.marc) == {"decision"}  # members search names


def test_a_guest_of_the_live_friday_searches_like_an_anonymous_visitor(
    archive, live_friday, make_member
):
    friday = live_friday(
        topics=[("Cuisine", "Nettoyer la chaudière.")], day=archive.day + timedelta(days=7)
    )
    guest = friday.guest("Zoé")
    assert guest.get("/recherche?q=chaudière").status_code == 302
    place.set_publication(make_member(role="admin"), "public")
    page = page_of(guest.get("/recherche?q=chaudière"))
    assert "2 résultats pour" in page and "Nettoyer" not in page


# -- the page --------------------------------------------------------------------------------


def test_the_page_marks_the_words_escapes_the_content_and_links_each_result(archive, client_as):
    prep_day = archive.day + timedelta(days=7)
    meeting = meetings.ensure_meeting(prep_day)
    evil = prep.add_entry(
        archive.ines, meeting.id, "need", '<script>alert("savon")</script>', "<b>savon</b> & eau"
    )
    http, _member = client_as()
    page = page_of(http.get("/recherche?q=savons"))
    assert "2 résultats pour « savons »" in page
    assert "<script>alert" not in page and "<b>savon" not in page
    assert "&lt;script&gt;alert(&#34;<mark>savon</mark>&#34;)&lt;/script&gt;" in page
    assert f'href="/vendredi/{prep_day.isoformat()}/#entree-{evil.id}"' in page
    assert f'href="/vendredi/{archive.day.isoformat()}/#entree-{archive.need.id}"' in page
    page = page_of(http.get("/recherche?q=chaudiere"))
    assert "<mark>chaudière</mark>" in page
    assert f'href="/decisions/{archive.heating.number}"' in page
    assert f'href="/vendredi/{archive.day.isoformat()}/compte-rendu"' in page
    assert f"Décision n° {archive.heating.number}" in page
    page = page_of(http.get("/recherche?q=fete"))
    assert f'href="/propositions/{archive.proposal.id}"' in page and "1 résultat pour" in page


def test_filters_by_kind_and_year_and_pages_of_twenty(archive, client_as):
    http, member = client_as()
    page = page_of(http.get("/recherche?q=chaudière&type=decisions&type=comptes-rendus"))
    assert "2 résultats pour" in page and "Point à discuter" not in page
    page = page_of(http.get(f"/recherche?q=chaudière&annee={archive.day.year + 1}"))
    assert "Aucun résultat pour" in page
    assert search("chaudière", viewer=member, year=archive.day.year).total == 3
    later = meetings.ensure_meeting(archive.day + timedelta(days=7))
    for n in range(25):
        prep.add_entry(archive.ines, later.id, "need", f"Chaise {n}", "Une chaise.")
    first = search("chaises", viewer=member)
    assert first.total == 25 and len(first.documents) == 20 and first.pages == 2
    page = page_of(http.get("/recherche?q=chaises&page=2"))
    assert "25 résultats pour" in page and "Page 2 sur 2" in page
    assert page.count('class="search-result"') == 5 and 'rel="prev"' in page
    assert page_of(http.get("/recherche?q=chaises&page=99")).count('class="search-result"') == 5


def test_a_word_in_the_title_ranks_before_the_same_word_in_a_body(open_friday):
    ines, mid = open_friday.ines, open_friday.meeting_id
    prep.add_entry(ines, mid, "need", "Des pots", "Pour rempoter : du compost et du terreau.")
    prep.add_entry(ines, mid, "need", "Du compost", "Pour le potager.")
    assert [t for _k, t in found("compost", ines)] == ["Du compost", "Des pots"]


def test_the_same_words_are_indexed_on_both_engines(archive):
    doc = db.session.scalar(
        select(SearchDocument).where(
            SearchDocument.kind == "minutes", SearchDocument.ref_id == archive.meeting_id
        )
    )
    assert doc.day == archive.day and doc.year == archive.day.year
    assert doc.title.startswith("Compte rendu du vendredi ")
    assert kinds_found(str(archive.day.year), archive.marc) >= {"minutes"}
