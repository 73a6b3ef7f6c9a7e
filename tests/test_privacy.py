"""RGPD (issue 14, item 9): a member downloads what they wrote and what is kept about them, behind
a signed link that expires and is theirs alone; erasure deletes their billets and personal data
and leaves the archive whole, under a pseudonym; a plain-French privacy page says what is kept,
why, for how long and who sees it."""

import io
import json
import time
import zipfile
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from meeting import place
from meeting.decisions import services as decisions
from meeting.economy.gifts import receipts
from meeting.economy.gifts import services as gifts
from meeting.extensions import db
from meeting.feeds import tokens as feed_tokens
from meeting.i18n import NBSP, long_date
from meeting.live import services as agenda
from meeting.meetings import dates
from meeting.members import services as members
from meeting.minutes import summary as minutes
from meeting.models import (
    Decision,
    Entry,
    FeedToken,
    Gift,
    Member,
    MemberSession,
    Trace,
    WeatherGiven,
    WeatherTally,
)
from meeting.prep import services as prep
from meeting.privacy import erasure, export
from meeting.traces.sentences import sentences_for
from tests.conftest import TEST_PASSWORD, advance_to, post_form, sign_in

INES_BILLET = "Je suis fatiguée mais contente de venir vendredi."
THEO_BILLET = "Billet privé de Théo : mon genou me fait mal."


def plain(text):
    return text.replace(NBSP, " ").replace("\u202f", " ")


@pytest.fixture
def world(live_friday, make_member):
    """A closed Friday with validated minutes where Inès wrote a billet (with a weather), a
    point, objected in the round, was the scribe, recorded the decision, took an action and
    wrote the summary; Théo wrote a billet, brought what her need asked (valued 45 €) and pledged
    a gift; Inès pledged one too and was given a
    received gift with its tax receipt; Aurélie is the admin (and keeps the accounts)."""
    aurelie = make_member(role="admin", name="Aurélie")
    camille = make_member(role="facilitator", name="Camille")
    ines = make_member(name="Inès", email="ines@le97.example")
    theo = make_member(name="Théo", email="theo@le97.example")
    day = dates.next_meeting_date()
    friday = live_friday(camille, ["Jardin"], day=day, author=theo, started=False)
    meeting = friday.meeting
    prep.add_entry(ines, meeting.id, "mood", "", INES_BILLET, weather="sun")
    prep.add_entry(theo, meeting.id, "mood", "", THEO_BILLET)
    point = prep.add_entry(ines, meeting.id, "topic", "Vélos", "Réparer les vélos du lieu.")
    chairs = prep.add_entry(ines, meeting.id, "need", "Des chaises", "Il en manque six.")
    prep.claim_need(theo, chairs.id)
    prep.resolve_need(theo, chairs.id, "met", "45")  # Théo's value: his and the treasurer's
    agenda.start_live(camille, meeting.id)
    agenda.assign_role(camille, meeting.id, "scribe", ines.id)
    agenda.mark_present(camille, meeting.id, [ines.id, theo.id])
    advance_to(camille, meeting, "Jardin")
    consent = agenda.start_round(camille, meeting.id, "consent", "On sème dimanche ?")
    agenda.answer_round(theo, consent.id, "for")
    agenda.answer_round(ines, consent.id, "object", "Il gèlera.")
    agenda.close_round(camille, consent.id)
    decision = decisions.record_decision(
        ines,
        meeting.id,
        "On sème dimanche.",
        "consent",
        objections="Le gel.",
        objections_lifted="On couvrira les semis.",
        round_id=consent.id,
    )
    due = (dates.today_in_place() + timedelta(days=10)).isoformat()
    decisions.add_action(camille, meeting.id, "Acheter des graines", ines.id, due, decision.id)
    minutes.write_summary(ines, meeting.id, "Le jardin est semé dimanche.", 0)
    agenda.close_live(camille, meeting.id)
    minutes.validate_minutes(ines, meeting.id)
    gifts.pledge_gift(ines, "30", donor_address="3 rue Battant, Besançon")
    gifts.pledge_gift(theo, "77")
    place.set_setting(aurelie, "receipts", "on")
    received = gifts.record_gift(
        aurelie, "120", dates.today_in_place().isoformat(), donor_member_id=ines.id
    )
    receipts.issue_receipt(aurelie, received.id, donor_address="3 rue Battant, Besançon")
    feed_tokens.create_token(ines)
    db.session.commit()
    return SimpleNamespace(
        aurelie=aurelie,
        camille=camille,
        ines=ines,
        theo=theo,
        day=day,
        meeting_id=meeting.id,
        point_id=point.id,
        decision_number=decision.number,
        decision_id=decision.id,
        receipt_gift_id=received.id,
    )


