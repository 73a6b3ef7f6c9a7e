"""Years of Fridays (`flask demo --years N`, meeting/demo_archive): a small archive has the
rows the services would have written — weekly closed Fridays, numbered decisions with who was
present, rounds, objections lifted, supersession and reviews, actions mostly done, proposals
along their lifecycle, traces that read as sentences — and the app's pages work on it."""

import json
import re
from collections import Counter
from datetime import timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from meeting.demo_archive import DEMO_PASSWORD, archive_counts, generate_archive
from meeting.extensions import db
from meeting.meetings import dates
from meeting.models import (
    Action,
    AgendaItem,
    Attendance,
    Decision,
    Entry,
    EventProposal,
    Meeting,
    Member,
    ProposalStatusChange,
    Round,
    RoundAnswer,
    Trace,
)
from meeting.models.base import utcnow
from meeting.proposals.services import ALLOWED_TRANSITIONS
from meeting.traces.sentences import RENDERERS, sentences_for
from tests.conftest import post_form

FRIDAYS = 12
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def archive(app):
    """Twelve Fridays, closed, before the coming one (being prepared)."""
    return generate_archive(fridays=FRIDAYS, seed=7)


def paris(moment):
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(PARIS)


def test_twelve_weekly_fridays_closed_before_the_coming_one(archive):
    coming = dates.next_meeting_date()
    meetings = db.session.scalars(select(Meeting).order_by(Meeting.scheduled_for)).all()
    assert [m.scheduled_for for m in meetings] == [
        coming - timedelta(days=7 * (FRIDAYS - i)) for i in range(FRIDAYS + 1)
    ]
    *closed, upcoming = meetings
    assert upcoming.status == "preparing" and upcoming.closed_at is None
    for meeting in closed:
        assert meeting.status == "closed" and meeting.join_code is None
        assert meeting.scheduled_for.weekday() == 4
        start, end = paris(meeting.started_at), paris(meeting.closed_at)
        assert start.date() == end.date() == meeting.scheduled_for
        assert (12, 0) <= (start.hour, start.minute) <= (12, 10)
        assert (13, 40) <= (end.hour, end.minute) <= (14, 15)
        assert meeting.summary.startswith("Réunion animée par ")
        assert meeting.summary_updated_by_id is not None
    validated = [m for m in closed if m.minutes_validated_at]
    assert len(validated) >= FRIDAYS // 2
    assert all(m.minutes_mailed_at >= m.minutes_validated_at for m in validated)
    counts = archive_counts()
    assert counts == archive["rows"]
    kinds = Counter(db.session.scalars(select(Entry.kind)))
    assert set(kinds) == {"mood", "need", "topic", "proposal"}
    # per Friday, about what ten years hold: 15,000 entries, 4,000 decisions, 8,000 actions,
    # 2,000 events over 520 Fridays
    assert 20 * FRIDAYS <= counts["entry"] <= 36 * FRIDAYS
    assert 5 * FRIDAYS <= counts["decision"] <= 11 * FRIDAYS
    assert 9 * FRIDAYS <= counts["action"] <= 22 * FRIDAYS
    assert 2 * FRIDAYS <= counts["event_proposal"] <= 6 * FRIDAYS


def test_attendance_and_roles_of_each_friday(archive):
    for meeting in db.session.scalars(select(Meeting).where(Meeting.status == "closed")):
        rows = db.session.scalars(
            select(Attendance).where(Attendance.meeting_id == meeting.id)
        ).all()
        present = [a for a in rows if a.status == "present" and a.member_id]
        assert 8 <= len(present) <= 25
        assert all(a.guest_name for a in rows if a.member_id is None)
        members = [a.member_id for a in rows if a.member_id]
        assert len(members) == len(set(members))


