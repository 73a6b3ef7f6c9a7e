"""Properties of every lifecycle, for any sequence of commands applied through the real services:
after each step the row is in a state its lifecycle allows, reached by a move its table allows;
every refusal is a `ServiceError` (never another exception) that changes nothing; and the traces
of the moves are exactly the moves made. Then the agenda's order under two consoles holding
possibly stale revisions: whatever the interleaving, positions have no duplicate, the order is
the last one accepted, and a stale reorder is refused with `stale`.

Tables read from the code: proposals (`proposals.lifecycle.ALLOWED_TRANSITIONS`) and needs
(`prep.services.NEED_TRANSITIONS`). The others are written in the services' code as guards;
their tables here are the lifecycles of ARCHITECTURE §2 as the services implement them
(each says where it differs from the sketch).

Each Hypothesis example builds its own rows (a Friday of its own, a new proposal, need, gift or
action) in the test's database, so examples do not depend on each other. Derandomised and
without shrinking (a sequence is short enough to read): CI runs the same examples each time."""

import itertools
import threading
from contextvars import Context
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from meeting.actions import services as actions
from meeting.calendar import services as calendar
from meeting.decisions import services as decisions
from meeting.economy.gifts import receipts
from meeting.economy.gifts import services as gifts
from meeting.errors import ServiceError
from meeting.extensions import db
from meeting.live import services as agenda
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.models import (
    ITEM_STATUSES,
    MEETING_STATUSES,
    NEED_STATUSES,
    PROPOSAL_STATUSES,
    Action,
    AgendaItem,
    Entry,
    Event,
    EventProposal,
    Gift,
    Meeting,
    Member,
    ProposalStatusChange,
    Trace,
)
from meeting.place import set_setting
from meeting.prep import services as prep
from meeting.prep.services import NEED_TRANSITIONS
from meeting.proposals import proposer
from meeting.proposals import services as proposals
from meeting.proposals.lifecycle import ALLOWED_TRANSITIONS
from tests.conftest import sign_in


@pytest.fixture
def config_overrides():
    # Two consoles send hundreds of reorders: the per-sender limits are tested elsewhere.
    return {"RATELIMIT_ENABLED": False}


def lifecycle_settings(examples):
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def attempt(step):
    """Run one step: None when it was done, else the `ServiceError` that refused it (with a
    code and a French message). Any other exception fails the test."""
    try:
        step()
    except ServiceError as refusal:
        db.session.rollback()
        assert refusal.code and str(refusal.message).strip(), refusal
        return refusal
    return None


def traces(verb, subject_id=None, meeting_id=None):
    db.session.rollback()
    query = select(func.count(Trace.id)).where(Trace.verb == verb)
    if subject_id is not None:
        query = query.where(Trace.subject_id == subject_id)
    if meeting_id is not None:
        query = query.where(Trace.meeting_id == meeting_id)
    return db.session.scalar(query)


@pytest.fixture
def fresh_friday(app):
    """Factory: a Friday no earlier example used (two weeks apart: closing one makes the next)."""
    weeks = itertools.count(1)

    def make():
        for n in weeks:
            day = dates.next_meeting_date() + timedelta(days=14 * n)
            if meetings.find_meeting(day) is None:
                return meetings.ensure_meeting(day)
        raise AssertionError("no Friday left in the window")  # pragma: no cover

    return make


@pytest.fixture
def people(make_member):
    return SimpleNamespace(
        camille=make_member(role="facilitator", name="Camille"),
        theo=make_member(name="Théo"),
        zoe=make_member(name="Zoé"),
        admin=make_member(role="admin", name="Alex"),
    )


def in_days(n):
    return (dates.today_in_place() + timedelta(days=n)).isoformat()


# -- proposals ----------------------------------------------------------------------------------

