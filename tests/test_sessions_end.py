"""Sessions that end (issue 14): every signed-in browser has a row on the server, so a copy of
its cookie kept after sign-out, a password change or a deactivation is refused, over HTTP and
when it opens a socket."""

import re
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import select

from meeting.extensions import db
from meeting.members import services
from meeting.models import Member, MemberSession
from meeting.models.base import utcnow
from tests.conftest import TEST_PASSWORD, post_form, sign_in

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)

EDGE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
)


def browser(app, user_agent=FIREFOX):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    return client


def signed_in(app, member, user_agent=FIREFOX, remember=False):
    client = browser(app, user_agent)
    sign_in(client, member, remember=remember)
    return client


def cookie_of(app, client):
    return client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def with_cookie(app, value, user_agent=FIREFOX):
    """Another browser holding a copy of a saved session cookie (an attacker's)."""
    client = browser(app, user_agent)
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], value)
    return client


def rows_of(member):
    db.session.rollback()
    return db.session.scalars(
        select(MemberSession).where(MemberSession.member_id == member.id).order_by(MemberSession.id)
    ).all()


def refused(response):
    return response.status_code == 302 and "/connexion" in response.headers["Location"]


def page(response):
    return response.get_data(as_text=True).replace("\u00a0", " ").replace("\u202f", " ")


# -- sign-out ----------------------------------------------------------------------------------


def test_a_cookie_saved_before_sign_out_is_refused_after_it_over_http(app, make_member):
    member = make_member()
    client = signed_in(app, member)
    saved = cookie_of(app, client)
    (row,) = rows_of(member)
    assert row.revoked_at is None and row.user_agent == "Firefox/Linux"
    copy = with_cookie(app, saved)
    assert copy.get("/profil").status_code == 200  # the copy works while the session is open

    assert post_form(client, "/deconnexion").status_code == 302
    (row,) = rows_of(member)
    assert row.revoked_at is not None
    for attempt in (copy.get("/profil"), with_cookie(app, saved).get("/profil")):
        assert refused(attempt)
    # The refused copy is told to forget the member: its next cookie names nobody.
    assert "Mon profil" not in page(copy.get("/", follow_redirects=True))
    # A form post with the copy changes nothing either.
    response = post_form(with_cookie(app, saved), "/profil", {"display_name": "Pirate"})
    assert refused(response)
    db.session.rollback()
    assert db.session.get(Member, member.id).display_name == member.display_name


def test_a_cookie_saved_before_sign_out_cannot_open_a_socket(app, make_member, socket_for):
    member = make_member()
    client = signed_in(app, member)
    saved = cookie_of(app, client)
    open_socket = socket_for(client)
    assert open_socket.connected
    assert open_socket.command("sync_traces", {"after": 0})["ok"] is True

    post_form(client, "/deconnexion")
    # The socket of this browser session was closed …
    assert not open_socket.connected
    # … and the saved cookie cannot open a new one, which could write.
    attacker = socket_for(with_cookie(app, saved))
    assert not attacker.connected


def test_a_session_from_before_sessions_had_rows_is_signed_out(app, make_member, socket_for):
    """What the migration leaves: cookies naming a member but no session row."""
    member = make_member()
    client = browser(app)
    client.get("/connexion")
    with client.session_transaction() as sess:
        sess["_user_id"] = str(member.id)
        sess["_fresh"] = True
        sess["sid"] = "a-session-key-from-before-the-migration"
    assert refused(client.get("/profil"))
    with client.session_transaction() as sess:
        assert "_user_id" not in sess and "sid" not in sess
    # Signing in again works as always.
    sign_in(client, member)
    assert client.get("/profil").status_code == 200


