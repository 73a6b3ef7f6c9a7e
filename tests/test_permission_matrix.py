"""The permission matrix: every route (each of its methods), every command at each door that
exposes it (the socket, form posts, the JSON API) and every operation of the OpenAPI document,
for each of eight visitors; then what each visitor reads and hears, searched for what is
someone else's (a billet d'humeur, an e-mail address, an individual amount, a token).

The visitors (`ROLES`, the columns of every row):

- anonymous: a browser with no session;
- guest: a phone that joined the live Friday (`{live_day}`) at the door with its code;
- member: a member with nothing of their own in the world;
- author: Cible (`{target}`), the member who wrote the billets, points, needs and proposal of
  the documents, owns the actions, gave a gift, offers a room of the catalogue and used it;
- facilitator, admin: members of those roles (an admin also keeps the accounts);
- treasurer: a member marked as keeping the accounts;
- deactivated: a member whose browser, API token and feed addresses were made before an admin
  deactivated the account.

Adding a route, a method, a command, a door or an API operation without its row makes
`test_the_matrix_lists_everything_that_exists` fail, naming it. To add one, write its row in
`ROUTES` (endpoint -> [(method, path, form data, outcome per role)]), `SOCKET_COMMANDS`
(name -> (payload, ack per role)), `FORM_COMMANDS` (name -> (path, form data, what the page
shows per role)) or `API_OPERATIONS` (operationId -> [(method, path, JSON body, status per
role)]); paths and data take the world's ids as `{placeholders}` (`World.places`). Every row is
then run for real for every role (a browser, a socket, a token) by the
`test_every_*_answers_each_role_as_listed` tests, and every answer is searched for the world's
secrets (`secrets_of`): `MAY_READ` says who may read which of them, and where. A list, feed or
export gets its GET row like any route, and with it its leak check.
"""

import json
import re
from datetime import date, timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from sqlalchemy.exc import IntegrityError

from meeting.commands import COMMANDS, exposed
from meeting.extensions import db
from tests.conftest import (
    LiveClient,
    archive_unsealed,
    csrf_token,
    restore_rows,
    sign_in,
    snapshot_rows,
)

ROLES = (
    "anonymous",
    "guest",
    "member",
    "author",
    "facilitator",
    "treasurer",
    "admin",
    "deactivated",
)
MEMBER_ROLES = ("member", "author", "facilitator", "treasurer", "admin")

WISHED = (date.today() + timedelta(days=30)).isoformat()
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()
DUE = (date.today() + timedelta(days=10)).isoformat()

# -- outcomes ---------------------------------------------------------------------------------

# Pages: an HTTP status, or SIGN_IN (a redirect to the sign-in page). A 302 or 303 in a row is a
# redirect anywhere else (the thing was done, or the visitor is sent where they belong).
SIGN_IN = "sign in"
# Form posts: DONE (the page goes on, no error shown), SIGN_IN, or the French refusal the page
# shows; a refusal changes nothing.
DONE = "done"
PAGE_REFUSED = "Vous n’avez pas le droit de voir cette page"
OWNER_DONE = "Seule la personne qui s’est engagée à faire cette action peut la marquer faite."
OWNER_REOPEN = "Seule la personne qui s’est engagée à faire cette action peut la rouvrir."
NO_DECISION = "Cette décision n’existe pas."
NOT_CLOSED = "Le compte rendu se valide une fois la réunion close."
NO_GIFT = "Ce don n’existe pas, ou il ne vous concerne pas."
MEMBERS_ONLY = "Cette action est réservée aux membres."
NOT_THE_PROPOSER = "Seule la personne qui a proposé l’événement peut le retirer."
OWN_ONLY = "Vous ne pouvez retirer que vos propres contributions."
NOT_THE_CLAIMER = "Seule la personne qui s’en occupe peut le rendre."
NOT_ASKER = (
    "Seules la personne qui s’en occupe, celle qui l’a exprimé ou l’animation peuvent clore ce "
    "besoin."
)
NO_USE = "Cette utilisation n’existe pas."
NO_TOKEN = "Ce jeton n’existe pas, ou il est déjà révoqué."
STALE_EVENT = "Cet événement vient d’être modifié"
ROUND_OPEN = "Un tour est déjà ouvert : fermez-le d’abord."
ALREADY_OPEN = "Cette action est déjà à faire : rien à rouvrir."
ERASE_WORD = "Pour confirmer l’effacement, écrivez"
# Socket commands: True (acknowledged) or the ack's error code; NO_SOCKET: the connection itself
# is refused (a session that has ended).
NO_SOCKET = "no connection"
# API operations: the HTTP status.


# -- the table --------------------------------------------------------------------------------
# Each row's outcomes are in ROLES order:
#   (anonymous, guest, member, author, facilitator, treasurer, admin, deactivated)
# and these are the most common rows:
EVERYONE = (200,) * 8
NOT_FOUND = (404,) * 8
BAD_INPUT = (400,) * 8
MEMBERS = (SIGN_IN, SIGN_IN, 200, 200, 200, 200, 200, SIGN_IN)  # a page for members
MEMBERS_DONE = (SIGN_IN, SIGN_IN, 302, 302, 302, 302, 302, SIGN_IN)  # a post for members
# The archive, the actions, the life of the place: a guest (who is not anonymous) is refused.
ARCHIVE = (SIGN_IN, 403, 200, 200, 200, 200, 200, SIGN_IN)
TREASURER_PAGE = (SIGN_IN, SIGN_IN, 403, 403, 403, 200, 200, SIGN_IN)
MEMBERS_ACK = ("not_signed_in", "forbidden", True, True, True, True, True, NO_SOCKET)
CONSOLE_ACK = (
    "not_signed_in",
    "forbidden",
    "forbidden",
    "forbidden",
    True,
    "forbidden",
    True,
    NO_SOCKET,
)
FOLLOWERS_ACK = ("forbidden", True, True, True, True, True, True, NO_SOCKET)  # the live phones
MEMBERS_FORM = (SIGN_IN, SIGN_IN, DONE, DONE, DONE, DONE, DONE, SIGN_IN)
CONSOLE_FORM = (SIGN_IN, SIGN_IN, PAGE_REFUSED, PAGE_REFUSED, DONE, PAGE_REFUSED, DONE, SIGN_IN)
TREASURER_FORM = (SIGN_IN, SIGN_IN, PAGE_REFUSED, PAGE_REFUSED, PAGE_REFUSED, DONE, DONE, SIGN_IN)
PHONE_FORM = (SIGN_IN, DONE, DONE, DONE, DONE, DONE, DONE, SIGN_IN)
MEMBERS_READ = (401, 401, 200, 200, 200, 200, 200, 401)  # an API read, by token
MEMBERS_CALL = (401, 403, 200, 200, 200, 200, 200, 401)  # an API command
CONSOLE_CALL = (401, 403, 403, 403, 200, 403, 200, 401)

