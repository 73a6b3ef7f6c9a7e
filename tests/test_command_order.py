"""A burst of commands from one page is stored and delivered in that page's order.

A phone flushing its offline outbox, or a facilitator reordering, sends many commands without
waiting for each ack. On a real server (its own process, real sockets: the Socket.IO test client
runs each command inline and could not show a reordering), the commands of one connection are
handled one after another, in the order sent: the database holds them in that order, every
other page receives their facts in that order, and a chain of edits where each names the
revision the previous one makes all succeed.
"""

from sqlalchemy import select

from meeting.extensions import db
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.models import Entry
from tests.servers import LivePage as Page
from tests.servers import Server, signed_in_session

BURST = 40
EDITS = 25


def test_a_burst_from_one_page_is_stored_and_delivered_in_its_order(
    app, database_uri, tmp_path, make_member
):
    author = make_member(name="Inès")
    reader = make_member(name="Sacha")
    meeting = meetings.ensure_meeting(dates.next_meeting_date())
    meeting_id = meeting.id
    db.session.commit()

    server = Server("order", database_uri, tmp_path)
    pages = []
    try:
        server.wait_until_up()
        writer = Page(server, signed_in_session(server, author))
        pages.append(writer)
        watcher = Page(server, signed_in_session(server, reader))
        pages.append(watcher)
        for page in pages:
            assert page.call("join_document", {"meeting_id": meeting_id})["ok"] is True

        # 1. Forty new entries sent at once.
        titles = [f"Point {i:02d}" for i in range(BURST)]
        acks = writer.burst(
            [
                (
                    "add_entry",
                    {"meeting_id": meeting_id, "kind": "topic", "title": t, "body": f"{t}."},
                )
                for t in titles
            ]
        )
        assert all(ack["ok"] for ack in acks), acks
        ids = [ack["entry_id"] for ack in acks]
        assert ids == sorted(ids) and len(set(ids)) == BURST  # written in the order sent

        db.session.rollback()
        stored = db.session.scalars(
            select(Entry.title).where(Entry.meeting_id == meeting_id).order_by(Entry.id)
        ).all()
        assert stored == titles

        added = watcher.wait_for(BURST, "entry_added")
        assert [fact["entry_id"] for fact in added] == ids  # delivered in the order sent

        # 2. A chain of edits, each over the revision the previous one makes: sent at once,
        # every one succeeds only if they are handled in order.
        first = ids[0]
        edits = writer.burst(
            [
                (
                    "edit_entry",
                    {"entry_id": first, "revision": 1 + k, "body": f"Version {k + 2}."},
                )
                for k in range(EDITS)
            ]
        )
        assert [ack.get("revision") for ack in edits] == list(range(2, EDITS + 2)), edits
        edited = watcher.wait_for(EDITS, "entry_edited")
        assert [fact["revision"] for fact in edited] == list(range(2, EDITS + 2))

        db.session.rollback()
        entry = db.session.get(Entry, first)
        assert (entry.revision, entry.body) == (EDITS + 1, f"Version {EDITS + 1}.")
    finally:
        for page in pages:
            page.close()
        server.stop()
