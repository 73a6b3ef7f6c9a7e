#!/usr/bin/env python3
"""Benchmark of the live shared document (issue 3, item 9). See bench/README.md.

Starts the real app (`wsgi.py`, SOCKETIO_ASYNC_MODE as asked) on a free port of 127.0.0.1 with a
fresh migrated instance, signs members in over HTTP, connects N socket.io clients over websocket
with those session cookies, joins them all to one document (`join_document`), then one writer
client sends `add_entry` / `edit_entry` at a steady rate and then in a burst. For every fact
(`entry_added` / `entry_edited`, matched by entry_id and revision) it measures the latency from
sending the command to its receipt by every client, the receipts lost and duplicated, and the
server's RSS and CPU, and (BENCH_SPLIT=1, the default) the app's CPU per command split into
database, rendering, publishing and the rest (bench/split.py). The same run measures the floor: the same fan-out through a bare
python-socketio server in the same async mode (no Flask, no database).

One JSON line per figure on stdout; notes on stderr. Run from the repository root:

    .venv/bin/python bench/live_document.py --clients 20,50,200,500 --async-mode threading,gevent
"""

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing as mp
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVERS = Path(__file__).resolve().parent / "live_servers.py"
NAMESPACE = "/live"
PASSWORD = "bench-password-97"
COOKIE = "vendredi_session"
CLK_TCK = os.sysconf("SC_CLK_TCK")
# time.monotonic() is CLOCK_MONOTONIC on Linux: one clock for every process of the machine, so
# a send time taken in the writer's process and a receipt time taken in a client process compare.
now = time.monotonic

CONTEXT = {}  # async_mode (and repeat, with --repeat): added to every JSON line


def figure(server, clients, phase, metric, value, **extra):
    line = {
        "bench": "live_document",
        "async_mode": CONTEXT.get("async_mode"),
        "server": server,
        "clients": clients,
        "phase": phase,
        "metric": metric,
        "value": value,
        **extra,
    }
    if "repeat" in CONTEXT:
        line["repeat"] = CONTEXT["repeat"]
    print(json.dumps(line), flush=True)


def note(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- processes ---------------------------------------------------------------------------------

_CHILDREN = []  # subprocess.Popen and multiprocessing.Process we started


def _set_parent_death_signal():
    """Linux: die with SIGTERM if the bench process dies (even by SIGKILL)."""
    with contextlib.suppress(Exception):  # best effort: the finally clauses clean up anyway
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_server(role, env, log_path):
    """Start a server in its own session (Ctrl-C reaches only the bench, which stops it); the
    server asks for SIGTERM should the bench die (see live_servers.py)."""
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, str(SERVERS), role],
            cwd=ROOT,
            env={**env, "BENCH_PARENT_PID": str(os.getpid())},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    _CHILDREN.append(proc)
    return proc


def stop_process(proc, timeout=5.0):
    """End one process we started, by its id: SIGTERM, then SIGKILL."""
    if isinstance(proc, subprocess.Popen):
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout)
    else:  # multiprocessing.Process
        if proc.is_alive():
            proc.terminate()
            proc.join(timeout)
            if proc.is_alive():
                proc.kill()
                proc.join(timeout)
    if proc in _CHILDREN:
        _CHILDREN.remove(proc)


