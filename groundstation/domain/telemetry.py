"""The one telemetry shape every adapter maps its protocol into, and the only one the UI and API see.

Units live in the field names (``alt_rel_m``, ``groundspeed_mps``) so a reader never guesses them. A field an
adapter cannot fill stays None: "unknown" and "zero" are different things to an operator.

Some fields are live only (``LIVE_ONLY_FIELDS``): they matter while the vehicle flies (which mission item it is
on) and say nothing a track replayed later needs, so history does not keep them; ``TELEMETRY_FIELDS`` are the
ones it does, and a sample read back from history has exactly those.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from enum import IntEnum
from typing import Any


class GpsFix(IntEnum):
    """GPS fix quality, numbered as MAVLink's GPS_FIX_TYPE so adapters map it without a table."""

    NO_GPS = 0
    NO_FIX = 1
    FIX_2D = 2
    FIX_3D = 3
    DGPS = 4
    RTK_FLOAT = 5
    RTK_FIXED = 6


@dataclass(frozen=True, slots=True)
class TelemetrySample:
    session_id: str
    time: datetime
    lat_deg: float | None = None
    lon_deg: float | None = None
    alt_msl_m: float | None = None
    alt_rel_m: float | None = None
    roll_deg: float | None = None
    pitch_deg: float | None = None
    yaw_deg: float | None = None
    heading_deg: float | None = None
    groundspeed_mps: float | None = None
    airspeed_mps: float | None = None
    climb_mps: float | None = None
    battery_pct: float | None = None
    battery_v: float | None = None
    battery_a: float | None = None
    mode: str | None = None
    armed: bool | None = None
    system_status: str | None = None
    gps_fix: GpsFix | None = None
    satellites: int | None = None
    hdop: float | None = None
    link_quality_pct: float | None = None
    home_lat_deg: float | None = None
    home_lon_deg: float | None = None
    mission_seq: int | None = None  # live only: the mission item the vehicle flies to (MAVLink MISSION_CURRENT)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (times as ISO 8601, enums as their names) for exports and the API.

        A live-only field is left out while unknown, so a sample from history maps to exactly
        ``TELEMETRY_FIELDS`` (what the CSV export's columns are) and a live one adds what it knows.
        """
        out: dict[str, Any] = {}
        for name in SAMPLE_FIELDS:
            value = getattr(self, name)
            if value is None and name in LIVE_ONLY_FIELDS:
                continue
            if isinstance(value, datetime):
                value = value.isoformat()
            elif isinstance(value, GpsFix):
                value = value.name
            out[name] = value
        return out


SAMPLE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(TelemetrySample))
"""Every field of a sample, in declaration order."""
LIVE_ONLY_FIELDS: frozenset[str] = frozenset({"mission_seq"})
"""Fields shown while a vehicle runs and never stored: history (and its exports) holds ``TELEMETRY_FIELDS``."""
TELEMETRY_FIELDS: tuple[str, ...] = tuple(name for name in SAMPLE_FIELDS if name not in LIVE_ONLY_FIELDS)
"""The fields history stores and exports, in declaration order."""
