"""Ce que vous avez manqué: a member back after three Fridays away finds on home what was
decided, what they were given to do and which proposals moved, marks it read, and sees what
comes later; who attended sees nothing; anonymous visitors and guests never get any of it."""

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import event, func, select

from meeting.catchup import services as catchup
from meeting.catchup.wording import days_list, missed_days_sentence
from meeting.decisions import services as decisions
from meeting.extensions import db
from meeting.live import services as agenda
from meeting.meetings import dates
from meeting.models import Member, Trace
from meeting.models.base import utcnow
from meeting.pipeline import change
from meeting.proposals import services as proposals
from tests.conftest import post_form, sign_in

SECTION = "Ce que vous avez manqué"


def plain(text):
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def home(client):
    response = client.get("/")
    assert response.status_code == 200
    return plain(response.get_data(as_text=True))


def section(page):
    """The catch-up section of a home page ('' when it is absent)."""
    match = re.search(r'<section class="panel catchup" id="manque".*?</section>', page, re.DOTALL)
    return match.group(0) if match else ""


def seen_until(page):
    return re.search(r'name="seen_until" value="([^"]*)"', page).group(1)


def hold_friday(camille, live_friday, day, topic, statements, present=(), author=None):
    """A Friday held and closed: one topic, `statements` decided on it, `present` there."""
    friday = live_friday(camille, [topic], day=day, author=author)
    mid = friday.meeting.id
    for member in present:
        agenda.set_attendance(camille, mid, member.id, "present")
    db.session.refresh(friday.meeting)
    agenda.advance(camille, mid, friday.meeting.live_revision)
    friday.decisions = [
        decisions.record_decision(camille, mid, text, "consent") for text in statements
    ]
    return friday


def close(camille, friday):
    agenda.close_live(camille, friday.meeting.id)


@pytest.fixture
def away(app, make_member, live_friday):
    """Léa is present on Friday 1, then away three Fridays (2–4, excused on 3). Friday 2
    decides to repaint the kitchen and gives her an action; Friday 3 accepts Théo's concert;
    Friday 4 gives Marc (present there) an action. Nour joins after Friday 1 and attends none."""
    camille = make_member(role="facilitator", name="Camille")
    lea = make_member(name="Léa")
    marc = make_member(name="Marc")
    theo = make_member(name="Théo")
    day1 = dates.next_meeting_date()
    due = dates.today_in_place() + timedelta(days=10)

    f1 = hold_friday(camille, live_friday, day1, "Compost", ["On garde le compost."], [lea])
    decisions.add_action(camille, f1.meeting.id, "Tourner le compost", lea.id, due.isoformat())
    close(camille, f1)
    nour = make_member(name="Nour")

    f2 = hold_friday(
        camille, live_friday, day1 + timedelta(days=7), "Cuisine", ["On **repeint** la cuisine."]
    )
    paint = f2.decisions[0]
    decisions.add_action(
        camille, f2.meeting.id, "Acheter la peinture", lea.id, due.isoformat(), paint.id
    )
    brushes = decisions.add_action(
        camille, f2.meeting.id, "Rincer les pinceaux", lea.id, dates.today_in_place().isoformat()
    )
    # Time passes: it is now three days late.
    brushes.due_on = dates.today_in_place() - timedelta(days=3)
    db.session.commit()
    close(camille, f2)

    f3 = hold_friday(
        camille, live_friday, day1 + timedelta(days=14), "Concerts", ["Un concert par mois."]
    )
    agenda.set_attendance(camille, f3.meeting.id, lea.id, "excused")
    wished = (date.today() + timedelta(days=40)).isoformat()
    concert = proposals.propose_event(
        theo, f3.meeting.id, "Concert de printemps", "Du jazz.", [(wished, "20:00")], "90", "house"
    )
    agenda.add_entries(camille, f3.meeting.id, [concert.entry_id])
    db.session.refresh(concert)
    with change() as c:
        proposals.move_status(c, camille, concert, "accepted", decision=f3.decisions[0])
    close(camille, f3)

    f4 = hold_friday(
        camille, live_friday, day1 + timedelta(days=21), "Toiture", ["On répare le toit."], [marc]
    )
    decisions.add_action(camille, f4.meeting.id, "Appeler le couvreur", marc.id, due.isoformat())
    close(camille, f4)
    return SimpleNamespace(
        camille=camille,
        lea=lea,
        marc=marc,
        theo=theo,
        nour=nour,
        fridays=[f1, f2, f3, f4],
        days=[day1 + timedelta(days=7 * n) for n in range(4)],
        concert=concert,
        live_friday=live_friday,
    )


