"""A proposal's lifecycle moved by what happens on Friday: the one transitions table, its point on
the agenda of a given Friday (and carried to the next one, with the new date told), and the
decision step of the console (accepted with its event in the same step, declined, to rework),
by the services, the socket and the console's plain form."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from meeting.calendar import services as calendar
from meeting.decisions import services as decisions
from meeting.errors import Conflict, ServiceError
from meeting.extensions import db
from meeting.i18n import long_date
from meeting.live import services as agenda
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.models import (
    PROPOSAL_STATUSES,
    Decision,
    Event,
    EventProposal,
    Meeting,
    ProposalStatusChange,
    Trace,
)
from meeting.pipeline import change
from meeting.proposals import services as proposals
from tests.conftest import post_form, sign_in


def plain(text):
    return str(text).replace("\u00a0", " ").replace("\u202f", " ")


def in_days(n):
    return (dates.today_in_place() + timedelta(days=n)).isoformat()


def steps(proposal):
    """The proposal's history as (from, to) pairs, oldest first."""
    rows = db.session.scalars(
        select(ProposalStatusChange)
        .where(ProposalStatusChange.proposal_id == proposal.id)
        .order_by(ProposalStatusChange.id)
    ).all()
    return [(r.from_status, r.to_status) for r in rows]


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def hooked():
    """The ids the after-commit hooks of proposal steps receive (hook unregistered after)."""
    received = []

    def hook(change_id):
        received.append(change_id)

    proposals.on_status_changed(hook)
    yield received
    proposals.STATUS_HOOKS.remove(hook)


@pytest.fixture
def friday(app, make_member):
    """A live Friday whose current point is Théo's proposal « Projection « Les Doléances » »
    (wished in 9 days at 20:00, 2 hours, in the house); a topic "Jardin" comes after it."""
    from types import SimpleNamespace

    camille = make_member(role="facilitator", name="Camille")
    theo = make_member(name="Théo")
    meeting = meetings.ensure_meeting(dates.next_meeting_date())
    proposal = proposals.propose_event(
        theo,
        meeting.id,
        "Projection « Les Doléances »",
        "Un film, puis on discute.",
        [(in_days(9), "20:00")],
        120,
        "house",
    )
    from meeting.prep import services as prep

    garden = prep.add_entry(theo, meeting.id, "topic", "Jardin", "À propos du jardin.")
    agenda.add_entries(camille, meeting.id, [proposal.entry_id, garden.id])
    agenda.start_live(camille, meeting.id)
    db.session.refresh(meeting)
    agenda.advance(camille, meeting.id, meeting.live_revision, "next")  # check-in → proposal
    db.session.refresh(proposal)
    assert agenda.current_item(meeting.id).source_proposal_id == proposal.id
    return SimpleNamespace(camille=camille, theo=theo, meeting=meeting, proposal=proposal)


def event_fields(proposal, **changes):
    """The console's event fields as the form prefills them, with `changes` (no prefix)."""
    values = {f"event_{k}": v for k, v in calendar.event_prefill(proposal).items()}
    values.update({f"event_{k}": v for k, v in changes.items()})
    return values


def nothing_stored(f, decisions_before=0):
    db.session.rollback()
    proposal = db.session.get(EventProposal, f.proposal.id)
    assert count(Decision) == decisions_before
    assert count(Event) == 0
    assert proposal.status == "on_agenda"
    assert steps(proposal) == [(None, "submitted"), ("submitted", "on_agenda")]


# -- the transitions table ----------------------------------------------------------------------


