"""La vie du lieu `/vie-du-lieu/`: the figures of a small built history (exact counts), the
pictures (well-formed SVG that runs and loads nothing), their CSV, the range, and who may see
what (counts only: never a name, never one person's amount)."""

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, time
from types import SimpleNamespace

import pytest

from meeting import place
from meeting.extensions import db
from meeting.life import charts, figures
from meeting.models import (
    Action,
    Attendance,
    BudgetLine,
    BudgetYear,
    Decision,
    Entry,
    Gift,
    Meeting,
    WeatherTally,
)

SVG = "{http://www.w3.org/2000/svg}"
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
RANGE = "de=2025-01&a=2025-03"
SPAN = figures.Span(date(2025, 1, 1), date(2025, 3, 1))


def text_of(response):
    return response.get_data(as_text=True)


@pytest.fixture
def history(app, make_member):
    """Early 2025: three closed Fridays and one still in preparation, their attendance,
    decisions, actions, needs, weather, and the year's budget with two gifts."""
    zoe = make_member(name="Zoé Quintal")
    marc = make_member(name="Marc Vasseur")
    ines = make_member(name="Inès Oudard")

    def friday(day, status="closed"):
        meeting = Meeting(scheduled_for=day, starts_at=time(12), ends_at=time(14), status=status)
        db.session.add(meeting)
        db.session.flush()
        return meeting

    jan10, jan17, feb7 = (
        friday(date(2025, 1, 10)),
        friday(date(2025, 1, 17)),
        friday(date(2025, 2, 7)),
    )
    mar7 = friday(date(2025, 3, 7), status="preparing")
    present = [
        (jan10, zoe, None),
        (jan10, marc, None),
        (jan10, ines, None),
        (jan10, None, "Yolande Invitée"),
        (jan10, None, "Gaspard Invité"),
        (jan17, zoe, None),
        (jan17, marc, None),
        (feb7, zoe, None),
        (feb7, None, "Yolande Invitée"),
        (mar7, zoe, None),  # not closed: not counted
    ]
    for meeting, member, guest in present:
        db.session.add(
            Attendance(
                meeting_id=meeting.id,
                member_id=member.id if member else None,
                guest_name=guest,
                status="present",
            )
        )
    db.session.add(Attendance(meeting_id=jan17.id, member_id=ines.id, status="excused"))
    for number, meeting in enumerate([jan10, jan10, feb7], start=1):
        db.session.add(
            Decision(number=number, meeting_id=meeting.id, statement="On décide.", mode="consent")
        )
    # Done on 31 January at 23:30 UTC: 1 February in Paris.
    for done_at, status in [
        (datetime(2025, 1, 31, 23, 30), "done"),
        (datetime(2025, 3, 3, 9, 0), "done"),
        (None, "open"),
    ]:
        db.session.add(
            Action(
                meeting_id=jan10.id,
                label="Faire",
                owner_id=zoe.id,
                due_on=date(2025, 3, 1),
                status=status,
                done_at=done_at,
            )
        )
    # Met on 28 February at 23:30 UTC: 1 March in Paris.
    for resolved_at, status in [
        (datetime(2025, 2, 28, 23, 30), "met"),
        (datetime(2025, 1, 20, 10, 0), "dropped"),
        (None, "open"),
    ]:
        db.session.add(
            Entry(
                meeting_id=jan17.id,
                kind="need",
                body="Du savon.",
                author_id=marc.id,
                need_status=status,
                resolved_at=resolved_at,
            )
        )
    for meeting, counts in [(jan10, {"sun": 3, "rain": 2}), (jan17, {"sun": 2, "storm": 2})]:
        for weather, n in counts.items():
            db.session.add(WeatherTally(meeting_id=meeting.id, weather=weather, count=n))
    budget = BudgetYear(year=2025)
    budget.lines = [
        BudgetLine(label="Loyer", category="charges", period="month", amount_cents=82_000),
        BudgetLine(label="Chaudière", category="upkeep", period="year", amount_cents=120_000),
    ]
    db.session.add(budget)
    for cents, day in [(12_345, date(2025, 1, 15)), (7_655, date(2025, 1, 20))]:
        db.session.add(
            Gift(
                status="received",
                amount_cents=cents,
                received_on=day,
                donor_member_id=ines.id,
                donor_name="Inès Oudard",
            )
        )
    db.session.commit()
    return SimpleNamespace(zoe=zoe, marc=marc, ines=ines, jan10=jan10)


# -- figures -------------------------------------------------------------------------------


def test_attendance_counts_members_and_guests_present_at_closed_fridays(history):
    assert [(f.day, f.members, f.guests) for f in figures.attendance(SPAN)] == [
        (date(2025, 1, 10), 3, 2),
        (date(2025, 1, 17), 2, 0),
        (date(2025, 2, 7), 1, 1),
    ]