# fmt: off
ROUTES = {
    "prep.home": [
        ("GET", "/", None, EVERYONE),
    ],
    "pwa.manifest": [
        ("GET", "/manifest.webmanifest", None, EVERYONE),
    ],
    "pwa.service_worker": [
        ("GET", "/sw.js", None, EVERYONE),
    ],
    "pwa.offline_page": [
        ("GET", "/hors-ligne", None, EVERYONE),
    ],
    "ops.healthz": [
        ("GET", "/healthz", None, EVERYONE),
    ],
    "members.sign_in": [
        ("GET", "/connexion", None, (200, 200, 302, 302, 302, 302, 302, 200)),
        ("POST", "/connexion", {"email": "x@y.fr", "password": "faux"}, BAD_INPUT),
    ],
    "members.request_magic_link": [
        ("POST", "/connexion/lien", {"email": "x@y.fr"}, EVERYONE),
    ],
    "members.magic_link": [
        ("GET", "/connexion/lien/faux-jeton", None, NOT_FOUND),
        ("POST", "/connexion/lien/faux-jeton", {}, NOT_FOUND),
    ],
    "members.sign_out": [
        ("GET", "/deconnexion", None, MEMBERS),
        (
            "POST", "/deconnexion",
            {},
            (SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN),
        ),
    ],
    "members.first_run": [
        (
            "GET", "/installation",
            None,
            (SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN),
        ),
        (
            "POST", "/installation",
            {"display_name": "X", "email": "x@y.fr", "password": "12345678"},
            (SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN),
        ),
    ],
    "members.accept_invitation": [
        ("GET", "/invitation/faux-jeton", None, NOT_FOUND),
        ("GET", "/invitation/{invitation_token}", None, EVERYONE),
        ("POST", "/invitation/faux-jeton", {}, NOT_FOUND),
    ],
    "members.profile": [
        ("GET", "/profil", None, MEMBERS),
        (
            "POST", "/profil",
            {"display_name": ""},
            (SIGN_IN, SIGN_IN, 400, 400, 400, 400, 400, SIGN_IN),
        ),
    ],
    "members.change_password": [
        ("POST", "/profil/mot-de-passe", {}, (SIGN_IN, SIGN_IN, 400, 400, 400, 400, 400, SIGN_IN)),
    ],
    "members.end_other_sessions": [
        ("POST", "/profil/appareils/deconnecter", {}, MEMBERS_DONE),
    ],
    "members.set_language": [
        ("POST", "/langue", {"lang": "fr"}, (302, 302, 302, 302, 302, 302, 302, 302)),
    ],
    "members.admin": [
        ("GET", "/admin/membres", None, (SIGN_IN, SIGN_IN, 403, 403, 403, 403, 200, SIGN_IN)),
    ],
    "privacy.policy": [
        ("GET", "/confidentialite", None, EVERYONE),
    ],
    "privacy.request_export": [
        ("POST", "/profil/donnees", {}, (SIGN_IN, SIGN_IN, 303, 303, 303, 303, 303, SIGN_IN)),
    ],
    "privacy.download": [
        ("GET", "/profil/donnees/faux-jeton", None, NOT_FOUND),
    ],
    "privacy.erase_account": [
        ("GET", "/profil/effacer", None, MEMBERS),
        (
            "POST", "/profil/effacer",
            {"confirmation": "non"},
            (SIGN_IN, SIGN_IN, 400, 400, 400, 400, 400, SIGN_IN),
        ),
    ],
    "privacy.erase_member": [
        (
            "GET", "/admin/membres/{target}/effacer",
            None,
            (SIGN_IN, SIGN_IN, 403, 403, 403, 403, 200, SIGN_IN),
        ),
        (
            "POST", "/admin/membres/{target}/effacer",
            {"confirmation": "non"},
            (SIGN_IN, SIGN_IN, 403, 403, 403, 403, 400, SIGN_IN),
        ),
    ],
    "members.invite": [
        (
            "POST", "/admin/membres/inviter",
            {"role": "member"},
            (SIGN_IN, SIGN_IN, 403, 403, 403, 403, 200, SIGN_IN),
        ),
    ],
    "members.change_role": [
        (
            "POST", "/admin/membres/{target}/role",
            {"role": "member"},
            (SIGN_IN, SIGN_IN, 403, 403, 403, 403, 302, SIGN_IN),
        ),
    ],
    "members.deactivate": [
        (
            "POST", "/admin/membres/{target}/desactiver",
            {},
            (SIGN_IN, SIGN_IN, 403, 403, 403, 403, 302, SIGN_IN),
        ),
    ],
    "members.reactivate": [
        (
            "POST", "/admin/membres/{target}/reactiver",
            {},
            (SIGN_IN, SIGN_IN, 403, 403, 403, 403, 302, SIGN_IN),
        ),
    ],
    "traces.index": [
        ("GET", "/traces/", None, MEMBERS),
    ],
    "decisions.index": [
        ("GET", "/decisions/", None, ARCHIVE),
    ],
    "decisions.show": [
        ("GET", "/decisions/999999", None, (SIGN_IN, 403, 404, 404, 404, 404, 404, SIGN_IN)),
        ("GET", "/decisions/{decision}", None, ARCHIVE),
    ],
    "decisions.correct": [
        (
            "POST", "/decisions/{decision}/corriger",
            {},
            (SIGN_IN, 403, 403, 403, 303, 403, 303, SIGN_IN),
        ),
    ],
    "catchup.mark_read": [
        (
            "POST", "/ce-que-vous-avez-manque/lu",
            {"seen_until": "2026-01-01T00:00:00"},
            (SIGN_IN, SIGN_IN, 303, 303, 303, 303, 303, SIGN_IN),
        ),
    ],
    "feeds.decisions_atom": [
        ("GET", "/decisions.atom", None, (403, 403, 200, 200, 200, 200, 200, 403)),
        (
            "GET", "/decisions.atom?jeton={feed_token}",
            None,
            (403, 403, 200, 200, 200, 200, 200, 403),
        ),
        (
            "GET", "/decisions.atom?jeton={calendar_token}",
            None,
            (403, 403, 403, 403, 403, 403, 403, 403),
        ),
    ],
    "feeds.minutes_atom": [
        ("GET", "/comptes-rendus.atom", None, (403, 403, 200, 200, 200, 200, 200, 403)),
        (
            "GET", "/comptes-rendus.atom?jeton={feed_token}",
            None,
            (403, 403, 200, 200, 200, 200, 200, 403),
        ),
    ],
    "feeds.create_feed_token": [
        ("POST", "/profil/flux", {}, MEMBERS_DONE),
    ],
    "feeds.revoke_feed_token": [
        ("POST", "/profil/flux/revoquer", {}, MEMBERS_DONE),
    ],
    "members.set_publication": [
        (
            "POST", "/admin/publication",
            {"publication": "public"},
            (SIGN_IN, SIGN_IN, 403, 403, 403, 403, 302, SIGN_IN),
        ),
    ],
    "actions.mine": [
        ("GET", "/actions/", None, ARCHIVE),
        ("GET", "/actions/?qui=tous", None, ARCHIVE),
    ],
    "actions.change": [
        (
            "POST", "/actions/{action}",
            {"op": "complete_action"},
            (SIGN_IN, 403, 303, 303, 303, 303, 303, SIGN_IN),
        ),
    ],
    "minutes.show": [
        (
            "GET", "/vendredi/{day}/compte-rendu",
            None,
            (SIGN_IN, SIGN_IN, 404, 404, 404, 404, 404, SIGN_IN),
        ),
        (
            "POST", "/vendredi/{day}/compte-rendu",
            {"op": "validate_minutes"},
            (SIGN_IN, SIGN_IN, 303, 303, 303, 303, 303, SIGN_IN),
        ),
        ("GET", "/vendredi/{closed_day}/compte-rendu", None, MEMBERS),
    ],
    "minutes.markdown": [
        (
            "GET", "/vendredi/{day}/compte-rendu.md",
            None,
            (SIGN_IN, SIGN_IN, 404, 404, 404, 404, 404, SIGN_IN),
        ),
        ("GET", "/vendredi/{closed_day}/compte-rendu.md", None, MEMBERS),
    ],
    "search.index": [
        ("GET", "/recherche?q=chaudiere", None, MEMBERS),
        ("GET", "/recherche?q=HUMEUR-VENTRE-4Z", None, MEMBERS),
        ("GET", "/recherche?q=Cible", None, MEMBERS),
        ("GET", "/recherche?q=courriel", None, MEMBERS),
        ("GET", "/recherche?q=876", None, MEMBERS),
    ],
    "prep.document": [
        ("GET", "/vendredi/{day}/", None, MEMBERS),
        ("GET", "/vendredi/{closed_day}/", None, MEMBERS),
        ("GET", "/vendredi/{live_day}/", None, MEMBERS),
    ],
    "prep.add_entry": [
        ("POST", "/vendredi/{day}/entrees", {"kind": "topic", "body": "Un point"}, MEMBERS_DONE),
    ],
    "prep.edit_entry": [
        (
            "GET", "/vendredi/{day}/entrees/{entry}/modifier",
            None,
            (SIGN_IN, SIGN_IN, 403, 200, 200, 403, 200, SIGN_IN),
        ),
        (
            "POST", "/vendredi/{day}/entrees/{entry}/modifier",
            {"revision": "1", "body": "Corrigé"},
            (SIGN_IN, SIGN_IN, 403, 302, 302, 403, 302, SIGN_IN),
        ),
    ],
    "prep.delete_entry": [
        (
            "POST", "/vendredi/{day}/entrees/{entry}/supprimer",
            {},
            (SIGN_IN, SIGN_IN, 403, 302, 403, 403, 403, SIGN_IN),
        ),
    ],
    "prep.entry_history": [
        ("GET", "/vendredi/{day}/entrees/{entry}/historique", None, MEMBERS),
        ("GET", "/vendredi/{day}/entrees/{mood}/historique", None, MEMBERS),
    ],
    "prep.need_action": [
        ("POST", "/vendredi/{day}/entrees/{need}/besoin", {"action": "claim"}, MEMBERS_DONE),
        (
            "POST", "/vendredi/{day}/entrees/{claimed}/besoin",
            {"action": "release"},
            (SIGN_IN, SIGN_IN, 403, 302, 302, 403, 302, SIGN_IN),
        ),
        (
            "POST", "/vendredi/{day}/entrees/{need}/besoin",
            {"action": "met"},
            (SIGN_IN, SIGN_IN, 403, 302, 302, 403, 302, SIGN_IN),
        ),
    ],
    "prep.start_meeting": [
        (
            "POST", "/vendredi/{day}/commencer",
            {},
            (SIGN_IN, SIGN_IN, 403, 403, 302, 403, 302, SIGN_IN),
        ),
    ],
    "prep.close_meeting": [
        ("POST", "/vendredi/{day}/clore", {}, (SIGN_IN, SIGN_IN, 403, 403, 302, 403, 302, SIGN_IN)),
    ],
    "proposals.propose": [
        ("GET", "/vendredi/{day}/proposer", None, MEMBERS),
        (
            "POST", "/vendredi/{day}/proposer",
            {"title": "Concert", "description": "Un concert", "date_1": WISHED, "time_1": "20:00", "duration_minutes": "90", "place": "house"},
            MEMBERS_DONE,
        ),
    ],
    "proposals.mine": [
        ("GET", "/propositions/", None, MEMBERS),
    ],
    "proposals.show": [
        ("GET", "/propositions/{proposal}", None, MEMBERS),
    ],
    "proposals.withdraw": [
        (
            "POST", "/propositions/{proposal}/retirer",
            {},
            (SIGN_IN, SIGN_IN, 403, 302, 403, 403, 403, SIGN_IN),
        ),
    ],
    "calendar.index": [
        ("GET", "/agenda/", None, EVERYONE),
        ("GET", "/agenda/?vue=semaine", None, EVERYONE),
        ("GET", "/agenda/?vue=liste", None, EVERYONE),
    ],
    "calendar.show": [
        ("GET", "/agenda/{event}", None, EVERYONE),
        ("GET", "/agenda/{members_event}", None, (404, 404, 200, 200, 200, 200, 200, 404)),
    ],
    "calendar.new": [
        ("GET", "/agenda/nouveau", None, (SIGN_IN, SIGN_IN, 403, 403, 200, 403, 200, SIGN_IN)),
        (
            "POST", "/agenda/nouveau",
            {"title": "Concert", "start_date": WISHED, "start_time": "20:00", "end_time": "22:00", "place": "elsewhere", "place_detail": "Salle des fêtes"},
            (SIGN_IN, SIGN_IN, 403, 403, 302, 403, 302, SIGN_IN),
        ),
    ],
    "calendar.edit": [
        (
            "GET", "/agenda/{event}/modifier",
            None,
            (SIGN_IN, SIGN_IN, 403, 403, 200, 403, 200, SIGN_IN),
        ),
        (
            "POST", "/agenda/{event}/modifier",
            {"revision": "old"},
            (SIGN_IN, SIGN_IN, 403, 403, 409, 403, 409, SIGN_IN),
        ),
    ],
    "calendar.cancel": [
        (
            "GET", "/agenda/{event}/annuler",
            None,
            (SIGN_IN, SIGN_IN, 403, 403, 200, 403, 200, SIGN_IN),
        ),
        (
            "POST", "/agenda/{event}/annuler",
            {"reason": ""},
            (SIGN_IN, SIGN_IN, 403, 403, 400, 403, 400, SIGN_IN),
        ),
    ],
    "calendar.skip": [
        (
            "POST", "/agenda/{series}/sauter",
            {"occurrence": "2020-01-01T10:00"},
            (SIGN_IN, SIGN_IN, 403, 403, 400, 403, 400, SIGN_IN),
        ),
    ],
    "calendar_feeds.public_ics": [
        ("GET", "/agenda.ics", None, EVERYONE),
    ],
    "calendar_feeds.member_ics": [
        ("GET", "/agenda/personnel.ics", None, (403, 403, 403, 403, 403, 403, 403, 403)),
        ("GET", "/agenda/personnel.ics?jeton=faux", None, (403, 403, 403, 403, 403, 403, 403, 403)),
        (
            "GET", "/agenda/personnel.ics?jeton={calendar_token}",
            None,
            (403, 403, 200, 200, 200, 200, 200, 403),
        ),
        (
            "GET", "/agenda/personnel.ics?jeton={feed_token}",
            None,
            (403, 403, 403, 403, 403, 403, 403, 403),
        ),
    ],
    "calendar_feeds.event_ics": [
        ("GET", "/agenda/{event}.ics", None, EVERYONE),
        ("GET", "/agenda/{members_event}.ics", None, (404, 404, 200, 200, 200, 200, 200, 404)),
        ("GET", "/agenda/999999.ics", None, NOT_FOUND),
    ],
    "calendar_feeds.subscribe": [
        ("GET", "/agenda/abonnement", None, EVERYONE),
    ],
    "calendar_feeds.upcoming_json": [
        ("GET", "/agenda/prochains.json", None, EVERYONE),
        ("GET", "/agenda/prochains.json?n=0", None, BAD_INPUT),
    ],
    "calendar_feeds.widget": [
        ("GET", "/agenda/widget", None, EVERYONE),
        ("GET", "/agenda/widget?n=0", None, BAD_INPUT),
    ],
    "calendar_feeds.create_calendar_token": [
        ("POST", "/profil/agenda", {}, MEMBERS_DONE),
    ],
    "calendar_feeds.revoke_calendar_token": [
        ("POST", "/profil/agenda/revoquer", {}, MEMBERS_DONE),
    ],
    "proposals.propose_outside": [
        ("GET", "/proposer", None, EVERYONE),
        ("POST", "/proposer", {"name": ""}, BAD_INPUT),
    ],
    "proposals.resubmit": [
        (
            "POST", "/propositions/{proposal}/renvoyer",
            {},
            (SIGN_IN, SIGN_IN, 403, 409, 403, 403, 403, SIGN_IN),
        ),
    ],
    "proposals.emails": [
        (
            "POST", "/propositions/{proposal}/courriels",
            {},
            (SIGN_IN, SIGN_IN, 403, 302, 403, 403, 403, SIGN_IN),
        ),
    ],
    "proposals.track": [
        ("GET", "/propositions/suivi/faux-jeton", None, NOT_FOUND),
        ("GET", "/propositions/suivi/{status_token}", None, EVERYONE),
    ],
    "proposals.track_withdraw": [
        ("POST", "/propositions/suivi/faux-jeton/retirer", {}, NOT_FOUND),
    ],
    "proposals.track_resubmit": [
        ("POST", "/propositions/suivi/faux-jeton/renvoyer", {}, NOT_FOUND),
    ],
    "proposals.track_emails": [
        ("POST", "/propositions/suivi/faux-jeton/courriels", {}, NOT_FOUND),
    ],
    "notifications.index": [
        ("GET", "/notifications", None, MEMBERS),
    ],
    "notifications.mark_read": [
        ("POST", "/notifications/lu", {}, MEMBERS_DONE),
    ],
    "static": [
        ("GET", "/static/css/main.css", None, EVERYONE),
    ],
    "api.v1.meetings.list_meetings": [
        ("GET", "/api/v1/meetings", None, MEMBERS_READ),
    ],
    "api.v1.meetings.show_meeting": [
        ("GET", "/api/v1/meetings/{day}", None, MEMBERS_READ),
    ],
    "api.v1.meetings.list_entries": [
        ("GET", "/api/v1/meetings/{day}/entries", None, MEMBERS_READ),
    ],
    "api.v1.meetings.show_entry": [
        ("GET", "/api/v1/entries/{entry}", None, MEMBERS_READ),
    ],
    "api.v1.meetings.list_agenda": [
        ("GET", "/api/v1/meetings/{day}/agenda", None, MEMBERS_READ),
    ],
    "api.v1.meetings.me": [
        ("GET", "/api/v1/me", None, MEMBERS_READ),
    ],
    "api.v1.archive.list_decisions": [
        ("GET", "/api/v1/decisions", None, MEMBERS_READ),
    ],
    "api.v1.archive.show_decision": [
        ("GET", "/api/v1/decisions/999999", None, (401, 401, 404, 404, 404, 404, 404, 401)),
    ],
    "api.v1.archive.list_actions": [
        ("GET", "/api/v1/actions", None, MEMBERS_READ),
    ],
    "api.v1.calendar.list_events": [
        ("GET", "/api/v1/events", None, EVERYONE),
    ],
    "api.v1.calendar.show_event": [
        ("GET", "/api/v1/events/{event}", None, EVERYONE),
        ("GET", "/api/v1/events/{members_event}", None, (404, 404, 200, 200, 200, 200, 200, 404)),
    ],
    "api.v1.proposals.list_proposals": [
        ("GET", "/api/v1/proposals", None, MEMBERS_READ),
    ],
    "api.v1.proposals.show_proposal": [
        ("GET", "/api/v1/proposals/{proposal}", None, MEMBERS_READ),
    ],
    "api.v1.commands.run": [
        ("POST", "/api/v1/commands/pirate", {}, NOT_FOUND),
    ],
    "api.document.openapi": [
        ("GET", "/api/openapi.json", None, EVERYONE),
    ],
    "api.tokens.index": [
        ("GET", "/profil/jetons", None, MEMBERS),
    ],
    "api.tokens.create": [
        ("POST", "/profil/jetons", {"label": "Script"}, MEMBERS_DONE),
    ],
    "api.tokens.revoke": [
        (
            "POST", "/profil/jetons/999999/revoquer",
            {},
            (SIGN_IN, SIGN_IN, 404, 404, 404, 404, 404, SIGN_IN),
        ),
    ],
    "live.console": [
        (
            "GET", "/vendredi/{live_day}/animation",
            None,
            (SIGN_IN, SIGN_IN, 403, 403, 200, 403, 200, SIGN_IN),
        ),
        (
            "POST", "/vendredi/{live_day}/animation",
            {"op": "control_timer", "action": "pause"},
            (SIGN_IN, SIGN_IN, 403, 403, 303, 403, 303, SIGN_IN),
        ),
    ],
    "live.screen": [
        ("GET", "/vendredi/{live_day}/ecran", None, MEMBERS),
        ("GET", "/vendredi/{day}/ecran", None, MEMBERS),
    ],
    "live.phone": [
        (
            "GET", "/vendredi/{live_day}/direct",
            None,
            (SIGN_IN, 200, 200, 200, 200, 200, 200, SIGN_IN),
        ),
        (
            "POST", "/vendredi/{live_day}/direct",
            {"op": "raise_hand"},
            (SIGN_IN, 303, 303, 303, 303, 303, 303, SIGN_IN),
        ),
        ("GET", "/vendredi/{closed_day}/direct", None, ARCHIVE),
    ],
    "live.join": [
        ("GET", "/rejoindre", None, (200, 200, 302, 302, 302, 302, 302, 200)),
        ("POST", "/rejoindre", {"code": "ZZZZZZ", "first_name": "Bob"}, BAD_INPUT),
    ],
    "budget.index": [
        ("GET", "/budget/", None, MEMBERS),
    ],
    "budget.public": [
        ("GET", "/budget/public", None, EVERYONE),
    ],
    "budget.public_json": [
        ("GET", "/budget/public.json", None, EVERYONE),
    ],
    "budget.edit_year": [
        ("GET", "/budget/2020/lignes", None, TREASURER_PAGE),
        (
            "POST", "/budget/2020/lignes",
            {"rows": "1", "label_1": "Loyer", "amount_1": "820", "revision": "0"},
            (SIGN_IN, SIGN_IN, 403, 403, 403, 302, 302, SIGN_IN),
        ),
    ],
    "budget.expenses": [
        ("GET", "/budget/2020/depenses", None, TREASURER_PAGE),
        (
            "POST", "/budget/2020/depenses",
            {"spent_on": "2020-03-06", "amount": "12,50", "label": "Ampoules"},
            (SIGN_IN, SIGN_IN, 403, 403, 403, 302, 302, SIGN_IN),
        ),
    ],
    "budget.close_year": [
        (
            "POST", "/budget/2020/clore",
            {"confirm": "1"},
            (SIGN_IN, SIGN_IN, 403, 403, 403, 302, 302, SIGN_IN),
        ),
    ],
    "budget.ledger_csv": [
        ("GET", "/budget/2020/grand-livre.csv", None, TREASURER_PAGE),
        ("GET", "/budget/{year}/grand-livre.csv", None, TREASURER_PAGE),
    ],
    "budget.settings": [
        ("GET", "/budget/reglages", None, TREASURER_PAGE),
        (
            "POST", "/budget/reglages",
            {"association_name": "Le 97", "open_hours_per_week": "40"},
            (SIGN_IN, SIGN_IN, 403, 403, 403, 302, 302, SIGN_IN),
        ),
    ],
    "members.set_treasurer": [
        (
            "POST", "/admin/membres/{target}/tresorerie",
            {"treasurer": "1"},
            (SIGN_IN, SIGN_IN, 403, 403, 403, 403, 302, SIGN_IN),
        ),
    ],
    "catalogue.index": [
        ("GET", "/catalogue/", None, EVERYONE),
    ],
    "catalogue.new": [
        ("GET", "/catalogue/nouveau", None, MEMBERS),
        (
            "POST", "/catalogue/nouveau",
            {"title": ""},
            (SIGN_IN, SIGN_IN, 400, 400, 400, 400, 400, SIGN_IN),
        ),
    ],
    "catalogue.show": [
        ("GET", "/catalogue/{catalogue_item}", None, EVERYONE),
    ],
    "catalogue.edit": [
        (
            "GET", "/catalogue/{catalogue_item}/modifier",
            None,
            (SIGN_IN, SIGN_IN, 403, 200, 200, 200, 200, SIGN_IN),
        ),
        (
            "POST", "/catalogue/{catalogue_item}/modifier",
            {"op": "edit", "title": ""},
            (SIGN_IN, SIGN_IN, 403, 400, 400, 400, 400, SIGN_IN),
        ),
    ],
    "catalogue.record_use": [
        ("GET", "/catalogue/{catalogue_item}/utiliser", None, MEMBERS),
        (
            "POST", "/catalogue/{catalogue_item}/utiliser",
            {"contribution": "0"},
            (SIGN_IN, SIGN_IN, 400, 400, 400, 400, 400, SIGN_IN),
        ),
    ],
    "catalogue.mine": [
        ("GET", "/catalogue/mes-contributions", None, MEMBERS),
    ],
    "catalogue.uses": [
        ("GET", "/catalogue/utilisations", None, TREASURER_PAGE),
    ],
    "catalogue.cancel_use": [
        (
            "POST", "/catalogue/utilisations/{use}/annuler",
            {},
            (SIGN_IN, SIGN_IN, 404, 302, 404, 302, 302, SIGN_IN),
        ),
    ],
    "life.index": [
        ("GET", "/vie-du-lieu/", None, ARCHIVE),
        ("GET", "/vie-du-lieu/?de=2026-13", None, (SIGN_IN, 403, 400, 400, 400, 400, 400, SIGN_IN)),
    ],
    "life.chart_svg": [
        ("GET", "/vie-du-lieu/presence.svg", None, ARCHIVE),
        ("GET", "/vie-du-lieu/decisions.svg", None, ARCHIVE),
        ("GET", "/vie-du-lieu/actions.svg", None, ARCHIVE),
        ("GET", "/vie-du-lieu/besoins.svg", None, ARCHIVE),
        ("GET", "/vie-du-lieu/budget.svg", None, ARCHIVE),
        ("GET", "/vie-du-lieu/meteo.svg", None, ARCHIVE),
        (
            "GET", "/vie-du-lieu/camembert.svg",
            None,
            (SIGN_IN, 403, 404, 404, 404, 404, 404, SIGN_IN),
        ),
    ],
    "life.chart_csv": [
        ("GET", "/vie-du-lieu/presence.csv", None, ARCHIVE),
        ("GET", "/vie-du-lieu/decisions.csv", None, ARCHIVE),
        ("GET", "/vie-du-lieu/actions.csv", None, ARCHIVE),
        ("GET", "/vie-du-lieu/besoins.csv", None, ARCHIVE),
        ("GET", "/vie-du-lieu/budget.csv", None, ARCHIVE),
        ("GET", "/vie-du-lieu/meteo.csv", None, ARCHIVE),
        (
            "GET", "/vie-du-lieu/camembert.csv",
            None,
            (SIGN_IN, 403, 404, 404, 404, 404, 404, SIGN_IN),
        ),
    ],
    "gifts.index": [
        ("GET", "/budget/dons/", None, TREASURER_PAGE),
        (
            "POST", "/budget/dons/",
            {"op": "record_gift", "amount": ""},
            (SIGN_IN, SIGN_IN, 403, 403, 403, 400, 400, SIGN_IN),
        ),
    ],
    "gifts.pledge": [
        ("GET", "/budget/dons/annoncer", None, MEMBERS),
        (
            "POST", "/budget/dons/annoncer",
            {"op": "pledge_gift", "amount": ""},
            (SIGN_IN, SIGN_IN, 400, 400, 400, 400, 400, SIGN_IN),
        ),
    ],
    "gifts.mine": [
        ("GET", "/budget/dons/mes-dons", None, MEMBERS),
    ],
    "gifts.show": [
        ("GET", "/budget/dons/999999", None, NOT_FOUND),
        ("GET", "/budget/dons/{gift}", None, (404, 404, 404, 200, 404, 200, 200, 404)),
    ],
    "gifts.confirm": [
        (
            "POST", "/budget/dons/999999/confirmer",
            {"op": "confirm_gift", "received_on": YESTERDAY},
            (SIGN_IN, SIGN_IN, 403, 403, 403, 404, 404, SIGN_IN),
        ),
    ],
    "gifts.cancel": [
        (
            "POST", "/budget/dons/999999/annuler",
            {"op": "cancel_gift"},
            (SIGN_IN, SIGN_IN, 404, 404, 404, 404, 404, SIGN_IN),
        ),
    ],
    "gifts.receipt": [
        ("GET", "/budget/dons/999999/recu", None, NOT_FOUND),
        ("GET", "/budget/dons/{gift}/recu", None, (404, 404, 404, 200, 404, 200, 200, 404)),
    ],
    "gifts.issue_receipt": [
        (
            "POST", "/budget/dons/999999/recu/delivrer",
            {"op": "issue_receipt"},
            (SIGN_IN, SIGN_IN, 404, 404, 404, 404, 404, SIGN_IN),
        ),
    ],
}

