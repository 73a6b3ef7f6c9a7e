"""A phone (390×844) tells the truth about the server: an answer, a hand or a late billet is
pending until its ack, then shown as done, or refused beside the control that sent it.

The server's answer is held back (a gate around the service) so that the test can look at the
page while the command waits for its ack.
"""

import re
import threading
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from meeting.extensions import db
from meeting.live import services as live_services
from meeting.meetings import services as meetings
from meeting.models import Entry, RoundAnswer
from tests.browser.conftest import assert_accessible

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SHOTS = Path("/tmp/shots/live-acks")


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def wait_until_joined(page):
    expect(page.locator("body")).to_have_attribute("data-live", "connected", timeout=15_000)
    page.wait_for_function(
        """() => { const live = document.getElementById("live");
                   return Vendredi.live.command("join_live",
                     {meeting_id: +live.dataset.meetingId, view: live.dataset.view})
                   .then(ack => ack.ok); }"""
    )


class Gate:
    """Holds a service's answer until `release()`: the page stays pending meanwhile."""

    def __init__(self, monkeypatch, name):
        self.entered = threading.Event()
        self.opened = threading.Event()
        self.calls = 0
        original = getattr(live_services, name)

        def held(*args, **kwargs):
            self.calls += 1
            self.entered.set()
            self.opened.wait(10)
            return original(*args, **kwargs)

        monkeypatch.setattr(live_services, name, held)

    def release(self):
        self.opened.set()


def box(locator):
    found = locator.bounding_box()
    assert found, f"{locator} is not rendered"
    return found


def distance(a, b):
    """The gap in pixels between two boxes (0 when they touch or overlap)."""
    dx = max(0, max(a["x"], b["x"]) - min(a["x"] + a["width"], b["x"] + b["width"]))
    dy = max(0, max(a["y"], b["y"]) - min(a["y"] + a["height"], b["y"] + b["height"]))
    return (dx * dx + dy * dy) ** 0.5


def in_viewport(page, b):
    size = page.viewport_size
    return b["y"] >= 0 and b["y"] + b["height"] <= size["height"] and b["x"] >= 0


def stored(round_id):
    db.session.rollback()  # what the server committed
    return [
        (a.answer, a.reason)
        for a in db.session.scalars(select(RoundAnswer).where(RoundAnswer.round_id == round_id))
    ]


def nothing_says_sent(page):
    """No element of the answer form says an answer was sent or recorded."""
    form = page.locator(".answer-form")
    expect(form.locator("[data-my-answer-box]")).to_be_hidden()
    expect(form.locator("[data-my-answer]")).to_have_text("")
    text = form.inner_text()
    assert not re.search(r"enregistrée|envoyée|Votre réponse,", text), text


