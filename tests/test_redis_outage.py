"""Two app processes sharing the database and Redis, with Redis stopped and started again in
the middle (meeting/ops/message_queue.py, the rate limits' fallback).

While Redis is away: signing in still works on either process (rate limits in memory), a
change made on process A reaches A's own pages at once, nothing written is lost, and A logs the
outage once with its time. When Redis is back: the pages of both processes are told to resync
(as after a reconnection: the page reads its state again) and a page on B catches up on the
change it missed, without a reload; facts cross processes again.

This test runs its own redis-server on a free port (it stops it): it needs the `redis-server`
program (Debian's redis-server; scripts/test-services installs it).
"""

import os
import shutil
import socket
import subprocess
import threading
import time
import uuid

import pytest
import socketio

from meeting.realtime import NAMESPACE
from tests.conftest import free_port
from tests.servers import FACT_SECONDS, Server, cookie_header, page_csrf, signed_in_session

REDIS_SERVER = shutil.which("redis-server")
if not REDIS_SERVER:
    if os.environ.get("CI") == "true":
        pytest.fail("redis-server is missing under CI=true", pytrace=False)
    pytestmark = pytest.mark.skip(reason="redis-server is not installed")


class Redis:
    """A private redis-server (no persistence) that the test can stop and start again."""

    def __init__(self, directory):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class Watcher:
    """A page following the trace feed over a socket: the facts and resyncs it receives."""

    def __init__(self, server, http):
        self.traces = []
        self.resyncs = 0
        self.changed = threading.Condition()
        self.client = socketio.Client(reconnection=False)
        self.client.on("trace_added", self._trace, namespace=NAMESPACE)
        self.client.on("resync", self._resync, namespace=NAMESPACE)
        self.client.connect(
            server.url,
            namespaces=[NAMESPACE],
            transports=["websocket"],
            headers={"Cookie": cookie_header(http)},
            wait_timeout=10,
        )
        ack = self.sync(0)
        self.last_id = max((t["id"] for t in ack["traces"]), default=0)

    def _trace(self, data):
        with self.changed:
            self.traces.append(data)
            self.changed.notify_all()

    def _resync(self, _data=None):
        with self.changed:
            self.resyncs += 1
            self.changed.notify_all()

    def sync(self, after):
        ack = self.client.call("sync_traces", {"after": after}, namespace=NAMESPACE, timeout=10)
        assert ack["ok"] is True, ack
        return ack

    def wait(self, predicate, seconds=FACT_SECONDS):
        with self.changed:
            return self.changed.wait_for(lambda: predicate(self), seconds)

    def saw(self, name):
        return any(name in t.get("summary", "") for t in self.traces)


def rename(server, http, member_email, name):
    token = page_csrf(http, server.url + "/profil")
    response = http.post(
        server.url + "/profil",
        data={"display_name": name, "email": member_email, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]


def test_two_processes_live_through_redis_going_away_and_coming_back(
    app, database_uri, tmp_path, make_member
):
    redis = Redis(tmp_path)
    redis.start()
    actor = make_member(name="Dominique")
    watcher_a_member = make_member(name="Alix")
    watcher_b_member = make_member(name="Sacha")
    late = make_member(name="Noé")
    actor_email = actor.email
    shared = {
        "SOCKETIO_MESSAGE_QUEUE": redis.url,
        "RATELIMIT_STORAGE_URI": redis.url,
        "SECRET_KEY": "redis-outage-test-secret",
    }
    servers, watchers = [], []
    try:
        servers = [Server(name, database_uri, tmp_path, **shared) for name in ("a", "b")]
        for server in servers:
            server.wait_until_up()
        server_a, server_b = servers
        actor_on_a = signed_in_session(server_a, actor)
        on_a = Watcher(server_a, signed_in_session(server_a, watcher_a_member))
        on_b = Watcher(server_b, signed_in_session(server_b, watcher_b_member))
        watchers = [on_a, on_b]

        # Redis up: a change on A reaches B.
        before = f"Dominique {uuid.uuid4().hex[:6]}"
        rename(server_a, actor_on_a, actor_email, before)
        assert on_b.wait(lambda w: w.saw(before)), server_b.output()

        # Redis goes away.
        redis.stop()
        # Signing in still works, on either process (limits counted in memory meanwhile).
        signed_in_session(server_b, late)
        during = f"Dominique {uuid.uuid4().hex[:6]}"
        rename(server_a, actor_on_a, actor_email, during)
        assert on_a.wait(lambda w: w.saw(during)), server_a.output()  # A's own page: at once
        for n in range(3):  # more facts: still one warning
            rename(server_a, actor_on_a, actor_email, f"{during} {n}")
        assert on_a.wait(lambda w: w.saw(f"{during} 2")), server_a.output()
        assert not on_b.saw(during)  # B could not hear of it: no queue

        # Redis comes back: both processes' pages are told to resync …
        redis.start()
        for watcher, server in ((on_a, server_a), (on_b, server_b)):
            assert watcher.wait(lambda w: w.resyncs >= 1), server.output()
        # … and B's page catches up on what it missed, as its onConnect handler does.
        missed = on_b.sync(on_b.last_id)["traces"]
        assert any(during in t["summary"] for t in missed), missed
        # Facts cross processes again.
        after = f"Dominique {uuid.uuid4().hex[:6]}"
        rename(server_a, actor_on_a, actor_email, after)
        assert on_b.wait(lambda w: w.saw(after)), server_b.output()

        # Nothing written was lost; A said once when Redis went away, and when it came back.
        app_log = server_a.log_path.read_text(errors="replace")
        assert app_log.count("Redis injoignable depuis") == 1, app_log[-3000:]
        assert app_log.count("Redis de retour après") == 1, app_log[-3000:]
        assert "Traceback" not in app_log.split("Redis injoignable", 1)[1], app_log[-3000:]
    finally:
        for watcher in watchers:
            watcher.client.disconnect()
        for server in servers:
            server.stop()
        redis.stop()
