"""Crash safety (issue 14, item 7): the real server is killed with SIGKILL and started again
twenty times while pages keep sending commands, as on a Friday when the machine dies.

Three workloads run at once through every crash, each on its own pages (python-socketio
clients of the real server, signed in over HTTP; their sessions survive the restarts):

- six members add entries to the Friday's document, each command with its operation id; a
  command that got no ack (the server died first) is sent again with the same id once the page
  is connected again, as the pages' outbox does (static/js/live.js);
- the facilitator records decisions on the current point. The console does not send a decision
  again by itself (`record_decision` takes no operation id): after a reconnection the
  facilitator reads the console (`join_live`) and records the decision again only if it is not
  there;
- two console pages of the facilitator reorder the agenda, each from the revision it has just
  read (compare-and-set: of two reorders sent from one revision, the second is refused `stale`).

Besides, at each crash one command is known to be committed and its ack lost: a page sends an
entry without waiting for the ack, the server is killed once the entry is in the database, and
the page sends it again with the same operation id after the restart; the ack must name the
entry already stored.

After the twenty crashes, what a person would check: every acknowledged entry and decision is
stored exactly once (with the id its ack gave), nothing else was stored, nothing is
half-written (each row with its trace, its first revision, its operation id; the agenda a
permutation of its points, with one order per revision whichever page read it; the live
revision moved once per change), and traces are in order (each page's changes in the order it
made them, by id and by date).

With WAL, SQLite keeps an acknowledged commit through a crash of the process under either
`synchronous` setting: this test cannot tell them apart. A power loss can (FULL by default,
docs/architecture.md and bench/sqlite_sync.py).
"""

import os
import random
import re
import threading
import time
from collections import Counter, defaultdict

import pytest
import socketio
from sqlalchemy import func, select

from meeting.extensions import db
from meeting.models import (
    AgendaItem,
    ClientOperation,
    Decision,
    Entry,
    EntryRevision,
    Meeting,
    Trace,
)
from meeting.realtime import NAMESPACE
from tests.crash_server import WarmServer
from tests.servers import cookie_header, signed_in_session

CYCLES = 20
WRITERS = 6
REORDER_PAGES = 2
TOPICS = ("Chauffage", "Jardin", "Vélos", "Cuisine", "Compost", "Fête")
# How long the server lives once every page had an answer from it: random and short (the
# restart takes most of a cycle), so that the crashes land anywhere in a command.
EXTRA_SECONDS = (0.0, 0.4)
ACK_SECONDS = 15
RECONNECT_SECONDS = 60
PROGRESS_SECONDS = 30
STORED_SECONDS = 15
# Refusals that say "try again" (static/js/live.js sends those again): after a pause.
RETRY_LATER = {"busy", "retry", "rate_limited"}


class Aborted(Exception):
    """A page stops because the test is ending on a failure found elsewhere (reported)."""


class Harness:
    """What the pages share: which server is up (its epoch), the order to stop, the failures."""

    def __init__(self):
        self.epoch = 0
        self.stop = threading.Event()
        self.abort = threading.Event()
        self.failures = []
        self.lock = threading.Lock()

    def fail(self, message):
        with self.lock:
            self.failures.append(message)
        self.abort.set()


