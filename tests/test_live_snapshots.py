"""Pages (re)joining a live Friday: one snapshot per state and view, never a stale or foreign one.

`join_live` answers each page with its view's exact state; pages that join the same state (a
room of phones coming back after a Wi-Fi blink) get one snapshot built once (`live.snapshots`).
What each test checks is what a page receives: the same state as a fresh build, its own view's
(a guest never gets a member's phone), and the new state as soon as anything changed.
"""

import re
import time

import pytest
from flask import template_rendered
from sqlalchemy import update

from meeting.extensions import db
from meeting.live import services as agenda
from meeting.live import snapshots, state
from meeting.models import AgendaItem, Meeting
from meeting.realtime import render_context


def plain(text):
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.fixture
def room(app, client_as, socket_for, live_friday):
    """A live Friday ("Chauffage", "Jardin") and a factory of pages: `room.page(view)` signs in
    a new member (or joins a guest with view "guest") and returns its socket, not yet joined."""
    console_http, camille = client_as("facilitator", name="Camille")
    friday = live_friday(camille)
    count = {"n": 0}

    def page(view="phone"):
        count["n"] += 1
        if view == "guest":
            return socket_for(friday.guest(f"Invitée {count['n']}"))
        if view == "console":
            return socket_for(console_http)
        http, _member = client_as(name=f"Membre {count['n']}")
        return socket_for(http)

    friday.page = page
    friday.camille = camille
    return friday


CLOCK = re.compile(r'data-elapsed="\d+"|data-timer-clock>[^<]*<')


def without_clock(regions):
    return {name: CLOCK.sub("", html) for name, html in regions.items()}


def join(sock, meeting_id, view):
    ack = sock.command("join_live", {"meeting_id": meeting_id, "view": view})
    assert ack["ok"] is True, ack
    return ack


class Renders:
    """The templates the app renders meanwhile (Flask's own signal)."""

    def __init__(self, app):
        self.app, self.names = app, []

    def __enter__(self):
        template_rendered.connect(self.record, self.app)
        return self

    def record(self, sender, template, context, **extra):
        self.names.append(template.name)

    def __exit__(self, *exc):
        template_rendered.disconnect(self.record, self.app)


def test_phones_joining_the_same_state_share_one_snapshot(app, room, monkeypatch):
    monkeypatch.setattr(snapshots, "MAX_AGE", 30.0)  # a slow machine: the age is tested below
    early, late = room.page(), room.page()
    first = join(early, room.meeting.id, "phone")
    with Renders(app) as renders:
        second = join(late, room.meeting.id, "phone")
    assert renders.names == []  # nothing rendered again for the second phone
    assert second["regions"] == first["regions"]
    assert (second["live_revision"], second["current_item_id"]) == (
        first["live_revision"],
        first["current_item_id"],
    )
    # the same as a fresh build of the phone's view
    db.session.rollback()
    with render_context():
        fresh = state.live_fact(room.meeting.id, regions=state.ALL_REGIONS, view="phone")
    # The clock drawn in the point's region is the second each was built at (a page counts on
    # from the fact's `timer`, brought to the present for each page, checked below): a slow
    # machine may cross a second between the two builds.
    assert without_clock(second["regions"]) == without_clock(fresh["regions"])


def test_each_view_gets_its_own_snapshot_and_a_guest_never_a_members(app, room):
    phone = join(room.page(), room.meeting.id, "phone")
    guest = join(room.page("guest"), room.meeting.id, "phone")
    console = join(room.page("console"), room.meeting.id, "console")
    screen = join(room.page(), room.meeting.id, "screen")
    assert guest["view"] == "guest" and "summary" not in guest["regions"]
    assert "summary" in phone["regions"]
    assert set(guest["regions"]) == set(agenda.REGIONS)
    assert set(screen["regions"]) == set(agenda.REGIONS) and "summary" not in screen["regions"]
    # the console's forms are the console's only
    assert 'data-command="advance_item"' in console["regions"]["current"]
    for other in (phone, guest, screen):
        assert 'data-command="advance_item"' not in "".join(other["regions"].values())
    # and a member's phone joining after a guest still gets the member's phone
    again = join(room.page(), room.meeting.id, "phone")
    assert again["view"] == "phone" and "summary" in again["regions"]


