"""Browser fixtures: Debian's Chromium through pytest-playwright, the test's app served on a free
port, signed-in pages, and an accessibility check (axe-core) for every page a test visits.

Every test under tests/browser/ is marked `browser` (deselect them with `-m "not browser"`).
"""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.conftest import TEST_PASSWORD

HERE = Path(__file__).resolve().parent
AXE_SOURCE = (HERE / "vendor" / "axe.min.js").read_text(encoding="utf-8")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
CHROMIUM = "/usr/bin/chromium"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def _system_chromium():
    """Without Debian's Chromium the browser tests skip, except under CI=true where they fail."""
    if not os.access(CHROMIUM, os.X_OK):
        message = f"{CHROMIUM} introuvable (apt-get install chromium, ou make test en root)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} : obligatoire sous CI=true", pytrace=False)
        pytest.skip(f"{message} : tests navigateur non lancés")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Never let Playwright download a browser: use the system Chromium.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--lang=fr-FR",  # date fields as jj/mm/aaaa, as on a French phone
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR", "timezone_id": "Europe/Paris"}


class _QuietRequestHandler(WSGIRequestHandler):
    """No line per request in failure reports; errors are still logged."""

    def log_request(self, code="-", size="-"):
        pass


class LiveServer:
    def __init__(self, app):
        # Port 0: the system picks a free port; other servers on the machine cannot interfere.
        self.server = make_server(
            "127.0.0.1", 0, app, threaded=True, request_handler=_QuietRequestHandler
        )
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(app):
    """The test's app (and its own database) served by werkzeug's threaded server."""
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def open_page(live_server, new_context):
    """Factory: `open_page(viewport={...})` opens a page in a fresh browser context.

    The contexts close before the server stops, so no socket is left talking to it.
    """
    contexts = []

    def open_(**context_args):
        context = new_context(**context_args)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


def sign_in_through_form(page, live_server, member, password=TEST_PASSWORD, remember=False):
    """Sign in through the real /connexion form, as a person would."""
    page.goto(live_server.url + "/connexion")
    assert_accessible(page)
    page.get_by_label("Adresse e-mail").fill(member.email)
    page.get_by_label("Mot de passe").fill(password)
    if remember:
        page.get_by_label("Rester connecté·e (30 jours)").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    if "/connexion" in page.url:
        said = page.locator("main").inner_text()
        raise AssertionError(f"sign-in failed for {member.email}: {page.url}\n{said}")
    assert_accessible(page)
    return page


@pytest.fixture
def signed_in_page(open_page, live_server):
    """Factory: `signed_in_page(member)` → a page of a new context, signed in as `member`."""

    def make(member, remember=False, **context_args):
        page = open_page(**context_args)
        return sign_in_through_form(page, live_server, member, remember=remember)

    return make


def assert_accessible(page):
    """Fail with a readable list when axe-core finds a serious or critical WCAG 2.1 A/AA issue.

    The app's CSP (`script-src 'self'`) blocks inline script tags; `page.evaluate` is not
    subject to it, so axe is injected that way.
    """
    if page.evaluate("typeof window.axe === 'undefined'"):
        page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: "tag", values: tags}})
             .then(r => r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(" ")).slice(0, 5)})))""",
        AXE_TAGS,
    )
    blocking = [v for v in result if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        lines = [
            f"- [{v['impact']}] {v['id']}: {v['help']} ({', '.join(v['targets'])})"
            for v in blocking
        ]
        pytest.fail(f"Accessibility violations on {page.url}:\n" + "\n".join(lines), pytrace=False)


# -- behind a real reverse proxy (nginx), under a sub-path -----------------------------------


@pytest.fixture
def nginx_proxy(live_server, tmp_path):
    """Debian's nginx on a free port serving the live server under `/vendredi/` (the test's
    app should trust one proxy: `config_overrides` with PROXY_COUNT=1). `.url` is the app's
    address through it, `.origin` the proxy's scheme, host and port."""
    from tests.browser.nginx import NGINX, Nginx

    if not os.access(NGINX, os.X_OK):
        message = f"{NGINX} introuvable (apt-get install nginx-light, ou make test en root)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} : obligatoire sous CI=true", pytrace=False)
        pytest.skip(f"{message} : test derrière un proxy non lancé")
    upstream = live_server.url.removeprefix("http://")
    proxy = Nginx(upstream, tmp_path / "nginx").start()
    yield proxy
    proxy.stop()
