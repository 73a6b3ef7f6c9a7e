"""The Atom feeds of decisions and minutes, the place's publication setting and the members'
personal feed addresses: what each audience receives, parsed as a feed reader parses it."""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from meeting import place
from meeting.decisions import services as decisions
from meeting.extensions import db
from meeting.feeds import tokens
from meeting.live import services as agenda
from meeting.meetings import dates
from meeting.models import FeedToken, Meeting, PlaceSetting, Trace
from meeting.models.base import utcnow
from meeting.prep import services as prep
from tests.conftest import post_form, sign_in

NS = {"a": "http://www.w3.org/2005/Atom"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NBSP = "\u00a0"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
BILLET = "Billet secret : je suis fatiguée"
NAMES = ("Camille", "Inès", "Théo", "Marc")


def plain(text):
    return text.replace(NBSP, " ").replace("\u202f", " ")


@pytest.fixture
def archive(live_friday, make_member):
    """One closed Friday that decided « Jardin » (consent, an objection lifted, an action for
    Inès; a statement with Markdown and markup to escape) and « Budget » (vote), with a billet
    d'humeur in its document; a live Friday with a decision not yet closed."""
    camille = make_member(role="facilitator", name="Camille")
    ines = make_member(name="Inès")
    marc = make_member(name="Marc")
    day = dates.next_meeting_date()
    first = live_friday(camille, ["Jardin", "Budget"], day=day, author=ines)
    mid = first.meeting.id
    prep.add_entry(ines, mid, "mood", "", BILLET)
    db.session.refresh(first.meeting)
    agenda.advance(camille, mid, first.meeting.live_revision)
    garden = decisions.record_decision(
        camille,
        mid,
        "On sème **dimanche** & pas <script>alert(1)</script> samedi.",
        "consent",
        objections="Le gel de samedi",
        objections_lifted="On attend dimanche",
    )
    due = (dates.today_in_place() + timedelta(days=5)).isoformat()
    decisions.add_action(camille, mid, "Acheter des graines", ines.id, due, garden.id)
    db.session.refresh(first.meeting)
    agenda.advance(camille, mid, first.meeting.live_revision)
    budget = decisions.record_decision(camille, mid, "Budget de 300 € voté.", "vote")
    agenda.close_live(camille, mid)
    second = live_friday(camille, ["Toiture"], day=day + timedelta(days=7), author=ines)
    db.session.refresh(second.meeting)
    agenda.advance(camille, second.meeting.id, second.meeting.live_revision)
    live_one = decisions.record_decision(camille, second.meeting.id, "Pas encore clos.", "vote")
    return SimpleNamespace(
        camille=camille,
        ines=ines,
        marc=marc,
        day=day,
        meeting=first.meeting,
        live_meeting=second.meeting,
        garden=garden,
        budget=budget,
        live_one=live_one,
    )


@pytest.fixture
def admin(make_member):
    return make_member(role="admin", name="Aurélie")


def publish(admin, value="public"):
    place.set_publication(admin, value)


def parse(response):
    """The feed as a strict XML parser reads it (namespaces included)."""
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.get_data())


def entries(feed):
    return feed.findall("a:entry", NS)


def check_atom(feed):
    """RFC 4287's requirements on a feed and its entries, and this place's own rules."""
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    assert feed.get(XML_LANG) == "fr"
    for name in ("id", "title", "updated"):
        assert feed.find(f"a:{name}", NS).text
    assert RFC3339.match(feed.find("a:updated", NS).text)
    assert feed.find("a:author/a:name", NS).text == "Le 97"
    rels = {link.get("rel"): link.get("href") for link in feed.findall("a:link", NS)}
    assert set(rels) == {"self", "alternate"}
    assert all(href.startswith(("http://", "https://")) for href in rels.values())
    ids = [feed.find("a:id", NS).text]
    for entry in entries(feed):
        ids.append(entry.find("a:id", NS).text)
        assert entry.find("a:title", NS).text
        assert RFC3339.match(entry.find("a:updated", NS).text)
        assert RFC3339.match(entry.find("a:published", NS).text)
        link = entry.find("a:link[@rel='alternate']", NS)
        assert link.get("href").startswith(("http://", "https://"))
        assert entry.find("a:content", NS).get("type") == "html"
    assert len(ids) == len(set(ids)), "ids are unique"
    assert all(i.startswith("tag:") for i in ids)


