""" "Où en est-on ?" on Friday (issue 11, item 5): the console puts the point on the agenda once;
while it is current, the projector, the phones (members and guests) and the console show the
year's gauge, this month's totals and the needs still open — totals only, never a donor or a
single gift — and a gift recorded during the meeting moves the gauge live."""

import json
import re
from datetime import date

import pytest

from meeting.economy.facts import figures_changed
from meeting.errors import Conflict, Forbidden
from meeting.extensions import db
from meeting.live import budget
from meeting.live import items as live_items
from meeting.live import services as agenda
from meeting.meetings import dates
from meeting.models import (
    AgendaItem,
    BudgetLine,
    BudgetYear,
    CatalogueItem,
    CatalogueUse,
    Gift,
    Trace,
)
from meeting.models.base import utcnow
from meeting.pipeline import change
from meeting.prep import services as prep
from meeting.realtime import wait_for_soon_facts
from tests.conftest import post_form

DONOR = "Bernadette Lachaise-Sentinelle"
SEED_LINES = [  # (label, category, period, euros): the seed's budget, 28 596 € a year
    ("Loyer et charges locatives", "charges", "month", 820),
    ("Électricité", "charges", "month", 150),
    ("Gaz", "charges", "month", 280),
    ("Assurances", "charges", "month", 133),
    ("Réparations et entretien", "upkeep", "year", 7000),
    ("Conciergerie / facilitation", "conciergerie", "year", 5000),
]


def plain(html):
    return html.replace("\u00a0", " ").replace("\u202f", " ")


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return plain(response.get_data(as_text=True))


def region(html, name="budget_panel"):
    match = re.search(rf'<section class="[^"]*" data-region="{name}".*?</section>', html, re.DOTALL)
    assert match, name
    return match.group(0)


def seed_budget(year=None):
    year = year or dates.today_in_place().year
    with change():
        row = BudgetYear(year=year)
        db.session.add(row)
        for position, (label, category, period, euros) in enumerate(SEED_LINES):
            row.lines.append(
                BudgetLine(
                    position=position,
                    label=label,
                    category=category,
                    period=period,
                    amount_cents=euros * 100,
                )
            )


def record_gift(cents, donor_name=None, anonymous=False, status="received"):
    """A gift row, as the treasurer's confirmation writes it, telling who shows the figures."""
    with change() as c:
        gift = Gift(
            status=status,
            amount_cents=cents,
            received_on=dates.today_in_place() if status == "received" else None,
            donor_name=donor_name,
            anonymous=anonymous,
            method="transfer",
        )
        db.session.add(gift)
        figures_changed(c)
    return gift


@pytest.fixture
def friday(live_friday, make_member):
    """A live Friday (check-in current, then "Chauffage"), the seed's budget, this month's
    gifts (950,00 € from a named donor, 84,50 € anonymous), a use of the catalogue (40 €),
    a need met with a value (15 €) and two needs still open."""
    this = live_friday(topics=("Chauffage",))
    seed_budget()
    record_gift(95000, donor_name=DONOR)
    record_gift(8450, anonymous=True)
    hugo = make_member(name="Hugo Apporteur")
    with change():
        item = CatalogueItem(title="Salle pour un après-midi", unit="half_day")
        db.session.add(item)
        db.session.flush()
        db.session.add(
            CatalogueUse(
                item_id=item.id,
                member_id=hugo.id,
                used_on=dates.today_in_place(),
                contribution_cents=4000,
                for_whom="Atelier couture",
            )
        )
    soap = prep.add_entry(this.author, this.meeting.id, "need", "Du savon", "Plus de savon.")
    with change():
        met = db.session.get(type(soap), soap.id)
        met.need_status, met.resolved_at = "met", utcnow()
        met.in_kind_cents, met.in_kind_member_id = 1500, hugo.id
    prep.add_entry(this.author, this.meeting.id, "need", "De l’huile", "Huile d’olive.")
    prep.add_entry(this.author, this.meeting.id, "need", "Un coup de main", "Au jardin.")
    this.hugo = hugo
    return this