PROPOSAL_STEPS = (
    "agenda",
    "off_agenda",
    "start",
    "advance",
    "back",
    "postpone",
    "accept",
    "accept_with_event",
    "decline",
    "rework",
    "schedule",
    "cancel_event",
    "held",
    "withdraw",
    "resubmit",
    "close",
)
OUTCOMES = {"accept": "accepted", "accept_with_event": "accepted"}
OUTCOMES |= {"decline": "declined", "rework": "to_rework"}


def proposal_history(proposal_id):
    db.session.rollback()
    rows = db.session.scalars(
        select(ProposalStatusChange)
        .where(ProposalStatusChange.proposal_id == proposal_id)
        .order_by(ProposalStatusChange.id)
    ).all()
    return [(r.from_status, r.to_status) for r in rows]


def point_of(w):
    """The latest point of the proposal on its Friday's agenda, or None."""
    return db.session.scalar(
        select(AgendaItem)
        .where(AgendaItem.meeting_id == w.meeting_id, AgendaItem.source_proposal_id == w.id)
        .order_by(AgendaItem.id.desc())
    )


def proposal_step(name, w, p):
    """The service call a step names, for the proposal world `w` and people `p`."""
    camille, theo = p.camille, p.theo

    def run():
        proposal = db.session.get(EventProposal, w.id)
        meeting = db.session.get(Meeting, w.meeting_id)
        if name == "agenda":
            agenda.add_entries(camille, w.meeting_id, [proposal.entry_id])
        elif name in ("off_agenda", "postpone"):
            item = point_of(w)
            item_id = item.id if item is not None else 2**31 - 1
            if name == "off_agenda":
                agenda.remove_item(camille, item_id)
            else:
                agenda.postpone(camille, w.meeting_id, item_id)
        elif name == "start":
            meetings.start_meeting(camille, w.meeting_id)
        elif name in ("advance", "back"):
            direction = "next" if name == "advance" else "previous"
            agenda.advance(camille, w.meeting_id, meeting.live_revision, direction)
        elif name in OUTCOMES:
            extra = {}
            if name == "accept_with_event":
                prefill = calendar.event_prefill(proposal)
                extra = {f"event_{k}": v for k, v in prefill.items()}
                extra |= {"create_event": True, "confirm_overlap": True}
            decisions.record_decision(
                camille,
                w.meeting_id,
                "Décidé ensemble.",
                "consent",
                proposal_outcome=OUTCOMES[name],
                proposal_reason="Proposez une date en semaine.",
                **extra,
            )
        elif name == "schedule":
            values = {**calendar.event_prefill(proposal), "visibility": "public"}
            calendar.create_event(camille, values, confirm_overlap=True, proposal_id=w.id)
        elif name == "cancel_event":
            event = db.session.scalar(
                select(Event)
                .where(Event.proposal_id == w.id, Event.status == "confirmed")
                .order_by(Event.id.desc())
            )
            calendar.cancel_event(camille, event.id if event else 2**31 - 1, "Plus de salle")
        elif name == "held":
            calendar.mark_held(now=datetime(2100, 1, 1))
        elif name == "withdraw":
            proposals.withdraw_proposal(theo, w.id, "Plus le temps.")
        elif name == "resubmit":
            proposer.resubmit(
                theo,
                proposal,
                {
                    "title": "Atelier vélo",
                    "description": "Un mardi soir, cette fois.",
                    "date_1": in_days(40),
                    "time_1": "19:00",
                    "duration_minutes": "120",
                    "place": "house",
                },
            )
        elif name == "close":
            meetings.close_meeting(camille, w.meeting_id)
        else:  # pragma: no cover
            raise AssertionError(name)

    return run


def check_proposal(w):
    """The proposal's history is a path of the table, its status is where the path ends, and
    each move has its trace."""
    history = proposal_history(w.id)
    proposal = db.session.get(EventProposal, w.id)
    assert proposal.status in PROPOSAL_STATUSES
    assert history[0] == (None, "submitted"), history
    for (_, reached), (left, to) in itertools.pairwise(history):
        assert left == reached, f"the history jumps: {history}"
        if left != to:
            assert to in ALLOWED_TRANSITIONS[left], f"{left} → {to} is not in the table"
    assert proposal.status == history[-1][1]
    moves = sum(1 for left, to in history[1:] if left != to)
    assert traces("proposal_status_changed", subject_id=w.id) == moves, history
    return proposal.status, len(history)


