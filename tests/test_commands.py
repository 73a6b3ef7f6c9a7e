"""The command registry: how a form post becomes a command's typed fields, and what a door
refuses before anything runs."""

import pytest
from werkzeug.datastructures import MultiDict

from meeting import commands
from meeting.commands import COMMANDS, check_fields, exposed, form_values
from meeting.errors import ServiceError

SPEC = {
    "meeting_id": (int, True),
    "title": (str, True),
    "note": (str, False),
    "minutes": (int, False),
    "typing": (bool, False),
    "entry_id": (list[int], False),
    "options": (list, False),
}


def said(refused):
    return refused.value.message.replace("\u00a0", " ")


def test_a_form_post_is_read_as_typed_fields(app):
    form = MultiDict(
        [
            ("csrf_token", "x"),
            ("op", "add_agenda_item"),  # the page's own fields are left out
            ("meeting_id", " 12 "),
            ("title", "Divers"),
            ("note", ""),
            ("minutes", "5"),
            ("typing", "on"),
            ("entry_id", "3"),
            ("entry_id", "4"),
            ("options", "Lundi\n\n Mardi \n"),
        ]
    )
    assert form_values(SPEC, form) == {
        "meeting_id": 12,
        "title": "Divers",
        "minutes": 5,
        "typing": True,
        "entry_id": [3, 4],
        "options": ["Lundi", "Mardi"],
    }
    # a required text left out (an unticked radio) reaches the service as "", to be named there
    assert form_values(SPEC, MultiDict({"typing": "0", "entry_id": "7\n8"})) == {
        "title": "",
        "typing": False,
        "entry_id": [7, 8],
    }


def test_an_empty_required_text_reaches_the_service_an_empty_optional_field_is_absent(app):
    values = form_values(SPEC, MultiDict({"meeting_id": "1", "title": "", "minutes": "  "}))
    assert values == {"meeting_id": 1, "title": ""}
    assert check_fields(SPEC, values) == {"meeting_id": 1, "title": ""}


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            {"meeting_id": "douze", "title": "x"},
            "Le champ « Réunion » doit être un nombre entier.",
        ),
        (
            {"meeting_id": "1", "title": "x", "typing": "peut-être"},
            "Le champ « En train d’écrire » doit être oui ou non.",
        ),
        (
            {"meeting_id": "1", "title": "x", "entry_id": "3\ntrois"},
            "Le champ « Contribution » doit être une liste de nombres entiers.",
        ),
        ({"title": "x"}, "Le champ « Réunion » est obligatoire."),
    ],
)
def test_a_form_value_of_the_wrong_type_is_refused_in_french(app, form, message):
    with pytest.raises(ServiceError) as refused:
        check_fields(SPEC, form_values(SPEC, MultiDict(form)))
    assert said(refused) == message


def test_typed_lists_are_checked_on_the_socket_too(app):
    assert check_fields(SPEC, {"meeting_id": 1, "title": "x", "entry_id": [1, 2]})["entry_id"] == [
        1,
        2,
    ]
    for bad in ([1, "2"], [True], "1,2"):
        with pytest.raises(ServiceError) as refused:
            check_fields(SPEC, {"meeting_id": 1, "title": "x", "entry_id": bad})
        assert refused.value.code == "invalid_field"


def test_a_command_names_its_doors(app):
    with pytest.raises(ValueError):
        commands.command("pirate", allowed=lambda actor: True, doors=("mail",))
    with pytest.raises(ValueError):
        commands.command("pirate", allowed=lambda actor: True, doors=())
    assert "pirate" not in COMMANDS
    with pytest.raises(ValueError):  # one name, one command
        commands.command("advance_item", allowed=lambda actor: True)(lambda actor: None)
    assert COMMANDS["advance_item"].handler.__module__ == "meeting.live.events"
    # every door's commands come from the features' events modules, each through a known door
    assert set(exposed("socket")) | set(exposed("form")) == set(COMMANDS)
    assert all(cmd.doors <= commands.DOORS for cmd in COMMANDS.values())


def test_a_form_door_refuses_unknown_and_socket_only_commands(app):
    for name, message, code in (
        ("pirate", "Action inconnue.", "unknown_command"),
        (None, "Action inconnue.", "unknown_command"),
        ("join_live", "Cette action ne se fait pas par un formulaire.", "wrong_door"),
    ):
        with pytest.raises(ServiceError) as refused:
            commands.form_command(name)
        assert (said(refused), refused.value.code) == (message, code)
    assert commands.form_command("advance_item") is COMMANDS["advance_item"]
