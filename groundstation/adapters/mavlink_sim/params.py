"""A believable ArduCopter parameter set for one simulated vehicle, and how a PARAM_SET lands on the model.

ArduPilot sends every parameter as a float in PARAM_VALUE, integers as plain float casts (3 is 3.0, not the
bytes of an int32), with the integer type in ``param_type``; a ground station that decodes integers
byte-wise reads garbage here, which is exactly the mistake this simulator lets a tester catch.

Most parameters are cosmetic (stored, listed, settable, echoed): the FAKE model flies by module constants
for RTL_ALT, DISARM_DELAY, LAND_SPEED and the battery failsafe thresholds, so only the parameters in
``WIRED`` reach the flight (see ``MavVehicle._apply_param``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pymavlink.dialects.v20 import ardupilotmega as mavlink

INT8 = mavlink.MAV_PARAM_TYPE_INT8
INT16 = mavlink.MAV_PARAM_TYPE_INT16
INT32 = mavlink.MAV_PARAM_TYPE_INT32
REAL32 = mavlink.MAV_PARAM_TYPE_REAL32

_INT_RANGES = {INT8: (-128, 127), INT16: (-32768, 32767), INT32: (-(2**31), 2**31 - 1)}

# Parameters that change what the FAKE vehicle does: WPNAV_SPEED (cm/s) its cruise speed, BATT_CAPACITY (mAh)
# how fast its pack drains. SYSID_THISMAV changes, as on ArduPilot, only after a reboot (so: never here).
WIRED = frozenset({"WPNAV_SPEED", "BATT_CAPACITY"})

# (name, default, type): ArduCopter 4.5 names and defaults; SYSID_THISMAV, BATT_CAPACITY and WPNAV_SPEED are
# filled per vehicle by ``default_params``.
_TABLE: tuple[tuple[str, float, int], ...] = (
    ("FORMAT_VERSION", 120, INT16),
    ("SYSID_THISMAV", 1, INT16),
    ("SYSID_MYGCS", 255, INT16),
    ("FRAME_CLASS", 1, INT8),
    ("FRAME_TYPE", 1, INT8),
    ("ARMING_CHECK", 1, INT32),
    ("ARMING_RUDDER", 2, INT8),
    ("DISARM_DELAY", 10, INT8),
    ("ANGLE_MAX", 3000, INT16),
    ("PILOT_SPEED_UP", 250, INT16),
    ("PILOT_TKOFF_ALT", 0.0, REAL32),
    ("RTL_ALT", 1500, INT16),
    ("RTL_ALT_FINAL", 0, INT16),
    ("RTL_LOIT_TIME", 5000, INT32),
    ("RTL_SPEED", 0, INT16),
    ("LAND_SPEED", 50, INT16),
    ("LAND_SPEED_HIGH", 0, INT16),
    ("WPNAV_SPEED", 800.0, REAL32),
    ("WPNAV_SPEED_UP", 250.0, REAL32),
    ("WPNAV_SPEED_DN", 150.0, REAL32),
    ("WPNAV_RADIUS", 200.0, REAL32),
    ("WPNAV_ACCEL", 250.0, REAL32),
    ("WP_YAW_BEHAVIOR", 2, INT8),
    ("BATT_MONITOR", 4, INT8),
    ("BATT_CAPACITY", 5200, INT32),
    ("BATT_LOW_VOLT", 14.4, REAL32),
    ("BATT_CRT_VOLT", 13.6, REAL32),
    ("BATT_LOW_MAH", 0, INT32),
    ("BATT_FS_LOW_ACT", 2, INT8),
    ("BATT_FS_CRT_ACT", 1, INT8),
    ("FS_BATT_ENABLE", 2, INT8),
    ("FS_THR_ENABLE", 1, INT8),
    ("FS_GCS_ENABLE", 0, INT8),
    ("FS_EKF_ACTION", 1, INT8),
    ("FS_EKF_THRESH", 0.8, REAL32),
    ("FENCE_ENABLE", 0, INT8),
    ("FENCE_ALT_MAX", 100.0, REAL32),
    ("FLTMODE_CH", 5, INT8),
    ("FLTMODE1", 0, INT8),
    ("FLTMODE2", 2, INT8),
    ("FLTMODE3", 5, INT8),
    ("FLTMODE4", 4, INT8),
    ("FLTMODE5", 3, INT8),
    ("FLTMODE6", 6, INT8),
    ("GPS_TYPE", 1, INT8),
    ("GPS_AUTO_CONFIG", 1, INT8),
    ("AHRS_EKF_TYPE", 3, INT8),
    ("EK3_ENABLE", 1, INT8),
    ("COMPASS_USE", 1, INT8),
    ("INS_GYRO_FILTER", 20, INT16),
    ("MOT_SPIN_ARM", 0.10, REAL32),
    ("MOT_SPIN_MIN", 0.15, REAL32),
    ("MOT_THST_HOVER", 0.35, REAL32),
    ("LOG_BITMASK", 176126, INT32),
    ("SERIAL0_BAUD", 115, INT32),
    ("SERIAL1_PROTOCOL", 2, INT8),
    ("TERRAIN_ENABLE", 1, INT8),
    ("MIS_RESTART", 0, INT8),
)


@dataclass(slots=True)
class Param:
    name: str
    value: float
    type: int
    index: int


def coerce(value: float, param_type: int) -> float:
    """The value ArduPilot would store: integers rounded and clamped to their type, kept as a float cast."""
    if param_type in _INT_RANGES:
        low, high = _INT_RANGES[param_type]
        return float(max(low, min(high, round(value))))
    return float(value)


class ParamStore:
    """One vehicle's parameters, in ArduPilot's fixed order (the index a GCS re-requests missing ones by)."""

    def __init__(self, values: dict[str, float], on_change: Callable[[str, float], None] | None = None) -> None:
        self._params: list[Param] = []
        for index, (name, default, ptype) in enumerate(_TABLE):
            self._params.append(Param(name, coerce(values.get(name, default), ptype), ptype, index))
        self._by_name = {p.name: p for p in self._params}
        self._on_change = on_change

    def __len__(self) -> int:
        return len(self._params)

    def __iter__(self) -> Iterator[Param]:
        return iter(self._params)

    def get(self, name: str) -> Param | None:
        return self._by_name.get(name)

    def at(self, index: int) -> Param | None:
        return self._params[index] if 0 <= index < len(self._params) else None

    def lookup(self, name: str, index: int) -> Param | None:
        """PARAM_REQUEST_READ's rule: an index of -1 means "by name", anything else is the index."""
        return self.get(name) if index < 0 else self.at(index)

    def set(self, name: str, value: float) -> Param | None:
        """Store ``value`` (coerced to the parameter's type); None for an unknown name or a non-finite value,
        which ArduPilot ignores without an answer."""
        param = self._by_name.get(name)
        if param is None or not math.isfinite(value):
            return None
        param.value = coerce(value, param.type)
        if self._on_change is not None:
            self._on_change(param.name, param.value)
        return param


def default_params(sysid: int, battery_mah: float, cruise_speed_mps: float) -> dict[str, float]:
    """The per-vehicle values of an otherwise default ArduCopter."""
    return {
        "SYSID_THISMAV": float(sysid),
        "BATT_CAPACITY": float(round(battery_mah)),
        "WPNAV_SPEED": round(cruise_speed_mps * 100.0, 1),
    }
