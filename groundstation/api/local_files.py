"""What an API operator may make the server open on its own computer.

Over the API, a token is not a person at the keyboard: a scenario path (``fake://a?scenario=/etc/passwd``),
a telemetry log (``tlog://``), a video file (``file://``) or a camera (``device://``) would let it probe the
server's files and devices (the error for a file that is not a scenario quotes it; a stream on a file says
whether it exists). So unless the server was started with ``--api-allow-local-files``, the API refuses them
before anything is opened, with a 422 saying why; a scenario is then a built-in scenario's name. The window
and the CLI are the person at the computer and keep full access.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from groundstation.domain.errors import InvalidError

ALLOW_FLAG = "--api-allow-local-files"
_SCENARIO_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_LOCAL_SESSION_SCHEMES = frozenset({"tlog"})
_LOCAL_STREAM_SCHEMES = frozenset({"file", "device"})


def _scheme(url: str) -> str:
    return url.split("://", 1)[0].strip().lower() if "://" in url else ""


def check_session_url(url: str, *, allowed: bool, field: str = "connection.url") -> None:
    """Refuse a session URL that reads a local file, unless ``allowed``."""
    if allowed:
        return
    scheme = _scheme(url)
    if scheme in _LOCAL_SESSION_SCHEMES:
        raise InvalidError(
            f"{scheme}:// reads a file on the server, which the API does not allow unless the server was "
            f"started with {ALLOW_FLAG}",
            field=field,
        )
    if scheme != "fake":
        return
    try:
        query = urlsplit(url).query
    except ValueError:
        return  # malformed: the session service refuses it with its own words
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key == "scenario" and not _SCENARIO_NAME.fullmatch(value):
            raise InvalidError(
                "over the API a scenario is a built-in scenario's name (such as scenario=demo), not a path: "
                f"the server reads no other files for API clients unless started with {ALLOW_FLAG}",
                field=field,
            )


def check_stream_url(url: str | None, *, allowed: bool, field: str = "url") -> None:
    """Refuse ``file://`` and ``device://`` stream URLs, unless ``allowed``."""
    if allowed or url is None:
        return
    scheme = _scheme(url)
    if scheme in _LOCAL_STREAM_SCHEMES:
        what = "a file" if scheme == "file" else "a camera"
        raise InvalidError(
            f"{scheme}:// opens {what} on the server, which the API does not allow unless the server was "
            f"started with {ALLOW_FLAG}",
            field=field,
        )
