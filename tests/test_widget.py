"""The place's coming events for its website: `/agenda/prochains.json` (any origin may read it)
and the embeddable `/agenda/widget` (an iframe page, or a fragment; no script). Only public,
upcoming, confirmed occurrences ever leave by these doors."""

import json
import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from meeting.extensions import db
from meeting.models import Event, EventException
from meeting.models.base import utcnow
from tests.conftest import post_form

PARIS = ZoneInfo("Europe/Paris")
NBSP = "\u00a0"


@pytest.fixture
def config_overrides():
    return {"PUBLIC_URL": "https://le97.example/vendredi"}


def now_wall():
    return datetime.now(PARIS).replace(tzinfo=None, second=0, microsecond=0)


def add_event(title, start, hours=2, **values):
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


@pytest.fixture
def calendar(app):
    """A fortnight from now at 18:30: a public event, a members-only one, a cancelled one; a
    past public one; a weekly public series at 10:00 whose second occurrence is skipped."""
    soon = (now_wall() + timedelta(days=14)).replace(hour=18, minute=30)
    series_start = (now_wall() + timedelta(days=1)).replace(hour=10, minute=0)
    return {
        "public": add_event("Projection « Les Doléances »", soon, place="garden"),
        "members": add_event(
            "Assemblée des membres", soon + timedelta(hours=1), visibility="members"
        ),
        "cancelled": add_event(
            "Soirée jeux", soon + timedelta(days=1), status="cancelled", cancelled_at=utcnow()
        ),
        "past": add_event("Vide-grenier passé", now_wall() - timedelta(days=3)),
        "series": add_event(
            "Permanence vélo",
            series_start,
            place="elsewhere",
            place_detail="Place Granvelle",
            rrule="FREQ=WEEKLY;COUNT=3",
            skipped=[series_start + timedelta(days=7)],
        ),
    }


def titles(rows):
    return [row["title"] for row in rows]


# -- JSON ---------------------------------------------------------------------------------------


