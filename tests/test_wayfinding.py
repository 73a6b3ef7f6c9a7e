"""Finding your way on Friday: home and the document lead to the live pages while a Friday is
live (the console and the projector only for who may use them), starting from the document
asks first and opens the console, a guest who reloads after the close reads what was decided,
and once a Friday is closed home names the next one, whose document lists what was carried.
"""

import re
from datetime import timedelta

import pytest

from meeting.decisions import services as decisions
from meeting.live import services as agenda
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.prep import services as prep
from tests.conftest import post_form

BILLET = "Billet SECRET-9Z de la semaine."


def plain(text):
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (response.status_code, response.location)
    return plain(response.get_data(as_text=True))


def links(html):
    """The hrefs of the page's links, as a set."""
    return set(re.findall(r'<a [^>]*href="([^"]+)"', html))


def urls(meeting):
    day = meeting.scheduled_for.isoformat()
    return {
        "phone": f"/vendredi/{day}/direct",
        "console": f"/vendredi/{day}/animation",
        "screen": f"/vendredi/{day}/ecran",
        "document": f"/vendredi/{day}/",
    }


@pytest.fixture
def people(app, client_as):
    """Signed-in clients: a facilitator, a member, the member who is scribe of the day."""
    camille_http, camille = client_as("facilitator", name="Camille")
    theo_http, theo = client_as(name="Théo")
    ines_http, ines = client_as(name="Inès")
    return {
        "camille": (camille_http, camille),
        "theo": (theo_http, theo),
        "ines": (ines_http, ines),
        "anonymous": (app.test_client(), None),
    }


# -- before the Friday starts --------------------------------------------------------------------


def test_before_the_friday_home_shows_the_way_to_the_console_only_to_who_may_run_it(
    people, live_friday
):
    friday = live_friday(people["camille"][1], started=False)
    u = urls(friday.meeting)
    facilitator_home = page(people["camille"][0], "/")
    assert u["console"] in links(facilitator_home)
    assert "Préparer l’animation" in facilitator_home
    member_home = page(people["theo"][0], "/")
    assert u["console"] not in links(member_home)
    assert "Préparer l’animation" not in member_home
    # nothing is live yet: no banner for anyone
    for home in (facilitator_home, member_home):
        assert "En direct : suivre sur mon téléphone" not in home
        assert u["phone"] not in links(home)


def test_starting_from_the_document_asks_first_then_opens_the_console(people, live_friday):
    camille_http, camille = people["camille"]
    friday = live_friday(camille, started=False)
    u = urls(friday.meeting)
    document = page(camille_http, u["document"])
    start_form = re.search(r'<form [^>]*action="[^"]*/commencer"[^>]*>', document).group(0)
    assert 'data-confirm="Commencer la réunion maintenant' in start_form
    response = post_form(camille_http, u["document"] + "commencer")
    assert response.status_code == 302
    assert response.location.endswith(u["console"])
    console = page(camille_http, u["console"])
    assert "Réunion en cours" in console or "réunion en cours" in console.lower()
    assert meetings.find_meeting(friday.meeting.scheduled_for).status == "live"


# -- while the Friday is live --------------------------------------------------------------------


@pytest.mark.parametrize("where", ["/", "document"])
def test_while_live_members_get_the_phone_link_and_only_who_may_gets_console_and_screen(
    people, live_friday, where
):
    camille = people["camille"][1]
    friday = live_friday(camille)
    agenda.assign_role(camille, friday.meeting.id, "scribe", people["ines"][1].id)
    u = urls(friday.meeting)
    url = u["document"] if where == "document" else "/"
    seen = {name: page(http, url) for name, (http, _m) in people.items() if name != "anonymous"}
    for name, html in seen.items():
        assert "En direct : suivre sur mon téléphone" in html, name
        assert u["phone"] in links(html), name
    # the facilitator and the day's scribe may use the console; a member may not
    for name in ("camille", "ines"):
        assert {u["console"], u["screen"]} <= links(seen[name]), name
        assert "Animer" in seen[name] and "Écran à projeter" in seen[name]
    assert not {u["console"], u["screen"]} & links(seen["theo"])
    assert "Écran à projeter" not in seen["theo"]
    # the links lead somewhere each may go
    assert people["theo"][0].get(u["phone"]).status_code == 200
    assert people["ines"][0].get(u["console"]).status_code == 200


def test_while_live_an_anonymous_visitor_sees_no_live_link(people, live_friday):
    friday = live_friday(people["camille"][1])
    u = urls(friday.meeting)
    home = page(people["anonymous"][0], "/")
    assert "En direct" not in home
    assert not {u["phone"], u["console"], u["screen"]} & links(home)
    response = people["anonymous"][0].get(u["document"])
    assert response.status_code == 302 and "/connexion" in response.location


# -- after the close -------------------------------------------------------------------------------


@pytest.fixture
def decided_friday(people, live_friday, make_member):
    """A Friday that decided something, with a billet and a present member, then closed; the
    guest Ana followed it from the door."""
    camille = people["camille"][1]
    theo = people["theo"][1]
    friday = live_friday(camille, guests=("Ana",))
    prep.add_entry(theo, friday.meeting.id, "mood", None, BILLET)
    zoe = make_member(name="Zoé Présente", email="zoe.presente@le97.example")
    agenda.set_attendance(camille, friday.meeting.id, zoe.id, "present")
    agenda.advance(
        camille, friday.meeting.id, meetings.get_meeting(friday.meeting.id).live_revision
    )
    decisions.record_decision(
        camille, friday.meeting.id, "On appelle **le chauffagiste**.", "consent"
    )
    decisions.add_action(
        camille,
        friday.meeting.id,
        "Demander un devis",
        theo.id,
        (dates.today_in_place() + timedelta(days=3)).isoformat(),
    )
    agenda.close_live(camille, friday.meeting.id)
    friday.zoe = zoe
    return friday


