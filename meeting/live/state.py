"""The read model of a live Friday and its fragments: what the console, the projector screen
and the phones show, read once, rendered per view from the same partials as the pages."""

from datetime import datetime, timedelta

from flask import render_template, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import permissions, realtime
from ..errors import Forbidden, ServiceError, require
from ..extensions import db
from ..i18n import _l
from ..labels import ANSWER_LABELS, ITEM_KIND_LABELS, ITEM_STATUS_LABELS, ROLE_LABELS
from ..meetings import services as meetings
from ..models import (
    CONSENT_ANSWERS,
    Action,
    AgendaItem,
    Attendance,
    Decision,
    Entry,
    HandRaise,
    Meeting,
    MeetingRole,
    Member,
    Round,
)
from ..models.base import utcnow
from . import budget, snapshots

VIEWS = ("console", "screen", "phone")


def get_meeting(meeting_id):
    return meetings.get_meeting(meeting_id)


def agenda_items(meeting_id):
    return db.session.scalars(
        select(AgendaItem)
        .where(AgendaItem.meeting_id == meeting_id)
        .options(
            selectinload(AgendaItem.source_entry).selectinload(Entry.author),
            selectinload(AgendaItem.source_proposal),
        )
        .order_by(AgendaItem.position, AgendaItem.id)
    ).all()


def current_item(meeting_id):
    return db.session.scalar(
        select(AgendaItem).where(
            AgendaItem.meeting_id == meeting_id, AgendaItem.status == "current"
        )
    )


def open_round(meeting_id):
    return db.session.scalar(
        select(Round)
        .where(Round.meeting_id == meeting_id, Round.closed_at.is_(None))
        .order_by(Round.id.desc())
    )


def last_round(meeting_id):
    return db.session.scalar(
        select(Round).where(Round.meeting_id == meeting_id).order_by(Round.id.desc())
    )


def speaker_queue(meeting_id):
    return db.session.scalars(
        select(HandRaise)
        .where(HandRaise.meeting_id == meeting_id, HandRaise.lowered_at.is_(None))
        .options(selectinload(HandRaise.attendance).selectinload(Attendance.member))
        .order_by(HandRaise.raised_at, HandRaise.id)
    ).all()


def attendance(meeting_id):
    return db.session.scalars(
        select(Attendance)
        .where(Attendance.meeting_id == meeting_id)
        .options(selectinload(Attendance.member))
        .order_by(Attendance.id)
    ).all()


def present_count(meeting_id):
    return db.session.scalar(
        select(func.count(Attendance.id)).where(
            Attendance.meeting_id == meeting_id, Attendance.status == "present"
        )
    )


def day_roles(meeting_id):
    rows = db.session.scalars(
        select(MeetingRole)
        .where(MeetingRole.meeting_id == meeting_id)
        .options(selectinload(MeetingRole.member))
    ).all()
    return {row.role: row.member for row in rows}


def decisions_of(meeting_id):
    return db.session.scalars(
        select(Decision).where(Decision.meeting_id == meeting_id).order_by(Decision.number)
    ).all()


def actions_of(meeting_id):
    return db.session.scalars(
        select(Action)
        .where(Action.meeting_id == meeting_id)
        .options(selectinload(Action.owner))
        .order_by(Action.id)
    ).all()


def timing_of(item):
    """What an item's timer needs to be computed at any instant (None without an item)."""
    if item is None:
        return None
    return snapshots.Timing(
        item.elapsed_seconds,
        item.timer_started_at,
        (item.timebox_minutes + item.extra_minutes) * 60,
    )


def timer_state(item, now=None):
    """Seconds elapsed on an item's timer, whether it runs, and its allowance in seconds."""
    if item is None:
        return None
    return snapshots.timer_at(timing_of(item), now or utcnow())


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
    start = (
        now
        if meeting.status == "live"
        else datetime.combine(meeting.scheduled_for, meeting.starts_at) - _paris_offset(meeting)
    )
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


