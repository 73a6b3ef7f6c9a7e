"""The OpenAPI 3.1 document of the API (`/api/openapi.json`), built from what the app really
routes: every rule of `app.url_map` under `/api/v1/`, each read route's declaration
(`reads.operation`, next to the route) and, for the write route, one path per command that
the API door exposes, its body's JSON Schema read from the command's fields
(`commands.json_schema`). Nothing is written twice: a route or a command added is documented
by construction, and `tests/test_api_schema.py` checks that the two lists agree.
"""

import re

from flask import current_app, request

from ..commands import json_schema
from ..i18n import _l
from .reads import ReadOperation
from .writes import CommandOperations

V1 = "/api/v1"
_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")

ERROR = {
    "type": "object",
    "properties": {
        "ok": {"const": False},
        "error": {"type": "string", "description": _l("Le code du refus, pour les programmes.")},
        "message": {"type": "string", "description": _l("Le refus en français, pour les gens.")},
        "field": {"type": "string", "description": _l("Le champ refusé, s’il y en a un.")},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": _l("Plusieurs champs refusés : nom → message."),
        },
    },
    "required": ["ok", "error", "message"],
}
ERROR_DESCRIPTIONS = {
    400: _l(
        "Donnée refusée : JSON mal formé, champ inconnu, type faux, champ manquant, valeur "
        "refusée ou paramètre hors limites (le code `error` dit lequel)."
    ),
    401: _l("Personne n’est connecté, ou le jeton d’API n’est pas (ou plus) valable."),
    403: _l("Le rôle de la personne ne permet pas cela."),
    404: _l("Rien de tel : chemin, commande, date ou numéro inconnus."),
    409: _l("Conflit : quelqu’un a changé la même chose entre-temps, ou ce n’est pas le moment."),
    413: _l("Le contenu envoyé est trop volumineux."),
    429: _l(
        "Trop de créations d’un coup pour ce membre : réessayez après le nombre de secondes "
        "que disent `retry_after` et l’en-tête `Retry-After`."
    ),
    503: _l(
        "La base de données est occupée ou ne répond pas : rien n’a été enregistré. Réessayez "
        "après le nombre de secondes que disent `retry_after` et l’en-tête `Retry-After`."
    ),
}
READ_ERRORS = (400, 401, 403, 404, 503)
SECURITY_SCHEMES = {
    "jeton": {
        "type": "http",
        "scheme": "bearer",
        "description": _l("Un jeton personnel, créé sur la page « Mes jetons d’API » du profil."),
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "vendredi_session",
        "description": _l("La session du navigateur (une personne connectée)."),
    },
    "csrf": {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRFToken",
        "description": _l("Avec la session, pour écrire : le jeton CSRF de la page."),
    },
}
DESCRIPTION = _l(
    "L’API JSON de Vendredi : lire ce que la personne qui appelle peut voir, et envoyer les "
    "mêmes commandes que les pages (mêmes droits, mêmes traces, mêmes mises à jour en direct). "
    "S’authentifier avec un jeton personnel (en-tête « Authorization: Bearer … ») ou avec la "
    "session du navigateur (une écriture envoie alors le jeton CSRF de la page dans l’en-tête "
    "« X-CSRFToken »). Les listes se paginent avec « limit » (1 à 100) et « cursor » (le "
    "« next_cursor » de la page précédente). Un refus est un objet "
    "{ok: false, error, message} ; toute donnée refusée répond 400."
)


def _error_responses(statuses):
    return {
        str(status): {
            "description": ERROR_DESCRIPTIONS[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for status in statuses
    }


def _path_and_parameters(rule, overrides, given=None):
    """The rule as an OpenAPI path, and its path parameters (`given` fills some in)."""
    parameters = []

    def replace(match):
        name = match.group("name")
        if given and name in given:
            return given[name]
        schema = {"type": "string"}
        if match.group("converter") == "int":
            schema = {"type": "integer", "minimum": 0}
            bound = re.search(r"max=(\d+)", match.group("args") or "")
            if bound:
                schema["maximum"] = int(bound.group(1))
        parameters.append(
            {"name": name, "in": "path", "required": True, "schema": overrides.get(name, schema)}
        )
        return "{" + name + "}"

    return _ARGUMENT.sub(replace, rule.rule), parameters


def _security(public, write=False):
    by_session = {"session": [], "csrf": []} if write else {"session": []}
    return [{"jeton": []}, by_session, *([{}] if public else [])]


def _read(rule, meta):
    path, parameters = _path_and_parameters(rule, meta.paths)
    operation = {
        "operationId": rule.endpoint.removeprefix("api.").replace(".", "_"),
        "summary": meta.summary,
        "tags": [rule.endpoint.split(".")[1]],
        "parameters": [*parameters, *meta.parameters],
        "security": _security(meta.public),
        "responses": {
            "200": {
                "description": meta.summary,
                "content": {"application/json": {"schema": meta.response}},
            },
            **_error_responses(READ_ERRORS),
        },
    }
    return path, "get", operation


def _commands(rule, meta):
    for name, cmd in meta.commands().items():
        path, _parameters = _path_and_parameters(rule, {}, given={"name": name})
        operation = {
            "operationId": name,
            "summary": _l("Envoyer la commande « %(name)s »", name=name),
            "description": (cmd.handler.__doc__ or "").strip(),
            "tags": ["commands"],
            "security": _security(False, write=True),
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": json_schema(cmd.fields)}},
            },
            "responses": {
                "200": {
                    "description": _l("Fait : la réponse du gestionnaire de la commande."),
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"ok": {"const": True}},
                                "required": ["ok"],
                            }
                        }
                    },
                },
                **_error_responses(meta.errors),
            },
        }
        yield path, "post", operation


def api_rules(app=None):
    """The rules of `app.url_map` under `/api/v1/`."""
    app = app or current_app
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith(V1 + "/")]


def document():
    """The OpenAPI document of this app's API, in the request's language."""
    app = current_app
    paths = {}
    for rule in sorted(api_rules(app), key=lambda r: r.rule):
        meta = getattr(app.view_functions[rule.endpoint], "openapi", None)
        if isinstance(meta, ReadOperation):
            operations = [_read(rule, meta)]
        elif isinstance(meta, CommandOperations):
            operations = _commands(rule, meta)
        else:  # undocumented: tests/test_api_schema.py says which
            continue
        for path, method, operation in operations:
            paths.setdefault(path, {})[method] = operation
    schemes = {**SECURITY_SCHEMES}
    schemes["session"] = {**schemes["session"], "name": app.config["SESSION_COOKIE_NAME"]}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Vendredi", "version": "1", "description": DESCRIPTION},
        "servers": [{"url": request.script_root or "/"}],
        "paths": paths,
        "components": {"schemas": {"Error": ERROR}, "securitySchemes": schemes},
    }