SOCKET_COMMANDS = {
    "record_catalogue_use": (
        {"catalogue_item_id": "{catalogue_item}", "used_on": YESTERDAY, "contribution": "5"},
        MEMBERS_ACK,
    ),
    "cancel_catalogue_use": (
        {"use_id": "{use}"},
        ("not_signed_in", "forbidden", "not_found", True, "not_found", True, True, NO_SOCKET),
    ),
    "add_budget_point": ({"meeting_id": "{live_meeting}"}, CONSOLE_ACK),
    "mark_notifications_read": ({}, MEMBERS_ACK),
    "sync_proposals": ({}, MEMBERS_ACK),
    "sync_traces": ({"after": 0}, MEMBERS_ACK),
    "edit_decision": (
        {"decision_id": 999999, "statement": "Corrigé"},
        ("not_signed_in", "forbidden", "not_found", "not_found", "not_found", "not_found", "not_found", NO_SOCKET),
    ),
    "write_summary": (
        {"meeting_id": "{live_meeting}", "summary": "Le résumé", "summary_revision": 0},
        CONSOLE_ACK,
    ),
    "validate_minutes": (
        {"meeting_id": "{live_meeting}"},
        ("not_signed_in", "forbidden", "forbidden", "forbidden", "not_closed", "forbidden", "not_closed", NO_SOCKET),
    ),
    "mark_caught_up": ({"seen_until": "2026-01-01T00:00:00"}, MEMBERS_ACK),
    "sync_actions": ({"view": "everyone"}, MEMBERS_ACK),
    "complete_action": (
        {"action_id": "{action}"},
        ("not_signed_in", "forbidden", "forbidden", True, "forbidden", "forbidden", "forbidden", NO_SOCKET),
    ),
    "reopen_action": (
        {"action_id": "{action}"},
        ("not_signed_in", "forbidden", "forbidden", "already_open", "forbidden", "forbidden", "forbidden", NO_SOCKET),
    ),
    "join_document": ({"meeting_id": "{meeting}"}, MEMBERS_ACK),
    "add_entry": ({"meeting_id": "{meeting}", "kind": "topic", "body": "Un point"}, MEMBERS_ACK),
    "edit_entry": (
        {"entry_id": "{entry}", "revision": 1, "body": "Corrigé"},
        ("not_signed_in", "forbidden", "forbidden", True, True, "forbidden", True, NO_SOCKET),
    ),
    "delete_entry": (
        {"entry_id": "{entry}"},
        ("not_signed_in", "forbidden", "forbidden", True, "forbidden", "forbidden", "forbidden", NO_SOCKET),
    ),
    "claim_need": ({"entry_id": "{need}"}, MEMBERS_ACK),
    "release_need": (
        {"entry_id": "{claimed}"},
        ("not_signed_in", "forbidden", "forbidden", True, True, "forbidden", True, NO_SOCKET),
    ),
    "resolve_need": (
        {"entry_id": "{need}", "outcome": "met"},
        ("not_signed_in", "forbidden", "forbidden", True, True, "forbidden", True, NO_SOCKET),
    ),
    "preview_markdown": ({"body": "**gras**"}, MEMBERS_ACK),
    "set_typing": ({"meeting_id": "{meeting}", "typing": False}, MEMBERS_ACK),
    "join_live": ({"meeting_id": "{live_meeting}"}, FOLLOWERS_ACK),
    "raise_hand": ({"meeting_id": "{live_meeting}"}, FOLLOWERS_ACK),
    "lower_hand": ({"meeting_id": "{live_meeting}"}, FOLLOWERS_ACK),
    "answer_round": ({"round_id": "{round}", "answer": "for"}, FOLLOWERS_ACK),
    "advance_item": (
        {"meeting_id": "{live_meeting}", "live_revision": "{live_revision}"},
        CONSOLE_ACK,
    ),
    "control_timer": ({"meeting_id": "{live_meeting}", "action": "pause"}, CONSOLE_ACK),
    "postpone_item": ({"meeting_id": "{live_meeting}", "item_id": "{item}"}, CONSOLE_ACK),
    "reorder_agenda": (
        {"meeting_id": "{live_meeting}", "agenda_revision": "{agenda_revision}", "order": "{order}"},
        CONSOLE_ACK,
    ),
    "move_item": (
        {"item_id": "{item}", "direction": "up", "agenda_revision": "{agenda_revision}"},
        CONSOLE_ACK,
    ),
    "set_timebox": ({"item_id": "{item}", "minutes": 12}, CONSOLE_ACK),
    "give_floor": ({"meeting_id": "{live_meeting}", "hand_id": "{hand}"}, CONSOLE_ACK),
    "open_round": (
        {"meeting_id": "{live_meeting}", "kind": "consent", "question": "On y va ?"},
        ("not_signed_in", "forbidden", "forbidden", "forbidden", "round_open", "forbidden", "round_open", NO_SOCKET),
    ),
    "close_round": ({"round_id": "{round}"}, CONSOLE_ACK),
    "record_decision": (
        {"meeting_id": "{live_meeting}", "statement": "On le fait.", "mode": "information"},
        CONSOLE_ACK,
    ),
    "add_action": (
        {"meeting_id": "{live_meeting}", "label": "Appeler le plombier", "owner_id": "{target}", "due_on": DUE},
        CONSOLE_ACK,
    ),
}

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
        {"association_name": "Le 97", "open_hours_per_week": "40", "donation_url": "https://le97.example/don"},
        TREASURER_FORM,
    ),
    "set_treasurer": (
        "/admin/membres/{target}/tresorerie",
        {"treasurer": "1"},
        (SIGN_IN, SIGN_IN, PAGE_REFUSED, PAGE_REFUSED, PAGE_REFUSED, PAGE_REFUSED, DONE, SIGN_IN),
    ),
    "record_gift": (
        "/budget/dons/",
        {"amount": "50", "received_on": YESTERDAY, "anonymous": "1"},
        TREASURER_FORM,
    ),
    "pledge_gift": ("/budget/dons/annoncer", {"amount": "50"}, MEMBERS_FORM),
    "confirm_gift": (
        "/budget/dons/999999/confirmer",
        {"received_on": YESTERDAY},
        (SIGN_IN, SIGN_IN, PAGE_REFUSED, PAGE_REFUSED, PAGE_REFUSED, NO_GIFT, NO_GIFT, SIGN_IN),
    ),
    "cancel_gift": (
        "/budget/dons/999999/annuler",
        {},
        (SIGN_IN, SIGN_IN, NO_GIFT, NO_GIFT, NO_GIFT, NO_GIFT, NO_GIFT, SIGN_IN),
    ),
    "issue_receipt": (
        "/budget/dons/999999/recu/delivrer",
        {},
        (SIGN_IN, SIGN_IN, NO_GIFT, NO_GIFT, NO_GIFT, NO_GIFT, NO_GIFT, SIGN_IN),
    ),
    "add_budget_point": ("/vendredi/{day}/animation", {}, CONSOLE_FORM),
    "add_catalogue_item": (
        "/catalogue/nouveau",
        {"title": "Atelier vélo", "unit": "session"},
        MEMBERS_FORM,
    ),
    "edit_catalogue_item": (
        "/catalogue/{catalogue_item}/modifier",
        {"title": "Salle du haut", "unit": "hour"},
        (SIGN_IN, SIGN_IN, PAGE_REFUSED, DONE, DONE, DONE, DONE, SIGN_IN),
    ),
    "withdraw_catalogue_item": (
        "/catalogue/{catalogue_item}/modifier",
        {},
        (SIGN_IN, SIGN_IN, PAGE_REFUSED, DONE, DONE, DONE, DONE, SIGN_IN),
    ),
    "restore_catalogue_item": (
        "/catalogue/{catalogue_item}/modifier",
        {},
        (SIGN_IN, SIGN_IN, PAGE_REFUSED, DONE, DONE, DONE, DONE, SIGN_IN),
    ),
    "record_catalogue_use": (
        "/catalogue/{catalogue_item}/utiliser",
        {"used_on": YESTERDAY, "contribution": "5"},
        MEMBERS_FORM,
    ),
    "cancel_catalogue_use": (
        "/catalogue/utilisations/{use}/annuler",
        {},
        (SIGN_IN, SIGN_IN, NO_USE, DONE, NO_USE, DONE, DONE, SIGN_IN),
    ),
    "write_summary": (
        "/vendredi/{live_day}/animation",
        {"summary": "Le résumé", "summary_revision": "0"},
        CONSOLE_FORM,
    ),
    "validate_minutes": (
        "/vendredi/{live_day}/compte-rendu",
        {},
        (SIGN_IN, SIGN_IN, "Seul·es le ou la secrétaire de ce vendredi et l’animation valident le compte rendu.", "Seul·es le ou la secrétaire de ce vendredi et l’animation valident le compte rendu.", NOT_CLOSED, "Seul·es le ou la secrétaire de ce vendredi et l’animation valident le compte rendu.", NOT_CLOSED, SIGN_IN),
    ),
    "edit_decision": (
        "/vendredi/{live_day}/animation",
        {"decision_id": "999999", "statement": "Corrigé"},
        (SIGN_IN, SIGN_IN, PAGE_REFUSED, PAGE_REFUSED, NO_DECISION, PAGE_REFUSED, NO_DECISION, SIGN_IN),
    ),
    "propose_correction": (
        "/decisions/999999/corriger",
        {},
        (SIGN_IN, PAGE_REFUSED, PAGE_REFUSED, PAGE_REFUSED, "Aucune décision ne porte le numéro 999999.", PAGE_REFUSED, "Aucune décision ne porte le numéro 999999.", SIGN_IN),
    ),
    "mark_caught_up": (
        "/ce-que-vous-avez-manque/lu",
        {"seen_until": "2026-01-01T00:00:00"},
        MEMBERS_FORM,
    ),
    "set_publication": (
        "/admin/publication",
        {"publication": "public"},
        (SIGN_IN, SIGN_IN, PAGE_REFUSED, PAGE_REFUSED, PAGE_REFUSED, PAGE_REFUSED, DONE, SIGN_IN),
    ),
    "create_feed_token": ("/profil/flux", {}, MEMBERS_FORM),
    "propose_event": (
        "/vendredi/{day}/proposer",
        {"title": "Concert", "description": "Un concert", "date_1": WISHED, "time_1": "20:00", "duration_minutes": "90", "place": "house"},
        MEMBERS_FORM,
    ),
    "withdraw_proposal": (
        "/propositions/{proposal}/retirer",
        {},
        (SIGN_IN, SIGN_IN, NOT_THE_PROPOSER, DONE, NOT_THE_PROPOSER, NOT_THE_PROPOSER, NOT_THE_PROPOSER, SIGN_IN),
    ),
    "revoke_feed_token": ("/profil/flux/revoquer", {}, MEMBERS_FORM),
    "end_other_sessions": ("/profil/appareils/deconnecter", {}, MEMBERS_FORM),
    "request_data_export": ("/profil/donnees", {}, MEMBERS_FORM),
    # Refused cases only: a done one would erase a member of the shared world.
    "erase_my_account": (
        "/profil/effacer",
        {"confirmation": "non"},
        (SIGN_IN, SIGN_IN, *(ERASE_WORD,) * 5, SIGN_IN),
    ),
    "erase_member": (
        "/admin/membres/{target}/effacer",
        {"confirmation": "non"},
        (SIGN_IN, SIGN_IN, *(PAGE_REFUSED,) * 4, ERASE_WORD, SIGN_IN),
    ),
    "create_api_token": ("/profil/jetons", {"label": "Script"}, MEMBERS_FORM),
    "revoke_api_token": (
        "/profil/jetons/999999/revoquer",
        {},
        (SIGN_IN, SIGN_IN, NO_TOKEN, NO_TOKEN, NO_TOKEN, NO_TOKEN, NO_TOKEN, SIGN_IN),
    ),
    "complete_action": (
        "/actions/{action}",
        {},
        (SIGN_IN, PAGE_REFUSED, OWNER_DONE, DONE, OWNER_DONE, OWNER_DONE, OWNER_DONE, SIGN_IN),
    ),
    "reopen_action": (
        "/actions/{action}",
        {},
        (SIGN_IN, PAGE_REFUSED, OWNER_REOPEN, ALREADY_OPEN, OWNER_REOPEN, OWNER_REOPEN, OWNER_REOPEN, SIGN_IN),
    ),
    "prepare_agenda": ("/vendredi/{day}/animation", {}, CONSOLE_FORM),
    "add_agenda_entries": ("/vendredi/{day}/animation", {"entry_id": "{entry}"}, CONSOLE_FORM),
    "add_agenda_item": (
        "/vendredi/{day}/animation",
        {"title": "Divers", "timebox_minutes": "5"},
        CONSOLE_FORM,
    ),
    "assign_role": (
        "/vendredi/{day}/animation",
        {"role": "scribe", "member_id": "{target}"},
        CONSOLE_FORM,
    ),
    "set_attendance": (
        "/vendredi/{day}/animation",
        {"member_id": "{target}", "status": "present"},
        CONSOLE_FORM,
    ),
    "mark_present": ("/vendredi/{day}/animation", {}, CONSOLE_FORM),
    "start_meeting": ("/vendredi/{day}/animation", {}, CONSOLE_FORM),
    "advance_item": (
        "/vendredi/{live_day}/animation",
        {"live_revision": "{live_revision}"},
        CONSOLE_FORM,
    ),
    "control_timer": ("/vendredi/{live_day}/animation", {"action": "pause"}, CONSOLE_FORM),
    "postpone_item": ("/vendredi/{live_day}/animation", {"item_id": "{item}"}, CONSOLE_FORM),
    "move_item": (
        "/vendredi/{live_day}/animation",
        {"item_id": "{item}", "direction": "up", "agenda_revision": "{agenda_revision}"},
        CONSOLE_FORM,
    ),
    "set_timebox": (
        "/vendredi/{live_day}/animation",
        {"item_id": "{item}", "minutes": "12"},
        CONSOLE_FORM,
    ),
    "remove_item": ("/vendredi/{live_day}/animation", {"item_id": "{item}"}, CONSOLE_FORM),
    "give_floor": ("/vendredi/{live_day}/animation", {"hand_id": "{hand}"}, CONSOLE_FORM),
    "open_round": (
        "/vendredi/{live_day}/animation",
        {"kind": "consent", "question": "On y va ?"},
        (SIGN_IN, SIGN_IN, PAGE_REFUSED, PAGE_REFUSED, ROUND_OPEN, PAGE_REFUSED, ROUND_OPEN, SIGN_IN),
    ),
    "close_round": ("/vendredi/{live_day}/animation", {"round_id": "{round}"}, CONSOLE_FORM),
    "record_decision": (
        "/vendredi/{live_day}/animation",
        {"statement": "On le fait.", "mode": "information"},
        CONSOLE_FORM,
    ),
    "add_action": (
        "/vendredi/{live_day}/animation",
        {"label": "Appeler le plombier", "owner_id": "{target}", "due_on": DUE},
        CONSOLE_FORM,
    ),
    "close_meeting": ("/vendredi/{live_day}/animation", {}, CONSOLE_FORM),
    "raise_hand": ("/vendredi/{live_day}/direct", {}, PHONE_FORM),
    "lower_hand": ("/vendredi/{live_day}/direct", {}, PHONE_FORM),
    "answer_round": (
        "/vendredi/{live_day}/direct",
        {"round_id": "{round}", "answer": "for"},
        PHONE_FORM,
    ),
    "add_entry": (
        "/vendredi/{live_day}/direct",
        {"kind": "topic", "body": "Un point"},
        (SIGN_IN, MEMBERS_ONLY, DONE, DONE, DONE, DONE, DONE, SIGN_IN),
    ),
    "edit_entry": (
        "/vendredi/{day}/entrees/{entry}/modifier",
        {"revision": "1", "title": "Point de Cible", "body": "Corrigé"},
        (SIGN_IN, SIGN_IN, PAGE_REFUSED, DONE, DONE, PAGE_REFUSED, DONE, SIGN_IN),
    ),
    "delete_entry": (
        "/vendredi/{day}/entrees/{entry}/supprimer",
        {},
        (SIGN_IN, SIGN_IN, OWN_ONLY, DONE, OWN_ONLY, OWN_ONLY, OWN_ONLY, SIGN_IN),
    ),
    "create_event": (
        "/agenda/nouveau",
        {"title": "Concert", "start_date": WISHED, "start_time": "20:00", "end_time": "22:00", "place": "elsewhere", "place_detail": "Salle des fêtes"},
        CONSOLE_FORM,
    ),
    "edit_event": (
        "/agenda/{event}/modifier",
        {"revision": "old", "title": "Autre titre"},
        (SIGN_IN, SIGN_IN, PAGE_REFUSED, PAGE_REFUSED, STALE_EVENT, PAGE_REFUSED, STALE_EVENT, SIGN_IN),
    ),
    "cancel_event": ("/agenda/{event}/annuler", {"reason": "Plus de salle"}, CONSOLE_FORM),
    "skip_occurrence": ("/agenda/{series}/sauter", {"occurrence": "{series_date}"}, CONSOLE_FORM),
    "create_calendar_token": ("/profil/agenda", {}, MEMBERS_FORM),
    "revoke_calendar_token": ("/profil/agenda/revoquer", {}, MEMBERS_FORM),
    "mark_notifications_read": ("/notifications/lu", {}, MEMBERS_FORM),
    "claim_need": ("/vendredi/{day}/entrees/{need}/besoin", {"action": "claim"}, MEMBERS_FORM),
    "release_need": (
        "/vendredi/{day}/entrees/{claimed}/besoin",
        {"action": "release"},
        (SIGN_IN, SIGN_IN, NOT_THE_CLAIMER, DONE, DONE, NOT_THE_CLAIMER, DONE, SIGN_IN),
    ),
    "resolve_need": (
        "/vendredi/{day}/entrees/{need}/besoin",
        {"action": "met"},
        (SIGN_IN, SIGN_IN, NOT_ASKER, DONE, DONE, NOT_ASKER, DONE, SIGN_IN),
    ),
}

