"""Traces become sentences when read, in the reader's language, with today's names.

A trace stores a verb, the ids of the people it is about and non-personal values (titles of
the place's content, dates, counts, kinds, statuses) in `data`; never a sentence or a name.
`sentence(trace)` renders one; `sentences_for(traces)` renders a list with one query for the
people of all of them. A member who was renamed, deactivated or erased (pseudonymised) appears
under the name their row holds now; a guest of a live Friday under the first name of their
attendance row.

People are referred to by:
- `trace.actor_id` (a member), or `data["attendance_id"]` for a guest;
- `data["member_id"]`, `data["owner_id"]`, `data["author_id"]` (members).
"""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm.util import identity_key

from ..extensions import db
from ..i18n import _, iso_date_long, ngettext
from ..labels import MODE_LABELS, PROPOSAL_STATUS_LABELS, ROLE_LABELS
from ..models import Attendance, Member

MEMBER_KEYS = ("member_id", "owner_id", "author_id")


def _names_in_hand(member_ids):
    """The names of members this session already holds, loaded and not expired (the actor of a
    change that just committed): a trace's fact is built without reading them again."""
    names = {}
    for member_id in member_ids:
        member = db.session.identity_map.get(identity_key(Member, member_id))
        if member is not None and "display_name" in vars(member):
            names[member_id] = member.display_name
    return names


class People:
    """The names of the people some traces refer to, loaded at once."""

    def __init__(self, members=None, guests=None):
        self.members = members or {}
        self.guests = guests or {}

    @classmethod
    def load(cls, traces):
        member_ids, attendance_ids = set(), set()
        for trace in traces:
            data = trace.data or {}
            if trace.actor_id is not None:
                member_ids.add(trace.actor_id)
            member_ids.update(data[k] for k in MEMBER_KEYS if isinstance(data.get(k), int))
            member_ids.update(m for m in data.get("member_ids") or () if isinstance(m, int))
            if isinstance(data.get("attendance_id"), int):
                attendance_ids.add(data["attendance_id"])
        members = _names_in_hand(member_ids)
        missing = member_ids - members.keys()
        if missing:
            members.update(
                db.session.execute(
                    select(Member.id, Member.display_name).where(Member.id.in_(missing))
                ).all()
            )
        guests = {}
        if attendance_ids:
            rows = db.session.execute(
                select(Attendance.id, Attendance.guest_name, Member.display_name)
                .outerjoin(Member, Member.id == Attendance.member_id)
                .where(Attendance.id.in_(attendance_ids))
            ).all()
            guests = {row_id: guest or member for row_id, guest, member in rows}
        return cls(members, guests)

    def member(self, member_id):
        name = self.members.get(member_id)
        return name if name is not None else _("Quelqu’un")

    def actor(self, trace):
        if trace.actor_id is not None:
            return self.member(trace.actor_id)
        name = self.guests.get((trace.data or {}).get("attendance_id"))
        return name if name is not None else _("Quelqu’un")


def _day(value):
    """A stored ISO date ('2026-12-04') as 'vendredi 4 décembre 2026' in the reader's language."""
    if isinstance(value, date):
        value = value.isoformat()
    if not value:
        raise KeyError("date")
    return iso_date_long(value)


def _proposal_step_noted(t, d, who, p):
    if d.get("date"):  # its point carried to another Friday
        return _("« %(title)s » est reportée au %(date)s.", title=d["title"], date=_day(d["date"]))
    if d.get("event_id"):
        return _("« %(title)s » : son événement a changé.", title=d["title"])
    return _(
        "« %(title)s » : une étape de plus (%(status)s).",
        title=d["title"],
        status=str(PROPOSAL_STATUS_LABELS[d["status"]]),
    )


def _member_role(role):
    from ..members.services import role_label

    return role_label(role)


# -- one function per verb: (trace, data, who, people) → sentence ------------------------------
# `who` is the actor's name. A missing value raises KeyError: the trace then gets the generic
# sentence rather than a wrong one.


def _entry_added(t, d, who, p):
    kind = d["kind"]
    if kind == "mood":
        return _("%(name)s a écrit un billet d’humeur.", name=who)
    if kind == "need":
        return _("%(name)s a exprimé un besoin : « %(title)s ».", name=who, title=d["title"])
    if kind == "topic":
        return _(
            "%(name)s a proposé un point à discuter : « %(title)s ».", name=who, title=d["title"]
        )
    if kind == "proposal":
        return _("%(name)s a proposé un événement : « %(title)s ».", name=who, title=d["title"])
    raise KeyError(kind)


