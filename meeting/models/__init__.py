"""The domain model, one module per area, re-exported here."""

from .members import ROLES, Invitation, LoginToken, Member
from .traces import Trace

__all__ = ["ROLES", "Invitation", "LoginToken", "Member", "Trace"]
