"""Links in fragments and e-mails made outside a page request point where people reach the place.

Served under `/vendredi/` behind a proxy (or with PUBLIC_URL set), a fact rendered in a socket
handler or in a background task must keep the sub-path prefix and the scheme: a live-added
entry links to its pages, the projector's join URL and QR code stay inside the app, an e-mailed
invitation opens. (The browser journey behind a real nginx is tests/browser/test_subpath_journey.)
"""

import re

import pytest
from flask import has_request_context

from meeting.extensions import socketio
from meeting.live import services as agenda
from meeting.live import state
from meeting.meetings import dates
from meeting.members import services as members
from meeting.prep import services as prep
from meeting.realtime import NAMESPACE, wait_for_soon_facts
from tests.conftest import LiveClient, end_test_transaction, isolated, post_form

PUBLIC = {"PUBLIC_URL": "https://le97.example/vendredi", "PROXY_COUNT": 1}
BEHIND_PROXY = {"PROXY_COUNT": 1}
FORWARDED = {
    "X-Forwarded-For": "203.0.113.9",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "le97.example",
    "X-Forwarded-Prefix": "/vendredi",
}


class ProxiedLiveClient(LiveClient):
    """A socket whose handshake came through the proxy (its headers, never seen by ProxyFix)."""

    def __init__(self, app, http_client=None, headers=None):
        end_test_transaction()
        self.sock = isolated(
            socketio.test_client,
            app,
            namespace=NAMESPACE,
            flask_test_client=http_client,
            headers=headers,
        )


@pytest.fixture
def sockets(app):
    made = []

    def make(http_client=None, headers=FORWARDED):
        sock = ProxiedLiveClient(app, http_client, headers)
        made.append(sock)
        return sock

    yield make
    for sock in made:
        sock.disconnect()


@pytest.fixture
def friday(client_as, live_friday):
    """A live Friday with two points after the check-in, and its facilitator's HTTP client."""
    console_http, camille = client_as("facilitator", name="Camille")
    meeting = live_friday(camille, author=camille).meeting
    return meeting, camille, console_http


def one_fact(sock, name, seconds=3.0):
    import time

    deadline = time.monotonic() + seconds
    found = sock.facts(name)
    while not found and time.monotonic() < deadline:
        time.sleep(0.05)
        found = sock.facts(name)
    assert len(found) == 1, (name, found)
    return found[0]["args"][0]


def links(html):
    return re.findall(r'(?:href|action)="([^"]+)"', html)


def join_url_shown(html):
    """The join address the projector shows, in its text and in its QR code's alternative."""
    text = re.search(r"Pour suivre sur votre téléphone\W+(\S+), code", html.replace("\xa0", " "))
    alt = re.search(r'alt="QR code vers ([^"]+)"', html)
    assert text and alt, html
    return text.group(1), alt.group(1)


@pytest.mark.parametrize("config_overrides", [PUBLIC], ids=["public_url"])
def test_background_fragments_and_mails_link_to_the_public_address(
    app, friday, sockets, client_as, make_member
):
    meeting, _camille, console_http = friday
    day = meeting.scheduled_for.isoformat()
    screen = sockets(console_http)
    assert screen.command("join_live", {"meeting_id": meeting.id, "view": "screen"})["ok"]
    reader_http, _reader = client_as(name="Lou")
    document = sockets(reader_http)
    assert document.command("join_document", {"meeting_id": meeting.id})["ok"]

    # A coalesced live fact, built by a background task after the burst: no request at all.
    assert not has_request_context()
    state.publish_live_soon(meeting.id, ("status", "round"))
    assert wait_for_soon_facts()
    fact = one_fact(screen, "live_updated")
    assert join_url_shown(fact["regions"]["status"]) == (
        "https://le97.example/vendredi/rejoindre",
        "https://le97.example/vendredi/rejoindre",
    )

    # An entry added by work outside a request (the CLI, a task): its links are under the prefix.
    prep.add_entry(make_member(name="Noé"), meeting.id, "need", "Savon noir", "Deux litres.")
    html = one_fact(document, "entry_added")["html"]
    assert links(html), html
    for link in links(html):
        assert link.startswith(f"/vendredi/vendredi/{day}/"), link

    # An invitation made outside a request: the e-mailed link opens the place's page.
    _invitation, link, _mailed = members.invite(make_member(role="admin"), None, "member")
    assert re.fullmatch(r"https://le97\.example/vendredi/invitation/[\w-]+", link), link


@pytest.mark.parametrize("config_overrides", [PUBLIC], ids=["public_url"])
def test_an_invitation_made_on_a_page_under_the_prefix_has_the_prefix_once(app, client_as):
    admin_http, _admin = client_as("admin")
    # Over HTTPS, a form post carries its page as Referer (Flask-WTF checks it).
    headers = {**FORWARDED, "Referer": "https://le97.example/vendredi/admin/membres"}
    page = post_form(admin_http, "/admin/membres/inviter", {"role": "member"}, headers=headers)
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    html = page.get_data(as_text=True)
    assert re.search(r"https://le97\.example/vendredi/invitation/[\w-]+", html), html
    assert "/vendredi/vendredi/invitation" not in html


