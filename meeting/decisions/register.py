"""The decisions register, read only: filters from the URL, one page of decisions with their
state (in force, superseded, to review), the supersede links both ways, their actions' states
and the proposals they moved, and a permalink. A reader who may not see people (the published
register) gets the same page with every name left out (`people=False`)."""

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, selectinload

from ..errors import NotFound
from ..extensions import db
from ..i18n import _, _l
from ..meetings import dates
from ..models import (
    DECISION_MODES,
    Action,
    Decision,
    EventProposal,
    Meeting,
    Member,
    ProposalStatusChange,
)
from . import public

PAGE_SIZE = 25  # long cards: a phone reads 25 at a time (and the page stays light)
# The register's states, keyed by their URL value ("etat=…").
STATES = {
    "en-vigueur": _l("en vigueur"),
    "remplacee": _l("remplacée"),
    "a-revoir": _l("à revoir"),
}


# An action's state as the register shows it ("en retard": still open after its due date).
ACTION_STATES = {"open": _l("à faire"), "done": _l("faite"), "late": _l("en retard")}


class RegisterPage:
    """One page of the register: its decisions, the total, and what each needs to be shown."""

    def __init__(self, decisions, total, page, pages, superseded_by, supersedes, people=True):
        self.decisions = decisions
        self.total = total
        self.page = page
        self.pages = pages
        self.superseded_by = superseded_by  # decision id -> the Decision replacing it
        self.supersedes = supersedes  # decision id -> the Decision it replaces
        self.today = dates.today_in_place()
        self.action_states = ACTION_STATES
        self.people = people  # whether the reader may see who did what
        self.redact = public.keep if people else public.redactor_for(decisions)
        self.proposals = proposals_of(decisions)  # decision id -> [(proposal, to_status)]

    def state(self, decision, today=None):
        return state_of(decision, self.superseded_by.get(decision.id), today or self.today)

    def action_state(self, action):
        return action_state(action, self.today)


def state_of(decision, superseder=None, today=None):
    """'remplacee' when another decision supersedes it, 'a-revoir' when its review date has
    come, else 'en-vigueur'."""
    if superseder is not None:
        return "remplacee"
    today = today or dates.today_in_place()
    if decision.review_on is not None and decision.review_on <= today:
        return "a-revoir"
    return "en-vigueur"


def action_state(action, today=None):
    """'done', 'late' (open after its due date) or 'open'."""
    if action.status == "done":
        return "done"
    if action.due_on < (today or dates.today_in_place()):
        return "late"
    return "open"


def proposals_of(decisions):
    """The event proposals each decision moved (ProposalStatusChange.decision_id), with the
    status it moved them to: {decision id: [(proposal, to_status)]}."""
    ids = [d.id for d in decisions]
    if not ids:
        return {}
    rows = db.session.execute(
        select(ProposalStatusChange.decision_id, ProposalStatusChange.to_status, EventProposal)
        .join(EventProposal, EventProposal.id == ProposalStatusChange.proposal_id)
        .where(ProposalStatusChange.decision_id.in_(ids))
        .options(selectinload(EventProposal.entry))
        .order_by(ProposalStatusChange.id)
    ).all()
    linked = {}
    for decision_id, to_status, proposal in rows:
        linked.setdefault(decision_id, []).append((proposal, to_status))
    return linked


def register_people():
    """The members a decision can be filtered by: who recorded one or owns one of its actions."""
    owners = select(Action.owner_id).where(Action.decision_id.is_not(None))
    recorders = select(Decision.decided_by_id).where(Decision.decided_by_id.is_not(None))
    return db.session.scalars(
        select(Member)
        .where(Member.id.in_(owners.union(recorders).scalar_subquery()))
        .order_by(Member.display_name)
    ).all()