def _entry_edited(t, d, who, p):
    author_id = d.get("author_id", t.actor_id)
    own = author_id == t.actor_id
    if d["kind"] == "mood":
        if own:
            return _("%(name)s a modifié son billet d’humeur.", name=who)
        return _(
            "%(name)s a modifié le billet d’humeur de %(author)s.",
            name=who,
            author=p.member(author_id),
        )
    if own:
        return _("%(name)s a modifié « %(title)s ».", name=who, title=d["title"])
    return _(
        "%(name)s a modifié « %(title)s » de %(author)s.",
        name=who,
        title=d["title"],
        author=p.member(author_id),
    )


def _entry_deleted(t, d, who, p):
    if d["kind"] == "mood":
        return _("%(name)s a retiré son billet d’humeur.", name=who)
    return _("%(name)s a retiré « %(title)s ».", name=who, title=d["title"])


def _need_resolved(t, d, who, p):
    if d["status"] == "met":
        return _(
            "%(name)s a indiqué que le besoin « %(title)s » est satisfait.",
            name=who,
            title=d["title"],
        )
    return _("%(name)s a abandonné le besoin « %(title)s ».", name=who, title=d["title"])


def _member_joined(t, d, who, p):
    if d.get("first"):
        return _("%(name)s a ouvert Vendredi pour Le 97.", name=who)
    return _("%(name)s a rejoint Le 97.", name=who)


def _profile_updated(t, d, who, p):
    # The former name is not kept (it would survive an erasure): the feed says a rename
    # happened, under the name the person has now.
    if d.get("renamed"):
        return _("%(name)s a changé de nom.", name=who)
    return _("%(name)s a mis à jour son profil.", name=who)


def _round_opened(t, d, who, p):
    kind = _("consentement") if d["kind"] == "consent" else _("vote")
    return _(
        "%(name)s a ouvert un tour (%(kind)s) sur « %(title)s ».",
        name=who,
        kind=kind,
        title=d["title"],
    )


def _attendance_set(t, d, who, p):
    status = {"present": _("présent·e"), "excused": _("excusé·e")}.get(
        d.get("status"), _("non indiqué·e")
    )
    return _(
        "%(name)s : %(status)s le %(date)s.",
        name=p.member(d["member_id"]),
        status=status,
        date=_day(d["date"]),
    )


def _attendance_marked_present(t, d, who, p):
    names = ", ".join(p.member(m) for m in d.get("member_ids") or ())
    return ngettext(
        "%(name)s a marqué présent·e le %(date)s : %(names)s.",
        "%(name)s a marqué %(num)s personnes présentes le %(date)s : %(names)s.",
        d["count"],
        name=who,
        date=_day(d["date"]),
        names=names,
    )


