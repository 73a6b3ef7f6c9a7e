#!/usr/bin/env python3
"""Benchmark of the live meeting (issue 4, item 10). See bench/README.md.

For each async mode and each follower count N: a fresh migrated instance (SQLite) with a
facilitator and a meeting on the coming Friday, ~20 agenda items added through
`live.services.add_item`, started live (`start_live`). N guests join at the door for real
(`GET` then `POST /rejoindre` with the join code: one session cookie, one attendance each), the
app is started as `python wsgi.py` does it, and N socket.io clients (websocket, asyncio, spread
over a few processes) connect with those cookies and send `join_live` (view `phone`: the server
puts a guest in the `guest` room of the Friday). The facilitator, signed in for real, opens one
console page (`join_live` view `console`) and one projector screen (view `screen`); each view
receives its own `live_updated` facts. The console then

  (a) advances items at a steady pace (`advance_item` with the live_revision of the last fact
      it received): latency from the command to the `live_updated` fact with the new
      live_revision at every follower;
  (b) sends a burst of commands at once (`control_timer` start / pause): ack and latency to
      every follower, facts lost, CPU per command;
  (c) keeps sending a command every 100 ms while every follower drops its socket and
      reconnects at once (a fresh socket, the same cookie, `join_live`): time until the last
      follower has the current state, the facilitator's command latency meanwhile, the CPU per
      join and the join answer's size;
  (d) opens a consent round (`open_round`); every follower answers "for" (`answer_round`) as
      soon as the round reaches it: answers lost (acks not ok or missing, and the count in the
      database and in every follower's last fact), answer-ack latency, time until the last
      answer is counted, latency from the opening to every follower.

With BENCH_SPLIT=1 (the default; `--no-split`) the app is instrumented from the outside
(bench/split.py) and each phase also prints its CPU per command split into database,
rendering, publishing and the rest.

The same run measures the floor: the same fan-out through a bare python-socketio server in the
same async mode (`bench/live_servers.py floor`: no Flask, no database), one room per view, with
facts padded to the sizes in bytes measured on the app for each view, and prints the app/floor
ratios. Before the runs of each mode, a short probe on an agenda of 11 items (`--size-items`)
prints the size of the `live_updated` fact each view receives.

One JSON line per figure on stdout; notes on stderr. Run from the repository root:

    .venv/bin/python bench/live_session.py --clients 20,50,200,500 --async-mode threading,gevent
"""

import argparse
import asyncio
import concurrent.futures
import contextlib
import json
import multiprocessing as mp
import os
import random
import re
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from datetime import datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

# The helpers of the shared-document bench: processes started and stopped by id, /proc
# statistics, a real sign-in, the ClientPool plumbing, percentiles.
import live_document as doc

NAMESPACE = doc.NAMESPACE
COOKIE = doc.COOKIE
now = doc.now  # CLOCK_MONOTONIC: one clock for every process of the machine
note = doc.note
percentile, ms = doc.percentile, doc.ms

FACILITATOR = "facilitation@bench.example"
STEP_BASE = 1_000  # floor: fact keys of the advance steps
BURST_BASE = 10_000  # floor: fact keys of the burst
RECONNECT_BASE = 20_000  # floor: fact keys of the console's commands during the reconnect
ROUND_SEQ = 100_000  # floor: fact key of the round opening
ANSWER_BASE = 200_000  # floor: fact keys of the answers (one per follower)
PROBE_INDEX = 0  # the follower whose facts are weighed (wire bytes): one guest phone
TOTAL_RE = re.compile(r"(\d+)\s*r\u00e9ponses?\b")
FOR_RE = re.compile(r"<th scope=\"row\">[^<]*</th><td>(\d+)</td><td>(\d+)</td>")
CSRF_RE = re.compile(r'<meta name="csrf-token" content="([^"]+)"')

CONTEXT = {}  # async_mode — added to every JSON line


def figure(server, clients, phase, metric, value, **extra):
    line = {
        "bench": "live_session",
        "server": server,
        "async_mode": CONTEXT.get("async_mode"),
        "clients": clients,
        "phase": phase,
        "metric": metric,
        "value": value,
        **extra,
    }
    print(json.dumps(line), flush=True)


def round_counts(data):
    """(total answers, answers "for") shown by a fact's round region, or None. A fact carries
    the regions of the view that receives it: {region: html}."""
    try:
        html = data["regions"]["round"]
    except (KeyError, TypeError):
        return None
    total = TOTAL_RE.search(html)
    first_row = FOR_RE.search(html)  # the first row is "Pour": members, guests
    return (
        int(total.group(1)) if total else None,
        int(first_row.group(1)) + int(first_row.group(2)) if first_row else None,
    )


def weigh_wire(sio, holder):
    """Record in holder["wire"] the size in bytes of each Socket.IO packet as it arrives (the
    whole `42/live,["live_updated",{…}]` text), just before its event handler runs, and in
    holder["ack_wire"] that of the last ack (`43/live,<id>[…]`: a join answer). The Engine.IO
    client hands over the Socket.IO part (`2/live,…` for an event, `3/live,…` for an ack)."""
    handle = sio._handle_eio_message

    async def weighed(data):
        size = len(data) if isinstance(data, bytes) else len(data.encode())
        holder["wire"] = size
        if data[:1] in ("3", b"3"):
            holder["ack_wire"] = size
        await handle(data)

    sio.eio.on("message", weighed)


# -- the instance --------------------------------------------------------------------------------


def setup_instance(spec):
    """In a subprocess with the instance's environment: the facilitator, the coming Friday,
    its agenda (through the services), started live. Prints JSON."""
    sys.path.insert(0, str(ROOT))
    from meeting import create_app
    from meeting.extensions import db
    from meeting.live import services as agenda
    from meeting.meetings import dates
    from meeting.meetings import services as meetings
    from meeting.members.services import hash_password
    from meeting.models import Member

    app = create_app()
    with app.test_request_context("/"):
        facilitator = Member(
            display_name="Camille Facilitation",
            email=FACILITATOR,
            role="facilitator",
            password_hash=hash_password(spec["password"]),
        )
        db.session.add(facilitator)
        db.session.commit()
        meeting = meetings.ensure_meeting(dates.next_meeting_date())
        meeting_id, day = meeting.id, meeting.scheduled_for.isoformat()
        for i in range(spec["items"]):
            agenda.add_item(
                facilitator,
                meeting_id,
                f"Point {i + 1} : organisation de la distribution n° {i + 1}",
                5 + i % 4 * 5,
            )
        meeting = agenda.start_live(facilitator, meeting_id)
        out = {
            "meeting_id": meeting_id,
            "day": day,
            "join_code": meeting.join_code,
            "items": len(agenda.agenda_items(meeting_id)),
        }
        db.session.remove()
    print(json.dumps(out))


def prepare_instance(tmp, items):
    """A fresh instance: migrated, then the facilitator and a meeting started live."""
    instance = tmp / "instance"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "SOCKETIO_MESSAGE_QUEUE", "FLASK_APP", "FLASK_DEBUG")
    }
    db_path = instance / "vendredi.sqlite3"
    env.update(
        {
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": f"sqlite:///{db_path}",
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
    spec = json.dumps({"items": items, "password": doc.PASSWORD})
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "_setup", spec],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"setting up the instance failed:\n{done.stderr[-3000:]}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    note(
        f"instance {instance} migrated, meeting {data['day']} live with {data['items']} items "
        f"in {now() - t0:.1f} s"
    )
    return env, data, db_path


def join_guest(base, code, first_name):
    """A guest at the door: GET /rejoindre (CSRF token), POST code + first name; the cookie."""
    import requests

    with requests.Session() as http:
        page = http.get(f"{base}/rejoindre", timeout=30)
        match = CSRF_RE.search(page.text)
        if not match:
            raise RuntimeError("no csrf-token meta on /rejoindre")
        answer = http.post(
            f"{base}/rejoindre",
            timeout=60,
            allow_redirects=False,
            data={"code": code, "first_name": first_name, "csrf_token": match.group(1)},
        )
        if answer.status_code not in (302, 303) or "/direct" not in answer.headers.get(
            "Location", ""
        ):
            raise RuntimeError(f"guest {first_name} refused ({answer.status_code})")
        return http.cookies.get(COOKIE)


def join_guests(base, code, n, workers):
    t0 = now()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        cookies = list(pool.map(lambda i: join_guest(base, code, f"Invité {i + 1:03d}"), range(n)))
    return cookies, now() - t0


def db_round(db_path, round_id):
    """What the database holds for the round: answers, "for" answers, guests present, and the
    seconds from the opening to the last answer written (server clock)."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30) as conn:
        total, yes, last = conn.execute(
            "SELECT COUNT(*), SUM(answer = 'for'), MAX(answered_at) FROM round_answer "
            "WHERE round_id = ?",
            (round_id,),
        ).fetchone()
        opened = conn.execute("SELECT opened_at FROM round WHERE id = ?", (round_id,)).fetchone()[0]
        guests = conn.execute(
            "SELECT COUNT(*) FROM attendance WHERE guest_name IS NOT NULL"
        ).fetchone()[0]
    span = None
    if last and opened:
        span = (
            datetime.fromisoformat(str(last)) - datetime.fromisoformat(str(opened))
        ).total_seconds()
    return {"answers": total, "for": yes or 0, "guests": guests, "last_answer_s": span}


# -- follower processes --------------------------------------------------------------------------


def follower_process(conn, counters, cfg):
    """One process holding many asyncio socket.io followers (phones)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the bench process handles Ctrl-C
    doc._set_parent_death_signal()
    asyncio.run(_follower_main(conn, counters, cfg))


