"""Socket commands of the live meeting. Facts (`live_updated`) go to one room per view:
`live:<id>:console`, `live:<id>:screen`, `live:<id>:phone` and `live:<id>:guest`.

Console commands re-check the day's roles in the services; phones (members and guests) send
`join_live`, `raise_hand`, `lower_hand` and `answer_round`. Most commands are also the plain
form posts of the console and the phones (door "form"); preparing the agenda, the day's roles
and attendance, removing a point, starting and closing the Friday are form posts only so far.
"""

from flask_socketio import leave_room

from .. import permissions
from ..commands import command
from ..decisions import services as decisions
from ..decisions.events import PROPOSAL_STEP_FIELDS
from ..economy.facts import on_figures_changed
from ..errors import ServiceError
from ..i18n import _l
from ..realtime import LIVE_VIEWS, join_then_read, live_room
from . import budget, services
from .items import add_budget_point as add_budget_item
from .state import publish_live_soon

BOTH = ("socket", "form")
FORM = ("form",)  # no page sends these over the socket yet


@command(
    "join_live",
    allowed=permissions.can_follow_live,
    signed_in=False,
    fields={"meeting_id": (int, True), "view": (str, False)},
)
def join_live(actor, meeting_id, view=None):
    """Sent by the console, the screen and phones on every (re)connection; the server picks the
    room of the view this actor may have (a guest always gets the guest phone's) and answers
    with that view's exact current state. A member's phone joining sends the consoles their
    fresh "suivent sur leur téléphone" proposal; nothing else is broadcast."""
    meeting = services.get_meeting(meeting_id)
    room_view = services.view_for(actor, meeting, view)
    # One view per page: a page that asked for another view before leaves its room.
    for other in LIVE_VIEWS:
        if other != room_view:
            leave_room(live_room(meeting_id, other))
    # Join first, then read: a change landing in between reaches this page either way.
    join_then_read(live_room(meeting_id, room_view))
    if room_view == "phone" and meeting.status != "closed":
        # A member's phone follows: the consoles propose them as present (the fact goes to
        # the consoles only, coalesced when a room of phones arrives together).
        services.publish_followers(meeting_id)
    return services.live_state(actor, meeting_id, view)


@command(
    "advance_item",
    allowed=permissions.is_member,
    fields={"meeting_id": (int, True), "live_revision": (int, True), "direction": (str, False)},
    doors=(*BOTH, "api"),
)
def advance_item(actor, meeting_id, live_revision, direction="next"):
    """Sent by the console ("Suivant" / "Précédent"); broadcasts `live_updated`."""
    item = services.advance(actor, meeting_id, live_revision, direction)
    return {"item_id": item.id}


@command(
    "control_timer",
    allowed=permissions.is_member,
    fields={"meeting_id": (int, True), "action": (str, True)},
    doors=BOTH,
)
def control_timer(actor, meeting_id, action):
    """Sent by the console (start, pause, +5 min); broadcasts `live_updated`."""
    services.control_timer(actor, meeting_id, action)
    return {}


@command(
    "postpone_item",
    allowed=permissions.is_member,
    fields={"meeting_id": (int, True), "item_id": (int, True)},
    doors=(*BOTH, "api"),
)
def postpone_item(actor, meeting_id, item_id):
    """Sent by the console; broadcasts `live_updated`."""
    services.postpone(actor, meeting_id, item_id)
    return {}


@command(
    "reorder_agenda",
    allowed=permissions.is_member,
    fields={"meeting_id": (int, True), "agenda_revision": (int, True), "order": (list, True)},
    doors=("socket", "api"),
)
def reorder_agenda(actor, meeting_id, agenda_revision, order):
    """Sent by the console after a drag and drop; refused if the agenda changed meanwhile.
    Broadcasts `live_updated`."""
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in order):
        raise ServiceError(
            _l("L’ordre envoyé ne correspond pas aux points de l’ordre du jour."),
            code="invalid_order",
        )
    services.reorder(actor, meeting_id, agenda_revision, order)
    return {}


@command(
    "move_item",
    allowed=permissions.is_member,
    fields={"item_id": (int, True), "direction": (str, True), "agenda_revision": (int, True)},
    doors=(*BOTH, "api"),
)
def move_item(actor, item_id, direction, agenda_revision):
    """Sent by the console's up/down buttons; broadcasts `live_updated`."""
    services.move_item(actor, item_id, direction, agenda_revision)
    return {}


@command(
    "set_timebox",
    allowed=permissions.is_member,
    fields={"item_id": (int, True), "minutes": (int, True)},
    doors=(*BOTH, "api"),
)
def set_timebox(actor, item_id, minutes):
    """Sent by the console; broadcasts `live_updated`."""
    services.set_timebox(actor, item_id, minutes)
    return {}


