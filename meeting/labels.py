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

# A command's fields as a person knows them, for the refusals that name one ("Le champ
# « Qui » est obligatoire.", never "owner_id"). Keyed by the registry's field names.
# The calendar's event fields (the console's decision step names them `event_…`).
EVENT_FIELD_LABELS = {
    "title": _l("Titre de l’événement"),
    "description": _l("Description"),
    "start_date": _l("Date de début"),
    "start_time": _l("Heure de début"),
    "end_date": _l("Date de fin"),
    "end_time": _l("Heure de fin"),
    "place": _l("Lieu"),
    "place_detail": _l("Précision sur le lieu"),
    "visibility": _l("Visible par"),
    "repeat": _l("Répétition"),
    "repeat_until": _l("Jusqu’au"),
}

# -- the place's economy -----------------------------------------------------------------

BUDGET_CATEGORY_LABELS = {
    "charges": _l("Charges fixes"),
    "upkeep": _l("Réparations et entretien"),
    "conciergerie": _l("Conciergerie et facilitation"),
    "other": _l("Autres dépenses"),
}

BUDGET_PERIOD_LABELS = {"month": _l("par mois"), "year": _l("par an")}

GIFT_STATUS_LABELS = {
    "pledged": _l("annoncé"),
    "received": _l("reçu"),
    "cancelled": _l("annulé"),
}

GIFT_METHOD_LABELS = {
    "transfer": _l("Virement"),
    "cheque": _l("Chèque"),
    "cash": _l("Espèces"),
    "card": _l("Carte bancaire"),
    "other": _l("Autre"),
}

CATALOGUE_UNIT_LABELS = {
    "hour": _l("l’heure"),
    "half_day": _l("la demi-journée"),
    "day": _l("la journée"),
    "session": _l("la séance"),
    "unit": _l("l’unité"),
}

# The anonymous weather a billet d'humeur may carry (counted per Friday, never who).
WEATHER_LABELS = {
    "sun": _l("Soleil"),
    "sunny_spells": _l("Éclaircies"),
    "clouds": _l("Nuages"),
    "rain": _l("Pluie"),
    "storm": _l("Orage"),
}
WEATHER_SYMBOLS = {"sun": "☀", "sunny_spells": "⛅", "clouds": "☁", "rain": "🌧", "storm": "⛈"}

ECONOMY_FIELD_LABELS = {
    "amount": _l("Montant"),
    "received_on": _l("Reçu le"),
    "expected_on": _l("Attendu le"),
    "donor_name": _l("Donateur ou donatrice"),
    "donor_email": _l("Adresse e-mail du donateur"),
    "donor_address": _l("Adresse postale (pour le reçu)"),
    "anonymous": _l("Don anonyme"),
    "line_id": _l("Ligne du budget"),
    "method": _l("Mode de versement"),
    "gift_id": _l("Don"),
    "year": _l("Année"),
    "lines": _l("Lignes du budget"),
    "category": _l("Catégorie"),
    "period": _l("Périodicité"),
    "explanation": _l("À quoi elle sert"),
    "spent_on": _l("Date de la dépense"),
    "catalogue_item_id": _l("Bien ou service"),
    "use_id": _l("Utilisation"),
    "used_on": _l("Date d’utilisation"),
    "for_whom": _l("Pour qui"),
    "quantity": _l("Quantité"),
    "contribution": _l("Contribution choisie"),
    "unit": _l("Unité"),
    "house_minutes": _l("Temps de maison occupé (minutes)"),
    "offered_by_id": _l("Proposé par"),
    "description": _l("Description"),
    "value": _l("Valeur estimée"),
    "weather": _l("Météo"),
    "setting": _l("Réglage"),
    "treasurer": _l("Tient les comptes"),
    "donation_url": _l("Adresse de la page de dons"),
    "donation_details": _l("Coordonnées pour un virement ou un chèque"),
    "receipts": _l("Reçus des dons"),
    "association_name": _l("Nom de l’association"),
    "association_address": _l("Adresse de l’association"),
    "association_object": _l("Objet de l’association"),
    "association_quality": _l("Qualité de l’organisme"),
    "open_hours_per_week": _l("Heures d’ouverture par semaine"),
}

