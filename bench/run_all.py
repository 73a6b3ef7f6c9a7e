#!/usr/bin/env python3
"""One benchmark suite (issue 13): run every bench of bench/, then rewrite bench/RESULTS.md.

Each bench runs as a subprocess, one after the other, with its full size (the issue's aims) or,
with `--quick`, a reduced size that takes seconds (to check that everything runs; its figures
are not the aims' measurement). Every JSON line a bench prints goes to stdout and to
`bench/results/<date>-<bench>[-quick].jsonl`; its stderr goes to stderr and to the `.log` next
to it (bench/results/ is not in git). Then bench/RESULTS.md is written from those lines: every
figure with its floor and the ratio, the issue's aims met or not, the machine and the date.

A bench that fails is reported as failed (with its exit status) and the others still run; the
exit status is then 1. Run from the repository root (what `make bench` does):

    .venv/bin/python bench/run_all.py                          # full: about 20-30 min on 2 cores
    .venv/bin/python bench/run_all.py --quick                  # a few seconds to a minute each
    .venv/bin/python bench/run_all.py --quick --only memory,two_processes
    .venv/bin/python bench/run_all.py --report-only bench/results/<date>-run.json
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import signal
import subprocess
import sys
import threading
import time
from importlib import metadata
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS_DIR = BENCH / "results"
RESULTS_MD = BENCH / "RESULTS.md"

# name -> arguments of a full run and of a --quick run, in the order they run.
BENCHES = {
    "live_document": {
        "full": ["--async-mode", "gevent"],
        "quick": ["--async-mode", "gevent", "--clients", "20", "--seconds", "2", "--burst", "10"]
        + ["--warmup", "2", "--settle", "0.5", "--drain-timeout", "10"],
    },
    "live_session": {
        "full": ["--async-mode", "gevent"],
        "quick": ["--async-mode", "gevent", "--clients", "20", "--items", "5", "--steps", "3"]
        + ["--warmup", "1", "--burst", "5", "--size-items", "0", "--settle", "0.5"]
        + ["--reconnect-tail", "0.3", "--reconnect-timeout", "20", "--drain-timeout", "20"]
        + ["--answer-timeout", "20"],
    },
    "archive": {
        "full": [],
        "quick": ["--engines", "sqlite", "--years", "1", "--requests", "5", "--warmup", "1"],
    },
    # SQLite only: on PostgreSQL this bench drops every table of the database it is given.
    "calendar_pages": {
        "full": ["--engines", "sqlite"],
        "quick": ["--engines", "sqlite", "--events", "40", "--series", "2", "--requests", "5"],
    },
    "two_processes": {
        "full": [],
        "quick": ["--clients", "20", "--seconds", "2", "--warmup", "2", "--settle", "0.5"],
    },
    "memory": {"full": [], "quick": ["--counts", "0,10,50", "--settle", "1"]},
}
# Environment variables a bench must not see (calendar_pages rebuilds the tables of the
# database they name; the tests' database may be one of them).
HIDDEN_ENV = {"calendar_pages": ("TEST_DATABASE_URL", "BENCH_DATABASE_URL")}


def note(message):
    print(f"[run_all {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- running -----------------------------------------------------------------------------------


class Interrupted(Exception):
    pass


def run_bench(name, argv, jsonl, log, timeout):
    """Run one bench; tee its JSON lines to stdout and `jsonl`, its stderr to stderr and `log`.
    Return its exit status (None when it could not start), whether it timed out, and seconds."""
    hidden = HIDDEN_ENV.get(name, ())
    env = {k: v for k, v in os.environ.items() if k not in hidden}
    env["PYTHONUNBUFFERED"] = "1"
    command = [sys.executable, str(BENCH / f"{name}.py"), *argv]
    started = time.monotonic()
    with open(jsonl, "w") as out, open(log, "w") as err:
        err.write(f"$ {' '.join(command)}\n")
        try:
            proc = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                bufsize=1,
            )
        except OSError as error:
            err.write(f"could not start: {error}\n")
            return None, False, 0.0

        def copy_stderr():
            for line in proc.stderr:
                sys.stderr.write(line)
                err.write(line)
                err.flush()

        tee = threading.Thread(target=copy_stderr, daemon=True)
        tee.start()
        timed_out = threading.Event()

        def expire():
            timed_out.set()
            stop(proc)

        timer = threading.Timer(timeout, expire) if timeout else None
        if timer:
            timer.daemon = True
            timer.start()
        try:
            for line in proc.stdout:
                text = line.strip()
                if not text:
                    continue
                try:
                    json.loads(text)
                except ValueError:  # not a figure: a stray print; keep it with the notes
                    sys.stderr.write(line)
                    err.write(line)
                    continue
                print(text, flush=True)
                out.write(text + "\n")
                out.flush()
            proc.wait()
        except KeyboardInterrupt:
            stop(proc)
            raise Interrupted(name) from None
        finally:
            if timer:
                timer.cancel()
            tee.join(5)
        if timed_out.is_set():
            err.write(f"run_all: stopped after the {timeout:.0f} s timeout\n")
        return proc.returncode, timed_out.is_set(), time.monotonic() - started


def stop(proc, grace=30.0):
    """End the bench we started, by its id: SIGTERM (the bench then stops its own servers and
    clients), then SIGKILL."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


