"""The place's calendar as iCalendar: `/agenda.ics`, a member's personal feed behind a
revocable calendar address, one event's `.ics`, and the subscribe page. Every feed is parsed
with `icalendar` and expanded with `recurring-ical-events`, as a calendar app would."""

import re
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from sqlalchemy import select

from meeting.extensions import db
from meeting.feeds import tokens
from meeting.models import Event, EventException, FeedToken, Trace
from meeting.models.base import utcnow
from tests.conftest import post_form, sign_in

PARIS = ZoneInfo("Europe/Paris")
NBSP = "\u00a0"


@pytest.fixture
def config_overrides():
    return {"PUBLIC_URL": "https://le97.example/vendredi"}


def add_event(title="Atelier vélo", start=None, hours=2, **values):
    """An Event row written directly (the calendar's services are another feature's)."""
    start = start or datetime.now(PARIS).replace(tzinfo=None, microsecond=0) + timedelta(days=20)
    skipped = values.pop("skipped", ())
    event = Event(
        uid=f"{uuid.uuid4().hex}@le97.example",
        title=title,
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        place=values.pop("place", "house"),
        **values,
    )
    event.exceptions = [EventException(occurrence_start=moment) for moment in skipped]
    db.session.add(event)
    db.session.commit()
    return event


def parse(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.get_data())


def vevents(calendar):
    return {str(component["UID"]): component for component in calendar.walk("VEVENT")}


def calendar_token(member):
    return tokens.create_token(member, scope="calendar")


# -- the public feed ---------------------------------------------------------------------------


def test_public_feed_is_a_calendar_with_zone_name_and_refresh_hints(client):
    event = add_event("Projection « Les Doléances »", place="garden", description="Entrée libre")
    response = client.get("/agenda.ics")
    calendar = parse(response)
    raw = response.get_data(as_text=True)
    assert 'filename="le97-agenda.ics"' in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert str(calendar["X-WR-CALNAME"]) == "Le 97 — agenda"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Paris"
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in raw
    assert "X-PUBLISHED-TTL:PT1H" in raw
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    component = vevents(calendar)[event.uid]
    assert f"DTSTART;TZID=Europe/Paris:{event.starts_at:%Y%m%dT%H%M%S}" in raw
    assert component.start == event.starts_at.replace(tzinfo=PARIS)
    assert component.end == event.ends_at.replace(tzinfo=PARIS)
    assert str(component["STATUS"]) == "CONFIRMED"
    assert int(component["SEQUENCE"]) == 0
    assert str(component["LOCATION"]) == "Le Jardin du Ravelin"
    assert str(component["DESCRIPTION"]) == "Entrée libre"
    assert str(component["URL"]) == f"https://le97.example/vendredi/agenda/{event.id}"
    utc = {"tzinfo": ZoneInfo("UTC"), "microsecond": 0}
    assert component.DTSTAMP == event.updated_at.replace(**utc)
    assert component.LAST_MODIFIED == event.updated_at.replace(**utc)
    assert component.CREATED == event.created_at.replace(**utc)


