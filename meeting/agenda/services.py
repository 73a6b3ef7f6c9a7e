"""Friday live services: agenda, roles, attendance, the live state (current item, timer,
hands, rounds), guests. Each goes permission → validation → change + trace → commit → publish;
live facts go to `meeting:<id>` with the fragments of every view (console, screen, phone).
"""

import secrets
import threading
from datetime import datetime, timedelta

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import permissions
from ..extensions import db, socketio
from ..i18n import _, _l, french, long_date
from ..live import NAMESPACE, meeting_room
from ..models import (
    CONSENT_ANSWERS,
    DAY_ROLES,
    ROUND_KINDS,
    Action,
    AgendaItem,
    Attendance,
    Decision,
    Entry,
    HandRaise,
    Meeting,
    MeetingRole,
    Member,
    ProposalStatusChange,
    Round,
    RoundAnswer,
)
from ..models.base import utcnow
from ..pipeline import Conflict, NotFound, ServiceError, change, require
from ..prep import services as prep
from .participants import attendance_of

DEFAULT_TIMEBOX = 10
MAX_TIMEBOX = 180
JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
JOIN_CODE_LENGTH = 6
VIEWS = ("console", "screen", "phone")

ROLE_LABELS = {
    "facilitator": _l("Facilitation"),
    "scribe": _l("Secrétaire"),
    "timekeeper": _l("Gardien·ne du temps"),
}
ITEM_STATUS_LABELS = {
    "pending": _l("à venir"),
    "current": _l("en cours"),
    "done": _l("traité"),
    "postponed": _l("reporté"),
}
ITEM_KIND_LABELS = {
    "checkin": _l("Tour d’inclusion"),
    "carried": _l("Reporté de la semaine dernière"),
    "review": _l("Décision à revoir"),
    "topic": _l("Point à discuter"),
    "proposal": _l("Proposition d’événement"),
    "need": _l("Besoin"),
    "other": _l("Point"),
}
ANSWER_LABELS = {"for": _l("Pour"), "abstain": _l("Abstention"), "object": _l("Objection")}
ENTRY_TO_ITEM = {"topic": "topic", "need": "need", "proposal": "proposal"}


# -- reading -----------------------------------------------------------------------------------


def get_meeting(meeting_id):
    return prep.get_meeting(meeting_id)


def agenda_items(meeting_id):
    return db.session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
        .options(selectinload(AgendaItem.source_entry).selectinload(Entry.author),
                 selectinload(AgendaItem.source_proposal))
        .order_by(AgendaItem.position, AgendaItem.id)
    ).all()


def current_item(meeting_id):
    return db.session.scalar(select(AgendaItem).where(
        AgendaItem.meeting_id == meeting_id, AgendaItem.status == "current"))


def open_round(meeting_id):
    return db.session.scalar(select(Round).where(
        Round.meeting_id == meeting_id, Round.closed_at.is_(None)).order_by(Round.id.desc()))


def last_round(meeting_id):
    return db.session.scalar(select(Round).where(Round.meeting_id == meeting_id)
                             .order_by(Round.id.desc()))


def speaker_queue(meeting_id):
    return db.session.scalars(
        select(HandRaise).where(HandRaise.meeting_id == meeting_id,
                                HandRaise.lowered_at.is_(None))
        .options(selectinload(HandRaise.attendance).selectinload(Attendance.member))
        .order_by(HandRaise.raised_at, HandRaise.id)
    ).all()


def attendance(meeting_id):
    return db.session.scalars(
        select(Attendance).where(Attendance.meeting_id == meeting_id)
        .options(selectinload(Attendance.member)).order_by(Attendance.id)
    ).all()


def day_roles(meeting_id):
    rows = db.session.scalars(select(MeetingRole).where(MeetingRole.meeting_id == meeting_id)
                              .options(selectinload(MeetingRole.member))).all()
    return {row.role: row.member for row in rows}


def decisions_of(meeting_id):
    return db.session.scalars(select(Decision).where(Decision.meeting_id == meeting_id)
                              .order_by(Decision.number)).all()


def actions_of(meeting_id):
    return db.session.scalars(select(Action).where(Action.meeting_id == meeting_id)
                              .options(selectinload(Action.owner)).order_by(Action.id)).all()


def timer_state(item, now=None):
    """Seconds elapsed on an item's timer, whether it runs, and its allowance in seconds."""
    if item is None:
        return None
    now = now or utcnow()
    elapsed = item.elapsed_seconds
    if item.timer_started_at is not None:
        elapsed += int((now - item.timer_started_at).total_seconds())
    allowance = (item.timebox_minutes + item.extra_minutes) * 60
    return {"elapsed": elapsed, "running": item.timer_started_at is not None,
            "allowance": allowance, "overrun": max(0, elapsed - allowance),
            "server_now": now.isoformat() + "Z"}


def round_results(round_):
    """Counts per answer, members and guests apart, and the objections with their reasons."""
    if round_ is None:
        return None
    choices = list(CONSENT_ANSWERS) if round_.kind == "consent" else list(round_.options)
    counts = {choice: {"members": 0, "guests": 0} for choice in choices}
    objections = []
    for answer in round_.answers:
        bucket = counts.setdefault(answer.answer, {"members": 0, "guests": 0})
        bucket["guests" if answer.attendance.is_guest else "members"] += 1
        if answer.answer == "object":
            objections.append({"name": answer.attendance.name, "reason": answer.reason or ""})
    return {"counts": counts, "objections": objections, "total": len(round_.answers)}


