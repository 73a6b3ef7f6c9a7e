"""The projector screen fits any 16:9 screen at any agenda length (issue 8, "Done when" 2).

A long Friday (eleven points, the second current, an open consent round with two long
objections, three decisions one of them long, six actions, two raised hands) on the screen at
1280×720 and 1920×1080, as a member sees it: nothing scrolls, no text leaves the viewport or
is clipped, every text is at least 28 px at 1080p (in proportion at 720p), the timer is as large
as the title, the counts' words stay whole, "Ensuite" goes on from "point N sur M"; and all of
it still holds once the console has moved on to the next point (a live swap).
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from meeting.decisions import services as decisions
from meeting.extensions import db
from meeting.live import services as agenda
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.prep import services as prep
from tests.browser.conftest import assert_accessible

SHOTS = Path("/tmp/shots/projector")
TOPICS = [
    "Chauffage de la grande salle pour l’hiver",
    "Jardin partagé : qui arrose en août ?",
    "Fête des voisins du 20 juin",
    "Budget des travaux de la cuisine collective",
    "Ménage des parties communes",
    "Accueil des nouvelles et nouveaux habitants",
    "Assurance de l’immeuble",
    "Vélos dans la cour",
    "Compost et tri des déchets",
    "Prochaine assemblée générale",
]
LONG_DECISION = (
    "Nous confions le remplacement de la chaudière collective à l’entreprise retenue après "
    "comparaison des trois devis reçus en novembre, pour un montant maximal de "
    "douze mille euros toutes taxes comprises, financé pour moitié par la réserve de travaux "
    "et pour moitié par un appel de fonds étalé sur six mois ; le chantier aura lieu pendant "
    "les vacances de février afin de gêner le moins possible les habitantes et les habitants, "
    "le groupe travaux suit le chantier chaque semaine, rend compte au vendredi suivant, et "
    "toute dépense imprévue au-delà de cinq cents euros revient devant la réunion avant "
    "d’être engagée."
)
ACTIONS = [
    "Demander un quatrième devis",
    "Prévenir les habitants du chantier",
    "Acheter des graines pour le jardin",
    "Réserver la salle pour la fête",
    "Relancer l’assureur",
    "Installer un second arceau à vélos",
]


def long_friday(app, make_member):
    """Eleven points (check-in first), the second current, an open round with two long
    objections, three decisions (one ~600 characters), six actions, two raised hands."""
    camille = make_member(role="facilitator", name="Camille")
    ines = make_member(name="Inès")
    paul = make_member(name="Paul")
    alice = make_member(name="Alice")
    day = dates.next_meeting_date()
    meeting = meetings.ensure_meeting(day)
    with app.test_request_context("/"):
        entries = [
            prep.add_entry(alice, meeting.id, "topic", title, f"À propos : {title}.")
            for title in TOPICS
        ]
        agenda.add_entries(camille, meeting.id, [e.id for e in entries])
        agenda.start_live(camille, meeting.id)
        agenda.advance(camille, meeting.id, agenda.get_meeting(meeting.id).live_revision)
        agenda.control_timer(camille, meeting.id, "start")
        decisions.record_decision(camille, meeting.id, "On garde le contrat actuel.", "consent")
        decisions.record_decision(
            camille, meeting.id, "Le thermostat reste à 19 degrés la nuit.", "information"
        )
        decisions.record_decision(camille, meeting.id, LONG_DECISION, "consent")
        due = day + timedelta(days=14)
        for label, owner in zip(ACTIONS, [ines, paul, alice, camille, ines, paul], strict=True):
            decisions.add_action(camille, meeting.id, label, owner.id, due)
        agenda.start_round(
            camille,
            meeting.id,
            "consent",
            "Passer le chauffage à 20 degrés de 7 h à 22 h et à 17 degrés la nuit.",
        )
        round_id = agenda.open_round(meeting.id).id
        agenda.answer_round(
            ines,
            round_id,
            "object",
            "Vingt degrés toute la journée coûtent trop cher aux personnes qui ne sont pas là "
            "en semaine ; je propose dix-neuf degrés avec une pièce chauffée davantage.",
        )
        agenda.answer_round(
            paul,
            round_id,
            "object",
            "Les logements du nord restent froids même à vingt degrés : réglons d’abord "
            "l’équilibrage des radiateurs avant de changer les consignes.",
        )
        agenda.answer_round(alice, round_id, "for")
        agenda.answer_round(camille, round_id, "abstain")
        agenda.raise_hand(alice, meeting.id)
        agenda.raise_hand(paul, meeting.id)
    db.session.rollback()
    return meeting, camille, alice


FIT_CHECK = """() => {
  const vw = innerWidth, vh = innerHeight;
  const problems = [];
  let smallest = Infinity, smallestText = "";
  const hiddenAncestor = el => el.closest(".visually-hidden, [hidden]");
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el || hiddenAncestor(el)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
    if (!rects.length) continue;  // not rendered (display: none)
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < smallest) { smallest = size; smallestText = text.slice(0, 40); }
    for (const r of rects) {
      if (r.left < -0.5 || r.top < -0.5 || r.right > vw + 0.5 || r.bottom > vh + 0.5) {
        problems.push(`outside the viewport: «${text.slice(0, 40)}» ${JSON.stringify(r)}`);
        break;
      }
      for (let a = el; a && a !== document.documentElement; a = a.parentElement) {
        const style = getComputedStyle(a);
        if ([style.overflowX, style.overflowY].every(v => v === "visible")) continue;
        const box = a.getBoundingClientRect();
        if (r.left < box.left - 0.5 || r.top < box.top - 0.5
            || r.right > box.right + 0.5 || r.bottom > box.bottom + 0.5) {
          problems.push(`clipped by ${a.tagName}.${a.className}: «${text.slice(0, 40)}»`);
          break;
        }
      }
    }
  }
  const size = sel => { const e = document.querySelector(sel);
                        return e ? parseFloat(getComputedStyle(e).fontSize) : null; };
  const table = document.querySelector(".results");
  const cells = table ? [...table.querySelectorAll("th, td")] : [];
  const breaking = cells.map(c => getComputedStyle(c))
    .filter(s => s.overflowWrap !== "normal" || !["normal", "keep-all"].includes(s.wordBreak)
                 || s.hyphens === "auto").length;
  const headerLines = table ? [...table.querySelectorAll("th")].map(th => {
    const range = document.createRange(); range.selectNodeContents(th);
    const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                         .map(r => Math.round(r.top)));
    return [th.textContent.trim(), tops.size];
  }) : [];
  const first = document.querySelector("[data-region=agenda] .agenda-list li");
  const place = (document.querySelector(".kind-label") || {}).textContent || "";
  return {
    scrollHeight: document.scrollingElement.scrollHeight,
    scrollWidth: document.scrollingElement.scrollWidth,
    innerHeight: vh, innerWidth: vw, problems, smallest, smallestText,
    title: size(".current-title"), timer: size(".timer-clock"),
    breaking, headerLines, firstNext: first ? first.value : null,
    firstNextShown: first ? getComputedStyle(first).display !== "none" : false,
    place: place.replace(/\\s+/g, " "),
  };
}"""


def assert_fits(page, label):
    """The screen as the room sees it: the checks of issue 8, with the figures they measured."""
    m = page.evaluate(FIT_CHECK)
    at_1080 = 28 * m["innerHeight"] / 1080
    print(
        f"{label}: smallest text {m['smallest']:.1f} px («{m['smallestText']}»), "
        f"title {m['title']:.1f} px, timer {m['timer']:.1f} px, "
        f"page {m['scrollWidth']}×{m['scrollHeight']} in {m['innerWidth']}×{m['innerHeight']}"
    )
    assert m["scrollHeight"] <= m["innerHeight"], m
    assert m["scrollWidth"] <= m["innerWidth"], m
    assert m["problems"] == [], "\n".join(m["problems"])
    assert m["smallest"] >= at_1080 - 0.05, (m["smallest"], m["smallestText"])
    assert m["timer"] >= m["title"], m
    assert m["breaking"] == 0, "a counts cell may break its words"
    assert m["headerLines"] and all(lines == 1 for _text, lines in m["headerLines"]), m
    n = int(re.search(r"point (\d+) sur (\d+)", m["place"]).group(1))
    assert m["firstNextShown"] and m["firstNext"] == n + 1, (m["place"], m["firstNext"])
    return m


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["720p", "1080p"])
def test_the_projector_fits_a_long_friday(app, make_member, live_server, signed_in_page, size):
    width, height = size
    meeting, camille, alice = long_friday(app, make_member)
    day = meeting.scheduled_for.isoformat()
    screen = signed_in_page(alice, viewport={"width": width, "height": height})
    screen.goto(f"{live_server.url}/vendredi/{day}/ecran")
    expect(screen.locator("body")).to_have_attribute("data-live", "connected", timeout=15_000)
    screen.wait_for_function(
        """() => { const live = document.getElementById("live");
                   return Vendredi.live.command("join_live",
                     {meeting_id: +live.dataset.meetingId, view: live.dataset.view})
                   .then(ack => ack.ok); }"""
    )
    expect(screen.locator(".kind-label")).to_contain_text("point 2 sur 11")
    # What the room reads: the long decision cut with its marker, the counts of what is left out.
    expect(screen.locator(".more-on-phones")).to_have_text("(suite sur vos téléphones)")
    expect(screen.locator("[data-region=agenda] .more")).to_have_text("et 6 autres points")
    expect(screen.locator(".screen-decisions .more")).to_have_text(
        "et 1 autre plus tôt, sur vos téléphones"
    )
    expect(screen.locator(".screen-actions .more")).to_have_text(
        "et 3 autres plus tôt, sur vos téléphones"
    )
    expect(screen.locator(".objections li")).to_have_count(2)
    assert_accessible(screen)
    SHOTS.mkdir(parents=True, exist_ok=True)
    screen.screenshot(path=str(SHOTS / f"long-friday-{width}x{height}.png"))
    assert_fits(screen, f"{width}×{height}")

    # The console moves on: the screen swaps its regions live, and still fits.
    with app.test_request_context("/"):
        agenda.advance(camille, meeting.id, agenda.get_meeting(meeting.id).live_revision)
    db.session.rollback()
    expect(screen.locator(".kind-label")).to_contain_text("point 3 sur 11")
    expect(screen.locator(".current-title")).to_have_text(TOPICS[1])
    screen.screenshot(path=str(SHOTS / f"after-swap-{width}x{height}.png"))
    assert_fits(screen, f"{width}×{height} after the swap")


def test_a_closed_friday_shows_no_timer_and_no_estimated_end(
    app, make_member, live_server, signed_in_page
):
    meeting, camille, alice = long_friday(app, make_member)
    day = meeting.scheduled_for.isoformat()
    with app.test_request_context("/"):
        agenda.close_live(camille, meeting.id)
    db.session.rollback()
    screen = signed_in_page(alice, viewport={"width": 1920, "height": 1080})
    screen.goto(f"{live_server.url}/vendredi/{day}/ecran")
    expect(screen.locator(".current-title")).to_have_text(
        "La réunion est close. Merci à toutes et à tous !"
    )
    expect(screen.locator("[data-timer]")).to_have_count(0)
    SHOTS.mkdir(parents=True, exist_ok=True)
    screen.screenshot(path=str(SHOTS / "closed-1920x1080.png"))
    assert_fits_closed = screen.evaluate("document.scrollingElement.scrollHeight <= innerHeight")
    assert assert_fits_closed
    phone = signed_in_page(camille, viewport={"width": 390, "height": 844})
    phone.goto(f"{live_server.url}/vendredi/{day}/direct")
    expect(phone.locator("[data-region=agenda]")).not_to_contain_text("Fin estimée")
    expect(phone.locator("[data-timer]")).to_have_count(0)
    # postponed is not done: its own words and mark, not struck through
    postponed = phone.locator("[data-region=agenda] li.status-postponed").first
    expect(postponed.locator(".agenda-meta")).to_contain_text("reporté au vendredi suivant")
    expect(postponed.locator(".agenda-mark")).to_have_text("↷")
    # (to_have_css retries: the page's join may swap the region in while it is read)
    expect(postponed.locator(".agenda-title")).to_have_css("text-decoration-line", "none")
    done = phone.locator("[data-region=agenda] li.status-done").first
    expect(done.locator(".agenda-mark")).to_have_text("✓")
    expect(done.locator(".agenda-title")).to_have_css("text-decoration-line", "line-through")
    phone.screenshot(path=str(SHOTS / "closed-phone-390x844.png"), full_page=True)