RENDERERS = {
    "attendance_marked_present": _attendance_marked_present,
    "entry_added": _entry_added,
    "entry_edited": _entry_edited,
    "entry_deleted": _entry_deleted,
    "need_claimed": lambda t, d, who, p: _(
        "%(name)s s’occupe du besoin « %(title)s ».", name=who, title=d["title"]
    ),
    "need_released": lambda t, d, who, p: _(
        "%(name)s ne s’occupe plus du besoin « %(title)s ».", name=who, title=d["title"]
    ),
    "need_resolved": _need_resolved,
    "proposal_status_changed": lambda t, d, who, p: _(
        "« %(title)s » : %(from_)s → %(to)s.",
        title=d["title"],
        from_=str(PROPOSAL_STATUS_LABELS[d["from_status"]]),
        to=str(PROPOSAL_STATUS_LABELS[d["to_status"]]),
    ),
    "proposal_withdrawn": lambda t, d, who, p: _(
        "%(name)s a retiré sa proposition « %(title)s ».", name=who, title=d["title"]
    ),
    "meeting_scheduled": lambda t, d, who, p: _(
        "Le document de préparation du %(date)s est ouvert.", date=_day(d["date"])
    ),
    "meeting_started": lambda t, d, who, p: _(
        "%(name)s a ouvert la réunion du %(date)s.", name=who, date=_day(d["date"])
    ),
    "meeting_closed": lambda t, d, who, p: _(
        "%(name)s a clos la réunion du %(date)s.", name=who, date=_day(d["date"])
    ),
    "agenda_prepared": lambda t, d, who, p: _(
        "%(name)s a préparé l’ordre du jour du %(date)s.", name=who, date=_day(d["date"])
    ),
    "agenda_items_added": lambda t, d, who, p: ngettext(
        "%(name)s a mis %(num)s point à l’ordre du jour du %(date)s.",
        "%(name)s a mis %(num)s points à l’ordre du jour du %(date)s.",
        int(d["n"]),
        name=who,
        date=_day(d["date"]),
    ),
    "agenda_item_added": lambda t, d, who, p: _(
        "%(name)s a ajouté « %(title)s » à l’ordre du jour.", name=who, title=d["title"]
    ),
    "agenda_item_removed": lambda t, d, who, p: _(
        "%(name)s a retiré « %(title)s » de l’ordre du jour.", name=who, title=d["title"]
    ),
    "agenda_reordered": lambda t, d, who, p: _("%(name)s a réordonné l’ordre du jour.", name=who),
    "timebox_set": lambda t, d, who, p: ngettext(
        "%(name)s a prévu %(num)s minute pour « %(title)s ».",
        "%(name)s a prévu %(num)s minutes pour « %(title)s ».",
        int(d["minutes"]),
        name=who,
        title=d["title"],
    ),
    "role_assigned": lambda t, d, who, p: _(
        "%(name)s tient le rôle « %(role)s » le %(date)s.",
        name=p.member(d["member_id"]),
        role=str(ROLE_LABELS[d["role"]]).lower(),
        date=_day(d["date"]),
    ),
    "attendance_set": _attendance_set,
    "item_advanced": lambda t, d, who, p: _("Point en cours : « %(title)s ».", title=d["title"]),
    "item_postponed": lambda t, d, who, p: _(
        "« %(title)s » est reporté au vendredi suivant.", title=d["title"]
    ),
    "round_opened": _round_opened,
    "round_closed": lambda t, d, who, p: ngettext(
        "Tour fermé : %(num)s réponse.", "Tour fermé : %(num)s réponses.", int(d["total"])
    ),
    "decision_recorded": lambda t, d, who, p: (
        _(
            "Décision n° %(n)s (%(mode)s) sur « %(title)s », qui remplace la décision n° %(old)s.",
            n=d["number"],
            mode=str(MODE_LABELS[d["mode"]]),
            title=d["title"],
            old=d["supersedes_number"],
        )
        if d.get("supersedes_number")
        else _(
            "Décision n° %(n)s (%(mode)s) sur « %(title)s ».",
            n=d["number"],
            mode=str(MODE_LABELS[d["mode"]]),
            title=d["title"],
        )
    ),
    "decision_edited": lambda t, d, who, p: _(
        "%(name)s a corrigé la décision n° %(n)s.", name=who, n=d["number"]
    ),
    "decision_correction_proposed": lambda t, d, who, p: _(
        "%(name)s a mis « %(title)s » à l’ordre du jour du %(date)s.",
        name=who,
        title=d["title"],
        date=_day(d["date"]),
    ),
    "action_added": lambda t, d, who, p: _(
        "Action : %(label)s — %(name)s, pour le %(date)s.",
        label=d["label"],
        name=p.member(d["owner_id"]),
        date=_day(d["due_on"]),
    ),
    "guest_joined": lambda t, d, who, p: _("%(name)s (invité·e) a rejoint la réunion.", name=who),
    "member_joined": _member_joined,
    "member_invited": lambda t, d, who, p: _(
        "%(actor)s a invité une nouvelle personne (%(role)s).",
        actor=who,
        role=_member_role(d["role"]),
    ),
    "role_changed": lambda t, d, who, p: _(
        "%(actor)s a confié le rôle %(role)s à %(name)s.",
        actor=who,
        role=_member_role(d["role"]),
        name=p.member(d["member_id"]),
    ),
    "member_deactivated": lambda t, d, who, p: _(
        "%(actor)s a désactivé le compte de %(name)s.", actor=who, name=p.member(d["member_id"])
    ),
    "member_reactivated": lambda t, d, who, p: _(
        "%(actor)s a réactivé le compte de %(name)s.", actor=who, name=p.member(d["member_id"])
    ),
    # Erasure (meeting/privacy): the member row holds the pseudonym, so no one is named.
    "member_erased": lambda t, d, who, p: (
        _("%(name)s a effacé son compte.", name=who)
        if d.get("own")
        else _(
            "%(actor)s a effacé le compte de %(name)s.", actor=who, name=p.member(d["member_id"])
        )
    ),
    "profile_updated": _profile_updated,
    "publication_changed": lambda t, d, who, p: (
        _("%(name)s a rendu publics les décisions et comptes rendus.", name=who)
        if d["publication"] == "public"
        else _("%(name)s a réservé les décisions et comptes rendus aux membres.", name=who)
    ),
    "feed_token_created": lambda t, d, who, p: (
        (
            _("%(name)s a remplacé l’adresse de son agenda personnel.", name=who)
            if d.get("replaced")
            else _("%(name)s a créé l’adresse de son agenda personnel.", name=who)
        )
        if d.get("scope") == "calendar"
        else (
            _("%(name)s a remplacé son flux personnel.", name=who)
            if d.get("replaced")
            else _("%(name)s a créé son flux personnel.", name=who)
        )
    ),
    "feed_token_revoked": lambda t, d, who, p: (
        _("%(name)s a révoqué l’adresse de son agenda personnel.", name=who)
        if d.get("scope") == "calendar"
        else _("%(name)s a révoqué son flux personnel.", name=who)
    ),
    "api_token_created": lambda t, d, who, p: _("%(name)s a créé un jeton d’API.", name=who),
    "api_token_revoked": lambda t, d, who, p: _("%(name)s a révoqué un jeton d’API.", name=who),
    # The calendar (issue 10).
    "event_created": lambda t, d, who, p: _(
        "%(name)s a mis « %(title)s » à l’agenda (%(date)s).",
        name=who,
        title=d["title"],
        date=_day(d["starts_at"][:10]),
    ),
    "event_edited": lambda t, d, who, p: _(
        "%(name)s a modifié l’événement « %(title)s ».", name=who, title=d["title"]
    ),
    "event_moved": lambda t, d, who, p: _(
        "%(name)s a déplacé « %(title)s » au %(date)s.",
        name=who,
        title=d["title"],
        date=_day(d["starts_at"][:10]),
    ),
    "event_cancelled": lambda t, d, who, p: _(
        "%(name)s a annulé « %(title)s ».", name=who, title=d["title"]
    ),
    "event_occurrence_skipped": lambda t, d, who, p: _(
        "%(name)s a sauté la date du %(date)s de « %(title)s ».",
        name=who,
        title=d["title"],
        date=_day(d["occurrence_start"][:10]),
    ),
    # Proposers (issue 10).
    "proposal_step_noted": _proposal_step_noted,
    "proposal_resubmitted": lambda t, d, who, p: _(
        "%(name)s a renvoyé la proposition « %(title)s ».", name=who, title=d["title"]
    ),
    "proposal_emails_stopped": lambda t, d, who, p: _(
        "Plus d’e-mails de suivi pour la proposition « %(title)s ».", title=d["title"]
    ),
    "proposal_emails_resumed": lambda t, d, who, p: _(
        "E-mails de suivi rétablis pour la proposition « %(title)s ».", title=d["title"]
    ),
    "minutes_summary_written": lambda t, d, who, p: _(
        "%(name)s a écrit le résumé du %(date)s (version %(n)s).",
        name=who,
        date=_day(d["date"]),
        n=d["revision"],
    ),
    "minutes_validated": lambda t, d, who, p: _(
        "%(name)s a validé le compte rendu du %(date)s.", name=who, date=_day(d["date"])
    ),
    "caught_up": lambda t, d, who, p: _("%(name)s a rattrapé les vendredis manqués.", name=who),
}