@command(
    "raise_hand",
    allowed=permissions.can_follow_live,
    signed_in=False,
    fields={"meeting_id": (int, True)},
    doors=BOTH,
)
def raise_hand(actor, meeting_id):
    """Sent by a phone (member or guest); a hand already raised stays once. Broadcasts
    `live_updated` (queue)."""
    hand = services.raise_hand(actor, meeting_id)
    return {"hand_id": hand.id}


@command(
    "lower_hand",
    allowed=permissions.can_follow_live,
    signed_in=False,
    fields={"meeting_id": (int, True)},
    doors=BOTH,
)
def lower_hand(actor, meeting_id):
    """Sent by a phone; broadcasts `live_updated` (queue)."""
    return {"lowered": services.lower_hand(actor, meeting_id)}


@command(
    "give_floor",
    allowed=permissions.is_member,
    fields={"meeting_id": (int, True), "hand_id": (int, True)},
    doors=BOTH,
)
def give_floor(actor, meeting_id, hand_id):
    """Sent by the console; broadcasts `live_updated` (queue)."""
    services.give_floor(actor, meeting_id, hand_id)
    return {}


@command(
    "open_round",
    allowed=permissions.is_member,
    fields={
        "meeting_id": (int, True),
        "kind": (str, True),
        "question": (str, True),
        "options": (list, False),
    },
    doors=BOTH,
)
def open_round(actor, meeting_id, kind, question, options=None):
    """Sent by the console; broadcasts `live_updated` (round)."""
    if options is not None and not all(isinstance(o, str) for o in options):
        raise ServiceError(
            _l("Un vote demande au moins deux choix différents."), code="invalid_options"
        )
    round_ = services.start_round(actor, meeting_id, kind, question, options)
    return {"round_id": round_.id}


@command(
    "answer_round",
    allowed=permissions.can_follow_live,
    signed_in=False,
    fields={
        "round_id": (int, True),
        "answer": (str, True),
        "reason": (str, False),
        "op_id": (str, False),
    },
    doors=BOTH,
)
def answer_round(actor, round_id, answer, reason=None, op_id=None):
    """Sent by a phone (member or guest); a second answer replaces the first. Broadcasts
    `live_updated` (round)."""
    return {"answer": services.answer_round(actor, round_id, answer, reason)}


@command("close_round", allowed=permissions.is_member, fields={"round_id": (int, True)}, doors=BOTH)
def close_round(actor, round_id):
    """Sent by the console; broadcasts `live_updated` (round)."""
    services.close_round(actor, round_id)
    return {}


@command(
    "record_decision",
    allowed=permissions.is_member,
    fields={
        "meeting_id": (int, True),
        "statement": (str, True),
        "mode": (str, True),
        "objections": (str, False),
        "objections_lifted": (str, False),
        "review_on": (str, False),
        "round_id": (int, False),
        # a number, or the text typed in the form (the service says what is wrong with it)
        "supersedes_number": ((int, str), False),
        **PROPOSAL_STEP_FIELDS,
    },
    doors=(*BOTH, "api"),
)
def record_decision(
    actor,
    meeting_id,
    statement,
    mode,
    objections=None,
    objections_lifted=None,
    review_on=None,
    round_id=None,
    supersedes_number=None,
    **proposal_step,
):
    """Sent by the console (facilitator or scribe), naming the round it follows, the
    decision of a closed Friday it replaces, if any, and, on a point from a proposal, what it
    means for the proposal (and its event); broadcasts `live_updated` (decisions)."""
    decision = decisions.record_decision(
        actor,
        meeting_id,
        statement,
        mode,
        objections,
        objections_lifted,
        review_on,
        round_id,
        supersedes_number,
        **proposal_step,
    )
    return {"decision_id": decision.id, "number": decision.number}


@command(
    "add_action",
    allowed=permissions.is_member,
    fields={
        "meeting_id": (int, True),
        "label": (str, True),
        "owner_id": (int, False),
        "due_on": (str, True),
        "decision_id": (int, False),
    },
    doors=(*BOTH, "api"),
)
def add_action(actor, meeting_id, label, due_on, owner_id=None, decision_id=None):
    """Sent by the console (facilitator or scribe); broadcasts `live_updated` (decisions)."""
    action = decisions.add_action(actor, meeting_id, label, owner_id, due_on, decision_id)
    return {"action_id": action.id}