def stop_all():
    for proc in list(reversed(_CHILDREN)):
        try:
            stop_process(proc)
        except Exception as error:  # noqa: BLE001
            note(f"could not stop a child process: {error}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_stats(pid):
    """RSS (bytes), CPU time (s, user + system) and threads of a process, from /proc."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15)
    rss = threads = 0
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) * 1024
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    return {"rss": rss, "cpu": cpu, "threads": threads, "t": now()}


def machine_busy():
    """CPU seconds the whole machine has spent in user, nice, system and steal time (all cores,
    from /proc/stat). Interrupt time is left out: loopback traffic of our own lands there."""
    with open("/proc/stat") as handle:
        ticks = [int(v) for v in handle.readline().split()[1:]]
    user, nice, system = ticks[0], ticks[1], ticks[2]
    steal = ticks[7] if len(ticks) > 7 else 0
    return (user + nice + system + steal) / CLK_TCK


def wait_http(url, proc, timeout=40.0):
    import requests

    deadline = now() + timeout
    while now() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode} (see its log)")
        try:
            if requests.get(url, timeout=2, allow_redirects=False).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not ready after {timeout:.0f} s: {url}")


def sign_in(base, email):
    """A real sign-in: GET /connexion, read the CSRF token, POST the form; return the cookie."""
    import requests

    with requests.Session() as http:
        page = http.get(f"{base}/connexion", timeout=10)
        match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
        if not match:
            raise RuntimeError("no csrf-token meta on /connexion")
        answer = http.post(
            f"{base}/connexion",
            timeout=30,
            data={"email": email, "password": PASSWORD, "csrf_token": match.group(1)},
        )
        if answer.status_code != 200 or not answer.history:
            raise RuntimeError(f"sign-in of {email} refused ({answer.status_code})")
        return http.cookies.get(COOKIE)


def read_split(base):
    """The app's cumulative CPU split (`GET /_bench/split`, served by bench/split.py when the app
    was started with BENCH_SPLIT=1), or None (the floor, `--no-split`)."""
    import requests

    if base is None:
        return None
    try:
        answer = requests.get(f"{base}/_bench/split", timeout=10)
    except requests.RequestException:
        return None
    if answer.status_code != 200 or "json" not in answer.headers.get("Content-Type", ""):
        return None
    return answer.json()


def split_since(before, base):
    """The split counters of a phase: now minus `before` (None without a split)."""
    after = read_split(base) if before is not None else None
    if after is None:
        return None
    return {
        k: (v - before.get(k, 0) if isinstance(v, (int, float)) else v) for k, v in after.items()
    }


def split_figures(fig, server, n, phase, split, per_count, per="command"):
    """The CPU split of one phase, per acked command (or per `per`): database, rendering,
    publishing, the rest, their total, and statements per command. Nothing without a split."""
    if not split or not per_count:
        return
    total = split["total_s"]
    parts = {"db": split["db_s"], "render": split["render_s"], "publish": split["publish_s"]}
    note_ = "perf_counter spans in the app (bench/split.py); other = total - db - render - publish"
    for name, seconds in parts.items():
        fig(server, n, phase, f"cpu_split_{name}_ms", round(1000 * seconds / per_count, 3), per=per)
    fig(
        server,
        n,
        phase,
        "cpu_split_other_ms",
        round(1000 * (total - sum(parts.values())) / per_count, 3),
        per=per,
        note=note_,
    )
    fig(
        server,
        n,
        phase,
        "cpu_split_total_ms",
        round(1000 * total / per_count, 3),
        per=per,
        clock=split.get("clock"),
    )
    fig(
        server,
        n,
        phase,
        "cpu_split_background_ms",
        round(1000 * split["task_s"] / per_count, 3),
        per=per,
        note="the part of the total spent in the app's background tasks (coalesced facts)",
    )
    fig(
        server,
        n,
        phase,
        f"db_statements_per_{per}",
        round(split["db_statements"] / per_count, 2),
        commits=split["db_commits"],
        renders=split["renders"],
        emits=split["emits"],
        events=split["events"],
        commands=split["commands"],
    )
    if split.get("outside_s", 0) > 0.0005:
        fig(server, n, phase, "cpu_split_outside_s", round(split["outside_s"], 4))


# -- client processes ----------------------------------------------------------------------------


def client_process(conn, counter, cfg):
    """One process holding many asyncio socket.io clients; counts and timestamps facts."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the bench process handles Ctrl-C
    _set_parent_death_signal()
    asyncio.run(_client_main(conn, counter, cfg))


async def _client_main(conn, counter, cfg):
    import socketio

    loop = asyncio.get_running_loop()
    first = {}  # (entry_id, revision) -> receipt times, one per client (first receipt)
    dups = {}  # (entry_id, revision) -> receipts beyond the first
    sizes = []  # length of the html fragment of the first facts
    other = {}  # event name -> count (trace_added, presence_changed, …)
    state = {"disconnects": 0, "refused": 0, "errors": []}
    clients = []

    def make():
        sio = socketio.AsyncClient(reconnection=False, request_timeout=30)
        seen = set()

        def on_fact(data):
            t = now()
            key = (data["entry_id"], data["revision"])
            if key in seen:
                dups[key] = dups.get(key, 0) + 1
                return
            seen.add(key)
            first.setdefault(key, []).append(t)
            counter.value += 1
            if len(sizes) < 50:
                sizes.append(len(data.get("html", "")))

        for event in cfg["fact_events"]:
            sio.on(event, on_fact, namespace=NAMESPACE)

        def on_other(event, *args):
            other[event] = other.get(event, 0) + 1

        sio.on("*", on_other, namespace=NAMESPACE)

        def on_disconnect(*_reason):
            if not stopping:
                state["disconnects"] += 1

        sio.on("disconnect", on_disconnect, namespace=NAMESPACE)
        return sio

    stopping = False
    limit = asyncio.Semaphore(cfg["connect_concurrency"])

    async def connect(cookie):
        sio = make()
        async with limit:
            try:
                await sio.connect(
                    cfg["url"],
                    headers={"Cookie": f"{COOKIE}={cookie}"},
                    transports=["websocket"],
                    namespaces=[NAMESPACE],
                    wait_timeout=30,
                )
                browser_like_ping_tolerance(sio)
                ack = await sio.call(
                    cfg["join_event"], cfg["join_data"], namespace=NAMESPACE, timeout=60
                )
            except Exception as error:  # noqa: BLE001
                state["errors"].append(repr(error))
                return None
        if not (isinstance(ack, dict) and ack.get("ok")):
            state["refused"] += 1
            state["errors"].append(f"join refused: {str(ack)[:200]}")
        clients.append(sio)
        return sio

    t0 = now()
    await asyncio.gather(*(connect(cookie) for cookie in cfg["cookies"]))
    conn.send(
        (
            "ready",
            {
                "connected": len(clients),
                "refused": state["refused"],
                "errors": state["errors"][:5],
                "seconds": now() - t0,
            },
        )
    )
    while True:
        message = await loop.run_in_executor(None, conn.recv)
        if message[0] == "report":
            conn.send(
                (
                    "report",
                    {
                        "first": first,
                        "dups": dups,
                        "sizes": sizes,
                        "other": other,
                        "disconnects": state["disconnects"],
                    },
                )
            )
        elif message[0] == "quit":
            stopping = True
            await asyncio.gather(
                *(asyncio.wait_for(c.disconnect(), 3) for c in clients), return_exceptions=True
            )
            conn.send(("bye",))
            return