# -- the machine -------------------------------------------------------------------------------


def machine():
    info = {"cores": os.cpu_count(), "cpu": platform.processor() or platform.machine()}
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["ram_gib"] = round(int(line.split()[1]) / 2**20, 1)
    info["python"] = f"{platform.python_implementation()} {platform.python_version()}"
    system = f"{platform.system()} {platform.release()}"
    with contextlib.suppress(OSError):
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                system = f"{line.split('=', 1)[1].strip().strip(chr(34))} ({system})"
    info["os"] = system
    with contextlib.suppress(OSError):
        info["load_average"] = [round(v, 2) for v in os.getloadavg()]
    packages = {}
    for package in ("python-socketio", "python-engineio", "Flask-SocketIO", "gevent", "redis"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            packages[package] = metadata.version(package)
    info["packages"] = packages
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        git = ["git", "-C", str(ROOT)]
        commit = subprocess.run(
            git + ["rev-parse", "--short", "HEAD"], check=False, capture_output=True
        )
        dirty = subprocess.run(git + ["status", "--porcelain"], check=False, capture_output=True)
        if commit.returncode == 0:
            info["commit"] = commit.stdout.decode().strip()
            info["uncommitted_changes"] = bool(dirty.stdout.strip())
    return info


# -- the figures -------------------------------------------------------------------------------

# Fields that tell two figures of one metric apart (beside bench, server, clients, phase).
IDENTITY = (
    "async_mode",
    "engine",
    "view",
    "fact",
    "agenda_items",
    "given_view",
    "process",
    "since",
    "repeat",
)
BASE_FIELDS = {"bench", "server", "clients", "phase", "metric", "value", *IDENTITY}


class Figures:
    def __init__(self, lines):
        self.lines = lines

    def select(self, **match):
        """Lines with these fields; an identity field not asked for must be absent."""
        out = []
        for line in self.lines:
            if all(line.get(k) == v for k, v in match.items()) and all(
                line.get(k) is None for k in IDENTITY if k not in match
            ):
                out.append(line)
        return out

    def value(self, **match):
        found = self.select(**match)
        return found[0].get("value") if found else None

    def values(self, field, **match):
        """Distinct values of `field` among the lines with these fields (others free)."""
        seen = []
        for line in self.lines:
            if any(line.get(k) != v for k, v in match.items()):
                continue
            v = line.get(field)
            if v is not None and v not in seen:
                seen.append(v)
        return seen


def fmt(value):
    if value is None:
        return "not measured"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (int, str)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def ratio(a, f):
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, f))
    return a / f if numbers and f else None


def fmt_ratio(r):
    return "–" if r is None else f"{r:.2f} ×"


def cell(text):
    # A feed token in a URL (`?jeton=…`) is a throwaway database's, but stays out of git.
    text = re.sub(r"((?:jeton|token)=)[^&\s`]+", r"\1…", str(text))
    return text.replace("|", "\\|").replace("\n", " ")


# -- the aims ----------------------------------------------------------------------------------

TARGET_N = 500
TARGET_FRIDAYS = 520


class Aim:
    """One row of the aims table."""

    def __init__(self, aim, bench, figure, value, floor, rel, bound, met, size_ok, size, limit):
        self.__dict__.update(locals())
        del self.__dict__["self"]

    def met_text(self):
        if self.value is None or self.met is None:
            return "not measured"
        verdict = "yes" if self.met else "no"
        if self.size_ok:
            return verdict
        return f"not assessed ({self.size}); {verdict} at that size"


def pick_n(figs, bench, **match):
    """N = 500 when measured, else the largest N measured; and whether it is the target."""
    counts = [
        line["clients"]
        for line in figs.select(bench=bench, server="app", **match)
        if isinstance(line.get("clients"), int)
    ]
    if not counts:
        return None, False
    n = TARGET_N if TARGET_N in counts else max(counts)
    return n, n == TARGET_N


