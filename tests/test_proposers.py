"""Proposers informed at every step, even without an account: the public form `/proposer`, the
private status link, the e-mail at every step (a real local SMTP server), and what the
proposer can do from the link (withdraw, send again, stop the e-mails)."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from meeting.errors import Conflict
from meeting.extensions import db
from meeting.meetings import dates
from meeting.models import Entry, EventProposal, Member, ProposalStatusChange, Trace
from meeting.pipeline import change
from meeting.proposals import notices, outside, proposer, tracking
from meeting.proposals import services as proposals
from tests.conftest import csrf_token, post_form

WISHED = (date.today() + timedelta(days=30)).isoformat()
LINK_RE = re.compile(r"https?://[^\s\"<]+/propositions/suivi/[A-Za-z0-9_-]{43}")


@pytest.fixture
def config_overrides(mail_config):
    return {**mail_config, "PUBLIC_PROPOSAL_RATE_LIMIT": "3 per hour"}


def plain(text):
    """Text with French typography's narrow and non-breaking spaces made plain."""
    return str(text).replace("\u00a0", " ").replace("\u202f", " ")


def form(**changes):
    values = {
        "name": "Lou Martin",
        "email": "lou@exemple.fr",
        "title": "Projection « Les Doléances »",
        "description": "Un film puis une discussion.",
        "date_1": WISHED,
        "time_1": "20:00",
        "duration_minutes": "120",
        "place": "house",
    }
    values.update(changes)
    return values


def proposal_count():
    db.session.rollback()
    return db.session.scalar(select(func.count(EventProposal.id)))


def propose(**changes):
    """A proposal from outside, through the service; returns (proposal, token)."""
    values = form(**changes)
    return outside.propose_from_outside(values)


def move(proposal_id, to_status, reason=None, **kw):
    proposal = db.session.get(EventProposal, proposal_id)
    with change() as c:
        proposals.move_status(c, None, proposal, to_status, reason=reason, **kw)
    db.session.expire_all()
    return db.session.get(EventProposal, proposal_id)


# -- the public form -------------------------------------------------------------------------


def test_public_form_stores_the_proposal_and_sends_the_status_link(client, smtp_server):
    page = client.get("/proposer").get_data(as_text=True)
    assert 'name="site_web"' in page and 'class="hp-field"' in page
    response = post_form(client, "/proposer", form())
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Merci, votre proposition est reçue" in text
    assert response.headers["Cache-Control"] == "no-store"
    link = LINK_RE.search(text).group(0)
    proposal = db.session.scalar(select(EventProposal))
    assert (proposal.outside_name, proposal.outside_email) == ("Lou Martin", "lou@exemple.fr")
    assert proposal.status == "submitted" and proposal.proposer_id is None
    assert proposal.meeting.scheduled_for == dates.next_meeting_date()
    author = proposal.entry.author
    assert author.is_system and author.display_name == "Formulaire public"
    assert not author.is_active
    # Only a hash of the token is stored.
    token = link.rsplit("/", 1)[1]
    assert proposal.status_token_hash == tracking.hash_token(token) != token
    # The receipt, after the commit, with the same link; its step is marked mailed.
    message = smtp_server.wait_for(1)[0]
    assert message["To"] == "lou@exemple.fr"
    assert "bien reçue" in message["Subject"]
    assert link in smtp_server.body(message)
    assert db.session.scalar(select(ProposalStatusChange)).mailed_at is not None
    # Traces name the system author, never the proposer.
    for trace in db.session.scalars(select(Trace)):
        assert "Lou" not in str(trace.data) and "lou@" not in str(trace.data)
    # The status page from the link.
    page = client.get(link.split("localhost", 1)[-1])
    assert page.status_code == 200 and "Projection" in page.get_data(as_text=True)


def test_the_system_author_is_made_once_and_cannot_sign_in(app, client):
    propose()
    propose(title="Soirée jeux")
    system = db.session.scalars(select(Member).where(Member.is_system)).all()
    assert len(system) == 1
    assert system[0].email is None and system[0].password_hash is None
    assert not system[0].is_active


def test_document_shows_the_outside_proposer(client_as):
    proposal, _token = propose()
    member_client, _member = client_as()
    day = proposal.meeting.scheduled_for.isoformat()
    page = member_client.get(f"/vendredi/{day}/").get_data(as_text=True)
    assert "proposée par Lou Martin (hors coopérative)" in page
    assert "lou@exemple.fr" not in page


def test_honeypot_filled_is_refused_and_stores_nothing(client, smtp_server):
    response = post_form(client, "/proposer", form(site_web="http://spam.example"))
    assert response.status_code == 400
    assert "réservé aux robots" in response.get_data(as_text=True)
    assert proposal_count() == 0
    assert db.session.scalar(select(func.count(Entry.id))) == 0