def browser_like_ping_tolerance(sio):
    """The python-engineio client drops its connection when it has sent nothing for
    max(pingInterval, pingTimeout) + 5 s = 30 s, that is as soon as a server ping (which waits
    in the same queue as the facts) comes 5 s late; a browser waits pingInterval + pingTimeout =
    45 s for a ping. Give the client the browser's tolerance, so that a lost fact is the
    server's doing, not this client's stricter rule."""
    eio = sio.eio
    eio.ping_timeout = max(eio.ping_timeout, eio.ping_interval + eio.ping_timeout - 5)


class ClientPool:
    """N clients spread over a few processes."""

    def __init__(self, n, procs, cfg, cookies):
        ctx = mp.get_context("spawn")
        self.procs, self.conns, self.counters = [], [], []
        shares = [list(range(i, n, procs)) for i in range(procs)]
        for share in shares:
            if not share:
                continue
            parent, child = ctx.Pipe()
            counter = ctx.RawValue("q", 0)
            part = {**cfg, "cookies": [cookies[i % len(cookies)] for i in share]}
            proc = ctx.Process(target=client_process, args=(child, counter, part), daemon=True)
            proc.start()
            _CHILDREN.append(proc)
            self.procs.append(proc)
            self.conns.append(parent)
            self.counters.append(counter)

    async def _recv(self, conn, timeout):
        loop = asyncio.get_running_loop()
        if not await loop.run_in_executor(None, conn.poll, timeout):
            raise RuntimeError("a client process did not answer in time")
        return conn.recv()

    async def ready(self, timeout):
        answers = [await self._recv(c, timeout) for c in self.conns]
        return [a[1] for a in answers]

    def received(self):
        return sum(c.value for c in self.counters)

    def cpu(self):
        return sum(proc_stats(p.pid)["cpu"] for p in self.procs if p.is_alive())

    async def report(self):
        for c in self.conns:
            c.send(("report",))
        return [(await self._recv(c, 60))[1] for c in self.conns]

    async def close(self):
        for c in self.conns:
            try:
                c.send(("quit",))
            except OSError:
                pass
        for c in self.conns:
            with contextlib.suppress(Exception):
                await self._recv(c, 10)
        for p in self.procs:
            stop_process(p, timeout=3)


# -- the writer ----------------------------------------------------------------------------------

BODY = (
    "Proposition n° {i} pour vendredi : **rangement de la réserve** avant la distribution.\n\n"
    "- vérifier le stock de savon et d’huile ;\n- prévoir deux personnes pour le jardin ;\n"
    "- penser au *compost* et aux cagettes.\n\nQui peut venir à 11 h ? Merci d’avance ! "
    "(révision {rev})"
)


