"""The self-hoster's kit (deploy/) tells the truth about the app.

nginx accepts its files; the systemd units are well formed and run the right commands; the
settings template names exactly the settings Vendredi reads, and works as the service and
`deploy/vendredi-flask` read it; every command deploy/README.md has a self-hoster type exists
(Makefile targets, console scripts, extras, flask commands, units, files, the health route),
and its upgrade procedure is complete.

The sub-path browser journey (tests/browser/test_subpath_journey.py) runs through
deploy/nginx/vendredi-http.conf and vendredi-locations.conf themselves (tests/browser/nginx.py).
"""

import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import tomllib
from pathlib import Path

import click
import pytest

from meeting.config import ROOT
from tests.browser.nginx import NGINX

DEPLOY = ROOT / "deploy"
NGINX_DIR = DEPLOY / "nginx"
HTTP_CONF = NGINX_DIR / "vendredi-http.conf"
LOCATIONS_CONF = NGINX_DIR / "vendredi-locations.conf"
SITE_CONF = NGINX_DIR / "site.conf"
ENV_TEMPLATE = DEPLOY / "vendredi.env.example"
README = DEPLOY / "README.md"
WRAPPER = DEPLOY / "vendredi-flask"
UNITS = sorted([*DEPLOY.glob("*.service"), *DEPLOY.glob("*.timer")])

APP_DIR = "/srv/vendredi"
VENV_BIN = f"{APP_DIR}/.venv/bin"
INSTANCE_DIR = f"{APP_DIR}/instance"
ENV_FILE = "/etc/vendredi/vendredi.env"
FLASK = f"{VENV_BIN}/flask --app wsgi"


def require(program, package, what):
    """Skip without `program`, except under CI=true where it is a failure (as the browser
    fixtures decide for Chromium and nginx)."""
    if program and os.access(program, os.X_OK):
        return
    message = f"{program or package} introuvable ({package})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} : obligatoire sous CI=true", pytrace=False)
    pytest.skip(f"{message} : {what} non vérifié")


# -- nginx -----------------------------------------------------------------------------------

NGINX_TEST_CONFIG = """\
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;

events {{
    worker_connections 64;
}}

http {{
    access_log off;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;

{body}
}}
"""