# Shared counters of a follower process (multiprocessing RawArray), read by the bench.
RECEIPTS, ANSWERED, ANSWERED_OK, ROUNDS_SEEN, ALL_COUNTED, REJOINED, REJOIN_DONE = range(7)


async def _follower_main(conn, counters, cfg):
    """Connect and join the followers of this process; answer the round when it comes."""
    import socketio

    loop = asyncio.get_running_loop()
    app = cfg["target"] == "app"
    first = {}  # fact key -> receipt times, one per follower (first receipt)
    other = {}  # event name -> count
    state = {
        "disconnects": 0,
        "refused": 0,
        "errors": [],
        "same_key": 0,
        "older": 0,
        "stopping": False,
        "views": {},
    }
    sizes = {}  # fact key -> bytes on the wire, at the probe follower (first receipt)
    clients, followers, tasks = [], [], set()

    async def answer(sio, me):
        if cfg["answer_spread"]:
            await asyncio.sleep(random.uniform(0, cfg["answer_spread"]))
        if app:
            event, payload = (
                "answer_round",
                {"round_id": me["round_id"], "answer": "for", "op_id": uuid.uuid4().hex},
            )
        else:
            event, payload = (
                "publish",
                {"seq": ANSWER_BASE + me["index"], "sizes": cfg["answer_sizes"]},
            )
        record = me["answer"]
        record["t_send"] = now()
        try:
            ack = await sio.call(event, payload, namespace=NAMESPACE, timeout=cfg["ack_timeout"])
        except Exception as error:  # noqa: BLE001 - a timeout is a figure, not a crash
            ack, record["error"] = None, type(error).__name__
        record["t_ack"] = now()
        if isinstance(ack, dict) and ack.get("ok"):
            record["ok"] = True
            counters[ANSWERED_OK] += 1
        elif ack is not None:
            record["error"] = ack.get("error") if isinstance(ack, dict) else str(ack)[:80]
        counters[ANSWERED] += 1

    def make(index, me=None):
        """A socket for follower `index` (a fresh one for `me` when it reconnects)."""
        sio = socketio.AsyncClient(reconnection=False, request_timeout=30)
        if me is None:
            me = {
                "index": index,
                "seen": set(),
                "max_key": -1,
                "last_key": -1,
                "last_counts": None,
                "answer": None,
                "round_id": None,
                "round_facts": 0,
                "all_counted": None,
                "wire": None,
                "log": None,  # during the reconnect: (time, key) of each fact on the new socket
            }
            if index == PROBE_INDEX:
                weigh_wire(sio, me)
        else:  # every reconnected socket weighs its join answer
            me["wire"] = None
            weigh_wire(sio, me)
        me["sio"] = sio

        def on_fact(data):
            t = now()
            counters[RECEIPTS] += 1
            key = data["live_revision"] if app else data["entry_id"]
            if me["log"] is not None and me["sio"] is sio:
                me["log"].append((t, key))
            if me["wire"] is not None:
                sizes.setdefault(key, me["wire"])
            # The app renders a fact after its commit, from the state of that moment: two
            # changes committed close together may both publish the newer revision, and a
            # fact rendered earlier may leave after a newer one (pages drop it: older news).
            if key < me["max_key"]:
                state["older"] += 1
            me["max_key"] = max(me["max_key"], key)
            if key in me["seen"]:
                state["same_key"] += 1
            else:
                me["seen"].add(key)
                first.setdefault(key, []).append(t)
            if app:
                in_round = data.get("round_id") is not None
                if key >= me["last_key"]:
                    counts = round_counts(data)
                    if counts is not None:
                        me["last_key"], me["last_counts"] = key, counts
                        if counts[1] == cfg["n"] and me["all_counted"] is None:
                            me["all_counted"] = t
                            counters[ALL_COUNTED] += 1
            else:
                in_round = key >= ROUND_SEQ
                if key >= ANSWER_BASE:
                    me["answers_seen"] = me.get("answers_seen", 0) + 1
                    if me["answers_seen"] == cfg["n"]:
                        me["all_counted"] = t
                        counters[ALL_COUNTED] += 1
            if in_round:
                me["round_facts"] += 1
            if in_round and me["answer"] is None:
                me["round_id"] = data.get("round_id")
                me["answer"] = {"t_round": t, "ok": False, "error": None}
                counters[ROUNDS_SEEN] += 1
                task = asyncio.ensure_future(answer(sio, me))
                tasks.add(task)
                task.add_done_callback(tasks.discard)

        sio.on(cfg["fact_event"], on_fact, namespace=NAMESPACE)

        def on_other(event, *args):
            other[event] = other.get(event, 0) + 1

        sio.on("*", on_other, namespace=NAMESPACE)

        def on_disconnect(*_reason):
            if not state["stopping"] and sio not in planned:
                state["disconnects"] += 1

        sio.on("disconnect", on_disconnect, namespace=NAMESPACE)
        return sio, me

    limit = asyncio.Semaphore(cfg["connect_concurrency"])
    planned = set()  # sockets the bench closes on purpose (the mass reconnect)

    async def connect(index, cookie):
        sio, me = make(index)
        me["cookie"] = cookie
        async with limit:
            try:
                await sio.connect(
                    cfg["url"],
                    headers={"Cookie": f"{COOKIE}={cookie}"},
                    transports=["websocket"],
                    namespaces=[NAMESPACE],
                    wait_timeout=30,
                )
                doc.browser_like_ping_tolerance(sio)
                ack = await sio.call(
                    cfg["join_event"], cfg["join_data"], namespace=NAMESPACE, timeout=60
                )
            except Exception as error:  # noqa: BLE001
                state["errors"].append(repr(error))
                return
        if not (isinstance(ack, dict) and ack.get("ok")):
            state["refused"] += 1
            state["errors"].append(f"join refused: {str(ack)[:200]}")
        else:  # the view the server gave this page (a guest: always "guest")
            view = str(ack.get("view"))
            state["views"][view] = state["views"].get(view, 0) + 1
        clients.append(sio)
        followers.append(me)

    async def rejoin(me, join_data, unlimited):
        """One follower of the mass reconnect: a fresh socket, the same cookie, `join_live`."""
        sio, _me = make(me["index"], me)
        rec = me["rejoin"]
        gate = contextlib.nullcontext() if unlimited else limit
        async with gate:
            try:
                await sio.connect(
                    cfg["url"],
                    headers={"Cookie": f"{COOKIE}={me['cookie']}"},
                    transports=["websocket"],
                    namespaces=[NAMESPACE],
                    wait_timeout=30,
                )
                rec["t_connected"] = now()
                doc.browser_like_ping_tolerance(sio)
                ack = await sio.call(
                    cfg["join_event"], join_data, namespace=NAMESPACE, timeout=cfg["ack_timeout"]
                )
            except Exception as error:  # noqa: BLE001 - a failed rejoin is a figure
                rec["error"] = type(error).__name__
                ack = None
        rec["t_joined"] = now()
        if isinstance(ack, dict) and ack.get("ok"):
            rec["ok"] = True
            rec["revision"] = ack.get("live_revision")
            rec["bytes"] = me.get("ack_wire")
            counters[REJOINED] += 1
        elif ack is not None:
            rec["error"] = str(ack.get("error") if isinstance(ack, dict) else ack)[:80]
        counters[REJOIN_DONE] += 1
        return sio

    async def reconnect_all(options):
        """Every follower of this process drops its socket at once, then reconnects at once."""
        old = [me["sio"] for me in followers]
        planned.update(old)
        for me in followers:
            me["rejoin"] = {"ok": False, "error": None, "revision": None, "bytes": None}
            me["log"] = []
            me["ack_wire"] = None
        await asyncio.gather(
            *(asyncio.wait_for(c.disconnect(), 10) for c in old), return_exceptions=True
        )
        t_down = now()
        for me in followers:
            me["rejoin"]["t_down"] = t_down
        new = await asyncio.gather(
            *(rejoin(me, options["join_data"], options["unlimited"]) for me in followers)
        )
        clients[:] = list(new)

    t0 = now()
    await asyncio.gather(*(connect(i, cookie) for i, cookie in cfg["followers"]))
    conn.send(
        (
            "ready",
            {
                "connected": len(clients),
                "refused": state["refused"],
                "errors": state["errors"][:5],
                "seconds": now() - t0,
                "views": state["views"],
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
                        "same_key": state["same_key"],
                        "older": state["older"],
                        "sizes": sizes,
                        "other": other,
                        "disconnects": state["disconnects"],
                        "answers": [me["answer"] for me in followers],
                        "last_counts": [me["last_counts"] for me in followers],
                        "round_facts": [me["round_facts"] for me in followers],
                        "all_counted": [me["all_counted"] for me in followers],
                    },
                )
            )
        elif message[0] == "reconnect":
            task = asyncio.ensure_future(reconnect_all(message[1]))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        elif message[0] == "reconnect_report":
            conn.send(
                (
                    "reconnect_report",
                    [{**me["rejoin"], "log": me["log"]} for me in followers if "rejoin" in me],
                )
            )
            for me in followers:
                me["log"] = None
        elif message[0] == "quit":
            state["stopping"] = True
            await asyncio.gather(
                *(asyncio.wait_for(c.disconnect(), 3) for c in clients), return_exceptions=True
            )
            conn.send(("bye",))
            return