@command(
    "prepare_agenda",
    allowed=permissions.is_member,
    fields={"meeting_id": (int, True)},
    doors=(*FORM, "api"),
)
def prepare_agenda(actor, meeting_id):
    """Posted by the console before the meeting: the check-in round and the decisions due for
    review go on the agenda. Broadcasts `live_updated`."""
    services.prepare_agenda(actor, meeting_id)
    return {}


@command(
    "add_agenda_entries",
    allowed=permissions.is_member,
    fields={"meeting_id": (int, True), "entry_id": (list[int], False)},
    doors=(*FORM, "api"),
)
def add_agenda_entries(actor, meeting_id, entry_id=None):
    """Posted by the console with the document's entries ticked (`entry_id`, one per box);
    broadcasts `live_updated`."""
    return {"added": services.add_entries(actor, meeting_id, entry_id or [])}


@command(
    "add_agenda_item",
    allowed=permissions.is_member,
    fields={"meeting_id": (int, True), "title": (str, True), "timebox_minutes": (int, False)},
    doors=(*FORM, "api"),
)
def add_agenda_item(actor, meeting_id, title, timebox_minutes=None):
    """Posted by the console: a point that is not in the document. Broadcasts `live_updated`."""
    if timebox_minutes is None:
        timebox_minutes = services.DEFAULT_TIMEBOX
    item = services.add_item(actor, meeting_id, title, timebox_minutes)
    return {"item_id": item.id}


@command(
    "remove_item",
    allowed=permissions.is_member,
    fields={"item_id": (int, True)},
    doors=(*FORM, "api"),
)
def remove_item(actor, item_id):
    """Posted by the console: a point that has not started leaves the agenda. Broadcasts
    `live_updated`."""
    services.remove_item(actor, item_id)
    return {}


@command(
    "assign_role",
    allowed=permissions.is_member,
    fields={"meeting_id": (int, True), "role": (str, True), "member_id": (int, True)},
    doors=FORM,
)
def assign_role(actor, meeting_id, role, member_id):
    """Posted by the console: who facilitates, takes notes, keeps time this Friday. Broadcasts
    `live_updated` (status)."""
    services.assign_role(actor, meeting_id, role, member_id)
    return {}


@command(
    "set_attendance",
    allowed=permissions.is_member,
    fields={"meeting_id": (int, True), "member_id": (int, True), "status": (str, False)},
    doors=FORM,
)
def set_attendance(actor, meeting_id, member_id, status=None):
    """Posted by the console: a member present or excused (no status: not said). Broadcasts
    `live_updated`."""
    services.set_attendance(actor, meeting_id, member_id, status)
    return {}


@command(
    "mark_present",
    allowed=permissions.is_member,
    fields={"meeting_id": (int, True), "member_id": (list[int], False)},
    doors=FORM,
)
def mark_present(actor, meeting_id, member_id=None):
    """Posted by the console: "Tout le monde est là" (no `member_id`: every member not excused)
    or the members whose phones follow (one `member_id` each), present in one change.
    Broadcasts `live_updated` (status)."""
    return {"marked": services.mark_present(actor, meeting_id, member_id)}


@command(
    "start_meeting", allowed=permissions.is_member, fields={"meeting_id": (int, True)}, doors=FORM
)
def start_meeting(actor, meeting_id):
    """Posted by the console or the document: the Friday goes live (join code, first point).
    Broadcasts the new phase to every room of the Friday; then a backup (BACKUP_ON_START),
    after the commit, whose failure is only logged."""
    services.start_live(actor, meeting_id)
    return {}


@command(
    "close_meeting", allowed=permissions.is_member, fields={"meeting_id": (int, True)}, doors=FORM
)
def close_meeting(actor, meeting_id):
    """Posted by the console or the document: the Friday closes, unfinished points go to the
    next one. Broadcasts the new phase to every room of the Friday."""
    services.close_live(actor, meeting_id)
    return {}


@command(
    "add_budget_point",
    allowed=permissions.is_member,
    fields={"meeting_id": (int, True)},
    doors=BOTH,
)
def add_budget_point(actor, meeting_id):
    """Sent or posted by the console: "Où en est-on ?" goes on the agenda (once). Broadcasts
    `live_updated`."""
    item = add_budget_item(actor, meeting_id)
    return {"item_id": item.id}


@on_figures_changed
def budget_figures_changed():
    """After a change of the year's figures (a gift confirmed during the meeting…): while a
    live Friday's current point is "Où en est-on ?", every view of it gets the panel again
    (`live_updated` with the region `budget_panel` only, coalesced)."""
    meeting = services.live_meeting()
    if meeting is None or not budget.is_budget_point(services.current_item(meeting.id)):
        return
    publish_live_soon(meeting.id, (budget.REGION,))
