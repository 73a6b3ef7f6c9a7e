"""Production settings, in one process: which proxies are trusted, what Vendredi refuses to
start with, the health check, rate limits while Redis is away, the test e-mail command, and
logs with their time and level (meeting/ops/)."""

import logging
import os
import re
import subprocess
import sys

import pytest

from meeting import create_app
from meeting.config import ConfigurationError
from meeting.extensions import db
from meeting.ops import proxies
from tests.conftest import ROOT, TEST_PASSWORD, _base_config, free_port, run_python

FORGER = "203.0.113.9"  # a client that reaches the app server directly, not through nginx


@pytest.fixture
def new_app():
    """`new_app(config)`: an app of its own, its pool emptied after the test (a PostgreSQL
    connection left to the garbage collector warns, and fails the next test)."""
    made = []

    def make(config):
        app = create_app(config)
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


def sign_in(client, email, password, **kwargs):
    return client.post(
        "/connexion", data={"email": email, "password": password}, follow_redirects=False, **kwargs
    )


# -- proxies: forwarded headers only from the trusted ones ----------------------------------


@pytest.fixture
def config_overrides():
    return {"PROXY_COUNT": 1, "WTF_CSRF_ENABLED": False, "SIGNIN_RATE_LIMIT": "5 per minute"}


def test_a_forged_forwarded_for_from_outside_does_not_defeat_the_sign_in_limit(app, make_member):
    member = make_member()
    client = app.test_client()
    answers = [
        sign_in(
            client,
            member.email,
            "faux",
            environ_base={"REMOTE_ADDR": FORGER},
            headers={"X-Forwarded-For": f"198.51.100.{n}"},  # a new address each time
        ).status_code
        for n in range(7)
    ]
    # Five refusals of the password, then the limit: the forged addresses changed nothing.
    assert answers == [400] * 5 + [429, 429]


def test_the_trusted_proxy_is_believed_for_the_client_address(app, make_member):
    member = make_member()
    client = app.test_client()
    # Through nginx (127.0.0.1, trusted), each visitor has their own limit …
    answers = [
        sign_in(
            client,
            member.email,
            "faux",
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
            headers={"X-Forwarded-For": f"198.51.100.{n}"},
        ).status_code
        for n in range(7)
    ]
    assert answers == [400] * 7
    # … and one visitor who insists is stopped all the same.
    same = [
        sign_in(
            client,
            member.email,
            "faux",
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
            headers={"X-Forwarded-For": "198.51.100.200"},
        ).status_code
        for _ in range(6)
    ]
    assert same == [400] * 5 + [429]


def test_a_forged_prefix_or_host_from_outside_changes_no_link(app, make_member, caplog):
    make_member()  # a place with people: the sign-in page, not the first run
    client = app.test_client()
    forged = {
        "X-Forwarded-Prefix": "/ailleurs",
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Proto": "https",
    }
    with caplog.at_level(logging.WARNING, logger="meeting.ops.proxies"):
        page = client.get("/connexion", environ_base={"REMOTE_ADDR": FORGER}, headers=forged)
        client.get("/connexion", environ_base={"REMOTE_ADDR": FORGER}, headers=forged)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/ailleurs" not in html and "evil.example" not in html
    assert 'action="/connexion"' in html
    warnings = [r.getMessage() for r in caplog.records if r.name == "meeting.ops.proxies"]
    assert len(warnings) == 1, warnings  # once per peer, not once per request
    assert FORGER in warnings[0] and "TRUSTED_PROXIES" in warnings[0]

    # The same headers from nginx are honoured: links under the sub-path.
    through_nginx = client.get(
        "/connexion",
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
        headers={"X-Forwarded-Prefix": "/vendredi"},
    )
    assert 'action="/vendredi/connexion"' in through_nginx.get_data(as_text=True)


def test_a_socket_handshake_with_a_forged_host_from_outside_is_refused(app):
    """Engine.IO's origin check believes X-Forwarded-Host: from outside, it is dropped first,
    so a foreign page cannot pass as the place by forging it."""
    client = app.test_client()
    handshake = "/socket.io/?EIO=4&transport=polling"
    forged = client.get(
        handshake,
        environ_base={"REMOTE_ADDR": FORGER},
        headers={"Origin": "http://evil.example", "X-Forwarded-Host": "evil.example"},
    )
    assert forged.status_code == 400
    own = client.get(
        handshake, environ_base={"REMOTE_ADDR": FORGER}, headers={"Origin": "http://localhost"}
    )
    assert own.status_code == 200 and b'"sid"' in own.data


def test_trust_by_address_and_network():
    rule = proxies.TrustedProxies(None, 1, proxies.parse_networks("127.0.0.1, ::1, 10.0.0.0/8"))
    assert rule.trusts("127.0.0.1") and rule.trusts("::1") and rule.trusts("10.1.2.3")
    assert rule.trusts("::ffff:127.0.0.1")  # IPv4 seen through an IPv6 socket
    assert not rule.trusts("10.0.0.0.1") and not rule.trusts("192.168.1.1") and not rule.trusts("")


