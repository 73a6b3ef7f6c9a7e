"""Members: first run, sign-in, sessions, invitations, magic links, roles, deactivation."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from meeting.errors import Forbidden, ServiceError
from meeting.extensions import db
from meeting.members import services
from meeting.models import Invitation, LoginToken, Member, Trace
from meeting.models.base import utcnow
from meeting.traces.sentences import sentence
from tests.conftest import TEST_PASSWORD, csrf_token, post_form, sign_in


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def invitation_token(link):
    return link.rstrip("/").rsplit("/", 1)[-1]


# -- first run and create-admin ---------------------------------------------------------------


def test_empty_site_leads_to_first_run_page_which_creates_the_admin(client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/installation")
    page = client.get("/installation").get_data(as_text=True)
    assert "Bienvenue dans Vendredi" in page
    response = post_form(
        client,
        "/installation",
        {"display_name": "Claire", "email": "Claire@Le97.example", "password": "un-long-secret"},
    )
    assert response.status_code == 302
    admin = db.session.scalar(select(Member))
    assert (admin.role, admin.email) == ("admin", "claire@le97.example")
    assert client.get("/admin/membres").status_code == 200  # signed in as that admin
    # Once someone exists, the first-run page is closed.
    other = client.application.test_client()
    assert other.get("/installation").headers["Location"].endswith("/connexion")
    assert (
        post_form(
            other,
            "/installation",
            {"display_name": "Intrus", "email": "x@y.fr", "password": "12345678"},
        ).status_code
        == 302
    )
    assert count(Member) == 1


def test_first_run_refuses_a_short_password_in_french(client):
    response = post_form(
        client,
        "/installation",
        {"display_name": "Claire", "email": "c@le97.example", "password": "court"},
    )
    assert response.status_code == 400
    assert "au moins 8 caractères" in response.get_data(as_text=True)
    assert count(Member) == 0


def test_create_admin_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-admin",
            "--name",
            "Claire",
            "--email",
            "claire@le97.example",
            "--password",
            "un-long-secret",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Compte d’administration créé" in result.output
    result = runner.invoke(
        args=[
            "create-admin",
            "--name",
            "Bis",
            "--email",
            "claire@le97.example",
            "--password",
            "un-long-secret",
        ]
    )
    assert result.exit_code != 0 and "déjà utilisée" in result.output


# -- password sign-in and sessions ------------------------------------------------------------


def test_sign_in_renews_the_session_and_sign_out_ends_it(client, make_member):
    member = make_member()
    client.get("/connexion")
    with client.session_transaction() as sess:
        sess["planted"] = "by-an-attacker"
    response = sign_in(client, member)
    assert response.headers["Location"] == "/"
    with client.session_transaction() as sess:
        assert "planted" not in sess and sess.get("sid") and sess["_user_id"] == str(member.id)
        assert not sess.permanent  # no "rester connecté": a browser-session cookie
    assert client.get("/profil").status_code == 200
    assert post_form(client, "/deconnexion").status_code == 302
    assert client.get("/profil").status_code == 302


def test_remember_me_keeps_the_session_thirty_days(client, make_member):
    member = make_member()
    response = sign_in(client, member, remember=True)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if "vendredi_session" in c)
    expires = re.search(r"Expires=([^;]+)", cookie).group(1)
    from email.utils import parsedate_to_datetime

    days = (parsedate_to_datetime(expires).replace(tzinfo=None) - utcnow()).days
    assert 29 <= days <= 30


def test_wrong_password_gets_a_french_message_and_no_session(client, make_member):
    member = make_member()
    response = post_form(client, "/connexion", {"email": member.email, "password": "mauvais"})
    assert response.status_code == 400
    assert "Adresse e-mail ou mot de passe incorrect" in response.get_data(as_text=True)
    assert client.get("/profil").status_code == 302


def test_unknown_email_gets_the_same_message(client, make_member):
    make_member()
    response = post_form(client, "/connexion", {"email": "inconnu@le97.example", "password": "x"})
    assert "Adresse e-mail ou mot de passe incorrect" in response.get_data(as_text=True)


def test_next_parameter_only_follows_local_paths(client, make_member):
    member = make_member()
    response = post_form(
        client,
        "/connexion",
        {"email": member.email, "password": TEST_PASSWORD, "next": "https://evil.example/"},
    )
    assert response.headers["Location"] == "/"
    post_form(client, "/deconnexion")
    response = post_form(
        client, "/connexion", {"email": member.email, "password": TEST_PASSWORD, "next": "/traces/"}
    )
    assert response.headers["Location"] == "/traces/"


def test_form_without_or_with_a_wrong_csrf_token_is_refused_in_french(client, make_member):
    member = make_member()
    for token in (None, "faux-jeton"):
        data = {"email": member.email, "password": TEST_PASSWORD}
        if token:
            data["csrf_token"] = token
        response = client.post("/connexion", data=data)
        assert response.status_code == 400
        assert "Le formulaire a expiré ou n’est pas valide" in response.get_data(as_text=True)
    assert client.get("/profil").status_code == 302


def test_a_deactivated_members_old_session_is_refused(app, client_as, make_member):
    _admin_client, admin = client_as("admin")
    member_client, member = client_as("member")
    assert member_client.get("/profil").status_code == 200
    services.deactivate(admin, member.id)
    response = member_client.get("/profil")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    response = post_form(
        member_client, "/connexion", {"email": member.email, "password": TEST_PASSWORD}
    )
    assert "Ce compte a été désactivé" in response.get_data(as_text=True)


@pytest.mark.parametrize("config_overrides", [{"SIGNIN_RATE_LIMIT": "3 per minute"}])
def test_sign_in_is_rate_limited(client, make_member, config_overrides):
    member = make_member()
    token = csrf_token(client)
    statuses = [
        client.post(
            "/connexion", data={"csrf_token": token, "email": member.email, "password": "faux"}
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [400, 400, 400, 429]
    response = client.post(
        "/connexion", data={"csrf_token": token, "email": member.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 429
    assert "Trop de tentatives" in response.get_data(as_text=True)


@pytest.mark.parametrize("config_overrides", [{"SIGNIN_RATE_LIMIT": "3 per minute"}])
def test_members_signing_in_together_from_one_address_are_not_held_back(
    app, make_member, config_overrides
):
    """Friday at noon: the phones at the table share the house's one address. Signing in
    succeeds for each of them; only failures count against the address."""
    members = [make_member(name=f"Membre {n}") for n in range(6)]
    answers = []
    for member in members:
        phone = app.test_client()
        token = csrf_token(phone)
        answers.append(
            phone.post(
                "/connexion",
                data={"csrf_token": token, "email": member.email, "password": TEST_PASSWORD},
            ).status_code
        )
    assert answers == [302] * 6
    guesser = app.test_client()
    token = csrf_token(guesser)
    wrong = [
        guesser.post(
            "/connexion", data={"csrf_token": token, "email": members[0].email, "password": "x"}
        ).status_code
        for _ in range(4)
    ]
    assert wrong == [400, 400, 400, 429]


# -- invitations ---------------------------------------------------------------------------


def test_admin_invites_and_the_invited_person_joins_once(app, client_as):
    admin_client, _admin = client_as("admin")
    response = post_form(admin_client, "/admin/membres/inviter", {"role": "facilitator"})
    page = response.get_data(as_text=True)
    link = re.search(r'id="invite-link"[^>]*value="([^"]+)"', page).group(1)
    token = invitation_token(link)
    row = db.session.scalar(select(Invitation))
    assert row.token_hash != token and row.token_hash == services.hash_token(token)
    assert 13 <= (row.expires_at - utcnow()).days <= 14

    newcomer = app.test_client()
    assert "Rejoindre Le 97" in newcomer.get(f"/invitation/{token}").get_data(as_text=True)
    response = post_form(
        newcomer,
        f"/invitation/{token}",
        {"display_name": "Nadia", "email": "nadia@le97.example", "password": "jardin-du-ravelin"},
    )
    assert response.status_code == 302
    nadia = db.session.scalar(select(Member).where(Member.email == "nadia@le97.example"))
    assert nadia.role == "facilitator"
    assert newcomer.get("/profil").status_code == 200
    verbs = db.session.scalars(select(Trace.verb).order_by(Trace.id)).all()
    assert verbs[-2:] == ["member_invited", "member_joined"]

    # Single use: the same link again is refused, and nothing is created.
    again = app.test_client()
    response = again.get(f"/invitation/{token}")
    assert response.status_code == 410 and "déjà servi" in response.get_data(as_text=True)
    response = post_form(
        again,
        f"/invitation/{token}",
        {"display_name": "Bis", "email": "bis@le97.example", "password": "jardin-du-ravelin"},
    )
    assert response.status_code == 410
    assert count(Member) == 2


def test_expired_and_tampered_invitations_are_refused(app, make_member):
    admin = make_member(role="admin")
    _inv, link, _mailed = services.invite(admin)
    token = invitation_token(link)
    client = app.test_client()
    tampered = client.get(f"/invitation/{token[:-2]}xx")
    assert tampered.status_code == 404
    assert "Cette invitation n’est pas valable" in tampered.get_data(as_text=True)
    row = db.session.scalar(select(Invitation))
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    expired = client.get(f"/invitation/{token}")
    assert expired.status_code == 410 and "a expiré" in expired.get_data(as_text=True)


def test_invitation_form_errors_keep_nothing(app, make_member):
    admin = make_member(role="admin")
    _inv, link, _mailed = services.invite(admin)
    client = app.test_client()
    response = post_form(
        client,
        f"/invitation/{invitation_token(link)}",
        {"display_name": "", "email": "pas-une-adresse", "password": "12345678"},
    )
    assert response.status_code == 400
    assert "Indiquez votre prénom" in response.get_data(as_text=True)
    assert count(Member) == 1
    assert db.session.scalar(select(Invitation)).used_at is None


def test_invited_email_is_mailed_through_real_smtp(app, make_member, smtp_server, mail_config):
    app.config.update(mail_config)
    admin = make_member(role="admin", name="Claire")
    _inv, link, mailed = services.invite(admin, "theo@le97.example")
    assert mailed
    message = smtp_server.wait_for(1)[0]
    assert message["To"] == "theo@le97.example"
    assert message["Subject"] == "Invitation à rejoindre Vendredi"
    assert link in smtp_server.body(message) and "Claire vous invite" in smtp_server.body(message)


def test_members_cannot_invite(client_as):
    member = client_as("member")[1]
    with pytest.raises(Forbidden):
        services.invite(member)
    assert count(Invitation) == 0


# -- magic links -----------------------------------------------------------------------------


@pytest.fixture
def config_overrides(request):
    if "smtp_server" in request.fixturenames:
        smtp = request.getfixturevalue("smtp_server")
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port}
    return {}


def _magic_link(mail):
    return re.search(r"http://\S+/connexion/lien/\S+", mail).group(0)


def test_magic_link_signs_in_once_and_only_by_post(app, make_member, smtp_server):
    member = make_member(name="Lucie")
    client = app.test_client()
    response = post_form(client, "/connexion/lien", {"email": member.email.upper()})
    assert "Si cette adresse correspond à un compte" in response.get_data(as_text=True)
    mail = smtp_server.body(smtp_server.wait_for(1)[0])
    assert "15 minutes" in mail
    path = _magic_link(mail).split("localhost", 1)[-1]

    # Opening the link (as a mail scanner would) does not sign in nor spend it.
    page = client.get(path)
    assert page.status_code == 200 and "Me connecter" in page.get_data(as_text=True)
    assert client.get("/profil").status_code == 302
    assert post_form(client, path).status_code == 302
    assert client.get("/profil").status_code == 200

    again = app.test_client()
    response = post_form(again, path)
    assert response.status_code == 410 and "déjà servi" in response.get_data(as_text=True)
    assert again.get("/profil").status_code == 302


def test_magic_link_answer_is_neutral_for_unknown_addresses(app, make_member, smtp_server):
    make_member()
    client = app.test_client()
    known = post_form(client, "/connexion/lien", {"email": "inconnu@le97.example"})
    assert "Si cette adresse correspond à un compte" in known.get_data(as_text=True)
    assert smtp_server.wait_for(1, timeout=0.5) == []
    assert count(LoginToken) == 0


def test_expired_magic_link_is_refused(app, make_member, smtp_server):
    member = make_member()
    client = app.test_client()
    post_form(client, "/connexion/lien", {"email": member.email})
    path = _magic_link(smtp_server.body(smtp_server.wait_for(1)[0])).split("localhost", 1)[-1]
    row = db.session.scalar(select(LoginToken))
    assert 14 <= (row.expires_at - utcnow()).total_seconds() / 60 <= 15
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = post_form(client, path)
    assert response.status_code == 410 and "a expiré" in response.get_data(as_text=True)
    assert client.get("/profil").status_code == 302


def test_magic_links_are_rate_limited(app, make_member, smtp_server):
    member = make_member()
    client = app.test_client()
    token = csrf_token(client)
    statuses = [
        client.post(
            "/connexion/lien", data={"csrf_token": token, "email": member.email}
        ).status_code
        for _ in range(6)
    ]
    assert statuses == [200] * 5 + [429]


def test_without_smtp_no_magic_link_form(client, make_member):
    make_member()
    assert "Recevoir un lien" not in client.get("/connexion").get_data(as_text=True)
    assert post_form(client, "/connexion/lien", {"email": "a@b.fr"}).status_code == 404


# -- roles, deactivation, profile ------------------------------------------------------------


def test_admin_changes_a_role_and_it_is_traced(client_as):
    admin_client, admin = client_as("admin", name="Claire")
    member = client_as("member", name="Théo")[1]
    response = post_form(admin_client, f"/admin/membres/{member.id}/role", {"role": "facilitator"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Member, member.id).role == "facilitator"
    trace = db.session.scalar(select(Trace).order_by(Trace.id.desc()))
    assert trace.verb == "role_changed" and trace.actor_id == admin.id
    assert sentence(trace) == "Claire a confié le rôle facilitateur·rice à Théo."


def test_unknown_role_and_last_admin_are_refused(client_as):
    admin_client, admin = client_as("admin")
    response = post_form(admin_client, f"/admin/membres/{admin.id}/role", {"role": "roi"})
    assert response.status_code == 400 and "Ce rôle n’existe pas" in response.get_data(as_text=True)
    response = post_form(admin_client, f"/admin/membres/{admin.id}/role", {"role": "member"})
    assert response.status_code == 409
    assert "au moins un·e administrateur·rice" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Member, admin.id).role == "admin"


def test_admin_cannot_deactivate_themself_and_can_reactivate_others(client_as):
    admin_client, admin = client_as("admin")
    member = client_as("member")[1]
    assert post_form(admin_client, f"/admin/membres/{admin.id}/desactiver").status_code == 409
    assert post_form(admin_client, f"/admin/membres/{member.id}/desactiver").status_code == 302
    db.session.expire_all()
    assert not db.session.get(Member, member.id).is_active
    assert post_form(admin_client, f"/admin/membres/{member.id}/reactiver").status_code == 302
    db.session.expire_all()
    assert db.session.get(Member, member.id).is_active


def test_profile_update_is_traced_and_validated(client_as):
    client, member = client_as("member", name="Hugo")
    response = post_form(client, "/profil", {"display_name": "Hugo Perrin", "email": member.email})
    assert response.status_code == 302
    trace = db.session.scalar(select(Trace).order_by(Trace.id.desc()))
    assert (trace.verb, sentence(trace)) == ("profile_updated", "Hugo Perrin a changé de nom.")
    other = client_as("member")[1]
    response = post_form(client, "/profil", {"display_name": "Hugo", "email": other.email})
    assert response.status_code == 400
    assert "déjà utilisée" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Member, member.id).display_name == "Hugo Perrin"


def test_password_change_requires_the_current_one(client_as):
    client, member = client_as("member")
    response = post_form(
        client,
        "/profil/mot-de-passe",
        {"current_password": "faux", "new_password": "nouveau-secret"},
    )
    assert response.status_code == 400 and "actuel est incorrect" in response.get_data(as_text=True)
    response = post_form(
        client,
        "/profil/mot-de-passe",
        {"current_password": TEST_PASSWORD, "new_password": "nouveau-secret"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert services.authenticate(member.email, "nouveau-secret").id == member.id
    with pytest.raises(ServiceError):
        services.authenticate(member.email, TEST_PASSWORD)
