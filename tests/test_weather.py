"""La météo du groupe: the optional weather of a billet d'humeur, counted per Friday and never
linked to its author (nor to the billet): what is stored, what is refused, what each door
answers, and when the counts are shown."""

import json

import pytest
from sqlalchemy import func, select

from meeting.errors import ServiceError
from meeting.extensions import db
from meeting.life import weather
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.models import Entry, Meeting, Trace, WeatherGiven, WeatherTally
from meeting.models.economy import WEATHERS
from meeting.prep import services as prep
from tests.conftest import post_form

# The words that would give a weather away, whatever the language or the form.
WEATHER_WORDS = ("weather", "météo", "storm", "orage", "⛈")


def count(model):
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def tally(meeting):
    db.session.rollback()
    return {
        w: n
        for w, n in db.session.execute(
            select(WeatherTally.weather, WeatherTally.count).where(
                WeatherTally.meeting_id == meeting.id
            )
        )
    }


@pytest.fixture
def friday(app):
    return meetings.ensure_meeting(dates.next_meeting_date())


def close(meeting):
    """The Friday is over (its counts may then be shown)."""
    db.session.execute(
        Meeting.__table__.update().where(Meeting.id == meeting.id).values(status="closed")
    )
    db.session.commit()
    db.session.refresh(meeting)


def give(make_member, meeting, values):
    """One billet per value, each by a new member."""
    for value in values:
        prep.add_entry(make_member(), meeting.id, "mood", None, "Ça va.", weather=value)


# -- what is stored ------------------------------------------------------------------------


def test_each_of_the_five_weathers_is_counted_without_its_author(make_member, friday):
    give(make_member, friday, WEATHERS)
    give(make_member, friday, ["sun"])
    assert tally(friday) == {"sun": 2, "sunny_spells": 1, "clouds": 1, "rain": 1, "storm": 1}
    assert count(WeatherGiven) == 6
    assert count(Entry) == 6
    # The billet keeps nothing of it: no column of the entry holds a weather.
    for entry in db.session.scalars(select(Entry)):
        values = {c.name: getattr(entry, c.name) for c in Entry.__table__.columns}
        assert not set(WEATHERS) & {str(v) for v in values.values()}


def test_a_billet_without_weather_counts_nothing(make_member, friday):
    prep.add_entry(make_member(), friday.id, "mood", None, "Rien à dire.", weather="")
    prep.add_entry(make_member(), friday.id, "mood", None, "Rien non plus.")
    assert tally(friday) == {}
    assert count(WeatherGiven) == 0
    assert count(Entry) == 2


def test_a_sixth_value_is_refused_and_nothing_is_stored(make_member, friday):
    with pytest.raises(ServiceError) as refused:
        prep.add_entry(make_member(), friday.id, "mood", None, "Il neige.", weather="snow")
    assert refused.value.details["field"] == "weather"
    assert "Cette météo n’existe pas" in str(refused.value.message)
    assert count(Entry) == 0  # not even the billet
    assert count(WeatherTally) == 0 and count(WeatherGiven) == 0


def test_a_second_weather_of_the_same_member_is_refused(make_member, friday):
    ines = make_member(name="Inès")
    prep.add_entry(ines, friday.id, "mood", None, "Au soleil.", weather="sun")
    with pytest.raises(ServiceError) as refused:
        prep.add_entry(ines, friday.id, "mood", None, "Et l’orage.", weather="storm")
    assert str(refused.value.message) == "Vous avez déjà donné votre météo pour ce vendredi."
    assert refused.value.details["field"] == "weather"
    assert tally(friday) == {"sun": 1}
    assert count(Entry) == 1  # the second billet was not written either
    # Without a weather, a second billet is welcome.
    prep.add_entry(ines, friday.id, "mood", None, "Encore un mot.")
    assert count(Entry) == 2


def test_the_weather_of_another_friday_is_a_new_one(make_member, friday):
    ines = make_member()
    next_one = meetings.ensure_meeting(dates.next_meeting_after(friday))
    prep.add_entry(ines, friday.id, "mood", None, "Un.", weather="rain")
    prep.add_entry(ines, next_one.id, "mood", None, "Deux.", weather="rain")
    assert tally(friday) == {"rain": 1} and tally(next_one) == {"rain": 1}


def test_the_unique_row_refuses_a_second_weather_inside_the_change(make_member, friday):
    ines = make_member()
    db.session.add(WeatherGiven(meeting_id=friday.id, member_id=ines.id))
    db.session.commit()
    with pytest.raises(ServiceError):
        weather.give_weather(ines, friday, "sun")
    db.session.rollback()
    assert tally(friday) == {}


def test_a_need_carries_no_weather(make_member, friday):
    prep.add_entry(make_member(), friday.id, "need", "Savon", "Du savon.", weather="sun")
    assert count(WeatherTally) == 0 and count(WeatherGiven) == 0


def test_the_trace_holds_no_weather(make_member, friday):
    prep.add_entry(make_member(), friday.id, "mood", None, "Gros temps.", weather="storm")
    db.session.rollback()
    trace = db.session.scalar(select(Trace).where(Trace.verb == "entry_added"))
    assert trace.data == {"kind": "mood"}


# -- the doors -----------------------------------------------------------------------------


