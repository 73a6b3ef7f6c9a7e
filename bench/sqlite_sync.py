#!/usr/bin/env python3
"""What `PRAGMA synchronous` costs a commit in WAL mode: NORMAL against FULL (issue 14, item 7).
See docs/architecture.md ("Durability") and deploy/README.md.

With WAL, NORMAL writes a commit to the WAL file without waiting for the disk: it survives a
crash of the process (SIGKILL, tests/test_crash_loop.py), but a power loss may roll back the
last commits. FULL waits for one fsync of the WAL per commit: the acknowledged commit survives
both. The bench measures, on the disk of `--dir`, in rounds that alternate the two modes:

- `fsync`: a bare write and fsync of 4 KB (the floor: what one fsync costs on this disk);
- `raw`: one small INSERT per transaction (`BEGIN IMMEDIATE` … `COMMIT`) with the app's pragmas,
  through the sqlite3 module alone;
- `app`: `prep.add_entry` through the app's one path (validation, entry, revision, operation id,
  trace, commit; nobody listening), on a migrated database, one writer;
- `app_concurrent`: the same from `--threads` writers at once (writes are serialised by SQLite's
  lock, held during the fsync under FULL): commands per second.

One JSON line per figure on stdout (`synchronous`, `level`, `metric`, `value`), then the FULL ÷
NORMAL ratios; notes on stderr. Run from the repository root:

    .venv/bin/python bench/sqlite_sync.py                            # in the system's temp dir
    .venv/bin/python bench/sqlite_sync.py --dir instance --commits 200 --rounds 2
"""

import argparse
import json
import math
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODES = ("NORMAL", "FULL")


def figure(level, metric, value, synchronous=None, **extra):
    print(
        json.dumps(
            {
                "bench": "sqlite_sync",
                "synchronous": synchronous,
                "level": level,
                "metric": metric,
                "value": value,
                **extra,
            },
            ensure_ascii=False,
        ),
        flush=True,
    )


def note(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(values, q):
    """Nearest-rank percentile of `values` (q in 0..1)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))]


def filesystem(path):
    """The filesystem type of `path` (from /proc/mounts), for the record."""
    path = os.path.realpath(path)
    best, kind = "", "unknown"
    try:
        with open("/proc/mounts") as mounts:
            for line in mounts:
                _device, point, fstype = line.split()[:3]
                if path.startswith(point) and len(point) > len(best):
                    best, kind = point, fstype
    except OSError:
        pass
    return kind


# -- the levels ----------------------------------------------------------------------------------


def bench_fsync(directory, count):
    """Milliseconds per write + fsync of 4 KB at the end of one file."""
    path = Path(directory) / "fsync.bin"
    block = os.urandom(4096)
    times = []
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for _ in range(count):
            start = time.perf_counter()
            os.write(fd, block)
            os.fsync(fd)
            times.append((time.perf_counter() - start) * 1000)
    finally:
        os.close(fd)
        path.unlink()
    return times


def bench_raw(directory, mode, count):
    """Milliseconds per one-row write transaction with the app's pragmas (meeting/storage.py)."""
    path = Path(directory) / f"raw-{mode}.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA busy_timeout=10000")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA synchronous={mode}")
        conn.execute("CREATE TABLE trace (id INTEGER PRIMARY KEY, verb TEXT, data TEXT)")
        times = []
        for n in range(count):
            start = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO trace (verb, data) VALUES (?, ?)", ("entry_added", str(n)))
            conn.execute("COMMIT")
            times.append((time.perf_counter() - start) * 1000)
        return times
    finally:
        conn.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def app_for(directory, mode):
    """A migrated app on a fresh SQLite file with `SQLITE_SYNCHRONOUS=mode`, a member, a Friday."""
    from flask_migrate import upgrade

    from meeting import create_app
    from meeting.extensions import db
    from meeting.meetings import dates
    from meeting.meetings import services as meetings
    from meeting.models import Member

    instance = Path(directory) / f"app-{mode}"
    app = create_app(
        {
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'bench.sqlite3'}",
            "SQLITE_SYNCHRONOUS": mode,
            "MAIL_SERVER": "",
            "RATELIMIT_STORAGE_URI": "memory://",
            "LOG_LEVEL": "WARNING",
        }
    )
    with app.app_context():
        upgrade()
        assert (
            db.session.execute(db.text("PRAGMA synchronous")).scalar()
            == {"NORMAL": 1, "FULL": 2}[mode]
        )
        writers = []
        for n in range(8):
            member = Member(
                display_name=f"Auteur {n}",
                email=f"auteur{n}@le97.example",
                role="member",
                password_hash="x",
            )
            db.session.add(member)
            writers.append(member)
        db.session.commit()
        meeting_id = meetings.ensure_meeting(dates.next_meeting_date()).id
        db.session.commit()
        member_ids = [m.id for m in writers]
        db.session.remove()
    return app, instance, meeting_id, member_ids