def test_the_same_events_give_the_same_feed_and_a_304(client):
    add_event()
    first = client.get("/agenda.ics")
    second = client.get("/agenda.ics")
    assert first.get_data() == second.get_data()
    again = client.get("/agenda.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_monthly_series_stays_at_1830_across_both_daylight_saving_changes(client):
    # Second Saturday of each month of 2027, 18:30: before and after the last Sunday of March
    # (28th) and of October (31st). June's is skipped (EXDATE).
    series = add_event(
        "Atelier maraîchage",
        start=datetime(2027, 1, 9, 18, 30),
        place="garden",
        rrule="FREQ=MONTHLY;BYDAY=2SA;COUNT=12",
        skipped=[datetime(2027, 6, 12, 18, 30)],
    )
    calendar = parse(client.get("/agenda.ics"))
    assert "EXDATE" in vevents(calendar)[series.uid]
    found = recurring_ical_events.of(calendar).between(date(2027, 1, 1), date(2028, 1, 1))
    starts = sorted(component.start for component in found)
    assert len(starts) == 11
    assert {start.astimezone(PARIS).strftime("%H:%M") for start in starts} == {"18:30"}
    assert all(start.astimezone(PARIS).minute == 30 for start in starts)
    offsets = {start.astimezone(PARIS).date(): start.utcoffset() for start in starts}
    assert offsets[date(2027, 3, 13)] == timedelta(hours=1)  # before the March change
    assert offsets[date(2027, 4, 10)] == timedelta(hours=2)  # summer time
    assert offsets[date(2027, 10, 9)] == timedelta(hours=2)  # before the October change
    assert offsets[date(2027, 11, 13)] == timedelta(hours=1)  # winter again
    assert date(2027, 6, 12) not in offsets
    assert all(component.duration == timedelta(hours=2) for component in found)


def test_series_with_a_wall_time_until_is_written_in_utc(client):
    series = add_event(
        "Permanence",
        start=datetime(2027, 3, 20, 10, 0),
        rrule="FREQ=WEEKLY;UNTIL=20270410T100000",
    )
    calendar = parse(client.get("/agenda.ics"))
    assert "UNTIL=20270410T080000Z" in vevents(calendar)[series.uid].to_ical().decode()
    found = recurring_ical_events.of(calendar).between(date(2027, 3, 1), date(2027, 5, 1))
    assert [c.start.astimezone(PARIS).day for c in found] == [20, 27, 3, 10]
    assert {c.start.astimezone(PARIS).hour for c in found} == {10}


def test_a_moved_event_keeps_its_uid_and_shows_the_raised_sequence(client):
    event = add_event("Apéro politique", start=datetime(2027, 2, 5, 19, 0))
    before = vevents(parse(client.get("/agenda.ics")))[event.uid]
    # What the calendar's edit does: the time changes, the sequence rises, the uid stays.
    event.starts_at += timedelta(hours=1)
    event.ends_at += timedelta(hours=1)
    event.sequence += 1
    event.updated_at = utcnow()
    db.session.commit()
    after = vevents(parse(client.get("/agenda.ics")))[event.uid]
    assert int(before["SEQUENCE"]) == 0 and int(after["SEQUENCE"]) == 1
    assert after.start == datetime(2027, 2, 5, 20, 0, tzinfo=PARIS)
    assert after.DTSTAMP >= before.DTSTAMP


def test_a_cancelled_event_stays_in_the_feed_marked_cancelled(client):
    event = add_event(
        "Soirée jeux",
        status="cancelled",
        sequence=1,
        cancelled_at=utcnow(),
        cancel_reason="La salle est inondée",
    )
    component = vevents(parse(client.get("/agenda.ics")))[event.uid]
    assert str(component["STATUS"]) == "CANCELLED"
    assert int(component["SEQUENCE"]) == 1
    assert "La salle est inondée" in str(component["DESCRIPTION"])


def test_hostile_text_round_trips_without_breaking_the_calendar(client):
    # (No NUL: PostgreSQL cannot store one; the calendar's validation refuses it before.)
    title = 'Débat ; « pour, contre »\nsuite\x07\x0b\x7f "fin" \\ ok'
    description = "Ligne 1;\r\nLigne 2, avec\tune tabulation\x1b[31m\nLigne 3 : " + "é" * 80
    event = add_event(title, description=description, place="elsewhere", place_detail="Bar;Le,X")
    response = client.get("/agenda.ics")
    raw = response.get_data()
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", raw)
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75  # folded by the library, never a bare line break
    component = vevents(parse(response))[event.uid]
    assert str(component["SUMMARY"]) == 'Débat ; « pour, contre »\nsuite "fin" \\ ok'
    assert str(component["DESCRIPTION"]) == (
        "Ligne 1;\nLigne 2, avec une tabulation[31m\nLigne 3 : " + "é" * 80
    )
    assert str(component["LOCATION"]) == "Bar;Le,X"
    # Everything after it is still read: the calendar is whole.
    assert [str(tz["TZID"]) for tz in parse(response).walk("VTIMEZONE")] == ["Europe/Paris"]


# -- audiences ---------------------------------------------------------------------------------


@pytest.fixture
def both(app):
    public = add_event("Fête du lieu", visibility="public")
    private = add_event("Assemblée des membres — budget", visibility="members")
    return public, private


def test_members_only_event_never_in_the_public_feed(client, both):
    public, private = both
    response = client.get("/agenda.ics")
    found = vevents(parse(response))
    assert public.uid in found and private.uid not in found
    assert "Assemblée" not in response.get_data(as_text=True)


def test_members_only_event_in_the_personal_feed(client, make_member, both):
    public, private = both
    ines = make_member(name="Inès")
    token = calendar_token(ines)
    response = client.get(f"/agenda/personnel.ics?jeton={token}")
    calendar = parse(response)
    found = vevents(calendar)
    assert {public.uid, private.uid} <= set(found)
    assert str(found[private.uid]["CLASS"]) == "CONFIDENTIAL"
    assert str(calendar["X-WR-CALNAME"]) == "Le 97 — agenda des membres"
    assert response.headers["Cache-Control"] == "no-store"
    row = db.session.scalar(select(FeedToken).where(FeedToken.member_id == ines.id))
    assert row.last_used_at is not None


def test_per_event_ics_hides_members_only_events_from_anonymous_readers(client, app, both):
    public, private = both
    response = client.get(f"/agenda/{public.id}.ics")
    assert vevents(parse(response)).keys() == {public.uid}
    assert "attachment" in response.headers["Content-Disposition"]
    assert f"le97-evenement-{public.id}.ics" in response.headers["Content-Disposition"]
    refused = client.get(f"/agenda/{private.id}.ics")
    assert refused.status_code == 404
    assert "Assemblée" not in refused.get_data(as_text=True)
    assert client.get("/agenda/999999.ics").status_code == 404


def test_per_event_ics_of_a_members_only_event_for_a_member(client_as, both):
    _public, private = both
    member_client, _member = client_as()
    response = member_client.get(f"/agenda/{private.id}.ics")
    assert vevents(parse(response)).keys() == {private.uid}
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("case", ["none", "unknown", "tampered", "revoked", "archive", "inactive"])
def test_a_bad_calendar_address_gets_403_in_french_and_no_event(client, make_member, both, case):
    ines = make_member(name="Inès")
    token = calendar_token(ines)
    if case == "revoked":
        assert tokens.revoke_token(ines, scope="calendar")
    elif case == "inactive":
        ines.deactivated_at = utcnow()
        db.session.commit()
    elif case == "archive":
        token = tokens.create_token(ines)  # a decisions feed address opens no calendar
    address = {
        "none": "/agenda/personnel.ics",
        "unknown": "/agenda/personnel.ics?jeton=" + "x" * 43,
        "tampered": f"/agenda/personnel.ics?jeton={token[:-1]}{'A' if token[-1] != 'A' else 'B'}",
    }.get(case, f"/agenda/personnel.ics?jeton={token}")
    response = client.get(address)
    body = response.get_data(as_text=True)
    assert response.status_code == 403
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "n’est pas (ou plus) valable" in body
    assert "VEVENT" not in body and "Assemblée" not in body and "Fête" not in body


def test_a_calendar_address_opens_no_decisions_feed(client, make_member):
    ines = make_member(name="Inès")
    response = client.get(f"/decisions.atom?jeton={calendar_token(ines)}")
    assert response.status_code == 403


# -- the personal address: one per member and scope -------------------------------------------


def test_one_active_token_per_member_and_scope(client, make_member):
    ines = make_member(name="Inès")
    archive = tokens.create_token(ines)
    first = calendar_token(ines)
    second = calendar_token(ines)
    assert client.get(f"/agenda/personnel.ics?jeton={first}").status_code == 403
    assert client.get(f"/agenda/personnel.ics?jeton={second}").status_code == 200
    # Making calendar addresses left the decisions feed address alone.
    assert client.get(f"/decisions.atom?jeton={archive}").status_code == 200
    assert tokens.active_token(ines).scope == "archive"
    assert tokens.active_token(ines, scope="calendar").scope == "calendar"
    verbs = db.session.execute(
        select(Trace.verb, Trace.data).where(Trace.actor_id == ines.id).order_by(Trace.id)
    ).all()
    assert [(verb, data["scope"], data["replaced"]) for verb, data in verbs] == [
        ("feed_token_created", "archive", False),
        ("feed_token_created", "calendar", False),
        ("feed_token_created", "calendar", True),
    ]
    assert not any(token in str(data) for _v, data in verbs for token in (archive, second))


def test_profile_makes_shows_once_and_revokes_the_calendar_address(client, make_member, both):
    ines = make_member(name="Inès")
    sign_in(client, ines)
    page = client.get("/profil").get_data(as_text=True)
    assert "Mon agenda personnel" in page and "Créer mon adresse d’agenda personnel" in page
    made = post_form(client, "/profil/agenda", {"retour": "profil"})
    assert made.status_code == 302 and made.headers["Location"].endswith("/profil#agenda")
    page = client.get("/profil").get_data(as_text=True)
    match = re.search(
        r'value="(https://le97\.example/vendredi/agenda/personnel\.ics\?jeton=[^"]+)"', page
    )
    assert match, page
    address = match.group(1).replace("&amp;", "&")
    assert "webcal://le97.example/vendredi/agenda/personnel.ics?jeton=" in page
    assert "personnel.ics?jeton=" not in client.get("/profil").get_data(as_text=True)  # once
    token = address.split("jeton=")[1]
    assert client.get(f"/agenda/personnel.ics?jeton={token}").status_code == 200
    revoked = post_form(client, "/profil/agenda/revoquer", {"retour": "profil"})
    assert revoked.status_code == 302
    assert client.get(f"/agenda/personnel.ics?jeton={token}").status_code == 403
    page = client.get("/profil").get_data(as_text=True)
    assert "Vous n’avez pas d’agenda personnel." in page
    # The decisions feed section is still there, untouched.
    assert "Mon flux personnel" in page


def test_calendar_address_forms_need_a_signed_in_member(client):
    response = post_form(client, "/profil/agenda")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    assert db.session.scalar(select(FeedToken)) is None


def test_subscribe_page_for_anonymous_readers_and_members(client, make_member):
    page = client.get("/agenda/abonnement").get_data(as_text=True)
    assert 'href="webcal://le97.example/vendredi/agenda.ics"' in page
    assert 'value="https://le97.example/vendredi/agenda.ics"' in page
    for app_name in ("Nextcloud", "Thunderbird", "Google Agenda", "Apple Calendrier"):
        assert app_name in page
    assert "Mon agenda personnel" not in page
    ines = make_member(name="Inès")
    sign_in(client, ines)
    page = client.get("/agenda/abonnement").get_data(as_text=True)
    assert "Créer mon adresse d’agenda personnel" in page
    made = post_form(client, "/profil/agenda", {"retour": "abonnement"})
    assert made.headers["Location"].endswith("/agenda/abonnement#personnel")
    page = client.get("/agenda/abonnement").get_data(as_text=True)
    assert "webcal://le97.example/vendredi/agenda/personnel.ics?jeton=" in page
    assert "Copiez cette adresse maintenant" in page
    page = client.get("/agenda/abonnement").get_data(as_text=True)
    assert "personnel.ics?jeton=" not in page and "actif depuis le" in page
    # A `retour` that is not one of ours goes to the profile, never elsewhere.
    made = post_form(client, "/profil/agenda", {"retour": "https://evil.example/"})
    assert made.headers["Location"].endswith("/profil#agenda")


def test_clean_text_removes_every_control_character_but_line_breaks():
    from meeting.calendar.ical import clean_text

    assert clean_text("a\x00b\x07c\r\nd\te\x9f\rf\x1b") == "abc\nd e\nf"
    assert clean_text(None) == ""