def current_point_is(w):
    meeting = db.session.get(Meeting, w.meeting_id)
    current = agenda.current_item(w.meeting_id)
    return meeting.status == "live" and current is not None and current.source_proposal_id == w.id


# Most sequences start as a Friday does (the point on the agenda, the meeting started, the
# point reached), so that the decisions and what follows them are drawn often.
FRIDAY_START = ["agenda", "start", "advance"]
LATER_STEPS = ("accept", "accept_with_event", "decline", "rework", "resubmit", "cancel_event")
PROPOSAL_SEQUENCES = st.tuples(
    st.sampled_from([0, 1, 2, 3, 3, 3]),
    st.lists(st.sampled_from(PROPOSAL_STEPS + LATER_STEPS), min_size=1, max_size=8),
).map(lambda drawn: FRIDAY_START[: drawn[0]] + drawn[1])


@lifecycle_settings(20)
@given(PROPOSAL_SEQUENCES)
@example(["agenda", "start", "advance", "accept_with_event", "cancel_event", "schedule", "held"])
@example(["agenda", "start", "advance", "rework", "resubmit", "withdraw", "withdraw"])
@example(["agenda", "off_agenda", "agenda", "start", "advance", "decline", "close", "withdraw"])
@example(["agenda", "start", "advance", "accept", "schedule", "schedule", "close", "held"])
def test_no_sequence_of_commands_takes_a_proposal_off_its_table(
    app, people, fresh_friday, sequence
):
    meeting = fresh_friday()
    proposal = proposals.propose_event(
        people.theo,
        meeting.id,
        "Atelier vélo",
        "Réparer ensemble.",
        [(in_days(30), "18:00")],
        120,
        "house",
    )
    w = SimpleNamespace(id=proposal.id, meeting_id=meeting.id)
    state = check_proposal(w)
    for name in sequence:
        before = state[0]
        decides = name in OUTCOMES and current_point_is(w)
        refusal = attempt(proposal_step(name, w, people))
        after = check_proposal(w)
        if refusal is not None:
            assert after == state, f"{name} was refused ({refusal.code}) but changed {state}"
        elif after[0] != before:
            event(f"proposal {before} → {after[0]}")  # --hypothesis-show-statistics
        # The proposer's own moves and the Friday's decisions follow the table exactly.
        if name == "withdraw":
            assert (refusal is None) == ("withdrawn" in ALLOWED_TRANSITIONS[before]), refusal
        if name == "resubmit":
            assert (refusal is None) == (before == "to_rework"), refusal
        if decides:
            allowed = OUTCOMES[name] in ALLOWED_TRANSITIONS[before]
            assert (refusal is None) == allowed, (name, before, refusal)
        state = after


# -- needs --------------------------------------------------------------------------------------

NEED_VERBS = {"claim": "claimed", "release": "open", "met": "met", "dropped": "dropped"}
NEED_TRACES = ("need_claimed", "need_released", "need_resolved")


def need_step(verb, who, entry_id):
    def run():
        if verb == "claim":
            prep.claim_need(who, entry_id, "J’apporte un pain.")
        elif verb == "release":
            prep.release_need(who, entry_id)
        else:
            prep.resolve_need(who, entry_id, verb)

    return run


def need_state(entry_id):
    db.session.rollback()
    entry = db.session.get(Entry, entry_id)
    return entry.need_status, entry.claimed_by_id


