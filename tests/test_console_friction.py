"""Friction at the table, on the console: attendance with a state you can see, "Tout le monde
est là", phones that follow proposed as present, the decision form prefilled from the round it
follows, and every refusal shown beside the form (or field) that caused it."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from meeting import realtime
from meeting.decisions import services as decisions
from meeting.errors import Conflict, Forbidden, ServiceError, field_errors
from meeting.extensions import db
from meeting.live import services as agenda
from meeting.meetings import dates
from meeting.models import Attendance, Decision, Meeting, Trace
from meeting.traces.sentences import sentence
from tests.conftest import post_form, sign_in


@pytest.fixture
def facilitator(make_member):
    return make_member(role="facilitator", name="Camille")


@pytest.fixture
def people(make_member):
    return {name: make_member(name=name) for name in ("Inès", "Marc", "Théo")}


@pytest.fixture
def console(app, facilitator):
    """The facilitator's browser: an HTTP client signed in."""
    client = app.test_client()
    sign_in(client, facilitator)
    return client


def plain(text):
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def day_of(meeting):
    return meeting.scheduled_for.isoformat()


def console_page(client, meeting):
    response = client.get(f"/vendredi/{day_of(meeting)}/animation")
    assert response.status_code == 200
    return plain(response.get_data(as_text=True))


def console_post(client, meeting, data):
    response = post_form(
        client, f"/vendredi/{day_of(meeting)}/animation", data, follow_redirects=True
    )
    assert response.status_code == 200
    return plain(response.get_data(as_text=True))


def form_with(text, marker):
    """The <form>…</form> of the page that holds `marker`."""
    for form in re.findall(r"<form\b.*?</form>", text, flags=re.DOTALL):
        if marker in form:
            return form
    raise AssertionError(f"no form holds {marker!r}")


def pressed(form):
    """The labels of the pressed toggle buttons of a form."""
    return [
        re.sub(r"<[^>]+>|✓", "", label).split("—")[0].strip()
        for label in re.findall(r'<button[^>]*aria-pressed="true"[^>]*>(.*?)</button>', form)
    ]


def statuses(meeting):
    db.session.rollback()
    return {a.name: a.status for a in agenda.attendance(meeting.id)}


def traces(verb):
    db.session.rollback()
    return db.session.scalars(select(Trace).where(Trace.verb == verb)).all()


def in_days(n):
    return (dates.today_in_place() + timedelta(days=n)).isoformat()


# -- attendance --------------------------------------------------------------------------------


def test_attendance_buttons_say_the_state_and_one_click_changes_it(
    live_friday, facilitator, people, console
):
    meeting = live_friday(facilitator, topics=(), started=False).meeting
    ines = people["Inès"]
    marker = f'name="member_id" value="{ines.id}"'
    form = form_with(console_page(console, meeting), marker)
    assert pressed(form) == [] and "Inès : <strong" in form and "non indiqué·e" in form

    text = console_post(
        console, meeting, {"op": "attendance", "member_id": ines.id, "status": "present"}
    )
    form = form_with(text, marker)
    assert pressed(form) == ["Présent·e"] and "présent·e</strong>" in form
    assert '<span aria-hidden="true">✓ </span>Présent·e' in form  # a visible mark too
    # the pressed button unsets; the other one switches
    assert re.search(r'value=""\s+aria-pressed="true"', form)
    text = console_post(
        console, meeting, {"op": "attendance", "member_id": ines.id, "status": "excused"}
    )
    assert pressed(form_with(text, marker)) == ["Excusé·e"]
    text = console_post(console, meeting, {"op": "attendance", "member_id": ines.id, "status": ""})
    assert pressed(form_with(text, marker)) == []
    assert "Inès" not in statuses(meeting)


