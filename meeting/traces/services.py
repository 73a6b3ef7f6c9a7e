"""Reading traces (they are written only by `pipeline.Change.trace`, and become sentences
when read: `sentences.py`)."""

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..errors import ServiceError
from ..extensions import db
from ..i18n import _l
from ..models import Member, Trace
from .sentences import People, sentence

PAGE_SIZE = 100
CATCH_UP_LIMIT = 500

# The traces of individual money (who gave, who contributed what): kept as a lasting record,
# never shown in the shared feed (page or live) to anyone; the treasurer reads the gifts and
# uses themselves. Their data hold ids only, never an amount or a donor.
ACCOUNT_VERBS = frozenset(
    {
        "gift_recorded",
        "gift_pledged",
        "gift_confirmed",
        "gift_cancelled",
        "gift_receipt_issued",
        "catalogue_use_recorded",
        "catalogue_use_cancelled",
        "need_value_recorded",
    }
)


def is_shared(trace):
    """A trace the shared feed may show (every trace but those of individual money)."""
    return trace.verb not in ACCOUNT_VERBS


# Trace kinds people can filter on, with their French label.
KINDS = {
    "entry_added": _l("Ajouts au document"),
    "entry_edited": _l("Modifications du document"),
    "entry_deleted": _l("Retraits du document"),
    "need_claimed": _l("Besoins pris en charge"),
    "need_released": _l("Besoins rendus"),
    "need_resolved": _l("Besoins satisfaits ou abandonnés"),
    "proposal_withdrawn": _l("Propositions retirées"),
    "meeting_scheduled": _l("Vendredis ouverts à la préparation"),
    "meeting_started": _l("Réunions commencées"),
    "meeting_closed": _l("Réunions closes"),
    "agenda_prepared": _l("Ordres du jour préparés"),
    "agenda_items_added": _l("Points mis à l’ordre du jour"),
    "agenda_item_added": _l("Points ajoutés à l’ordre du jour"),
    "agenda_item_removed": _l("Points retirés de l’ordre du jour"),
    "agenda_reordered": _l("Ordres du jour réordonnés"),
    "timebox_set": _l("Durées prévues"),
    "role_assigned": _l("Rôles du jour"),
    "attendance_set": _l("Présences"),
    "attendance_marked_present": _l("Présences marquées d’un coup"),
    "item_advanced": _l("Points en cours"),
    "item_postponed": _l("Points reportés"),
    "round_opened": _l("Tours ouverts"),
    "round_closed": _l("Tours fermés"),
    "decision_recorded": _l("Décisions"),
    "decision_edited": _l("Décisions corrigées"),
    "caught_up": _l("Lectures de « Ce que vous avez manqué »"),
    "minutes_summary_written": _l("Résumés des réunions"),
    "minutes_validated": _l("Comptes rendus validés"),
    "publication_changed": _l("Publication des décisions et comptes rendus"),
    "feed_token_created": _l("Flux et agendas personnels créés"),
    "feed_token_revoked": _l("Flux et agendas personnels révoqués"),
    "api_token_created": _l("Jetons d’API créés"),
    "api_token_revoked": _l("Jetons d’API révoqués"),
    "event_created": _l("Agenda : événements ajoutés"),
    "event_edited": _l("Agenda : événements modifiés"),
    "event_moved": _l("Agenda : événements déplacés"),
    "event_cancelled": _l("Agenda : événements annulés"),
    "event_occurrence_skipped": _l("Agenda : dates sautées"),
    "proposal_resubmitted": _l("Propositions renvoyées"),
    "proposal_status_changed": _l("Étapes des propositions"),
    "proposal_step_noted": _l("Propositions reportées ou événements déplacés"),
    "proposal_emails_stopped": _l("E-mails de suivi arrêtés"),
    "proposal_emails_resumed": _l("E-mails de suivi rétablis"),
    "decision_correction_proposed": _l("Corrections de décisions mises à l’ordre du jour"),
    "action_added": _l("Actions"),
    "action_completed": _l("Actions faites"),
    "action_reopened": _l("Actions rouvertes"),
    "guest_joined": _l("Invité·es"),
    "member_joined": _l("Arrivées"),
    "member_invited": _l("Invitations"),
    "role_changed": _l("Rôles"),
    "member_deactivated": _l("Comptes désactivés"),
    "member_reactivated": _l("Comptes réactivés"),
    "member_erased": _l("Comptes effacés"),
    "profile_updated": _l("Profils"),
    "budget_lines_set": _l("Budget : lignes de l’année"),
    "expense_recorded": _l("Budget : dépenses"),
    "budget_year_closed": _l("Budget : années closes"),
    "treasurer_changed": _l("Trésorerie confiée ou reprise"),
    "setting_changed": _l("Réglages du lieu"),
    "catalogue_item_added": _l("Catalogue : offres ajoutées"),
    "catalogue_item_edited": _l("Catalogue : offres modifiées"),
    "catalogue_item_withdrawn": _l("Catalogue : offres retirées"),
    "catalogue_item_restored": _l("Catalogue : offres remises"),
}


def clean_filters(kind=None, actor_id=None):
    if kind in ("", None):
        kind = None
    elif kind not in KINDS:
        raise ServiceError(_l("Ce type de trace n’existe pas."), code="invalid_field")
    if actor_id in ("", None):
        actor_id = None
    else:
        try:
            actor_id = int(actor_id)
        except (TypeError, ValueError):
            raise ServiceError(_l("Cette personne n’existe pas."), code="invalid_field") from None
    return kind, actor_id


def list_traces(kind=None, actor_id=None, after=None, before=None, limit=PAGE_SIZE):
    """Traces newest first, or oldest first when catching up `after` a sequence number."""
    query = select(Trace).options(joinedload(Trace.actor)).where(Trace.verb.not_in(ACCOUNT_VERBS))
    if kind:
        query = query.where(Trace.verb == kind)
    if actor_id:
        query = query.where(Trace.actor_id == actor_id)
    if after is not None:
        query = query.where(Trace.id > after).order_by(Trace.id.asc())
    else:
        if before is not None:
            query = query.where(Trace.id < before)
        query = query.order_by(Trace.id.desc())
    return db.session.scalars(query.limit(limit)).all()


def people():
    """Members who can appear in the person filter."""
    return db.session.scalars(
        select(Member).where(Member.is_system.is_(False)).order_by(Member.display_name)
    ).all()


def render_trace(trace, text=None):
    """The trace's fragment (the page's own partial), with its sentence in the current locale."""
    if text is None:
        text = sentence(trace)
    return render_template("traces/_trace.html", trace=trace, sentence=text)


def trace_fact(trace, people=None):
    """The `trace_added` fact: the data, the sentence and the same fragment the page renders,
    in the current locale (the place's language when published to every reader)."""
    text = sentence(trace, people)
    return {
        "seq": trace.id,
        "verb": trace.verb,
        "actor_id": trace.actor_id,
        "created_at": trace.created_at.isoformat() + "Z",
        "summary": text,
        "html": render_trace(trace, text),
    }


def trace_facts(traces):
    """`trace_fact` for a list of traces, loading their people at once."""
    people = People.load(traces)
    return [trace_fact(t, people) for t in traces]
