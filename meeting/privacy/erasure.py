"""Erasure ("droit à l'effacement"): a member asks for it from their profile, or an admin does it
from the members page. One change, one transaction:

- deleted: their billets d'humeur (with their versions), their sessions (ended first, so their
  sockets close after the commit), API and feed tokens, magic links, notifications, operation
  ids, the mark that they gave a weather on a Friday (the anonymous counts stay);
- emptied on their row: e-mail, password hash, last sign-in, role (back to member), the
  treasurer flag; their display name becomes a pseudonym, « Membre effacé·e n° 12 »; the
  account is deactivated and marked erased, so it never signs in or comes back;
- elsewhere: the e-mail of the invitations they used or that were sent to them; the postal
  address and e-mail of their gifts; their offers of the catalogue are withdrawn.

What stays, unchanged: the archive (decisions, minutes, actions, attendance, round answers,
traces, needs, points and proposals of the documents, the accounts). Every one of those refers
to the member by id, and the member row stays as their pseudonymous anchor: each page reads the
pseudonym from it, so not one row of the append-only tables (migration 5b8c9d0e1f2a) is
written and the archive stays whole and readable. One exception the law makes: a gift whose tax
receipt was issued keeps the donor's name and address on it (the association must keep its
receipts), no longer linked to the account.

The erasure is traced `member_erased` with the member's id only: its sentence shows the
pseudonym.
"""

from sqlalchemy import delete, func, or_, select, update

from .. import permissions
from ..api.models import ApiToken
from ..decisions import public
from ..errors import Conflict, NotFound, ServiceError, require
from ..extensions import db
from ..i18n import _, _l, french
from ..members import sessions
from ..members.services import get_member
from ..models import (
    Attendance,
    CatalogueItem,
    ClientOperation,
    Decision,
    Entry,
    FeedToken,
    Gift,
    Invitation,
    LoginToken,
    Member,
    MemberSession,
    Notification,
    RoundAnswer,
    WeatherGiven,
)
from ..models.base import utcnow
from ..pipeline import change
from ..realtime import close_connections, document_room, member_room

CONFIRMATION_WORD = "EFFACER"


def pseudonym(member_id):
    """« Membre effacé·e n° 12 »: the name an erased member's row holds (in French, the record's
    language, whatever the language of the page that erased it)."""
    return french(lambda: _("Membre effacé·e n° %(n)s", n=member_id))


def is_erased(member):
    return getattr(member, "erased_at", None) is not None


def may_erase(actor, member):
    """The member themself, or an admin."""
    return permissions.can_edit_profile(actor, member) or permissions.can_manage_members(actor)


def clean_confirmation(confirmation):
    if (confirmation or "").strip().upper() != CONFIRMATION_WORD:
        raise ServiceError(
            _l(
                "Pour confirmer l’effacement, écrivez %(word)s dans le champ.",
                word=CONFIRMATION_WORD,
            ),
            code="not_confirmed",
            field="confirmation",
        )


def _active_admins():
    return db.session.scalar(
        select(func.count(Member.id)).where(Member.role == "admin", Member.deactivated_at.is_(None))
    )


def erasable(actor, member_id):
    """The member `actor` may erase (NotFound, Forbidden or Conflict in French otherwise)."""
    member = get_member(member_id)
    if member.is_system:
        raise NotFound(_l("Ce membre n’existe pas."))
    require(may_erase(actor, member))
    if is_erased(member):
        raise Conflict(_l("Ce compte est déjà effacé."), code="already_erased")
    if member.role == "admin" and member.deactivated_at is None and _active_admins() <= 1:
        raise Conflict(
            _l(
                "Il faut au moins un·e administrateur·rice : confiez d’abord ce rôle à une autre "
                "personne, puis effacez ce compte."
            ),
            code="last_admin",
        )
    return member