class FollowerPool(doc.ClientPool):
    """N followers spread over a few processes (the plumbing of live_document's ClientPool)."""

    def __init__(self, n, procs, cfg, cookies):  # the parent's, with our follower process
        ctx = mp.get_context("spawn")
        self.procs, self.conns, self.counters = [], [], []
        for share in (list(range(i, n, procs)) for i in range(procs)):
            if not share:
                continue
            parent, child = ctx.Pipe()
            counters = ctx.RawArray("q", 7)
            part = {**cfg, "followers": [(i, cookies[i % len(cookies)]) for i in share]}
            proc = ctx.Process(target=follower_process, args=(child, counters, part), daemon=True)
            proc.start()
            doc._CHILDREN.append(proc)
            self.procs.append(proc)
            self.conns.append(parent)
            self.counters.append(counters)

    def count(self, which):
        return sum(c[which] for c in self.counters)

    def received(self):
        return self.count(RECEIPTS)

    async def reconnect(self, options):
        """Order every follower process to drop and reconnect all its followers at once."""
        for c in self.conns:
            c.send(("reconnect", options))

    async def reconnect_report(self):
        for c in self.conns:
            c.send(("reconnect_report",))
        out = []
        for c in self.conns:
            out.extend((await self._recv(c, 60))[1])
        return out


def merge_reports(reports):
    merged = {
        "first": {},
        "other": {},
        "answers": [],
        "last_counts": [],
        "round_facts": [],
        "all_counted": [],
        "same_key": 0,
        "older": 0,
        "disconnects": 0,
        "sizes": {},
    }
    for report in reports:
        for key, size in report["sizes"].items():
            merged["sizes"].setdefault(key, size)
        for key, times in report["first"].items():
            merged["first"].setdefault(key, []).extend(times)
        for event, count in report["other"].items():
            merged["other"][event] = merged["other"].get(event, 0) + count
        for name in ("answers", "last_counts", "round_facts", "all_counted"):
            merged[name].extend(report[name])
        for name in ("same_key", "older", "disconnects"):
            merged[name] += report[name]
    return merged


# -- the facilitator -----------------------------------------------------------------------------