def test_a_presence_counted_in_a_decision_cannot_be_unset(live_friday, facilitator, people):
    friday = live_friday(facilitator, ("Chauffage",), author=people["Théo"])
    meeting = friday.meeting
    agenda.set_attendance(facilitator, meeting.id, people["Inès"].id, "present")
    decision = decisions.record_decision(facilitator, meeting.id, "On garde.", "information")
    with pytest.raises(Conflict) as refused:
        agenda.set_attendance(facilitator, meeting.id, people["Inès"].id, None)
    assert plain(refused.value.message) == (
        "La présence d’Inès compte déjà dans une décision, un tour ou la file de parole : elle "
        "reste indiquée (choisissez « Excusé·e » en cas de départ)."
    )
    assert statuses(meeting)["Inès"] == "present"
    assert "Inès" in decisions.present_names(db.session.get(Decision, decision.id))
    # leaving is still said: excused, the row (and the decision's list) kept
    agenda.set_attendance(facilitator, meeting.id, people["Inès"].id, "excused")
    assert "Inès" in decisions.present_names(db.session.get(Decision, decision.id))
    # someone counted nowhere can go back to "non indiqué·e"
    agenda.set_attendance(facilitator, meeting.id, people["Marc"].id, "present")
    agenda.set_attendance(facilitator, meeting.id, people["Marc"].id, None)
    assert "Marc" not in statuses(meeting)


def test_everyone_present_marks_every_member_not_excused_in_one_trace(
    live_friday, facilitator, people, console, app
):
    meeting = live_friday(facilitator, topics=(), started=False).meeting
    agenda.set_attendance(facilitator, meeting.id, people["Inès"].id, "excused")
    before = len(traces("attendance_marked_present"))
    text = console_post(console, meeting, {"op": "everyone_present"})
    assert statuses(meeting) == {
        "Inès": "excused",
        "Camille": "present",
        "Marc": "present",
        "Théo": "present",
    }
    (trace,) = traces("attendance_marked_present")[before:]
    assert trace.data["count"] == 3 and "Inès" not in str(trace.data)  # ids, never names
    assert len(traces("attendance_set")) == 1  # Inès's excuse only: one trace, not N
    # the trace feed says it in a sentence, with the names read at display time
    with app.test_request_context("/"):
        said = sentence(trace)
    assert said.startswith(f"{facilitator.display_name} a marqué 3 personnes présentes le ")
    assert all(name in said for name in ("Camille", "Marc", "Théo")) and "Inès" not in said
    assert pressed(form_with(text, f'name="member_id" value="{people["Marc"].id}"')) == [
        "Présent·e"
    ]
    # nothing left to mark: said beside the button, not at the top of the page
    text = console_post(console, meeting, {"op": "everyone_present"})
    form = form_with(text, 'value="everyone_present"')
    assert "Chaque personne a déjà sa présence indiquée : rien à changer." in form
    assert "flash-error" not in text


def test_only_who_runs_the_console_marks_everyone_present(
    live_friday, facilitator, people, app, make_member
):
    meeting = live_friday(facilitator, topics=(), started=False).meeting
    with pytest.raises(Forbidden):
        agenda.mark_present(people["Théo"], meeting.id)
    scribe = make_member(name="Sacha")
    agenda.assign_role(facilitator, meeting.id, "scribe", scribe.id)
    with pytest.raises(Forbidden):
        agenda.mark_present(scribe, meeting.id)
    client = app.test_client()
    sign_in(client, scribe)  # the scribe opens the console, the form is refused
    text = console_post(client, meeting, {"op": "everyone_present"})
    assert "Seule l’animation de la réunion peut faire cela." in text
    assert statuses(meeting) == {}
    member = app.test_client()
    sign_in(member, people["Marc"])
    response = post_form(
        member, f"/vendredi/{day_of(meeting)}/animation", {"op": "everyone_present"}
    )
    assert response.status_code == 403 and statuses(meeting) == {}