def test_public_form_is_rate_limited_per_address(client):
    token = csrf_token(client)
    statuses = [
        client.post("/proposer", data={"csrf_token": token, **form(title=f"Soirée {n}")})
        for n in range(4)
    ]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    assert "Trop de tentatives" in statuses[-1].get_data(as_text=True)
    assert proposal_count() == 3


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "pas-une-adresse"}, "email", "adresse e-mail n’est pas valide"),
        ({"email": ""}, "email", "Indiquez votre adresse e-mail"),
        ({"name": "L" * 81}, "name", "ne doit pas dépasser 80 caractères"),
        ({"name": ""}, "name", "Indiquez votre nom"),
        ({"title": "Concert\x07"}, "title", "caractères invisibles"),
        ({"description": "Texte\x00caché"}, "description", "caractères invisibles"),
        ({"place_detail": "a\x1bb", "place": "elsewhere"}, "place_detail", "invisibles"),
        ({"title": "T" * 300}, "title", "Le titre ne doit pas dépasser"),
        ({"date_1": "2001-01-01"}, "date_1", "doit être à venir"),
        ({"place": "lune"}, "place", "Choisissez un lieu"),
        ({"duration_minutes": "5"}, "duration_minutes", "entre 15 et 1440"),
    ],
)
def test_bad_fields_are_refused_beside_the_field_and_store_nothing(client, changes, field, message):
    response = post_form(client, "/proposer", form(**changes))
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in text
    assert f'aria-describedby="error-{field}"' in text and f'id="error-{field}"' in text
    assert proposal_count() == 0


def test_several_bad_fields_at_once(client):
    response = post_form(client, "/proposer", form(name="", email="x", title=""))
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "3 champs sont à corriger" in text
    assert "Indiquez votre nom" in text and "Donnez un titre" in text


# -- the status link ------------------------------------------------------------------------


def test_status_page_good_tampered_unknown_malformed(client, make_member):
    proposal, token = propose()
    good = client.get(f"/propositions/suivi/{token}")
    text = good.get_data(as_text=True)
    assert good.status_code == 200
    assert good.headers["Cache-Control"] == "no-store" and "noindex" in good.headers["X-Robots-Tag"]
    assert "lou@exemple.fr" not in text  # not even the proposer's own address
    assert "Formulaire public" not in text
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    unknown = tracking.token_for(type("P", (), {"id": 999, "created_at": proposal.created_at})())
    for bad in (tampered, unknown, "court", token + "x", "%2e%2e"):
        response = client.get(f"/propositions/suivi/{bad}")
        body = response.get_data(as_text=True)
        assert response.status_code == 404, bad
        assert "Ce lien de suivi n’est pas valable" in body
        assert "Projection" not in body
    # A member's proposal has no status link.
    member = make_member()
    meeting = proposal.meeting
    mine = proposals.propose_event(
        member, meeting.id, "Concert", "Un concert", [(WISHED, "20:00")], "90", "house"
    )
    assert client.get(f"/propositions/suivi/{tracking.token_for(mine)}").status_code == 404


def test_status_page_shows_every_step_without_names(client, make_member):
    camille = make_member(role="facilitator", name="Camille")
    proposal, token = propose()
    proposal = db.session.get(EventProposal, proposal.id)
    with change() as c:
        proposals.move_status(c, camille, proposal, "on_agenda")
    db.session.expire_all()
    proposal = db.session.get(EventProposal, proposal.id)
    with change() as c:
        proposals.move_status(c, camille, proposal, "to_rework", reason="Précisez l’horaire.")
    page = client.get(f"/propositions/suivi/{token}").get_data(as_text=True)
    assert "proposée → <strong" in page and "à l’ordre du jour" in page
    assert "à retravailler" in page and "Précisez l’horaire." in page
    assert "par l’animation" in page and "Camille" not in page
    assert "Renvoyer la proposition" in page  # resubmit offered after to_rework


def test_withdraw_from_the_link_then_refused_again(client, smtp_server):
    proposal, token = propose()
    smtp_server.wait_for(1)
    response = post_form(client, f"/propositions/suivi/{token}/retirer", {"reason": "Annulé"})
    assert response.status_code == 302
    db.session.expire_all()
    proposal = db.session.get(EventProposal, proposal.id)
    assert proposal.status == "withdrawn" and proposal.withdrawn_at is not None
    assert proposal.changes[-1].reason == "Annulé"
    assert proposal.changes[-1].actor.is_system
    page = client.get(f"/propositions/suivi/{token}").get_data(as_text=True)
    assert "Retirer ma proposition" not in page and "par vous" in page
    again = post_form(client, f"/propositions/suivi/{token}/retirer", {})
    assert again.status_code == 409 and "ne peut plus être retirée" in again.get_data(as_text=True)
    # The withdrawal was mailed too (a step like any other).
    messages = smtp_server.wait_for(2)
    assert len(messages) == 2 and "retirée" in messages[1]["Subject"]


def test_withdraw_from_a_tampered_link_changes_nothing(client):
    proposal, token = propose()
    response = post_form(client, f"/propositions/suivi/{token[:-2]}xx/retirer", {})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(EventProposal, proposal.id).status == "submitted"


