"""Léa missed three Fridays. On her phone she signs in and sees "ce que vous avez manqué"; she
finds a decision by searching a word in another form and without its accent, opens its
permalink, then the minutes of that Friday, downloads them as Markdown, and marks one of her
actions done — Marc, on his laptop, sees it done live. Axe on every page, no sideways scroll.
"""

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.test_catchup import away  # noqa: F401

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
LAPTOP = {"viewport": {"width": 1366, "height": 768}}


def checked(page):
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways ({width} px)"


def test_back_after_three_fridays_lea_finds_what_was_decided_and_does_her_part(
    away,  # noqa: F811
    live_server,
    signed_in_page,
    tmp_path,
):
    # Marc follows everyone's actions on his laptop.
    laptop = signed_in_page(away.marc, **LAPTOP)
    laptop.goto(live_server.url + "/actions/?qui=tous")
    expect(laptop.locator("#actions")).to_have_attribute("data-synced", "true", timeout=15_000)
    laptop.evaluate("window.notReloaded = true")

    # -- home: what she missed ----------------------------------------------------------------
    phone = signed_in_page(away.lea, **PHONE)
    phone.goto(live_server.url + "/")
    missed = phone.locator("#manque")
    expect(missed.get_by_role("heading", level=2)).to_have_text("Ce que vous avez manqué")
    expect(missed).to_contain_text("Vous avez manqué 3 vendredis")
    expect(missed).to_contain_text("On repeint la cuisine.")
    expect(missed).to_contain_text("Acheter la peinture")
    expect(missed).not_to_contain_text("On garde le compost.")  # decided while she was there
    checked(phone)

    # -- search: another form of the word, without its accent ---------------------------------
    with phone.expect_navigation():
        phone.get_by_role("link", name="Recherche").first.click()
    phone.get_by_role("searchbox").fill("reparations")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Chercher").click()
    results = phone.locator(".search-results")
    hit = results.locator(".search-result", has_text="On répare le toit.")
    expect(hit).to_be_visible()
    expect(hit.locator("mark").first).to_have_text(re.compile("^répare", re.IGNORECASE))
    checked(phone)

    # -- the decision's permalink, then the minutes of its Friday -----------------------------
    with phone.expect_navigation():
        hit.get_by_role("link").first.click()
    roof = away.fridays[3].decisions[0]
    assert phone.url.endswith(f"/decisions/{roof.number}")
    expect(phone.locator("main")).to_contain_text("On répare le toit.")
    checked(phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name=re.compile("^Le compte rendu du")).first.click()
    assert phone.url.endswith(f"/compte-rendu#decision-{roof.number}")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Compte rendu du")
    expect(phone.locator("main")).to_contain_text("On répare le toit.")
    checked(phone)

    # -- the Markdown export ---------------------------------------------------------------------
    with phone.expect_download() as download_info:
        phone.get_by_role("link", name=re.compile("Télécharger")).click()
    download = download_info.value
    assert re.fullmatch(r"compte-rendu-\d{4}-\d{2}-\d{2}\.md", download.suggested_filename)
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Compte rendu du")
    assert "On répare le toit." in text

    # -- "Mes actions": she marks hers done; Marc sees it without reloading ----------------------
    with phone.expect_navigation():
        phone.get_by_role("link", name="Mes actions").first.click()
    expect(phone.locator("#actions")).to_have_attribute("data-synced", "true", timeout=15_000)
    checked(phone)
    row = phone.locator(".action-row", has_text="Acheter la peinture")
    row.get_by_role("button", name=re.compile("^Marquer faite")).click()
    done = phone.locator("#list-done .action-row", has_text="Acheter la peinture")
    expect(done).to_contain_text("faite le")
    expect(
        laptop.locator("#list-done .action-row", has_text="Acheter la peinture")
    ).to_contain_text("Léa")
    expect(laptop.locator("#list-todo")).not_to_contain_text("Acheter la peinture")
    assert laptop.evaluate("window.notReloaded === true")
    checked(phone)