def test_phones_that_follow_are_proposed_as_present(
    live_friday, facilitator, people, console, app, socket_for
):
    meeting = live_friday(facilitator, ("Chauffage",), author=people["Théo"]).meeting
    phones = {}
    for name in ("Inès", "Marc"):
        http = app.test_client()
        sign_in(http, people[name])
        phones[name] = socket_for(http)
        ack = phones[name].command("join_live", {"meeting_id": meeting.id, "view": "phone"})
        assert ack["ok"] is True
    screen = socket_for(console)  # the projector is no phone
    assert screen.command("join_live", {"meeting_id": meeting.id, "view": "screen"})["ok"]
    agenda.set_attendance(facilitator, meeting.id, people["Marc"].id, "excused")

    text = console_page(console, meeting)
    form = form_with(text, 'value="followers_present"')
    assert "Suit sur son téléphone : Inès —" in form  # Marc is said (excused) already
    assert f'name="member_id" value="{people["Inès"].id}"' in form
    assert "Camille" not in form and "Théo" not in form

    phones["Marc"].disconnect()
    agenda.set_attendance(facilitator, meeting.id, people["Marc"].id, None)
    assert "Marc" not in form_with(console_page(console, meeting), 'value="followers_present"')

    before = len(traces("attendance_marked_present"))
    text = console_post(
        console, meeting, {"op": "followers_present", "member_id": str(people["Inès"].id)}
    )
    assert statuses(meeting)["Inès"] == "present"
    assert "Marc" not in statuses(meeting)  # only those proposed
    assert len(traces("attendance_marked_present")) == before + 1
    assert 'value="followers_present"' not in text  # nobody left to propose


def test_a_phone_that_joins_is_proposed_on_the_open_console_at_once(
    live_friday, facilitator, people, console, app, socket_for
):
    meeting = live_friday(facilitator, ("Chauffage",), author=people["Théo"]).meeting
    desk = socket_for(console)
    assert desk.command("join_live", {"meeting_id": meeting.id, "view": "console"})["ok"]
    screen = socket_for(console)
    assert screen.command("join_live", {"meeting_id": meeting.id, "view": "screen"})["ok"]
    http = app.test_client()
    sign_in(http, people["Inès"])
    phone = socket_for(http)
    assert phone.command("join_live", {"meeting_id": meeting.id, "view": "phone"})["ok"]
    assert realtime.wait_for_soon_facts()
    ((fact,),) = [record["args"] for record in desk.facts("followers_changed")]
    assert fact["meeting_id"] == meeting.id
    assert "Suit sur son téléphone\u00a0: Inès —" in fact["html"]
    assert f'name="member_id" value="{people["Inès"].id}"' in fact["html"]
    assert 'name="csrf_token" value=""' in fact["html"]  # the console puts its own token in
    # names are for the console only: neither the screen nor the phones get it
    assert screen.facts("followers_changed") == [] and phone.facts("followers_changed") == []


# -- the decision form follows the round ------------------------------------------------------


@pytest.fixture
def on_heating(live_friday, facilitator, people):
    """A live Friday on its point "Chauffage", with a consent round open on it."""
    friday = live_friday(facilitator, ("Chauffage", "Jardin"), author=people["Théo"])
    meeting = friday.meeting
    agenda.advance(facilitator, meeting.id, meeting.live_revision)
    round_ = agenda.start_round(facilitator, meeting.id, "consent", "Appeler un chauffagiste")
    return meeting, round_


def textarea(text, name):
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', text, flags=re.DOTALL)
    assert match, name
    return match.group(1)


def test_the_decision_form_takes_the_rounds_objections_and_how_they_were_lifted(
    on_heating, facilitator, people, console
):
    meeting, round_ = on_heating
    agenda.answer_round(people["Théo"], round_.id, "object", "Trop cher")
    agenda.answer_round(people["Inès"], round_.id, "object", "Demander deux devis")
    agenda.answer_round(people["Théo"], round_.id, "for")  # his objection lifted
    agenda.answer_round(people["Marc"], round_.id, "abstain")
    agenda.close_round(facilitator, round_.id)

    form = form_with(console_page(console, meeting), 'value="record_decision"')
    assert "D’après le tour : « Appeler un chauffagiste »" in form
    assert f'name="round_id" value="{round_.id}"' in form
    assert textarea(form, "objections") == "Théo : Trop cher\nInès : Demander deux devis"
    assert textarea(form, "objections_lifted") == "Théo : répond maintenant « pour »"
    assert '<option value="consent" selected>' in form
    # the round's results do not forget the objection either
    assert agenda.round_results(round_)["objections"] == [
        {"name": "Inès", "reason": "Demander deux devis"}
    ]