def test_a_change_made_here_shows_to_the_next_page_that_joins(room):
    before = join(room.page(), room.meeting.id, "phone")
    assert "Chauffage" not in plain(before["regions"]["current"])
    agenda.advance(room.camille, room.meeting.id, before["live_revision"])
    after = join(room.page(), room.meeting.id, "phone")
    assert after["live_revision"] > before["live_revision"]
    assert "Chauffage" in plain(after["regions"]["current"])


def test_a_fact_published_here_without_a_new_revision_is_never_hidden_by_a_snapshot(room):
    """Some changes bump no revision ("Où en est-on ?"'s figures): building their fact is
    enough for the next joining page to read the new state."""
    join(room.page(), room.meeting.id, "phone")
    jardin = next(i for i in room.items if i.title == "Jardin")
    db.session.execute(update(AgendaItem).where(AgendaItem.id == jardin.id).values(title="Verger"))
    db.session.commit()
    with render_context():
        state.live_facts(room.meeting.id, ("agenda",))  # as a feature publishing it does
    after = join(room.page(), room.meeting.id, "phone")
    assert "Verger" in plain(after["regions"]["agenda"])


def test_a_change_from_another_process_shows_through_the_meetings_revision(room):
    """Another process publishes its own facts: its change is seen here by its revision."""
    join(room.page(), room.meeting.id, "phone")
    jardin = next(i for i in room.items if i.title == "Jardin")
    db.session.execute(update(AgendaItem).where(AgendaItem.id == jardin.id).values(title="Verger"))
    db.session.execute(
        update(Meeting)
        .where(Meeting.id == room.meeting.id)
        .values(agenda_revision=Meeting.agenda_revision + 1)
    )
    db.session.commit()
    after = join(room.page(), room.meeting.id, "phone")
    assert "Verger" in plain(after["regions"]["agenda"])


def test_a_snapshot_lives_no_longer_than_its_maximum_age(room, monkeypatch):
    monkeypatch.setattr(snapshots, "MAX_AGE", 0.2)
    join(room.page(), room.meeting.id, "phone")
    jardin = next(i for i in room.items if i.title == "Jardin")
    # a change that neither bumps a revision nor was published by this process
    db.session.execute(update(AgendaItem).where(AgendaItem.id == jardin.id).values(title="Verger"))
    db.session.commit()
    time.sleep(0.3)
    after = join(room.page(), room.meeting.id, "phone")
    assert "Verger" in plain(after["regions"]["agenda"])


def test_the_timer_of_a_shared_snapshot_is_the_present_one(app, room, monkeypatch):
    monkeypatch.setattr(snapshots, "MAX_AGE", 30.0)  # a slow machine: the age is tested above
    early, late = room.page(), room.page()
    first = join(early, room.meeting.id, "phone")
    assert first["timer"]["running"] is True
    time.sleep(1.1)
    with Renders(app) as renders:
        second = join(late, room.meeting.id, "phone")
    assert renders.names == []  # the same snapshot …
    assert second["timer"]["elapsed"] >= first["timer"]["elapsed"] + 1  # … at its own time
    assert second["timer"]["server_now"] > first["timer"]["server_now"]
    db.session.rollback()
    fresh = agenda.timer_state(agenda.current_item(room.meeting.id))
    assert abs(fresh["elapsed"] - second["timer"]["elapsed"]) <= 1
    assert second["timer"]["allowance"] == fresh["allowance"]