FIELD_LABELS = {
    **ECONOMY_FIELD_LABELS,
    **{name: label for name, label in EVENT_FIELD_LABELS.items() if name != "title"},
    **{f"event_{name}": label for name, label in EVENT_FIELD_LABELS.items()},
    "confirm_overlap": _l("Enregistrer même s’il chevauche un autre événement"),
    "create_event": _l("Créer l’événement"),
    "event_id": _l("Événement"),
    "occurrence": _l("Date de la série"),
    "proposal_id": _l("Proposition"),
    "proposal_outcome": _l("Et la proposition ?"),
    "proposal_reason": _l("Ce qu’on dit à la personne qui l’a proposée"),
    "supersedes_number": _l("Remplace la décision n°"),
    "publication": _l("Publication"),
    "action_id": _l("Action"),
    "summary": _l("Résumé"),
    "seen_until": _l("Lu jusqu’à"),
    "summary_revision": _l("Version du résumé"),
    "action": _l("Action sur le minuteur"),
    "after": _l("Dernière trace vue"),
    "agenda_revision": _l("Version de l’ordre du jour"),
    "answer": _l("Réponse"),
    "body": _l("Texte"),
    "day": _l("Date du vendredi"),
    "decision_id": _l("Décision"),
    "direction": _l("Sens du déplacement"),
    "due_on": _l("Pour quand"),
    "entry_id": _l("Contribution"),
    "hand_id": _l("Main levée"),
    "item_id": _l("Point de l’ordre du jour"),
    "kind": _l("Type"),
    "label": _l("Quoi"),
    "live_revision": _l("Version de la réunion"),
    "meeting_id": _l("Réunion"),
    "member_id": _l("Personne"),
    "minutes": _l("Minutes"),
    "mode": _l("Mode"),
    "note": _l("Précision"),
    "objections": _l("Objections soulevées"),
    "objections_lifted": _l("Comment elles ont été levées"),
    "op_id": _l("Identifiant d’envoi"),
    "options": _l("Choix du vote"),
    "order": _l("Ordre des points"),
    "outcome": _l("Issue du besoin"),
    "owner_id": _l("Qui"),
    "person": _l("Personne"),
    "question": _l("Proposition soumise au tour"),
    "reason": _l("Raison"),
    "review_on": _l("À revoir le"),
    "revision": _l("Version du texte"),
    "role": _l("Rôle"),
    "round_id": _l("Tour"),
    "statement": _l("Décision"),
    "status": _l("Présence"),
    "timebox_minutes": _l("Minutes"),
    "title": _l("Titre"),
    "type": _l("Type"),
    "typing": _l("En train d’écrire"),
    "view": _l("Vue"),
    # The event proposal form (its wished dates are three date/time pairs).
    "date_1": _l("Date souhaitée"),
    "time_1": _l("Heure souhaitée"),
    "date_2": _l("Deuxième date possible"),
    "time_2": _l("Heure de la deuxième date"),
    "date_3": _l("Troisième date possible"),
    "time_3": _l("Heure de la troisième date"),
    "duration_minutes": _l("Durée (en minutes)"),
    "expected_attendance": _l("Nombre de personnes attendues"),
    "material_needs": _l("Besoins matériels"),
    # The token page.
    "token_id": _l("Jeton"),
    # Forms outside the command registry, cleaned at the edge all the same (`meeting.cleaning`).
    "code": _l("Code affiché à l’écran"),
    "confirmation": _l("Confirmation de l’effacement"),
    "first_name": _l("Prénom"),
    "display_name": _l("Nom affiché"),
    "email": _l("Adresse e-mail"),
    "name": _l("Nom"),
}


def field_label(name):
    """The French label of a command's field ("owner_id" → "Qui"); an unknown name (a field a
    program sent that no command takes) is shown as sent."""
    return FIELD_LABELS.get(name, name)