class Writer:
    """The one client that sends commands; records send and ack times by fact key."""

    def __init__(self, sio, target, meeting_id, fact_size, ack_timeout):
        self.sio, self.target = sio, target
        self.meeting_id, self.fact_size, self.ack_timeout = meeting_id, fact_size, ack_timeout
        self.records = []  # dict(phase, event, t_send, t_ack, ok, key, error)
        self.entries = []  # [entry_id, revision, busy]
        self.seq = 0

    def _command(self, i):
        self.seq += 1
        if self.target == "floor":
            return "publish", {"seq": self.seq, "size": self.fact_size}, None
        op_id = uuid.uuid4().hex
        if i % 2 == 1:
            for entry in reversed(self.entries[-20:]):
                if not entry[2]:
                    entry[2] = True
                    return (
                        "edit_entry",
                        {
                            "entry_id": entry[0],
                            "revision": entry[1],
                            "title": f"Point {entry[0]}",
                            "op_id": op_id,
                            "body": BODY.format(i=entry[0], rev=entry[1] + 1),
                        },
                        entry,
                    )
        kind = ("topic", "need", "mood")[self.seq % 3]
        return (
            "add_entry",
            {
                "meeting_id": self.meeting_id,
                "kind": kind,
                "title": f"Point {self.seq}",
                "op_id": op_id,
                "body": BODY.format(i=self.seq, rev=1),
            },
            None,
        )

    async def send(self, phase, i):
        event, data, entry = self._command(i)
        record = {"phase": phase, "event": event, "ok": False, "key": None, "error": None}
        self.records.append(record)
        record["t_send"] = now()
        try:
            ack = await self.sio.call(event, data, namespace=NAMESPACE, timeout=self.ack_timeout)
        except Exception as error:  # noqa: BLE001 - a timeout is a figure, not a crash
            record["error"] = type(error).__name__
            ack = None
        record["t_ack"] = now()
        if isinstance(ack, dict) and ack.get("ok"):
            record["ok"] = True
            record["key"] = (ack["entry_id"], ack["revision"])
            if event == "add_entry":
                self.entries.append([ack["entry_id"], ack["revision"], False])
            elif entry is not None:
                entry[1] = ack["revision"]
        elif ack is not None:
            record["error"] = ack.get("error") if isinstance(ack, dict) else str(ack)[:80]
        if entry is not None:
            entry[2] = False

    async def steady(self, rate, seconds):
        """Open loop: one command every 1/rate s, whatever the acks do."""
        tasks, start = [], now()
        for i in range(int(rate * seconds)):
            delay = start + i / rate - now()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(self.send("steady", i)))
        await asyncio.gather(*tasks)

    async def burst(self, count, window, phase="burst"):
        """`count` commands as fast as acks come back, `window` in flight at a time."""
        limit = asyncio.Semaphore(window)

        async def one(i):
            async with limit:
                await self.send(phase, i)

        await asyncio.gather(*(one(i) for i in range(count)))


# -- one run: one server, N clients ------------------------------------------------------------


def percentile(values, q):
    if not values:
        return None
    ordered = sorted(values)
    index = max(0, math.ceil(q / 100 * len(ordered)) - 1)
    return ordered[index]


def ms(value):
    return None if value is None else round(value * 1000, 2)


async def drain(pool, received0, expected, timeout):
    """Wait until the clients have `expected` more first receipts, or `timeout` seconds."""
    deadline = now() + timeout
    while pool.received() - received0 < expected and now() < deadline:
        await asyncio.sleep(0.05)


async def connect_clients(target, n, args, cfg, cookies):
    """Spread n clients over the client processes; return the pool and how many joined."""
    t0 = now()
    pool = ClientPool(n, min(args.client_procs, n), cfg, cookies)
    ready = await pool.ready(timeout=max(120, n))
    joined = sum(r["connected"] - r["refused"] for r in ready)
    for r in ready:
        for error in r["errors"]:
            note(f"{target} n={n}: client error: {error}")
    if joined != n:
        note(f"{target} n={n}: only {joined}/{n} clients connected and joined")
    return pool, joined, now() - t0


async def run_phase(phase, args, writer, pool, proc, joined, split_base=None):
    """One phase, then its drain; the server's and the machine's CPU (and the app's CPU split,
    `split_base`) over both."""
    split0 = read_split(split_base)
    before, cpu_clients, received0 = proc_stats(proc.pid), pool.cpu(), pool.received()
    busy0, own0 = machine_busy(), proc_stats(os.getpid())["cpu"]
    if phase == "steady":
        await writer.steady(args.rate, args.seconds)
    else:
        await writer.burst(args.burst, args.burst_window)
    sent_end = now()
    ok = [r for r in writer.records if r["phase"] == phase and r["ok"]]
    await drain(pool, received0, len(ok) * joined, args.drain_timeout)
    drained = now()
    after = proc_stats(proc.pid)
    split = split_since(split0, split_base)
    client_cpu = pool.cpu() - cpu_clients
    own = proc_stats(os.getpid())["cpu"] - own0
    server_cpu = after["cpu"] - before["cpu"]
    # CPU that other programs of the machine took meanwhile: a noisy neighbour shows.
    others = machine_busy() - busy0 - server_cpu - client_cpu - own
    note(
        f"{writer.target} n={joined} {phase}: {len(ok)} commands ok, sent in "
        f"{sent_end - before['t']:.1f} s, drained in {drained - sent_end:.1f} s"
    )
    return {
        "wall": after["t"] - before["t"],
        "send_s": sent_end - before["t"],
        "drain_s": drained - sent_end,
        "cpu_s": server_cpu,
        "rss": after["rss"],
        "threads": after["threads"],
        "client_cpu_s": client_cpu,
        "bench_cpu_s": own,
        "others_cpu_s": max(0.0, others),
        "split": split,
    }


