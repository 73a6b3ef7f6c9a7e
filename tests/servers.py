"""Real app processes for the tests that need a real server (a socket's own connection, its
order of packets, several processes): `Server` runs `socketio.run` on a free port against the
test's migrated database, and the helpers sign in over HTTP as a browser would."""

import os
import re
import subprocess
import sys
import threading
import time

import pytest
import requests
import socketio

from meeting.realtime import NAMESPACE
from tests.conftest import ROOT, TEST_PASSWORD, free_port

SERVER = """
import os
from meeting import create_app
from meeting.extensions import socketio
app = create_app()
socketio.run(app, host="127.0.0.1", port=int(os.environ["PORT"]), allow_unsafe_werkzeug=True)
"""

STARTUP_SECONDS = 30
FACT_SECONDS = 10
PAGE_WAIT_SECONDS = 30


# The name a test server's PostgreSQL connections carry: a test's teardown ends those a
# stopped or killed server left running (conftest._empty_postgresql_tables), before emptying
# the tables they may still be reading.
SERVER_APPLICATION_NAME = "vendredi-test-server"


def server_database_uri(database_uri):
    if not database_uri.startswith("postgresql"):
        return database_uri
    separator = "&" if "?" in database_uri else "?"
    return f"{database_uri}{separator}application_name={SERVER_APPLICATION_NAME}"


class Server:
    """One app process on a free port, kept for restarts (the same port, database and secret:
    sessions survive), with its output in a file for failure reports. `Server(...)` starts it;
    `crash()` kills it as a dying machine would, `start()` brings it back."""

    def __init__(self, name, database_uri, tmp_path, production=False, **settings):
        """`production`: the production server (`vendredi-serve`: gunicorn, one gevent worker)
        instead of `socketio.run` with threads."""
        self.name = name
        self.production = production
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp_path / f"server-{name}.log"
        self.env = {
            **os.environ,
            "PORT": str(self.port),
            "DATABASE_URL": server_database_uri(database_uri),
            "INSTANCE_PATH": str(tmp_path / f"instance-{name}"),
            "SECRET_KEY": f"{name}-test-secret",
            "SOCKETIO_ASYNC_MODE": "gevent" if production else "threading",
            # A test's server stops quickly (gunicorn waits 10 s for open sockets otherwise).
            "GUNICORN_ARGS": "--graceful-timeout 2",
            "RATELIMIT_STORAGE_URI": "memory://",
            # Tests send bursts from one page faster than anyone would (meeting/limits.py).
            "SOCKET_COMMAND_BURST": "1000",
            "MAIL_SERVER": "",
            "PYTHONUNBUFFERED": "1",
            **settings,
        }
        # Nothing from the test runner's own settings leaks into the server.
        for key in ("TEST_DATABASE_URL", "PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST"):
            self.env.pop(key, None)
        self.log = open(self.log_path, "ab")  # noqa: SIM115 (open as long as the processes)
        self.process = None
        self.start(wait=False)

    def start(self, wait=True):
        command = (
            [sys.executable, "-m", "meeting.ops.serve"]
            if self.production
            else [sys.executable, "-c", SERVER]
        )
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        if wait:
            self.wait_until_up()

    def output(self):
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def wait_until_up(self):
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(
                    f"server {self.name} exited ({self.process.returncode}):\n{self.output()}"
                )
            try:
                if requests.get(self.url + "/connexion", timeout=5).status_code < 500:
                    return
            except (requests.ConnectionError, requests.Timeout):  # not up, or still loading
                pass
            time.sleep(0.05)
        pytest.fail(
            f"server {self.name} did not answer HTTP in {STARTUP_SECONDS} s:\n{self.output()}"
        )

    def crash(self):
        """SIGKILL: no clean shutdown, as when the machine or the process dies."""
        self.process.kill()
        self.process.wait(timeout=5)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()


def page_csrf(http, url):
    page = http.get(url, timeout=5)
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert match, f"no CSRF token on {url} ({page.status_code})"
    return match.group(1)


def signed_in_session(server, member):
    """A `requests.Session` signed in on `server`, as a browser would (page, token, form)."""
    http = requests.Session()
    token = page_csrf(http, server.url + "/connexion")
    response = http.post(
        server.url + "/connexion",
        data={"email": member.email, "password": TEST_PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]
    assert http.cookies.get("vendredi_session"), "no session cookie after signing in"
    return http


def cookie_header(http):
    return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


class LivePage:
    """One page's socket on the real server, keeping the facts it receives in arrival order."""

    def __init__(self, server, http):
        self.facts = []
        self.lock = threading.Lock()
        self.client = socketio.Client(reconnection=False)
        for event in ("entry_added", "entry_edited"):
            self.client.on(event, self._keep(event), namespace=NAMESPACE)
        self.client.connect(
            server.url,
            namespaces=[NAMESPACE],
            transports=["websocket"],
            headers={"Cookie": cookie_header(http)},
            wait_timeout=10,
        )

    def _keep(self, event):
        def keep(data):
            with self.lock:
                self.facts.append((event, data))

        return keep

    def call(self, name, data):
        return self.client.call(name, data, namespace=NAMESPACE, timeout=10)

    def burst(self, commands):
        """Send every (name, data) at once, without waiting; return the acks in sending order."""
        acks = [None] * len(commands)
        done = threading.Semaphore(0)

        def answer(index):
            def on_ack(ack):
                acks[index] = ack
                done.release()

            return on_ack

        for index, (name, data) in enumerate(commands):
            self.client.emit(name, data, namespace=NAMESPACE, callback=answer(index))
        for _ in commands:
            assert done.acquire(timeout=PAGE_WAIT_SECONDS), f"acks missing: {acks}"
        return acks

    def wait_for(self, count, event):
        deadline = threading.Event()
        for _ in range(PAGE_WAIT_SECONDS * 20):
            with self.lock:
                got = [data for name, data in self.facts if name == event]
            if len(got) >= count:
                return got
            deadline.wait(0.05)
        return got

    def close(self):
        self.client.disconnect()