def estimated_end(meeting, items):
    """When the agenda ends if each remaining item takes its timebox (naive UTC)."""
    now = utcnow()
    start = now if meeting.status == "live" else datetime.combine(
        meeting.scheduled_for, meeting.starts_at) - _paris_offset(meeting)
    total = 0
    for item in items:
        if item.status == "pending":
            total += item.timebox_minutes * 60
        elif item.status == "current":
            state = timer_state(item, now)
            total += max(0, state["allowance"] - state["elapsed"])
    return start + timedelta(seconds=total)


def _paris_offset(meeting):
    from zoneinfo import ZoneInfo

    from flask import current_app

    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    local = datetime.combine(meeting.scheduled_for, meeting.starts_at, tzinfo=zone)
    return local.utcoffset()


def live_context(meeting_id, viewer=None):
    """Everything the console, the screen and the phones show, read once."""
    meeting = get_meeting(meeting_id)
    items = agenda_items(meeting_id)
    current = next((i for i in items if i.status == "current"), None)
    round_ = open_round(meeting_id) or last_round(meeting_id)
    people = attendance(meeting_id)
    speaker = db.session.get(Attendance, meeting.speaker_attendance_id) \
        if meeting.speaker_attendance_id else None
    return {
        "meeting": meeting,
        "items": items,
        "current": current,
        "next_items": [i for i in items if i.status == "pending"][:3],
        "timer": timer_state(current),
        "queue": speaker_queue(meeting_id),
        "speaker": speaker,
        "round": round_,
        "results": round_results(round_),
        "decisions": decisions_of(meeting_id),
        "actions": actions_of(meeting_id),
        "attendance": people,
        "present_count": sum(1 for p in people if p.status == "present"),
        "roles": day_roles(meeting_id),
        "members": db.session.scalars(select(Member).where(Member.deactivated_at.is_(None))
                                      .order_by(Member.display_name)).all(),
        "estimated_end": estimated_end(meeting, items),
        "viewer": viewer,
        "join_url": url_for("agenda.join", _external=True),
        "item_status_labels": ITEM_STATUS_LABELS,
        "item_kind_labels": ITEM_KIND_LABELS,
        "answer_labels": ANSWER_LABELS,
        "role_labels": ROLE_LABELS,
    }


REGIONS = ("status", "current", "agenda", "queue", "round", "decisions")


def render_regions(meeting_id, regions=REGIONS, views=VIEWS, context=None):
    """The fragments of each view for the given regions, from the same partials as the pages.

    They go to every page of the room, guests included: their forms carry no CSRF token (the
    sender's must not travel; each page puts its own in)."""
    context = context or live_context(meeting_id)
    return {
        view: {region: render_template(f"agenda/_{region}.html", view=view,
                                       csrf_token=lambda: "", **context)
               for region in regions}
        for view in views
    }


def live_fact(meeting_id, regions=REGIONS):
    context = live_context(meeting_id)
    meeting = context["meeting"]
    return {
        "meeting_id": meeting_id,
        "live_revision": meeting.live_revision,
        "agenda_revision": meeting.agenda_revision,
        "status": meeting.status,
        "timer": context["timer"],
        "current_item_id": context["current"].id if context["current"] else None,
        "round_id": context["round"].id if context["round"] and
        context["round"].closed_at is None else None,
        "regions": render_regions(meeting_id, regions, context=context),
    }


def live_meeting():
    """The meeting running now, if any."""
    return db.session.scalar(select(Meeting).where(Meeting.status == "live")
                             .order_by(Meeting.scheduled_for.desc()))


def live_state(actor, meeting_id):
    """The exact current state, for a page that (re)connects or reloads."""
    meeting = get_meeting(meeting_id)
    require(permissions.can_follow_live(actor, meeting))
    return live_fact(meeting_id)


# -- the change helpers --------------------------------------------------------------------


def _bump(meeting_id, seen=None, agenda=False):
    """Move the live revision on (compare-and-set when `seen` is given)."""
    query = update(Meeting).where(Meeting.id == meeting_id)
    if seen is not None:
        column = Meeting.agenda_revision if agenda else Meeting.live_revision
        query = query.where(column == seen)
    values = {"live_revision": Meeting.live_revision + 1}
    if agenda:
        values["agenda_revision"] = Meeting.agenda_revision + 1
    if db.session.execute(query.values(**values)).rowcount != 1:
        if agenda:
            raise Conflict(_l("L’ordre du jour vient d’être modifié par quelqu’un d’autre ; il "
                              "est à jour, recommencez."), code="stale")
        raise Conflict(_l("La réunion vient d’avancer depuis un autre écran ; tout est à jour."),
                       code="stale")


def _publish_live(c, meeting_id, regions=REGIONS):
    c.publish("live_updated", lambda: live_fact(meeting_id, regions),
              room=meeting_room(meeting_id))


# When every follower answers a round at once, one fact per answer to every follower would be
# N² messages (250,000 at 500 followers, measured in bench/live_session.py): answers are
# committed one by one, and their fact is coalesced into one per short delay, always built
# from the database after the last commit.
COALESCE_SECONDS = 0.25
_coalesce_lock = threading.Condition()
_coalescing = set()
_running = 0  # coalesced facts scheduled and not yet sent


