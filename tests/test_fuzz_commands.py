"""Every registered command, through every door it allows, fed random and malformed payloads by
an admin (who may do nearly everything) and by a guest of the live Friday: wrong types, numbers
past 32 bits, negative ids, lone surrogates, NUL and other control characters, bidi overrides,
very long texts, nested objects, missing, extra and null fields, payloads that are not objects,
bodies that are not JSON or not UTF-8.

Whatever is sent, the answer is a well-formed success or refusal (a socket ack
`{"ok": …, "error", "message"}`; a form post a redirect or a 4xx page, never a 5xx; an API
answer JSON with a 2xx/4xx status), no ERROR record or traceback reaches the log, the same
socket answers a valid command afterwards, and no text stored anywhere (every text and JSON
column of every table) holds a NUL, a control character, a bidi override or a lone surrogate.

The commands are read from the registry, not listed here: a command added to it is fuzzed, and
one the fuzzer has no way to reach (no base payload, no form address) fails
`test_the_fuzzer_reaches_every_registered_command`. Payloads come from a generator seeded by the
door, the visitor and the command's name, so a run sends the same payloads every time."""

import json
import logging
import random
import re
from urllib.parse import quote

import pytest
from sqlalchemy import JSON, String, Text, select

from meeting import realtime
from meeting.commands import COMMANDS, form_values
from meeting.extensions import db
from meeting.prep import presence
from tests.conftest import csrf_token
from tests.test_permissions import (
    FORM_COMMANDS,
    SOCKET_COMMANDS,
    fill,
    visitor,  # noqa: F401  (the permission matrix's worlds: every kind of row, ids in `places`)
)

# How many payloads each command gets through each door, per visitor (a form post costs the
# most: a page is rendered for most answers).
TRIES = {
    ("socket", "admin"): 15,
    ("socket", "guest"): 4,
    ("form", "admin"): 6,
    ("form", "guest"): 2,
    ("api", "admin"): 12,
    ("api", "guest"): 2,
}
# Sent last: they end what the others need (the live Friday, the budget year, the sessions).
LAST = (
    "end_other_sessions",
    "close_budget_year",
    "validate_minutes",
    "close_meeting",
    "erase_member",
    "erase_my_account",
)
# Field names whose ids the world holds (`places` of the permission matrix's visitor).
PLACE_OF_FIELD = {
    "meeting_id": "live_meeting",
    "entry_id": "entry",
    "item_id": "item",
    "round_id": "round",
    "hand_id": "hand",
    "action_id": "action",
    "event_id": "event",
    "proposal_id": "proposal",
    "gift_id": "gift",
    "use_id": "use",
    "catalogue_item_id": "catalogue_item",
    "member_id": "target",
    "owner_id": "target",
    "offered_by_id": "target",
}
# What no stored text may hold: C0 controls but tab and newline (a CR is stored as LF), DEL,
# C1, the bidi overrides and isolates, and lone surrogates (`meeting/cleaning.py`).
GARBAGE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@pytest.fixture
def config_overrides(smtp_server):
    # The per-sender limits would answer most of the run `rate_limited` (tests/test_limits.py
    # tests them); mail goes to a real local server so that after-commit e-mail really runs.
    return {"RATELIMIT_ENABLED": False, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port}


def ordered_commands(places=None):
    """The registry's commands, those that end what others need last; with `places`, only those
    the fuzzer can reach (`test_the_fuzzer_reaches_every_registered_command` names the others)."""
    names = sorted(
        COMMANDS, key=lambda name: (name in LAST, LAST.index(name) if name in LAST else 0, name)
    )
    commands = [COMMANDS[name] for name in names]
    if places is None:
        return commands
    return [cmd for cmd in commands if base_payload(cmd, places) is not None]


# -- what the fuzzer sends --------------------------------------------------------------------------

