"""The permission matrix: every route, and every command through every door that exposes it
(the socket, form posts), for every kind of visitor.

Adding a route or a command without listing it here makes `test_matrix_lists_every_route`
or `test_matrix_lists_every_command` fail.
"""

from datetime import date, timedelta

import pytest

from meeting.commands import COMMANDS, exposed, form_values
from meeting.extensions import db
from meeting.meetings import dates
from meeting.meetings import services as meetings
from meeting.models import Action
from meeting.prep import services as prep
from meeting.proposals import services as proposals
from tests.conftest import post_form, restore_rows, sign_in, snapshot_rows

ROLES = ("anonymous", "member", "facilitator", "admin", "guest")


def expected_for(expected, role):
    """A row lists anonymous/member/facilitator/admin, and guest where it differs from anonymous
    (a guest is an anonymous visitor who joined the live meeting with its code)."""
    index = ROLES.index(role)
    return expected[index] if index < len(expected) else expected[0]


# endpoint -> list of (method, path, form data, expected status per role in ROLES order).
# `{target}` is a member other than the visitor; `{day}` the coming Friday, whose document holds
# rows of that other member: `{entry}` a point à discuter, `{need}` an open need, `{claimed}` a
# need they took on, `{proposal}` an event proposal.
DOC = "/vendredi/{day}/"
LIVE = "/vendredi/{live_day}/"
DUE = (date.today() + timedelta(days=10)).isoformat()
WISHED = (date.today() + timedelta(days=30)).isoformat()
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()
ROUTES = {
    "prep.home": [("GET", "/", None, (200, 200, 200, 200))],
    "pwa.manifest": [("GET", "/manifest.webmanifest", None, (200, 200, 200, 200))],
    "pwa.service_worker": [("GET", "/sw.js", None, (200, 200, 200, 200))],
    "pwa.offline_page": [("GET", "/hors-ligne", None, (200, 200, 200, 200))],
    # The health check: the same answer for everyone, nothing personal in it.
    "ops.healthz": [("GET", "/healthz", None, (200, 200, 200, 200))],
    "members.sign_in": [
        ("GET", "/connexion", None, (200, 302, 302, 302)),
        ("POST", "/connexion", {"email": "x@y.fr", "password": "faux"}, (400, 400, 400, 400)),
    ],
    "members.request_magic_link": [
        ("POST", "/connexion/lien", {"email": "x@y.fr"}, (200, 200, 200, 200)),
    ],
    "members.magic_link": [
        ("GET", "/connexion/lien/faux-jeton", None, (404, 404, 404, 404)),
        ("POST", "/connexion/lien/faux-jeton", {}, (404, 404, 404, 404)),
    ],
    "members.sign_out": [
        ("GET", "/deconnexion", None, (302, 200, 200, 200)),
        ("POST", "/deconnexion", {}, (302, 302, 302, 302)),
    ],
    "members.first_run": [
        ("GET", "/installation", None, (302, 302, 302, 302)),
        (
            "POST",
            "/installation",
            {"display_name": "X", "email": "x@y.fr", "password": "12345678"},
            (302, 302, 302, 302),
        ),
    ],
    "members.accept_invitation": [
        ("GET", "/invitation/faux-jeton", None, (404, 404, 404, 404)),
        ("POST", "/invitation/faux-jeton", {}, (404, 404, 404, 404)),
    ],
    "members.profile": [
        ("GET", "/profil", None, (302, 200, 200, 200)),
        ("POST", "/profil", {"display_name": ""}, (302, 400, 400, 400)),
    ],
    "members.change_password": [
        ("POST", "/profil/mot-de-passe", {}, (302, 400, 400, 400)),
    ],
    "members.end_other_sessions": [
        ("POST", "/profil/appareils/deconnecter", {}, (302, 302, 302, 302)),
    ],
    "members.set_language": [("POST", "/langue", {"lang": "fr"}, (302, 302, 302, 302))],
    "members.admin": [("GET", "/admin/membres", None, (302, 403, 403, 200))],
    "members.invite": [
        ("POST", "/admin/membres/inviter", {"role": "member"}, (302, 403, 403, 200))
    ],
    "members.change_role": [
        ("POST", "/admin/membres/{target}/role", {"role": "member"}, (302, 403, 403, 302)),
    ],
    "members.deactivate": [
        ("POST", "/admin/membres/{target}/desactiver", {}, (302, 403, 403, 302)),
    ],
    "members.reactivate": [
        ("POST", "/admin/membres/{target}/reactiver", {}, (302, 403, 403, 302)),
    ],
    "traces.index": [("GET", "/traces/", None, (302, 200, 200, 200))],
    # Members-only archive (the default): anonymous visitors sign in, a live-Friday guest is refused.
    "decisions.index": [("GET", "/decisions/", None, (302, 200, 200, 200, 403))],
    # No decision is recorded in this world: members get the French 404, others sign in.
    "decisions.show": [("GET", "/decisions/1", None, (302, 404, 404, 404, 403))],
    "decisions.correct": [("POST", "/decisions/1/corriger", {}, (302, 403, 404, 404, 403))],
    "catchup.mark_read": [
        (
            "POST",
            "/ce-que-vous-avez-manque/lu",
            {"seen_until": "2026-01-01T00:00:00"},
            (302, 303, 303, 303),
        )
    ],
    "feeds.decisions_atom": [("GET", "/decisions.atom", None, (403, 200, 200, 200))],
    "feeds.minutes_atom": [("GET", "/comptes-rendus.atom", None, (403, 200, 200, 200))],
    "feeds.create_feed_token": [("POST", "/profil/flux", {}, (302, 302, 302, 302))],
    "feeds.revoke_feed_token": [("POST", "/profil/flux/revoquer", {}, (302, 302, 302, 302))],
    "members.set_publication": [
        ("POST", "/admin/publication", {"publication": "public"}, (302, 403, 403, 302))
    ],
    "actions.mine": [
        ("GET", "/actions/", None, (302, 200, 200, 200, 403)),
        ("GET", "/actions/?qui=tous", None, (302, 200, 200, 200, 403)),
    ],
    "actions.change": [
        ("POST", "/actions/{action}", {"op": "complete_action"}, (302, 303, 303, 303, 403))
    ],
    "minutes.show": [
        ("GET", DOC + "compte-rendu", None, (302, 404, 404, 404, 302)),
        ("POST", DOC + "compte-rendu", {"op": "validate_minutes"}, (302, 303, 303, 303, 302)),
    ],
    "minutes.markdown": [("GET", DOC + "compte-rendu.md", None, (302, 404, 404, 404, 302))],
    "search.index": [("GET", "/recherche?q=chaudiere", None, (302, 200, 200, 200))],
    "prep.document": [("GET", DOC, None, (302, 200, 200, 200))],
    "prep.add_entry": [
        ("POST", DOC + "entrees", {"kind": "topic", "body": "Un point"}, (302, 302, 302, 302)),
    ],
    "prep.edit_entry": [
        ("GET", DOC + "entrees/{entry}/modifier", None, (302, 403, 200, 200)),
        (
            "POST",
            DOC + "entrees/{entry}/modifier",
            {"revision": "1", "body": "Corrigé"},
            (302, 403, 302, 302),
        ),
    ],
    "prep.delete_entry": [
        ("POST", DOC + "entrees/{entry}/supprimer", {}, (302, 403, 403, 403)),
    ],
    "prep.entry_history": [
        ("GET", DOC + "entrees/{entry}/historique", None, (302, 200, 200, 200)),
    ],
    "prep.need_action": [
        ("POST", DOC + "entrees/{need}/besoin", {"action": "claim"}, (302, 302, 302, 302)),
        ("POST", DOC + "entrees/{claimed}/besoin", {"action": "release"}, (302, 403, 302, 302)),
        ("POST", DOC + "entrees/{need}/besoin", {"action": "met"}, (302, 403, 302, 302)),
    ],
    "prep.start_meeting": [("POST", DOC + "commencer", {}, (302, 403, 302, 302))],
    "prep.close_meeting": [("POST", DOC + "clore", {}, (302, 403, 302, 302))],
    "proposals.propose": [
        ("GET", DOC + "proposer", None, (302, 200, 200, 200)),
        (
            "POST",
            DOC + "proposer",
            {
                "title": "Concert",
                "description": "Un concert",
                "date_1": WISHED,
                "time_1": "20:00",
                "duration_minutes": "90",
                "place": "house",
            },
            (302, 302, 302, 302),
        ),
    ],
    "proposals.mine": [("GET", "/propositions/", None, (302, 200, 200, 200))],
    "proposals.show": [("GET", "/propositions/{proposal}", None, (302, 200, 200, 200))],
    "proposals.withdraw": [
        ("POST", "/propositions/{proposal}/retirer", {}, (302, 403, 403, 403)),
    ],
    # The calendar (issue 10): `{event}` public, `{members_event}` members-only, `{series}` a
    # weekly series; all made by the reference admin.
    "calendar.index": [
        ("GET", "/agenda/", None, (200, 200, 200, 200)),
        ("GET", "/agenda/?vue=semaine", None, (200, 200, 200, 200)),
        ("GET", "/agenda/?vue=liste", None, (200, 200, 200, 200)),
    ],
    "calendar.show": [
        ("GET", "/agenda/{event}", None, (200, 200, 200, 200)),
        ("GET", "/agenda/{members_event}", None, (404, 200, 200, 200)),
    ],
    "calendar.new": [
        ("GET", "/agenda/nouveau", None, (302, 403, 200, 200)),
        (
            "POST",
            "/agenda/nouveau",
            {
                "title": "Concert",
                "start_date": WISHED,
                "start_time": "20:00",
                "end_time": "22:00",
                "place": "elsewhere",
                "place_detail": "Salle des fêtes",
            },
            (302, 403, 302, 302),
        ),
    ],
    "calendar.edit": [
        ("GET", "/agenda/{event}/modifier", None, (302, 403, 200, 200)),
        ("POST", "/agenda/{event}/modifier", {"revision": "old"}, (302, 403, 409, 409)),
    ],
    "calendar.cancel": [
        ("GET", "/agenda/{event}/annuler", None, (302, 403, 200, 200)),
        ("POST", "/agenda/{event}/annuler", {"reason": ""}, (302, 403, 400, 400)),
    ],
    "calendar.skip": [
        (
            "POST",
            "/agenda/{series}/sauter",
            {"occurrence": "2020-01-01T10:00"},
            (302, 403, 400, 400),
        )
    ],
    "calendar_feeds.public_ics": [("GET", "/agenda.ics", None, (200, 200, 200, 200))],
    "calendar_feeds.member_ics": [
        ("GET", "/agenda/personnel.ics", None, (403, 403, 403, 403)),
        ("GET", "/agenda/personnel.ics?jeton=faux", None, (403, 403, 403, 403)),
    ],
    "calendar_feeds.event_ics": [
        ("GET", "/agenda/{event}.ics", None, (200, 200, 200, 200)),
        ("GET", "/agenda/{members_event}.ics", None, (404, 200, 200, 200)),
        ("GET", "/agenda/999999.ics", None, (404, 404, 404, 404)),
    ],
    "calendar_feeds.subscribe": [("GET", "/agenda/abonnement", None, (200, 200, 200, 200))],
    "calendar_feeds.upcoming_json": [
        ("GET", "/agenda/prochains.json", None, (200, 200, 200, 200)),
        ("GET", "/agenda/prochains.json?n=0", None, (400, 400, 400, 400)),
    ],
    "calendar_feeds.widget": [
        ("GET", "/agenda/widget", None, (200, 200, 200, 200)),
        ("GET", "/agenda/widget?n=0", None, (400, 400, 400, 400)),
    ],
    "calendar_feeds.create_calendar_token": [("POST", "/profil/agenda", {}, (302, 302, 302, 302))],
    "calendar_feeds.revoke_calendar_token": [
        ("POST", "/profil/agenda/revoquer", {}, (302, 302, 302, 302))
    ],
    # Proposers (issue 10): the public form, the private status link, notifications.
    "proposals.propose_outside": [
        ("GET", "/proposer", None, (200, 200, 200, 200)),
        ("POST", "/proposer", {"name": ""}, (400, 400, 400, 400)),
    ],
    "proposals.resubmit": [("POST", "/propositions/{proposal}/renvoyer", {}, (302, 403, 403, 403))],
    "proposals.emails": [("POST", "/propositions/{proposal}/courriels", {}, (302, 403, 403, 403))],
    "proposals.track": [("GET", "/propositions/suivi/faux-jeton", None, (404, 404, 404, 404))],
    "proposals.track_withdraw": [
        ("POST", "/propositions/suivi/faux-jeton/retirer", {}, (404, 404, 404, 404))
    ],
    "proposals.track_resubmit": [
        ("POST", "/propositions/suivi/faux-jeton/renvoyer", {}, (404, 404, 404, 404))
    ],
    "proposals.track_emails": [
        ("POST", "/propositions/suivi/faux-jeton/courriels", {}, (404, 404, 404, 404))
    ],
    "notifications.index": [("GET", "/notifications", None, (302, 200, 200, 200))],
    "notifications.mark_read": [("POST", "/notifications/lu", {}, (302, 302, 302, 302))],
    "static": [("GET", "/static/css/main.css", None, (200, 200, 200, 200))],
    # The JSON API (issue 13): a session reads what its pages show; nobody, or a guest, gets
    # 401 where nothing is public; the API door's command matrix is in tests/test_api.py.
    "api.v1.meetings.list_meetings": [("GET", "/api/v1/meetings", None, (401, 200, 200, 200))],
    "api.v1.meetings.show_meeting": [("GET", "/api/v1/meetings/{day}", None, (401, 200, 200, 200))],
    "api.v1.meetings.list_entries": [
        ("GET", "/api/v1/meetings/{day}/entries", None, (401, 200, 200, 200))
    ],
    "api.v1.meetings.show_entry": [("GET", "/api/v1/entries/{entry}", None, (401, 200, 200, 200))],
    "api.v1.meetings.list_agenda": [
        ("GET", "/api/v1/meetings/{day}/agenda", None, (401, 200, 200, 200))
    ],
    "api.v1.meetings.me": [("GET", "/api/v1/me", None, (401, 200, 200, 200))],
    "api.v1.archive.list_decisions": [("GET", "/api/v1/decisions", None, (401, 200, 200, 200))],
    "api.v1.archive.show_decision": [("GET", "/api/v1/decisions/1", None, (401, 404, 404, 404))],
    "api.v1.archive.list_actions": [("GET", "/api/v1/actions", None, (401, 200, 200, 200))],
    "api.v1.calendar.list_events": [("GET", "/api/v1/events", None, (200, 200, 200, 200))],
    "api.v1.calendar.show_event": [
        ("GET", "/api/v1/events/{event}", None, (200, 200, 200, 200)),
        ("GET", "/api/v1/events/{members_event}", None, (404, 200, 200, 200)),
    ],
    "api.v1.proposals.list_proposals": [("GET", "/api/v1/proposals", None, (401, 200, 200, 200))],
    "api.v1.proposals.show_proposal": [
        ("GET", "/api/v1/proposals/{proposal}", None, (401, 200, 200, 200))
    ],
    "api.v1.commands.run": [("POST", "/api/v1/commands/pirate", {}, (404, 404, 404, 404))],
    "api.document.openapi": [("GET", "/api/openapi.json", None, (200, 200, 200, 200))],
    "api.tokens.index": [("GET", "/profil/jetons", None, (302, 200, 200, 200))],
    "api.tokens.create": [("POST", "/profil/jetons", {"label": "Script"}, (302, 302, 302, 302))],
    "api.tokens.revoke": [
        ("POST", "/profil/jetons/999999/revoquer", {}, (302, 404, 404, 404)),
    ],
    # Friday live, on the meeting after the coming one, started by the reference admin.
    "live.console": [
        ("GET", LIVE + "animation", None, (302, 403, 200, 200, 302)),
        (
            "POST",
            LIVE + "animation",
            {"op": "control_timer", "action": "pause"},
            (302, 403, 303, 303, 302),
        ),
    ],
    "live.screen": [("GET", LIVE + "ecran", None, (302, 200, 200, 200, 302))],
    "live.phone": [
        ("GET", LIVE + "direct", None, (302, 200, 200, 200, 200)),
        ("POST", LIVE + "direct", {"op": "raise_hand"}, (302, 303, 303, 303, 303)),
    ],
    "live.join": [
        ("GET", "/rejoindre", None, (200, 302, 302, 302, 200)),
        ("POST", "/rejoindre", {"code": "ZZZZZZ", "first_name": "Bob"}, (400, 400, 400, 400, 400)),
    ],
    # -- the place's economy (the treasurer is an admin here: can_keep_accounts) --------------
    "budget.index": [("GET", "/budget/", None, (302, 200, 200, 200))],
    "budget.public": [("GET", "/budget/public", None, (200, 200, 200, 200))],
    "budget.public_json": [("GET", "/budget/public.json", None, (200, 200, 200, 200))],
    "budget.edit_year": [
        ("GET", "/budget/2020/lignes", None, (302, 403, 403, 200)),
        (
            "POST",
            "/budget/2020/lignes",
            {"rows": "1", "label_1": "Loyer", "amount_1": "820", "revision": "0"},
            (302, 403, 403, 302),
        ),
    ],
    "budget.expenses": [
        ("GET", "/budget/2020/depenses", None, (302, 403, 403, 200)),
        (
            "POST",
            "/budget/2020/depenses",
            {"spent_on": "2020-03-06", "amount": "12,50", "label": "Ampoules"},
            (302, 403, 403, 302),
        ),
    ],
    "budget.close_year": [("POST", "/budget/2020/clore", {"confirm": "1"}, (302, 403, 403, 302))],
    "budget.ledger_csv": [("GET", "/budget/2020/grand-livre.csv", None, (302, 403, 403, 200))],
    "budget.settings": [
        ("GET", "/budget/reglages", None, (302, 403, 403, 200)),
        (
            "POST",
            "/budget/reglages",
            {"association_name": "Le 97", "open_hours_per_week": "40"},
            (302, 403, 403, 302),
        ),
    ],
    "members.set_treasurer": [
        ("POST", "/admin/membres/{target}/tresorerie", {"treasurer": "1"}, (302, 403, 403, 302))
    ],
    # The catalogue (issue 11): anyone reads it; members offer and record uses; the
    # treasurer (an admin here) reads every use. `{catalogue_item}` is offered by Cible,
    # `{use}` is Cible's use of it.
    "catalogue.index": [("GET", "/catalogue/", None, (200, 200, 200, 200))],
    "catalogue.new": [
        ("GET", "/catalogue/nouveau", None, (302, 200, 200, 200)),
        ("POST", "/catalogue/nouveau", {"title": ""}, (302, 400, 400, 400)),
    ],
    "catalogue.show": [("GET", "/catalogue/{catalogue_item}", None, (200, 200, 200, 200))],
    "catalogue.edit": [
        ("GET", "/catalogue/{catalogue_item}/modifier", None, (302, 403, 200, 200)),
        (
            "POST",
            "/catalogue/{catalogue_item}/modifier",
            {"op": "edit", "title": ""},
            (302, 403, 400, 400),
        ),
    ],
    "catalogue.record_use": [
        ("GET", "/catalogue/{catalogue_item}/utiliser", None, (302, 200, 200, 200)),
        (
            "POST",
            "/catalogue/{catalogue_item}/utiliser",
            {"contribution": "0"},
            (302, 400, 400, 400),
        ),
    ],
    "catalogue.mine": [("GET", "/catalogue/mes-contributions", None, (302, 200, 200, 200))],
    "catalogue.uses": [("GET", "/catalogue/utilisations", None, (302, 403, 403, 200))],
    "catalogue.cancel_use": [
        ("POST", "/catalogue/utilisations/{use}/annuler", {}, (302, 404, 404, 302))
    ],
    "life.index": [
        ("GET", "/vie-du-lieu/", None, (302, 200, 200, 200, 403)),
        ("GET", "/vie-du-lieu/?de=2026-13", None, (302, 400, 400, 400, 403)),
    ],
    "life.chart_svg": [
        ("GET", "/vie-du-lieu/presence.svg", None, (302, 200, 200, 200, 403)),
        ("GET", "/vie-du-lieu/camembert.svg", None, (302, 404, 404, 404, 403)),
    ],
    "life.chart_csv": [("GET", "/vie-du-lieu/meteo.csv", None, (302, 200, 200, 200, 403))],
    "gifts.index": [
        ("GET", "/budget/dons/", None, (302, 403, 403, 200)),
        ("POST", "/budget/dons/", {"op": "record_gift", "amount": ""}, (302, 403, 403, 400)),
    ],
    "gifts.pledge": [
        ("GET", "/budget/dons/annoncer", None, (302, 200, 200, 200)),
        (
            "POST",
            "/budget/dons/annoncer",
            {"op": "pledge_gift", "amount": ""},
            (302, 400, 400, 400),
        ),
    ],
    "gifts.mine": [("GET", "/budget/dons/mes-dons", None, (302, 200, 200, 200))],
    # {gift} is the other member's gift: only the treasurer (admin) sees it.
    "gifts.show": [
        ("GET", "/budget/dons/999999", None, (404, 404, 404, 404)),
        ("GET", "/budget/dons/{gift}", None, (404, 404, 404, 200)),
    ],
    "gifts.confirm": [
        (
            "POST",
            "/budget/dons/999999/confirmer",
            {"op": "confirm_gift", "received_on": YESTERDAY},
            (302, 403, 403, 404),
        )
    ],
    "gifts.cancel": [
        ("POST", "/budget/dons/999999/annuler", {"op": "cancel_gift"}, (302, 404, 404, 404))
    ],
    "gifts.receipt": [("GET", "/budget/dons/999999/recu", None, (404, 404, 404, 404))],
    "gifts.issue_receipt": [
        (
            "POST",
            "/budget/dons/999999/recu/delivrer",
            {"op": "issue_receipt"},
            (302, 404, 404, 404),
        )
    ],
}

