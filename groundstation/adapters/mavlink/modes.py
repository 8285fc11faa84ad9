"""Flight modes named as the autopilot names them, from pymavlink's own tables (ArduPilot per vehicle
type, PX4 by its main and sub mode), so a mode reads ``QLOITER`` in the ground station as in the log."""

from __future__ import annotations

from dataclasses import dataclass

from pymavlink import mavutil

from groundstation.adapters.mavlink.codec import mavlink2

_CUSTOM = mavlink2.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED


@dataclass(frozen=True, slots=True)
class ModeRequest:
    """The three parameters of MAV_CMD_DO_SET_MODE and the name the heartbeat must then show."""

    name: str
    base_mode: int
    custom_mode: int
    custom_sub_mode: int = 0


class _HeartbeatView:
    """The three fields ``mavutil.mode_string_v10`` reads, without building a message."""

    __slots__ = ("autopilot", "base_mode", "custom_mode", "type")

    def __init__(self, autopilot: int, vehicle_type: int, base_mode: int, custom_mode: int) -> None:
        self.autopilot = autopilot
        self.type = vehicle_type
        self.base_mode = base_mode
        self.custom_mode = custom_mode

    def get_type(self) -> str:
        return "HEARTBEAT"


def mode_name(autopilot: int, vehicle_type: int, base_mode: int, custom_mode: int) -> str:
    """The mode a HEARTBEAT reports; ``Mode(n)`` when the firmware's table does not know the number."""
    return str(mavutil.mode_string_v10(_HeartbeatView(autopilot, vehicle_type, base_mode, custom_mode)))


def available_modes(autopilot: int, vehicle_type: int) -> list[str]:
    if autopilot == mavlink2.MAV_AUTOPILOT_PX4:
        return sorted(mavutil.px4_map)
    table = mavutil.mode_mapping_byname(vehicle_type)
    return sorted(table) if table else []


def encode_mode(autopilot: int, vehicle_type: int, name: str) -> ModeRequest | None:
    """The DO_SET_MODE parameters for ``name`` on this autopilot and frame, or None if it has no such mode."""
    wanted = name.strip().upper()
    if autopilot == mavlink2.MAV_AUTOPILOT_PX4:
        entry = mavutil.px4_map.get(wanted)
        if entry is None:
            return None
        base, main, sub = entry
        return ModeRequest(wanted, int(base), int(main), int(sub))
    table = mavutil.mode_mapping_byname(vehicle_type)
    if not table or wanted not in table:
        return None
    return ModeRequest(wanted, _CUSTOM, int(table[wanted]))


def px4_custom_mode(main: int, sub: int) -> int:
    """PX4 packs its main mode in bits 16..23 and its sub mode in bits 24..31 of ``custom_mode``."""
    return (main << 16) | (sub << 24)