def test_a_vote_prefills_the_mode_and_no_round_names_none(
    live_friday, facilitator, people, console
):
    friday = live_friday(facilitator, ("Fête", "Jardin"), author=people["Théo"])
    meeting = friday.meeting
    agenda.advance(facilitator, meeting.id, meeting.live_revision)
    form = form_with(console_page(console, meeting), 'value="record_decision"')
    assert 'name="round_id"' not in form and "D’après le tour" not in form
    assert textarea(form, "objections") == ""
    agenda.start_round(facilitator, meeting.id, "vote", "Quel jour ?", ["Samedi", "Dimanche"])
    form = form_with(console_page(console, meeting), 'value="record_decision"')
    assert '<option value="vote" selected>' in form and "« Quel jour ? »" in form


def test_record_decision_takes_the_round_it_follows_and_refuses_another_points(
    on_heating, facilitator, people
):
    meeting, heating_round = on_heating
    agenda.answer_round(people["Théo"], heating_round.id, "for")
    agenda.close_round(facilitator, heating_round.id)
    decision = decisions.record_decision(
        facilitator, meeting.id, "On appelle.", "consent", round_id=heating_round.id
    )
    assert decision.round_id == heating_round.id
    assert decision.result["counts"]["for"] == {"members": 1, "guests": 0}

    db.session.refresh(meeting)
    agenda.advance(facilitator, meeting.id, meeting.live_revision)  # on "Jardin" now
    count = db.session.scalar(select(func.count(Decision.id)))
    with pytest.raises(ServiceError) as refused:
        decisions.record_decision(
            facilitator, meeting.id, "On plante.", "information", round_id=heating_round.id
        )
    assert refused.value.code == "wrong_round"
    assert {k: plain(v) for k, v in field_errors(refused.value).items()} == {
        "round_id": "Ce tour ne porte pas sur le point en cours : la décision ne peut pas "
        "s’y rapporter."
    }
    with pytest.raises(ServiceError):
        decisions.record_decision(
            facilitator, meeting.id, "On plante.", "information", round_id=999
        )
    assert db.session.scalar(select(func.count(Decision.id))) == count


# -- refusals where the person acts -------------------------------------------------------------


def test_the_acks_of_decisions_and_actions_name_their_fields(
    on_heating, facilitator, console, socket_for
):
    meeting, _round = on_heating
    sock = socket_for(console)
    assert sock.command("join_live", {"meeting_id": meeting.id, "view": "console"})["ok"]
    ack = sock.command(
        "record_decision", {"meeting_id": meeting.id, "statement": " ", "mode": "unanime"}
    )
    assert ack["ok"] is False and ack["error"] == "invalid_fields"
    assert ack["fields"] == {
        "statement": "Écrivez la décision avant de l’enregistrer.",
        "mode": "Mode de décision inconnu.",
    }
    ack = sock.command(
        "add_action",
        {
            "meeting_id": meeting.id,
            "label": "Appeler",
            "owner_id": facilitator.id,
            "due_on": in_days(-1),
        },
    )
    assert ack["ok"] is False and ack["field"] == "due_on"
    assert plain(ack["message"]) == "L’échéance ne peut pas être dans le passé."
    ack = sock.command("add_action", {"meeting_id": meeting.id, "label": "", "due_on": ""})
    assert set(ack["fields"]) == {"label", "owner_id", "due_on"}
    assert not any("owner_id" in message for message in ack["fields"].values())