def test_member_session_reads_the_decisions_of_closed_fridays(app, archive):
    client = app.test_client()
    sign_in(client, archive.marc)
    feed = parse(client.get("/decisions.atom"))
    check_atom(feed)
    assert feed.find("a:title", NS).text == "Décisions du 97"
    assert feed.find("a:id", NS).text == "tag:localhost,2026:decisions"
    # Newest first, only the closed Friday's decisions (the live one may still change).
    numbers = [int(e.find("a:id", NS).text.rsplit("-", 1)[1]) for e in entries(feed)]
    assert numbers == [archive.budget.number, archive.garden.number]
    garden = entries(feed)[1]
    assert garden.find("a:id", NS).text == f"tag:localhost,2026:decision-{archive.garden.number}"
    assert garden.find("a:title", NS).text == f"Décision n° {archive.garden.number}{NBSP}: Jardin"
    link = garden.find("a:link", NS).get("href")
    assert link == f"http://localhost/decisions/{archive.garden.number}"
    assert client.get(link.removeprefix("http://localhost")).status_code == 200
    content = garden.find("a:content", NS).text
    assert "<strong>dimanche</strong>" in content  # Markdown rendered, then escaped in XML
    assert "&amp;" in content and "<script" not in content and "&lt;script&gt;" in content
    assert "Le gel de samedi" in content and "On attend dimanche" in content
    assert "par consentement" in content
    raw = client.get("/decisions.atom").get_data(as_text=True)
    assert "<script" not in raw and "Pas encore clos" not in raw


def test_ids_are_stable_across_requests_and_closing_a_friday_only_adds(app, archive):
    client = app.test_client()
    sign_in(client, archive.marc)
    before = {e.find("a:id", NS).text for e in entries(parse(client.get("/decisions.atom")))}
    again = {e.find("a:id", NS).text for e in entries(parse(client.get("/decisions.atom")))}
    assert before == again
    agenda.close_live(archive.camille, archive.live_meeting.id)
    after = [e.find("a:id", NS).text for e in entries(parse(client.get("/decisions.atom")))]
    assert after[0] == f"tag:localhost,2026:decision-{archive.live_one.number}"
    assert set(after[1:]) == before


def test_a_superseded_decision_says_so_and_is_updated(app, archive):
    newer = decisions.record_decision(
        archive.camille,
        archive.live_meeting.id,
        "On sème lundi.",
        "consent",
        supersedes_number=archive.garden.number,
    )
    client = app.test_client()
    sign_in(client, archive.marc)
    by_id = {e.find("a:id", NS).text: e for e in entries(parse(client.get("/decisions.atom")))}
    garden = by_id[f"tag:localhost,2026:decision-{archive.garden.number}"]
    assert "Remplacée" not in garden.find("a:content", NS).text  # not until its Friday closes
    agenda.close_live(archive.camille, archive.live_meeting.id)
    by_id = {e.find("a:id", NS).text: e for e in entries(parse(client.get("/decisions.atom")))}
    garden = by_id[f"tag:localhost,2026:decision-{archive.garden.number}"]
    content = plain(garden.find("a:content", NS).text)
    assert f"Remplacée par la décision n° {newer.number}." in content
    assert f'href="http://localhost/decisions/{newer.number}"' in content
    assert garden.find("a:updated", NS).text >= garden.find("a:published", NS).text
    replacing = by_id[f"tag:localhost,2026:decision-{newer.number}"]
    assert f"Remplace la décision n° {archive.garden.number}." in plain(
        replacing.find("a:content", NS).text
    )