def merge_reports(reports):
    first, dups, other, sizes, disconnects = {}, {}, {}, [], 0
    for report in reports:
        for key, times in report["first"].items():
            first.setdefault(key, []).extend(times)
        for key, count in report["dups"].items():
            dups[key] = dups.get(key, 0) + count
        for event, count in report["other"].items():
            other[event] = other.get(event, 0) + count
        sizes.extend(report["sizes"])
        disconnects += report["disconnects"]
    return {
        "first": first,
        "dups": dups,
        "other": other,
        "disconnects": disconnects,
        "fact_html": round(sum(sizes) / len(sizes)) if sizes else None,
    }


async def run_one(target, n, args, env, meeting_id, emails, writer_email, fact_size, log_dir):
    """Start `target` ("app" or "floor"), connect n clients, run both phases; return figures."""
    import socketio

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(
        target,
        {**env, "HOST": "127.0.0.1", "PORT": str(port)},
        log_dir / f"{target}-{args.mode}-{n}.log",
    )
    pool = writer_sio = None
    try:
        wait_http(f"{base}/connexion" if target == "app" else f"{base}/health", proc)
        if target == "app":  # one real sign-in per member; its cookie serves all its clients
            cookies = [sign_in(base, email) for email in emails]
            writer_cookie = sign_in(base, writer_email)
        else:
            cookies, writer_cookie = ["-"], "-"
        idle = proc_stats(proc.pid)
        cfg = {
            "url": base,
            "connect_concurrency": args.connect_concurrency,
            "join_event": "join_document" if target == "app" else "join",
            "join_data": {"meeting_id": meeting_id} if target == "app" else {},
            "fact_events": ["entry_added", "entry_edited"] if target == "app" else ["fact"],
        }
        pool, joined, join_seconds = await connect_clients(target, n, args, cfg, cookies)
        await asyncio.sleep(args.settle)
        joined_stats = proc_stats(proc.pid)
        writer_sio = socketio.AsyncClient(reconnection=False, request_timeout=30)
        await writer_sio.connect(
            base,
            headers={"Cookie": f"{COOKIE}={writer_cookie}"},
            transports=["websocket"],
            namespaces=[NAMESPACE],
            wait_timeout=30,
        )
        # The writer is a document page too: it joins (its own receipts are not counted).
        ack = await writer_sio.call(
            cfg["join_event"], cfg["join_data"], namespace=NAMESPACE, timeout=60
        )
        if not (isinstance(ack, dict) and ack.get("ok")):
            raise RuntimeError(f"the writer could not join: {str(ack)[:200]}")
        writer = Writer(writer_sio, target, meeting_id, fact_size, args.ack_timeout)
        # Warm-up, not counted: first database connections, templates compiled, …
        received0 = pool.received()
        await writer.burst(args.warmup, 1, phase="warmup")
        await drain(
            pool, received0, sum(r["ok"] for r in writer.records) * joined, args.drain_timeout
        )
        await asyncio.sleep(0.5)
        note(
            f"{target} n={n}: {joined} clients joined in {join_seconds:.1f} s; "
            f"server RSS {idle['rss'] / 2**20:.0f} → {joined_stats['rss'] / 2**20:.0f} MB, "
            f"{joined_stats['threads']} threads"
        )
        phases = {}
        split_base = base if target == "app" else None
        for phase in ("steady", "burst"):
            phases[phase] = await run_phase(phase, args, writer, pool, proc, joined, split_base)
        return {
            "setup": {"join_s": join_seconds, "idle": idle, "joined": joined_stats},
            "connected": joined,
            "phases": phases,
            "records": writer.records,
            **merge_reports(await pool.report()),
            "end": proc_stats(proc.pid),
        }
    finally:
        if pool is not None:
            await pool.close()
        stop_process(proc)
        if writer_sio is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer_sio.disconnect(), 3)