# What the projector shows at most, so that it never needs scrolling on a 16:9 screen
# (static/css/screen.css sizes the rest from the viewport): the next points, the latest
# decisions and actions, and how long a decision's statement may be before it becomes an
# excerpt ("suite sur vos téléphones"). The phones and the console show everything.
SCREEN_NEXT_ITEMS = 3
SCREEN_LIMITS = {
    "decisions": 2,
    "actions": 3,
    "statement": 180,
    "excerpt": 150,
    "hands": 4,
    "objections": 3,
    "reason": 160,
}


def live_context(meeting, viewer=None, view=None, attendance_list=False):
    """Everything a view of the live Friday shows, read once. `meeting` is a row, an unsaved
    Friday (shown before its row exists) or an id. Only the console reads the member list."""
    if not isinstance(meeting, Meeting):
        meeting = get_meeting(meeting)
    meeting_id = meeting.id
    items = agenda_items(meeting_id)
    current = next((i for i in items if i.status == "current"), None)
    round_ = open_round(meeting_id) or last_round(meeting_id)
    # The list of who is there is shown by the console's page only (its attendance form); the
    # regions of every view need only how many are present (500 rows read for one number cost
    # a follower's Friday more than rendering its fact).
    people = attendance(meeting_id) if attendance_list else None
    speaker = (
        db.session.get(Attendance, meeting.speaker_attendance_id)
        if meeting.speaker_attendance_id
        else None
    )
    members = []
    if view in (None, "console"):
        members = db.session.scalars(
            select(Member).where(Member.deactivated_at.is_(None)).order_by(Member.display_name)
        ).all()
    pending = [i for i in items if i.status == "pending"]
    return {
        "meeting": meeting,
        "items": items,
        "current": current,
        # The screen shows the next few points and how many follow ("et N autres points").
        "next_items": pending[:SCREEN_NEXT_ITEMS],
        "next_hidden": max(0, len(pending) - SCREEN_NEXT_ITEMS),
        "screen_limits": SCREEN_LIMITS,
        "timer": timer_state(current),
        "queue": speaker_queue(meeting_id),
        "speaker": speaker,
        "round": round_,
        "results": round_results(round_),
        "decisions": decisions_of(meeting_id),
        "actions": actions_of(meeting_id),
        "attendance": people,
        "present_count": present_count(meeting_id),
        "roles": day_roles(meeting_id),
        "members": members,
        # The scribe's summary (region "summary", never on the screen nor a guest's phone).
        "summary_author": db.session.get(Member, meeting.summary_updated_by_id)
        if meeting.summary_updated_by_id
        else None,
        "estimated_end": estimated_end(meeting, items),
        # "Où en est-on ?": the year's totals while it is the current point (region
        # "budget_panel"), and whether the console may still put it on the agenda.
        "budget_panel": budget.panel_for(current),
        "budget_point": budget.waiting_budget_point(items),
        "viewer": viewer,
        "join_url": url_for("live.join", _external=True),
        "item_status_labels": ITEM_STATUS_LABELS,
        "item_kind_labels": ITEM_KIND_LABELS,
        "answer_labels": ANSWER_LABELS,
        "role_labels": ROLE_LABELS,
    }


REGIONS = ("status", "current", budget.REGION, "agenda", "queue", "round", "decisions")
# The scribe's summary is a region of the console (a form for who may record) and of members'
# phones (read only); the projector does not show it (its fit is fixed) and a guest's phone
# never receives it. It is rendered only when asked for (joining, or a change of the summary).
SUMMARY = "summary"
ALL_REGIONS = REGIONS + (SUMMARY,)
# The regions each view shows (a guest's phone renders as a member's phone, without the
# member-only parts: the summary, and what lives outside these regions).
VIEW_REGIONS = {
    "console": ALL_REGIONS,
    "screen": REGIONS,
    "phone": ALL_REGIONS,
    "guest": REGIONS,
}
# What moving to another point changes: the point, the agenda's statuses, the floor (the
# speaker's turn ends). The console's round and decision forms name the current point, so the
# console also gets those two regions whenever the current point changes.
MOVED = ("current", "agenda", "queue")
NAMES_CURRENT = {"console": ("round", "decisions")}
# Every view shows "Où en est-on ?" while it is the current point: it follows the current point.
FOLLOWS_CURRENT = (budget.REGION,)
# The rooms each rendered view goes to. A guest's phone gets the member phone's rendering
# without the regions a guest may not see (rendered once, sent as two variants).
VIEW_ROOMS = {
    "console": ("console",),
    "screen": ("screen",),
    "phone": ("phone",),
    "guest": ("guest",),
}


