"""Before Friday on a 390×844 phone: a billet added is confirmed beside the button, scrolled
into view and highlighted, its draft gone; every control of the document and of the proposal
form is at least 44×44 px; the proposal form shows all its errors beside their fields; "Mes
propositions" are cards; the merge view marks what differs. Screenshots go to
/tmp/shots/before-friday/ (looked at by a person, not compared)."""

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.prep import services as prep
from meeting.proposals import services as proposals
from tests.browser.conftest import assert_accessible

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SHOTS = Path("/tmp/shots/before-friday")
MIN = 44


def coming_friday():
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    return today + timedelta(days=(4 - today.weekday()) % 7)


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def joined(page):
    expect(page.locator("body")).to_have_attribute("data-live", "connected")
    page.wait_for_function("() => window.Vendredi && Vendredi.live.socket.connected")


def checked(page):
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways ({width} px)"


# Every control a thumb uses in `scope`, with its size: buttons and button-links, the labels of
# radios (the radio itself is small; its label is what one taps), and text inputs (height).
MEASURE = """scope => {
  const out = [];
  const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const name = el => (el.id ? "#" + el.id + " " : "") + (el.textContent || el.name || el.type || "").trim().slice(0, 30);
  document.querySelectorAll(scope).forEach(root => {
    root.querySelectorAll("button, .button").forEach(el => {
      if (!visible(el)) return;
      const r = el.getBoundingClientRect();
      out.push({kind: "button", name: name(el), width: r.width, height: r.height});
    });
    root.querySelectorAll("input[type=radio]").forEach(radio => {
      const label = document.querySelector('label[for="' + radio.id + '"]');
      const r = label.getBoundingClientRect();
      out.push({kind: "radio", name: label.textContent.trim(), width: r.width, height: r.height});
    });
    root.querySelectorAll("input:not([type=radio]):not([type=hidden]):not([type=checkbox]), select, textarea").forEach(el => {
      if (!visible(el)) return;
      const r = el.getBoundingClientRect();
      out.push({kind: "input", name: name(el), width: r.width, height: r.height});
    });
  });
  return out;
}"""


def assert_touch_targets(page, scope, kinds=("button", "radio", "input")):
    controls = page.evaluate(MEASURE, scope)
    found = {c["kind"] for c in controls}
    assert set(kinds) <= found, (scope, found)  # what is measured is there
    small = [
        c for c in controls if c["height"] < MIN or (c["kind"] != "input" and c["width"] < MIN)
    ]
    assert not small, f"touch targets under {MIN} px in {scope}: {small}"
    return controls


def test_a_billet_added_on_a_phone_is_confirmed_shown_and_its_draft_gone(
    app, live_server, make_member, signed_in_page
):
    ines = make_member(name="Inès")
    theo = make_member(name="Théo")
    friday = meetings.ensure_meeting(dates.next_meeting_date())
    # A document already long: what is added lands screens below the form.
    for n in range(1, 7):
        prep.add_entry(theo, friday.id, "mood", f"Humeur {n}", "Une semaine chargée.\n\n" * 4)
    need = prep.add_entry(theo, friday.id, "need", "Du pain", "Trois baguettes")
    assert need.id
    page = signed_in_page(ines, **PHONE)
    url = f"{live_server.url}/vendredi/{coming_friday().isoformat()}/"
    page.goto(url)
    joined(page)
    checked(page)

    # Every control of the document a thumb uses is at least 44×44 px.
    assert_touch_targets(page, "#add-entry")
    assert_touch_targets(
        page, "#section-need", kinds=("button", "input")
    )  # the need's note, "Je m’en occupe"…
    entry_controls = page.evaluate(MEASURE, "#section-mood .entry-actions")
    assert entry_controls and all(
        c["height"] >= MIN and c["width"] >= MIN for c in entry_controls
    ), entry_controls
    nav = page.locator(".doc-nav a").first.bounding_box()
    assert nav["height"] >= MIN

    # A draft typed, then the page reloaded: it is offered again.
    page.get_by_label("un billet d’humeur").check()
    page.get_by_label("Titre (facultatif)").fill("Fatigue du jeudi")
    page.get_by_label(re.compile(r"^Texte")).fill("Je serai là mais **fatiguée**.")
    page.reload()
    joined(page)
    expect(page.locator("#draft-status")).to_contain_text("Brouillon retrouvé")
    shot(page, "document-draft")

    page.get_by_role("button", name="Ajouter au document", exact=True).click()
    added = page.locator("#entry-added")
    expect(added).to_be_visible()
    expect(added).to_contain_text("Ajouté")
    expect(added).to_contain_text("Fatigue du jeudi")
    expect(added.get_by_role("link", name="voir")).to_have_attribute(
        "href", re.compile(r"#entree-\d+$")
    )
    new = page.locator("article.entry", has_text="Fatigue du jeudi")
    expect(new).to_have_class(re.compile(r"\bis-added\b"))
    # In view and highlighted (its ring differs from another entry's), read in one go: the
    # highlight lasts a few seconds, and a slow machine must not make the test miss it.
    page.wait_for_function(
        """() => {
          const added = document.querySelector("article.is-added");
          const other = Array.from(document.querySelectorAll("article.entry"))
            .find(a => a.textContent.includes("Humeur 1"));
          if (!added || !other || !added.textContent.includes("Fatigue du jeudi")) return false;
          const r = added.getBoundingClientRect();
          const ring = getComputedStyle(added).boxShadow;
          return r.top >= 0 && r.bottom <= window.innerHeight && ring !== "none"
            && ring !== getComputedStyle(other).boxShadow;
        }"""
    )
    expect(page.locator("#draft-status")).to_have_text("")  # the stale message went
    expect(page.get_by_label(re.compile(r"^Texte"))).to_have_value("")
    page.screenshot(path=str(SHOTS / "document-added.png"))  # the viewport: what the eye sees
    added.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "document-confirmation.png"))
    checked(page)

    # Reloaded: no draft offered again, the billet is there once.
    page.reload()
    joined(page)
    expect(page.get_by_label(re.compile(r"^Texte"))).to_have_value("")
    expect(page.locator("#draft-status")).to_have_text("")
    expect(page.locator("article.entry", has_text="Fatigue du jeudi")).to_have_count(1)
    assert (
        page.evaluate(
            "() => Object.keys(localStorage).filter(k => k.startsWith('vendredi:draft:')).length"
        )
        == 0
    )