API_OPERATIONS = {
    "v1_meetings_list_meetings": [
        ("GET", "/api/v1/meetings", None, MEMBERS_READ),
    ],
    "v1_meetings_show_meeting": [
        ("GET", "/api/v1/meetings/{day}", None, MEMBERS_READ),
        ("GET", "/api/v1/meetings/{closed_day}", None, MEMBERS_READ),
        ("GET", "/api/v1/meetings/{live_day}", None, MEMBERS_READ),
    ],
    "v1_meetings_list_entries": [
        ("GET", "/api/v1/meetings/{day}/entries", None, MEMBERS_READ),
        ("GET", "/api/v1/meetings/{live_day}/entries", None, MEMBERS_READ),
        ("GET", "/api/v1/meetings/{closed_day}/entries", None, MEMBERS_READ),
    ],
    "v1_meetings_show_entry": [
        ("GET", "/api/v1/entries/{entry}", None, MEMBERS_READ),
        ("GET", "/api/v1/entries/{mood}", None, MEMBERS_READ),
    ],
    "v1_meetings_list_agenda": [
        ("GET", "/api/v1/meetings/{day}/agenda", None, MEMBERS_READ),
        (
            "GET", "/api/v1/meetings/{live_day}/agenda",
            None,
            (401, 200, 200, 200, 200, 200, 200, 401),
        ),
    ],
    "v1_meetings_me": [
        ("GET", "/api/v1/me", None, MEMBERS_READ),
    ],
    "v1_archive_list_decisions": [
        ("GET", "/api/v1/decisions", None, MEMBERS_READ),
    ],
    "v1_archive_show_decision": [
        ("GET", "/api/v1/decisions/999999", None, (401, 401, 404, 404, 404, 404, 404, 401)),
        ("GET", "/api/v1/decisions/{decision}", None, MEMBERS_READ),
    ],
    "v1_archive_list_actions": [
        ("GET", "/api/v1/actions", None, MEMBERS_READ),
        ("GET", "/api/v1/actions?view=everyone", None, MEMBERS_READ),
    ],
    "v1_calendar_list_events": [
        ("GET", "/api/v1/events", None, (200, 200, 200, 200, 200, 200, 200, 401)),
    ],
    "v1_calendar_show_event": [
        ("GET", "/api/v1/events/{event}", None, (200, 200, 200, 200, 200, 200, 200, 401)),
        ("GET", "/api/v1/events/{members_event}", None, (404, 404, 200, 200, 200, 200, 200, 401)),
    ],
    "v1_proposals_list_proposals": [
        ("GET", "/api/v1/proposals", None, MEMBERS_READ),
    ],
    "v1_proposals_show_proposal": [
        ("GET", "/api/v1/proposals/{proposal}", None, MEMBERS_READ),
        ("GET", "/api/v1/proposals/{outside_proposal}", None, MEMBERS_READ),
    ],
    "add_entry": [
        (
            "POST", "/api/v1/commands/add_entry",
            {"meeting_id": "{meeting}", "kind": "topic", "body": "Un point"},
            MEMBERS_CALL,
        ),
    ],
    "edit_entry": [
        (
            "POST", "/api/v1/commands/edit_entry",
            {"entry_id": "{entry}", "revision": 1, "body": "Corrigé"},
            (401, 403, 403, 200, 200, 403, 200, 401),
        ),
    ],
    "delete_entry": [
        (
            "POST", "/api/v1/commands/delete_entry",
            {"entry_id": "{entry}"},
            (401, 403, 403, 200, 403, 403, 403, 401),
        ),
    ],
    "claim_need": [
        ("POST", "/api/v1/commands/claim_need", {"entry_id": "{need}"}, MEMBERS_CALL),
    ],
    "release_need": [
        (
            "POST", "/api/v1/commands/release_need",
            {"entry_id": "{claimed}"},
            (401, 403, 403, 200, 200, 403, 200, 401),
        ),
    ],
    "resolve_need": [
        (
            "POST", "/api/v1/commands/resolve_need",
            {"entry_id": "{need}", "outcome": "met"},
            (401, 403, 403, 200, 200, 403, 200, 401),
        ),
    ],
    "prepare_agenda": [
        ("POST", "/api/v1/commands/prepare_agenda", {"meeting_id": "{meeting}"}, CONSOLE_CALL),
    ],
    "add_agenda_entries": [
        (
            "POST", "/api/v1/commands/add_agenda_entries",
            {"entry_id": ["{entry}"], "meeting_id": "{meeting}"},
            CONSOLE_CALL,
        ),
    ],
    "add_agenda_item": [
        (
            "POST", "/api/v1/commands/add_agenda_item",
            {"title": "Divers", "timebox_minutes": 5, "meeting_id": "{meeting}"},
            CONSOLE_CALL,
        ),
    ],
    "remove_item": [
        ("POST", "/api/v1/commands/remove_item", {"item_id": "{item}"}, CONSOLE_CALL),
    ],
    "move_item": [
        (
            "POST", "/api/v1/commands/move_item",
            {"item_id": "{item}", "direction": "up", "agenda_revision": "{agenda_revision}"},
            CONSOLE_CALL,
        ),
    ],
    "reorder_agenda": [
        (
            "POST", "/api/v1/commands/reorder_agenda",
            {"meeting_id": "{live_meeting}", "agenda_revision": "{agenda_revision}", "order": "{order}"},
            CONSOLE_CALL,
        ),
    ],
    "set_timebox": [
        (
            "POST", "/api/v1/commands/set_timebox",
            {"item_id": "{item}", "minutes": 12},
            CONSOLE_CALL,
        ),
    ],
    "advance_item": [
        (
            "POST", "/api/v1/commands/advance_item",
            {"meeting_id": "{live_meeting}", "live_revision": "{live_revision}"},
            CONSOLE_CALL,
        ),
    ],
    "postpone_item": [
        (
            "POST", "/api/v1/commands/postpone_item",
            {"meeting_id": "{live_meeting}", "item_id": "{item}"},
            CONSOLE_CALL,
        ),
    ],
    "record_decision": [
        (
            "POST", "/api/v1/commands/record_decision",
            {"meeting_id": "{live_meeting}", "statement": "On le fait.", "mode": "information"},
            CONSOLE_CALL,
        ),
    ],
    "edit_decision": [
        (
            "POST", "/api/v1/commands/edit_decision",
            {"decision_id": 999999, "statement": "Corrigé"},
            (401, 403, 404, 404, 404, 404, 404, 401),
        ),
    ],
    "propose_correction": [
        (
            "POST", "/api/v1/commands/propose_correction",
            {"decision_id": 999999},
            (401, 403, 403, 403, 404, 403, 404, 401),
        ),
        (
            "POST", "/api/v1/commands/propose_correction",
            {"decision_id": "{decision_id}"},
            CONSOLE_CALL,
        ),
    ],
    "add_action": [
        (
            "POST", "/api/v1/commands/add_action",
            {"meeting_id": "{live_meeting}", "label": "Appeler le plombier", "owner_id": "{target}", "due_on": DUE},
            CONSOLE_CALL,
        ),
    ],
    "complete_action": [
        (
            "POST", "/api/v1/commands/complete_action",
            {"action_id": "{action}"},
            (401, 403, 403, 200, 403, 403, 403, 401),
        ),
    ],
    "reopen_action": [
        (
            "POST", "/api/v1/commands/reopen_action",
            {"action_id": "{action}"},
            (401, 403, 403, 409, 403, 403, 403, 401),
        ),
    ],
    "create_event": [
        (
            "POST", "/api/v1/commands/create_event",
            {"title": "Concert", "start_date": WISHED, "start_time": "20:00", "end_time": "22:00", "place": "elsewhere", "place_detail": "Salle des fêtes"},
            CONSOLE_CALL,
        ),
    ],
    "edit_event": [
        (
            "POST", "/api/v1/commands/edit_event",
            {"revision": "old", "title": "Autre titre", "event_id": "{event}"},
            (401, 403, 403, 403, 409, 403, 409, 401),
        ),
    ],
    "cancel_event": [
        (
            "POST", "/api/v1/commands/cancel_event",
            {"reason": "Plus de salle", "event_id": "{event}"},
            CONSOLE_CALL,
        ),
    ],
    "skip_occurrence": [
        (
            "POST", "/api/v1/commands/skip_occurrence",
            {"occurrence": "{series_date}", "event_id": "{series}"},
            CONSOLE_CALL,
        ),
    ],
    "propose_event": [
        (
            "POST", "/api/v1/commands/propose_event",
            {"title": "Concert", "description": "Un concert", "date_1": WISHED, "time_1": "20:00", "duration_minutes": "90", "place": "house", "meeting_id": "{meeting}"},
            MEMBERS_CALL,
        ),
    ],
    "withdraw_proposal": [
        (
            "POST", "/api/v1/commands/withdraw_proposal",
            {"proposal_id": "{proposal}"},
            (401, 403, 403, 200, 403, 403, 403, 401),
        ),
    ],
}
# fmt: on