def unzip(body):
    with zipfile.ZipFile(io.BytesIO(body)) as zipped:
        names = sorted(zipped.namelist())
        return names, json.loads(zipped.read("data.json")), zipped.read("archive.md").decode()


def session_key(client):
    with client.session_transaction() as sess:
        return sess["sid"]


# -- export: what is in it -----------------------------------------------------------------------


def test_the_export_holds_what_the_member_wrote_and_nothing_private_of_others(app, world):
    with app.test_request_context("/"):
        names, data, readable = unzip(export.archive(db.session.get(Member, world.ines.id)))
    assert names == ["archive.md", "data.json"]
    everything = json.dumps(data, ensure_ascii=False)
    assert data["profile"]["email"] == "ines@le97.example"
    assert data["profile"]["display_name"] == "Inès"
    kinds = {e["kind"]: e for e in data["entries"]}
    assert kinds["mood"]["body"] == INES_BILLET
    assert kinds["topic"]["title"] == "Vélos"
    assert kinds["need"]["need_status"] == "met" and "in_kind_cents" not in kinds["need"]
    assert data["contributions_in_kind"] == []
    assert [d["number"] for d in data["decisions"]] == [world.decision_number]
    assert data["decisions"][0]["recorded_by_you"] and data["decisions"][0]["present"]
    assert data["round_answers"][0]["answer"] == "object"
    assert data["round_answers"][0]["reason"] == "Il gèlera."
    assert data["roles_of_the_day"] == [{"friday": world.day.isoformat(), "role": "scribe"}]
    assert data["actions"][0]["label"] == "Acheter des graines" and data["actions"][0]["yours"]
    assert data["minutes"][0]["validated_by_you"] and data["minutes"][0]["summary_written_by_you"]
    assert sorted(g["amount_cents"] for g in data["gifts"]) == [3000, 12000]
    assert data["weather_given_on"] == [world.day.isoformat()]
    assert any(t["verb"] == "decision_recorded" for t in data["traces"])
    assert all(t["sentence"] for t in data["traces"])
    assert data["feed_tokens"][0]["scope"] == "archive"
    assert data["sessions"] == []  # signed in through services only
    # Never another member's billet, gift, e-mail; never a secret.
    assert THEO_BILLET not in everything and THEO_BILLET not in readable
    assert "7700" not in everything and "77,00" not in readable
    assert "4500" not in everything and "45,00" not in readable
    assert "theo@le97.example" not in everything
    assert "hash" not in everything and "pbkdf2" not in everything
    # The readable archive: French headings and dates.
    assert readable.startswith("# Mes données sur Vendredi")
    assert "## Décisions auxquelles vous avez pris part" in readable
    assert f"Décision n° {world.decision_number}" in readable
    with app.test_request_context("/"):
        assert long_date(world.day) in readable
    assert "> " + INES_BILLET in readable
    assert "120,00" in plain(readable) and "reçu fiscal n° " in readable


def test_what_a_member_brought_is_in_their_export_only(app, world):
    with app.test_request_context("/"):
        theo = export.collect(db.session.get(Member, world.theo.id))
    assert [(c["title"], c["value_cents"]) for c in theo["contributions_in_kind"]] == [
        ("Des chaises", 4500)
    ]
    assert [n["title"] for n in theo["needs_taken_on"]] == ["Des chaises"]
    assert [g["amount_cents"] for g in theo["gifts"]] == [7700]
    assert INES_BILLET not in json.dumps(theo, default=str, ensure_ascii=False)


