"""The operator's commands (arm, takeoff, set mode, goto...) as MAVLink commands, and their outcomes.

Decisions a reader should know:
- ``goto`` is MAV_CMD_DO_REPOSITION sent as COMMAND_INT (relative altitude frame, "change mode" flag set):
  unlike SET_POSITION_TARGET_GLOBAL_INT it is acknowledged, so the operator learns whether it took, and
  both ArduPilot (4.1+, switching to GUIDED itself) and PX4 accept it.
- ``set_mode`` succeeds only when the vehicle's HEARTBEAT shows the mode: ArduPilot acknowledges a mode
  change it then does not make (GUIDED without a position estimate).
- A refused arm carries the vehicle's own reason, its latest STATUSTEXT ("Arm: Need Position Estimate").
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from groundstation.adapters.mavlink.codec import mavlink2
from groundstation.adapters.mavlink.commands import (
    Ack,
    CommandClient,
    CommandSpec,
    flag,
    number,
    result_of,
)
from groundstation.adapters.mavlink.modes import available_modes, encode_mode
from groundstation.adapters.mavlink.vehicle import TargetVehicle
from groundstation.domain.commands import CommandName, CommandOutcome, CommandResult, VehicleCommand
from groundstation.domain.errors import InvalidError

FORCE_MAGIC = 21196  # MAV_CMD_COMPONENT_ARM_DISARM param2: arm or disarm regardless of checks
_NAN = float("nan")
# How long a refused arm waits for the STATUSTEXT that explains it (ArduPilot sends it beside the ACK).
_REASON_WAIT_S = 0.5


def _spec(command: int, *params: float, as_int: bool = False) -> CommandSpec:
    full = (*params, *([0.0] * (7 - len(params))))
    return CommandSpec(command, (full[0], full[1], full[2], full[3], full[4], full[5], full[6]), as_int=as_int)


async def run_command(
    client: CommandClient, vehicle: TargetVehicle, command: VehicleCommand, *, timeout_s: float
) -> CommandResult:
    p = command.params
    name = command.name
    if name in (CommandName.ARM, CommandName.DISARM):
        arm = name is CommandName.ARM
        force = flag(p, "force")
        texts_before = vehicle.text_count
        spec = _spec(mavlink2.MAV_CMD_COMPONENT_ARM_DISARM, 1.0 if arm else 0.0, FORCE_MAGIC if force else 0.0)
        ack = await client.run(spec, timeout_s=timeout_s)
        result = result_of(ack, "arm" if arm else "disarm")
        if arm and ack.outcome in (CommandOutcome.DENIED, CommandOutcome.TEMPORARILY_REJECTED, CommandOutcome.FAILED):
            reason = await _reason(vehicle, texts_before)
            if reason:
                result = CommandResult(ack.outcome, f"arm: {ack.words}: {reason}")
        return result
    if name is CommandName.TAKEOFF:
        alt = number(p, "alt_m", low=0.5, high=10_000.0, unit="m above home")
        if vehicle.autopilot == mavlink2.MAV_AUTOPILOT_PX4:
            # PX4 takes the takeoff altitude above mean sea level.
            home = vehicle.state.home_alt_msl_m
            spec = _spec(
                mavlink2.MAV_CMD_NAV_TAKEOFF, -1, 0, 0, _NAN, _NAN, _NAN, (home + alt) if home is not None else _NAN
            )
        else:
            spec = _spec(mavlink2.MAV_CMD_NAV_TAKEOFF, 0, 0, 0, 0, 0, 0, alt)
        return result_of(await client.run(spec, timeout_s=timeout_s), f"takeoff to {alt:g} m")
    if name is CommandName.LAND:
        spec = _spec(mavlink2.MAV_CMD_NAV_LAND, 0, 0, 0, _NAN, _NAN, _NAN, _NAN)
        return result_of(await client.run(spec, timeout_s=timeout_s), "land")
    if name is CommandName.RTL:
        return result_of(await client.run(_spec(mavlink2.MAV_CMD_NAV_RETURN_TO_LAUNCH), timeout_s=timeout_s), "rtl")
    if name is CommandName.SET_MODE:
        return await _set_mode(client, vehicle, p, timeout_s)
    if name is CommandName.GOTO:
        lat = number(p, "lat", low=-90.0, high=90.0, unit="degrees")
        lon = number(p, "lon", low=-180.0, high=180.0, unit="degrees")
        alt = number(p, "alt_m", low=-1_000.0, high=10_000.0, unit="m above home")
        spec = _spec(
            mavlink2.MAV_CMD_DO_REPOSITION,
            -1,
            mavlink2.MAV_DO_REPOSITION_FLAGS_CHANGE_MODE,
            0,
            _NAN,
            lat,
            lon,
            alt,
            as_int=True,
        )
        return result_of(await client.run(spec, timeout_s=timeout_s), f"goto {lat:.6f}, {lon:.6f} at {alt:g} m")
    if name is CommandName.CHANGE_SPEED:
        speed = number(p, "speed_mps", low=0.1, high=100.0, unit="m/s")
        spec = _spec(mavlink2.MAV_CMD_DO_CHANGE_SPEED, 1, speed, -1, 0)
        return result_of(await client.run(spec, timeout_s=timeout_s), f"change speed to {speed:g} m/s")
    raise InvalidError(f"the MAVLink adapter does not know the command {name!r}", field="command")


async def _reason(vehicle: TargetVehicle, texts_before: int) -> str | None:
    """The vehicle's latest STATUSTEXT since the command was sent, waiting briefly for it if needed;
    else the most recent one it sent at all."""
    if vehicle.text_count == texts_before:
        event = vehicle.text_arrived
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), _REASON_WAIT_S)
    return vehicle.texts[-1][2] if vehicle.texts else None


async def _set_mode(
    client: CommandClient, vehicle: TargetVehicle, p: dict[str, Any], timeout_s: float
) -> CommandResult:
    raw = p.get("mode")
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidError("mode is required (a mode name such as GUIDED)", field="params.mode")
    assert vehicle.autopilot is not None and vehicle.vehicle_type is not None
    request = encode_mode(vehicle.autopilot, vehicle.vehicle_type, raw)
    if request is None:
        known = ", ".join(available_modes(vehicle.autopilot, vehicle.vehicle_type)) or "none known for this vehicle"
        raise InvalidError(f"this vehicle has no mode {raw!r} (modes: {known})", field="params.mode")
    if vehicle.mode == request.name:
        return CommandResult(CommandOutcome.ACCEPTED, f"set mode: already in {request.name}")
    reached = vehicle.watch(lambda: vehicle.mode == request.name)
    spec = _spec(mavlink2.MAV_CMD_DO_SET_MODE, request.base_mode, request.custom_mode, request.custom_sub_mode)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    ack_task = asyncio.ensure_future(client.run(spec, timeout_s=timeout_s))
    now_in = CommandResult(CommandOutcome.ACCEPTED, f"set mode: the vehicle is in {request.name}")
    try:
        first: set[asyncio.Future[Any]] = {ack_task, reached}
        await asyncio.wait(first, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED)
        if reached.done():
            return now_in
        if not ack_task.done():
            return CommandResult(CommandOutcome.NO_ANSWER, f"set mode {request.name}: no answer within {timeout_s:g} s")
        ack: Ack = ack_task.result()
        if ack.outcome not in (CommandOutcome.ACCEPTED, CommandOutcome.IN_PROGRESS, CommandOutcome.NO_ANSWER):
            return result_of(ack, f"set mode {request.name}")
        # Acknowledged (or an old firmware that never acknowledges): the heartbeat has the last word.
        remaining = deadline - loop.time()
        if remaining > 0:
            await asyncio.wait({reached}, timeout=remaining)
        if reached.done():
            return now_in
        if ack.outcome is CommandOutcome.NO_ANSWER:
            return result_of(ack, f"set mode {request.name}")
        return CommandResult(
            CommandOutcome.FAILED,
            f"set mode {request.name}: acknowledged ({ack.words}) but the vehicle still reports {vehicle.mode} "
            f"after {timeout_s:g} s",
        )
    finally:
        reached.cancel()
        if not ack_task.done():
            ack_task.cancel()
