"""COMMAND_LONG, COMMAND_INT, SET_MODE and SET_POSITION_TARGET_GLOBAL_INT for one simulated ArduCopter.

Commands the FAKE model decides (arm, takeoff, land, RTL, mode, speed, reposition) are queued for its next
step and acknowledged after it, with the FAKE verdict turned into the MAV_RESULT ArduCopter gives (and its
refusal already said in a STATUSTEXT by the model). Commands about the link itself (message intervals,
requested messages, the mission's current item) are answered at once.

Two ArduPilot behaviours a GCS must cope with are reproduced on purpose:
- a mode that needs a position (GUIDED, LOITER, AUTO, RTL) asked for before the GPS has a fix is
  ACKed ACCEPTED but does not take: only HEARTBEAT's custom_mode tells the truth;
- arming an armed vehicle is ACCEPTED (ArduPilot treats it as done), not refused.

Retries: a COMMAND_LONG with ``confirmation`` > 0 that repeats one seen in the last few seconds (same sender,
command and parameters) is not applied again; its ACK is re-sent (or follows once the first is decided).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.adapters.mavlink_sim.ardupilot import (
    FORCE_MAGIC,
    MODE_NAMES,
    RESULT_ACCEPTED,
    RESULT_DENIED,
    RESULT_FAILED,
    RESULT_UNSUPPORTED,
    mav_result,
)
from groundstation.adapters.mavlink_sim.telemetry import STREAMABLE
from groundstation.domain.commands import CommandName, CommandOutcome, CommandResult, VehicleCommand

if TYPE_CHECKING:
    from groundstation.adapters.mavlink_sim.vehicle import MavVehicle

RETRY_WINDOW_S = 5.0
PENDING_TIMEOUT_S = 10.0

Partner = tuple[int, int]
Verdict = Callable[[CommandResult], int]


@dataclass(frozen=True, slots=True)
class Request:
    """A command as both COMMAND_LONG and COMMAND_INT carry it: positions in degrees either way."""

    command: int
    params: tuple[float, ...]  # param1..param4, latitude/x, longitude/y, altitude/z
    frame: int
    partner: Partner
    confirmation: int = 0


@dataclass(slots=True)
class _Seen:
    at: float
    result: int | None = None  # None while the model has not decided
    waiting: list[Partner] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Pending:
    request: Request
    at: float
    verdict: Verdict


class CommandService:
    def __init__(self, vehicle: MavVehicle) -> None:
        self._v = vehicle
        self._pending: dict[int, _Pending] = {}
        self._seen: dict[tuple[Partner, int, tuple[str, ...]], _Seen] = {}
        self._immediate: dict[int, Callable[[Request, float], int]] = {
            mavlink.MAV_CMD_REQUEST_MESSAGE: self._request_message,
            mavlink.MAV_CMD_REQUEST_AUTOPILOT_CAPABILITIES: self._capabilities,
            mavlink.MAV_CMD_SET_MESSAGE_INTERVAL: self._message_interval,
            mavlink.MAV_CMD_DO_SET_MISSION_CURRENT: self._mission_current,
        }

    # ------------------------------------------------------------------------------------------ entry
    def handle_long(self, msg: Any, now: float) -> None:
        params = (msg.param1, msg.param2, msg.param3, msg.param4, msg.param5, msg.param6, msg.param7)
        partner = (msg.get_srcSystem(), msg.get_srcComponent())
        frame = mavlink.MAV_FRAME_GLOBAL_RELATIVE_ALT
        self._handle(Request(msg.command, params, frame, partner, msg.confirmation), now)

    def handle_int(self, msg: Any, now: float) -> None:
        params = (msg.param1, msg.param2, msg.param3, msg.param4, msg.x / 1e7, msg.y / 1e7, msg.z)
        partner = (msg.get_srcSystem(), msg.get_srcComponent())
        self._handle(Request(msg.command, params, msg.frame, partner), now)

    def handle_set_mode(self, msg: Any, now: float) -> None:
        """The SET_MODE message; ArduPilot answers it with a COMMAND_ACK for MAV_CMD_DO_SET_MODE."""
        params = (float(msg.base_mode), float(msg.custom_mode), 0.0, 0.0, 0.0, 0.0, 0.0)
        partner = (msg.get_srcSystem(), msg.get_srcComponent())
        request = Request(mavlink.MAV_CMD_DO_SET_MODE, params, 0, partner)
        self._handle(request, now)

    def handle_position_target(self, msg: Any) -> None:
        """A GUIDED position target: flown if GUIDED and airborne, ignored otherwise, never acknowledged."""
        v = self._v.vehicle
        if v.s.mode != "GUIDED" or not v.flying or msg.type_mask & 0b111:
            return
        alt = msg.alt - self._v.config.home.alt_msl_m if msg.coordinate_frame in _ABSOLUTE else msg.alt
        self._v.sim.submit(
            VehicleCommand(CommandName.GOTO, {"lat": msg.lat_int / 1e7, "lon": msg.lon_int / 1e7, "alt_m": alt})
        )

    def resolve(self, ticket: int, result: CommandResult) -> None:
        """The model's verdict on a queued command: ACK it to the sender and to any retries waiting."""
        pending = self._pending.pop(ticket, None)
        if pending is None:
            return
        code = pending.verdict(result)
        self._ack(pending.request, code)
        seen = self._seen.get(_key(pending.request))
        if seen is not None and seen.result is None:
            seen.result = code
            for partner in seen.waiting:
                self._ack(_with_partner(pending.request, partner), code)
            seen.waiting.clear()

    def expire(self, now: float) -> None:
        """Forget retries past their window and commands lost to a link drop (never answered, as on air)."""
        self._seen = {k: s for k, s in self._seen.items() if now - s.at < RETRY_WINDOW_S}
        self._pending = {t: p for t, p in self._pending.items() if now - p.at < PENDING_TIMEOUT_S}

    # ------------------------------------------------------------------------------------------ dispatch
    def _handle(self, request: Request, now: float) -> None:
        key = _key(request)
        seen = self._seen.get(key)
        if request.confirmation > 0 and seen is not None:
            if seen.result is None:
                seen.waiting.append(request.partner)
            else:
                self._ack(request, seen.result)
            return
        self._seen[key] = _Seen(now)
        immediate = self._immediate.get(request.command)
        if immediate is not None:
            self._finish(request, immediate(request, now))
            return
        planned = self._plan(request)
        if isinstance(planned, int):
            self._finish(request, planned)
            return
        command, verdict = planned
        ticket = self._v.sim.submit(command)
        self._pending[ticket] = _Pending(request, now, verdict)

    def _finish(self, request: Request, code: int) -> None:
        seen = self._seen.get(_key(request))
        if seen is not None:
            seen.result = code
        self._ack(request, code)

    def _ack(self, request: Request, code: int) -> None:
        self._v.send(self._v.mav.command_ack_encode(request.command, code, 0, 0, *request.partner))

    def _plan(self, r: Request) -> int | tuple[VehicleCommand, Verdict]:
        """The FAKE command for ``r`` and how its verdict reads as MAV_RESULT; or a MAV_RESULT right away."""
        p = r.params
        v = self._v.vehicle
        if r.command == mavlink.MAV_CMD_COMPONENT_ARM_DISARM:
            if p[0] == 1.0:
                if v.s.armed:
                    return RESULT_ACCEPTED
                return VehicleCommand(CommandName.ARM), _plain
            if p[0] == 0.0:
                return VehicleCommand(CommandName.DISARM, {"force": round(p[1]) == FORCE_MAGIC}), _plain
            return RESULT_DENIED
        if r.command == mavlink.MAV_CMD_NAV_TAKEOFF:
            return VehicleCommand(CommandName.TAKEOFF, {"alt_m": p[6]}), _plain
        if r.command == mavlink.MAV_CMD_NAV_LAND:
            return VehicleCommand(CommandName.LAND), _plain
        if r.command == mavlink.MAV_CMD_NAV_RETURN_TO_LAUNCH:
            return VehicleCommand(CommandName.RTL), _plain
        if r.command == mavlink.MAV_CMD_DO_SET_MODE:
            return self._plan_mode(r)
        if r.command == mavlink.MAV_CMD_DO_CHANGE_SPEED:
            if p[1] < 0:
                return RESULT_ACCEPTED  # -1: "no change", as the spec says
            return VehicleCommand(CommandName.CHANGE_SPEED, {"speed_mps": p[1]}), _plain
        if r.command == mavlink.MAV_CMD_DO_REPOSITION:
            return self._plan_reposition(r)
        return RESULT_UNSUPPORTED

    def _plan_mode(self, r: Request) -> int | tuple[VehicleCommand, Verdict]:
        base, custom = int(r.params[0]), int(r.params[1])
        if not base & mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED:
            return RESULT_UNSUPPORTED  # ArduPilot only switches by custom mode
        name = MODE_NAMES.get(custom)
        if name is None:
            self._v.statustext(mavlink.MAV_SEVERITY_WARNING, f"Mode change to {custom} failed: unknown mode")
            return RESULT_FAILED
        needs_fix = self._v.position_modes_need_fix(name)

        def verdict(result: CommandResult) -> int:
            if needs_fix and result.outcome is CommandOutcome.DENIED:
                return RESULT_ACCEPTED  # ArduPilot's quirk: acknowledged, yet the mode stays
            return mav_result(result.outcome)

        return VehicleCommand(CommandName.SET_MODE, {"mode": name}), verdict

    def _plan_reposition(self, r: Request) -> int | tuple[VehicleCommand, Verdict]:
        v = self._v.vehicle
        if v.s.mode != "GUIDED" and not int(r.params[1]) & mavlink.MAV_DO_REPOSITION_FLAGS_CHANGE_MODE:
            return RESULT_DENIED  # ArduCopter moves only in GUIDED unless told to switch
        sample = self._v.sim.sample("reposition", _EPOCH)
        lat, lon, alt = r.params[4], r.params[5], r.params[6]
        if not (math.isfinite(lat) and math.isfinite(lon)) or (lat == 0.0 and lon == 0.0):
            lat, lon = sample.lat_deg or 0.0, sample.lon_deg or 0.0  # "stay where you are", as the spec allows
        if not math.isfinite(alt):
            alt = sample.alt_rel_m or 0.0
        elif r.frame in _ABSOLUTE:
            alt -= self._v.config.home.alt_msl_m
        return VehicleCommand(CommandName.GOTO, {"lat": lat, "lon": lon, "alt_m": alt}), _plain

    # ------------------------------------------------------------------------------------------ at once
    def _request_message(self, r: Request, now: float) -> int:
        msg_id = int(r.params[0])
        name = "AUTOPILOT_VERSION" if msg_id == mavlink.MAVLINK_MSG_ID_AUTOPILOT_VERSION else STREAMABLE.get(msg_id)
        ok = name is not None and self._v.send_message(name)
        return RESULT_ACCEPTED if ok else RESULT_FAILED

    def _capabilities(self, r: Request, now: float) -> int:
        self._v.send_message("AUTOPILOT_VERSION")
        return RESULT_ACCEPTED

    def _message_interval(self, r: Request, now: float) -> int:
        name = STREAMABLE.get(int(r.params[0]))
        if name is None:
            return RESULT_FAILED
        self._v.streams.set_interval(name, r.params[1], now)
        return RESULT_ACCEPTED

    def _mission_current(self, r: Request, now: float) -> int:
        ok = self._v.set_mission_current(int(r.params[0])) is not None
        return RESULT_ACCEPTED if ok else RESULT_FAILED


_ABSOLUTE = frozenset({mavlink.MAV_FRAME_GLOBAL, mavlink.MAV_FRAME_GLOBAL_INT})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _plain(result: CommandResult) -> int:
    return mav_result(result.outcome)


def _key(request: Request) -> tuple[Partner, int, tuple[str, ...]]:
    # repr, not the floats: a NaN parameter ("unchanged" in MAVLink) never equals itself.
    return request.partner, request.command, tuple(repr(p) for p in request.params)


def _with_partner(request: Request, partner: Partner) -> Request:
    return Request(request.command, request.params, request.frame, partner, request.confirmation)
