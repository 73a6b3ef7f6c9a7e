"""Redirects a visitor chooses stay inside the app (issue 14): `next` after sign-in (password,
e-mail link) and the language switch's way back, on this host, under the sub-path prefix."""

import re
from urllib.parse import urlencode, urljoin, urlsplit

import pytest

from meeting.safe_redirect import app_path
from tests.conftest import TEST_PASSWORD, csrf_token, post_form, sign_in

NASTY = [
    "//evil.example",
    "///evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/%09/evil.example",
    "/%2F%2Fevil.example",
    "/%2f%2fevil.example",
    "/%5Cevil.example",
    "/%252F%252Fevil.example",
    "/.//evil.example",
    "/./%2F/evil.example",
    " //evil.example",
    "\u2028//evil.example",
    "/\u200b/evil.example",
    "https://evil.example/",
    "HTTPS://evil.example",
    "http:evil.example",
    "//evil.example@localhost/",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "/ /evil.example",
]
GOOD = [
    ("/traces/", "/traces/"),
    ("/recherche?q=pain+noir&page=2#resultats", "/recherche?q=pain+noir&page=2#resultats"),
    ("/vendredi/2026-12-11/", "/vendredi/2026-12-11/"),
    ("/propositions/%C3%A9t%C3%A9", "/propositions/%C3%A9t%C3%A9"),
    ("  /traces/  ", "/traces/"),
]


def on_this_host(location):
    """Where a browser goes for this Location, from a page of the app."""
    resolved = urlsplit(urljoin("http://localhost/connexion", location))
    return resolved.scheme == "http" and resolved.netloc == "localhost"


@pytest.mark.parametrize("target", NASTY)
def test_a_nasty_next_is_not_a_path_of_the_app(target):
    assert app_path(target) is None


@pytest.mark.parametrize(("target", "kept"), GOOD)
def test_a_plain_next_is_kept_whole(target, kept):
    assert app_path(target) == kept


@pytest.mark.parametrize("target", NASTY)
def test_sign_in_never_sends_anyone_elsewhere(app, make_member, target):
    member = make_member()
    client = app.test_client()
    data = {"email": member.email, "password": TEST_PASSWORD, "next": target}
    response = post_form(client, "/connexion", data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/" and on_this_host(response.headers["Location"])
    # Signed in already, the GET of the sign-in page follows `next` at once: home too.
    response = client.get("/connexion?" + urlencode({"next": target}))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    # The sign-in page does not carry a refused target on in its form.
    anonymous = app.test_client()
    page = anonymous.get("/connexion?" + urlencode({"next": target})).get_data(as_text=True)
    assert 'name="next" value=""' in page


def test_the_reported_tab_redirect_is_closed(app, make_member):
    """`GET /connexion?next=/%09/evil.example` answered `Location: //evil.example`."""
    member = make_member()
    client = app.test_client()
    sign_in(client, member)
    for query in ("next=/%09/evil.example", "next=/%5C/evil.example", "next=%2F%2Fevil.example"):
        response = client.get("/connexion?" + query)
        assert response.headers["Location"] == "/", query


@pytest.mark.parametrize("target", NASTY)
def test_the_language_switch_never_sends_anyone_elsewhere(app, target):
    client = app.test_client()
    response = post_form(client, "/langue", {"lang": "fr", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/" and on_this_host(response.headers["Location"])


@pytest.mark.parametrize(("target", "kept"), GOOD)
def test_a_good_next_is_followed_after_sign_in(app, make_member, target, kept):
    member = make_member()
    client = app.test_client()
    data = {"email": member.email, "password": TEST_PASSWORD, "next": target}
    response = post_form(client, "/connexion", data)
    assert response.headers["Location"] == kept


def test_a_good_next_is_followed_under_a_sub_path(app, make_member):
    """Served at /vendredi/ (nginx): `next` is a path inside the app, the prefix is added."""
    member = make_member()
    client = app.test_client()
    base = "http://localhost/vendredi"
    # A members' page sends the anonymous visitor to sign in, with the way back.
    response = client.get("/recherche?q=pain", base_url=base)
    assert response.status_code == 302
    assert response.headers["Location"] == "/vendredi/connexion?next=%2Frecherche%3Fq%3Dpain"
    form = client.get(response.headers["Location"].removeprefix("/vendredi"), base_url=base)
    assert 'name="next" value="/recherche?q=pain"' in form.get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', form.get_data(as_text=True))
    response = client.post(
        "/connexion",
        base_url=base,
        data={
            "csrf_token": token.group(1),
            "email": member.email,
            "password": TEST_PASSWORD,
            "next": "/recherche?q=pain",
        },
    )
    assert response.headers["Location"] == "/vendredi/recherche?q=pain"
    # A Friday's document: the app's own /vendredi/<date>/ under the /vendredi prefix.
    response = client.get("/connexion?next=/vendredi/2026-12-11/", base_url=base)
    assert response.headers["Location"] == "/vendredi/vendredi/2026-12-11/"
    # The language switch goes back to the page under the prefix, and nowhere else.
    token = csrf_token(client)
    back = client.post(
        "/langue", base_url=base, data={"csrf_token": token, "lang": "fr", "next": "/traces/"}
    )
    assert back.headers["Location"] == "/vendredi/traces/"
    away = client.post(
        "/langue", base_url=base, data={"csrf_token": token, "lang": "fr", "next": "//evil.example"}
    )
    assert away.headers["Location"] == "/vendredi/"


def test_an_anonymous_visitor_is_sent_to_sign_in_with_the_way_back(app, make_member):
    member = make_member()
    client = app.test_client()
    response = client.get("/profil")
    assert response.headers["Location"] == "/connexion?next=%2Fprofil"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Connectez-vous pour voir cette page." in page
    data = {"email": member.email, "password": TEST_PASSWORD, "next": "/profil"}
    assert post_form(client, "/connexion", data).headers["Location"] == "/profil"


@pytest.fixture
def config_overrides(request):
    if "smtp_server" in request.fixturenames:
        smtp = request.getfixturevalue("smtp_server")
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port}
    return {}


@pytest.mark.parametrize(("target", "landing"), [("/traces/", "/traces/"), ("//evil.example", "/")])
def test_the_e_mail_link_leads_to_next_and_nowhere_else(
    app, make_member, smtp_server, target, landing
):
    member = make_member()
    client = app.test_client()
    post_form(client, "/connexion/lien", {"email": member.email, "next": target})
    mail = smtp_server.body(smtp_server.wait_for(1)[0])
    link = re.search(r"http://\S+/connexion/lien/\S+", mail).group(0)
    assert "evil.example" not in link
    path = link.split("localhost", 1)[-1]
    response = post_form(client, path)
    assert response.status_code == 302 and response.headers["Location"] == landing
    assert client.get("/profil").status_code == 200
    # A link whose `next` was changed on the way is checked again.
    client = app.test_client()
    post_form(client, "/connexion/lien", {"email": member.email})
    mail = smtp_server.body(smtp_server.wait_for(2)[-1])
    path = re.search(r"http://\S+/connexion/lien/\S+", mail).group(0).split("localhost", 1)[-1]
    response = post_form(client, path + "?" + urlencode({"next": "/%09/evil.example"}))
    assert response.headers["Location"] == "/"