def to_budget_point(friday):
    """Put "Où en est-on ?" on the agenda and move to it."""
    item = live_items.add_budget_point(friday.facilitator, friday.meeting.id)
    for _step in range(len(agenda.agenda_items(friday.meeting.id))):
        db.session.refresh(friday.meeting)
        current = agenda.current_item(friday.meeting.id)
        if current is not None and current.id == item.id:
            break
        agenda.advance(friday.facilitator, friday.meeting.id, friday.meeting.live_revision)
    assert agenda.current_item(friday.meeting.id).id == item.id
    return item


# -- the command --------------------------------------------------------------------------


def test_the_console_adds_the_point_once_and_a_member_may_not(live_friday, client_as, socket_for):
    this = live_friday(topics=("Chauffage",))
    member_http, member = client_as(name="Zoé")
    refused = socket_for(member_http).command("add_budget_point", {"meeting_id": this.meeting.id})
    assert refused["ok"] is False and refused["error"] == "forbidden" and refused["message"]
    with pytest.raises(Forbidden):
        live_items.add_budget_point(member, this.meeting.id)
    assert not [i for i in agenda.agenda_items(this.meeting.id) if i.panel]

    console_http, _camille = client_as("facilitator", name="Camille B.")
    console = socket_for(console_http)
    ack = console.command("add_budget_point", {"meeting_id": this.meeting.id})
    assert ack["ok"] is True, ack
    item = db.session.get(AgendaItem, ack["item_id"])
    assert (item.kind, item.panel, item.timebox_minutes, item.status) == (
        "other",
        "budget",
        5,
        "pending",
    )
    assert plain(item.title) == "Où en est-on ?"
    assert item.position == max(i.position for i in agenda.agenda_items(this.meeting.id))
    trace = db.session.scalars(
        db.select(Trace).where(Trace.verb == "agenda_item_added", Trace.subject_id == item.id)
    ).one()
    assert trace.data["panel"] == "budget" and plain(trace.data["title"]) == "Où en est-on ?"

    again = console.command("add_budget_point", {"meeting_id": this.meeting.id})
    assert again["ok"] is False and again["error"] == "already_on_agenda"
    assert "déjà à l’ordre du jour" in again["message"]
    assert len([i for i in agenda.agenda_items(this.meeting.id) if i.panel]) == 1


def test_a_done_budget_point_may_come_back_and_an_unreached_one_is_carried(live_friday):
    this = live_friday(topics=())
    first = live_items.add_budget_point(this.facilitator, this.meeting.id)
    db.session.refresh(this.meeting)
    agenda.advance(this.facilitator, this.meeting.id, this.meeting.live_revision)  # to it
    db.session.refresh(this.meeting)
    with pytest.raises(Conflict):  # current: still refused
        live_items.add_budget_point(this.facilitator, this.meeting.id)
    agenda.postpone(this.facilitator, this.meeting.id, first.id)
    again = live_items.add_budget_point(this.facilitator, this.meeting.id)  # postponed: offered
    agenda.close_live(this.facilitator, this.meeting.id)
    carried = db.session.scalars(
        db.select(AgendaItem).where(AgendaItem.carried_from_id == again.id)
    ).one()
    assert carried.panel == "budget" and carried.meeting_id != this.meeting.id
    with pytest.raises(Conflict):  # the next Friday has it already
        live_items.add_budget_point(this.facilitator, carried.meeting_id)


def test_the_console_form_adds_it_on_a_preparing_friday_and_says_why_not_twice(
    live_friday, client_as
):
    this = live_friday(topics=("Chauffage",), started=False)
    http, _facilitator = client_as("facilitator", name="Camille C.")
    url = f"/vendredi/{this.meeting.scheduled_for.isoformat()}/animation"
    before = page(http, url)
    assert 'value="add_budget_point"' in before
    response = post_form(http, url, {"op": "add_budget_point", "meeting_id": this.meeting.id})
    assert response.status_code == 303
    after = page(http, url)
    assert "Où en est-on ?" in region(after, "agenda")
    assert 'value="add_budget_point"' not in after  # no longer offered
    response = post_form(http, url, {"op": "add_budget_point", "meeting_id": this.meeting.id})
    refused = page(http, url)
    assert "« Où en est-on ? » est déjà à l’ordre du jour de ce vendredi." in refused
    assert len([i for i in agenda.agenda_items(this.meeting.id) if i.panel]) == 1