def test_every_move_the_table_allows_is_made_and_every_other_is_refused_in_french(app, make_member):
    camille, theo = make_member(role="facilitator"), make_member(name="Théo")
    meeting = meetings.ensure_meeting(dates.next_meeting_date())
    proposal = proposals.propose_event(
        theo, meeting.id, "Soirée jeux", "Des jeux.", [(in_days(3), "19:00")], 180, "house"
    )
    allowed = refused = 0
    for from_status in PROPOSAL_STATUSES:
        for to_status in PROPOSAL_STATUSES:
            db.session.execute(
                update(EventProposal)
                .where(EventProposal.id == proposal.id)
                .values(status=from_status)
            )
            db.session.commit()
            db.session.refresh(proposal)
            before = len(steps(proposal))
            if to_status in proposals.ALLOWED_TRANSITIONS[from_status]:
                with change() as c:
                    assert proposals.move_status(c, camille, proposal, to_status, reason="Test")
                db.session.refresh(proposal)
                assert proposal.status == to_status
                assert steps(proposal)[-1] == (from_status, to_status)
                allowed += 1
            else:
                with pytest.raises(Conflict) as refusal, change() as c:
                    proposals.move_status(c, camille, proposal, to_status)
                assert refusal.value.code == "bad_transition"
                assert "ne peut pas passer de" in refusal.value.message
                db.session.refresh(proposal)
                assert proposal.status == from_status and len(steps(proposal)) == before
                refused += 1
    assert allowed == sum(len(t) for t in proposals.ALLOWED_TRANSITIONS.values()) == 16
    assert refused == 64 - 16


def test_held_never_goes_back_and_a_declined_proposal_cannot_be_withdrawn(app, make_member):
    camille, theo = make_member(role="facilitator"), make_member(name="Théo")
    meeting = meetings.ensure_meeting(dates.next_meeting_date())
    proposal = proposals.propose_event(
        theo, meeting.id, "Soirée jeux", "Des jeux.", [(in_days(3), "19:00")], 180, "house"
    )
    db.session.execute(update(EventProposal).values(status="held"))
    db.session.commit()
    with pytest.raises(Conflict) as refusal, change() as c:
        proposals.move_status(c, camille, proposal, "submitted")
    assert plain(refusal.value.message) == (
        "Cette proposition ne peut pas passer de « a eu lieu » à « proposée »."
    )
    with pytest.raises(Conflict) as refusal:
        proposals.withdraw_proposal(theo, proposal.id)
    assert plain(refusal.value.message) == (
        "L’événement a eu lieu : la proposition ne peut plus être retirée."
    )
    db.session.execute(update(EventProposal).values(status="declined"))
    db.session.commit()
    with pytest.raises(Conflict) as refusal:
        proposals.withdraw_proposal(theo, proposal.id)
    assert plain(refusal.value.message) == (
        "Cette proposition est déclinée : elle ne peut plus être retirée."
    )
    assert steps(proposal) == [(None, "submitted")]
    with pytest.raises(ServiceError), change() as c:  # a status that does not exist
        proposals.move_status(c, camille, proposal, "forgotten")


def test_a_step_that_keeps_the_status_is_told_to_the_hooks(app, make_member, hooked):
    camille, theo = make_member(role="facilitator"), make_member(name="Théo")
    meeting = meetings.ensure_meeting(dates.next_meeting_date())
    proposal = proposals.propose_event(
        theo, meeting.id, "Soirée jeux", "Des jeux.", [(in_days(3), "19:00")], 180, "house"
    )
    with change() as c:
        step = proposals.note_step(c, camille, proposal, "Précision")
    assert hooked == [step.id]
    assert steps(proposal)[-1] == ("submitted", "submitted")


# -- on the agenda of a given Friday --------------------------------------------------------------


def test_the_agenda_says_which_friday_holds_the_proposal(app, make_member):
    camille, theo = make_member(role="facilitator"), make_member(name="Théo")
    meeting = meetings.ensure_meeting(dates.next_meeting_date())
    proposal = proposals.propose_event(
        theo, meeting.id, "Soirée jeux", "Des jeux.", [(in_days(3), "19:00")], 180, "house"
    )
    assert proposal.agenda_meeting_id is None
    agenda.add_entries(camille, meeting.id, [proposal.entry_id])
    db.session.refresh(proposal)
    assert (proposal.status, proposal.agenda_meeting_id) == ("on_agenda", meeting.id)
    item = agenda.agenda_items(meeting.id)[-1]
    agenda.remove_item(camille, item.id)
    db.session.refresh(proposal)
    assert (proposal.status, proposal.agenda_meeting_id) == ("submitted", None)
    assert steps(proposal)[-2:] == [("submitted", "on_agenda"), ("on_agenda", "submitted")]