NASTY_TEXTS = [
    "",
    " ",
    "\x00",
    "Four\x00à pain",
    "\x1b[31mrouge",
    "\x07\x08\x7f\x9b",
    "\ud800",
    "a\udfffb",
    "\u202eetirw",
    "\u2066isolé\u2069",
    "\ufeffBOM",
    "e\u0301\u0301\u0301",
    "\r\n\r",
    "\t",
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "'; DROP TABLE member; --",
    "%s%n%x",
    "{{ 7*7 }}",
    "../../../etc/passwd",
    "9" * 40,
    "-1",
    "1e400",
    "NaN",
    "2026-02-30",
    "9999-12-31",
    "0000-00-00",
    "1900-01-01T00:00:00",
    "25:61",
    "é" * 5000,
    "x" * 30_000,
    "🙂" * 1000,
    "null",
    "true",
]
PLAUSIBLE_TEXTS = [
    "topic",
    "need",
    "mood",
    "proposal",
    "up",
    "down",
    "next",
    "previous",
    "start",
    "pause",
    "add5",
    "met",
    "dropped",
    "for",
    "against",
    "abstain",
    "consent",
    "vote",
    "information",
    "accepted",
    "declined",
    "to_rework",
    "none",
    "house",
    "garden",
    "elsewhere",
    "public",
    "members",
    "weekly",
    "everyone",
    "mine",
    "scribe",
    "timekeeper",
    "facilitator",
    "present",
    "excused",
    "console",
    "screen",
    "phone",
    "on",
    "off",
    "12,50",
    "18:00",
    "2026-12-04",
    "Jardin partagé",
]
NASTY_INTS = [0, -1, -(2**31), 2**31 - 1, 2**31, -(2**31) - 1, 2**63, 10**30, -(10**30)]


