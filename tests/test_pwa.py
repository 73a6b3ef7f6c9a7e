"""Vendredi installable on a phone: the manifest, the service worker and what the server tells
it. The worker keeps only the pages the server marks (the Friday document, the phone page, the
projector) and only for the reader the server names; API answers, feeds, exports and form posts
are never marked, and signing out clears what the browser kept.

The worker itself runs in tests/browser/test_offline_journey.py."""

import json
import re
import shutil
import struct
from pathlib import Path
from urllib.parse import urljoin

import pytest

from meeting import place
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.pwa import views as pwa
from tests.conftest import post_form, sign_in

ROOT = Path(__file__).resolve().parent.parent
OFFLINE = "X-Vendredi-Offline"
AUDIENCE = "X-Vendredi-Audience"


def document_path():
    return f"/vendredi/{dates.next_meeting_date().isoformat()}/"


def precache_of(script):
    """The list of URLs the worker keeps when it is installed."""
    match = re.search(r"var PRECACHE = (\[.*?\])\.concat\(\[(.*?)\]\);", script)
    assert match, "the worker names what it keeps"
    return json.loads(match.group(1)) + [json.loads(match.group(2))]


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


# -- the manifest ------------------------------------------------------------------------------


def test_the_manifest_is_french_and_names_the_place(client, make_member):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["lang"] == "fr"
    assert manifest["name"] == "Vendredi · Le 97"
    assert manifest["short_name"] == "Vendredi"
    assert "réunion du vendredi midi" in manifest["description"]
    assert manifest["display"] == "standalone"
    # The colours of the stylesheet: the header's ink, the page's paper.
    css = (ROOT / "static" / "css" / "main.css").read_text(encoding="utf-8")
    assert f"--ink: {manifest['theme_color']};" in css
    assert f"--paper: {manifest['background_color']};" in css

    admin = make_member(role="admin")
    place.set_setting(admin, "association_name", "La Coopérative du Moulin")
    renamed = json.loads(client.get("/manifest.webmanifest").get_data(as_text=True))
    assert renamed["name"] == "Vendredi · La Coopérative du Moulin"