def test_a_reorder_committed_during_a_read_never_shows_under_the_old_revision(room, monkeypatch):
    """PostgreSQL lets each statement of a read see what was committed just before it: a
    reorder landing between the meeting row and its points must not give the new order with
    the old revision (the console would then reorder from a state that never existed)."""
    meeting_id = room.meeting.id
    before = db.session.get(Meeting, meeting_id).agenda_revision
    order = [i.id for i in sorted(room.items, key=lambda i: i.position)]
    reordered = [order[1], order[0], *order[2:]]
    db.session.commit()
    read_points = state.agenda_items
    landed = []

    def points_read_while_another_page_reorders(meeting):
        if not landed:  # another process commits its reorder right now, on its own connection
            landed.append(True)
            with db.engine.begin() as other:
                for position, item_id in enumerate(reordered):
                    other.execute(
                        update(AgendaItem).where(AgendaItem.id == item_id).values(position=position)
                    )
                other.execute(
                    update(Meeting)
                    .where(Meeting.id == meeting_id)
                    .values(
                        agenda_revision=Meeting.agenda_revision + 1,
                        live_revision=Meeting.live_revision + 1,
                    )
                )
        return read_points(meeting)

    monkeypatch.setattr(state, "agenda_items", points_read_while_another_page_reorders)
    with render_context():
        fact = state.live_state(room.camille, meeting_id, "console")
    shown = [int(i) for i in re.findall(r'data-item-id="(\d+)"', fact["regions"]["agenda"])]
    assert landed
    # The old order at the old revision (one snapshot: SQLite) or the new one at the new
    # revision (read again: PostgreSQL); never a mix.
    assert (fact["agenda_revision"], shown) in ((before, order), (before + 1, reordered))


def test_what_a_fact_reads_does_not_grow_with_the_room(room):
    """Every console command publishes facts to every view; what they read must not grow with
    the followers: the regions need how many are present (one count), never the list of who
    (500 guests read as rows cost more than rendering the fact, bench/live_session.py)."""
    from sqlalchemy import event

    from meeting.models import Attendance

    def reading(fn):
        seen = []

        def listen(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            with render_context():
                result = fn()
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        db.session.rollback()
        return result, seen

    meeting_id = room.meeting.id
    db.session.commit()  # both reads start from a fresh session
    few_facts, few = reading(lambda: state.live_facts(meeting_id, state.REGIONS))
    db.session.add_all(
        [Attendance(meeting_id=meeting_id, guest_name=f"Invité {n}") for n in range(200)]
    )
    db.session.commit()
    many_facts, many = reading(lambda: state.live_facts(meeting_id, state.REGIONS))
    assert len(many) == len(few)
    rows_of_who = [s for s in many if "FROM attendance" in s and "count(" not in s.lower()]
    assert rows_of_who == []

    # And the facts still say how many are there, in the views that show it.
    def counts(facts):
        found = set()
        for _event, data, _rooms in facts:
            text = plain(data["regions"].get("status") or "")
            found.update(int(n) for n in re.findall(r"(\d+) personnes? présentes?", text))
        return found

    before = counts(few_facts)
    assert len(before) == 1 and counts(many_facts) == {before.pop() + 200}


def test_pages_arriving_together_are_let_in_a_few_at_a_time_and_never_turned_away(monkeypatch):
    """A room of phones coming back after a Wi-Fi blink: their connects and joins run a few at
    a time (`realtime.arrival`), so that the facilitator's commands go between them; one that
    waited too long goes ahead anyway, never refused."""
    import threading

    from meeting import realtime

    monkeypatch.setattr(realtime, "_arrivals", None)  # a gate of its own for this test
    inside, most, lock = [0], [0], threading.Lock()

    def arrive():
        with realtime.arrival():
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.02)
            with lock:
                inside[0] -= 1

    phones = [threading.Thread(target=arrive) for _ in range(12)]
    for phone in phones:
        phone.start()
    for phone in phones:
        phone.join(10)
    assert most[0] == realtime.ARRIVALS_AT_ONCE and inside[0] == 0

    # Every place taken for longer than an arrival waits: it goes ahead after the wait.
    monkeypatch.setattr(realtime, "ARRIVAL_WAIT_SECONDS", 0.1)
    monkeypatch.setattr(realtime, "_arrivals", threading.BoundedSemaphore(1))
    realtime._arrivals.acquire()
    started = time.monotonic()
    with realtime.arrival():
        waited = time.monotonic() - started
    assert 0.09 <= waited < 2
    realtime._arrivals.release()  # the place taken above; the late arrival gave none back
    assert realtime._arrivals.acquire(blocking=False)
