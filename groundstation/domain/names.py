"""Names people give to sessions and streams: short, printable, shown in lists, tiles and audit logs."""

from __future__ import annotations

from groundstation.domain.errors import InvalidError

MAX_NAME_LENGTH = 64


def validate_display_name(name: object, *, field: str) -> str:
    """Return the name stripped of surrounding blanks, or raise InvalidError naming ``field``."""
    if not isinstance(name, str):
        raise InvalidError(f"{field} must be text", field=field)
    cleaned = name.strip()
    if not cleaned:
        raise InvalidError(f"{field} is empty", field=field)
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidError(f"{field} is longer than {MAX_NAME_LENGTH} characters", field=field)
    if any(not ch.isprintable() for ch in cleaned):
        raise InvalidError(f"{field} contains control characters", field=field)
    return cleaned