class Page:
    """One page's socket that lives through its server's crashes: when the link is gone it
    connects again (as live.js does); `send` returns the ack, or None when the link went down
    (or stayed silent) before the ack came."""

    def __init__(self, harness, server, http):
        self.harness = harness
        self.url = server.url
        self.cookie = cookie_header(http)
        http.close()  # the session cookie is all a socket needs
        self.client = None
        self.down = threading.Event()
        self.epoch = None  # the server this page is connected to

    def _connect(self):
        deadline = time.monotonic() + RECONNECT_SECONDS
        while not self.harness.abort.is_set():
            epoch = self.harness.epoch
            client = socketio.Client(reconnection=False)
            down = threading.Event()

            def on_disconnect(*_reason, client=client, down=down):
                # python-engineio leaves the socket of a broken link open (until the garbage
                # collector finds it): closed here, as a browser would.
                ws = getattr(client.eio, "ws", None)
                if ws is not None:
                    ws.shutdown()
                down.set()

            client.on("disconnect", on_disconnect, namespace=NAMESPACE)
            try:
                client.connect(
                    self.url,
                    namespaces=[NAMESPACE],
                    transports=["websocket"],
                    headers={"Cookie": self.cookie},
                    wait_timeout=5,
                )
            except socketio.exceptions.ConnectionError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"no connection for {RECONNECT_SECONDS} s") from None
                time.sleep(0.1)  # nothing listening: the server is starting again
                continue
            self.client, self.down, self.epoch = client, down, epoch
            return
        raise Aborted

    def post(self, name, data):
        """Send a command without waiting for its ack (as if the link broke right after)."""
        if self.client is None or self.down.is_set():
            self._connect()
        self.client.emit(name, data, namespace=NAMESPACE)

    def send(self, name, data):
        if self.client is None or self.down.is_set():
            self._connect()
        answered = threading.Event()
        box = []

        def on_ack(*args):
            box.append(args[0] if args else None)
            answered.set()

        try:
            self.client.emit(name, data, namespace=NAMESPACE, callback=on_ack)
        except socketio.exceptions.BadNamespaceError:  # the link went down just now
            self.down.set()
            return None
        deadline = time.monotonic() + ACK_SECONDS
        while not answered.wait(0.02):
            if self.down.is_set() or time.monotonic() > deadline:
                self._drop()
                return None
        return box[0]

    def _drop(self):
        """Forget a link that went down or stays silent (disconnecting a live websocket client
        takes seconds: done aside)."""
        client, self.client = self.client, None
        self.down.set()
        if client is not None and client.connected:
            threading.Thread(target=client.disconnect, daemon=True).start()

    def close(self):
        self._drop()


class Worker(threading.Thread):
    """One page's loop of commands until the harness says stop."""

    def __init__(self, harness, page, name, meeting_id):
        super().__init__(name=name, daemon=True)
        self.harness = harness
        self.page = page
        self.meeting_id = meeting_id
        self.acked_epoch = -1  # the last server that acknowledged a command of this page
        self.in_flight = False
        self.in_flight_at_crash = 0
        self.error = None

    def run(self):
        try:
            self.work()
        except Aborted:
            pass
        except Exception as error:  # noqa: BLE001 (reported by the test)
            self.error = error
            self.harness.abort.set()

    def send(self, name, data):
        self.in_flight = True
        try:
            ack = self.page.send(name, data)
        finally:
            self.in_flight = False
        if ack is not None and ack.get("ok"):
            self.acked_epoch = self.page.epoch
        return ack

    def refused(self, name, ack):
        if ack.get("error") in RETRY_LATER:
            time.sleep(max(0.2, float(ack.get("retry_after") or 0)))
        else:
            self.harness.fail(f"{self.name}: {name} refused: {ack}")


def entry_command(meeting_id, op_id):
    return {
        "meeting_id": meeting_id,
        "kind": "topic",
        "title": f"Point {op_id}",
        "body": "Écrit pendant que le serveur redémarre.",
        "op_id": op_id,
    }


class EntryWriter(Worker):
    """A member adding entries, each with its own operation id, sent again until acknowledged
    (after the order to stop too: the last one is not left unanswered)."""

    # Faster than anyone types, slow enough that SQLite's busy handler (unfair: a writer that
    # keeps finding the lock taken waits longer each time) lets every page in after a restart.
    PACE = 0.03

    def __init__(self, *args):
        super().__init__(*args)
        self.sent = []  # operation ids, in the order they were first sent
        self.acked = {}  # operation id -> entry id of its ack
        self.resent = 0

    def work(self):
        pending = None
        while not self.harness.abort.is_set():
            if pending is None:
                if self.harness.stop.is_set():
                    return
                self.sent.append(f"{self.name}-{len(self.sent) + 1:05d}")
                pending = entry_command(self.meeting_id, self.sent[-1])
            ack = self.send("add_entry", pending)
            if ack is None:
                self.resent += 1
            elif ack["ok"]:
                self.acked[pending["op_id"]] = ack["entry_id"]
                pending = None
                time.sleep(self.PACE)
            else:
                self.refused("add_entry", ack)


