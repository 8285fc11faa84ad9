"""What each ArduCopter flight mode asks of the airframe: a velocity to reach, and whether to face the course.

The vehicle turns that velocity into motion under its acceleration limits; keeping the modes here keeps
the physics (``vehicle.py``) apart from the autopilot logic, which is where a change of behaviour goes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from groundstation.adapters.fake.params import (
    ACCEL_XY_MPSS,
    ACCEL_Z_MPSS,
    CLIMB_MAX_MPS,
    DESCENT_MAX_MPS,
    LAND_SLOW_BELOW_M,
    LAND_SPEED_MPS,
    MOTOR_FAILURE_DESCENT_MPS,
    RTL_ALT_M,
    WP_RADIUS_M,
)
from groundstation.domain.events import Severity

if TYPE_CHECKING:
    from groundstation.adapters.fake.vehicle import SimulatedVehicle


class MissionEnd(StrEnum):
    """What AUTO does after the last waypoint."""

    LOOP = "loop"
    LOITER = "loiter"
    RTL = "rtl"
    LAND = "land"


@dataclass(slots=True)
class Controls:
    """Velocity the flight controller asks for this step, and whether it also steers yaw along the course."""

    east: float = 0.0
    north: float = 0.0
    up: float = 0.0
    face_course: bool = False


def guidance(v: SimulatedVehicle) -> Controls:
    """The velocity the current mode wants; with no pilot on the sticks, manual modes drift with the wind."""
    s = v.s
    if not s.armed or s.freefall:
        return Controls()
    drift = Controls(v.wind.east_mps * 0.6, v.wind.north_mps * 0.6)
    if s.motor_failed:
        drift.up = -MOTOR_FAILURE_DESCENT_MPS
        return drift
    mode = s.mode
    if mode == "STABILIZE":
        return drift if v.flying else Controls()
    if mode == "ALT_HOLD":
        if not v.flying:
            return Controls()
        drift.up = _approach(s.alt_hold_m - s.up, ACCEL_Z_MPSS, -DESCENT_MAX_MPS, CLIMB_MAX_MPS)
        return drift
    if mode == "LAND":
        down = -(DESCENT_MAX_MPS if s.up > LAND_SLOW_BELOW_M else LAND_SPEED_MPS)
        # Without a position estimate LAND cannot hold position: it drifts with the wind on the way down.
        holding = s.target is not None and v.gps.has_position
        c = toward(v, s.target[0], s.target[1], s.up) if s.target is not None and holding else drift
        c.up = down
        return c
    if mode == "RTL":
        return _rtl(v)
    if mode == "AUTO":
        return _auto(v)
    if mode in ("GUIDED", "LOITER") and s.target is not None:
        if not v.flying and s.target[2] <= 0.0:
            return Controls()
        return toward(v, *s.target)
    return Controls()


def toward(v: SimulatedVehicle, east: float, north: float, up: float) -> Controls:
    s = v.s
    de, dn = east - s.east, north - s.north
    dist = math.hypot(de, dn)
    want = min(v.speed_mps, _braking_speed(dist, ACCEL_XY_MPSS))
    ve, vn = (de / dist * want, dn / dist * want) if dist > 1e-6 else (0.0, 0.0)
    vu = _approach(up - s.up, ACCEL_Z_MPSS, -DESCENT_MAX_MPS, CLIMB_MAX_MPS)
    return Controls(ve, vn, vu, face_course=dist > 3.0)


def _auto(v: SimulatedVehicle) -> Controls:
    s = v.s
    mission = v.mission_local
    if not mission:
        return toward(v, s.east, s.north, s.up)
    if s.wp_index >= len(mission):  # mission over, MissionEnd.LOITER: hold at the last waypoint
        return toward(v, *mission[-1])
    if not v.flying:  # AUTO armed on the ground: the mission's implied takeoff
        return Controls(up=CLIMB_MAX_MPS)
    east, north, up = mission[s.wp_index]
    if v.flying and s.up < min(up, 5.0) and math.hypot(east - s.east, north - s.north) > WP_RADIUS_M:
        return Controls(up=CLIMB_MAX_MPS)  # finish the takeoff climb before leaving sideways
    if math.hypot(east - s.east, north - s.north) < WP_RADIUS_M and abs(up - s.up) < 1.0:
        v.say(Severity.INFO, f"Reached command #{s.wp_index + 1}")
        s.wp_index += 1
        if s.wp_index >= len(mission):
            end = v.config.mission_end
            if end is MissionEnd.LOOP:
                s.wp_index = 0
            elif end is MissionEnd.RTL:
                v.enter_mode("RTL")
                return _rtl(v)
            elif end is MissionEnd.LAND:
                v.enter_mode("LAND")
                return Controls()
            else:
                return toward(v, east, north, up)
        east, north, up = mission[s.wp_index]
    return toward(v, east, north, up)


def _rtl(v: SimulatedVehicle) -> Controls:
    s = v.s
    if not v.flying:
        return Controls()
    if s.rtl_phase == "climb":
        if s.up >= RTL_ALT_M - 0.5 or v.distance_from_home_m() < WP_RADIUS_M:
            s.rtl_phase = "return"
        else:
            return toward(v, s.east, s.north, RTL_ALT_M)
    if s.rtl_phase == "return":
        if v.distance_from_home_m() < WP_RADIUS_M and v.groundspeed < 1.0:
            s.rtl_phase = "land"
        else:
            return toward(v, 0.0, 0.0, max(s.up, RTL_ALT_M))
    c = toward(v, 0.0, 0.0, s.up)
    c.up = -(DESCENT_MAX_MPS if s.up > LAND_SLOW_BELOW_M else LAND_SPEED_MPS)
    return c


def _braking_speed(distance_m: float, accel: float) -> float:
    """The fastest speed from which the vehicle still stops at ``distance_m``; linear very near the target."""
    return min(math.sqrt(2.0 * accel * 0.8 * distance_m), 1.5 * distance_m)


def _approach(error_m: float, accel: float, low: float, high: float) -> float:
    speed = _braking_speed(abs(error_m), accel)
    return max(low, min(high, math.copysign(speed, error_m)))