def test_a_guest_who_reloads_after_the_close_reads_that_it_is_closed_and_what_was_decided(
    decided_friday,
):
    u = urls(decided_friday.meeting)
    html = page(decided_friday.guests["Ana"], u["phone"])
    assert "La réunion est close" in html
    assert "le chauffagiste" in html  # the decision, as the phone shows it
    assert "Demander un devis" in html  # who does what by when


def test_the_guests_closed_page_carries_nothing_member_only(decided_friday, people):
    """Audience rule: a guest sees only what the guest view shows, even after the close."""
    u = urls(decided_friday.meeting)
    html = page(decided_friday.guests["Ana"], u["phone"])
    assert BILLET not in html and "SECRET-9Z" not in html  # no billet
    assert "@" not in re.sub(r"<[^>]+>", "", html)  # no e-mail in any text
    for member in (people["camille"][1], people["theo"][1], decided_friday.zoe):
        assert member.email not in html
    assert "Zoé Présente" not in html  # no member list (she was present, owns nothing)
    assert 'name="owner_id"' not in html and "data-command" not in html  # no console form


def test_after_the_close_no_one_else_reads_the_closed_page(decided_friday, app, live_friday):
    u = urls(decided_friday.meeting)
    # no guest session: the sign-in page, as before
    response = app.test_client().get(u["phone"])
    assert response.status_code == 302 and "/connexion" in response.location
    # a guest session of another Friday does not open this one
    other = live_friday(
        decided_friday.facilitator,
        topics=(),
        day=decided_friday.meeting.scheduled_for + timedelta(days=14),
    )
    stranger = other.guest("Bob")
    response = stranger.get(u["phone"])
    assert response.status_code in (302, 403)
    assert "La réunion est close" not in response.get_data(as_text=True)


def test_once_the_friday_is_closed_home_names_the_next_one(decided_friday, people, app):
    closed_day = decided_friday.meeting.scheduled_for
    next_day = closed_day + timedelta(days=7)
    home = page(people["theo"][0], "/")
    assert f"/vendredi/{next_day.isoformat()}/" in links(home)
    assert f"/vendredi/{closed_day.isoformat()}/" not in links(home)
    assert "En direct" not in home  # nothing live any more
    anonymous_home = page(app.test_client(), "/")
    with app.test_request_context():
        from meeting.i18n import long_date

        assert plain(long_date(next_day)).capitalize() in anonymous_home
        assert plain(long_date(closed_day)).capitalize() not in anonymous_home


def test_coming_day_skips_a_closed_friday_on_the_friday_afternoon_and_the_saturday(
    app, live_friday, monkeypatch
):
    friday = live_friday(topics=())
    day = friday.meeting.scheduled_for
    saturday, next_friday = day + timedelta(days=1), day + timedelta(days=7)
    monkeypatch.setattr(dates, "today_in_place", lambda: day)  # Friday, after lunch
    assert meetings.coming_day() == day  # live: still this Friday
    agenda.close_live(friday.facilitator, friday.meeting.id)
    assert meetings.coming_day() == next_friday
    assert meetings.coming_meeting().scheduled_for == next_friday
    monkeypatch.setattr(dates, "today_in_place", lambda: saturday)
    assert meetings.coming_day() == next_friday
    # a Friday still preparing (nobody held it) stays the coming one on its day
    monkeypatch.setattr(dates, "today_in_place", lambda: next_friday)
    assert meetings.coming_day() == next_friday


def test_the_next_fridays_document_lists_what_was_carried_to_it(decided_friday, people):
    """Chauffage was decided on (done); Jardin was never reached: carried, and said so."""
    closed = decided_friday.meeting
    next_day = closed.scheduled_for + timedelta(days=7)
    carried = prep.carried_over(meetings.for_day(next_day))
    assert carried == [(closed.scheduled_for, "Jardin")]
    html = page(people["theo"][0], f"/vendredi/{next_day.isoformat()}/")
    from meeting.i18n import long_date

    assert f"Reporté du {plain(long_date(closed.scheduled_for))} : Jardin" in html
    assert "1 point reporté à ce vendredi" in html
    # the closed Friday's own document carries no such list
    assert "Reporté du" not in page(
        people["theo"][0], f"/vendredi/{closed.scheduled_for.isoformat()}/"
    )


def test_a_friday_with_nothing_carried_shows_no_carried_section(people, live_friday):
    friday = live_friday(people["camille"][1], started=False)
    assert prep.carried_over(friday.meeting) == []
    html = page(people["theo"][0], urls(friday.meeting)["document"])
    assert "reporté" not in html.lower()


def test_a_signed_in_member_who_joins_goes_to_the_live_phone(people, live_friday):
    friday = live_friday(people["camille"][1])
    response = people["theo"][0].get("/rejoindre")
    assert response.status_code == 302
    assert response.location.endswith(urls(friday.meeting)["phone"])