# A refused page says why: the general message, or the service's own for these endpoints.
FORBIDDEN = {
    "prep.delete_entry": "Vous ne pouvez retirer que vos propres contributions.",
    "prep.need_action": (
        "Seule la personne qui s’en occupe peut le rendre.",
        (
            "Seules la personne qui s’en occupe, celle qui l’a exprimé ou "
            "l’animation peuvent clore ce besoin."
        ),
    ),
    "prep.start_meeting": "Seul·es les facilitateur·rices ouvrent et closent la réunion.",
    "prep.close_meeting": "Seul·es les facilitateur·rices ouvrent et closent la réunion.",
    "proposals.withdraw": "Seule la personne qui a proposé l’événement peut le retirer.",
    "feeds.decisions_atom": "sont réservés aux membres",
    "feeds.minutes_atom": "sont réservés aux membres",
    "calendar_feeds.member_ics": "n’est pas (ou plus) valable",
    "proposals.resubmit": "Seule la personne qui a proposé l’événement peut faire cela.",
    "proposals.emails": "Seule la personne qui a proposé l’événement peut faire cela.",
}

# command -> (payload, expected `ok` or error code per role in ROLES order); "{meeting}",
# "{entry}", "{need}", "{claimed}" stand for the ids of the rows described above ROUTES.
CONSOLE = ("not_signed_in", "forbidden", True, True, "forbidden")
SOCKET_COMMANDS = {
    "record_catalogue_use": (
        {"catalogue_item_id": "{catalogue_item}", "used_on": YESTERDAY, "contribution": "5"},
        ("not_signed_in", True, True, True),
    ),
    "cancel_catalogue_use": (
        {"use_id": "{use}"},
        ("not_signed_in", "not_found", "not_found", True),
    ),
    "add_budget_point": ({"meeting_id": "{live_meeting}"}, CONSOLE),
    "mark_notifications_read": ({}, ("not_signed_in", True, True, True, "forbidden")),
    "sync_proposals": ({}, ("not_signed_in", True, True, True, "forbidden")),
    "sync_traces": ({"after": 0}, ("not_signed_in", True, True, True)),
    "edit_decision": (
        {"decision_id": 999999, "statement": "Corrigé"},
        ("not_signed_in", "not_found", "not_found", "not_found"),
    ),
    "write_summary": (
        {"meeting_id": "{live_meeting}", "summary": "Le résumé", "summary_revision": 0},
        CONSOLE,
    ),
    "validate_minutes": (
        {"meeting_id": "{live_meeting}"},
        ("not_signed_in", "forbidden", "not_closed", "not_closed", "forbidden"),
    ),
    "mark_caught_up": ({"seen_until": "2026-01-01T00:00:00"}, ("not_signed_in", True, True, True)),
    "sync_actions": ({"view": "everyone"}, ("not_signed_in", True, True, True)),
    "complete_action": (
        {"action_id": "{action}"},
        ("not_signed_in", "forbidden", "forbidden", "forbidden"),
    ),
    "reopen_action": (
        {"action_id": "{action}"},
        ("not_signed_in", "forbidden", "forbidden", "forbidden"),
    ),
    "join_document": ({"meeting_id": "{meeting}"}, ("not_signed_in", True, True, True)),
    "add_entry": (
        {"meeting_id": "{meeting}", "kind": "topic", "body": "Un point"},
        ("not_signed_in", True, True, True),
    ),
    "edit_entry": (
        {"entry_id": "{entry}", "revision": 1, "body": "Corrigé"},
        ("not_signed_in", "forbidden", True, True),
    ),
    "delete_entry": (
        {"entry_id": "{entry}"},
        ("not_signed_in", "forbidden", "forbidden", "forbidden"),
    ),
    "claim_need": ({"entry_id": "{need}"}, ("not_signed_in", True, True, True)),
    "release_need": ({"entry_id": "{claimed}"}, ("not_signed_in", "forbidden", True, True)),
    "resolve_need": (
        {"entry_id": "{need}", "outcome": "met"},
        ("not_signed_in", "forbidden", True, True),
    ),
    "preview_markdown": ({"body": "**gras**"}, ("not_signed_in", True, True, True)),
    "set_typing": (
        {"meeting_id": "{meeting}", "typing": True},
        ("not_signed_in", True, True, True),
    ),
    # Friday live: phones (members and guests) and the console (facilitators).
    "join_live": ({"meeting_id": "{live_meeting}"}, ("forbidden", True, True, True, True)),
    "raise_hand": ({"meeting_id": "{live_meeting}"}, ("forbidden", True, True, True, True)),
    "lower_hand": ({"meeting_id": "{live_meeting}"}, ("forbidden", True, True, True, True)),
    "answer_round": (
        {"round_id": "{round}", "answer": "for"},
        ("forbidden", True, True, True, True),
    ),
    "advance_item": ({"meeting_id": "{live_meeting}", "live_revision": "{live_revision}"}, CONSOLE),
    "control_timer": ({"meeting_id": "{live_meeting}", "action": "pause"}, CONSOLE),
    "postpone_item": ({"meeting_id": "{live_meeting}", "item_id": "{item}"}, CONSOLE),
    "reorder_agenda": (
        {
            "meeting_id": "{live_meeting}",
            "agenda_revision": "{agenda_revision}",
            "order": "{order}",
        },
        CONSOLE,
    ),
    "move_item": (
        {"item_id": "{item}", "direction": "up", "agenda_revision": "{agenda_revision}"},
        CONSOLE,
    ),
    "set_timebox": ({"item_id": "{item}", "minutes": 12}, CONSOLE),
    "give_floor": ({"meeting_id": "{live_meeting}", "hand_id": "{hand}"}, CONSOLE),
    # A round is already open: the facilitators pass the permission check and get "round_open".
    "open_round": (
        {"meeting_id": "{live_meeting}", "kind": "consent", "question": "On y va ?"},
        ("not_signed_in", "forbidden", "round_open", "round_open", "forbidden"),
    ),
    "close_round": ({"round_id": "{round}"}, CONSOLE),
    "record_decision": (
        {"meeting_id": "{live_meeting}", "statement": "On le fait.", "mode": "information"},
        CONSOLE,
    ),
    "add_action": (
        {
            "meeting_id": "{live_meeting}",
            "label": "Appeler le plombier",
            "owner_id": "{target}",
            "due_on": DUE,
        },
        CONSOLE,
    ),
}