def _action_status(done):
    def render(t, d, who, p):
        if d["owner_id"] == t.actor_id:
            if done:
                return _(
                    "%(name)s a marqué faite son action « %(label)s ».", name=who, label=d["label"]
                )
            return _("%(name)s a rouvert son action « %(label)s ».", name=who, label=d["label"])
        owner = p.member(d["owner_id"])
        if done:
            return _(
                "%(name)s a marqué faite l’action « %(label)s » de %(owner)s.",
                name=who,
                label=d["label"],
                owner=owner,
            )
        return _(
            "%(name)s a rouvert l’action « %(label)s » de %(owner)s.",
            name=who,
            label=d["label"],
            owner=owner,
        )

    return render


RENDERERS["action_completed"] = _action_status(True)
RENDERERS["action_reopened"] = _action_status(False)


# -- the place's economy ----------------------------------------------------------------------
# Individual money (gifts, uses, a need's value) is traced with ids only and kept out of the
# shared feed (`services.ACCOUNT_VERBS`); these sentences are for the record.


def _treasurer_changed(t, d, who, p):
    member = p.member(d["member_id"])
    if d["value"]:
        return _("%(name)s a confié les comptes du lieu à %(member)s.", name=who, member=member)
    return _("%(name)s a repris les comptes du lieu à %(member)s.", name=who, member=member)


