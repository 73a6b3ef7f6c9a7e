"""The place's calendar `/agenda/`: events created, moved, cancelled and skipped by
facilitators, refusals that store nothing, overlaps warned then confirmed, series that keep
their wall time across the daylight-saving changes, and what each audience receives."""

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from meeting.calendar import read, services
from meeting.errors import Conflict, FieldErrors, Forbidden, ServiceError
from meeting.extensions import db
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.models import Event, EventException, ProposalStatusChange, Trace
from meeting.pipeline import change
from meeting.proposals import services as proposals
from tests.conftest import post_form

NBSP = "\u00a0"


def text_of(response):
    return response.get_data(as_text=True)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def in_days(n):
    return dates.today_in_place() + timedelta(days=n)


def values(day=None, **kw):
    base = {
        "title": "Atelier maraîchage",
        "description": "On **sème**.",
        "start_date": (day or in_days(10)).isoformat(),
        "start_time": "10:00",
        "end_time": "12:00",
        "place": "garden",
        "visibility": "public",
    }
    base.update(kw)
    return base


@pytest.fixture
def facilitator(make_member):
    return make_member(role="facilitator", name="Camille")


@pytest.fixture
def accepted_proposal(make_member, facilitator):
    """Inès's « Projection » (house, 150 min, wished in 12 days at 18:30), accepted."""

    def make(title="Projection « Les Doléances »"):
        ines = make_member(name="Inès")
        meeting = meetings.ensure_meeting(dates.next_meeting_date())
        proposal = proposals.propose_event(
            ines,
            meeting.id,
            title,
            "Un film, puis on discute.",
            [(in_days(12).isoformat(), "18:30")],
            150,
            "house",
        )
        with change() as c:
            proposals.move_status(c, facilitator, proposal, "on_agenda")
            proposals.move_status(c, facilitator, proposal, "accepted")
        return proposal

    return make


# -- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end_time": "09:00"}, "end_time", "La fin doit venir après le début."),
        ({"start_date": date(2020, 1, 4).isoformat()}, "start_date", "Cette date est passée."),
        ({"place": "cave"}, "place", "Ce lieu n’existe pas"),
        ({"place": "elsewhere", "place_detail": ""}, "place_detail", "Dites où"),
        ({"title": "x" * 201}, "title", "200 caractères au plus"),
        ({"place": "elsewhere", "place_detail": "y" * 201}, "place_detail", "200 caractères"),
        ({"description": "z" * 5001}, "description", "5000 caractères au plus"),
        ({"title": "Apéro\nBEGIN:VEVENT"}, "title", "caractère invisible"),
        ({"title": "Apéro\x07"}, "title", "caractère invisible"),
        ({"description": "Texte\x1b[31m"}, "description", "caractère invisible"),
        ({"place": "elsewhere", "place_detail": "Salle\r\nX"}, "place_detail", "invisible"),
        ({"repeat": "weekly", "repeat_until": "2020-01-01"}, "repeat_until", "avant"),
        ({"repeat": "daily"}, "repeat", "Cette répétition n’existe pas."),
        ({"start_date": "demain"}, "start_date", "pas valable"),
        ({"start_time": "25:00"}, "start_time", "pas valable"),
        ({"visibility": "secret"}, "visibility", "public"),
    ],
)
def test_each_refusal_names_its_field_and_stores_nothing(facilitator, changes, field, message):
    with pytest.raises(FieldErrors) as refused:
        services.create_event(facilitator, values(**changes))
    assert message in refused.value.details["fields"][field]
    assert count(Event) == 0
    assert db.session.scalar(select(func.count()).where(Trace.verb == "event_created")) == 0


def test_description_keeps_line_breaks_and_tabs_and_commas(facilitator):
    event = services.create_event(
        facilitator, values(description="Ligne 1,\n\tligne 2 ; fin", title="Soirée, jeux; fin")
    )
    assert event.description == "Ligne 1,\n\tligne 2 ; fin"
    assert event.title == "Soirée, jeux; fin"


def test_a_member_cannot_create_and_nothing_is_stored(make_member):
    with pytest.raises(Forbidden):
        services.create_event(make_member(), values())
    assert count(Event) == 0


def test_monthly_repeat_is_the_same_weekday_of_the_month(facilitator):
    start = in_days(30)
    first_saturday = date(start.year, start.month, 1) + timedelta(
        days=(5 - date(start.year, start.month, 1).weekday()) % 7
    )
    if first_saturday < in_days(1):
        first_saturday = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        first_saturday += timedelta(days=(5 - first_saturday.weekday()) % 7)
    event = services.create_event(
        facilitator, values(first_saturday, repeat="monthly"), confirm_overlap=True
    )
    assert event.rrule == "FREQ=MONTHLY;BYDAY=1SA"
    starts = read.series_starts(
        event, None, datetime.combine(first_saturday, time()) + timedelta(days=100)
    )
    assert all(s.weekday() == 5 and s.day <= 7 for s in starts) and len(starts) >= 3


