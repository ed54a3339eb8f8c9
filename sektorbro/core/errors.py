"""Errors raised by services. Views turn them into form errors, API 400/409 answers or CLI messages."""

from __future__ import annotations


class DomainError(Exception):
    """A request that the rules refuse. ``field`` names the input that is wrong, when there is one."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "field": self.field, "message": self.message}


class ConflictError(DomainError):
    """Someone else changed the object since the user loaded it; nothing was overwritten."""

    status = 409

    def __init__(self, message: str, *, field: str | None = "version") -> None:
        super().__init__(message, field=field, code="conflict")


class NotPermitted(DomainError):
    status = 403

    def __init__(self, message: str) -> None:
        super().__init__(message, code="not_permitted")