LIVE_COMMANDS = {
    name
    for name, (payload, _) in SOCKET_COMMANDS.items()
    if any(
        isinstance(v, str) and v in ("{live_meeting}", "{round}", "{item}")
        for v in payload.values()
    )
}


def test_matrix_lists_every_route(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(ROUTES), "list the new route in ROUTES with its expected answers"
    for rule in app.url_map.iter_rules():
        listed = {method for method, *_ in ROUTES[rule.endpoint]}
        assert rule.methods - {"HEAD", "OPTIONS"} == listed, f"list every method of {rule}"


def test_matrix_lists_every_command(app):  # the app declares the commands
    assert set(exposed("socket")) == set(SOCKET_COMMANDS), "list it in SOCKET_COMMANDS"
    assert set(exposed("form")) == set(FORM_COMMANDS), "list it in FORM_COMMANDS"
    assert set(COMMANDS) == set(SOCKET_COMMANDS) | set(FORM_COMMANDS)


@pytest.fixture
def config_overrides(smtp_server):
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port}


# The worlds of this worker, built once per (role, live) and restored before each test: the
# rows (with their ids), the session cookie of the visitor's client and the places.
_WORLDS = {}


@pytest.fixture
def visitor(app, make_member, live_friday):
    """Factory: a client for a role ('anonymous' or a member role) and the ids of what belongs
    to someone else: a target member and their rows in the coming Friday's document.

    The first test of a worker that asks for a (role, live) builds that world through the
    services and keeps it (`snapshot_rows`); every later one starts from the same rows
    (`restore_rows`) and the same signed-in session cookie, in its own fresh database."""
    cookie_name = app.config["SESSION_COOKIE_NAME"]

    def make(role, live=False):
        live = bool(live or role == "guest")
        world = _WORLDS.get((role, live))
        if world is not None:
            rows, cookie, places = world
            restore_rows(rows)
            client = app.test_client()
            if cookie is not None:
                client.set_cookie(cookie_name, cookie)
            return client, dict(places)
        client, places = build(role, live)
        kept = client.get_cookie(cookie_name)
        _WORLDS[(role, live)] = (snapshot_rows(), kept and kept.value, dict(places))
        return client, places

    def build(role, live):
        admin = make_member(role="admin", name="Admin de référence")  # the site is installed
        target = make_member(role="member", name="Cible")
        meeting = meetings.ensure_meeting(dates.next_meeting_date())
        entry = prep.add_entry(target, meeting.id, "topic", "Point de Cible", "Un point")
        need = prep.add_entry(target, meeting.id, "need", "Savon", "Du savon noir")
        claimed = prep.add_entry(target, meeting.id, "need", "Huile", "De l’huile")
        prep.claim_need(target, claimed.id)
        proposal = proposals.propose_event(
            target, meeting.id, "Fête", "Une fête", [(WISHED, "18:00")], "60", "house"
        )
        action = Action(
            meeting_id=meeting.id,
            label="Appeler le plombier",
            owner_id=target.id,
            due_on=date.today() + timedelta(days=10),
        )
        db.session.add(action)
        db.session.commit()
        places = {
            "target": target.id,
            "day": meeting.scheduled_for.isoformat(),
            "meeting": meeting.id,
            "entry": entry.id,
            "need": need.id,
            "claimed": claimed.id,
            "proposal": proposal.id,
            "action": action.id,
            **_calendar_rows(admin),
            **_economy_rows(admin, target),
        }
        if live:
            friday = live_friday(
                admin,
                [("Point en direct", "À discuter")],
                day=meeting.scheduled_for + timedelta(days=7),
                author=target,
            )
            places.update(_live_meeting(friday))
        client = app.test_client()
        if role == "guest":
            places.pop("join_code")
            friday.guest("Invitée", client)
        elif role != "anonymous":
            sign_in(client, make_member(role=role))
        return client, places

    return make


