"""The profile-name rule: the one gate between a user-typed name and a directory on disk.

A name that passes is safe as a single path component on Linux, macOS and Windows; nothing else ever
becomes a path, so ``..``, separators, drive letters and device names cannot reach the file system.
"""

from __future__ import annotations

import re

from groundstation.domain.errors import InvalidError

PROFILE_NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
DEMO_PROFILE = "demo"

# Windows refuses these as file names whatever the extension; refuse them everywhere so a profile made on
# Linux can be copied to a Windows laptop.
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)


def validate_profile_name(name: object) -> str:
    """Return ``name`` if it is a valid profile name, else raise InvalidError saying what is wrong."""
    if not isinstance(name, str):
        raise InvalidError("profile name must be text", field="profile")
    if not PROFILE_NAME_PATTERN.fullmatch(name):
        shown = name if len(name) <= 80 else name[:77] + "..."
        raise InvalidError(
            f"invalid profile name {shown!r}: use 1 to 64 lowercase letters, digits, '-' or '_', "
            "starting with a letter or digit",
            field="profile",
        )
    if name in _WINDOWS_RESERVED:
        raise InvalidError(f"invalid profile name {name!r}: it is a reserved device name on Windows", field="profile")
    return name


def is_valid_profile_name(name: object) -> bool:
    try:
        validate_profile_name(name)
    except InvalidError:
        return False
    return True