class Payloads:
    """A seeded generator of one command's payloads, from a base payload that would pass."""

    def __init__(self, seed, cmd, base, places):
        self.rng = random.Random(seed)
        self.cmd, self.base, self.places = cmd, base, places
        self.ids = sorted({v for v in places.values() if isinstance(v, int)})

    def text(self):
        rng = self.rng
        roll = rng.random()
        if roll < 0.35:
            return rng.choice(NASTY_TEXTS)
        if roll < 0.55:
            return rng.choice(PLAUSIBLE_TEXTS)
        # Random code points from everywhere: controls, surrogates, bidi, combining, astral.
        pools = [
            (0, 0x20),
            (0x20, 0x7F),
            (0x7F, 0xA0),
            (0xA0, 0x2FF),
            (0x300, 0x36F),
            (0x200B, 0x206F),
            (0xD800, 0xDFFF),
            (0xE000, 0xF8FF),
            (0xFFF0, 0xFFFF),
            (0x1F300, 0x1F6FF),
            (0x10FFF0, 0x10FFFF),
        ]
        chars = []
        for _ in range(rng.randint(1, 40)):
            low, high = rng.choice(pools)
            chars.append(chr(rng.randint(low, high)))
        return "".join(chars)

    def number(self):
        rng = self.rng
        roll = rng.random()
        if roll < 0.4 and self.ids:
            return rng.choice(self.ids)
        if roll < 0.7:
            return rng.choice(NASTY_INTS)
        return rng.randint(-1000, 1000)

    def wrong(self, depth=0):
        """A value of no declared type, or a nested one."""
        rng = self.rng
        choices = ["none", "bool", "float", "dict", "list", "deep", "text", "number", "huge"]
        kind = rng.choice(choices if depth < 2 else choices[:3])
        if kind == "none":
            return None
        if kind == "bool":
            return rng.choice([True, False])
        if kind == "float":
            return rng.choice([0.5, -0.0, 1e308, -1e-308, 3.0, 2.0**31, 1.5e10])
        if kind == "dict":
            return {self.text(): self.wrong(depth + 1) for _ in range(rng.randint(0, 3))}
        if kind == "list":
            return [self.wrong(depth + 1) for _ in range(rng.randint(0, 4))]
        if kind == "deep":
            value = self.number()
            for _ in range(rng.randint(5, 60)):
                value = [value] if rng.random() < 0.5 else {"a": value}
            return value
        if kind == "text":
            return self.text()
        if kind == "huge":
            return 10 ** rng.randint(10, 400)
        return self.number()

    def value(self, kind):
        """A value for a field of `kind`: often of the right type, sometimes not."""
        rng = self.rng
        if rng.random() < 0.25:
            return self.wrong()
        kinds = kind if isinstance(kind, tuple) else (kind,)
        one = rng.choice(kinds)
        if one is int:
            return self.number()
        if one is str:
            return self.text()
        if one is bool:
            return rng.choice([True, False])
        # a list (typed or not)
        return [
            rng.choice([self.number, self.text, self.wrong])() for _ in range(rng.randint(0, 6))
        ]

    def payload(self):
        """A JSON payload: mostly the base one with some fields changed, dropped, nulled or
        added; sometimes not an object at all."""
        rng = self.rng
        if rng.random() < 0.08:
            return rng.choice([None, [], [self.base], "texte", 42, True, 1.5, [[[]]]])
        data = dict(self.base)
        for name, (kind, _required) in self.cmd.fields.items():
            roll = rng.random()
            if roll < 0.3:
                data[name] = self.value(kind)
            elif roll < 0.38:
                data.pop(name, None)
            elif roll < 0.43:
                data[name] = None
        if rng.random() < 0.2:
            data[rng.choice([self.text(), "op_id", "__proto__", "id", "actor"])] = self.wrong()
        if rng.random() < 0.15:
            data["op_id"] = rng.choice([self.text(), self.number(), "op-" + "x" * 300])
        return data

    def form(self):
        """A form post as (name, text) pairs, some values given twice, some fields invented;
        and raw bytes to append (percent-encoded bytes that are not UTF-8)."""
        rng = self.rng
        pairs = []
        for name, value in self.base.items():
            roll = rng.random()
            if roll < 0.35:
                text = self.text()
            elif roll < 0.45:
                continue
            else:
                text = value
            pairs.append((name, text))
            if rng.random() < 0.1:
                pairs.append((name, self.text()))  # the same field twice
        for name in self.cmd.fields:
            if name not in self.base and rng.random() < 0.3:
                pairs.append((name, rng.choice([self.text(), str(self.number())])))
        if rng.random() < 0.15:
            pairs.append((self.text(), self.text()))
        raw = ""
        if rng.random() < 0.25:
            name = rng.choice([*self.cmd.fields, "x"])
            raw = f"&{name}=" + rng.choice(["%ED%A0%80", "%FF%FE", "%C0%80", "%00", "%E2%80%AE"])
        return pairs, raw

    def body(self):
        """An API body (bytes): the payload as JSON, or bytes that are not what JSON says."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.1:
            return rng.choice(
                [
                    b"",
                    b"{",
                    b"NaN",
                    b"[1, 2]",
                    b'"texte"',
                    b"null",
                    b"\xff\xfe{}",
                    b'{"a": 1e400}',
                    b"[" * 5000 + b"]" * 5000,
                    b'{"title": "\\ud800"}',
                    b'{"meeting_id": 1, "meeting_id": "deux"}',
                ]
            )
        payload = self.payload()
        text = json.dumps(payload, ensure_ascii=True)  # a lone surrogate travels as \\ud800
        return text.encode()


# -- bases: a payload of each command that a door would take ------------------------------------


def base_payload(cmd, places):
    """The fields of a payload the command would take, with the world's ids, or None."""
    ids = {f"{{{key}}}": value for key, value in places.items()}
    if cmd.name in SOCKET_COMMANDS:
        payload = SOCKET_COMMANDS[cmd.name][0]
        return {k: ids.get(v, v) if isinstance(v, str) else v for k, v in payload.items()}
    if cmd.name not in FORM_COMMANDS:
        return None
    _path, data, _ = FORM_COMMANDS[cmd.name]
    typed = form_values(cmd.fields, fill(data, places))
    for name, (kind, required) in cmd.fields.items():
        if name not in typed and required and name in PLACE_OF_FIELD:
            typed[name] = places[PLACE_OF_FIELD[name]]
        if name not in typed and required and name == "year":
            typed[name] = 2020
    return {k: v for k, v in typed.items() if k in cmd.fields}