def _expense_recorded(t, d, who, p):
    from ..economy.money import format_money

    return _(
        "%(name)s a enregistré une dépense de %(amount)s en %(year)s : « %(label)s ».",
        name=who,
        amount=format_money(d["amount_cents"]),
        year=d["year"],
        label=d["label"],
    )


RENDERERS.update(
    {
        "budget_lines_set": lambda t, d, who, p: ngettext(
            "%(name)s a établi le budget %(year)s (%(num)s ligne).",
            "%(name)s a établi le budget %(year)s (%(num)s lignes).",
            int(d["count"]),
            name=who,
            year=d["year"],
        ),
        "expense_recorded": _expense_recorded,
        "budget_year_closed": lambda t, d, who, p: _(
            "%(name)s a clos l’année %(year)s du budget.", name=who, year=d["year"]
        ),
        "treasurer_changed": _treasurer_changed,
        "setting_changed": lambda t, d, who, p: _(
            "%(name)s a changé un réglage du lieu.", name=who
        ),
        "gift_recorded": lambda t, d, who, p: _(
            "%(name)s a enregistré le don n° %(id)s.", name=who, id=d["gift_id"]
        ),
        "gift_pledged": lambda t, d, who, p: _(
            "%(name)s a annoncé un don (n° %(id)s).", name=who, id=d["gift_id"]
        ),
        "gift_confirmed": lambda t, d, who, p: _(
            "%(name)s a confirmé la réception du don n° %(id)s.", name=who, id=d["gift_id"]
        ),
        "gift_cancelled": lambda t, d, who, p: _(
            "%(name)s a annulé le don n° %(id)s.", name=who, id=d["gift_id"]
        ),
        "catalogue_item_added": lambda t, d, who, p: _(
            "%(name)s a ajouté « %(title)s » au catalogue.", name=who, title=d["title"]
        ),
        "catalogue_item_edited": lambda t, d, who, p: _(
            "%(name)s a modifié l’offre « %(title)s » du catalogue.", name=who, title=d["title"]
        ),
        "catalogue_item_withdrawn": lambda t, d, who, p: _(
            "%(name)s a retiré « %(title)s » du catalogue.", name=who, title=d["title"]
        ),
        "catalogue_item_restored": lambda t, d, who, p: _(
            "%(name)s a remis « %(title)s » au catalogue.", name=who, title=d["title"]
        ),
        "catalogue_use_recorded": lambda t, d, who, p: _(
            "%(name)s a enregistré une utilisation du catalogue.", name=who
        ),
        "catalogue_use_cancelled": lambda t, d, who, p: _(
            "%(name)s a annulé une utilisation du catalogue.", name=who
        ),
        "need_value_recorded": lambda t, d, who, p: _(
            "%(name)s a indiqué la valeur d’un apport en nature.", name=who
        ),
        "gift_receipt_issued": lambda t, d, who, p: _(
            "%(name)s a délivré le reçu du don n° %(id)s.", name=who, id=d["gift_id"]
        ),
    }
)


def _generic(trace, who):
    from .services import KINDS

    what = str(KINDS.get(trace.verb, trace.verb))
    if trace.actor_id is None and not (trace.data or {}).get("attendance_id"):
        return _("Une trace a été laissée (%(what)s).", what=what)
    return _("%(name)s a laissé une trace (%(what)s).", name=who, what=what)


def sentence(trace, people=None):
    """The sentence of one trace, in the current locale (the reader's language)."""
    if people is None:
        people = People.load([trace])
    who = people.actor(trace)
    render = RENDERERS.get(trace.verb)
    if render is not None:
        try:
            return render(trace, trace.data or {}, who, people)
        except (KeyError, TypeError, ValueError):
            pass  # an older or partial trace: say what kind of thing happened
    return _generic(trace, who)


def sentences_for(traces):
    """{trace id: sentence} for a list of traces, with one query for all their people."""
    people = People.load(traces)
    return {trace.id: sentence(trace, people) for trace in traces}
