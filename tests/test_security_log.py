"""Refused actions in the security log (`vendredi.security`): one line each, saying the kind,
the door, who (member id or address) and where, never the secret that was tried."""

import logging

import pytest
from sqlalchemy import func, select

from meeting.api import tokens as api_tokens
from meeting.commands import refusal
from meeting.extensions import db
from meeting.feeds import tokens as feed_tokens
from meeting.models import Entry, Meeting
from tests.conftest import TEST_PASSWORD, csrf_token, post_form

LOGGER = "vendredi.security"


@pytest.fixture
def security_lines(caplog):
    """The lines written to the security log since the test began (call it to read them)."""
    caplog.set_level(logging.INFO, logger=LOGGER)

    def lines():
        return [r.getMessage() for r in caplog.records if r.name == LOGGER]

    return lines


def fields(line):
    """`refused kind=… door=…` as {name: value}."""
    assert line.startswith("refused ")
    return dict(part.split("=", 1) for part in line.split()[1:])


def only_line(lines):
    assert len(lines) == 1, lines
    return fields(lines[0])


def live_revision(meeting):
    db.session.rollback()
    return db.session.get(Meeting, meeting.id).live_revision


def test_a_member_sending_a_facilitators_command_is_written_down(
    live_friday, client_as, socket_for, security_lines
):
    friday = live_friday()
    member_client, member = client_as(name="Noé")
    before = live_revision(friday.meeting)
    ack = socket_for(member_client).command(
        "advance_item", {"meeting_id": friday.meeting.id, "live_revision": before}
    )
    assert ack["ok"] is False and ack["error"] == "forbidden"
    assert live_revision(friday.meeting) == before  # the agenda did not move
    line = only_line(security_lines())
    assert line["kind"] == "permission" and line["door"] == "socket"
    assert line["member"] == str(member.id)
    assert line["command"] == "advance_item" and line["code"] == "forbidden"
    assert line["address"] == "127.0.0.1"


def test_a_guest_sending_a_members_command_is_written_down(live_friday, socket_for, security_lines):
    friday = live_friday(guests=["Lou"])
    ack = socket_for(friday.guests["Lou"]).command(
        "advance_item",
        {"meeting_id": friday.meeting.id, "live_revision": live_revision(friday.meeting)},
    )
    assert ack["ok"] is False and ack["error"] == "forbidden"
    line = only_line(security_lines())
    assert line["kind"] == "permission" and line["door"] == "socket"
    assert "member" not in line and line["guest"].isdigit()


def test_an_allowed_command_writes_nothing(live_friday, socket_for, security_lines, app):
    from tests.conftest import sign_in

    friday = live_friday()
    console = app.test_client()
    sign_in(console, friday.facilitator)
    ack = socket_for(console).command(
        "advance_item",
        {"meeting_id": friday.meeting.id, "live_revision": live_revision(friday.meeting)},
    )
    assert ack["ok"] is True, ack
    assert security_lines() == []


def test_an_anonymous_form_post_is_written_down_with_the_address(
    app, client, live_friday, security_lines
):
    friday = live_friday()
    day = friday.meeting.scheduled_for.isoformat()
    entries = db.session.scalar(select(func.count()).select_from(Entry))
    response = post_form(
        client, f"/vendredi/{day}/entrees", {"kind": "topic", "title": "Intrus", "body": "…"}
    )
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Entry)) == entries
    line = only_line(security_lines())
    assert line["kind"] == "not_signed_in" and line["door"] == "form"
    assert line["address"] == "127.0.0.1" and "member" not in line
    assert line["method"] == "POST" and line["route"] == "/vendredi/<day>/entrees"


def test_an_anonymous_api_command_is_written_down(client, live_friday, security_lines):
    friday = live_friday()
    response = client.post(
        "/api/v1/commands/add_entry",
        json={"meeting_id": friday.meeting.id, "kind": "topic", "title": "Intrus", "body": "…"},
    )
    assert response.status_code == 401 and response.get_json()["error"] == "not_signed_in"
    line = only_line(security_lines())
    assert line["kind"] == "not_signed_in" and line["door"] == "api"
    assert line["command"] == "add_entry"


def test_a_bad_api_token_is_written_down_without_the_token(client, make_member, security_lines):
    member = make_member()
    _row, good = api_tokens.create_token(member, "Script")
    tried = good[:-6] + "XXXXXX"
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {tried}"})
    assert response.status_code == 401 and response.get_json()["error"] == "bad_token"
    (line_text,) = security_lines()
    assert tried not in line_text and good not in line_text and "Bearer" not in line_text
    line = fields(line_text)
    assert line["kind"] == "bad_token" and line["door"] == "api"
    assert line["address"] == "127.0.0.1" and line["route"].startswith("/api/v1/me")


