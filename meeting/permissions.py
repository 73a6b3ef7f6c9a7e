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


# -- the shared document ---------------------------------------------------------------------


def can_read_document(actor):
    """Documents hold billets d'humeur: signed-in members only."""
    return is_member(actor)


def can_write_document(actor):
    return is_member(actor)


def can_edit_entry(actor, entry):
    """Authors edit their own entries; facilitators can edit any (the change is traced)."""
    return _signed_in(actor) and (entry.author_id == actor.id or is_facilitator(actor))


def can_delete_entry(actor, entry):
    """Only the author removes an entry (a billet d'humeur can be removed at any time)."""
    return _signed_in(actor) and entry.author_id == actor.id


def can_claim_need(actor, entry):
    return is_member(actor)


def can_release_need(actor, entry):
    return _signed_in(actor) and (entry.claimed_by_id == actor.id or is_facilitator(actor))


def can_resolve_need(actor, entry):
    """Whoever took it on, whoever asked, or a facilitator marks a need met or dropped."""
    return _signed_in(actor) and (
        actor.id in (entry.claimed_by_id, entry.author_id) or is_facilitator(actor)
    )


def can_run_meeting(actor):
    """Open and close a Friday's meeting."""
    return is_facilitator(actor)


def can_propose_event(actor):
    return is_member(actor)


def can_withdraw_proposal(actor, proposal):
    return _signed_in(actor) and proposal.proposer_id == actor.id


def can_view_proposal(actor, proposal):
    return is_member(actor)
