"""The place's economy, in a real browser: the treasurer sets this year's budget from the seed's
figures; a member announces a gift on her phone and the treasurer confirms it; a need is met
with a value; a member records a catalogue use with the contribution she chose; on Friday the
projector shows "Où en est-on ?" with the new totals; the public budget page shows the gauge
and the breakdown with no individual amount; the life of the place shows its charts and their
tables."""

import os

import pytest
from playwright.sync_api import expect

from meeting.extensions import db
from meeting.meetings import dates
from meeting.models import CatalogueItem, Entry
from meeting.prep import services as prep
from tests.browser.conftest import assert_accessible

LAPTOP = {"viewport": {"width": 1366, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
SHOTS = os.environ.get("SHOTS_DIR")  # e.g. /tmp/shots/economy-journey
NEED = 1383 * 12 * 100 + 7000 * 100 + 5000 * 100  # the seed's lines: 28 596 €


def plain(text):
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def post(page, name):
    """A plain form post: wait for the page it leads to."""
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


@pytest.fixture
def config_overrides(mail_config):
    return mail_config


def test_the_year_s_economy_from_the_treasurer_to_the_projector_and_the_public_page(
    live_server, open_page, signed_in_page, make_member, live_friday, smtp_server
):
    camille = make_member(role="facilitator", name="Camille")
    camille.is_treasurer = True
    ines = make_member(name="Inès")
    db.session.commit()
    year = dates.today_in_place().year
    base = live_server.url

    # -- the treasurer sets the year's budget from the seed's figures -----------------------
    treasurer = signed_in_page(camille, **LAPTOP)
    treasurer.goto(f"{base}/budget/{year}/lignes")
    expect(treasurer.get_by_label("Intitulé").first).to_have_value("Loyer et charges locatives")
    assert_accessible(treasurer)
    shot(treasurer, "1-lines")
    post(treasurer, "Enregistrer les lignes")
    gauge = treasurer.locator("#gauge-text")
    expect(gauge).to_contain_text("sur 28 596 €")
    assert plain(gauge.inner_text()).startswith("0 €")
    assert_accessible(treasurer)
    treasurer.goto(f"{base}/budget/reglages")
    treasurer.get_by_label("Adresse de la page de dons").fill("https://le97.example/dons")
    post(treasurer, "Enregistrer les réglages")

    # -- a member announces a gift on her phone; the treasurer confirms it --------------------
    phone = signed_in_page(ines, **PHONE)
    phone.goto(f"{base}/budget/dons/annoncer")
    assert_accessible(phone)
    phone.get_by_label("Montant").fill("0")
    post(phone, "Annoncer mon don")
    expect(phone.locator(".field-error")).to_contain_text("supérieur à zéro")
    expect(phone.get_by_label("Montant")).to_have_value("0")
    phone.get_by_label("Montant").fill("120,50")
    post(phone, "Annoncer mon don")
    expect(phone.locator("main")).to_contain_text("120,50")
    shot(phone, "2-pledge")

    treasurer.goto(f"{base}/budget/dons/")
    assert_accessible(treasurer)
    post(treasurer, "Confirmer la réception")
    treasurer.goto(f"{base}/budget/")
    expect(treasurer.locator("#gauge-text")).to_contain_text("120")

    # -- a need met with a value (a contribution in kind) -------------------------------------
    coming = dates.next_meeting_date()
    friday = live_friday(camille, topics=(), started=False, day=coming)
    need = prep.add_entry(camille, friday.meeting.id, "need", "Savon", "Du savon pour la cuisine.")
    prep.claim_need(ines, need.id, "J’apporte du savon")
    phone.goto(f"{base}/vendredi/{coming.isoformat()}/#entree-{need.id}")
    expect(phone.locator("body")).to_have_attribute("data-live", "connected")
    phone.wait_for_function("() => window.Vendredi && Vendredi.live.socket.connected")
    phone.get_by_label("Valeur estimée de ce que vous apportez (facultatif)").fill("12,30")
    phone.get_by_role("button", name="Satisfait").click()  # sent over the socket
    expect(phone.locator(f"#entree-{need.id}")).to_have_attribute("data-need-status", "met")
    expect(phone.locator(f"#entree-{need.id}")).not_to_contain_text("12,30")
    db.session.rollback()  # end this thread's read snapshot: read what the server wrote
    assert db.session.get(Entry, need.id).in_kind_cents == 1230

    # -- a catalogue use with the contribution she chose --------------------------------------
    room = CatalogueItem(
        title="La grande salle pour un après-midi", unit="half_day", house_minutes=240
    )
    db.session.add(room)
    db.session.commit()
    phone.goto(f"{base}/catalogue/")
    assert_accessible(phone)
    phone.get_by_role("link", name="La grande salle pour un après-midi").click()
    phone.get_by_role("link", name="J’ai utilisé", exact=False).click()
    assert_accessible(phone)
    phone.get_by_label("Quand").fill(dates.today_in_place().isoformat())
    phone.get_by_label("Combien (la demi-journée)").fill("1")
    phone.get_by_label("La contribution que vous choisissez").fill("25")
    post(phone, "Enregistrer mon utilisation")
    phone.goto(f"{base}/catalogue/mes-contributions")
    mine = plain(phone.locator("main").inner_text())
    assert "25,00 €" in mine and "12,30 €" in mine
    shot(phone, "3-my-contributions")

    # -- Friday: "Où en est-on ?" on the projector --------------------------------------------
    from meeting.live import services as agenda

    agenda.start_live(camille, friday.meeting.id)
    console = signed_in_page(camille, **LAPTOP)
    console.goto(f"{base}/vendredi/{coming.isoformat()}/animation")
    expect(console.locator("body")).to_have_attribute("data-live", "connected")
    add = console.get_by_role("button", name="Ajouter « Où en est-on ? »", exact=False)
    add.click()  # over the socket: the agenda gains the point, the button goes
    expect(add).to_have_count(0)
    screen = signed_in_page(camille, **PROJECTOR)
    screen.goto(f"{base}/vendredi/{coming.isoformat()}/ecran")
    console.bring_to_front()
    console.get_by_role("button", name="Suivant →").click()
    panel = screen.locator(".friday-budget-came-in")
    expect(panel).to_contain_text("sur 28 596 €")
    came_in = 12050 + 1230 + 2500  # the gift, the soap, the room
    # whole euros on the projector (157,80 € → "158 €")
    assert plain(panel.inner_text()).startswith(f"{(came_in + 50) // 100} €")
    expect(screen.locator("body")).not_to_contain_text("Inès")
    shot(screen, "4-projector")

    # A gift recorded while the point is on screen moves the gauge there, live.
    treasurer.goto(f"{base}/budget/dons/")
    treasurer.get_by_label("Montant", exact=True).fill("300")
    treasurer.get_by_label("Don anonyme").check()
    post(treasurer, "Enregistrer le don")
    expect(panel).to_contain_text(f"{(came_in + 30000 + 50) // 100}\u00a0€")

    # -- the public page: the gauge and the breakdown, no individual amount -------------------
    visitor = open_page(**PHONE)
    visitor.goto(f"{base}/budget/public")
    assert_accessible(visitor)
    text = plain(visitor.locator("main").inner_text())
    assert "28 596 €" in text and "À quoi serviront les dons" in text
    # Two gifts: their total, never one of them (nor who gave). (The single use and the single
    # contribution in kind are their own totals here.)
    assert "420,50 €" in text
    for private in ("Inès", "Camille", "120,50", "300,00"):
        assert private not in text
    expect(visitor.get_by_role("link", name="Faire un don")).to_have_attribute(
        "href", "https://le97.example/dons"
    )
    shot(visitor, "5-public")

    # -- the life of the place: charts with their tables --------------------------------------
    treasurer.goto(f"{base}/vie-du-lieu/")
    assert_accessible(treasurer)
    # Six pictures; those with no data yet (attendance, decisions… of a first Friday still
    # open) say so instead of drawing an empty chart.
    assert treasurer.locator("main section h2").count() == 6
    charts = treasurer.locator("main img[src*='.svg']")
    expect(treasurer.locator("main img[src*='budget.svg']")).to_have_count(1)
    for index in range(charts.count()):
        chart = charts.nth(index)
        assert chart.get_attribute("alt")
        chart.scroll_into_view_if_needed()  # they load lazily
        treasurer.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=chart.element_handle()
        )
    assert treasurer.locator("main table caption").count() == charts.count()
    shot(treasurer, "6-life")
