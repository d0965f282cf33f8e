"""Domain errors with one shape: ``{"code", "message", "fields"}``.

Actions raise these; the API turns them into JSON with the status below and the UI into a message.
Messages are lazy translations, so they reach the user in the user's language.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "error"

    def __init__(self, message: Any, *, code: str | None = None, fields: dict[str, list[str]] | None = None):
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": {k: [str(m) for m in v] for k, v in self.fields.items()},
        }


class Invalid(DomainError):
    """The input is not acceptable (422)."""

    status = 422
    code = "invalid"


class TooLarge(DomainError):
    """An upload or a body beyond a documented limit (413)."""

    status = 413
    code = "too_large"


class Refused(DomainError):
    """A transition or action is not allowed in the current state (409)."""

    status = 409
    code = "refused"


class NotFound(DomainError):
    """Missing, or outside the actor's scope: the two look the same (404)."""

    status = 404
    code = "not_found"


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"


class PermissionDenied(DomainError):
    """The actor may see the object but not do this to it (403)."""

    status = 403
    code = "forbidden"


class Throttled(DomainError):
    """Too many attempts of one kind in a window (429); the message says when to try again."""

    status = 429
    code = "throttled"
