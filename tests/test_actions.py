""" "Mes actions" after Friday: each member's actions by section, everyone's, marking one done
or reopening it (owner only, traced, seen live in the members-only `actions` room, also as a
plain form post), and the daily reminder e-mail `flask remind-actions`."""

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from meeting.actions import services
from meeting.decisions import services as decisions
from meeting.errors import Conflict, Forbidden
from meeting.extensions import db
from meeting.live import services as agenda
from meeting.meetings import dates
from meeting.models import Action, ActionReminder, Trace
from meeting.models.base import utcnow
from tests.conftest import free_port, post_form, sign_in

NBSP = "\u00a0"


def text_of(response):
    return response.get_data(as_text=True)


def plain(text):
    return text.replace(NBSP, " ").replace("\u202f", " ")


def reload(action_id):
    db.session.rollback()  # what the requests committed
    return db.session.get(Action, action_id)


def traces(verb):
    db.session.rollback()
    return db.session.scalars(select(Trace).where(Trace.verb == verb)).all()


def section_html(page, key):
    """The HTML of one section (`overdue`, `todo`, `done`) of an actions page."""
    match = re.search(rf'<section[^>]* id="section-{key}".*?</section>', page, re.DOTALL)
    assert match, f"no section {key}"
    return match.group(0)


@pytest.fixture
def config_overrides(mail_config):
    return mail_config


@pytest.fixture
def world(live_friday, make_member):
    """A closed Friday that decided « On sème dimanche » (n° 1) with three actions: Alice buys
    seeds (due in 5 days) and calls the plumber (due 3 days ago: overdue), Bruno waters the
    garden (due in 2 days)."""
    camille = make_member(role="facilitator", name="Camille")
    alice = make_member(name="Alice", email="alice@le97.example")
    bruno = make_member(name="Bruno", email="bruno@le97.example")
    friday = live_friday(camille, ["Jardin"], author=alice)
    mid = friday.meeting.id
    db.session.refresh(friday.meeting)
    agenda.advance(camille, mid, friday.meeting.live_revision)
    garden = decisions.record_decision(camille, mid, "On sème **dimanche**.", "information")
    today = dates.today_in_place()

    def add(label, owner, days):
        due = (today + timedelta(days=max(days, 0))).isoformat()
        return decisions.add_action(camille, mid, label, owner.id, due, garden.id)

    seeds = add("Acheter des graines", alice, 5)
    plumber = add("Appeler le plombier", alice, 0)
    water = add("Arroser le potager", bruno, 2)
    agenda.close_live(camille, mid)
    plumber.due_on = today - timedelta(days=3)  # recorded on time, not done since
    db.session.commit()
    return SimpleNamespace(
        camille=camille,
        alice=alice,
        bruno=bruno,
        friday=friday.meeting,
        garden=garden,
        seeds=seeds,
        plumber=plumber,
        water=water,
        today=today,
    )


@pytest.fixture
def alice_client(app, world):
    client = app.test_client()
    sign_in(client, world.alice)
    return client


@pytest.fixture
def bruno_client(app, world):
    client = app.test_client()
    sign_in(client, world.bruno)
    return client


# -- the words -----------------------------------------------------------------------------


def test_due_dates_and_delays_read_in_french(app, world):
    action = Action(label="x", owner_id=1, due_on=date(2026, 12, 11), status="open")
    assert services.due_text(action) == "pour le vendredi 11 décembre 2026"
    today = date(2026, 12, 11)
    cases = {-3: "en retard de 3 jours", -1: "en retard d’un jour", 0: "à faire aujourd’hui"}
    cases.update({1: "à faire demain", 5: "dans 5 jours"})
    for days, said in cases.items():
        action.due_on = today + timedelta(days=days)
        assert services.when_text(action, today) == said
    assert services.count_text(0) == "Aucune action à faire"
    assert services.count_text(1) == "1 action à faire"
    assert services.count_text(3) == "3 actions à faire"


# -- the lists -----------------------------------------------------------------------------


def test_my_actions_are_grouped_overdue_to_do_and_done(app, world):
    services.complete_action(world.alice, world.seeds.id)
    lists = services.my_actions(world.alice)
    assert [a.label for a in lists.sections["overdue"]] == ["Appeler le plombier"]
    assert lists.sections["todo"] == []
    assert [a.label for a in lists.sections["done"]] == ["Acheter des graines"]
    assert lists.open_count == 1
    everyone = services.everyone_actions(world.bruno)
    assert [a.label for a in everyone.sections["overdue"]] == ["Appeler le plombier"]
    assert [a.label for a in everyone.sections["todo"]] == ["Arroser le potager"]
    assert [a.label for a in everyone.sections["done"]] == ["Acheter des graines"]