def wait_for_coalesced_facts(timeout=5.0):
    """Block until every coalesced fact scheduled so far has been sent (tests, shutdown)."""
    with _coalesce_lock:
        return _coalesce_lock.wait_for(lambda: _running == 0, timeout)


def publish_live_soon(meeting_id, regions):
    """After a commit: publish the live regions once, shortly, for a burst of changes."""
    global _running
    key = (meeting_id, tuple(regions))
    with _coalesce_lock:
        if key in _coalescing:
            return
        _coalescing.add(key)
        _running += 1
    app = current_app._get_current_object()
    socketio.start_background_task(_publish_later, app, socketio.server, key)


def _publish_later(app, server, key):
    global _running
    meeting_id, regions = key
    try:
        socketio.sleep(COALESCE_SECONDS)
        with _coalesce_lock:
            _coalescing.discard(key)  # a change from now on schedules its own fact
        with app.test_request_context("/"), force_locale(app.config["BABEL_DEFAULT_LOCALE"]):
            try:
                server.emit("live_updated", live_fact(meeting_id, regions),
                            namespace=NAMESPACE, to=meeting_room(meeting_id))
            finally:
                db.session.remove()
    finally:
        with _coalesce_lock:
            _running -= 1
            _coalesce_lock.notify_all()


def _require_console(actor, meeting):
    require(permissions.can_run_live(actor, meeting),
            _l("Seule l’animation de la réunion peut faire cela."))


def _require_not_closed(meeting):
    if meeting.status == "closed":
        raise Conflict(_l("Cette réunion est close."), code="meeting_closed")


def _require_live(meeting):
    if meeting.status != "live":
        raise Conflict(_l("La réunion n’a pas commencé (ou elle est close)."), code="not_live")


def _item(item_id, meeting_id=None):
    item = db.session.get(AgendaItem, item_id)
    if item is None or (meeting_id is not None and item.meeting_id != meeting_id):
        raise NotFound(_l("Ce point de l’ordre du jour n’existe pas."))
    return item


def _next_position(meeting_id):
    return (db.session.scalar(select(func.max(AgendaItem.position))
                              .where(AgendaItem.meeting_id == meeting_id)) or 0) + 1


# -- building the agenda ---------------------------------------------------------------------


def candidates(meeting_id):
    """Document entries (points, needs, proposals) not yet on the agenda."""
    on_agenda = select(AgendaItem.source_entry_id).where(
        AgendaItem.meeting_id == meeting_id, AgendaItem.source_entry_id.is_not(None))
    return db.session.scalars(
        select(Entry).where(Entry.meeting_id == meeting_id,
                            Entry.kind.in_(tuple(ENTRY_TO_ITEM)), Entry.id.not_in(on_agenda))
        .options(selectinload(Entry.author), selectinload(Entry.proposal))
        .order_by(Entry.kind, Entry.id)
    ).all()


def prepare_agenda(actor, meeting_id):
    """Put the check-in round first and the decisions due for review on the agenda (once)."""
    meeting = get_meeting(meeting_id)
    _require_console(actor, meeting)
    _require_not_closed(meeting)
    with change() as c:
        added = _ensure_standing_items(meeting)
        if added:
            _bump(meeting_id, agenda=True)
            c.trace(actor, "agenda_prepared", meeting, french(lambda: _(
                "%(name)s a préparé l’ordre du jour du %(date)s.", name=actor.display_name,
                date=long_date(meeting.scheduled_for))), meeting=meeting)
            _publish_live(c, meeting_id)
    return added


