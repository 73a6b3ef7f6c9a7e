"""Refusals a person can understand: a code for programs, a French message for people.

Services raise them before changing anything; the socket dispatcher turns them into an ack
`{"ok": false, "error": code, "message": …}`, pages into an error page or a message next to
the form.
"""

from flask_babel import lazy_gettext as _l


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