def test_resubmit_after_rework_from_the_link(client):
    proposal, token = propose()
    move(proposal.id, "to_rework", reason="Quelle heure ?")
    values = form(title="Projection, version 2", time_1="19:00", duration_minutes="90")
    del values["name"], values["email"]
    refused = post_form(client, f"/propositions/suivi/{token}/renvoyer", {**values, "title": ""})
    assert refused.status_code == 400 and "Donnez un titre" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(EventProposal, proposal.id).status == "to_rework"
    response = post_form(client, f"/propositions/suivi/{token}/renvoyer", values)
    assert response.status_code == 302
    db.session.expire_all()
    proposal = db.session.get(EventProposal, proposal.id)
    assert proposal.status == "submitted"
    assert proposal.title == "Projection, version 2" and proposal.entry.revision == 2
    assert proposal.wished_dates == [{"date": WISHED, "time": "19:00"}]
    assert proposal.duration_minutes == 90
    again = post_form(client, f"/propositions/suivi/{token}/renvoyer", values)
    assert again.status_code == 409


def test_resubmit_is_refused_unless_to_rework(app):
    proposal, _token = propose()
    actor = db.session.scalar(select(Member).where(Member.is_system))
    with pytest.raises(Conflict):
        proposer.resubmit(actor, proposal, form())


# -- e-mail at every step ---------------------------------------------------------------------


def test_a_status_change_mails_the_proposer_once(app, smtp_server):
    proposal, token = propose()
    smtp_server.wait_for(1)
    move(proposal.id, "on_agenda")
    messages = smtp_server.wait_for(2)
    assert len(messages) == 2
    mail = messages[1]
    body = plain(smtp_server.body(mail))
    assert mail["To"] == "lou@exemple.fr"
    assert plain(mail["Subject"]) == "« Projection « Les Doléances » » : à l’ordre du jour"
    assert "Bonjour Lou Martin," in body
    assert "est maintenant : à l’ordre du jour." in body
    assert f"/propositions/suivi/{token}" in body
    assert "Ne plus recevoir d’e-mails" in body
    step = db.session.scalars(
        select(ProposalStatusChange).order_by(ProposalStatusChange.id.desc())
    ).first()
    assert step.mailed_at is not None
    assert notices.send_step_mail(step.id) is False  # once
    assert len(smtp_server.messages) == 2


def test_a_refused_mail_leaves_mailed_at_unset(app, smtp_server):
    proposal, _token = propose()
    smtp_server.wait_for(1)
    app.config["MAIL_PORT"] = 1  # nothing listens there
    move(proposal.id, "declined", reason="Pas la place.")
    step = db.session.scalars(
        select(ProposalStatusChange).order_by(ProposalStatusChange.id.desc())
    ).first()
    assert step.to_status == "declined" and step.mailed_at is None
    assert len(smtp_server.messages) == 1


def test_no_mail_once_stopped_then_again_when_resumed(client, smtp_server):
    proposal, token = propose()
    smtp_server.wait_for(1)
    post_form(client, f"/propositions/suivi/{token}/courriels", {"receive": "0"})
    db.session.expire_all()
    assert db.session.get(EventProposal, proposal.id).emails_stopped_at is not None
    page = client.get(f"/propositions/suivi/{token}").get_data(as_text=True)
    assert "Recevoir à nouveau les e-mails" in page
    move(proposal.id, "on_agenda")
    assert len(smtp_server.messages) == 1
    post_form(client, f"/propositions/suivi/{token}/courriels", {"receive": "1"})
    db.session.expire_all()
    assert db.session.get(EventProposal, proposal.id).emails_stopped_at is None
    move(proposal.id, "accepted", reason="Bonne idée.")
    messages = smtp_server.wait_for(2)
    assert len(messages) == 2 and "acceptée" in messages[1]["Subject"]
    assert "Bonne idée." in smtp_server.body(messages[1])


def test_a_carried_step_tells_the_new_friday(client, smtp_server):
    proposal, token = propose()
    smtp_server.wait_for(1)
    proposal = db.session.get(EventProposal, proposal.id)
    with change() as c:
        proposals.note_step(c, None, proposal, "Reportée au vendredi 11 décembre 2026")
    messages = smtp_server.wait_for(2)
    assert "Reportée au vendredi 11 décembre 2026" in smtp_server.body(messages[1])
    page = client.get(f"/propositions/suivi/{token}").get_data(as_text=True)
    assert "Reportée au vendredi 11 décembre 2026" in page and "toujours proposée" in page


def test_a_member_is_mailed_at_their_address_with_their_page(make_member, smtp_server):
    member = make_member(name="Inès", email="ines@le97.example")
    meeting = propose()[0].meeting
    smtp_server.wait_for(1)
    mine = proposals.propose_event(
        member, meeting.id, "Concert", "Un concert", [(WISHED, "20:00")], "90", "house"
    )
    move(mine.id, "on_agenda")
    messages = smtp_server.wait_for(2)
    assert messages[1]["To"] == "ines@le97.example"
    body = smtp_server.body(messages[1])
    assert f"/propositions/{mine.id}" in body and "/suivi/" not in body
