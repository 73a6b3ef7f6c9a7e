"""The small demo's proposals at every step of their life and the place's calendar: written
through the services (real history rows, traces and events), called by `cli.load_demo`.

- last Friday (run live): "Projection « Les Doléances »" accepted with its event created in
  the same step (a decision linked to its event), "Atelier d'écriture" accepted (date to be
  found), "Concert dans la cour" declined, "Vide-grenier de printemps" to rework, "Soirée jeux"
  not reached and carried to the coming Friday;
- three weeks ago: "Fête de la soupe" accepted, held in the house (a past event);
- the coming Friday: proposals on its agenda, one from someone outside the cooperative
  (through the public form, status "proposée"), one withdrawn by its proposer;
- the calendar: a monthly "Atelier maraîchage" series in the Jardin du Ravelin with one skipped
  date, a members-only "Grand ménage", a cancelled event.
"""

from datetime import date, datetime, time, timedelta

from .extensions import db

# (proposer first name, title, body, place, wished day offset from last Friday, hour,
#  minutes, people, material, what last Friday decides)
LAST_FRIDAY_PROPOSALS = [
    (
        "Lucie",
        "Projection « Les Doléances »",
        "Projection du documentaire puis discussion avec l’équipe du film.",
        "house",
        16,
        "20:00",
        150,
        40,
        "Vidéoprojecteur, rallonge",
        "accepted_with_event",
    ),
    (
        "Inès",
        "Atelier d’écriture",
        "Un atelier d’écriture par mois, le dimanche après-midi, ouvert aux voisin·es.",
        "house",
        23,
        "14:00",
        120,
        10,
        None,
        "accepted",
    ),
    (
        "Pierre-Alain",
        "Concert dans la cour",
        "Un concert amplifié dans la cour, un samedi soir jusqu’à minuit.",
        "house",
        15,
        "21:00",
        180,
        80,
        "Sono, éclairage",
        "declined",
    ),
    (
        "Théo",
        "Vide-grenier de printemps",
        "Un vide-grenier dans la rue Battant devant le 97.",
        "elsewhere",
        30,
        "09:00",
        480,
        200,
        "Tables, barnums",
        "to_rework",
    ),
    (
        "Hugo",
        "Soirée jeux de société",
        "Chacun·e apporte un jeu ; on mange ensemble vers 19 h.",
        "house",
        20,
        "19:00",
        180,
        20,
        "Tables du grenier",
        "carried",
    ),
]


def _values(title, day, start, end, place, place_detail=None, **more):
    return {
        "title": title,
        "start_date": day.isoformat(),
        "start_time": start,
        "end_time": end,
        "place": place,
        "place_detail": place_detail or "",
        **more,
    }


def last_friday_proposals(meeting, by_name, clock):
    """Last Friday's document gets its proposals (before its agenda is prepared); returns
    {entry id: what the meeting decides}."""
    from .proposals import services as proposals

    plans = {}
    day = meeting.scheduled_for
    for (
        first,
        title,
        body,
        place,
        offset,
        hour,
        minutes,
        people,
        material,
        plan,
    ) in LAST_FRIDAY_PROPOSALS:
        with clock.step(hours=3):
            proposal = proposals.propose_event(
                by_name[first],
                meeting.id,
                title,
                body,
                [((day + timedelta(days=offset)).isoformat(), hour)],
                minutes,
                place,
                "Rue Battant, devant le 97" if place == "elsewhere" else None,
                people,
                material,
            )
        plans[proposal.entry_id] = plan
    return plans


def decide_last_friday(meeting, camille, mathieu, plans, clock, day):
    """On last Friday's console: each proposal's point in turn, its decision and what it
    means for the proposal; "Soirée jeux" is left for the next Friday."""
    from .calendar import services as calendar
    from .decisions import services as decisions
    from .live import services as agenda
    from .models import EventProposal

    statements = {
        "accepted_with_event": (
            "La projection des *Doléances* a lieu au 97 ; Lucie accueille l’équipe du film.",
            "accepted",
        ),
        "accepted": ("Oui à un atelier d’écriture mensuel ; Inès propose une date.", "accepted"),
        "declined": (
            "Pas de concert amplifié dans la cour : les voisin·es du 99 dorment côté cour.",
            "declined",
        ),
        "to_rework": (
            "Le vide-grenier est une bonne idée, à retravailler avec la mairie de quartier.",
            "to_rework",
        ),
    }
    minute = 0
    while True:
        db.session.refresh(meeting)
        item = agenda.current_item(meeting.id)
        pending = [
            i
            for i in agenda.agenda_items(meeting.id)
            if i.status == "pending" and plans.get(i.source_entry_id) not in (None, "carried")
        ]
        if item is None or plans.get(item.source_entry_id) in (None, "carried"):
            if not pending:
                return
            with clock.step(hours=0, at=datetime.combine(day, time(12, minute))):
                agenda.advance(camille, meeting.id, meeting.live_revision)
            minute += 4
            continue
        plan = plans.pop(item.source_entry_id)
        statement, outcome = statements[plan]
        proposal = db.session.get(EventProposal, item.source_proposal_id)
        extra = {}
        if plan == "accepted_with_event":
            prefill = calendar.event_prefill(proposal)
            extra = {"create_event": True, **{f"event_{k}": v for k, v in prefill.items()}}
        if plan == "to_rework":
            extra["proposal_reason"] = (
                "Il faut l’accord de la mairie de quartier pour occuper la rue, et des "
                "volontaires pour tenir les stands : revenez avec les deux."
            )
        with clock.step(hours=0, at=datetime.combine(day, time(12, minute))):
            decisions.record_decision(
                mathieu,
                meeting.id,
                statement,
                "consent",
                proposal_outcome=outcome,
                **extra,
            )
        minute += 4


