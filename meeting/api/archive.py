"""Read routes of what Fridays leave: the decisions register and the actions.

Decisions are read as the register shows them (`permissions.can_read_archive`: members, and
anyone when the place publishes): a reader who is not a member gets no one's name — the texts
go through the register's redactor (`decisions.public`), actions have no owner, the people
present are counts. Actions ("qui fait quoi pour quand") are for members only
(`can_view_actions`), as on `/actions/`.
"""

from flask import Blueprint, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import markdown, permissions
from ..actions import services as actions
from ..decisions import public, register
from ..decisions import services as decisions
from ..extensions import db
from ..i18n import _l
from ..labels import DECISION_MODE_PHRASES
from ..meetings import dates
from ..models import ACTION_STATUSES, DECISION_MODES, Action, Decision, Meeting
from . import reads
from .reads import (
    DATE,
    DATETIME,
    INTEGER,
    LABELLED,
    PERSON,
    STRING,
    array,
    nullable,
    obj,
    one_of,
    operation,
    page_of,
    require_reader,
)

bp = Blueprint("archive", __name__)

# -- decisions ---------------------------------------------------------------------------------

DECISION_ACTION = obj(
    id=INTEGER,
    label=STRING,
    due_on=DATE,
    status={"enum": list(ACTION_STATUSES)},
    state={"enum": list(register.ACTION_STATES)},  # open, done, late
    state_label=LABELLED,
    owner=nullable(PERSON),  # members only
)
DECISION = obj(
    number=INTEGER,
    meeting_id=INTEGER,
    date=DATE,
    item_title=nullable(STRING),
    statement=STRING,  # Markdown
    statement_html=STRING,
    mode={"enum": list(DECISION_MODES)},
    mode_label=LABELLED,
    objections=nullable(STRING),
    objections_lifted=nullable(STRING),
    review_on=nullable(DATE),
    state={"enum": list(register.STATES)},  # en-vigueur, remplacee, a-revoir
    state_label=LABELLED,
    supersedes=nullable(INTEGER),  # the number of the decision it replaces
    superseded_by=nullable(INTEGER),  # the number of the decision replacing it
    actions=array(DECISION_ACTION),
    proposals=array(obj(id=nullable(INTEGER), title=STRING, to_status=STRING, status=STRING)),
    decided_at=DATETIME,
    url=STRING,
)
DECISION_DETAIL = obj(
    **DECISION["properties"],
    present_count=INTEGER,
    guest_count=INTEGER,
    present=nullable(array(STRING)),  # the names of the people present: members only
    round=nullable(obj(total=INTEGER, counts={"type": "object", "additionalProperties": INTEGER})),
)


def _links(decisions_):
    """(number of the decision replacing it, number of the one it replaces), by decision id."""
    ids = [d.id for d in decisions_]
    newer = dict(
        db.session.execute(
            select(Decision.supersedes_id, Decision.number).where(Decision.supersedes_id.in_(ids))
        ).all()
    )
    older_ids = {d.supersedes_id for d in decisions_ if d.supersedes_id}
    older = dict(
        db.session.execute(
            select(Decision.id, Decision.number).where(Decision.id.in_(older_ids))
        ).all()
    )
    return newer, {d.id: older.get(d.supersedes_id) for d in decisions_}


def decisions_json(decisions_, people, detail=False):
    """The decisions as the register shows them to this reader (`people`: a member)."""
    if not decisions_:
        return []
    redact = public.keep if people else public.redactor_for(decisions_)
    newer, older = _links(decisions_)
    moved = register.proposals_of(decisions_)
    today = dates.today_in_place()
    result = []
    for d in decisions_:
        replacing = newer.get(d.id)
        state = register.state_of(d, replacing, today)
        statement = redact(d.statement)
        data = {
            "number": d.number,
            "meeting_id": d.meeting_id,
            "date": d.meeting.scheduled_for.isoformat(),
            "item_title": redact(d.item.title) if d.item is not None else None,
            "statement": statement,
            "statement_html": str(markdown.render(statement)),
            "mode": d.mode,
            "mode_label": str(DECISION_MODE_PHRASES[d.mode]),
            "objections": redact(d.objections),
            "objections_lifted": redact(d.objections_lifted),
            "review_on": reads.iso_day(d.review_on),
            "state": state,
            "state_label": str(register.STATES[state]),
            "supersedes": older.get(d.id),
            "superseded_by": replacing,
            "actions": [_decision_action(a, redact, people, today) for a in d.actions],
            "proposals": [
                {
                    "id": proposal.id if people else None,
                    "title": redact(proposal.title) or "",
                    "to_status": to_status,
                    "status": proposal.status,
                }
                for proposal, to_status in moved.get(d.id, [])
            ],
            "decided_at": reads.utc(d.decided_at),
            "url": url_for("decisions.show", number=d.number),
        }
        if detail:
            present, guests = decisions.attendance_counts(d)
            counts = (d.result or {}).get("counts") or {}
            data.update(
                present_count=present,
                guest_count=guests,
                present=decisions.present_names(d) if people else None,
                round={
                    "total": (d.result or {}).get("total", 0),
                    "counts": {
                        choice: count.get("members", 0) + count.get("guests", 0)
                        for choice, count in counts.items()
                    },
                }
                if counts
                else None,
            )
        result.append(data)
    return result