# -- what each view shows -------------------------------------------------------------------


def test_no_panel_while_another_point_is_current(friday, client_as):
    live_items.add_budget_point(friday.facilitator, friday.meeting.id)
    http, _member = client_as()
    html = page(http, f"/vendredi/{friday.meeting.scheduled_for.isoformat()}/ecran")
    assert re.search(r'<div class="friday-budget" data-region="budget_panel" hidden>', html)
    assert "Besoins encore ouverts" not in html


def test_screen_phone_console_and_guest_show_totals_and_open_needs_never_a_donor(friday, client_as):
    http, _member = client_as(name="Zoé")
    guest = friday.guest("Ana")
    to_budget_point(friday)
    day = friday.meeting.scheduled_for.isoformat()
    console_http, _f = client_as("facilitator", name="Camille D.")
    month = dates.today_in_place()
    views = {
        "screen": page(http, f"/vendredi/{day}/ecran"),
        "phone": page(http, f"/vendredi/{day}/direct"),
        "guest": page(guest, f"/vendredi/{day}/direct"),
        "console": page(console_http, f"/vendredi/{day}/animation"),
    }
    for view, html in views.items():
        panel = region(html)
        # the gauge: 1 034,50 + 40 + 15 = 1 089,50 € of 28 596 € (3 %)
        assert "1 090 € sur 28 596 €" in panel, view
        assert "3 %" in panel and 'width="3"' in panel, view
        assert "Reste à réunir : 27 506 €" in panel, view
        assert f"Ce mois-ci ({month_name(month)})" in panel, view
        assert "Dons</dt><dd>1 034,50 €" in panel, view
        assert "Contributions pour le catalogue</dt><dd>40,00 €" in panel, view
        assert "Apports en nature</dt><dd>15,00 €" in panel, view
        assert "De l’huile" in panel and "Un coup de main" in panel, view
        assert "Du savon" not in panel, view  # met
        # never who gave, nor a single gift or contribution, nor who brought what
        # (the console lists the members for attendance: there, the panel names nobody)
        shown = panel if view == "console" else html
        for secret in (DONOR, "950,00 €", "84,50 €", "Hugo Apporteur", "Atelier couture"):
            assert secret not in shown, (view, secret)
    # the screen replaces the round and the decisions; the panel follows the current point
    assert "Le budget de l’année" in views["screen"]


def month_name(day):
    return [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ][day.month - 1]


def test_the_screen_lists_a_few_needs_then_a_count_and_the_phones_all(friday, client_as):
    for n in range(1, 7):
        prep.add_entry(friday.author, friday.meeting.id, "need", f"Besoin n{n}", "À trouver.")
    to_budget_point(friday)  # eight needs open
    http, _member = client_as()
    day = friday.meeting.scheduled_for.isoformat()
    screen = region(page(http, f"/vendredi/{day}/ecran"))
    assert screen.count("<li>") == budget.NEEDS_SHOWN["screen"] == 5
    assert "et 3 autres" in screen
    phone = region(page(http, f"/vendredi/{day}/direct"))
    assert phone.count("<li>") == 8 and "autres" not in phone


def test_without_a_budget_the_panel_says_so_and_shows_what_came_in(live_friday, client_as):
    this = live_friday(topics=())
    record_gift(5000, donor_name=DONOR)
    to_budget_point(this)
    http, _member = client_as()
    panel = region(page(http, f"/vendredi/{this.meeting.scheduled_for.isoformat()}/ecran"))
    assert "Le budget de l’année n’est pas encore établi." in panel
    assert "50 € reçus depuis janvier" in panel
    assert "Aucun besoin ouvert." in panel
    assert DONOR not in panel


# -- live: a gift during the meeting moves the gauge ------------------------------------------


def joined(socket_for, http, meeting_id, view):
    sock = socket_for(http)
    ack = sock.command("join_live", {"meeting_id": meeting_id, "view": view})
    assert ack["ok"] is True, ack
    return sock, ack