class DecisionRecorder(Worker):
    """The facilitator recording decisions one after the other; after a decision without an
    ack, the console is read again before recording it again."""

    PACE = 0.05

    def __init__(self, *args):
        super().__init__(*args)
        self.acked = {}  # statement -> (decision id, number) of its ack
        self.found = 0  # decisions without an ack, found on the console afterwards
        self.order = []  # statements, in the order they were stored

    @staticmethod
    def key(n):
        return f"numéro {n:04d},"

    def work(self):
        n, unsure, pending = 0, False, None
        while not self.harness.abort.is_set():
            if pending is None:
                if self.harness.stop.is_set():
                    return
                n += 1
                pending = f"Décision témoin {self.key(n)} prise pendant les redémarrages."
            if unsure:
                state = self.send("join_live", {"meeting_id": self.meeting_id, "view": "console"})
                if state is None:
                    continue
                unsure = False
                if self.key(n) in state["regions"]["decisions"]:
                    self.found += 1
                    self.order.append(pending)
                    pending = None
                    continue
            ack = self.send(
                "record_decision",
                {"meeting_id": self.meeting_id, "statement": pending, "mode": "consent"},
            )
            if ack is None:
                unsure = True
            elif ack["ok"]:
                self.acked[pending] = (ack["decision_id"], ack["number"])
                self.order.append(pending)
                pending = None
                time.sleep(self.PACE)
            else:
                self.refused("record_decision", ack)


ITEM_ID = re.compile(r'data-item-id="(\d+)"')


class Reorderer(Worker):
    """A console page reordering the agenda from the state it has just read."""

    PACE = 0.02

    def __init__(self, *args, seen, rng):
        super().__init__(*args)
        self.seen = seen  # shared: agenda revision -> the order read or acknowledged at it
        self.rng = rng
        self.acked = []  # (revision sent, order sent)
        self.stale = 0

    def observe(self, revision, order):
        with self.harness.lock:
            known = self.seen.setdefault(revision, order)
        if known != order:
            self.harness.fail(f"agenda revision {revision} seen as {known} and as {order}")

    def work(self):
        while not self.harness.abort.is_set() and not self.harness.stop.is_set():
            state = self.send("join_live", {"meeting_id": self.meeting_id, "view": "console"})
            if state is None:
                continue
            revision = state["agenda_revision"]
            order = [int(i) for i in ITEM_ID.findall(state["regions"]["agenda"])]
            self.observe(revision, order)
            wanted = order[:]
            while wanted == order:
                self.rng.shuffle(wanted)
            ack = self.send(
                "reorder_agenda",
                {"meeting_id": self.meeting_id, "agenda_revision": revision, "order": wanted},
            )
            if ack is None:
                continue  # read again: the one order or the other, never a mix
            if ack["ok"]:
                self.acked.append((revision, wanted))
                self.observe(revision + 1, wanted)
            elif ack.get("error") == "stale":
                self.stale += 1  # the other page reordered first: read again
            else:
                self.refused("reorder_agenda", ack)
            time.sleep(self.PACE)


def wait_for_progress(harness, server, workers, epoch):
    """Until every page had a command acknowledged by the server of `epoch`."""
    deadline = time.monotonic() + PROGRESS_SECONDS
    while any(w.acked_epoch < epoch for w in workers) and not harness.abort.is_set():
        if time.monotonic() > deadline:
            late = [w.name for w in workers if w.acked_epoch < epoch]
            pytest.fail(f"no ack from server {epoch} for {late}:\n{server.output()}")
        time.sleep(0.02)


def wait_until_stored(server, member_id, op_id):
    """The id of the entry the operation `op_id` made, once the server has committed it."""
    deadline = time.monotonic() + STORED_SECONDS
    while time.monotonic() < deadline:
        db.session.rollback()  # read what is committed now
        entry_id = db.session.scalar(
            select(ClientOperation.subject_id).where(
                ClientOperation.member_id == member_id, ClientOperation.op_id == op_id
            )
        )
        db.session.rollback()
        if entry_id is not None:
            return entry_id
        time.sleep(0.005)
    pytest.fail(f"{op_id} was not stored in {STORED_SECONDS} s:\n{server.output()}")


