"""Whether a command makes sense for a simulated vehicle right now, and the refusal a person reads if not.

The refusals are worded like ArduCopter's (``Arm: Need Position Estimate``) where ArduCopter has a word
for it, because operators trained on the FAKE fleet will meet those words on real vehicles.

Decisions that differ between autopilots, made here once:
- takeoff outside GUIDED is refused (ArduCopter only takes off in GUIDED); the operator switches first.
- goto switches a flying vehicle to GUIDED by itself, as ArduCopter's DO_REPOSITION does.
- ArduCopter modes this simulation does not fly (ACRO, POSHOLD...) answer UNSUPPORTED; names that are
  no mode at all answer DENIED.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from groundstation.adapters.fake.params import (
    ARMABLE_MODES,
    BATT_LOW_PCT,
    OTHER_ARDUCOPTER_MODES,
    POSITION_MODES,
    SIMULATED_MODES,
)
from groundstation.adapters.fake.vehicle import SimulatedVehicle
from groundstation.domain.commands import CommandName, CommandOutcome, CommandResult, VehicleCommand

MAX_ALT_M = 500.0
MAX_GOTO_DISTANCE_M = 10_000.0
MIN_GOTO_ALT_M = 2.0
SPEED_RANGE_MPS = (0.5, 20.0)


class _Refused(Exception):
    def __init__(self, outcome: CommandOutcome, message: str) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.message = message


def _deny(message: str) -> _Refused:
    return _Refused(CommandOutcome.DENIED, message)


def execute(vehicle: SimulatedVehicle, command: VehicleCommand) -> CommandResult:
    """Check ``command`` against the vehicle's state; carry it out if it makes sense."""
    handler = _HANDLERS.get(command.name)
    if handler is None:
        return CommandResult(CommandOutcome.UNSUPPORTED, f"{command.name} is not supported by FAKE vehicles")
    try:
        return CommandResult(CommandOutcome.ACCEPTED, handler(vehicle, command.params))
    except _Refused as refusal:
        return CommandResult(refusal.outcome, refusal.message)


def _number(params: dict[str, Any], key: str, what: str) -> float:
    value = params.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        if value is None:
            raise _deny(f"{what} needs the parameter {key}")
        raise _deny(f"{what}: {key} must be a number, got {value!r}")
    return float(value)


def _arm(v: SimulatedVehicle, params: dict[str, Any]) -> str:
    s = v.s
    if s.armed:
        raise _deny("Arm: already armed")
    if s.motor_failed:
        raise _deny("Arm: motor failure detected, service the vehicle before flying")
    if s.mode not in ARMABLE_MODES:
        raise _deny(f"Arm: Mode not armable ({s.mode})")
    if not v.gps.has_position:
        raise _deny("Arm: Need Position Estimate")
    if v.battery.pct < BATT_LOW_PCT:
        raise _deny(f"Arm: Battery 1 below minimum arming capacity ({v.battery.pct:.0f}%)")
    v.arm()
    return "armed"


def _disarm(v: SimulatedVehicle, params: dict[str, Any]) -> str:
    if not v.s.armed:
        raise _deny("Disarm: already disarmed")
    force = params.get("force", False)
    if not isinstance(force, bool):
        raise _deny(f"Disarm: force must be true or false, got {force!r}")
    if v.flying and not force:
        raise _deny("Disarm refused: vehicle is flying (land first, or force to cut the motors in the air)")
    v.disarm("forced by operator in flight" if v.flying else "operator request")
    return "disarmed in flight: motors stopped" if v.flying else "disarmed"


def _takeoff(v: SimulatedVehicle, params: dict[str, Any]) -> str:
    s = v.s
    alt = _number(params, "alt_m", "Takeoff")
    if not s.armed:
        raise _deny("Takeoff refused: vehicle is disarmed (arm first)")
    if v.flying:
        raise _deny("Takeoff refused: already flying")
    if s.mode != "GUIDED":
        raise _deny(f"Takeoff refused: mode {s.mode}; ArduCopter takes off only in GUIDED (switch to GUIDED first)")
    if not 1.0 <= alt <= MAX_ALT_M:
        raise _deny(f"Takeoff refused: altitude {alt:g} m is outside 1 to {MAX_ALT_M:g} m")
    v.take_off(alt)
    return f"taking off to {alt:g} m"