def add_entries(app, meeting_id, member_id, count, label, times):
    """`count` entries added by one member through `prep.add_entry`; ms of each in `times`."""
    from meeting.extensions import db
    from meeting.models import Member
    from meeting.prep import services as prep

    with app.app_context():
        actor = db.session.get(Member, member_id)
        for n in range(count):
            start = time.perf_counter()
            prep.add_entry(
                actor,
                meeting_id,
                "topic",
                f"Point {label}-{n}",
                "Un point.",
                op_id=f"bench-{label}-{n:06d}",
            )
            times.append((time.perf_counter() - start) * 1000)
        db.session.remove()


def bench_app(directory, mode, count, threads):
    """(ms per add_entry with one writer, commands per second with `threads` writers)."""
    from meeting.extensions import db

    app, instance, meeting_id, member_ids = app_for(directory, mode)
    try:
        add_entries(app, meeting_id, member_ids[0], 20, "warmup", [])  # templates, statements
        alone = []
        add_entries(app, meeting_id, member_ids[0], count, "alone", alone)
        per_thread = max(1, count // threads)
        workers = [
            threading.Thread(
                target=add_entries,
                args=(app, meeting_id, member_ids[1 + n % 7], per_thread, f"t{n}", []),
            )
            for n in range(threads)
        ]
        start = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        rate = per_thread * threads / (time.perf_counter() - start)
        return alone, rate
    finally:
        with app.app_context():
            db.engine.dispose()
        shutil.rmtree(instance, ignore_errors=True)


# -- the run ---------------------------------------------------------------------------------


def summary(level, mode, times):
    figure(level, "ms_p50", round(statistics.median(times), 3), mode, n=len(times))
    figure(level, "ms_p95", round(percentile(times, 0.95), 3), mode, n=len(times))
    figure(level, "ms_p99", round(percentile(times, 0.99), 3), mode, n=len(times))
    figure(level, "ms_mean", round(statistics.fmean(times), 3), mode, n=len(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", help="where the databases go (default: the system's temp dir)")
    parser.add_argument("--commits", type=int, default=500, help="raw commits per mode and round")
    parser.add_argument("--entries", type=int, default=200, help="add_entry per mode and round")
    parser.add_argument("--threads", type=int, default=4, help="concurrent app writers")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each mode once per round")
    args = parser.parse_args()

    base = args.dir or tempfile.gettempdir()
    os.makedirs(base, exist_ok=True)
    directory = tempfile.mkdtemp(prefix="vendredi-sqlite-sync-", dir=base)
    figure(
        "machine",
        "filesystem",
        filesystem(directory),
        directory=directory,
        cores=os.cpu_count(),
        sqlite=sqlite3.sqlite_version,
    )
    results = {level: {mode: [] for mode in MODES} for level in ("raw", "app")}
    rates = {mode: [] for mode in MODES}
    fsyncs = []
    try:
        for round_ in range(args.rounds):
            note(f"round {round_ + 1}/{args.rounds}")
            fsyncs += bench_fsync(directory, args.commits)
            # Alternate which mode goes first, so that neither always runs on a warmer disk.
            for mode in MODES if round_ % 2 == 0 else MODES[::-1]:
                results["raw"][mode] += bench_raw(directory, mode, args.commits)
                alone, rate = bench_app(directory, mode, args.entries, args.threads)
                results["app"][mode] += alone
                rates[mode].append(rate)
                note(f"  {mode}: app p50 {statistics.median(alone):.2f} ms, {rate:.0f}/s")
    finally:
        shutil.rmtree(directory, ignore_errors=True)

    summary("fsync", None, fsyncs)
    for level in ("raw", "app"):
        for mode in MODES:
            summary(level, mode, results[level][mode])
    for mode in MODES:
        figure(
            "app_concurrent",
            "commands_per_s",
            round(statistics.median(rates[mode]), 1),
            mode,
            threads=args.threads,
        )
    for level in ("raw", "app"):
        full, normal = results[level]["FULL"], results[level]["NORMAL"]
        for name, q in (("p50", 0.5), ("p99", 0.99)):
            ratio = percentile(full, q) / percentile(normal, q)
            figure(level, f"full_over_normal_{name}", round(ratio, 2))
        added = statistics.median(full) - statistics.median(normal)
        figure(level, "full_minus_normal_ms_p50", round(added, 3))
    figure(
        "app_concurrent",
        "full_over_normal_rate",
        round(statistics.median(rates["FULL"]) / statistics.median(rates["NORMAL"]), 2),
    )


if __name__ == "__main__":
    main()