def cpu_split_text(figs, bench, mode, n, phase):
    parts = []
    for part in ("db", "render", "publish", "other"):
        v = figs.value(
            bench=bench,
            server="app",
            async_mode=mode,
            clients=n,
            phase=phase,
            metric=f"cpu_split_{part}_ms",
        )
        if v is not None:
            parts.append(f"{part} {fmt(v)} ms")
    return f" (split per command: {', '.join(parts)})" if parts else ""


ORM_LIMIT = (
    "the rest is mostly SQLAlchemy's ORM around the statements, then Flask-SocketIO's and "
    "Flask-Login's work per event (a request context, the session, the member read again): "
    'bench/README.md, "Issue 12, measured"'
)


VIEWS_LIMIT = (
    "a facilitator's command builds the regions of the three views (console, screen, phones) "
    "before the same fan-out as the floor's, and the rest is the ORM and the per-event work of "
    'Flask-SocketIO and Flask-Login: bench/README.md, "Issue 12, measured"'
)


def live_aims(figs):
    rows = []
    for bench, phase, what, joined_metric in (
        ("live_document", "steady", "document command at 10/s", "clients_joined"),
        ("live_session", "advance", "facilitator's advance", "followers_joined"),
    ):
        for mode in figs.values("async_mode", bench=bench) or [None]:
            m = {"bench": bench, "async_mode": mode, "phase": phase}
            n, at_target = pick_n(figs, **m, metric="latency_p99_ms")
            size = f"measured at {n} clients, the aim is at {TARGET_N}"
            a = figs.value(**m, server="app", clients=n, metric="latency_p99_ms")
            f = figs.value(**m, server="floor", clients=n, metric="latency_p99_ms")
            r = ratio(a, f)
            cpu_a = figs.value(**m, server="app", clients=n, metric="server_cpu_ms_per_command")
            cpu_f = figs.value(**m, server="floor", clients=n, metric="server_cpu_ms_per_command")
            limit = None
            if cpu_a is not None and cpu_f is not None:
                why = ORM_LIMIT if bench == "live_document" else VIEWS_LIMIT
                limit = (
                    f"the app's CPU per command, {fmt(cpu_a)} ms against the floor's "
                    f"{fmt(cpu_f)} ms at {n}{cpu_split_text(figs, bench, mode, n, phase)}; "
                    f"{why}"
                )
            rows.append(
                Aim(
                    f"p99 command → every client < 2 × floor ({what})",
                    bench,
                    f"latency_p99_ms, {phase}, N={n}" if n else "latency_p99_ms",
                    a,
                    f,
                    r,
                    "< 2 ×",
                    None if r is None else r < 2,
                    at_target,
                    size,
                    limit,
                )
            )
            setup = {"bench": bench, "async_mode": mode, "phase": "setup", "clients": n}
            j_a = figs.value(**setup, server="app", metric=joined_metric) or n
            j_f = figs.value(**setup, server="floor", metric=joined_metric) or n
            per_a = 1000 * cpu_a / j_a if cpu_a is not None and j_a else None
            per_f = 1000 * cpu_f / j_f if cpu_f is not None and j_f else None
            r = ratio(per_a, per_f)
            rows.append(
                Aim(
                    f"CPU per delivery < 3 × floor ({what})",
                    bench,
                    "server_cpu_ms_per_command ÷ clients joined, µs" + (f", N={n}" if n else ""),
                    None if per_a is None else round(per_a, 1),
                    None if per_f is None else round(per_f, 1),
                    r,
                    "< 3 ×",
                    None if r is None else r < 3,
                    at_target,
                    size,
                    limit and f"the same CPU per command: {limit}",
                )
            )
    return rows