def test_every_sign_in_door_opens_a_session_row(app):
    client = browser(app, IPHONE_SAFARI)
    response = post_form(
        client,
        "/installation",
        {"display_name": "Première", "email": "premiere@le97.example", "password": "12345678"},
    )
    assert response.status_code == 302
    admin = db.session.scalar(select(Member).where(Member.email == "premiere@le97.example"))
    (row,) = rows_of(admin)
    assert row.user_agent == "Safari/iPhone" and row.revoked_at is None
    assert client.get("/profil").status_code == 200

    _invitation, link, _mailed = services.invite(admin)
    newcomer = browser(app, ANDROID_CHROME)
    path = link.split("localhost", 1)[-1]
    response = post_form(
        newcomer,
        path,
        {"display_name": "Nouvelle", "email": "nouvelle@le97.example", "password": "12345678"},
    )
    assert response.status_code == 302
    member = db.session.scalar(select(Member).where(Member.email == "nouvelle@le97.example"))
    (row,) = rows_of(member)
    assert row.user_agent == "Chrome/Android"
    assert newcomer.get("/profil").status_code == 200
    saved = cookie_of(app, newcomer)
    post_form(newcomer, "/deconnexion")
    assert refused(with_cookie(app, saved).get("/profil"))


# -- password change, deactivation, the other devices ---------------------------------------------


def test_a_password_change_ends_the_other_devices_but_not_this_one(app, make_member, socket_for):
    member = make_member()
    here = signed_in(app, member)
    phone = signed_in(app, member, ANDROID_CHROME)
    phone_saved = cookie_of(app, phone)
    phone_socket = socket_for(phone)
    here_socket = socket_for(here)
    assert phone_socket.connected and here_socket.connected

    response = post_form(
        here,
        "/profil/mot-de-passe",
        {"current_password": TEST_PASSWORD, "new_password": "un-nouveau-secret"},
    )
    assert response.status_code == 302
    assert here.get("/profil").status_code == 200  # still signed in where it was changed
    assert refused(phone.get("/profil"))
    assert refused(with_cookie(app, phone_saved, ANDROID_CHROME).get("/profil"))
    # The phone's socket was closed; this browser's stays open and works.
    assert not phone_socket.connected
    assert here_socket.connected and here_socket.facts("connection_closed") == []
    assert here_socket.command("sync_traces", {"after": 0})["ok"] is True
    assert not socket_for(with_cookie(app, phone_saved)).connected
    revoked = [row.revoked_at is not None for row in rows_of(member)]
    assert revoked == [False, True]


def test_a_refused_password_change_ends_nothing(app, make_member):
    member = make_member()
    here = signed_in(app, member)
    phone = signed_in(app, member, ANDROID_CHROME)
    response = post_form(
        here, "/profil/mot-de-passe", {"current_password": "faux", "new_password": "12345678"}
    )
    assert response.status_code == 400
    assert phone.get("/profil").status_code == 200
    assert [row.revoked_at for row in rows_of(member)] == [None, None]


def test_deactivation_ends_every_session_even_after_reactivation(
    app, client_as, make_member, socket_for
):
    admin_client, _admin = client_as("admin")
    member = make_member()
    laptop, phone = signed_in(app, member), signed_in(app, member, ANDROID_CHROME)
    saved = [cookie_of(app, laptop), cookie_of(app, phone)]
    phone_socket = socket_for(phone)
    response = post_form(admin_client, f"/admin/membres/{member.id}/desactiver")
    assert response.status_code == 302
    assert all(row.revoked_at is not None for row in rows_of(member))
    assert refused(laptop.get("/profil")) and refused(phone.get("/profil"))
    assert not phone_socket.connected
    # Reactivated, the account is usable again, but not through the old cookies.
    assert post_form(admin_client, f"/admin/membres/{member.id}/reactiver").status_code == 302
    for value in saved:
        assert refused(with_cookie(app, value).get("/profil"))
        assert not socket_for(with_cookie(app, value)).connected
    assert signed_in(app, member).get("/profil").status_code == 200
    assert admin_client.get("/profil").status_code == 200  # the admin's own session is untouched