def test_socket_ack_and_fact_hold_no_weather(app, client_as, socket_for, friday):
    reader_http, _reader = client_as()
    writer_http, _writer = client_as()
    reader = socket_for(reader_http)
    assert reader.command("join_document", {"meeting_id": friday.id})["ok"]
    reader.facts()
    writer = socket_for(writer_http)
    ack = writer.command(
        "add_entry",
        {"meeting_id": friday.id, "kind": "mood", "body": "Gros temps.", "weather": "storm"},
    )
    assert ack["ok"], ack
    assert tally(friday) == {"storm": 1}
    facts = reader.facts("entry_added")
    assert len(facts) == 1
    for sent in (ack, facts[0]["args"]):
        text = json.dumps(sent, ensure_ascii=False).lower()
        assert not [word for word in WEATHER_WORDS if word in text], text
    # A second weather over the socket: refused beside the field, the billet not written.
    again = writer.command(
        "add_entry",
        {"meeting_id": friday.id, "kind": "mood", "body": "Encore.", "weather": "sun"},
    )
    assert again["ok"] is False and again["field"] == "weather"
    assert again["message"] == "Vous avez déjà donné votre météo pour ce vendredi."
    assert count(Entry) == 1 and tally(friday) == {"storm": 1}


def test_socket_bad_weather_creates_nothing_not_even_the_friday(app, client_as, socket_for):
    http, _member = client_as()
    day = dates.next_meeting_date().isoformat()
    ack = socket_for(http).command(
        "add_entry", {"day": day, "kind": "mood", "body": "Il neige.", "weather": "neige"}
    )
    assert ack["ok"] is False and ack["field"] == "weather"
    assert "Cette météo n’existe pas" in ack["message"]
    assert count(Meeting) == 0 and count(Entry) == 0 and count(WeatherTally) == 0


def test_the_add_form_offers_the_weather_until_it_is_given(app, client_as, friday):
    http, _member = client_as()
    url = f"/vendredi/{friday.scheduled_for.isoformat()}/"
    page = http.get(url).get_data(as_text=True)
    assert "Météo du groupe (facultatif, anonyme)" in page
    assert "Comptée sans votre nom\u202f; affichée quand au moins cinq personnes" in page
    assert 'id="weather-none" name="weather" value="" checked' in page
    for value in WEATHERS:
        assert f'id="weather-{value}" name="weather" value="{value}"' in page
    assert "☀" in page and "Orage" in page
    response = post_form(
        http, url + "entrees", {"kind": "mood", "body": "Éclaircies.", "weather": "sunny_spells"}
    )
    assert response.status_code == 302
    assert tally(friday) == {"sunny_spells": 1}
    page = http.get(url).get_data(as_text=True)
    assert 'name="weather"' not in page  # given: the choice is gone for this Friday
    assert "Éclaircies." in page  # the billet is there, its weather is not
    assert "⛅" not in page


def test_the_add_form_refuses_a_bad_weather_beside_the_field(app, client_as):
    http, _member = client_as()
    day = dates.next_meeting_date().isoformat()
    response = post_form(
        http, f"/vendredi/{day}/entrees", {"kind": "mood", "body": "Neige.", "weather": "neige"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="error-weather"' in page and "Cette météo n’existe pas" in page
    assert "Neige." in page  # the text typed is kept
    assert count(Meeting) == 0 and count(Entry) == 0


def test_a_weather_sent_with_a_need_is_dropped(app, client_as, friday):
    http, _member = client_as()
    url = f"/vendredi/{friday.scheduled_for.isoformat()}/entrees"
    response = post_form(http, url, {"kind": "need", "body": "Du savon.", "weather": "rain"})
    assert response.status_code == 302
    assert count(Entry) == 1 and count(WeatherTally) == 0


# -- when it is shown ----------------------------------------------------------------------


def test_below_five_nothing_is_shown(make_member, friday):
    give(make_member, friday, ["sun", "sun", "rain", "storm"])
    close(friday)
    assert weather.shown_counts(friday) is None


def test_at_five_the_counts_are_shown(make_member, friday):
    give(make_member, friday, ["sun", "sun", "rain", "storm", "clouds"])
    assert weather.shown_counts(friday) is None  # not while the Friday is open
    close(friday)
    assert weather.shown_counts(friday) == {
        "sun": 2,
        "sunny_spells": 0,
        "clouds": 1,
        "rain": 1,
        "storm": 1,
    }


def test_the_life_page_shows_the_weather_from_five(app, client_as, make_member, friday):
    http, _member = client_as()
    month = friday.scheduled_for.strftime("%Y-%m")
    give(make_member, friday, ["rain", "rain", "storm", "storm"])
    close(friday)
    url = f"/vie-du-lieu/?de={month}&a={month}"
    page = http.get(url).get_data(as_text=True)
    assert "Pas de météo à montrer" in page
    assert "meteo.svg" not in page
    # A fifth weather (written straight in the tally: the Friday is closed to billets now).
    db.session.add(WeatherTally(meeting_id=friday.id, weather="sun", count=1))
    db.session.commit()
    page = http.get(url).get_data(as_text=True)
    assert "meteo.svg" in page
    assert "La météo de 1 vendredi" in page
    section = page.split('id="meteo"', 1)[1]
    assert '<td class="num">2</td>' in section  # rain and storm twice each, in the table
