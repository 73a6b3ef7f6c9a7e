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


# Who may use each control of a document entry, as relations of the reader to the entry. The
# predicates below read this table, and so does the document page's script (through
# `entry_controls_for`), which keeps in a broadcast fragment only the controls its reader may
# use: the rule is written once, here.
ENTRY_CONTROLS = {
    "edit": ("author", "facilitator"),  # facilitators can edit any entry (the change is traced)
    "delete": ("author",),  # only the author removes an entry (a billet, at any time)
    "release": ("claimer", "facilitator"),
    "resolve": ("claimer", "author", "facilitator"),  # whoever took it on, asked, or facilitates
}


def _relations(actor, entry):
    relations = set()
    if actor.id == entry.author_id:
        relations.add("author")
    if actor.id == getattr(entry, "claimed_by_id", None):
        relations.add("claimer")
    if is_facilitator(actor):
        relations.add("facilitator")
    return relations


def may_use(actor, entry, control):
    """Whether `actor` may use `control` (a key of ENTRY_CONTROLS) on `entry`."""
    return _signed_in(actor) and bool(_relations(actor, entry) & set(ENTRY_CONTROLS[control]))


def entry_controls_for(actor):
    """What the document page's script needs to apply ENTRY_CONTROLS for its reader."""
    return {
        "member_id": getattr(actor, "id", None),
        "facilitator": is_facilitator(actor),
        "controls": ENTRY_CONTROLS,
    }


def can_edit_entry(actor, entry):
    return may_use(actor, entry, "edit")


def can_delete_entry(actor, entry):
    return may_use(actor, entry, "delete")


def can_claim_need(actor, entry):
    return is_member(actor)


def can_release_need(actor, entry):
    return may_use(actor, entry, "release")


def can_resolve_need(actor, entry):
    return may_use(actor, entry, "resolve")


def can_run_meeting(actor):
    """Open and close a Friday's meeting."""
    return is_facilitator(actor)


def can_propose_event(actor):
    return is_member(actor)


def can_withdraw_proposal(actor, proposal):
    return _signed_in(actor) and proposal.proposer_id == actor.id


def can_view_proposal(actor, proposal):
    return is_member(actor)


# -- Friday live --------------------------------------------------------------------------------


def _day_role(actor, meeting, *roles):
    if not _signed_in(actor) or meeting is None:
        return False
    from sqlalchemy import select

    from .extensions import db
    from .models import MeetingRole

    return (
        db.session.scalar(
            select(MeetingRole.id).where(
                MeetingRole.meeting_id == meeting.id,
                MeetingRole.member_id == actor.id,
                MeetingRole.role.in_(roles),
            )
        )
        is not None
    )


def can_run_live(actor, meeting=None):
    """Drive the console: facilitators, and whoever facilitates that Friday."""
    return is_facilitator(actor) or _day_role(actor, meeting, "facilitator")


def can_record(actor, meeting=None):
    """Record decisions and actions: who runs the console, and the scribe of the day."""
    return can_run_live(actor, meeting) or _day_role(actor, meeting, "scribe")


def can_keep_time(actor, meeting=None):
    return can_run_live(actor, meeting) or _day_role(actor, meeting, "timekeeper")


def is_guest(actor):
    return actor is not None and getattr(actor, "role", None) == "guest"


def can_follow_live(actor, meeting=None):
    """Follow the live meeting, raise a hand, answer rounds: members, and guests of it."""
    if is_member(actor):
        return True
    return is_guest(actor) and (meeting is None or actor.meeting_id == meeting.id)


# -- the archive: decisions and minutes -------------------------------------------------------


def can_read_archive(actor):
    """Decisions and minutes: members, and anyone when the place publishes them
    (`place.publication()`). Never billets d'humeur, whatever the setting."""
    if is_member(actor):
        return True
    from .place import archive_is_public

    return archive_is_public()


# -- "Mes actions" (issue 9, actions) ---------------------------------------------------------


def can_view_actions(actor):
    """The actions pages name who does what: members only (never guests)."""
    return is_member(actor)


def can_complete_action(actor, action):
    """Mark an action done or reopen it: only the person who took it on (its owner)."""
    return _signed_in(actor) and action is not None and action.owner_id == actor.id


# -- decisions: correcting one of a closed Friday (issue 9, decisions register) ----------------


def can_correct_decision(actor):
    """Put "Corriger la décision n° N" on the coming Friday's agenda: facilitators."""
    return is_facilitator(actor)


# -- the minutes of a Friday (issue 9, minutes) -----------------------------------------------


def can_write_summary(actor, meeting=None):
    """The scribe's summary of a Friday: the scribe of the day and who runs the console."""
    return can_record(actor, meeting)


def can_validate_minutes(actor, meeting=None):
    """Validate a closed Friday's minutes (then mailed to members): the scribe of that Friday,
    its facilitator, facilitators and admins."""
    return can_record(actor, meeting)


# -- search (issue 9) -----------------------------------------------------------------------


def can_search_everything(actor):
    """Search needs, points and proposals besides decisions and minutes: members only (never
    billets d'humeur, which are not indexed)."""
    return is_member(actor)


def can_search_archive(actor):
    """Search decisions and minutes: whoever may read them (anyone when the place publishes)."""
    return can_read_archive(actor)


# -- the place's calendar (issue 10) -------------------------------------------------------------


def can_manage_calendar(actor):
    """Create, edit, cancel events and skip a date of a series: facilitators and admins."""
    return is_facilitator(actor)


# -- the place's economy ---------------------------------------------------------------------


def can_keep_accounts(actor):
    """The treasurer (a member marked so) and admins: the budget's lines, every gift, every
    use of the catalogue, the ledger; individual amounts are theirs to see."""
    return _signed_in(actor) and (
        actor.role == "admin" or bool(getattr(actor, "is_treasurer", False))
    )


def can_read_budget(actor):
    """The members' budget page (totals, month by month); the public page is for anyone."""
    return is_member(actor)


def can_view_gift(actor, gift):
    """A gift is seen by the treasurer and by its donor, nobody else."""
    if not _signed_in(actor) or gift is None:
        return False
    return can_keep_accounts(actor) or gift.donor_member_id == actor.id


def can_pledge_gift(actor):
    return is_member(actor)


def can_view_use(actor, use):
    """A use of the catalogue and its contribution: its member and the treasurer."""
    if not _signed_in(actor) or use is None:
        return False
    return can_keep_accounts(actor) or use.member_id == actor.id


def can_record_use(actor):
    return is_member(actor)


def can_view_catalogue(actor):
    """The catalogue is what the place offers: anyone may read it."""
    return True


def can_manage_catalogue_item(actor, item=None):
    """A member adds their own offers and edits them; facilitators and the treasurer edit any."""
    if not _signed_in(actor):
        return False
    if item is None or is_facilitator(actor) or can_keep_accounts(actor):
        return True
    return item.offered_by_id == actor.id or item.created_by_id == actor.id


def can_view_in_kind(actor, entry):
    """The estimated value of what someone brought for a need: them and the treasurer."""
    if not _signed_in(actor) or entry is None:
        return False
    return can_keep_accounts(actor) or entry.in_kind_member_id == actor.id


def can_view_life(actor):
    """The life of the place in pictures (counts only): whoever reads the archive."""
    return can_read_archive(actor)


# -- the catalogue (helper "catalogue", issue 11) ----------------------------------------------


def can_offer_as_place(actor):
    """Facilitators and the treasurer offer goods and services in the place's own name."""
    return is_facilitator(actor) or can_keep_accounts(actor)
