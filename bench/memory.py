#!/usr/bin/env python3
"""Benchmark of the memory per connection (issue 13). See bench/README.md.

Starts the real app (`wsgi.py`, as `bench/live_servers.py app` starts it, without the CPU
split) on a fresh SQLite instance, signs members in, and reads the server's RSS (/proc) with 0,
then 100, then 500 idle document pages joined (`join_document` on one Friday; each step adds
clients to those already connected), after a pause at each step. Then the same with the floor
(`bench/live_servers.py floor`: a bare python-socketio server in the same async mode, `join`
into one room). Figures: RSS at each step, KB per connection ((RSS at N − RSS at 0) ÷ N) and the
marginal KB per connection between two steps, for the app and the floor.

The plumbing (processes stopped by id, /proc, sign-in, the client pool) is
bench/live_document.py's, imported.

One JSON line per figure on stdout; notes on stderr. Run from the repository root:

    .venv/bin/python bench/memory.py                       # 0, 100, 500 pages, gevent
    .venv/bin/python bench/memory.py --counts 0,10,50      # a quick look
"""

import argparse
import asyncio
import itertools
import json
import shutil
import signal
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import live_document as ld

now, note = ld.now, ld.note
CONTEXT = {}


def figure(server, clients, phase, metric, value, **extra):
    print(
        json.dumps(
            {
                "bench": "memory",
                "async_mode": CONTEXT.get("async_mode"),
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


async def run_target(target, counts, args, env, meeting_id, emails, tmp):
    """One server; clients added step by step up to each count; return {N: RSS bytes}."""
    port = ld.free_port()
    base = f"http://127.0.0.1:{port}"
    proc = ld.start_server(
        target,
        {**env, "HOST": "127.0.0.1", "PORT": str(port)},
        tmp / f"{target}-{args.mode}.log",
    )
    pools, rss = [], {}
    try:
        ld.wait_http(f"{base}/connexion" if target == "app" else f"{base}/health", proc)
        cookies = [ld.sign_in(base, email) for email in emails] if target == "app" else ["-"]
        cfg = {
            "url": base,
            "connect_concurrency": args.connect_concurrency,
            "join_event": "join_document" if target == "app" else "join",
            "join_data": {"meeting_id": meeting_id} if target == "app" else {},
            "fact_events": ["entry_added", "entry_edited"] if target == "app" else ["fact"],
        }
        joined = 0
        for n in counts:
            if n > joined:
                pool, ok, seconds = await ld.connect_clients(target, n - joined, args, cfg, cookies)
                pools.append(pool)
                note(f"{target}: {ok} more pages joined in {seconds:.1f} s")
                if ok != n - joined:
                    raise RuntimeError(f"{target}: only {ok} of {n - joined} pages joined")
                joined = n
            await asyncio.sleep(args.settle)
            stats = ld.proc_stats(proc.pid)
            rss[n] = stats["rss"]
            figure(target, n, "idle", "rss_mb", round(stats["rss"] / 2**20, 1))
            figure(target, n, "idle", "server_threads", stats["threads"])
        if proc.poll() is not None:
            raise RuntimeError(f"{target} exited with code {proc.returncode}")
        disconnects = 0
        for pool in pools:
            disconnects += sum(r["disconnects"] for r in await pool.report())
        figure(target, counts[-1], "all", "client_disconnects", disconnects)
        return rss
    finally:
        for pool in pools:
            await pool.close()
        ld.stop_process(proc)


def per_connection(target, rss):
    """KB per connection from 0 to each N, and between successive steps; return the first."""
    counts = sorted(rss)
    base, result = counts[0], {}
    for previous, n in itertools.pairwise(counts):
        if n > base:
            kb = (rss[n] - rss[base]) / 1024 / (n - base)
            result[n] = round(kb, 1)
            figure(target, n, "idle", "rss_per_client_kb", result[n], since=base)
        if n > previous and previous != base:
            marginal = round((rss[n] - rss[previous]) / 1024 / (n - previous), 1)
            figure(target, n, "idle", "rss_marginal_kb", marginal, since=previous)
    return result


async def main_async(args):
    counts = sorted({int(c) for c in args.counts.split(",") if c.strip()} | {0})
    tmp = Path(tempfile.mkdtemp(prefix="vendredi-bench-memory-"))
    try:
        modes = [m.strip() for m in args.async_mode.split(",") if m.strip()]
        env, data = ld.prepare_instance(tmp, len(modes), args.members)
        emails = [m["email"] for m in data["members"]]
        meetings = iter(data["meetings"])
        for mode in modes:
            args.mode = mode
            CONTEXT["async_mode"] = mode
            env_mode = {**env, "SOCKETIO_ASYNC_MODE": mode}
            note(f"--- {mode}: app, {', '.join(map(str, counts))} pages ---")
            app = per_connection(
                "app", await run_target("app", counts, args, env_mode, next(meetings), emails, tmp)
            )
            note(f"--- {mode}: floor ---")
            floor = per_connection(
                "floor", await run_target("floor", counts, args, env_mode, 0, [], tmp)
            )
            for n, kb in app.items():
                ratio = round(kb / floor[n], 2) if floor.get(n) else None
                figure("app/floor", n, "idle", "rss_per_client_kb_ratio", ratio)
                note(f"{mode} N={n}: {kb} KB per page (floor {floor.get(n)} KB), × {ratio}")
    finally:
        ld.stop_all()
        if args.keep:
            note(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--counts", default="0,100,500", help="pages joined at each step (default %(default)s)"
    )
    parser.add_argument(
        "--async-mode", default="gevent", help="threading, gevent or both (default gevent)"
    )
    parser.add_argument("--members", type=int, default=5, help="members whose cookies are shared")
    parser.add_argument("--client-procs", type=int, default=2, help="client processes per step")
    parser.add_argument("--connect-concurrency", type=int, default=25)
    parser.add_argument(
        "--settle", type=float, default=3.0, help="pause before each reading, seconds"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp instance and logs")
    args = parser.parse_args(argv)
    for mode in args.async_mode.split(","):
        if mode.strip() not in ("threading", "gevent"):
            parser.error(f"unsupported async mode {mode!r} (threading or gevent)")
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
