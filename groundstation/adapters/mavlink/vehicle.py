"""What the link knows of the systems it hears: every component's heartbeat, and for the one vehicle a
session follows, its identity, telemetry, flight history and recent messages.

A link may carry several systems (a router, a radio with two vehicles); ``SystemsSeen`` records them all so
a later session can be started for each, while ``TargetVehicle`` holds the state of the one this session
follows. Only autopilots count as vehicles: GCSes, cameras and companion computers heartbeat too.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from groundstation.adapters.mavlink.codec import enum_name, mavlink2
from groundstation.adapters.mavlink.normalize import VehicleState
from groundstation.domain.events import Severity
from groundstation.domain.models import VehicleIdentity

_ARMED = mavlink2.MAV_MODE_FLAG_SAFETY_ARMED

_SEVERITY: dict[int, Severity] = {
    mavlink2.MAV_SEVERITY_EMERGENCY: Severity.CRITICAL,
    mavlink2.MAV_SEVERITY_ALERT: Severity.CRITICAL,
    mavlink2.MAV_SEVERITY_CRITICAL: Severity.CRITICAL,
    mavlink2.MAV_SEVERITY_ERROR: Severity.CRITICAL,
    mavlink2.MAV_SEVERITY_WARNING: Severity.WARNING,
    mavlink2.MAV_SEVERITY_NOTICE: Severity.INFO,
    mavlink2.MAV_SEVERITY_INFO: Severity.INFO,
    mavlink2.MAV_SEVERITY_DEBUG: Severity.DEBUG,
}

_FIRMWARE_TYPES = {0: "-dev", 64: "-alpha", 128: "-beta", 192: "-rc", 255: ""}


def severity_of(mav_severity: int) -> Severity:
    return _SEVERITY.get(mav_severity, Severity.INFO)


def is_vehicle_heartbeat(msg: Any, component: int) -> bool:
    """An autopilot's own heartbeat (component 1), not a GCS's, a camera's or a companion's."""
    return bool(
        component == mavlink2.MAV_COMP_ID_AUTOPILOT1
        and msg.autopilot != mavlink2.MAV_AUTOPILOT_INVALID
        and msg.type != mavlink2.MAV_TYPE_GCS
    )


def firmware_version(flight_sw_version: int) -> str | None:
    if not flight_sw_version:
        return None
    major, minor, patch, kind = flight_sw_version.to_bytes(4, "big")
    return f"{major}.{minor}.{patch}{_FIRMWARE_TYPES.get(kind, f'-{kind}')}"


@dataclass(frozen=True, slots=True)
class Component:
    sysid: int
    compid: int
    type: str
    autopilot: str

    def to_dict(self) -> dict[str, Any]:
        return {"sysid": self.sysid, "compid": self.compid, "type": self.type, "autopilot": self.autopilot}


class SystemsSeen:
    """Every (system, component) that heartbeated on the link, in the order first heard."""

    def __init__(self) -> None:
        self._components: dict[tuple[int, int], Component] = {}

    def heartbeat(self, sysid: int, compid: int, msg: Any) -> None:
        key = (sysid, compid)
        if key not in self._components or self._components[key].type != _type_name(msg.type):
            self._components[key] = Component(
                sysid, compid, _type_name(msg.type), enum_name("MAV_AUTOPILOT", msg.autopilot, "MAV_AUTOPILOT_")
            )

    @property
    def components(self) -> list[Component]:
        return list(self._components.values())

    @property
    def vehicle_ids(self) -> list[int]:
        """Systems with an autopilot: each could be a session of its own."""
        return sorted({c.sysid for c in self._components.values() if c.compid == 1 and c.type != "GCS"})


def _type_name(value: int) -> str:
    return enum_name("MAV_TYPE", value, "MAV_TYPE_")


@dataclass(slots=True)
class FlightHistory:
    """Mode changes and armed spans in message time (log time in a replay), for summaries."""

    modes: list[tuple[float, str]] = field(default_factory=list)
    armed_spans: list[list[float | None]] = field(default_factory=list)

    def heartbeat(self, t: float, mode: str, armed: bool) -> None:
        if not self.modes or self.modes[-1][1] != mode:
            self.modes.append((t, mode))
        open_span = bool(self.armed_spans) and self.armed_spans[-1][1] is None
        if armed and not open_span:
            self.armed_spans.append([t, None])
        elif not armed and open_span:
            self.armed_spans[-1][1] = t

    def armed_intervals(self, origin: float, end: float) -> list[tuple[float, float]]:
        out = []
        for start, stop in self.armed_spans:
            assert start is not None
            out.append((round(start - origin, 3), round((stop if stop is not None else end) - origin, 3)))
        return out


class TargetVehicle:
    """The session's vehicle: heartbeat facts, normalized telemetry, history and recent STATUSTEXTs."""

    def __init__(self, session_id: str, sysid: int, compid: int, *, min_sample_interval_s: float = 0.05) -> None:
        self.sysid = sysid
        self.compid = compid
        self.state = VehicleState(session_id, min_interval_s=min_sample_interval_s)
        self.history = FlightHistory()
        self.autopilot: int | None = None
        self.vehicle_type: int | None = None
        self.custom_mode: int | None = None
        self.identity: VehicleIdentity | None = None
        # MAV_PROTOCOL_CAPABILITY bits from AUTOPILOT_VERSION (the parameter encoding among them); None before.
        self.capabilities: int | None = None
        self.last_heartbeat: float | None = None
        self.texts: deque[tuple[float, Severity, str]] = deque(maxlen=32)
        self.text_count = 0
        self._text_chunks: dict[int, list[str]] = {}
        self._watchers: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []
        self.text_arrived = asyncio.Event()

    @property
    def mode(self) -> str | None:
        return self.state.mode

    def heartbeat(self, t: float, msg: Any) -> VehicleIdentity | None:
        """Fold in the autopilot's heartbeat; returns the identity when it is new or changed."""
        self.autopilot = msg.autopilot
        self.vehicle_type = msg.type
        self.custom_mode = msg.custom_mode
        self.last_heartbeat = t
        self.state.handle("HEARTBEAT", msg)
        self.history.heartbeat(t, self.state.mode or "", bool(msg.base_mode & _ARMED))
        for check, future in list(self._watchers):
            if not future.done() and check():
                future.set_result(None)
        firmware = self.identity.firmware if self.identity is not None else None
        return self._identify(firmware, msg)

    def autopilot_version(self, msg: Any) -> VehicleIdentity | None:
        self.capabilities = int(msg.capabilities)
        if self.identity is None:
            return None
        firmware = firmware_version(msg.flight_sw_version)
        if firmware is None or firmware == self.identity.firmware:
            return None
        self.identity = replace(self.identity, firmware=firmware)
        return self.identity

    def _identify(self, firmware: str | None, msg: Any) -> VehicleIdentity | None:
        identity = VehicleIdentity(
            system_id=self.sysid,
            component_id=self.compid,
            autopilot=enum_name("MAV_AUTOPILOT", msg.autopilot, "MAV_AUTOPILOT_"),
            vehicle_type=_type_name(msg.type),
            firmware=firmware,
        )
        if identity == self.identity:
            return None
        self.identity = identity
        return identity

    def statustext(self, t: float, msg: Any) -> tuple[Severity, str] | None:
        """A complete message (MAVLink 2 splits long ones into 50-character chunks under one id), or None
        while chunks are still coming."""
        text = msg.text if isinstance(msg.text, str) else bytes(msg.text).decode("utf-8", "replace")
        text = text.rstrip("\x00")
        chunk_id = getattr(msg, "id", 0)
        if chunk_id:
            parts = self._text_chunks.setdefault(chunk_id, [])
            parts.append(text)
            if len(text) >= 50 and len(parts) < 8:
                return None
            text = "".join(self._text_chunks.pop(chunk_id))
        severity = severity_of(msg.severity)
        self.texts.append((t, severity, text))
        self.text_count += 1
        self.text_arrived.set()
        self.text_arrived = asyncio.Event()
        return severity, text

    def watch(self, check: Callable[[], bool]) -> asyncio.Future[None]:
        """A future resolved on the first heartbeat for which ``check()`` holds."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._watchers.append((check, future))
        future.add_done_callback(lambda f: self._watchers.remove((check, f)) if (check, f) in self._watchers else None)
        return future