def test_closing_carries_the_proposal_to_the_next_friday_and_tells_the_new_date(friday, hooked):
    f = friday
    agenda.postpone(f.camille, f.meeting.id, agenda.current_item(f.meeting.id).id)
    agenda.close_live(f.camille, f.meeting.id)
    next_friday = db.session.scalar(
        select(Meeting).where(Meeting.scheduled_for == f.meeting.scheduled_for + timedelta(days=7))
    )
    db.session.refresh(f.proposal)
    assert f.proposal.status == "on_agenda"
    assert f.proposal.agenda_meeting_id == next_friday.id
    last = f.proposal.changes[-1]
    assert (last.from_status, last.to_status) == ("on_agenda", "on_agenda")
    assert plain(last.reason) == "Reportée au " + plain(long_date(next_friday.scheduled_for))
    assert last.reason.startswith("Reportée au vendredi ")
    assert hooked == [last.id]
    trace = db.session.scalar(select(Trace).where(Trace.verb == "proposal_step_noted"))
    assert trace.data["date"] == next_friday.scheduled_for.isoformat()
    assert trace.data["status"] == "on_agenda" and "Théo" not in str(trace.data)
    carried = [i for i in agenda.agenda_items(next_friday.id) if i.kind == "carried"]
    assert [i.source_proposal_id for i in carried] == [f.proposal.id, None]  # and "Jardin"


def test_the_new_date_is_written_as_a_long_french_date(app):
    with app.test_request_context("/"):
        assert plain(long_date(date(2026, 12, 11))) == "vendredi 11 décembre 2026"


def test_a_decided_proposal_is_not_carried(friday):
    f = friday
    decisions.record_decision(
        f.camille, f.meeting.id, "On la projette.", "consent", proposal_outcome="accepted"
    )
    agenda.close_live(f.camille, f.meeting.id)
    db.session.refresh(f.proposal)
    assert f.proposal.status == "accepted" and f.proposal.agenda_meeting_id == f.meeting.id
    assert ("on_agenda", "on_agenda") not in steps(f.proposal)


# -- the decision step: services ------------------------------------------------------------------


def test_accepting_creates_the_event_in_the_same_step(friday, hooked):
    f = friday
    decision = decisions.record_decision(
        f.camille,
        f.meeting.id,
        "On projette **Les Doléances**.",
        "consent",
        proposal_outcome="accepted",
        create_event=True,
        **event_fields(f.proposal),
    )
    db.session.refresh(f.proposal)
    assert f.proposal.status == "scheduled"
    rows = f.proposal.changes
    assert [(r.from_status, r.to_status) for r in rows] == [
        (None, "submitted"),
        ("submitted", "on_agenda"),
        ("on_agenda", "accepted"),
        ("accepted", "scheduled"),
    ]
    assert rows[2].decision_id == decision.id and rows[2].reason == decision.statement
    assert rows[3].decision_id == decision.id
    event = db.session.scalar(select(Event))
    assert (event.proposal_id, event.decision_id) == (f.proposal.id, decision.id)
    assert rows[3].event_id == event.id
    assert event.title == "Projection « Les Doléances »"
    assert event.starts_at.isoformat() == f"{in_days(9)}T20:00:00"
    assert event.ends_at.isoformat() == f"{in_days(9)}T22:00:00"
    assert (event.place, event.visibility) == ("house", "public")
    assert hooked == [rows[2].id, rows[3].id]
    verbs = db.session.scalars(select(Trace.verb).order_by(Trace.id)).all()
    assert verbs[-4:] == [
        "decision_recorded",
        "proposal_status_changed",
        "event_created",
        "proposal_status_changed",
    ]


def test_declining_and_the_default_that_changes_nothing(friday):
    f = friday
    decisions.record_decision(f.camille, f.meeting.id, "On en reparle.", "information")
    db.session.refresh(f.proposal)
    assert f.proposal.status == "on_agenda"
    decision = decisions.record_decision(
        f.camille,
        f.meeting.id,
        "Pas cette année.",
        "consent",
        proposal_outcome="declined",
        proposal_reason="Le lieu est pris tout l’hiver.",
        create_event=True,  # ignored: not accepted
        **event_fields(f.proposal),
    )
    db.session.refresh(f.proposal)
    assert f.proposal.status == "declined"
    last = f.proposal.changes[-1]
    assert (last.reason, last.decision_id) == ("Le lieu est pris tout l’hiver.", decision.id)
    assert count(Event) == 0


