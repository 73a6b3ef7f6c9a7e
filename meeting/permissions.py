"""Named permission predicates, shared by views, socket handlers and services.

Each takes the acting member (or None for an anonymous visitor) and answers yes or no.
"""


def _signed_in(actor):
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active


def anyone(actor):
    return True


def is_member(actor):
    """Any signed-in, active member (whatever their role)."""
    return _signed_in(actor)


def is_facilitator(actor):
    return _signed_in(actor) and actor.role in ("facilitator", "admin")


def is_admin(actor):
    return _signed_in(actor) and actor.role == "admin"


def can_manage_members(actor):
    """Invite people, change roles, deactivate and reactivate accounts."""
    return is_admin(actor)


def can_view_traces(actor):
    """The trace feed names people: members only."""
    return is_member(actor)


def can_edit_profile(actor, member):
    return _signed_in(actor) and member is not None and actor.id == member.id