def test_decisions_numbered_in_order_with_who_was_present(archive):
    decisions = db.session.scalars(select(Decision).order_by(Decision.number)).all()
    assert [d.number for d in decisions] == list(range(1, len(decisions) + 1))
    assert [d.decided_at for d in decisions] == sorted(d.decided_at for d in decisions)
    assert {d.mode for d in decisions} == {"consent", "vote", "information"}
    by_id = {d.id: d for d in decisions}
    superseded = Counter(d.supersedes_id for d in decisions if d.supersedes_id)
    assert superseded and max(superseded.values()) == 1  # never superseded twice
    for decision in decisions:
        present = set(
            db.session.scalars(
                select(Attendance.id).where(
                    Attendance.meeting_id == decision.meeting_id, Attendance.status == "present"
                )
            )
        )
        assert decision.present and set(decision.present) == present
        item = db.session.get(AgendaItem, decision.item_id)
        assert item.meeting_id == decision.meeting_id and item.status == "done"
        if decision.supersedes_id:
            assert by_id[decision.supersedes_id].number < decision.number
        if decision.mode == "information":
            assert decision.round_id is None and decision.result == {}
            continue
        round_ = db.session.get(Round, decision.round_id)
        answers = db.session.scalars(
            select(RoundAnswer).where(RoundAnswer.round_id == round_.id)
        ).all()
        assert round_.kind == decision.mode and round_.item_id == decision.item_id
        assert decision.result["total"] == len(answers)
        counted = sum(c["members"] + c["guests"] for c in decision.result["counts"].values())
        assert counted == len(answers)
        assert {a.attendance_id for a in answers} <= present
        if decision.objections:
            assert decision.mode == "consent" and decision.objections_lifted
            lifted = [a for a in answers if a.objection]
            assert lifted and all(a.answer == "for" for a in lifted)


def test_review_dates_put_the_decision_back_on_an_agenda(archive):
    coming = dates.next_meeting_date()
    due = db.session.scalars(
        select(Decision).where(Decision.review_on < coming - timedelta(days=7))
    ).all()
    reviews = {
        i.review_of_decision_id: i
        for i in db.session.scalars(
            select(AgendaItem).where(AgendaItem.review_of_decision_id.is_not(None))
        )
    }
    for decision in due:
        item = reviews[decision.id]
        meeting = db.session.get(Meeting, item.meeting_id)
        assert meeting.scheduled_for >= decision.review_on
        assert meeting.scheduled_for - decision.review_on < timedelta(days=7)
        assert item.title == f"Revoir la décision n° {decision.number}"


def test_actions_have_an_owner_who_was_there_and_most_are_done(archive):
    actions = db.session.scalars(select(Action)).all()
    now = utcnow()
    for action in actions:
        meeting = db.session.get(Meeting, action.meeting_id)
        assert action.due_on > meeting.scheduled_for
        assert (
            db.session.scalar(
                select(Attendance.status).where(
                    Attendance.meeting_id == meeting.id, Attendance.member_id == action.owner_id
                )
            )
            == "present"
        )
        if action.decision_id:
            assert db.session.get(Decision, action.decision_id).meeting_id == meeting.id
        if action.status == "done":
            assert action.done_by_id == action.owner_id
            assert action.created_at < action.done_at <= now
        else:
            assert action.done_at is None and action.done_by_id is None
    done = sum(a.status == "done" for a in actions)
    assert done > len(actions) / 2


def test_proposals_move_only_as_their_lifecycle_allows(archive):
    proposals = db.session.scalars(select(EventProposal)).all()
    statuses = Counter(p.status for p in proposals)
    assert statuses["held"] and statuses["declined"]
    linked = 0
    for proposal in proposals:
        assert (
            proposal.entry.kind == "proposal" and proposal.entry.meeting_id == proposal.meeting_id
        )
        changes = db.session.scalars(
            select(ProposalStatusChange)
            .where(ProposalStatusChange.proposal_id == proposal.id)
            .order_by(ProposalStatusChange.id)
        ).all()
        assert (changes[0].from_status, changes[0].to_status) == (None, "submitted")
        for before, after in pairwise(changes):
            assert after.from_status == before.to_status
            assert after.to_status in ALLOWED_TRANSITIONS[after.from_status]
            assert after.created_at >= before.created_at
        assert changes[-1].to_status == proposal.status
        linked += sum(c.decision_id is not None for c in changes)
    assert linked