def test_to_rework_needs_a_reason_for_its_proposer(friday):
    f = friday
    with pytest.raises(ServiceError) as refusal:
        decisions.record_decision(
            f.camille, f.meeting.id, "À revoir.", "consent", proposal_outcome="to_rework"
        )
    assert refusal.value.details["field"] == "proposal_reason"
    assert plain(refusal.value.message) == "Dites à la personne ce qu’il faut retravailler."
    nothing_stored(f)
    decisions.record_decision(
        f.camille,
        f.meeting.id,
        "À revoir.",
        "consent",
        proposal_outcome="to_rework",
        proposal_reason="Proposez une date en semaine.",
    )
    db.session.refresh(f.proposal)
    assert f.proposal.status == "to_rework"
    assert f.proposal.changes[-1].reason == "Proposez une date en semaine."


def test_an_overlap_is_refused_until_confirmed(friday):
    f = friday
    start = in_days(9)
    other = calendar.create_event(
        f.camille,
        {
            "title": "Répétition de la chorale",
            "start_date": start,
            "start_time": "21:00",
            "end_time": "23:00",
            "place": "house",
            "visibility": "public",
        },
    )
    db.session.commit()
    args = (f.camille, f.meeting.id, "On projette.", "consent")
    kwargs = dict(proposal_outcome="accepted", create_event=True, **event_fields(f.proposal))
    with pytest.raises(ServiceError) as refusal:
        decisions.record_decision(*args, **kwargs)
    assert refusal.value.code == "overlap"
    assert refusal.value.details["field"] == "confirm_overlap"
    assert "Répétition de la chorale" in refusal.value.message
    db.session.rollback()
    assert count(Decision) == 0 and count(Event) == 1
    decisions.record_decision(*args, confirm_overlap=True, **kwargs)
    db.session.refresh(f.proposal)
    assert f.proposal.status == "scheduled"
    assert count(Event) == 2 and db.session.get(Event, other.id).status == "confirmed"


def test_bad_event_fields_store_nothing(friday):
    f = friday
    with pytest.raises(ServiceError) as refusal:
        decisions.record_decision(
            f.camille,
            f.meeting.id,
            "",  # the decision's own field is refused at the same time
            "consent",
            proposal_outcome="accepted",
            create_event=True,
            **event_fields(f.proposal, end_time="19:00", place="la lune"),
        )
    fields = refusal.value.details["fields"]
    assert set(fields) == {"statement", "event_end_time", "event_place"}
    assert plain(fields["event_end_time"]) == "La fin doit venir après le début."
    nothing_stored(f)


def test_a_proposal_withdrawn_meanwhile_is_not_moved(friday):
    f = friday
    proposals.withdraw_proposal(f.theo, f.proposal.id, "Finalement non.")
    for outcome in ("accepted", "declined", "to_rework"):
        with pytest.raises(ServiceError) as refusal:
            decisions.record_decision(
                f.camille,
                f.meeting.id,
                "On projette.",
                "consent",
                proposal_outcome=outcome,
                proposal_reason="Parce que.",
            )
        assert refusal.value.details["field"] == "proposal_outcome"
        assert "est maintenant « retirée »" in plain(refusal.value.message)
    assert count(Decision) == 0
    decisions.record_decision(f.camille, f.meeting.id, "On en prend acte.", "information")
    assert count(Decision) == 1


def test_a_point_from_no_proposal_takes_no_outcome(friday):
    f = friday
    db.session.refresh(f.meeting)
    agenda.advance(f.camille, f.meeting.id, f.meeting.live_revision, "next")  # → "Jardin"
    with pytest.raises(ServiceError) as refusal:
        decisions.record_decision(
            f.camille, f.meeting.id, "On bêche.", "consent", proposal_outcome="accepted"
        )
    assert refusal.value.code == "no_proposal"
    with pytest.raises(ServiceError) as refusal:
        decisions.record_decision(
            f.camille, f.meeting.id, "On bêche.", "consent", proposal_outcome="peut-être"
        )
    assert refusal.value.details["field"] == "proposal_outcome"
    assert count(Decision) == 0


# -- the console: socket and plain form ---------------------------------------------------------