def test_monthly_counts_follow_the_paris_calendar(history):
    jan, feb, mar = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)
    assert figures.decisions_per_month(SPAN) == [(jan, 2), (feb, 1), (mar, 0)]
    assert figures.actions_done_per_month(SPAN) == [(jan, 0), (feb, 1), (mar, 1)]
    assert figures.needs_met_per_month(SPAN) == [(jan, 0), (feb, 0), (mar, 1)]


def test_weather_only_of_fridays_with_five_answers(history):
    fridays = figures.weather(SPAN)
    assert [(f.day, f.counts) for f in fridays] == [
        (
            date(2025, 1, 10),
            {"sun": 3, "sunny_spells": 0, "clouds": 0, "rain": 2, "storm": 0},
        )
    ]


def test_budget_cumulates_what_came_in_against_the_need(history):
    data = figures.budget(2025, today=date(2025, 3, 15))
    assert data.need_cents == 82_000 * 12 + 120_000
    assert data.came_in_cents == 20_000
    assert [(m.came_in_cents, m.cumulative_cents) for m in data.months[:4]] == [
        (20_000, 20_000),
        (0, 20_000),
        (0, 20_000),
        (None, None),  # April is still to come
    ]
    assert data.months[5].need_cumulative_cents == (82_000 * 12 + 120_000) * 6 // 12


def test_ranges_read_from_the_url():
    today = date(2026, 12, 1)
    assert figures.parse_span(today=today) == figures.Span(date(2026, 1, 1), date(2026, 12, 1))
    assert figures.parse_span("2025-03", "2025-05", today=today).count == 3
    assert figures.parse_span("2025-03", None, today=today).last == date(2026, 2, 1)
    assert figures.parse_span(None, "2025-05", today=today).first == date(2024, 6, 1)
    for start, end, field in [
        ("2025-13", "", "de"),
        ("mars", "", "de"),
        ("", "2025/05", "a"),
        ("2025-06", "2025-01", "a"),
        ("2000-01", "2025-01", "a"),
    ]:
        with pytest.raises(Exception) as refused:
            figures.parse_span(start, end, today=today)
        assert refused.value.details["field"] == field


# -- the page --------------------------------------------------------------------------------


@pytest.fixture
def member_http(app, history):
    from tests.conftest import sign_in

    http = app.test_client()
    sign_in(http, history.marc)
    return http


def test_the_page_shows_six_pictures_with_their_sentences_and_tables(member_http):
    response = member_http.get(f"/vie-du-lieu/?{RANGE}")
    assert response.status_code == 200
    page = text_of(response)
    assert page.count("<h1") == 1 and "La vie du lieu" in page
    assert page.count('<h2 id="') == 6
    for name in charts.NAMES:
        assert f'src="/vie-du-lieu/{name}.svg?de=2025-01&amp;a=2025-03"' in page
        assert f'href="/vie-du-lieu/{name}.csv?de=2025-01&amp;a=2025-03"' in page
    assert page.count("Voir les données") == 6
    assert page.count("Télécharger (CSV)") == 6
    assert "3 personnes en moyenne le vendredi (3 vendredis clos)." in page
    assert "3 décisions prises sur la période." in page
    assert "2 actions faites sur la période." in page
    assert "1 besoin satisfait sur la période." in page
    assert "La météo de 1 vendredi" in page
    assert "200,00\u00a0€ sont entrés pour un besoin de 11\u202f040,00\u00a0€ (1\u00a0%)" in page
    assert '<th scope="col">Invité·es</th>' in page and '<th scope="row">' in page
    assert "<caption>Présence le vendredi — De janvier 2025 à mars 2025</caption>" in page
    assert 'alt="Présence le vendredi (De janvier 2025 à mars 2025) : 3 personnes' in page


def test_an_empty_range_shows_an_empty_state_per_picture(member_http):
    response = member_http.get("/vie-du-lieu/?de=2031-01&a=2031-02")
    assert response.status_code == 200
    page = text_of(response)
    assert "<img" not in page
    assert "Aucun vendredi clos sur cette période." in page
    assert "Aucune décision sur cette période." in page
    assert "Aucune action faite sur cette période." in page
    assert "Aucun besoin satisfait sur cette période." in page
    assert "Rien d’inscrit au budget de 2031 pour l’instant." in page
    assert "Pas de météo à montrer" in page
    # The pictures themselves still answer, with nothing in them.
    svg = member_http.get("/vie-du-lieu/presence.svg?de=2031-01&a=2031-02")
    assert svg.status_code == 200
    ET.fromstring(svg.get_data())


@pytest.mark.parametrize(
    ("query", "message", "field"),
    [
        ("de=2025-13", "Mois illisible", "de"),
        ("de=hier&a=2025-01", "Mois illisible", "de"),
        ("de=2025-06&a=2025-01", "Le mois de début doit venir avant le mois de fin.", "a"),
    ],
)
def test_a_bad_range_is_refused_in_french_beside_its_field(member_http, query, message, field):
    response = member_http.get(f"/vie-du-lieu/?{query}")
    assert response.status_code == 400
    page = text_of(response)
    assert message in page
    assert f'aria-describedby="error-{field}"' in page
    assert "<img" not in page
    for kind in ("svg", "csv"):
        picture = member_http.get(f"/vie-du-lieu/presence.{kind}?{query}")
        assert picture.status_code == 400 and message in text_of(picture)