def _pseudonymise_objections(member_id, real_name, new_name):
    """The one place the archive wrote a name down: a decision's round result lists who
    objected by name (`live.state.round_results`). The member's entries there take the
    pseudonym (the database lets a closed Friday's decision change in these names only,
    migration 6c1d2e3f4a5b). Each is found by its place among the round's objections when the
    round still has as many, else by the name it was written with."""
    answers = db.session.execute(
        select(RoundAnswer.round_id, RoundAnswer.id)
        .join(Attendance, Attendance.id == RoundAnswer.attendance_id)
        .where(
            Attendance.member_id == member_id,
            or_(RoundAnswer.answer == "object", RoundAnswer.objection.is_not(None)),
        )
    ).all()
    mine = {round_id: answer_id for round_id, answer_id in answers}
    if not mine:
        return
    for decision in db.session.scalars(select(Decision).where(Decision.round_id.in_(mine))):
        result = dict(decision.result or {})
        objections = [dict(o) for o in result.get("objections") or [] if isinstance(o, dict)]
        if len(objections) != len(result.get("objections") or []):
            continue
        objecting = db.session.scalars(
            select(RoundAnswer.id)
            .where(RoundAnswer.round_id == decision.round_id, RoundAnswer.answer == "object")
            .order_by(RoundAnswer.id)
        ).all()
        if len(objecting) == len(objections) and mine[decision.round_id] in objecting:
            places = [objecting.index(mine[decision.round_id])]
        else:
            places = [i for i, o in enumerate(objections) if o.get("name") == real_name]
        for place in places:
            objections[place]["name"] = new_name
        if places:
            decision.result = {**result, "objections": objections}


def erase(actor, member_id, confirmation):
    """Erase a member's billets and personal data and pseudonymise them in the archive (the
    member themself or an admin; `confirmation` is the word typed). Returns the member row."""
    erasable(actor, member_id)
    clean_confirmation(confirmation)
    with change() as c:
        member = erasable(actor, member_id)  # read again under the write lock
        mid, real_name, email = member.id, member.display_name, member.email
        now = utcnow()

        billets = db.session.execute(
            select(Entry.id, Entry.meeting_id).where(Entry.author_id == mid, Entry.kind == "mood")
        ).all()
        if billets:
            # Their versions go with them (ON DELETE CASCADE); an agenda point that came from one
            # keeps its title (ON DELETE SET NULL).
            db.session.execute(
                delete(Entry)
                .where(Entry.id.in_([row.id for row in billets]))
                .execution_options(synchronize_session=False)
            )
        for entry_id, meeting_id in billets:
            c.publish(
                "entry_deleted",
                {"meeting_id": meeting_id, "entry_id": entry_id, "kind": "mood"},
                room=document_room(meeting_id),
            )

        sessions.end_all(mid, during=c)  # their sockets close after the commit
        for model in (MemberSession, ApiToken, FeedToken, LoginToken, Notification):
            db.session.execute(
                delete(model)
                .where(model.member_id == mid)
                .execution_options(synchronize_session=False)
            )
        for model in (ClientOperation, WeatherGiven):
            db.session.execute(
                delete(model)
                .where(model.member_id == mid)
                .execution_options(synchronize_session=False)
            )
        invited = Invitation.used_by_id == mid
        if email:
            invited = or_(invited, func.lower(Invitation.email) == email.lower())
        db.session.execute(
            update(Invitation)
            .where(invited)
            .values(email=None)
            .execution_options(synchronize_session=False)
        )
        # A receipt issued is kept as issued (the law): the donor is named on the gift itself.
        db.session.execute(
            update(Gift)
            .where(Gift.donor_member_id == mid, Gift.receipt_number.is_not(None))
            .values(
                donor_member_id=None,
                donor_name=func.coalesce(Gift.donor_name, real_name),
                donor_email=None,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            update(Gift)
            .where(Gift.donor_member_id == mid)
            .values(donor_name=None, donor_email=None, donor_address=None, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            update(CatalogueItem)
            .where(CatalogueItem.offered_by_id == mid, CatalogueItem.active.is_(True))
            .values(active=False, updated_at=now)
            .execution_options(synchronize_session=False)
        )

        _pseudonymise_objections(mid, real_name, pseudonym(mid))
        member.display_name = pseudonym(mid)
        # Kept as a key only: the public redactor still hides the name where a text cites it.
        member.erased_name_key = public.erased_name_key(real_name)
        member.email = None
        member.password_hash = None
        member.role = "member"
        member.is_treasurer = False
        member.last_sign_in_at = None
        member.caught_up_at = None
        member.deactivated_at = member.deactivated_at or now
        member.erased_at = now
        c.trace(actor, "member_erased", member, member_id=mid, own=actor.id == mid)
        c.after_commit(close_connections, member_room(mid))
    return member