def test_the_manifest_icons_exist_at_their_sizes(client):
    manifest = json.loads(client.get("/manifest.webmanifest").get_data(as_text=True))
    icons = manifest["icons"]
    assert {"image/svg+xml", "image/png"} == {icon["type"] for icon in icons}
    assert any(icon.get("purpose") == "maskable" for icon in icons)
    sizes = {icon["sizes"] for icon in icons if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    for icon in icons:
        response = client.get("/" + icon["src"])
        assert response.status_code == 200, icon["src"]
        if icon["type"] == "image/png":
            width, height = png_size(response.get_data())
            assert f"{width}x{height}" == icon["sizes"], icon["src"]
        response.close()


def test_the_manifest_works_under_a_sub_path(client):
    """Every URL it gives is relative: under /vendredi/ they stay under /vendredi/."""
    base = "http://localhost/vendredi/"
    response = client.get("/manifest.webmanifest", base_url=base)
    manifest = json.loads(response.get_data(as_text=True))
    at = urljoin(base, "manifest.webmanifest")
    assert urljoin(at, manifest["start_url"]) == base
    assert urljoin(at, manifest["scope"]) == base
    assert urljoin(at, manifest["id"]) == base
    for icon in manifest["icons"]:
        assert not icon["src"].startswith("/")
        assert urljoin(at, icon["src"]).startswith(base + "static/icons/")


# -- the layout's links ------------------------------------------------------------------------


def test_every_page_links_the_manifest_and_registers_the_worker_under_its_prefix(
    client, make_member
):
    sign_in(client, make_member(name="Alice"))
    for path in ("/", document_path()):
        html = client.get(path, base_url="http://localhost/vendredi/").get_data(as_text=True)
        assert '<link rel="manifest" href="/vendredi/manifest.webmanifest">' in html
        assert '<meta name="theme-color" content="#1d1b16">' in html
        assert 'src="/vendredi/static/js/pwa.js"' in html
        assert 'data-worker="/vendredi/sw.js"' in html
        assert 'data-scope="/vendredi/"' in html
        # Marked once, on <html>, first of all: the worker turns it into "copy" for a copy.
        assert html.count('data-page-source="network"') == 1
        assert re.search(r'<html [^>]*data-page-source="network"', html)


def test_a_kept_page_carries_its_offline_banner_and_others_none(client, make_member):
    sign_in(client, make_member(name="Alice"))
    html = client.get(document_path()).get_data(as_text=True)
    banner = re.search(r'<div id="copie-enregistree".*?</div>', html, re.DOTALL)
    assert banner, "the document says when it is read from its copy"
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", banner.group(0)))
    day = re.escape(dates.today_in_place().strftime("%-d"))
    assert re.search(
        rf"Hors ligne\s: vous lisez la version enregistrée le \w+ {day}(er)? \w+ \d{{4}} "
        r"à \d+\sh",
        text,
    ), text
    assert "attend le retour du réseau" in text
    assert "Recharger la page" in text
    home = client.get("/").get_data(as_text=True)
    assert 'id="copie-enregistree"' not in home
    assert 'data-offline=""' in home and 'data-offline="document"' in html


# -- what the server tells the worker --------------------------------------------------------


def test_only_the_three_pages_are_marked_for_offline_and_for_their_reader(
    client, make_member, live_friday, app
):
    friday = live_friday(guests=("Ana",))
    day = friday.meeting.scheduled_for.isoformat()
    alice = make_member(name="Alice")

    anonymous = client.get("/")
    assert anonymous.headers[AUDIENCE] == "anonymous"
    assert OFFLINE not in anonymous.headers

    sign_in(client, alice)
    pages = {
        document_path(): "document",
        f"/vendredi/{day}/": "document",
        f"/vendredi/{day}/direct": "phone",
        f"/vendredi/{day}/ecran": "screen",
    }
    keys = set()
    for path, kind in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers[OFFLINE] == kind, path
        keys.add(response.headers[AUDIENCE])
    home = client.get("/")
    assert OFFLINE not in home.headers
    keys.add(home.headers[AUDIENCE])
    assert len(keys) == 1 and keys != {"anonymous"}, "one key for one signed-in session"
    alice_key = keys.pop()
    assert re.fullmatch("[0-9a-f]{24}", alice_key), "opaque: it names no one"

    # Never an API answer, a feed, an export, a file or a form post.
    for path in (
        "/api/openapi.json",
        "/api/v1/me",
        f"/api/v1/meetings/{day}/entries",
        "/decisions.atom",
        "/comptes-rendus.atom",
        "/agenda.ics",
        "/agenda/prochains.json",
        "/budget/public.json",
        f"/vendredi/{day}/compte-rendu.md",
        "/manifest.webmanifest",
        "/sw.js",
        "/static/css/main.css",
    ):
        response = client.get(path)
        assert OFFLINE not in response.headers, path
        if response.mimetype != "text/html":  # (an error page only says whose it is)
            assert AUDIENCE not in response.headers, path
        response.close()
    posted = post_form(client, f"/vendredi/{day}/entrees", {"kind": "topic", "body": ""})
    assert posted.status_code in (302, 400)
    assert OFFLINE not in posted.headers and AUDIENCE not in posted.headers

    # The guest's phone page is kept for the guest, under a key of their own.
    guest = friday.guests["Ana"]
    phone = guest.get(f"/vendredi/{day}/direct")
    assert phone.status_code == 200
    assert phone.headers[OFFLINE] == "phone"
    assert phone.headers[AUDIENCE] not in ("anonymous", alice_key)

    # Another member, or Alice signed in again: another key (the worker drops the old copies).
    other = app.test_client()
    sign_in(other, make_member(name="Bruno"))
    assert other.get("/").headers[AUDIENCE] not in ("anonymous", alice_key)
    post_form(client, "/deconnexion")
    assert client.get("/connexion").headers[AUDIENCE] == "anonymous"
    sign_in(client, alice)
    assert client.get("/").headers[AUDIENCE] not in ("anonymous", alice_key)


def test_a_page_refused_to_its_reader_is_not_marked(client, live_friday):
    friday = live_friday()
    response = client.get(f"/vendredi/{friday.meeting.scheduled_for.isoformat()}/ecran")
    assert response.status_code == 302  # to the sign-in page
    assert OFFLINE not in response.headers


def test_signing_out_clears_what_the_browser_kept(client, make_member):
    sign_in(client, make_member(name="Alice"))
    response = post_form(client, "/deconnexion")
    assert response.status_code == 302
    cleared = {part.strip() for part in response.headers["Clear-Site-Data"].split(",")}
    assert {'"cache"', '"storage"'} <= cleared


# -- the worker ----------------------------------------------------------------------------------


def test_the_worker_is_served_from_the_root_and_never_kept_by_the_http_cache(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert "Service-Worker-Allowed" not in response.headers  # its path gives it the whole app
    script = response.get_data(as_text=True)
    assert re.search(r'var VERSION = "[0-9a-f]{16}";', script)
    under_prefix = client.get("/sw.js", base_url="http://localhost/vendredi/")
    assert under_prefix.get_data(as_text=True) == script, "the same worker under any prefix"


def test_the_worker_keeps_only_static_files_and_the_offline_page(client):
    script = client.get("/sw.js").get_data(as_text=True)
    kept = precache_of(script)
    assert "hors-ligne" in kept
    for url in kept:
        assert not url.startswith("/"), f"{url}: relative to the worker, so under any prefix"
        assert url.startswith("static/") or url == "hors-ligne", url
        response = client.get("/" + url)
        assert response.status_code == 200, url
        response.close()
    # No API, feed or export URL anywhere in the worker, to keep or otherwise.
    for pattern in (r"/api\b", r"api/", r"\.ics\b", r"\.atom\b", r"\.md\b", r"\.csv\b", "export"):
        assert not re.search(pattern, script.replace("exports", "")), pattern
    assert "compte-rendu" not in script and "jeton" not in script


def test_a_new_static_file_makes_a_new_worker(app, client, tmp_path):
    before = re.search(r'VERSION = "(\w+)"', client.get("/sw.js").get_data(as_text=True))[1]
    static = tmp_path / "static"
    shutil.copytree(app.static_folder, static)
    app.static_folder = str(static)
    copied = re.search(r'VERSION = "(\w+)"', client.get("/sw.js").get_data(as_text=True))[1]
    assert copied == before, "the same files: the same worker"
    css = static / "css" / "main.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* changed */\n", encoding="utf-8")
    after = re.search(r'VERSION = "(\w+)"', client.get("/sw.js").get_data(as_text=True))[1]
    assert after != before


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_offline_page_names_no_one(client, make_member, signed_in):
    alice = make_member(name="Alicia Quelqu’une")
    if signed_in:
        sign_in(client, alice)
        meetings.ensure_meeting(dates.next_meeting_date())
    response = client.get("/hors-ligne")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Hors ligne</h1>" in html
    assert "n’est pas enregistrée sur cet appareil" in html
    assert "Alicia" not in html
    assert "csrf" not in html
    assert "data-audience" not in html, "it tells the worker no reader's key"


def test_the_precache_list_matches_what_the_offline_pages_load(client, make_member, live_friday):
    """Each file the three pages load is kept when the worker installs."""
    friday = live_friday()
    day = friday.meeting.scheduled_for.isoformat()
    sign_in(client, make_member(name="Alice"))
    wanted = set()
    for path in (document_path(), f"/vendredi/{day}/direct", f"/vendredi/{day}/ecran"):
        html = client.get(path).get_data(as_text=True)
        wanted |= set(re.findall(r'(?:src|href)="/(static/[^"]+\.(?:js|css))"', html))
    assert wanted <= set(pwa.PRECACHE)
