"""Friday live in real browsers.

1. A whole short meeting: the facilitator's console, the projector screen and three phones (two
   members and a guest who joined with the code read on the screen): the agenda built from the
   document, check-in, two points, a speaker queue, a consent round with an objection lifted, a
   decision, an action, a postponed point, the close; next Friday's agenda holds what was carried.
2. The server process is killed in the middle of a meeting and a new one started on the same
   port: every page says it is offline, then comes back to the same state without a reload.
"""

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from meeting.decisions.services import present_names
from meeting.extensions import db
from meeting.live import services as agenda
from meeting.meetings import services as meetings
from meeting.models import Action, Decision
from meeting.prep import services as prep
from tests.browser.conftest import AXE_SOURCE, assert_accessible, sign_in_through_form
from tests.servers import Server

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}


def paris_today():
    return datetime.now(ZoneInfo("Europe/Paris")).date()


def coming_friday():
    """The coming Friday at the place (today on a Friday), computed apart from the app."""
    today = paris_today()
    return today + timedelta(days=(4 - today.weekday()) % 7)


def live_url(base, day, view):
    return f"{base}/vendredi/{day.isoformat()}/{view}"


def remaining(since, budget=10.0):
    """Milliseconds left of a `budget` of seconds counted from `since` (at least 1). The budget
    says "it arrives live, without a reload", not how fast: tests never time themselves (the
    speed is measured by bench/live_document.py and bench/live_session.py)."""
    return max(1, int((budget - (time.monotonic() - since)) * 1000))


def wait_until_joined(page):
    """The page's live link is up and it has joined the meeting's room."""
    expect(page.locator("body")).to_have_attribute("data-live", "connected", timeout=15_000)
    # A command answered after the page's own `join_live` (sent on connect): the page is in
    # the meeting's room, so no fact sent from now on can pass it by.
    page.wait_for_function(
        """() => { const live = document.getElementById("live");
                   return Vendredi.live.command("join_live",
                     {meeting_id: +live.dataset.meetingId, view: live.dataset.view})
                   .then(ack => ack.ok); }"""
    )


def checked(page):
    """Every page a test visits: accessible, and no sideways scroll on a phone."""
    assert_accessible(page)
    width = page.viewport_size["width"]
    if width < 600:
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{page.url} scrolls sideways at {width} px ({scroll} px wide)"


def contrast_enhanced_violations(page):
    """axe's `color-contrast-enhanced` (WCAG AAA, 7:1 for normal text) on the whole page."""
    if page.evaluate("typeof window.axe === 'undefined'"):
        page.evaluate(AXE_SOURCE)
    return page.evaluate(
        """() => axe.run(document, {runOnly: {type: "rule", values: ["color-contrast-enhanced"]}})
             .then(r => r.violations.flatMap(v => v.nodes.map(n =>
                 n.target.join(" ") + " — " + n.failureSummary)))"""
    )


def current_title(page):
    return page.locator(".current-title")


def clock_seconds(page):
    minutes, seconds = page.locator("[data-timer-clock]").inner_text().split(":")
    return int(minutes) * 60 + int(seconds)


def click(page, name, scope=None, exact=False):
    """Click a button of a page that may be in the background (clicks need animation frames)."""
    page.bring_to_front()
    (scope or page).get_by_role("button", name=name, exact=exact).click()


def post_console(page, name):
    """A console button that is a plain form post (the page reloads); a confirmation it asks
    for ("Commencer la réunion ?") is accepted."""
    page.bring_to_front()

    def accept(dialog):
        dialog.accept()

    page.on("dialog", accept)  # only while this button is pressed
    try:
        with page.expect_navigation():
            page.get_by_role("button", name=name, exact=True).click()
    finally:
        page.remove_listener("dialog", accept)
    expect(page.locator(".flash-error")).to_have_count(0)


def answer(phone, label, reason=None):
    phone.bring_to_front()
    form = phone.locator(".answer-form")
    form.get_by_label(label, exact=True).check()
    if reason:
        form.get_by_label("Raison (obligatoire pour une objection)").fill(reason)
    form.get_by_role("button", name="Envoyer ma réponse").click()
    expect(form.locator("[data-my-answer]")).to_have_text(label)


def hand(name, guest=False):
    """A raised hand in the queue (the console's also has its "Donner la parole" button)."""
    guest_mark = r"\s+\(invité·e\)" if guest else ""
    return re.compile(rf"^\s*{name}{guest_mark}(\s|$)")


