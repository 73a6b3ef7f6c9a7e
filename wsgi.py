"""Entry point: `vendredi-serve` (production: gunicorn, gevent; `make run`, `make serve`),
`flask --app wsgi …` (migrations, commands) and `python wsgi.py` (Werkzeug's development
server, for debugging only).

With `SOCKETIO_ASYNC_MODE=gevent` (the `server` extra; `vendredi-serve` sets it), the standard
library is monkey-patched first, as gunicorn's gevent workers do: one process then carries
hundreds of live connections (see bench/RESULTS.md for the measured difference).

A configuration Vendredi refuses (meeting.config.check) stops it here with its French reason,
not a traceback.
"""

import os
import sys

if os.environ.get("SOCKETIO_ASYNC_MODE") == "gevent":
    from gevent import monkey

    monkey.patch_all()

from meeting import create_app
from meeting.config import ConfigurationError
from meeting.extensions import socketio

try:
    app = create_app()
except ConfigurationError as refusal:
    sys.stderr.write(f"Vendredi ne démarre pas : {refusal}\n")
    raise SystemExit(2) from None

if __name__ == "__main__":
    from meeting.ops.serve import freeze_startup_objects

    freeze_startup_objects()
    socketio.run(
        app,
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "5000")),
        allow_unsafe_werkzeug=True,
    )
