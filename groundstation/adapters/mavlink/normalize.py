"""MAVLink messages of one vehicle folded into the one ``TelemetrySample`` shape.

The state keeps the latest value of every field and a sample is cut from it at a bounded rate: at most
one per ``min_interval_s`` of message time, cut when a position, attitude or heartbeat arrives, so a
vehicle streaming fifty messages a second costs the hub twenty samples, not fifty. Sentinels MAVLink uses
for "unknown" (65535, -1, INT16_MAX) become None, never zero.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from groundstation.adapters.mavlink.codec import enum_name, mavlink2
from groundstation.adapters.mavlink.modes import mode_name
from groundstation.domain.telemetry import SAMPLE_FIELDS, GpsFix, TelemetrySample

_ARMED = mavlink2.MAV_MODE_FLAG_SAFETY_ARMED
_UINT16_MAX = 65535

# Messages after which a sample may be cut: what changes fastest and what proves the vehicle is alive.
SAMPLE_TRIGGERS = frozenset({"GLOBAL_POSITION_INT", "ATTITUDE", "HEARTBEAT"})


# What the messages fill, named as the sample's own fields so the list lives in one place (the dataclass):
# everything but the session, the time and the link quality, which the link knows and the vehicle does not.
STATE_FIELDS: tuple[str, ...] = tuple(
    name for name in SAMPLE_FIELDS if name not in ("session_id", "time", "link_quality_pct")
)


class VehicleState:
    """The normalizer of one system: ``handle`` each of its messages, ``take_sample`` when due.

    ``f`` holds the latest value of each of ``STATE_FIELDS`` by the sample's field name; a name that is not a
    field fails at the first sample cut (``TelemetrySample`` refuses the keyword), so a typo cannot pass a test.
    A dict costs the per-message path no more than attributes of a slotted class.
    """

    def __init__(self, session_id: str, *, min_interval_s: float = 0.05) -> None:
        self._session_id = session_id
        self._min_interval_s = min_interval_s
        self._last_cut: float | None = None
        self._has_global_position = False
        self.f: dict[str, Any] = dict.fromkeys(STATE_FIELDS)
        self.home_alt_msl_m: float | None = None
        self._handlers = {
            "HEARTBEAT": self._heartbeat,
            "GLOBAL_POSITION_INT": self._global_position,
            "ATTITUDE": self._attitude,
            "VFR_HUD": self._vfr_hud,
            "SYS_STATUS": self._sys_status,
            "BATTERY_STATUS": self._battery_status,
            "GPS_RAW_INT": self._gps_raw,
            "HOME_POSITION": self._home,
            "MISSION_CURRENT": self._mission_current,
        }

    def handle(self, mtype: str, msg: Any) -> None:
        handler = self._handlers.get(mtype)
        if handler is not None:
            handler(msg)

    def due(self, t: float) -> bool:
        """Whether a sample may be cut at message time ``t`` (seconds); a clock that went backwards, as a
        replayed log's may, starts the interval again rather than holding samples back."""
        last = self._last_cut
        return last is None or t - last >= self._min_interval_s or t < last

    @property
    def mode(self) -> str | None:
        mode: str | None = self.f["mode"]
        return mode

    def take_sample(self, t: float, when: datetime, link_quality_pct: float | None) -> TelemetrySample:
        self._last_cut = t
        return TelemetrySample(session_id=self._session_id, time=when, link_quality_pct=link_quality_pct, **self.f)

    # ------------------------------------------------------------------------------------------ handlers
    def _heartbeat(self, m: Any) -> None:
        f = self.f
        f["mode"] = mode_name(m.autopilot, m.type, m.base_mode, m.custom_mode)
        f["armed"] = bool(m.base_mode & _ARMED)
        f["system_status"] = enum_name("MAV_STATE", m.system_status, "MAV_STATE_")

    def _global_position(self, m: Any) -> None:
        f = self.f
        if m.lat == 0 and m.lon == 0:
            # ArduPilot streams zeros until its estimator has an origin (no GPS fix yet): that is "position
            # unknown", not a vehicle at 0 N 0 E (which the map would draw, and a goto would be relative to).
            # A GPS_RAW_INT position, if any, stands in meanwhile.
            if self._has_global_position:
                self._has_global_position = False
                f["lat_deg"] = f["lon_deg"] = f["alt_msl_m"] = f["alt_rel_m"] = None
        else:
            self._has_global_position = True
            f["lat_deg"] = m.lat / 1e7
            f["lon_deg"] = m.lon / 1e7
            f["alt_msl_m"] = m.alt / 1000.0
            f["alt_rel_m"] = m.relative_alt / 1000.0
        if m.hdg != _UINT16_MAX:
            f["heading_deg"] = m.hdg / 100.0
        if f["groundspeed_mps"] is None:
            f["groundspeed_mps"] = round(math.hypot(m.vx, m.vy) / 100.0, 2)
        if f["climb_mps"] is None:
            f["climb_mps"] = -m.vz / 100.0

    def _attitude(self, m: Any) -> None:
        f = self.f
        f["roll_deg"] = math.degrees(m.roll)
        f["pitch_deg"] = math.degrees(m.pitch)
        f["yaw_deg"] = yaw = math.degrees(m.yaw)
        if f["heading_deg"] is None:
            f["heading_deg"] = yaw % 360.0

    def _vfr_hud(self, m: Any) -> None:
        f = self.f
        f["airspeed_mps"] = float(m.airspeed)
        f["groundspeed_mps"] = float(m.groundspeed)
        f["heading_deg"] = float(m.heading)
        f["climb_mps"] = float(m.climb)

    def _sys_status(self, m: Any) -> None:
        f = self.f
        f["battery_v"] = None if m.voltage_battery == _UINT16_MAX else m.voltage_battery / 1000.0
        f["battery_a"] = None if m.current_battery < 0 else m.current_battery / 100.0
        f["battery_pct"] = None if m.battery_remaining < 0 else float(m.battery_remaining)

    def _battery_status(self, m: Any) -> None:
        if m.id != 0:
            return
        f = self.f
        if m.battery_remaining >= 0:
            f["battery_pct"] = float(m.battery_remaining)
        if m.current_battery >= 0:
            f["battery_a"] = m.current_battery / 100.0
        cells = [v for v in m.voltages if v != _UINT16_MAX]
        if cells and f["battery_v"] is None:
            f["battery_v"] = sum(cells) / 1000.0

    def _gps_raw(self, m: Any) -> None:
        f = self.f
        try:
            f["gps_fix"] = GpsFix(m.fix_type)
        except ValueError:
            f["gps_fix"] = GpsFix.RTK_FIXED if m.fix_type > GpsFix.RTK_FIXED else None
        f["satellites"] = None if m.satellites_visible == 255 else int(m.satellites_visible)
        f["hdop"] = None if m.eph == _UINT16_MAX else m.eph / 100.0
        if not self._has_global_position and m.fix_type >= GpsFix.FIX_2D:
            # A vehicle without an estimator (or one that streams no GLOBAL_POSITION_INT) still has a place.
            f["lat_deg"] = m.lat / 1e7
            f["lon_deg"] = m.lon / 1e7
            f["alt_msl_m"] = m.alt / 1000.0

    def _home(self, m: Any) -> None:
        f = self.f
        f["home_lat_deg"] = m.latitude / 1e7
        f["home_lon_deg"] = m.longitude / 1e7
        self.home_alt_msl_m = m.altitude / 1000.0

    def _mission_current(self, m: Any) -> None:
        # ``total`` (a MAVLink 2 extension, 0 from senders without it) is UINT16_MAX when the vehicle has no
        # mission: then no item is current, whatever ``seq`` says.
        self.f["mission_seq"] = None if getattr(m, "total", 0) == _UINT16_MAX else int(m.seq)
