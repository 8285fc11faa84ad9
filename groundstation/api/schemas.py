"""The JSON shapes of the API: request bodies (validated here) and responses (documented here).

Responses are built as plain dicts by ``views`` and documented by these models; the schemathesis test
checks every response against this documentation, so the two cannot drift apart unnoticed. Requests refuse
unknown fields, so a misspelt field is a 422 naming it rather than silently ignored, and booleans are strict
(``true``/``false`` only: ``"yes"`` or ``1`` is a 422).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from groundstation.domain.commands import CommandName, CommandOutcome
from groundstation.domain.events import EventKind, Severity
from groundstation.domain.models import AdapterKind, Outcome, SessionState, StreamState
from groundstation.services.commands import COMMAND_PARAMS

MAX_URL = 2048
MAX_TEXT = 200


class Request_(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _url(value: str | None) -> str | None:
    """URLs are ASCII (RFC 3986: anything else percent-encoded) and must split into parts; checked here so
    that the services' parsers only ever see URLs of that shape."""
    if value is None:
        return None
    if not value.isascii() or not value.isprintable():
        raise ValueError("a URL is printable ASCII (percent-encode anything else)")
    urlsplit(value)  # raises ValueError for a malformed host such as an unclosed "[" IPv6 bracket
    return value


# ------------------------------------------------------------------------------------------------ requests
class ConnectionIn(Request_):
    url: str = Field(max_length=MAX_URL, examples=["fake://alpha?seed=1&speed=10"])

    _check_url = field_validator("url")(_url)


class StartSessionIn(Request_):
    name: str = Field(max_length=MAX_TEXT, examples=["alpha"])
    adapter: AdapterKind
    connection: ConnectionIn


def _command_params_doc() -> str:
    lines = [
        "Per command (a missing or unknown name, a wrong type or a value out of range is a 422 naming "
        "`params.<name>`; the vehicle may still refuse a value inside the range: outcome `denied`):"
    ]
    for name, specs in COMMAND_PARAMS.items():
        shown = "; ".join(spec.describe() for spec in specs) if specs else "none"
        lines.append(f"- `{name.value}`: {shown}")
    return "\n".join(lines)


class CommandIn(Request_):
    command: CommandName
    params: dict[str, Any] = Field(
        default_factory=dict,
        description=_command_params_doc(),
        examples=[{"alt_m": 10}, {"mode": "GUIDED"}, {"lat": 47.3977, "lon": 8.5456, "alt_m": 20}],
    )


class CreateStreamIn(Request_):
    name: str = Field(max_length=MAX_TEXT, examples=["alpha camera"])
    url: str = Field(max_length=MAX_URL, examples=["synthetic://?w=640&h=360&fps=15"])
    linked_session_id: str | None = Field(default=None, max_length=MAX_TEXT)
    enabled: StrictBool = True

    _check_url = field_validator("url")(_url)


class UpdateStreamIn(Request_):
    """Only the fields present change; ``linked_session_id: null`` unlinks."""

    name: str | None = Field(default=None, max_length=MAX_TEXT)
    url: str | None = Field(default=None, max_length=MAX_URL)
    linked_session_id: str | None = Field(default=None, max_length=MAX_TEXT)
    enabled: StrictBool | None = None

    _check_url = field_validator("url")(_url)


# ------------------------------------------------------------------------------------------------ responses
class Connection(BaseModel):
    url: str
    scheme: str


class Identity(BaseModel):
    system_id: int | None
    component_id: int | None
    autopilot: str | None
    vehicle_type: str | None
    firmware: str | None


class Session(BaseModel):
    id: str
    name: str
    adapter: AdapterKind
    state: SessionState
    connection: Connection
    identity: Identity
    created_at: datetime
    started_at: datetime | None
    stopped_at: datetime | None
    last_error: str | None


class SessionPage(BaseModel):
    items: list[Session]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class Telemetry(BaseModel):
    session_id: str
    time: datetime
    lat_deg: float | None
    lon_deg: float | None
    alt_msl_m: float | None
    alt_rel_m: float | None
    roll_deg: float | None
    pitch_deg: float | None
    yaw_deg: float | None
    heading_deg: float | None
    groundspeed_mps: float | None
    airspeed_mps: float | None
    climb_mps: float | None
    battery_pct: float | None
    battery_v: float | None
    battery_a: float | None
    mode: str | None
    armed: bool | None
    system_status: str | None
    gps_fix: str | None
    satellites: int | None
    hdop: float | None
    link_quality_pct: float | None
    home_lat_deg: float | None
    home_lon_deg: float | None
    mission_seq: int | None = Field(
        default=None,
        description="live only: the mission item the vehicle flies to (MISSION_CURRENT); absent while unknown and "
        "in history, which does not keep it",
    )