# -- overlaps --------------------------------------------------------------------------------


def test_overlap_is_warned_then_saved_on_confirmation(facilitator):
    day = in_days(10)
    services.create_event(facilitator, values(day))
    with pytest.raises(Conflict) as warned:
        services.create_event(
            facilitator, values(day, title="Réunion jardin", start_time="11:00", end_time="13:00")
        )
    assert warned.value.code == "overlap"
    message = warned.value.message
    assert "Atelier maraîchage" in message and "au Jardin du Ravelin" in message
    assert f"10{NBSP}h{NBSP}00 – 12{NBSP}h{NBSP}00" in message
    assert count(Event) == 1
    services.create_event(
        facilitator,
        values(day, title="Réunion jardin", start_time="11:00", end_time="13:00"),
        confirm_overlap=True,
    )
    assert count(Event) == 2


def test_no_overlap_in_another_space_or_back_to_back(facilitator):
    day = in_days(10)
    services.create_event(facilitator, values(day))
    services.create_event(facilitator, values(day, place="house"))  # another space
    services.create_event(facilitator, values(day, start_time="12:00", end_time="13:00"))
    services.create_event(
        facilitator, values(day, place="elsewhere", place_detail="Salle Proudhon")
    )
    with pytest.raises(Conflict):  # the same "elsewhere", whatever its case
        services.create_event(
            facilitator, values(day, place="elsewhere", place_detail="salle proudhon ")
        )


def test_an_occurrence_of_a_series_overlaps(facilitator):
    day = in_days(3)
    services.create_event(facilitator, values(day, repeat="weekly"))
    with pytest.raises(Conflict) as warned:
        services.create_event(facilitator, values(day + timedelta(days=21), title="Troc"))
    assert "Atelier maraîchage" in warned.value.message


def test_a_cancelled_event_overlaps_nothing(facilitator):
    day = in_days(10)
    event = services.create_event(facilitator, values(day))
    services.cancel_event(facilitator, event.id, "Pluie annoncée.")
    services.create_event(facilitator, values(day, title="Autre chose"))


# -- edit, cancel, skip ----------------------------------------------------------------------


def test_moving_raises_the_sequence_and_keeps_the_uid(facilitator):
    event = services.create_event(facilitator, values())
    uid = event.uid
    assert event.sequence == 0 and uid.endswith("@vendredi") and len(uid.split("@")[0]) == 32
    services.edit_event(
        facilitator, event.id, values(description="Autre texte."), services.revision_of(event)
    )
    assert event.sequence == 0  # a new description moves nothing
    services.edit_event(
        facilitator,
        event.id,
        values(start_time="11:00", end_time="13:00"),
        services.revision_of(event),
    )
    assert (event.sequence, event.uid) == (1, uid)
    services.edit_event(
        facilitator,
        event.id,
        values(start_time="11:00", end_time="13:00", place="house"),
        services.revision_of(event),
    )
    assert event.sequence == 2
    verbs = db.session.scalars(select(Trace.verb).where(Trace.subject_type == "event")).all()
    assert verbs == ["event_created", "event_edited", "event_moved", "event_moved"]


def test_an_edit_from_an_old_version_is_refused(facilitator):
    event = services.create_event(facilitator, values())
    old = services.revision_of(event)
    services.edit_event(facilitator, event.id, values(title="Atelier semis"), old)
    with pytest.raises(Conflict) as refused:
        services.edit_event(facilitator, event.id, values(title="Atelier greffe"), old)
    assert refused.value.message.startswith("Cet événement vient d’être modifié")
    db.session.refresh(event)
    assert event.title == "Atelier semis"


def test_uid_uses_the_public_host(app, facilitator):
    app.config["PUBLIC_URL"] = "https://vendredi.le97.example/app"
    assert services.create_event(facilitator, values()).uid.endswith("@vendredi.le97.example")


