"""An absent member finds what was decided: from home to the register, filtered by mode, then a
decision's permalink and the correction that replaced another, at phone and laptop sizes (axe on
each page, no sideways scroll)."""

import os

from playwright.sync_api import expect

from meeting.extensions import db
from meeting.models import Decision
from meeting.models.base import utcnow
from tests.browser.conftest import assert_accessible
from tests.test_decisions_register import register  # noqa: F401

SIZES = {"phone": (390, 844), "laptop": (1366, 768)}
SHOTS = os.environ.get("SHOTS_DIR")  # e.g. /tmp/shots/register


def no_sideways_scroll(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_an_absent_member_finds_the_decisions_and_their_corrections(
    register,  # noqa: F811
    signed_in_page,
    live_server,
):
    correction = Decision(
        number=register.roof.number + 1,
        meeting_id=register.roof.meeting_id,
        item_id=register.roof.item_id,
        statement="On répare **et** on isole les combles.",
        mode="information",
        supersedes_id=register.roof.id,
        decided_by_id=register.camille.id,
        decided_at=utcnow(),
    )
    db.session.add(correction)
    db.session.commit()
    for name, (width, height) in SIZES.items():
        page = signed_in_page(register.marc, viewport={"width": width, "height": height})
        page.goto(live_server.url + "/")
        with page.expect_navigation():
            page.get_by_role("link", name="Registre des décisions", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Registre des décisions")
        expect(page.locator("main")).to_contain_text("On répare et on isole les combles.")
        assert_accessible(page)
        no_sideways_scroll(page, width)
        # filtered by mode: only the vote is left
        page.get_by_label("Mode").select_option(label="par vote")
        with page.expect_navigation():
            page.get_by_role("button", name="Filtrer").click()
        expect(page.locator("main")).to_contain_text("Budget de 300 € voté.")
        expect(page.locator("main")).not_to_contain_text("On répare.")
        # the permalink of the replaced decision says what replaced it, and links there
        page.goto(f"{live_server.url}/decisions/{register.roof.number}")
        assert_accessible(page)
        no_sideways_scroll(page, width)
        with page.expect_navigation():
            page.get_by_role("link", name=f"décision n° {correction.number}").first.click()
        expect(page.locator("main")).to_contain_text("On répare et on isole les combles.")
        expect(
            page.get_by_role("link", name=f"décision n° {register.roof.number}").first
        ).to_be_visible()
        if SHOTS:
            os.makedirs(SHOTS, exist_ok=True)
            page.screenshot(path=os.path.join(SHOTS, f"show-{name}.png"), full_page=True)