class LatestTelemetry(BaseModel):
    session_id: str
    sample: Telemetry | None = Field(
        description="the newest sample: while the session runs here, the newest received (null before the "
        "first); otherwise the last received or stored (e.g. an interrupted session after a restart); null when "
        "there is none"
    )
    live: bool = Field(
        default=False,
        description="true when `sample` comes from the session running in this process now; false for the last "
        "known sample of a session that is not running (its position may be stale)",
    )


class TelemetryHistory(BaseModel):
    session_id: str
    samples: list[Telemetry]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` (with the same `order`) for the next page; null on the last page."
    )


class LinkStatsOut(BaseModel):
    link: str = Field(description="What the figures measure: an endpoint (`udpin:14550`), a replay, a FAKE vehicle")
    shared_by: int = Field(description="Sessions on this link: several vehicles on one radio share its figures")
    messages_in: int = Field(description="Received from the vehicle side (FAKE: telemetry samples)")
    messages_out: int = Field(description="Sent towards the vehicle (FAKE: commands)")
    messages_in_per_s: float
    messages_out_per_s: float
    bytes_in: int | None = Field(description="null where the link carries no bytes (FAKE)")
    bytes_out: int | None
    bad_frames: int = Field(description="Bytes that did not parse as a frame (CRC, length)")
    lost_packets: int = Field(description="Sequence gaps (FAKE: samples a scenario's link drop swallowed)")
    packet_loss_pct: float
    rssi_pct: float | None = Field(description="Local radio RSSI from RADIO_STATUS; null without such a radio")
    remote_rssi_pct: float | None
    dropped_out: int = Field(description="Frames we could not send (transport down)")


class SessionLinkOut(BaseModel):
    session_id: str
    adapter: AdapterKind
    state: SessionState
    stats: LinkStatsOut | None = Field(description="null for a running link that keeps no figures")


class CommandOut(BaseModel):
    session_id: str
    command: CommandName
    outcome: CommandOutcome
    accepted: bool
    message: str


class Qos(BaseModel):
    source_fps: float | None
    decoded_fps: float | None
    frames_decoded: int
    frames_dropped: int
    frame_age_p50_ms: float | None
    frame_age_p95_ms: float | None
    stalls: int
    reconnects: int
    width: int | None
    height: int | None
    codec: str | None
    bitrate_kbps: float | None
    next_attempt_at: datetime | None


class StreamStatusOut(BaseModel):
    state: StreamState
    last_error: str | None
    live: bool = Field(description="true when a decode worker runs in this process (state and QoS are live)")


class Stream(BaseModel):
    id: str
    name: str
    url: str
    linked_session_id: str | None
    enabled: bool
    recording: bool
    status: StreamStatusOut
    qos: Qos
    telemetry: Telemetry | None = Field(description="the linked session's latest sample")
    created_at: datetime
    updated_at: datetime


class StreamPage(BaseModel):
    items: list[Stream]
    next_cursor: str | None


class Event(BaseModel):
    seq: int
    id: str
    at: datetime
    kind: EventKind
    subject_id: str | None
    severity: Severity
    data: dict[str, Any]


class EventPage(BaseModel):
    items: list[Event]
    next_cursor: str = Field(
        description="Pass as `cursor` to get the events after these (`order=desc`: the older ones before these)."
    )
    pruned: bool = Field(
        default=False,
        description="true when events after the given cursor were deleted by retention before this read: the "
        "items start at the oldest event kept, and the ones between were lost to this client",
    )


class AuditEntryOut(BaseModel):
    id: str
    at: datetime
    actor: str
    action: str
    target_id: str | None
    outcome: Outcome
    detail: dict[str, Any]


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` (with the same `order`) for the next page; null on the last page."
    )


class Health(BaseModel):
    status: str
    version: str


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details; ``code`` is stable and meant for programs, ``detail`` for people."""

    type: str
    title: str
    status: int
    code: str
    detail: str
    instance: str | None = None
    field: str | None = Field(default=None, description="the offending field (422)")
    holder: str | None = Field(default=None, description="what holds the contested resource (409)")
    errors: list[FieldError] | None = None
