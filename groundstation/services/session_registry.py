"""The sessions this process runs: their in-memory mirror (``LiveSession``) and their endpoint claims.

The mirror exists for the sample path: tens of samples a second per vehicle must never wait on the database,
so the state of each running session is kept here and updated after each committed transition. The
endpoint claim is taken here, before any link opens, because an endpoint (a UDP port, a serial device) is
shared by the whole process: the loser of a race learns who holds it before it touches the device. The
conflicts the database backs (unique names, one live session per device) are checked in the units of work of
``session_writes``.
"""

from __future__ import annotations

import asyncio
import builtins
from dataclasses import dataclass, field

from groundstation.domain.models import AdapterKind, ConnectionSpec, SessionState
from groundstation.domain.ports import DeviceLink
from groundstation.services.endpoints import EndpointHolder, EndpointRegistry

LIVE_STATES: tuple[SessionState, ...] = tuple(s for s in SessionState if s.is_live)


@dataclass(eq=False)
class LiveSession:
    session_id: str
    name: str
    spec: ConnectionSpec
    state: SessionState
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    link: DeviceLink | None = None
    last_data: float | None = None
    opened_at: float | None = None  # loop time the link opened: silence is counted from here until data comes
    was_active: bool = False  # whether this run ever turned active (a return is then a restored link)
    closing: bool = False
    transition_pending: bool = False


class LiveSessions:
    """The running sessions of one profile, by id; a session is here from its claim to its release."""

    def __init__(self, profile: str, endpoints: EndpointRegistry) -> None:
        self._profile = profile
        self._endpoints = endpoints
        self._live: dict[str, LiveSession] = {}

    def claim(self, sid: str, name: str, kind: AdapterKind, spec: ConnectionSpec, state: SessionState) -> LiveSession:
        """Take the process-wide endpoint before anything opens; the loser learns who holds it. Sessions of
        this profile and adapter share a shareable endpoint (several vehicles on one MAVLink link)."""
        if spec.endpoint_key is not None:
            holder = EndpointHolder(self._profile, sid, name, adapter=kind, shareable=spec.shares_endpoint)
            self._endpoints.claim(spec.endpoint_key, holder)
        live = LiveSession(sid, name, spec, state)
        self._live[sid] = live
        return live

    def release(self, live: LiveSession) -> None:
        if live.spec.endpoint_key is not None:
            self._endpoints.release(live.spec.endpoint_key, live.session_id)
        if self._live.get(live.session_id) is live:
            del self._live[live.session_id]

    def get(self, session_id: str) -> LiveSession | None:
        return self._live.get(session_id)

    def is_current(self, live: LiveSession) -> bool:
        """False once ``live`` was released (and maybe replaced by a newer run of the same session)."""
        return self._live.get(live.session_id) is live

    def __contains__(self, session_id: object) -> bool:
        return session_id in self._live

    def ids(self) -> builtins.list[str]:
        return list(self._live)

    def all(self) -> builtins.list[LiveSession]:
        """A copy: callers release sessions while they walk it."""
        return list(self._live.values())
