"""Who does what by when, after Friday: the lists of "Mes actions" and marking an action done.

An action is recorded during the live meeting (`decisions.services.add_action`); here its
owner marks it done or reopens it. Each change is traced (`action_completed`,
`action_reopened`, with `owner_id`) and published as `action_changed` to the `actions` room:
members on an actions page (joined by `sync_actions`), never guests or anonymous pages.
"""

from datetime import timedelta

from flask import render_template
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from .. import permissions
from ..errors import Conflict, NotFound, require
from ..extensions import db
from ..i18n import _, _l, long_date, ngettext
from ..meetings import dates
from ..models import Action, Meeting
from ..models.base import utcnow
from ..pipeline import change

ACTIONS = "actions"  # the room of the actions pages (members only, joined by `sync_actions`)
VIEWS = ("mine", "everyone")
DONE_PAGE = 50  # done actions shown before "voir tout"
RECENT_DAYS = 30  # "faites récemment" on the everyone view
SECTIONS = ("overdue", "todo", "done")


def _loaded():
    return select(Action).options(
        joinedload(Action.owner), joinedload(Action.decision), joinedload(Action.item)
    )


def get_action(action_id):
    action = db.session.scalar(_loaded().where(Action.id == action_id))
    if action is None:
        raise NotFound(_l("Cette action n’existe pas."))
    return action


def section_of(action, today=None):
    """'overdue' (open, due before today in Europe/Paris), 'todo' (open) or 'done'."""
    if action.status == "done":
        return "done"
    today = today or dates.today_in_place()
    return "overdue" if action.due_on < today else "todo"


def sort_key(action):
    """The order of a row in its list, as the page's script compares it (text, ascending)."""
    if action.status == "done":
        # most recent first: a smaller key for a later moment
        stamp = action.done_at or action.created_at
        return f"{10**10 - int(stamp.timestamp()):011d}-{10**9 - action.id:09d}"
    return f"{action.due_on.isoformat()}-{action.id:09d}"


class Lists:
    """The actions of one page, by section, with the counts the page shows."""

    def __init__(self, view, overdue, todo, done, done_total):
        self.view = view
        self.sections = {"overdue": overdue, "todo": todo, "done": done}
        self.done_total = done_total

    @property
    def open_count(self):
        return len(self.sections["overdue"]) + len(self.sections["todo"])


def _open_and_done(owner_id=None, done_since=None, done_limit=DONE_PAGE):
    today = dates.today_in_place()
    scope = _loaded()
    counted = select(func.count(Action.id)).where(Action.status == "done")
    if owner_id is not None:
        scope = scope.where(Action.owner_id == owner_id)
        counted = counted.where(Action.owner_id == owner_id)
    open_ = db.session.scalars(
        scope.where(Action.status == "open").order_by(Action.due_on, Action.id)
    ).all()
    done_query = scope.where(Action.status == "done")
    if done_since is not None:
        done_query = done_query.where(Action.done_at >= done_since)
        counted = counted.where(Action.done_at >= done_since)
    done_query = done_query.order_by(Action.done_at.desc(), Action.id.desc())
    if done_limit is not None:
        done_query = done_query.limit(done_limit)
    done = db.session.scalars(done_query).all()
    overdue = [a for a in open_ if a.due_on < today]
    todo = [a for a in open_ if a.due_on >= today]
    return overdue, todo, done, db.session.scalar(counted) or 0


def my_actions(actor, all_done=False):
    """The signed-in member's actions: overdue, to do, done (the last 50 unless `all_done`)."""
    require(permissions.can_view_actions(actor))
    return Lists("mine", *_open_and_done(actor.id, done_limit=None if all_done else DONE_PAGE))


def everyone_actions(actor):
    """Every member's open actions and those done in the last 30 days (the last 50)."""
    require(permissions.can_view_actions(actor))
    since = utcnow() - timedelta(days=RECENT_DAYS)
    return Lists("everyone", *_open_and_done(done_since=since))


def open_count(owner_id=None):
    query = select(func.count(Action.id)).where(Action.status == "open")
    if owner_id is not None:
        query = query.where(Action.owner_id == owner_id)
    return db.session.scalar(query) or 0


# -- words of a row ----------------------------------------------------------------------------


def count_text(n):
    """'Aucune action à faire', '1 action à faire', '3 actions à faire'."""
    if n == 0:
        return _("Aucune action à faire")
    return ngettext("%(num)s action à faire", "%(num)s actions à faire", n)