def _calendar_rows(admin):
    """A public event, a members-only one and a weekly series, put on the calendar by `admin`."""
    from meeting.calendar import services as calendar

    def event(title, visibility="public", repeat="", days=40, place="house"):
        return calendar.create_event(
            admin,
            {
                "title": title,
                "start_date": (date.today() + timedelta(days=days)).isoformat(),
                "start_time": "18:30",
                "end_time": "20:00",
                "place": place,
                "visibility": visibility,
                "repeat": repeat,
            },
        )

    series = event("Atelier du samedi", repeat="weekly", days=45, place="garden")
    return {
        "event": event("Concert public").id,
        "members_event": event("Réunion interne", "members", days=50).id,
        "series": series.id,
        "series_date": series.starts_at.strftime("%Y-%m-%dT%H:%M"),
    }


def _economy_rows(admin, target):
    """A gift of the other member, recorded by the treasurer (an admin); an offer of the other
    member in the catalogue and their use of it."""
    from meeting.economy.catalogue import services as catalogue
    from meeting.economy.catalogue import uses as catalogue_uses
    from meeting.economy.gifts import services as gifts

    gift = gifts.record_gift(admin, "42,17", YESTERDAY, donor_member_id=target.id)
    item = catalogue.create_item(target, title="Salle du bas", unit="half_day")
    use = catalogue_uses.record_use(target, item.id, used_on=YESTERDAY, contribution="23,45")
    return {"gift": gift.id, "catalogue_item": item.id, "use": use.id}


