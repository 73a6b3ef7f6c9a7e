"""The minutes of a Friday (`/vendredi/<day>/compte-rendu` and `.md`), as people read them after
it: what each audience receives (a member, an anonymous visitor with the place members-only or
public, a guest), the scribe's summary and its validation, and the e-mail of validated
minutes through a real local SMTP server. Never a billet d'humeur."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from markdown_it import MarkdownIt

from meeting import place
from meeting.decisions import services as decisions
from meeting.errors import Conflict, Forbidden, NotFound, ServiceError
from meeting.extensions import db
from meeting.i18n import long_date
from meeting.live import services as agenda
from meeting.meetings import dates
from meeting.minutes import services as minutes
from meeting.minutes import summary as scribe
from meeting.minutes.mail import mail_minutes
from meeting.minutes.markdown import demote_headings
from meeting.models import Meeting, Trace
from meeting.prep import services as prep
from tests.conftest import post_form, sign_in

BILLET = "Humeur SECRÈTE-9Z du jour."
NAMES = ("Camille", "Inès", "Théo", "Marc", "Ana")
NBSP, NNBSP = "\u00a0", "\u202f"


def plain(text):
    return text.replace(NBSP, " ").replace(NNBSP, " ")


def page_of(response):
    return plain(response.get_data(as_text=True))


@pytest.fixture
def config_overrides(mail_config):
    return mail_config


@pytest.fixture
def held(app, live_friday, make_member):
    """A Friday held and closed: Camille facilitates, Inès is the scribe, Théo is present, Marc
    excused, Ana came in at the door; a billet in the document; « Jardin » decided by consent
    (an objection lifted, an action for Inès), « Budget » by vote, « Toiture » carried to the
    next Friday; Inès wrote the summary during the meeting."""
    camille = make_member(role="facilitator", name="Camille")
    ines = make_member(name="Inès")
    theo = make_member(name="Théo")
    marc = make_member(name="Marc")
    friday = live_friday(camille, ["Jardin", "Budget", "Toiture"], author=theo, started=False)
    mid = friday.meeting.id
    prep.add_entry(theo, mid, "mood", None, BILLET)
    agenda.assign_role(camille, mid, "scribe", ines.id)
    agenda.start_live(camille, mid)
    db.session.refresh(friday.meeting)
    friday.guest("Ana")
    for member, status in ((ines, "present"), (theo, "present"), (marc, "excused")):
        agenda.set_attendance(camille, mid, member.id, status)
    db.session.refresh(friday.meeting)
    agenda.advance(camille, mid, friday.meeting.live_revision)  # « Jardin »
    round_ = agenda.start_round(camille, mid, "consent", "On sème samedi ?")
    agenda.answer_round(ines, round_.id, "object", "Il gèlera.")
    agenda.answer_round(ines, round_.id, "for")
    agenda.answer_round(theo, round_.id, "for")
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
    db.session.refresh(friday.meeting)
    agenda.advance(camille, mid, friday.meeting.live_revision)  # « Budget »
    budget = decisions.record_decision(camille, mid, "Budget de 300 € voté.", "vote")
    scribe.write_summary(ines, mid, "Un repas **serein**.\n\n# Suite\n\nOn se revoit.", 0)
    agenda.close_live(camille, mid)
    db.session.refresh(friday.meeting)
    return SimpleNamespace(
        meeting=friday.meeting,
        day=friday.meeting.scheduled_for.isoformat(),
        next_day=friday.meeting.scheduled_for + timedelta(days=7),
        camille=camille,
        ines=ines,
        theo=theo,
        marc=marc,
        guest=friday.guests["Ana"],
        garden=garden,
        budget=budget,
        due=due,
    )


def url(held, md=False):
    return f"/vendredi/{held.day}/compte-rendu" + (".md" if md else "")


def signed_in(app, member):
    client = app.test_client()
    sign_in(client, member)
    return client


# -- the read model ----------------------------------------------------------------------------


def test_minutes_are_composed_from_the_live_session(held):
    m = minutes.minutes_for(held.theo, held.day)
    assert {a.name for a in m.present} == {"Inès", "Théo", "Camille"}
    assert [a.name for a in m.guests] == ["Ana"]
    assert [a.name for a in m.excused] == ["Marc"]
    assert m.roles["scribe"].display_name == "Inès"
    outcomes = {p.item.title: (p.outcome, p.carried_to) for p in m.points}
    assert outcomes["Jardin"] == ("done", None)
    assert outcomes["Budget"] == ("done", None)
    assert outcomes["Toiture"] == ("postponed", held.next_day)
    assert [p.item.title for p in m.carried] == ["Toiture"]
    assert plain(minutes.outcome_label(m.carried[0])) == "reporté au " + long_date(held.next_day)
    assert [d.number for d in m.decisions] == [held.garden.number, held.budget.number]
    garden_point = next(p for p in m.points if p.item.title == "Jardin")
    assert [d.number for d in garden_point.decisions] == [held.garden.number]
    assert [(a.label, a.owner.display_name) for a in m.actions] == [("Acheter des graines", "Inès")]
    assert m.next_day == held.next_day
    assert m.public is False


def test_reading_the_minutes_writes_nothing(app, held):
    before = db.session.query(Trace).count()
    signed_in(app, held.theo).get(url(held))
    db.session.rollback()
    assert db.session.query(Trace).count() == before


# -- what each audience receives --------------------------------------------------------------


def test_a_member_reads_every_section_with_names_and_links(app, held):
    response = signed_in(app, held.theo).get(url(held))
    assert response.status_code == 200
    page = page_of(response)
    for heading in (
        "Compte rendu du vendredi",
        "Présent·es",
        "Rôles du jour",
        "Ordre du jour",
        "Décisions",
        "Qui fait quoi pour quand",
        "Résumé",
        "Points reportés",
        "Prochain vendredi",
    ):
        assert heading in page, heading
    assert "3 présent·es, 1 invité·e, 1 excusé·e" in page
    for name in NAMES:
        assert name in page, name
    assert f'/decisions/{held.garden.number}"' in page
    assert "On sème <strong>dimanche</strong>." in page
    assert "Le gel de samedi" in page and "On attend dimanche" in page
    assert "Tour : 2 réponses" in page
    assert "Acheter des graines</strong> — Inès" in page
    assert "Toiture</strong> — reporté au " + long_date(held.next_day) in page
    assert "Un repas <strong>serein</strong>." in page
    assert f'/vendredi/{held.next_day.isoformat()}/"' in page  # the next Friday's document
    assert "Pas encore validé" in page
    assert BILLET not in page and "SECRÈTE" not in page
    assert "data-print hidden" in page and "js/minutes.js" in page


def test_anonymous_visitors_sign_in_when_the_place_keeps_its_minutes_for_members(client, held):
    for path in (url(held), url(held, md=True)):
        response = client.get(path)
        assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_a_guest_is_an_anonymous_visitor(app, held, live_friday):
    # Ana followed this Friday at the door; another Friday is live with its own guest.
    other = live_friday(None, ["Autre"], day=held.next_day + timedelta(days=7), guests=("Léa",))
    for guest in (held.guest, other.guests["Léa"]):
        response = guest.get(url(held))
        assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    admin = held.camille
    admin.role = "admin"
    db.session.commit()
    place.set_publication(admin, "public")
    page = page_of(other.guests["Léa"].get(url(held)))
    assert "3 présent·es, 1 invité·e" in page
    for name in NAMES:
        assert name not in page, name


def test_when_the_place_publishes_anyone_reads_counts_and_no_name(client, held):
    held.camille.role = "admin"
    db.session.commit()
    place.set_publication(held.camille, "public")
    response = client.get(url(held))
    assert response.status_code == 200
    page = page_of(response)
    assert "3 présent·es, 1 invité·e, 1 excusé·e" in page
    for name in NAMES:
        assert name not in page, name
    assert "Rôles du jour" not in page
    assert "Acheter des graines</strong>, pour le" in page  # an action, without its owner
    assert "On sème <strong>dimanche</strong>." in page
    assert "Objection de" not in page
    assert "Valider le compte rendu" not in page and "summary-form" not in page
    assert BILLET not in page
    md = client.get(url(held, md=True)).get_data(as_text=True)
    for name in NAMES:
        assert name not in md, name
    assert "Acheter des graines, pour le" in plain(md)


def test_a_friday_that_never_took_place_or_is_not_closed_has_no_minutes(
    app, held, make_member, live_friday
):
    member = signed_in(app, held.theo)
    past = (dates.today_in_place() - timedelta(days=7 * 60)).isoformat()
    past_friday = dates.next_meeting_date(dates.today_in_place() - timedelta(days=7 * 60))
    response = member.get(f"/vendredi/{past_friday.isoformat()}/compte-rendu")
    assert response.status_code == 404
    assert "n’a pas eu lieu" in page_of(response)
    for bad in ("2026-13-45", "demain", past):
        response = member.get(f"/vendredi/{bad}/compte-rendu")
        assert response.status_code == 404, bad
        assert "Désolé" in page_of(response) and "Traceback" not in page_of(response)
    # the Friday after, not closed (its row exists: the closed one carried a point to it)
    response = member.get(f"/vendredi/{held.next_day.isoformat()}/compte-rendu")
    assert response.status_code == 404 and "n’a pas eu lieu (ou pas encore)" in page_of(response)
    live = live_friday(held.camille, ["Vivant"], day=held.next_day + timedelta(days=7))
    day = live.meeting.scheduled_for.isoformat()
    for path in (f"/vendredi/{day}/compte-rendu", f"/vendredi/{day}/compte-rendu.md"):
        response = member.get(path)
        assert response.status_code == 404
        page = page_of(response)
        assert "le compte rendu sera disponible à la clôture" in page
        assert f'href="/vendredi/{day}/direct"' in page


# -- the Markdown export -------------------------------------------------------------------------


def sections(tokens, tag):
    return [
        tokens[i + 1].content
        for i, token in enumerate(tokens)
        if token.type == "heading_open" and token.tag == tag
    ]


def test_the_markdown_export_has_the_sections_and_no_billet(app, held):
    response = signed_in(app, held.theo).get(url(held, md=True))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="compte-rendu-{held.day}.md"'
    )
    text = response.get_data(as_text=True)
    tokens = MarkdownIt("commonmark").parse(text)
    assert len(sections(tokens, "h1")) == 1
    assert plain(sections(tokens, "h1")[0]).startswith("Compte rendu du vendredi")
    assert [plain(s) for s in sections(tokens, "h2")] == [
        "Présent·es",
        "Rôles du jour",
        "Ordre du jour",
        "Décisions",
        "Qui fait quoi pour quand",
        "Résumé",
        "Points reportés",
        "Prochain vendredi",
    ]
    h3 = [plain(s) for s in sections(tokens, "h3")]
    assert f"Décision n° {held.garden.number}" in h3 and f"Décision n° {held.budget.number}" in h3
    # the summary's "# Suite" stays inside « Résumé », below the sections
    assert "Suite" in h3
    items = [t.content for t in tokens if t.type == "inline"]
    assert any("Acheter des graines — Inès" in plain(i) for i in items)
    assert any(i.startswith("Toiture — reporté au vendredi") for i in map(plain, items))
    assert any("On sème **dimanche**." in i for i in items)
    assert any(plain(i).startswith("Objections : Le gel de samedi") for i in items)
    assert sum(1 for t in tokens if t.type == "ordered_list_open") == 1  # the agenda
    assert f"/decisions/{held.garden.number}>" in text
    assert BILLET not in text and "SECRÈTE" not in text


def test_headings_of_a_members_markdown_are_pushed_below_the_sections():
    text = "# Titre\n\nTexte\n\nSous-titre\n---\n\n```\n# pas un titre\n```"
    assert (
        demote_headings(text, 2)
        == "### Titre\n\nTexte\n\n#### Sous-titre\n\n```\n# pas un titre\n```"
    )
    assert demote_headings("###### six", 2) == "###### six"


# -- the scribe's summary -------------------------------------------------------------------


def test_a_stale_summary_is_refused_and_both_texts_are_kept(app, held):
    mid = held.meeting.id
    before = held.meeting.summary
    with pytest.raises(Conflict) as refused:
        scribe.write_summary(held.ines, mid, "Mon autre texte", 0)
    assert refused.value.code == "stale_summary"
    assert "Inès a enregistré une autre version du résumé" in plain(refused.value.message)
    assert refused.value.details["current_summary"] == before
    assert refused.value.details["summary_revision"] == 1
    db.session.rollback()
    assert db.session.get(Meeting, mid).summary == before
    assert scribe.write_summary(held.ines, mid, "Mon autre texte", 1) == 2
    assert scribe.write_summary(held.ines, mid, "Mon autre texte", 1) == 2  # resent: once
    traces = db.session.query(Trace).filter_by(verb="minutes_summary_written").all()
    assert [t.data["revision"] for t in traces] == [1, 2]
    assert all("Mon autre" not in str(t.data) for t in traces)  # ids and counts only


def test_a_summary_too_long_or_by_someone_else_changes_nothing(app, held, make_member):
    mid = held.meeting.id
    with pytest.raises(ServiceError) as too_long:
        scribe.write_summary(held.ines, mid, "x" * (scribe.MAX_SUMMARY + 1), 1)
    assert too_long.value.details["field"] == "summary"
    assert "20 000 caractères au plus" in plain(too_long.value.message)
    with pytest.raises(Forbidden) as refused:
        scribe.write_summary(held.theo, mid, "Par Théo", 1)
    assert "secrétaire du jour" in refused.value.message
    coming = agenda.get_meeting(mid)
    db.session.rollback()
    assert db.session.get(Meeting, coming.id).summary_revision == 1


def test_the_summary_is_written_on_the_minutes_page_until_validation(app, held):
    ines = signed_in(app, held.ines)
    page = page_of(ines.get(url(held)))
    assert 'name="op" value="write_summary"' in page and "Valider le compte rendu" in page
    theo_page = page_of(signed_in(app, held.theo).get(url(held)))
    assert "summary-form" not in theo_page and "Valider le compte rendu</button>" not in theo_page
    # a stale post: refused beside the field, the typed text given back, nothing changed
    response = post_form(
        ines,
        url(held),
        {"op": "write_summary", "summary": "Texte MIEN-4", "summary_revision": "0"},
    )
    assert response.status_code == 409
    page = page_of(response)
    assert 'id="error-summary"' in page and "autre version du résumé" in page
    assert ">Texte MIEN-4</textarea>" in page
    assert 'name="summary_revision" id="summary-revision-page" value="1"' in page
    response = post_form(
        ines, url(held), {"op": "write_summary", "summary": "Texte MIEN-4", "summary_revision": "1"}
    )
    assert response.status_code == 303
    page = page_of(ines.get(response.headers["Location"]))
    assert "Résumé enregistré." in page and "Texte MIEN-4" in page


# -- validation and the e-mail ------------------------------------------------------------------


def test_validating_freezes_the_summary_and_mails_the_minutes_once(
    app, held, smtp_server, make_member
):
    make_member(name="Ancienne", email="ancienne@le97.example", active=False)
    ines = signed_in(app, held.ines)
    response = post_form(ines, url(held), {"op": "validate_minutes"})
    assert response.status_code == 303
    page = page_of(ines.get(response.headers["Location"]))
    assert "Compte rendu validé : il part par e-mail" in page
    assert "Validé par Inès le " in page
    assert "summary-form" not in page and "Valider le compte rendu</button>" not in page
    messages = smtp_server.wait_for(4)
    db.session.rollback()
    assert sorted(m["To"] for m in messages) == sorted(
        m.email for m in (held.camille, held.ines, held.theo, held.marc)
    )
    mail = messages[0]
    assert plain(mail["Subject"]).startswith("Compte rendu du vendredi")
    body = plain(smtp_server.body(mail))
    assert "a été validé par Inès" in body
    assert f"Décision n° {held.garden.number}" in body and "On sème **dimanche**." in body
    assert "Acheter des graines — Inès" in body
    assert f"/vendredi/{held.day}/compte-rendu" in body
    assert BILLET not in body and "SECRÈTE" not in body
    meeting = db.session.get(Meeting, held.meeting.id)
    assert meeting.minutes_mailed_at is not None and meeting.minutes_validated_by_id == held.ines.id
    assert mail_minutes(meeting.id) == 0  # sent once
    assert len(smtp_server.messages) == 4
    trace = db.session.query(Trace).filter_by(verb="minutes_validated").one()
    assert trace.actor_id == held.ines.id and trace.data == {"date": held.day}
    with pytest.raises(Conflict) as frozen:
        scribe.write_summary(held.ines, held.meeting.id, "Trop tard", meeting.summary_revision)
    assert frozen.value.code == "minutes_validated"
    with pytest.raises(Conflict) as twice:
        scribe.validate_minutes(held.camille, held.meeting.id)
    assert twice.value.code == "already_validated"
    assert "déjà validé (par Inès" in plain(twice.value.message)
    response = post_form(ines, url(held), {"op": "validate_minutes"})
    assert response.status_code == 409
    assert "Ce compte rendu est déjà validé (par Inès, le " in page_of(response)


def test_only_the_scribe_or_the_facilitators_validate_a_closed_friday(app, held, live_friday):
    with pytest.raises(Forbidden):
        scribe.validate_minutes(held.theo, held.meeting.id)
    live = live_friday(held.camille, ["Vivant"], day=held.next_day + timedelta(days=7))
    with pytest.raises(Conflict) as not_closed:
        scribe.validate_minutes(held.camille, live.meeting.id)
    assert not_closed.value.code == "not_closed"
    with pytest.raises(NotFound):
        scribe.validate_minutes(held.camille, 999_999)
    db.session.rollback()
    assert db.session.get(Meeting, held.meeting.id).minutes_validated_at is None
    theo = signed_in(app, held.theo)
    response = post_form(theo, url(held), {"op": "validate_minutes"})
    assert response.status_code == 403
    assert "valident le compte rendu" in page_of(response)
    response = post_form(theo, url(held), {"op": "pirate"})
    assert response.status_code == 400
    assert "Action inconnue." in page_of(response)
