"""App logs with their time and level (`LOG_LEVEL`, default INFO), on standard error.

gunicorn writes the access log and its own lines in the same shape (see `serve.py`). When a
host already configured logging (a test runner, a WSGI server's own handlers on the root
logger), nothing is added."""

import logging

FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S %z"


def install(app):
    root = logging.getLogger()
    level = logging.getLevelName(str(app.config.get("LOG_LEVEL") or "INFO").upper())
    if not isinstance(level, int):
        level = logging.INFO
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(FORMAT, DATE_FORMAT))
        root.addHandler(handler)
        root.setLevel(level)
    logging.getLogger("meeting").setLevel(level)
    # Alembic says which plugins it loaded at every start: not news for the person reading.
    logging.getLogger("alembic.runtime.plugins").setLevel(max(level, logging.WARNING))