def _live_meeting(friday):
    """The meeting after the coming one, live (check-in current, a pending point), with a raised
    hand and an open consent round."""
    from meeting.extensions import db
    from meeting.live import services as agenda

    admin, target, live = friday.facilitator, friday.author, friday.meeting
    hand = agenda.raise_hand(target, live.id)
    round_ = agenda.start_round(admin, live.id, "consent", "On essaie ?")
    db.session.refresh(live)
    items = agenda.agenda_items(live.id)
    return {
        "live_day": live.scheduled_for.isoformat(),
        "live_meeting": live.id,
        "live_revision": live.live_revision,
        "agenda_revision": live.agenda_revision,
        "item": next(i.id for i in items if i.status == "pending"),
        "hand": hand.id,
        "round": round_.id,
        "order": [i.id for i in reversed(items)],
        "join_code": live.join_code,
    }


CASES = [
    (endpoint, method, path, data, role, expected_for(expected, role))
    for endpoint, entries in ROUTES.items()
    for method, path, data, expected in entries
    for role in ROLES
]


@pytest.mark.parametrize(
    ("endpoint", "method", "path", "data", "role", "expected"),
    CASES,
    ids=[f"{c[0]}-{c[1]}-{c[4]}" for c in CASES],
)
def test_route_answers(visitor, endpoint, method, path, data, role, expected, smtp_server):
    client, places = visitor(role, live=endpoint.startswith("live."))
    url = path.format(**{k: v for k, v in places.items() if k != "join_code"})
    if method == "GET":
        response = client.get(url)
    else:
        response = post_form(client, url, data)
    response.close()
    assert response.status_code == expected, response.get_data(as_text=True)[:300]
    if expected == 403:
        reasons = FORBIDDEN.get(endpoint, "Vous n’avez pas le droit de voir cette page")
        reasons = (reasons,) if isinstance(reasons, str) else reasons
        assert any(reason in response.get_data(as_text=True) for reason in reasons)
    signed_in_only = endpoint.startswith(("prep.", "proposals.")) and endpoint != "prep.home"
    if (
        expected == 302
        and role in ("anonymous", "guest")
        and (method == "GET" or signed_in_only)
        and endpoint != "members.first_run"
    ):
        assert "/connexion" in response.headers["Location"]
    if expected == 302 and role not in ("anonymous", "guest") and signed_in_only:
        assert "/connexion" not in response.headers["Location"]  # done, not sent to sign in