def held_soup_party(meeting, camille, by_name, clock):
    """Three weeks ago: "Fête de la soupe" proposed, put on the agenda, accepted and held."""
    from .calendar import services as calendar
    from .pipeline import change
    from .proposals import lifecycle
    from .proposals import services as proposals

    day = meeting.scheduled_for
    party_day = day + timedelta(days=1)
    with clock.step(hours=2):
        proposal = proposals.propose_event(
            by_name["Nadia"],
            meeting.id,
            "Fête de la soupe",
            "Chacun·e apporte une soupe ; on goûte tout, on vote pour rire.",
            [((date.today() + timedelta(days=7)).isoformat(), "18:30")],
            180,
            "house",
            None,
            30,
            "Grandes marmites, louches",
        )
        # Proposed before that Friday (a wished date is refused in the past): backdated as the
        # demo's clock backdates every row it writes.
        proposal.wished_dates = [{"date": party_day.isoformat(), "time": "18:30"}]
        db.session.commit()
    cleaned = calendar.clean_event_fields(
        _values("Fête de la soupe", party_day, "18:30", "21:30", "house"), today=day
    )
    with clock.step(hours=0, at=datetime.combine(day, time(11, 40))), change() as c:
        lifecycle.put_on_agenda(c, camille, proposal, meeting)
        proposals.move_status(
            c, camille, proposal, "accepted", reason="Oui, avec la grande marmite du 97."
        )
        calendar.insert_event(c, camille, cleaned, proposal=proposal)
    with clock.step(hours=30):
        calendar.mark_held(datetime.combine(party_day + timedelta(days=1), time(9, 0)))


def calendar_series(camille, coming, clock):
    """The monthly "Atelier maraîchage" (first Saturday, in the garden) started two months ago
    with one skipped date, a members-only "Grand ménage", and a cancelled event."""
    from .calendar import read
    from .calendar import services as calendar
    from .pipeline import change

    first = coming - timedelta(days=63)
    while first.weekday() != 5 or first.day > 7:  # the first Saturday of a month
        first += timedelta(days=1)
    cleaned = calendar.clean_event_fields(
        _values(
            "Atelier maraîchage",
            first,
            "10:00",
            "12:00",
            "garden",
            repeat="monthly",
            repeat_until=(first + timedelta(days=330)).isoformat(),
        ),
        today=first,
    )
    cleaned["description"] = (
        "Semis, paillage, compost : on apprend en faisant. Gants et bottes conseillés."
    )
    with clock.step(hours=1), change() as c:
        series = calendar.insert_event(c, camille, cleaned)
    skipped = next(start for start in read.series_starts(series) if start.date() > coming)
    with clock.step(hours=1):
        calendar.skip_occurrence(camille, series.id, skipped.strftime("%Y-%m-%dT%H:%M"))
    with clock.step(hours=1):
        calendar.create_event(
            camille,
            _values(
                "Grand ménage de la maison",
                coming + timedelta(days=8),
                "09:30",
                "12:30",
                "house",
                visibility="members",
                description="Du grenier à la cave ; on déjeune ensemble après.",
            ),
        )
    with clock.step(hours=1):
        cancelled = calendar.create_event(
            camille,
            _values("Bal folk", coming + timedelta(days=15), "20:30", "23:30", "house"),
        )
    with clock.step(hours=2):
        calendar.cancel_event(camille, cancelled.id, "Les musicien·nes ne sont pas disponibles.")


def coming_friday_proposals(meeting, by_name, clock, coming):
    """After the coming Friday's agenda is prepared: a proposal from outside the cooperative
    (status "proposée") and one withdrawn by its proposer."""
    from .proposals import outside
    from .proposals import services as proposals

    with clock.step(hours=2):
        outside.propose_from_outside(
            {
                "name": "Karim Benali",
                "email": "karim.benali@example.org",
                "title": "Atelier réparation de vélos",
                "description": "Je répare des vélos depuis dix ans ; je propose un atelier "
                "ouvert où chacun·e apprend à régler ses freins et changer une chambre à air.",
                "date_1": (coming + timedelta(days=22)).isoformat(),
                "time_1": "14:00",
                "duration_minutes": "180",
                "place": "garden",
                "expected_attendance": "15",
                "material_needs": "Un pied d’atelier, des rustines",
            }
        )
    with clock.step(hours=2):
        brunch = proposals.propose_event(
            by_name["Sophie"],
            meeting.id,
            "Brunch de janvier",
            "Un brunch pour la nouvelle année.",
            [((coming + timedelta(days=37)).isoformat(), "11:00")],
            150,
            "house",
        )
    with clock.step(hours=5):
        proposals.withdraw_proposal(
            by_name["Sophie"], brunch.id, "Finalement je serai à Lyon en janvier."
        )


def settle_status_times():
    """The demo's clock backdates the rows each step creates; a proposal's `status_changed_at`
    is updated on an existing row, so it takes the time of its newest history step."""
    from sqlalchemy import func, select

    from .models import EventProposal, ProposalStatusChange

    for proposal in db.session.scalars(select(EventProposal)):
        newest = db.session.scalar(
            select(func.max(ProposalStatusChange.created_at)).where(
                ProposalStatusChange.proposal_id == proposal.id,
                ProposalStatusChange.from_status.is_distinct_from(ProposalStatusChange.to_status),
            )
        )
        if newest is not None:
            proposal.status_changed_at = newest
            if proposal.status == "withdrawn":
                proposal.withdrawn_at = newest
    db.session.commit()