def test_a_phone_shows_an_objection_as_sent_only_once_the_server_took_it(
    app, live_server, live_friday, make_member, signed_in_page, monkeypatch
):
    camille = make_member(role="facilitator", name="Camille")
    alice = make_member(name="Alice")
    friday = live_friday(camille, topics=("Chauffage",))
    round_ = live_services.start_round(
        camille, friday.meeting.id, "consent", "On appelle un chauffagiste cette semaine."
    )
    db.session.commit()
    day = friday.meeting.scheduled_for.isoformat()

    phone = signed_in_page(alice, **PHONE)
    phone.goto(f"{live_server.url}/vendredi/{day}/direct")
    wait_until_joined(phone)
    form = phone.locator(".answer-form")
    button = form.get_by_role("button", name="Envoyer ma réponse")
    reason = form.get_by_label("Raison (obligatoire pour une objection)")
    assert_accessible(phone)

    # -- "Objection" without a reason: pending, then refused beside the field ---------------
    gate = Gate(monkeypatch, "answer_round")
    form.get_by_label("Objection", exact=True).check()
    button.scroll_into_view_if_needed()
    button.click()
    assert gate.entered.wait(5), "the command reached the server"
    expect(button).to_have_attribute("aria-disabled", "true")
    sending = form.locator("[data-sending]")
    expect(sending).to_have_text("Envoi…")
    assert distance(box(sending), box(button)) < 30
    nothing_says_sent(phone)
    button.click(force=True)  # a second press while pending sends nothing more
    shot(phone, "phone-answer-pending")
    gate.release()

    error = form.locator("#error-reason")
    expect(error).to_have_text("Une objection s’accompagne d’une raison : écrivez-la.")
    expect(error).to_have_class(re.compile(r"\bfield-error\b"))
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_have_attribute("aria-describedby", re.compile(r"\berror-reason\b"))
    expect(reason).to_be_focused()
    assert gate.calls == 1
    expect(button).not_to_have_attribute("aria-disabled", "true")
    expect(sending).to_have_count(0)
    error_box = box(error)
    assert distance(error_box, box(button)) <= 150, (error_box, box(button))
    assert in_viewport(phone, error_box), error_box
    assert phone.locator("#live-error").is_hidden()  # not at the top of the page
    nothing_says_sent(phone)
    assert stored(round_.id) == []
    assert_accessible(phone)
    shot(phone, "phone-objection-refused")

    # -- the round's fact swaps the region: the refusal and the choice stay -------------------
    other = make_member(name="Bruno")
    live_services.answer_round(other, round_.id, "for")
    db.session.commit()
    expect(phone.locator(".round-state")).to_have_text("Tour ouvert · 1 réponse")
    expect(phone.locator("#error-reason")).to_be_visible()
    expect(phone.get_by_label("Objection", exact=True)).to_be_checked()
    nothing_says_sent(phone)

    # -- with a reason: pending (still not shown), then shown as sent once acked --------------
    gate = Gate(monkeypatch, "answer_round")
    phone.get_by_label("Raison (obligatoire pour une objection)").fill(
        "Attendons le devis du syndic."
    )
    phone.get_by_role("button", name="Envoyer ma réponse").click()
    assert gate.entered.wait(5)
    expect(phone.locator("#error-reason")).to_have_count(0)  # cleared by the new send
    expect(phone.locator("[aria-invalid]")).to_have_count(0)
    nothing_says_sent(phone)
    gate.release()
    form = phone.locator(".answer-form")
    expect(form.locator("[data-my-answer]")).to_have_text("Objection")
    expect(form.locator("[data-my-answer-box]")).to_have_text(
        "Votre réponse, enregistrée : Objection"
    )
    assert stored(round_.id)[-1:] == [("object", "Attendons le devis du syndic.")]
    expect(phone.locator(".objections li")).to_have_text(["Alice : Attendons le devis du syndic."])
    assert_accessible(phone)
    shot(phone, "phone-objection-sent")

    # -- a hand: pending, then the other button, focused ----------------------------------------
    gate = Gate(monkeypatch, "raise_hand")
    raise_button = phone.get_by_role("button", name="Lever la main")
    raise_button.click()
    assert gate.entered.wait(5)
    expect(raise_button).to_have_attribute("aria-disabled", "true")
    expect(phone.locator("[data-hand=raise] [data-sending]")).to_have_text("Envoi…")
    expect(phone.locator(".queue-list li")).to_have_count(0)  # not shown raised before the ack
    gate.release()
    lower = phone.get_by_role("button", name="Baisser la main")
    expect(lower).to_be_visible()
    expect(lower).to_be_focused()
    expect(phone.locator(".queue-list li")).to_have_text([re.compile(r"^\s*Alice")])

    # -- the late billet: a socket command, confirmed beside the button, the form emptied -------
    late = phone.locator("#late-entry")
    late.get_by_label("Texte").fill("   ")  # only spaces: the browser lets it go, the server not
    late.get_by_role("button", name="Ajouter au document").click()
    refusal = phone.locator("#late-entry .form-error, #late-entry .field-error").first
    expect(refusal).to_have_text("Le texte est vide : écrivez quelque chose avant d’envoyer.")
    near = min(
        distance(box(refusal), box(late.get_by_role("button", name="Ajouter au document"))),
        distance(box(refusal), box(late.get_by_label("Texte"))),
    )
    assert near <= 150, near
    late.get_by_label("Titre (facultatif)").fill("Merci")
    late.get_by_label("Texte").fill("Merci pour la soupe de mardi !")
    late.get_by_role("button", name="Ajouter au document").click()
    done = late.locator(".done-note")
    expect(done).to_have_text("Ajouté au document.")
    expect(late.get_by_label("Texte")).to_have_value("")
    expect(late.get_by_label("Titre (facultatif)")).to_have_value("")
    expect(late.locator(".form-error:visible, .field-error")).to_have_count(0)
    assert distance(box(done), box(late.get_by_role("button", name="Ajouter au document"))) < 80
    db.session.rollback()
    moods = db.session.scalars(
        select(Entry.body).where(Entry.meeting_id == friday.meeting.id, Entry.kind == "mood")
    ).all()
    assert moods == ["Merci pour la soupe de mardi !"]
    done.scroll_into_view_if_needed()
    shot(phone, "phone-late-entry-added")
    assert_accessible(phone)

    # -- the close: nothing live is left on the phone --------------------------------------------
    (hand,) = live_services.speaker_queue(friday.meeting.id)
    live_services.give_floor(camille, friday.meeting.id, hand.id)
    db.session.commit()
    expect(phone.locator(".speaker")).to_have_text("À la parole : Alice")
    meetings.close_meeting(camille, friday.meeting.id)
    expect(phone.locator(".current-title")).to_have_text(
        "La réunion est close. Merci à toutes et à tous !"
    )
    expect(phone.get_by_role("button", name="Lever la main")).to_have_count(0)
    expect(phone.get_by_role("button", name="Baisser la main")).to_have_count(0)
    expect(phone.get_by_text("À la parole")).to_have_count(0)
    expect(phone.locator(".answer-form")).to_have_count(0)
    expect(phone.locator(".round-state")).to_have_text("Tour fermé · 2 réponses")
    expect(phone.get_by_role("button", name="Ajouter au document")).to_be_hidden()
    assert_accessible(phone)
    phone.evaluate("window.scrollTo(0, 0)")
    shot(phone, "phone-closed")
    phone.screenshot(path=str(SHOTS / "phone-closed-full.png"), full_page=True)
