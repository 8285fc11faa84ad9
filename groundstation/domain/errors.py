"""Errors that cross layer boundaries.

Every error carries a stable machine code (the HTTP API maps it to a status, the CLI to an exit code, the UI
to a dialog) and a message written for a person, so that no caller has to parse text to decide what to do.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    INVALID = "invalid"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    UNSUPPORTED = "unsupported"
    TIMEOUT = "timeout"
    UNAVAILABLE = "unavailable"


class GroundstationError(Exception):
    """Base of every error we raise on purpose; anything else is a bug."""

    code: ErrorCode = ErrorCode.INVALID

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotFoundError(GroundstationError):
    code = ErrorCode.NOT_FOUND


class ConflictError(GroundstationError):
    """A write collides with existing state; ``holder`` names what holds the contested thing."""

    code = ErrorCode.CONFLICT

    def __init__(self, message: str, *, holder: str | None = None) -> None:
        super().__init__(message)
        self.holder = holder


class InvalidError(GroundstationError):
    """Input that can never succeed as given; ``field`` names the offending field when there is one."""

    code = ErrorCode.INVALID

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class UnauthorizedError(GroundstationError):
    code = ErrorCode.UNAUTHORIZED


class ForbiddenError(GroundstationError):
    code = ErrorCode.FORBIDDEN


class UnsupportedError(GroundstationError):
    code = ErrorCode.UNSUPPORTED


class OperationTimeoutError(GroundstationError):
    code = ErrorCode.TIMEOUT


class UnavailableError(GroundstationError):
    """A resource exists but cannot be used now (a profile held by another process, a refused database)."""

    code = ErrorCode.UNAVAILABLE