def test_by_socket_accepting_with_the_event(friday, app, socket_for):
    f = friday
    http = app.test_client()
    sign_in(http, f.camille)
    console = socket_for(http)
    ack = console.command(
        "record_decision",
        {
            "meeting_id": f.meeting.id,
            "statement": "On projette.",
            "mode": "consent",
            "proposal_outcome": "accepted",
            "create_event": True,
            **event_fields(f.proposal, start_time="20:30", end_time="22:30"),
        },
    )
    assert ack["ok"] is True, ack
    proposal = db.session.get(EventProposal, f.proposal.id)
    assert proposal.status == "scheduled"
    event = db.session.scalar(select(Event))
    assert event.decision_id == ack["decision_id"] and event.proposal_id == proposal.id
    assert event.starts_at.strftime("%H:%M") == "20:30"


def test_by_socket_a_refusal_names_the_event_field_and_a_yes_no_must_be_one(
    friday, app, socket_for
):
    f = friday
    http = app.test_client()
    sign_in(http, f.camille)
    console = socket_for(http)
    data = {
        "meeting_id": f.meeting.id,
        "statement": "On projette.",
        "mode": "consent",
        "proposal_outcome": "accepted",
        "create_event": True,
        **event_fields(f.proposal, start_date="demain"),
    }
    ack = console.command("record_decision", data)
    assert ack["ok"] is False and ack["field"] == "event_start_date", ack
    ack = console.command("record_decision", {**data, "create_event": "peut-être"})
    assert ack["ok"] is False and ack["field"] == "create_event", ack
    nothing_stored(f)


def console_post(client, meeting, data):
    day = meeting.scheduled_for.isoformat()
    response = post_form(client, f"/vendredi/{day}/animation", data, follow_redirects=True)
    assert response.status_code == 200, response.status_code
    return plain(response.get_data(as_text=True))


def test_the_console_asks_what_the_decision_means_for_the_proposal(friday, app):
    f = friday
    http = app.test_client()
    sign_in(http, f.camille)
    day = f.meeting.scheduled_for.isoformat()
    text = plain(http.get(f"/vendredi/{day}/animation").get_data(as_text=True))
    assert "Et la proposition « Projection « Les Doléances » » ?" in text
    assert 'name="proposal_outcome" value="none" checked' in text
    assert f'name="event_start_date" type="date" value="{in_days(9)}"' in text
    assert 'name="event_end_time" type="time" value="22:00"' in text
    # a point from no proposal has no such question
    db.session.refresh(f.meeting)
    agenda.advance(f.camille, f.meeting.id, f.meeting.live_revision, "next")
    text = plain(http.get(f"/vendredi/{day}/animation").get_data(as_text=True))
    assert "Et la proposition" not in text and "proposal_outcome" not in text


def test_by_form_a_refusal_shows_beside_the_fields_with_what_was_typed(friday, app):
    f = friday
    http = app.test_client()
    sign_in(http, f.camille)
    base = {
        "op": "record_decision",
        "meeting_id": f.meeting.id,
        "statement": "On projette.",
        "mode": "consent",
    }
    text = console_post(http, f.meeting, {**base, "proposal_outcome": "to_rework"})
    assert '<span class="field-error" id="error-proposal_reason">' in text
    assert 'value="to_rework" checked' in text
    nothing_stored(f)
    text = console_post(
        http,
        f.meeting,
        {
            **base,
            "proposal_outcome": "accepted",
            "create_event": "1",
            **event_fields(f.proposal, end_time="19:00", place="lune"),
        },
    )
    assert 'id="error-event_end_time">La fin doit venir après le début.' in text
    assert 'id="error-event_place">' in text
    assert 'name="event_end_time" type="time" value="19:00"' in text
    assert '<details class="proposal-event" open>' in text
    nothing_stored(f)
    text = console_post(
        http,
        f.meeting,
        {**base, "proposal_outcome": "to_rework", "proposal_reason": "Une date en semaine ?"},
    )
    proposal = db.session.get(EventProposal, f.proposal.id)
    assert proposal.status == "to_rework"
    assert proposal.changes[-1].reason == "Une date en semaine ?"