def test_a_treasurers_export_holds_the_gifts_they_recorded_for_others_by_id_only(app, world):
    """Aurélie recorded Inès's gift: her export says she did (a trace, ids), never its amount."""
    with app.test_request_context("/"):
        data = export.collect(db.session.get(Member, world.aurelie.id))
    everything = json.dumps(data, default=str, ensure_ascii=False)
    assert data["gifts"] == []
    assert any(t["verb"] == "gift_recorded" for t in data["traces"])
    assert "12000" not in everything and "3 rue Battant" not in everything
    assert "ines@le97.example" not in everything


# -- export: the link --------------------------------------------------------------------------


def test_the_download_link_gives_the_zip_to_its_member_on_that_browser(app, world):
    client = app.test_client()
    sign_in(client, world.ines)
    asked = post_form(client, "/profil/donnees", {})
    assert asked.status_code == 303
    link = asked.headers["Location"]
    assert "/profil/donnees/" in link
    download = client.get(link)
    assert download.status_code == 200
    assert download.mimetype == "application/zip"
    assert download.headers["Cache-Control"] == "no-store"
    assert download.headers["Content-Disposition"].startswith("attachment; filename=")
    names, data, _readable = unzip(download.get_data())
    assert names == ["archive.md", "data.json"]
    assert [s["device"] for s in data["sessions"]] == [""]  # this browser, named by nothing


def test_an_expired_link_is_refused_in_french(app, world):
    client = app.test_client()
    sign_in(client, world.ines)
    with app.test_request_context("/"):
        sixteen_minutes_ago = time.time() - 16 * 60
        token = export.make_token(world.ines.id, session_key(client), sixteen_minutes_ago)
        fresh = export.make_token(world.ines.id, session_key(client), time.time() - 14 * 60)
    refused = client.get(f"/profil/donnees/{token}")
    assert refused.status_code == 410
    assert refused.mimetype == "text/html"
    assert "Ce lien de téléchargement a expiré" in plain(refused.get_data(as_text=True))
    assert client.get(f"/profil/donnees/{fresh}").status_code == 200


def test_someone_elses_link_or_another_browser_opens_nothing(app, world):
    ines = app.test_client()
    sign_in(ines, world.ines)
    link = post_form(ines, "/profil/donnees", {}).headers["Location"]
    theo = app.test_client()
    sign_in(theo, world.theo)
    for other in (theo, sign_in_again(app, world.ines)):
        refused = other.get(link)
        assert refused.status_code == 403
        text = plain(refused.get_data(as_text=True))
        assert "demandé par quelqu’un d’autre ou depuis un autre appareil" in text
        assert INES_BILLET not in text
    assert ines.get(link).status_code == 200  # still hers, in her browser


def sign_in_again(app, member):
    client = app.test_client()
    sign_in(client, member)
    return client


def test_an_anonymous_visitor_or_a_forged_link_opens_nothing(app, world):
    ines = app.test_client()
    sign_in(ines, world.ines)
    link = post_form(ines, "/profil/donnees", {}).headers["Location"]
    anonymous = app.test_client().get(link)
    assert anonymous.status_code == 401
    assert "Connectez-vous, puis redemandez vos données" in plain(anonymous.get_data(as_text=True))
    forged = ines.get(link[:-3] + "abc")
    assert forged.status_code == 404
    assert "n’est pas valable" in forged.get_data(as_text=True)
    # asking for a link needs a signed-in member
    asked = post_form(app.test_client(), "/profil/donnees", {})
    assert asked.status_code == 302 and "/connexion" in asked.headers["Location"]


# -- erasure: the service ------------------------------------------------------------------------