def test_a_refused_console_form_says_why_beside_itself_with_what_was_typed(
    on_heating, facilitator, console
):
    meeting, _round = on_heating
    text = console_post(
        console,
        meeting,
        {
            "op": "add_action",
            "label": "Acheter du savon",
            "owner_id": str(facilitator.id),
            "due_on": in_days(-3),
        },
    )
    assert "flash-error" not in text  # not at the top of the page
    form = form_with(text, 'value="add_action"')
    assert 'value="Acheter du savon"' in form  # what was typed is kept
    assert f'<option value="{facilitator.id}" selected>' in form
    assert re.search(
        r'id="action-due"[^>]*value="' + in_days(-3) + r'"[^>]*aria-invalid="true" '
        r'aria-describedby="error-due_on"',
        form,
    )
    assert (
        '<span class="field-error" id="error-due_on">L’échéance ne peut pas être dans le passé.'
        in form
    )
    # read once: the next visit shows a clean form
    form = form_with(console_page(console, meeting), 'value="add_action"')
    assert "field-error" not in form and "Acheter du savon" not in form

    text = console_post(
        console,
        meeting,
        {"op": "record_decision", "statement": "", "mode": "consent", "objections": "Trop cher"},
    )
    form = form_with(text, 'value="record_decision"')
    assert 'id="error-statement">Écrivez la décision avant de l’enregistrer.' in form
    assert 'aria-describedby="error-objections_lifted"' in form
    assert textarea(form, "objections") == "Trop cher"


def test_a_long_refused_text_is_given_back_whole_without_the_session_cookie(
    on_heating, facilitator, console
):
    meeting, _round = on_heating
    statement = "On garde le chauffage actuel. " * 120  # ~3,600 characters: too much for a cookie
    response = post_form(
        console,
        f"/vendredi/{day_of(meeting)}/animation",
        {"op": "record_decision", "statement": statement, "mode": "consent", "objections": "X"},
    )
    assert response.status_code == 400  # drawn at once, not through a redirect
    assert "console_error" not in response.headers.get("Set-Cookie", "")
    form = form_with(plain(response.get_data(as_text=True)), 'value="record_decision"')
    assert textarea(form, "statement").strip() == statement.strip()  # nothing lost
    assert 'aria-describedby="error-objections_lifted"' in form
    assert db.session.scalar(select(func.count()).select_from(Decision)) == 0


def test_a_refusal_without_a_field_shows_beside_the_button_of_its_form(
    live_friday, facilitator, people, console
):
    meeting = live_friday(facilitator, topics=(), started=False).meeting
    text = console_post(console, meeting, {"op": "add_item", "title": " ", "timebox_minutes": "25"})
    form = form_with(text, 'value="add_item"')
    assert 'class="form-error" role="alert"' in form and "flash-error" not in text
    assert (
        'id="free-timebox" name="timebox_minutes" type="number" min="1" max="180" value="25"'
        in form
    )
    # the role forms: the one posted says it, the others stay quiet
    text = console_post(
        console, meeting, {"op": "assign_role", "role": "scribe", "member_id": "999"}
    )
    assert "Choisissez une personne." in form_with(text, 'name="role" value="scribe"')
    assert "Choisissez une personne." not in form_with(text, 'name="role" value="timekeeper"')
    # a command this page draws no form for still says why, at the top
    text = console_post(console, meeting, {"op": "pirate"})
    assert "Action inconnue." in text and "flash-error" in text


# -- starting and after the close -------------------------------------------------------------


def test_starting_asks_first_and_a_closed_console_has_no_live_controls(
    live_friday, facilitator, people, console
):
    friday = live_friday(facilitator, ("Chauffage",), author=people["Théo"], started=False)
    meeting = friday.meeting
    start = form_with(console_page(console, meeting), 'name="op" value="start"')
    assert 'data-confirm="Commencer la réunion ?' in start
    console_post(console, meeting, {"op": "start"})
    text = console_page(console, meeting)
    assert "Tout le monde est là" in text and "Clore la réunion" in text
    console_post(console, meeting, {"op": "close"})
    db.session.rollback()
    assert db.session.get(Meeting, meeting.id).status == "closed"
    text = console_page(console, meeting)
    for gone in (
        'value="close"',
        'value="attendance"',
        'value="everyone_present"',
        'value="record_decision"',
        "Ouvrir l’écran à projeter",
    ):
        assert gone not in text, gone
    assert db.session.scalar(select(func.count(Attendance.id))) >= 1  # the opener, kept
