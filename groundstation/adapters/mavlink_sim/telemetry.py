"""Telemetry streams of one simulated ArduCopter: what each message says, and how often it is sent.

Rates run on wall time, not simulated time: a GCS measures message rates and link loss against its own
clock, so a fleet fast-forwarded with ``--speed`` still heartbeats at 1 Hz and streams at the rates asked.
The default rates are what a fresh ArduCopter streams to a GCS that asks for nothing (SRx_ defaults of a
few Hz); SET_MESSAGE_INTERVAL and the older REQUEST_DATA_STREAM change them per vehicle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.adapters.fake.geo import Home
from groundstation.adapters.fake.vehicle import SimulatedVehicle
from groundstation.adapters.mavlink_sim.ardupilot import AUTONOMOUS_MODES, mav_state
from groundstation.domain.telemetry import TelemetrySample

# Seconds between messages when no GCS asked otherwise; None: only on request.
DEFAULT_INTERVALS: dict[str, float | None] = {
    "HEARTBEAT": 1.0,
    "SYS_STATUS": 0.5,
    "GPS_RAW_INT": 0.5,
    "MISSION_CURRENT": 1.0,
    "GLOBAL_POSITION_INT": 0.25,
    "ATTITUDE": 0.1,
    "VFR_HUD": 0.25,
    "BATTERY_STATUS": 1.0,
    "RADIO_STATUS": 1.0,
    "HOME_POSITION": None,
}
STREAMABLE = {getattr(mavlink, f"MAVLINK_MSG_ID_{name}"): name for name in DEFAULT_INTERVALS}
# ArduPilot's REQUEST_DATA_STREAM groups, restricted to the messages simulated here.
_STREAM_GROUPS: dict[int, tuple[str, ...]] = {
    mavlink.MAV_DATA_STREAM_EXTENDED_STATUS: ("SYS_STATUS", "GPS_RAW_INT", "MISSION_CURRENT"),
    mavlink.MAV_DATA_STREAM_POSITION: ("GLOBAL_POSITION_INT",),
    mavlink.MAV_DATA_STREAM_EXTRA1: ("ATTITUDE",),
    mavlink.MAV_DATA_STREAM_EXTRA2: ("VFR_HUD",),
    mavlink.MAV_DATA_STREAM_EXTRA3: ("BATTERY_STATUS",),
}
MAX_RATE_HZ = 50.0

# Bits of MAVLink's MAV_SYS_STATUS_SENSOR that this pymavlink's dialect may lack (ArduPilot sets both).
_SENSOR_AHRS = 0x200000
_SENSOR_PREARM_CHECK = 0x10000000
_SENSORS = (
    mavlink.MAV_SYS_STATUS_SENSOR_3D_GYRO
    | mavlink.MAV_SYS_STATUS_SENSOR_3D_ACCEL
    | mavlink.MAV_SYS_STATUS_SENSOR_3D_MAG
    | mavlink.MAV_SYS_STATUS_SENSOR_ABSOLUTE_PRESSURE
    | mavlink.MAV_SYS_STATUS_SENSOR_GPS
    | mavlink.MAV_SYS_STATUS_SENSOR_ANGULAR_RATE_CONTROL
    | mavlink.MAV_SYS_STATUS_SENSOR_ATTITUDE_STABILIZATION
    | mavlink.MAV_SYS_STATUS_SENSOR_Z_ALTITUDE_CONTROL
    | mavlink.MAV_SYS_STATUS_SENSOR_XY_POSITION_CONTROL
    | mavlink.MAV_SYS_STATUS_SENSOR_MOTOR_OUTPUTS
    | mavlink.MAV_SYS_STATUS_SENSOR_BATTERY
    | _SENSOR_AHRS
    | _SENSOR_PREARM_CHECK
)
_NEEDS_FIX = mavlink.MAV_SYS_STATUS_SENSOR_GPS | _SENSOR_PREARM_CHECK
_UINT16_MAX = 65535


class StreamSchedule:
    """When each stream message is next due; intervals in seconds, None meaning off."""

    def __init__(self, now: float) -> None:
        self.intervals: dict[str, float | None] = dict(DEFAULT_INTERVALS)
        self._next: dict[str, float] = dict.fromkeys(DEFAULT_INTERVALS, now)

    def due(self, now: float) -> list[str]:
        out: list[str] = []
        for name, interval in self.intervals.items():
            if interval is None or now < self._next[name]:
                continue
            out.append(name)
            # Catch up by whole intervals, so a late loop never sends a burst of stale copies.
            self._next[name] = max(self._next[name] + interval, now)
        return out

    def next_due(self) -> float:
        times = [self._next[n] for n, i in self.intervals.items() if i is not None]
        return min(times) if times else math.inf

    def set_interval(self, name: str, interval_us: float, now: float) -> None:
        """MAV_CMD_SET_MESSAGE_INTERVAL's rule: -1 off, 0 the default, otherwise microseconds."""
        if interval_us < 0:
            self.intervals[name] = None
            return
        interval = DEFAULT_INTERVALS[name] if interval_us == 0 else max(interval_us / 1e6, 1.0 / MAX_RATE_HZ)
        self.intervals[name] = interval
        self._next[name] = now

    def request_stream(self, stream_id: int, rate_hz: int, start: bool, now: float) -> None:
        """REQUEST_DATA_STREAM: a whole group (or all of them) at one rate, or stopped."""
        groups = (
            _STREAM_GROUPS.values() if stream_id == mavlink.MAV_DATA_STREAM_ALL else [_STREAM_GROUPS.get(stream_id, ())]
        )
        for group in groups:
            for name in group:
                on = start and rate_hz > 0
                self.set_interval(name, 1e6 / min(rate_hz, MAX_RATE_HZ) if on else -1, now)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything a stream message is built from, taken once per send."""

    sample: TelemetrySample
    vehicle: SimulatedVehicle
    time_boot_ms: int
    custom_mode: int
    home: Home
    home_known: bool
    mission_seq: int
    mission_total: int


def encode(name: str, mav: Any, snap: Snapshot) -> Any:
    """The message ``name`` as this vehicle would send it now."""
    return _BUILDERS[name](mav, snap)


def heartbeat(mav: Any, snap: Snapshot) -> Any:
    s = snap.sample
    base = mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED | mavlink.MAV_MODE_FLAG_STABILIZE_ENABLED
    if s.mode in AUTONOMOUS_MODES:
        base |= mavlink.MAV_MODE_FLAG_GUIDED_ENABLED
    if s.armed:
        base |= mavlink.MAV_MODE_FLAG_SAFETY_ARMED
    return mav.heartbeat_encode(
        mavlink.MAV_TYPE_QUADROTOR,
        mavlink.MAV_AUTOPILOT_ARDUPILOTMEGA,
        base,
        snap.custom_mode,
        mav_state(s.system_status),
    )


def _sys_status(mav: Any, snap: Snapshot) -> Any:
    s, v = snap.sample, snap.vehicle
    enabled = _SENSORS if s.armed else _SENSORS & ~mavlink.MAV_SYS_STATUS_SENSOR_MOTOR_OUTPUTS
    health = _SENSORS if v.gps.has_position else _SENSORS & ~_NEEDS_FIX
    health |= mavlink.MAV_SYS_STATUS_GEOFENCE  # ArduPilot: a fence that is not breached is healthy, even off
    drop = round((100.0 - (s.link_quality_pct or 100.0)) * 10)  # centi-percent of 0..100 %: a hint, not loss
    return mav.sys_status_encode(
        _SENSORS,
        enabled,
        health,
        250,
        _mv(s.battery_v),
        _ca(s.battery_a),
        round(s.battery_pct or 0),
        drop,
        0,
        0,
        0,
        0,
        0,
    )


def _gps_raw_int(mav: Any, snap: Snapshot) -> Any:
    s = snap.sample
    return mav.gps_raw_int_encode(
        snap.time_boot_ms * 1000,
        int(s.gps_fix or 0),
        _e7(s.lat_deg),
        _e7(s.lon_deg),
        _mm(s.alt_msl_m),
        round((s.hdop or 99.99) * 100),
        round((s.hdop or 99.99) * 150),
        round((s.groundspeed_mps or 0) * 100),
        round((s.heading_deg or 0) * 100) % 36000,
        s.satellites or 0,
    )


def _global_position_int(mav: Any, snap: Snapshot) -> Any:
    s, st = snap.sample, snap.vehicle.s
    return mav.global_position_int_encode(
        snap.time_boot_ms,
        _e7(s.lat_deg),
        _e7(s.lon_deg),
        _mm(s.alt_msl_m),
        _mm(s.alt_rel_m),
        round(st.v_north * 100),
        round(st.v_east * 100),
        round(-st.v_up * 100),
        round((s.heading_deg or 0) * 100) % 36000,
    )


def _attitude(mav: Any, snap: Snapshot) -> Any:
    s = snap.sample
    return mav.attitude_encode(
        snap.time_boot_ms,
        math.radians(s.roll_deg or 0),
        math.radians(s.pitch_deg or 0),
        math.radians(s.yaw_deg or 0),
        0.0,
        0.0,
        0.0,
    )


def _vfr_hud(mav: Any, snap: Snapshot) -> Any:
    s, v = snap.sample, snap.vehicle
    throttle = 0 if not s.armed else (10 if not v.flying else round(35 + 8 * (s.climb_mps or 0)))
    alt = s.alt_msl_m if s.alt_msl_m is not None else snap.home.alt_msl_m + (s.alt_rel_m or 0)
    return mav.vfr_hud_encode(
        s.airspeed_mps or 0.0,
        s.groundspeed_mps or 0.0,
        round(s.heading_deg or 0) % 360,
        max(0, min(100, throttle)),
        alt,
        s.climb_mps or 0.0,
    )


def _battery_status(mav: Any, snap: Snapshot) -> Any:
    s, battery = snap.sample, snap.vehicle.battery
    cells = [_UINT16_MAX] * 10
    cells[0] = min(_mv(s.battery_v), _UINT16_MAX - 1)  # no cell monitor: the pack voltage in the first cell
    used_mah = round(battery.capacity_mah * (100.0 - battery.pct) / 100.0)
    return mav.battery_status_encode(
        0,
        mavlink.MAV_BATTERY_FUNCTION_ALL,
        mavlink.MAV_BATTERY_TYPE_LIPO,
        32767,
        cells,
        _ca(s.battery_a),
        used_mah,
        -1,
        round(s.battery_pct or 0),
    )


def _radio_status(mav: Any, snap: Snapshot) -> Any:
    quality = snap.sample.link_quality_pct or 100.0
    rssi = round(quality * 2.54)
    return mav.radio_status_encode(rssi, rssi - 10, 100, 50, 40, 0, 0)


def _mission_current(mav: Any, snap: Snapshot) -> Any:
    return mav.mission_current_encode(snap.mission_seq, snap.mission_total)


def home_position(mav: Any, snap: Snapshot) -> Any:
    h = snap.home
    return mav.home_position_encode(
        _e7(h.lat_deg),
        _e7(h.lon_deg),
        _mm(h.alt_msl_m),
        0.0,
        0.0,
        0.0,
        [1.0, 0.0, 0.0, 0.0],
        0.0,
        0.0,
        0.0,
        snap.time_boot_ms * 1000,
    )


def _e7(degrees: float | None) -> int:
    return 0 if degrees is None else round(degrees * 1e7)


def _mm(metres: float | None) -> int:
    return 0 if metres is None else round(metres * 1000)


def _mv(volts: float | None) -> int:
    return 0 if volts is None else round(volts * 1000)


def _ca(amps: float | None) -> int:
    return -1 if amps is None else round(amps * 100)


_BUILDERS = {
    "HEARTBEAT": heartbeat,
    "SYS_STATUS": _sys_status,
    "GPS_RAW_INT": _gps_raw_int,
    "MISSION_CURRENT": _mission_current,
    "GLOBAL_POSITION_INT": _global_position_int,
    "ATTITUDE": _attitude,
    "VFR_HUD": _vfr_hud,
    "BATTERY_STATUS": _battery_status,
    "RADIO_STATUS": _radio_status,
    "HOME_POSITION": home_position,
}