def test_json_holds_only_public_upcoming_confirmed_occurrences(client, calendar):
    response = client.get("/agenda/prochains.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    body = json.loads(response.get_data(as_text=True))
    assert titles(body["events"]) == [
        "Permanence vélo",
        "Projection « Les Doléances »",
        "Permanence vélo",
    ]
    text = response.get_data(as_text=True)
    for hidden in ("Assemblée", "Soirée jeux", "Vide-grenier"):
        assert hidden not in text
    assert body["calendar"] == "https://le97.example/vendredi/agenda/"


def test_json_rows_have_paris_offsets_french_places_and_event_pages(client, calendar):
    rows = json.loads(client.get("/agenda/prochains.json").get_data(as_text=True))["events"]
    public = calendar["public"]
    row = next(r for r in rows if r["id"] == public.id)
    start = datetime.fromisoformat(row["start"])
    assert start == public.starts_at.replace(tzinfo=PARIS)
    assert start.utcoffset() == public.starts_at.replace(tzinfo=PARIS).utcoffset()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT18:30:00\+0[12]:00", row["start"])
    assert datetime.fromisoformat(row["end"]) - start == timedelta(hours=2)
    assert row["place"] == "garden" and row["place_label"] == "Le Jardin du Ravelin"
    assert row["url"] == f"https://le97.example/vendredi/agenda/{public.id}"
    assert row["recurring"] is False
    series = [r for r in rows if r["id"] == calendar["series"].id]
    assert [r["place_label"] for r in series] == ["Place Granvelle"] * 2
    # The skipped week is not announced.
    skipped = calendar["series"].starts_at + timedelta(days=7)
    assert skipped.replace(tzinfo=PARIS).isoformat() not in [r["start"] for r in series]


def test_json_count_limits_the_rows(client, calendar):
    body = json.loads(client.get("/agenda/prochains.json?n=1").get_data(as_text=True))
    assert titles(body["events"]) == ["Permanence vélo"]
    body = json.loads(client.get("/agenda/prochains.json?n=50").get_data(as_text=True))
    assert len(body["events"]) == 3


@pytest.mark.parametrize("value", ["0", "51", "-1", "abc", "2.5", "1e3", "10000"])
def test_json_refuses_a_bad_count_in_french(client, calendar, value):
    response = client.get(f"/agenda/prochains.json?n={value}")
    assert response.status_code == 400
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = json.loads(response.get_data(as_text=True))
    assert body["ok"] is False and body["field"] == "n"
    assert "doit être un nombre entier de 1 à 50" in body["message"].replace(NBSP, " ")
    assert "events" not in body


def test_json_and_widget_are_french_whatever_the_session_language(client, calendar):
    post_form(client, "/langue", {"lang": "en", "next": "/"})
    assert '<html lang="en"' in client.get("/agenda/abonnement").get_data(as_text=True)
    assert "Les prochains évènements" in client.get("/agenda/widget").get_data(as_text=True)
    rows = json.loads(client.get("/agenda/prochains.json").get_data(as_text=True))["events"]
    assert "Le Jardin du Ravelin" in [r["place_label"] for r in rows]


def test_json_with_no_event_is_an_empty_list(client):
    body = json.loads(client.get("/agenda/prochains.json").get_data(as_text=True))
    assert body["events"] == []


# -- the widget ---------------------------------------------------------------------------------


def test_widget_page_lists_public_events_in_french_without_script(client, calendar):
    response = client.get("/agenda/widget")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<script" not in page.lower()
    assert '<html lang="fr">' in page
    assert page.count("<h1") == 1 and "Les prochains évènements" in page
    assert 'href="https://le97.example/vendredi/static/css/widget.css"' in page
    public = calendar["public"]
    assert f'href="https://le97.example/vendredi/agenda/{public.id}" target="_blank"' in page
    assert 'rel="noopener"' in page
    assert f"18{NBSP}h{NBSP}30" in page  # French, 24 h
    assert f"10{NBSP}h" in page
    assert "Le Jardin du Ravelin" in page and "Place Granvelle" in page
    for hidden in ("Assemblée", "Soirée jeux", "Vide-grenier"):
        assert hidden not in page
    assert response.headers["Cache-Control"] == "public, max-age=300"


def test_widget_may_be_framed_by_another_site_and_other_pages_may_not(client, calendar):
    response = client.get("/agenda/widget")
    assert "X-Frame-Options" not in response.headers
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in policy and "script-src" not in policy
    assert "default-src 'none'" in policy
    # Everything else keeps refusing frames.
    for path in ("/agenda/abonnement", "/agenda/", "/"):
        other = client.get(path)
        assert other.headers["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"]


def test_widget_fragment_is_the_list_alone(client, calendar):
    response = client.get("/agenda/widget?fragment=1&n=1")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in page and "<script" not in page.lower()
    assert page.lstrip().startswith("<section") or "<section" in page
    assert "<h2" in page and "Les prochains évènements" in page
    assert page.count('class="vendredi-agenda__evenement"') == 1
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("value", ["0", "99", "beaucoup"])
def test_widget_refuses_a_bad_count_in_french(client, calendar, value):
    response = client.get(f"/agenda/widget?n={value}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "doit être un nombre entier de 1 à 50" in page.replace(NBSP, " ")
    assert "Projection" not in page and "<script" not in page.lower()
    assert "X-Frame-Options" not in response.headers  # the message shows inside the frame


def test_widget_count_and_empty_calendar(client, calendar):
    page = client.get("/agenda/widget?n=2").get_data(as_text=True)
    assert page.count('class="vendredi-agenda__evenement"') == 2


def test_widget_without_events_says_so(client):
    page = client.get("/agenda/widget").get_data(as_text=True)
    assert "Aucun évènement annoncé pour le moment." in page


def test_widget_stylesheet_is_overridable_with_custom_properties(client):
    response = client.get("/static/css/widget.css")
    css = response.get_data(as_text=True)
    response.close()
    assert "var(--vendredi-accent," in css and "var(--vendredi-font," in css
    # The widget never defines its own properties: a site's `:root { --vendredi-… }` wins.
    assert not re.search(r"^\s*--vendredi-[a-z-]+\s*:", css, re.MULTILINE)