def test_no_billet_and_no_person_name_ever_in_a_feed(app, archive, admin):
    publish(admin)
    anonymous = app.test_client()
    for url in ("/decisions.atom", "/comptes-rendus.atom"):
        text = anonymous.get(url).get_data(as_text=True)
        assert BILLET not in text and "fatiguée" not in text
        for name in NAMES + ("Aurélie",):
            assert name not in text, (url, name)
        assert "Acheter des graines" not in text  # an action names its owner: not here


def test_anonymous_is_refused_in_french_while_members_only(app, archive):
    response = app.test_client().get("/decisions.atom")
    assert response.status_code == 403
    assert response.mimetype == "text/plain"
    body = plain(response.get_data(as_text=True))
    assert "réservés aux membres" in body and "Mon profil" in body
    assert "/connexion" in body
    assert "dimanche" not in body and "<feed" not in body
    assert app.test_client().get("/comptes-rendus.atom").status_code == 403


def test_a_guest_of_the_live_friday_is_refused(app, archive):
    guest = app.test_client()
    db.session.refresh(archive.live_meeting)
    code = archive.live_meeting.join_code
    assert post_form(guest, "/rejoindre", {"code": code, "first_name": "Ana"}).status_code == 302
    response = guest.get("/decisions.atom")
    assert response.status_code == 403 and "dimanche" not in response.get_data(as_text=True)


def test_anyone_reads_it_when_the_place_publishes(app, archive, admin):
    publish(admin)
    feed = parse(app.test_client().get("/decisions.atom"))
    check_atom(feed)
    assert len(entries(feed)) == 2
    publish(admin, "members")
    assert app.test_client().get("/decisions.atom").status_code == 403


def test_links_and_ids_follow_the_public_address_and_its_sub_path(app, archive, admin):
    publish(admin)
    app.config["PUBLIC_URL"] = "https://le97.example/vendredi"
    feed = parse(app.test_client().get("/decisions.atom"))
    check_atom(feed)
    assert feed.find("a:id", NS).text == "tag:le97.example,2026:vendredi/decisions"
    links = {link.get("rel"): link.get("href") for link in feed.findall("a:link", NS)}
    assert links == {
        "self": "https://le97.example/vendredi/decisions.atom",
        "alternate": "https://le97.example/vendredi/decisions/",
    }
    first = entries(feed)[0]
    assert first.find("a:id", NS).text == (
        f"tag:le97.example,2026:vendredi/decision-{archive.budget.number}"
    )
    assert first.find("a:link", NS).get("href") == (
        f"https://le97.example/vendredi/decisions/{archive.budget.number}"
    )
    app.config["PUBLIC_URL"] = ""
    # Without PUBLIC_URL: the host the reader reached (its port is no part of a tag).
    feed = parse(app.test_client().get("/decisions.atom", base_url="https://autre.example:8443"))
    assert feed.find("a:id", NS).text == "tag:autre.example,2026:decisions"
    assert (
        entries(feed)[0]
        .find("a:link", NS)
        .get("href")
        .startswith("https://autre.example:8443/decisions/")
    )


def test_a_reader_polling_gets_304_when_nothing_changed(app, archive, admin):
    publish(admin)
    client = app.test_client()
    first = client.get("/decisions.atom")
    etag = first.headers["ETag"]
    assert client.get("/decisions.atom", headers={"If-None-Match": etag}).status_code == 304


# -- the minutes feed ----------------------------------------------------------------------


def validate_minutes(meeting, summary):
    # The minutes feature validates them; here the columns it sets are enough.
    row = db.session.get(Meeting, meeting.id)
    row.summary = summary
    row.minutes_validated_at = utcnow()
    db.session.commit()


