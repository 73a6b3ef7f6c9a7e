"""The small demo's economy (issue 11, item 8): this year's budget from the seed, a treasurer,
a dozen gifts, a catalogue of about ten offers with their uses, a few expenses, contributions
in kind, and a year of Fridays for the pictures — loaded by `flask demo` in one go."""

from datetime import timedelta

from sqlalchemy import func, select

from meeting import permissions
from meeting.economy.summary import local_date, year_summary
from meeting.extensions import db
from meeting.meetings import dates
from meeting.members import services as members
from meeting.models import (
    Attendance,
    BudgetLine,
    CatalogueItem,
    CatalogueUse,
    Decision,
    Entry,
    Expense,
    Gift,
    Meeting,
    Trace,
    WeatherGiven,
    WeatherTally,
)

SEED_NEED_CENTS = ((820 + 150 + 280 + 133) * 12 + 7000 + 5000) * 100  # 28 596 €


def test_the_demo_holds_the_seeds_budget_gifts_catalogue_and_a_year_of_fridays(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    today = dates.today_in_place()

    # the seed's budget for this year, to the cent, kept by Camille (the second demo person)
    lines = db.session.scalars(select(BudgetLine).order_by(BudgetLine.position)).all()
    assert [line.label for line in lines] == [
        "Loyer et charges locatives",
        "Électricité",
        "Gaz",
        "Assurances",
        "Réparations et entretien",
        "Conciergerie / facilitation",
    ]
    assert all(line.explanation for line in lines)
    assert sum(line.planned_cents for line in lines) == SEED_NEED_CENTS == 2_859_600
    summary = year_summary(today.year)
    assert summary.need_cents == SEED_NEED_CENTS
    treasurer = members.authenticate("camille@le97.example", "vendredi")
    assert treasurer.is_treasurer and permissions.can_keep_accounts(treasurer)
    assert not permissions.can_keep_accounts(members.authenticate("theo@le97.example", "vendredi"))

    # a dozen gifts: some anonymous, two announced and not arrived, one earmarked, various ways
    gifts = db.session.scalars(select(Gift)).all()
    assert len(gifts) == 12
    assert sum(g.anonymous for g in gifts) >= 3
    assert sorted(g.status for g in gifts).count("pledged") == 2
    assert len([g for g in gifts if g.line_id is not None]) == 1
    assert len({g.method for g in gifts if g.method}) >= 4
    received = [g for g in gifts if g.status == "received"]
    assert all(g.received_on.year == today.year and g.received_on <= today for g in received)
    assert summary.gifts_count == len(received) == 10
    assert summary.gifts_cents == sum(g.amount_cents for g in received) == 794_000

    # about ten goods and services, used over the year with the contributions chosen
    items = db.session.scalars(select(CatalogueItem)).all()
    assert len(items) == 10
    assert {"Salle pour un après-midi", "Séance d’hypnose", "Panier de maraîchage"} <= {
        i.title for i in items
    }
    assert any(i.offered_by_id is None for i in items) and any(i.offered_by_id for i in items)
    uses = db.session.scalars(select(CatalogueUse)).all()
    assert len(uses) == 40 and all(u.used_on <= today for u in uses)
    assert summary.uses_cents == sum(u.contribution_cents for u in uses) > 0

    # a few expenses; contributions in kind on met needs, credited to who brought them
    labels = " ".join(db.session.scalars(select(Expense.label)))
    assert "chaudière" in labels and "extincteurs" in labels and "Produits d’entretien" in labels
    in_kind = db.session.scalars(select(Entry).where(Entry.in_kind_cents.is_not(None))).all()
    assert len(in_kind) >= 10
    assert all(e.need_status == "met" and e.in_kind_member_id for e in in_kind)
    this_year = [e for e in in_kind if local_date(e.resolved_at).year == today.year]
    assert summary.in_kind_cents == sum(e.in_kind_cents for e in this_year)
    assert summary.came_in_cents > 0 and summary.percent < 100

    # a year of Fridays before the coming one, which is still being prepared
    fridays = db.session.scalars(select(Meeting).order_by(Meeting.scheduled_for)).all()
    assert fridays[-1].status == "preparing" and fridays[-1].scheduled_for >= today
    closed = fridays[:-1]
    assert all(m.status == "closed" for m in closed) and len(closed) == 52
    assert closed[-1].scheduled_for - closed[0].scheduled_for == timedelta(weeks=51)
    attended = db.session.scalar(
        select(func.count(func.distinct(Attendance.meeting_id))).where(
            Attendance.status == "present"
        )
    )
    assert attended >= 50
    # the weather: counts only, at least five on most Fridays, as many as gave one
    tallies = dict(
        db.session.execute(
            select(WeatherTally.meeting_id, func.sum(WeatherTally.count)).group_by(
                WeatherTally.meeting_id
            )
        ).all()
    )
    given = dict(
        db.session.execute(
            select(WeatherGiven.meeting_id, func.count()).group_by(WeatherGiven.meeting_id)
        ).all()
    )
    assert tallies == given
    assert len([n for n in tallies.values() if n >= 5]) >= 0.75 * len(closed)
    # decisions numbered in the order they were taken, their traces saying the same numbers
    decisions = db.session.scalars(select(Decision).order_by(Decision.number)).all()
    assert [d.number for d in decisions] == list(range(1, len(decisions) + 1))
    assert len(decisions) >= 40
    moments = [d.decided_at for d in decisions]
    assert moments == sorted(moments)
    numbers = {d.id: d.number for d in decisions}
    recorded = db.session.scalars(select(Trace).where(Trace.verb == "decision_recorded")).all()
    assert recorded and all(t.data["number"] == numbers[t.subject_id] for t in recorded)
    # the feed keeps the order it was written in
    times = db.session.scalars(select(Trace.created_at).order_by(Trace.id)).all()
    assert times == sorted(times)
