"""Alice, on her phone (390×844), opens "Mes actions" and marks one done: the button is pending
until the server's ack, the action moves to "Faites" only then. Bruno, on a laptop, watches
everyone's actions and sees it done live, without reloading. Axe on every page, no sideways
scroll on the phone."""

import re
import threading

from playwright.sync_api import expect

from meeting.actions import services as action_services
from meeting.extensions import db
from meeting.models import Action
from tests.browser.conftest import assert_accessible
from tests.test_actions import world  # noqa: F401

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
LAPTOP = {"viewport": {"width": 1366, "height": 768}}


class Gate:
    """Holds `complete_action` until `release()`: the page stays pending meanwhile."""

    def __init__(self, monkeypatch):
        self.entered = threading.Event()
        self.opened = threading.Event()
        original = action_services.complete_action

        def held(*args, **kwargs):
            self.entered.set()
            self.opened.wait(10)
            return original(*args, **kwargs)

        monkeypatch.setattr(action_services, "complete_action", held)

    def release(self):
        self.opened.set()


def synced(page):
    expect(page.locator("body")).to_have_attribute("data-live", "connected", timeout=15_000)
    expect(page.locator("#actions")).to_have_attribute("data-synced", "true", timeout=15_000)


def test_alice_marks_an_action_done_and_bruno_sees_it_live(
    world,  # noqa: F811
    live_server,
    signed_in_page,
    monkeypatch,
):
    phone = signed_in_page(world.alice, **PHONE)
    phone.goto(live_server.url + "/actions/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Mes actions · 2 actions à faire")
    assert phone.title().startswith("2 actions à faire · Mes actions")
    todo = phone.locator("#list-todo")
    done = phone.locator("#list-done")
    expect(phone.locator("#list-overdue")).to_contain_text("en retard de 3 jours")
    expect(todo).to_contain_text("Acheter des graines")
    expect(phone.locator("#empty-done")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    synced(phone)
    assert_accessible(phone)

    laptop = signed_in_page(world.bruno, **LAPTOP)
    laptop.goto(live_server.url + "/actions/?qui=tous")
    expect(laptop.get_by_role("heading", level=1)).to_contain_text("3 actions à faire")
    synced(laptop)
    assert_accessible(laptop)
    laptop.evaluate("window.notReloaded = true")
    row_on_laptop = laptop.locator(f"#action-{world.seeds.id}")
    expect(row_on_laptop).to_have_attribute("data-section", "todo")
    expect(row_on_laptop).to_contain_text("Alice")
    expect(row_on_laptop.get_by_role("button")).to_have_count(0)  # not his to mark

    # -- pending: the button greyed with "Envoi…", the action still to do ----------------------
    gate = Gate(monkeypatch)
    button = todo.get_by_role("button", name=re.compile(r"^Marquer faite"))
    button.click()
    assert gate.entered.wait(5), "the command reached the server"
    expect(button).to_have_attribute("aria-disabled", "true")
    expect(todo.locator("[data-sending]")).to_have_text("Envoi…")
    expect(todo).to_contain_text("Acheter des graines")
    expect(done.locator(".action-row")).to_have_count(0)
    button.click(force=True)  # pressed again while pending: nothing more is sent
    assert db.session.get(Action, world.seeds.id).status == "open"
    gate.release()

    # -- done once the ack came: moved to "Faites", its "Rouvrir" button focused -----------------
    moved = done.locator(f"#action-{world.seeds.id}")
    expect(moved).to_contain_text("Acheter des graines")
    expect(moved).to_contain_text("faite le")
    reopen = moved.get_by_role("button", name=re.compile(r"^Rouvrir"))
    expect(reopen).to_be_focused()
    expect(todo.locator(".action-row")).to_have_count(0)
    expect(phone.locator("#empty-todo")).to_be_visible()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Mes actions · 1 action à faire")
    expect(phone.locator("#actions-status")).to_have_text(
        re.compile(r"Marquée faite\s:\sAcheter des graines")
    )
    expect(phone.locator('[data-count-for="done"]')).to_have_text("1")
    db.session.rollback()
    assert db.session.get(Action, world.seeds.id).status == "done"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone)

    # -- Bruno's laptop: done live, without a reload --------------------------------------------
    expect(laptop.locator(f"#list-done #action-{world.seeds.id}")).to_contain_text(
        "Acheter des graines"
    )
    expect(laptop.locator("#list-todo")).not_to_contain_text("Acheter des graines")
    expect(laptop.get_by_role("heading", level=1)).to_contain_text("2 actions à faire")
    expect(laptop.locator(f"#action-{world.seeds.id}").get_by_role("button")).to_have_count(0)
    assert laptop.evaluate("window.notReloaded === true")
    assert_accessible(laptop)

    # -- Alice reopens it (no gate): back to "À faire", on both pages ---------------------------
    reopen.click()
    expect(todo.locator(f"#action-{world.seeds.id}")).to_be_visible()
    expect(laptop.locator(f"#list-todo #action-{world.seeds.id}")).to_be_visible()
    expect(laptop.get_by_role("heading", level=1)).to_contain_text("3 actions à faire")