def test_a_bad_feed_token_is_written_down_without_the_token(app, make_member, security_lines):
    member = make_member()
    good = feed_tokens.create_token(member)
    tried = good[:-4] + "abcd"
    reader = app.test_client()
    response = reader.get(f"/decisions.atom?jeton={tried}")
    assert response.status_code == 403 and b"<feed" not in response.data
    calendar = reader.get(f"/agenda/personnel.ics?jeton={tried}")
    assert calendar.status_code == 403 and b"VCALENDAR" not in calendar.data
    lines = security_lines()
    assert len(lines) == 2, lines
    for text, route in zip(lines, ("/decisions.atom", "/agenda/personnel.ics"), strict=True):
        assert tried not in text and good not in text and "jeton" not in text
        line = fields(text)
        assert line["kind"] == "bad_token" and line["door"] == "feed"
        assert line["code"] == "bad_feed_token" and line["route"] == route


def test_a_csrf_failure_is_written_down_with_the_member(client_as, live_friday, security_lines):
    friday = live_friday()
    day = friday.meeting.scheduled_for.isoformat()
    member_client, member = client_as(name="Noé")
    token = csrf_token(member_client)
    entries = db.session.scalar(select(func.count()).select_from(Entry))
    response = member_client.post(
        f"/vendredi/{day}/entrees",
        data={"csrf_token": token[:-3] + "abc", "kind": "topic", "title": "Sans jeton"},
    )
    assert response.status_code == 400
    assert "Le formulaire a expiré" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Entry)) == entries
    (text,) = security_lines()
    assert token not in text and token[:-3] not in text
    line = fields(text)
    assert line["kind"] == "csrf" and line["door"] == "form"
    assert line["member"] == str(member.id)


def test_an_unknown_magic_link_is_written_down_by_its_route_not_its_token(client, security_lines):
    response = client.get("/connexion/lien/un-jeton-invente-123")
    assert response.status_code == 404
    (text,) = security_lines()
    assert "un-jeton-invente-123" not in text
    line = fields(text)
    assert line["kind"] == "bad_token" and "<token>" in line["route"]


def test_too_many_sign_in_attempts_are_written_down(client, make_member, security_lines):
    member = make_member()
    statuses = []
    for _ in range(11):
        response = post_form(client, "/connexion", {"email": member.email, "password": "non"})
        statuses.append(response.status_code)
    assert statuses[-1] == 429 and 429 not in statuses[:-1]
    line = only_line(security_lines())
    assert line["kind"] == "rate_limited" and line["door"] == "form"
    assert line["route"] == "/connexion" and TEST_PASSWORD not in str(line)


def test_a_member_refused_a_page_is_written_down(client_as, security_lines):
    member_client, member = client_as()
    response = member_client.get("/admin/membres")
    assert response.status_code == 403
    line = only_line(security_lines())
    assert line["kind"] == "permission" and line["door"] == "http"
    assert line["member"] == str(member.id) and line["method"] == "GET"


def test_a_socket_handshake_from_another_origin_is_written_down(client, security_lines):
    response = client.get(
        "/socket.io/?EIO=4&transport=polling", headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 400
    line = only_line(security_lines())
    assert line["kind"] == "origin" and line["door"] == "socket"
    assert line["detail"] == "https://evil.example" and line["address"] == "127.0.0.1"
    same = client.get("/socket.io/?EIO=4&transport=polling", headers={"Origin": "http://localhost"})
    assert same.status_code == 200
    assert len(security_lines()) == 1


def test_a_socket_rate_limit_refusal_is_written_down(app, security_lines):
    """Whoever refuses a socket command as `rate_limited` through `refusal` is logged."""
    with app.test_request_context("/socket.io/"):
        ack = refusal("rate_limited", "Trop de commandes.")
    assert ack["error"] == "rate_limited"
    line = only_line(security_lines())
    assert line["kind"] == "rate_limited" and line["door"] == "socket"


class TestBehindAProxy:
    @pytest.fixture
    def config_overrides(self):
        return {"PROXY_COUNT": 1, "TRUSTED_PROXIES": "127.0.0.1"}

    def test_the_address_is_the_one_the_trusted_proxy_gives(self, client, security_lines):
        response = client.get(
            "/api/v1/me",
            headers={"Authorization": "Bearer vdr_nope", "X-Forwarded-For": "203.0.113.7"},
        )
        assert response.status_code == 401
        assert only_line(security_lines())["address"] == "203.0.113.7"


def test_a_flood_of_refusals_writes_a_bounded_number_of_lines(
    live_friday, client_as, socket_for, security_lines, monkeypatch
):
    from meeting.ops import security

    friday = live_friday()
    member_client, member = client_as(name="Noé")
    page = socket_for(member_client)
    data = {"meeting_id": friday.meeting.id, "live_revision": live_revision(friday.meeting)}
    acks = [page.command("advance_item", data) for _ in range(security.BURST + 5)]
    assert {ack["error"] for ack in acks} == {"forbidden"}  # every one refused all the same
    assert len(security_lines()) == security.BURST
    # The window is over (made so without waiting a minute): the next line counts the others.
    monkeypatch.setattr(security, "WINDOW_SECONDS", 0.0)
    page.command("advance_item", data)
    last = fields(security_lines()[-1])
    assert len(security_lines()) == security.BURST + 1
    assert last["left_out"] == "5" and last["member"] == str(member.id)