def result_row(page, label):
    return page.locator(".results tbody tr", has=page.locator("th", has_text=label))


def test_a_whole_short_meeting_on_console_screen_and_three_phones(
    app, live_server, make_member, signed_in_page, open_page
):
    camille = make_member(role="facilitator", name="Camille")
    alice = make_member(name="Alice")
    bruno = make_member(name="Bruno")
    friday = coming_friday()
    meeting = meetings.ensure_meeting(friday)
    with app.test_request_context("/"):
        prep.add_entry(alice, meeting.id, "need", "Savon noir", "Il en faut **2 litres**.")
        prep.add_entry(
            alice, meeting.id, "topic", "Horaires du ménage", "Qui peut passer **samedi matin** ?"
        )
    meeting_id = meeting.id

    # -- the facilitator prepares the agenda from the document -------------------------------
    console = signed_in_page(camille, **DESKTOP)
    console.goto(live_url(live_server.url, friday, "animation"))
    expect(console.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Animation\s:\s"))
    expect(console.locator(".phase")).to_have_text("Réunion pas encore commencée")
    checked(console)
    with console.expect_navigation():  # attendance: the facilitator is here
        console.get_by_role("button", name="Présent·e — Camille").click()
    expect(console.locator(".attendee", has_text="Camille")).to_have_text("Camille : présent·e")
    post_console(console, "Ajouter le tour d’inclusion et les décisions à revoir")
    console.get_by_label("Point à discuter : Horaires du ménage (Alice)").check()
    console.get_by_label("Besoin : Savon noir (Alice)").check()
    post_console(console, "Mettre à l’ordre du jour")
    console.get_by_label("Autre point").fill("Fête des voisins")
    console.get_by_label("Minutes", exact=True).fill("5")
    post_console(console, "Ajouter")
    agenda_list = console.locator("[data-region=agenda] .agenda-title")
    expect(agenda_list).to_have_text(
        [re.compile("^Tour d’inclusion"), "Savon noir", "Horaires du ménage", "Fête des voisins"]
    )
    # Reordered with the keyboard alternative to drag and drop (a live command, no reload).
    wait_until_joined(console)
    console.get_by_role("button", name="Monter « Horaires du ménage »").click()
    expect(agenda_list).to_have_text(
        [re.compile("^Tour d’inclusion"), "Horaires du ménage", "Savon noir", "Fête des voisins"]
    )
    expect(console.locator("[data-region=agenda] .agenda-meta").first).to_contain_text(
        "Tour d’inclusion · 10 min · à venir"
    )
    checked(console)

    # -- the projector screen and the members' phones wait for the start ---------------------
    screen = signed_in_page(camille, **PROJECTOR)
    screen.goto(live_url(live_server.url, friday, "ecran"))
    expect(current_title(screen)).to_have_text("La réunion n’a pas encore commencé.")
    wait_until_joined(screen)
    checked(screen)
    phone_a = signed_in_page(alice, **PHONE)
    phone_b = signed_in_page(bruno, **PHONE)
    for phone in (phone_a, phone_b):
        phone.goto(live_url(live_server.url, friday, "direct"))
        expect(phone.get_by_role("heading", level=1)).to_have_text(re.compile(r"^En direct\s:\s"))
        wait_until_joined(phone)
        checked(phone)
    for page in (screen, phone_a, phone_b):
        page.evaluate("window.__marker = 1")  # gone if the page ever reloads

    # -- the start: check-in first, everywhere; the screen shows the join code --------------
    post_console(console, "Commencer la réunion")
    wait_until_joined(console)
    for page in (console, screen, phone_a, phone_b):
        expect(current_title(page)).to_have_text(
            "Tour d’inclusion : la météo de chacun·e et les billets d’humeur"
        )
        expect(page.locator(".phase")).to_have_text("Réunion en cours")
    expect(screen.locator(".kind-label")).to_have_text("Tour d’inclusion · point 1 sur 4")
    expect(screen.locator(".timer-state")).to_have_text("en cours")
    code = screen.locator(".join-code strong").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{6}", code), code
    expect(screen.get_by_role("img", name=re.compile("^QR code vers http"))).to_be_visible()
    expect(console.locator("[data-region=status]")).to_contain_text(
        f"Code pour les invité·es : {code}"
    )
    checked(screen)
    assert contrast_enhanced_violations(screen) == []

    # -- a guest joins at the door with the code read on the screen ---------------------------
    guest = open_page(**PHONE)
    guest.goto(live_server.url + "/rejoindre")
    expect(guest.get_by_role("heading", level=1)).to_have_text("Rejoindre la réunion en cours")
    checked(guest)
    guest.get_by_label("Code affiché à l’écran").fill(code.lower())
    guest.get_by_label("Votre prénom").fill("Zoé")
    with guest.expect_navigation():
        guest.get_by_role("button", name="Rejoindre").click()
    assert guest.url == live_url(live_server.url, friday, "direct")
    expect(guest.get_by_text("Bienvenue Zoé ! Vous suivez la réunion en invité·e.")).to_be_visible()
    expect(current_title(guest)).to_have_text(re.compile("^Tour d’inclusion"))
    expect(guest.get_by_role("heading", name="Ajouter un billet ou un point")).to_have_count(0)
    wait_until_joined(guest)
    checked(guest)
    expect(console.locator("[data-region=status]")).to_contain_text("2 personnes présentes")
    phones = (phone_a, phone_b, guest)
    everyone = (console, screen, *phones)

    # -- "Suivant": the first point, on the screen and the phones within a second -------------
    sent = time.monotonic()
    click(console, "Suivant →")
    for page in (screen, *phones):
        expect(current_title(page)).to_have_text("Horaires du ménage", timeout=remaining(sent))
    expect(current_title(console)).to_have_text("Horaires du ménage")
    expect(screen.locator(".kind-label")).to_have_text("Point à discuter · point 2 sur 4")
    expect(screen.locator("#live-announce")).to_have_text("Horaires du ménage")
    expect(phone_b.locator(".current-source")).to_contain_text("Proposé par Alice dans le document")
    expect(phone_b.locator(".current-source strong")).to_have_text("samedi matin")
    expect(screen.locator("[data-region=agenda] .agenda-title")).to_have_text(
        ["Savon noir", "Fête des voisins"]
    )
    # The phones and the console got the two points that changed, alone (not the whole list):
    # the check-in is done, the new point current, in the list as it was.
    for page in (*phones, console):
        items = page.locator("[data-region=agenda] .agenda-list > li")
        expect(items).to_have_count(4)
        expect(items.nth(0)).to_have_class(re.compile(r"\bstatus-done\b"))
        expect(items.nth(0).locator(".agenda-mark")).to_have_text("✓")
        expect(items.nth(1)).to_have_class(re.compile(r"\bstatus-current\b"))
        expect(items.nth(1).locator(".agenda-title")).to_have_text("Horaires du ménage")
        expect(items.nth(2)).to_have_class(re.compile(r"\bstatus-pending\b"))
    expect(
        console.locator("[data-region=agenda] li").nth(1).locator("button", has_text="↑")
    ).to_be_enabled()

    # -- the speaker queue: a member and the guest raise a hand -------------------------------
    sent = time.monotonic()
    click(phone_a, "Lever la main")
    for page in (console, screen):
        expect(page.locator(".queue-list li")).to_have_text(
            [hand("Alice")], timeout=remaining(sent)
        )
    expect(phone_a.get_by_role("button", name="Baisser la main")).to_be_visible()
    expect(phone_a.get_by_role("button", name="Lever la main")).to_be_hidden()
    click(guest, "Lever la main")
    for page in (console, screen):
        expect(page.locator(".queue-list li")).to_have_text([hand("Alice"), hand("Zoé", True)])
    checked(phone_a)
    click(console, "Donner la parole — Alice")
    for page in everyone:
        expect(page.locator(".speaker")).to_have_text("À la parole : Alice")
        expect(page.locator(".queue-list li")).to_have_text([hand("Zoé", True)])
    expect(phone_a.get_by_role("button", name="Lever la main")).to_be_visible()

    # -- a consent round: one objection, the guest counted apart ------------------------------
    console.bring_to_front()
    console.get_by_label("Proposition soumise au tour").fill(
        "Le ménage se fait le samedi matin, à tour de rôle."
    )
    click(console, "Ouvrir le tour")
    for page in everyone:
        expect(page.locator(".round-state")).to_have_text("Tour ouvert · 0 réponse")
    checked(console)
    checked(guest)
    answer(phone_a, "Pour")
    answer(phone_b, "Objection", "Le samedi matin je travaille : alternons avec le mercredi soir.")
    answer(guest, "Pour")
    for page in (console, screen):
        expect(page.locator(".round-state")).to_have_text("Tour ouvert · 3 réponses")
        expect(result_row(page, "Pour").locator("td")).to_have_text(["1", "1"])
        expect(result_row(page, "Abstention").locator("td")).to_have_text(["0", "0"])
        expect(result_row(page, "Objection").locator("td")).to_have_text(["1", "0"])
        expect(page.locator(".objections li")).to_have_text(
            "Bruno : Le samedi matin je travaille : alternons avec le mercredi soir."
        )
    expect(screen.locator(".results thead th")).to_have_text(["Réponse", "Membres", "Invité·es"])
    checked(screen)
    checked(phone_b)

    # An answer changed replaces the first: never counted twice.
    answer(phone_a, "Abstention")
    expect(screen.locator(".round-state")).to_have_text("Tour ouvert · 3 réponses")
    expect(result_row(screen, "Pour").locator("td")).to_have_text(["0", "1"])
    expect(result_row(screen, "Abstention").locator("td")).to_have_text(["1", "0"])

    click(console, "Fermer le tour")
    for page in everyone:
        expect(page.locator(".round-state")).to_have_text("Tour fermé · 3 réponses")
    expect(guest.locator(".answer-form")).to_have_count(0)

    # -- the decision, with the objection and how it was lifted; an action -------------------
    console.bring_to_front()
    form = console.locator("form[data-command=record_decision]")
    expect(form.get_by_role("heading")).to_have_text(
        "Consigner une décision sur « Horaires du ménage »"
    )
    form.get_by_label("Décision (Markdown)").fill(
        "Le ménage se fait **à tour de rôle**, le samedi matin ou le mercredi soir."
    )
    expect(form.get_by_label("Mode")).to_have_value("consent")
    form.get_by_label("Objections soulevées (facultatif)").fill("Bruno travaille le samedi matin.")
    form.get_by_label("Comment elles ont été levées").fill("On alterne avec le mercredi soir.")
    click(console, "Enregistrer la décision")
    for page in everyone:
        decision = page.locator(".decision")
        expect(decision.locator(".decision-head")).to_have_text(
            re.compile(r"^Décision n° \d+ · par consentement$")
        )
        expect(decision.locator("strong").last).to_have_text("à tour de rôle")
    expect(console.locator(".decision .hint")).to_have_text(
        "Objections : Bruno travaille le samedi matin. — levées ainsi : "
        "On alterne avec le mercredi soir."
    )
    expect(form.get_by_label("Décision (Markdown)")).to_have_value("")

    due = paris_today() + timedelta(days=9)
    actions = console.locator("form[data-command=add_action]")
    actions.get_by_label("Quoi (commencez par un verbe)").fill("Afficher le planning du ménage")
    actions.get_by_label("Qui").select_option(label="Bruno")
    actions.get_by_label("Pour quand").fill(due.isoformat())
    click(console, "Ajouter l’action")
    for page in everyone:
        expect(page.locator(".action-list li")).to_have_text(
            # the phones and the console write the date in full, the screen short (18/12/2026)
            re.compile(
                r"^Afficher le planning du ménage — Bruno, pour le "
                r"(\S+ \d+(er)? \S+ \d{4}|\d{2}/\d{2}/\d{4})$"
            )
        )
    expect(actions.get_by_label("Quoi (commencez par un verbe)")).to_have_value("")
    checked(console)
    checked(screen)
    assert contrast_enhanced_violations(screen) == []

    # -- the second point, postponed; the last one becomes current -----------------------------
    sent = time.monotonic()
    click(console, "Suivant →")
    for page in (screen, *phones):
        expect(current_title(page)).to_have_text("Savon noir", timeout=remaining(sent))
    expect(phone_a.locator(".round-state")).to_have_count(1)  # the last round stays visible
    click(console, "Reporter ce point")
    for page in everyone:
        expect(current_title(page)).to_have_text("Fête des voisins")
    savon = console.locator("[data-region=agenda] li", has_text="Savon noir")
    expect(savon.locator(".agenda-meta")).to_have_text(
        "Besoin · 10 min · reporté au vendredi suivant"
    )
    expect(screen.locator("[data-region=agenda]")).to_contain_text("Plus rien ensuite.")
    checked(console)

    # -- the close (confirmed) --------------------------------------------------------------
    console.bring_to_front()
    dialogs = []
    console.on("dialog", lambda d: (dialogs.append(" ".join(d.message.split())), d.accept()))
    with console.expect_navigation():
        console.get_by_role("button", name="Clore la réunion").click()
    assert dialogs == ["Clore la réunion ? Les points non traités iront au vendredi suivant."]
    expect(console.locator(".phase")).to_have_text("Réunion close")
    for page in everyone:
        expect(current_title(page)).to_have_text("La réunion est close. Merci à toutes et à tous !")
    expect(screen.locator(".join-code")).to_have_count(0)
    for page in phones:
        expect(page.get_by_role("button", name="Lever la main")).to_have_count(0)
    for page in (screen, phone_a, phone_b):
        assert page.evaluate("window.__marker") == 1, f"{page.url} reloaded"
    checked(console)
    checked(screen)
    checked(phone_a)

    # -- next Friday's agenda holds the postponed point and the unfinished one ---------------
    next_friday = friday + timedelta(days=7)
    console.goto(live_url(live_server.url, next_friday, "animation"))
    next_agenda = console.locator("[data-region=agenda] li")
    expect(next_agenda.locator(".agenda-title")).to_have_text(["Savon noir", "Fête des voisins"])
    expect(next_agenda.locator(".agenda-meta")).to_have_text(
        [
            "Reporté de la semaine dernière · 10 min · à venir",
            "Reporté de la semaine dernière · 5 min · à venir",
        ]
    )
    checked(console)
    db.session.rollback()  # see what the server committed
    carried = agenda.agenda_items(meetings.find_meeting(next_friday).id)
    assert [(i.kind, i.title, i.status) for i in carried] == [
        ("carried", "Savon noir", "pending"),
        ("carried", "Fête des voisins", "pending"),
    ]
    assert carried[0].source_entry.title == "Savon noir"
    # What the register and the minutes will read: mode, objections lifted, who was there.
    decision = db.session.scalar(select(Decision).where(Decision.meeting_id == meeting_id))
    assert decision.item.title == "Horaires du ménage"
    assert (decision.mode, decision.objections, decision.objections_lifted) == (
        "consent",
        "Bruno travaille le samedi matin.",
        "On alterne avec le mercredi soir.",
    )
    assert sorted(present_names(decision)) == ["Alice", "Bruno", "Camille", "Zoé"]
    assert decision.result["counts"]["object"] == {"members": 1, "guests": 0}
    assert decision.result["counts"]["for"] == {"members": 0, "guests": 1}
    action = db.session.scalar(select(Action).where(Action.meeting_id == meeting_id))
    assert (action.label, action.owner.display_name, action.due_on) == (
        "Afficher le planning du ménage",
        "Bruno",
        due,
    )
    assert action.item_id == decision.item_id
    items = {i.title: i.status for i in agenda.agenda_items(meeting_id)}
    assert items["Horaires du ménage"] == "done"
    assert items["Savon noir"] == items["Fête des voisins"] == "postponed"

    # -- the guest's code stops working with the close ---------------------------------------
    late = open_page(**PHONE)
    late.goto(live_server.url + "/rejoindre")
    late.get_by_label("Code affiché à l’écran").fill(code)
    late.get_by_label("Votre prénom").fill("Yann")
    with late.expect_navigation():
        late.get_by_role("button", name="Rejoindre").click()
    expect(
        late.get_by_text(
            "Ce code ne correspond à aucune réunion en cours. Vérifiez le code affiché à l’écran."
        )
    ).to_be_visible()
    assert late.url == live_server.url + "/rejoindre"
    checked(late)


# -- the server restarted in the middle of a meeting ------------------------------------------


@pytest.fixture
def server_process(app, database_uri, tmp_path):
    """The app in its own process, as in production (`tests.servers.Server`)."""
    server = Server("restart", database_uri, tmp_path, SOCKETIO_MESSAGE_QUEUE="")
    server.wait_until_up()
    yield server
    server.stop()


@pytest.fixture
def contexts(new_context, server_process):
    """Browser contexts, closed before the server process stops."""
    opened = []

    def open_(**context_args):
        context = new_context(**context_args)
        opened.append(context)
        return context.new_page()

    yield open_
    for context in opened:
        context.close()


def region_snapshot(page):
    """What a page shows of the live state (the timer apart)."""
    return {
        "current": current_title(page).inner_text(),
        "queue": page.locator(".queue-list li").all_inner_texts(),
        "round": page.locator(".round-state").inner_text(),
        "question": page.locator(".round-question").inner_text(),
        "results": page.locator(".results tbody").inner_text(),
    }


def test_a_server_restart_in_the_middle_of_a_meeting_loses_nothing(
    app, make_member, server_process, contexts
):
    camille = make_member(role="facilitator", name="Camille")
    alice = make_member(name="Alice")
    bruno = make_member(name="Bruno")
    friday = coming_friday()
    meeting = meetings.ensure_meeting(friday)
    # The meeting is prepared and running: the first point current, its timer counting, a
    # consent round open with Bruno's answer.
    with app.test_request_context("/"):
        agenda.add_item(camille, meeting.id, "Budget du jardin", 10)
        agenda.add_item(camille, meeting.id, "Fête des voisins", 5)
        agenda.start_live(camille, meeting.id)
        agenda.advance(camille, meeting.id, agenda.get_meeting(meeting.id).live_revision)
        agenda.start_round(camille, meeting.id, "consent", "Cent euros pour des graines.")
        round_id = agenda.open_round(meeting.id).id
        agenda.answer_round(bruno, round_id, "for")
    meeting_id = meeting.id
    url = server_process.url

    def true_elapsed():
        """The current point's timer as the database has it (the truth every page must show)."""
        db.session.rollback()
        return agenda.timer_state(agenda.current_item(meeting_id))["elapsed"]

    def sign_in(member, **context_args):
        return sign_in_through_form(contexts(**context_args), server_process, member)

    console = sign_in(camille, **DESKTOP)
    console.goto(live_url(url, friday, "animation"))
    screen = sign_in(camille, **PROJECTOR)
    screen.goto(live_url(url, friday, "ecran"))
    phone = sign_in(alice, **PHONE)
    phone.goto(live_url(url, friday, "direct"))
    pages = (console, screen, phone)
    for page in pages:
        wait_until_joined(page)
        expect(current_title(page)).to_have_text("Budget du jardin")
    checked(phone)
    # Alice raises her hand from her phone: the queue is shared live.
    click(phone, "Lever la main")
    for page in pages:
        expect(page.locator(".queue-list li")).to_have_text([hand("Alice")])
        expect(page.locator(".round-state")).to_have_text("Tour ouvert · 1 réponse")
        expect(page.locator(".timer-state")).to_have_text("en cours")
    before = {page: region_snapshot(page) for page in pages}
    elapsed = {page: clock_seconds(page) for page in pages}
    for page in pages:
        # Gone if the page reloads; the regions are marked to see them replaced by the state
        # the new process sends.
        page.evaluate("""() => { window.__marker = 1;
            document.querySelectorAll("[data-region]").forEach(r => r.dataset.old = "1"); }""")

    # -- the server dies --------------------------------------------------------------------
    server_process.crash()
    for page in pages:
        banner = page.locator("#hors-ligne")
        expect(banner).to_be_visible(timeout=5_000)
        expect(banner).to_contain_text("Hors ligne")
        expect(page.locator("body")).to_have_attribute("data-live", "disconnected")

    # -- a new process on the same port: every page comes back by itself --------------------
    server_process.start()
    for page in pages:
        expect(page.locator("#hors-ligne")).to_be_hidden(timeout=10_000)
        expect(page.locator("[data-region][data-old]")).to_have_count(0)  # state re-sent
        assert page.evaluate("window.__marker") == 1, f"{page.url} reloaded"
        assert region_snapshot(page) == before[page], page.url
        expect(page.locator(".timer-state")).to_have_text("en cours")
        # The timer goes on from where it was: not reset, not jumped.
        shown = clock_seconds(page)
        assert elapsed[page] <= shown <= true_elapsed() + 1, page.url
    checked(screen)

    # And they are live again on the new process: Alice answers, Camille gives her the floor.
    answer(phone, "Pour")
    for page in pages:
        expect(page.locator(".round-state")).to_have_text("Tour ouvert · 2 réponses")
    click(console, "Donner la parole — Alice")
    for page in pages:
        expect(page.locator(".speaker")).to_have_text("À la parole : Alice")
        expect(page.locator(".queue-list li")).to_have_count(0)
    checked(console)