def test_an_unknown_picture_is_a_french_404(member_http):
    for kind in ("svg", "csv"):
        response = member_http.get(f"/vie-du-lieu/camembert.{kind}")
        assert response.status_code == 404
        assert "Cette image de la vie du lieu n’existe pas." in text_of(response)


# -- SVG and CSV -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", charts.NAMES)
def test_each_svg_is_well_formed_titled_and_self_contained(member_http, name):
    response = member_http.get(f"/vie-du-lieu/{name}.svg?{RANGE}")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "style-src 'unsafe-inline'" in policy
    assert "script-src" not in policy
    body = response.get_data(as_text=True)
    root = ET.fromstring(response.get_data())
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = list(root)[:2]
    assert title.tag == f"{SVG}title" and title.text.startswith(str(charts.TITLES[name]))
    assert desc.tag == f"{SVG}desc" and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "<script" not in body.lower()
    assert not list(root.iter(f"{SVG}script"))
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", body))
    assert urls <= NAMESPACES, urls
    assert "@import" not in body and "url(" not in body
    assert "Zoé" not in body and "Yolande" not in body


def test_the_svg_says_amounts_the_french_way(member_http):
    body = text_of(member_http.get(f"/vie-du-lieu/budget.svg?{RANGE}"))
    assert "200\u00a0€" in body  # the cumulative came-in, in whole euros


def read_csv(response):
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_csv_parsed_back(member_http):
    response = member_http.get(f"/vie-du-lieu/presence.csv?{RANGE}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert read_csv(response) == [
        ["Vendredi", "Membres", "Invité·es", "Total"],
        ["10/01/2025", "3", "2", "5"],
        ["17/01/2025", "2", "0", "2"],
        ["07/02/2025", "1", "1", "2"],
    ]
    rows = read_csv(member_http.get(f"/vie-du-lieu/budget.csv?{RANGE}"))
    assert rows[0] == ["Mois", "Entrées du mois", "Entrées cumulées", "Besoin cumulé"]
    assert rows[1] == ["janvier 2025", "200,00", "200,00", "920,00"]
    assert rows[12][0] == "décembre 2025" and rows[12][3] == "11040,00"
    rows = read_csv(member_http.get(f"/vie-du-lieu/decisions.csv?{RANGE}"))
    assert rows == [
        ["Mois", "Décisions"],
        ["janvier 2025", "2"],
        ["février 2025", "1"],
        ["mars 2025", "0"],
    ]
    rows = read_csv(member_http.get(f"/vie-du-lieu/meteo.csv?{RANGE}"))
    assert rows == [
        ["Vendredi", "Soleil", "Éclaircies", "Nuages", "Pluie", "Orage"],
        ["10/01/2025", "3", "0", "0", "2", "0"],
    ]


# -- audiences ------------------------------------------------------------------------------


def test_anonymous_visitor_signs_in_when_the_archive_is_for_members(client, history):
    for url in (
        f"/vie-du-lieu/?{RANGE}",
        f"/vie-du-lieu/presence.svg?{RANGE}",
        f"/vie-du-lieu/presence.csv?{RANGE}",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/connexion" in response.headers["Location"]
        assert "Zoé" not in text_of(response)


def test_anonymous_visitor_sees_the_same_counts_when_the_archive_is_public(
    client, make_member, history
):
    place.set_publication(make_member(role="admin"), "public")
    page = text_of(client.get(f"/vie-du-lieu/?{RANGE}"))
    assert "3 personnes en moyenne le vendredi" in page
    bodies = [page]
    for name in charts.NAMES:
        for kind in ("svg", "csv"):
            response = client.get(f"/vie-du-lieu/{name}.{kind}?{RANGE}")
            assert response.status_code == 200
            bodies.append(text_of(response))
    for body in bodies:
        for secret in ("Zoé", "Quintal", "Marc Vasseur", "Inès", "Oudard", "Yolande", "Gaspard"):
            assert secret not in body
        # Each gift alone never shows: only the month's total (200,00 €).
        for amount in ("123,45", "76,55", "123.45"):
            assert amount not in body


def test_the_page_and_pictures_speak_english_when_chosen(member_http):
    from tests.conftest import post_form

    post_form(member_http, "/langue", {"lang": "en", "next": "/vie-du-lieu/"})
    page = text_of(member_http.get(f"/vie-du-lieu/?{RANGE}"))
    assert "Life of the place" in page
    assert "3 people on average on Fridays (3 closed Fridays)." in page
    assert "In 2025, €200.00 came in against a need of €11,040.00 (1%)." in page
    svg = text_of(member_http.get(f"/vie-du-lieu/budget.svg?{RANGE}"))
    assert "The year’s budget" in svg and 'xml:lang="en"' in svg
