"""The domain model, one module per area, re-exported here."""

from .meetings import (
    ENTRY_KINDS, MEETING_STATUSES, NEED_STATUSES, ClientOperation, Entry, EntryRevision, Meeting,
)
from .members import ROLES, Invitation, LoginToken, Member
from .proposals import PLACES, PROPOSAL_STATUSES, EventProposal, ProposalStatusChange
from .traces import Trace

__all__ = [
    "ENTRY_KINDS", "MEETING_STATUSES", "NEED_STATUSES", "PLACES", "PROPOSAL_STATUSES", "ROLES",
    "ClientOperation", "Entry", "EntryRevision", "EventProposal", "Invitation", "LoginToken",
    "Meeting", "Member", "ProposalStatusChange", "Trace",
]
