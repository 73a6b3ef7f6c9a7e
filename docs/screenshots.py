"""Take the README's screenshots: a demo instance served on a free port, Debian's Chromium.

Usage: .venv/bin/python docs/screenshots.py
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    instance = tempfile.mkdtemp(prefix="vendredi-shots-")
    env = {**os.environ, "INSTANCE_PATH": instance, "PORT": str(free_port())}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True)
    subprocess.run([*flask, "demo"], env=env, cwd=ROOT, check=True)
    server = subprocess.Popen([sys.executable, "wsgi.py"], env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{env['PORT']}"
    try:
        for _ in range(100):
            try:
                urlopen(base + "/connexion")
                break
            except OSError:
                time.sleep(0.1)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            phone = browser.new_context(viewport={"width": 390, "height": 760}, locale="fr-FR")
            page = phone.new_page()
            page.goto(base + "/connexion")
            page.screenshot(path=OUT / "sign-in-phone.png")
            page.fill("#email", "ines@le97.example")
            page.fill("#password", "vendredi")
            page.click("main button[type=submit]")
            page.wait_for_url(base + "/")
            page.click("text=Ouvrir le document")
            page.wait_for_selector("body[data-live=connected]")
            page.evaluate("document.getElementById('section-mood').scrollIntoView()")
            page.screenshot(path=OUT / "document-phone.png")
            desk = browser.new_context(
                viewport={"width": 1100, "height": 760}, locale="fr-FR", timezone_id="Europe/Paris"
            )
            page = desk.new_page()
            page.goto(base + "/connexion")
            page.fill("#email", "admin@le97.example")
            page.fill("#password", "vendredi")
            page.click("button[type=submit] >> text=Se connecter")
            page.wait_for_url(base + "/")
            page.screenshot(path=OUT / "home.png")
            page.click("text=Ouvrir le document")
            page.wait_for_selector("body[data-live=connected]")
            page.screenshot(path=OUT / "document.png")
            page.goto(base + "/traces/")
            page.wait_for_selector("body[data-live=connected]")
            page.screenshot(path=OUT / "traces.png")
            page.goto(base + "/admin/membres")
            page.screenshot(path=OUT / "members.png", full_page=True)
            # Friday live: Camille starts the coming meeting; a guest follows on a phone.
            live = browser.new_context(
                viewport={"width": 1280, "height": 860}, locale="fr-FR", timezone_id="Europe/Paris"
            )
            console = live.new_page()
            console.goto(base + "/connexion")
            console.fill("#email", "camille@le97.example")
            console.fill("#password", "vendredi")
            console.click("main button[type=submit]")
            console.wait_for_url(base + "/")
            day = console.get_attribute("a:has-text('Ouvrir le document')", "href").split("/")[2]
            console.goto(f"{base}/vendredi/{day}/animation")
            console.once("dialog", lambda dialog: dialog.accept())  # "Commencer la réunion ?"
            console.click("text=Commencer la réunion")
            console.wait_for_selector("body[data-live=connected]")
            console.click("text=Suivant →")
            console.wait_for_timeout(800)
            console.screenshot(path=OUT / "console.png")
            screen = live.new_page()
            screen.set_viewport_size({"width": 1920, "height": 1080})  # the projector
            screen.goto(f"{base}/vendredi/{day}/ecran")
            screen.wait_for_selector("body[data-live=connected]")
            code = screen.inner_text(".join-code strong")
            guest = browser.new_context(viewport={"width": 390, "height": 760}, locale="fr-FR")
            phone_page = guest.new_page()
            phone_page.goto(base + "/rejoindre")
            phone_page.fill("#code", code)
            phone_page.fill("#first_name", "Zoé")
            phone_page.click("main button[type=submit]")
            phone_page.wait_for_selector("body[data-live=connected]")
            phone_page.click("text=Lever la main")
            phone_page.wait_for_timeout(800)
            phone_page.screenshot(path=OUT / "phone.png")
            home = live.new_page()  # while live, home says so and leads to each live page
            home.goto(base + "/")
            home.screenshot(path=OUT / "home-live.png")
            screen.wait_for_timeout(500)
            screen.screenshot(path=OUT / "screen.png")
            # After Friday: the register, a closed Friday's minutes, search, "Mes actions".
            page.goto(base + "/decisions/")
            page.screenshot(path=OUT / "register.png")
            minutes = page.get_attribute(".register-meta a", "href")
            page.goto(base + minutes.split("#")[0])
            page.screenshot(path=OUT / "minutes.png")
            page.goto(base + "/recherche?q=permanence")
            page.screenshot(path=OUT / "search.png")
            mine = phone.new_page()
            mine.goto(base + "/actions/?qui=tous")
            mine.wait_for_selector("#actions[data-synced=true]")
            mine.screenshot(path=OUT / "actions-phone.png")
            # Proposals followed to the calendar: the month, an event from a decision, the
            # proposer's pages (Lucie's, on a phone), the public form, the widget.
            page.goto(base + "/agenda/")
            page.screenshot(path=OUT / "calendar-month.png")
            page.click(".cal-event a >> text=Projection")
            page.screenshot(path=OUT / "event.png", full_page=True)
            mine = browser.new_context(
                viewport={"width": 390, "height": 760}, locale="fr-FR"
            ).new_page()  # Lucie's phone
            mine.goto(base + "/connexion")
            mine.fill("#email", "lucie@le97.example")
            mine.fill("#password", "vendredi")
            mine.click("main button[type=submit]")
            mine.wait_for_url(base + "/")
            mine.goto(base + "/propositions/")
            mine.screenshot(path=OUT / "proposals-phone.png", full_page=True)
            outsider = phone.browser.new_context(
                viewport={"width": 390, "height": 760}, locale="fr-FR"
            ).new_page()
            outsider.goto(base + "/proposer")
            outsider.screenshot(path=OUT / "propose-outside-phone.png")
            outsider.goto(base + "/agenda/widget?n=5")
            outsider.screenshot(path=OUT / "widget.png")
            # The place's economy: the year's budget (the treasurer's view), the public page, the
            # catalogue, a member's own contributions, the life of the place.
            page.goto(base + "/budget/")
            page.screenshot(path=OUT / "budget.png", full_page=True)
            page.goto(base + "/catalogue/")
            page.screenshot(path=OUT / "catalogue.png")
            page.goto(base + "/vie-du-lieu/")
            # The charts load lazily: a full-page capture would not scroll to them.
            charts = page.locator("main img")
            for index in range(charts.count()):
                charts.nth(index).scroll_into_view_if_needed()
            page.wait_for_load_state("networkidle")
            page.screenshot(path=OUT / "life.png", full_page=True)
            outsider.goto(base + "/budget/public")
            outsider.screenshot(path=OUT / "budget-public-phone.png", full_page=True)
            mine.goto(base + "/catalogue/mes-contributions")
            mine.screenshot(path=OUT / "contributions-phone.png", full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    print("captures dans", OUT)


if __name__ == "__main__":
    main()
