"""Several app processes: facts cross processes through the Redis message queue.

The production shape with more than one process (ARCHITECTURE §5.3): two real servers share one
database and `SOCKETIO_MESSAGE_QUEUE=redis://…`. A change made over HTTP on server A must reach a
socket connected to server B. Also checked on a live server (the Socket.IO test client skips it):
a connection from another origin is refused.

Needs `TEST_REDIS_URL` (`.ci/run` starts a Redis and sets it); skipped without it, except under
CI=true where a missing Redis is a failure.
"""

import os
import threading
import uuid

import pytest
import requests
import socketio
import websocket

from meeting.realtime import NAMESPACE
from tests.servers import FACT_SECONDS, Server, cookie_header, page_csrf, signed_in_session

REDIS_URL = os.environ.get("TEST_REDIS_URL")

if not REDIS_URL:
    if os.environ.get("CI") == "true":
        pytest.fail(
            "TEST_REDIS_URL is not set under CI=true: .ci/run must start Redis", pytrace=False
        )
    pytestmark = pytest.mark.skip(
        reason="TEST_REDIS_URL is not set (start a Redis, or run .ci/run, to test the message queue)"
    )


@pytest.fixture
def servers(app, database_uri, tmp_path):
    """Two app processes A and B sharing this test's migrated database and the Redis queue."""
    started = []
    try:
        for name in ("a", "b"):
            started.append(
                Server(
                    name,
                    database_uri,
                    tmp_path,
                    SOCKETIO_MESSAGE_QUEUE=REDIS_URL,
                    SECRET_KEY="message-queue-test-secret",  # one place, two processes
                )
            )
        for server in started:
            server.wait_until_up()
        yield started
    finally:
        for server in started:
            server.stop()


def test_a_change_on_one_process_reaches_a_socket_on_another(servers, make_member):
    server_a, server_b = servers
    member = make_member(name="Dominique")
    watcher = make_member(name="Sacha")

    actor_on_a = signed_in_session(server_a, member)
    watcher_on_b = signed_in_session(server_b, watcher)

    # Unique, so that facts from other tests sharing the Redis cannot be mistaken for ours.
    new_name = f"Dominique {uuid.uuid4().hex[:8]}"
    received = []
    arrived = threading.Event()
    connected = threading.Event()

    client = socketio.Client(reconnection=False)

    @client.on("connect", namespace=NAMESPACE)
    def on_connect():
        connected.set()

    @client.on("trace_added", namespace=NAMESPACE)
    def on_trace(data):
        received.append(data)
        if new_name in data.get("summary", ""):
            arrived.set()

    client.connect(
        server_b.url,
        namespaces=[NAMESPACE],
        transports=["polling"],
        headers={"Cookie": cookie_header(watcher_on_b)},
        wait_timeout=10,
    )
    try:
        assert connected.wait(10), "the socket on server B did not connect to /live"
        # As the trace page does: join the trace feed (and catch up) on server B.
        ack = client.call("sync_traces", {"after": 0}, namespace=NAMESPACE, timeout=10)
        assert ack["ok"] is True, ack

        token = page_csrf(actor_on_a, server_a.url + "/profil")
        response = actor_on_a.post(
            server_a.url + "/profil",
            data={"display_name": new_name, "email": member.email, "csrf_token": token},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302, response.text[:500]

        assert arrived.wait(FACT_SECONDS), (
            f"no trace_added for {new_name!r} on server B within {FACT_SECONDS} s; "
            f"received {received!r}\nA:\n{server_a.output()}\nB:\n{server_b.output()}"
        )
        fact = next(f for f in received if new_name in f["summary"])
        assert fact["summary"] == f"{new_name} a changé de nom."
        assert fact["verb"] == "profile_updated"
        assert fact["actor_id"] == member.id
        assert new_name in fact["html"]
    finally:
        client.disconnect()


def test_a_socket_from_another_origin_is_refused(servers, make_member):
    server_b = servers[1]
    watcher_on_b = signed_in_session(server_b, make_member())
    cookie = cookie_header(watcher_on_b)

    # The engine's handshake itself answers 400 to a foreign Origin …
    handshake = server_b.url + "/socket.io/?EIO=4&transport=polling"
    foreign = requests.get(
        handshake, headers={"Origin": "http://evil.example", "Cookie": cookie}, timeout=5
    )
    assert foreign.status_code == 400
    assert "sid" not in foreign.text
    # … while the same request from the site's own origin opens a session.
    own = requests.get(handshake, headers={"Origin": server_b.url, "Cookie": cookie}, timeout=5)
    assert own.status_code == 200 and '"sid"' in own.text

    # A real Socket.IO client with a foreign Origin cannot connect (polling: requests sends
    # only the Origin given here).
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(
            server_b.url,
            namespaces=[NAMESPACE],
            transports=["polling"],
            headers={"Origin": "http://evil.example", "Cookie": cookie},
            wait_timeout=5,
        )
    assert not client.connected

    # A websocket opened straight away (no polling first) from a foreign page is refused too;
    # websocket-client's `origin=` sets the one Origin header (passing it in `headers` to the
    # Socket.IO client would add a second one).
    ws_url = f"ws://127.0.0.1:{server_b.port}/socket.io/?EIO=4&transport=websocket"
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(ws_url, origin="http://evil.example", cookie=cookie, timeout=5)
    assert refused.value.status_code == 400
    ws = websocket.create_connection(ws_url, origin=server_b.url, cookie=cookie, timeout=5)
    try:
        assert ws.recv().startswith('0{"sid"')  # the engine's open packet
    finally:
        ws.close()