@lifecycle_settings(25)
@given(
    st.lists(
        st.tuples(st.sampled_from(list(NEED_VERBS)), st.sampled_from(["theo", "zoe", "camille"])),
        min_size=1,
        max_size=10,
    )
)
@example([("claim", "zoe"), ("release", "zoe"), ("claim", "theo"), ("met", "theo")])
@example([("claim", "zoe"), ("claim", "theo"), ("dropped", "camille"), ("claim", "zoe")])
def test_no_sequence_of_commands_takes_a_need_off_its_table(app, people, fresh_friday, sequence):
    meeting = fresh_friday()
    need = prep.add_entry(people.theo, meeting.id, "need", "Pain", "Du pain pour midi.")
    entry_id = need.id
    state, moves = need_state(entry_id), 0
    assert state == ("open", None)
    for verb, name in sequence:
        who = getattr(people, name)
        refusal = attempt(need_step(verb, who, entry_id))
        after = need_state(entry_id)
        status, claimed_by = after
        assert status in NEED_STATUSES
        if refusal is None:
            assert (state[0], status) in NEED_TRANSITIONS, f"{state[0]} → {status} by {verb}"
            assert status == NEED_VERBS[verb]
            moves += 1
        else:
            assert after == state, f"{verb} was refused ({refusal.code}) but changed {state}"
            if (state[0], NEED_VERBS[verb]) not in NEED_TRANSITIONS:
                # Refused for who asks, or because the table has no such move.
                assert refusal.code in ("bad_transition", "already_claimed", "forbidden")
        # Who holds it is said only while it is held, and is the one who took it on.
        if status == "claimed":
            assert claimed_by is not None
            if refusal is None:
                assert claimed_by == who.id
        if status == "open":
            assert claimed_by is None
        state = after
        assert sum(traces(verb, subject_id=entry_id) for verb in NEED_TRACES) == moves


# -- a Friday and its agenda points ---------------------------------------------------------------

# preparing → live → closed; a Friday that never went live may be closed too (close_meeting
# accepts it: its points are carried to the next Friday).
MEETING_TRANSITIONS = {("preparing", "live"), ("live", "closed"), ("preparing", "closed")}
# pending → current → done / postponed, and back one point ("previous": the current point waits
# again, the last done one is current again). At the close every point not done is postponed
# (carried), a check-in that was current is done.
ITEM_TRANSITIONS = {
    ("pending", "current"),
    ("current", "done"),
    ("current", "pending"),
    ("done", "current"),
    ("pending", "postponed"),
    ("current", "postponed"),
}
MEETING_STEPS = ("start", "close", "next", "previous", "stale_next", "postpone", "add_point")


def friday_state(meeting_id):
    db.session.rollback()
    meeting = db.session.get(Meeting, meeting_id)
    items = {i.id: i.status for i in agenda.agenda_items(meeting_id)}
    return meeting.status, meeting.live_revision, items


def meeting_step(name, meeting_id, camille, index):
    def run():
        meeting = db.session.get(Meeting, meeting_id)
        if name == "start":
            meetings.start_meeting(camille, meeting_id)
        elif name == "close":
            meetings.close_meeting(camille, meeting_id)
        elif name in ("next", "previous", "stale_next"):
            seen = meeting.live_revision - (1 if name == "stale_next" else 0)
            direction = "previous" if name == "previous" else "next"
            agenda.advance(camille, meeting_id, seen, direction)
        elif name == "postpone":
            items = agenda.agenda_items(meeting_id)
            agenda.postpone(camille, meeting_id, items[index % len(items)].id)
        elif name == "add_point":
            agenda.add_item(camille, meeting_id, "Divers", 5)

    return run


MEETING_TRACES = {
    "start": "meeting_started",
    "close": "meeting_closed",
    "next": "item_advanced",
    "previous": "item_advanced",
    "stale_next": "item_advanced",
    "postpone": "item_postponed",
    "add_point": "agenda_item_added",
}


