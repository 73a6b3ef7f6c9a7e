#!/usr/bin/env python3
"""Benchmark of the live document through two app processes sharing Redis (issue 13). See
bench/README.md.

Starts a private `redis-server` (a free port of 127.0.0.1, nothing saved), then, for each engine
(SQLite by default; PostgreSQL in a database of its own when BENCH_DATABASE_URL or
TEST_DATABASE_URL names a server) and each client count N, two app processes (`wsgi.py` as
`bench/live_servers.py app` starts it) on the same database, the same SECRET_KEY and the same
message queue (`SOCKETIO_MESSAGE_QUEUE=redis://…`). N socket.io clients join one Friday's
document, half of them on each process; the writer, on process A, sends `add_entry` /
`edit_entry` at a steady rate, and every fact is timed from the command to its receipt by every
client of both processes. The floor of the same run: two bare python-socketio servers
(`bench/live_servers.py floor`) sharing the same Redis through `socketio.RedisManager`, the same
clients, the same writer, facts padded to the app's size.

The plumbing (processes stopped by id, /proc statistics, sign-in, the client pool, the writer,
percentiles) is bench/live_document.py's, imported.

One JSON line per figure on stdout; notes on stderr. Run from the repository root:

    .venv/bin/python bench/two_processes.py                          # 50 and 500 clients, gevent
    .venv/bin/python bench/two_processes.py --clients 20 --seconds 2  # a quick look
"""

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import live_document as ld

NAMESPACE = ld.NAMESPACE
now, note, percentile, ms = ld.now, ld.note, ld.percentile, ld.ms
AIM_RATIO = 3.0  # the aim: p99 through two processes and Redis under 3 × the floor
CONTEXT = {}  # async_mode, engine: added to every JSON line


def figure(server, clients, phase, metric, value, **extra):
    print(
        json.dumps(
            {
                "bench": "two_processes",
                "async_mode": CONTEXT.get("async_mode"),
                "engine": CONTEXT.get("engine"),
                "server": server,
                "clients": clients,
                "phase": phase,
                "metric": metric,
                "value": value,
                **extra,
            }
        ),
        flush=True,
    )


# -- Redis and the database --------------------------------------------------------------------