def _template_view(view):
    """The view the partials are rendered for: a guest's phone is a phone."""
    return "phone" if view == "guest" else view


def shown_regions(view, regions):
    """The regions of `regions` that `view` shows, in page order."""
    if "current" in regions:
        regions = tuple(regions) + NAMES_CURRENT.get(view, ()) + FOLLOWS_CURRENT
    return [r for r in ALL_REGIONS if r in regions and r in VIEW_REGIONS[view]]


def render_regions(meeting_id, regions=REGIONS, view="phone", context=None):
    """The fragments of one view for the given regions, from the same partials as the pages.

    Their forms carry no CSRF token (the sender's must not travel; each page puts its own in)."""
    context = context or live_context(meeting_id, view=_template_view(view))
    template_view = _template_view(view)
    return {
        region: render_template(
            f"live/_{region}.html", view=template_view, csrf_token=lambda: "", **context
        )
        for region in shown_regions(view, regions)
    }


# The views whose agenda lists every point: when only some points' statuses changed (moving to
# the next point), they get those points alone (`agenda_items`) and the estimated end
# (`agenda_end`) instead of the whole list: a phone's fact stays small with a long agenda. The
# projector shows the next few points only, a list that shifts: it gets its region.
AGENDA_PATCH_VIEWS = ("console", "phone", "guest")


def agenda_patch(view, items, context):
    """`{"agenda_items": {id: html}, "agenda_end": html}` for the points `items` (ids) of a view
    that lists every point, or None when the whole region must go (the projector; a point not
    on the agenda; "Où en est-on ?" moving, which shows or hides the console's form)."""
    if view not in AGENDA_PATCH_VIEWS or not items:
        return None
    agenda = context["items"]
    index = {item.id: n for n, item in enumerate(agenda)}
    if any(item_id not in index for item_id in items):
        return None
    if any(budget.is_budget_point(agenda[index[item_id]]) for item_id in items):
        return None
    template_view = _template_view(view)
    common = {**context, "view": template_view, "csrf_token": lambda: ""}
    return {
        "agenda_items": {
            str(item_id): render_template(
                "live/_agenda_item.html",
                **{
                    **common,
                    "item": agenda[index[item_id]],
                    "is_first": index[item_id] == 0,
                    "is_last": index[item_id] == len(agenda) - 1,
                },
            )
            for item_id in items
        },
        "agenda_end": render_template("live/_agenda_end.html", **common),
    }


def live_fact(meeting_id, regions=REGIONS, view="phone", context=None, items=None):
    """The `live_updated` fact of one view: revisions, timer, and that view's regions (a
    guest's phone: the phone's, without the member-only ones). With `items` (ids of points
    whose status alone changed), the views listing every point get those points instead of
    the whole agenda (`agenda_patch`); a page whose agenda is not at the fact's
    `agenda_revision` asks for the whole state again."""
    context = context or live_context(meeting_id, view=_template_view(view))
    meeting = context["meeting"]
    patch = agenda_patch(view, items, context) if "agenda" in regions else None
    if patch is not None:
        regions = tuple(r for r in regions if r != "agenda")
    fact = {
        "meeting_id": meeting_id,
        "view": _template_view(view),
        "live_revision": meeting.live_revision,
        "agenda_revision": meeting.agenda_revision,
        "status": meeting.status,
        "timer": context["timer"],
        "current_item_id": context["current"].id if context["current"] else None,
        "round_id": context["round"].id
        if context["round"] and context["round"].closed_at is None
        else None,
        "regions": render_regions(meeting_id, regions, view, context=context),
    }
    if patch is not None:
        fact.update(patch)
    return fact


def _guest_variant(phone_fact):
    """The member phone's fact as a guest's phone gets it: the same fragments, without the
    regions a guest does not see (nothing is rendered twice)."""
    regions = {k: v for k, v in phone_fact["regions"].items() if k in VIEW_REGIONS["guest"]}
    return {**phone_fact, "regions": regions}


