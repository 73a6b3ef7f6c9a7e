"""A real app server for crash tests, started again in well under a second (tests/test_crash_loop.py).

`WarmServer` is `tests.servers.Server` (same settings, port, database, secret and log), except
that each start forks a new process from a launcher that has already imported the code: a cold
start spends about 2.5 s of its 3 s importing Python modules, and twenty crashes would spend a
minute doing only that. The launcher builds one app at its own start to import every module,
and keeps nothing open (no database connection, no thread, no socket): each forked server then
builds its own app, connects to the database and binds the port as a cold start does. `crash()`
sends SIGKILL to the forked process: nothing of it survives but what it had committed.
"""

import os
import signal
import subprocess
import sys
import time

from tests.conftest import ROOT
from tests.servers import Server

# The launcher: one command a line on stdin ("start", "poll <pid>", "reap <pid>"), one answer
# a line on stdout. Its stderr is the server's log; a forked server writes there too.
LAUNCHER = """
import os
import sys

from meeting import create_app
from meeting.extensions import db, socketio

warm = create_app()  # imports every module the server needs; opens nothing
with warm.app_context():
    db.engine.dispose()


def answer(text):
    os.write(1, (text + "\\n").encode())


for line in sys.stdin:
    command, *args = line.split()
    if command == "start":
        pid = os.fork()
        if pid == 0:
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(2, 1)
            app = create_app()
            socketio.run(app, host="127.0.0.1", port=int(os.environ["PORT"]),
                         allow_unsafe_werkzeug=True)
            os._exit(0)
        answer(f"pid {pid}")
    elif command in ("poll", "reap"):
        flags = os.WNOHANG if command == "poll" else 0
        done, status = os.waitpid(int(args[0]), flags)
        answer(f"status {os.waitstatus_to_exitcode(status)}" if done else "running")
"""

STOP_SECONDS = 5


class Forked:
    """The forked server process, as much of `subprocess.Popen` as `Server` uses."""

    def __init__(self, server, pid):
        self.server = server
        self.pid = pid
        self.returncode = None

    def _status(self, command):
        if self.returncode is None:
            reply = self.server.ask(f"{command} {self.pid}")
            if reply != "running":
                self.returncode = int(reply.split()[1])
        return self.returncode

    def poll(self):
        return self._status("poll")

    def wait(self):
        return self._status("reap")


class WarmServer(Server):
    """`Server`, started again from a warm launcher; see the module's docstring."""

    def __init__(self, name, database_uri, tmp_path, **settings):
        self.launcher = None
        super().__init__(name, database_uri, tmp_path, **settings)

    def ask(self, command):
        self.launcher.stdin.write(command + "\n")
        self.launcher.stdin.flush()
        reply = self.launcher.stdout.readline().strip()
        if not reply:
            raise RuntimeError(f"the launcher of {self.name} stopped:\n{self.output()}")
        return reply

    def start(self, wait=True):
        if self.launcher is None:
            self.launcher = subprocess.Popen(
                [sys.executable, "-c", LAUNCHER],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self.log,
                text=True,
            )
        self.process = Forked(self, int(self.ask("start").split()[1]))
        if wait:
            self.wait_until_up()

    def crash(self):
        """SIGKILL to the server process, as when the machine or the process dies."""
        os.kill(self.process.pid, signal.SIGKILL)
        status = self.process.wait()
        assert status == -signal.SIGKILL, f"server {self.name} ended with {status}"

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            deadline = time.monotonic() + STOP_SECONDS
            while self.process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            if self.process.returncode is None:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.launcher is not None:
            self.launcher.stdin.close()
            try:
                self.launcher.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.launcher.kill()
                self.launcher.wait(timeout=STOP_SECONDS)
            self.launcher.stdout.close()
        self.log.close()