# A page refused (403) says why: the general message, or the service's own for these endpoints.
FORBIDDEN = {
    "prep.delete_entry": OWN_ONLY,
    "prep.need_action": (NOT_THE_CLAIMER, NOT_ASKER),
    "prep.start_meeting": "Seul·es les facilitateur·rices ouvrent et closent la réunion.",
    "prep.close_meeting": "Seul·es les facilitateur·rices ouvrent et closent la réunion.",
    "proposals.withdraw": NOT_THE_PROPOSER,
    "feeds.decisions_atom": ("sont réservés aux membres", "n’est pas (ou plus) valable"),
    "feeds.minutes_atom": ("sont réservés aux membres", "n’est pas (ou plus) valable"),
    "calendar_feeds.member_ics": "n’est pas (ou plus) valable",
    "proposals.resubmit": "Seule la personne qui a proposé l’événement peut faire cela.",
    "proposals.emails": "Seule la personne qui a proposé l’événement peut faire cela.",
}

# Done, and nothing to change in this world: no hand of the visitor is raised, their browser is
# their only session, they have no unread notification, the offer is not withdrawn.
CHANGES_NOTHING_WHEN_DONE = {
    "lower_hand",
    "request_data_export",
    "end_other_sessions",
    "mark_notifications_read",
    "restore_catalogue_item",
}


# -- the world -------------------------------------------------------------------------------


# Distinctive strings put in the world, searched for in everything each role reads and hears.
BILLET = "Je me sens HUMEUR-VENTRE-4Z cette semaine."
OLD_BILLET = "Une semaine HUMEUR-PASSEE-8K, la dernière."
LIVE_BILLET = "Billet du jour HUMEUR-DIRECT-6W."
EMAILS = {
    "author": "cible.courriel-3q@le97.example",
    "member": "membre.courriel-5t@le97.example",
    "facilitator": "animation.courriel-2r@le97.example",
    "treasurer": "tresorerie.courriel-9m@le97.example",
    "admin": "admin.courriel-7k@le97.example",
    "deactivated": "partie.courriel-4h@le97.example",
    "reference": "reference.courriel-1z@le97.example",
}
OUTSIDE_EMAIL = "dehors.courriel-6p@exemple.org"
DONOR_EMAIL = "donateur.courriel-8v@exemple.org"
INVITED_EMAIL = "invitee.courriel-2b@exemple.org"
# What only members read (the archive is not published): a decision, the minutes, a point of the
# document, a members-only event, the names of members.
DECISION = "Le jardin DECISION-2G est arrosé le mardi."
SUMMARY = "Un vendredi RESUME-4M tranquille."
POINT = "Un point POINT-6F à discuter."
MEMBERS_EVENT = "Réunion interne EVENEMENT-9C"
AUTHOR = "Cible Delaplace"
REFERENCE = "Admin de Référence"  # who made the world: the calendar, the live Fridays
DONOR_ADDRESS = "12 rue ADRESSE-3A, 25000 Besançon"
# Individual amounts: the author's gift, use and contribution in kind, an outside donor's gift.
GIFT, USE, IN_KIND, OUTSIDE_GIFT = "876,43", "653,29", "741,37", "592,61"


# -- what each role reads and hears: nothing of someone else's that is not theirs ----------------

