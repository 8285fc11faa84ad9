"""Why a session's link did not open, in words for ``last_error``: what an operator reads in the session list.

Adapters raise what their transport raises (a timeout, an ``OSError`` from a socket or a serial port, our own
errors); the session stores one sentence naming the URL, never a traceback.
"""

from __future__ import annotations

from groundstation.domain.errors import GroundstationError
from groundstation.domain.models import ConnectionSpec


def describe_open_error(exc: BaseException, spec: ConnectionSpec, timeout_s: float) -> str:
    if isinstance(exc, TimeoutError):
        return f"timed out after {timeout_s:g} s opening {spec.url}"
    if isinstance(exc, GroundstationError):
        return exc.message
    if isinstance(exc, OSError):
        return f"cannot open {spec.url}: {exc.strerror or exc}"
    return f"cannot open {spec.url}: {exc}"
