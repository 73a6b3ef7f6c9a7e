"""Server side of `bench/live_document.py` and `bench/live_session.py`; not meant to be run by
hand.

    python bench/live_servers.py setup           create members and meetings, print JSON
    python bench/live_servers.py app             run the real app, exactly as `python wsgi.py`
    python bench/live_servers.py floor           run the floor: a bare python-socketio server

All three read their settings from the environment (INSTANCE_PATH, HOST, PORT,
SOCKETIO_ASYNC_MODE, …). Under `SOCKETIO_ASYNC_MODE=gevent` the standard library is
monkey-patched first, as a gevent worker (gunicorn `-k geventwebsocket…`) would do. With
BENCH_SPLIT=1 (the benches set it unless `--no-split`), `app` also instruments the app that
`wsgi.py` created, from the outside, just before it serves (`bench/split.py`: database,
rendering and publishing spans, and `GET /_bench/split`). Nothing else is added around the
app's own `wsgi.py`.
"""

import os
import sys

ROLE = sys.argv[1] if len(sys.argv) > 1 else ""
MODE = os.environ.get("SOCKETIO_ASYNC_MODE") or "threading"

if ROLE in ("app", "floor") and MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()

import json
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMESPACE = "/live"
ROOM = "document"


def setup():
    """Create the members (hashed passwords) and one fresh future meeting per run."""
    from datetime import timedelta

    sys.path.insert(0, str(ROOT))
    from meeting import create_app
    from meeting.extensions import db
    from meeting.meetings import dates
    from meeting.meetings import services as meetings
    from meeting.members.services import hash_password
    from meeting.models import Member

    spec = json.loads(sys.argv[2])
    app = create_app()
    out = {"members": [], "meetings": []}
    with app.app_context():
        for i in range(spec["members"]):
            email = f"bench{i}@bench.example"
            member = Member(
                display_name=f"Bench {i:03d}",
                email=email,
                role="member",
                password_hash=hash_password(spec["password"]),
            )
            db.session.add(member)
            db.session.commit()
            out["members"].append({"id": member.id, "email": email})
        with app.test_request_context("/"):
            first = dates.next_meeting_date()
            for k in range(spec["meetings"]):
                # Future Fridays, one per run, so that every run joins an empty document.
                meeting = meetings.ensure_meeting(first + timedelta(days=7 * (k + 1)))
                out["meetings"].append(meeting.id)
        db.session.remove()
    print(json.dumps(out))


def tcp_nodelay():
    """Experiment (`--tcp-nodelay`): turn Nagle's algorithm off on accepted sockets, as the
    servers used here do not. Changes nothing unless BENCH_TCP_NODELAY=1."""
    if os.environ.get("BENCH_TCP_NODELAY") != "1":
        return
    if MODE == "threading":
        from werkzeug.serving import WSGIRequestHandler

        # socketserver.StreamRequestHandler.setup() sets TCP_NODELAY when this is true.
        WSGIRequestHandler.disable_nagle_algorithm = True
    elif MODE == "gevent":
        import socket

        from gevent import pywsgi

        handle = pywsgi.WSGIHandler.handle

        def handle_nodelay(self):
            try:
                self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
            return handle(self)

        pywsgi.WSGIHandler.handle = handle_nodelay


def profile():
    """`--profile DIR`: cProfile the app server until it is stopped (SIGTERM), then write
    DIR/app-<mode>-<port>.prof. Meaningful under gevent (one thread); under threading cProfile
    sees only the main thread, which does none of the work."""
    target = os.environ.get("BENCH_PROFILE")
    if not target:
        return
    import cProfile
    import signal

    profiler = cProfile.Profile()

    def stop(*_args):
        profiler.disable()
        profiler.dump_stats(str(Path(target) / f"app-{MODE}-{os.environ.get('PORT')}.prof"))
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    profiler.enable()


def split():
    """BENCH_SPLIT=1: instrument the app `wsgi.py` creates when it calls `socketio.run(app)`,
    that is once the app and its Socket.IO server exist and before the first connection."""
    if os.environ.get("BENCH_SPLIT") != "1":
        return
    import importlib.util

    import flask_socketio

    # Loaded by its path: bench/ stays out of sys.path, so no bench module shadows another.
    spec = importlib.util.spec_from_file_location("bench_split", ROOT / "bench" / "split.py")
    bench_split = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_split)
    run = flask_socketio.SocketIO.run

    def instrumented_run(self, app, *args, **kwargs):
        bench_split.install(self, app)
        return run(self, app, *args, **kwargs)

    flask_socketio.SocketIO.run = instrumented_run


def run_app():
    """The app as `python wsgi.py` starts it (socketio.run on HOST:PORT)."""
    tcp_nodelay()
    profile()
    sys.path.insert(0, str(ROOT))
    split()
    os.chdir(ROOT)
    sys.argv = [str(ROOT / "wsgi.py")]
    runpy.run_path(str(ROOT / "wsgi.py"), run_name="__main__")