def test_forwarded_headers_with_no_proxy_configured_are_dropped_with_one_warning(
    tmp_path, database_uri, make_member, caplog, new_app
):
    make_member()
    app = new_app({**_base_config(tmp_path / "i", database_uri), "PROXY_COUNT": 0})
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="meeting.ops.proxies"):
        for _ in range(3):
            page = client.get("/connexion", headers={"X-Forwarded-Prefix": "/vendredi"})
    assert 'action="/connexion"' in page.get_data(as_text=True)
    warnings = [r.getMessage() for r in caplog.records if r.name == "meeting.ops.proxies"]
    assert len(warnings) == 1 and "PROXY_COUNT=0" in warnings[0], warnings


# -- what Vendredi refuses to start with ------------------------------------------------------


@pytest.mark.parametrize(
    "settings",
    [
        {"SOCKETIO_MESSAGE_QUEUE": "redis://127.0.0.1:1/0"},
        {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"},
    ],
)
def test_several_processes_without_an_explicit_secret_key_are_refused(tmp_path, settings, new_app):
    config = {**_base_config(tmp_path / "i", f"sqlite:///{tmp_path / 's.sqlite3'}"), **settings}
    config.pop("SECRET_KEY")
    with pytest.raises(ConfigurationError, match="SECRET_KEY doit être réglé explicitement"):
        new_app(config)
    # With the key given, the same configuration starts.
    assert new_app({**config, "SECRET_KEY": "une-clé-partagée"}).config["SECRET_KEY_SET"]


def test_a_bad_trusted_proxies_setting_is_refused(tmp_path, new_app):
    config = {**_base_config(tmp_path / "i", "sqlite:///x"), "TRUSTED_PROXIES": "127.0.0.1,nginx"}
    with pytest.raises(ConfigurationError, match="« nginx » n’est ni une adresse IP"):
        new_app(config)


def test_the_refusal_at_start_is_one_french_line_not_a_traceback(tmp_path):
    env = {
        **os.environ,
        "INSTANCE_PATH": str(tmp_path / "i"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        "SOCKETIO_MESSAGE_QUEUE": "redis://127.0.0.1:1/0",
    }
    env.pop("SECRET_KEY", None)
    done = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("Vendredi ne démarre pas : SECRET_KEY doit être réglé")
    assert "Traceback" not in done.stderr


# -- the health check -------------------------------------------------------------------------


def test_health_answers_what_it_checked(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json == {"ok": True, "database": "ok", "redis": "absent"}
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.mimetype == "application/json"


def test_health_says_503_when_the_database_is_gone(tmp_path, new_app):
    missing = tmp_path / "no-such-directory" / "db.sqlite3"
    app = new_app(_base_config(tmp_path / "i", f"sqlite:///{missing}"))
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json["ok"] is False and answer.json["database"] == "error"


def test_a_database_never_migrated_is_named_by_the_health_check_and_the_log(
    tmp_path, caplog, new_app
):
    """A server started before `db upgrade`: the probe says so, and the first page's failure
    is logged with the command that fixes it (not only `no such table: member`)."""
    app = new_app(_base_config(tmp_path / "i", f"sqlite:///{tmp_path / 'empty.sqlite3'}"))
    client = app.test_client()
    answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json == {"ok": False, "database": "not_migrated", "redis": "absent"}
    with caplog.at_level(logging.ERROR):
        page = client.get("/")
    assert page.status_code == 500
    assert "Une erreur inattendue est survenue" in page.get_data(as_text=True)
    hints = [
        r.getMessage()
        for r in caplog.records
        if r.name == "meeting.ops.health" and r.levelno == logging.ERROR
    ]
    assert hints == [
        (
            "La base de données n’a pas les tables de cette version de Vendredi : lancez "
            "« flask --app wsgi db upgrade » (avec les mêmes réglages que le serveur), puis "
            "redémarrez."
        )
    ]


def test_health_says_503_when_the_configured_redis_is_down(tmp_path, database_uri, new_app):
    app = new_app(
        {
            **_base_config(tmp_path / "i", database_uri),
            "SOCKETIO_MESSAGE_QUEUE": f"redis://127.0.0.1:{free_port()}/0",
        }
    )
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json == {"ok": False, "database": "ok", "redis": "error"}


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="TEST_REDIS_URL is not set")
def test_health_checks_a_running_redis(tmp_path, database_uri, new_app):
    app = new_app(
        {
            **_base_config(tmp_path / "i", database_uri),
            "SOCKETIO_MESSAGE_QUEUE": os.environ["TEST_REDIS_URL"],
        }
    )
    assert app.test_client().get("/healthz").json == {"ok": True, "database": "ok", "redis": "ok"}


# -- rate limits while Redis is away ----------------------------------------------------------


def test_sign_in_works_and_is_still_limited_while_the_rate_limit_redis_is_down(
    tmp_path, database_uri, make_member, caplog, new_app, monkeypatch
):
    from meeting.extensions import limiter

    # Flask-Limiter is one object for every app of the process, and remembers a storage it
    # found dead until it answers again: another test's dead Redis would hide this one's.
    monkeypatch.setattr(limiter, "_storage_dead", False)
    member = make_member()
    app = new_app(
        {
            **_base_config(tmp_path / "i", database_uri),
            "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port()}/0",  # nobody listens
            "WTF_CSRF_ENABLED": False,
            "SIGNIN_RATE_LIMIT": "3 per minute",
        }
    )
    client = app.test_client()
    with caplog.at_level(logging.WARNING):
        assert sign_in(client, member.email, TEST_PASSWORD).status_code == 302
        answers = [sign_in(client, member.email, "faux").status_code for _ in range(4)]
    # Counted in memory meanwhile: the limit still holds (failures count; the sign-in that
    # succeeded does not, as members at the table share one address).
    assert answers == [400, 400, 400, 429]
    fallbacks = [r for r in caplog.records if "falling back to in-memory" in r.getMessage()]
    assert len(fallbacks) == 1


# -- the test e-mail ----------------------------------------------------------------------------


def test_send_test_mail_sends_through_the_configured_server(
    tmp_path, database_uri, smtp_server, new_app
):
    app = new_app(
        {
            **_base_config(tmp_path / "i", database_uri),
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp_server.port,
            "MAIL_DEFAULT_SENDER": "vendredi@le97.example",
        }
    )
    result = app.test_cli_runner().invoke(args=["send-test-mail", "camille@le97.example"])
    assert result.exit_code == 0, result.output
    assert "Courriel d’essai envoyé à camille@le97.example" in result.output
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "camille@le97.example"
    assert message["Subject"] == "Courriel d’essai de Vendredi"
    assert f"127.0.0.1:{smtp_server.port}" in smtp_server.body(message)


def test_send_test_mail_says_what_is_missing(tmp_path, database_uri, new_app):
    app = new_app(_base_config(tmp_path / "i", database_uri))
    result = app.test_cli_runner().invoke(args=["send-test-mail", "camille@le97.example"])
    assert result.exit_code == 1
    assert "MAIL_SERVER n’est pas réglé" in result.output


def test_send_test_mail_reports_a_server_that_does_not_answer(tmp_path, database_uri, new_app):
    app = new_app(
        {
            **_base_config(tmp_path / "i", database_uri),
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": free_port(),  # nobody listens
            "MAIL_TIMEOUT": 2,
        }
    )
    result = app.test_cli_runner().invoke(args=["send-test-mail", "camille@le97.example"])
    assert result.exit_code == 1
    assert "n’a pas accepté le courriel" in result.output


# -- logs ----------------------------------------------------------------------------------------

LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} WARNING \[\d+\] meeting\.x: bonjour$"
)


