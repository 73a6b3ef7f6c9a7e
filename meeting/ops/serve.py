"""`vendredi-serve`: the production server, one command (`pip install -e '.[server]'`).

gunicorn with one gevent worker (gevent-websocket for the live pages): measured in `bench/`
(see bench/RESULTS.md and the README), one gevent process carries hundreds of live pages where
threads saturate near 500, and Werkzeug's development server is not for production. One worker
per process: Socket.IO keeps each page's session in its process; for more, run several
processes on several ports behind nginx's `ip_hash` with Redis (deploy/README.md).

Settings from the environment: HOST (127.0.0.1), PORT (8000), LOG_LEVEL (INFO); extra
gunicorn options in GUNICORN_ARGS. The access log and the app's logs go to standard error,
each line with its time and level. Migrations are not run here: `flask --app wsgi db upgrade`
first (the systemd unit and `make serve` do)."""

import os
import shlex
import sys

from ..config import ROOT

WORKER = "geventwebsocket.gunicorn.workers.GeventWebSocketWorker"
# The access log: time, client (as the trusted proxy tells it), request, status, size, duration.
ACCESS_FORMAT = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'


def command(environ=None):
    """The gunicorn command line `vendredi-serve` runs (a list, for tests and systemd)."""
    env = os.environ if environ is None else environ
    host = env.get("HOST") or "127.0.0.1"
    port = env.get("PORT") or "8000"
    level = (env.get("LOG_LEVEL") or "info").lower()
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--chdir",
        str(ROOT),
        "--config",
        str(ROOT / "meeting" / "ops" / "gunicorn_conf.py"),
        "--worker-class",
        WORKER,
        "--workers",
        "1",
        "--bind",
        f"{host}:{port}",
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
        "--access-logformat",
        ACCESS_FORMAT,
        "--log-level",
        level,
        "--graceful-timeout",
        "10",
        # gunicorn's control socket (~/.gunicorn/gunicorn.ctl) is not used here, and several
        # processes of one machine would fight over its one path.
        "--no-control-socket",
        *shlex.split(env.get("GUNICORN_ARGS") or ""),
        "wsgi:app",
    ]


def freeze_startup_objects():
    """Once the app is loaded, before it serves: what the process holds now (Flask, SQLAlchemy,
    Babel, the templates, the app's modules) lives as long as it does, and the garbage
    collector stops walking through it on each full collection (`gc.freeze`). Measured with
    bench/live_document.py at 20 and 50 pages, 10 commands a second: those collections held the
    server up to 126 ms now and then (the slowest 1 % of the commands); after the freeze the
    slowest of 100 commands took 18 to 28 ms."""
    import gc

    gc.collect()
    gc.freeze()


def main():
    try:
        import gevent  # noqa: F401
        import geventwebsocket  # noqa: F401
        import gunicorn  # noqa: F401
    except ImportError as missing:
        sys.stderr.write(
            f"vendredi-serve : il manque {missing.name}. Installez le serveur de production : "
            "pip install -e '.[server]'\n"
        )
        return 2
    os.environ["SOCKETIO_ASYNC_MODE"] = "gevent"
    argv = command()
    os.execv(argv[0], argv)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
