"""Behaving as a ground station: our heartbeat, and asking a newly heard vehicle for what we need.

Vehicles stream little until a GCS asks. On the first heartbeat (and again after the vehicle was silent,
as after a reboot) we request AUTOPILOT_VERSION for the firmware, then set message intervals; a vehicle
that does not support MAV_CMD_SET_MESSAGE_INTERVAL (ArduPilot before 4.0) gets REQUEST_DATA_STREAM instead.
Requests go one at a time: ACKs are matched on the command id, and all intervals share one id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from groundstation.adapters.mavlink.codec import mavlink2
from groundstation.adapters.mavlink.commands import CommandClient, CommandSpec
from groundstation.adapters.mavlink.vehicle import TargetVehicle
from groundstation.domain.commands import CommandOutcome

log = logging.getLogger(__name__)

RESETUP_AFTER_S = 5.0
_REQUEST_TIMEOUT_S = 1.5

# Message -> rate in Hz: what TelemetrySample needs, no more (a radio link has a few kB/s).
MESSAGE_RATES_HZ: dict[int, float] = {
    mavlink2.MAVLINK_MSG_ID_ATTITUDE: 10.0,
    mavlink2.MAVLINK_MSG_ID_GLOBAL_POSITION_INT: 5.0,
    mavlink2.MAVLINK_MSG_ID_VFR_HUD: 4.0,
    mavlink2.MAVLINK_MSG_ID_SYS_STATUS: 1.0,
    mavlink2.MAVLINK_MSG_ID_GPS_RAW_INT: 2.0,
    mavlink2.MAVLINK_MSG_ID_BATTERY_STATUS: 1.0,
    mavlink2.MAVLINK_MSG_ID_HOME_POSITION: 0.2,
}

# The older ArduPilot way: whole groups of messages at once.
DATA_STREAM_RATES_HZ: dict[int, int] = {
    mavlink2.MAV_DATA_STREAM_EXTENDED_STATUS: 2,  # SYS_STATUS, GPS_RAW_INT
    mavlink2.MAV_DATA_STREAM_POSITION: 5,  # GLOBAL_POSITION_INT
    mavlink2.MAV_DATA_STREAM_EXTRA1: 10,  # ATTITUDE
    mavlink2.MAV_DATA_STREAM_EXTRA2: 4,  # VFR_HUD
    mavlink2.MAV_DATA_STREAM_EXTRA3: 1,  # BATTERY_STATUS and others
}


def send_heartbeat(mav: Any) -> None:
    mav.heartbeat_send(mavlink2.MAV_TYPE_GCS, mavlink2.MAV_AUTOPILOT_INVALID, 0, 0, mavlink2.MAV_STATE_ACTIVE)


def _spec(command: int, *params: float) -> CommandSpec:
    full = (*params, *([0.0] * (7 - len(params))))
    return CommandSpec(command, (full[0], full[1], full[2], full[3], full[4], full[5], full[6]))


async def set_up_vehicle(
    commands: CommandClient, mav: Any, send: Callable[[Any], None], vehicle: TargetVehicle
) -> None:
    """Ask for the firmware version and the telemetry we normalize; log, never raise, on refusals."""
    try:
        ack = await commands.run(
            _spec(mavlink2.MAV_CMD_REQUEST_MESSAGE, mavlink2.MAVLINK_MSG_ID_AUTOPILOT_VERSION),
            timeout_s=_REQUEST_TIMEOUT_S,
            attempts=2,
        )
        if ack.outcome is not CommandOutcome.ACCEPTED:
            await commands.run(
                _spec(mavlink2.MAV_CMD_REQUEST_AUTOPILOT_CAPABILITIES, 1), timeout_s=_REQUEST_TIMEOUT_S, attempts=1
            )
        for message_id, hz in MESSAGE_RATES_HZ.items():
            ack = await commands.run(
                _spec(mavlink2.MAV_CMD_SET_MESSAGE_INTERVAL, message_id, 1e6 / hz),
                timeout_s=_REQUEST_TIMEOUT_S,
                attempts=1,
            )
            if ack.outcome in (CommandOutcome.UNSUPPORTED, CommandOutcome.NO_ANSWER):
                log.info(
                    "system %d does not take SET_MESSAGE_INTERVAL (%s); asking with REQUEST_DATA_STREAM",
                    vehicle.sysid,
                    ack.words,
                )
                for stream, rate in DATA_STREAM_RATES_HZ.items():
                    send(mav.request_data_stream_encode(vehicle.sysid, vehicle.compid, stream, rate, 1))
                return
    except Exception:
        log.exception("setting up system %d", vehicle.sysid)
