"""What every response says to the browser about itself: its content policy, who may cache
it, HTTPS (Strict-Transport-Security, cookies) — for a member, an anonymous visitor, a static
file, the API, a personal feed and the widget made to be framed."""

import re

import pytest
from flask import url_for

from meeting.api import tokens as api_tokens
from meeting.feeds import tokens as feed_tokens
from tests.conftest import TEST_PASSWORD, post_form, sign_in

STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
}


def policy(response):
    """The Content-Security-Policy as {directive: sources}."""
    found = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, _space, sources = part.strip().partition(" ")
        found[name] = sources.strip()
    return found


def assert_strict(response):
    found = policy(response)
    for name, sources in STRICT.items():
        assert found.get(name) == sources, (name, found)
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# -- the content policy ------------------------------------------------------------------------


def test_a_member_page_has_the_strict_policy_and_is_stored_nowhere(client_as):
    member_client, member = client_as()
    page = member_client.get("/")
    assert page.status_code == 200 and member.display_name in page.get_data(as_text=True)
    assert_strict(page)
    assert page.headers["Cache-Control"] == "no-store"


def test_no_template_has_an_inline_script_or_an_event_handler_attribute():
    """The strict policy refuses them: a page that had one would lose it in the browser."""
    from meeting.config import ROOT

    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for script in re.findall(r"<script\b[^>]*>(.*?)</script>", text, re.DOTALL):
            assert not script.strip(), f"inline script in {path}"
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", text), f"on…= handler in {path}"


def test_an_anonymous_public_page_keeps_its_caching_and_the_strict_policy(client, make_member):
    make_member()  # else /connexion sends to the first-run page
    page = client.get("/connexion")
    assert page.status_code == 200
    assert_strict(page)
    assert "no-store" not in page.headers.get("Cache-Control", "")


def test_a_static_file_keeps_its_caching(app, client_as):
    member_client, _member = client_as()
    for reader in (app.test_client(), member_client):
        css = reader.get("/static/css/main.css")
        assert css.status_code == 200
        assert "no-store" not in css.headers.get("Cache-Control", "")
        assert css.headers.get("ETag") or css.headers.get("Last-Modified")
        css.close()


def test_a_guests_page_is_stored_nowhere(live_friday):
    friday = live_friday(guests=["Lou"])
    phone = friday.guests["Lou"].get(f"/vendredi/{friday.meeting.scheduled_for.isoformat()}/direct")
    assert phone.status_code == 200 and "Lou" in phone.get_data(as_text=True)
    assert phone.headers["Cache-Control"] == "no-store"


def test_the_service_worker_stays_no_cache_and_the_offline_copy_is_still_marked(client_as):
    member_client, _member = client_as()
    worker = member_client.get("/sw.js")
    assert worker.headers["Cache-Control"] == "no-cache"
    page = member_client.get("/")
    # The worker keeps its copies in the Cache API, which `no-store` does not stop.
    assert page.headers["X-Vendredi-Audience"] not in ("", "anonymous")
    assert page.headers["Cache-Control"] == "no-store"


def test_the_api_is_stored_nowhere_whoever_asks(app, client, make_member):
    member = make_member(name="Inès")
    _row, token = api_tokens.create_token(member, "Script")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["me"]["id"] == member.id
    assert me.headers["Cache-Control"] == "no-store"
    anonymous = client.get("/api/v1/events")
    assert anonymous.status_code == 200
    assert anonymous.headers["Cache-Control"] == "no-store"
    assert_strict(anonymous)


def test_a_personal_feed_is_stored_nowhere_the_public_calendar_is_cached(app, make_member):
    member = make_member(name="Inès")
    reader = app.test_client()  # a feed reader: no session, the personal address
    feed = reader.get(f"/decisions.atom?jeton={feed_tokens.create_token(member)}")
    assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"
    assert feed.headers["Cache-Control"] == "no-store"
    token = feed_tokens.create_token(member, scope="calendar")
    calendar = reader.get(f"/agenda/personnel.ics?jeton={token}")
    assert calendar.status_code == 200 and b"BEGIN:VCALENDAR" in calendar.data
    assert calendar.headers["Cache-Control"] == "no-store"
    public = reader.get("/agenda.ics")
    assert public.headers["Cache-Control"] == "public, max-age=300"


def test_the_widget_keeps_its_own_policy_and_may_be_framed(client):
    widget = client.get("/agenda/widget")
    assert widget.status_code == 200
    assert "X-Frame-Options" not in widget.headers
    found = policy(widget)
    assert found["frame-ancestors"] == "*"
    assert found["base-uri"] == "'none'"
    assert found["default-src"] == "'none'"
    assert widget.headers["Cache-Control"] == "public, max-age=300"


def test_a_members_export_and_picture_are_stored_nowhere(client_as):
    member_client, _member = client_as()
    export = member_client.get("/vie-du-lieu/presence.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert export.headers["Cache-Control"] == "no-store"
    picture = member_client.get("/vie-du-lieu/presence.svg")
    assert picture.status_code == 200 and picture.mimetype == "image/svg+xml"
    assert picture.headers["Cache-Control"] == "no-store"
    # The picture's own policy (it is shown in an <img>), no <base> in it.
    assert "default-src 'none'" in picture.headers["Content-Security-Policy"]


# -- HTTPS -------------------------------------------------------------------------------------


def session_cookie(response, app):
    name = app.config["SESSION_COOKIE_NAME"]
    (line,) = [v for v in response.headers.getlist("Set-Cookie") if v.startswith(name + "=")]
    return {part.strip().split("=")[0].lower() for part in line.split(";")[1:]}, line


class TestHttpsOff:
    @pytest.fixture
    def config_overrides(self, monkeypatch):
        monkeypatch.delenv("HTTPS", raising=False)
        return {}

    def test_no_hsts_cookies_without_secure_links_in_http(self, app, client, make_member):
        member = make_member()
        signed_in = sign_in(client, member)
        flags, line = session_cookie(signed_in, app)
        assert {"httponly", "samesite"} <= flags and "SameSite=Lax" in line
        assert "secure" not in flags
        page = client.get("/")
        assert page.status_code == 200
        assert "Strict-Transport-Security" not in page.headers
        with app.test_request_context():
            assert url_for("prep.home", _external=True).startswith("http://")


class TestHttpsOn:
    @pytest.fixture
    def config_overrides(self, monkeypatch):
        monkeypatch.setenv("HTTPS", "1")
        return {}

    def test_hsts_secure_cookies_and_https_links(self, app, make_member):
        member = make_member()
        browser = app.test_client()
        sign_in_page = browser.get("https://localhost/connexion")
        assert sign_in_page.headers["Strict-Transport-Security"] == "max-age=31536000"
        signed_in = post_form(
            browser,
            "https://localhost/connexion",
            {"email": member.email, "password": TEST_PASSWORD},
            headers={"Referer": "https://localhost/connexion"},
        )
        assert signed_in.status_code == 302, signed_in.get_data(as_text=True)[:300]
        flags, line = session_cookie(signed_in, app)
        assert {"secure", "httponly", "samesite"} <= flags and "SameSite=Lax" in line
        assert app.config["REMEMBER_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
        page = browser.get("https://localhost/")
        assert page.status_code == 200 and member.display_name in page.get_data(as_text=True)
        assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
        assert "includeSubDomains" not in page.headers["Strict-Transport-Security"]
        css = browser.get("https://localhost/static/css/main.css")
        assert css.headers["Strict-Transport-Security"] == "max-age=31536000"
        css.close()
        with app.test_request_context():
            assert url_for("prep.home", _external=True).startswith("https://")
