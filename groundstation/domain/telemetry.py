"""The one telemetry shape every adapter maps its protocol into, and the only one the UI and API see.

Units live in the field names (``alt_rel_m``, ``groundspeed_mps``) so a reader never guesses them. A field an
adapter cannot fill stays None: "unknown" and "zero" are different things to an operator.
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

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (times as ISO 8601, enums as their names) for exports and the API."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, datetime):
                value = value.isoformat()
            elif isinstance(value, GpsFix):
                value = value.name
            out[f.name] = value
        return out


TELEMETRY_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(TelemetrySample))