@pytest.mark.parametrize("config_overrides", [BEHIND_PROXY], ids=["behind_proxy"])
def test_socket_commands_behind_the_proxy_render_links_under_its_prefix(
    app, friday, sockets, client_as
):
    meeting, camille, console_http = friday
    day = meeting.scheduled_for.isoformat()
    console = sockets(console_http)
    screen = sockets(console_http)
    author_http, _author = client_as(name="Alice")
    author = sockets(author_http)
    phone_http, _phone_member = client_as(name="Théo")
    phone = sockets(phone_http)
    reader = sockets(client_as(name="Lou")[0])
    for sock, view in ((console, "console"), (screen, "screen"), (phone, "phone")):
        assert sock.command("join_live", {"meeting_id": meeting.id, "view": view})["ok"]
    for sock in (author, reader):
        assert sock.command("join_document", {"meeting_id": meeting.id})["ok"]

    # An entry added live: the other reader's fragment links under /vendredi/.
    ack = author.command(
        "add_entry",
        {
            "meeting_id": meeting.id,
            "kind": "topic",
            "title": "Vélos",
            "body": "Un abri pour les **vélos**.",
        },
    )
    assert ack["ok"], ack
    html = one_fact(reader, "entry_added")["html"]
    assert links(html), html
    for link in links(html):
        assert link.startswith(f"/vendredi/vendredi/{day}/"), link
    # Its pages (edit, history) open, as the proxy forwards them.
    pages = re.findall(r'href="([^"]+)"', html)
    assert len(pages) >= 2, html
    assert statuses(author_http, pages, FORWARDED) == [200] * len(pages)

    # The console advances: the console's updated forms post under the prefix.
    ack = console.command(
        "advance_item", {"meeting_id": meeting.id, "live_revision": live_revision(meeting.id)}
    )
    assert ack["ok"], ack
    assert "Chauffage" in one_fact(screen, "live_updated")["regions"]["current"]
    html = one_fact(console, "live_updated")["regions"]["current"]
    assert links(html), html
    for link in links(html):
        assert link == f"/vendredi/vendredi/{day}/animation", link
    # The projector (re)joins: its status, rendered in the socket handler, shows the place's
    # join URL over HTTPS, in text and in the QR code.
    state_now = screen.command("join_live", {"meeting_id": meeting.id, "view": "screen"})
    assert state_now["ok"], state_now
    assert join_url_shown(state_now["regions"]["status"]) == (
        "https://le97.example/vendredi/rejoindre",
        "https://le97.example/vendredi/rejoindre",
    )

    # A round answer is coalesced into a background fact: still under the prefix.
    round_ = agenda.start_round(camille, meeting.id, "consent", "Appeler un chauffagiste")
    phone.facts()
    ack = phone.command(
        "answer_round", {"round_id": round_.id, "answer": "object", "reason": "Trop cher"}
    )
    assert ack["ok"], ack
    assert wait_for_soon_facts()
    html = one_fact(phone, "live_updated")["regions"]["round"]
    assert links(html), html
    for link in links(html):
        assert link.startswith(f"/vendredi/vendredi/{day}/"), link


def statuses(http_client, paths, headers):
    """GET each path as the proxy forwards it (prefix stripped, forwarded headers)."""
    return [
        http_client.get(path.removeprefix("/vendredi"), headers=headers).status_code
        for path in paths
    ]


def live_revision(meeting_id):
    from meeting.extensions import db
    from meeting.models import Meeting

    db.session.rollback()
    return db.session.get(Meeting, meeting_id).live_revision


def test_forwarded_headers_are_not_trusted_without_a_proxy(app, friday, sockets):
    meeting, _camille, console_http = friday
    spoofed = {**FORWARDED, "X-Forwarded-Host": "evil.example"}
    console = sockets(console_http, headers=spoofed)
    screen = sockets(console_http, headers=spoofed)
    for sock, view in ((console, "console"), (screen, "screen")):
        assert sock.command("join_live", {"meeting_id": meeting.id, "view": view})["ok"]
    state_now = screen.command("join_live", {"meeting_id": meeting.id, "view": "screen"})
    assert state_now["ok"], state_now
    text, alt = join_url_shown(state_now["regions"]["status"])
    assert text == alt == "http://localhost/rejoindre"
    ack = console.command(
        "advance_item", {"meeting_id": meeting.id, "live_revision": live_revision(meeting.id)}
    )
    assert ack["ok"], ack
    day = meeting.scheduled_for.isoformat()
    html = one_fact(console, "live_updated")["regions"]["current"]
    assert links(html), html
    for link in links(html):
        assert link == f"/vendredi/{day}/animation", link  # the app's own path, no prefix


@pytest.mark.parametrize("config_overrides", [BEHIND_PROXY], ids=["behind_proxy"])
def test_the_language_switch_goes_back_to_the_page_under_the_prefix(app, client_as):
    client, _member = client_as()
    day = dates.next_meeting_date().isoformat()
    headers = {**FORWARDED, "Referer": f"https://le97.example/vendredi/vendredi/{day}/"}
    response = post_form(
        client, "/langue", {"lang": "en", "next": f"/vendredi/{day}/"}, headers=headers
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/vendredi/vendredi/{day}/"
    page = client.get(f"/vendredi/{day}/", headers=FORWARDED)
    assert page.status_code == 200
    assert 'lang="en"' in page.get_data(as_text=True)
    # Anything but a path of this site goes home, under the prefix too.
    for evil in ("//evil.example/", "/\t/evil.example", "https://evil.example/", "/\\evil"):
        response = post_form(client, "/langue", {"lang": "fr", "next": evil}, headers=headers)
        assert response.headers["Location"] == "/vendredi/", evil