class Page:
    """A page in the bench process that follows one view's facts (the console, the projector
    screen, the size probe's phones); its receipts are not counted with the followers'."""

    def __init__(self, sio, target, view):
        self.sio, self.target, self.view = sio, target, view
        self.received = {}  # fact key -> receipt time
        self.sizes = {}  # fact key -> bytes on the wire (first receipt)
        self.item_of = {}  # fact key -> current_item_id
        self.round_key = {}  # round_id -> key of the first fact showing it open
        self.counted = {}  # answers "for" shown -> first time a fact showed that many
        self.views = set()  # the `view` field of the facts received (app)
        self.last_key = None
        self.waiters = {}
        self.ack_timeout = 60.0
        self.wire = {"wire": None}
        weigh_wire(sio, self.wire)
        sio.on("live_updated" if target == "app" else "fact", self.on_fact, namespace=NAMESPACE)

    def join_data(self, meeting_id):
        if self.target == "app":
            return "join_live", {"meeting_id": meeting_id, "view": self.view}
        return "join", {"view": self.view}

    def on_fact(self, data):
        t = now()
        key = data["live_revision"] if self.target == "app" else data["entry_id"]
        if key in self.received:
            return
        self.received[key] = t
        self.sizes[key] = self.wire["wire"]
        if self.last_key is None or key > self.last_key:
            self.last_key = key
        if self.target == "app":
            self.views.add(data.get("view"))
            self.item_of[key] = data.get("current_item_id")
            if data.get("round_id") and data["round_id"] not in self.round_key:
                self.round_key[data["round_id"]] = key
            counts = round_counts(data)
            if counts and counts[1] is not None:
                self.counted.setdefault(counts[1], t)
        waiter = self.waiters.pop(key, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(t)

    async def wait_key(self, key, timeout):
        if key in self.received:
            return self.received[key]
        waiter = self.waiters.setdefault(key, asyncio.get_running_loop().create_future())
        try:
            return await asyncio.wait_for(asyncio.shield(waiter), timeout)
        except TimeoutError:
            return None

    async def call(self, event, data):
        try:
            ack = await self.sio.call(event, data, namespace=NAMESPACE, timeout=self.ack_timeout)
        except Exception as error:  # noqa: BLE001
            return None, type(error).__name__
        if isinstance(ack, dict) and ack.get("ok"):
            return ack, None
        return ack, (ack.get("error") if isinstance(ack, dict) else str(ack)[:80])


class Console(Page):
    """The facilitator's console (in the bench process): sends the commands, follows the
    console view's facts (its own receipts are not counted)."""

    def __init__(self, sio, target, meeting_id, ack_timeout):
        super().__init__(sio, target, "console")
        self.meeting_id, self.ack_timeout = meeting_id, ack_timeout

    async def step(self, phase, seq, sizes):
        """One "next": the command, its ack, then the fact with the new revision (as a console
        waits for it before the next click)."""
        record = {"phase": phase, "ok": False, "error": None, "key": None}
        if self.target == "app":
            seen = self.last_key
            record["t_send"] = now()
            ack, error = await self.call(
                "advance_item",
                {"meeting_id": self.meeting_id, "live_revision": seen, "direction": "next"},
            )
            record["key"] = seen + 1
        else:
            record["t_send"] = now()
            ack, error = await self.call("publish", {"seq": seq, "sizes": sizes})
            record["key"] = seq
        record["t_ack"] = now()
        record["error"] = error
        if error is None:
            record["ok"] = True
            if await self.wait_key(record["key"], self.ack_timeout) is None:
                record["error"] = "own_fact_missing"
            elif self.target == "app" and self.item_of.get(record["key"]) != ack.get("item_id"):
                record["error"] = "wrong_item"
        return record

    async def timer(self, phase, k, seq, sizes):
        """One command that changes the live state without moving the agenda: `control_timer`,
        "start" and "pause" in turn (each moves the live revision on by one); on the floor a
        `publish` of fact `seq` with the app's sizes. Its fact is matched afterwards (see
        `match_facts`): the ack carries no revision."""
        record = {"phase": phase, "ok": False, "error": None, "key": None, "seq": seq}
        if self.target == "app":
            event = "control_timer"
            data = {"meeting_id": self.meeting_id, "action": ("start", "pause")[k % 2]}
        else:
            event, data = "publish", {"seq": seq, "sizes": sizes}
            record["key"] = seq
        record["t_send"] = now()
        _ack, error = await self.call(event, data)
        record["t_ack"] = now()
        record["error"] = error
        record["ok"] = error is None
        return record


def match_facts(records, base, target):
    """Give each acked command of a burst (or of the reconnect) the key of its fact. Floor: the
    seq it published. App: `control_timer` acks carry no revision, and each acked command moves
    the live revision on by one, so the k-th acked command in the order they were sent has the
    revision `base + k` (`base`: the console's revision before the first). The server handles
    one socket's events in the order they arrive (under gevent one after the other), so this is
    exact under gevent; under threading two commands of a burst may swap revisions (their send
    times differ by well under a millisecond)."""
    if target != "app":
        return
    k = 0
    for r in records:
        if r["ok"]:
            k += 1
            r["key"] = base + k


# -- one run: one server, N followers ------------------------------------------------------------


def cpu_snapshot(proc, pool):
    """/proc figures now, and the app's CPU split counters (`pool.split_base`: the app's base URL
    when it runs with BENCH_SPLIT=1, else None)."""
    return {
        "split": doc.read_split(getattr(pool, "split_base", None)),
        "server": doc.proc_stats(proc.pid),
        "clients": pool.cpu(),
        "busy": doc.machine_busy(),
        "own": doc.proc_stats(os.getpid())["cpu"],
    }


def cpu_since(before, proc, pool):
    after = cpu_snapshot(proc, pool)
    split = None
    if before["split"] is not None and after["split"] is not None:
        split = {
            k: (v - before["split"].get(k, 0) if isinstance(v, (int, float)) else v)
            for k, v in after["split"].items()
        }
    server = after["server"]["cpu"] - before["server"]["cpu"]
    clients = after["clients"] - before["clients"]
    own = after["own"] - before["own"]
    others = after["busy"] - before["busy"] - server - clients - own
    return {
        "wall": after["server"]["t"] - before["server"]["t"],
        "cpu_s": server,
        "client_cpu_s": clients,
        "bench_cpu_s": own,
        "others_cpu_s": max(0.0, others),
        "rss": after["server"]["rss"],
        "threads": after["server"]["threads"],
        "split": split,
    }


async def wait_until(predicate, timeout, step=0.02):
    deadline = now() + timeout
    while not predicate() and now() < deadline:
        await asyncio.sleep(step)
    return predicate()


async def advance_phase(args, console, pool, joined, proc, sizes):
    """(a) The facilitator advances at a steady pace; then the drain."""
    received0 = pool.received()
    for i in range(args.warmup):  # not counted: first connections, templates compiled
        await console.step("warmup", STEP_BASE + i, sizes)
    await wait_until(
        lambda: pool.received() - received0 >= args.warmup * joined, args.drain_timeout
    )
    await asyncio.sleep(0.5)
    records = []
    before, received0 = cpu_snapshot(proc, pool), pool.received()
    start = now()
    for i in range(args.steps):  # paced; a step waits for the previous fact (closed loop)
        delay = start + i / args.rate - now()
        if delay > 0:
            await asyncio.sleep(delay)
        records.append(await console.step("advance", STEP_BASE + args.warmup + i, sizes))
    sent_end = now()
    ok = sum(r["ok"] for r in records)
    await wait_until(lambda: pool.received() - received0 >= ok * joined, args.drain_timeout)
    drained = now()
    stats = cpu_since(before, proc, pool)
    stats.update({"send_s": sent_end - start, "drain_s": drained - sent_end})
    note(
        f"{console.target} n={joined} advance: {ok}/{len(records)} steps ok in "
        f"{sent_end - start:.1f} s, drained in {drained - sent_end:.1f} s"
    )
    return records, stats


async def burst_phase(args, console, pool, joined, proc, sizes):
    """The console sends `--burst` commands at once (control_timer start / pause in turn; on the
    floor `publish`), then the drain."""
    await asyncio.sleep(0.5)
    before, received0 = cpu_snapshot(proc, pool), pool.received()
    base = console.last_key
    start = now()
    records = await asyncio.gather(
        *(console.timer("burst", k, BURST_BASE + k, sizes) for k in range(args.burst))
    )
    sent_end = now()
    records = sorted(records, key=lambda r: r["t_send"])
    match_facts(records, base, console.target)
    ok = [r for r in records if r["ok"]]
    await wait_until(lambda: pool.received() - received0 >= len(ok) * joined, args.drain_timeout)
    if ok:
        await console.wait_key(ok[-1]["key"], 5)
    drained = now()
    stats = cpu_since(before, proc, pool)
    stats.update({"send_s": sent_end - start, "drain_s": drained - sent_end})
    note(
        f"{console.target} n={joined} burst: {len(ok)}/{len(records)} commands ok in "
        f"{sent_end - start:.2f} s, drained in {drained - sent_end:.1f} s"
    )
    return records, stats


async def reconnect_phase(args, console, pool, joined, proc, sizes, join_data):
    """Every follower drops its socket and reconnects at once (a fresh socket with its cookie,
    then its join); meanwhile the console sends a command every `--reconnect-interval` s. Ends
    once every follower has rejoined (or failed) and `--reconnect-tail` s more of commands
    went out, so that the last to rejoin can hear one; bounded by `--reconnect-timeout`."""
    await asyncio.sleep(0.5)
    before = cpu_snapshot(proc, pool)
    base = console.last_key
    tasks = []
    t_order = now()
    await pool.reconnect({"join_data": join_data, "unlimited": args.reconnect_concurrency == 0})
    deadline, tail_end, k = t_order + args.reconnect_timeout, None, 0
    while now() < deadline and (tail_end is None or now() < tail_end):
        delay = t_order + k * args.reconnect_interval - now()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(
            asyncio.ensure_future(console.timer("reconnect", k, RECONNECT_BASE + k, sizes))
        )
        k += 1
        if tail_end is None and pool.count(REJOIN_DONE) >= joined:
            t_all_done = now()
            tail_end = t_all_done + args.reconnect_tail
    if tail_end is None:
        t_all_done = None
    records = sorted(await asyncio.gather(*tasks), key=lambda r: r["t_send"])
    match_facts(records, base, console.target)
    ok = [r for r in records if r["ok"]]
    if ok:
        await console.wait_key(ok[-1]["key"], 5)
    await asyncio.sleep(0.5)  # the last facts reach the followers
    stats = cpu_since(before, proc, pool)
    rejoins = await pool.reconnect_report()
    note(
        f"{console.target} n={joined} reconnect: {pool.count(REJOINED)}/{joined} rejoined, "
        f"{len(ok)}/{len(records)} console commands ok, "
        + (
            f"every rejoin answered within {t_all_done - t_order:.2f} s of the order"
            if t_all_done
            else "not every rejoin answered (timed out)"
        )
    )
    return {"t_order": t_order, "records": records, "rejoins": rejoins, "base": base}, stats


async def round_phase(args, console, pool, joined, proc):
    """(b) A consent round: opened by the facilitator, answered "for" by every follower."""
    await asyncio.sleep(0.5)
    before, received0 = cpu_snapshot(proc, pool), pool.received()
    info = {"round_id": None, "t_open": now(), "error": None}
    if console.target == "app":
        ack, error = await console.call(
            "open_round",
            {
                "meeting_id": console.meeting_id,
                "kind": "consent",
                "question": "Nous confions la réserve à l’équipe du jardin jusqu’à l’été.",
            },
        )
        info["round_id"] = ack.get("round_id") if error is None else None
    else:
        ack, error = await console.call(
            "publish", {"seq": ROUND_SEQ, "sizes": args.floor_sizes["round"]}
        )
    info["t_opened_ack"], info["error"] = now(), error
    if error is not None:
        note(f"{console.target} n={joined}: the round could not open: {error}")
        return info, cpu_since(before, proc, pool)
    all_answered = await wait_until(lambda: pool.count(ANSWERED) >= joined, args.answer_timeout)
    info["t_answered"] = now()

    # The fan-out. The floor sends the opening plus one fact per answer to every follower.
    # The app coalesces the answers' facts (one per 0.25 s, built from the database): it is
    # done when every follower shows all N answers counted (or, if some answer was refused,
    # has heard the opening).
    def fanned_out():
        ok = pool.count(ANSWERED_OK)
        if console.target == "app":
            if ok < joined:
                return pool.received() - received0 >= joined
            return pool.count(ALL_COUNTED) >= joined
        return pool.received() - received0 >= (1 + ok) * joined and (
            ok < joined or pool.count(ALL_COUNTED) >= joined
        )

    await wait_until(fanned_out, args.drain_timeout, step=0.05)
    info["t_drained"] = now()
    stats = cpu_since(before, proc, pool)
    note(
        f"{console.target} n={joined} round: "
        f"{pool.count(ANSWERED_OK)}/{joined} answers ok "
        f"{'' if all_answered else '(timed out) '}in {info['t_answered'] - info['t_open']:.1f} s, "
        f"fan-out drained {info['t_drained'] - info['t_open']:.1f} s after the opening"
    )
    return info, stats


async def open_page(page, base, cookie, meeting_id):
    """Connect one bench-process page (console, screen, probe phone) and join its view."""
    await page.sio.connect(
        base,
        headers={"Cookie": f"{COOKIE}={cookie}"},
        transports=["websocket"],
        namespaces=[NAMESPACE],
        wait_timeout=30,
    )
    doc.browser_like_ping_tolerance(page.sio)
    ack, error = await page.call(*page.join_data(meeting_id))
    if error is not None:
        raise RuntimeError(f"the {page.view} page could not join: {error}")
    if page.target == "app":
        page.last_key = ack["live_revision"]
        if page.view in ("console", "screen") and ack.get("view") != page.view:
            raise RuntimeError(f"the {page.view} page got the view {ack.get('view')!r}")
    return ack


def median_size(sizes, keys):
    values = sorted(sizes[k] for k in keys if sizes.get(k))
    return values[len(values) // 2] if values else None


def view_sizes(result, records, round_from):
    """Bytes on the wire of the advance facts, of the burst's facts and of the round facts, per
    view: the guest phone (the probe follower), the console and the screen."""
    advance = [r["key"] for r in records if r["ok"]]
    burst = [r["key"] for r in result["burst_records"] if r["ok"]]
    by_view = {
        "guest": result["sizes"],
        "console": result["console"].sizes,
        "screen": result["screen"].sizes,
    }
    out = {"advance": {}, "burst": {}, "round": {}}
    for view, sizes in by_view.items():
        out["advance"][view] = median_size(sizes, advance)
        out["burst"][view] = median_size(sizes, burst)
        if round_from is not None:
            out["round"][view] = median_size(sizes, [k for k in sizes if k >= round_from])
    return out


async def run_one(target, n, args, env, setup, tmp):
    """Start `target` ("app" or "floor"), connect the followers, run the phases."""
    import socketio

    port = doc.free_port()
    base = f"http://127.0.0.1:{port}"
    proc = doc.start_server(
        target,
        {**env, "HOST": "127.0.0.1", "PORT": str(port)},
        tmp / f"{target}-{args.mode}-{n}.log",
    )
    pool = None
    pages = []
    try:
        doc.wait_http(f"{base}/connexion" if target == "app" else f"{base}/health", proc)
        join_s = None
        if target == "app":
            cookies, join_s = join_guests(base, setup["join_code"], n, args.join_workers)
            note(f"app n={n}: {n} guests joined through POST /rejoindre in {join_s:.1f} s")
            console_cookie = doc.sign_in(base, FACILITATOR)
            screen_cookie = doc.sign_in(base, FACILITATOR)  # the projector: a member's browser
        else:
            cookies, console_cookie, screen_cookie = ["-"], "-", "-"
        idle = doc.proc_stats(proc.pid)
        cfg = {
            "url": base,
            "target": target,
            "connect_concurrency": args.connect_concurrency,
            "join_event": "join_live" if target == "app" else "join",
            # A guest's phone asks for the phone view; the server gives it the guest room.
            "join_data": {"meeting_id": setup["meeting_id"], "view": "phone"}
            if target == "app"
            else {"view": "guest"},
            "fact_event": "live_updated" if target == "app" else "fact",
            "ack_timeout": args.ack_timeout,
            "answer_spread": args.answer_spread,
            "answer_sizes": args.floor_sizes["round"],
            "n": n,
        }
        t0 = now()
        pool = FollowerPool(n, min(args.client_procs, n), cfg, cookies)
        pool.split_base = base if target == "app" and not args.no_split else None
        ready = await pool.ready(timeout=max(120, n))
        connect_s = now() - t0
        joined = sum(r["connected"] - r["refused"] for r in ready)
        views = {}
        for r in ready:
            for view, count in r["views"].items():
                views[view] = views.get(view, 0) + count
            for error in r["errors"]:
                note(f"{target} n={n}: follower error: {error}")
        if target == "app" and set(views) != {"guest"}:
            note(f"app n={n}: followers were given the views {views}, not only 'guest'")
        await asyncio.sleep(args.settle)
        joined_stats = doc.proc_stats(proc.pid)
        screen = Page(
            socketio.AsyncClient(reconnection=False, request_timeout=30), target, "screen"
        )
        console = Console(
            socketio.AsyncClient(reconnection=False, request_timeout=30),
            target,
            setup["meeting_id"],
            args.ack_timeout,
        )
        pages = [screen, console]
        await open_page(screen, base, screen_cookie, setup["meeting_id"])
        await open_page(console, base, console_cookie, setup["meeting_id"])
        note(
            f"{target} n={n}: {joined} followers joined in {connect_s:.1f} s (views {views}), "
            f"then a screen and a console; server RSS "
            f"{idle['rss'] / 2**20:.0f} → {joined_stats['rss'] / 2**20:.0f} MB, "
            f"{joined_stats['threads']} threads"
        )
        records, advance_stats = await advance_phase(
            args, console, pool, joined, proc, args.floor_sizes["advance"]
        )
        burst_records, burst_stats = [], None
        if args.burst:
            burst_records, burst_stats = await burst_phase(
                args, console, pool, joined, proc, args.floor_sizes["burst"]
            )
        reconnect, reconnect_stats = None, None
        if args.reconnect:
            join_data = dict(cfg["join_data"])
            if target == "floor":  # its join answer weighs what the app's did
                join_data["answer_bytes"] = args.floor_sizes["join_answer"]
            reconnect, reconnect_stats = await reconnect_phase(
                args, console, pool, joined, proc, args.floor_sizes["burst"], join_data
            )
        round_info, round_stats = await round_phase(args, console, pool, joined, proc)
        report = merge_reports(await pool.report())
        result = {
            "target": target,
            "connected": joined,
            "join_guests_s": join_s,
            "connect_s": connect_s,
            "idle": idle,
            "joined": joined_stats,
            "views": views,
            "agenda_items": setup["items"],
            "records": records,
            "advance": advance_stats,
            "burst_records": burst_records,
            "burst": burst_stats,
            "reconnect": reconnect,
            "reconnect_stats": reconnect_stats,
            "round": round_info,
            "round_stats": round_stats,
            "console": console,
            "screen": screen,
            "end": doc.proc_stats(proc.pid),
            **report,
        }
        if target == "app":
            round_from = console.round_key.get(round_info["round_id"])
        else:
            round_from = ROUND_SEQ
        result["view_sizes"] = view_sizes(result, records, round_from)
        if target == "app":
            # The floor's facts get the sizes of the app's, view by view (measured here).
            for kind in ("advance", "burst", "round"):
                for view, size in result["view_sizes"][kind].items():
                    if size:
                        args.floor_sizes[kind][view] = size
            rejoined = (result["reconnect"] or {}).get("rejoins") or []
            answer = median_size(
                {i: r["bytes"] for i, r in enumerate(rejoined)}, range(len(rejoined))
            )
            if answer:
                args.floor_sizes["join_answer"] = answer
            if round_info["round_id"]:
                result["db"] = db_round(setup["db_path"], round_info["round_id"])
        return result
    finally:
        if pool is not None:
            await pool.close()
        doc.stop_process(proc)
        for page in pages:
            try:
                await asyncio.wait_for(page.sio.disconnect(), 3)
            except Exception:  # noqa: BLE001,S110 - the server is gone already
                pass


async def probe_sizes(args, tmp):
    """The `live_updated` fact each view receives for an agenda of `--size-items` items: one
    guest who joined at the door, one member's phone, the screen and the console; one advance,
    then a round opened. Prints one JSON line per view and fact."""
    import socketio

    env, setup, _db = prepare_instance(tmp, args.size_items - 1)  # start_live adds the check-in
    env = {**env, "SOCKETIO_ASYNC_MODE": args.mode}
    port = doc.free_port()
    base = f"http://127.0.0.1:{port}"
    proc = doc.start_server(
        "app", {**env, "HOST": "127.0.0.1", "PORT": str(port)}, tmp / f"probe-{args.mode}.log"
    )
    pages = []
    try:
        doc.wait_http(f"{base}/connexion", proc)
        guest_cookie = join_guest(base, setup["join_code"], "Invité sonde")
        cookies = {"guest": guest_cookie}
        for view in ("phone", "screen", "console"):
            cookies[view] = doc.sign_in(base, FACILITATOR)

        def client():
            return socketio.AsyncClient(reconnection=False, request_timeout=30)

        console = Console(client(), "app", setup["meeting_id"], args.ack_timeout)
        guest = Page(client(), "app", "phone")  # asks for the phone; the server says guest
        pages = [guest, Page(client(), "app", "phone"), Page(client(), "app", "screen"), console]
        given = {}
        for page, who in zip(pages, ("guest", "phone", "screen", "console")):
            ack = await open_page(page, base, cookies[who], setup["meeting_id"])
            given[who] = ack.get("view")
            figure(
                "app",
                None,
                "sizes",
                "join_answer_bytes",
                page.wire.get("ack_wire"),
                view=who,
                given_view=given[who],
                agenda_items=setup["items"],
                note="bytes on the wire of the join_live answer (the whole ack packet)",
            )
        if given["guest"] != "guest":
            note(f"probe: the guest was given the view {given['guest']!r}")
        record = await console.step("probe", 0, None)
        facts = {"advance": record["key"] if record["ok"] else None}
        ack, error = await console.call(
            "open_round",
            {
                "meeting_id": setup["meeting_id"],
                "kind": "consent",
                "question": "Nous confions la réserve à l’équipe du jardin jusqu’à l’été.",
            },
        )
        facts["round"] = None
        if error is None:
            await wait_until(lambda: ack.get("round_id") in console.round_key, args.ack_timeout)
            facts["round"] = console.round_key.get(ack.get("round_id"))
        for kind, key in facts.items():
            for page, who in zip(pages, ("guest", "phone", "screen", "console")):
                if key is not None:
                    await page.wait_key(key, 10)
                size = page.sizes.get(key)
                figure(
                    "app",
                    None,
                    "sizes",
                    "live_updated_bytes",
                    size,
                    view=who,
                    given_view=given[who],
                    fact=kind,
                    agenda_items=setup["items"],
                    note="bytes on the wire of the whole Socket.IO packet",
                )
        note(
            f"probe ({setup['items']} agenda items): advance fact bytes "
            + ", ".join(
                f"{w} {p.sizes.get(facts['advance'])}"
                for p, w in zip(pages, ("guest", "phone", "screen", "console"))
            )
        )
    finally:
        for page in pages:
            try:
                await asyncio.wait_for(page.sio.disconnect(), 3)
            except Exception:  # noqa: BLE001,S110
                pass
        doc.stop_process(proc)


# -- figures -------------------------------------------------------------------------------------


def phase_cpu_figures(server, n, phase, stats, per_count=None, per="command"):
    """The CPU figures of a phase; with `per_count` (acked commands), the server's CPU per
    command (from /proc) and the app's CPU split (bench/split.py) per command."""
    figure(server, n, phase, "server_cpu_s", round(stats["cpu_s"], 2))
    if per_count:
        figure(
            server,
            n,
            phase,
            f"server_cpu_ms_per_{per}",
            round(1000 * stats["cpu_s"] / per_count, 2),
            **({"count": per_count} if per != "command" else {}),
        )
        doc.split_figures(figure, server, n, phase, stats.get("split"), per_count, per=per)
    figure(server, n, phase, "server_cpu_pct", round(100 * stats["cpu_s"] / stats["wall"], 1))
    figure(server, n, phase, "server_rss_mb", round(stats["rss"] / 2**20, 1))
    figure(server, n, phase, "server_threads", stats["threads"])
    figure(
        server, n, phase, "clients_cpu_pct", round(100 * stats["client_cpu_s"] / stats["wall"], 1)
    )
    figure(server, n, phase, "bench_cpu_pct", round(100 * stats["bench_cpu_s"] / stats["wall"], 1))
    figure(
        server,
        n,
        phase,
        "others_cpu_pct",
        round(100 * stats["others_cpu_s"] / stats["wall"], 1),
        cores=os.cpu_count(),
    )


def report_run(result, n):
    """Print the figures of one run; return the headline figures for the app/floor table."""
    server, joined = result["target"], result["connected"]
    first, console = result["first"], result["console"]
    head = {}
    # -- setup
    figure(server, n, "setup", "followers_joined", joined)
    if result["join_guests_s"] is not None:
        figure(server, n, "setup", "guests_join_http_s", round(result["join_guests_s"], 2))
    figure(server, n, "setup", "connect_all_s", round(result["connect_s"], 2))
    figure(server, n, "setup", "rss_idle_mb", round(result["idle"]["rss"] / 2**20, 1))
    figure(server, n, "setup", "rss_joined_mb", round(result["joined"]["rss"] / 2**20, 1))
    figure(
        server,
        n,
        "setup",
        "rss_per_follower_kb",
        round((result["joined"]["rss"] - result["idle"]["rss"]) / 1024 / max(1, n), 1),
    )
    figure(server, n, "setup", "server_threads", result["joined"]["threads"])
    if server == "app":
        figure(
            server,
            n,
            "setup",
            "followers_view",
            result["views"].get("guest", 0),
            by_view=result["views"],
            note="followers the server put in the guest room",
        )
    for kind in ("advance", "round"):
        for view, size in result["view_sizes"][kind].items():
            figure(
                server,
                n,
                "setup",
                f"{kind}_fact_bytes",
                size,
                view=view,
                agenda_items=result.get("agenda_items"),
                note="median bytes on the wire of the whole Socket.IO packet",
            )
    # -- (a) advance
    records = [r for r in result["records"] if r["phase"] == "advance"]
    ok = [r for r in records if r["ok"]]
    latencies, complete = [], []
    for r in ok:
        times = first.get(r["key"], [])
        latencies.extend(t - r["t_send"] for t in times)
        if times and len(times) >= joined:
            complete.append(max(times) - r["t_send"])
    expected = len(ok) * joined
    received = sum(len(first.get(r["key"], [])) for r in ok)
    errors = {}
    for r in records:
        if r["error"]:
            errors[r["error"]] = errors.get(r["error"], 0) + 1
    acks = [r["t_ack"] - r["t_send"] for r in ok]
    phase = "advance"
    figure(server, n, phase, "steps_sent", len(records))
    figure(server, n, phase, "steps_ok", len(ok))
    if errors:
        figure(server, n, phase, "step_errors", sum(errors.values()), errors=errors)
    figure(
        server,
        n,
        phase,
        "steps_per_s",
        round(len(records) / result["advance"]["send_s"], 2) if records else None,
    )
    figure(server, n, phase, "ack_p50_ms", ms(percentile(acks, 50)))
    figure(server, n, phase, "ack_p99_ms", ms(percentile(acks, 99)))
    for q in (50, 95, 99):
        figure(server, n, phase, f"latency_p{q}_ms", ms(percentile(latencies, q)))
    figure(server, n, phase, "latency_max_ms", ms(max(latencies) if latencies else None))
    figure(server, n, phase, "all_followers_p50_ms", ms(percentile(complete, 50)))
    figure(server, n, phase, "all_followers_p99_ms", ms(percentile(complete, 99)))
    figure(server, n, phase, "receipts_expected", expected)
    figure(server, n, phase, "facts_lost", expected - received)
    for page in (console, result["screen"]):
        figure(
            server,
            n,
            phase,
            f"{page.view}_facts_lost",
            sum(1 for r in ok if r["key"] not in page.received),
            note=f"advance facts the {page.view} page never received",
        )
    figure(server, n, phase, "drain_s", round(result["advance"]["drain_s"], 2))
    phase_cpu_figures(server, n, phase, result["advance"], len(ok))
    head["advance"] = {q: percentile(latencies, q) for q in (50, 99)}
    head["advance_lost"] = expected - received
    head["advance_others"] = 100 * result["advance"]["others_cpu_s"] / result["advance"]["wall"]
    if result["burst"] is not None:
        report_burst(result, n, head)
    if result["reconnect"] is not None:
        report_reconnect(result, n, head)
    # -- (b) round
    phase, info = "round", result["round"]
    answers = [a for a in result["answers"] if a is not None]
    if info["error"] is not None:
        figure(server, n, phase, "round_open_failed", 1, error=info["error"])
        head["round"] = None
        return head
    t_open = info["t_open"]
    opened = [a["t_round"] - t_open for a in answers]
    answered_ok = [a for a in answers if a["ok"]]
    failed = {}
    for a in result["answers"]:
        if a is None:
            failed["round_not_received"] = failed.get("round_not_received", 0) + 1
        elif not a["ok"]:
            key = a["error"] or "no_ack"
            failed[key] = failed.get(key, 0) + 1
    failed_n = joined - len(answered_ok)
    ack_lat = [a["t_ack"] - a["t_send"] for a in answered_ok]
    last_ack = max((a["t_ack"] for a in answered_ok), default=None)
    figure(server, n, phase, "open_ack_ms", ms(info["t_opened_ack"] - t_open))
    figure(server, n, phase, "open_latency_p50_ms", ms(percentile(opened, 50)))
    figure(server, n, phase, "open_latency_p99_ms", ms(percentile(opened, 99)))
    figure(server, n, phase, "open_all_followers_ms", ms(max(opened) if opened else None))
    figure(server, n, phase, "followers_saw_round", len(answers))
    figure(server, n, phase, "answers_sent", sum(1 for a in answers if "t_send" in a))
    figure(server, n, phase, "answers_ok", len(answered_ok))
    figure(server, n, phase, "answers_failed", failed_n, **({"errors": failed} if failed else {}))
    figure(server, n, phase, "answer_ack_p50_ms", ms(percentile(ack_lat, 50)))
    figure(server, n, phase, "answer_ack_p99_ms", ms(percentile(ack_lat, 99)))
    figure(server, n, phase, "answer_ack_max_ms", ms(max(ack_lat) if ack_lat else None))
    all_acked = last_ack - t_open if last_ack is not None and failed_n == 0 else None
    figure(
        server,
        n,
        phase,
        "all_answers_acked_s",
        round(all_acked, 3) if all_acked is not None else None,
    )
    head["round"] = {
        "open50": percentile(opened, 50),
        "open99": percentile(opened, 99),
        "ack50": percentile(ack_lat, 50),
        "ack99": percentile(ack_lat, 99),
        "acked": all_acked,
        "counted": None,
    }
    if server == "app":
        db = result.get("db") or {}
        counted_at = console.counted.get(joined)
        counted = counted_at - t_open if counted_at is not None else None
        figure(
            server,
            n,
            phase,
            "last_answer_counted_s",
            round(counted, 3) if counted is not None else None,
            note="opening sent -> the console's fact shows all N answers",
        )
        figure(server, n, phase, "db_answers", db.get("answers"))
        figure(server, n, phase, "db_answers_for", db.get("for"))
        figure(server, n, phase, "db_guests", db.get("guests"))
        figure(
            server,
            n,
            phase,
            "db_last_answer_s",
            round(db["last_answer_s"], 3) if db.get("last_answer_s") is not None else None,
            note="round opened_at -> last answered_at, server clock",
        )
        lost = n - (db.get("for") or 0)
        figure(server, n, phase, "answers_lost", lost, note="N - 'for' answers in the database")
        finals = result["last_counts"]
        shown = sum(1 for c in finals if c and c[1] == n)
        figure(server, n, phase, "followers_last_fact_shows_n", shown)
        figure(server, n, phase, "console_last_fact_shows", max(console.counted, default=None))
        head["round"]["counted"] = counted
        head["answers_lost"] = lost
        head["final_ok"] = f"{shown}/{joined}"
    else:
        head["answers_lost"] = failed_n
        head["final_ok"] = "-"
    # Every follower gets the opening and one fact per answer taken.
    per_follower = 1 + len(answered_ok)
    expected = per_follower * joined
    lost = sum(max(0, per_follower - got) for got in result["round_facts"])
    figure(server, n, phase, "fanout_messages_expected", expected)
    figure(server, n, phase, "fanout_messages_lost", lost)
    shown_at = [t - t_open for t in result["all_counted"] if t is not None]
    figure(
        server,
        n,
        phase,
        "all_counted_p50_s",
        round(percentile(shown_at, 50), 3) if shown_at else None,
        note="opening sent -> a follower's page shows all N answers",
    )
    figure(
        server,
        n,
        phase,
        "all_counted_every_follower_s",
        round(max(shown_at), 3) if len(shown_at) == joined and shown_at else None,
    )
    figure(server, n, phase, "followers_never_showing_n", joined - len(shown_at))
    figure(
        server,
        n,
        phase,
        "fanout_drained_s",
        round(info["t_drained"] - t_open, 2),
        note="opening sent -> every follower shows N and has every fact (or the timeout)",
    )
    phase_cpu_figures(server, n, phase, result["round_stats"], len(answered_ok) + 1)
    head["round_others"] = (
        100 * result["round_stats"]["others_cpu_s"] / result["round_stats"]["wall"]
    )
    head["round"]["every"] = max(shown_at) if len(shown_at) == joined and shown_at else None
    # -- all
    figure(server, n, "all", "follower_disconnects", result["disconnects"])
    if server == "app":  # floor facts carry a sequence number, not a revision
        figure(
            server,
            n,
            "all",
            "facts_same_revision",
            result["same_key"],
            note="receipts repeating a live_revision the page already had",
        )
        figure(
            server,
            n,
            "all",
            "facts_older_revision",
            result["older"],
            note="receipts of a live_revision older than one already received (pages "
            "drop them as older news)",
        )
    figure(
        server, n, "all", "other_messages", sum(result["other"].values()), by_event=result["other"]
    )
    figure(server, n, "all", "rss_end_mb", round(result["end"]["rss"] / 2**20, 1))
    return head


def report_burst(result, n, head):
    """The burst: `--burst` commands sent at once by the console."""
    server, joined, first = result["target"], result["connected"], result["first"]
    phase, records, stats = "burst", result["burst_records"], result["burst"]
    ok = [r for r in records if r["ok"]]
    latencies, complete = [], []
    for r in ok:
        times = first.get(r["key"], [])
        latencies.extend(t - r["t_send"] for t in times)
        if times and len(times) >= joined:
            complete.append(max(times) - r["t_send"])
    expected = len(ok) * joined
    received = sum(len(first.get(r["key"], [])) for r in ok)
    errors = {}
    for r in records:
        if r["error"]:
            errors[r["error"]] = errors.get(r["error"], 0) + 1
    acks = [r["t_ack"] - r["t_send"] for r in ok]
    console = result["console"]
    own = [console.received[r["key"]] - r["t_send"] for r in ok if r["key"] in console.received]
    figure(server, n, phase, "commands_sent", len(records))
    figure(server, n, phase, "commands_ok", len(ok))
    if errors:
        figure(server, n, phase, "commands_failed", sum(errors.values()), errors=errors)
    figure(server, n, phase, "ack_p50_ms", ms(percentile(acks, 50)))
    figure(server, n, phase, "ack_p99_ms", ms(percentile(acks, 99)))
    figure(server, n, phase, "console_fact_p99_ms", ms(percentile(own, 99)))
    for q in (50, 95, 99):
        figure(server, n, phase, f"latency_p{q}_ms", ms(percentile(latencies, q)))
    figure(server, n, phase, "latency_max_ms", ms(max(latencies) if latencies else None))
    figure(server, n, phase, "all_followers_p99_ms", ms(percentile(complete, 99)))
    figure(server, n, phase, "receipts_expected", expected)
    figure(server, n, phase, "facts_lost", expected - received)
    for page in (console, result["screen"]):
        figure(
            server,
            n,
            phase,
            f"{page.view}_facts_lost",
            sum(1 for r in ok if r["key"] not in page.received),
        )
    figure(server, n, phase, "drain_s", round(stats["drain_s"], 2))
    phase_cpu_figures(server, n, phase, stats, len(ok))
    head["burst"] = {
        50: percentile(latencies, 50),
        99: percentile(latencies, 99),
        "ack99": percentile(acks, 99),
    }
    head["burst_lost"] = expected - received


def reconnect_times(result):
    """(seconds from the disconnect order until each rejoined follower has the current state,
    or None for one that never had it), the console's known revision as it went."""
    rec = result["reconnect"]
    t_order = rec["t_order"]
    if result["target"] != "app":  # the floor keeps no state: a follower is current once joined
        return [r["t_joined"] - t_order if r["ok"] else None for r in rec["rejoins"]]
    console = result["console"]
    # The console's known revision over time: the steps of a staircase.
    stairs = sorted((t, key) for key, t in console.received.items() if key > rec["base"])
    times = [t for t, _key in stairs]
    known = []
    best = rec["base"]
    for _t, key in stairs:
        best = max(best, key)
        known.append(best)

    def console_at(t):
        import bisect

        i = bisect.bisect_right(times, t)
        return known[i - 1] if i else rec["base"]

    out = []
    for r in rec["rejoins"]:
        if not r["ok"] or r["revision"] is None:
            out.append(None)
            continue
        held, current = r["revision"], None
        events = [(r["t_joined"], r["revision"])] + [
            (t, key) for t, key in r["log"] if t >= r["t_joined"]
        ]
        for t, key in sorted(events):
            held = max(held, key)
            if held >= console_at(t):
                current = t - t_order
                break
        out.append(current)
    return out


def report_reconnect(result, n, head):
    """The mass reconnect: every follower drops and reconnects at once; the console goes on."""
    server, joined = result["target"], result["connected"]
    phase, rec, stats = "reconnect", result["reconnect"], result["reconnect_stats"]
    rejoins, records = rec["rejoins"], rec["records"]
    current = reconnect_times(result)
    ok_current = [c for c in current if c is not None]
    rejoined = [r for r in rejoins if r["ok"]]
    errors = {}
    for r in rejoins:
        if not r["ok"]:
            errors[r["error"] or "no_answer"] = errors.get(r["error"] or "no_answer", 0) + 1
    all_current = max(ok_current) if ok_current and len(ok_current) == joined else None
    figure(server, n, phase, "reconnect_followers", len(rejoins))
    figure(
        server,
        n,
        phase,
        "reconnect_rejoined",
        len(rejoined),
        **({"errors": errors} if errors else {}),
    )
    figure(
        server,
        n,
        phase,
        "reconnect_followers_ok",
        len(ok_current),
        note="followers rejoined and holding the console's current revision",
    )
    figure(
        server,
        n,
        phase,
        "reconnect_all_current_s",
        round(all_current, 3) if all_current is not None else None,
        note="disconnect order -> the last follower holds the current state (null: some never did)",
    )
    figure(
        server,
        n,
        phase,
        "reconnect_current_p50_s",
        round(percentile(ok_current, 50), 3) if ok_current else None,
    )
    down = [r["t_down"] - rec["t_order"] for r in rejoins if "t_down" in r]
    figure(
        server,
        n,
        phase,
        "reconnect_disconnected_s",
        round(max(down), 3) if down else None,
        note="disconnect order -> every old socket closed (per client process)",
    )
    joins = [r["t_joined"] - r["t_connected"] for r in rejoined if "t_connected" in r]
    figure(server, n, phase, "rejoin_answer_p50_ms", ms(percentile(joins, 50)))
    figure(server, n, phase, "rejoin_answer_p99_ms", ms(percentile(joins, 99)))
    sizes = sorted(r["bytes"] for r in rejoined if r["bytes"])
    figure(
        server,
        n,
        phase,
        "join_answer_bytes",
        sizes[len(sizes) // 2] if sizes else None,
        view="guest",
        max=sizes[-1] if sizes else None,
        note="median bytes on the wire of the join answer (the whole ack packet)",
    )
    ok = [r for r in records if r["ok"]]
    acks = [r["t_ack"] - r["t_send"] for r in ok]
    console = result["console"]
    own = [console.received[r["key"]] - r["t_send"] for r in ok if r["key"] in console.received]
    cmd_errors = {}
    for r in records:
        if r["error"]:
            cmd_errors[r["error"]] = cmd_errors.get(r["error"], 0) + 1
    figure(server, n, phase, "reconnect_console_commands", len(records))
    figure(
        server,
        n,
        phase,
        "reconnect_console_ok",
        len(ok),
        **({"errors": cmd_errors} if cmd_errors else {}),
    )
    figure(server, n, phase, "reconnect_console_ack_p50_ms", ms(percentile(acks, 50)))
    figure(server, n, phase, "reconnect_console_ack_p99_ms", ms(percentile(acks, 99)))
    figure(
        server,
        n,
        phase,
        "reconnect_console_fact_p99_ms",
        ms(percentile(own, 99)),
        note="console command -> its fact back at the console",
    )
    figure(
        server,
        n,
        phase,
        "reconnect_console_facts_lost",
        len(ok) - len(own),
    )
    figure(
        server,
        n,
        phase,
        "join_cpu_ms_per_follower",
        round(1000 * stats["cpu_s"] / joined, 2) if joined else None,
        note="server CPU (/proc) over the whole phase / N: the console's commands and their "
        "fan-out are in it, nothing is subtracted",
    )
    split = stats.get("split")
    if split and split.get("cmd:join_live:calls"):
        figure(
            server,
            n,
            phase,
            "join_answer_cpu_ms",
            round(1000 * split["cmd:join_live:s"] / split["cmd:join_live:calls"], 3),
            calls=split["cmd:join_live:calls"],
            clock=split.get("clock"),
            note="time inside dispatch per join_live (bench/split.py): the join answer alone",
        )
    phase_cpu_figures(server, n, phase, stats)
    doc.split_figures(figure, server, n, phase, split, joined, per="join")
    head["reconnect"] = {
        "all": all_current,
        "ack99": percentile(acks, 99),
        "ok": len(ok_current),
    }


def ratio(a, f):
    return round(a / f, 2) if a is not None and f else None


def compare(mode, n, app, floor):
    """The app/floor ratios; one row of the summary table."""
    row = {"mode": mode, "n": n}
    pairs = [
        ("advance_latency_p50", app["advance"][50], floor["advance"][50]),
        ("advance_latency_p99", app["advance"][99], floor["advance"][99]),
    ]
    if app.get("round") and floor.get("round"):
        a, f = app["round"], floor["round"]
        pairs += [
            ("round_open_p50", a["open50"], f["open50"]),
            ("round_open_p99", a["open99"], f["open99"]),
            ("answer_ack_p50", a["ack50"], f["ack50"]),
            ("answer_ack_p99", a["ack99"], f["ack99"]),
            ("all_answers_acked", a["acked"], f["acked"]),
            ("all_counted_every_follower", a["every"], f["every"]),
        ]
    if app.get("burst") and floor.get("burst"):
        pairs += [
            ("burst_latency_p50", app["burst"][50], floor["burst"][50]),
            ("burst_latency_p99", app["burst"][99], floor["burst"][99]),
            ("burst_ack_p99", app["burst"]["ack99"], floor["burst"]["ack99"]),
        ]
    if app.get("reconnect") and floor.get("reconnect"):
        a, f = app["reconnect"], floor["reconnect"]
        pairs += [
            ("reconnect_all_current", a["all"], f["all"]),
            ("reconnect_console_ack_p99", a["ack99"], f["ack99"]),
        ]
    for name, a, f in pairs:
        phase = (
            name.split("_")[0] if name.startswith(("advance", "burst", "reconnect")) else "round"
        )
        figure("app/floor", n, phase, f"{name}_ratio", ratio(a, f))
        row[name] = (a, f, ratio(a, f))
    if app.get("burst") and floor.get("burst"):
        aim = row["burst_latency_p99"][2]
        figure(
            "app/floor",
            n,
            "burst",
            "aim_met",
            aim is not None and aim <= 2 and app.get("burst_lost") == 0,
            note="burst p99 <= 2 x floor and nothing lost",
        )
    row["counted"] = app.get("round", {}) and app["round"]["counted"]
    row["lost"] = app.get("answers_lost")
    row["final_ok"] = app.get("final_ok")
    row["others"] = (
        f"{app['advance_others']:.0f}/{floor['advance_others']:.0f}, "
        f"{app.get('round_others', 0):.0f}/{floor.get('round_others', 0):.0f}"
    )
    return row


def print_table(rows):
    def cell(v):
        a, f, r = v if v else (None, None, None)
        return (
            f"{doc.fmt(ms(a) and round(ms(a)))}/{doc.fmt(ms(f) and round(ms(f)))} ({doc.fmt(r)}×)"
        )

    note(
        "summary: app/floor in ms (ratio); others = CPU % other programs took during "
        "advance and round, app/floor (100 = one core)"
    )
    for r in rows:
        note(
            f"{r['mode']} N={r['n']}: advance p50 {cell(r.get('advance_latency_p50'))}, "
            f"p99 {cell(r.get('advance_latency_p99'))} | round open p50 "
            f"{cell(r.get('round_open_p50'))}, p99 {cell(r.get('round_open_p99'))} | "
            f"answer ack p50 {cell(r.get('answer_ack_p50'))}, p99 "
            f"{cell(r.get('answer_ack_p99'))} | all acked {cell(r.get('all_answers_acked'))}"
            f" | N shown everywhere {cell(r.get('all_counted_every_follower'))}"
            f" | burst p99 {cell(r.get('burst_latency_p99'))}, ack p99 "
            f"{cell(r.get('burst_ack_p99'))} | reconnect all current "
            f"{cell(r.get('reconnect_all_current'))}, console ack p99 "
            f"{cell(r.get('reconnect_console_ack_p99'))}"
            f" | counted {doc.fmt(r['counted'] and round(r['counted'], 2))} s | lost "
            f"{r['lost']} | last fact shows N {r['final_ok']} | others {r['others']}"
        )


# -- main ----------------------------------------------------------------------------------------


async def main_async(args):
    modes = [m.strip() for m in args.async_mode.split(",") if m.strip()]
    counts = [int(c) for c in args.clients.split(",") if c.strip()]
    rows = []
    for mode in modes:
        args.mode = mode
        CONTEXT["async_mode"] = mode
        if args.size_items:
            tmp = Path(tempfile.mkdtemp(prefix=f"vendredi-bench-session-{mode}-sizes-"))
            try:
                note(f"--- {mode}: fact sizes per view, agenda of {args.size_items} items ---")
                await probe_sizes(args, tmp)
            finally:
                doc.stop_all()
                if args.keep:
                    note(f"kept {tmp} (server log and database)")
                else:
                    shutil.rmtree(tmp, ignore_errors=True)
        for n in counts:
            tmp = Path(tempfile.mkdtemp(prefix=f"vendredi-bench-session-{mode}-{n}-"))
            try:
                env, setup, db_path = prepare_instance(tmp, args.items)
                setup["db_path"] = db_path
                env = {**env, "SOCKETIO_ASYNC_MODE": mode}
                if not args.no_split:  # only the app reads them (bench/split.py)
                    env.update({"BENCH_SPLIT": "1", "BENCH_SPLIT_CLOCK": args.split_clock})
                note(f"--- {mode}, {n} followers: app ---")
                app = report_run(await run_one("app", n, args, env, setup, tmp), n)
                if args.no_floor:
                    continue
                note(f"--- {mode}, {n} followers: floor (facts of {args.floor_sizes} bytes) ---")
                floor = report_run(await run_one("floor", n, args, env, setup, tmp), n)
                rows.append(compare(mode, n, app, floor))
            finally:
                doc.stop_all()
                if args.keep:
                    note(f"kept {tmp} (server logs and database)")
                else:
                    shutil.rmtree(tmp, ignore_errors=True)
    print_table(rows)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--clients",
        default="20,50,200,500",
        help="follower counts, comma-separated (default %(default)s)",
    )
    parser.add_argument(
        "--async-mode",
        default="threading",
        help="SOCKETIO_ASYNC_MODE of the app and the floor: threading, gevent, "
        "or both as threading,gevent (default %(default)s)",
    )
    parser.add_argument("--items", type=int, default=20, help="agenda items added (default 20)")
    parser.add_argument(
        "--size-items",
        type=int,
        default=11,
        help="agenda items (check-in included) of the fact-size probe run before "
        "each mode's runs; 0 skips it (default %(default)s)",
    )
    parser.add_argument("--steps", type=int, default=10, help="advance steps measured")
    parser.add_argument("--rate", type=float, default=1.0, help="advance steps per second")
    parser.add_argument("--warmup", type=int, default=2, help="advance steps not counted")
    parser.add_argument(
        "--burst",
        type=int,
        default=30,
        help="commands of the burst, sent at once (control_timer start / pause); 0 skips it",
    )
    parser.add_argument(
        "--no-reconnect", dest="reconnect", action="store_false", help="skip the mass reconnect"
    )
    parser.add_argument(
        "--reconnect-interval",
        type=float,
        default=0.1,
        help="the console's command interval during the reconnect, seconds",
    )
    parser.add_argument(
        "--reconnect-tail",
        type=float,
        default=1.0,
        help="the console goes on this long once every follower has rejoined, seconds",
    )
    parser.add_argument(
        "--reconnect-timeout", type=float, default=60.0, help="longest reconnect phase, seconds"
    )
    parser.add_argument(
        "--reconnect-concurrency",
        type=int,
        default=0,
        help="reconnections opened at once per follower process (0, the default: all of "
        "them; otherwise --connect-concurrency applies)",
    )
    parser.add_argument(
        "--no-split",
        action="store_true",
        help="start the app without the CPU split's instrumentation (no cpu_split_* figures)",
    )
    parser.add_argument(
        "--split-clock",
        choices=("perf", "thread"),
        default="perf",
        help="clock of the split's spans: perf (time.perf_counter, the default) or thread "
        "(time.thread_time, CPU time of the server's thread)",
    )
    parser.add_argument(
        "--answer-spread",
        type=float,
        default=0.0,
        help="each follower waits a random 0..S s before answering (default 0: "
        "every follower answers as soon as the round reaches it)",
    )
    parser.add_argument(
        "--client-procs", type=int, default=2, help="processes holding the asyncio followers"
    )
    parser.add_argument(
        "--connect-concurrency",
        type=int,
        default=25,
        help="connections opened at once per follower process",
    )
    parser.add_argument(
        "--join-workers", type=int, default=8, help="guests joining through POST /rejoindre at once"
    )
    parser.add_argument("--settle", type=float, default=1.0, help="pause after all joins, seconds")
    parser.add_argument(
        "--drain-timeout",
        type=float,
        default=90.0,
        help="longest wait for missing receipts after a phase, seconds",
    )
    parser.add_argument(
        "--answer-timeout",
        type=float,
        default=90.0,
        help="longest wait for every answer's ack, seconds",
    )
    parser.add_argument("--ack-timeout", type=float, default=60.0)
    parser.add_argument(
        "--no-floor", action="store_true", help="measure the app only (a quicker look; no ratios)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp instances and logs")
    args = parser.parse_args(argv)
    for mode in args.async_mode.split(","):
        if mode.strip() not in ("threading", "gevent"):
            parser.error(f"unsupported async mode {mode!r} (threading or gevent)")
    if args.items < args.warmup + args.steps + 1:
        parser.error("--items must exceed --warmup + --steps (one step per item)")
    # Bytes on the wire of the floor's facts per view, replaced by the sizes measured on the app.
    args.floor_sizes = {
        kind: {"guest": 2000, "console": 2000, "screen": 2000}
        for kind in ("advance", "burst", "round")
    }
    args.floor_sizes["join_answer"] = 2000  # bytes of a guest's join answer, as measured
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
        doc.stop_all()
        return 130
    finally:
        doc.stop_all()
    note(f"done in {now() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "_setup":
        setup_instance(json.loads(sys.argv[2]))
    else:
        sys.exit(main())
