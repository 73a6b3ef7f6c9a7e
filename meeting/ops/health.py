"""`GET /healthz`: is this process able to serve? The database answers and its schema is the
one this code migrates to, and Redis (the message queue, when one is configured) answers a
ping. 200 with what was checked, else 503: for systemd, nginx or a monitoring probe. Nothing
personal, nothing about the content.

A database that was never migrated (or is behind the code: an upgrade without `db upgrade`)
says `not_migrated`; the first page that fails on a missing table logs how to fix it."""

import functools
import logging

from flask import Blueprint, current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..config import ROOT
from ..extensions import db
from . import revisions

log = logging.getLogger(__name__)
bp = Blueprint("ops", __name__)

UPGRADE = "flask --app wsgi db upgrade"
_MISSING_TABLE = ("no such table", "does not exist", "undefinedtable")


@functools.cache
def migration_heads():
    """The revisions `migrations/versions` leads to (read once per process, without Alembic)."""
    return revisions.heads(ROOT / "migrations")


def check_database():
    try:
        try:
            current = set(db.session.scalars(text("SELECT version_num FROM alembic_version")))
        except SQLAlchemyError as error:
            db.session.rollback()
            if not is_missing_table(error):
                raise
            current = set()
        if current != migration_heads():
            log.warning(
                "health : la base est à la révision %s, le code à %s : lancez « %s »",
                sorted(current) or "aucune",
                sorted(migration_heads()),
                UPGRADE,
            )
            return "not_migrated"
        return "ok"
    except Exception:
        log.exception("health: the database does not answer")
        db.session.rollback()
        return "error"
    finally:
        db.session.remove()


def is_missing_table(error):
    text_ = str(getattr(error, "orig", error) or "").lower()
    name = type(getattr(error, "orig", error)).__name__.lower()
    return any(mark in text_ or mark in name for mark in _MISSING_TABLE)


def explain(error):
    """One clear log line when a page failed because the schema is missing (a server started
    before `db upgrade`): the traceback alone says only `no such table: member`."""
    if isinstance(error, SQLAlchemyError) and is_missing_table(error):
        log.error(
            "La base de données n’a pas les tables de cette version de Vendredi : lancez « %s » "
            "(avec les mêmes réglages que le serveur), puis redémarrez.",
            UPGRADE,
        )


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
