"""The domain model, one module per area, re-exported here."""

from .agenda import (
    CONSENT_ANSWERS,
    DAY_ROLES,
    ITEM_KINDS,
    ITEM_STATUSES,
    ROUND_KINDS,
    AgendaItem,
    Attendance,
    HandRaise,
    MeetingRole,
    Round,
    RoundAnswer,
)
from .calendar import (
    EVENT_STATUSES,
    EVENT_VISIBILITIES,
    Event,
    EventException,
    Notification,
)
from .decisions import ACTION_STATUSES, DECISION_MODES, Action, ActionReminder, Decision
from .meetings import (
    ENTRY_KINDS,
    MEETING_STATUSES,
    NEED_STATUSES,
    ClientOperation,
    Entry,
    EntryRevision,
    Meeting,
)
from .members import ROLES, FeedToken, Invitation, LoginToken, Member, PlaceSetting
from .proposals import PLACES, PROPOSAL_STATUSES, EventProposal, ProposalStatusChange
from .traces import Trace

__all__ = [
    "ACTION_STATUSES",
    "CONSENT_ANSWERS",
    "DAY_ROLES",
    "DECISION_MODES",
    "ENTRY_KINDS",
    "EVENT_STATUSES",
    "EVENT_VISIBILITIES",
    "ITEM_KINDS",
    "ITEM_STATUSES",
    "MEETING_STATUSES",
    "NEED_STATUSES",
    "PLACES",
    "PROPOSAL_STATUSES",
    "ROLES",
    "ROUND_KINDS",
    "Action",
    "ActionReminder",
    "AgendaItem",
    "Attendance",
    "ClientOperation",
    "Decision",
    "Entry",
    "EntryRevision",
    "Event",
    "EventException",
    "EventProposal",
    "FeedToken",
    "HandRaise",
    "Invitation",
    "LoginToken",
    "Meeting",
    "MeetingRole",
    "Member",
    "Notification",
    "PlaceSetting",
    "ProposalStatusChange",
    "Round",
    "RoundAnswer",
    "Trace",
]
