"""Refusals a person can understand: a code for programs, a French message for people.

Services raise them before changing anything; the socket dispatcher turns them into an ack
`{"ok": false, "error": code, "message": …}`, pages into an error page or a message next to
the form.
"""

from .i18n import _l, lazy_ngettext


class ServiceError(Exception):
    """A refusal a person can understand: a code for programs, a French message for people."""

    code = "invalid"
    status = 400

    def __init__(self, message, code=None, status=None, **details):
        super().__init__(str(message))
        self.message = str(message)
        if code:
            self.code = code
        if status:
            self.status = status
        self.details = details


class FieldErrors(ServiceError):
    """Several fields of one form refused at once. `fields` maps a form field's name to its
    French message; the ack carries them as `fields`, a page shows each beside its field.
    (A single field's refusal is a plain `ServiceError(message, field="name")`.)"""

    code = "invalid_fields"

    def __init__(self, fields, message=None, **kw):
        fields = {name: str(text) for name, text in fields.items()}
        if message is None:
            message = lazy_ngettext(
                "Un champ est à corriger : voyez le message à côté.",
                "%(num)s champs sont à corriger : voyez les messages à côté.",
                len(fields),
            )
        super().__init__(message, fields=fields, **kw)


def field_errors(error):
    """{field name: French message} of a refusal, for a page that shows each message beside
    its field ({} when the refusal names no field: show it beside the form's button)."""
    details = getattr(error, "details", {}) or {}
    if details.get("fields"):
        return dict(details["fields"])
    if details.get("field"):
        return {details["field"]: error.message}
    return {}


class Forbidden(ServiceError):
    code = "forbidden"
    status = 403

    def __init__(self, message=None, **kw):
        super().__init__(message or _l("Vous n’avez pas le droit de faire cela."), **kw)


class NotFound(ServiceError):
    code = "not_found"
    status = 404

    def __init__(self, message=None, **kw):
        super().__init__(message or _l("Introuvable."), **kw)


class Conflict(ServiceError):
    code = "conflict"
    status = 409


def require(allowed, message=None):
    """Raise `Forbidden` unless the named permission predicate said yes."""
    if not allowed:
        raise Forbidden(message)
