"""The pipeline's steps after the commit: publishing and after-commit work never undo a change."""

import logging

import pytest

from meeting.errors import Conflict
from meeting.extensions import db
from meeting.live import services as agenda
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.models import Entry, Member
from meeting.pipeline import already_applied, change
from meeting.prep import services as prep


def test_after_commit_work_runs_once_the_change_is_committed(make_member):
    member = make_member(name="Inès")
    seen = []

    def work(member_id):
        # a fresh read sees the committed name: the work runs after the commit
        db.session.rollback()
        seen.append(db.session.get(Member, member_id).display_name)

    with change() as c:
        db.session.get(Member, member.id).display_name = "Inès B."
        c.after_commit(work, member.id)
        assert seen == []
    assert seen == ["Inès B."]


def test_after_commit_work_that_fails_is_logged_and_keeps_the_change(make_member, caplog):
    member = make_member(name="Inès")

    def broken():
        raise RuntimeError("le serveur de courriel ne répond pas")

    with caplog.at_level(logging.ERROR), change() as c:
        db.session.get(Member, member.id).display_name = "Inès B."
        c.after_commit(broken)
    db.session.rollback()
    assert db.session.get(Member, member.id).display_name == "Inès B."
    assert "after-commit work broken failed" in caplog.text


def test_nothing_is_published_nor_run_when_the_change_fails(make_member):
    member = make_member(name="Inès")
    ran = []
    with pytest.raises(RuntimeError), change() as c:
        db.session.get(Member, member.id).display_name = "Autre"
        c.publish("member_renamed", lambda: ran.append("fact") or {}, room="members")
        c.after_commit(ran.append, "work")
        raise RuntimeError("validation ratée")
    db.session.rollback()
    assert db.session.get(Member, member.id).display_name == "Inès"
    assert ran == []


def test_a_fragment_that_raises_after_the_commit_keeps_the_change_and_resyncs_its_pages(
    app, client_as, socket_for, monkeypatch, caplog
):
    """The sender gets its ok, the entry is stored, the error is logged, other pages resync."""
    writer_http, _writer = client_as(name="Théo")
    reader_http, _reader = client_as(name="Inès")
    meeting = meetings.ensure_meeting(dates.next_meeting_date())
    writer, reader = socket_for(writer_http), socket_for(reader_http)
    for sock in (writer, reader):
        assert sock.command("join_document", {"meeting_id": meeting.id})["ok"]
    reader.facts()

    def broken_fact(entry_id):
        raise RuntimeError("gabarit cassé")

    monkeypatch.setattr(prep, "entry_fact", broken_fact)
    with caplog.at_level(logging.ERROR):
        ack = writer.command(
            "add_entry",
            {
                "meeting_id": meeting.id,
                "kind": "topic",
                "title": "Chauffage",
                "body": "Qui appelle ?",
            },
        )
    assert ack["ok"] is True, ack
    db.session.rollback()
    assert db.session.get(Entry, ack["entry_id"]).title == "Chauffage"
    assert "failed after the commit" in caplog.text
    assert [f["args"][0] for f in reader.facts("resync")] == [{"reason": "render_failed"}]
    assert reader.facts("entry_added") == []


def test_a_live_fragment_that_raises_keeps_the_advance(
    app, client_as, socket_for, monkeypatch, live_friday
):
    http, camille = client_as("facilitator", name="Camille")
    meeting = live_friday(camille, [("Jardin", "Le potager.")], author=camille).meeting
    console = socket_for(http)
    assert console.command("join_live", {"meeting_id": meeting.id, "view": "console"})["ok"]
    console.facts()
    from meeting.live import state

    def broken(*args, **kwargs):
        raise RuntimeError("gabarit cassé")

    monkeypatch.setattr(state, "live_facts", broken)
    db.session.refresh(meeting)
    ack = console.command(
        "advance_item", {"meeting_id": meeting.id, "live_revision": meeting.live_revision}
    )
    assert ack["ok"] is True, ack
    db.session.rollback()
    assert agenda.current_item(meeting.id).title == "Jardin"
    assert console.facts("resync")


def test_an_operation_id_reused_for_another_command_is_refused(make_member):
    member = make_member(name="Théo")
    meeting = meetings.ensure_meeting(dates.next_meeting_date())
    entry = prep.add_entry(
        member, meeting.id, "topic", "Jardin", "Le potager.", op_id="op-theo-0001"
    )
    again = prep.add_entry(
        member, meeting.id, "topic", "Jardin", "Le potager.", op_id="op-theo-0001"
    )
    assert again.id == entry.id  # resent: applied once
    with pytest.raises(Conflict) as refused:
        already_applied(member, "op-theo-0001", "edit_entry")
    assert refused.value.code == "op_id_reused"
    with pytest.raises(Conflict):
        prep.edit_entry(
            member, entry.id, entry.revision, "Jardin", "Autre texte", op_id="op-theo-0001"
        )
    db.session.rollback()
    assert db.session.get(Entry, entry.id).body == "Le potager."