def test_cancel_keeps_the_row_and_sends_the_proposal_back(facilitator, accepted_proposal):
    proposal = accepted_proposal()
    event = services.create_event(
        facilitator,
        values(in_days(12), start_time="18:30", end_time="21:00", place="house"),
        proposal_id=proposal.id,
    )
    assert proposal.status == "scheduled"
    step = proposal.changes[-1]
    assert step.event_id == event.id
    assert step.reason.startswith("Programmée le ") and step.reason.endswith(
        f"à 18{NBSP}h{NBSP}30, au 97 rue Battant."
    )
    services.cancel_event(facilitator, event.id, "La salle est prise.")
    db.session.refresh(proposal)
    assert (event.status, event.sequence, event.cancel_reason) == (
        "cancelled",
        1,
        "La salle est prise.",
    )
    assert event.cancelled_at is not None and count(Event) == 1
    assert proposal.status == "accepted"
    assert "La salle est prise." in proposal.changes[-1].reason
    with pytest.raises(Conflict):
        services.edit_event(facilitator, event.id, values(), services.revision_of(event))


def test_a_cancel_without_reason_changes_nothing(facilitator):
    event = services.create_event(facilitator, values())
    with pytest.raises(FieldErrors):
        services.cancel_event(facilitator, event.id, "  ")
    db.session.refresh(event)
    assert event.status == "confirmed" and event.sequence == 0


def test_moving_a_proposals_event_tells_its_proposer(facilitator, accepted_proposal):
    proposal = accepted_proposal()
    event = services.create_event(
        facilitator,
        values(in_days(12), start_time="18:30", end_time="21:00", place="house"),
        proposal_id=proposal.id,
    )
    services.edit_event(
        facilitator,
        event.id,
        values(in_days(12), start_time="19:30", end_time="22:00", place="house"),
        services.revision_of(event),
    )
    step = db.session.scalars(
        select(ProposalStatusChange).order_by(ProposalStatusChange.id.desc())
    ).first()
    assert (step.from_status, step.to_status, step.event_id) == ("scheduled", "scheduled", event.id)
    assert step.reason.startswith("Déplacé au ") and f"19{NBSP}h{NBSP}30" in step.reason


def test_only_an_accepted_proposal_is_scheduled(facilitator, make_member):
    ines = make_member()
    meeting = meetings.ensure_meeting(dates.next_meeting_date())
    proposal = proposals.propose_event(
        ines, meeting.id, "Soirée jeux", "Des jeux.", [(in_days(9).isoformat(), "")], 120, "house"
    )
    with pytest.raises(Conflict):
        services.create_event(facilitator, values(), proposal_id=proposal.id)
    assert count(Event) == 0


def test_skip_an_occurrence(facilitator):
    event = services.create_event(facilitator, values(in_days(3), repeat="weekly"))
    second = event.starts_at + timedelta(days=7)
    services.skip_occurrence(facilitator, event.id, second.isoformat())
    assert event.sequence == 1
    assert [e.occurrence_start for e in event.exceptions] == [second]
    starts = read.series_starts(event, event.starts_at, event.starts_at + timedelta(days=15))
    assert starts == [event.starts_at, event.starts_at + timedelta(days=14)]
    with pytest.raises(ServiceError):  # already skipped
        services.skip_occurrence(facilitator, event.id, second.isoformat())
    with pytest.raises(ServiceError):  # not a date of the series
        services.skip_occurrence(facilitator, event.id, (second + timedelta(hours=1)).isoformat())
    assert count(EventException) == 1


def test_a_series_keeps_its_wall_time_across_both_changes(facilitator):
    year = dates.today_in_place().year + 1
    start = date(year, 3, 1) + timedelta(days=(5 - date(year, 3, 1).weekday()) % 7)
    event = services.create_event(
        facilitator,
        values(
            start,
            start_time="18:30",
            end_time="20:00",
            repeat="weekly",
            repeat_until=date(year, 11, 30).isoformat(),
        ),
    )
    found = read.between(datetime(year, 3, 1), datetime(year, 12, 1), include_members=False)
    march = [o for o in found if o.starts_at.month in (3, 4)]
    october = [o for o in found if o.starts_at.month in (10, 11)]
    assert len(found) == len(read.series_starts(event)) and len(found) > 30
    # Both sides of the last Sunday of March and of October are 18:30, wall time.
    assert {o.starts_at.time() for o in march + october} == {time(18, 30)}
    assert {o.ends_at.time() for o in found} == {time(20, 0)}
    assert found[-1].starts_at.date() <= date(year, 11, 30)


def test_mark_held_is_idempotent(facilitator, accepted_proposal):
    proposal = accepted_proposal()
    event = services.create_event(
        facilitator,
        values(in_days(12), start_time="18:30", end_time="21:00", place="house"),
        proposal_id=proposal.id,
    )
    assert services.mark_held(event.ends_at - timedelta(minutes=1)) == 0
    assert services.mark_held(event.ends_at + timedelta(hours=1)) == 1
    assert services.mark_held(event.ends_at + timedelta(hours=2)) == 0
    db.session.refresh(proposal)
    assert proposal.status == "held"
    assert [c.to_status for c in proposal.changes].count("held") == 1