def test_erasure_deletes_billets_and_personal_data_and_keeps_the_archive(app, world):
    traces_before = db.session.scalar(select(func.count(Trace.id)))
    decisions_before = db.session.scalar(select(func.count(Decision.id)))
    tally_before = db.session.scalar(select(func.sum(WeatherTally.count)))
    erasure.erase(world.ines, world.ines.id, " effacer ")
    db.session.rollback()
    ines = db.session.get(Member, world.ines.id)
    assert ines.display_name == f"Membre effacé·e n° {ines.id}"
    assert ines.email is None and ines.password_hash is None
    assert ines.erased_at is not None and not ines.is_active
    # her billet is gone, Théo's is not; her point stays, under the pseudonym
    moods = db.session.scalars(select(Entry.body).where(Entry.kind == "mood")).all()
    assert moods == [THEO_BILLET]
    point = db.session.get(Entry, world.point_id)
    assert point.author.display_name == ines.display_name
    # tokens, sessions, the mark of a weather given: gone; the anonymous counts stay
    for model in (FeedToken, MemberSession, WeatherGiven):
        assert db.session.scalar(select(func.count()).where(model.member_id == ines.id)) == 0
    assert db.session.scalar(select(func.sum(WeatherTally.count))) == tally_before
    # the archive is whole: the decision, its author, every trace, one more for the erasure
    assert db.session.scalar(select(func.count(Decision.id))) == decisions_before
    decision = db.session.get(Decision, world.decision_id)
    assert decision.decided_by_id == ines.id and decision.statement == "On sème dimanche."
    # the one name the archive wrote down (who objected in the round) is the pseudonym now
    assert decision.result["objections"] == [{"name": ines.display_name, "reason": "Il gèlera."}]
    assert decision.result["counts"]["object"] == {"members": 1, "guests": 0}
    assert db.session.scalar(select(func.count(Trace.id))) == traces_before + 1
    erased = db.session.scalars(select(Trace).where(Trace.verb == "member_erased")).one()
    assert erased.data == {"member_id": ines.id, "own": True}
    with app.test_request_context("/"):
        sentences = sentences_for(db.session.scalars(select(Trace)).all())
    assert sentences[erased.id] == f"{ines.display_name} a effacé son compte."
    assert not any("Inès" in s for s in sentences.values())
    assert any(ines.display_name in s for s in sentences.values() if "Vélos" in s)
    # gifts: the pledge keeps its amount, loses its address; the receipt keeps its donor's name
    pledge = db.session.scalars(
        select(Gift).where(Gift.donor_member_id == ines.id, Gift.status == "pledged")
    ).one()
    assert pledge.amount_cents == 3000 and pledge.donor_address is None
    receipt = db.session.get(Gift, world.receipt_gift_id)
    assert receipt.donor_member_id is None and receipt.donor_name == "Inès"
    assert receipt.donor_address == "3 rue Battant, Besançon" and receipt.receipt_number


def test_erasure_needs_the_word_the_member_or_an_admin_and_keeps_one_admin(app, world):
    with pytest.raises(erasure.ServiceError) as refused:
        erasure.erase(world.ines, world.ines.id, "oui")
    assert refused.value.code == "not_confirmed"
    with pytest.raises(erasure.ServiceError) as refused:
        erasure.erase(world.theo, world.ines.id, "EFFACER")
    assert refused.value.status == 403
    with pytest.raises(erasure.ServiceError) as refused:
        erasure.erase(world.aurelie, world.aurelie.id, "EFFACER")
    assert refused.value.code == "last_admin"
    db.session.rollback()
    assert db.session.get(Member, world.ines.id).display_name == "Inès"
    assert db.session.get(Member, world.aurelie.id).erased_at is None
    erasure.erase(world.aurelie, world.ines.id, "EFFACER")  # an admin may
    with pytest.raises(erasure.ServiceError) as again:
        erasure.erase(world.aurelie, world.ines.id, "EFFACER")
    assert again.value.code == "already_erased"
    with pytest.raises(erasure.ServiceError) as back:
        members.reactivate(world.aurelie, world.ines.id)
    assert back.value.code == "erased"


# -- erasure: what people see --------------------------------------------------------------------


