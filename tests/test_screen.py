"""What the projector screen, the console and the phones say of the agenda (issue 8): the
screen's "Ensuite" numbered as in "point N sur M" and cut with a count, a long decision as an
excerpt marked as continued on the phones, empty sections gone, postponed distinct from done,
and nothing live (estimated end, timer) once the Friday is closed."""

import re

from meeting.decisions import services as decisions
from meeting.extensions import db
from meeting.live import services as agenda

TOPICS = [f"Sujet {n}" for n in range(1, 9)]


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True).replace("\u00a0", " ").replace("\u202f", " ")


def region(html, name):
    match = re.search(
        rf'<(section|div) class="[^"]*" data-region="{name}".*?</\1>', html, re.DOTALL
    )
    assert match, name
    return match.group(0)


def screen_of(client, friday):
    return page(client, f"/vendredi/{friday.meeting.scheduled_for.isoformat()}/ecran")


def step(friday):
    db.session.refresh(friday.meeting)
    agenda.advance(friday.facilitator, friday.meeting.id, friday.meeting.live_revision)


def test_next_points_are_numbered_as_on_the_agenda_and_cut_with_a_count(live_friday, client_as):
    friday = live_friday(topics=TOPICS)  # nine points, the check-in current
    client, _member = client_as()
    step(friday)  # point 2 of 9
    # the point right after is postponed: "Ensuite" starts at point 4, not at 1 nor at 3
    agenda.postpone(friday.facilitator, friday.meeting.id, friday.items[2].id)
    html = screen_of(client, friday)
    assert "point 2 sur 9" in html
    numbers = re.findall(r'<li class="agenda-item status-pending" value="(\d+)"', html)
    assert numbers == ["4", "5", "6"]
    assert "et 3 autres points" in region(html, "agenda")
    # nothing decided yet, no round, no hand: those sections are not on the screen
    assert re.search(r'data-region="decisions"[^>]* hidden>', html)
    assert "Pas encore de décision." not in html and "Pas encore d’action." not in html


def test_a_long_decision_is_an_excerpt_on_the_screen_and_whole_on_the_phones(
    live_friday, client_as, make_member
):
    friday = live_friday()
    client, _member = client_as()
    long_statement = "Nous décidons " + "de faire des travaux utiles " * 20 + "FIN."
    decisions.record_decision(friday.facilitator, friday.meeting.id, "Court.", "consent")
    decisions.record_decision(friday.facilitator, friday.meeting.id, "Moyen.", "information")
    decisions.record_decision(friday.facilitator, friday.meeting.id, long_statement, "consent")
    screen = region(screen_of(client, friday), "decisions")
    assert "(suite sur vos téléphones)" in screen and "FIN." not in screen
    assert "Décision n° 1" not in screen and "et 1 autre plus tôt" in screen
    assert "Décision n° 2" in screen and "Moyen." in screen
    phone = page(client, f"/vendredi/{friday.meeting.scheduled_for.isoformat()}/direct")
    assert "FIN." in phone and "(suite sur vos téléphones)" not in phone


def test_postponed_is_not_done_and_a_closed_friday_shows_nothing_live(live_friday, client_as):
    friday = live_friday(topics=("Chauffage", "Jardin", "Vélos"))
    client, _member = client_as(role="facilitator")
    day = friday.meeting.scheduled_for.isoformat()
    step(friday)  # check-in done, "Chauffage" current
    agenda.postpone(friday.facilitator, friday.meeting.id, friday.items[1].id)
    console = region(page(client, f"/vendredi/{day}/animation"), "agenda")
    done, postponed = (
        re.search(rf'<li class="agenda-item status-{s}".*?</li>', console, re.DOTALL).group(0)
        for s in ("done", "postponed")
    )
    assert "✓" in done and "<strong>traité</strong>" in done and "↷" not in done
    assert "↷" in postponed and "<strong>reporté au vendredi suivant</strong>" in postponed
    assert "✓" not in postponed
    # the console's tools are a block of forms, never forms inside a span
    assert '<div class="agenda-tools">' in console and 'agenda-tools">\n        <form' in console
    assert '<span class="agenda-tools">' not in console
    assert "Fin estimée" in console and "data-timer" in page(client, f"/vendredi/{day}/ecran")

    agenda.close_live(friday.facilitator, friday.meeting.id)
    for view in ("animation", "direct", "ecran"):
        html = page(client, f"/vendredi/{day}/{view}")
        assert "Fin estimée" not in html, view
        assert "data-timer" not in html, view
