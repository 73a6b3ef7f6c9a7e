"""A document page's join answer is read on the server before some facts reach the page:
it must not undo them. An entry written, and one deleted, while Camille's join is held on the
server stay as the facts told once its (older) answer lands.

This was the rare miss of the two-phones journey: the page appended Alice's billet from its
fact, then the join's answer — read a moment before Alice's commit — removed it again.
"""

import threading

from playwright.sync_api import expect

from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.prep import services as prep
from tests.browser.test_document_journey import (
    DESKTOP,
    PHONE,
    document_url,
    entry,
    open_document,
    send,
    write_entry,
)


class HeldState:
    """`prep.services.document_state` reads the document at once, then holds its answer until
    `release()`: what happens meanwhile is newer than what the join answers."""

    def __init__(self, monkeypatch):
        self.read = threading.Event()
        self.opened = threading.Event()
        original = prep.document_state

        def held(*args, **kwargs):
            state = original(*args, **kwargs)
            self.read.set()
            self.opened.wait(15)
            return state

        monkeypatch.setattr(prep, "document_state", held)

    def release(self):
        self.opened.set()


def test_facts_arriving_while_a_join_is_answered_are_not_undone(
    live_server, make_member, signed_in_page, monkeypatch
):
    alice = make_member(name="Alice")
    bruno = make_member(name="Bruno")
    camille = make_member(role="facilitator", name="Camille")
    friday = meetings.ensure_meeting(dates.next_meeting_date())
    prep.add_entry(bruno, friday.id, "need", "Des chaises", "Douze chaises pliantes")

    page_a = open_document(signed_in_page(alice, **PHONE), live_server)
    page_b = open_document(signed_in_page(bruno, **PHONE), live_server)
    expect(page_a.locator("#document")).to_have_attribute("data-joins", "1")
    expect(page_b.locator("#document")).to_have_attribute("data-joins", "1")

    # Camille opens the document; her page's join reads the state, and its answer is held.
    held = HeldState(monkeypatch)
    page_c = signed_in_page(camille, **DESKTOP)
    page_c.goto(document_url(live_server))
    assert held.read.wait(15), "the page never asked to join"
    expect(entry(page_c, "Des chaises", kind="need")).to_be_visible()  # in the page as served

    # Meanwhile Alice writes a billet and Bruno withdraws his need: Camille is told by facts.
    write_entry(page_a, "un billet d’humeur", "Arrivée pendant que Camille se connectait.")
    send(page_a)
    expect(entry(page_c, "Arrivée pendant", kind="mood")).to_be_visible()
    page_b.once("dialog", lambda dialog: dialog.accept())
    entry(page_b, "Des chaises", kind="need").get_by_role("button", name="Retirer").click()
    expect(entry(page_c, "Des chaises", kind="need")).to_have_count(0)

    # The join's answer, older than both facts, lands: it undoes neither.
    held.release()
    expect(page_c.locator("#document")).to_have_attribute("data-joins", "1")
    expect(entry(page_c, "Arrivée pendant", kind="mood")).to_be_visible()
    expect(entry(page_c, "Des chaises", kind="need")).to_have_count(0)
    expect(page_c.locator('[data-count="mood"]')).to_have_text("1")
    expect(page_c.locator('[data-count="need"]')).to_have_text("0")

    # A later join (a reconnection) reads the document as it is: the same two facts hold.
    page_c.evaluate("Vendredi.live.socket.disconnect(); Vendredi.live.socket.connect()")
    expect(page_c.locator("#document")).to_have_attribute("data-joins", "2")
    expect(entry(page_c, "Arrivée pendant", kind="mood")).to_be_visible()
    expect(entry(page_c, "Des chaises", kind="need")).to_have_count(0)
