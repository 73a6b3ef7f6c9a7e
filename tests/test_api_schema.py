"""The OpenAPI document `/api/openapi.json`: valid OpenAPI 3.1, true to the routes and to the
command registry, and checked against the running app by schemathesis (no 500; every status,
content type and body as the document says), bounded so that it takes seconds."""

import re
from datetime import date, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from meeting.api import tokens
from meeting.calendar import services as calendar
from meeting.commands import API_INT_MAX, COMMANDS, exposed, json_schema
from meeting.decisions import services as decisions
from meeting.extensions import db
from meeting.live import services as agenda
from meeting.meetings import dates
from meeting.prep import services as prep
from tests.conftest import end_test_transaction, isolated

COMMANDS_RULE = "api.v1.commands.run"
EXAMPLES = 6  # per operation and generation mode: ~450 requests in all


def document(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.content_type == "application/json"
    return response.get_json()


def routed_operations(app):
    """(OpenAPI path, method) of every rule under /api/v1/ (the commands' rule: one path per
    command of the API door)."""
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        if rule.endpoint == COMMANDS_RULE:
            found |= {(f"/api/v1/commands/{name}", "post") for name in exposed("api")}
            continue
        path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule)
        found |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def test_the_document_lists_every_api_route_and_nothing_else(app, client):
    doc = document(client)
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    assert documented == routed_operations(app)
    assert len(documented) > len(exposed("api")) > 20


def test_every_command_of_the_api_door_is_documented_from_its_fields(app, client):
    doc = document(client)
    commands_ = {
        op["operationId"]: op
        for ops in doc["paths"].values()
        for op in ops.values()
        if op["tags"] == ["commands"]
    }
    assert set(commands_) == set(exposed("api"))
    for name, op in commands_.items():
        body = op["requestBody"]["content"]["application/json"]["schema"]
        assert body == json_schema(COMMANDS[name].fields), name
        assert set(body["properties"]) == set(COMMANDS[name].fields)
        assert op["security"] == [{"jeton": []}, {"session": [], "csrf": []}]
        assert {"200", "400", "401", "403", "404", "409"} <= set(op["responses"])
    add_entry = commands_["add_entry"]["requestBody"]["content"]["application/json"]["schema"]
    assert add_entry["required"] == ["kind", "body"] and add_entry["additionalProperties"] is False
    assert add_entry["properties"]["meeting_id"] == {
        "title": "Réunion",
        "type": ["integer", "null"],
        "minimum": -(2**31),
        "maximum": API_INT_MAX,
    }
    assert add_entry["properties"]["kind"]["type"] == "string"


def test_every_read_route_declares_its_answer(client):
    doc = document(client)
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            ok = op["responses"]["200"]["content"]["application/json"]["schema"]
            assert ok["properties"]["ok"] == {"const": True}, (path, method)
            assert op["responses"]["401"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"
            }
    public = {
        path
        for path, ops in doc["paths"].items()
        if {} in ops.get("get", {"security": []})["security"]
    }
    assert public == {
        "/api/v1/meetings",
        "/api/v1/meetings/{day}",
        "/api/v1/meetings/{day}/agenda",
        "/api/v1/decisions",
        "/api/v1/decisions/{number}",
        "/api/v1/events",
        "/api/v1/events/{event_id}",
    }


def test_the_document_is_valid_openapi_3_1_in_french(app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    schema.validate()  # against the OpenAPI 3.1 meta-schema
    assert schema.raw_schema["openapi"] == "3.1.0"
    assert "jeton personnel" in schema.raw_schema["info"]["description"]


# -- schemathesis against the app --------------------------------------------------------------


@pytest.fixture
def busy_place(app, make_member, live_friday):
    """A facilitator's token, and rows for the generated requests to meet: a live Friday with
    its document and agenda, a decision with an action of the facilitator, two events."""
    camille = make_member(role="facilitator", name="Camille")
    theo = make_member(name="Théo")
    friday = live_friday(camille, ["Chauffage", "Jardin"], author=theo)
    mid = friday.meeting.id
    prep.add_entry(theo, mid, "need", "Savon", "Du savon noir")
    prep.add_entry(camille, mid, "mood", None, "Contente.")
    db.session.refresh(friday.meeting)
    agenda.advance(camille, mid, friday.meeting.live_revision)
    decision = decisions.record_decision(camille, mid, "On chauffe.", "information")
    due = (dates.today_in_place() + timedelta(days=3)).isoformat()
    decisions.add_action(camille, mid, "Appeler le chauffagiste", camille.id, due, decision.id)
    for n, visibility in enumerate(("public", "members")):
        calendar.create_event(
            camille,
            {
                "title": f"Événement {n}",
                "start_date": (date.today() + timedelta(days=10 + n)).isoformat(),
                "start_time": "18:30",
                "end_time": "20:00",
                "place": "house",
                "visibility": visibility,
                "repeat": "weekly" if n else "",
            },
        )
    return tokens.create_token(camille, "schemathesis")[1]


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def exercise(operation, mode, token):
    """Send EXAMPLES generated requests to one operation; return the failures' reports."""
    failures = []
    checks = [*CHECKS, negative_data_rejection] if mode is GenerationMode.NEGATIVE else CHECKS

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        end_test_transaction()
        # Each request in its own contexts, as a real one (see conftest.isolated).
        response = isolated(case.call, headers={"Authorization": f"Bearer {token}"})
        try:
            case.validate_response(response, checks=checks)
        except AssertionError as failure:
            failures.append(f"{operation.label} ({mode.value}): {failure}")

    run()
    return failures


def test_schemathesis_finds_no_error_and_every_answer_as_documented(app, busy_place):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += exercise(operation, mode, busy_place)
    assert operations == len(routed_operations(app))
    assert not failures, "\n\n".join(failures[:5])