@lifecycle_settings(20)
@given(
    st.lists(st.tuples(st.sampled_from(MEETING_STEPS), st.integers(0, 5)), min_size=1, max_size=10)
)
@example([("start", 0), ("next", 0), ("next", 0), ("previous", 0), ("postpone", 1), ("close", 0)])
@example([("close", 0), ("start", 0), ("next", 0)])
def test_no_sequence_of_commands_takes_a_friday_or_its_points_off_their_lifecycle(
    app, people, fresh_friday, sequence
):
    meeting = fresh_friday()
    topics = [
        prep.add_entry(people.theo, meeting.id, "topic", title, "À discuter.")
        for title in ("Chauffage", "Jardin")
    ]
    agenda.add_entries(people.camille, meeting.id, [t.id for t in topics])
    meeting_id = meeting.id
    state = friday_state(meeting_id)
    done = dict.fromkeys(set(MEETING_TRACES.values()), 0)
    base = {verb: traces(verb, meeting_id=meeting_id) for verb in done}
    for name, index in sequence:
        refusal = attempt(meeting_step(name, meeting_id, people.camille, index))
        after = friday_state(meeting_id)
        status, _revision, items = after
        assert status in MEETING_STATUSES
        assert all(s in ITEM_STATUSES for s in items.values())
        current = [i for i, s in items.items() if s == "current"]
        assert len(current) <= 1, f"two points current: {items}"
        if status == "preparing":
            assert not current, "a point is current before the Friday started"
        if status == "closed":
            assert set(items.values()) <= {"done", "postponed"}, items
        if refusal is not None:
            assert after == state, f"{name} was refused ({refusal.code}) but changed {state}"
            if name == "stale_next":
                assert refusal.code in ("stale", "not_live", "last_item"), refusal.code
        else:
            assert name != "stale_next", "a step sent with a stale revision was applied"
            done[MEETING_TRACES[name]] += 1
            if status != state[0]:
                assert (state[0], status) in MEETING_TRANSITIONS
            for item_id, was in state[2].items():
                now = items[item_id]
                if now != was:
                    assert (was, now) in ITEM_TRANSITIONS, (
                        f"point {item_id}: {was} → {now} by {name}"
                    )
        state = after
        assert {verb: traces(verb, meeting_id=meeting_id) - base[verb] for verb in done} == done


# -- gifts --------------------------------------------------------------------------------------

# pledged → received → cancelled (never once a receipt was issued), pledged → cancelled.
GIFT_TRANSITIONS = {("pledged", "received"), ("pledged", "cancelled"), ("received", "cancelled")}
GIFT_STEPS = ("confirm", "cancel", "receipt")
GIFT_TRACES = ("gift_pledged", "gift_confirmed", "gift_cancelled", "gift_receipt_issued")


def gift_step(name, who, gift_id):
    def run():
        if name == "confirm":
            gifts.confirm_gift(who, gift_id, in_days(-1), amount="30")
        elif name == "cancel":
            gifts.cancel_gift(who, gift_id, "Erreur de saisie")
        else:
            receipts.issue_receipt(who, gift_id, "1 rue du Lieu, 75000 Paris")

    return run


@lifecycle_settings(20)
@given(
    st.lists(
        st.tuples(st.sampled_from(GIFT_STEPS), st.sampled_from(["admin", "theo", "zoe"])),
        min_size=1,
        max_size=8,
    )
)
@example([("confirm", "admin"), ("receipt", "admin"), ("cancel", "admin")])
@example([("confirm", "theo"), ("cancel", "theo"), ("cancel", "admin"), ("confirm", "admin")])
def test_no_sequence_of_commands_takes_a_gift_off_its_lifecycle(app, people, sequence):
    if not receipts.receipts_enabled():
        set_setting(people.admin, "receipts", "on")
    gift_id = gifts.pledge_gift(people.theo, "25").id
    db.session.rollback()
    state, receipted, moves = db.session.get(Gift, gift_id).status, False, 1
    for name, who in sequence:
        refusal = attempt(gift_step(name, getattr(people, who), gift_id))
        status = db.session.get(Gift, gift_id).status
        if refusal is not None:
            assert status == state, f"{name} was refused ({refusal.code}) but moved it"
        elif name == "receipt":
            assert status == state == "received" and not receipted
            receipted = True
            moves += 1
        else:
            assert (state, status) in GIFT_TRANSITIONS, f"{state} → {status} by {name}"
            assert not (name == "cancel" and receipted), "a gift with a receipt was cancelled"
            moves += 1
        state = status
        db.session.rollback()
        assert sum(traces(verb, subject_id=gift_id) for verb in GIFT_TRACES) == moves


