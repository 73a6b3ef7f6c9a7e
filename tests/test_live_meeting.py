"""Friday live as people live it: the agenda built from the document, the roles of the day,
the console driving the meeting, phones and guests at the door, decisions and actions.

Most tests call the services (the one path every form and socket command takes); the console,
phone and join forms are checked through HTTP where the page is what people see.
"""

import threading
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from meeting.decisions import services as decisions
from meeting.decisions.services import present_names
from meeting.errors import Conflict, Forbidden, ServiceError
from meeting.extensions import db
from meeting.live import services as agenda
from meeting.live.guests import Guest
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.models import (
    Action,
    AgendaItem,
    Decision,
    Entry,
    HandRaise,
    Meeting,
    Member,
    ProposalStatusChange,
    RoundAnswer,
)
from meeting.models.base import utcnow
from meeting.prep import services as prep
from meeting.proposals import services as proposals
from tests.conftest import post_form


@pytest.fixture
def config_overrides():
    # Low enough to reach in a test; the join form is the only route it applies to.
    return {"JOIN_RATE_LIMIT": "3 per minute"}


@pytest.fixture
def facilitator(make_member):
    return make_member(role="facilitator", name="Camille")


@pytest.fixture
def theo(make_member):
    return make_member(name="Théo")


@pytest.fixture
def meeting(live_friday):
    """The coming Friday, in preparation, its agenda empty."""
    return live_friday(topics=(), started=False).meeting


# -- helpers -----------------------------------------------------------------------------------


def fresh(meeting):
    db.session.refresh(meeting)
    return meeting


def titles(meeting_id):
    return [plain(i.title) for i in agenda.agenda_items(meeting_id)]


def statuses(meeting_id):
    return {plain(i.title): i.status for i in agenda.agenda_items(meeting_id)}


def current_title(meeting_id):
    item = agenda.current_item(meeting_id)
    return item.title if item else None


def in_days(n):
    return (dates.today_in_place() + timedelta(days=n)).isoformat()


def topics(author, meeting, *names):
    return [
        prep.add_entry(author, meeting.id, "topic", name, f"À propos : {name}.") for name in names
    ]


def step(actor, meeting, direction="next"):
    return agenda.advance(actor, meeting.id, fresh(meeting).live_revision, direction)