def test_my_actions_page_shows_each_action_with_its_date_friday_and_decision(alice_client, world):
    page = plain(text_of(alice_client.get("/actions/")))
    assert re.search(r"<title>2 actions à faire · Mes actions", page)
    assert re.search(
        r"<h1>Mes actions <span[^>]*>· <span id=\"actions-count\">2 actions à faire", page
    )
    overdue, todo = section_html(page, "overdue"), section_html(page, "todo")
    assert "Appeler le plombier" in overdue and "en retard de 3 jours" in overdue
    assert "Acheter des graines" in todo and "dans 5 jours" in todo
    seeds_due = (world.today + timedelta(days=5)).isoformat()
    assert f'<time datetime="{seeds_due}">pour le ' in todo
    assert f'href="/decisions/{world.garden.number}"' in todo
    assert f"Décision n° {world.garden.number}" in todo
    day = world.friday.scheduled_for.isoformat()
    assert f'href="/vendredi/{day}/"' in todo and "Jardin" in todo
    assert "Arroser le potager" not in page  # Bruno's
    assert "Aucune action faite pour l’instant." in section_html(page, "done")
    assert page.count("Marquer faite") == 2
    assert page.count("<h1") == 1


def test_everyone_page_names_the_owners_and_offers_only_my_buttons(bruno_client, world):
    services.complete_action(world.alice, world.seeds.id)
    page = plain(text_of(bruno_client.get("/actions/?qui=tous")))
    assert "<title>2 actions à faire · Les actions de tout le monde" in page
    assert "Alice" in section_html(page, "overdue") and "Appeler le plombier" in page
    todo = section_html(page, "todo")
    assert "Bruno" in todo and "Arroser le potager" in todo
    assert "Acheter des graines" in section_html(page, "done")
    assert page.count("Marquer faite") == 1  # his own action only
    assert f'data-owner-id="{world.bruno.id}"' in page
    assert f'data-owner-id="{world.alice.id}"' not in page
    assert "@le97.example" not in page  # no e-mail address on the page


def test_only_the_last_fifty_done_actions_then_see_them_all(alice_client, world):
    now = utcnow()
    for n in range(51):
        db.session.add(
            Action(
                meeting_id=world.friday.id,
                label=f"Tâche {n}",
                owner_id=world.alice.id,
                due_on=world.today,
                status="done",
                done_at=now - timedelta(hours=n),
                done_by_id=world.alice.id,
            )
        )
    db.session.commit()
    page = plain(text_of(alice_client.get("/actions/")))
    done = section_html(page, "done")
    assert done.count('class="action-row action-') == 50
    assert done.index("Tâche 0<") < done.index("Tâche 1<")  # most recent first
    assert "Tâche 50<" not in done
    assert 'href="/actions/?faites=toutes"' in done and "Voir toutes vos 51 actions faites" in done
    everything = section_html(plain(text_of(alice_client.get("/actions/?faites=toutes"))), "done")
    assert everything.count('class="action-row action-') == 51


