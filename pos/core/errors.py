"""The ``PosError`` hierarchy: every refusal the service makes, with a stable machine code.

Each error maps to an RFC 9457 problem response (``application/problem+json``) with ``code``,
``title``, ``detail`` and, for validation, ``errors`` naming each bad field.
"""

from __future__ import annotations

from typing import Any


class PosError(Exception):
    """Base of every business error; ``code`` is stable, ``status`` the HTTP status."""

    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        field: str | None = None,
        errors: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        if code is not None:
            self.code = code
        self.errors = dict(errors or {})
        if field is not None:
            self.errors.setdefault(field, [self.detail])
        self.extra = dict(extra or {})

    def to_problem(self) -> dict[str, Any]:
        """Return the problem+json body of this error."""
        body: dict[str, Any] = {
            "type": f"https://errors.till.dev/{self.code}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


class ValidationError(PosError):
    """Reject input that is well-formed JSON but not acceptable (422)."""

    status = 422
    code = "validation_failed"
    title = "Invalid input"


class NotFoundError(PosError):
    """Report a referenced thing that does not exist (404)."""

    status = 404
    code = "not_found"
    title = "Not found"


class ConflictError(PosError):
    """Refuse an operation the current state does not allow (409)."""

    status = 409
    code = "conflict"
    title = "Conflict with the current state"


class UnauthorizedError(PosError):
    """Ask for (valid) credentials (401)."""

    status = 401
    code = "unauthorized"
    title = "Authentication required"


class ForbiddenError(PosError):
    """Refuse an action the user's role does not allow (403)."""

    status = 403
    code = "forbidden"
    title = "Not allowed"


class ApprovalRequiredError(ForbiddenError):
    """Refuse an action that needs a manager's approval (403 ``approval_required``)."""

    code = "approval_required"
    title = "A manager's approval is required"


class TooManyAttemptsError(PosError):
    """Slow down repeated failures such as wrong passwords (429)."""

    status = 429
    code = "too_many_attempts"
    title = "Too many attempts"

    def __init__(self, retry_after_s: int, detail: str | None = None) -> None:
        super().__init__(detail, extra={"retry_after": retry_after_s})
        self.retry_after_s = retry_after_s


class ConfigurationError(Exception):
    """Raise on a bad setting at start-up (never reaches a client)."""
