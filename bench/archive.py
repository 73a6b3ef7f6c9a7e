#!/usr/bin/env python3
"""Benchmark of the pages that read ten years of Fridays (issue 9, item 8). See bench/README.md.

For each engine (SQLite in a temporary directory; PostgreSQL in a database of its own when
BENCH_DATABASE_URL or TEST_DATABASE_URL names a server), builds a fresh database, runs the
migrations, generates the archive (`meeting.demo_archive`, 520 Fridays by default), signs in as
a member with the Flask test client, then times each page: the register, a filtered register
page, a decision, a Friday's minutes, five searches and the Atom feed, next to a baseline (a
bare route of this bench rendering a 500-row table from the same database) in the same run.
Server time is the time around `client.get`, in this process.

One JSON line per figure on stdout; notes on stderr. Run from the repository root:

    .venv/bin/python bench/archive.py                       # SQLite (+ PostgreSQL if set)
    .venv/bin/python bench/archive.py --engines sqlite --years 2 --requests 10
"""

import argparse
import json
import math
import os
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AIM_MS = 50
SEARCHES = ["réunions", "evenement", "vélo atelier", "budget", "fête quartier"]
MEMBER = "ines@le97.example"  # a member without any particular role


def figure(engine, metric, value=None, **extra):
    print(json.dumps({"bench": "archive", "engine": engine, "metric": metric,
                      **({"value": value} if value is not None else {}), **extra},
                     ensure_ascii=False), flush=True)  # fmt: skip


def note(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(values, q):
    """Nearest-rank percentile of `values` (q in 0..1)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))]


# -- databases ---------------------------------------------------------------------------------


@contextmanager
def sqlite_database(keep):
    directory = tempfile.mkdtemp(prefix="vendredi-archive-")
    try:
        yield f"sqlite:///{directory}/archive.sqlite3", directory
    finally:
        if keep:
            note(f"kept {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def postgresql_database(server_url, keep):
    """A database of this run only on the server of `server_url` (never the tests' one)."""
    import psycopg
    from sqlalchemy import make_url

    url = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"vendredi_bench_archive_{os.getpid()}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    directory = tempfile.mkdtemp(prefix="vendredi-archive-pg-")
    try:
        yield url.set(database=name).render_as_string(hide_password=False), directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)
        if keep:
            note(f"kept database {name}")
        else:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- the app -----------------------------------------------------------------------------------


def bench_app(uri, instance):
    from flask import render_template_string
    from sqlalchemy import event, select

    from meeting import create_app
    from meeting.extensions import db
    from meeting.models import Decision, Meeting

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": uri, "INSTANCE_PATH": instance,
        "SECRET_KEY": secrets.token_urlsafe(32), "RATELIMIT_ENABLED": False,
        "SOCKETIO_MESSAGE_QUEUE": None, "MAIL_SERVER": "", "SERVER_NAME": None,
    })  # fmt: skip

    table = render_template_string  # the baseline: one query, one bare template, no layout

    @app.route("/_bench/table")
    def baseline():
        rows = db.session.execute(
            select(Decision.number, Meeting.scheduled_for, Decision.statement)
            .join(Meeting, Meeting.id == Decision.meeting_id)
            .order_by(Decision.number.desc())
            .limit(500)
        ).all()
        return table(
            "<!doctype html><html lang=fr><title>Table</title><table>"
            "{% for n, day, text in rows %}<tr><td>{{ n }}</td><td>{{ day }}</td>"
            "<td>{{ text }}</td></tr>{% endfor %}</table>",
            rows=rows,
        )

    stats = {"queries": 0, "sql_s": 0.0, "slowest": {}}

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_t"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        spent = time.perf_counter() - conn.info.pop("bench_t", time.perf_counter())
        stats["queries"] += 1
        stats["sql_s"] += spent
        key = " ".join(statement.split())[:160]
        stats["slowest"][key] = stats["slowest"].get(key, 0.0) + spent  # total per statement

    return app, stats


def sign_in(client):
    from meeting.demo_archive import DEMO_PASSWORD

    page = client.get("/connexion").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    answer = client.post(
        "/connexion", data={"email": MEMBER, "password": DEMO_PASSWORD, "csrf_token": token}
    )
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in refused ({answer.status_code})")