@contextlib.contextmanager
def private_redis(directory):
    """A redis-server of this run only (free port, no persistence), stopped at the end."""
    import redis

    exe = shutil.which("redis-server")
    if not exe:
        raise SystemExit("two_processes: redis-server not found (Debian package redis-server)")
    port = ld.free_port()
    log = Path(directory) / "redis.log"
    proc = subprocess.Popen(
        [exe, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
        + ["--daemonize", "no", "--dir", str(directory), "--logfile", str(log)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        # Dies with the bench, even on SIGKILL (prctl only, before any thread of ours).
        preexec_fn=ld._set_parent_death_signal,  # noqa: PLW1509
    )
    ld._CHILDREN.append(proc)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = now() + 10
        while True:
            if proc.poll() is not None:
                tail = (
                    log.read_text(errors="replace").strip().splitlines()[-1:]
                    if log.exists()
                    else []
                )
                raise RuntimeError(f"redis-server exited ({proc.returncode}): {tail}")
            try:
                if redis.Redis.from_url(url, socket_timeout=1).ping():
                    break
            except redis.RedisError:
                if now() > deadline:
                    raise
                time.sleep(0.1)
        note(f"redis-server {proc.pid} on 127.0.0.1:{port}")
        yield url, proc
    finally:
        ld.stop_process(proc)


@contextlib.contextmanager
def database(engine, tmp, keep):
    """SQLite in `tmp`, or a PostgreSQL database of this run only (bench/archive.py's)."""
    if engine == "sqlite":
        yield f"sqlite:///{tmp / 'vendredi.sqlite3'}"
        return
    server = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not server:
        raise SystemExit("two_processes: --engines postgresql needs BENCH_DATABASE_URL")
    import archive  # its database of its own: created, then dropped

    with archive.postgresql_database(server, keep) as (url, _directory):
        yield url


def prepare(tmp, database_url, meetings, members):
    """A fresh instance on `database_url`: migrated, members, one empty meeting per app run
    (what live_document.prepare_instance does on its own SQLite file)."""
    instance = tmp / "instance"
    drop = ("DATABASE_URL", "SOCKETIO_MESSAGE_QUEUE", "FLASK_APP", "FLASK_DEBUG")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        {
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": database_url,
            "SECRET_KEY": secrets.token_urlsafe(32),  # one key: a cookie serves both processes
            "PYTHONUNBUFFERED": "1",
            # One writer sends bursts far above a person's (SOCKET_COMMAND_BURST, 60 in
            # production: meeting/limits.py); the bench measures the fan-out, not the limit.
            "SOCKET_COMMAND_BURST": "100000",
            "SOCKET_COMMAND_RATE": "100000",
        }
    )
    flask = Path(sys.executable).parent / "flask"
    run = {"cwd": ROOT, "env": env, "capture_output": True, "text": True}
    subprocess.run([str(flask), "--app", "wsgi", "db", "upgrade"], check=True, **run)
    spec = json.dumps({"members": members, "meetings": meetings, "password": ld.PASSWORD})
    done = subprocess.run([sys.executable, str(ld.SERVERS), "setup", spec], check=True, **run)
    return env, json.loads(done.stdout.strip().splitlines()[-1])


# -- one run: two servers, N clients -----------------------------------------------------------


class Pools:
    """The client pools of both processes, seen as one by live_document.drain."""

    def __init__(self, pools):
        self.pools = pools

    def received(self):
        return sum(p.received() for p in self.pools)

    def cpu(self):
        return sum(p.cpu() for p in self.pools)


async def run_target(target, n, args, env, queue, meeting_id, emails, fact_size, tmp):
    """Start two `target` servers on one queue (`{"url", "pid"}` of the redis-server), connect
    n clients over both, run the steady phase from process A; return what report() needs."""
    import socketio

    queue_var = "SOCKETIO_MESSAGE_QUEUE" if target == "app" else "BENCH_FLOOR_MESSAGE_QUEUE"
    ports = [ld.free_port(), ld.free_port()]
    procs = [
        ld.start_server(
            target,
            {**env, "HOST": "127.0.0.1", "PORT": str(port), queue_var: queue["url"]},
            tmp / f"{target}-{args.mode}-{n}-{name}.log",
        )
        for name, port in zip("AB", ports, strict=True)
    ]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    pools, writer_sio = [], None
    try:
        for base, proc in zip(bases, procs, strict=True):
            ld.wait_http(f"{base}/connexion" if target == "app" else f"{base}/health", proc)
        if target == "app":  # signed in on A; the same cookie opens B (same SECRET_KEY)
            cookies = [ld.sign_in(bases[0], email) for email in emails[1:]]
            writer_cookie = ld.sign_in(bases[0], emails[0])
        else:
            cookies, writer_cookie = ["-"], "-"
        idle = [ld.proc_stats(p.pid) for p in procs]
        shares = [n - n // 2, n // 2]
        joined = []
        for base, share in zip(bases, shares, strict=True):
            cfg = {
                "url": base,
                "connect_concurrency": args.connect_concurrency,
                "join_event": "join_document" if target == "app" else "join",
                "join_data": {"meeting_id": meeting_id} if target == "app" else {},
                "fact_events": ["entry_added", "entry_edited"] if target == "app" else ["fact"],
            }
            if share:
                pool, ok, _seconds = await ld.connect_clients(target, share, args, cfg, cookies)
                pools.append(pool)
                joined.append(ok)
            else:
                joined.append(0)
        await asyncio.sleep(args.settle)
        joined_stats = [ld.proc_stats(p.pid) for p in procs]
        writer_sio = socketio.AsyncClient(reconnection=False, request_timeout=30)
        await writer_sio.connect(
            bases[0],
            headers={"Cookie": f"{ld.COOKIE}={writer_cookie}"},
            transports=["websocket"],
            namespaces=[NAMESPACE],
            wait_timeout=30,
        )
        join_data = {"meeting_id": meeting_id} if target == "app" else {}
        event = "join_document" if target == "app" else "join"
        ack = await writer_sio.call(event, join_data, namespace=NAMESPACE, timeout=60)
        if not (isinstance(ack, dict) and ack.get("ok")):
            raise RuntimeError(f"the writer could not join: {str(ack)[:200]}")
        writer = ld.Writer(writer_sio, target, meeting_id, fact_size, args.ack_timeout)
        both = Pools(pools)
        total = sum(joined)
        received0 = both.received()
        await writer.burst(args.warmup, 1, phase="warmup")
        warm = sum(r["ok"] for r in writer.records)
        await ld.drain(both, received0, warm * total, args.drain_timeout)
        await asyncio.sleep(0.5)
        # The steady phase, then its drain; CPU of both servers, Redis, the clients, the rest.
        redis_pid = queue["pid"]
        before = [ld.proc_stats(p.pid) for p in procs]
        redis0 = ld.proc_stats(redis_pid)["cpu"]
        clients0, received0 = both.cpu(), both.received()
        busy0, own0 = ld.machine_busy(), ld.proc_stats(os.getpid())["cpu"]
        await writer.steady(args.rate, args.seconds)
        sent_end = now()
        ok = [r for r in writer.records if r["phase"] == "steady" and r["ok"]]
        await ld.drain(both, received0, len(ok) * total, args.drain_timeout)
        drained = now()
        after = [ld.proc_stats(p.pid) for p in procs]
        redis_cpu = ld.proc_stats(redis_pid)["cpu"] - redis0
        client_cpu = both.cpu() - clients0
        own = ld.proc_stats(os.getpid())["cpu"] - own0
        server_cpu = [a["cpu"] - b["cpu"] for a, b in zip(after, before, strict=True)]
        others = ld.machine_busy() - busy0 - sum(server_cpu) - redis_cpu - client_cpu - own
        note(f"{target} n={total}: {len(ok)} commands ok, drained in {drained - sent_end:.1f} s")
        reports = [ld.merge_reports(await pool.report()) for pool in pools]
        return {
            "joined": joined,
            "idle": idle,
            "joined_stats": joined_stats,
            "records": writer.records,
            "reports": reports,
            "phase": {
                "wall": after[0]["t"] - before[0]["t"],
                "drain_s": drained - sent_end,
                "server_cpu": server_cpu,
                "redis_cpu": redis_cpu,
                "client_cpu": client_cpu,
                "others_cpu": max(0.0, others),
                "rss": [a["rss"] for a in after],
            },
            "fact_html": next((r["fact_html"] for r in reports if r["fact_html"]), None),
        }
    finally:
        for pool in pools:
            await pool.close()
        for proc in procs:
            ld.stop_process(proc)
        if writer_sio is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer_sio.disconnect(), 3)


def report(target, n, result):
    """Print the figures of one run; return {"p50", "p99", "lost"} of the whole room."""
    names = [name for name, joined in zip("AB", result["joined"], strict=True) if joined]
    total = sum(result["joined"])
    figure(target, n, "setup", "clients_joined", total)
    for i, name in enumerate("AB"):
        idle, joined = result["idle"][i]["rss"], result["joined_stats"][i]["rss"]
        share = result["joined"][i]
        figure(target, n, "setup", "clients_joined", share, process=name)
        figure(target, n, "setup", "rss_idle_mb", round(idle / 2**20, 1), process=name)
        figure(target, n, "setup", "rss_joined_mb", round(joined / 2**20, 1), process=name)
        if share:
            per = round((joined - idle) / 1024 / share, 1)
            figure(target, n, "setup", "rss_per_client_kb", per, process=name)
    records = [r for r in result["records"] if r["phase"] == "steady"]
    ok = [r for r in records if r["ok"]]
    everyone, complete, lost, dups = [], [], 0, 0
    times_of = {}
    for name, rep, joined in zip(names, result["reports"], [j for j in result["joined"] if j]):
        mine = []
        for r in ok:
            times = rep["first"].get(r["key"], [])
            mine.extend(t - r["t_send"] for t in times)
            times_of.setdefault(r["key"], []).extend(times)
            dups += rep["dups"].get(r["key"], 0)
        lost_here = len(ok) * joined - len(mine)
        lost += lost_here
        everyone.extend(mine)
        figure(target, n, "steady", "latency_p50_ms", ms(percentile(mine, 50)), process=name)
        figure(target, n, "steady", "latency_p99_ms", ms(percentile(mine, 99)), process=name)
        figure(target, n, "steady", "facts_lost", lost_here, process=name)
    for r in ok:
        times = times_of.get(r["key"], [])
        if times and len(times) >= total:
            complete.append(max(times) - r["t_send"])
    acks = [r["t_ack"] - r["t_send"] for r in ok]
    errors = {}
    for r in records:
        if not r["ok"]:
            errors[r["error"]] = errors.get(r["error"], 0) + 1
    phase = result["phase"]
    p = {q: percentile(everyone, q) for q in (50, 95, 99)}
    figure(target, n, "steady", "commands_sent", len(records))
    figure(target, n, "steady", "commands_ok", len(ok))
    if errors:
        figure(target, n, "steady", "commands_failed", sum(errors.values()), errors=errors)
    figure(target, n, "steady", "ack_p50_ms", ms(percentile(acks, 50)))
    figure(target, n, "steady", "ack_p99_ms", ms(percentile(acks, 99)))
    figure(target, n, "steady", "receipts_expected", len(ok) * total)
    for q in (50, 95, 99):
        figure(target, n, "steady", f"latency_p{q}_ms", ms(p[q]))
    figure(target, n, "steady", "latency_max_ms", ms(max(everyone) if everyone else None))
    figure(target, n, "steady", "all_clients_p99_ms", ms(percentile(complete, 99)))
    figure(target, n, "steady", "facts_lost", lost)
    figure(target, n, "steady", "facts_duplicated", dups)
    cpu = sum(phase["server_cpu"])
    per_command = round(1000 * cpu / len(ok), 2) if ok else None
    figure(target, n, "steady", "server_cpu_ms_per_command", per_command, note="both processes")
    for name, seconds in zip("AB", phase["server_cpu"], strict=True):
        value = round(1000 * seconds / len(ok), 2) if ok else None
        figure(target, n, "steady", "server_cpu_ms_per_command", value, process=name)
    redis_per = round(1000 * phase["redis_cpu"] / len(ok), 3) if ok else None
    figure(target, n, "steady", "redis_cpu_ms_per_command", redis_per)
    for name, rss in zip("AB", phase["rss"], strict=True):
        figure(target, n, "steady", "server_rss_mb", round(rss / 2**20, 1), process=name)
    wall = phase["wall"] or 1
    figure(target, n, "steady", "clients_cpu_pct", round(100 * phase["client_cpu"] / wall, 1))
    others = round(100 * phase["others_cpu"] / wall, 1)
    figure(target, n, "steady", "others_cpu_pct", others, cores=os.cpu_count())
    figure(target, n, "steady", "drain_s", round(phase["drain_s"], 2))
    disconnects = sum(rep["disconnects"] for rep in result["reports"])
    figure(target, n, "all", "client_disconnects", disconnects)
    return {"p50": p[50], "p99": p[99], "lost": lost}


def compare(n, app, floor):
    ratios = {}
    for q in ("p50", "p99"):
        a, f = app[q], floor[q]
        ratios[q] = round(a / f, 2) if a is not None and f else None
        figure("app/floor", n, "steady", f"latency_{q}_ratio", ratios[q])
    met = ratios["p99"] is not None and ratios["p99"] < AIM_RATIO and app["lost"] == 0
    figure("app/floor", n, "steady", "aim_met", met, aim=f"p99 < {AIM_RATIO:g} x floor, 0 lost")
    return ratios


# -- main --------------------------------------------------------------------------------------


async def main_async(args):
    modes = [m.strip() for m in args.async_mode.split(",") if m.strip()]
    counts = [int(c) for c in args.clients.split(",") if c.strip()]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    tmp = Path(tempfile.mkdtemp(prefix="vendredi-bench-two-"))
    try:
        with private_redis(tmp) as (url, redis_proc):
            queue = {"url": url, "pid": redis_proc.pid}
            for engine in engines:
                CONTEXT["engine"] = engine
                with database(engine, tmp, args.keep) as database_url:
                    t0 = now()
                    runs = len(modes) * len(counts)
                    env, data = prepare(tmp, database_url, runs, args.members + 1)
                    note(f"{engine}: instance migrated and filled in {now() - t0:.1f} s")
                    emails = [m["email"] for m in data["members"]]  # the first one writes
                    meetings = iter(data["meetings"])
                    for mode in modes:
                        args.mode = mode
                        CONTEXT["async_mode"] = mode
                        env_mode = {**env, "SOCKETIO_ASYNC_MODE": mode}
                        for n in counts:
                            note(f"--- {engine}, {mode}, {n} clients over 2 processes: app ---")
                            app = await run_target(
                                "app", n, args, env_mode, queue, next(meetings), emails, None, tmp
                            )
                            app_p = report("app", n, app)
                            size = app["fact_html"] or 1500
                            note(f"--- {engine}, {mode}, {n} clients: floor ({size} chars) ---")
                            floor = await run_target(
                                "floor", n, args, env_mode, queue, 0, [], size, tmp
                            )
                            floor_p = report("floor", n, floor)
                            ratios = compare(n, app_p, floor_p)
                            note(
                                f"{engine} {mode} N={n}: p99 app {ms(app_p['p99'])} ms, floor "
                                f"{ms(floor_p['p99'])} ms, ratio {ratios['p99']}; lost "
                                f"{app_p['lost']} / {floor_p['lost']}"
                            )
    finally:
        ld.stop_all()
        if args.keep:
            note(f"kept {tmp} (server logs, database, redis log)")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="50,500", help="client counts (default %(default)s)")
    parser.add_argument(
        "--engines",
        default="sqlite",
        help="sqlite, postgresql or both (PostgreSQL: BENCH_DATABASE_URL names a server; the "
        "bench creates its own database there and drops it)",
    )
    parser.add_argument(
        "--async-mode", default="gevent", help="threading, gevent or both (default gevent)"
    )
    parser.add_argument("--rate", type=float, default=10.0, help="steady commands per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="steady phase length")
    parser.add_argument("--warmup", type=int, default=6, help="commands not counted")
    parser.add_argument("--members", type=int, default=5, help="members whose cookies are shared")
    parser.add_argument(
        "--client-procs", type=int, default=1, help="client processes per app process"
    )
    parser.add_argument("--connect-concurrency", type=int, default=25)
    parser.add_argument("--settle", type=float, default=2.0, help="pause after all joins, s")
    parser.add_argument("--drain-timeout", type=float, default=30.0)
    parser.add_argument("--ack-timeout", type=float, default=30.0)
    parser.add_argument("--keep", action="store_true", help="keep the temp instance and logs")
    args = parser.parse_args(argv)
    for mode in args.async_mode.split(","):
        if mode.strip() not in ("threading", "gevent"):
            parser.error(f"unsupported async mode {mode!r} (threading or gevent)")
    for engine in args.engines.split(","):
        if engine.strip() not in ("sqlite", "postgresql"):
            parser.error(f"unsupported engine {engine!r} (sqlite or postgresql)")
    return args


def main(argv=None):
    args = parse_args(argv)

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    t0 = now()
    try:
        asyncio.run(main_async(args))
    except (KeyboardInterrupt, asyncio.CancelledError):
        note("interrupted: stopping every process started")
        return 130
    finally:
        ld.stop_all()
    note(f"done in {now() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
