"""The ArduCopter parameters and mode sets the simulation flies by, in one place.

Values are ArduCopter's defaults where it has one (WPNAV_SPEED_UP, LAND_SPEED, RTL_ALT, DISARM_DELAY,
BATT_LOW/CRT actions), converted to SI units, so the FAKE fleet's numbers look familiar to a pilot.
"""

from __future__ import annotations

GRAVITY = 9.80665
CLIMB_MAX_MPS = 2.5
DESCENT_MAX_MPS = 1.5
LAND_SPEED_MPS = 0.5
LAND_SLOW_BELOW_M = 10.0
MOTOR_FAILURE_DESCENT_MPS = 4.0
ACCEL_XY_MPSS = 2.5
ACCEL_Z_MPSS = 2.0
YAW_RATE_DPS = 90.0
RTL_ALT_M = 15.0
WP_RADIUS_M = 2.0
DISARM_DELAY_S = 10.0
BATT_LOW_PCT = 20.0
BATT_CRITICAL_PCT = 10.0
DRAG_PER_S = 0.12

SIMULATED_MODES = ("STABILIZE", "ALT_HOLD", "LOITER", "GUIDED", "AUTO", "RTL", "LAND")
# ArduCopter modes a person may reasonably ask for that this simulation does not fly: UNSUPPORTED, not DENIED.
OTHER_ARDUCOPTER_MODES = (
    "ACRO",
    "SPORT",
    "DRIFT",
    "POSHOLD",
    "BRAKE",
    "CIRCLE",
    "FLIP",
    "AUTOTUNE",
    "THROW",
    "SMART_RTL",
    "FLOWHOLD",
    "FOLLOW",
    "ZIGZAG",
    "AUTO_RTL",
    "GUIDED_NOGPS",
    "SYSTEMID",
    "AVOID_ADSB",
    "TURTLE",
)
POSITION_MODES = frozenset({"LOITER", "GUIDED", "AUTO", "RTL"})
ARMABLE_MODES = frozenset({"STABILIZE", "ALT_HOLD", "LOITER", "GUIDED"})