def _int_in(value, low, high):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def clean_register_filters(args, people=True):
    """The register's filters read from the query string `args`, and the French notices of the
    values ignored (a bad value never refuses the page). Without `people` (a reader who may not
    see who did what) there is no filter by person."""
    filters, notices = {}, []

    def ignore(message):
        notices.append(message)

    raw = (args.get("annee") or "").strip()
    if raw:
        year = _int_in(raw, 1900, 9999)
        if year is None:
            ignore(_("Filtre ignoré : « %(value)s » n’est pas une année.", value=raw[:40]))
        else:
            filters["annee"] = year
    raw = (args.get("mois") or "").strip()
    if raw:
        month = _int_in(raw, 1, 12)
        if month is None:
            ignore(_("Filtre ignoré : « %(value)s » n’est pas un mois (1 à 12).", value=raw[:40]))
        else:
            filters["mois"] = month
    raw = (args.get("mode") or "").strip()
    if raw:
        if raw in DECISION_MODES:
            filters["mode"] = raw
        else:
            ignore(_("Filtre ignoré : mode de décision « %(value)s » inconnu.", value=raw[:40]))
    raw = (args.get("personne") or "").strip() if people else ""
    if raw:
        person_id = _int_in(raw, 1, 2**31 - 1)
        if person_id is None or db.session.get(Member, person_id) is None:
            ignore(_("Filtre ignoré : personne « %(value)s » inconnue.", value=raw[:40]))
        else:
            filters["personne"] = person_id
    raw = (args.get("etat") or "").strip()
    if raw:
        if raw in STATES:
            filters["etat"] = raw
        else:
            ignore(_("Filtre ignoré : état « %(value)s » inconnu.", value=raw[:40]))
    raw = (args.get("vendredi") or "").strip()
    if raw:
        try:
            filters["vendredi"] = date.fromisoformat(raw)
        except ValueError:
            ignore(_("Filtre ignoré : « %(value)s » n’est pas une date.", value=raw[:40]))
    return filters, notices


def _superseded_clause():
    newer = aliased(Decision)
    return select(newer.id).where(newer.supersedes_id == Decision.id).exists()


def _filtered(filters, today):
    query = select(Decision).join(Meeting, Decision.meeting_id == Meeting.id)
    year, month = filters.get("annee"), filters.get("mois")
    if year and month:
        start = date(year, month, 1)
        end = date(year + (month == 12), month % 12 + 1, 1)
        query = query.where(Meeting.scheduled_for >= start, Meeting.scheduled_for < end)
    elif year:
        query = query.where(
            Meeting.scheduled_for >= date(year, 1, 1), Meeting.scheduled_for < date(year + 1, 1, 1)
        )
    elif month:
        query = query.where(func.extract("month", Meeting.scheduled_for) == month)
    if "vendredi" in filters:
        query = query.where(Meeting.scheduled_for == filters["vendredi"])
    if "mode" in filters:
        query = query.where(Decision.mode == filters["mode"])
    if "personne" in filters:
        person = filters["personne"]
        owns = (
            select(Action.id)
            .where(Action.decision_id == Decision.id, Action.owner_id == person)
            .exists()
        )
        query = query.where((Decision.decided_by_id == person) | owns)
    state = filters.get("etat")
    if state == "remplacee":
        query = query.where(_superseded_clause())
    elif state == "a-revoir":
        query = query.where(~_superseded_clause(), Decision.review_on <= today)
    elif state == "en-vigueur":
        query = query.where(
            ~_superseded_clause(), (Decision.review_on.is_(None)) | (Decision.review_on > today)
        )
    return query


def _links(decisions):
    """Both directions of supersession for `decisions`: (superseded_by, supersedes) by id."""
    ids = [d.id for d in decisions]
    if not ids:
        return {}, {}
    superseded_by = {
        d.supersedes_id: d
        for d in db.session.scalars(select(Decision).where(Decision.supersedes_id.in_(ids)))
    }
    older_ids = [d.supersedes_id for d in decisions if d.supersedes_id]
    supersedes = {}
    if older_ids:
        older = {
            d.id: d for d in db.session.scalars(select(Decision).where(Decision.id.in_(older_ids)))
        }
        supersedes = {d.id: older[d.supersedes_id] for d in decisions if d.supersedes_id in older}
    return superseded_by, supersedes


def register_page(filters, page=1, people=True):
    """One page of decisions matching `filters` (from `clean_register_filters`), newest first.
    A page past the last gives the last one."""
    today = dates.today_in_place()
    query = _filtered(filters, today)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    decisions = db.session.scalars(
        query.options(
            selectinload(Decision.meeting),
            selectinload(Decision.item),
            selectinload(Decision.actions).selectinload(Action.owner),
        )
        .order_by(Decision.number.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return RegisterPage(decisions, total, page, pages, *_links(decisions), people=people)


def decision_by_number(number, people=True):
    """The decision numbered `number` with its links, as a one-decision page (NotFound)."""
    decision = db.session.scalar(select(Decision).where(Decision.number == number))
    if decision is None:
        raise NotFound(_l("Aucune décision ne porte le numéro %(n)s.", n=number))
    return RegisterPage([decision], 1, 1, 1, *_links([decision]), people=people)