def due_text(action):
    """'pour le vendredi 11 décembre 2026'."""
    return _("pour le %(date)s", date=long_date(action.due_on))


def when_text(action, today=None):
    """How far the due date is, for an open action: 'en retard de 3 jours', 'aujourd’hui',
    'demain', 'dans 5 jours'; for a done one, the day it was done."""
    if action.status == "done":
        if action.done_at is None:
            return _("faite")
        return _("faite le %(date)s", date=long_date(action.done_at))
    today = today or dates.today_in_place()
    days = (action.due_on - today).days
    if days < 0:
        return ngettext("en retard d’un jour", "en retard de %(num)s jours", -days)
    if days == 0:
        return _("à faire aujourd’hui")
    if days == 1:
        return _("à faire demain")
    return ngettext("dans %(num)s jour", "dans %(num)s jours", days)


# -- fragments and facts -----------------------------------------------------------------------


def fridays_of(actions):
    """{meeting id: its Friday's date} for the actions of a page, in one query."""
    ids = {a.meeting_id for a in actions}
    if not ids:
        return {}
    return dict(
        db.session.execute(
            select(Meeting.id, Meeting.scheduled_for).where(Meeting.id.in_(ids))
        ).all()
    )


def render_row(action, view, viewer=None, today=None):
    """One row (`actions/_row.html`) as a page shows it; `viewer` None for a fact (its control
    is kept by the page's script only for the action's owner, the server checks anyway)."""
    return render_template(
        "actions/_row.html",
        action=action,
        view=view,
        viewer=viewer,
        section=section_of(action, today),
        today=today or dates.today_in_place(),
        fridays=fridays_of([action]),
    )


def render_lists(lists, viewer, all_done=False):
    """The lists region of an actions page (`actions/_lists.html`), for the page and for
    `sync_actions`."""
    today = dates.today_in_place()
    every = [a for rows in lists.sections.values() for a in rows]
    return render_template(
        "actions/_lists.html",
        lists=lists,
        viewer=viewer,
        all_done=all_done,
        today=today,
        done_page=DONE_PAGE,
        fridays=fridays_of(every),
        sections={a.id: section_of(a, today) for a in every},
    )


def action_fact(action_id):
    """The `action_changed` fact: the action's new state and its row for each view."""
    db.session.expire_all()
    action = get_action(action_id)
    today = dates.today_in_place()
    return {
        "action_id": action.id,
        "owner_id": action.owner_id,
        "status": action.status,
        "section": section_of(action, today),
        "sort": sort_key(action),
        "label": action.label,
        "html_mine": render_row(action, "mine", today=today),
        "html_everyone": render_row(action, "everyone", today=today),
        "count_mine": count_text(open_count(action.owner_id)),
        "count_everyone": count_text(open_count()),
    }


# -- marking done, reopening -------------------------------------------------------------------


def _set_status(actor, action_id, to, verb):
    action = get_action(action_id)
    if to == "done":
        refused = _l(
            "Seule la personne qui s’est engagée à faire cette action peut la marquer faite."
        )
        already = _l("Cette action est déjà marquée faite.")
    else:
        refused = _l("Seule la personne qui s’est engagée à faire cette action peut la rouvrir.")
        already = _l("Cette action est déjà à faire : rien à rouvrir.")
    require(permissions.can_complete_action(actor, action), refused)
    if action.status == to:
        raise Conflict(already, code="already_" + to)
    values = (
        {"status": "done", "done_at": utcnow(), "done_by_id": actor.id}
        if to == "done"
        else {"status": "open", "done_at": None, "done_by_id": None}
    )
    with change() as c:
        # Compare-and-set: of two presses at once (two tabs), one changes it, the other is told.
        moved = db.session.execute(
            update(Action)
            .where(Action.id == action.id, Action.status == action.status)
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved != 1:
            raise Conflict(already, code="already_" + to)
        c.trace(
            actor,
            verb,
            action,
            meeting=db.session.get(Meeting, action.meeting_id),
            label=action.label,
            owner_id=action.owner_id,
            due_on=action.due_on.isoformat(),
        )
        c.publish("action_changed", lambda: action_fact(action.id), ACTIONS)
    db.session.expire_all()
    return get_action(action_id)


def complete_action(actor, action_id):
    """Mark one of your actions done (who and when are kept)."""
    return _set_status(actor, action_id, "done", "action_completed")


def reopen_action(actor, action_id):
    """Reopen one of your actions marked done by mistake."""
    return _set_status(actor, action_id, "open", "action_reopened")