def rss_aims(figs):
    rows = []
    for bench, phase, metric, idle_metric in (
        ("memory", "idle", "rss_mb", None),
        ("live_document", "setup", "rss_joined_mb", "rss_idle_mb"),
        ("live_session", "setup", "rss_joined_mb", "rss_idle_mb"),
    ):
        for mode in figs.values("async_mode", bench=bench) or [None]:
            m = {"bench": bench, "async_mode": mode, "phase": phase}
            n, at_target = pick_n(figs, **m, metric=metric)
            a = figs.value(**m, server="app", clients=n, metric=metric)
            f = figs.value(**m, server="floor", clients=n, metric=metric)
            if idle_metric:
                idle_a = figs.value(**m, server="app", clients=n, metric=idle_metric)
                idle_f = figs.value(**m, server="floor", clients=n, metric=idle_metric)
            else:
                idle_a = figs.value(**m, server="app", clients=0, metric=metric)
                idle_f = figs.value(**m, server="floor", clients=0, metric=metric)
            per = "rss_per_client_kb" if bench != "live_session" else "rss_per_follower_kb"
            per_a = figs.value(**m, server="app", clients=n, metric=per, since=0)
            if per_a is None:
                per_a = figs.value(**m, server="app", clients=n, metric=per)
            per_f = figs.value(**m, server="floor", clients=n, metric=per, since=0)
            if per_f is None:
                per_f = figs.value(**m, server="floor", clients=n, metric=per)
            limit = None
            if idle_a is not None:
                limit = (
                    f"the process before any page: {fmt(idle_a)} MB (floor {fmt(idle_f)} MB: "
                    "Flask, SQLAlchemy, Babel, the app's modules and Redis's client, which "
                    f"python-socketio imports); then {fmt(per_a)} KB per page (floor "
                    f"{fmt(per_f)} KB)"
                )
            rows.append(
                Aim(
                    f"server RSS < 150 MB at {TARGET_N} clients",
                    bench,
                    f"{metric}, N={n}" if n is not None else metric,
                    a,
                    f,
                    ratio(a, f),
                    "< 150 MB",
                    None if a is None else a < 150,
                    at_target,
                    f"measured at {n} clients, the aim is at {TARGET_N}",
                    limit,
                )
            )
    return rows


def lost_aims(figs, statuses):
    rows = []
    # What a page must have had, by the figure that says how many had it.
    whole_of = {
        "reconnect_followers_ok": ("reconnect", "reconnect_followers"),
        "followers_last_fact_shows_n": ("setup", "followers_joined"),
    }
    for bench in BENCHES:
        if bench in ("archive", "calendar_pages", "memory") or bench not in statuses:
            continue
        app = [x for x in figs.lines if x.get("bench") == bench and x.get("server") == "app"]
        # The app coalesces a round's facts (one per 0.25 s, not one per answer): its
        # fanout_messages_lost counts facts it never meant to send; what a follower must end
        # with is the whole round (followers_last_fact_shows_n = N).
        lost = [
            x
            for x in app
            if x["metric"].endswith("_lost")
            and x["metric"] != "fanout_messages_lost"
            and isinstance(x.get("value"), int)
        ]
        failed = [x for x in app if x["metric"] in ("commands_failed", "answers_failed")]
        short = []
        for x in app:
            if x["metric"] not in whole_of:
                continue
            phase, metric = whole_of[x["metric"]]
            whole = figs.value(
                bench=bench,
                server="app",
                async_mode=x.get("async_mode"),
                clients=x.get("clients"),
                phase=phase,
                metric=metric,
            )
            if x.get("value") != whole:
                short.append({**x, "value": f"{fmt(x.get('value'))} of {fmt(whole)}"})
        total = sum(x["value"] for x in lost) if lost else None
        floor_lost = [
            x["value"]
            for x in figs.lines
            if x.get("bench") == bench
            and x.get("server") == "floor"
            and x["metric"].endswith("_lost")
            and isinstance(x.get("value"), int)
        ]
        if short and total is not None:
            total = f"{total} lost; {len(short)} count(s) short of N"
        bad = [x for x in lost if x["value"]] + [x for x in failed if x.get("value")] + short
        limit = None
        if bad:
            limit = "; ".join(
                f"{x['metric']} = {fmt(x.get('value'))} (N={x.get('clients')}, {x.get('phase')})"
                for x in bad[:8]
            )
        rows.append(
            Aim(
                "nothing lost",
                bench,
                "every app *_lost figure (sum), *_failed, followers reconnected and current, "
                "followers showing the whole round",
                total,
                sum(floor_lost) if floor_lost else None,
                None,
                "0",
                None if total is None else not bad,
                True,
                "",
                limit,
            )
        )
    return rows