def test_anonymous_signs_in_and_a_guest_is_refused(app, world, live_friday):
    anonymous = app.test_client()
    for url in ("/actions/", "/actions/?qui=tous"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    response = post_form(anonymous, f"/actions/{world.seeds.id}", {"op": "complete_action"})
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    friday = live_friday(world.camille, ["Cuisine"], day=world.friday.scheduled_for + timedelta(7))
    guest = friday.guest("Ana")
    for url in ("/actions/", "/actions/?qui=tous"):
        response = guest.get(url)
        assert response.status_code == 403
        assert "Acheter des graines" not in text_of(response)
        assert "Vous n’avez pas le droit de voir cette page." in text_of(response)
    response = post_form(guest, f"/actions/{world.seeds.id}", {"op": "complete_action"})
    assert response.status_code == 403
    assert reload(world.seeds.id).status == "open"


# -- marking done, reopening (services) -----------------------------------------------------


def test_the_owner_marks_an_action_done_and_it_is_traced(app, world):
    services.complete_action(world.alice, world.seeds.id)
    action = reload(world.seeds.id)
    assert action.status == "done" and action.done_by_id == world.alice.id
    assert action.done_at is not None
    (trace,) = traces("action_completed")
    assert trace.actor_id == world.alice.id and trace.subject_id == action.id
    assert trace.meeting_id == world.friday.id
    assert trace.data["owner_id"] == world.alice.id
    assert trace.data["label"] == "Acheter des graines"
    assert "Alice" not in str(trace.data)  # ids, never names


def test_marking_someone_elses_action_done_is_refused_and_changes_nothing(app, world):
    before = len(traces("action_completed"))
    with pytest.raises(Forbidden) as refused:
        services.complete_action(world.bruno, world.seeds.id)
    assert refused.value.message == (
        "Seule la personne qui s’est engagée à faire cette action peut la marquer faite."
    )
    with pytest.raises(Forbidden):
        services.complete_action(world.camille, world.seeds.id)  # a facilitator neither
    action = reload(world.seeds.id)
    assert action.status == "open" and action.done_at is None and action.done_by_id is None
    assert len(traces("action_completed")) == before


def test_an_action_already_done_says_so(app, world):
    services.complete_action(world.alice, world.seeds.id)
    with pytest.raises(Conflict) as conflict:
        services.complete_action(world.alice, world.seeds.id)
    assert conflict.value.message == "Cette action est déjà marquée faite."
    assert conflict.value.code == "already_done"
    assert len(traces("action_completed")) == 1


def test_the_owner_reopens_an_action_done_by_mistake(app, world):
    with pytest.raises(Conflict) as conflict:
        services.reopen_action(world.alice, world.seeds.id)
    assert plain(conflict.value.message) == "Cette action est déjà à faire : rien à rouvrir."
    services.complete_action(world.alice, world.seeds.id)
    with pytest.raises(Forbidden):
        services.reopen_action(world.bruno, world.seeds.id)
    services.reopen_action(world.alice, world.seeds.id)
    action = reload(world.seeds.id)
    assert (action.status, action.done_at, action.done_by_id) == ("open", None, None)
    (trace,) = traces("action_reopened")
    assert trace.data["owner_id"] == world.alice.id


# -- the form door (without JavaScript) ------------------------------------------------------


def test_marking_done_by_a_form_post_redirects_back_with_a_french_message(alice_client, world):
    response = post_form(alice_client, f"/actions/{world.seeds.id}", {"op": "complete_action"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/actions/#action-{world.seeds.id}")
    page = plain(text_of(alice_client.get(response.headers["Location"])))
    assert "flash-success" in page and "« Acheter des graines » est marquée faite." in page
    assert "Acheter des graines" in section_html(page, "done")
    assert "1 action à faire" in page
    assert reload(world.seeds.id).status == "done"
    response = post_form(alice_client, f"/actions/{world.seeds.id}", {"op": "complete_action"})
    assert "Cette action est déjà marquée faite." in plain(
        text_of(alice_client.get(response.headers["Location"]))
    )
    response = post_form(
        alice_client, f"/actions/{world.seeds.id}", {"op": "reopen_action", "qui": "tous"}
    )
    assert response.headers["Location"].endswith(f"/actions/?qui=tous#action-{world.seeds.id}")
    assert "est de nouveau à faire" in plain(
        text_of(alice_client.get(response.headers["Location"]))
    )
    assert reload(world.seeds.id).status == "open"


def test_a_form_post_on_someone_elses_action_is_refused_and_changes_nothing(bruno_client, world):
    response = post_form(bruno_client, f"/actions/{world.seeds.id}", {"op": "complete_action"})
    assert response.status_code == 303
    page = plain(text_of(bruno_client.get(response.headers["Location"])))
    assert "flash-error" in page
    assert "Seule la personne qui s’est engagée à faire cette action peut la marquer faite." in page
    assert reload(world.seeds.id).status == "open"
    assert traces("action_completed") == []


@pytest.mark.parametrize("op", ["", "pirate", "add_entry"])
def test_a_form_naming_another_command_changes_nothing(alice_client, world, op):
    response = post_form(alice_client, f"/actions/{world.seeds.id}", {"op": op})
    assert response.status_code in (303, 400)
    assert reload(world.seeds.id).status == "open"


def test_an_unknown_action_is_a_french_refusal(alice_client, world):
    response = post_form(alice_client, "/actions/999999", {"op": "complete_action"})
    assert response.status_code == 303
    assert "Cette action n’existe pas." in plain(
        text_of(alice_client.get(response.headers["Location"]))
    )


# -- live: the `actions` room ---------------------------------------------------------------


def test_marking_done_over_the_socket_is_seen_live_by_members_only(
    app, world, alice_client, bruno_client, socket_for, live_friday
):
    alice = socket_for(alice_client)
    bruno = socket_for(bruno_client)
    assert alice.command("sync_actions", {"view": "mine"})["ok"]
    synced = bruno.command("sync_actions", {"view": "everyone"})
    assert synced["ok"] and "Arroser le potager" in synced["html"]
    assert plain(synced["count"]) == "3 actions à faire"
    # a guest of a live Friday and an anonymous page cannot join the room
    friday = live_friday(world.camille, ["Cuisine"], day=world.friday.scheduled_for + timedelta(7))
    guest = socket_for(friday.guest("Ana"))
    refused = guest.command("sync_actions", {"view": "everyone"})
    assert (refused["ok"], refused["error"]) == (False, "forbidden")
    assert refused["message"] == "Cette action est réservée aux membres."
    anonymous = socket_for(None)
    refused = anonymous.command("sync_actions", {"view": "mine"})
    assert (refused["ok"], refused["error"]) == (False, "not_signed_in")
    for sock in (alice, bruno, guest, anonymous):
        sock.facts()  # forget what came before

    ack = alice.command("complete_action", {"action_id": world.seeds.id})
    assert ack["ok"], ack
    assert ack["fact"]["status"] == "done" and ack["fact"]["section"] == "done"
    assert reload(world.seeds.id).status == "done"

    (fact,) = bruno.facts("action_changed")
    data = fact["args"][0]
    assert data["action_id"] == world.seeds.id and data["owner_id"] == world.alice.id
    assert data["status"] == "done" and data["section"] == "done"
    assert "Acheter des graines" in data["html_everyone"] and "Alice" in data["html_everyone"]
    assert "Rouvrir" in data["html_mine"] and "Marquer faite" not in data["html_mine"]
    assert 'name="csrf_token" value=""' in data["html_mine"]  # no sender's token
    assert plain(data["count_mine"]) == "1 action à faire"
    assert plain(data["count_everyone"]) == "2 actions à faire"
    assert "@le97.example" not in str(data)
    assert len(alice.facts("action_changed")) == 1
    assert guest.facts("action_changed") == [] and anonymous.facts("action_changed") == []

    ack = alice.command("reopen_action", {"action_id": world.seeds.id})
    assert ack["ok"] and ack["fact"]["section"] == "todo"
    (fact,) = bruno.facts("action_changed")
    assert fact["args"][0]["status"] == "open"
    assert guest.facts("action_changed") == [] and anonymous.facts("action_changed") == []


def test_a_socket_refusal_is_french_and_changes_nothing(app, world, bruno_client, socket_for):
    bruno = socket_for(bruno_client)
    ack = bruno.command("complete_action", {"action_id": world.seeds.id})
    assert (ack["ok"], ack["error"]) == (False, "forbidden")
    assert ack["message"] == (
        "Seule la personne qui s’est engagée à faire cette action peut la marquer faite."
    )
    assert reload(world.seeds.id).status == "open"
    ack = bruno.command("reopen_action", {"action_id": world.water.id})
    assert (ack["ok"], ack["error"]) == (False, "already_open")
    ack = bruno.command("complete_action", {"action_id": "un"})
    assert (ack["ok"], ack["error"]) == (False, "invalid_field")
    ack = bruno.command("complete_action", {"action_id": 999999})
    assert (ack["ok"], ack["error"], ack["message"]) == (
        False,
        "not_found",
        "Cette action n’existe pas.",
    )
    ack = bruno.command("sync_actions", {"view": "celles-de-camille"})
    assert (ack["ok"], ack["error"], ack["field"]) == (False, "invalid_field", "view")
    assert traces("action_completed") == []


def test_a_form_post_is_published_live_too(app, world, alice_client, bruno_client, socket_for):
    bruno = socket_for(bruno_client)
    assert bruno.command("sync_actions", {"view": "everyone"})["ok"]
    bruno.facts()
    post_form(alice_client, f"/actions/{world.plumber.id}", {"op": "complete_action"})
    (fact,) = bruno.facts("action_changed")
    assert fact["args"][0]["action_id"] == world.plumber.id
    assert fact["args"][0]["section"] == "done"


# -- reminders: `flask remind-actions` -------------------------------------------------------


def reminder_rows():
    db.session.rollback()
    return db.session.scalars(select(ActionReminder).order_by(ActionReminder.id)).all()


def test_reminders_are_sent_once_per_action_and_due_date(app, world, smtp_server):
    app.config["PUBLIC_URL"] = "https://le97.example/vendredi"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["remind-actions"])
    assert result.exit_code == 0, result.output
    # Bruno's watering is due in 2 days; the seeds (5 days) are not due yet, the plumber's
    # call is past its date.
    assert plain(result.stdout).strip() == "1 rappel envoyé."
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "bruno@le97.example"
    assert plain(message["Subject"]) == (
        f"Rappel : « Arroser le potager », pour le {plain(long_day(world.water.due_on))}"
    )
    body = plain(smtp_server.body(message))
    assert body.startswith("Bonjour Bruno,")
    assert "Arroser le potager" in body and "(dans 2 jours)" in body
    assert f"décision n° {world.garden.number}" in body and "On sème **dimanche**." in body
    assert f"https://le97.example/vendredi/decisions/{world.garden.number}" in body
    assert "https://le97.example/vendredi/actions/" in body
    assert [(r.action_id, r.due_on) for r in reminder_rows()] == [
        (world.water.id, world.water.due_on)
    ]

    again = runner.invoke(args=["remind-actions"])  # the next run, or twice the same day
    assert again.exit_code == 0 and plain(again.stdout).strip() == "0 rappel envoyé."
    assert len(smtp_server.messages) == 1

    # a new due date gets its own reminder; --days widens the window
    water = db.session.get(Action, world.water.id)
    water.due_on = world.today + timedelta(days=1)
    db.session.commit()
    result = runner.invoke(args=["remind-actions", "--days", "5"])
    assert plain(result.stdout).strip() == "2 rappels envoyés."
    smtp_server.wait_for(3)
    assert sorted(m["To"] for m in smtp_server.messages[1:]) == [
        "alice@le97.example",
        "bruno@le97.example",
    ]
    assert "(demain)" in plain(smtp_server.body(smtp_server.messages[1])) or "(demain)" in plain(
        smtp_server.body(smtp_server.messages[2])
    )
    assert len(reminder_rows()) == 3


def long_day(day):
    from meeting.i18n import long_date

    return long_date(day)


def test_no_reminder_for_done_actions_or_owners_without_mail_or_account(
    app, world, smtp_server, make_member
):
    services.complete_action(world.bruno, world.water.id)
    gone = make_member(name="Zoé", active=False)
    silent = make_member(name="Yann")
    silent.email = None
    db.session.commit()
    for owner in (gone, silent):
        db.session.add(
            Action(
                meeting_id=world.friday.id,
                label="Ranger la cave",
                owner_id=owner.id,
                due_on=world.today,
            )
        )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["remind-actions", "--days", "0"])
    assert plain(result.stdout).strip() == "0 rappel envoyé."
    assert smtp_server.messages == [] and reminder_rows() == []


def test_a_mail_not_accepted_leaves_no_reminder_and_is_tried_again(app, world, smtp_server):
    app.config["MAIL_PORT"] = free_port()  # nobody listens there
    app.config["MAIL_TIMEOUT"] = 2
    result = app.test_cli_runner().invoke(args=["remind-actions"])
    assert result.exit_code == 1
    assert "1 rappel refusé par le serveur de courrier" in plain(result.output)
    assert reminder_rows() == []
    app.config["MAIL_PORT"] = smtp_server.port
    result = app.test_cli_runner().invoke(args=["remind-actions"])
    assert plain(result.stdout).strip() == "1 rappel envoyé."
    assert len(reminder_rows()) == 1


def test_without_a_mail_server_the_command_says_so(app, world):
    app.config["MAIL_SERVER"] = ""
    result = app.test_cli_runner().invoke(args=["remind-actions"])
    assert result.exit_code != 0
    assert "L’envoi d’e-mails n’est pas configuré" in plain(result.output)
    assert db.session.scalar(select(func.count(ActionReminder.id))) == 0


def test_the_actions_pages_are_valid_html(app, world, alice_client, tmp_path):
    from tests.test_html_valid import validate, vnu_command

    vnu_command()  # skipped without Java (fails under CI=true)
    services.complete_action(world.alice, world.seeds.id)
    pages = {
        url: text_of(alice_client.get(url))
        for url in ("/actions/", "/actions/?qui=tous", "/actions/?faites=toutes")
    }
    errors = validate(pages, tmp_path)
    assert not errors, errors