def test_event_prefill_from_a_proposal(accepted_proposal):
    proposal = accepted_proposal()
    form = services.event_prefill(proposal)
    assert form["start_date"] == in_days(12).isoformat() and form["start_time"] == "18:30"
    assert (
        form["end_time"] == "21:00" and form["place"] == "house" and form["visibility"] == "public"
    )
    cleaned = services.clean_event_fields(form)
    assert cleaned["ends_at"] - cleaned["starts_at"] == timedelta(minutes=150)


# -- pages and audiences -----------------------------------------------------------------------


@pytest.fixture
def two_events(facilitator):
    day = in_days(10)
    public = services.create_event(facilitator, values(day, title="Fête du jardin"))
    members = services.create_event(
        facilitator, values(day, title="Assemblée secrète", place="house", visibility="members")
    )
    return public, members, day


VIEWS = ("mois", "semaine", "liste")


@pytest.mark.parametrize("view", VIEWS)
def test_anonymous_sees_public_events_only(client, two_events, view):
    _public, members, day = two_events
    page = text_of(client.get(f"/agenda/?vue={view}&date={day.isoformat()}"))
    assert "Fête du jardin" in page and "au Jardin du Ravelin" in page
    assert "Assemblée secrète" not in page
    assert client.get(f"/agenda/{members.id}").status_code == 404
    assert "Assemblée secrète" not in text_of(client.get(f"/agenda/{members.id}"))


@pytest.mark.parametrize("view", VIEWS)
def test_a_member_sees_members_only_events_marked(client_as, two_events, view):
    http, _member = client_as()
    _public, members, day = two_events
    page = text_of(http.get(f"/agenda/?vue={view}&date={day.isoformat()}"))
    assert "Fête du jardin" in page and "Assemblée secrète" in page and "membres" in page
    assert "Ajouter un événement" not in page
    assert http.get(f"/agenda/{members.id}").status_code == 200
    assert http.get("/agenda/nouveau").status_code == 403


def test_month_grid_is_monday_first_with_prev_next_today(client, two_events):
    _public, _members, day = two_events
    page = text_of(client.get(f"/agenda/?vue=mois&date={day.isoformat()}"))
    assert page.index("lundi") < page.index("mardi") < page.index("dimanche")
    assert "Aujourd’hui" in page and 'rel="prev"' in page and 'rel="next"' in page
    assert "10:00–12:00" in page


def test_cancelled_event_is_struck_on_the_views(client, facilitator):
    event = services.create_event(facilitator, values(title="Troc de graines"))
    services.cancel_event(facilitator, event.id, "Pluie.")
    page = text_of(client.get(f"/agenda/?vue=liste&date={in_days(1).isoformat()}"))
    assert "<del><a" in page and "annulé" in page
    show = text_of(client.get(f"/agenda/{event.id}"))
    assert "annulé" in show and "Pluie." in show


def test_event_page_shows_its_facts_and_series(client, facilitator):
    event = services.create_event(
        facilitator, values(in_days(3), repeat="weekly", description="On **sème**.")
    )
    services.skip_occurrence(
        facilitator, event.id, (event.starts_at + timedelta(days=7)).isoformat()
    )
    page = text_of(client.get(f"/agenda/{event.id}"))
    assert "<strong>sème</strong>" in page and "Au Jardin du Ravelin" in page
    assert "Prochaines dates" in page and "Dates sautées" in page
    assert "Sauter cette date" not in page and "Modifier" not in page


def test_event_page_links_decision_and_proposal_for_those_allowed(
    client, client_as, facilitator, accepted_proposal
):
    proposal = accepted_proposal()
    event = services.create_event(
        facilitator,
        values(in_days(12), start_time="18:30", end_time="21:00", place="house"),
        proposal_id=proposal.id,
    )
    member_http, _m = client_as()
    assert f"/propositions/{proposal.id}" in text_of(member_http.get(f"/agenda/{event.id}"))
    assert f"/propositions/{proposal.id}" not in text_of(client.get(f"/agenda/{event.id}"))