def _decision_action(action, redact, people, today):
    state = register.action_state(action, today)
    return {
        "id": action.id,
        "label": redact(action.label),
        "due_on": action.due_on.isoformat(),
        "status": action.status,
        "state": state,
        "state_label": str(register.ACTION_STATES[state]),
        "owner": {"id": action.owner.id, "name": action.owner.display_name} if people else None,
    }


@bp.get("/decisions")
@operation(
    _l("Le registre des décisions, de la plus récente à la plus ancienne"),
    page_of(DECISION),
    parameters=(
        {
            "name": "day",
            "in": "query",
            "required": False,
            "description": _l("Les décisions d’un seul vendredi (AAAA-MM-JJ)."),
            "schema": {"type": "string", "format": "date"},
        },
    ),
    public=True,
    paged=True,
)
def list_decisions():
    actor = reads.reader()
    require_reader(permissions.can_read_archive(actor))
    limit = reads.limit_param()
    before = reads.cursor_param(int)
    day = reads.date_param("day")
    query = (
        select(Decision)
        .options(
            selectinload(Decision.meeting),
            selectinload(Decision.item),
            selectinload(Decision.actions).selectinload(Action.owner),
        )
        .order_by(Decision.number.desc())
    )
    if day is not None:
        query = query.join(Meeting, Decision.meeting_id == Meeting.id).where(
            Meeting.scheduled_for == day
        )
    if before is not None:
        query = query.where(Decision.number < before)
    rows = reads.db_rows(query, limit)
    following = reads.encode_cursor(rows[-1].number) if rows.more else None
    return reads.listing(decisions_json(rows, permissions.is_member(actor)), following)


@bp.get("/decisions/<int(max=2147483647):number>")
@operation(_l("Une décision, par son numéro"), one_of("decision", DECISION_DETAIL), public=True)
def show_decision(number):
    actor = reads.reader()
    require_reader(permissions.can_read_archive(actor))
    people = permissions.is_member(actor)
    decision = register.decision_by_number(number, people=people).decisions[0]
    return reads.single("decision", decisions_json([decision], people, detail=True)[0])


# -- actions -----------------------------------------------------------------------------------

ACTION = obj(
    id=INTEGER,
    label=STRING,
    due_on=DATE,
    status={"enum": list(ACTION_STATUSES)},
    section={"enum": list(actions.SECTIONS)},  # overdue, todo, done
    owner=PERSON,
    mine={"type": "boolean"},  # only the owner marks it done or reopens it
    meeting_id=INTEGER,
    decision_number=nullable(INTEGER),
    done_at=nullable(DATETIME),
)


def action_json(action, section, actor):
    return {
        "id": action.id,
        "label": action.label,
        "due_on": action.due_on.isoformat(),
        "status": action.status,
        "section": section,
        "owner": {"id": action.owner.id, "name": action.owner.display_name},
        "mine": action.owner_id == actor.id,
        "meeting_id": action.meeting_id,
        "decision_number": action.decision.number if action.decision is not None else None,
        "done_at": reads.utc(action.done_at),
    }


@bp.get("/actions")
@operation(
    _l("Les actions : les miennes (toutes) ou celles de tout le monde (en cours et récentes)"),
    page_of(ACTION, view={"enum": list(actions.VIEWS)}, open_count=INTEGER),
    parameters=(
        {
            "name": "view",
            "in": "query",
            "required": False,
            "description": _l("mine (par défaut) ou everyone, comme « Mes actions »."),
            "schema": {"enum": list(actions.VIEWS)},
        },
    ),
    paged=True,
)
def list_actions():
    actor = reads.reader()
    require_reader(permissions.can_view_actions(actor))
    view = reads.choice_param("view", actions.VIEWS, "mine")
    lists = (
        actions.my_actions(actor, all_done=True)
        if view == "mine"
        else actions.everyone_actions(actor)
    )
    rows = [(a, section) for section in actions.SECTIONS for a in lists.sections[section]]
    chunk, following = reads.page(rows)
    return reads.listing(
        [action_json(a, section, actor) for a, section in chunk],
        following,
        view=view,
        open_count=lists.open_count,
    )