def test_after_erasure_the_archive_pages_show_the_pseudonym(app, world, client_as):
    erasure.erase(world.aurelie, world.ines.id, "EFFACER")
    pseudonym = f"Membre effacé·e n° {world.ines.id}"
    reader, _member = client_as("member", name="Lucie")
    pages = {
        "register": f"/decisions/{world.decision_number}",
        "minutes": f"/vendredi/{world.day.isoformat()}/compte-rendu",
        "traces": "/traces/",
        "document": f"/vendredi/{world.day.isoformat()}/",
    }
    for name, url in pages.items():
        response = reader.get(url)
        assert response.status_code == 200, name
        text = plain(response.get_data(as_text=True))
        assert "Inès" not in text, name
        assert INES_BILLET not in text, name
        if name != "document":
            assert pseudonym in text, name
    register = plain(reader.get(pages["register"]).get_data(as_text=True))
    assert "On sème dimanche." in register
    document = plain(reader.get(pages["document"]).get_data(as_text=True))
    assert "Vélos" in document and THEO_BILLET in document


def replayed(app, cookie):
    """Another browser holding a copy of a saved session cookie."""
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    return client


def test_an_erased_member_cannot_sign_in_and_a_kept_cookie_is_refused(app, world, socket_for):
    client = app.test_client()
    sign_in(client, world.ines)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    live = socket_for(client)
    assert live.connected
    erasure.erase(world.aurelie, world.ines.id, "EFFACER")
    assert not live.connected  # her open page was told at once
    refused = replayed(app, cookie).get("/profil")
    assert refused.status_code == 302 and "/connexion" in refused.headers["Location"]
    assert not socket_for(replayed(app, cookie)).connected  # a socket named by it is refused
    attempt = post_form(
        app.test_client(), "/connexion", {"email": "ines@le97.example", "password": TEST_PASSWORD}
    )
    assert attempt.status_code == 400
    assert "Adresse e-mail ou mot de passe incorrect" in attempt.get_data(as_text=True)