def run_floor():
    """The floor: the same transport stack (python-socketio + python-engineio, werkzeug's
    threaded server or gevent's pywsgi with gevent-websocket, as `socketio.run` picks), no
    Flask, no session, no database. `join` puts the socket in one room (`{"view": v}`: the room
    of that view, as the app has one room per live view; else the one document room);
    `publish` re-broadcasts a fact of the size it is told, then answers with an ack, like the
    app does: `{"seq", "size"}` one fact whose html has `size` characters to the document room
    (live_document); `{"seq", "sizes": {view: bytes}}` to each view's room one fact whose whole
    Socket.IO packet on the wire (`42/live,["fact",{…}]`) has that many bytes, the figure
    live_session measures on the app's facts. With BENCH_FLOOR_MESSAGE_QUEUE (a redis:// URL)
    every emit goes through `socketio.RedisManager`, to the sockets of every floor process."""
    import logging

    import socketio
    from socketio import packet

    tcp_nodelay()
    host, port = os.environ.get("HOST", "127.0.0.1"), int(os.environ["PORT"])
    # BENCH_FLOOR_MESSAGE_QUEUE=redis://…: floors of several processes share one Redis, as the
    # app's processes do with SOCKETIO_MESSAGE_QUEUE (bench/two_processes.py).
    queue = os.environ.get("BENCH_FLOOR_MESSAGE_QUEUE")
    manager = {"client_manager": socketio.RedisManager(queue)} if queue else {}
    sio = socketio.Server(async_mode=MODE, logger=False, engineio_logger=False, **manager)
    padding = {}

    def room_of(view):
        return f"view:{view}" if view else ROOM

    @sio.on("join", namespace=NAMESPACE)
    def join(sid, data=None):
        """`{"view": v}`; with `"answer_bytes": b` the ack's whole packet is about b bytes (the
        size of the app's join answer, which carries the view's state)."""
        view = (data or {}).get("view")
        sio.enter_room(sid, room_of(view), namespace=NAMESPACE)
        answer = {"ok": True, "view": view}
        wanted = int((data or {}).get("answer_bytes") or 0)
        if wanted:
            # `43/live,<ack id>[{…,"state":"…"}]`: the envelope, the id and the JSON around it.
            envelope = (
                len(f"43{NAMESPACE},000[]")
                + len(json.dumps(answer, separators=(",", ":")))
                + len(',"state":""')
            )
            answer["state"] = "x" * max(0, wanted - envelope)
        return answer

    def fact_of(seq, size, whole_packet):
        """A fact whose `html` is `size` characters long, or (`whole_packet`) whose encoded
        packet is `size` bytes long (at least its envelope)."""
        fact = {
            "meeting_id": 1,
            "entry_id": seq,
            "kind": "topic",
            "revision": 1,
            "author_id": 1,
            "need_status": None,
            "html": "",
        }
        key = (size, len(str(seq)) if whole_packet else None)
        if key not in padding:
            envelope = (
                len(
                    packet.Packet(packet.EVENT, data=["fact", fact], namespace=NAMESPACE)
                    .encode()
                    .encode()
                )
                if whole_packet
                else 0
            )
            padding[key] = "x" * max(0, size - envelope)
        fact["html"] = padding[key]
        return fact

    @sio.on("publish", namespace=NAMESPACE)
    def publish(sid, data):
        seq = data["seq"]
        if "sizes" in data:  # live_session: bytes on the wire, per view
            for view, size in data["sizes"].items():
                sio.emit(
                    "fact", fact_of(seq, int(size), True), to=room_of(view), namespace=NAMESPACE
                )
        else:  # live_document: the html length of the app's entry facts
            sio.emit(
                "fact",
                fact_of(seq, int(data.get("size", 1000)), False),
                to=ROOM,
                namespace=NAMESPACE,
            )
        return {"ok": True, "entry_id": seq, "revision": 1}

    app = socketio.WSGIApp(sio)

    def health(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    def wsgi(environ, start_response):
        if environ.get("PATH_INFO") == "/health":
            return health(environ, start_response)
        return app(environ, start_response)

    if MODE == "threading":
        from werkzeug.serving import run_simple

        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        run_simple(host, port, wsgi, threaded=True, use_reloader=False)
    elif MODE == "gevent":
        from gevent import pywsgi
        from geventwebsocket.handler import WebSocketHandler

        pywsgi.WSGIServer(
            (host, port), wsgi, handler_class=WebSocketHandler, log=None
        ).serve_forever()
    else:
        raise SystemExit(f"floor: unsupported async mode {MODE!r}")


def die_with_the_bench():
    """Linux: get SIGTERM when the bench process ends, even if it is killed outright."""
    parent = os.environ.get("BENCH_PARENT_PID")
    if not parent:
        return
    import ctypes
    import signal

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if os.getppid() != int(parent):  # the bench ended before the line above
        raise SystemExit("bench process gone")


if __name__ == "__main__":
    if ROLE in ("app", "floor"):
        die_with_the_bench()
    {"setup": setup, "app": run_app, "floor": run_floor}[ROLE]()