def test_a_gift_recorded_during_the_point_reaches_every_view_without_its_donor(
    friday, client_as, socket_for
):
    member_http, _member = client_as(name="Zoé")
    console_http, _f = client_as("facilitator", name="Camille E.")
    guest_http = friday.guest("Ana")
    to_budget_point(friday)
    screen, ack = joined(socket_for, member_http, friday.meeting.id, "screen")
    assert "1 090 € sur 28 596 €" in plain(ack["regions"]["budget_panel"])
    phone, _ = joined(socket_for, member_http, friday.meeting.id, "phone")
    console, _ = joined(socket_for, console_http, friday.meeting.id, "console")
    guest, guest_ack = joined(socket_for, guest_http, friday.meeting.id, "phone")
    assert guest_ack["view"] == "guest"
    wait_for_soon_facts()
    for sock in (screen, phone, console, guest):
        sock.facts()

    record_gift(71050, donor_name="Gaston Généreux-Unique")  # 710,50 € confirmed now
    assert wait_for_soon_facts()
    for name, sock in (("screen", screen), ("phone", phone), ("console", console)):
        (fact,) = [f["args"][0] for f in sock.facts("live_updated")]
        assert set(fact["regions"]) == {"budget_panel"}, name
        html = plain(fact["regions"]["budget_panel"])
        assert "1 800 € sur 28 596 €" in html, name  # 1 089,50 + 710,50
        assert "Dons</dt><dd>1 745,00 €" in html, name
        assert "Gaston" not in html and "710,50" not in html, name
    (fact,) = [f["args"][0] for f in guest.facts("live_updated")]
    assert set(fact["regions"]) == {"budget_panel"}  # the guest room's own variant
    text = plain(json.dumps(fact, ensure_ascii=False))
    assert "1 800 € sur 28 596 €" in text
    for secret in ("Gaston", DONOR, "710,50", "950,00", "84,50", "Hugo Apporteur"):
        assert secret not in text, secret


def test_a_gift_while_another_point_is_current_sends_nothing(friday, client_as, socket_for):
    http, _member = client_as()
    screen, _ack = joined(socket_for, http, friday.meeting.id, "screen")
    wait_for_soon_facts()
    screen.facts()
    record_gift(1000, donor_name=DONOR)
    wait_for_soon_facts()
    assert screen.facts("live_updated") == []


def test_a_pledge_is_not_counted_as_come_in(friday, client_as):
    to_budget_point(friday)
    record_gift(500000, donor_name=DONOR, status="pledged")
    http, _member = client_as()
    panel = region(page(http, f"/vendredi/{friday.meeting.scheduled_for.isoformat()}/ecran"))
    assert "1 090 € sur 28 596 €" in panel and "5 000" not in panel


def test_the_panel_reads_this_month_of_this_year(friday, client_as):
    """A gift of another month counts in the year, not in "ce mois-ci"."""
    today = dates.today_in_place()
    other = date(today.year, 1 if today.month != 1 else 2, 1)
    with change():
        db.session.add(
            Gift(status="received", amount_cents=20000, received_on=other, method="cash")
        )
    to_budget_point(friday)
    http, _member = client_as()
    panel = region(page(http, f"/vendredi/{friday.meeting.scheduled_for.isoformat()}/ecran"))
    assert "1 290 € sur 28 596 €" in panel
    assert "Dons</dt><dd>1 034,50 €" in panel


def test_the_pages_showing_the_panel_are_valid_html(friday, client_as, tmp_path):
    from tests.test_html_valid import validate

    guest = friday.guest("Ana")
    to_budget_point(friday)
    day = friday.meeting.scheduled_for.isoformat()
    member_http, _member = client_as()
    console_http, _f = client_as("facilitator", name="Camille F.")
    pages = {
        "screen": member_http.get(f"/vendredi/{day}/ecran"),
        "phone": member_http.get(f"/vendredi/{day}/direct"),
        "guest": guest.get(f"/vendredi/{day}/direct"),
        "console": console_http.get(f"/vendredi/{day}/animation"),
    }
    assert {name: r.status_code for name, r in pages.items()} == dict.fromkeys(pages, 200)
    html = {name: r.get_data(as_text=True) for name, r in pages.items()}
    assert all("friday-budget-gauge" in page for page in html.values())
    assert validate(html, tmp_path) == []