def report_run(target, n, result):
    """Print the figures of one run; return the latency percentiles by phase."""
    setup, connected = result["setup"], result["connected"]
    figure(target, n, "setup", "clients_joined", connected)
    figure(target, n, "setup", "join_all_s", round(setup["join_s"], 2))
    figure(target, n, "setup", "rss_idle_mb", round(setup["idle"]["rss"] / 2**20, 1))
    figure(target, n, "setup", "rss_joined_mb", round(setup["joined"]["rss"] / 2**20, 1))
    figure(
        target,
        n,
        "setup",
        "rss_per_client_kb",
        round((setup["joined"]["rss"] - setup["idle"]["rss"]) / 1024 / max(1, n), 1),
    )
    figure(target, n, "setup", "server_threads", setup["joined"]["threads"])
    if result.get("fact_html") is not None:
        figure(target, n, "setup", "fact_html_chars", result["fact_html"])
    summary = {}
    for phase, stats in result["phases"].items():
        records = [r for r in result["records"] if r["phase"] == phase]
        ok = [r for r in records if r["ok"]]
        latencies, complete = [], []
        for r in ok:
            times = result["first"].get(r["key"], [])
            latencies.extend(t - r["t_send"] for t in times)
            if len(times) >= connected and times:
                complete.append(max(times) - r["t_send"])
        expected = len(ok) * connected
        received = sum(len(result["first"].get(r["key"], [])) for r in ok)
        duplicated = sum(result["dups"].get(r["key"], 0) for r in ok)
        acks = [r["t_ack"] - r["t_send"] for r in ok]
        # Commands completed per second, from the first send to the last ack.
        span = (
            max(r["t_ack"] for r in records) - min(r["t_send"] for r in records) if records else 0
        )
        errors = {}
        for r in records:
            if not r["ok"]:
                errors[r["error"]] = errors.get(r["error"], 0) + 1
        p = {q: percentile(latencies, q) for q in (50, 95, 99)}
        summary[phase] = p
        figure(target, n, phase, "commands_sent", len(records))
        figure(target, n, phase, "commands_ok", len(ok))
        if errors:
            figure(target, n, phase, "commands_failed", sum(errors.values()), errors=errors)
        figure(target, n, phase, "commands_per_s", round(len(ok) / span, 1) if span else None)
        figure(target, n, phase, "ack_p50_ms", ms(percentile(acks, 50)))
        figure(target, n, phase, "ack_p99_ms", ms(percentile(acks, 99)))
        figure(target, n, phase, "receipts_expected", expected)
        for q in (50, 95, 99):
            figure(target, n, phase, f"latency_p{q}_ms", ms(p[q]))
        figure(target, n, phase, "latency_max_ms", ms(max(latencies) if latencies else None))
        figure(target, n, phase, "all_clients_p50_ms", ms(percentile(complete, 50)))
        figure(target, n, phase, "all_clients_p99_ms", ms(percentile(complete, 99)))
        figure(target, n, phase, "facts_lost", expected - received)
        figure(target, n, phase, "facts_duplicated", duplicated)
        figure(target, n, phase, "server_cpu_s", round(stats["cpu_s"], 2))
        figure(target, n, phase, "server_cpu_pct", round(100 * stats["cpu_s"] / stats["wall"], 1))
        figure(
            target,
            n,
            phase,
            "server_cpu_ms_per_command",
            round(1000 * stats["cpu_s"] / len(ok), 2) if ok else None,
        )
        split_figures(figure, target, n, phase, stats.get("split"), len(ok))
        figure(target, n, phase, "server_rss_mb", round(stats["rss"] / 2**20, 1))
        figure(target, n, phase, "server_threads", stats["threads"])
        figure(
            target,
            n,
            phase,
            "clients_cpu_pct",
            round(100 * stats["client_cpu_s"] / stats["wall"], 1),
        )
        figure(
            target, n, phase, "bench_cpu_pct", round(100 * stats["bench_cpu_s"] / stats["wall"], 1)
        )
        figure(
            target,
            n,
            phase,
            "others_cpu_pct",
            round(100 * stats["others_cpu_s"] / stats["wall"], 1),
            cores=os.cpu_count(),
        )
        figure(target, n, phase, "drain_s", round(stats["drain_s"], 2))
    figure(target, n, "all", "client_disconnects", result["disconnects"])
    figure(
        target, n, "all", "other_messages", sum(result["other"].values()), by_event=result["other"]
    )
    figure(target, n, "all", "rss_end_mb", round(result["end"]["rss"] / 2**20, 1))
    return summary


# -- main --------------------------------------------------------------------------------------