def test_the_minutes_feed_lists_validated_minutes_only(app, archive, admin):
    publish(admin)
    client = app.test_client()
    assert entries(parse(client.get("/comptes-rendus.atom"))) == []
    validate_minutes(archive.meeting, "On a parlé du **jardin**.")
    feed = parse(client.get("/comptes-rendus.atom"))
    check_atom(feed)
    assert feed.find("a:title", NS).text == "Comptes rendus du 97"
    (entry,) = entries(feed)
    day = archive.day.isoformat()
    assert entry.find("a:id", NS).text == f"tag:localhost,2026:minutes-{day}"
    assert entry.find("a:title", NS).text.startswith("Compte rendu du vendredi")
    assert entry.find("a:link", NS).get("href") == f"http://localhost/vendredi/{day}/compte-rendu"
    content = entry.find("a:content", NS).text
    assert "<strong>jardin</strong>" in content
    assert f"/decisions/{archive.garden.number}" in content and "Jardin" in content
    assert BILLET not in content


# -- personal feed tokens ------------------------------------------------------------------


def test_a_personal_address_opens_the_feed_to_a_feed_reader(app, archive):
    token = tokens.create_token(archive.marc)
    reader = app.test_client()
    feed = parse(reader.get(f"/decisions.atom?jeton={token}"))
    check_atom(feed)
    assert len(entries(feed)) == 2
    self_link = feed.find("a:link[@rel='self']", NS).get("href")
    assert self_link == f"http://localhost/decisions.atom?jeton={token}"
    assert reader.get(f"/comptes-rendus.atom?jeton={token}").status_code == 200
    row = db.session.scalar(select(FeedToken).where(FeedToken.member_id == archive.marc.id))
    assert row.token_hash == tokens.hash_token(token) and token not in row.token_hash
    assert row.last_used_at is not None


def test_last_use_is_written_at_most_once_an_hour(app, archive):
    token = tokens.create_token(archive.marc)
    row = db.session.scalar(select(FeedToken).where(FeedToken.member_id == archive.marc.id))
    recent = utcnow() - timedelta(minutes=10)
    row.last_used_at = recent
    db.session.commit()
    app.test_client().get(f"/decisions.atom?jeton={token}")
    db.session.refresh(row)
    assert row.last_used_at == recent
    old = utcnow() - timedelta(hours=2)
    row.last_used_at = old
    db.session.commit()
    app.test_client().get(f"/decisions.atom?jeton={token}")
    db.session.refresh(row)
    assert row.last_used_at > old + timedelta(hours=1)


def bad_tokens(token):
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    return [tampered, "inconnu", "", " ", "x" * 5000, token + "'; DROP TABLE feed_token; --"]


@pytest.mark.parametrize("public", [False, True])
def test_a_tampered_or_unknown_token_is_refused_whatever_the_setting(app, archive, admin, public):
    if public:
        publish(admin)
    token = tokens.create_token(archive.marc)
    for bad in bad_tokens(token):
        response = app.test_client().get("/decisions.atom", query_string={"jeton": bad})
        assert response.status_code == 403, bad
        body = plain(response.get_data(as_text=True))
        assert "n’est pas (ou plus) valable" in body
        assert "dimanche" not in body and "<feed" not in body


def test_a_revoked_or_replaced_token_is_refused(app, archive):
    first = tokens.create_token(archive.marc)
    second = tokens.create_token(archive.marc)  # re-creating revokes the first
    reader = app.test_client()
    assert reader.get(f"/decisions.atom?jeton={first}").status_code == 403
    assert reader.get(f"/decisions.atom?jeton={second}").status_code == 200
    assert tokens.revoke_token(archive.marc) is True
    response = reader.get(f"/decisions.atom?jeton={second}")
    assert response.status_code == 403 and "dimanche" not in response.get_data(as_text=True)
    assert tokens.revoke_token(archive.marc) is False  # nothing left to revoke


def test_the_token_of_a_deactivated_member_is_refused(app, archive, admin):
    from meeting.members import services as members

    token = tokens.create_token(archive.ines)
    members.deactivate(admin, archive.ines.id)
    response = app.test_client().get(f"/decisions.atom?jeton={token}")
    assert response.status_code == 403
    assert "dimanche" not in response.get_data(as_text=True)