def two_process_aims(figs):
    rows = []
    bench = "two_processes"
    keys = []
    for x in figs.lines:
        if (
            x.get("bench") == bench
            and x.get("server") == "app"
            and x.get("metric") == "latency_p99_ms"
            and x.get("process") is None
        ):
            keys.append((x.get("async_mode"), x.get("engine"), x.get("clients")))
    for mode, engine, n in keys:
        m = {"bench": bench, "async_mode": mode, "engine": engine, "phase": "steady"}
        a = figs.value(**m, server="app", clients=n, metric="latency_p99_ms")
        f = figs.value(**m, server="floor", clients=n, metric="latency_p99_ms")
        r = ratio(a, f)
        limit = None
        cpu = [
            figs.value(**m, server=s, clients=n, metric="server_cpu_ms_per_command", process=p)
            for s in ("app", "floor")
            for p in ("A", "B")
        ]
        redis = figs.value(**m, server="app", clients=n, metric="redis_cpu_ms_per_command")
        if cpu[0] is not None:
            limit = (
                f"the app's CPU per command on the process that takes the commands, "
                f"{fmt(cpu[0])} ms (the other process {fmt(cpu[1])} ms) against the floor's "
                f"{fmt(cpu[2])} ms ({fmt(cpu[3])} ms); Redis {fmt(redis)} ms per command; "
                f"every fact crosses Redis in both; {ORM_LIMIT}"
            )
        rows.append(
            Aim(
                "two processes and Redis: p99 < 3 × floor",
                bench,
                f"latency_p99_ms, {engine}, N={n} (both processes' clients)",
                a,
                f,
                r,
                "< 3 ×",
                None if r is None else r < 3,
                n == TARGET_N,
                f"measured at {n} clients, the issue's load is {TARGET_N}",
                limit,
            )
        )
    if not keys:
        rows.append(
            Aim(
                "two processes and Redis: p99 < 3 × floor",
                bench,
                "latency_p99_ms",
                None,
                None,
                None,
                "< 3 ×",
                None,
                False,
                "",
                None,
            )
        )
    return rows


def archive_aims(figs):
    rows = []
    fridays = {}
    for x in figs.lines:
        if x.get("bench") == "archive" and x.get("metric") == "generation_s":
            fridays[x.get("engine")] = x.get("fridays")
    pages = [
        x
        for x in figs.lines
        if x.get("bench") == "archive"
        and x.get("metric") == "page"
        and x.get("page") != "baseline_table_500"
    ]
    for x in pages:
        engine = x.get("engine")
        base = next(
            (
                b
                for b in figs.lines
                if b.get("bench") == "archive"
                and b.get("engine") == engine
                and b.get("page") == "baseline_table_500"
            ),
            {},
        )
        count = fridays.get(engine)
        p95 = None if x.get("skipped") else x.get("p95_ms")
        limit = None
        if p95 is not None and x.get("p50_ms") is not None:
            limit = (
                f"{fmt(x.get('sql_p50_ms'))} ms of its {fmt(x.get('p50_ms'))} ms (p50) in "
                f"{fmt(x.get('queries'))} SQL statements (slowest {fmt(x.get('slowest_query_ms'))} "
                "ms); the rest is Python: the view, Jinja, Babel"
            )
        rows.append(
            Aim(
                f"archive page p95 < 50 ms on ten years ({x.get('page')})",
                "archive",
                f"p95_ms, {engine}, {x.get('url')}",
                p95,
                base.get("p95_ms"),
                ratio(p95, base.get("p95_ms")),
                "< 50 ms",
                None if p95 is None else p95 < 50,
                count == TARGET_FRIDAYS,
                f"{count} Fridays, the aim is on {TARGET_FRIDAYS}",
                limit,
            )
        )
    if not pages:
        rows.append(
            Aim(
                "archive pages p95 < 50 ms on ten years",
                "archive",
                "p95_ms",
                None,
                None,
                None,
                "< 50 ms",
                None,
                False,
                "",
                None,
            )
        )
    return rows


# -- RESULTS.md --------------------------------------------------------------------------------