def test_a_member_erases_their_own_account_from_the_profile(app, world):
    client = app.test_client()
    sign_in(client, world.ines)
    profile = plain(client.get("/profil").get_data(as_text=True))
    assert "Télécharger mes données" in profile and 'href="/profil/effacer"' in profile
    assert "Pour confirmer, écrivez EFFACER" in plain(client.get("/profil/effacer").get_data(True))
    wrong = post_form(client, "/profil/effacer", {"confirmation": "non"})
    assert wrong.status_code == 400
    assert "écrivez EFFACER dans le champ" in plain(wrong.get_data(as_text=True))
    db.session.rollback()
    assert db.session.get(Member, world.ines.id).erased_at is None
    done = post_form(client, "/profil/effacer", {"confirmation": "EFFACER"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/confidentialite")
    assert done.headers["Clear-Site-Data"] == '"cache", "storage"'
    landing = plain(client.get("/confidentialite").get_data(as_text=True))
    assert "Votre compte est effacé" in landing
    assert client.get("/profil").status_code == 302  # signed out
    db.session.rollback()
    assert db.session.get(Member, world.ines.id).erased_at is not None


def test_an_admin_erases_a_member_from_the_members_page(app, world):
    admin = app.test_client()
    sign_in(admin, world.aurelie)
    url = f"/admin/membres/{world.ines.id}/effacer"
    assert f'href="{url}"' in admin.get("/admin/membres").get_data(as_text=True)
    page = plain(admin.get(url).get_data(as_text=True))
    assert "Vous allez effacer le compte d’Inès" in page
    missing = post_form(admin, url, {})
    assert missing.status_code == 400
    done = post_form(admin, url, {"confirmation": "effacer"})
    assert done.status_code == 302
    listing = plain(admin.get(done.headers["Location"]).get_data(as_text=True))
    pseudonym = f"Membre effacé·e n° {world.ines.id}"
    assert f"il apparaît désormais sous le nom « {pseudonym} »" in listing
    assert "ines@le97.example" not in listing and "effacé le" in listing
    traces = plain(admin.get("/traces/").get_data(as_text=True))
    assert f"Aurélie a effacé le compte de {pseudonym}." in traces
    # a member who is not an admin cannot, even by typing the address
    theo = app.test_client()
    sign_in(theo, world.theo)
    assert theo.get(f"/admin/membres/{world.camille.id}/effacer").status_code == 403
    assert post_form(theo, f"/admin/membres/{world.camille.id}/effacer", {}).status_code == 403
    db.session.rollback()
    assert db.session.get(Member, world.camille.id).erased_at is None


# -- the privacy page ----------------------------------------------------------------------------


def test_the_privacy_page_says_in_french_what_is_kept_and_the_rights(app, world):
    visitor = app.test_client()
    page = visitor.get("/confidentialite")
    assert page.status_code == 200
    text = plain(page.get_data(as_text=True))
    for words in (
        "Vos données et vos droits",
        "un nom affiché (un prénom suffit), une adresse e-mail et un mot de passe",
        "Vos billets d’humeur",
        "Combien de temps",
        "Qui le voit",
        "Les 14 dernières sauvegardes sont gardées",
        "30 jours au plus",
        "six ans au moins",
        "Télécharger mes données",
        "Membre effacé·e n° 12",
    ):
        assert words in text, words
    assert "Aurélie" not in text  # the admins' names are for members
    assert 'href="/confidentialite"' in visitor.get("/connexion").get_data(as_text=True)
    member = app.test_client()
    sign_in(member, world.theo)
    assert "Adressez-vous aux administrateur·rices du lieu : Aurélie." in plain(
        member.get("/confidentialite").get_data(as_text=True)
    )


def test_the_privacy_pages_are_valid_html(app, world, tmp_path):
    from tests.test_html_valid import html_of, validate, vnu_command

    vnu_command()  # skips when the validator is missing
    ines, admin = app.test_client(), app.test_client()
    sign_in(ines, world.ines)
    sign_in(admin, world.aurelie)
    link = post_form(ines, "/profil/donnees", {}).headers["Location"]
    responses = {
        "policy, visitor": app.test_client().get("/confidentialite"),
        "policy, member": ines.get("/confidentialite"),
        "profile": ines.get("/profil"),
        "erase, own": ines.get("/profil/effacer"),
        "erase, own, refused": post_form(ines, "/profil/effacer", {"confirmation": "x"}),
        "erase, admin": admin.get(f"/admin/membres/{world.theo.id}/effacer"),
        "link of someone else": admin.get(link),
        "link, visitor": app.test_client().get(link),
        "members": admin.get("/admin/membres"),
    }
    erasure.erase(world.aurelie, world.theo.id, "EFFACER")
    responses["erase, already erased"] = admin.get(f"/admin/membres/{world.theo.id}/effacer")
    responses["members, one erased"] = admin.get("/admin/membres")
    pages = {label: html_of(response) for label, response in responses.items()}
    assert all(pages.values())
    assert validate(pages, tmp_path) == []


def test_a_closed_fridays_decision_changes_in_its_objectors_names_only(app, world):
    """The append-only rule (migration 6c1d2e3f4a5b) lets erasure rename who objected, and
    still refuses any other change of the round's result."""
    from tests.test_append_only import message, raw, row

    def result_with(**objection):
        stored = json.loads(json.dumps(row("decision", world.decision_id)["result"]))
        stored = json.loads(stored) if isinstance(stored, str) else stored
        stored["objections"][0].update(objection)
        return json.dumps(stored)

    sql = "UPDATE decision SET result = :r WHERE id = :id"
    for forged in (result_with(reason="Rien à dire."), result_with(name="X", reason="Rien.")):
        with pytest.raises(Exception) as refused:
            raw(sql, r=forged, id=world.decision_id)
        assert message("decision") in str(refused.value)
    assert raw(sql, r=result_with(name="Une personne"), id=world.decision_id) == 1
    db.session.rollback()
    decision = db.session.get(Decision, world.decision_id)
    assert decision.result["objections"] == [{"name": "Une personne", "reason": "Il gèlera."}]