# -- actions ------------------------------------------------------------------------------------

ACTION_TRANSITIONS = {("open", "done"), ("done", "open")}


@lifecycle_settings(20)
@given(
    st.lists(
        st.tuples(st.sampled_from(["complete", "reopen"]), st.sampled_from(["zoe", "theo"])),
        min_size=1,
        max_size=8,
    )
)
def test_no_sequence_of_commands_takes_an_action_off_its_lifecycle(app, people, live, sequence):
    action = decisions.add_action(
        people.camille, live.id, "Appeler le plombier", people.zoe.id, in_days(10)
    )
    action_id, moves = action.id, 0
    db.session.rollback()
    state = db.session.get(Action, action_id).status
    for name, who in sequence:
        actor = getattr(people, who)
        service = actions.complete_action if name == "complete" else actions.reopen_action
        refusal = attempt(lambda: service(actor, action_id))  # noqa: B023 (run at once)
        status = db.session.get(Action, action_id).status
        if refusal is None:
            assert (state, status) in ACTION_TRANSITIONS and who == "zoe"
            moves += 1
        else:
            assert status == state
            if who == "zoe":  # the owner is refused only a move that is no move
                assert refusal.code == f"already_{'done' if name == 'complete' else 'open'}"
        state = status
        verbs = ("action_completed", "action_reopened")
        assert sum(traces(verb, subject_id=action_id) for verb in verbs) == moves


@pytest.fixture
def live(people, fresh_friday):
    meeting = fresh_friday()
    agenda.add_item(people.camille, meeting.id, "Travaux", 10)
    meetings.start_meeting(people.camille, meeting.id)
    db.session.rollback()
    return db.session.get(Meeting, meeting.id)


# -- the agenda's order under two consoles ----------------------------------------------------------


def agenda_order(meeting_id):
    db.session.rollback()
    items = agenda.agenda_items(meeting_id)
    return [i.id for i in items], [i.position for i in items]


@pytest.fixture
def consoles(app, people, make_member, socket_for):
    """Two consoles (Camille and Léa, both facilitators), each its own browser and socket."""
    lea = make_member(role="facilitator", name="Léa")
    sockets = {}
    for name, member in (("a", people.camille), ("b", lea)):
        http = app.test_client()
        sign_in(http, member)
        sockets[name] = socket_for(http)
    return sockets


REORDER_STEPS = st.lists(
    st.tuples(
        st.sampled_from(["a", "b"]),
        st.sampled_from(["reorder", "reorder", "move", "refresh", "add_point"]),
        st.randoms(use_true_random=False),
    ),
    min_size=1,
    max_size=10,
)


