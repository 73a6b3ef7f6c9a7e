"""Limits at every door (issue 14, item 3): socket commands per member or address, failed
sign-ins per account, creating forms and API calls per member, request sizes, and all of it
while Redis is away. These tests run on the real default limits (conftest raises some of them
for the other test files, whose members send quickly)."""

import logging
import re
import time

import pytest
from sqlalchemy import func, select

from meeting import limits
from meeting.api import tokens as api_tokens
from meeting.commands import COMMANDS
from meeting.config import from_environment
from meeting.extensions import db
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.models import Entry, Meeting
from tests.conftest import TEST_PASSWORD, csrf_token, free_port, post_form

DEFAULTS = from_environment("/nonexistent")
BURST = DEFAULTS["SOCKET_COMMAND_BURST"]
WINDOW = -(-BURST // DEFAULTS["SOCKET_COMMAND_RATE"])  # seconds for the burst to come back
CREATE_PER_MINUTE = 60
REFUSED = re.compile(r"^Trop d’actions d’un coup\. Réessayez dans (\d+) s\.$")


@pytest.fixture
def config_overrides(request):
    """The production limits (the conftest raises some), plus what a test asks by parameter."""
    keys = (
        "SOCKET_COMMAND_BURST",
        "SOCKET_COMMAND_RATE",
        "FORM_CREATE_RATE_LIMIT",
        "SIGNIN_ACCOUNT_RATE_LIMIT",
        "SIGNIN_RATE_LIMIT",
        "MAX_CONTENT_LENGTH",
        "LIVE_MAX_PAYLOAD",
    )
    overrides = {key: DEFAULTS[key] for key in keys}
    if "smtp_server" in request.fixturenames:
        smtp = request.getfixturevalue("smtp_server")
        overrides.update({"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port})
    return {**overrides, **getattr(request, "param", {})}


def entries():
    db.session.rollback()
    return db.session.scalar(select(func.count(Entry.id)))


def topic(meeting_id, n):
    return {"meeting_id": meeting_id, "kind": "topic", "title": f"Point {n}", "body": f"N° {n}"}


def test_the_defaults_leave_room_for_an_outbox_and_stop_a_flood():
    # A phone flushing an offline outbox of 20 entries, plus its pages joining again after a
    # Wi-Fi blink, fits in the burst; one socket storing 500 entries in 3 s does not.
    assert BURST >= 40
    assert BURST + 3 * DEFAULTS["SOCKET_COMMAND_RATE"] < 500
    assert DEFAULTS["FORM_CREATE_RATE_LIMIT"] == "60 per minute;600 per hour"
    assert DEFAULTS["MAX_CONTENT_LENGTH"] == 1_000_000


# -- socket commands ---------------------------------------------------------------------------


def test_a_socket_sending_200_entries_is_refused_after_its_burst(app, client_as, socket_for):
    meeting = meetings.ensure_meeting(dates.next_meeting_date())
    flooder_http, _flooder = client_as("member", name="Rémi")
    reader_http, _reader = client_as("member", name="Inès")
    flooder = socket_for(flooder_http)
    reader = socket_for(reader_http)
    assert reader.command("join_document", {"meeting_id": meeting.id})["ok"]
    reader.facts()

    started = time.monotonic()
    acks = [flooder.command("add_entry", topic(meeting.id, n)) for n in range(200)]
    elapsed = time.monotonic() - started

    accepted = [ack for ack in acks if ack["ok"]]
    refused = [ack for ack in acks if not ack["ok"]]
    # The burst passes whole, then refusals (a slot may come back if the run was slow).
    assert all(ack["ok"] for ack in acks[:BURST])
    assert not acks[BURST]["ok"]
    assert BURST <= len(accepted) <= BURST + int(elapsed * BURST / WINDOW) + 1
    for ack in refused:
        assert ack["error"] == "rate_limited"
        assert 1 <= ack["retry_after"] <= WINDOW
        match = REFUSED.match(ack["message"].replace("\u00a0", " "))
        assert match and int(match.group(1)) == ack["retry_after"]
    # Exactly the accepted ones are stored, and the document's readers got exactly those.
    assert entries() == len(accepted)
    assert len(reader.facts("entry_added")) == len(accepted)

    # The same member's other page shares the limit; another member does not.
    other_page = socket_for(flooder_http)
    assert other_page.command("add_entry", topic(meeting.id, 999))["error"] == "rate_limited"
    assert reader.command("add_entry", topic(meeting.id, 1000))["ok"]
    assert entries() == len(accepted) + 1


def test_an_outbox_of_20_entries_and_a_reordered_agenda_are_never_refused(
    app, live_friday, socket_for, client_as
):
    from tests.conftest import sign_in

    friday = live_friday(topics=("Chauffage", "Jardin", "Four", "Vélos"), started=False)
    phone_http = app.test_client()
    sign_in(phone_http, friday.author)
    phone = socket_for(phone_http)
    assert phone.command("join_document", {"meeting_id": friday.meeting.id})["ok"]
    outbox = [phone.command("add_entry", topic(friday.meeting.id, n)) for n in range(20)]
    assert all(ack["ok"] for ack in outbox)

    console_http = app.test_client()
    sign_in(console_http, friday.facilitator)
    console = socket_for(console_http)
    revision = friday.meeting.agenda_revision
    order = [item.id for item in friday.items]
    for _ in range(10):  # a facilitator dragging points up and down
        order = order[:1] + order[2:] + order[1:2]
        ack = console.command(
            "reorder_agenda",
            {"meeting_id": friday.meeting.id, "agenda_revision": revision, "order": order},
        )
        assert ack["ok"], ack
        db.session.rollback()
        revision = db.session.get(Meeting, friday.meeting.id).agenda_revision


def test_each_guest_is_limited_on_their_own_and_an_anonymous_page_by_its_address(
    app, live_friday, socket_for
):
    friday = live_friday(guests=("Zoé", "Léo"))
    join = {"meeting_id": friday.meeting.id, "view": "phone"}
    zoe = socket_for(friday.guests["Zoé"])
    acks = [zoe.command("join_live", join) for _ in range(BURST + 1)]
    assert all(ack["ok"] for ack in acks[:BURST])
    assert acks[BURST]["error"] == "rate_limited" and acks[BURST]["retry_after"] >= 1

    # Another guest's phone at the same address (the place's box) is counted on its own…
    leo = socket_for(friday.guests["Léo"])
    assert leo.command("join_live", join)["ok"]
    # …and so is a signed-in member there.
    from tests.conftest import sign_in

    console_http = app.test_client()
    sign_in(console_http, friday.facilitator)
    assert socket_for(console_http).command("join_live", {**join, "view": "console"})["ok"]

    # Pages with neither an account nor a guest's seat share their address.
    first, second = socket_for(app.test_client()), socket_for(app.test_client())
    acks = [first.command("join_live", join) for _ in range(BURST + 1)]
    assert acks[BURST]["error"] == "rate_limited"
    assert second.command("join_live", join)["error"] == "rate_limited"


def test_a_too_large_socket_command_is_refused_in_french(app, client_as, socket_for):
    meeting = meetings.ensure_meeting(dates.next_meeting_date())
    http, _member = client_as("member")
    live = socket_for(http)
    body = "x" * (DEFAULTS["LIVE_MAX_PAYLOAD"] + 1)
    ack = live.command("add_entry", {**topic(meeting.id, 1), "body": body})
    assert ack == {
        "ok": False,
        "error": "payload_too_large",
        "message": "Le contenu envoyé est trop volumineux.",
    }
    assert entries() == 0


# -- sign-in per account -----------------------------------------------------------------------


def attempt(app, email, password, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return post_form(client, "/connexion", {"email": email, "password": password}), client


def test_failed_sign_ins_lock_the_account_from_every_address_not_its_e_mail_link(
    app, make_member, smtp_server
):
    lucie = make_member(name="Lucie", email="lucie@le97.example")
    other = make_member(name="Noé")
    # Ten wrong passwords from five addresses (two each: far from the per-address limit).
    for n in range(10):
        response, _ = attempt(app, lucie.email, "pas-le-bon", f"203.0.113.{n // 2 + 1}")
        assert response.status_code == 400
        assert "Adresse e-mail ou mot de passe incorrect." in response.get_data(as_text=True)

    # The right password from a fresh address: refused, saying when and offering the link.
    response, client = attempt(app, " LUCIE@le97.example ", TEST_PASSWORD, "198.51.100.7")
    assert response.status_code == 429
    wait = int(response.headers["Retry-After"])
    assert 14 * 60 < wait <= 15 * 60
    text = response.get_data(as_text=True).replace("\u00a0", " ").replace("&#39;", "’")
    assert "Trop de mots de passe erronés pour ce compte. Réessayez dans 15 min" in text
    assert "recevez un lien de connexion par e-mail ci-dessous" in text
    assert client.get("/profil").status_code == 302  # not signed in

    # Another account from those addresses is not concerned.
    response, client = attempt(app, other.email, TEST_PASSWORD, "203.0.113.1")
    assert response.status_code == 302 and client.get("/profil").status_code == 200

    # The owner signs in with the e-mail link.
    client = app.test_client()
    assert post_form(client, "/connexion/lien", {"email": lucie.email}).status_code == 200
    mail = smtp_server.body(smtp_server.wait_for(1)[0])
    path = re.search(r"http://\S+/connexion/lien/\S+", mail).group(0).split("localhost", 1)[-1]
    assert post_form(client, path).status_code == 302
    assert client.get("/profil").status_code == 200


def test_the_account_opens_again_as_failures_leave_the_window(app, make_member):
    app.config["SIGNIN_ACCOUNT_RATE_LIMIT"] = "3 per 2 seconds"  # the test's short window
    lucie = make_member(name="Lucie")
    # Successes count nothing.
    for n in range(5):
        assert attempt(app, lucie.email, TEST_PASSWORD, f"192.0.2.{n}")[0].status_code == 302
    for n in range(3):
        assert attempt(app, lucie.email, "faux", f"192.0.2.{n}")[0].status_code == 400
    locked, _ = attempt(app, lucie.email, TEST_PASSWORD, "192.0.2.9")
    text = locked.get_data(as_text=True).replace("\u00a0", " ")
    assert locked.status_code == 429
    wait = int(re.search(r"Réessayez dans (\d) s, ou", text).group(1))
    assert 1 <= wait <= 2
    # (Flask-Limiter's per-address headers raise Retry-After to its own window's end.)
    assert int(locked.headers["Retry-After"]) >= wait
    assert "adressez-vous à la conciergerie" in text  # no SMTP here
    time.sleep(2.1)
    response, client = attempt(app, lucie.email, TEST_PASSWORD, "192.0.2.9")
    assert response.status_code == 302 and client.get("/profil").status_code == 200


# -- creating forms and API calls --------------------------------------------------------------


def test_creating_commands_are_listed_in_one_place():
    assert limits.CREATING_COMMANDS <= set(COMMANDS)
    creating = {name for name in COMMANDS if name.startswith(limits.CREATING_PREFIXES)}
    assert creating == limits.CREATING_COMMANDS


def test_a_member_creating_too_fast_by_form_gets_a_french_429_with_retry_after(app, client_as):
    day = dates.next_meeting_date().isoformat()
    http, _member = client_as("member", name="Rémi")
    url = f"/vendredi/{day}/entrees"
    token = csrf_token(http)
    for n in range(CREATE_PER_MINUTE):
        response = http.post(
            url, data={"csrf_token": token, "kind": "topic", "title": f"P{n}", "body": f"N° {n}"}
        )
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]
    assert entries() == CREATE_PER_MINUTE

    refused = http.post(
        url, data={"csrf_token": token, "kind": "topic", "title": "Encore", "body": "Un de trop"}
    )
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 60
    page = refused.get_data(as_text=True).replace("\u00a0", " ")
    assert f"Trop d’actions d’un coup. Réessayez dans {wait} s." in page
    assert "Un de trop" in page  # what was typed is kept on the page
    assert entries() == CREATE_PER_MINUTE

    # What does not create is not counted: editing one of them still works.
    entry = db.session.scalars(select(Entry).order_by(Entry.id)).first()
    edited = http.post(
        f"/vendredi/{day}/entrees/{entry.id}/modifier",
        data={
            "csrf_token": token,
            "title": "Corrigé",
            "body": "Texte corrigé",
            "revision": entry.revision,
        },
    )
    assert edited.status_code in (302, 303), edited.get_data(as_text=True)[:300]
    db.session.rollback()
    assert db.session.get(Entry, entry.id).title == "Corrigé"


def test_the_api_answers_429_in_json_with_retry_after_sharing_the_forms_limit(app, client_as):
    day = dates.next_meeting_date().isoformat()
    http, member = client_as("member", name="Théo")
    _row, token = api_tokens.create_token(member, "Script de test")
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    body = {"day": day, "kind": "topic", "title": "Par l’API", "body": "Un point"}
    for _ in range(CREATE_PER_MINUTE - 1):
        assert api.post("/api/v1/commands/add_entry", json=body, headers=headers).status_code == 200
    # The member's form counts against the same limit.
    form = post_form(
        http, f"/vendredi/{day}/entrees", {"kind": "topic", "title": "Form", "body": "Un point"}
    )
    assert form.status_code in (302, 303)

    refused = api.post("/api/v1/commands/add_entry", json=body, headers=headers)
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    payload = refused.get_json()
    assert payload["ok"] is False and payload["error"] == "rate_limited"
    assert payload["retry_after"] == wait and 1 <= wait <= 60
    assert payload["message"].replace("\u00a0", " ") == (
        f"Trop d’actions d’un coup. Réessayez dans {wait} s."
    )
    assert entries() == CREATE_PER_MINUTE


# -- request sizes -----------------------------------------------------------------------------


def test_a_form_larger_than_the_http_limit_gets_the_french_413_page(app, client_as):
    day = dates.next_meeting_date().isoformat()
    http, _member = client_as("member")
    token = csrf_token(http)
    body = "x" * (DEFAULTS["MAX_CONTENT_LENGTH"] + 1)
    response = http.post(
        f"/vendredi/{day}/entrees",
        data={"csrf_token": token, "kind": "topic", "title": "Gros", "body": body},
    )
    assert response.status_code == 413
    assert "Le contenu envoyé est trop volumineux." in response.get_data(as_text=True)
    assert entries() == 0
    # Just under it, the same form is read (and refused for its own reason, in French).
    assert app.config["MAX_CONTENT_LENGTH"] == DEFAULTS["MAX_CONTENT_LENGTH"]


# -- Redis away --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "config_overrides",
    [{"RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port()}/0"}],
    indirect=True,
)
def test_limits_go_on_in_memory_when_redis_is_down(app, make_member, client_as, socket_for, caplog):
    caplog.set_level(logging.WARNING, logger="meeting.limits")
    lucie = make_member(name="Lucie")
    # Signing in still works before the limit…
    response, client = attempt(app, lucie.email, TEST_PASSWORD, "203.0.113.50")
    assert response.status_code == 302 and client.get("/profil").status_code == 200
    # …and wrong passwords are still counted per account, then refused.
    for n in range(10):
        assert attempt(app, lucie.email, "faux", f"203.0.113.{n + 60}")[0].status_code == 400
    assert attempt(app, lucie.email, TEST_PASSWORD, "203.0.113.99")[0].status_code == 429

    meeting = meetings.ensure_meeting(dates.next_meeting_date())
    http, _member = client_as("member")
    live = socket_for(http)
    acks = [live.command("add_entry", topic(meeting.id, n)) for n in range(BURST + 5)]
    assert all(ack["ok"] for ack in acks[:BURST])
    assert [ack["error"] for ack in acks[BURST:]] == ["rate_limited"] * 5
    assert entries() == BURST

    outage = [r for r in caplog.records if r.name == "meeting.limits"]
    assert len(outage) == 1  # one warning for the outage, not one per command