def command_expected(expected, role):
    """Member-only commands refuse a guest as a non-member (not as someone not signed in)."""
    answer = expected_for(expected, role)
    if role == "guest" and len(expected) == 4 and answer == "not_signed_in":
        return "forbidden"
    return answer


COMMAND_CASES = [
    (name, payload, role, command_expected(expected, role))
    for name, (payload, expected) in SOCKET_COMMANDS.items()
    for role in ROLES
]


@pytest.mark.parametrize(
    ("name", "payload", "role", "expected"),
    COMMAND_CASES,
    ids=[f"{c[0]}-{c[2]}" for c in COMMAND_CASES],
)
def test_command_answers(visitor, socket_for, name, payload, role, expected):
    client, places = visitor(role, live=name in LIVE_COMMANDS)
    ids = {f"{{{key}}}": value for key, value in places.items()}
    payload = {
        key: ids.get(value, value) if isinstance(value, str) else value
        for key, value in payload.items()
    }
    ack = socket_for(None if role == "anonymous" else client).command(name, payload)
    if expected is True:
        assert ack["ok"] is True, ack
    else:
        assert ack["ok"] is False and ack["error"] == expected, ack
        assert ack["message"]
        if role == "guest" and expected == "forbidden" and name not in LIVE_COMMANDS:
            assert ack["message"] == "Cette action est réservée aux membres."


# -- the form door ---------------------------------------------------------------------------