# The pages of a Friday's document, where members read the billets d'humeur (by session or by
# token: an API operation is named by its operationId).
DOCUMENT = (
    "prep.document",
    "prep.entry_history",
    "api.v1.meetings.list_entries",
    "api.v1.meetings.show_entry",
    "v1_meetings_list_entries",
    "v1_meetings_show_entry",
    "join_document",  # the socket's snapshot of the document, and its facts
    "entry_added",
    "entry_edited",
)
ANYWHERE = "anywhere"
# The live phone and the projector, as pages and as the socket's snapshot and facts.
LIVE_VIEWS = ("live.phone", "live.screen", "join_live", "live_updated")
# A member's own profile (a refused password change shows it again), and the members page (an
# invitation shows it again).
OWN_PROFILE = ("members.profile", "members.change_password", "api.v1.meetings.me", "v1_meetings_me")
MEMBERS_PAGE = ("members.admin", "members.invite")
ACCOUNTS = ("treasurer", "admin")


def _may_read():
    """{what: {where: roles who may read it there}}: everything else is a leak. A billet is read
    by members in the document only; an e-mail by its owner on their profile and by an admin on
    the members page; an individual amount by its giver on their own pages and by the treasurer;
    a token by nobody but, in a feed's own address, the member whose feed it is."""
    rules = {
        "a billet d'humeur": {DOCUMENT: MEMBER_ROLES},
        "what only members read": {ANYWHERE: MEMBER_ROLES},
        # In the room, a guest sees who proposed the point, who asked for the floor, who does
        # what: on the phone and the projector, never elsewhere (nor anyone in public pages).
        "a member's name": {
            ANYWHERE: MEMBER_ROLES,
            LIVE_VIEWS: ("guest",),
            ("members.accept_invitation",): ROLES,  # who invited them
        },
        "the author's postal address": {
            ("gifts.show", "gifts.receipt"): ("author", *ACCOUNTS),
        },
        "the invited person's e-mail": {
            MEMBERS_PAGE: ("admin",),
            ("members.accept_invitation",): ROLES,  # the link's page, for who holds it
        },
        "the invitation's token": {("members.accept_invitation",): ROLES},
        "the author's gift": {
            ("gifts.mine", "gifts.show"): ("author",),
            ("gifts.index", "gifts.show", "budget.ledger_csv"): ACCOUNTS,
        },
        "the author's use": {
            ("catalogue.mine",): ("author",),
            ("catalogue.uses", "budget.ledger_csv"): ACCOUNTS,
        },
        "the author's contribution in kind": {
            ("catalogue.mine",): ("author",),
            ("catalogue.uses", "budget.ledger_csv"): ACCOUNTS,
        },
        "the outside donor's gift": {("gifts.index", "budget.ledger_csv"): ACCOUNTS},
        # The link itself: whoever holds it reads the proposal's page.
        "the outside proposer's status token": {("proposals.track",): ROLES},
    }
    for role in EMAILS:
        rules[f"the {role}'s e-mail"] = {OWN_PROFILE: (role,), MEMBERS_PAGE: ("admin",)}
    for role in MEMBER_ROLES:
        rules[f"the {role}'s feed_token"] = {
            ("feeds.decisions_atom", "feeds.minutes_atom"): (role,)
        }
    return rules


MAY_READ = _may_read()


def _amounts(amount):
    """An amount as pages ("876,43"), JSON ("876.43") and cents ("87643") write it."""
    return [amount, amount.replace(",", "."), amount.replace(",", "")]


def secrets_of(world):
    """{what: the strings that show it} for everything not everyone may read."""
    found = {
        "a billet d'humeur": [BILLET, OLD_BILLET, LIVE_BILLET],
        "the outside proposer's e-mail": [OUTSIDE_EMAIL],
        "the outside donor's e-mail": [DONOR_EMAIL],
        "the invited person's e-mail": [INVITED_EMAIL],
        "the author's gift": _amounts(GIFT),
        "the author's use": _amounts(USE),
        "the author's contribution in kind": _amounts(IN_KIND),
        "the outside donor's gift": _amounts(OUTSIDE_GIFT),
        "the outside proposer's status token": [world.built.secrets["status_token"]],
        "the invitation's token": [world.built.secrets["invitation_token"]],
        "the secret key": [world.app.config["SECRET_KEY"]],
        "what only members read": [DECISION, SUMMARY, POINT, MEMBERS_EVENT],
        "a member's name": [AUTHOR, REFERENCE],
        "the author's postal address": [DONOR_ADDRESS],
        # Passwords, tokens and sessions are stored as hashes: none is ever shown.
        "a stored hash": [
            value
            for _table, rows in world.built.rows
            for row in rows
            for column, value in row.items()
            if column.endswith("_hash") and value
        ],
    }
    for role, address in EMAILS.items():
        found[f"the {role}'s e-mail"] = [address]
    for role in MEMBER_ROLES + ("deactivated",):
        for kind, token in world.built.secrets[role].items():
            found[f"the {role}'s {kind}"] = [token]
    return found


def leaks(role, where, text_, secrets, rules):
    """What `role` reads in `text_` (at `where`) that is not theirs to read there."""
    shown = []
    for what, strings in secrets.items():
        if not any(s in text_ for s in strings if s):
            continue
        allowed = rules.get(what, {})
        if not any(
            (places == ANYWHERE or where in places) and role in roles
            for places, roles in allowed.items()
        ):
            shown.append(what)
    return shown


def build_world(app, make_member, live_friday):
    """Le 97 this week: a closed Friday, the coming one (preparing) and the next (live), the
    calendar, the economy, an invitation and an outside proposal; every visitor of the matrix
    with its browser, tokens and feed addresses; and what belongs to someone else."""
    from meeting import place
    from meeting.api import tokens as api_tokens
    from meeting.calendar import services as calendar
    from meeting.decisions import services as decisions
    from meeting.economy.catalogue import services as catalogue
    from meeting.economy.catalogue import uses as catalogue_uses
    from meeting.economy.gifts import services as gifts
    from meeting.feeds import tokens as feed_tokens
    from meeting.live import services as agenda
    from meeting.meetings import dates
    from meeting.meetings import services as meetings
    from meeting.members import services as members
    from meeting.minutes import summary as minutes
    from meeting.models import Action
    from meeting.prep import services as prep
    from meeting.proposals import outside
    from meeting.proposals import services as proposals

    ref = make_member(role="admin", name=REFERENCE, email=EMAILS["reference"])
    author = make_member(name=AUTHOR, email=EMAILS["author"])
    people = {"author": author}
    for role, name in (
        ("member", "Membre Simple"),
        ("facilitator", "Anim Atrice"),
        ("treasurer", "Tré Sorière"),
        ("admin", "Admin Visiteuse"),
        ("deactivated", "Partie Ailleurs"),
    ):
        kind = role if role in ("facilitator", "admin") else "member"
        people[role] = make_member(role=kind, name=name, email=EMAILS[role])
    members.set_treasurer(ref, people["treasurer"].id, True)

    # A closed Friday (the next meeting day): a billet, a decision with an action for Cible,
    # validated minutes.
    closed = live_friday(
        ref, [("Jardin", "Qui arrose ?")], day=dates.next_meeting_date(), author=author
    )
    prep.add_entry(author, closed.meeting.id, "mood", None, OLD_BILLET)
    cid = closed.meeting.id
    agenda.set_attendance(ref, cid, author.id, "present")
    db.session.refresh(closed.meeting)
    agenda.advance(ref, cid, closed.meeting.live_revision)
    decision = decisions.record_decision(ref, cid, DECISION, "information")
    decisions.add_action(ref, cid, "Arroser le jardin", author.id, DUE, decision.id)
    minutes.write_summary(ref, cid, SUMMARY, 0)
    agenda.close_live(ref, cid)
    minutes.validate_minutes(ref, cid)

    # The coming Friday, preparing: Cible's billet, point, needs, proposal and action.
    meeting = meetings.ensure_meeting(meetings.coming_day())
    mid = meeting.id
    mood = prep.add_entry(author, mid, "mood", None, BILLET)
    entry = prep.add_entry(author, mid, "topic", "Point de Cible", POINT)
    need = prep.add_entry(author, mid, "need", "Savon", "Du savon noir")
    claimed = prep.add_entry(author, mid, "need", "Huile", "De l’huile")
    prep.claim_need(author, claimed.id)
    brought = prep.add_entry(ref, mid, "need", "Chaises", "Six chaises")
    prep.claim_need(author, brought.id)
    prep.resolve_need(author, brought.id, "met", IN_KIND)
    proposal = proposals.propose_event(
        author, mid, "Fête", "Une fête", [(WISHED, "18:00")], "60", "house"
    )
    outside_proposal, status_token = outside.propose_from_outside(
        {
            "name": "Paule Dehors",
            "email": OUTSIDE_EMAIL,
            "title": "Atelier vélo",
            "description": "Réparer ensemble",
            "date_1": WISHED,
            "time_1": "14:00",
            "duration_minutes": "120",
            "place": "garden",
        }
    )
    action = Action(
        meeting_id=mid,
        label="Appeler le plombier",
        owner_id=author.id,
        due_on=date.today() + timedelta(days=10),
    )
    db.session.add(action)
    db.session.commit()

    # The calendar: a public event, a members-only one, a weekly series.
    def event(title, visibility="public", repeat="", days=40, place="house"):
        return calendar.create_event(
            ref,
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
    public_event = event("Concert public")
    members_event = event(MEMBERS_EVENT, "members", days=50)

    # The economy: Cible's gift (recorded by the treasurer), an outside donor's, Cible's offer
    # and use of it; a second of each so that no total is one person's amount.
    place.set_setting(ref, "receipts", "on")  # the receipts' pages and fields too
    gift = gifts.record_gift(
        ref, GIFT, YESTERDAY, donor_member_id=author.id, donor_address=DONOR_ADDRESS
    )
    gifts.record_gift(
        ref, OUTSIDE_GIFT, YESTERDAY, donor_name="Donateur Dehors", donor_email=DONOR_EMAIL
    )
    item = catalogue.create_item(author, title="Salle du bas", unit="half_day")
    use = catalogue_uses.record_use(author, item.id, used_on=YESTERDAY, contribution=USE)
    catalogue_uses.record_use(ref, item.id, used_on=YESTERDAY, contribution="12")
    other_need = prep.add_entry(ref, mid, "need", "Tables", "Deux tables")
    prep.claim_need(ref, other_need.id)
    prep.resolve_need(ref, other_need.id, "met", "15")

    # An invitation waiting for its answer.
    _invitation, invitation_link, _mailed = members.invite(ref, INVITED_EMAIL, "member")

    # The live Friday (the one after the coming one): Cible's point and billet, a hand raised by
    # the reference admin, an open round.
    live = live_friday(
        ref,
        [("Point en direct", "À discuter")],
        day=meeting.scheduled_for + timedelta(days=7),
        author=author,
    )
    lid = live.meeting.id
    prep.add_entry(author, lid, "mood", None, LIVE_BILLET)
    hand = agenda.raise_hand(ref, lid)
    round_ = agenda.start_round(ref, lid, "consent", "On essaie ?")
    db.session.refresh(live.meeting)
    items = agenda.agenda_items(lid)

    # Every visitor: a browser signed in (the guest joined at the door), an API token and the
    # two personal feed addresses; then the deactivated one is deactivated.
    cookies, csrf, secrets = {}, {}, {}
    for role, person in people.items():
        client = app.test_client()
        sign_in(client, person)
        cookies[role], csrf[role] = _browser(app, client)
        secrets[role] = {
            "api_token": api_tokens.create_token(person, "Script")[1],
            "feed_token": feed_tokens.create_token(person, "archive"),
            "calendar_token": feed_tokens.create_token(person, "calendar"),
        }
    cookies["guest"], csrf["guest"] = _browser(app, live.guest("Invitée", app.test_client()))
    cookies["anonymous"], csrf["anonymous"] = _browser(app, app.test_client())
    members.deactivate(ref, people["deactivated"].id)

    places = {
        "target": author.id,
        "day": meeting.scheduled_for.isoformat(),
        "meeting": mid,
        "mood": mood.id,
        "entry": entry.id,
        "need": need.id,
        "claimed": claimed.id,
        "proposal": proposal.id,
        "outside_proposal": outside_proposal.id,
        "action": action.id,
        "closed_day": closed.meeting.scheduled_for.isoformat(),
        "closed_meeting": cid,
        "decision": decision.number,
        "decision_id": decision.id,
        "event": public_event.id,
        "members_event": members_event.id,
        "series": series.id,
        "series_date": series.starts_at.strftime("%Y-%m-%dT%H:%M"),
        "gift": gift.id,
        "catalogue_item": item.id,
        "use": use.id,
        "year": date.fromisoformat(YESTERDAY).year,
        "live_day": live.meeting.scheduled_for.isoformat(),
        "live_meeting": lid,
        "live_revision": live.meeting.live_revision,
        "agenda_revision": live.meeting.agenda_revision,
        "item": next(i.id for i in items if i.status == "pending"),
        "hand": hand.id,
        "round": round_.id,
        "order": [i.id for i in reversed(items)],
        "status_token": status_token,
        "invitation_token": invitation_link.rstrip("/").rsplit("/", 1)[-1],
    }
    secrets["status_token"] = status_token
    secrets["invitation_token"] = places["invitation_token"]
    return SimpleNamespace(
        rows=snapshot_rows(),
        cookies=cookies,
        csrf=csrf,
        places=places,
        secrets=secrets,
        people={role: (p.id, p.email) for role, p in people.items()},
    )


# -- the world, built once per worker, put back after every change ---------------------------

# Bookkeeping a read may write (when a session or a token was last seen): not a change.
BOOKKEEPING = {
    "member_session": {"last_seen_at"},
    "api_token": {"last_used_at"},
    "feed_token": {"last_used_at"},
}
_BUILT = {}


def _unsealed(work):
    """Run `work(conn)` in one transaction past the append-only archive's triggers, foreign
    keys checked at the commit on SQLite."""
    db.session.remove()
    with archive_unsealed(defer_foreign_keys=True) as conn:
        work(conn)


class Baseline:
    """The world's rows as built: `settle()` says whether anything differs and puts it back."""

    def __init__(self, snapshot):
        self.snapshot = snapshot
        self.tables = [table for table, _rows in snapshot]
        self.rows = {
            table.name: {self.key(table, row): row for row in rows} for table, rows in snapshot
        }
        self.fingerprint = self._fingerprint()

    @staticmethod
    def key(table, row):
        return tuple(row[column.name] for column in table.primary_key.columns)

    def _fingerprint(self):
        """Every row of every table as text, in one query: {table name: sorted rows}."""
        dialect = db.engine.dialect
        name = dialect.identifier_preparer.quote
        selects = []
        for table in self.tables:
            ignored = BOOKKEEPING.get(table.name, set())
            columns = [name(c.name) for c in table.columns if c.name not in ignored]
            if dialect.name == "postgresql":
                row = f"CAST(ROW({', '.join(columns)}) AS TEXT)"
            else:
                row = " || '|' || ".join(f"quote({c})" for c in columns)
            selects.append(f"SELECT '{table.name}' AS t, {row} AS r FROM {name(table.name)}")
        found = {table.name: [] for table in self.tables}
        db.session.remove()
        with db.engine.connect() as conn:
            for table_name, row in conn.exec_driver_sql(" UNION ALL ".join(selects)):
                found[table_name].append(row)
        return {table_name: sorted(rows) for table_name, rows in found.items()}

    def differences(self):
        """{table name: (new keys, missing keys, changed keys)} of what is not as built."""
        now = self._fingerprint()
        differing = [t for t in self.tables if now[t.name] != self.fingerprint[t.name]]
        found = {}
        if not differing:
            return found
        with db.engine.connect() as conn:
            for table in differing:
                base = self.rows[table.name]
                current = {
                    self.key(table, row): dict(row)
                    for row in conn.execute(table.select()).mappings()
                }
                ignored = BOOKKEEPING.get(table.name, set())
                changed = [
                    key
                    for key in base.keys() & current.keys()
                    if any(base[key][c] != current[key][c] for c in base[key] if c not in ignored)
                ]
                new, missing = current.keys() - base.keys(), base.keys() - current.keys()
                found[table.name] = (new, missing, changed)
        return found

    def settle(self):
        """Whether anything changed since the world was built; if so it is put back."""
        found = self.differences()
        if not found:
            return False
        tables = {table.name: table for table in self.tables}

        def put_back(conn):
            for table in self.tables:  # parents first
                if table.name in found and found[table.name][1]:
                    rows = [self.rows[table.name][key] for key in found[table.name][1]]
                    conn.execute(table.insert(), rows)
            for name, (_new, _missing, changed) in found.items():
                table = tables[name]
                for key in changed:
                    where = [c == v for c, v in zip(table.primary_key.columns, key, strict=True)]
                    conn.execute(table.update().where(*where).values(**self.rows[name][key]))
            for table in reversed(self.tables):  # children first
                if table.name in found and found[table.name][0]:
                    keys = found[table.name][0]
                    columns = list(table.primary_key.columns)
                    if len(columns) == 1:
                        conn.execute(table.delete().where(columns[0].in_([k[0] for k in keys])))
                    else:
                        for key in keys:
                            conn.execute(
                                table.delete().where(
                                    *[c == v for c, v in zip(columns, key, strict=True)]
                                )
                            )

        try:
            _unsealed(put_back)
        except IntegrityError:  # a new row clashes with an old one: start over
            self.reset()
        if self._fingerprint() != self.fingerprint:  # something a diff cannot put back
            self.reset()
        from meeting.live import snapshots

        snapshots.reset()
        return True

    def reset(self):
        """Empty every table and put the world back, row for row."""

        def empty(conn):
            for table in reversed(self.tables):
                conn.execute(table.delete())

        _unsealed(empty)
        restore_rows(self.snapshot)


def _browser(app, client):
    """(cookie value, CSRF token) of a browser, once a page has given it its form token."""
    token = csrf_token(client)
    kept = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return kept and kept.value, token


def built_world(app, make_member, live_friday):
    """The world of this worker: built in this test's database the first time, then restored
    into each later test's (empty) database."""
    if "world" not in _BUILT:
        _BUILT["world"] = build_world(app, make_member, live_friday)
    else:
        restore_rows(_BUILT["world"].rows)
    return _BUILT["world"]


class World:
    """One test's view of the built world: a browser per role (its cookie as built before every
    request), the ids of the rows, and `settle()`."""

    def __init__(self, app, built):
        self.app, self.built = app, built
        self.baseline = Baseline(built.rows)
        self._clients = {}

    def places(self, role):
        own = self.built.secrets.get(role, {})
        return {
            **self.built.places,
            **{k: own.get(k, "aucun-jeton") for k in ("api_token", "feed_token", "calendar_token")},
        }

    def client(self, role):
        """The role's browser, holding exactly the cookie it had when the world was built."""
        client = self._clients.get(role)
        if client is None:
            client = self._clients[role] = self.app.test_client()
        name = self.app.config["SESSION_COOKIE_NAME"]
        client.delete_cookie(name)
        cookie = self.built.cookies[role]
        if cookie:
            client.set_cookie(name, cookie)
        return client

    def csrf(self, role):
        return self.built.csrf[role]

    def browser(self, role):
        """The role's browser as it is now (after a post: with the cookie the answer left)."""
        return self._clients[role]

    def get(self, role, path, **kw):
        return self.client(role).get(path, **kw)

    def post(self, role, path, data):
        return self.client(role).post(path, data={"csrf_token": self.csrf(role), **data})

    def socket(self, role):
        """A page of the role on /live (a deactivated member's is refused at the connection)."""
        return LiveClient(self.app, self.client(role))

    def settle(self):
        return self.baseline.settle()


def fill(value, places):
    """A row's path or data with the world's ids: "{key}" alone is the id itself (a number, a
    list), in a longer text it is written in."""
    if isinstance(value, str):
        match = re.fullmatch(r"\{(\w+)\}", value)
        if match:
            return places[match.group(1)]
        return value.format(**places)
    if isinstance(value, dict):
        return {k: fill(v, places) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, places) for v in value]
    return value