def test_facilitator_creates_through_the_form_with_overlap_confirmation(app, client_as):
    http, _facilitator = client_as("facilitator")
    day = in_days(10)
    assert http.get("/agenda/nouveau").status_code == 200
    response = post_form(http, "/agenda/nouveau", values(day))
    assert response.status_code == 302
    event = db.session.scalars(select(Event)).one()
    assert response.headers["Location"].endswith(f"/agenda/{event.id}")
    refused = post_form(http, "/agenda/nouveau", values(day, title="Doublon"))
    page = text_of(refused)
    assert refused.status_code == 409 and "Enregistrer quand même" in page
    assert 'value="Doublon"' in page and count(Event) == 1
    confirmed = post_form(
        http, "/agenda/nouveau", {**values(day, title="Doublon"), "confirm_overlap": "1"}
    )
    assert confirmed.status_code == 302 and count(Event) == 2


def test_form_errors_are_beside_their_fields(client_as):
    http, _f = client_as("facilitator")
    response = post_form(http, "/agenda/nouveau", values(end_time="09:00", title=""))
    page = text_of(response)
    assert response.status_code == 400
    assert 'id="error-end_time"' in page and "La fin doit venir après le début." in page
    assert 'id="error-title"' in page and count(Event) == 0


def test_edit_form_refuses_a_stale_revision(client_as, facilitator):
    http, _f = client_as("facilitator")
    event = services.create_event(facilitator, values())
    page = text_of(http.get(f"/agenda/{event.id}/modifier"))
    assert 'name="revision"' in page and 'value="Atelier maraîchage"' in page
    old = services.revision_of(event)
    assert (
        post_form(
            http, f"/agenda/{event.id}/modifier", {**values(title="Semis"), "revision": old}
        ).status_code
        == 302
    )
    stale = post_form(
        http, f"/agenda/{event.id}/modifier", {**values(title="Greffe"), "revision": old}
    )
    assert stale.status_code == 409 and "rechargez la page" in text_of(stale)
    db.session.refresh(event)
    assert event.title == "Semis"


def test_cancel_and_skip_through_the_forms(client_as, facilitator):
    http, _f = client_as("facilitator")
    event = services.create_event(facilitator, values(in_days(3), repeat="weekly"))
    page = text_of(http.get(f"/agenda/{event.id}"))
    assert "Sauter cette date" in page and "Modifier" in page
    second = (event.starts_at + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    assert post_form(http, f"/agenda/{event.id}/sauter", {"occurrence": second}).status_code == 302
    bad = post_form(http, f"/agenda/{event.id}/sauter", {"occurrence": "2020-01-01T10:00"})
    assert bad.status_code == 400 and "pas une date de la série" in text_of(bad)
    assert http.get(f"/agenda/{event.id}/annuler").status_code == 200
    empty = post_form(http, f"/agenda/{event.id}/annuler", {"reason": ""})
    assert empty.status_code == 400 and 'id="error-reason"' in text_of(empty)
    assert (
        post_form(http, f"/agenda/{event.id}/annuler", {"reason": "Fin de saison."}).status_code
        == 302
    )
    db.session.refresh(event)
    assert event.status == "cancelled" and event.sequence == 2


def test_members_and_anonymous_cannot_post_the_forms(client, client_as, facilitator):
    event = services.create_event(facilitator, values())
    member_http, _m = client_as()
    for url, data in [
        ("/agenda/nouveau", values(title="Intrus")),
        (
            f"/agenda/{event.id}/modifier",
            {**values(title="Intrus"), "revision": services.revision_of(event)},
        ),
        (f"/agenda/{event.id}/annuler", {"reason": "Intrus"}),
        (f"/agenda/{event.id}/sauter", {"occurrence": event.starts_at.isoformat()}),
    ]:
        assert post_form(member_http, url, data).status_code == 403
        assert post_form(client, url, data).status_code == 302  # to the sign-in page
    db.session.refresh(event)
    assert event.title == "Atelier maraîchage" and event.status == "confirmed" and count(Event) == 1


def test_new_event_prefilled_from_a_proposal(client_as, accepted_proposal):
    http, _f = client_as("facilitator")
    proposal = accepted_proposal()
    page = text_of(http.get(f"/agenda/nouveau?proposition={proposal.id}"))
    assert 'value="18:30"' in page and 'value="21:00"' in page and "Les Doléances" in page
    form = {**services.event_prefill(proposal), "proposal_id": str(proposal.id)}
    assert post_form(http, "/agenda/nouveau", form).status_code == 302
    db.session.refresh(proposal)
    assert proposal.status == "scheduled"


def test_mark_held_command(app, facilitator, accepted_proposal):
    proposal = accepted_proposal()
    services.create_event(
        facilitator,
        values(in_days(12), start_time="18:30", end_time="21:00", place="house"),
        proposal_id=proposal.id,
    )
    from meeting.calendar.cli import mark_held_command

    result = app.test_cli_runner().invoke(mark_held_command)
    assert result.exit_code == 0 and "0 proposition" in result.output