def test_acknowledged_changes_survive_twenty_sigkills(
    app, database_uri, tmp_path, make_member, live_friday
):
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    friday = live_friday(topics=TOPICS)
    meeting_id = friday.meeting.id
    facilitator = friday.facilitator
    writers = [make_member(name=f"Membre {n}") for n in range(WRITERS)]
    courier = make_member(name="Sam")
    courier_id = courier.id
    first_trace = db.session.scalar(select(func.max(Trace.id))) or 0
    meeting = db.session.get(Meeting, meeting_id)
    agenda_start, live_start = meeting.agenda_revision, meeting.live_revision
    item_ids = sorted(i.id for i in friday.items)
    db.session.commit()

    harness = Harness()
    server = WarmServer("crash", database_uri, tmp_path)
    workers, lost_acks, crashes, courier_page = [], {}, 0, None
    try:
        server.wait_until_up()

        def page(member):
            return Page(harness, server, signed_in_session(server, member))

        entry_workers = [
            EntryWriter(harness, page(m), f"w{n}", meeting_id) for n, m in enumerate(writers)
        ]
        recorder = DecisionRecorder(harness, page(facilitator), "decisions", meeting_id)
        seen = {}
        reorderers = [
            Reorderer(
                harness,
                page(facilitator),
                f"agenda{n}",
                meeting_id,
                seen=seen,
                rng=random.Random(rng.random()),
            )
            for n in range(REORDER_PAGES)
        ]
        courier_page = page(courier)
        workers = [*entry_workers, recorder, *reorderers]
        for worker in workers:
            worker.start()
        for cycle in range(CYCLES):
            wait_for_progress(harness, server, workers, cycle)
            if harness.abort.is_set():
                break
            time.sleep(rng.uniform(*EXTRA_SECONDS))
            # An entry committed whose ack will never arrive: the server dies right after.
            op_id = f"sans-reponse-{cycle + 1:02d}"
            courier_page.post("add_entry", entry_command(meeting_id, op_id))
            lost_acks[op_id] = wait_until_stored(server, courier_id, op_id)
            for worker in workers:
                worker.in_flight_at_crash += worker.in_flight
            server.crash()
            crashes += 1
            harness.epoch = cycle + 1
            server.start()
            ack = courier_page.send("add_entry", entry_command(meeting_id, op_id))
            if ack != {
                "ok": True,
                "entry_id": lost_acks[op_id],
                "revision": 1,
                "meeting_id": meeting_id,
            }:
                harness.fail(
                    f"{op_id} sent again after the crash: {ack}, stored {lost_acks[op_id]}"
                )
        # The last server stays up: every page sends what got no ack, then stops.
        wait_for_progress(harness, server, workers, CYCLES)
        harness.stop.set()
        for worker in workers:
            worker.join(RECONNECT_SECONDS)
    except Aborted:
        pass  # the failure that stopped the pages is reported below
    finally:
        harness.abort.set()
        for one in [w.page for w in workers] + [courier_page]:
            if one is not None:
                one.close()
        server.stop()
    errors = [f"{w.name}: {w.error!r}" for w in workers if w.error is not None]
    assert not errors and not harness.failures, (errors, harness.failures, f"seed {seed}")
    assert crashes == CYCLES and not any(w.is_alive() for w in workers)
    # Commands were on their way at the crashes (without them this test would prove little).
    in_flight = sum(w.in_flight_at_crash for w in workers)
    assert in_flight >= CYCLES // 2
    print(
        f"crash loop (seed {seed}): {sum(len(w.acked) for w in entry_workers)} entries "
        f"({sum(w.resent for w in entry_workers)} sent again), {len(recorder.order)} decisions "
        f"({recorder.found} found stored without their ack), "
        f"{sum(len(r.acked) for r in reorderers)} reorders ({sum(r.stale for r in reorderers)} "
        f"stale), {in_flight} commands in flight at the crashes"
    )

    db.session.rollback()
    traces = db.session.scalars(
        select(Trace).where(Trace.id > first_trace).order_by(Trace.id)
    ).all()
    by_subject = defaultdict(list)
    for trace in traces:
        by_subject[(trace.verb, trace.subject_id)].append(trace)

    # -- entries: each acknowledged one stored once, with its revision, operation id and trace --
    sent_by = [(w.sent, w.acked, m.id) for w, m in zip(entry_workers, writers, strict=True)]
    sent_by.append((list(lost_acks), lost_acks, courier_id))
    for sent, acked, member_id in sent_by:
        assert acked and set(acked) == set(sent)  # every one acknowledged in the end
        entries = db.session.scalars(
            select(Entry).where(Entry.meeting_id == meeting_id, Entry.author_id == member_id)
        ).all()
        assert Counter(e.title for e in entries) == Counter(f"Point {op}" for op in sent)
        ids = {e.title: e.id for e in entries}
        assert {op: ids[f"Point {op}"] for op in sent} == acked  # the id each ack gave
        operations = db.session.execute(
            select(ClientOperation.op_id, ClientOperation.subject_id).where(
                ClientOperation.member_id == member_id
            )
        ).all()
        assert sorted(operations) == sorted(acked.items())
        revisions = db.session.scalars(
            select(EntryRevision.entry_id).where(EntryRevision.entry_id.in_(ids.values()))
        ).all()
        assert Counter(revisions) == Counter(ids.values())  # its first revision, once
        added = [by_subject[("entry_added", acked[op])] for op in sent]
        assert all(len(t) == 1 and t[0].actor_id == member_id for t in added)
        # One page sends one command at a time: its traces come in that order.
        assert [t[0].id for t in added] == sorted(t[0].id for t in added)
        assert [t[0].created_at for t in added] == sorted(t[0].created_at for t in added)

    # -- decisions: each acknowledged one stored once, numbered in order, with its trace -------
    decisions = db.session.scalars(
        select(Decision).where(Decision.meeting_id == meeting_id).order_by(Decision.number)
    ).all()
    assert [d.statement for d in decisions] == recorder.order
    for decision in decisions:
        if decision.statement in recorder.acked:
            assert recorder.acked[decision.statement] == (decision.id, decision.number)
        recorded = by_subject[("decision_recorded", decision.id)]
        assert len(recorded) == 1 and recorded[0].data["number"] == decision.number
    numbers = [d.number for d in decisions]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    recorded_ids = [by_subject[("decision_recorded", d.id)][0].id for d in decisions]
    assert recorded_ids == sorted(recorded_ids)

    # -- the agenda: a permutation of its points, one order per revision, one trace each -------
    meeting = db.session.get(Meeting, meeting_id)
    items = db.session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position)
    ).all()
    order = [i.id for i in items]
    assert sorted(order) == item_ids
    assert [i.position for i in items] == list(range(len(items)))
    assert seen.get(meeting.agenda_revision, order) == order
    reordered = [t for t in traces if t.verb == "agenda_reordered"]
    assert meeting.agenda_revision - agenda_start == len(reordered)
    acked_reorders = [revision for r in reorderers for revision, _order in r.acked]
    # Compare-and-set: never two acknowledged reorders from the same revision.
    assert len(set(acked_reorders)) == len(acked_reorders) <= len(reordered)
    # Each decision and each reorder moved the live revision once.
    assert meeting.live_revision - live_start == len(decisions) + len(reordered)

    # -- traces: one per change and nothing else; in date order where writes are serial ----------
    entries_sent = sum(len(sent) for sent, _acked, _member in sent_by)
    assert Counter(t.verb for t in traces) == {
        "entry_added": entries_sent,
        "decision_recorded": len(decisions),
        "agenda_reordered": len(reordered),
    }
    if database_uri.startswith("sqlite"):
        # SQLite writes one transaction at a time: trace ids follow the commits, and so do
        # dates. (PostgreSQL numbers a row when it is inserted, and concurrent transactions
        # commit in any order: there each page's own order holds, checked above.)
        assert [t.created_at for t in traces] == sorted(t.created_at for t in traces)


def test_sqlite_writes_each_commit_to_the_disk_unless_told_otherwise(
    app, database_template, tmp_path, monkeypatch
):
    """FULL by default (an acknowledged change survives a power loss too); NORMAL when the
    operator sets SQLITE_SYNCHRONOUS=normal; any other value is refused at start, in French."""
    if database_template["kind"] != "sqlite":
        pytest.skip("SQLite's synchronous setting")
    from meeting import create_app
    from meeting.config import ConfigurationError

    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    settings = {
        "INSTANCE_PATH": str(tmp_path / "normal"),
        "SECRET_KEY": "x",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'normal.sqlite3'}",
    }
    monkeypatch.setenv("SQLITE_SYNCHRONOUS", "normal")
    other = create_app(settings)
    with other.app_context():
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        db.engine.dispose()
    monkeypatch.setenv("SQLITE_SYNCHRONOUS", "off")
    with pytest.raises(ConfigurationError, match="SQLITE_SYNCHRONOUS doit valoir FULL"):
        create_app(settings)