def test_traces_read_as_sentences_in_order_and_hold_no_name(archive):
    traces = db.session.scalars(select(Trace).order_by(Trace.id)).all()
    assert [t.created_at for t in traces] == sorted(t.created_at for t in traces)
    assert traces[-1].created_at <= utcnow()
    sentences = sentences_for(traces)
    generic = re.compile(r"laissé une trace|Une trace a été laissée")
    for trace in traces:
        if trace.verb in RENDERERS:
            assert not generic.search(sentences[trace.id]), (trace.verb, trace.data)
    verbs = {t.verb for t in traces}
    assert {"decision_recorded", "action_added", "entry_added", "meeting_closed"} <= verbs
    names = db.session.scalars(select(Member.display_name)).all()
    stored = json.dumps([t.data for t in traces], ensure_ascii=False)
    assert not [name for name in names if name in stored]
    moods = [t for t in traces if t.verb == "entry_added" and t.data["kind"] == "mood"]
    assert moods and all(t.data == {"kind": "mood"} for t in moods)


def test_pages_render_on_the_archive(archive, app):
    client = app.test_client()
    response = post_form(
        client, "/connexion", {"email": "ines@le97.example", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    last = dates.next_meeting_date() - timedelta(days=7)
    decision = db.session.scalar(select(Decision).where(Decision.mode == "vote").limit(1))
    year = db.session.get(Meeting, decision.meeting_id).scheduled_for.year
    pages = {
        "/": "Vendredi",
        "/decisions/": "Registre des décisions",
        f"/decisions/?annee={year}&mode=vote": f"Décision n° {decision.number}",
        f"/decisions/{decision.number}": "Vote :",
        f"/vendredi/{last.isoformat()}/": "Ce vendredi est clos",
        "/traces/": "Décision n°",
    }
    # Pages other features are adding: checked once their route exists.
    later = {
        f"/vendredi/{last.isoformat()}/compte-rendu": "Réunion animée par",
        "/recherche?q=v%C3%A9lo+atelier": "vélo",
        "/recherche?q=reunions": "réunion",
        "/decisions.atom": "<feed",
        "/actions/": "action",
    }
    adapter = app.url_map.bind("localhost")
    for url, text in later.items():
        try:
            adapter.match(url.split("?")[0])
        except NotFound:
            continue  # not built yet
        pages[url] = text
    for url, text in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert text.lower() in response.get_data(as_text=True).lower(), url


def test_the_coming_friday_prepares_as_usual(archive, app):
    from meeting.live import services as agenda

    coming = db.session.scalar(select(Meeting).where(Meeting.status == "preparing"))
    carried = db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == coming.id)).all()
    assert all(i.kind == "carried" and i.carried_from_id for i in carried)
    assert db.session.scalar(select(Entry.id).where(Entry.meeting_id == coming.id).limit(1))
    facilitator = db.session.scalar(select(Member).where(Member.email == "camille@le97.example"))
    agenda.prepare_agenda(facilitator, coming.id)
    items = agenda.agenda_items(coming.id)
    assert items[0].kind == "checkin"
    # only the reviews falling due this very week come up, not years of them
    assert sum(i.kind == "review" for i in items) <= 5


def test_demo_years_command_fills_an_empty_database_once(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--years", "1"])
    assert result.exit_code == 0, result.output
    assert "Archive chargée en " in result.output and "52 vendredis" in result.output
    closed = db.session.scalars(select(Meeting).where(Meeting.status == "closed")).all()
    assert len(closed) == 52
    again = runner.invoke(args=["demo", "--years", "1"])
    assert again.exit_code != 0 and "La base n’est pas vide" in again.output
    quiet = runner.invoke(args=["demo", "--if-empty"])
    assert quiet.exit_code == 0 and "démonstration non chargée" in quiet.output
    assert len(db.session.scalars(select(Meeting)).all()) == 53