def client_of(app, member):
    client = app.test_client()
    sign_in(client, member)
    return client


def numbers(fridays):
    return [d.number for f in fridays for d in f.decisions]


# -- the journey ------------------------------------------------------------------------------


def test_back_after_three_fridays_a_member_sees_exactly_what_they_missed(app, away):
    page = home(client_of(app, away.lea))
    found = section(page)
    assert found, "the section is on home"
    # First, before the coming Friday's document.
    assert page.index(SECTION) < page.index("Le document de préparation")
    assert '<h2 id="catchup-title">Ce que vous avez manqué</h2>' in found
    f1, f2, f3, f4 = away.fridays
    assert "le dernier repas auquel vous avez participé" in found
    assert plain(dates.long_date(away.days[0])) in found
    assert "Vous avez manqué 3 vendredis : " in found
    for day in away.days[1:]:
        assert str(day.day) in found.split("Vous avez manqué 3 vendredis : ")[1].split(".")[0]
    # The decisions of Fridays 2–4, with links, excerpts (Markdown as text), and not Friday 1's.
    assert "3 décisions" in found
    for number in numbers([f2, f3, f4]):
        assert f'href="/decisions/{number}"' in found
    assert f'href="/decisions/{f1.decisions[0].number}"' not in found
    assert '<span class="catchup-excerpt">On repeint la cuisine.</span>' in found
    assert "On garde le compost" not in found
    assert 'href="/decisions/"' in found
    # Her actions since then, open ones by due date (the late one first), not Marc's or Friday
    # 1's; each linked to its decision when it has one.
    assert "2 actions pour vous" in found
    assert found.index("Rincer les pinceaux") < found.index("Acheter la peinture")
    assert "en retard" in found
    assert f'href="/decisions/{f2.decisions[0].number}">décision n° ' in found
    assert "Tourner le compost" not in found and "Appeler le couvreur" not in found
    # The proposal accepted while she was away, with its new status.
    assert "1 proposition d’événement a avancé" in found
    assert f'href="/propositions/{away.concert.id}"' in found
    assert "Concert de printemps</a> — acceptée" in found
    assert "Marquer comme lu" in found and "lead: link" not in found


def test_marking_it_read_hides_it_and_what_comes_later_shows_again(app, away):
    lea = client_of(app, away.lea)
    page = home(lea)
    before = db.session.scalar(select(func.count(Trace.id)))
    response = post_form(lea, "/ce-que-vous-avez-manque/lu", {"seen_until": seen_until(page)})
    assert response.status_code == 303 and response.headers["Location"].endswith("/")
    page = home(lea)
    assert "est marqué comme lu" in page
    assert section(page) == "" and SECTION not in page
    trace = db.session.scalars(select(Trace).order_by(Trace.id.desc())).first()
    assert db.session.scalar(select(func.count(Trace.id))) == before + 1
    assert (trace.verb, trace.actor_id, trace.data) == ("caught_up", away.lea.id, {})

    f5 = hold_friday(
        away.camille,
        away.live_friday,
        away.days[3] + timedelta(days=7),
        "Fête",
        ["La fête aura lieu le 21 juin."],
    )
    close(away.camille, f5)
    found = section(home(lea))
    assert "Vous avez manqué le vendredi " in found
    assert "1 décision" in found and f'href="/decisions/{f5.decisions[0].number}"' in found
    assert "La fête aura lieu le 21 juin." in found
    assert "On repeint la cuisine" not in found and "Concert de printemps" not in found
    assert "n’y est plus" in found  # says that what was read is no longer listed


def test_what_closes_while_the_page_is_open_is_not_marked_read_unseen(app, away):
    lea = client_of(app, away.lea)
    mark = seen_until(home(lea))
    f5 = hold_friday(
        away.camille, away.live_friday, away.days[3] + timedelta(days=7), "Fête", ["Fête !"]
    )
    close(away.camille, f5)
    post_form(lea, "/ce-que-vous-avez-manque/lu", {"seen_until": mark})
    found = section(home(lea))
    assert f'href="/decisions/{f5.decisions[0].number}"' in found
    assert "Vous avez manqué le vendredi " in found
    assert f'href="/decisions/{away.fridays[1].decisions[0].number}"' not in found


