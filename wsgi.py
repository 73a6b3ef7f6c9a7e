"""Entry point: `flask --app wsgi …`, `python wsgi.py` (make run) and `gunicorn wsgi:app`.

With `SOCKETIO_ASYNC_MODE=gevent` (install the `gevent` extra), the standard library is
monkey-patched first, as gunicorn's gevent workers do: one process then carries hundreds of
live connections (see bench/README.md for the measured difference).
"""

import os

if os.environ.get("SOCKETIO_ASYNC_MODE") == "gevent":
    from gevent import monkey

    monkey.patch_all()

from meeting import create_app  # noqa: E402
from meeting.extensions import socketio  # noqa: E402

app = create_app()

if __name__ == "__main__":
    socketio.run(
        app,
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "5000")),
        allow_unsafe_werkzeug=True,
    )