def form_base(cmd, places):
    """(address, form fields as texts) of the command's form, or None."""
    if cmd.name not in FORM_COMMANDS:
        return None
    path, data, _ = FORM_COMMANDS[cmd.name]
    fields = fill(data, places)
    if not path.endswith("/besoin"):  # the need buttons name their command in `action`
        fields = {"op": cmd.name, **fields}
    return path.format(**places), fields


# -- checks -----------------------------------------------------------------------------------------


def assert_ack(ack, what):
    assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), what
    if not ack["ok"]:
        assert isinstance(ack.get("error"), str) and ack["error"], what
        assert isinstance(ack.get("message"), str) and ack["message"].strip(), what
        assert ack["error"] != "server_error", what


def assert_quiet(caplog, what):
    loud = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not loud, f"{what}\n" + "\n".join(
        f"{r.levelname} {r.name}: {r.getMessage()}" for r in loud
    )


def stored_garbage():
    """Every stored text (text and JSON columns of every table) holding a NUL, a control
    character, a bidi override or a lone surrogate: [(table, column, value)]."""
    db.session.rollback()
    found = []

    def texts(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for key, item in value.items():
                yield from texts(key)
                yield from texts(item)
        elif isinstance(value, list):
            for item in value:
                yield from texts(item)

    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)).all():
            for column, value in zip(columns, row, strict=True):
                if any(GARBAGE.search(text) for text in texts(value)):
                    found.append((table.name, column.name, value))
    return found


def report(problems):
    return "\n".join(
        f"{door} {name} {sent!r:.300}\n    → {answer!r:.300}"
        for door, name, sent, answer in problems
    )


# -- the fuzzer reaches every command -------------------------------------------------------------


def test_the_fuzzer_reaches_every_registered_command(app, visitor):  # noqa: F811
    _client, places = visitor("admin", live=True)
    places = {k: v for k, v in places.items() if k != "join_code"}
    unreachable = []
    for cmd in ordered_commands():
        if base_payload(cmd, places) is None:
            unreachable.append(f"{cmd.name}: no base payload")
        if "form" in cmd.doors and form_base(cmd, places) is None:
            unreachable.append(f"{cmd.name}: no form address")
    assert not unreachable, "list it in the permission matrix: " + ", ".join(unreachable)
    assert len(COMMANDS) >= 70  # the registry is filled (the app declares its commands)


def test_the_scan_finds_a_control_character_written_past_the_doors(app, visitor):  # noqa: F811
    """The scan above is not blind: a text written straight to the database, past the doors'
    cleaning, with an ESC in it, is found."""
    from meeting.models import Entry

    _client, places = visitor("admin", live=True)
    assert stored_garbage() == []
    db.session.get(Entry, places["entry"]).body = "Four\x1bà pain"
    db.session.commit()
    found = {(table, column) for table, column, _ in stored_garbage()}
    assert ("entry", "body") in found  # and its copy in the search index, where there is one
    assert found <= {("entry", "body"), ("search_document", "body")}, found


# -- socket ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "guest"])
def test_random_payloads_over_the_socket(app, visitor, socket_for, caplog, monkeypatch, role):  # noqa: F811
    caplog.set_level(logging.INFO)
    # "En train d’écrire" lasts 6 s: shortened so that its coalesced fact is sent (and checked)
    # within the test, not after it.
    monkeypatch.setattr(presence, "TYPING_SECONDS", 0.1)
    client, places = visitor(role, live=True)
    places = {k: v for k, v in places.items() if k != "join_code"}
    sock = socket_for(client)
    check = ("join_live", {"meeting_id": places["live_meeting"]})
    problems, answers = [], {}
    for cmd in ordered_commands(places):
        if "socket" not in cmd.doors:
            continue
        gen = Payloads(f"socket-{role}-{cmd.name}", cmd, base_payload(cmd, places), places)
        for _ in range(TRIES["socket", role]):
            sent = gen.payload()
            ack = sock.command(cmd.name, sent)
            try:
                assert_ack(ack, ack)
            except AssertionError:
                problems.append(("socket", cmd.name, sent, ack))
            else:
                answers[ack.get("error", "ok")] = answers.get(ack.get("error", "ok"), 0) + 1
        # A command is one object: sent with more arguments, it is refused as malformed.
        ack = sock.send_raw(cmd.name, gen.payload(), gen.wrong())
        if not (isinstance(ack, dict) and ack.get("error") == "malformed" and ack["message"]):
            problems.append(("socket", f"{cmd.name} with two arguments", None, ack))
        # The same connection still answers a valid command.
        ack = sock.command(*check)
        if not (sock.connected and ack.get("ok") is True):
            problems.append(("socket", f"{check[0]} after {cmd.name}", check[1], ack))
    sock.disconnect()
    assert realtime.wait_for_soon_facts(), "a coalesced fact is still being built"
    assert not problems, report(problems)
    assert_quiet(caplog, "socket")
    assert answers.get("ok", 0) > 0 and len(answers) > 5, answers  # it reached the services
    assert stored_garbage() == []