def test_a_member_present_on_the_last_friday_with_nothing_new_sees_no_section(app, away):
    assert not catchup.missed_for(away.marc)
    page = home(client_of(app, away.marc))
    assert SECTION not in page and "Marquer comme lu" not in page


def test_a_member_who_never_attended_sees_everything_since_arrival(app, away):
    found = section(home(client_of(app, away.nour)))
    assert "Depuis votre arrivée, le " in found
    assert "Vous avez manqué 3 vendredis" in found  # Friday 1 closed before she joined
    assert f'href="/decisions/{away.fridays[0].decisions[0].number}"' not in found
    assert "actions pour vous" not in found and "action pour vous" not in found
    assert "Concert de printemps" in found


def test_anonymous_visitors_and_guests_receive_none_of_it(app, away):
    live = away.live_friday(
        away.camille, ["Divers"], day=away.days[3] + timedelta(days=7), guests=("Ana",)
    )
    visitors = {"anonymous": app.test_client(), "guest": live.guests["Ana"]}
    for who, client in visitors.items():
        page = home(client)
        for text in (
            SECTION,
            "Marquer comme lu",
            "On repeint la cuisine",
            "Acheter la peinture",
            "Concert de printemps",
            "Vous avez manqué",
            "/decisions/",
        ):
            assert text not in page, (who, text)
    assert catchup.missed_for(None) is None


# -- the command at its doors -----------------------------------------------------------------


def test_the_command_is_refused_to_anonymous_visitors_and_guests_and_changes_nothing(
    app, away, socket_for
):
    live = away.live_friday(
        away.camille, ["Divers"], day=away.days[3] + timedelta(days=7), guests=("Ana",)
    )
    before = db.session.scalar(select(func.count(Trace.id)))
    now = utcnow().isoformat()
    anonymous = app.test_client()
    response = post_form(anonymous, "/ce-que-vous-avez-manque/lu", {"seen_until": now})
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    response = post_form(live.guests["Ana"], "/ce-que-vous-avez-manque/lu", {"seen_until": now})
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    ack = socket_for(None).command("mark_caught_up", {"seen_until": now})
    assert (ack["ok"], ack["error"]) == (False, "not_signed_in") and ack["message"]
    guest_socket = socket_for(live.guests["Ana"])
    guest_socket.command("join_live", {"meeting_id": live.meeting.id})
    ack = guest_socket.command("mark_caught_up", {"seen_until": now})
    assert (ack["ok"], ack["error"]) == (False, "forbidden")
    assert ack["message"] == "Cette action est réservée aux membres."
    assert db.session.scalar(select(func.count(Trace.id))) == before
    assert db.session.scalar(select(Member.id).where(Member.caught_up_at.is_not(None))) is None


def test_the_socket_door_marks_read_and_tells_only_that_members_pages(app, away, socket_for):
    lea_socket = socket_for(client_of(app, away.lea))
    marc_socket = socket_for(client_of(app, away.marc))
    mark = catchup.missed_for(db.session.get(Member, away.lea.id)).seen_until
    lea_socket.facts(), marc_socket.facts()
    ack = lea_socket.command("mark_caught_up", {"seen_until": mark.isoformat()})
    assert ack["ok"] is True and ack["caught_up_at"] == mark.isoformat()
    assert [f["args"][0] for f in lea_socket.facts("caught_up")] == [
        {"seen_until": mark.isoformat()}
    ]
    assert marc_socket.facts("caught_up") == []
    db.session.expire_all()
    assert db.session.get(Member, away.lea.id).caught_up_at == mark
    assert not catchup.missed_for(db.session.get(Member, away.lea.id))


def test_a_bad_mark_is_refused_in_french_and_changes_nothing(app, away, socket_for):
    lea = client_of(app, away.lea)
    before = db.session.scalar(select(func.count(Trace.id)))
    for value in ("", "pas une date", "2026-13-45"):
        response = post_form(lea, "/ce-que-vous-avez-manque/lu", {"seen_until": value})
        assert response.status_code == 303
        page = home(lea)
        assert "La page ne dit pas jusqu’où vous avez lu" in page
        assert section(page)  # still there
    ack = socket_for(lea).command("mark_caught_up", {"seen_until": 12})
    assert ack["ok"] is False and ack["error"] == "invalid_field"
    assert db.session.scalar(select(func.count(Trace.id))) == before
    db.session.expire_all()
    assert db.session.get(Member, away.lea.id).caught_up_at is None