def pages_to_time(app):
    """(name, url) of every page timed, chosen in the archive (a middle year, decision…)."""
    from sqlalchemy import func, select

    from meeting.extensions import db
    from meeting.models import Decision, Meeting

    with app.app_context():
        first, last = db.session.execute(
            select(func.min(Meeting.scheduled_for), func.max(Meeting.scheduled_for)).where(
                Meeting.status == "closed"
            )
        ).one()
        year = 2021 if first.year <= 2021 <= last.year else (first.year + last.year) // 2
        middle = db.session.scalar(select(func.max(Decision.number))) // 2 or 1
        minutes_day = db.session.scalar(
            select(Meeting.scheduled_for)
            .where(Meeting.minutes_validated_at.is_not(None), Meeting.scheduled_for >= first)
            .order_by(Meeting.scheduled_for)
            .offset(260 if last.year - first.year >= 9 else 0)
            .limit(1)
        )
    pages = [
        ("baseline_table_500", "/_bench/table"),
        ("register", "/decisions/"),
        ("register_filtered", f"/decisions/?annee={year}&mode=vote"),
        ("decision", f"/decisions/{middle}"),
        ("minutes", f"/vendredi/{minutes_day.isoformat()}/compte-rendu"),
    ]
    from urllib.parse import quote

    pages += [(f"search:{q}", f"/recherche?q={quote(q)}") for q in SEARCHES]
    pages.append(("atom_feed", "/decisions.atom"))
    return pages


def time_page(client, stats, url, warmup, requests):
    """Warm-ups, then `requests` timed GETs; None when the route answers 404 (not built)."""
    first = client.get(url)
    if first.status_code == 404:
        return {"status": 404, "bytes": len(first.data)}
    for _ in range(max(0, warmup - 1)):
        client.get(url)
    times, queries, sql = [], [], []
    stats["slowest"].clear()
    for _ in range(requests):
        before_q, before_s = stats["queries"], stats["sql_s"]
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        queries.append(stats["queries"] - before_q)
        sql.append((stats["sql_s"] - before_s) * 1000)
    # the statement that took the most database time over the timed requests, per request
    slowest = max(stats["slowest"].items(), key=lambda kv: kv[1], default=("", 0.0))
    return {
        "status": response.status_code,
        "bytes": len(response.data),
        "requests": requests,
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 0.95), 2),
        "max_ms": round(max(times), 2),
        "queries": round(statistics.median(queries)),
        "sql_p50_ms": round(statistics.median(sql), 2),
        "slowest_query_ms": round(slowest[1] * 1000 / requests, 2),
        "slowest_query": slowest[0],
    }


def run_engine(engine, uri, instance, args):
    from flask_migrate import upgrade

    from meeting.demo_archive import archive_counts, generate_archive
    from meeting.extensions import db

    app, stats = bench_app(uri, instance)
    with app.app_context():
        started = time.perf_counter()
        upgrade()
        figure(engine, "migrate_s", round(time.perf_counter() - started, 2))
        report = generate_archive(fridays=52 * args.years, seed=args.seed)
        figure(engine, "generation_s", report["seconds"], build_s=report["build_s"],
               fridays=report["fridays"])  # fmt: skip
        figure(engine, "rows", rows=archive_counts())
        if engine == "postgresql":
            from sqlalchemy import text

            db.session.execute(text("ANALYZE"))
            db.session.commit()
        db.session.remove()
    note(f"{engine}: {report['fridays']} Fridays generated in {report['seconds']} s")
    client = app.test_client()
    sign_in(client)
    results = {}
    for name, url in pages_to_time(app):
        result = time_page(client, stats, url, args.warmup, args.requests)
        results[name] = (url, result)
        note(f"{engine} {name}: {result.get('p95_ms', '—')} ms p95 ({result['status']})")
    baseline = results["baseline_table_500"][1].get("p95_ms")
    for name, (url, result) in results.items():
        line = {"page": name, "url": url, **result}
        if result["status"] == 404:
            line["skipped"] = True
        elif baseline:
            line["ratio_p95_to_baseline"] = round(result["p95_ms"] / baseline, 2)
            line["aim_ms"] = AIM_MS
            line["aim_met"] = result["p95_ms"] < AIM_MS
        figure(engine, "page", **line)
    with app.app_context():
        db.engine.dispose()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    server = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    parser.add_argument("--engines", default="sqlite,postgresql" if server else "sqlite",
                        help="sqlite, postgresql or both (default: those available)")  # fmt: skip
    parser.add_argument("--years", type=int, default=10, help="years of Fridays (default 10)")
    parser.add_argument("--seed", type=int, default=97)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="requests not timed per page")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    args = parser.parse_args()
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        if engine == "sqlite":
            with sqlite_database(args.keep) as (uri, instance):
                run_engine("sqlite", uri, instance, args)
        elif engine == "postgresql":
            if not server:
                parser.error("postgresql: set BENCH_DATABASE_URL or TEST_DATABASE_URL")
            with postgresql_database(server, args.keep) as (uri, instance):
                run_engine("postgresql", uri, instance, args)
        else:
            parser.error(f"unknown engine {engine!r}")


if __name__ == "__main__":
    main()