def _ensure_standing_items(meeting):
    items = agenda_items(meeting.id)
    added = 0
    if not any(i.kind == "checkin" for i in items):
        db.session.execute(update(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                           .values(position=AgendaItem.position + 1))
        db.session.add(AgendaItem(
            meeting_id=meeting.id, position=0, kind="checkin", timebox_minutes=10,
            title=french(lambda: _("Tour d’inclusion : la météo de chacun·e et les billets "
                                   "d’humeur"))))
        added += 1
    reviewed = {i.review_of_decision_id for i in items if i.review_of_decision_id}
    due = db.session.scalars(select(Decision).where(
        Decision.review_on.is_not(None), Decision.review_on <= meeting.scheduled_for,
        Decision.meeting_id != meeting.id)).all()
    already = set(db.session.scalars(select(AgendaItem.review_of_decision_id).where(
        AgendaItem.review_of_decision_id.is_not(None))).all())
    for decision in due:
        if decision.id in reviewed or decision.id in already:
            continue
        db.session.add(AgendaItem(
            meeting_id=meeting.id, position=_next_position(meeting.id), kind="review",
            review_of_decision_id=decision.id, timebox_minutes=10,
            title=french(lambda d=decision: _("Revoir la décision n° %(n)s", n=d.number))))
        db.session.flush()
        added += 1
    return added


def add_entries(actor, meeting_id, entry_ids):
    """Put chosen document entries on the agenda; proposals become `on_agenda`."""
    meeting = get_meeting(meeting_id)
    _require_console(actor, meeting)
    _require_not_closed(meeting)
    if not entry_ids:
        raise ServiceError(_l("Choisissez au moins une contribution du document."),
                           code="nothing_chosen")
    entries = [prep.get_entry(i) for i in entry_ids]
    for entry in entries:
        if entry.meeting_id != meeting_id or entry.kind not in ENTRY_TO_ITEM:
            raise ServiceError(_l("Seuls les points, besoins et propositions de ce vendredi "
                                  "vont à l’ordre du jour."), code="invalid_entry")
    on_agenda = {c.id for c in candidates(meeting_id)}
    entries = [e for e in entries if e.id in on_agenda]
    with change() as c:
        _ensure_standing_items(meeting)
        for entry in entries:
            item = AgendaItem(
                meeting_id=meeting_id, position=_next_position(meeting_id),
                kind=ENTRY_TO_ITEM[entry.kind], title=prep.short_title(entry),
                source_entry_id=entry.id, timebox_minutes=15 if entry.kind == "proposal" else 10,
            )
            if entry.proposal is not None:
                item.source_proposal_id = entry.proposal.id
                _move_proposal(actor, entry.proposal, "on_agenda")
            db.session.add(item)
            db.session.flush()
        _bump(meeting_id, agenda=True)
        c.trace(actor, "agenda_items_added", meeting, french(lambda: _(
            "%(name)s a mis %(n)s point(s) à l’ordre du jour du %(date)s.",
            name=actor.display_name, n=len(entries), date=long_date(meeting.scheduled_for))),
            meeting=meeting)
        _publish_live(c, meeting_id)
    return len(entries)


def _move_proposal(actor, proposal, to_status):
    from ..proposals.services import ALLOWED_TRANSITIONS

    if to_status not in ALLOWED_TRANSITIONS.get(proposal.status, set()):
        return
    db.session.add(ProposalStatusChange(proposal_id=proposal.id, from_status=proposal.status,
                                        to_status=to_status, actor_id=actor.id))
    proposal.status = to_status
    proposal.status_changed_at = utcnow()


def add_item(actor, meeting_id, title, timebox_minutes=DEFAULT_TIMEBOX):
    """Add a point that is not in the document."""
    meeting = get_meeting(meeting_id)
    _require_console(actor, meeting)
    _require_not_closed(meeting)
    title = prep.clean_title(title)
    if not title:
        raise ServiceError(_l("Donnez un titre au point."), code="missing_title")
    minutes = clean_timebox(timebox_minutes)
    with change() as c:
        _ensure_standing_items(meeting)
        item = AgendaItem(meeting_id=meeting_id, position=_next_position(meeting_id),
                          kind="other", title=title, timebox_minutes=minutes)
        db.session.add(item)
        _bump(meeting_id, agenda=True)
        c.trace(actor, "agenda_item_added", item, french(lambda: _(
            "%(name)s a ajouté « %(title)s » à l’ordre du jour.", name=actor.display_name,
            title=title)), meeting=meeting)
        _publish_live(c, meeting_id)
    return item


def clean_timebox(value):
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        raise ServiceError(_l("La durée prévue doit être un nombre de minutes."),
                           code="invalid_field") from None
    if not 1 <= minutes <= MAX_TIMEBOX:
        raise ServiceError(_l("La durée prévue doit être entre 1 et %(n)s minutes.",
                              n=MAX_TIMEBOX), code="invalid_field")
    return minutes


def set_timebox(actor, item_id, minutes):
    item = _item(item_id)
    meeting = get_meeting(item.meeting_id)
    require(permissions.can_keep_time(actor, meeting))
    _require_not_closed(meeting)
    minutes = clean_timebox(minutes)
    with change() as c:
        db.session.execute(update(AgendaItem).where(AgendaItem.id == item_id)
                           .values(timebox_minutes=minutes))
        _bump(meeting.id)
        c.trace(actor, "timebox_set", item, french(lambda: _(
            "%(name)s a prévu %(n)s minutes pour « %(title)s ».", name=actor.display_name,
            n=minutes, title=item.title)), meeting=meeting)
        _publish_live(c, meeting.id)


def reorder(actor, meeting_id, agenda_revision, order):
    """Put the agenda in the given order (ids), only if it has not changed meanwhile."""
    meeting = get_meeting(meeting_id)
    _require_console(actor, meeting)
    _require_not_closed(meeting)
    items = agenda_items(meeting_id)
    ids = [i.id for i in items]
    if sorted(order) != sorted(ids) or len(set(order)) != len(order):
        raise ServiceError(_l("L’ordre envoyé ne correspond pas aux points de l’ordre du jour."),
                           code="invalid_order")
    with change() as c:
        _bump(meeting_id, seen=agenda_revision, agenda=True)
        for position, item_id in enumerate(order):
            db.session.execute(update(AgendaItem).where(AgendaItem.id == item_id)
                               .values(position=position))
        c.trace(actor, "agenda_reordered", meeting, french(lambda: _(
            "%(name)s a réordonné l’ordre du jour.", name=actor.display_name)), meeting=meeting)
        _publish_live(c, meeting_id)


def move_item(actor, item_id, direction, agenda_revision):
    """Move one item up or down (the keyboard alternative to drag and drop)."""
    item = _item(item_id)
    meeting = get_meeting(item.meeting_id)
    _require_console(actor, meeting)  # before saying anything about the agenda
    _require_not_closed(meeting)
    ids = [i.id for i in agenda_items(item.meeting_id)]
    index = ids.index(item_id)
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down"):
        raise ServiceError(_l("Direction inconnue."), code="invalid_field")
    if not 0 <= target < len(ids):
        raise Conflict(_l("Ce point est déjà au bout de l’ordre du jour."), code="at_end")
    ids[index], ids[target] = ids[target], ids[index]
    reorder(actor, item.meeting_id, agenda_revision, ids)


def remove_item(actor, item_id):
    """Take a point that has not started off the agenda (its proposal goes back to waiting)."""
    item = _item(item_id)
    meeting = get_meeting(item.meeting_id)
    _require_console(actor, meeting)
    _require_not_closed(meeting)
    if item.status != "pending":
        raise Conflict(_l("Seul un point à venir peut être retiré de l’ordre du jour."),
                       code="not_pending")
    title = item.title
    with change() as c:
        if item.source_proposal is not None and item.source_proposal.status == "on_agenda":
            _move_proposal(actor, item.source_proposal, "submitted")
        db.session.delete(item)
        _bump(meeting.id, agenda=True)
        c.trace(actor, "agenda_item_removed", meeting, french(lambda: _(
            "%(name)s a retiré « %(title)s » de l’ordre du jour.", name=actor.display_name,
            title=title)), meeting=meeting)
        _publish_live(c, meeting.id)


# -- roles of the day and attendance ---------------------------------------------------------


def rotation_suggestions(meeting_id):
    """For each role, the active member who has held it least recently (never, first)."""
    members = db.session.scalars(select(Member).where(Member.deactivated_at.is_(None))
                                 .order_by(Member.display_name)).all()
    suggestions = {}
    for role in DAY_ROLES:
        last_held = dict(db.session.execute(
            select(MeetingRole.member_id, func.max(Meeting.scheduled_for))
            .join(Meeting, Meeting.id == MeetingRole.meeting_id)
            .where(MeetingRole.role == role, MeetingRole.meeting_id != meeting_id)
            .group_by(MeetingRole.member_id)).all())
        ranked = sorted(members, key=lambda m: (last_held.get(m.id) is not None,
                                                last_held.get(m.id) or datetime.min.date(),
                                                m.display_name.lower()))
        # One person, one role: skip whoever is already suggested for another role.
        taken = {m.id for m in suggestions.values() if m is not None}
        free = [m for m in ranked if m.id not in taken] or ranked
        suggestions[role] = free[0] if free else None
    return suggestions


def assign_role(actor, meeting_id, role, member_id):
    meeting = get_meeting(meeting_id)
    _require_console(actor, meeting)
    _require_not_closed(meeting)
    if role not in DAY_ROLES:
        raise ServiceError(_l("Ce rôle n’existe pas."), code="invalid_field")
    member = db.session.get(Member, member_id) if member_id else None
    if member is None or not member.is_active:
        raise ServiceError(_l("Choisissez une personne."), code="invalid_field")
    with change() as c:
        row = db.session.scalar(select(MeetingRole).where(
            MeetingRole.meeting_id == meeting_id, MeetingRole.role == role))
        if row is None:
            db.session.add(MeetingRole(meeting_id=meeting_id, role=role, member_id=member.id))
        else:
            row.member_id = member.id
        _bump(meeting_id)
        c.trace(actor, "role_assigned", meeting, french(lambda: _(
            "%(name)s tient le rôle « %(role)s » le %(date)s.", name=member.display_name,
            role=str(ROLE_LABELS[role]).lower(), date=long_date(meeting.scheduled_for))),
            meeting=meeting)
        _publish_live(c, meeting_id, regions=("status",))


def set_attendance(actor, meeting_id, member_id, status):
    """Mark a member present or excused (or unknown, with status None)."""
    meeting = get_meeting(meeting_id)
    _require_console(actor, meeting)
    _require_not_closed(meeting)
    if status not in ("present", "excused", None):
        raise ServiceError(_l("État de présence inconnu."), code="invalid_field")
    member = db.session.get(Member, member_id)
    if member is None:
        raise NotFound(_l("Ce membre n’existe pas."))
    with change() as c:
        row = db.session.scalar(select(Attendance).where(
            Attendance.meeting_id == meeting_id, Attendance.member_id == member_id))
        if status is None:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(Attendance(meeting_id=meeting_id, member_id=member_id, status=status))
        else:
            row.status = status
        _bump(meeting_id)
        label = {"present": _l("présent·e"), "excused": _l("excusé·e"), None: _l("non indiqué·e")}
        c.trace(actor, "attendance_set", meeting, french(lambda: _(
            "%(name)s : %(status)s le %(date)s.", name=member.display_name,
            status=str(label[status]), date=long_date(meeting.scheduled_for))), meeting=meeting)
        _publish_live(c, meeting_id, regions=("status",))


# -- starting, advancing, timing, closing ----------------------------------------------------


def _new_join_code():
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def start_live(actor, meeting_id):
    """Start the meeting: its join code is made and the first point becomes current."""
    meeting = get_meeting(meeting_id)
    require(permissions.can_run_meeting(actor) or permissions.can_run_live(actor, meeting),
            _l("Seul·es les facilitateur·rices ouvrent et closent la réunion."))
    if meeting.status != "preparing":
        # Whole sentences: the phase labels are badges ("réunion en cours"), not sentence words.
        raise Conflict(_l("La réunion est déjà en cours.") if meeting.status == "live"
                       else _l("La réunion est déjà close."), code="bad_transition")
    now = utcnow()
    for _attempt in range(5):
        try:
            with change() as c:
                changed = db.session.execute(
                    update(Meeting).where(Meeting.id == meeting_id,
                                          Meeting.status == "preparing")
                    .values(status="live", started_at=now, join_code=_new_join_code(),
                            live_revision=Meeting.live_revision + 1)).rowcount
                if changed != 1:
                    raise Conflict(_l("La réunion vient de commencer depuis un autre écran."),
                                   code="stale")
                meeting = get_meeting(meeting_id)
                db.session.refresh(meeting)
                _ensure_standing_items(meeting)
                db.session.flush()
                first = next((i for i in agenda_items(meeting_id) if i.status == "pending"), None)
                if first is not None:
                    _make_current(first, now)
                attendance_of(actor, meeting_id)  # whoever starts the meeting is there
                c.trace(actor, "meeting_started", meeting, french(lambda m=meeting: _(
                    "%(name)s a ouvert la réunion du %(date)s.", name=actor.display_name,
                    date=long_date(m.scheduled_for))), meeting=meeting)
                c.publish("meeting_status_changed",
                          {"meeting_id": meeting_id, "status": "live",
                           "label": str(prep.MEETING_STATUS_LABELS["live"])},
                          room=meeting_room(meeting_id))
                _publish_live(c, meeting_id)
            return meeting
        except IntegrityError:  # the same join code drawn twice: draw again
            db.session.rollback()
    raise ServiceError(_l("Impossible de créer un code d’accès ; réessayez."), code="join_code")


def _make_current(item, now):
    item.status = "current"
    item.started_at = item.started_at or now
    item.timer_started_at = now


def _pause(item, now):
    if item.timer_started_at is not None:
        item.elapsed_seconds += int((now - item.timer_started_at).total_seconds())
        item.timer_started_at = None


def advance(actor, meeting_id, live_revision, direction="next"):
    """Move to the next (or previous) point; two facilitators at once move one step."""
    meeting = get_meeting(meeting_id)
    _require_console(actor, meeting)
    _require_live(meeting)
    if direction not in ("next", "previous"):
        raise ServiceError(_l("Direction inconnue."), code="invalid_field")
    items = agenda_items(meeting_id)
    current = next((i for i in items if i.status == "current"), None)
    if direction == "next":
        after = items[items.index(current) + 1:] if current else items
        target = next((i for i in after if i.status == "pending"), None)
        if target is None:
            raise Conflict(_l("C’est le dernier point de l’ordre du jour : vous pouvez clore la "
                              "réunion."), code="last_item")
    else:
        before = items[:items.index(current)] if current else items
        target = next((i for i in reversed(before) if i.status == "done"), None)
        if target is None:
            raise Conflict(_l("Il n’y a pas de point précédent."), code="first_item")
    now = utcnow()
    target_id, current_id = target.id, current.id if current else None
    with change() as c:
        _bump(meeting_id, seen=live_revision)
        if current_id is not None:
            cur = _item(current_id)
            _pause(cur, now)
            cur.status = "done" if direction == "next" else "pending"
            if direction == "next":
                cur.ended_at = now
        tgt = _item(target_id)
        tgt.ended_at = None
        _make_current(tgt, now)
        db.session.execute(update(Meeting).where(Meeting.id == meeting_id)
                           .values(speaker_attendance_id=None))
        c.trace(actor, "item_advanced", tgt, french(lambda: _(
            "Point en cours : « %(title)s ».", title=tgt.title)), meeting=meeting,
            direction=direction)
        _publish_live(c, meeting_id)
    return tgt


def control_timer(actor, meeting_id, action):
    """Start, pause or add five minutes to the current point's timer."""
    meeting = get_meeting(meeting_id)
    require(permissions.can_keep_time(actor, meeting),
            _l("Seuls l’animation et le ou la gardien·ne du temps règlent le minuteur."))
    _require_live(meeting)
    if action not in ("start", "pause", "add5"):
        raise ServiceError(_l("Action de minuteur inconnue."), code="invalid_field")
    item = current_item(meeting_id)
    if item is None:
        raise Conflict(_l("Aucun point n’est en cours."), code="no_current_item")
    now = utcnow()
    with change() as c:
        _bump(meeting_id)
        item = _item(item.id)
        if action == "start" and item.timer_started_at is None:
            item.timer_started_at = now
        elif action == "pause":
            _pause(item, now)
        elif action == "add5":
            item.extra_minutes += 5
        _publish_live(c, meeting_id, regions=("current",))
    return item


def postpone(actor, meeting_id, item_id):
    """Postpone a point to next Friday; if it was current, the next point starts."""
    meeting = get_meeting(meeting_id)
    _require_console(actor, meeting)
    _require_not_closed(meeting)
    item = _item(item_id, meeting_id)
    if item.status not in ("pending", "current"):
        raise Conflict(_l("Ce point est déjà %(status)s.",
                          status=ITEM_STATUS_LABELS[item.status]), code="bad_transition")
    now = utcnow()
    was_current = item.status == "current"
    with change() as c:
        _bump(meeting_id)
        item = _item(item_id)
        _pause(item, now)
        item.status = "postponed"
        item.ended_at = now
        if was_current:
            following = next((i for i in agenda_items(meeting_id)
                              if i.status == "pending" and i.position > item.position), None)
            if following is not None:
                _make_current(following, now)
        c.trace(actor, "item_postponed", item, french(lambda: _(
            "« %(title)s » est reporté au vendredi suivant.", title=item.title)),
            meeting=meeting)
        _publish_live(c, meeting_id)
    return item


def close_live(actor, meeting_id):
    """Close the meeting; every point not done is carried to next Friday's agenda."""
    meeting = get_meeting(meeting_id)
    require(permissions.can_run_meeting(actor) or permissions.can_run_live(actor, meeting),
            _l("Seul·es les facilitateur·rices ouvrent et closent la réunion."))
    if meeting.status == "closed":
        raise Conflict(_l("La réunion est déjà close."), code="bad_transition")
    now = utcnow()
    next_day = prep.next_meeting_after(meeting)
    with change() as c:
        changed = db.session.execute(
            update(Meeting).where(Meeting.id == meeting_id, Meeting.status == meeting.status)
            .values(status="closed", closed_at=now, join_code=None,
                    live_revision=Meeting.live_revision + 1)).rowcount
        if changed != 1:
            raise Conflict(_l("La réunion vient de changer d’état ; rechargez la page."),
                           code="stale")
        next_meeting = prep.meeting_row(next_day)
        carried = 0
        for item in agenda_items(meeting_id):
            if item.kind == "checkin":  # every Friday opens with its own check-in round
                if item.status in ("pending", "current"):
                    _pause(item, now)
                    item.status = "done" if item.started_at else "postponed"
                continue
            if item.status == "current" and db.session.scalar(
                    select(Decision.id).where(Decision.item_id == item.id).limit(1)):
                _pause(item, now)  # decided on: done, not carried
                item.status, item.ended_at = "done", now
                continue
            if item.status in ("pending", "current", "postponed"):
                _pause(item, now)
                item.status = "postponed"
                item.ended_at = item.ended_at or now
                db.session.add(AgendaItem(
                    meeting_id=next_meeting.id, position=_next_position(next_meeting.id),
                    kind="carried", title=item.title, carried_from_id=item.id,
                    source_entry_id=item.source_entry_id,
                    source_proposal_id=item.source_proposal_id,
                    timebox_minutes=item.timebox_minutes))
                db.session.flush()
                carried += 1
        for round_ in db.session.scalars(select(Round).where(
                Round.meeting_id == meeting_id, Round.closed_at.is_(None))):
            round_.closed_at = now
        db.session.execute(update(HandRaise).where(HandRaise.meeting_id == meeting_id,
                                                   HandRaise.lowered_at.is_(None))
                           .values(lowered_at=now))
        meeting = get_meeting(meeting_id)
        c.trace(actor, "meeting_closed", meeting, french(lambda: _(
            "%(name)s a clos la réunion du %(date)s.", name=actor.display_name,
            date=long_date(meeting.scheduled_for))), meeting=meeting, carried=carried)
        c.publish("meeting_status_changed",
                  {"meeting_id": meeting_id, "status": "closed",
                   "label": str(prep.MEETING_STATUS_LABELS["closed"])},
                  room=meeting_room(meeting_id))
        _publish_live(c, meeting_id)
    return meeting


# -- hands and the floor ---------------------------------------------------------------------


def _participant(actor, meeting):
    require(permissions.can_follow_live(actor, meeting))
    _require_live(meeting)


def raise_hand(actor, meeting_id):
    """Join the speaker queue (a hand already raised stays as it is: sent twice, counted once)."""
    meeting = get_meeting(meeting_id)
    _participant(actor, meeting)
    with change() as c:
        who = attendance_of(actor, meeting_id)
        hand = db.session.scalar(select(HandRaise).where(
            HandRaise.meeting_id == meeting_id, HandRaise.attendance_id == who.id,
            HandRaise.lowered_at.is_(None)))
        if hand is None:
            hand = HandRaise(meeting_id=meeting_id, attendance_id=who.id, raised_at=utcnow())
            db.session.add(hand)
            _bump(meeting_id)
            _publish_live(c, meeting_id, regions=("queue",))
    return hand


def lower_hand(actor, meeting_id):
    meeting = get_meeting(meeting_id)
    _participant(actor, meeting)
    with change() as c:
        who = attendance_of(actor, meeting_id)
        lowered = db.session.execute(
            update(HandRaise).where(HandRaise.meeting_id == meeting_id,
                                    HandRaise.attendance_id == who.id,
                                    HandRaise.lowered_at.is_(None))
            .values(lowered_at=utcnow())).rowcount
        if lowered:
            _bump(meeting_id)
            _publish_live(c, meeting_id, regions=("queue",))
    return bool(lowered)


def give_floor(actor, meeting_id, hand_id):
    """Give the floor to the first (or a chosen) raised hand."""
    meeting = get_meeting(meeting_id)
    _require_console(actor, meeting)
    _require_live(meeting)
    hand = db.session.get(HandRaise, hand_id)
    if hand is None or hand.meeting_id != meeting_id or hand.lowered_at is not None:
        raise Conflict(_l("Cette main n’est plus levée."), code="hand_lowered")
    now = utcnow()
    with change() as c:
        changed = db.session.execute(
            update(HandRaise).where(HandRaise.id == hand_id, HandRaise.lowered_at.is_(None))
            .values(lowered_at=now, given_floor_at=now)).rowcount
        if changed != 1:
            raise Conflict(_l("Cette main n’est plus levée."), code="hand_lowered")
        db.session.execute(update(Meeting).where(Meeting.id == meeting_id)
                           .values(speaker_attendance_id=hand.attendance_id))
        _bump(meeting_id)
        _publish_live(c, meeting_id, regions=("queue",))


# -- rounds ----------------------------------------------------------------------------------


def start_round(actor, meeting_id, kind, question, options=None):
    """Open a consent round or a vote on the current point (one round at a time)."""
    meeting = get_meeting(meeting_id)
    _require_console(actor, meeting)
    _require_live(meeting)
    item = current_item(meeting_id)
    if item is None:
        raise Conflict(_l("Aucun point n’est en cours."), code="no_current_item")
    if kind not in ROUND_KINDS:
        raise ServiceError(_l("Type de tour inconnu."), code="invalid_field")
    question = (question or "").strip()
    if not question:
        raise ServiceError(_l("Écrivez la proposition soumise au tour."), code="missing_question")
    if len(question) > 2000:
        raise ServiceError(_l("La proposition est trop longue (2000 caractères au plus)."),
                           code="invalid_field")
    cleaned = []
    if kind == "vote":
        cleaned = [o.strip() for o in (options or []) if o and o.strip()]
        if len(cleaned) < 2 or len(set(cleaned)) != len(cleaned):
            raise ServiceError(_l("Un vote demande au moins deux choix différents."),
                               code="invalid_options")
        if any(len(o) > 80 for o in cleaned) or len(cleaned) > 10:
            raise ServiceError(_l("Dix choix de 80 caractères au plus."), code="invalid_options")
    if open_round(meeting_id) is not None:
        raise Conflict(_l("Un tour est déjà ouvert : fermez-le d’abord."), code="round_open")
    with change() as c:
        round_ = Round(meeting_id=meeting_id, item_id=item.id, kind=kind, question=question,
                       options=cleaned, opened_by_id=actor.id)
        db.session.add(round_)
        _bump(meeting_id)
        c.trace(actor, "round_opened", round_, french(lambda: _(
            "%(name)s a ouvert un tour (%(kind)s) sur « %(title)s ».", name=actor.display_name,
            kind=_("consentement") if kind == "consent" else _("vote"), title=item.title)),
            meeting=meeting)
        _publish_live(c, meeting_id, regions=("round",))
    return round_


def answer_round(actor, round_id, answer, reason=None):
    """Answer the open round; a second answer replaces the first (never counted twice)."""
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise NotFound(_l("Ce tour n’existe pas."))
    meeting = get_meeting(round_.meeting_id)
    _participant(actor, meeting)
    if round_.closed_at is not None:
        raise Conflict(_l("Ce tour est fermé."), code="round_closed")
    choices = CONSENT_ANSWERS if round_.kind == "consent" else round_.options
    if answer not in choices:
        raise ServiceError(_l("Cette réponse n’est pas possible pour ce tour."),
                           code="invalid_answer")
    reason = (reason or "").strip() or None
    if answer == "object" and not reason:
        raise ServiceError(_l("Une objection s’accompagne d’une raison : écrivez-la."),
                           code="missing_reason")
    if reason and len(reason) > 2000:
        raise ServiceError(_l("La raison est trop longue (2000 caractères au plus)."),
                           code="invalid_field")
    for _attempt in range(2):
        try:
            with change():
                who = attendance_of(actor, meeting.id)
                row = db.session.scalar(select(RoundAnswer).where(
                    RoundAnswer.round_id == round_id, RoundAnswer.attendance_id == who.id))
                if row is None:
                    db.session.add(RoundAnswer(round_id=round_id, attendance_id=who.id,
                                               answer=answer, reason=reason))
                else:
                    row.answer, row.reason, row.answered_at = answer, reason, utcnow()
                _bump(meeting.id)
            publish_live_soon(meeting.id, ("round",))
            return answer
        except IntegrityError:  # the same person's two answers at the same instant
            db.session.rollback()
    raise Conflict(_l("Réponse déjà en cours d’enregistrement."), code="stale")


def close_round(actor, round_id):
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise NotFound(_l("Ce tour n’existe pas."))
    meeting = get_meeting(round_.meeting_id)
    _require_console(actor, meeting)
    if round_.closed_at is not None:
        raise Conflict(_l("Ce tour est déjà fermé."), code="round_closed")
    with change() as c:
        db.session.execute(update(Round).where(Round.id == round_id, Round.closed_at.is_(None))
                           .values(closed_at=utcnow()))
        _bump(meeting.id)
        results = round_results(round_)
        c.trace(actor, "round_closed", round_, french(lambda: _(
            "Tour fermé : %(n)s réponse(s).", n=results["total"])), meeting=meeting)
        _publish_live(c, meeting.id, regions=("round",))
    return round_


# -- guests ----------------------------------------------------------------------------------


def join_as_guest(code, first_name):
    """Let someone at the door follow the live meeting with the code shown on the screen."""
    code = "".join((code or "").split()).upper()
    name = " ".join((first_name or "").split())
    if not name:
        raise ServiceError(_l("Indiquez votre prénom."), code="missing_name")
    if len(name) > 40:
        raise ServiceError(_l("Le prénom ne doit pas dépasser 40 caractères."), code="invalid_field")
    meeting = db.session.scalar(select(Meeting).where(Meeting.join_code == code,
                                                      Meeting.status == "live")) if code else None
    if meeting is None:
        raise ServiceError(_l("Ce code ne correspond à aucune réunion en cours. Vérifiez le code "
                              "affiché à l’écran."), code="bad_code", status=400)
    with change() as c:
        row = Attendance(meeting_id=meeting.id, guest_name=name, status="present")
        db.session.add(row)
        _bump(meeting.id)
        c.trace(None, "guest_joined", meeting, french(lambda: _(
            "%(name)s (invité·e) a rejoint la réunion.", name=name)), meeting=meeting)
        _publish_live(c, meeting.id, regions=("status",))
    return row