# command -> (path, form data, what each visitor in ROLES order notices) for the form door:
# DONE (the page goes on, no error shown), SIGN_IN (sent to sign in), or the French refusal the
# page shows; a refusal changes nothing. Console posts on `{day}` act on the coming Friday
# (preparing), on `{live_day}` on the live one.
DONE, SIGN_IN = "done", "sign in"
PAGE_REFUSED = "Vous n’avez pas le droit de voir cette page"
CONSOLE_FORM = (SIGN_IN, PAGE_REFUSED, DONE, DONE, SIGN_IN)
PHONE_FORM = (SIGN_IN, DONE, DONE, DONE, DONE)
PREP_CONSOLE = DOC + "animation"
LIVE_CONSOLE = LIVE + "animation"
LIVE_PHONE = LIVE + "direct"
NEED = DOC + "entrees/{need}/besoin"
OWNER_DONE = "Seule la personne qui s’est engagée à faire cette action peut la marquer faite."
OWNER_REOPEN = "Seule la personne qui s’est engagée à faire cette action peut la rouvrir."
NO_DECISION = "Cette décision n’existe pas."
NO_NUMBER = "Aucune décision ne porte le numéro 1."
NOT_CLOSED = "Le compte rendu se valide une fois la réunion close."
TREASURER_FORM = (SIGN_IN, PAGE_REFUSED, PAGE_REFUSED, DONE, SIGN_IN)
NO_GIFT = "Ce don n’existe pas, ou il ne vous concerne pas."
FORM_COMMANDS = {
    "set_budget_lines": (
        "/budget/2020/lignes",
        {"rows": "1", "label_1": "Loyer", "amount_1": "820", "revision": "0"},
        TREASURER_FORM,
    ),
    "record_expense": (
        "/budget/2020/depenses",
        {"spent_on": "2020-03-06", "amount": "12,50", "label": "Ampoules"},
        TREASURER_FORM,
    ),
    "close_budget_year": ("/budget/2020/clore", {"confirm": "1"}, TREASURER_FORM),
    "set_budget_settings": (
        "/budget/reglages",
        {
            "association_name": "Le 97",
            "open_hours_per_week": "40",
            "donation_url": "https://le97.example/don",
        },
        TREASURER_FORM,
    ),
    "set_treasurer": ("/admin/membres/{target}/tresorerie", {"treasurer": "1"}, TREASURER_FORM),
    "record_gift": (
        "/budget/dons/",
        {"amount": "50", "received_on": YESTERDAY, "anonymous": "1"},
        TREASURER_FORM,
    ),
    "pledge_gift": (
        "/budget/dons/annoncer",
        {"amount": "50"},
        (SIGN_IN, DONE, DONE, DONE, SIGN_IN),
    ),
    "confirm_gift": (
        "/budget/dons/999999/confirmer",
        {"received_on": YESTERDAY},
        (SIGN_IN, PAGE_REFUSED, PAGE_REFUSED, NO_GIFT, SIGN_IN),
    ),
    "cancel_gift": (
        "/budget/dons/999999/annuler",
        {},
        (SIGN_IN, NO_GIFT, NO_GIFT, NO_GIFT, SIGN_IN),
    ),
    "issue_receipt": (
        "/budget/dons/999999/recu/delivrer",
        {},
        (SIGN_IN, NO_GIFT, NO_GIFT, NO_GIFT, SIGN_IN),
    ),
    "add_budget_point": (PREP_CONSOLE, {}, CONSOLE_FORM),
    "add_catalogue_item": (
        "/catalogue/nouveau",
        {"title": "Atelier vélo", "unit": "session"},
        (SIGN_IN, DONE, DONE, DONE, SIGN_IN),
    ),
    "edit_catalogue_item": (
        "/catalogue/{catalogue_item}/modifier",
        {"title": "Salle du haut", "unit": "hour"},
        (SIGN_IN, PAGE_REFUSED, DONE, DONE, SIGN_IN),
    ),
    "withdraw_catalogue_item": (
        "/catalogue/{catalogue_item}/modifier",
        {},
        (SIGN_IN, PAGE_REFUSED, DONE, DONE, SIGN_IN),
    ),
    "restore_catalogue_item": (
        "/catalogue/{catalogue_item}/modifier",
        {},
        (SIGN_IN, PAGE_REFUSED, DONE, DONE, SIGN_IN),
    ),
    "record_catalogue_use": (
        "/catalogue/{catalogue_item}/utiliser",
        {"used_on": YESTERDAY, "contribution": "5"},
        (SIGN_IN, DONE, DONE, DONE, SIGN_IN),
    ),
    "cancel_catalogue_use": (
        "/catalogue/utilisations/{use}/annuler",
        {},
        (
            SIGN_IN,
            "Cette utilisation n’existe pas.",
            "Cette utilisation n’existe pas.",
            DONE,
            SIGN_IN,
        ),
    ),
    "write_summary": (
        LIVE_CONSOLE,
        {"summary": "Le résumé", "summary_revision": "0"},
        CONSOLE_FORM,
    ),
    "validate_minutes": (
        LIVE + "compte-rendu",
        {},
        (
            SIGN_IN,
            "Seul·es le ou la secrétaire de ce vendredi et l’animation valident le compte rendu.",
            NOT_CLOSED,
            NOT_CLOSED,
            SIGN_IN,
        ),
    ),
    "edit_decision": (
        LIVE_CONSOLE,
        {"decision_id": "999999", "statement": "Corrigé"},
        (SIGN_IN, PAGE_REFUSED, NO_DECISION, NO_DECISION, SIGN_IN),
    ),
    "propose_correction": (
        "/decisions/1/corriger",
        {},
        (SIGN_IN, PAGE_REFUSED, NO_NUMBER, NO_NUMBER, PAGE_REFUSED),
    ),
    "mark_caught_up": (
        "/ce-que-vous-avez-manque/lu",
        {"seen_until": "2026-01-01T00:00:00"},
        (SIGN_IN, DONE, DONE, DONE, SIGN_IN),
    ),
    "set_publication": (
        "/admin/publication",
        {"publication": "public"},
        (SIGN_IN, PAGE_REFUSED, PAGE_REFUSED, DONE, SIGN_IN),
    ),
    "create_feed_token": ("/profil/flux", {}, (SIGN_IN, DONE, DONE, DONE, SIGN_IN)),
    "propose_event": (
        DOC + "proposer",
        {
            "title": "Concert",
            "description": "Un concert",
            "date_1": WISHED,
            "time_1": "20:00",
            "duration_minutes": "90",
            "place": "house",
        },
        (SIGN_IN, DONE, DONE, DONE, SIGN_IN),
    ),
    "withdraw_proposal": (
        "/propositions/{proposal}/retirer",
        {},
        (SIGN_IN, *(["Seule la personne qui a proposé l’événement peut le retirer."] * 3), SIGN_IN),
    ),
    "revoke_feed_token": ("/profil/flux/revoquer", {}, (SIGN_IN, DONE, DONE, DONE, SIGN_IN)),
    "end_other_sessions": (
        "/profil/appareils/deconnecter",
        {},
        (SIGN_IN, DONE, DONE, DONE, SIGN_IN),
    ),
    "create_api_token": (
        "/profil/jetons",
        {"label": "Script"},
        (SIGN_IN, DONE, DONE, DONE, SIGN_IN),
    ),
    "revoke_api_token": (
        "/profil/jetons/999999/revoquer",
        {},
        (SIGN_IN, *(["Ce jeton n’existe pas, ou il est déjà révoqué."] * 3), SIGN_IN),
    ),
    "complete_action": (
        "/actions/{action}",
        {},
        (SIGN_IN, OWNER_DONE, OWNER_DONE, OWNER_DONE, PAGE_REFUSED),
    ),
    "reopen_action": (
        "/actions/{action}",
        {},
        (SIGN_IN, OWNER_REOPEN, OWNER_REOPEN, OWNER_REOPEN, PAGE_REFUSED),
    ),
    "prepare_agenda": (PREP_CONSOLE, {}, CONSOLE_FORM),
    "add_agenda_entries": (PREP_CONSOLE, {"entry_id": "{entry}"}, CONSOLE_FORM),
    "add_agenda_item": (PREP_CONSOLE, {"title": "Divers", "timebox_minutes": "5"}, CONSOLE_FORM),
    "assign_role": (PREP_CONSOLE, {"role": "scribe", "member_id": "{target}"}, CONSOLE_FORM),
    "set_attendance": (PREP_CONSOLE, {"member_id": "{target}", "status": "present"}, CONSOLE_FORM),
    "mark_present": (PREP_CONSOLE, {}, CONSOLE_FORM),
    "start_meeting": (PREP_CONSOLE, {}, CONSOLE_FORM),
    "advance_item": (LIVE_CONSOLE, {"live_revision": "{live_revision}"}, CONSOLE_FORM),
    "control_timer": (LIVE_CONSOLE, {"action": "pause"}, CONSOLE_FORM),
    "postpone_item": (LIVE_CONSOLE, {"item_id": "{item}"}, CONSOLE_FORM),
    "move_item": (
        LIVE_CONSOLE,
        {"item_id": "{item}", "direction": "up", "agenda_revision": "{agenda_revision}"},
        CONSOLE_FORM,
    ),
    "set_timebox": (LIVE_CONSOLE, {"item_id": "{item}", "minutes": "12"}, CONSOLE_FORM),
    "remove_item": (LIVE_CONSOLE, {"item_id": "{item}"}, CONSOLE_FORM),
    "give_floor": (LIVE_CONSOLE, {"hand_id": "{hand}"}, CONSOLE_FORM),
    # A round is already open: the facilitators pass the permission check and are told so.
    "open_round": (
        LIVE_CONSOLE,
        {"kind": "consent", "question": "On y va ?"},
        (
            SIGN_IN,
            PAGE_REFUSED,
            "Un tour est déjà ouvert : fermez-le d’abord.",
            "Un tour est déjà ouvert : fermez-le d’abord.",
            SIGN_IN,
        ),
    ),
    "close_round": (LIVE_CONSOLE, {"round_id": "{round}"}, CONSOLE_FORM),
    "record_decision": (
        LIVE_CONSOLE,
        {"statement": "On le fait.", "mode": "information"},
        CONSOLE_FORM,
    ),
    "add_action": (
        LIVE_CONSOLE,
        {"label": "Appeler le plombier", "owner_id": "{target}", "due_on": DUE},
        CONSOLE_FORM,
    ),
    "close_meeting": (LIVE_CONSOLE, {}, CONSOLE_FORM),
    "raise_hand": (LIVE_PHONE, {}, PHONE_FORM),
    "lower_hand": (LIVE_PHONE, {}, PHONE_FORM),
    "answer_round": (LIVE_PHONE, {"round_id": "{round}", "answer": "for"}, PHONE_FORM),
    "add_entry": (
        LIVE_PHONE,
        {"kind": "topic", "body": "Un point"},
        (SIGN_IN, DONE, DONE, DONE, "Cette action est réservée aux membres."),
    ),
    # The document's own forms: an edit (a facilitator may edit anyone's entry) and a removal
    # (only its author, here someone else).
    "edit_entry": (
        DOC + "entrees/{entry}/modifier",
        {"revision": "1", "title": "Point de Cible", "body": "Corrigé"},
        (SIGN_IN, PAGE_REFUSED, DONE, DONE, SIGN_IN),
    ),
    "delete_entry": (
        DOC + "entrees/{entry}/supprimer",
        {},
        (
            SIGN_IN,
            "Vous ne pouvez retirer que vos propres contributions.",
            "Vous ne pouvez retirer que vos propres contributions.",
            "Vous ne pouvez retirer que vos propres contributions.",
            SIGN_IN,
        ),
    ),
    # The calendar (issue 10): facilitators and admins only.
    "create_event": (
        "/agenda/nouveau",
        {
            "title": "Concert",
            "start_date": WISHED,
            "start_time": "20:00",
            "end_time": "22:00",
            "place": "elsewhere",
            "place_detail": "Salle des fêtes",
        },
        CONSOLE_FORM,
    ),
    "edit_event": (
        "/agenda/{event}/modifier",
        {"revision": "old", "title": "Autre titre"},
        (
            SIGN_IN,
            PAGE_REFUSED,
            "Cet événement vient d’être modifié",
            "Cet événement vient d’être modifié",
            SIGN_IN,
        ),
    ),
    "cancel_event": (
        "/agenda/{event}/annuler",
        {"reason": "Plus de salle"},
        CONSOLE_FORM,
    ),
    "skip_occurrence": (
        "/agenda/{series}/sauter",
        {"occurrence": "{series_date}"},
        CONSOLE_FORM,
    ),
    "create_calendar_token": ("/profil/agenda", {}, (SIGN_IN, DONE, DONE, DONE, SIGN_IN)),
    "revoke_calendar_token": (
        "/profil/agenda/revoquer",
        {},
        (SIGN_IN, DONE, DONE, DONE, SIGN_IN),
    ),
    "mark_notifications_read": ("/notifications/lu", {}, (SIGN_IN, DONE, DONE, DONE, SIGN_IN)),
    # The document's need buttons: their route names the command from the button pressed.
    "claim_need": (NEED, {"action": "claim"}, (SIGN_IN, DONE, DONE, DONE, SIGN_IN)),
    "release_need": (
        DOC + "entrees/{claimed}/besoin",
        {"action": "release"},
        (SIGN_IN, "Seule la personne qui s’en occupe peut le rendre.", DONE, DONE, SIGN_IN),
    ),
    "resolve_need": (
        NEED,
        {"action": "met"},
        (
            SIGN_IN,
            (
                "Seules la personne qui s’en occupe, celle qui l’a exprimé ou "
                "l’animation peuvent clore ce besoin."
            ),
            DONE,
            DONE,
            SIGN_IN,
        ),
    ),
}
# Lowering a hand that is not raised is done and changes nothing.
# Marking notifications read when none is unread is done and changes nothing.
CHANGES_NOTHING_WHEN_DONE = {
    "lower_hand",
    "revoke_feed_token",
    "revoke_calendar_token",
    "end_other_sessions",  # the visitor's browser is their only session
    "mark_notifications_read",
    "restore_catalogue_item",
}


