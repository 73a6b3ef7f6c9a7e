"""The trace feed page and the demo data that fills it."""

from sqlalchemy import func, select

from meeting.extensions import db
from meeting.members import services
from meeting.models import Member, Trace
from meeting.traces.services import PAGE_SIZE


def test_feed_lists_traces_newest_first_with_french_dates(client_as, make_member):
    client, member = client_as("member", name="Lucie")
    admin = make_member(role="admin", name="Claire")
    services.invite(admin)
    services.update_profile(member, "Lucie Faivre", member.email)
    page = client.get("/traces/").get_data(as_text=True)
    first = page.index("Lucie s’appelle désormais Lucie Faivre.")
    second = page.index("Claire a invité une nouvelle personne (coopérateur·rice).")
    assert first < second
    trace = db.session.scalar(select(Trace).order_by(Trace.id.desc()))
    assert f'<time datetime="{trace.created_at.isoformat()}Z">' in page
    assert " à " in page and "\u00a0h" in page  # "mercredi 25 novembre 2026 à 22 h 15"


def test_feed_filters_by_kind_and_person(client_as, make_member):
    client, member = client_as("member", name="Lucie")
    admin = make_member(role="admin", name="Claire")
    services.invite(admin)
    services.update_profile(member, "Lucie Faivre", member.email)
    by_kind = client.get("/traces/?type=member_invited").get_data(as_text=True)
    assert "Claire a invité" in by_kind and "Lucie s’appelle" not in by_kind
    by_person = client.get(f"/traces/?personne={member.id}").get_data(as_text=True)
    assert "Lucie s’appelle" in by_person and "Claire a invité" not in by_person
    assert f'data-person="{member.id}"' in by_person


def test_feed_refuses_unknown_filters_in_french(client_as):
    client, _member = client_as("member")
    response = client.get("/traces/?type=inconnu")
    assert response.status_code == 400
    assert "Ce type de trace n’existe pas." in response.get_data(as_text=True)
    response = client.get("/traces/?personne=abc")
    assert response.status_code == 400


def test_feed_pages_back_through_older_traces(client_as, make_member):
    client, _member = client_as("member")
    admin = make_member(role="admin", name="Claire")
    for _ in range(PAGE_SIZE + 5):
        services.invite(admin)
    page = client.get("/traces/").get_data(as_text=True)
    assert page.count('class="trace"') == PAGE_SIZE
    assert "Traces plus anciennes" in page
    oldest_shown = db.session.scalar(select(func.max(Trace.id))) - PAGE_SIZE + 1
    older = client.get(f"/traces/?avant={oldest_shown}").get_data(as_text=True)
    assert older.count('class="trace"') == 5


def test_demo_fills_an_empty_database_with_a_living_place(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "admin@le97.example / vendredi" in result.output
    members = db.session.scalars(select(Member)).all()
    assert len(members) == 12
    assert {m.role for m in members} == {"admin", "facilitator", "member"}
    assert services.authenticate("admin@le97.example", "vendredi").role == "admin"
    assert services.authenticate("camille@le97.example", "vendredi").role == "facilitator"
    traces = db.session.scalars(select(Trace).order_by(Trace.id)).all()
    assert len(traces) >= 20
    times = [t.created_at for t in traces]
    assert times == sorted(times) and (times[-1] - times[0]).days >= 14
    # Loaded only into an empty database.
    again = runner.invoke(args=["demo", "--if-empty"])
    assert again.exit_code == 0 and "déjà des données" in again.output
    assert db.session.scalar(select(func.count(Member.id))) == 12
    assert runner.invoke(args=["demo"]).exit_code != 0