def as_form(data):
    """Form data as a browser posts it: texts, a list one value per line."""
    return {k: "\n".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in data.items()}


def plain(text_):
    return text_.replace("\u00a0", " ").replace("\u202f", " ")


def page_outcome(response):
    """SIGN_IN for a redirect to the sign-in page, else the status."""
    location = urlsplit(response.headers.get("Location", "")).path
    if response.status_code in (301, 302, 303) and location.endswith("/connexion"):
        return SIGN_IN
    return response.status_code


@pytest.fixture
def config_overrides(smtp_server):
    # Every role sends hundreds of requests from one address: the limits are test_limits.py's.
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_server.port,
        "RATELIMIT_ENABLED": False,
    }


@pytest.fixture
def world(app, make_member, live_friday):
    return World(app, built_world(app, make_member, live_friday))


def report(problems):
    return "\n".join(["", *problems])


# -- every thing that exists is in the table ---------------------------------------------------


def _openapi_operations(app):
    client = app.test_client()
    document = client.get("/api/openapi.json").get_json()
    return {
        (op["operationId"], method.upper())
        for ops in document["paths"].values()
        for method, op in ops.items()
    }


def test_the_matrix_lists_everything_that_exists(app):
    problems = []

    def compare(kind, existing, listed):
        for thing in sorted(existing - listed):
            problems.append(f"{kind} {thing} exists but has no row")
        for thing in sorted(listed - existing):
            problems.append(f"{kind} {thing} has a row but no longer exists")

    compare(
        "route",
        {
            (rule.endpoint, method)
            for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}
        },
        {(endpoint, row[0]) for endpoint, rows in ROUTES.items() for row in rows},
    )
    compare("socket command", set(exposed("socket")), set(SOCKET_COMMANDS))
    compare("form command", set(exposed("form")), set(FORM_COMMANDS))
    compare(
        "API operation",
        _openapi_operations(app),
        {(op, row[0]) for op, rows in API_OPERATIONS.items() for row in rows},
    )
    for table, rows in (("ROUTES", ROUTES), ("API_OPERATIONS", API_OPERATIONS)):
        for key, entries in rows.items():
            for entry in entries:
                if len(entry[-1]) != len(ROLES):
                    problems.append(f"{table}[{key!r}] {entry[:2]}: one outcome per role")
    for table, rows in (("SOCKET_COMMANDS", SOCKET_COMMANDS), ("FORM_COMMANDS", FORM_COMMANDS)):
        for key, entry in rows.items():
            if len(entry[-1]) != len(ROLES):
                problems.append(f"{table}[{key!r}]: one outcome per role")
    assert not problems, report(problems)


# -- every row, for real, for every role -------------------------------------------------------

# Endpoints that change something and then send to the sign-in page.
SIGNS_OUT = {"members.sign_out"}


def _forbidden_reason_shown(endpoint, body):
    reasons = FORBIDDEN.get(endpoint, "Vous n’avez pas le droit de voir cette page")
    reasons = (reasons,) if isinstance(reasons, str) else reasons
    return any(reason in body for reason in reasons)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_listed(world, role):
    """Each row, for this role; every answer is also read for what is not theirs to see."""
    places, problems = world.places(role), []
    secrets, rules = secrets_of(world), MAY_READ
    for endpoint, rows in ROUTES.items():
        for method, path, data, outcomes in rows:
            expected = outcomes[ROLES.index(role)]
            url = fill(path, places)
            if method == "GET":
                response = world.get(role, url)
            else:
                response = world.post(role, url, as_form(fill(data or {}, places)))
            body = response.get_data(as_text=True)
            response.close()
            got = page_outcome(response)
            changed = world.settle()
            where = f"{role} {endpoint} {method} {path}"
            if got != expected:
                problems.append(
                    f"{where}: expected {expected!r}, got {got!r} {plain(body)[:120]!r}"
                )
            elif got == 403 and not _forbidden_reason_shown(endpoint, plain(body)):
                problems.append(f"{where}: a refusal that does not say why: {plain(body)[:200]!r}")
            refused = got == SIGN_IN and endpoint not in SIGNS_OUT
            if changed and (method == "GET" or refused or (isinstance(got, int) and got >= 400)):
                problems.append(f"{where}: answered {got!r} and changed something")
            for what in leaks(role, endpoint, plain(body), secrets, rules):
                problems.append(f"{where}: shows {what}")
    assert not problems, report(problems)


@pytest.mark.parametrize("role", ROLES)
def test_every_socket_command_answers_each_role_as_listed(world, role):
    """Each command, for this role's page; every ack is also read for what is not theirs."""
    places, problems = world.places(role), []
    secrets, rules = secrets_of(world), MAY_READ
    page = world.socket(role)
    try:
        for name, (payload, outcomes) in SOCKET_COMMANDS.items():
            expected = outcomes[ROLES.index(role)]
            if not page.connected:
                got, ack = NO_SOCKET, None
            else:
                ack = page.command(name, fill(payload, places))
                page.facts()
                got = True if ack.get("ok") else ack.get("error")
                said = plain(json.dumps(ack, ensure_ascii=False))
                for what in leaks(role, name, said, secrets, rules):
                    problems.append(f"{role} {name}: the ack holds {what}")
            changed = world.settle()
            where = f"{role} {name}"
            if got != expected:
                problems.append(f"{where}: expected {expected!r}, got {got!r} {ack!r:.160}")
            elif got is not True and got != NO_SOCKET:
                if not ack.get("message"):
                    problems.append(f"{where}: a refusal without a French message")
                elif _refused_as_a_guest(role, name, got) and ack["message"] != MEMBERS_ONLY:
                    problems.append(f"{where}: a guest refused with {ack['message']!r}")
                if changed:
                    problems.append(f"{where}: refused ({got}) and changed something")
    finally:
        page.disconnect()
    assert not problems, report(problems)


def _refused_as_a_guest(role, name, error):
    """A guest sending a members' command is told it is for members (not to sign in)."""
    command = COMMANDS.get(name)
    return role == "guest" and error == "forbidden" and command is not None and command.signed_in


def _landing(world, role, response):
    """What a visitor sees after a post: the page it redirects to, or the answer itself."""
    if response.status_code in (302, 303):
        # The same browser follows the redirect (with the cookie the post left: its flash).
        client = world.browser(role)
        landed = client.get(response.headers["Location"])
        if not landed.mimetype.startswith("text/"):  # a download (the data export's zip)
            return ""
        return plain(landed.get_data(as_text=True))
    return plain(response.get_data(as_text=True))