def plain(text):
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def fill(data, places):
    return {key: value.format(**places) for key, value in data.items()}


def state():
    """What a visitor could notice has changed: traces, the Fridays and their revisions, the
    document, hands and answers."""
    from sqlalchemy import func, select

    from meeting.extensions import db
    from meeting.models import Entry, HandRaise, Meeting, RoundAnswer, Trace

    db.session.rollback()
    counts = [
        db.session.scalar(select(func.count(model.id)))
        for model in (Trace, Meeting, Entry, HandRaise, RoundAnswer)
    ]
    revisions = db.session.scalar(select(func.sum(Meeting.live_revision + Meeting.agenda_revision)))
    return (*counts, revisions)


def landing(client, response):
    """The page a visitor sees after a post: the page it redirects to, or the answer itself."""
    if response.status_code in (302, 303):
        return plain(client.get(response.headers["Location"]).get_data(as_text=True))
    return plain(response.get_data(as_text=True))


FORM_CASES = [
    (name, path, data, role, expected_for(expected, role))
    for name, (path, data, expected) in FORM_COMMANDS.items()
    for role in ROLES
]


@pytest.mark.parametrize(
    ("name", "path", "data", "role", "expected"),
    FORM_CASES,
    ids=[f"{c[0]}-{c[3]}" for c in FORM_CASES],
)
def test_form_door_answers(visitor, name, path, data, role, expected):
    client, places = visitor(role, live=LIVE in path)
    places = {k: v for k, v in places.items() if k != "join_code"}
    ops = {} if path.endswith("/besoin") else {"op": name}
    before = state()
    response = post_form(client, path.format(**places), {**ops, **fill(data, places)})
    if expected == SIGN_IN:
        assert response.status_code == 302 and "/connexion" in response.headers["Location"]
        assert state() == before
        return
    text = landing(client, response)
    if expected == DONE:
        assert response.status_code in (302, 303), text[:300]
        assert "flash-error" not in text, text[text.find("flash-error") - 50 :][:300]
        if name not in CHANGES_NOTHING_WHEN_DONE:
            assert state() != before
    else:
        assert expected in text, text[:300]
        assert state() == before


# -- bad input at the doors --------------------------------------------------------------------


@pytest.mark.parametrize("op", ["pirate", "", "__init__"])
def test_a_form_naming_no_command_is_refused_and_changes_nothing(visitor, op):
    client, places = visitor("facilitator", live=True)
    # a Friday with no row yet: even the first change's row is not made
    day = (date.fromisoformat(places["live_day"]) + timedelta(days=14)).isoformat()
    for url in (f"/vendredi/{day}/animation", f"/vendredi/{places['live_day']}/direct"):
        before = state()
        response = post_form(client, url, {"op": op} if op else {})
        assert response.status_code == 303
        assert "Action inconnue." in landing(client, response)
        assert state() == before


def socket_only():
    return sorted(set(SOCKET_COMMANDS) - set(FORM_COMMANDS))


def form_only():
    return sorted(set(FORM_COMMANDS) - set(SOCKET_COMMANDS))


@pytest.mark.parametrize("name", socket_only())
def test_a_socket_command_posted_as_a_form_is_refused(visitor, name):
    client, places = visitor("facilitator", live=True)
    payload, _expected = SOCKET_COMMANDS[name]
    ids = {f"{{{key}}}": value for key, value in places.items()}
    data = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in payload.items()}
    data = {k: "\n".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in data.items()}
    before = state()
    response = post_form(client, f"/vendredi/{places['live_day']}/animation", {"op": name, **data})
    assert response.status_code == 303
    assert "Cette action ne se fait pas par un formulaire." in landing(client, response)
    assert state() == before


@pytest.mark.parametrize("name", form_only())
def test_a_form_command_sent_over_the_socket_is_refused(visitor, socket_for, name):
    client, places = visitor("facilitator", live=True)
    path, data, _expected = FORM_COMMANDS[name]
    places = {k: v for k, v in places.items() if k != "join_code"}
    # The payload the command would run with, typed as its form door reads it.
    payload = form_values(COMMANDS[name].fields, fill(data, places))
    if "meeting_id" in COMMANDS[name].fields:
        payload["meeting_id"] = places["live_meeting" if LIVE in path else "meeting"]
    before = state()
    ack = socket_for(client).command(name, payload)
    assert (ack["ok"], ack["error"], plain(ack["message"])) == (
        False,
        "wrong_door",
        (
            "Cette action ne s’envoie pas par la connexion en direct : utilisez le formulaire de "
            "la page."
        ),
    )
    assert state() == before