def _views_for(regions):
    """The views that show at least one of `regions` (a change of the summary alone reaches
    neither the projector nor a guest's phone)."""
    return [view for view in VIEW_ROOMS if shown_regions(view, regions)]


def live_facts(meeting_id, regions=REGIONS, items=None):
    """(event, data, rooms) for every view that shows one of `regions`: the database is read
    once, each view rendered once and sent only to its own rooms. The views' join snapshots
    are forgotten first: a page joining from now on reads the new state."""
    snapshots.forget(meeting_id)
    context = snapshots.read_consistently(lambda: live_context(meeting_id))
    out = []
    facts = {}
    for view in _views_for(regions):
        if view == "guest" and "phone" in facts:
            fact = _guest_variant(facts["phone"])
        else:
            view_context = context if view == "console" else {**context, "members": []}
            fact = live_fact(meeting_id, regions, view, view_context, items=items)
        facts[view] = fact
        out.append(
            ("live_updated", fact, [realtime.live_room(meeting_id, r) for r in VIEW_ROOMS[view]])
        )
    return out


def live_meeting():
    """The meeting running now, if any."""
    return db.session.scalar(
        select(Meeting).where(Meeting.status == "live").order_by(Meeting.scheduled_for.desc())
    )


def view_for(actor, meeting, view):
    """The view a page may have: a guest's phone is `guest` whatever it asked; the console is
    for who drives, records or keeps time; the screen for members. Refused in French."""
    require(
        permissions.can_follow_live(actor, meeting),
        _l("Cette réunion n’est pas la vôtre : rejoignez-la avec son code."),
    )
    if permissions.is_guest(actor):
        if view not in (None, "phone", "guest"):
            raise Forbidden(
                _l("Cette vue est réservée aux membres : suivez la réunion sur votre téléphone."),
                code="forbidden_view",
            )
        return "guest"
    if view in (None, "phone"):
        return "phone"
    if view == "screen":
        return "screen"
    if view == "console":
        require(
            permissions.can_record(actor, meeting) or permissions.can_keep_time(actor, meeting),
            _l("Seule l’animation de la réunion peut ouvrir la console."),
        )
        return "console"
    raise ServiceError(_l("Cette vue n’existe pas."), code="invalid_view")


def live_state(actor, meeting_id, view="phone"):
    """The exact current state of one view, for a page that (re)connects or reloads: called
    once the page is in its view's room (`realtime.join_then_read`), and every page joining the
    same state gets the same snapshot."""
    meeting = get_meeting(meeting_id)
    view = view_for(actor, meeting, view)

    def build():
        context = snapshots.read_consistently(
            lambda: live_context(meeting, view=_template_view(view))
        )
        fact = live_fact(meeting_id, regions=ALL_REGIONS, view=view, context=context)
        return fact, timing_of(context["current"])

    return {**snapshots.joined_fact(meeting, view, build), "view": view}


def publish_live(c, meeting_id, regions=REGIONS, items=None):
    """Inside a change: after its commit, every view of the Friday gets its own regions (with
    `items`, the ids of the points whose status alone changed: see `live_fact`)."""
    facts = []
    items = tuple(i for i in items or () if i is not None) or None

    def fact_for(index):
        if not facts:
            facts.extend(live_facts(meeting_id, regions, items=items))
        return facts[index][1]

    for index, view in enumerate(_views_for(regions)):
        c.publish(
            "live_updated",
            lambda i=index: fact_for(i),
            room=[realtime.live_room(meeting_id, r) for r in VIEW_ROOMS[view]],
        )


# When every follower answers a round at once, one fact per answer to every follower would be
# N² messages (250,000 at 500 followers, measured in bench/live_session.py): answers are
# committed one by one, and their fact is coalesced into one per short delay, always built
# from the database after the last commit.
COALESCE_SECONDS = 0.25


def publish_live_soon(meeting_id, regions):
    """After a commit: publish the live regions once, shortly, for a burst of changes."""
    regions = tuple(regions)
    realtime.publish_soon(
        ("live", meeting_id, regions), lambda: live_facts(meeting_id, regions), COALESCE_SECONDS
    )