def test_a_mark_never_goes_back_nor_into_the_future(app, away):
    lea = db.session.get(Member, away.lea.id)
    assert catchup.clean_seen_until("2999-01-01T00:00:00") <= utcnow()
    assert catchup.clean_seen_until("2026-01-09T11:00:00+01:00").hour == 10
    mark = catchup.missed_for(lea).seen_until
    catchup.mark_caught_up(lea, mark.isoformat())
    catchup.mark_caught_up(db.session.get(Member, lea.id), "2000-01-01T00:00:00")  # an old page
    db.session.expire_all()
    assert db.session.get(Member, lea.id).caught_up_at == mark


# -- wording, caps and cost -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ([date(2026, 11, 13), date(2026, 11, 20), date(2026, 11, 27)], "13, 20 et 27 novembre"),
        (
            [date(2026, 10, 30), date(2026, 11, 6), date(2026, 11, 13)],
            "30 octobre, 6 et 13 novembre",
        ),
        ([date(2026, 5, 1), date(2026, 5, 8)], "1er et 8 mai"),
        ([date(2026, 12, 25), date(2027, 1, 1)], "25 décembre 2026 et 1er janvier 2027"),
    ],
)
def test_missed_fridays_read_as_a_french_list(app, days, expected):
    with app.test_request_context():
        assert days_list(days, today=date(2026, 12, 1)) == expected


def test_one_missed_friday_is_said_in_the_singular_and_many_as_a_range(app):
    with app.test_request_context():
        one = SimpleNamespace(days=[date(2026, 11, 13)], days_total=1)
        assert plain(missed_days_sentence(one, date(2026, 11, 30))) == (
            "Vous avez manqué le vendredi 13 novembre."
        )
        many = SimpleNamespace(
            days=[date(2026, 9, 4)] * catchup.DAYS_LISTED,
            days_total=12,
            first_day=date(2026, 9, 4),
            last_missed_day=date(2026, 11, 20),
        )
        assert plain(missed_days_sentence(many)) == (
            "Vous avez manqué 12 vendredis, du vendredi 4 septembre 2026 au vendredi "
            "20 novembre 2026."
        )


def count_statements(fn):
    seen = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        result = fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    return result, len(seen)


def test_lists_are_capped_and_read_in_a_fixed_number_of_statements(app, away):
    lea = db.session.get(Member, away.lea.id)
    lea.caught_up_at  # noqa: B018 (loaded before counting)
    _missed, few = count_statements(lambda: catchup.missed_for(lea))
    assert few <= 5
    many = [f"Décision de la série n° {n}." for n in range(12)]
    f5 = hold_friday(
        away.camille, away.live_friday, away.days[3] + timedelta(days=7), "Série", many
    )
    today = dates.today_in_place().isoformat()
    for n in range(12):
        decisions.add_action(away.camille, f5.meeting.id, f"Tâche {n}", away.lea.id, today)
    close(away.camille, f5)
    db.session.expire_all()
    lea = db.session.get(Member, away.lea.id)
    lea.caught_up_at  # noqa: B018
    missed, more = count_statements(lambda: catchup.missed_for(lea))
    assert more == few  # no statement per decision, action or Friday
    assert (len(missed.decisions), missed.decisions_total) == (catchup.DECISIONS_SHOWN, 15)
    assert (len(missed.actions), missed.actions_total) == (catchup.ACTIONS_SHOWN, 14)
    found = section(home(client_of(app, away.lea)))
    assert "15 décisions" in found and "et 5 autres — " in found
    assert "14 actions pour vous" in found and "et 4 autres" in found
    # Newest first: the first Fridays' decisions are the ones left to the register.
    assert f'href="/decisions/{away.fridays[1].decisions[0].number}"' not in found


def test_nothing_is_read_for_who_is_not_a_member(app, away):
    _result, statements = count_statements(lambda: catchup.missed_for(None))
    assert _result is None and statements == 0


def test_in_english_the_section_speaks_english(app, away):
    lea = client_of(app, away.lea)
    post_form(lea, "/langue", {"lang": "en"})
    found = section(home(lea))
    assert "What you missed" in found and "the last lunch you attended" in found
    assert "You missed 3 Fridays: " in found and " and " in found.split("Fridays: ")[1]
    assert "2 actions for you" in found and "Mark as read" in found
    assert "Vous avez manqué" not in found