def _flashes(page):
    return re.findall(r'<p class="flash flash-error">(.*?)</p>', page, re.DOTALL)


@pytest.mark.parametrize("role", ROLES)
def test_every_form_command_answers_each_role_as_listed(world, role):
    places, problems = world.places(role), []
    for name, (path, data, outcomes) in FORM_COMMANDS.items():
        expected = outcomes[ROLES.index(role)]
        ops = {} if path.endswith("/besoin") else {"op": name}
        response = world.post(role, fill(path, places), {**ops, **as_form(fill(data, places))})
        got = page_outcome(response)
        page = "" if got == SIGN_IN else _landing(world, role, response)
        if got != SIGN_IN:
            errors = _flashes(page)
            if response.status_code in (302, 303) and not errors:
                got = DONE
            else:
                got = errors[0] if errors else response.status_code
        changed = world.settle()
        where = f"{role} {name}"
        if expected in (DONE, SIGN_IN):
            ok = got == expected
        else:
            ok = expected in page
        if not ok:
            problems.append(f"{where}: expected {expected!r}, got {got!r}")
        elif expected == DONE and not changed and name not in CHANGES_NOTHING_WHEN_DONE:
            problems.append(f"{where}: done, and nothing changed")
        elif expected != DONE and changed:
            problems.append(f"{where}: refused, and something changed")
    assert not problems, report(problems)


def _api_headers(world, role):
    token = world.built.secrets.get(role, {}).get("api_token")
    if token:
        return {"Authorization": f"Bearer {token}"}
    if role == "guest":  # no token: the phone's session, with its page's CSRF token
        return {"X-CSRFToken": world.csrf(role)}
    return {}


@pytest.mark.parametrize("role", ROLES)
def test_every_api_operation_answers_each_role_as_listed(world, role):
    """Each operation, with this role's token (a guest: its phone's session; nobody: nothing);
    every answer is also read for what is not theirs to see."""
    places, problems = world.places(role), []
    secrets, rules = secrets_of(world), MAY_READ
    headers = _api_headers(world, role)
    for operation, rows in API_OPERATIONS.items():
        for method, path, body, outcomes in rows:
            expected = outcomes[ROLES.index(role)]
            client = world.client(role if role == "guest" else "anonymous")
            response = client.open(
                fill(path, places),
                method=method,
                headers=headers,
                **({} if body is None else {"json": fill(body, places)}),
            )
            answer = response.get_json(silent=True) or {}
            got = response.status_code
            said = plain(response.get_data(as_text=True))
            response.close()
            for what in leaks(role, operation, said, secrets, rules):
                problems.append(f"{role} {operation} {method} {path}: shows {what}")
            changed = world.settle()
            where = f"{role} {operation} {method} {path}"
            if response.content_type != "application/json":
                problems.append(f"{where}: answered {response.content_type}")
            if got != expected:
                problems.append(f"{where}: expected {expected!r}, got {got!r} {answer!r:.160}")
            elif got != 200:
                if answer.get("ok") is not False or not answer.get("message"):
                    problems.append(f"{where}: a refusal without a French message: {answer!r}")
                elif _refused_as_a_guest(role, operation, answer.get("error")) and (
                    answer["message"] != MEMBERS_ONLY
                ):
                    problems.append(f"{where}: a guest refused with {answer['message']!r}")
                if changed:
                    problems.append(f"{where}: refused ({got}) and changed something")
            elif method == "GET" and changed:
                problems.append(f"{where}: a read changed something")
            elif method == "POST" and not changed and operation not in CHANGES_NOTHING_WHEN_DONE:
                problems.append(f"{where}: done, and nothing changed")
    assert not problems, report(problems)


def test_the_leak_checks_would_see_a_leak(world):
    """The markers are really in the world and the search finds them where they belong."""
    places = world.places("admin")
    secrets, rules = secrets_of(world), MAY_READ
    members_page = plain(world.get("admin", "/admin/membres").get_data(as_text=True))
    assert EMAILS["author"] in members_page
    assert leaks("member", "members.admin", members_page, secrets, rules)
    document = plain(world.get("member", fill("/vendredi/{day}/", places)).get_data(as_text=True))
    assert BILLET in document
    assert not leaks("member", "prep.document", document, secrets, rules)
    assert "a billet d'humeur" in leaks("guest", "prep.document", document, secrets, rules)
    gifts_page = plain(world.get("treasurer", "/budget/dons/").get_data(as_text=True))
    assert GIFT in gifts_page and OUTSIDE_GIFT in gifts_page


# Written during the scenario below, by others than the listeners.
NEW_BILLET = "Billet neuf HUMEUR-NEUVE-5J."
NEW_LIVE_BILLET = "Billet tardif HUMEUR-TARDIVE-3X."
NEW_GIFT, NEW_USE, NEW_IN_KIND, NEW_OUTSIDE_GIFT = "634,17", "582,93", "417,59", "528,71"
NEW_DONOR_EMAIL = "donatrice.courriel-5w@exemple.org"
NEW_INVITED_EMAIL = "nouvelle.courriel-8n@exemple.org"
NEW_OUTSIDE_EMAIL = "passante.courriel-4d@exemple.org"
DECIDED = "On garde les tasses."


def run_a_scenario(world):
    """The author and the reference admin write, give, use, make tokens, invite, and run the live
    Friday to "Où en est-on ?" (the figures on every live view); returns the new tokens."""
    from meeting.api import tokens as api_tokens
    from meeting.decisions import services as decisions
    from meeting.economy.catalogue import uses as catalogue_uses
    from meeting.economy.gifts import services as gifts
    from meeting.feeds import tokens as feed_tokens
    from meeting.live import items as live_items
    from meeting.live import services as agenda
    from meeting.members import services as members
    from meeting.models import Meeting, Member
    from meeting.prep import services as prep
    from meeting.proposals import outside

    places = world.built.places
    author = db.session.get(Member, places["target"])
    ref = db.session.scalar(db.select(Member).where(Member.email == EMAILS["reference"]))
    live_id = places["live_meeting"]
    live_items.add_budget_point(ref, live_id)
    for _step in range(2):  # check-in, the point, then "Où en est-on ?"
        agenda.advance(ref, live_id, db.session.get(Meeting, live_id).live_revision)
    mood = prep.add_entry(author, places["meeting"], "mood", None, NEW_BILLET)
    prep.edit_entry(author, mood.id, mood.revision, None, NEW_BILLET + " Bis.")
    prep.add_entry(author, live_id, "mood", None, NEW_LIVE_BILLET)
    pledge = gifts.pledge_gift(author, NEW_GIFT)
    gifts.confirm_gift(ref, pledge.id, YESTERDAY)
    gifts.record_gift(
        ref, NEW_OUTSIDE_GIFT, YESTERDAY, donor_name="Donatrice", donor_email=NEW_DONOR_EMAIL
    )
    catalogue_uses.record_use(
        author, places["catalogue_item"], used_on=YESTERDAY, contribution=NEW_USE
    )
    need = prep.add_entry(ref, places["meeting"], "need", "Tasses", "Des tasses")
    prep.claim_need(author, need.id)
    prep.resolve_need(author, need.id, "met", NEW_IN_KIND)
    made = {
        "api_token": api_tokens.create_token(author, "Autre script")[1],
        "feed_token": feed_tokens.create_token(author, "archive"),
    }
    members.invite(ref, NEW_INVITED_EMAIL, "member")
    outside.propose_from_outside(
        {
            "name": "Passante",
            "email": NEW_OUTSIDE_EMAIL,
            "title": "Atelier couture",
            "description": "Coudre ensemble",
            "date_1": WISHED,
            "time_1": "15:00",
            "duration_minutes": "90",
            "place": "house",
        }
    )
    agenda.raise_hand(author, live_id)
    decisions.record_decision(ref, live_id, DECIDED, "information")
    decisions.add_action(ref, live_id, "Laver les tasses", author.id, DUE)
    return made


def test_what_each_role_hears_holds_nothing_that_is_not_theirs(world):
    """Every page of every role listens (the document, its live view, the trace feed, its
    actions and proposals) while others write, give and run the live Friday."""
    from meeting.realtime import wait_for_soon_facts

    places = world.built.places
    pages = {}
    for role in ROLES:
        page = world.socket(role)
        if role == "deactivated":
            assert not page.connected  # a session that has ended opens no socket
            continue
        pages[role] = page
        page.command("join_document", {"meeting_id": places["meeting"]})
        view = "console" if role in ("facilitator", "admin") else "phone"
        page.command("join_live", {"meeting_id": places["live_meeting"], "view": view})
        page.command("sync_traces", {"after": 0})
        page.command("sync_actions", {"view": "everyone"})
        page.command("sync_proposals", {})
    pages["screen"] = world.socket("member")
    pages["screen"].command("join_live", {"meeting_id": places["live_meeting"], "view": "screen"})
    wait_for_soon_facts()
    for page in pages.values():
        page.facts()
    made = run_a_scenario(world)
    wait_for_soon_facts()
    secrets = secrets_of(world)
    secrets["a billet d'humeur"] += [NEW_BILLET, NEW_LIVE_BILLET]
    secrets.update(
        {
            "the new donor's e-mail": [NEW_DONOR_EMAIL],
            "the new invited person's e-mail": [NEW_INVITED_EMAIL],
            "the new outside proposer's e-mail": [NEW_OUTSIDE_EMAIL],
            "the author's new API token": [made["api_token"]],
            "the author's new feed token": [made["feed_token"]],
            "the author's new gift": _amounts(NEW_GIFT),
            "the author's new use": _amounts(NEW_USE),
            "the author's new contribution in kind": _amounts(NEW_IN_KIND),
            "the new outside gift": _amounts(NEW_OUTSIDE_GIFT),
        }
    )
    rules = MAY_READ  # members' document pages hear the billets; nothing else is theirs
    problems, heard = [], {}
    for listener, page in pages.items():
        heard[listener] = facts = page.facts()
        page.disconnect()
        reader = "guest" if listener == "screen" else listener  # the room reads the projector
        for fact in facts:
            text_ = plain(json.dumps(fact["args"], ensure_ascii=False))
            for what in leaks(reader, fact["name"], text_, secrets, rules):
                problems.append(f"{listener} hears {what} in {fact['name']}")
    assert not problems, report(problems)
    # They did hear the scenario: the billet in the document, the decision and the figures live.
    for listener in (*MEMBER_ROLES, "guest", "screen"):
        said = plain(json.dumps([f["args"] for f in heard[listener]], ensure_ascii=False))
        assert DECIDED in said and "Où en est-on" in said, listener
        assert (NEW_BILLET in said) == (listener in MEMBER_ROLES), listener
    assert heard["anonymous"] == []


def test_a_deactivated_account_is_refused_at_every_door_even_with_its_session_open(world):
    """Deactivation ends the sessions; should a session row stay open (the account closed
    another way), the account itself is still refused: pages, socket, API, feeds."""
    from meeting.models import Member

    member_id, _email = world.built.people["member"]
    member = db.session.get(Member, member_id)
    member.deactivated_at = member.created_at
    db.session.commit()
    own = world.built.secrets["member"]
    assert page_outcome(world.get("member", "/profil")) == SIGN_IN
    assert not world.socket("member").connected
    assert world.get("member", "/api/v1/me").status_code == 401
    bearer = {"Authorization": f"Bearer {own['api_token']}"}
    assert world.get("anonymous", "/api/v1/me", headers=bearer).status_code == 401
    assert world.get("anonymous", f"/decisions.atom?jeton={own['feed_token']}").status_code == 403
    feed = f"/agenda/personnel.ics?jeton={own['calendar_token']}"
    assert world.get("anonymous", feed).status_code == 403
    assert world.settle()  # the account is put back as built
    assert world.get("member", "/profil").status_code == 200


@pytest.mark.parametrize("role", ("anonymous", "guest", "deactivated"))
def test_a_published_archive_shows_no_name_and_nothing_private(world, role):
    """When the place publishes its decisions and minutes, whoever is not a member reads them
    without anyone's name, and still nothing else that is members'."""
    from meeting import place
    from meeting.models import Member

    admin = db.session.scalar(db.select(Member).where(Member.email == EMAILS["reference"]))
    place.set_publication(admin, "public")
    places, problems, read = world.places(role), [], set()
    secrets = {**secrets_of(world), "what only members read": [POINT, MEMBERS_EVENT]}
    headers = _api_headers(world, role)
    for door, where, path in [
        *(("page", e, r[1]) for e, rows in ROUTES.items() for r in rows if r[0] == "GET"),
        *(("api", o, r[1]) for o, rows in API_OPERATIONS.items() for r in rows if r[0] == "GET"),
    ]:
        client = world.client(role if door == "page" or role == "guest" else "anonymous")
        response = client.get(fill(path, places), headers=headers if door == "api" else {})
        body = plain(response.get_data(as_text=True))
        response.close()
        if response.status_code == 200:
            read.add(where)
        for what in leaks(role, where, body, secrets, MAY_READ):
            problems.append(f"{role} reads {what} at {where} {path} ({response.status_code})")
    # The archive is open to them now: the register, a decision, the minutes, the feeds.
    assert {"decisions.index", "decisions.show", "minutes.show", "feeds.decisions_atom"} <= read
    assert not problems, report(problems)