def test_by_form_accept_and_create_the_event(friday, app):
    f = friday
    http = app.test_client()
    sign_in(http, f.camille)
    console_post(
        http,
        f.meeting,
        {
            "op": "record_decision",
            "meeting_id": f.meeting.id,
            "statement": "On projette.",
            "mode": "consent",
            "proposal_outcome": "accepted",
            "create_event": "1",
            **event_fields(f.proposal, visibility="members"),
        },
    )
    proposal = db.session.get(EventProposal, f.proposal.id)
    event = db.session.scalar(select(Event))
    assert proposal.status == "scheduled" and event.visibility == "members"
    assert event.decision_id == db.session.scalar(select(Decision.id))


def test_the_console_with_the_proposal_step_is_valid_html(friday, app, tmp_path):
    from tests.test_html_valid import validate

    f = friday
    http = app.test_client()
    sign_in(http, f.camille)
    day = f.meeting.scheduled_for.isoformat()
    pages = {"console, a proposal's point": http.get(f"/vendredi/{day}/animation").get_data(True)}
    refused = {
        "op": "record_decision",
        "meeting_id": f.meeting.id,
        "statement": "On projette.",
        "mode": "consent",
        "proposal_outcome": "accepted",
        "create_event": "1",
        **event_fields(f.proposal, end_time="19:00", place="lune"),
    }
    pages["console, event fields refused"] = post_form(
        http, f"/vendredi/{day}/animation", refused, follow_redirects=True
    ).get_data(True)
    assert "error-event_place" in pages["console, event fields refused"]
    assert validate(pages, tmp_path) == []


def test_a_proposal_sent_back_and_resubmitted_waits_for_the_next_agenda(friday):
    """Sent back "à retravailler" on a Friday that then closes, edited and resubmitted by its
    proposer: it is offered on the next Friday's console and goes on that agenda."""
    from meeting.proposals import proposer

    f = friday
    decisions.record_decision(
        f.camille,
        f.meeting.id,
        "À revoir.",
        "consent",
        proposal_outcome="to_rework",
        proposal_reason="Proposez une date en semaine.",
    )
    meetings.close_meeting(f.camille, f.meeting.id)
    db.session.refresh(f.proposal)
    next_friday = meetings.ensure_meeting(f.meeting.scheduled_for + timedelta(days=7))
    assert f.proposal.id not in {
        e.proposal.id for e in agenda.candidates(next_friday.id) if e.proposal
    }
    proposer.resubmit(
        f.theo,
        f.proposal,
        {
            "title": "Projection « Les Doléances »",
            "description": "Un mardi soir, cette fois.",
            "date_1": in_days(12),
            "time_1": "19:00",
            "duration_minutes": "120",
            "place": "house",
        },
    )
    db.session.refresh(f.proposal)
    assert f.proposal.status == "submitted"
    offered = [e for e in agenda.candidates(next_friday.id) if e.kind == "proposal"]
    assert [e.id for e in offered] == [f.proposal.entry_id]
    agenda.add_entries(f.camille, next_friday.id, [f.proposal.entry_id])
    db.session.refresh(f.proposal)
    assert f.proposal.status == "on_agenda"
    assert f.proposal.agenda_meeting_id == next_friday.id
    # a later Friday's agenda does not offer it again once it is on one
    later = meetings.ensure_meeting(f.meeting.scheduled_for + timedelta(days=14))
    assert not [e for e in agenda.candidates(later.id) if e.kind == "proposal"]


def test_a_postponed_proposal_shows_its_new_friday_to_its_proposer(friday, app):
    """The point is postponed on the console, the Friday closes: the proposer's pages name the
    next Friday, and its history says it was carried there."""
    f = friday
    item = agenda.current_item(f.meeting.id)
    agenda.postpone(f.camille, f.meeting.id, item.id)
    meetings.close_meeting(f.camille, f.meeting.id)
    next_day = long_date(f.meeting.scheduled_for + timedelta(days=7))
    client = app.test_client()
    sign_in(client, f.theo)
    mine = plain(client.get("/propositions/").get_data(as_text=True))
    assert plain(f"À l’ordre du jour du {next_day}") in mine
    assert plain(f"À l’ordre du jour du {long_date(f.meeting.scheduled_for)}") not in mine
    page = plain(client.get(f"/propositions/{f.proposal.id}").get_data(as_text=True))
    assert plain(f"Reportée au {next_day}") in page