# -- forms ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "guest"])
def test_random_form_posts(app, visitor, caplog, role):  # noqa: F811
    caplog.set_level(logging.INFO)
    client, places = visitor(role, live=True)
    places = {k: v for k, v in places.items() if k != "join_code"}
    token = csrf_token(client)
    problems, statuses = [], {}
    for cmd in ordered_commands(places):
        if "form" not in cmd.doors or form_base(cmd, places) is None:
            continue
        url, fields = form_base(cmd, places)
        gen = Payloads(f"form-{role}-{cmd.name}", cmd, fields, places)
        for _ in range(TRIES["form", role]):
            pairs, raw = gen.form()
            body = "&".join(
                f"{quote(str(k), safe='', errors='surrogatepass')}="
                f"{quote(str(v), safe='', errors='surrogatepass')}"
                for k, v in [("csrf_token", token), *pairs]
            )
            response = client.post(
                url, data=body + raw, content_type="application/x-www-form-urlencoded"
            )
            status = response.status_code
            response.close()
            statuses[status] = statuses.get(status, 0) + 1
            location = response.headers.get("Location", "")
            if status >= 500 or status not in (200, 302, 303, 400, 403, 404, 409, 413, 429):
                problems.append(("form", cmd.name, (url, pairs, raw), status))
            elif status in (302, 303) and not location.startswith("/"):
                problems.append(("form", cmd.name, (url, pairs, raw), location))
    # The browser's session still opens its pages.
    assert client.get("/").status_code == 200
    assert not problems, report(problems)
    assert_quiet(caplog, "form")
    assert stored_garbage() == []
    assert len(statuses) > 1, statuses


# -- the JSON API -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "guest"])
def test_random_api_bodies(app, visitor, caplog, role):  # noqa: F811
    caplog.set_level(logging.INFO)
    client, places = visitor(role, live=True)
    places = {k: v for k, v in places.items() if k != "join_code"}
    headers = {"X-CSRFToken": csrf_token(client), "Content-Type": "application/json"}
    problems, answers = [], {}
    for cmd in ordered_commands(places):
        if "api" not in cmd.doors:
            continue
        gen = Payloads(f"api-{role}-{cmd.name}", cmd, base_payload(cmd, places), places)
        for _ in range(TRIES["api", role]):
            body = gen.body()
            response = client.post(f"/api/v1/commands/{cmd.name}", data=body, headers=headers)
            status = response.status_code
            try:
                answer = response.get_json()
            except Exception:  # noqa: BLE001 (reported below)
                answer = None
            response.close()
            if (
                status not in (200, 400, 401, 403, 404, 409, 413, 429)
                or not isinstance(answer, dict)
                or answer.get("ok") is not (status == 200)
            ):
                problems.append(("api", cmd.name, body, (status, answer)))
                continue
            try:
                assert_ack(answer, answer)
            except AssertionError:
                problems.append(("api", cmd.name, body, (status, answer)))
            key = answer.get("error", "ok")
            answers[key] = answers.get(key, 0) + 1
    assert not problems, report(problems)
    assert_quiet(caplog, "api")
    assert stored_garbage() == []
    if role == "admin":  # it reached the services (a guest may send no API command at all)
        assert answers.get("ok", 0) > 0 and len(answers) > 3, answers
    else:
        assert set(answers) == {"forbidden"}, answers