def test_app_logs_carry_their_time_and_level(tmp_path):
    code = (
        "import logging\n"
        "from meeting import create_app\n"
        f"create_app({{'INSTANCE_PATH': {str(tmp_path / 'i')!r}, 'SECRET_KEY': 'k',"
        f" 'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path / 'l.sqlite3'}'}})\n"
        "logging.getLogger('meeting.x').info('pas affiché au niveau WARNING')\n"
        "logging.getLogger('meeting.x').warning('bonjour')\n"
    )
    done = run_python("-c", code, env={**os.environ, "LOG_LEVEL": "WARNING"}, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and LOG_LINE.match(lines[0]), done.stderr


def test_gunicorn_writes_its_lines_in_the_app_log_shape():
    from meeting.ops import gunicorn_conf, logs

    assert (gunicorn_conf.FORMAT, gunicorn_conf.DATE_FORMAT) == (logs.FORMAT, logs.DATE_FORMAT)


def test_a_worker_and_the_development_server_freeze_what_they_loaded_before_serving():
    """A full collection walked through every object Flask, SQLAlchemy and Babel had loaded:
    the slowest commands waited for it (bench/live_document.py). Frozen once loaded, in
    gunicorn's worker (`post_worker_init`) and in `python wsgi.py`, in a process of its own."""
    probe = (
        "import gc\n"
        "from meeting.ops import gunicorn_conf\n"
        "before = gc.get_freeze_count()\n"
        "gunicorn_conf.post_worker_init(None)\n"
        "print(before, gc.get_freeze_count())\n"
    )
    done = run_python("-c", probe, timeout=60)
    assert done.returncode == 0, done.stderr
    before, after = (int(n) for n in done.stdout.split())
    assert before == 0 and after > 10_000, done.stderr
    wsgi = (ROOT / "wsgi.py").read_text()
    assert wsgi.index("freeze_startup_objects()") < wsgi.index("socketio.run(")