def prepare_instance(tmp, modes_runs, members):
    """A fresh instance: migrated, then members and one empty meeting per app run."""
    instance = tmp / "instance"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "SOCKETIO_MESSAGE_QUEUE", "FLASK_APP", "FLASK_DEBUG")
    }
    env.update(
        {
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": f"sqlite:///{instance / 'vendredi.sqlite3'}",
            "SECRET_KEY": secrets.token_urlsafe(32),
            "PYTHONUNBUFFERED": "1",
            # One writer sends bursts far above a person's (SOCKET_COMMAND_BURST, 60 in
            # production: meeting/limits.py); the bench measures the fan-out, not the limit.
            "SOCKET_COMMAND_BURST": "100000",
            "SOCKET_COMMAND_RATE": "100000",
        }
    )
    flask = Path(sys.executable).parent / "flask"
    t0 = now()
    subprocess.run(
        [str(flask), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    spec = json.dumps({"members": members, "meetings": modes_runs, "password": PASSWORD})
    done = subprocess.run(
        [sys.executable, str(SERVERS), "setup", spec],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    data = json.loads(done.stdout.strip().splitlines()[-1])
    note(f"instance {instance} migrated and filled in {now() - t0:.1f} s")
    return env, data


async def main_async(args):
    modes = [m.strip() for m in args.async_mode.split(",") if m.strip()]
    counts = [int(c) for c in args.clients.split(",") if c.strip()]
    tmp = Path(tempfile.mkdtemp(prefix="vendredi-bench-"))
    try:
        env, data = prepare_instance(tmp, len(modes) * len(counts) * args.repeat, args.members + 1)
        emails = [m["email"] for m in data["members"]]  # the first one is the writer
        meetings = iter(data["meetings"])
        table = []
        for mode in modes:
            args.mode = mode
            CONTEXT["async_mode"] = mode
            env_mode = {**env, "SOCKETIO_ASYNC_MODE": mode}
            if args.tcp_nodelay:
                env_mode["BENCH_TCP_NODELAY"] = "1"
            if not args.no_split:
                env_mode["BENCH_SPLIT"] = "1"  # only the app reads it (bench/split.py)
                env_mode["BENCH_SPLIT_CLOCK"] = args.split_clock
            if args.profile:
                Path(args.profile).mkdir(parents=True, exist_ok=True)
                env_mode["BENCH_PROFILE"] = str(Path(args.profile).resolve())
            for n in counts:
                apps, floors = [], []
                for rep in range(args.repeat):
                    if args.repeat > 1:
                        CONTEXT["repeat"] = rep + 1
                    apps.append(await run_app(args, mode, n, env_mode, next(meetings), emails, tmp))
                    size = args.floor_size or apps[-1][0].get("fact_html") or 1500
                    floors.append(await run_floor(args, mode, n, env_mode, size, tmp))
                CONTEXT.pop("repeat", None)
                table.extend(compare(mode, n, apps, floors))
        print_table(table)
    finally:
        stop_all()
        if args.keep:
            note(f"kept {tmp} (server logs and database)")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


async def run_app(args, mode, n, env, meeting_id, emails, tmp):
    note(f"--- {mode}, {n} clients: app ---")
    result = await run_one("app", n, args, env, meeting_id, emails[1:], emails[0], None, tmp)
    dump(args, mode, n, "app", result)
    return result, report_run("app", n, result)


async def run_floor(args, mode, n, env, size, tmp):
    note(f"--- {mode}, {n} clients: floor (facts of {size} chars) ---")
    result = await run_one("floor", n, args, env, 0, [], None, size, tmp)
    dump(args, mode, n, "floor", result)
    return result, report_run("floor", n, result)


def others_pct(result, phase):
    stats = result["phases"][phase]
    return 100 * stats["others_cpu_s"] / stats["wall"]


def median(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def compare(mode, n, apps, floors):
    """Print the app/floor ratios and whether the issue's aim is met; return table rows.
    With --repeat, each figure is the median over the repetitions (`"repeat": "median"`)."""
    rows = []
    if len(apps) > 1:
        CONTEXT["repeat"] = "median"
    for phase in ("steady", "burst"):
        row = {"mode": mode, "clients": n, "phase": phase}
        for q in (50, 99):
            a = median(p[phase][q] for _r, p in apps)
            f = median(p[phase][q] for _r, p in floors)
            ratio = round(a / f, 2) if a is not None and f else None
            figure("app/floor", n, phase, f"latency_p{q}_ratio", ratio)
            row.update({f"app_p{q}": ms(a), f"floor_p{q}": ms(f), f"ratio_p{q}": ratio})
        row["others"] = "/".join(
            f"{median(others_pct(r, phase) for r, _p in runs):.0f}" for runs in (apps, floors)
        )
        row["app_lost"] = lost = sum(app_figure_lost(r, phase) for r, _p in apps)
        aim = row["ratio_p99"] is not None and row["ratio_p99"] < 2 and lost == 0
        figure("app/floor", n, phase, "aim_met", aim)
        rows.append(row)
    CONTEXT.pop("repeat", None)
    return rows


def print_table(table):
    note(
        "summary (latency ms, command → receipt by every client; others: CPU % that other "
        "programs took, 100 = one core):"
    )
    note(
        f"{'mode':<10}{'N':>5} {'phase':<7}{'app p50':>10}{'app p99':>10}"
        f"{'floor p50':>11}{'floor p99':>11}{'p50 ×':>7}{'p99 ×':>7}{'lost':>6}"
        f"{'others app/floor':>18}"
    )
    for r in table:
        note(
            f"{r['mode']:<10}{r['clients']:>5} {r['phase']:<7}{fmt(r['app_p50']):>10}"
            f"{fmt(r['app_p99']):>10}{fmt(r['floor_p50']):>11}{fmt(r['floor_p99']):>11}"
            f"{fmt(r['ratio_p50']):>7}{fmt(r['ratio_p99']):>7}{r['app_lost']:>6}"
            f"{r['others']:>18}"
        )


def dump(args, mode, n, target, result):
    """--dump DIR: the raw receipts of one run, for a closer look (JSON, times in s)."""
    if not args.dump:
        return
    path = Path(args.dump)
    path.mkdir(parents=True, exist_ok=True)
    records = [{**r, "key": list(r["key"]) if r["key"] else None} for r in result["records"]]
    receipts = [[k[0], k[1], times] for k, times in result["first"].items()]
    suffix = f"-{CONTEXT['repeat']}" if "repeat" in CONTEXT else ""
    with open(path / f"{mode}-{n}-{target}{suffix}.json", "w") as handle:
        json.dump({"records": records, "receipts": receipts, "phases": result["phases"]}, handle)


def app_figure_lost(result, phase):
    ok = [r for r in result["records"] if r["phase"] == phase and r["ok"]]
    return len(ok) * result["connected"] - sum(len(result["first"].get(r["key"], [])) for r in ok)


def fmt(value):
    return "-" if value is None else f"{value:g}"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--clients",
        default="20,50,200,500",
        help="client counts, comma-separated (default %(default)s)",
    )
    parser.add_argument(
        "--async-mode",
        default="threading",
        help="SOCKETIO_ASYNC_MODE of the app and the floor: threading, gevent, "
        "or both as threading,gevent (default %(default)s)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run app and floor this many times each, alternately; ratios use "
        "the medians (for a noisy machine)",
    )
    parser.add_argument("--rate", type=float, default=10.0, help="steady commands per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="steady phase length")
    parser.add_argument("--burst", type=int, default=100, help="commands in the burst")
    parser.add_argument(
        "--warmup",
        type=int,
        default=6,
        help="commands sent (and drained) before the steady phase, not counted",
    )
    parser.add_argument(
        "--burst-window",
        type=int,
        default=100,
        help="burst commands in flight at once: 100 (default) sends the whole "
        "burst at once, the same offered load for app and floor; 1 sends "
        "the next command when the previous ack comes back",
    )
    parser.add_argument(
        "--members",
        type=int,
        default=5,
        help="members signed in for the N clients (each cookie is shared)",
    )
    parser.add_argument(
        "--client-procs", type=int, default=2, help="processes holding the asyncio clients"
    )
    parser.add_argument(
        "--connect-concurrency",
        type=int,
        default=25,
        help="connections opened at once per client process",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=2.0,
        help="pause after all joins (presence broadcasts), seconds",
    )
    parser.add_argument(
        "--drain-timeout",
        type=float,
        default=30.0,
        help="longest wait for missing receipts after a phase, seconds",
    )
    parser.add_argument("--ack-timeout", type=float, default=30.0)
    parser.add_argument(
        "--floor-size",
        type=int,
        default=0,
        help="html chars of a floor fact (default: as measured on the app)",
    )
    parser.add_argument(
        "--tcp-nodelay",
        action="store_true",
        help="experiment: set TCP_NODELAY on the servers' accepted sockets "
        "(app and floor alike); off by default, as the servers ship",
    )
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="cProfile the app server into DIR (meaningful under gevent only)",
    )
    parser.add_argument(
        "--no-split",
        action="store_true",
        help="start the app without the CPU split's instrumentation (BENCH_SPLIT unset): no "
        "cpu_split_* figures, and none of its overhead in server_cpu_ms_per_command",
    )
    parser.add_argument(
        "--split-clock",
        choices=("perf", "thread"),
        default="perf",
        help="clock of the split's spans: perf (time.perf_counter, wall time, the default) or "
        "thread (time.thread_time: CPU time of the server's thread, not inflated by a busy "
        "machine)",
    )
    parser.add_argument("--dump", metavar="DIR", help="write the raw receipts of each run there")
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
        stop_all()
        return 130
    finally:
        stop_all()
    note(f"done in {now() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