def render(run, figs):
    quick = run["mode"] == "quick"
    statuses = {b["name"]: b for b in run["benches"]}
    mach = run["machine"]
    out = [
        "# Benchmark results",
        "",
        "<!-- Generated by bench/run_all.py: do not edit by hand. -->",
        "",
        (
            f"**A generated file**, written by `make bench` (the command: `{run['command']}`) "
            f"on {run['finished'][:10]}: run it again rather than editing this file. What each "
            "bench does and how to read its figures: [README.md](README.md). The raw JSON lines "
            "are in `bench/results/` on the machine that ran them (not in git)."
        ),
        "",
    ]
    if quick:
        out += [
            (
                "**Mode: quick** (`--quick`): reduced counts, to check that every bench runs. These "
                "figures are not the aims' measurement: the aims are at 500 clients and on ten years "
                "of Fridays, which only a full run (`make bench`) measures; an aim measured at "
                "another size says *not assessed*."
            ),
            "",
        ]
    else:
        out += ["**Mode: full** (each bench at its default size).", ""]
    load = mach.get("load_average")
    commit = mach.get("commit", "unknown")
    if mach.get("uncommitted_changes"):
        commit += " (with uncommitted changes)"
    packages = ", ".join(f"{k} {v}" for k, v in mach.get("packages", {}).items())
    out += [
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        f"| cores | {mach.get('cores')} |",
        f"| CPU | {cell(mach.get('cpu'))} |",
        f"| RAM | {fmt(mach.get('ram_gib'))} GiB |",
        f"| Python | {mach.get('python')} |",
        f"| OS | {cell(mach.get('os'))} |",
        f"| date | {run['started']} → {run['finished']} |",
        f"| commit | {commit} |",
        f"| load average at start (1, 5, 15 min) | {', '.join(map(str, load or []))} |",
        f"| packages | {packages} |",
        "",
        (
            "The machine may be shared: each live bench prints `others_cpu_pct` per phase (CPU that "
            "other programs took meanwhile, 100 = one core); read it before a figure."
        ),
        "",
        "## Benches",
        "",
        "| bench | arguments | exit status | time | figures |",
        "|---|---|---|---|---|",
    ]
    for name in BENCHES:
        b = statuses.get(name)
        if b is None:
            out.append(f"| {name} | – | not run (`--only`) | – | – |")
            continue
        if b["rc"] == 0:
            status = "ok"
        elif b.get("timed_out"):
            status = f"**failed**: stopped at the {b['timeout']:.0f} s timeout (exit {b['rc']})"
        elif b["rc"] is None:
            status = "**failed**: could not start"
        else:
            status = f"**failed**: exit status {b['rc']}"
        args = " ".join(b["argv"]) or "(defaults)"
        out.append(
            f"| {name} | `{cell(args)}` | {status} | {b['seconds']:.0f} s | {b['figures']} |"
        )
    failed = [b for b in run["benches"] if b["rc"] != 0]
    for b in failed:
        out += ["", f"`{b['name']}` failed; the end of its log:", "", "```"]
        out += [line.rstrip() for line in b.get("log_tail", [])] or ["(empty)"]
        out += ["```"]
    aims = live_aims(figs) + two_process_aims(figs) + rss_aims(figs)
    aims += lost_aims(figs, statuses) + archive_aims(figs)
    out += [
        "",
        f"## The aims (issue 13, set for 2 cores; this machine has {mach.get('cores')})",
        "",
        (
            "The floor is what the same stack does with nothing of the app: the bare python-socketio "
            "server of the same run for the live benches (a pair sharing the same Redis for two "
            "processes), the baseline page of the same run for the archive. *Not measured*: the "
            "bench did not run, failed, or did not print that figure."
        ),
        "",
        "| aim | bench | figure | value | floor | ratio | bound | met? |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for a in aims:
        out.append(
            f"| {cell(a.aim)} | {a.bench} | {cell(a.figure)} | {fmt(a.value)} | {fmt(a.floor)} "
            f"| {fmt_ratio(a.rel)} | {a.bound} | {cell(a.met_text())} |"
        )
    unmet = [a for a in aims if a.met is False]
    out += ["", "### What limits the figures that miss their aim", ""]
    if not unmet:
        out.append("Every figure measured meets its bound." if aims else "Nothing measured.")
    for a in unmet:
        size = "" if a.size_ok else f" ({a.size})"
        why = a.limit or "not analysed"
        out.append(f"- **{a.aim}**, {a.bench}{size}: {why}.")
    out += ["", "## Every figure", ""]
    for name in BENCHES:
        lines = [x for x in figs.lines if x.get("bench") in (name, BENCH_KEY.get(name))]
        out += [f"### {name}", ""]
        if name not in statuses:
            out += ["Not run (`--only`).", ""]
            continue
        if not lines:
            out += ["No figure (the bench failed before printing one).", ""]
            continue
        if name == "archive":
            out += archive_tables(lines)
        elif name == "calendar_pages":
            out += calendar_tables(lines)
        else:
            out += server_tables(lines)
    return "\n".join(out).rstrip() + "\n"


BENCH_KEY = {"calendar_pages": "calendar"}  # the `bench` field of its lines


def server_tables(lines):
    """Figures of a bench whose lines carry `server` (app, floor, app/floor): one row per
    (N, phase, metric, …) with the app's value, the floor's, and their ratio."""
    out = []
    groups = {}
    for x in lines:
        groups.setdefault((x.get("async_mode"), x.get("engine")), []).append(x)
    for (mode, engine), group in groups.items():
        title = ", ".join(f"{k} {v}" for k, v in (("async mode", mode), ("engine", engine)) if v)
        if title:
            out += [f"#### {title}", ""]
        rows, order = {}, []
        for x in group:
            extras = [f"{k}={x[k]}" for k in IDENTITY[2:] if x.get(k) is not None]
            key = (x.get("clients"), x.get("phase"), x.get("metric"), tuple(extras))
            if key not in rows:
                rows[key] = {}
                order.append(key)
            rows[key][x.get("server")] = x
        phases = []
        for key in order:
            if key[1] not in phases:
                phases.append(key[1])
        order.sort(key=lambda k: (k[0] if isinstance(k[0], int) else -1, phases.index(k[1])))
        out += [
            "| N | phase | figure | app | floor | app ÷ floor | details |",
            "|---|---|---|---|---|---|---|",
        ]
        for key in order:
            servers = rows[key]
            n, phase, metric, extras = key
            name = metric + (f" ({', '.join(extras)})" if extras else "")
            pair = servers.get("app/floor")
            app, floor = servers.get("app"), servers.get("floor")
            a = app.get("value") if app else None
            f = floor.get("value") if floor else None
            if pair is not None and app is None and floor is None:
                shown = (
                    fmt(pair.get("value"))
                    if not isinstance(pair.get("value"), float)
                    else f"{pair['value']:g} ×"
                )
                cells = ["", "", shown]
            else:
                cells = [
                    fmt(a) if app else "–",
                    fmt(f) if floor else "–",
                    fmt_ratio(ratio(a, f)),
                ]
            detail = {}
            for x in servers.values():
                for k, v in x.items():
                    if k not in BASE_FIELDS and k != "note":
                        detail[k] = v
            text = json.dumps(detail, ensure_ascii=False) if detail else ""
            if len(text) > 140:
                text = text[:137] + "…"
            out.append(
                f"| {fmt(n) if n is not None else ''} | {phase} | {cell(name)} | "
                + " | ".join(cell(c) for c in cells)
                + f" | {cell(text)} |"
            )
        out.append("")
    return out


def archive_tables(lines):
    out = []
    for engine in dict.fromkeys(x.get("engine") for x in lines):
        mine = [x for x in lines if x.get("engine") == engine]
        out += [f"#### {engine}", ""]
        for x in mine:
            if x["metric"] == "generation_s":
                out.append(
                    f"- generation: {fmt(x.get('value'))} s for {fmt(x.get('fridays'))} Fridays "
                    f"(building rows {fmt(x.get('build_s'))} s)"
                )
            elif x["metric"] == "migrate_s":
                out.append(f"- migrations: {fmt(x.get('value'))} s")
            elif x["metric"] == "rows":
                rows = x.get("rows") or {}
                top = ", ".join(f"{k} {v}" for k, v in rows.items())
                out.append(f"- rows: {cell(top)}")
        base = next((x for x in mine if x.get("page") == "baseline_table_500"), {})
        out += [
            "",
            (
                "The floor is `/_bench/table` (500 decisions, one query, a bare template), the same "
                f"run: p95 {fmt(base.get('p95_ms'))} ms."
            ),
            "",
            (
                "| page | url | status | p50 ms | p95 ms | max ms | ÷ baseline p95 | statements "
                "| SQL p50 ms | aim ms | met? |"
            ),
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for x in mine:
            if x["metric"] != "page":
                continue
            skipped = x.get("skipped")
            out.append(
                f"| {cell(x.get('page'))} | `{cell(x.get('url'))}` | {fmt(x.get('status'))} | "
                f"{fmt(None if skipped else x.get('p50_ms'))} | "
                f"{fmt(None if skipped else x.get('p95_ms'))} | "
                f"{fmt(None if skipped else x.get('max_ms'))} | "
                f"{fmt_ratio(ratio(x.get('p95_ms'), base.get('p95_ms')))} | "
                f"{fmt(x.get('queries'))} | {fmt(x.get('sql_p50_ms'))} | "
                f"{fmt(x.get('aim_ms'))} | {fmt(None if skipped else x.get('aim_met'))} |"
            )
        out.append("")
    return out


def calendar_tables(lines):
    out = []
    for engine in dict.fromkeys(x.get("engine") for x in lines):
        mine = [x for x in lines if x.get("engine") == engine]
        first = mine[0]
        out += [
            f"#### {engine}",
            "",
            (
                f"{fmt(first.get('events'))} events, {fmt(first.get('series'))} weekly series, "
                f"{fmt(first.get('requests'))} requests per read. This bench has no floor of its "
                "own: its reads are read against the archive's 50 ms."
            ),
            "",
            "| read | url | first ms | p50 ms | p95 ms | aim ms | met? | bytes |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for x in mine:
            out.append(
                f"| {cell(x.get('metric'))} | `{cell(x.get('url'))}` | {fmt(x.get('first_ms'))} "
                f"| {fmt(x.get('p50_ms'))} | {fmt(x.get('p95_ms'))} | {fmt(x.get('aim_ms'))} | "
                f"{fmt(x.get('meets_aim'))} | {fmt(x.get('bytes'))} |"
            )
        out.append("")
    return out


def read_lines(path):
    lines = []
    with contextlib.suppress(OSError):
        for text in Path(path).read_text().splitlines():
            with contextlib.suppress(ValueError):
                line = json.loads(text)
                if isinstance(line, dict):
                    lines.append(line)
    return lines


def write_results(run, path):
    lines = []
    for b in run["benches"]:
        lines.extend(read_lines(ROOT / b["jsonl"]))
    Path(path).write_text(render(run, Figures(lines)))
    note(f"wrote {shown_path(path)}")


def shown_path(path):
    """A path relative to the repository when inside it (as the run file records it)."""
    path = Path(path).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


# -- main --------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="small counts: checks that every bench runs"
    )
    parser.add_argument(
        "--only", default="", help=f"comma-separated benches among: {', '.join(BENCHES)}"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds before a bench is stopped and reported failed (default: none; 600 with "
        "--quick)",
    )
    parser.add_argument(
        "--output", default=str(RESULTS_MD), help="the Markdown file (default bench/RESULTS.md)"
    )
    parser.add_argument(
        "--results-dir",
        default=str(RESULTS_DIR),
        help="where the raw lines and logs go (default bench/results/, not in git)",
    )
    parser.add_argument(
        "--report-only",
        metavar="RUN_JSON",
        help="rewrite the Markdown from a former run's bench/results/<date>-run*.json",
    )
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        parser.error(f"unknown bench {', '.join(unknown)} (among {', '.join(BENCHES)})")
    args.names = [n for n in BENCHES if not names or n in names]
    if args.timeout is None:
        args.timeout = 600.0 if args.quick else 0.0
    return args


def command_line(argv):
    python = Path(sys.executable)
    shown = os.path.relpath(python, ROOT) if python.is_relative_to(ROOT) else str(python)
    return " ".join([shown, "bench/run_all.py", *argv])


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if args.report_only:
        run = json.loads(Path(args.report_only).read_text())
        write_results(run, args.output)
        return 0 if all(b["rc"] == 0 for b in run["benches"]) else 1

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    mode = "quick" if args.quick else "full"
    suffix = "-quick" if args.quick else ""
    day = time.strftime("%Y-%m-%d")
    results = Path(args.results_dir).resolve()
    results.mkdir(parents=True, exist_ok=True)
    run = {
        "mode": mode,
        "command": command_line(argv),
        "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "benches": [],
    }
    for name in args.names:
        bench_args = BENCHES[name][mode]
        jsonl = results / f"{day}-{name}{suffix}.jsonl"
        log = results / f"{day}-{name}{suffix}.log"
        note(f"{name} ({mode}): {' '.join(bench_args) or 'defaults'}")
        try:
            rc, timed_out, seconds = run_bench(name, bench_args, jsonl, log, args.timeout)
        except Interrupted:
            note("interrupted: the bench was stopped; RESULTS.md left as it was")
            return 130
        figures = len(read_lines(jsonl))
        tail = log.read_text(errors="replace").splitlines()[-12:] if rc else []
        run["benches"].append(
            {
                "name": name,
                "argv": bench_args,
                "rc": rc,
                "timed_out": timed_out,
                "timeout": args.timeout,
                "seconds": round(seconds, 1),
                "figures": figures,
                "jsonl": shown_path(jsonl),
                "log": shown_path(log),
                "log_tail": tail,
            }
        )
        status = {"bench": "run_all", "metric": "exit_status", "name": name, "value": rc}
        print(json.dumps({**status, "seconds": round(seconds, 1), "figures": figures}), flush=True)
        note(f"{name}: exit status {rc}, {figures} figures in {seconds:.0f} s")
    run["finished"] = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    run_file = results / f"{day}-run{suffix}.json"
    run_file.write_text(json.dumps(run, indent=1, ensure_ascii=False) + "\n")
    write_results(run, args.output)
    failed = [b["name"] for b in run["benches"] if b["rc"] != 0]
    if failed:
        note(f"failed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