def nginx_t(tmp_path, body):
    """`nginx -t` on `body` inside an http block; fails with nginx's own words."""
    require(str(NGINX), "apt-get install nginx-light", "nginx -t")
    config = tmp_path / "nginx.conf"
    config.write_text(NGINX_TEST_CONFIG.format(dir=tmp_path, body=body))
    result = subprocess.run(
        [str(NGINX), "-t", "-p", str(tmp_path), "-c", str(config), "-e", str(tmp_path / "e.log")],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    said = result.stderr + result.stdout
    assert result.returncode == 0, f"nginx -t refuse la configuration :\n{said}"
    complaints = [line for line in said.splitlines() if "[warn]" in line or "[emerg]" in line]
    assert not complaints, "nginx -t a des avertissements :\n" + "\n".join(complaints)


def test_nginx_accepts_the_http_and_locations_files_as_they_are(tmp_path):
    nginx_t(
        tmp_path,
        f"include {HTTP_CONF};\n"
        f"server {{\n    listen 127.0.0.1:8080;\n    include {LOCATIONS_CONF};\n}}\n",
    )


def self_signed_certificate(directory):
    """(certificate, key) made by openssl, or None without it."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=le97.example", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


INCLUDE = re.compile(r"^(\s*include\s+)/etc/nginx/vendredi/([\w.-]+);", re.MULTILINE)
SSL_CERTIFICATE = re.compile(r"^(\s*ssl_certificate(?:_key)?\s+)\S+;", re.MULTILINE)


def test_nginx_accepts_the_example_site(tmp_path):
    """site.conf whole, its two includes pointing at deploy/nginx/; its certificate paths are
    swapped for a self-signed certificate made here (without openssl: its TLS lines are left
    out, and the rest is checked)."""
    site = SITE_CONF.read_text()
    included = INCLUDE.findall(site)
    assert sorted(name for _, name in included) == [HTTP_CONF.name, LOCATIONS_CONF.name]
    site = INCLUDE.sub(lambda m: f"{m.group(1)}{NGINX_DIR / m.group(2)};", site)
    assert len(SSL_CERTIFICATE.findall(site)) == 2, "ssl_certificate and ssl_certificate_key"
    made = self_signed_certificate(tmp_path)
    if made:
        cert, key = made
        site = SSL_CERTIFICATE.sub(
            lambda m: m.group(1) + (f"{key};" if "_key" in m.group(1) else f"{cert};"), site
        )
    else:
        site = SSL_CERTIFICATE.sub("", site).replace(" ssl;", ";")
    nginx_t(tmp_path, site)


def location_blocks(text):
    """{location arguments: [directive lines]} of a file's (or a commented example's) blocks."""
    blocks = {}
    for match in re.finditer(
        r"^\s*location\s+([^{]+?)\s*\{(.*?)^\s*\}", text, re.MULTILINE | re.DOTALL
    ):
        lines = [line.split("#")[0].strip() for line in match.group(2).splitlines()]
        blocks[match.group(1)] = [" ".join(line.split()) for line in lines if line]
    return blocks


def root_variant():
    """The commented example at the end of site.conf: Vendredi at the root of its own name."""
    tail = SITE_CONF.read_text().split("Servir Vendredi à la racine", 1)[1]
    lines = [re.sub(r"^\s*# ?", "", line) for line in tail.splitlines() if line.lstrip()[:1] == "#"]
    return "\n".join(line for line in lines if line.startswith(("location", " ", "}")))


def test_the_root_variant_in_site_conf_is_valid_and_matches_the_locations(tmp_path):
    """Serving at the root is the same proxying without the prefix: same directives as
    vendredi-locations.conf but X-Forwarded-Prefix, and nginx accepts it."""
    example = root_variant()
    at_root, under_prefix = location_blocks(example), location_blocks(LOCATIONS_CONF.read_text())
    assert set(at_root) == {"/socket.io/", "/"}, at_root
    for path, directives in at_root.items():
        prefixed = [d for d in under_prefix["/vendredi" + path] if "X-Forwarded-Prefix" not in d]
        assert directives == prefixed, path
    nginx_t(
        tmp_path, f"include {HTTP_CONF};\nserver {{\n    listen 127.0.0.1:8080;\n{example}\n}}\n"
    )


# -- systemd ---------------------------------------------------------------------------------


def parse_unit(path):
    """{section: [(key, value), …]} of a unit file; keys may repeat (After=, ExecStartPre=)."""
    sections, current = {}, None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
        else:
            assert current is not None, f"{path.name}: {line!r} before any section"
            key, sep, value = line.partition("=")
            assert sep, f"{path.name}: {line!r} is not key=value"
            current.append((key.strip(), value.strip()))
    return sections


def values(unit, section, key):
    return [v for k, v in unit.get(section, []) if k == key]


def one(unit, section, key):
    found = values(unit, section, key)
    assert len(found) == 1, f"[{section}] {key}= : {found}"
    return found[0]


def unit(name):
    return parse_unit(DEPLOY / name)


def services():
    return [path for path in UNITS if path.suffix == ".service"]


def test_every_unit_runs_as_vendredi_with_its_settings_and_hardened():
    assert {p.name for p in UNITS} >= {
        "vendredi.service",
        "vendredi@.service",
        "vendredi-remind.service",
        "vendredi-remind.timer",
    }
    for path in services():
        service = parse_unit(path)
        where = path.name
        assert one(service, "Service", "User") == "vendredi", where
        assert one(service, "Service", "WorkingDirectory") == APP_DIR, where
        assert one(service, "Service", "EnvironmentFile") == ENV_FILE, where
        assert one(service, "Service", "NoNewPrivileges") == "yes", where
        assert one(service, "Service", "ProtectSystem") == "strict", where
        assert one(service, "Service", "ReadWritePaths") == INSTANCE_DIR, where
        assert one(service, "Service", "PrivateTmp") == "yes", where
        for key in ("ExecStartPre", "ExecStart"):
            for command in values(service, "Service", key):
                program = shlex.split(command)[0]
                assert program.startswith(VENV_BIN + "/") or program == "/usr/bin/env", command


def test_one_process_migrates_then_serves_and_restarts_on_failure():
    service = unit("vendredi.service")
    assert one(service, "Service", "ExecStartPre") == f"{FLASK} db upgrade"
    assert one(service, "Service", "ExecStart") == f"{VENV_BIN}/vendredi-serve"
    assert one(service, "Service", "Restart") == "on-failure"
    assert one(service, "Install", "WantedBy") == "multi-user.target"


def test_several_processes_take_their_port_from_the_instance_and_migrate_once():
    instance = unit("vendredi@.service")
    command = shlex.split(one(instance, "Service", "ExecStart"))
    assert command == ["/usr/bin/env", "PORT=%i", f"{VENV_BIN}/vendredi-serve"]
    assert one(instance, "Service", "Restart") == "on-failure"
    # No migration per process (two would migrate the same database at once): one unit does.
    assert not values(instance, "Service", "ExecStartPre")
    assert "vendredi-migrate.service" in values(instance, "Unit", "Requires")
    assert "vendredi-migrate.service" in " ".join(values(instance, "Unit", "After")).split()
    migrate = unit("vendredi-migrate.service")
    assert one(migrate, "Service", "Type") == "oneshot"
    assert one(migrate, "Service", "RemainAfterExit") == "yes"
    assert one(migrate, "Service", "ExecStart") == f"{FLASK} db upgrade"


def test_background_jobs_are_timers_running_a_flask_command_once_per_installation():
    timers = [path for path in UNITS if path.suffix == ".timer"]
    assert timers
    for path in timers:
        timer = parse_unit(path)
        assert values(timer, "Timer", "OnCalendar"), path.name
        assert one(timer, "Timer", "Persistent") == "true", path.name
        assert one(timer, "Install", "WantedBy") == "timers.target", path.name
        job = unit(path.with_suffix(".service").name)
        assert one(job, "Service", "Type") == "oneshot", path.name
        assert one(job, "Service", "ExecStart").startswith(FLASK + " "), path.name
        assert not values(job, "Install", "WantedBy"), "started by its timer only"
    remind = one(unit("vendredi-remind.service"), "Service", "ExecStart")
    assert remind == f"{FLASK} remind-actions"


def test_the_commands_the_units_run_exist(app):
    for path in services():
        service = parse_unit(path)
        for key in ("ExecStartPre", "ExecStart"):
            for command in values(service, "Service", key):
                words = [w for w in shlex.split(command) if not w.startswith("PORT=")]
                words = words[1:] if words[0] == "/usr/bin/env" else words
                if words[0] == f"{VENV_BIN}/flask":
                    assert words[1:3] == ["--app", "wsgi"], command
                    assert_flask_command(app, words[3:])
                else:
                    assert_console_script(Path(words[0]).name)


def test_systemd_analyze_verify_accepts_the_units(tmp_path):
    """Run where systemd-analyze exists (without it the test above still reads the keys):
    copies of the units, with /srv/vendredi under tmp_path and stand-in programs there (verify
    checks that ExecStart= is executable). Unknown keys and bad values are only warnings for
    systemd: any line it says about our units fails the test."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip(
            "systemd-analyze introuvable : les clés des unités sont lues par les autres tests"
        )
    app_dir = tmp_path / "srv" / "vendredi"
    (app_dir / ".venv" / "bin").mkdir(parents=True)
    (app_dir / "instance").mkdir()
    for program in ("flask", "vendredi-serve"):
        stand_in = app_dir / ".venv" / "bin" / program
        stand_in.write_text("#!/bin/sh\nexit 0\n")
        stand_in.chmod(0o755)
    units = tmp_path / "units"
    units.mkdir()
    copies = []
    for path in UNITS:
        name = path.name.replace("@.", "@8001.")  # verify wants an instance of a template
        copy = units / name
        copy.write_text(path.read_text().replace(APP_DIR, str(app_dir)))
        copies.append(copy)
    result = subprocess.run(
        [analyze, "verify", *map(str, copies)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SYSTEMD_UNIT_PATH": f"{units}:"},
    )
    said = result.stderr + result.stdout
    ours = [line for line in said.splitlines() if "vendredi" in line]
    assert result.returncode == 0 and not ours, f"systemd-analyze verify :\n{said}"


# -- the settings template -------------------------------------------------------------------

# How the code reads a setting: `os.environ.get("NAME"`, `os.environ["NAME"]`, `os.getenv(…`,
# and `env.get("NAME"` (config.py and ops/serve.py name `os.environ` `env`). A WSGI environ is
# `environ` or `request.environ`, never matched.
READS = re.compile(
    r"""(?:\bos\.environ|\benv)(?:\.get\(|\[)\s*["']([A-Z][A-Z0-9_]*)["']"""
    r"""|\bos\.getenv\(\s*["']([A-Z][A-Z0-9_]*)["']"""
)
TEMPLATE_LINE = re.compile(r"^#?([A-Z][A-Z0-9_]*)=(.*)$")


def settings_the_app_reads():
    files = [ROOT / "wsgi.py", *sorted((ROOT / "meeting").rglob("*.py"))]
    names = {}
    for path in files:
        for match in READS.finditer(path.read_text(encoding="utf-8")):
            names.setdefault(match.group(1) or match.group(2), path.relative_to(ROOT))
    return names


def template_settings():
    """{NAME: value} of the template, set (`NAME=`) or shown with its default (`#NAME=`)."""
    found = {}
    for line in ENV_TEMPLATE.read_text(encoding="utf-8").splitlines():
        match = TEMPLATE_LINE.match(line)
        if match:
            assert match.group(1) not in found, f"{match.group(1)} twice in the template"
            found[match.group(1)] = match.group(2).strip("'\"")
    return found


def test_the_template_names_exactly_the_settings_the_app_reads():
    read, named = settings_the_app_reads(), template_settings()
    assert {"SECRET_KEY", "DATABASE_URL", "PROXY_COUNT", "INSTANCE_PATH", "PORT"} <= set(read)
    missing = {name: str(path) for name, path in read.items() if name not in named}
    assert not missing, f"read by the app, absent from {ENV_TEMPLATE.name}: {missing}"
    unknown = sorted(set(named) - set(read))
    assert not unknown, f"in {ENV_TEMPLATE.name}, read nowhere in meeting/ or wsgi.py: {unknown}"


def test_the_template_agrees_with_nginx_and_systemd():
    named = template_settings()
    upstream = re.search(r"^\s*server\s+([\d.]+):(\d+);", HTTP_CONF.read_text(), re.MULTILINE)
    assert (named["HOST"], named["PORT"]) == upstream.groups()
    assert named["INSTANCE_PATH"] == INSTANCE_DIR  # the one directory the units may write
    assert named["PROXY_COUNT"] == "1"  # nginx in front


def test_the_template_read_as_the_service_reads_it_gives_a_working_app(tmp_path):
    """deploy/vendredi-flask sources the template (with INSTANCE_PATH in tmp) and migrates a
    fresh SQLite database: the file parses in the shell, the wrapper runs, `db upgrade` works."""
    instance = tmp_path / "instance"
    env_file = tmp_path / "vendredi.env"
    env_file.write_text(ENV_TEMPLATE.read_text() + f"\nINSTANCE_PATH={instance}\n")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "VENDREDI_ENV": str(env_file)}
    result = subprocess.run(
        [str(WRAPPER), "db", "upgrade"],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(instance / "vendredi.sqlite3") as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchone()


# -- deploy/README.md: the commands it names exist ------------------------------------------


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def assert_console_script(name):
    scripts = pyproject()["project"].get("scripts", {})
    assert name in scripts, f"console script {name} absent from pyproject.toml"
    module, _, function = scripts[name].partition(":")
    source = ROOT / (module.replace(".", "/") + ".py")
    assert re.search(rf"^def {function}\(", source.read_text(), re.MULTILINE), scripts[name]


def assert_flask_command(app, words):
    """`flask --app wsgi WORDS…` names a command the app has (and a subcommand of a group)."""
    command = app.cli
    for word in words:
        if not isinstance(command, click.Group) or word.startswith("-"):
            break
        found = command.get_command(click.Context(command), word)
        assert found is not None, f"flask --app wsgi {' '.join(words)}: no command {word!r}"
        command = found
    assert not isinstance(command, click.Group), f"flask --app wsgi {' '.join(words)}: a group"


def makefile_targets():
    return set(re.findall(r"^([\w.-]+):", (ROOT / "Makefile").read_text(), re.MULTILINE))


def readme_blocks(language):
    return re.findall(rf"^```{language}\n(.*?)^```", README.read_text(), re.MULTILINE | re.DOTALL)


def shell_commands(block):
    """Each command of a ```sh block, as words (`&&`, `;`, `|` split; `sudo -u X` dropped)."""
    for line in block.replace("\\\n", " ").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        words = []
        for word in [*lexer, ";"]:
            if word in ("&&", ";", "|", "||"):
                if words:
                    yield words
                words = []
            else:
                words.append(word)


def without_sudo(words):
    if words[:1] == ["sudo"]:
        words = words[1:]
        if words[:1] == ["-u"]:
            words = words[2:]
    return words


def unit_file(name):
    """The deploy/ file behind a unit name as systemctl takes it (vendredi@8001 → template)."""
    name = name if name.endswith((".service", ".timer")) else name + ".service"
    name = re.sub(r"@[^.]*\.", "@.", name)
    return DEPLOY / name


def check_command(app, client, words):
    """One README command: what it names must exist."""
    for word in words:
        if word.startswith(("deploy/", f"{APP_DIR}/deploy/")):
            path = ROOT / word.removeprefix(f"{APP_DIR}/")
            assert path.exists(), f"{' '.join(words)}: {word} absent"
    program, args = words[0], words[1:]
    name = Path(program).name
    if program.endswith("deploy/vendredi-flask"):
        assert os.access(WRAPPER, os.X_OK), "deploy/vendredi-flask is not executable"
        assert_flask_command(app, args)
    elif program.startswith((".venv/bin/", f"{VENV_BIN}/")):
        if name == "flask":
            assert args[:2] == ["--app", "wsgi"], words
            assert_flask_command(app, args[2:])
        elif name == "pip":
            extras = re.fullmatch(r"\.\[([\w,-]+)\]", args[-1])
            assert args[:2] == ["install", "-e"] and extras, words
            for extra in extras.group(1).split(","):
                assert extra in pyproject()["project"]["optional-dependencies"], extra
        elif name == "pybabel":
            assert args[:2] == ["compile", "-d"], words
            assert list((ROOT / args[2]).glob("*/LC_MESSAGES/messages.po")), args[2]
        elif name != "python":
            assert_console_script(name)
    elif program == "make":
        for target in (a for a in args if not a.startswith("-") and "=" not in a):
            assert target in makefile_targets(), f"make {target}: no such target"
    elif program == "systemctl":
        for unit_name in (a for a in args if a.startswith("vendredi")):
            if unit_name == "vendredi@*":
                unit_name = "vendredi@.service"
            assert unit_file(unit_name).exists(), f"systemctl {' '.join(args)}: {unit_name}"
    elif program == "curl":
        for url in (a for a in args if "://" in a):
            path = re.sub(r"^https?://[^/]+", "", url).removeprefix("/vendredi")
            assert client.get(path).status_code == 200, url


def test_every_command_the_readme_names_exists(app, client):
    blocks = readme_blocks("sh")
    assert len(blocks) > 5
    settings = template_settings()
    checked = 0
    for block in blocks:
        for words in shell_commands(block):
            words = without_sudo(words)
            setting = TEMPLATE_LINE.match(" ".join(words))
            if setting:  # a line of the settings file
                assert setting.group(1) in settings, setting.group(1)
                continue
            check_command(app, client, words)
            checked += 1
    assert checked > 30


def test_the_readme_nginx_lines_are_those_of_the_kit():
    kit = {
        " ".join(line.split())
        for path in NGINX_DIR.glob("*.conf")
        for line in path.read_text().splitlines()
    }
    for block in readme_blocks("nginx"):
        for line in filter(None, (" ".join(line.split()) for line in block.splitlines())):
            assert line in kit, line


UPGRADE_STEPS = [
    ("pull", re.compile(r"^git pull\b")),
    ("install", re.compile(r"^\.venv/bin/pip install -e \.\[server\]$")),
    ("translations", re.compile(r"^\.venv/bin/pybabel compile -d meeting/translations$")),
    ("migrate", re.compile(r"db upgrade$|^systemctl restart vendredi-migrate$")),
    ("restart", re.compile(r"^systemctl restart vendredi")),
]


def test_the_upgrade_procedures_pull_install_translate_migrate_and_restart():
    """Every README block that pulls the code goes on to the end, in order."""
    procedures = [block for block in readme_blocks("sh") if "git pull" in block]
    assert len(procedures) == 2  # one process, several processes
    for block in procedures:
        lines = [" ".join(without_sudo(words)) for words in shell_commands(block)]
        position = 0  # a step may share its line with the next (restarting vendredi-migrate)
        for step, pattern in UPGRADE_STEPS:
            later = [i for i, line in enumerate(lines) if i >= position and pattern.search(line)]
            assert later, f"upgrade procedure without its {step} step after: {lines[position]}"
            position = later[0]
        assert any(line.startswith("curl") and "/healthz" in line for line in lines[position:])
