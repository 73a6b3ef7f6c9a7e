"""A real reverse proxy for browser tests: Debian's nginx serving the app under `/vendredi/`,
through the self-hoster's own files (deploy/nginx/vendredi-http.conf and
vendredi-locations.conf).

Started by the test on a free 127.0.0.1 port with its own prefix directory and configuration,
in the foreground (`daemon off`, one process: no user switch, nothing written outside the
directory), and stopped with the test. Of the deploy files, only the upstream's address changes
(the test's server instead of 127.0.0.1:8000); the locations file is included as it is.
"""

import os
import re
import socket
import subprocess
import time
from pathlib import Path

# Debian's nginx (package nginx-light); scripts/test-services exports TEST_NGINX.
NGINX = Path(os.environ.get("TEST_NGINX") or "/usr/sbin/nginx")
DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "nginx"
HTTP_CONF = DEPLOY / "vendredi-http.conf"
LOCATIONS_CONF = DEPLOY / "vendredi-locations.conf"
PREFIX = "/vendredi"  # the one the deploy files serve
# The upstream's one active server line in vendredi-http.conf (the commented ones are examples).
UPSTREAM_SERVER = re.compile(r"^([ \t]*server[ \t]+)127\.0\.0\.1:8000;", re.MULTILINE)

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

    include {http_conf};

    server {{
        listen 127.0.0.1:{port};

        include {locations_conf};
    }}
}}
"""


def http_conf_for(upstream):
    """deploy/nginx/vendredi-http.conf with its upstream server at `upstream` (host:port)."""
    text, count = UPSTREAM_SERVER.subn(rf"\g<1>{upstream};", HTTP_CONF.read_text())
    if count != 1:
        raise RuntimeError(
            f"{HTTP_CONF}: expected one active line `server 127.0.0.1:8000;` in the upstream, "
            f"found {count}"
        )
    return text


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    """nginx in front of `upstream` (host:port); `url` is the app's address under the prefix."""

    def __init__(self, upstream, directory, prefix=PREFIX):
        if prefix != PREFIX:
            raise ValueError(f"deploy/nginx/ serves the app under {PREFIX}, not {prefix}")
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.port = _free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.url = self.origin + prefix
        http_conf = self.dir / HTTP_CONF.name
        http_conf.write_text(http_conf_for(upstream))
        self.config = self.dir / "nginx.conf"
        self.config.write_text(
            CONFIG.format(
                dir=self.dir,
                port=self.port,
                http_conf=http_conf,
                locations_conf=LOCATIONS_CONF,
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