def test_sign_out_of_the_other_devices_from_the_profile(app, make_member, socket_for):
    member = make_member()
    here = signed_in(app, member, FIREFOX, remember=True)
    phone = signed_in(app, member, ANDROID_CHROME)
    tablet = signed_in(app, member, IPHONE_SAFARI)
    other = make_member()
    others_client = signed_in(app, other)
    tablet_socket = socket_for(tablet)

    profile = page(here.get("/profil"))
    assert "Mes appareils connectés" in profile
    for device in ("Firefox sur Linux", "Chrome sur Android", "Safari sur iPhone"):
        assert device in profile
    assert profile.count("cet appareil") == 1
    assert "reste connecté·e 30 jours" in profile
    assert re.search(r"Connecté·e depuis le \w+ \d+", profile)
    assert "Se déconnecter des autres appareils" in profile

    response = post_form(here, "/profil/appareils/deconnecter", {"op": "end_other_sessions"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#appareils")
    landing = page(here.get(response.headers["Location"]))
    assert "2 autres appareils sont déconnectés." in landing
    assert "Chrome sur Android" not in landing and "Firefox sur Linux" in landing
    assert "Vous n’êtes connecté·e sur aucun autre appareil." in landing
    assert refused(phone.get("/profil")) and refused(tablet.get("/profil"))
    assert not tablet_socket.connected
    assert others_client.get("/profil").status_code == 200  # someone else's sessions stay

    again = post_form(here, "/profil/appareils/deconnecter", {"op": "end_other_sessions"})
    assert "Aucun autre appareil n’était connecté." in page(here.get(again.headers["Location"]))


def test_sign_out_of_the_other_devices_needs_a_session_and_the_form_token(app, make_member):
    member = make_member()
    here = signed_in(app, member)
    phone = signed_in(app, member, ANDROID_CHROME)
    # Without the CSRF token (a foreign page's form), nothing ends.
    assert here.post("/profil/appareils/deconnecter").status_code == 400
    assert phone.get("/profil").status_code == 200
    anonymous = browser(app)
    assert refused(post_form(anonymous, "/profil/appareils/deconnecter"))
    assert phone.get("/profil").status_code == 200


# -- remember me, last seen ------------------------------------------------------------------------


def test_remember_me_still_keeps_the_session_thirty_days(app, make_member):
    member = make_member()
    client = browser(app)
    response = sign_in(client, member, remember=True)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if "vendredi_session" in c)
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    assert 29 <= (expires.replace(tzinfo=None) - utcnow()).days <= 30
    (row,) = rows_of(member)
    assert row.remember is True
    assert client.get("/profil").status_code == 200
    with client.session_transaction() as sess:
        assert sess.permanent
    short = browser(app)
    response = sign_in(short, make_member(), remember=False)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if "vendredi_session" in c)
    assert "Expires=" not in cookie


def test_last_seen_is_written_every_few_minutes_not_on_each_request(app, make_member):
    member = make_member()
    client = signed_in(app, member)
    (row,) = rows_of(member)
    first_seen = row.last_seen_at
    client.get("/profil")
    (row,) = rows_of(member)
    assert row.last_seen_at == first_seen  # seen a moment ago: nothing written

    long_ago = utcnow() - timedelta(minutes=10)
    row.last_seen_at = long_ago
    db.session.commit()
    client.get("/")
    (row,) = rows_of(member)
    assert row.last_seen_at > long_ago + timedelta(minutes=9)


def test_a_session_unseen_for_thirty_days_is_refused_and_ended_ones_are_purged(app, make_member):
    member = make_member()
    old = signed_in(app, member)
    kept = signed_in(app, member, user_agent=EDGE)
    signed_in(app, member, user_agent=ANDROID_CHROME)  # the session revoked below
    assert old.get("/profil").status_code == 200
    rows = rows_of(member)
    rows[2].revoked_at = utcnow()
    rows[0].last_seen_at = utcnow() - timedelta(days=31)
    db.session.commit()

    # A cookie kept past the lifetime of a session is worth nothing, even never signed out.
    assert refused(old.get("/profil"))
    assert kept.get("/profil").status_code == 200

    # The next sign-in clears this member's ended and expired rows; the open one stays.
    signed_in(app, member, user_agent=IPHONE_SAFARI)
    assert [row.user_agent for row in rows_of(member)] == ["Edge/Windows", "Safari/iPhone"]


@pytest.mark.parametrize(
    ("user_agent", "summary"),
    [
        (FIREFOX, "Firefox/Linux"),
        (ANDROID_CHROME, "Chrome/Android"),
        (IPHONE_SAFARI, "Safari/iPhone"),
        (EDGE, "Edge/Windows"),
        ("curl/8.5.0", ""),
        ("", ""),
    ],
)
def test_the_device_is_summarized_not_stored_whole(user_agent, summary):
    from meeting.members.sessions import summarize_user_agent

    assert summarize_user_agent(user_agent) == summary
