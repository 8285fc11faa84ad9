"""Query parameters shared by routes: paging, and times that must be representable in UTC."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any

from groundstation.domain.errors import InvalidError

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_PARAMS_DEPTH = 16


_ID_CURSOR = re.compile(r"[A-Za-z0-9_-]{1,64}")


def id_cursor(text: str | None, prefix: str) -> str | None:
    """A page cursor of a list ordered by id: the ``next_cursor`` an earlier answer gave (the last id of its
    page). Anything else is a 422 rather than silently read as "from the start" or "after everything"."""
    if text is None or text == "":
        return None
    rest = text.removeprefix(prefix + "_")
    if rest == text or not _ID_CURSOR.fullmatch(rest):
        raise InvalidError(
            "cursor is not a next_cursor this API gave; leave it out to start from the beginning", field="cursor"
        )
    return text


def utc(value: datetime | None, field: str) -> datetime | None:
    """Aware UTC (a time without zone is read as UTC); refuses times that do not fit once in UTC."""
    if value is None:
        return None
    try:
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC)
    except (OverflowError, ValueError):
        raise InvalidError(f"{field} is out of range", field=field) from None


def check_json_params(params: dict[str, Any], field: str = "params") -> dict[str, Any]:
    """Command params must be plain JSON: finite numbers, nesting of at most a few levels."""
    stack: list[tuple[Any, int]] = [(params, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_PARAMS_DEPTH:
            raise InvalidError(f"{field} is nested deeper than {MAX_PARAMS_DEPTH} levels", field=field)
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidError(f"{field} holds a number that is not finite", field=field)
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return params