def test_making_and_revoking_a_token_is_traced_without_the_token(app, archive):
    token = tokens.create_token(archive.marc)
    tokens.revoke_token(archive.marc)
    traces = db.session.scalars(
        select(Trace).where(Trace.verb.in_(("feed_token_created", "feed_token_revoked")))
    ).all()
    assert [t.verb for t in traces] == ["feed_token_created", "feed_token_revoked"]
    assert all(t.actor_id == archive.marc.id for t in traces)
    hashed = tokens.hash_token(token)
    assert all(token not in str(t.data) and hashed not in str(t.data) for t in traces)


def test_the_profile_makes_shows_once_and_revokes_the_address(app, archive):
    client = app.test_client()
    sign_in(client, archive.marc)
    page = client.get("/profil").get_data(as_text=True)
    assert "Mon flux personnel" in page and "Créer mon flux personnel" in page
    response = post_form(client, "/profil/flux")
    assert response.status_code == 302 and response.headers["Location"].endswith("/profil#flux")
    page = client.get("/profil").get_data(as_text=True)
    match = re.search(r'value="(http://localhost/decisions\.atom\?jeton=([^"]+))"', page)
    assert match, page[page.find("flux") :][:800]
    assert 'id="feed-minutes"' in page and "Révoquer" in page
    url, token = match.groups()
    assert token not in client.get("/profil").get_data(as_text=True)  # shown once
    reader = app.test_client()
    assert reader.get(url.removeprefix("http://localhost")).status_code == 200
    response = post_form(client, "/profil/flux/revoquer")
    assert response.status_code == 302
    page = plain(client.get("/profil").get_data(as_text=True))
    assert "flux personnel est révoqué" in page and "Créer mon flux personnel" in page
    assert reader.get(url.removeprefix("http://localhost")).status_code == 403
    verbs = db.session.scalars(select(Trace.verb).where(Trace.actor_id == archive.marc.id)).all()
    assert verbs == ["feed_token_created", "feed_token_revoked"]


def test_the_profile_forms_need_a_signed_in_member(app, archive):
    response = post_form(app.test_client(), "/profil/flux")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    assert db.session.scalar(select(FeedToken.id)) is None


# -- the publication setting ---------------------------------------------------------------


def publication_traces():
    return db.session.scalars(select(Trace).where(Trace.verb == "publication_changed")).all()


def test_the_admin_page_shows_the_setting_and_publishes(app, admin):
    client = app.test_client()
    sign_in(client, admin)
    page = client.get("/admin/membres").get_data(as_text=True)
    assert "Publication des décisions et comptes rendus" in page
    assert re.search(r'id="publication-members"[^>]*checked', page)
    response = post_form(client, "/admin/publication", {"publication": "public"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#publication")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "sont maintenant publics" in page
    assert re.search(r'id="publication-public"[^>]*checked', page)
    db.session.rollback()
    assert place.publication() == "public"
    (trace,) = publication_traces()
    assert trace.actor_id == admin.id and trace.data["publication"] == "public"


def test_a_member_cannot_change_the_setting(app, archive, admin):
    client = app.test_client()
    sign_in(client, archive.marc)
    response = post_form(client, "/admin/publication", {"publication": "public"})
    assert response.status_code == 403
    assert "Vous n’avez pas le droit" in response.get_data(as_text=True)
    db.session.rollback()
    assert place.publication() == "members" and publication_traces() == []
    assert db.session.get(PlaceSetting, "publication") is None


@pytest.mark.parametrize("data", [{"publication": "tout-le-monde"}, {}])
def test_a_bad_value_is_refused_in_french_beside_the_field(app, admin, data):
    client = app.test_client()
    sign_in(client, admin)
    response = post_form(client, "/admin/publication", data)
    assert response.status_code == 400
    page = plain(response.get_data(as_text=True))
    assert re.search(
        r'<span class="field-error" id="error-publication">Choisissez « membres » ou « public »',
        page,
    )
    assert 'aria-invalid="true" aria-describedby="error-publication"' in page
    db.session.rollback()
    assert place.publication() == "members" and publication_traces() == []