@lifecycle_settings(20)
@given(st.integers(1, 4), REORDER_STEPS)
def test_reorders_from_two_consoles_keep_one_order_and_refuse_the_stale(
    app, people, fresh_friday, consoles, topics, steps
):
    meeting = fresh_friday()
    entries = [
        prep.add_entry(people.theo, meeting.id, "topic", f"Point {n}", "À discuter.")
        for n in range(topics)
    ]
    agenda.add_entries(people.camille, meeting.id, [e.id for e in entries])
    if topics % 2:  # the same holds on a live Friday
        meetings.start_meeting(people.camille, meeting.id)
    meeting_id = meeting.id
    db.session.rollback()
    revision = db.session.get(Meeting, meeting_id).agenda_revision
    seen = {"a": revision, "b": revision}  # the revision each console's page holds
    order, _ = agenda_order(meeting_id)
    accepted = 0
    base = traces("agenda_reordered", meeting_id=meeting_id)
    for who, action, rng in steps:
        fresh, at_end = seen[who] == revision, False
        if action == "refresh":
            seen[who] = revision
            continue
        if action == "add_point":  # a third console adds a point: both pages are now stale
            agenda.add_item(people.camille, meeting_id, "Divers", 5)
            revision += 1
            order, _ = agenda_order(meeting_id)
            continue
        if action == "reorder":
            wanted = rng.sample(order, len(order))
            ack = consoles[who].command(
                "reorder_agenda",
                {"meeting_id": meeting_id, "agenda_revision": seen[who], "order": wanted},
            )
        else:
            index = rng.randrange(len(order))
            direction = rng.choice(["up", "down"])
            wanted = list(order)
            target = index - 1 if direction == "up" else index + 1
            at_end = not 0 <= target < len(order)
            if not at_end:
                wanted[index], wanted[target] = wanted[target], wanted[index]
            ack = consoles[who].command(
                "move_item",
                {"item_id": order[index], "direction": direction, "agenda_revision": seen[who]},
            )
        event(f"{action}: {'ok' if ack['ok'] else ack['error']}")
        ids, positions = agenda_order(meeting_id)
        assert len(set(positions)) == len(positions), f"two points share a place: {positions}"
        assert sorted(ids) == sorted(order), "a point was lost or doubled"
        if ack["ok"]:
            assert fresh and not at_end, f"{action} sent with a stale revision was applied"
            assert ids == wanted
            assert positions == list(range(len(ids))), positions
            order, revision = ids, revision + 1
            seen[who] = revision  # the sender's page gets the new agenda
            accepted += 1
        else:
            assert ids == order, f"a refused {action} changed the order"
            assert ack["error"] == ("at_end" if at_end else "stale"), (fresh, ack)
            assert ack["message"]
        db.session.rollback()
        assert db.session.get(Meeting, meeting_id).agenda_revision == revision
    assert traces("agenda_reordered", meeting_id=meeting_id) - base == accepted


def test_reorders_sent_at_the_same_instant_with_one_revision_apply_once(app, people, fresh_friday):
    """Four consoles send a different order at once, all from the same revision: one wins, the
    three others are refused `stale`, and the positions are one permutation."""
    meeting = fresh_friday()
    entries = [
        prep.add_entry(people.theo, meeting.id, "topic", f"Point {n}", "À discuter.")
        for n in range(4)
    ]
    agenda.add_entries(people.camille, meeting.id, [e.id for e in entries])
    meeting_id = meeting.id
    db.session.rollback()
    revision = db.session.get(Meeting, meeting_id).agenda_revision
    order, _ = agenda_order(meeting_id)
    orders = [order[n:] + order[:n] for n in range(1, 5)]
    camille_id = people.camille.id
    db.session.remove()
    start, answers = threading.Barrier(len(orders)), {}

    def console(n, wanted):
        with app.app_context():
            actor = db.session.get(Member, camille_id)
            start.wait()
            try:
                agenda.reorder(actor, meeting_id, revision, wanted)
                answers[n] = "ok"
            except ServiceError as refusal:
                answers[n] = refusal.code
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=Context().run, args=(console, n, wanted))
        for n, wanted in enumerate(orders)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers.values()) == ["ok", "stale", "stale", "stale"], answers
    winner = next(n for n, answer in answers.items() if answer == "ok")
    ids, positions = agenda_order(meeting_id)
    assert ids == orders[winner]
    assert positions == list(range(len(ids)))
    assert db.session.get(Meeting, meeting_id).agenda_revision == revision + 1
    assert traces("agenda_reordered", meeting_id=meeting_id) == 1
