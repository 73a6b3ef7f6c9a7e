"""`GET /healthz`: is this process able to serve? The database answers a query, and Redis (the
message queue, when one is configured) answers a ping. 200 with what was checked, else 503:
for systemd, nginx or a monitoring probe. Nothing personal, nothing about the content."""

import logging

from flask import Blueprint, current_app
from sqlalchemy import text

from ..extensions import db

log = logging.getLogger(__name__)
bp = Blueprint("ops", __name__)


def check_database():
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception:
        log.exception("health: the database does not answer")
        db.session.rollback()
        return "error"
    finally:
        db.session.remove()


def check_redis():
    url = current_app.config.get("SOCKETIO_MESSAGE_QUEUE")
    if not url:
        return "absent"
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
        return "ok"
    except (redis.RedisError, OSError) as error:
        log.warning("health: Redis does not answer (%s)", error)
        return "error"


@bp.get("/healthz")
def healthz():
    checks = {"database": check_database(), "redis": check_redis()}
    ok = all(value in ("ok", "absent") for value in checks.values())
    response = {"ok": ok, **checks}
    return response, (200 if ok else 503), {"Cache-Control": "no-store"}
