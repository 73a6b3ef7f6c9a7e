"""The production server for real: `vendredi-serve` (gunicorn, one gevent worker) in its own
process, on SQLite, as `make run` and the systemd unit start it.

- it serves pages, the health check and live sockets, with no development-server warning, and
  its log lines (gunicorn's, the access log's) carry their time and level;
- under gevent, one process's greenlets share one thread: a write that waited for a lock while
  holding it would stall every page. Writes from many pages at once all succeed, and a write
  whose e-mail goes to an SMTP server that does not answer (network I/O after the commit, not
  inside the transaction) holds up nobody else's.
"""

import re
import socket
import threading

import requests
from sqlalchemy import func, select

from meeting.extensions import db
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.models import Entry
from tests.servers import LivePage, Server, page_csrf, signed_in_session

PAGES = 8
PER_PAGE = 5
TIMED_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} (INFO|WARNING|ERROR) ")


class SilentSmtp:
    """An SMTP peer that accepts connections and says nothing until released (a stuck mail
    server): a client waiting for its greeting waits for `release()`."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.connected = threading.Event()
        self.released = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _ = self.sock.accept()
        self.connected.set()
        self.released.wait(60)
        conn.close()

    def release(self):
        self.released.set()
        self.sock.close()


def test_the_production_server_serves_with_timed_logs_and_no_stalled_write(
    app, database_uri, tmp_path, make_member
):
    members = [make_member(name=f"Personne {n}") for n in range(PAGES)]
    asker = make_member(name="Camille")
    meeting_id = meetings.ensure_meeting(dates.next_meeting_date()).id
    db.session.commit()
    smtp = SilentSmtp()
    server = Server(
        "gunicorn",
        database_uri,
        tmp_path,
        production=True,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp.port),
        MAIL_TIMEOUT="60",
        LOG_LEVEL="INFO",
    )
    pages = []
    try:
        server.wait_until_up()
        health = requests.get(server.url + "/healthz", timeout=5)
        assert health.status_code == 200 and health.json()["database"] == "ok"

        sessions = [signed_in_session(server, member) for member in members]
        pages = [LivePage(server, http) for http in sessions]
        for page in pages:
            assert page.call("join_document", {"meeting_id": meeting_id})["ok"] is True

        # A magic link whose e-mail goes to a server that never answers: the request waits
        # in its own greenlet, after its commit.
        mail_answer = {}
        asking = requests.Session()
        asker_email = asker.email

        def ask_for_a_link():
            token = page_csrf(asking, server.url + "/connexion")
            mail_answer["status"] = asking.post(
                server.url + "/connexion/lien",
                data={"email": asker_email, "csrf_token": token},
                timeout=90,
            ).status_code

        link_thread = threading.Thread(target=ask_for_a_link)
        link_thread.start()
        assert smtp.connected.wait(30), f"the mail never left:\n{server.output()}"

        # Meanwhile every page writes at once.
        results = [None] * PAGES

        def write(index):
            results[index] = pages[index].burst(
                [
                    (
                        "add_entry",
                        {
                            "meeting_id": meeting_id,
                            "kind": "topic",
                            "title": f"Point {index}-{n}",
                            "body": "Pendant qu’un courriel attend.",
                        },
                    )
                    for n in range(PER_PAGE)
                ]
            )

        writers = [threading.Thread(target=write, args=(i,)) for i in range(PAGES)]
        for thread in writers:
            thread.start()
        for thread in writers:
            thread.join(60)
        # Every write was answered while the mail server still had not said a word.
        assert not smtp.released.is_set()
        assert all(acks is not None for acks in results), results
        refused = [ack for acks in results for ack in acks if not ack["ok"]]
        assert refused == [], refused
        db.session.rollback()
        stored = db.session.scalar(
            select(func.count()).select_from(Entry).where(Entry.meeting_id == meeting_id)
        )
        assert stored == PAGES * PER_PAGE
        # Each page received every entry (its own and the others').
        for page in pages:
            assert len(page.wait_for(PAGES * PER_PAGE, "entry_added")) == PAGES * PER_PAGE

        smtp.release()
        link_thread.join(90)
        assert mail_answer.get("status") == 200  # the same page, mail or no mail

        server.log.flush()
        log = server.log_path.read_text(errors="replace")
        assert "development server" not in log, log
        assert "MonkeyPatchWarning" not in log, log  # gevent patched before anything imported
        lines = log.splitlines()
        boot = [line for line in lines if "Booting worker" in line]
        access = [line for line in lines if '"GET /healthz HTTP/1.1" 200' in line]
        assert boot and access, log
        # gunicorn's own lines and the access log: each with its time and level.
        for line in boot + access + [line for line in lines if "gunicorn.error" in line]:
            assert TIMED_LINE.match(line), line
    finally:
        for page in pages:
            page.close()
        smtp.release()
        server.stop()
