"""A write the database could not take just now is kept, not lost (Debian's Chromium).

Inès adds a point to the coming Friday's document while another program holds the database's
write lock past the server's wait (a long import, a stuck script). The server answers
« réessayez » (`busy`): her page neither drops the point nor shows it as refused; it waits in
the page's outbox, marked as not yet sent, and the page sends it again by itself while the
server is still busy. Once the lock goes, the point is stored — exactly once — and shows in
the document, without a reload.
"""

import logging
import re
import time

from playwright.sync_api import expect
from sqlalchemy import func, select

from meeting.extensions import db
from meeting.meetings import services as meetings
from meeting.models import Entry
from tests.browser.conftest import assert_accessible
from tests.browser.test_offline_journey import coming_friday, joined
from tests.test_faults import (  # noqa: F401  (config_overrides: the short lock wait)
    config_overrides,
    lock_held,
)

RETRIES_SECONDS = 60  # how long the test waits for the page's own retries, never a measure


def rows_with_body(body):
    db.session.rollback()  # see what the server committed
    return db.session.scalar(select(func.count(Entry.id)).where(Entry.body == body))


def busy_answers(caplog):
    """How many commands the server has answered « réessayez » so far (one warning each)."""
    return sum(1 for r in caplog.records if r.name == "meeting.faults")


def wait_for_busy_answers(page, caplog, count):
    deadline = time.monotonic() + RETRIES_SECONDS
    while busy_answers(caplog) < count:
        assert time.monotonic() < deadline, f"{busy_answers(caplog)} busy answers, not {count}"
        page.wait_for_timeout(100)


def test_a_point_written_while_the_database_is_busy_waits_and_is_stored_once(
    live_server, make_member, signed_in_page, database_uri, caplog
):
    ines = make_member(name="Inès")
    outbox_key = f"vendredi:outbox:{ines.id}"
    meetings.ensure_meeting(coming_friday())
    url = f"{live_server.url}/vendredi/{coming_friday().isoformat()}/"
    page = signed_in_page(ines)
    page.goto(url)
    joined(page)
    page.evaluate("window.__marker = 1")  # gone if the page ever reloads

    title = "Four à pain"
    body = "Le four à pain chauffe mal depuis mardi : qui regarde le thermostat ?"
    outbox = page.locator("#outbox")
    add_form = page.locator("#add-entry")
    with caplog.at_level(logging.WARNING, logger="meeting.faults"), lock_held(database_uri):
        page.get_by_label("un point à discuter").check()
        page.get_by_label("Titre (facultatif)").fill(title)
        page.get_by_label(re.compile(r"^Texte")).fill(body)
        page.get_by_role("button", name="Ajouter au document", exact=True).click()

        # Not refused, not lost: it waits, shown as not yet sent, the form free again.
        expect(outbox).to_be_visible()
        expect(outbox).to_contain_text("En attente d’envoi")
        expect(outbox.locator("li")).to_have_text([title])
        expect(add_form.locator(".not-sent")).to_have_text("pas encore envoyé")
        expect(page.locator("#add-entry-live-error")).to_be_hidden()  # not refused
        expect(page.get_by_label(re.compile(r"^Texte"))).to_have_value("")

        # The page sends it again by itself; the server, still busy, says « réessayez » again
        # and the point still waits.
        wait_for_busy_answers(page, caplog, 2)
        expect(outbox.locator("li")).to_have_text([title])
        assert rows_with_body(body) == 0
        assert_accessible(page)

    # The lock gone, the next retry stores it: once, on the page, without a reload.
    expect(outbox).to_be_hidden(timeout=RETRIES_SECONDS * 1000)
    expect(page.locator("article.entry", has_text=title)).to_have_count(1)
    expect(add_form.locator(".not-sent")).to_have_count(0)
    assert page.evaluate("window.__marker") == 1, "sent by the page, not by a reload"
    assert rows_with_body(body) == 1
    assert page.evaluate("key => localStorage.getItem(key)", outbox_key) is None

    page.reload()
    joined(page)
    expect(page.locator("article.entry", has_text=title)).to_have_count(1)
    assert rows_with_body(body) == 1
    assert_accessible(page)