def plain(text):
    """Text with French typography's narrow and non-breaking spaces as plain spaces."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def said(refused):
    """The French message of a refusal caught by `pytest.raises`."""
    return plain(refused.value.message)


def as_guest(row):
    return Guest(row.id, row.meeting_id, row.guest_name)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return plain(response.get_data(as_text=True))


def console_post(client, meeting, data):
    """Post a console form and return the page it lands on (with its flash message)."""
    day = meeting.scheduled_for.isoformat()
    response = post_form(client, f"/vendredi/{day}/animation", data, follow_redirects=True)
    assert response.status_code == 200, response.status_code
    return plain(response.get_data(as_text=True))


# -- building the agenda -------------------------------------------------------------------------


def test_agenda_opens_with_the_check_in_round_then_the_entries_chosen_from_the_document(
    facilitator, theo, meeting
):
    prep.add_entry(theo, meeting.id, "mood", None, "Fatigué mais content.")
    mood = db.session.scalar(select(Entry).where(Entry.kind == "mood"))
    heating, soap = (
        topics(theo, meeting, "Chauffage")[0],
        prep.add_entry(theo, meeting.id, "need", "Savon", "Plus de savon aux toilettes."),
    )
    # billets d'humeur belong to the check-in round, not to the list of points
    assert {e.id for e in agenda.candidates(meeting.id)} == {heating.id, soap.id}

    assert agenda.add_entries(facilitator, meeting.id, [heating.id, soap.id]) == 2
    items = agenda.agenda_items(meeting.id)
    assert [(i.kind, plain(i.title)) for i in items] == [
        ("checkin", "Tour d’inclusion : la météo de chacun·e et les billets d’humeur"),
        ("topic", "Chauffage"),
        ("need", "Savon"),
    ]
    assert [i.source_entry_id for i in items] == [None, heating.id, soap.id]
    assert agenda.candidates(meeting.id) == []

    # chosen twice, still on the agenda once; the check-in round is not added twice
    assert agenda.add_entries(facilitator, meeting.id, [heating.id]) == 0
    assert agenda.prepare_agenda(facilitator, meeting.id) == 0
    assert titles(meeting.id)[1:] == ["Chauffage", "Savon"]

    with pytest.raises(ServiceError) as refused:
        agenda.add_entries(facilitator, meeting.id, [mood.id])
    assert said(refused) == (
        "Seuls les points, besoins et propositions de ce vendredi vont à l’ordre du jour."
    )
    with pytest.raises(ServiceError) as refused:
        agenda.add_entries(facilitator, meeting.id, [])
    assert said(refused) == "Choisissez au moins une contribution du document."
    assert len(titles(meeting.id)) == 3


def test_a_member_cannot_build_the_agenda(theo, meeting):
    (entry,) = topics(theo, meeting, "Chauffage")
    with pytest.raises(Forbidden) as refused:
        agenda.add_entries(theo, meeting.id, [entry.id])
    assert said(refused) == "Seule l’animation de la réunion peut faire cela."
    with pytest.raises(Forbidden):
        agenda.add_item(theo, meeting.id, "Divers", 5)
    assert titles(meeting.id) == []


def test_a_proposal_put_on_the_agenda_is_on_agenda_with_its_history(facilitator, theo, meeting):
    proposal = proposals.propose_event(
        theo,
        meeting.id,
        "Concert au jardin",
        "Un concert.",
        [(in_days(30), "20:00")],
        120,
        "garden",
    )
    agenda.add_entries(facilitator, meeting.id, [proposal.entry_id])
    item = agenda.agenda_items(meeting.id)[-1]
    assert (item.kind, item.title, item.source_proposal_id, item.timebox_minutes) == (
        "proposal",
        "Concert au jardin",
        proposal.id,
        15,
    )
    db.session.refresh(proposal)
    assert proposal.status == "on_agenda"
    history = db.session.scalars(
        select(ProposalStatusChange)
        .where(ProposalStatusChange.proposal_id == proposal.id)
        .order_by(ProposalStatusChange.id)
    ).all()
    assert [(h.from_status, h.to_status) for h in history] == [
        (None, "submitted"),
        ("submitted", "on_agenda"),
    ]
    assert history[-1].actor_id == facilitator.id

    # taken off the agenda before it started: the proposal waits again, with its history
    agenda.remove_item(facilitator, item.id)
    db.session.refresh(proposal)
    assert proposal.status == "submitted"
    assert (
        db.session.scalar(
            select(func.count(ProposalStatusChange.id)).where(
                ProposalStatusChange.proposal_id == proposal.id
            )
        )
        == 3
    )


def test_a_free_item_its_timebox_and_the_estimated_end(facilitator, meeting, client_as, app):
    agenda.add_item(facilitator, meeting.id, "Ménage de printemps", 25)
    checkin, chores = agenda.agenda_items(meeting.id)
    assert (chores.kind, chores.title, chores.timebox_minutes) == (
        "other",
        "Ménage de printemps",
        25,
    )
    with pytest.raises(ServiceError) as refused:
        agenda.add_item(facilitator, meeting.id, "   ", 10)
    assert said(refused) == "Donnez un titre au point."
    for bad, message in (
        (0, "La durée prévue doit être entre 1 et 180 minutes."),
        (181, "La durée prévue doit être entre 1 et 180 minutes."),
        ("un quart d’heure", "La durée prévue doit être un nombre de minutes."),
    ):
        with pytest.raises(ServiceError) as refused:
            agenda.set_timebox(facilitator, chores.id, bad)
        assert said(refused) == message
    agenda.set_timebox(facilitator, checkin.id, 5)
    assert [i.timebox_minutes for i in agenda.agenda_items(meeting.id)] == [5, 25]

    # before the meeting: its start (12:00 in Besançon) plus every timebox
    meeting = fresh(meeting)
    starts = datetime.combine(meeting.scheduled_for, time(12, 0), ZoneInfo("Europe/Paris"))
    expected = starts.astimezone(UTC).replace(tzinfo=None) + timedelta(minutes=30)
    assert agenda.estimated_end(meeting, agenda.agenda_items(meeting.id)) == expected
    client, _member = client_as("facilitator")
    text = page(client, f"/vendredi/{meeting.scheduled_for.isoformat()}/animation")
    assert "Fin estimée : 12 h 30" in text


def test_reordering_by_list_and_by_up_down_checks_the_agenda_revision(
    facilitator, theo, meeting, client_as
):
    for name in ("A", "B", "C"):
        agenda.add_item(facilitator, meeting.id, name, 10)
    checkin, a, b, c = agenda.agenda_items(meeting.id)
    seen = fresh(meeting).agenda_revision

    agenda.reorder(facilitator, meeting.id, seen, [checkin.id, c.id, a.id, b.id])
    assert titles(meeting.id)[1:] == ["C", "A", "B"]
    assert fresh(meeting).agenda_revision == seen + 1

    # someone else reordered meanwhile: refused in French, nothing changes
    live_revision = meeting.live_revision
    with pytest.raises(Conflict) as refused:
        agenda.reorder(facilitator, meeting.id, seen, [checkin.id, b.id, a.id, c.id])
    assert refused.value.code == "stale"
    assert said(refused) == (
        "L’ordre du jour vient d’être modifié par quelqu’un d’autre ; il est à jour, recommencez."
    )
    assert titles(meeting.id)[1:] == ["C", "A", "B"]
    assert (fresh(meeting).agenda_revision, meeting.live_revision) == (seen + 1, live_revision)

    agenda.move_item(facilitator, a.id, "up", seen + 1)
    assert titles(meeting.id)[1:] == ["A", "C", "B"]
    with pytest.raises(Conflict) as refused:
        agenda.move_item(facilitator, a.id, "down", seen + 1)  # stale again
    assert refused.value.code == "stale"
    with pytest.raises(Conflict) as refused:
        agenda.move_item(facilitator, b.id, "down", seen + 2)
    assert said(refused) == "Ce point est déjà au bout de l’ordre du jour."
    with pytest.raises(ServiceError) as refused:
        agenda.reorder(facilitator, meeting.id, seen + 2, [checkin.id, a.id, b.id])
    assert said(refused) == ("L’ordre envoyé ne correspond pas aux points de l’ordre du jour.")
    # a member who does not run the console cannot move a point, even to the end
    with pytest.raises(Forbidden):
        agenda.move_item(theo, checkin.id, "up", seen + 2)
    with pytest.raises(Forbidden):
        agenda.move_item(theo, a.id, "down", seen + 2)
    assert titles(meeting.id)[1:] == ["A", "C", "B"]

    # the console's ↑/↓ buttons: the same rule as a plain form
    client, _member = client_as("facilitator")
    text = console_post(
        client,
        meeting,
        {"op": "move_item", "item_id": b.id, "direction": "up", "agenda_revision": seen + 2},
    )
    assert titles(meeting.id)[1:] == ["A", "B", "C"]
    text = console_post(
        client,
        meeting,
        {"op": "move_item", "item_id": a.id, "direction": "down", "agenda_revision": seen + 2},
    )
    assert "L’ordre du jour vient d’être modifié par quelqu’un d’autre" in text
    assert titles(meeting.id)[1:] == ["A", "B", "C"]


def test_decisions_whose_review_date_has_come_are_reviewed_once(
    facilitator, theo, meeting, live_friday
):
    meeting = live_friday(facilitator, ("Chauffage",), author=theo).meeting
    step(facilitator, meeting)
    next_friday = meeting.scheduled_for + timedelta(days=7)
    decisions.record_decision(
        facilitator,
        meeting.id,
        "Essai du nouveau thermostat.",
        "consent",
        review_on=next_friday.isoformat(),
    )
    decisions.record_decision(
        facilitator,
        meeting.id,
        "Ménage une fois par mois.",
        "consent",
        review_on=(next_friday + timedelta(days=28)).isoformat(),
    )
    agenda.close_live(facilitator, meeting.id)

    following = meetings.find_meeting(next_friday)
    assert agenda.prepare_agenda(facilitator, following.id) == 2  # check-in + one review
    items = agenda.agenda_items(following.id)
    # check-in first, then the decisions to review; "Chauffage", decided on when the meeting
    # closed, is done and not carried
    assert [(i.kind, i.title) for i in items][1:] == [("review", "Revoir la décision n° 1")]
    assert [i.status for i in agenda.agenda_items(meeting.id) if i.title == "Chauffage"] == ["done"]
    assert items[0].kind == "checkin"
    review = items[1]
    first = db.session.scalar(select(Decision).where(Decision.number == 1))
    assert review.review_of_decision_id == first.id
    # prepared again, or other points added: still once
    assert agenda.prepare_agenda(facilitator, following.id) == 0
    agenda.add_item(facilitator, following.id, "Divers", 5)
    assert [i.kind for i in agenda.agenda_items(following.id)].count("review") == 1
    # nor again on the Friday after (it was put on an agenda already)
    later = meetings.ensure_meeting(next_friday + timedelta(days=7))
    agenda.prepare_agenda(facilitator, later.id)
    assert "review" not in [i.kind for i in agenda.agenda_items(later.id)]


# -- roles of the day and attendance ------------------------------------------------------------


def test_rotation_suggests_who_held_the_role_least_recently_never_first(
    facilitator, make_member, meeting, client_as
):
    ana, bea, chloe = (make_member(name=n) for n in ("Ana", "Béa", "Chloé"))
    past = {}
    for weeks in (1, 2, 3, 4):
        day = meeting.scheduled_for - timedelta(days=7 * weeks)
        past[weeks] = Meeting(scheduled_for=day, starts_at=time(12), ends_at=time(14))
        db.session.add(past[weeks])
    db.session.commit()
    held = {  # role -> {weeks ago: member}
        "facilitator": {1: facilitator, 2: bea, 3: ana},  # Chloé (and Théo) never held it
        "scribe": {1: chloe, 2: facilitator, 3: bea, 4: ana},  # Ana, four weeks ago
    }
    for role, by_week in held.items():
        for weeks, member in by_week.items():
            agenda.assign_role(facilitator, past[weeks].id, role, member.id)
    suggestions = agenda.rotation_suggestions(meeting.id)
    assert suggestions["facilitator"].display_name == "Chloé"
    assert suggestions["scribe"].display_name == "Ana"
    # a timekeeper nobody ever was: the first by name, among those not already suggested
    # for another role (Chloé and Ana are)
    assert suggestions["timekeeper"].display_name == "Béa"

    client, _member = client_as("facilitator", name="Zoé")
    text = page(client, f"/vendredi/{meeting.scheduled_for.isoformat()}/animation")
    assert "Chloé (suggestion : rôle tenu le moins récemment)" in text

    # assigned for this Friday: the roles show on the console, and count from now on
    agenda.assign_role(facilitator, meeting.id, "facilitator", chloe.id)
    agenda.assign_role(facilitator, meeting.id, "scribe", ana.id)
    assert {r: m.display_name for r, m in agenda.day_roles(meeting.id).items()} == {
        "facilitator": "Chloé",
        "scribe": "Ana",
    }
    text = page(client, f"/vendredi/{meeting.scheduled_for.isoformat()}/animation")
    assert "Facilitation : <strong>Chloé</strong>" in text
    assert "Gardien·ne du temps : <strong>à désigner</strong>" in text
    with pytest.raises(ServiceError) as refused:
        agenda.assign_role(facilitator, meeting.id, "president", ana.id)
    assert said(refused) == "Ce rôle n’existe pas."


def test_attendance_present_and_excused(facilitator, theo, make_member, meeting, client_as):
    ines = make_member(name="Inès")
    agenda.set_attendance(facilitator, meeting.id, theo.id, "present")
    agenda.set_attendance(facilitator, meeting.id, ines.id, "excused")
    rows = {a.name: a.status for a in agenda.attendance(meeting.id)}
    assert rows == {"Théo": "present", "Inès": "excused"}
    agenda.set_attendance(facilitator, meeting.id, ines.id, "present")
    agenda.set_attendance(facilitator, meeting.id, theo.id, "excused")
    assert {a.name: a.status for a in agenda.attendance(meeting.id)} == {
        "Théo": "excused",
        "Inès": "present",
    }
    with pytest.raises(ServiceError) as refused:
        agenda.set_attendance(facilitator, meeting.id, theo.id, "absent")
    assert said(refused) == "État de présence inconnu."

    client, _member = client_as("facilitator")
    text = console_post(
        client, meeting, {"op": "attendance", "member_id": ines.id, "status": "excused"}
    )
    assert "Inès : <strong>excusé·e</strong>" in text
    assert "Théo : <strong>excusé·e</strong>" in text
    text = console_post(
        client, meeting, {"op": "attendance", "member_id": theo.id, "status": "present"}
    )
    assert "Théo : <strong>présent·e</strong>" in text
    assert "1 personne présente" in text


# -- starting and moving through the agenda ------------------------------------------------------


def test_start_makes_a_join_code_and_the_first_point_current(
    facilitator, theo, meeting, live_friday
):
    with pytest.raises(Forbidden):
        agenda.start_live(theo, meeting.id)
    meeting = live_friday(facilitator, ("Chauffage",), author=theo).meeting
    assert meeting.status == "live" and meeting.started_at is not None
    assert len(meeting.join_code) == 6
    assert set(meeting.join_code) <= set(agenda.JOIN_CODE_ALPHABET)
    current = agenda.current_item(meeting.id)
    assert current.kind == "checkin" and current.started_at is not None
    assert agenda.timer_state(current)["running"] is True
    with pytest.raises(Conflict) as refused:
        agenda.start_live(facilitator, meeting.id)
    assert said(refused) == "La réunion est déjà en cours."
    assert refused.value.code == "bad_transition"
    # the next meeting gets another code
    other = meetings.ensure_meeting(meeting.scheduled_for + timedelta(days=7))
    agenda.start_live(facilitator, other.id)
    assert fresh(other).join_code != meeting.join_code


def test_next_and_previous_move_one_point_and_not_past_the_last(
    facilitator, theo, meeting, live_friday
):
    meeting = live_friday(facilitator, ("Chauffage", "Jardin"), author=theo).meeting
    with pytest.raises(Conflict) as refused:
        step(facilitator, meeting, "previous")
    assert said(refused) == "Il n’y a pas de point précédent."
    step(facilitator, meeting)
    assert current_title(meeting.id) == "Chauffage"
    assert list(statuses(meeting.id).values()) == ["done", "current", "pending"]
    step(facilitator, meeting, "previous")
    assert list(statuses(meeting.id).values()) == ["current", "pending", "pending"]
    step(facilitator, meeting)
    step(facilitator, meeting)
    assert current_title(meeting.id) == "Jardin"

    before = fresh(meeting).live_revision
    with pytest.raises(Conflict) as refused:
        step(facilitator, meeting)
    assert refused.value.code == "last_item"
    assert said(refused).startswith("C’est le dernier point de l’ordre du jour")
    assert current_title(meeting.id) == "Jardin" and fresh(meeting).live_revision == before

    # a press from an older screen (stale live revision) is refused, nothing moves
    with pytest.raises(Conflict) as refused:
        agenda.advance(facilitator, meeting.id, before - 1, "previous")
    assert said(refused) == ("La réunion vient d’avancer depuis un autre écran ; tout est à jour.")
    assert current_title(meeting.id) == "Jardin"
    with pytest.raises(Forbidden):
        step(theo, meeting)


def test_the_timer_starts_pauses_gains_five_minutes_and_shows_its_overrun(
    facilitator, theo, make_member, meeting, client_as, live_friday
):
    meeting = live_friday(facilitator, topics=()).meeting
    item = agenda.current_item(meeting.id)

    def ran_for(seconds):
        """As if the running timer had been started `seconds` earlier."""
        db.session.refresh(item)
        db.session.execute(
            update(AgendaItem)
            .where(AgendaItem.id == item.id)
            .values(timer_started_at=item.timer_started_at - timedelta(seconds=seconds))
        )
        db.session.commit()

    ran_for(120)
    agenda.control_timer(facilitator, meeting.id, "pause")
    state = agenda.timer_state(agenda.current_item(meeting.id), utcnow() + timedelta(hours=1))
    assert state["running"] is False and 120 <= state["elapsed"] < 130  # a pause stops it
    agenda.control_timer(facilitator, meeting.id, "start")
    ran_for(500)
    agenda.control_timer(facilitator, meeting.id, "add5")
    state = agenda.timer_state(agenda.current_item(meeting.id))
    assert state["running"] is True and 620 <= state["elapsed"] < 630  # it accumulates
    assert state["allowance"] == 15 * 60 and state["overrun"] == 0
    ran_for(370)
    state = agenda.timer_state(agenda.current_item(meeting.id))
    assert 90 <= state["overrun"] < 100
    day = meeting.scheduled_for.isoformat()
    client, _member = client_as()
    assert "dépassé de 2 min" in page(client, f"/vendredi/{day}/ecran")  # 1 min 30 s, rounded up

    with pytest.raises(ServiceError) as refused:
        agenda.control_timer(facilitator, meeting.id, "stop")
    assert said(refused) == "Action de minuteur inconnue."
    with pytest.raises(Forbidden) as refused:
        agenda.control_timer(theo, meeting.id, "pause")
    assert said(refused) == (
        "Seuls l’animation et le ou la gardien·ne du temps règlent le minuteur."
    )
    agenda.assign_role(facilitator, meeting.id, "timekeeper", theo.id)
    agenda.control_timer(theo, meeting.id, "pause")
    assert agenda.timer_state(agenda.current_item(meeting.id))["running"] is False


def test_postponing_and_closing_carry_every_unfinished_point_to_next_friday(
    facilitator, theo, meeting, client, live_friday
):
    meeting = live_friday(
        facilitator, ("Chauffage", "Savon", "Jardin", "Vélos"), author=theo
    ).meeting
    code = meeting.join_code
    step(facilitator, meeting)
    chauffage = agenda.current_item(meeting.id)
    # postponing the current point moves on to the next one
    agenda.postpone(facilitator, meeting.id, chauffage.id)
    assert current_title(meeting.id) == "Savon"
    with pytest.raises(Conflict) as refused:
        agenda.postpone(facilitator, meeting.id, chauffage.id)
    assert said(refused) == "Ce point est déjà reporté."
    # a point not reached yet can be postponed too
    velos = agenda.agenda_items(meeting.id)[-1]
    agenda.postpone(facilitator, meeting.id, velos.id)
    step(facilitator, meeting)
    assert current_title(meeting.id) == "Jardin"

    # closed while "Jardin" is on screen: it is unfinished too
    agenda.close_live(facilitator, meeting.id)
    meeting = fresh(meeting)
    assert meeting.status == "closed" and meeting.join_code is None
    assert statuses(meeting.id) == {
        "Tour d’inclusion : la météo de chacun·e et les billets d’humeur": "done",
        "Chauffage": "postponed",
        "Savon": "done",
        "Jardin": "postponed",
        "Vélos": "postponed",
    }
    following = meetings.find_meeting(meeting.scheduled_for + timedelta(days=7))
    carried = agenda.agenda_items(following.id)
    assert [(i.kind, i.title, i.status) for i in carried] == [
        ("carried", "Chauffage", "pending"),
        ("carried", "Jardin", "pending"),
        ("carried", "Vélos", "pending"),
    ]
    by_title = {i.title: i for i in agenda.agenda_items(meeting.id)}
    assert [i.carried_from_id for i in carried] == [
        by_title[t].id for t in ("Chauffage", "Jardin", "Vélos")
    ]
    assert carried[0].source_entry_id == by_title["Chauffage"].source_entry_id
    assert agenda.timer_state(by_title["Jardin"])["running"] is False
    # next Friday: its own check-in first (last week's is not carried), then what was carried
    agenda.prepare_agenda(facilitator, following.id)
    assert [i.kind for i in agenda.agenda_items(following.id)] == [
        "checkin",
        "carried",
        "carried",
        "carried",
    ]

    # the code shown on the screen stops working
    with pytest.raises(ServiceError) as refused:
        agenda.join_as_guest(code, "Ana")
    assert refused.value.code == "bad_code"
    response = post_form(client, "/rejoindre", {"code": code, "first_name": "Ana"})
    assert response.status_code == 400
    assert "Ce code ne correspond à aucune réunion en cours" in plain(
        response.get_data(as_text=True)
    )
    with pytest.raises(Conflict) as refused:
        agenda.close_live(facilitator, meeting.id)
    assert said(refused) == "La réunion est déjà close."


def test_closing_in_the_middle_carries_the_points_not_reached(
    facilitator, theo, meeting, live_friday
):
    meeting = live_friday(facilitator, ("Chauffage", "Savon"), author=theo).meeting
    agenda.close_live(facilitator, meeting.id)
    following = meetings.find_meeting(meeting.scheduled_for + timedelta(days=7))
    assert titles(following.id) == ["Chauffage", "Savon"]


# -- the speaker queue ----------------------------------------------------------------------------


def test_the_speaker_queue(app, facilitator, theo, meeting, client_as, live_friday):
    meeting = live_friday(facilitator, ("Chauffage",), author=theo).meeting
    ana = as_guest(agenda.join_as_guest(meeting.join_code, "Ana"))
    first = agenda.raise_hand(theo, meeting.id)
    assert agenda.raise_hand(theo, meeting.id).id == first.id  # twice: one hand
    agenda.raise_hand(ana, meeting.id)
    assert [h.attendance.name for h in agenda.speaker_queue(meeting.id)] == ["Théo", "Ana"]
    assert agenda.lower_hand(theo, meeting.id) is True
    assert agenda.lower_hand(theo, meeting.id) is False
    agenda.raise_hand(theo, meeting.id)
    queue = agenda.speaker_queue(meeting.id)
    assert [h.attendance.name for h in queue] == ["Ana", "Théo"]

    agenda.give_floor(facilitator, meeting.id, queue[0].id)
    with app.test_request_context():
        context = agenda.live_context(meeting.id)
    assert context["speaker"].name == "Ana"
    assert [h.attendance.name for h in context["queue"]] == ["Théo"]
    with pytest.raises(Conflict) as refused:
        agenda.give_floor(facilitator, meeting.id, queue[0].id)
    assert said(refused) == "Cette main n’est plus levée."
    with pytest.raises(Forbidden):
        agenda.give_floor(theo, meeting.id, queue[1].id)
    client, _member = client_as()
    text = page(client, f"/vendredi/{meeting.scheduled_for.isoformat()}/ecran")
    assert "À la parole : <strong>Ana</strong>" in text
    # the next point starts with nobody holding the floor
    step(facilitator, meeting)
    assert fresh(meeting).speaker_attendance_id is None


# -- rounds -----------------------------------------------------------------------------------


def test_a_consent_round_with_an_objection(facilitator, theo, make_member, meeting, live_friday):
    ines = make_member(name="Inès")
    meeting = live_friday(facilitator, ("Chauffage",), author=theo).meeting
    step(facilitator, meeting)
    ana = as_guest(agenda.join_as_guest(meeting.join_code, "Ana"))
    with pytest.raises(Forbidden):
        agenda.start_round(theo, meeting.id, "consent", "Appeler un chauffagiste")
    with pytest.raises(ServiceError) as refused:
        agenda.start_round(facilitator, meeting.id, "consent", "  ")
    assert said(refused) == "Écrivez la proposition soumise au tour."
    round_ = agenda.start_round(facilitator, meeting.id, "consent", "Appeler un chauffagiste")
    assert round_.item.title == "Chauffage"

    with pytest.raises(ServiceError) as refused:
        agenda.answer_round(theo, round_.id, "object", "   ")
    assert refused.value.code == "missing_reason"
    assert said(refused) == "Une objection s’accompagne d’une raison : écrivez-la."
    assert db.session.scalar(select(func.count(RoundAnswer.id))) == 0

    agenda.answer_round(theo, round_.id, "object", "Trop cher")
    agenda.answer_round(theo, round_.id, "for")  # changed his mind: replaces, never twice
    agenda.answer_round(ines, round_.id, "object", "Demander deux devis")
    agenda.answer_round(ana, round_.id, "for")
    agenda.answer_round(ana, round_.id, "for")
    with pytest.raises(ServiceError) as refused:
        agenda.answer_round(ana, round_.id, "peut-être")
    assert said(refused) == "Cette réponse n’est pas possible pour ce tour."
    results = agenda.round_results(agenda.open_round(meeting.id))
    assert results["total"] == 3
    assert results["counts"] == {
        "for": {"members": 1, "guests": 1},
        "abstain": {"members": 0, "guests": 0},
        "object": {"members": 1, "guests": 0},
    }
    assert results["objections"] == [{"name": "Inès", "reason": "Demander deux devis"}]

    with pytest.raises(Conflict) as refused:
        agenda.start_round(facilitator, meeting.id, "consent", "Autre chose")
    assert said(refused) == "Un tour est déjà ouvert : fermez-le d’abord."
    agenda.close_round(facilitator, round_.id)
    with pytest.raises(Conflict) as refused:
        agenda.answer_round(ines, round_.id, "for")
    assert said(refused) == "Ce tour est fermé."
    assert agenda.round_results(agenda.last_round(meeting.id))["counts"]["object"] == {
        "members": 1,
        "guests": 0,
    }


def test_a_vote_with_options(facilitator, theo, meeting, live_friday):
    meeting = live_friday(facilitator, ("Fête",), author=theo).meeting
    for options in ([], ["Samedi"], ["Samedi", "Samedi"], ["Samedi", " "]):
        with pytest.raises(ServiceError) as refused:
            agenda.start_round(facilitator, meeting.id, "vote", "Quel jour ?", options)
        assert said(refused) == "Un vote demande au moins deux choix différents."
    round_ = agenda.start_round(
        facilitator, meeting.id, "vote", "Quel jour ?", [" Samedi ", "Dimanche"]
    )
    assert round_.options == ["Samedi", "Dimanche"]
    agenda.answer_round(facilitator, round_.id, "Dimanche")
    agenda.answer_round(theo, round_.id, "Dimanche")
    with pytest.raises(ServiceError):
        agenda.answer_round(theo, round_.id, "for")  # not a choice of this vote
    results = agenda.round_results(agenda.open_round(meeting.id))
    assert results["counts"] == {
        "Samedi": {"members": 0, "guests": 0},
        "Dimanche": {"members": 2, "guests": 0},
    }


# -- decisions and actions --------------------------------------------------------------------


def test_recording_a_decision(facilitator, theo, make_member, meeting, client_as, live_friday):
    ines, scribe = make_member(name="Inès"), make_member(name="Sam")
    with pytest.raises(Conflict) as refused:
        decisions.record_decision(facilitator, meeting.id, "Avant l’heure.", "information")
    assert said(refused) == "La réunion n’est pas en cours."
    agenda.set_attendance(facilitator, meeting.id, ines.id, "excused")
    agenda.set_attendance(facilitator, meeting.id, theo.id, "present")
    meeting = live_friday(facilitator, ("Chauffage", "Jardin"), author=theo).meeting
    step(facilitator, meeting)
    agenda.join_as_guest(meeting.join_code, "Ana")
    round_ = agenda.start_round(facilitator, meeting.id, "consent", "Appeler un chauffagiste")
    agenda.answer_round(theo, round_.id, "object", "Trop cher")
    agenda.close_round(facilitator, round_.id)

    def refused_with(message, *args, **kwargs):
        with pytest.raises(ServiceError) as refused:
            decisions.record_decision(*args, **kwargs)
        assert said(refused) == message

    refused_with(
        "Écrivez la décision avant de l’enregistrer.", facilitator, meeting.id, "   ", "consent"
    )
    refused_with(
        "Une décision par consentement avec des objections dit comment elles ont été levées.",
        facilitator,
        meeting.id,
        "On appelle.",
        "consent",
        objections="Trop cher",
    )
    refused_with(
        "La date de révision ne peut pas être dans le passé.",
        facilitator,
        meeting.id,
        "On appelle.",
        "consent",
        review_on=in_days(-1),
    )
    refused_with("Mode de décision inconnu.", facilitator, meeting.id, "On appelle.", "unanime")
    refused_with(
        "Seuls l’animation et le ou la secrétaire consignent les décisions.",
        theo,
        meeting.id,
        "On appelle.",
        "information",
    )
    assert db.session.scalar(select(func.count(Decision.id))) == 0

    first = decisions.record_decision(
        facilitator,
        meeting.id,
        "On appelle **un chauffagiste**.",
        "consent",
        objections="Trop cher (Théo)",
        objections_lifted="Deux devis avant de signer",
        review_on=in_days(60),
    )
    assert first.number == 1 and first.mode == "consent"
    assert first.item.title == "Chauffage" and first.item.source_entry.title == "Chauffage"
    assert sorted(present_names(first)) == ["Ana", "Camille", "Théo"]  # Inès sent apologies
    assert first.round_id == round_.id
    assert first.result["counts"]["object"] == {"members": 1, "guests": 0}
    assert first.result["objections"] == [{"name": "Théo", "reason": "Trop cher"}]
    assert first.objections_lifted == "Deux devis avant de signer"

    # the scribe of the day records too; numbers follow each other
    agenda.assign_role(facilitator, meeting.id, "scribe", scribe.id)
    second = decisions.record_decision(scribe, meeting.id, "Le devis est affiché.", "information")
    assert second.number == 2 and second.round_id == round_.id
    client, _member = client_as()
    text = page(client, f"/vendredi/{meeting.scheduled_for.isoformat()}/ecran")
    assert "Décision n° 1" in text and "<strong>un chauffagiste</strong>" in text
    assert "Décision n° 2" in text and "pour information" in text

    # no point in progress (the last one postponed): nothing to decide on
    step(facilitator, meeting)
    agenda.postpone(facilitator, meeting.id, agenda.current_item(meeting.id).id)
    refused_with(
        "Aucun point n’est en cours : choisissez d’abord le point décidé.",
        facilitator,
        meeting.id,
        "Trop tard.",
        "information",
    )
    assert db.session.scalar(select(func.count(Decision.id))) == 2


def test_adding_actions(facilitator, theo, make_member, meeting, client_as, live_friday):
    gone = make_member(name="Parti", active=False)
    meeting = live_friday(facilitator, ("Chauffage",), author=theo).meeting
    step(facilitator, meeting)

    def refused_with(message, label, owner_id, due_on):
        with pytest.raises(ServiceError) as refused:
            decisions.add_action(facilitator, meeting.id, label, owner_id, due_on)
        assert said(refused) == message

    refused_with(
        "Une action a une personne responsable : choisissez-la.",
        "Appeler le chauffagiste",
        None,
        in_days(3),
    )
    refused_with(
        "Une action a une personne responsable : choisissez-la.",
        "Appeler le chauffagiste",
        gone.id,
        in_days(3),
    )
    refused_with(
        "L’échéance ne peut pas être dans le passé.",
        "Appeler le chauffagiste",
        theo.id,
        in_days(-1),
    )
    refused_with(
        "Indiquez pour quand l’action est à faire.", "Appeler le chauffagiste", theo.id, ""
    )
    refused_with(
        "« demain » n’est pas une date valide.", "Appeler le chauffagiste", theo.id, "demain"
    )
    refused_with(
        "Décrivez l’action en commençant par un verbe (« Acheter du savon »).",
        "  ",
        theo.id,
        in_days(3),
    )
    assert db.session.scalar(select(func.count(Action.id))) == 0

    action = decisions.add_action(
        facilitator, meeting.id, "Appeler  le chauffagiste", str(theo.id), in_days(3)
    )
    assert (action.label, action.owner_id, action.due_on.isoformat(), action.status) == (
        "Appeler le chauffagiste",
        theo.id,
        in_days(3),
        "open",
    )
    assert action.item.title == "Chauffage"
    client, _member = client_as()
    text = page(client, f"/vendredi/{meeting.scheduled_for.isoformat()}/direct")
    assert "<strong>Appeler le chauffagiste</strong> — Théo, pour le" in text


# -- two facilitators at once ---------------------------------------------------------------------


def test_two_facilitators_advancing_at_the_same_instant_move_one_step(
    app, facilitator, theo, make_member, meeting, live_friday
):
    other = make_member(role="facilitator", name="Dominique")
    meeting = live_friday(facilitator, ("Chauffage", "Jardin"), author=theo).meeting
    seen, meeting_id = meeting.live_revision, meeting.id
    actor_ids = [facilitator.id, other.id]
    db.session.commit()  # no read transaction of the test in the way
    barrier = threading.Barrier(2, timeout=10)
    outcomes = []

    def press_next(actor_id):
        with app.app_context():
            try:
                actor = db.session.get(Member, actor_id)
                agenda.get_meeting(meeting_id)  # the page both pressed from
                barrier.wait()
                outcomes.append(agenda.advance(actor, meeting_id, seen, "next").title)
            except Exception as exc:  # noqa: BLE001 - the assertions below show it
                outcomes.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=press_next, args=(i,)) for i in actor_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    moved = [o for o in outcomes if isinstance(o, str)]
    conflicts = [o for o in outcomes if isinstance(o, Conflict)]
    assert (moved, len(conflicts)) == (["Chauffage"], 1), outcomes  # one step, one refusal
    assert conflicts[0].code == "stale"
    db.session.rollback()
    assert current_title(meeting_id) == "Chauffage"
    assert list(statuses(meeting_id).values()) == ["done", "current", "pending"]
    assert fresh(meeting).live_revision == seen + 1


# -- the console, the phones and the door, over HTTP ------------------------------------------------


def test_the_console_forms_run_a_whole_meeting(facilitator, theo, meeting, client_as):
    client, _lou = client_as("facilitator", name="Lou")
    (entry,) = topics(theo, meeting, "Chauffage")
    day = meeting.scheduled_for.isoformat()
    console_post(client, meeting, {"op": "prepare"})
    console_post(client, meeting, {"op": "add_entries", "entry_id": entry.id})
    console_post(client, meeting, {"op": "add_item", "title": "Divers", "timebox_minutes": "5"})
    console_post(client, meeting, {"op": "assign_role", "role": "scribe", "member_id": theo.id})
    console_post(client, meeting, {"op": "attendance", "member_id": theo.id, "status": "present"})
    assert [(i.kind, i.title) for i in agenda.agenda_items(meeting.id)][1:] == [
        ("topic", "Chauffage"),
        ("other", "Divers"),
    ]
    text = console_post(client, meeting, {"op": "start"})
    meeting = fresh(meeting)
    assert meeting.status == "live" and meeting.join_code in text
    text = console_post(
        client,
        meeting,
        {"op": "advance_item", "direction": "next", "live_revision": meeting.live_revision},
    )
    assert current_title(meeting.id) == "Chauffage"
    assert "À propos : Chauffage." in text  # the source entry shows on the console
    console_post(client, meeting, {"op": "control_timer", "action": "add5"})
    assert agenda.timer_state(agenda.current_item(meeting.id))["allowance"] == 15 * 60
    console_post(
        client,
        meeting,
        {
            "op": "open_round",
            "kind": "vote",
            "question": "Quel jour ?",
            "options": "Lundi\nMardi\n",
        },
    )
    round_ = agenda.open_round(meeting.id)
    assert round_.options == ["Lundi", "Mardi"]
    console_post(client, meeting, {"op": "close_round", "round_id": round_.id})
    text = console_post(
        client, meeting, {"op": "record_decision", "statement": "", "mode": "consent"}
    )
    assert "Écrivez la décision avant de l’enregistrer." in text
    console_post(client, meeting, {"op": "record_decision", "statement": "Lundi.", "mode": "vote"})
    text = console_post(
        client,
        meeting,
        {"op": "add_action", "label": "Réserver la salle", "owner_id": "", "due_on": in_days(2)},
    )
    assert "Une action a une personne responsable : choisissez-la." in text
    text = console_post(
        client,
        meeting,
        {
            "op": "add_action",
            "label": "Réserver la salle",
            "owner_id": theo.id,
            "due_on": in_days(2),
        },
    )
    assert "<strong>Réserver la salle</strong> — Théo" in text
    item = agenda.current_item(meeting.id)
    console_post(client, meeting, {"op": "postpone_item", "item_id": item.id})
    assert current_title(meeting.id) == "Divers"
    text = console_post(
        client,
        meeting,
        {"op": "advance_item", "direction": "next", "live_revision": fresh(meeting).live_revision},
    )
    assert "C’est le dernier point de l’ordre du jour : vous pouvez clore la réunion." in text
    text = console_post(client, meeting, {"op": "close"})
    assert "La réunion est close." in text
    following = meetings.find_meeting(meeting.scheduled_for + timedelta(days=7))
    assert titles(following.id) == ["Chauffage", "Divers"]  # postponed, and unfinished
    assert [d.statement for d in agenda.decisions_of(meeting.id)] == ["Lundi."]
    assert page(client, f"/vendredi/{day}/ecran")


def test_a_member_cannot_use_the_console_unless_facilitating_that_friday(
    facilitator, meeting, client_as
):
    client, member = client_as(name="Théo")
    day = meeting.scheduled_for.isoformat()
    assert client.get(f"/vendredi/{day}/animation").status_code == 403
    for data in ({"op": "start"}, {"op": "add_item", "title": "Pirate"}, {"op": "close"}):
        assert post_form(client, f"/vendredi/{day}/animation", data).status_code == 403
    assert fresh(meeting).status == "preparing" and titles(meeting.id) == []
    # the day's scribe opens the console (to record decisions) but cannot drive the meeting
    agenda.assign_role(facilitator, meeting.id, "scribe", member.id)
    assert client.get(f"/vendredi/{day}/animation").status_code == 200
    refused = post_form(
        client, f"/vendredi/{day}/animation", {"op": "start"}, follow_redirects=True
    )
    assert "Seul·es les facilitateur·rices ouvrent et closent la réunion." in refused.get_data(
        as_text=True
    )
    assert fresh(meeting).status == "preparing"

    agenda.assign_role(facilitator, meeting.id, "facilitator", member.id)
    assert "Avant de commencer" in page(client, f"/vendredi/{day}/animation")
    assert post_form(client, f"/vendredi/{day}/animation", {"op": "start"}).status_code == 303
    assert fresh(meeting).status == "live"
    # facilitating this Friday gives no console on another Friday
    other = meetings.ensure_meeting(meeting.scheduled_for + timedelta(days=7))
    assert client.get(f"/vendredi/{other.scheduled_for.isoformat()}/animation").status_code == 403


def test_a_guest_joins_with_the_code_follows_raises_a_hand_and_answers(
    app, facilitator, theo, meeting, client_as, live_friday
):
    meeting = live_friday(facilitator, ("Chauffage",), author=theo).meeting
    day = meeting.scheduled_for.isoformat()
    guest = app.test_client()
    assert "Rejoindre la réunion en cours" in page(guest, "/rejoindre")
    response = post_form(guest, "/rejoindre", {"code": "ZZZZZZ", "first_name": "Ana"})
    assert response.status_code == 400
    assert (
        "Ce code ne correspond à aucune réunion en cours. Vérifiez le code affiché à l’écran."
    ) in plain(response.get_data(as_text=True))
    response = post_form(guest, "/rejoindre", {"code": meeting.join_code, "first_name": " "})
    assert response.status_code == 400
    assert "Indiquez votre prénom." in plain(response.get_data(as_text=True))
    # typed in lower case with a space, as people do on a phone
    code = meeting.join_code.lower()
    response = post_form(
        guest, "/rejoindre", {"code": f"{code[:3]} {code[3:]}", "first_name": "Ana"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/vendredi/{day}/direct")
    text = page(guest, f"/vendredi/{day}/direct")
    assert "Bienvenue Ana ! Vous suivez la réunion en invité·e." in text
    assert "Ajouter un billet ou un point" not in text  # members only
    (row,) = [a for a in agenda.attendance(meeting.id) if a.is_guest]
    assert (row.guest_name, row.status) == ("Ana", "present")

    post_form(guest, f"/vendredi/{day}/direct", {"op": "raise_hand"})
    assert [h.attendance.name for h in agenda.speaker_queue(meeting.id)] == ["Ana"]
    step(facilitator, meeting)
    round_ = agenda.start_round(facilitator, meeting.id, "consent", "Appeler un chauffagiste")
    text = post_form(
        guest,
        f"/vendredi/{day}/direct",
        {"op": "answer_round", "round_id": round_.id, "answer": "object"},
        follow_redirects=True,
    ).get_data(as_text=True)
    text = plain(text)
    assert "Une objection s’accompagne d’une raison : écrivez-la." in text
    post_form(
        guest,
        f"/vendredi/{day}/direct",
        {"op": "answer_round", "round_id": round_.id, "answer": "object", "reason": "Trop cher"},
    )
    results = agenda.round_results(agenda.open_round(meeting.id))
    assert results["counts"]["object"] == {"members": 0, "guests": 1}
    text = post_form(
        guest,
        f"/vendredi/{day}/direct",
        {"op": "add_entry", "kind": "topic", "body": "Intrus"},
        follow_redirects=True,
    ).get_data(as_text=True)
    text = plain(text)
    assert "Cette action est réservée aux membres." in text
    assert db.session.scalar(select(func.count(Entry.id)).where(Entry.body == "Intrus")) == 0

    # members' pages stay closed to guests
    assert guest.get(f"/vendredi/{day}/animation").status_code == 302
    assert post_form(guest, f"/vendredi/{day}/animation", {"op": "close"}).status_code == 302
    assert guest.get(f"/vendredi/{day}/ecran").status_code == 302
    other_day = (meeting.scheduled_for + timedelta(days=7)).isoformat()
    assert guest.get(f"/vendredi/{other_day}/direct").status_code == 403
    assert fresh(meeting).status == "live"
    # the console counts the guest among those present (with the facilitator who started)
    client, _member = client_as("facilitator")
    text = page(client, f"/vendredi/{day}/animation")
    assert 'Ana <span class="hint">(invité·e)</span>' in text
    assert "2 personnes présentes" in text

    # once the meeting is closed, the guest's pass ends with it: no more actions, and the
    # phone page says the meeting is closed (with what was decided) instead of the sign-in page
    agenda.close_live(facilitator, meeting.id)
    closed = guest.get(f"/vendredi/{day}/direct")
    assert closed.status_code == 200
    assert "La réunion est close" in closed.get_data(as_text=True)
    assert 'data-command="raise_hand"' not in closed.get_data(as_text=True)
    hands = db.session.scalar(select(func.count()).select_from(HandRaise))
    sent = post_form(guest, f"/vendredi/{day}/direct", {"op": "raise_hand"})
    assert sent.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(HandRaise)) == hands
    assert "rien n’a été enregistré" in guest.get(f"/vendredi/{day}/direct").get_data(as_text=True)
    assert guest.get(f"/vendredi/{day}/animation").status_code == 302


def test_wrong_join_codes_are_rate_limited(app, facilitator, theo, meeting, live_friday):
    meeting = live_friday(facilitator, topics=()).meeting
    door = app.test_client()
    # guests arriving together (one Wi-Fi, one address) are not held up at the door
    for name in ("Ana", "Bob", "Cléo", "Dan"):
        response = post_form(door, "/rejoindre", {"code": meeting.join_code, "first_name": name})
        assert response.status_code == 302, name
    for guess in ("AAAAAA", "BBBBBB", "CCCCCC"):
        response = post_form(door, "/rejoindre", {"code": guess, "first_name": "Eve"})
        assert response.status_code == 400
    response = post_form(door, "/rejoindre", {"code": meeting.join_code, "first_name": "Eve"})
    assert response.status_code == 429
    assert "Trop de tentatives. Patientez un moment, puis réessayez." in plain(
        response.get_data(as_text=True)
    )
    assert [a.guest_name for a in agenda.attendance(meeting.id) if a.is_guest] == [
        "Ana",
        "Bob",
        "Cléo",
        "Dan",
    ]
