"""Every label people read for a status, a kind, a role or a mode: one place, French first.

Services, views, templates (through the `label()` global) and the trace sentences read them
here; none is written a second time in a template or in JavaScript.
"""

from .i18n import _l

KIND_LABELS = {
    "mood": _l("Billet d’humeur"),
    "need": _l("Besoin"),
    "proposal": _l("Proposition d’événement"),
    "topic": _l("Point à discuter"),
}

NEED_LABELS = {
    "open": _l("ouvert"),
    "claimed": _l("pris en charge"),
    "met": _l("satisfait"),
    "dropped": _l("abandonné"),
}

MEETING_STATUS_LABELS = {
    "preparing": _l("en préparation"),
    "live": _l("réunion en cours"),
    "closed": _l("clos"),
}

PLACE_LABELS = {
    "house": _l("La maison, 97 rue Battant"),
    "garden": _l("Le Jardin du Ravelin"),
    "elsewhere": _l("Ailleurs"),
}

PROPOSAL_STATUS_LABELS = {
    "submitted": _l("proposée"),
    "on_agenda": _l("à l’ordre du jour"),
    "accepted": _l("acceptée"),
    "scheduled": _l("programmée"),
    "held": _l("a eu lieu"),
    "to_rework": _l("à retravailler"),
    "declined": _l("déclinée"),
    "withdrawn": _l("retirée"),
}

MODE_LABELS = {
    "consent": _l("consentement"),
    "vote": _l("vote"),
    "information": _l("information"),
}

ROLE_LABELS = {
    "facilitator": _l("Facilitation"),
    "scribe": _l("Secrétaire"),
    "timekeeper": _l("Gardien·ne du temps"),
}

ITEM_STATUS_LABELS = {
    "pending": _l("à venir"),
    "current": _l("en cours"),
    "done": _l("traité"),
    "postponed": _l("reporté"),
}

ITEM_KIND_LABELS = {
    "checkin": _l("Tour d’inclusion"),
    "carried": _l("Reporté de la semaine dernière"),
    "review": _l("Décision à revoir"),
    "topic": _l("Point à discuter"),
    "proposal": _l("Proposition d’événement"),
    "need": _l("Besoin"),
    "other": _l("Point"),
}

ANSWER_LABELS = {"for": _l("Pour"), "abstain": _l("Abstention"), "object": _l("Objection")}

ATTENDANCE_LABELS = {
    "present": _l("présent·e"),
    "excused": _l("excusé·e"),
    None: _l("non indiqué·e"),
}

# The phase of a live Friday as the live pages say it (a whole sentence, not a badge word).
LIVE_PHASE_LABELS = {
    "preparing": _l("Réunion pas encore commencée"),
    "live": _l("Réunion en cours"),
    "closed": _l("Réunion close"),
}

# How a decision was taken, as it reads after its number ("Décision n° 3 · par consentement").
DECISION_MODE_PHRASES = {
    "consent": _l("par consentement"),
    "vote": _l("par vote"),
    "information": _l("pour information"),
}