def test_the_proposal_form_on_a_phone_shows_every_error_beside_its_field(
    app, live_server, make_member, signed_in_page
):
    ines = make_member(name="Inès")
    friday = meetings.ensure_meeting(dates.next_meeting_date())
    page = signed_in_page(ines, **PHONE)
    page.goto(f"{live_server.url}/vendredi/{coming_friday().isoformat()}/proposer")
    checked(page)
    controls = assert_touch_targets(page, "#proposal-form")
    duration = next(c for c in controls if "duration" in c["name"])
    assert duration["height"] >= MIN and duration["width"] >= 88

    past = (coming_friday() - timedelta(days=10)).isoformat()
    page.get_by_label("Description (Markdown)").fill("Un apéro au jardin.")
    page.get_by_label(re.compile(r"^Date n° 1")).fill(past)
    page.get_by_label("Durée (en minutes)").fill("5")
    page.get_by_role("radio", name="Ailleurs").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer la proposition").click()
    expect(page.locator("#form-error")).to_contain_text("4 champs sont à corriger")
    for name, text in [
        ("title", "Donnez un titre"),
        ("date_1", "La date souhaitée doit être à venir."),
        ("duration_minutes", "doit être entre 15 et 1440"),
        ("place_detail", "Précisez où aura lieu l’événement."),
    ]:
        control = page.locator(f"#{name}")
        expect(control).to_have_attribute("aria-invalid", "true")
        expect(control).to_have_attribute("aria-describedby", f"error-{name}")
        message = page.locator(f"#error-{name}")
        expect(message).to_contain_text(text)
        # Beside its field: just below it, not at the top of the page.
        gap = message.bounding_box()["y"] - (
            control.bounding_box()["y"] + control.bounding_box()["height"]
        )
        assert 0 <= gap < 40, (name, gap)
    # What was typed is kept.
    expect(page.get_by_label("Description (Markdown)")).to_have_value("Un apéro au jardin.")
    expect(page.get_by_label("Durée (en minutes)")).to_have_value("5")
    expect(page.get_by_role("radio", name="Ailleurs")).to_be_checked()
    # The summary's links lead to the fields.
    page.locator(".error-summary a", has_text="Précisez où").click()
    expect(page).to_have_url(re.compile(r"#place_detail$"))
    checked(page)
    shot(page, "proposal-errors")

    # Corrected, sent: then "Mes propositions" shows it as a card, words whole.
    page.get_by_label("Titre de l’événement").fill("Apéro politique")
    page.get_by_label(re.compile(r"^Date n° 1")).fill(
        (coming_friday() + timedelta(days=9)).isoformat()
    )
    page.get_by_label("Durée (en minutes)").fill("120")
    page.get_by_label(re.compile(r"^Précision sur le lieu")).fill("Parc de la Gare d’eau")
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer la proposition").click()
    assert "/proposer" not in page.url
    proposals.propose_event(
        ines,
        friday.id,
        "Assemblée extraordinaire des coopérateur·rices",
        "Les statuts",
        [((coming_friday() + timedelta(days=20)).isoformat(), "19:00")],
        "90",
        "house",
    )
    page.goto(f"{live_server.url}/propositions/")
    checked(page)
    cards = page.locator(".proposal-card")
    expect(cards).to_have_count(2)
    assert page.locator("table").count() == 0
    # No word cut mid-word: each status label stays on one line.
    for status in page.locator(".proposal-card .status").all():
        box = status.bounding_box()
        line = float(status.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)"))
        assert box["height"] < line * 1.6, status.text_content()
    shot(page, "my-proposals")


def test_the_merge_view_on_a_phone_marks_the_changed_words(
    app, live_server, make_member, signed_in_page
):
    ines = make_member(name="Inès")
    camille = make_member(role="facilitator", name="Camille")
    friday = meetings.ensure_meeting(dates.next_meeting_date())
    entry = prep.add_entry(ines, friday.id, "topic", "Compost", "Le bac est plein, il déborde.")
    page = signed_in_page(ines, **PHONE)
    page.goto(
        f"{live_server.url}/vendredi/{coming_friday().isoformat()}/entrees/{entry.id}/modifier"
    )
    page.get_by_label("Texte", exact=True).fill("Le bac est plein, on le vide samedi.")
    prep.edit_entry(camille, entry.id, 1, "Compost", "Le bac est vide depuis mardi.")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="Deux versions à fusionner")).to_be_visible()
    diff = page.locator("#merge-diff")
    expect(diff.locator("del").first).to_be_visible()
    expect(diff.locator("ins").first).to_be_visible()
    expect(diff.locator("ins", has_text="depuis mardi")).to_have_count(1)
    merge = page.locator(".merge").inner_text()
    assert "gauche" not in merge and "droite" not in merge
    # Stacked on a phone: the reader's version first, the saved one below it.
    mine = page.locator(".merge-mine").bounding_box()
    theirs = page.locator(".merge-theirs").bounding_box()
    assert theirs["y"] >= mine["y"] + mine["height"] - 1
    checked(page)
    shot(page, "merge")
