"""A real reverse proxy for browser tests: Debian's nginx serving the app under `/vendredi/`.

Started by the test on a free 127.0.0.1 port with its own prefix directory and configuration,
in the foreground (`daemon off`, one process: no user switch, nothing written outside the
directory), and stopped with the test.
"""

import os
import socket
import subprocess
import time
from pathlib import Path

# Debian's nginx (package nginx-light); scripts/test-services exports TEST_NGINX.
NGINX = Path(os.environ.get("TEST_NGINX") or "/usr/sbin/nginx")
PREFIX = "/vendredi"

CONFIG = """\
daemon off;
master_process off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;

events {{
    worker_connections 512;
}}

http {{
    access_log off;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;

    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}

    server {{
        listen 127.0.0.1:{port};

        location = {prefix} {{
            return 301 {prefix}/;
        }}

        # Socket.IO: long polling and the WebSocket upgrade.
        location {prefix}/socket.io/ {{
            proxy_pass http://{upstream}/socket.io/;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
{headers}
            proxy_buffering off;
            proxy_read_timeout 300s;
        }}

        location {prefix}/ {{
            proxy_pass http://{upstream}/;
            proxy_http_version 1.1;
{headers}
        }}
    }}
}}
"""

HEADERS = """\
            proxy_set_header Host $host:$server_port;
            proxy_set_header X-Forwarded-Prefix {prefix};
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Host $host:$server_port;"""


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    """nginx in front of `upstream` (host:port); `url` is the app's address under the prefix."""

    def __init__(self, upstream, directory, prefix=PREFIX):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.port = _free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.url = self.origin + prefix
        self.config = self.dir / "nginx.conf"
        self.config.write_text(
            CONFIG.format(
                dir=self.dir,
                port=self.port,
                prefix=prefix,
                upstream=upstream,
                headers=HEADERS.format(prefix=prefix),
            )
        )
        self.process = None

    def start(self, timeout=10.0):
        with open(self.dir / "stdout.log", "wb") as out:  # the child keeps its own copy
            self.process = subprocess.Popen(
                [
                    str(NGINX),
                    "-p",
                    str(self.dir),
                    "-c",
                    str(self.config),
                    "-e",
                    str(self.dir / "error.log"),
                ],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited {self.process.returncode}: {self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nginx did not listen on {self.port}: {self.output()}")

    def output(self):
        text = ""
        for name in ("stdout.log", "error.log"):
            log = self.dir / name
            if log.exists():
                text += log.read_text(errors="replace")[-4000:]
        return text

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # SIGTERM: fast shutdown
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
