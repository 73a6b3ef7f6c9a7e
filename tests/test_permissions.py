"""The permission matrix: every route and every socket command, for every kind of visitor.

Adding a route or a command without listing it here makes `test_matrix_lists_every_route`
or `test_matrix_lists_every_command` fail.
"""

import pytest

from meeting.live import COMMANDS
from tests.conftest import post_form, sign_in

ROLES = ("anonymous", "member", "facilitator", "admin")

# endpoint -> list of (method, path, form data, expected status per role in ROLES order).
# `{target}` is a member other than the visitor; `{static}` a real static file.
ROUTES = {
    "prep.home": [("GET", "/", None, (200, 200, 200, 200))],
    "members.sign_in": [
        ("GET", "/connexion", None, (200, 302, 302, 302)),
        ("POST", "/connexion", {"email": "x@y.fr", "password": "faux"}, (400, 400, 400, 400)),
    ],
    "members.request_magic_link": [
        ("POST", "/connexion/lien", {"email": "x@y.fr"}, (200, 200, 200, 200)),
    ],
    "members.magic_link": [
        ("GET", "/connexion/lien/faux-jeton", None, (404, 404, 404, 404)),
        ("POST", "/connexion/lien/faux-jeton", {}, (404, 404, 404, 404)),
    ],
    "members.sign_out": [
        ("GET", "/deconnexion", None, (302, 200, 200, 200)),
        ("POST", "/deconnexion", {}, (302, 302, 302, 302)),
    ],
    "members.first_run": [
        ("GET", "/installation", None, (302, 302, 302, 302)),
        ("POST", "/installation", {"display_name": "X", "email": "x@y.fr", "password": "12345678"},
         (302, 302, 302, 302)),
    ],
    "members.accept_invitation": [
        ("GET", "/invitation/faux-jeton", None, (404, 404, 404, 404)),
        ("POST", "/invitation/faux-jeton", {}, (404, 404, 404, 404)),
    ],
    "members.profile": [
        ("GET", "/profil", None, (302, 200, 200, 200)),
        ("POST", "/profil", {"display_name": ""}, (302, 400, 400, 400)),
    ],
    "members.change_password": [
        ("POST", "/profil/mot-de-passe", {}, (302, 400, 400, 400)),
    ],
    "members.set_language": [("POST", "/langue", {"lang": "fr"}, (302, 302, 302, 302))],
    "members.admin": [("GET", "/admin/membres", None, (302, 403, 403, 200))],
    "members.invite": [("POST", "/admin/membres/inviter", {"role": "member"}, (302, 403, 403, 200))],
    "members.change_role": [
        ("POST", "/admin/membres/{target}/role", {"role": "member"}, (302, 403, 403, 302)),
    ],
    "members.deactivate": [
        ("POST", "/admin/membres/{target}/desactiver", {}, (302, 403, 403, 302)),
    ],
    "members.reactivate": [
        ("POST", "/admin/membres/{target}/reactiver", {}, (302, 403, 403, 302)),
    ],
    "traces.index": [("GET", "/traces/", None, (302, 200, 200, 200))],
    "static": [("GET", "/static/css/main.css", None, (200, 200, 200, 200))],
}

# command -> (payload, expected `ok` or error code per role in ROLES order)
SOCKET_COMMANDS = {
    "sync_traces": ({"after": 0}, ("not_signed_in", True, True, True)),
}


def test_matrix_lists_every_route(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(ROUTES), "list the new route in ROUTES with its expected answers"
    for rule in app.url_map.iter_rules():
        listed = {method for method, *_ in ROUTES[rule.endpoint]}
        assert rule.methods - {"HEAD", "OPTIONS"} == listed, f"list every method of {rule}"


def test_matrix_lists_every_command():
    assert set(COMMANDS) == set(SOCKET_COMMANDS), "list the new command in SOCKET_COMMANDS"


@pytest.fixture
def config_overrides(smtp_server):
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port}


@pytest.fixture
def visitor(app, make_member):
    """Factory: a client for a role ('anonymous' or a member role) and a target member."""

    def make(role):
        make_member(role="admin", name="Admin de référence")  # the site is installed
        target = make_member(role="member", name="Cible")
        client = app.test_client()
        if role != "anonymous":
            sign_in(client, make_member(role=role))
        return client, target

    return make


CASES = [
    (endpoint, method, path, data, role, expected[ROLES.index(role)])
    for endpoint, entries in ROUTES.items()
    for method, path, data, expected in entries
    for role in ROLES
]


@pytest.mark.parametrize(("endpoint", "method", "path", "data", "role", "expected"), CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[4]}" for c in CASES])
def test_route_answers(visitor, endpoint, method, path, data, role, expected, smtp_server):
    client, target = visitor(role)
    url = path.format(target=target.id)
    if method == "GET":
        response = client.get(url)
    else:
        response = post_form(client, url, data)
    response.close()
    assert response.status_code == expected, response.get_data(as_text=True)[:300]
    if expected == 403:
        assert "Vous n’avez pas le droit de voir cette page" in response.get_data(as_text=True)
    if expected == 302 and role == "anonymous" and method == "GET" and endpoint != "members.first_run":
        assert "/connexion" in response.headers["Location"]


COMMAND_CASES = [
    (name, payload, role, expected[ROLES.index(role)])
    for name, (payload, expected) in SOCKET_COMMANDS.items()
    for role in ROLES
]


@pytest.mark.parametrize(("name", "payload", "role", "expected"), COMMAND_CASES,
                         ids=[f"{c[0]}-{c[2]}" for c in COMMAND_CASES])
def test_command_answers(visitor, socket_for, name, payload, role, expected):
    client, _target = visitor(role)
    ack = socket_for(client if role != "anonymous" else None).command(name, payload)
    if expected is True:
        assert ack["ok"] is True, ack
    else:
        assert ack["ok"] is False and ack["error"] == expected, ack
        assert ack["message"]
