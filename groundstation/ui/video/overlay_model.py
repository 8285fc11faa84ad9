"""The text of a tile's telemetry overlay, computed apart from painting so it can be read and tested.

Each value is formatted once per display tick from the bridge's newest sample; unknown values show as "--"
(an operator must tell "unknown" from "zero"), and a sample older than ``STALE_AFTER_S`` or a session that is
not flying marks the whole overlay stale so it is drawn greyed instead of looking current.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from groundstation.domain.models import DeviceSession, SessionState
from groundstation.domain.telemetry import GpsFix, TelemetrySample

STALE_AFTER_S = 3.0
BATTERY_LOW_PCT = 25.0
BATTERY_CRITICAL_PCT = 15.0

_FIX_NAMES = {
    GpsFix.NO_GPS: "NO GPS",
    GpsFix.NO_FIX: "NO FIX",
    GpsFix.FIX_2D: "2D",
    GpsFix.FIX_3D: "3D",
    GpsFix.DGPS: "DGPS",
    GpsFix.RTK_FLOAT: "RTK FLT",
    GpsFix.RTK_FIXED: "RTK FIX",
}
_COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


@dataclass(frozen=True, slots=True)
class OverlayModel:
    """What the overlay shows; ``fields`` keeps the display order (name -> text)."""

    session_name: str
    session_state: SessionState | None
    fields: dict[str, str] = field(default_factory=dict)
    stale: bool = True
    battery_level: str = "ok"  # ok, low, critical, unknown
    armed: bool | None = None
    roll_deg: float | None = None
    pitch_deg: float | None = None
    heading_deg: float | None = None

    def text(self) -> str:
        """Everything on one line, as a screen reader (and a test) reads it."""
        state = self.session_state.value if self.session_state is not None else "unknown"
        values = "  ".join(self.fields.values())
        return f"{self.session_name} [{state}{', stale' if self.stale else ''}]  {values}"


def overlay_model(
    session: DeviceSession | None, sample: TelemetrySample | None, *, now: datetime | None = None
) -> OverlayModel:
    if session is None:
        return OverlayModel("no linked session", None)
    now = now or datetime.now(UTC)
    if sample is None:
        return OverlayModel(session.name, session.state, {"status": "no telemetry"})
    stale = session.state is not SessionState.ACTIVE or (now - sample.time).total_seconds() > STALE_AFTER_S
    heading = sample.heading_deg if sample.heading_deg is not None else sample.yaw_deg
    fields = {
        "mode": sample.mode or "--",
        "armed": "ARMED" if sample.armed else ("DISARMED" if sample.armed is not None else "ARM --"),
        "hdg": f"HDG {_heading(heading)}",
        "alt": f"ALT {_num(sample.alt_rel_m, '.1f')} m",
        "gs": f"GS {_num(sample.groundspeed_mps, '.1f')} m/s",
        "vs": f"VS {_num(sample.climb_mps, '+.1f')} m/s",
        "bat": f"BAT {_num(sample.battery_pct, '.0f')}%" + _volts(sample.battery_v),
        "gps": f"GPS {gps_fix_name(sample.gps_fix)} {_num(sample.satellites, 'd')} sat",
        "link": f"LINK {_num(sample.link_quality_pct, '.0f')}%",
    }
    return OverlayModel(
        session.name,
        session.state,
        fields,
        stale=stale,
        battery_level=_battery_level(sample.battery_pct),
        armed=sample.armed,
        roll_deg=sample.roll_deg,
        pitch_deg=sample.pitch_deg,
        heading_deg=heading,
    )


def _num(value: float | int | None, spec: str) -> str:
    return "--" if value is None else format(value, spec)


def _volts(value: float | None) -> str:
    return "" if value is None else f" {value:.1f} V"


def _heading(value: float | None) -> str:
    if value is None:
        return "--"
    deg = round(value) % 360
    return f"{deg:03d}° {_COMPASS[round(deg / 45) % 8]}"


def gps_fix_name(value: GpsFix | None) -> str:
    return "--" if value is None else _FIX_NAMES.get(value, value.name)


def _battery_level(pct: float | None) -> str:
    if pct is None:
        return "unknown"
    if pct <= BATTERY_CRITICAL_PCT:
        return "critical"
    if pct <= BATTERY_LOW_PCT:
        return "low"
    return "ok"