def _land(v: SimulatedVehicle, params: dict[str, Any]) -> str:
    if not v.flying:
        raise _deny("Land refused: already on the ground")
    if v.s.mode == "LAND":
        raise _deny("Land refused: already landing")
    v.enter_mode("LAND")
    return "landing"


def _rtl(v: SimulatedVehicle, params: dict[str, Any]) -> str:
    if not v.flying:
        raise _deny("RTL refused: vehicle is on the ground")
    _require_position(v, "RTL")
    _require_motors(v, "RTL")
    v.enter_mode("RTL")
    return "returning to launch"


def _goto(v: SimulatedVehicle, params: dict[str, Any]) -> str:
    lat = _number(params, "lat", "Goto")
    lon = _number(params, "lon", "Goto")
    alt = _number(params, "alt_m", "Goto")
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise _deny(f"Goto refused: {lat}, {lon} is not a position on Earth")
    if not v.flying:
        raise _deny("Goto refused: vehicle is on the ground (take off first)")
    _require_position(v, "Goto")
    _require_motors(v, "Goto")
    if not MIN_GOTO_ALT_M <= alt <= MAX_ALT_M:
        raise _deny(f"Goto refused: altitude {alt:g} m is outside {MIN_GOTO_ALT_M:g} to {MAX_ALT_M:g} m (use land)")
    distance = math.hypot(*v.frame.to_local(lat, lon))
    if distance > MAX_GOTO_DISTANCE_M:
        raise _deny(
            f"Goto refused: target is {distance / 1000:.1f} km from home, beyond {MAX_GOTO_DISTANCE_M / 1000:g} km"
        )
    v.fly_to(lat, lon, alt)
    return f"flying to {lat:.6f}, {lon:.6f} at {alt:g} m (GUIDED)"


def _set_mode(v: SimulatedVehicle, params: dict[str, Any]) -> str:
    raw = params.get("mode")
    if not isinstance(raw, str) or not raw.strip():
        raise _deny("Set mode needs the parameter mode (a name such as LOITER)")
    mode = raw.strip().upper()
    if mode in OTHER_ARDUCOPTER_MODES:
        raise _Refused(CommandOutcome.UNSUPPORTED, f"Mode {mode} is not simulated by FAKE vehicles")
    if mode not in SIMULATED_MODES:
        raise _deny(f"Unknown mode {raw!r} (expected one of {', '.join(SIMULATED_MODES)})")
    if mode == v.s.mode:
        return f"already in {mode}"
    if mode in POSITION_MODES:
        _require_position(v, f"Mode change to {mode}")
    if v.s.motor_failed and v.s.armed:
        raise _deny(f"Mode change to {mode} refused: motor failure, vehicle is landing")
    if mode == "AUTO" and not v.config.mission:
        raise _deny("Mode change to AUTO refused: no mission loaded")
    v.enter_mode(mode)
    return f"mode {mode}"


def _change_speed(v: SimulatedVehicle, params: dict[str, Any]) -> str:
    speed = _number(params, "speed_mps", "Change speed")
    low, high = SPEED_RANGE_MPS
    if not low <= speed <= high:
        raise _deny(f"Change speed refused: {speed:g} m/s is outside {low:g} to {high:g} m/s")
    v.speed_mps = speed
    return f"speed {speed:g} m/s"


def _require_position(v: SimulatedVehicle, what: str) -> None:
    if not v.gps.has_position:
        raise _deny(f"{what} refused: requires a position estimate (no GPS 3D fix)")


def _require_motors(v: SimulatedVehicle, what: str) -> None:
    if v.s.motor_failed:
        raise _deny(f"{what} refused: motor failure, vehicle is landing")


_HANDLERS: dict[CommandName, Callable[[SimulatedVehicle, dict[str, Any]], str]] = {
    CommandName.ARM: _arm,
    CommandName.DISARM: _disarm,
    CommandName.TAKEOFF: _takeoff,
    CommandName.LAND: _land,
    CommandName.RTL: _rtl,
    CommandName.GOTO: _goto,
    CommandName.SET_MODE: _set_mode,
    CommandName.CHANGE_SPEED: _change_speed,
}
