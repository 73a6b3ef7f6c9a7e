"""The doors refuse what is not theirs: a form naming no command, a socket command posted as a
form, a form command sent over the socket. Nothing changes.

The permission matrix itself (every route, command, door and API operation for every kind of
visitor, and what each of them reads and hears) is `tests/test_permission_matrix.py`; this
module also offers its tables seen by the five visitors `tests/test_api.py` knows (`ROLES`,
`SOCKET_COMMANDS`, `FORM_COMMANDS`, the `visitor` fixture).
"""

from datetime import date, timedelta

import pytest

from meeting.commands import COMMANDS, form_values
from tests import test_permission_matrix as matrix
from tests.conftest import post_form
from tests.test_permission_matrix import (  # noqa: F401  (the matrix's settings and world)
    DONE,
    PAGE_REFUSED,
    SIGN_IN,
    config_overrides,
    plain,
    world,
)

# The visitors of tests/test_api.py's door matrix, in its order.
ROLES = ("anonymous", "member", "facilitator", "admin", "guest")
LIVE = "/vendredi/{live_day}/"


def _for_five(outcomes):
    return tuple(outcomes[matrix.ROLES.index(role)] for role in ROLES)


SOCKET_COMMANDS = {
    name: (payload, _for_five(outcomes))
    for name, (payload, outcomes) in matrix.SOCKET_COMMANDS.items()
}
FORM_COMMANDS = {
    name: (path, data, _for_five(outcomes))
    for name, (path, data, outcomes) in matrix.FORM_COMMANDS.items()
}
LIVE_COMMANDS = {
    name
    for name, (payload, _) in SOCKET_COMMANDS.items()
    if any(
        isinstance(v, str) and v in ("{live_meeting}", "{round}", "{item}")
        for v in payload.values()
    )
}


def expected_for(expected, role):
    return expected[ROLES.index(role)]


def command_expected(expected, role):
    return expected_for(expected, role)


def fill(data, places):
    return {key: value.format(**places) for key, value in data.items()}


def state():
    """What a visitor could notice has changed: traces, the Fridays and their revisions, the
    document, hands and answers."""
    from sqlalchemy import func, select

    from meeting.extensions import db
    from meeting.models import Entry, HandRaise, Meeting, RoundAnswer, Trace

    db.session.rollback()
    counts = [
        db.session.scalar(select(func.count(model.id)))
        for model in (Trace, Meeting, Entry, HandRaise, RoundAnswer)
    ]
    revisions = db.session.scalar(select(func.sum(Meeting.live_revision + Meeting.agenda_revision)))
    return (*counts, revisions)


@pytest.fixture
def visitor(app, make_member, live_friday):
    """Factory: `visitor(role)` is (a browser of that role in the matrix's world, the world's
    ids). `live` is accepted for the older callers: the world always has a live Friday."""
    built = matrix.World(app, matrix.built_world(app, make_member, live_friday))

    def make(role, live=False):
        return built.client(role), built.places(role)

    return make


def landing(client, response):
    """The page a visitor sees after a post: the page it redirects to, or the answer itself."""
    if response.status_code in (302, 303):
        return plain(client.get(response.headers["Location"]).get_data(as_text=True))
    return plain(response.get_data(as_text=True))


# -- bad input at the doors --------------------------------------------------------------------


@pytest.mark.parametrize("op", ["pirate", "", "__init__"])
def test_a_form_naming_no_command_is_refused_and_changes_nothing(world, op):  # noqa: F811
    client, places = world.client("facilitator"), world.places("facilitator")
    # a Friday with no row yet: even the first change's row is not made
    day = (date.fromisoformat(places["live_day"]) + timedelta(days=14)).isoformat()
    for url in (f"/vendredi/{day}/animation", f"/vendredi/{places['live_day']}/direct"):
        response = post_form(client, url, {"op": op} if op else {})
        assert response.status_code == 303
        assert "Action inconnue." in landing(client, response)
        assert not world.settle()


def test_a_socket_command_posted_as_a_form_is_refused(world):  # noqa: F811
    places, refused = world.places("facilitator"), []
    for name in sorted(set(SOCKET_COMMANDS) - set(FORM_COMMANDS)):
        payload, _expected = SOCKET_COMMANDS[name]
        data = matrix.as_form(matrix.fill(payload, places))
        response = world.post(
            "facilitator", f"/vendredi/{places['live_day']}/animation", {"op": name, **data}
        )
        page = landing(world.browser("facilitator"), response)
        if response.status_code == 303 and "Cette action ne se fait pas par un formulaire." in page:
            refused.append(name)
        assert not world.settle(), name
    assert refused == sorted(set(SOCKET_COMMANDS) - set(FORM_COMMANDS))


def test_a_form_command_sent_over_the_socket_is_refused(world):  # noqa: F811
    places = world.places("facilitator")
    page = world.socket("facilitator")
    for name in sorted(set(FORM_COMMANDS) - set(SOCKET_COMMANDS)):
        path, data, _expected = FORM_COMMANDS[name]
        # The payload the command would run with, typed as its form door reads it.
        payload = form_values(COMMANDS[name].fields, fill(data, places))
        if "meeting_id" in COMMANDS[name].fields:
            payload["meeting_id"] = places["live_meeting" if LIVE in path else "meeting"]
        ack = page.command(name, payload)
        assert (ack["ok"], ack["error"], plain(ack["message"])) == (
            False,
            "wrong_door",
            (
                "Cette action ne s’envoie pas par la connexion en direct : utilisez le "
                "formulaire de la page."
            ),
        ), name
        assert not world.settle(), name
    page.disconnect()
