#!/usr/bin/env python3
"""Benchmark of the calendar's pages and feeds (issue 10). See bench/README.md.

Builds a fresh SQLite database (PostgreSQL too when BENCH_DATABASE_URL or TEST_DATABASE_URL
names a server), loads the small demo, then adds a busy year: `--events` one-off events spread
over twelve months (public and members-only, some cancelled) and `--series` weekly series with
a skipped date each. Then times, with the Flask test client in this process, the month, week
and list views for an anonymous visitor and a member, an event page, the public iCal feed, the
member's personal feed, one event's .ics, the JSON of upcoming events and the widget.

One JSON line per figure on stdout (p50 and p95 in ms over `--requests` reads); notes on
stderr. Run from the repository root:

    .venv/bin/python bench/calendar_pages.py
    .venv/bin/python bench/calendar_pages.py --events 600 --series 10 --requests 30
"""

import argparse
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AIM_MS = 50  # the archive's aim for a page read on the server; the issue sets none of its own


def note(text):
    print(text, file=sys.stderr, flush=True)


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def busy_year(app, events, series, seed=10):
    """Add `events` one-off events and `series` weekly series (facilitator Camille)."""
    from sqlalchemy import select

    from meeting.calendar import read
    from meeting.calendar import services as calendar
    from meeting.extensions import db
    from meeting.models import Member
    from meeting.pipeline import change

    rng = random.Random(seed)
    camille = db.session.scalar(select(Member).where(Member.email == "camille@le97.example"))
    start = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
    for n in range(events):
        day = (start + timedelta(days=rng.randrange(-120, 240))).date()
        hour = rng.choice(["10:00", "14:00", "18:30", "20:00"])
        values = {
            "title": f"Évènement n° {n + 1}",
            "description": "Un moment au 97 ; entrée libre, **bienvenue**.",
            "start_date": day.isoformat(),
            "start_time": hour,
            "end_time": "23:00",
            "place": "elsewhere",
            "place_detail": f"Salle {n}",  # no overlap warning for the bulk rows
            "visibility": "members" if n % 5 == 0 else "public",
        }
        cleaned = calendar.clean_event_fields(values, today=day)
        with change() as c:
            event = calendar.insert_event(c, camille, cleaned)
        if n % 17 == 0:
            event.status, event.cancelled_at = "cancelled", datetime.now()
            db.session.commit()
    for n in range(series):
        day = (start + timedelta(days=n)).date()
        values = {
            "title": f"Série n° {n + 1}",
            "start_date": day.isoformat(),
            "start_time": "18:30",
            "end_time": "20:00",
            "place": "elsewhere",
            "place_detail": f"Atelier {n}",
            "repeat": "weekly",
            "repeat_until": (day + timedelta(days=364)).isoformat(),
        }
        with change() as c:
            event = calendar.insert_event(c, camille, calendar.clean_event_fields(values))
        skipped = read.series_starts(event)[3]
        calendar.skip_occurrence(camille, event.id, skipped.strftime("%Y-%m-%dT%H:%M"))


def run(engine, database_url, args):
    from meeting import create_app
    from meeting.calendar import read
    from meeting.extensions import db
    from meeting.feeds import tokens
    from meeting.models import Event, Member

    instance = tempfile.mkdtemp(prefix="vendredi-bench-calendar-")
    overrides = {"INSTANCE_PATH": instance, "RATELIMIT_ENABLED": False}
    if database_url:
        overrides["SQLALCHEMY_DATABASE_URI"] = database_url
    app = create_app(overrides)
    try:
        with app.app_context():
            from flask_migrate import upgrade
            from sqlalchemy import select

            if database_url:
                db.drop_all()
                with db.engine.begin() as conn:
                    conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
            upgrade(directory=str(ROOT / "migrations"))
            from meeting.cli import load_demo

            with app.test_request_context("/"):
                load_demo()
            started = time.perf_counter()
            busy_year(app, args.events, args.series)
            note(
                f"{engine}: {args.events} évènements et {args.series} séries en "
                f"{time.perf_counter() - started:.1f} s"
            )
            ines = db.session.scalar(select(Member).where(Member.email == "ines@le97.example"))
            token = tokens.create_token(ines, scope="calendar")
            event_id = db.session.scalar(
                select(Event.id).where(Event.visibility == "public").order_by(Event.id.desc())
            )
            today = datetime.now().date().isoformat()
            month_occurrences = len(
                read.between(datetime.now() - timedelta(days=31), datetime.now(), True)
            )
        # Requests run outside the app context above: each then has its own (with `g`, and
        # Flask-Login's user cached there), as on a server; inside it, clients would share one.
        anonymous = app.test_client()
        member = app.test_client()
        page = member.get("/connexion").get_data(as_text=True)
        csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
        answer = member.post(
            "/connexion",
            data={"email": "ines@le97.example", "password": "vendredi", "csrf_token": csrf},
        )
        if answer.status_code != 302:
            raise RuntimeError(f"sign-in refused ({answer.status_code})")
        probe = member.get("/agenda/").get_data(as_text=True)
        if "Se déconnecter" not in probe:
            raise RuntimeError("the member client is not signed in")
        reads = [
            ("month", anonymous, f"/agenda/?date={today}"),
            ("month_member", member, f"/agenda/?date={today}"),
            ("week", anonymous, f"/agenda/?vue=semaine&date={today}"),
            ("list", anonymous, f"/agenda/?vue=liste&date={today}"),
            ("event", anonymous, f"/agenda/{event_id}"),
            ("public_ics", anonymous, "/agenda.ics"),
            ("member_ics", anonymous, f"/agenda/personnel.ics?jeton={token}"),
            ("event_ics", anonymous, f"/agenda/{event_id}.ics"),
            ("upcoming_json", anonymous, "/agenda/prochains.json?n=20"),
            ("widget", anonymous, "/agenda/widget?n=10"),
        ]
        for name, client, url in reads:
            times, size = [], 0
            for _ in range(args.requests):
                begin = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - begin) * 1000)
                assert response.status_code == 200, (url, response.status_code)
                size = len(response.data)
            p95 = percentile(times, 0.95)
            print(
                json.dumps(
                    {
                        "bench": "calendar",
                        "engine": engine,
                        "metric": name,
                        "url": url,
                        "first_ms": round(times[0], 1),
                        "p50_ms": round(statistics.median(times), 1),
                        "p95_ms": round(p95, 1),
                        "aim_ms": AIM_MS,
                        "meets_aim": p95 <= AIM_MS,
                        "bytes": size,
                        "requests": args.requests,
                        "events": args.events,
                        "series": args.series,
                        "occurrences_last_month": month_occurrences,
                    }
                ),
                flush=True,
            )
    finally:
        shutil.rmtree(instance, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=400)
    parser.add_argument("--series", type=int, default=8)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    os.environ.setdefault("MAIL_SERVER", "")
    engines = args.engines.split(",")
    if "sqlite" in engines:
        run("sqlite", None, args)
    pg = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if "postgresql" in engines and pg:
        run("postgresql", pg, args)
    elif "postgresql" in engines:
        note("PostgreSQL : BENCH_DATABASE_URL (ou TEST_DATABASE_URL) absente, passe ignorée")


if __name__ == "__main__":
    main()
