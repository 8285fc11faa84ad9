"""The records the services keep: device sessions, video streams, audit entries, events, profiles, tokens.

Plain frozen dataclasses: services build new values with ``dataclasses.replace`` instead of mutating shared
ones, so a value handed to the UI or the API can never change under its reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class AdapterKind(StrEnum):
    FAKE = "FAKE"
    MAVLINK = "MAVLINK"
    DJI = "DJI"


class SessionState(StrEnum):
    STARTING = "starting"
    ACTIVE = "active"
    LINK_LOST = "link_lost"
    STOPPING = "stopping"
    STOPPED = "stopped"
    FAILED = "failed"
    INTERRUPTED = "interrupted"

    @property
    def is_live(self) -> bool:
        """Live sessions hold their device and endpoint; the others hold nothing."""
        return self in _LIVE_STATES

    def can_become(self, target: SessionState) -> bool:
        return target in _TRANSITIONS[self]


_LIVE_STATES = frozenset({SessionState.STARTING, SessionState.ACTIVE, SessionState.LINK_LOST, SessionState.STOPPING})

# starting -> active <-> link_lost -> stopping -> stopped; failed and interrupted from any live state;
# starting -> link_lost when nothing is heard within the link timeout of opening (the link keeps trying);
# a session that ended (stopped, failed, interrupted) is started again by resume (-> starting).
_TRANSITIONS: dict[SessionState, frozenset[SessionState]] = {
    SessionState.STARTING: frozenset(
        {
            SessionState.ACTIVE,
            SessionState.LINK_LOST,
            SessionState.STOPPING,
            SessionState.FAILED,
            SessionState.INTERRUPTED,
        }
    ),
    SessionState.ACTIVE: frozenset(
        {SessionState.LINK_LOST, SessionState.STOPPING, SessionState.FAILED, SessionState.INTERRUPTED}
    ),
    SessionState.LINK_LOST: frozenset(
        {SessionState.ACTIVE, SessionState.STOPPING, SessionState.FAILED, SessionState.INTERRUPTED}
    ),
    SessionState.STOPPING: frozenset({SessionState.STOPPED, SessionState.FAILED, SessionState.INTERRUPTED}),
    SessionState.STOPPED: frozenset({SessionState.STARTING}),
    SessionState.FAILED: frozenset({SessionState.STARTING}),
    SessionState.INTERRUPTED: frozenset({SessionState.STARTING, SessionState.STOPPED}),
}


class StreamState(StrEnum):
    IDLE = "idle"
    CONNECTING = "connecting"
    LIVE = "live"
    STALLED = "stalled"
    RECONNECTING = "reconnecting"
    ERROR = "error"
    DISABLED = "disabled"


@dataclass(frozen=True, slots=True)
class VehicleIdentity:
    """Who is at the other end of a session, as the vehicle reports it."""

    system_id: int | None = None
    component_id: int | None = None
    autopilot: str | None = None
    vehicle_type: str | None = None
    firmware: str | None = None


ENDPOINT_SHARING_SCHEMES = frozenset({"udpin", "tcp", "serial"})
"""Connection schemes whose endpoint several sessions (one vehicle each) may share; see ``shares_endpoint``."""


@dataclass(frozen=True, slots=True)
class ConnectionSpec:
    """A parsed connection URL and the keys the conflict rules compare.

    ``device_key`` names the vehicle (one live session per device per profile); ``endpoint_key`` names an
    operating-system resource such as a UDP port or serial device (one live session per endpoint in the
    whole process), or is None when the connection holds none (a FAKE vehicle, an outgoing UDP link).
    """

    url: str
    scheme: str
    device_key: str
    endpoint_key: str | None = None
    options: dict[str, str] = field(default_factory=dict)

    @property
    def shares_endpoint(self) -> bool:
        """Whether sessions of one profile and adapter may share this endpoint, one vehicle each.

        True for MAVLink links that carry several systems (a listening UDP port, a TCP connection, a serial
        radio) when the URL names a system id or takes the first vehicle heard: each autopilot is its own
        session on the one socket. A property of the scheme, so sessions loaded from storage have it too.
        """
        return self.scheme in ENDPOINT_SHARING_SCHEMES


@dataclass(frozen=True, slots=True)
class LinkStats:
    """A running session's link as an operator reads it. ``in`` is towards the ground station (what the
    vehicle sent us), ``out`` towards the vehicle. The figures are those of ``link`` as a whole: sessions
    sharing one endpoint (several vehicles on one radio) share them, and ``shared_by`` says how many do.

    MAVLink fills all of it; a FAKE link counts samples in, commands out, and samples its scenario's link
    drops swallowed as lost. Rates are over the last second or so; RSSI is None without a radio that
    reports it.
    """

    link: str
    messages_in: int = 0
    messages_out: int = 0
    messages_in_per_s: float = 0.0
    messages_out_per_s: float = 0.0
    bytes_in: int | None = None
    bytes_out: int | None = None
    bad_frames: int = 0
    lost_packets: int = 0
    packet_loss_pct: float = 0.0
    rssi_pct: float | None = None
    remote_rssi_pct: float | None = None
    dropped_out: int = 0
    shared_by: int = 1


@dataclass(frozen=True, slots=True)
class DiscoveredVehicle:
    """A vehicle heard on a link that no session follows yet (an adapter's notice to the profile).

    ``url`` is the connection URL of a session for exactly this vehicle (the link's URL with its ``sysid``);
    ``heard_by`` are the sessions on the link, so a profile acts only on notices from its own links.
    """

    adapter: AdapterKind
    link: str
    url: str
    system_id: int
    autopilot: str | None = None
    vehicle_type: str | None = None
    heard_by: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DeviceSession:
    id: str
    name: str
    adapter: AdapterKind
    connection: ConnectionSpec
    state: SessionState
    created_at: datetime
    identity: VehicleIdentity = field(default_factory=VehicleIdentity)
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    last_error: str | None = None
    # Changes whenever the row changes, so writers can detect that they worked from a stale copy.
    version: int = 1


@dataclass(frozen=True, slots=True)
class StreamQos:
    """What a stream really delivers, measured by its decode worker (filled in by the video pipeline)."""

    source_fps: float | None = None
    decoded_fps: float | None = None
    frames_decoded: int = 0
    frames_dropped: int = 0
    frame_age_p50_ms: float | None = None
    frame_age_p95_ms: float | None = None
    stalls: int = 0
    reconnects: int = 0
    width: int | None = None
    height: int | None = None
    codec: str | None = None
    bitrate_kbps: float | None = None
    next_attempt_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class VideoStream:
    id: str
    name: str
    url: str
    created_at: datetime
    updated_at: datetime
    linked_session_id: str | None = None
    enabled: bool = True
    recording: bool = False
    state: StreamState = StreamState.IDLE
    qos: StreamQos = field(default_factory=StreamQos)
    last_error: str | None = None
    version: int = 1


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """Who did what to which record, when, and whether it took effect."""

    id: str
    at: datetime
    actor: str
    action: str
    target_id: str | None
    outcome: Outcome
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Profile:
    """A tenant: one directory and one database, whose data no other profile ever sees."""

    name: str
    path: str
    created_at: datetime | None = None


class Role(StrEnum):
    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class ApiToken:
    id: str
    name: str
    role: Role
    token_hash: str
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
